//! Toasts in the macOS Notification Center, through notify-rust's `NSUserNotificationCenter`
//! backend (mac-notification-sys). They are sent as the app's bundle, registered once at start
//! by [`register`], so they carry its name and icon and the user governs them under EHLO Watch
//! in System Settings → Notifications. A click on a toast, or its "Open" button, opens the
//! window on the monitor it names; a failure plays the system's alert sound. The Notification
//! Center has no urgency levels. Waiting for the click blocks the toast's thread until the
//! toast is dismissed, as on Linux.

use notify_rust::Notification;

use crate::notify::toast::{Toast, Urgency};
use ehlowatch_engine::MonitorId;

const OPEN: &str = "open";
/// The system sound a failure plays (one of /System/Library/Sounds).
const FAILURE_SOUND: &str = "Basso";

/// Makes toasts come from the bundle `identifier` (the app's, from `tauri.conf.json`). Called
/// once, before the first toast; without it the Notification Center sends them as Finder.
pub fn register(identifier: &str) {
    if let Err(error) = notify_rust::set_application(identifier) {
        tracing::warn!(%error, identifier, "toasts not registered to the app's bundle");
    }
}

pub(super) fn show<F>(n: &mut Notification, toast: Toast, on_open: F)
where
    F: FnOnce(Option<MonitorId>) + Send + 'static,
{
    if toast.urgency == Urgency::Critical {
        n.sound_name(FAILURE_SOUND);
    }
    n.action(OPEN, "Open");
    match n.show() {
        Ok(handle) => handle.wait_for_action(|action| {
            if action == OPEN || action == "default" {
                on_open(toast.monitor);
            }
        }),
        Err(e) => tracing::warn!(error = %e, summary = %toast.summary, "toast not shown"),
    }
}
