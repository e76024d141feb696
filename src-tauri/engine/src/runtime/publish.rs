//! When the coordinator publishes a snapshot: a change waits a moment, so a burst of results
//! makes one snapshot, and the wait grows with the number of monitors, since a snapshot costs
//! O(monitors).

use std::time::Duration;

use tokio::time::Instant;

/// How long a change waits before it is published, so a burst of results makes one snapshot.
pub(crate) const PUBLISH_DELAY: Duration = Duration::from_millis(50);
/// The publish delay per monitor, between [`PUBLISH_DELAY`] and [`MAX_PUBLISH_DELAY`]: a
/// snapshot costs O(monitors), so it is built at most once per millisecond per monitor — up to
/// 50 monitors a change shows within 50 ms, 200 monitors probed every second build five
/// snapshots a second (one per 40 results, not one per 10), and from 1,000 monitors one a second.
const PUBLISH_DELAY_PER_MONITOR: Duration = Duration::from_millis(1);
/// The longest a change waits to be published.
const MAX_PUBLISH_DELAY: Duration = Duration::from_secs(1);

/// Whether a change waits to be published, and until when.
#[derive(Debug)]
pub(super) struct Publish {
    dirty: bool,
    at: Instant,
}

impl Publish {
    /// Dirty from the start, so the first snapshot goes out at once.
    pub(crate) fn new() -> Self {
        Self {
            dirty: true,
            at: Instant::now(),
        }
    }

    /// True while a change waits to be published.
    pub(crate) fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// When the waiting change is to be published.
    pub(crate) fn at(&self) -> Instant {
        self.at
    }

    /// Something changed: publish after the delay for `monitors` monitors, unless a change
    /// already waits (its time stands).
    pub(crate) fn mark(&mut self, monitors: usize) {
        if !self.dirty {
            self.dirty = true;
            let monitors = u32::try_from(monitors).unwrap_or(u32::MAX);
            let delay = PUBLISH_DELAY.max(PUBLISH_DELAY_PER_MONITOR.saturating_mul(monitors));
            self.at = Instant::now() + delay.min(MAX_PUBLISH_DELAY);
        }
    }

    /// The snapshot went out.
    pub(crate) fn done(&mut self) {
        self.dirty = false;
    }
}
