//! The grid every monitor's jittered start sits on: instants [`STEP`] apart from one origin
//! shared by all the tasks of an engine. Probes that fall due in the same step start together,
//! so one timer wake-up starts them all and their connections share the runtime's later
//! wake-ups too. On a busy agent a wake-up from idle, not the probe itself, is the larger part
//! of a probe's CPU; with starts spread over every millisecond each probe paid its own.
//!
//! A start stays inside its jitter window: the random point is drawn from the window less one
//! step and then moved up to the grid. Only a window no wider than a step (a period of
//! 5 × [`STEP`] = 500 ms or less, which the configuration does not allow) is left off the grid.
//!
//! The step is 100 ms: against a real MTA, which answers each connection from a process of its
//! own some hundreds of microseconds later, an agent of 200 monitors at 1 s spent a fifth less
//! CPU per probe on a 100 ms grid than on a 50 ms one (about twenty probes start together
//! instead of ten). A start is still inside the first fifth of its period.

use std::time::Duration;

use rand::Rng;
use tokio::time::Instant;

/// The distance between two grid points.
pub(crate) const STEP: Duration = Duration::from_millis(100);

/// The shared grid of probe starts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StartGrid {
    origin: Instant,
}

impl StartGrid {
    /// A grid of [`STEP`] through `origin`.
    pub(crate) fn new(origin: Instant) -> Self {
        Self { origin }
    }

    /// A random start in `[from, from + window)`, on the grid when the window is wider than a
    /// step.
    pub(crate) fn random_start(&self, from: Instant, window: Duration) -> Instant {
        if window <= STEP {
            return from + random_below(window);
        }
        self.at_or_after(from + random_below(window - STEP))
    }

    /// The first grid point at or after `at` (`at` itself before the origin).
    fn at_or_after(&self, at: Instant) -> Instant {
        let Some(since) = at.checked_duration_since(self.origin) else {
            return at;
        };
        let step = STEP.as_nanos();
        let into_step = since.as_nanos() % step;
        if into_step == 0 {
            return at;
        }
        let to_next = u64::try_from(step - into_step).unwrap_or(u64::MAX);
        at + Duration::from_nanos(to_next)
    }
}

/// A random duration in `[0, limit)`, zero when `limit` is.
fn random_below(limit: Duration) -> Duration {
    if limit.is_zero() {
        return Duration::ZERO;
    }
    rand::rng().random_range(Duration::ZERO..limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on_grid(grid: &StartGrid, at: Instant) -> bool {
        (at - grid.origin).as_nanos() % STEP.as_nanos() == 0
    }

    #[test]
    fn starts_sit_on_the_grid_inside_their_window() {
        let origin = Instant::now();
        let grid = StartGrid::new(origin);
        let window = Duration::from_millis(200);
        let mut seen = std::collections::BTreeSet::new();
        for k in 0..400u32 {
            // Windows that open off the grid as well as on it.
            let from = origin + Duration::from_millis(1000) + Duration::from_micros(137) * k;
            let start = grid.random_start(from, window);
            assert!(
                start >= from && start < from + window,
                "{k}: outside its window"
            );
            assert!(on_grid(&grid, start), "{k}: off the grid");
            seen.insert(start - from > Duration::from_millis(100));
        }
        // Still random: both halves of the window are used.
        assert_eq!(seen.len(), 2);
    }

    #[test]
    fn a_window_no_wider_than_a_step_is_left_off_the_grid() {
        let origin = Instant::now();
        let grid = StartGrid::new(origin);
        let from = origin + Duration::from_millis(7);
        for _ in 0..50 {
            let start = grid.random_start(from, STEP);
            assert!(start >= from && start < from + STEP);
        }
        assert_eq!(grid.random_start(from, Duration::ZERO), from);
    }

    #[test]
    fn the_grid_point_at_or_after_an_instant() {
        let origin = Instant::now();
        let grid = StartGrid::new(origin);
        assert_eq!(grid.at_or_after(origin), origin);
        assert_eq!(grid.at_or_after(origin + STEP), origin + STEP);
        assert_eq!(
            grid.at_or_after(origin + STEP + Duration::from_millis(1)),
            origin + STEP * 2
        );
        let before = origin.checked_sub(Duration::from_millis(3));
        if let Some(before) = before {
            assert_eq!(grid.at_or_after(before), before);
        }
    }
}
