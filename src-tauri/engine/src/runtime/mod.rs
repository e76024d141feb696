//! The running engine: [`Engine::start`] opens the history, spawns the coordinator (which owns
//! every monitor task and the history writer) and returns the [`EngineHandle`]. Nothing is
//! detached: [`EngineHandle::shutdown`] cancels the coordinator, which cancels and awaits every
//! task, then lets the history writer drain and flush.

mod coordinator;
mod entry;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::handle::{EngineEvent, EngineHandle};
use crate::history::{HistoryStore, Recovery};
use tokio::sync::broadcast;

pub use coordinator::PUBLISH_DELAY;

/// The wall clock the engine stamps events with (injectable, so suspend handling can be tested
/// with paused monotonic time and a wall clock that jumps).
pub type WallClock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// How to run the engine.
#[derive(Clone)]
pub struct EngineOptions {
    /// The history database file; `None` runs without history.
    pub history: Option<PathBuf>,
    /// The most probes in flight at once (a semaphore), so timings stay honest.
    pub max_concurrent_probes: usize,
    /// How often the wall clock is compared with the monotonic clock to notice a resume.
    pub suspend_check_every: Duration,
    /// The wall clock.
    pub clock: WallClock,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            history: None,
            max_concurrent_probes: 256,
            suspend_check_every: Duration::from_secs(5),
            clock: Arc::new(Utc::now),
        }
    }
}

impl std::fmt::Debug for EngineOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineOptions")
            .field("history", &self.history)
            .field("max_concurrent_probes", &self.max_concurrent_probes)
            .field("suspend_check_every", &self.suspend_check_every)
            .finish_non_exhaustive()
    }
}

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
        let (history, notice) = open_history(options.history.clone()).await;
        let (mut handle, channels) =
            EngineHandle::channels(history.as_ref().map(HistoryStore::reader));
        let events = handle.subscribe();
        let task = tokio::spawn(coordinator::run(config, options, channels, history, notice));
        handle.attach(task);
        (handle, events)
    }
}

/// Opens the history file off the runtime threads; a problem is reported, never fatal.
async fn open_history(path: Option<PathBuf>) -> (Option<HistoryStore>, Option<String>) {
    let Some(path) = path else {
        return (None, None);
    };
    let shown = path.display().to_string();
    let opened = tokio::task::spawn_blocking(move || {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        HistoryStore::open(&path).map_err(|e| e.to_string())
    })
    .await;
    match opened {
        Ok(Ok((store, recovery))) => (Some(store), recovery.as_ref().map(Recovery::to_string)),
        Ok(Err(message)) => {
            tracing::error!(db = %shown, "history disabled: {message}");
            (None, Some(format!("history is off: {shown}: {message}")))
        }
        Err(e) => (None, Some(format!("history is off: {e}"))),
    }
}
