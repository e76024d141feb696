//! Time in the desktop tests: the [`Clock`] their log lines carry, [`poll`] (every wait has a
//! deadline and says what it last saw), and the budgets the journeys share.

use std::fmt::Display;
use std::time::{Duration, Instant};

/// How long the app may take to start, register its tray item and judge the first probe.
pub const STARTUP: Duration = Duration::from_secs(45);
/// Time allowed on top of what the app's settings and rules account for.
pub const SLACK: Duration = Duration::from_secs(5);

/// The time since a test started, for its log lines.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    start: Instant,
}

impl Clock {
    /// Starts counting now.
    pub fn start() -> Self {
        Self {
            start: Instant::now(),
        }
    }

    /// Seconds since the start.
    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// Prints one line with the elapsed time.
    pub fn log(&self, message: impl Display) {
        println!("[{:8.2}s] {message}", self.elapsed().as_secs_f64());
    }
}

/// Calls `probe` until it returns `Ok`, every `every`, for at most `timeout`. On timeout the
/// error names `what` and the last thing `probe` reported.
pub fn poll<T>(
    what: &str,
    timeout: Duration,
    every: Duration,
    mut probe: impl FnMut() -> Result<T, String>,
) -> Result<T, String> {
    let deadline = Instant::now() + timeout;
    loop {
        match probe() {
            Ok(value) => return Ok(value),
            Err(last) => {
                let now = Instant::now();
                if now >= deadline {
                    return Err(format!(
                        "{what}: not within {timeout:?} (last seen: {last})"
                    ));
                }
                std::thread::sleep(every.min(deadline - now));
            }
        }
    }
}

/// The time left of `budget` counted from `start`.
pub fn remaining(start: Instant, budget: Duration) -> Duration {
    (start + budget).saturating_duration_since(Instant::now())
}
