//! The history: every probe result and every state-change event in one SQLite file (WAL mode),
//! kept apart as gatus keeps results apart from events, with retention that keeps failures
//! longer than the rest (`blackbox_exporter`'s `history.go` keeps failures after they age out).
//!
//! - [`HistoryStore`] owns the one write connection: opening (with recovery of a corrupt or
//!   locked file, see [`Recovery`]), batched writes (one transaction per batch), pruning.
//! - [`HistoryReader`] is a second, read-only connection, cheap to clone, for queries from the
//!   UI or the agent while the writer works (WAL lets readers and the writer run at once).
//! - [`Queries`] are the reads themselves: recent results, a range for charts (raw or
//!   downsampled), stats with p50/p95/p99 and uptime, events in a range, the last failure, and
//!   the stream sequence (state changes, local causes and mail-domain findings by row id, for
//!   resumable viewers), and each mail domain's baseline.
//! - [`HistoryWriter`] / [`run_writer`] is the background task: batches, flushes, prunes hourly,
//!   and drains everything on shutdown.
//!
//! Storage: times are UTC milliseconds since the Unix epoch, durations microseconds, verdicts
//! 0 Success, 1 Warning, 2 Failed (the `ehlowatch_status` values), enum names as in the JSON.
//! Monitor ids are stored once in `monitors` and referenced by number.

mod baseline;
mod item;
mod open;
mod query;
mod reader;
mod record;
mod retention;
mod schema;
mod sequence;
mod statements;
mod stats;
mod store;
mod writer;

use std::path::PathBuf;

pub(crate) use baseline::BaselineRecord;
pub(crate) use item::HistoryItem;
pub use open::Recovery;
pub use query::Queries;
pub use reader::HistoryReader;
pub use record::ResultRecord;
pub(crate) use retention::Retention;
pub use sequence::{CauseRecord, EventBounds, Logged, Sequenced};
pub use stats::{SeriesPoint, Stats, Window};
pub use store::HistoryStore;
pub(crate) use writer::run_writer;

/// What can go wrong with the history. A probe result is never lost silently: the writer logs
/// every error it drops a batch for.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// SQLite refused an operation.
    #[error("history database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The file could not be opened or created, even after moving a bad one aside.
    #[error("cannot open the history database {}: {reason}", path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// Why, for people.
        reason: String,
    },
    /// A corrupt or locked file could not be moved aside.
    #[error("cannot move {} aside to {}: {source}", from.display(), to.display())]
    MoveAside {
        /// The bad file.
        from: PathBuf,
        /// Where it was to go.
        to: PathBuf,
        /// The error from the file system.
        source: std::io::Error,
    },
    /// A stored transcript is not valid JSON.
    #[error("history transcript: {0}")]
    Json(#[from] serde_json::Error),
    /// A blocking history task panicked or was cancelled.
    #[error("history task failed: {0}")]
    Task(String),
}

impl HistoryError {
    /// True when the file itself is damaged (not a database, malformed): moving it aside and
    /// starting a new one is the cure.
    pub fn is_corruption(&self) -> bool {
        use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
        match self {
            Self::Sqlite(e) => {
                matches!(e.sqlite_error_code(), Some(DatabaseCorrupt | NotADatabase))
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests;
