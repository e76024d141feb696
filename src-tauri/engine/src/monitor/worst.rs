//! The worst status over the monitors — the tray's colour: the most severe status of the
//! enabled, non-snoozed monitors, Unknown (grey) when there are none.

use crate::model::Status;

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

/// The tray's status: the most severe ([`Status::severity`]) over the enabled, non-snoozed
/// monitors; Unknown (grey) when there are none. A global pause does not hide a monitor: it
/// silences alerts, not the picture.
pub(crate) fn worst(monitors: impl IntoIterator<Item = Shown>) -> Status {
    monitors
        .into_iter()
        .filter(|m| m.enabled && !m.snoozed)
        .map(|m| m.status)
        .max_by_key(|s| s.severity())
        .unwrap_or(Status::Unknown)
}
