//! [`HistoryReader`]: a read-only connection of its own, so queries from the UI or the agent
//! run beside the writer — in WAL mode a reader sees the last committed batch and neither waits
//! for the other. Clones share the connection (queries on it take turns); open more readers for
//! parallel queries. After the writer replaced a damaged file the reader reopens by itself.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;

use super::open::{open_reader, OpenOptions, Target};
use super::query::Queries;
use super::HistoryError;

/// What the store and its readers share: where the data is, and a generation that changes when
/// the file is replaced so readers reopen.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) target: Target,
    pub(crate) options: OpenOptions,
    pub(crate) generation: AtomicU64,
}

/// A read-only handle on the history; cheap to clone, `Send + Sync`.
#[derive(Debug, Clone)]
pub struct HistoryReader {
    shared: Arc<Shared>,
    conn: Arc<Mutex<Option<(u64, Connection)>>>,
}

impl HistoryReader {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self {
            shared,
            conn: Arc::new(Mutex::new(None)),
        }
    }

    /// Runs `f` on the read connection, on this thread (blocking: from async code use
    /// [`Self::query`]).
    pub fn with<T>(
        &self,
        f: impl FnOnce(Queries<'_>) -> Result<T, HistoryError>,
    ) -> Result<T, HistoryError> {
        let mut slot = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
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
