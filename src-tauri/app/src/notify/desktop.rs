//! Shows a [`Toast`] as a native notification with notify-rust, on a blocking thread so the
//! runtime never waits on D-Bus. On Linux and the BSDs (freedesktop notifications) the toast
//! carries its urgency and an "Open" action that opens the window on the monitor it names; the
//! thread waits for that action until the toast is closed. On macOS the Notification Center
//! shows it (`notify::macos`). On Windows it is a plain toast sent under the app's registered
//! `AppUserModelID` ([`super::registration`]).

use ehlowatch_engine::MonitorId;
use notify_rust::Notification;

use super::toast::Toast;

/// The application name toasts are sent under.
pub const APP_NAME: &str = "EHLO Watch";
/// The icon name (the packaged hicolor icon, named after the binary).
const ICON: &str = "ehlowatch-app";

/// Shows `toast`; `on_open` runs (on the blocking thread) when the user picks "Open". A toast
/// that cannot be shown is logged, never fatal.
pub fn show<F>(toast: Toast, on_open: F)
where
    F: FnOnce(Option<MonitorId>) + Send + 'static,
{
    // Not one of the shell's owned tasks (crate::tasks): the thread blocks in a D-Bus call
    // waiting for the toast to close, which nothing can interrupt, and a critical toast stays
    // until the user closes it, so quitting could only wait for it in vain. It holds no state
    // to flush — only the handle that opens the window — and ends when the toast closes or
    // with the process.
    tauri::async_runtime::spawn_blocking(move || {
        let mut n = Notification::new();
        n.appname(APP_NAME)
            .summary(&toast.summary)
            .body(&toast.body)
            .icon(ICON);
        platform::show(&mut n, toast, on_open);
    });
}

#[cfg(all(unix, not(target_os = "macos")))]
mod platform {
    use notify_rust::{Notification, Urgency as Level};

    use super::{MonitorId, Toast};
    use crate::notify::toast::Urgency;

    const OPEN: &str = "open";

    pub(super) fn show<F>(n: &mut Notification, toast: Toast, on_open: F)
    where
        F: FnOnce(Option<MonitorId>) + Send + 'static,
    {
        n.urgency(match toast.urgency {
            Urgency::Low => Level::Low,
            Urgency::Normal => Level::Normal,
            Urgency::Critical => Level::Critical,
        })
        .action("default", "Open")
        .action(OPEN, "Open");
        match n.show() {
            Ok(handle) => handle.wait_for_action(|action| {
                if action == OPEN || action == "default" {
                    on_open(toast.monitor);
                }
            }),
            Err(e) => tracing::warn!(error = %e, summary = %toast.summary, "toast not shown"),
        }
    }
}

#[cfg(target_os = "macos")]
use super::macos as platform;

#[cfg(not(unix))]
mod platform {
    use notify_rust::Notification;

    use super::{MonitorId, Toast};
    use crate::notify::registration;

    // The same signature as the other platforms', which keep the toast for its action.
    #[allow(clippy::needless_pass_by_value)]
    pub(super) fn show<F>(n: &mut Notification, toast: Toast, _on_open: F)
    where
        F: FnOnce(Option<MonitorId>) + Send + 'static,
    {
        #[cfg(windows)]
        if let Some(id) = registration::app_id() {
            n.app_id(id);
        }
        if let Err(e) = n.show() {
            tracing::warn!(error = %e, summary = %toast.summary, "toast not shown");
        }
    }
}
