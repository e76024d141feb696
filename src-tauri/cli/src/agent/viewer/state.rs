//! [`ViewerState`]: what the viewers' endpoints read.

use std::sync::Arc;

use ehlowatch_engine::{EventSubscriber, HistoryReader, Snapshot};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// What the viewers' endpoints read.
#[derive(Debug, Clone)]
pub struct ViewerState {
    /// The history, when the agent keeps one.
    pub history: Option<HistoryReader>,
    /// The engine's latest snapshot.
    pub snapshot: watch::Receiver<Arc<Snapshot>>,
    /// The engine's events, for the streams that ask for results.
    pub events: EventSubscriber,
    /// Cancelled when the agent stops: every stream ends, so the server can.
    pub stop: CancellationToken,
}
