//! The schema and its migrations. `PRAGMA user_version` holds the number of migrations applied;
//! opening applies the missing ones in order, in one `BEGIN IMMEDIATE` transaction (which also
//! proves nobody else holds the write lock). A file from a newer build is refused rather than
//! guessed at. Migrations are append-only: never edit one that has shipped, add the next.

use rusqlite::{Connection, TransactionBehavior};

/// The schema version this build writes (the number of migrations).
pub(crate) const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5];

/// Results, events, and the monitor ids they refer to. The partial indexes keep retention and
/// "last failure" cheap whatever the mix of verdicts; queries must spell their conditions
/// (`verdict = 2`, `verdict <> 2`, `transcript IS NOT NULL`) literally for SQLite to use them.
pub(super) const V1: &str = "
CREATE TABLE monitors (
    id  INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE
);
CREATE TABLE results (
    id              INTEGER PRIMARY KEY,
    monitor_id      INTEGER NOT NULL REFERENCES monitors (id),
    at_ms           INTEGER NOT NULL,
    verdict         INTEGER NOT NULL CHECK (verdict IN (0, 1, 2)),
    latency_us      INTEGER,
    dns_us          INTEGER,
    connect_us      INTEGER,
    tls_us          INTEGER,
    greeting_us     INTEGER,
    starttls_us     INTEGER,
    ehlo_us         INTEGER,
    failure_phase   TEXT,
    failure_kind    TEXT,
    failure_message TEXT,
    reason          TEXT,
    address         TEXT,
    cert_days_left  INTEGER,
    transcript      TEXT
);
CREATE INDEX results_by_monitor ON results (monitor_id, at_ms, verdict, latency_us);
CREATE INDEX results_failed ON results (monitor_id, at_ms) WHERE verdict = 2;
CREATE INDEX results_ok_by_time ON results (at_ms) WHERE verdict <> 2;
CREATE INDEX results_failed_by_time ON results (at_ms) WHERE verdict = 2;
CREATE INDEX results_transcripts_by_time ON results (at_ms) WHERE transcript IS NOT NULL;
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    monitor_id  INTEGER NOT NULL REFERENCES monitors (id),
    name        TEXT NOT NULL,
    at_ms       INTEGER NOT NULL,
    event_id    INTEGER,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    reason      TEXT,
    alert       INTEGER NOT NULL
);
CREATE INDEX events_by_time ON events (at_ms);
CREATE INDEX events_by_monitor ON events (monitor_id, at_ms);
";

/// Targets: a result row per target (each address of the host) beside the monitor's own row.
/// `target` is the address for a target's row and NULL for the monitor's (the worst target, as
/// every row was before), so the monitor's rows and their queries keep their meaning; the
/// per-monitor indexes gain `target` so that either kind of row is found without the other.
pub(super) const V2: &str = "
ALTER TABLE results ADD COLUMN target TEXT;
DROP INDEX results_by_monitor;
CREATE INDEX results_by_monitor ON results (monitor_id, target, at_ms, verdict, latency_us);
DROP INDEX results_failed;
CREATE INDEX results_failed ON results (monitor_id, target, at_ms) WHERE verdict = 2;
";

/// The stream sequence: `events` becomes `AUTOINCREMENT`, so a row id is never given twice —
/// not even after pruning has deleted the newest rows — and the id is the sequence a viewer
/// resumes from. Local causes (offline, blocked here: began or ended) are rows too, with no
/// monitor, so that one sequence orders both. The sequence starts at the Unix time of the
/// migration in milliseconds: a database that replaces another (a damaged file moved aside, a
/// restored backup) numbers above the sequences of any file before it, as long as the clock does
/// not go back, so a viewer's old sequence is never taken for one of the new file's.
const V3: &str = "
CREATE TABLE events_v3 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    monitor_id  INTEGER REFERENCES monitors (id),
    name        TEXT,
    at_ms       INTEGER NOT NULL,
    event_id    INTEGER,
    from_status TEXT,
    to_status   TEXT,
    kind        TEXT NOT NULL,
    reason      TEXT,
    alert       INTEGER NOT NULL DEFAULT 0,
    cause       TEXT,
    monitors    INTEGER,
    CHECK ((monitor_id IS NOT NULL AND name IS NOT NULL AND from_status IS NOT NULL
            AND to_status IS NOT NULL AND cause IS NULL)
        OR (monitor_id IS NULL AND cause IS NOT NULL AND monitors IS NOT NULL))
);
INSERT INTO events_v3 (id, monitor_id, name, at_ms, event_id, from_status, to_status, kind,
                       reason, alert)
    SELECT id, monitor_id, name, at_ms, event_id, from_status, to_status, kind, reason, alert
    FROM events;
DROP TABLE events;
ALTER TABLE events_v3 RENAME TO events;
CREATE INDEX events_by_time ON events (at_ms);
CREATE INDEX events_by_monitor ON events (monitor_id, at_ms);
DELETE FROM sqlite_sequence WHERE name IN ('events', 'events_v3');
INSERT INTO sqlite_sequence (name, seq) VALUES ('events', MAX(
    (SELECT IFNULL(MAX(id), 0) FROM events),
    CAST(strftime('%s', 'now') AS INTEGER) * 1000));
";

/// Mail domains: a finding (the MX set changed, or what an MX host offers) is a row of the
/// sequence too — a monitor's row with no status change, its details as JSON in `detail` — and
/// each domain's baseline (what was last told of it, JSON) is kept in `baselines`, so a
/// restart tells nothing twice. `events` is rebuilt for its new check; its sequence carries on
/// from where it was.
const V4: &str = "
CREATE TABLE events_v4 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    monitor_id  INTEGER REFERENCES monitors (id),
    name        TEXT,
    at_ms       INTEGER NOT NULL,
    event_id    INTEGER,
    from_status TEXT,
    to_status   TEXT,
    kind        TEXT NOT NULL,
    reason      TEXT,
    alert       INTEGER NOT NULL DEFAULT 0,
    cause       TEXT,
    monitors    INTEGER,
    detail      TEXT,
    CHECK ((monitor_id IS NOT NULL AND name IS NOT NULL AND from_status IS NOT NULL
            AND to_status IS NOT NULL AND cause IS NULL AND detail IS NULL)
        OR (monitor_id IS NULL AND cause IS NOT NULL AND monitors IS NOT NULL
            AND detail IS NULL)
        OR (monitor_id IS NOT NULL AND name IS NOT NULL AND kind IN ('mx_set', 'drift')
            AND detail IS NOT NULL AND cause IS NULL))
);
INSERT INTO events_v4 (id, monitor_id, name, at_ms, event_id, from_status, to_status, kind,
                       reason, alert, cause, monitors)
    SELECT id, monitor_id, name, at_ms, event_id, from_status, to_status, kind, reason, alert,
           cause, monitors
    FROM events;
CREATE TEMP TABLE kept_sequence AS SELECT seq FROM sqlite_sequence WHERE name = 'events';
DROP TABLE events;
ALTER TABLE events_v4 RENAME TO events;
CREATE INDEX events_by_time ON events (at_ms);
CREATE INDEX events_by_monitor ON events (monitor_id, at_ms);
DELETE FROM sqlite_sequence WHERE name IN ('events', 'events_v4');
INSERT INTO sqlite_sequence (name, seq) VALUES ('events', MAX(
    (SELECT IFNULL(MAX(id), 0) FROM events),
    (SELECT IFNULL(MAX(seq), 0) FROM temp.kept_sequence)));
DROP TABLE temp.kept_sequence;
CREATE TABLE baselines (
    monitor_id INTEGER PRIMARY KEY REFERENCES monitors (id),
    body       TEXT NOT NULL
);
";

/// Findings of any kind: a finding row is told by its `detail`, whatever its `kind` names
/// (`mx_set`, `drift`, `dane` and the mail-policy kinds to come), so a new kind needs no new
/// schema. `events` is rebuilt for its new check, its sequence carried on as in [`V4`].
const V5: &str = "
CREATE TABLE events_v5 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    monitor_id  INTEGER REFERENCES monitors (id),
    name        TEXT,
    at_ms       INTEGER NOT NULL,
    event_id    INTEGER,
    from_status TEXT,
    to_status   TEXT,
    kind        TEXT NOT NULL,
    reason      TEXT,
    alert       INTEGER NOT NULL DEFAULT 0,
    cause       TEXT,
    monitors    INTEGER,
    detail      TEXT,
    CHECK ((monitor_id IS NOT NULL AND name IS NOT NULL AND from_status IS NOT NULL
            AND to_status IS NOT NULL AND cause IS NULL AND detail IS NULL)
        OR (monitor_id IS NULL AND cause IS NOT NULL AND monitors IS NOT NULL
            AND detail IS NULL)
        OR (monitor_id IS NOT NULL AND name IS NOT NULL AND from_status IS NULL
            AND detail IS NOT NULL AND cause IS NULL))
);
INSERT INTO events_v5 SELECT * FROM events;
CREATE TEMP TABLE kept_sequence AS SELECT seq FROM sqlite_sequence WHERE name = 'events';
DROP TABLE events;
ALTER TABLE events_v5 RENAME TO events;
CREATE INDEX events_by_time ON events (at_ms);
CREATE INDEX events_by_monitor ON events (monitor_id, at_ms);
DELETE FROM sqlite_sequence WHERE name IN ('events', 'events_v5');
INSERT INTO sqlite_sequence (name, seq) VALUES ('events', MAX(
    (SELECT IFNULL(MAX(id), 0) FROM events),
    (SELECT IFNULL(MAX(seq), 0) FROM temp.kept_sequence)));
DROP TABLE temp.kept_sequence;
";

/// Why the schema could not be brought up to date.
#[derive(Debug)]
pub(crate) enum MigrateError {
    /// The file was written by a newer build.
    TooNew(u32),
    /// SQLite failed (locked, corrupt, or a migration clashed with what is there).
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for MigrateError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Sqlite(e)
    }
}

/// The schema version recorded in the file.
pub(crate) fn user_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Applies the missing migrations; returns the version found before.
pub(crate) fn migrate(conn: &mut Connection) -> Result<u32, MigrateError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found = user_version(&tx)?;
    if found > SCHEMA_VERSION {
        return Err(MigrateError::TooNew(found));
    }
    for sql in &MIGRATIONS[found as usize..] {
        tx.execute_batch(sql)?;
    }
    if found != SCHEMA_VERSION {
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    }
    tx.commit()?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&mut conn).unwrap(), 0);
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
        assert_eq!(migrate(&mut conn).unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn the_sequence_carries_on_across_the_rebuild_of_events() {
        let mut conn = Connection::open_in_memory().unwrap();
        let tx = conn.transaction().unwrap();
        for sql in &MIGRATIONS[..3] {
            tx.execute_batch(sql).unwrap();
        }
        tx.pragma_update(None, "user_version", 3).unwrap();
        tx.commit().unwrap();
        conn.execute_batch(
            "UPDATE sqlite_sequence SET seq = 9000 WHERE name = 'events';
             INSERT INTO events (at_ms, kind, cause, monitors) VALUES (1, 'began', 'offline', 2);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let seq: i64 = conn
            .query_row(
                "SELECT seq FROM sqlite_sequence WHERE name = 'events'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(seq, 9001);
        conn.execute(
            "INSERT INTO events (at_ms, kind, cause, monitors) VALUES (2, 'ended', 'offline', 2)",
            [],
        )
        .unwrap();
        assert_eq!(conn.last_insert_rowid(), 9002);
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        assert!(
            matches!(migrate(&mut conn), Err(MigrateError::TooNew(v)) if v == SCHEMA_VERSION + 1)
        );
    }

    #[test]
    fn retention_and_last_failure_use_the_partial_indexes() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let plan = |sql: &str| -> String {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let rows = stmt.query_map([], |r| r.get::<_, String>(3)).unwrap();
            rows.map(Result::unwrap).collect::<Vec<_>>().join("; ")
        };
        let table = [
            ("SELECT id FROM results WHERE at_ms < 5 AND verdict <> 2 LIMIT 9", "results_ok_by_time"),
            ("SELECT id FROM results WHERE at_ms < 5 AND verdict = 2 LIMIT 9", "results_failed_by_time"),
            (
                "SELECT id FROM results WHERE at_ms < 5 AND transcript IS NOT NULL LIMIT 9",
                "results_transcripts_by_time",
            ),
            (
                "SELECT id FROM results WHERE monitor_id = 1 AND target IS NULL AND verdict = 2 ORDER BY at_ms DESC LIMIT 1",
                "results_failed",
            ),
            (
                "SELECT verdict, latency_us FROM results WHERE monitor_id = 1 AND target IS NULL AND at_ms >= 5",
                "results_by_monitor",
            ),
            (
                "SELECT id FROM results WHERE monitor_id = 1 AND target = '192.0.2.1' ORDER BY at_ms DESC LIMIT 9",
                "results_by_monitor",
            ),
        ];
        for (sql, index) in table {
            let got = plan(sql);
            assert!(got.contains(&format!("INDEX {index} ")), "{sql}: {got}");
        }
    }
}
