//! A monitor's tick grid and its jittered start, kept as plain instants so that each probe costs
//! one timer: the task sleeps straight to the jittered start instead of waking at the tick and
//! again at the end of the jitter.
//!
//! The grid is `last + k × period`; after a probe the next tick is the first grid point after it
//! finished, so a stalled probe skips the ticks it missed instead of firing them in a burst
//! (`MissedTickBehavior::Skip` without its one late tick). Every start but the first is a
//! random point in `[tick, tick + period / 5)` on the engine's [`StartGrid`].

use std::time::Duration;

use tokio::time::Instant;

use super::start_grid::StartGrid;

/// The next tick of a monitor and when its probe starts.
#[derive(Debug)]
pub(super) struct Ticks {
    period: Duration,
    /// The tick the grid counts from: the last one probed, or the last "check now".
    last: Instant,
    /// The next tick.
    next: Instant,
    /// When the next tick's probe starts: `next` plus the jitter.
    start: Instant,
    /// No tick has been probed yet (the first probe starts on its tick).
    first: bool,
    /// Where jittered starts sit.
    grid: StartGrid,
}

impl Ticks {
    /// A grid whose first tick, started without jitter, is `first`; later starts on `grid`.
    pub(super) fn new(first: Instant, period: Duration, grid: StartGrid) -> Self {
        Self {
            period,
            last: first,
            next: first,
            start: first,
            first: true,
            grid,
        }
    }

    /// The next tick.
    pub(super) fn next(&self) -> Instant {
        self.next
    }

    /// When the next tick's probe starts.
    pub(super) fn start(&self) -> Instant {
        self.start
    }

    /// The next tick's probe is starting: its tick becomes the grid's origin. Returns the start.
    pub(super) fn take(&mut self) -> Instant {
        self.last = self.next;
        self.first = false;
        self.start
    }

    /// "Check now" at `now`: the grid restarts there, its next tick a period later.
    pub(super) fn restart(&mut self, now: Instant) {
        self.last = now;
        self.schedule(now + self.period);
    }

    /// A probe finished at `finished`: the next tick is the first grid point after it.
    pub(super) fn finished(&mut self, finished: Instant) {
        self.schedule(next_grid_point(self.last, finished, self.period));
    }

    fn schedule(&mut self, tick: Instant) {
        self.next = tick;
        self.start = if self.first {
            tick
        } else {
            self.grid.random_start(tick, self.period / 5)
        };
    }
}

/// The first point of the grid `last + k × period` after `now`.
fn next_grid_point(last: Instant, now: Instant, period: Duration) -> Instant {
    let mut next = last + period;
    if next <= now && !period.is_zero() {
        let behind = now.duration_since(next).as_nanos() / period.as_nanos() + 1;
        next += period * u32::try_from(behind).unwrap_or(u32::MAX);
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    const PERIOD: Duration = Duration::from_secs(10);

    #[test]
    fn the_first_start_is_its_tick_and_later_ones_are_jittered_within_a_fifth() {
        let origin = Instant::now();
        let mut ticks = Ticks::new(origin, PERIOD, StartGrid::new(origin));
        assert_eq!(ticks.take(), origin);
        ticks.finished(origin + Duration::from_millis(5));
        assert_eq!(ticks.next(), origin + PERIOD);
        assert!(ticks.start() >= ticks.next() && ticks.start() < ticks.next() + PERIOD / 5);
    }

    #[test]
    fn a_stalled_probe_skips_the_ticks_it_missed() {
        let origin = Instant::now();
        let mut ticks = Ticks::new(origin, PERIOD, StartGrid::new(origin));
        ticks.take();
        ticks.finished(origin + PERIOD * 2 + Duration::from_secs(1));
        assert_eq!(ticks.next(), origin + PERIOD * 3);
    }

    #[test]
    fn check_now_restarts_the_grid() {
        let origin = Instant::now();
        let mut ticks = Ticks::new(origin, PERIOD, StartGrid::new(origin));
        ticks.take();
        let now = origin + Duration::from_secs(4);
        ticks.restart(now);
        assert_eq!(ticks.next(), now + PERIOD);
        ticks.finished(now + Duration::from_millis(5));
        assert_eq!(ticks.next(), now + PERIOD);
    }
}
