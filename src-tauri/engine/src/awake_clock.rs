//! The awake clock: how long the machine has been running, a count that stands still while it
//! sleeps or hibernates. The suspend detector compares it with the wall clock; the excess of the
//! wall clock is the time spent suspended.
//!
//! On Windows it is `QueryUnbiasedInterruptTime` (100 ns units; "unbiased" means the time asleep
//! is left out). `Instant` cannot serve there: it is `QueryPerformanceCounter`, which keeps
//! counting through sleep. Elsewhere it is the runtime's monotonic clock (`tokio::time::Instant`:
//! `CLOCK_MONOTONIC` on Linux, the uptime clock on macOS), which stands still during suspend and
//! which tests can pause.

use std::time::Duration;

#[cfg(not(windows))]
use tokio::time::Instant;

/// Reads the awake clock as a duration from an origin of its own (boot on Windows, the clock's
/// creation elsewhere): only differences between readings mean anything.
#[derive(Debug, Clone)]
pub(crate) struct AwakeClock {
    #[cfg(not(windows))]
    origin: Instant,
}

impl AwakeClock {
    /// The awake clock of this platform.
    pub(crate) fn new() -> Self {
        Self {
            #[cfg(not(windows))]
            origin: Instant::now(),
        }
    }

    /// The time spent awake so far.
    #[cfg(not(windows))]
    pub(crate) fn now(&self) -> Duration {
        self.origin.elapsed()
    }

    /// The time spent awake since boot.
    #[cfg(windows)]
    #[allow(clippy::unused_self)]
    pub(crate) fn now(&self) -> Duration {
        unbiased::interrupt_time()
    }
}

/// The one call into Windows for the awake clock.
#[cfg(windows)]
#[allow(unsafe_code)]
mod unbiased {
    use std::time::Duration;

    use windows_sys::Win32::System::WindowsProgramming::QueryUnbiasedInterruptTime;

    /// The unbiased interrupt time: since boot, in 100 ns units, sleep and hibernation excluded.
    pub(super) fn interrupt_time() -> Duration {
        let mut ticks: u64 = 0;
        // SAFETY: the function writes one u64 through the pointer it is given, and `ticks` is a
        // live, aligned, writable u64 for the whole call. It fails only for a null pointer
        // (documented), which this is not; on failure `ticks` stays 0, a reading that only makes
        // the detector skip one sample.
        let _ = unsafe { QueryUnbiasedInterruptTime(&raw mut ticks) };
        Duration::from_nanos(ticks.saturating_mul(100))
    }
}

#[cfg(all(test, windows))]
mod tests {
    use super::*;

    #[test]
    fn the_windows_awake_clock_reads_and_advances() {
        let clock = AwakeClock::new();
        let first = clock.now();
        assert!(first > Duration::ZERO, "time since boot: {first:?}");
        let started = std::time::Instant::now();
        let step = Duration::from_millis(100);
        let advanced = loop {
            let now = clock.now();
            if now >= first + step {
                break now - first;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the awake clock stood still at {now:?} for 10 s while the machine ran"
            );
            std::thread::yield_now();
        };
        // Awake the whole time, so it kept pace with the performance counter (one clock tick of
        // slack: the interrupt time moves in ticks of about 16 ms).
        let elapsed = started.elapsed();
        assert!(
            advanced <= elapsed + Duration::from_millis(32),
            "awake {advanced:?} in {elapsed:?}"
        );
    }
}
