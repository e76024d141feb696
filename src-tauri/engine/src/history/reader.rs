//! [`HistoryReader`]: a read-only connection of its own, so queries from the UI or the agent
//! run beside the writer — in WAL mode a reader sees the last committed batch and neither waits
//! for the other. Clones share the connection (queries on it take turns); open more readers for
//! parallel queries. After the writer replaced a damaged file the reader reopens by itself.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use rusqlite::Connection;
use tokio::sync::watch;

use super::open::{open_reader, OpenOptions, Target};
use super::query::Queries;
use super::HistoryError;

/// A reader's connection, tagged with the generation it was opened at.
type Slot = Mutex<Option<(u64, Connection)>>;

/// What the store and its readers share: where the data is, a generation that changes when the
/// file is replaced so readers reopen, and every reader's connection, so the store can close
/// them all before it moves the file (Windows renames no file that is open).
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) target: Target,
    pub(crate) options: OpenOptions,
    pub(crate) generation: AtomicU64,
    /// The last stream sequence the store committed (0 before its first).
    pub(crate) written: watch::Sender<i64>,
    readers: Mutex<Vec<Weak<Slot>>>,
}

impl Shared {
    pub(crate) fn new(target: Target, options: OpenOptions) -> Self {
        Self {
            target,
            options,
            generation: AtomicU64::new(0),
            written: watch::Sender::new(0),
            readers: Mutex::new(Vec::new()),
        }
    }

    /// Runs `f` with every reader's connection closed and held closed: `f` can move and
    /// replace the file with no reader reopening the old one meanwhile. A reader that queries
    /// during `f` waits; after it, it reopens at the generation `f` left.
    pub(crate) fn with_readers_closed<T>(&self, f: impl FnOnce() -> T) -> T {
        let slots: Vec<Arc<Slot>> = lock(&self.readers)
            .iter()
            .filter_map(Weak::upgrade)
            .collect();
        let mut held = Vec::with_capacity(slots.len());
        for slot in &slots {
            let mut conn = lock(slot);
            *conn = None;
            held.push(conn);
        }
        f()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A read-only handle on the history; cheap to clone, `Send + Sync`.
#[derive(Debug, Clone)]
pub struct HistoryReader {
    shared: Arc<Shared>,
    conn: Arc<Slot>,
}

impl HistoryReader {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        let conn = Arc::new(Mutex::new(None));
        let mut readers = lock(&shared.readers);
        // Readers that are gone leave room, so the list holds the live ones only.
        readers.retain(|r| r.strong_count() > 0);
        readers.push(Arc::downgrade(&conn));
        drop(readers);
        Self { shared, conn }
    }

    /// A receiver that changes whenever the store commits rows of the stream sequence, holding
    /// the last sequence committed: a follower wakes on it instead of polling (see
    /// [`Queries::events_after`]).
    pub fn written(&self) -> watch::Receiver<i64> {
        self.shared.written.subscribe()
    }

    /// Runs `f` on the read connection, on this thread (blocking: from async code use
    /// [`Self::query`]).
    pub fn with<T>(
        &self,
        f: impl FnOnce(Queries<'_>) -> Result<T, HistoryError>,
    ) -> Result<T, HistoryError> {
        let mut slot = lock(&self.conn);
        let generation = self.shared.generation.load(Ordering::Acquire);
        let conn = match &mut *slot {
            Some((g, conn)) if *g == generation => conn,
            stale => {
                // Close the old connection (if any) before opening the new one.
                *stale = None;
                &stale
                    .insert((
                        generation,
                        open_reader(&self.shared.target, &self.shared.options)?,
                    ))
                    .1
            }
        };
        f(Queries::new(conn))
    }

    /// Runs `f` on the read connection in `spawn_blocking`.
    pub async fn query<T, F>(&self, f: F) -> Result<T, HistoryError>
    where
        T: Send + 'static,
        F: FnOnce(Queries<'_>) -> Result<T, HistoryError> + Send + 'static,
    {
        let reader = self.clone();
        tokio::task::spawn_blocking(move || reader.with(f))
            .await
            .map_err(|e| HistoryError::Task(e.to_string()))?
    }
}
