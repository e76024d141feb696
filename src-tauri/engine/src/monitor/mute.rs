//! The mutes in effect for one monitor — its own snooze and the global pause. While either
//! lasts nothing alerts; each ends at its `until` instant, which is no longer muted.

use chrono::{DateTime, Utc};

/// The mutes in effect for one monitor: its own snooze and the global pause. Each ends at its
/// `until` (exclusive).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Mute {
    /// This monitor's alerts are snoozed until then.
    pub snoozed_until: Option<DateTime<Utc>>,
    /// Every alert is paused until then.
    pub paused_until: Option<DateTime<Utc>>,
}

impl Mute {
    /// Snoozes until `until`.
    #[cfg(test)]
    pub(crate) fn snooze(&mut self, until: DateTime<Utc>) {
        self.snoozed_until = Some(until);
    }

    /// Lifts the snooze.
    #[cfg(test)]
    pub(crate) fn unsnooze(&mut self) {
        self.snoozed_until = None;
    }

    /// True while the snooze lasts.
    pub(crate) fn is_snoozed(&self, now: DateTime<Utc>) -> bool {
        self.snoozed_until.is_some_and(|until| now < until)
    }

    /// True while the global pause lasts.
    pub(crate) fn is_paused(&self, now: DateTime<Utc>) -> bool {
        self.paused_until.is_some_and(|until| now < until)
    }

    /// True when nothing may alert.
    pub(crate) fn is_muted(&self, now: DateTime<Utc>) -> bool {
        self.is_snoozed(now) || self.is_paused(now)
    }
}
