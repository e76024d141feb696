//! Opening the database file without ever crashing on a bad one. A file that is not a database,
//! fails `PRAGMA quick_check`, has a schema this build cannot use (newer, or clashing tables),
//! or stays locked past the busy timeout is moved aside — with its `-wal`, `-shm` and `-journal`,
//! so it can still be examined with the `sqlite3` shell — to `<name>.corrupt-<UTC time>`, and
//! a new, empty database takes its place. The caller gets a [`Recovery`] to log and show.
//! Errors that moving cannot cure (no such directory, no permission, disk full) are returned.
//!
//! Caveat (SQLite's "how to corrupt" §2.4): when the file was locked by another live process,
//! that process keeps writing to the moved file, and may remove our `-wal` when it closes.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, ErrorCode, OpenFlags};
use serde::Serialize;

use super::schema::{migrate, user_version, MigrateError, SCHEMA_VERSION};
use super::statements::validate;
use super::HistoryError;

/// Where the database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A file.
    File(PathBuf),
    /// A private in-memory database, by its shared-cache URI.
    Memory(String),
}

/// How to open the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenOptions {
    /// How long to wait for a lock held by someone else before calling the file locked.
    pub busy_timeout: Duration,
    /// Run `PRAGMA quick_check` only on files up to this size (default 256 MiB): it reads every
    /// page, about 10–15 s per GiB. Damage in a larger file is caught when SQLite meets it (the
    /// writer task then moves the file aside).
    pub quick_check_max_bytes: u64,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            busy_timeout: Duration::from_secs(5),
            quick_check_max_bytes: 256 << 20,
        }
    }
}

/// A bad database file was moved aside and a new one started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recovery {
    /// Where the bad file is now.
    pub moved_to: PathBuf,
    /// What was wrong with it, for people.
    pub reason: String,
    /// When it was moved.
    pub at: DateTime<Utc>,
}

impl fmt::Display for Recovery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the history database was unusable ({}); it was moved to {} and a new one started",
            self.reason,
            self.moved_to.display()
        )
    }
}

/// Why an open attempt failed.
enum Problem {
    /// The file is bad: move it aside and start again.
    Bad(String),
    /// Something moving the file would not cure.
    Fatal(HistoryError),
}

/// Opens (or creates) the database at `path`, recovering from a bad file.
pub(crate) fn open_file(
    path: &Path,
    options: &OpenOptions,
) -> Result<(Connection, Option<Recovery>), HistoryError> {
    let reason = match try_open(path, options) {
        Ok(conn) => return Ok((conn, None)),
        Err(Problem::Fatal(e)) => return Err(e),
        Err(Problem::Bad(reason)) => reason,
    };
    let recovery = move_aside(path, reason)?;
    tracing::error!(path = %path.display(), moved_to = %recovery.moved_to.display(), "{}", recovery.reason);
    match try_open(path, options) {
        Ok(conn) => Ok((conn, Some(recovery))),
        Err(Problem::Fatal(e)) => Err(e),
        Err(Problem::Bad(reason)) => Err(HistoryError::Open {
            path: path.to_owned(),
            reason,
        }),
    }
}

/// Opens a private in-memory database that [`open_reader`] connections can share.
pub(crate) fn open_memory(uri: &str, options: &OpenOptions) -> Result<Connection, HistoryError> {
    let mut conn = Connection::open_with_flags(uri, memory_flags())?;
    conn.busy_timeout(options.busy_timeout)?;
    migrate(&mut conn).map_err(|e| match e {
        MigrateError::Sqlite(e) => HistoryError::Sqlite(e),
        MigrateError::TooNew(v) => HistoryError::Open {
            path: uri.into(),
            reason: too_new(v),
        },
    })?;
    Ok(conn)
}

/// A read-only connection to a file database (or an in-memory one by its URI).
pub(crate) fn open_reader(
    target: &Target,
    options: &OpenOptions,
) -> Result<Connection, HistoryError> {
    let conn = match target {
        Target::File(path) => Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?,
        Target::Memory(uri) => Connection::open_with_flags(uri, memory_flags())?,
    };
    conn.busy_timeout(options.busy_timeout)?;
    conn.pragma_update(None, "query_only", true)?;
    // A reader must never checkpoint or delete the WAL on close: after a recovery the path names
    // the new file, not the one this connection has open.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
        true,
    )?;
    Ok(conn)
}

fn memory_flags() -> OpenFlags {
    OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
}

/// Opens and checks the file. Everything that can find it bad runs before the first write
/// (the switch to WAL is one), so a file moved aside is as it was found.
fn try_open(path: &Path, options: &OpenOptions) -> Result<Connection, Problem> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let fatal = |e: rusqlite::Error| {
        Problem::Fatal(HistoryError::Open {
            path: path.to_owned(),
            reason: e.to_string(),
        })
    };
    let mut conn = Connection::open_with_flags(path, flags).map_err(fatal)?;
    conn.busy_timeout(options.busy_timeout).map_err(fatal)?;
    let plain = |e: rusqlite::Error| classify(e, options, false);
    let schema = |e: rusqlite::Error| classify(e, options, true);

    let version = user_version(&conn).map_err(plain)?;
    if version > SCHEMA_VERSION {
        return Err(Problem::Bad(too_new(version)));
    }
    let tables: i64 = conn
        .query_row("SELECT COUNT(*) FROM sqlite_schema", [], |r| r.get(0))
        .map_err(plain)?;
    if version == 0 && tables > 0 {
        return Err(Problem::Bad(
            "unreadable schema: tables of something else, no version".into(),
        ));
    }
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    if size <= options.quick_check_max_bytes {
        quick_check(&conn).map_err(plain)??;
    }
    if version == SCHEMA_VERSION {
        validate(&conn).map_err(schema)?;
    }

    // Migrate before switching to WAL: a migration that fails on a file claiming an older
    // schema rolls back and leaves the file as it was, to be moved aside intact.
    migrate(&mut conn).map_err(|e| match e {
        MigrateError::TooNew(v) => Problem::Bad(too_new(v)),
        MigrateError::Sqlite(e) => schema(e),
    })?;
    conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
        .map_err(plain)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(plain)?;
    if version != SCHEMA_VERSION {
        validate(&conn).map_err(schema)?;
    }
    Ok(conn)
}

/// `Ok(Err(problem))` when the check ran and found damage.
fn quick_check(conn: &Connection) -> rusqlite::Result<Result<(), Problem>> {
    let mut stmt = conn.prepare("PRAGMA quick_check(5)")?;
    let lines: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if lines.len() == 1 && lines[0] == "ok" {
        Ok(Ok(()))
    } else {
        Ok(Err(Problem::Bad(format!(
            "failed the integrity check: {}",
            lines.join("; ")
        ))))
    }
}

/// Sorts an SQLite error met while opening into "bad file" or "fatal". `schema` is true for
/// errors from migrating or preparing statements, where a plain SQL error means a schema this
/// build cannot use.
fn classify(e: rusqlite::Error, options: &OpenOptions, schema: bool) -> Problem {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            Problem::Bad(format!("not a usable database: {e}"))
        }
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Problem::Bad(format!(
            "still locked by another connection after {} ms: {e}",
            options.busy_timeout.as_millis()
        )),
        Some(ErrorCode::Unknown) if schema => Problem::Bad(format!("unreadable schema: {e}")),
        _ => Problem::Fatal(HistoryError::Sqlite(e)),
    }
}

fn too_new(v: u32) -> String {
    format!("schema version {v} is newer than this build's ({SCHEMA_VERSION})")
}

/// Moves `path` and its `-wal`/`-shm` to `<path>.corrupt-<UTC time>[-n]`.
pub(crate) fn move_aside(path: &Path, reason: String) -> Result<Recovery, HistoryError> {
    let at = Utc::now();
    let base = format!("{}.corrupt-{}", path.display(), at.format("%Y%m%dT%H%M%SZ"));
    let mut moved_to = PathBuf::from(&base);
    let mut n = 1;
    while moved_to.exists() {
        n += 1;
        moved_to = PathBuf::from(format!("{base}-{n}"));
    }
    let rename = |from: PathBuf, to: PathBuf| match std::fs::rename(&from, &to) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(HistoryError::MoveAside { from, to, source }),
    };
    rename(path.to_owned(), moved_to.clone())?;
    for suffix in ["-wal", "-shm", "-journal"] {
        rename(with_suffix(path, suffix), with_suffix(&moved_to, suffix))?;
    }
    Ok(Recovery {
        moved_to,
        reason,
        at,
    })
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}
