//! [`HistoryStore`]: the one write connection — open (with recovery), batched writes, pruning,
//! and starting over on a file found damaged while running. Synchronous: async code calls it
//! from `spawn_blocking` (the writer task does).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rusqlite::{params, params_from_iter, Connection, Statement, ToSql, Transaction};

use super::baseline::{BaselineRecord, UPSERT_BASELINE};
use super::open::{move_aside, open_file, open_memory, OpenOptions, Recovery, Target};
use super::query::Queries;
use super::reader::{HistoryReader, Shared};
use super::record::{event_params, result_params, EVENT_COLUMNS, RESULT_COLUMNS};
use super::retention::{prune_step, Pruned, Retention};
use super::sequence::{cause_params, finding_params, Logged, INSERT_CAUSE, INSERT_FINDING};
use super::statements::{insert_sql, INSERT_MONITOR, SELECT_MONITOR};
use super::{HistoryError, ResultRecord};
use crate::model::{MonitorId, StateChange};

/// Rows per statement in one chunk of [`HistoryStore::prune`].
const PRUNE_CHUNK: usize = 10_000;

/// The history database's write side.
#[derive(Debug)]
pub struct HistoryStore {
    conn: Connection,
    shared: Arc<Shared>,
    /// `monitors.id` by key, for the rows written so far.
    monitor_ids: HashMap<MonitorId, i64>,
}

impl HistoryStore {
    /// Opens or creates the database at `path` with the default options; a bad file is moved
    /// aside and reported (see [`Recovery`]).
    pub fn open(path: impl AsRef<Path>) -> Result<(Self, Option<Recovery>), HistoryError> {
        Self::open_with(path, OpenOptions::default())
    }

    /// [`Self::open`] with explicit options.
    pub fn open_with(
        path: impl AsRef<Path>,
        options: OpenOptions,
    ) -> Result<(Self, Option<Recovery>), HistoryError> {
        let path = path.as_ref();
        let (conn, recovery) = open_file(path, &options)?;
        let target = Target::File(path.to_owned());
        Ok((Self::with_conn(conn, target, options), recovery))
    }

    /// A new private database in memory (tests, or running without a file); readers from
    /// [`Self::reader`] see it too.
    pub fn open_in_memory() -> Result<Self, HistoryError> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let uri = format!(
            "file:ehlowatch-history-{}-{n}?mode=memory&cache=shared",
            std::process::id()
        );
        let options = OpenOptions::default();
        let conn = open_memory(&uri, &options)?;
        Ok(Self::with_conn(conn, Target::Memory(uri), options))
    }

    fn with_conn(conn: Connection, target: Target, options: OpenOptions) -> Self {
        let shared = Arc::new(Shared::new(target, options));
        Self {
            conn,
            shared,
            monitor_ids: HashMap::new(),
        }
    }

    /// The database file, or `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        match &self.shared.target {
            Target::File(p) => Some(p),
            Target::Memory(_) => None,
        }
    }

    /// A read-only connection for queries beside the writer (opened on first use).
    pub fn reader(&self) -> HistoryReader {
        HistoryReader::new(Arc::clone(&self.shared))
    }

    /// Queries on the write connection.
    pub fn queries(&self) -> Queries<'_> {
        Queries::new(&self.conn)
    }

    /// Writes `results` and `changes` in one transaction: all or nothing.
    pub fn write_batch(
        &mut self,
        results: &[ResultRecord],
        changes: &[StateChange],
    ) -> Result<(), HistoryError> {
        let events: Vec<Logged> = changes.iter().cloned().map(Logged::StateChange).collect();
        self.write_logged(results, &events)
    }

    /// Writes `results` and `events` in one transaction, all or nothing; the events take the
    /// next sequences in the order given. Readers' [`HistoryReader::written`] then tells the
    /// last sequence committed.
    pub fn write_logged(
        &mut self,
        results: &[ResultRecord],
        events: &[Logged],
    ) -> Result<(), HistoryError> {
        self.write_all(results, events, &[])
    }

    /// [`Self::write_logged`], and mail domains' `baselines` in the same transaction.
    pub(crate) fn write_all(
        &mut self,
        results: &[ResultRecord],
        events: &[Logged],
        baselines: &[BaselineRecord],
    ) -> Result<(), HistoryError> {
        let tx = self.conn.transaction()?;
        let mut new_ids = HashMap::new();
        let mut last_seq = None;
        {
            let mut ids = MonitorIds {
                known: &self.monitor_ids,
                new: &mut new_ids,
            };
            let mut stmt = tx.prepare_cached(&insert_sql("results", RESULT_COLUMNS))?;
            for r in results {
                let id = ids.get(&tx, &r.monitor)?;
                execute(&mut stmt, id, &result_params(r)?)?;
            }
            let mut changes = tx.prepare_cached(&insert_sql("events", EVENT_COLUMNS))?;
            let mut causes = tx.prepare_cached(INSERT_CAUSE)?;
            let mut findings = tx.prepare_cached(INSERT_FINDING)?;
            for event in events {
                match event {
                    Logged::StateChange(c) => {
                        let id = ids.get(&tx, &c.monitor)?;
                        execute(&mut changes, id, &event_params(c))?;
                    }
                    Logged::LocalCause(c) => {
                        causes.execute(params_from_iter(cause_params(c).iter()))?;
                    }
                    Logged::Finding(f) => {
                        let id = ids.get(&tx, &f.monitor)?;
                        execute(&mut findings, id, &finding_params(f)?)?;
                    }
                }
                last_seq = Some(tx.last_insert_rowid());
            }
            let mut upsert = tx.prepare_cached(UPSERT_BASELINE)?;
            for b in baselines {
                let id = ids.get(&tx, &b.monitor)?;
                upsert.execute(params![id, b.body])?;
            }
        }
        tx.commit()?;
        // Only now: the ids of a rolled-back transaction must not be remembered.
        self.monitor_ids.extend(new_ids);
        if let Some(seq) = last_seq {
            self.shared.written.send_replace(seq);
        }
        Ok(())
    }

    /// Prunes everything `retention` no longer keeps, relative to `now`, in chunks.
    pub fn prune(
        &mut self,
        now: DateTime<Utc>,
        retention: &Retention,
    ) -> Result<Pruned, HistoryError> {
        let mut total = Pruned::default();
        loop {
            let step = self.prune_step(now, retention, PRUNE_CHUNK)?;
            total.add(step);
            if !step.more {
                return Ok(total);
            }
        }
    }

    /// One chunk of pruning: at most `limit` rows per kind, one short transaction.
    pub fn prune_step(
        &mut self,
        now: DateTime<Utc>,
        retention: &Retention,
        limit: usize,
    ) -> Result<Pruned, HistoryError> {
        Ok(prune_step(&mut self.conn, now, retention, limit)?)
    }

    /// Moves a file found damaged while running aside and starts a new one in its place;
    /// readers reopen on their next query. In memory there is nothing to move: an error.
    pub fn start_over(&mut self, reason: String) -> Result<Recovery, HistoryError> {
        let Target::File(path) = &self.shared.target else {
            return Err(HistoryError::Open {
                path: PathBuf::from(":memory:"),
                reason,
            });
        };
        let path = path.clone();
        self.monitor_ids.clear();
        let shared = Arc::clone(&self.shared);
        let (recovery, again) = shared.with_readers_closed(|| {
            // Close the old connection before the rename: on close SQLite removes `<path>-wal`
            // by name, which must still be the old file's; and Windows renames no open file.
            drop(std::mem::replace(
                &mut self.conn,
                Connection::open_in_memory()?,
            ));
            let recovery = move_aside(&path, reason)?;
            tracing::error!(path = %path.display(), moved_to = %recovery.moved_to.display(), "{}", recovery.reason);
            let (conn, again) = open_file(&path, &self.shared.options)?;
            self.conn = conn;
            self.shared.generation.fetch_add(1, Ordering::Release);
            Ok::<_, HistoryError>((recovery, again))
        })?;
        Ok(again.unwrap_or(recovery))
    }
}

/// `monitors.id` by key: those known before the transaction, and those it added.
struct MonitorIds<'a> {
    known: &'a HashMap<MonitorId, i64>,
    new: &'a mut HashMap<MonitorId, i64>,
}

impl MonitorIds<'_> {
    /// The id of `key`, inserting it into `monitors` when new.
    fn get(&mut self, tx: &Transaction<'_>, key: &MonitorId) -> rusqlite::Result<i64> {
        if let Some(&id) = self.known.get(key).or_else(|| self.new.get(key)) {
            return Ok(id);
        }
        tx.prepare_cached(INSERT_MONITOR)?.execute(params![key.0])?;
        let id = tx
            .prepare_cached(SELECT_MONITOR)?
            .query_row(params![key.0], |r| r.get(0))?;
        self.new.insert(key.clone(), id);
        Ok(id)
    }
}

/// Runs an insert with the monitor id then `values`.
fn execute<T: ToSql>(stmt: &mut Statement<'_>, id: i64, values: &[T]) -> rusqlite::Result<()> {
    let all = std::iter::once(&id as &dyn ToSql).chain(values.iter().map(|v| v as &dyn ToSql));
    stmt.execute(params_from_iter(all)).map(drop)
}
