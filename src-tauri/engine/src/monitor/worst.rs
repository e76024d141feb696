//! The worst status over the monitors — the tray's colour: the worst shown status of the
//! enabled, non-snoozed monitors by red > amber > grey > green, Unknown (grey) when there are
//! none.

use crate::status::Status;

/// One monitor as the worst-status fold sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shown {
    /// Its status.
    pub status: Status,
    /// False for a disabled monitor.
    pub enabled: bool,
    /// True while its snooze lasts.
    pub snoozed: bool,
}

/// The tray's status: the worst ([`Status::rank`]: red > amber > grey > green) over the enabled,
/// non-snoozed monitors — one green and five grey make grey; Unknown (grey) when there are none.
/// A snoozed monitor is shown `paused` in its own row but leaves the tray's colour: the snooze
/// says "I know". A global pause does not hide a monitor: it silences alerts, not the picture.
pub(crate) fn worst(monitors: impl IntoIterator<Item = Shown>) -> Status {
    Status::worst(
        monitors
            .into_iter()
            .filter(|m| m.enabled && !m.snoozed)
            .map(|m| m.status),
    )
    .unwrap_or(Status::Unknown)
}
