//! How an engine runs: where its history lives, how many probes may be in flight, how often it
//! looks for a resume from suspend, and the wall clock it stamps events with.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

/// The wall clock the engine stamps events with (injectable, so suspend handling can be tested
/// with paused monotonic time and a wall clock that jumps).
pub(crate) type WallClock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

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
