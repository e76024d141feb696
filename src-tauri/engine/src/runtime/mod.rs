//! The running engine: [`Engine::start`] opens the history, spawns the coordinator (which owns
//! every monitor task and the history writer) and returns the [`EngineHandle`]. Nothing is
//! detached: [`EngineHandle::shutdown`] cancels the coordinator, which cancels and awaits every
//! task, then lets the history writer drain and flush.

mod control_runs;
mod coordinator;
mod entry;
mod history_queue;
mod monitors;
mod options;
mod publish;
mod run;
mod tasks;

use tokio::sync::broadcast;

use crate::config::Config;
use crate::handle::{EngineEvent, EngineHandle};
use crate::history::HistoryStore;

pub use options::EngineOptions;

/// Starts engines.
#[derive(Debug)]
pub struct Engine;

impl Engine {
    /// Opens the history (moving a damaged file aside), starts every enabled monitor and
    /// returns the handle. Must be called inside a tokio runtime.
    pub async fn start(config: Config, options: EngineOptions) -> EngineHandle {
        Self::start_subscribed(config, options).await.0
    }

    /// Like [`Engine::start`], with an event receiver made before the engine runs, so it misses
    /// nothing — not even the first results.
    pub async fn start_subscribed(
        config: Config,
        options: EngineOptions,
    ) -> (EngineHandle, broadcast::Receiver<EngineEvent>) {
        let (history, notice) = history_queue::open_history(options.history.clone()).await;
        let (mut handle, channels) =
            EngineHandle::channels(history.as_ref().map(HistoryStore::reader));
        let events = handle.subscribe();
        let task = tokio::spawn(run::run(config, options, channels, history, notice));
        handle.attach(task);
        (handle, events)
    }
}
