//! [`ViewerState`]: what the viewers' endpoints read.

use std::sync::Arc;

use ehlowatch_engine::{EngineEvent, HistoryReader, Snapshot};
use tokio::sync::{broadcast, watch};
use tokio_util::sync::CancellationToken;

/// What the viewers' endpoints read.
#[derive(Debug, Clone)]
pub struct ViewerState {
    /// The history, when the agent keeps one.
    pub history: Option<HistoryReader>,
    /// The engine's latest snapshot.
    pub snapshot: watch::Receiver<Arc<Snapshot>>,
    /// The engine's events (each stream asking for results subscribes anew from it).
    pub events: Arc<broadcast::Receiver<EngineEvent>>,
    /// Cancelled when the agent stops: every stream ends, so the server can.
    pub stop: CancellationToken,
}
