//! Whether the system shows the app's toasts, and on Windows the per-user registration that
//! makes it.
//!
//! Windows shows a toast of an unpackaged desktop app only under an `AppUserModelID` (AUMID) it
//! knows; under an unknown one the toast is dropped without an error, and without one
//! notify-rust sends it as PowerShell's. Microsoft's guide for unpackaged apps ("Send a local
//! toast notification from other types of unpackaged apps", learn.microsoft.com, Step 1)
//! registers the AUMID under `Software\Classes\AppUserModelId\<AUMID>` with `DisplayName` and
//! `IconUri` (an image file's path), both `REG_EXPAND_SZ`; under `HKEY_CURRENT_USER` that holds
//! for the current user and needs no admin rights. The installer writes the same key with the
//! same values; the app writes it at start when it is missing (the portable zip):
//!
//! | | |
//! |---|---|
//! | key | `HKCU\Software\Classes\AppUserModelId\org.ehlowatch.desktop` ([`KEY`]) |
//! | `DisplayName` (`REG_EXPAND_SZ`) | `EHLO Watch` ([`DISPLAY_NAME`]) |
//! | `IconUri` (`REG_EXPAND_SZ`) | `%LOCALAPPDATA%\org.ehlowatch.desktop\ehlowatch-toast.png` ([`ICON_URI`]) |
//!
//! The AUMID is the bundle identifier of `tauri.conf.json`. The icon (the app's 128 px PNG) is
//! written there by the app at every start when missing, so a registration made by the
//! installer needs no file of its own. The app decides by reading the key back — registered
//! means a non-empty `DisplayName` — never by a toast's error (there is none), and only then
//! sends its toasts under [`AUMID`]. Elsewhere toasts need no registration.

use std::sync::OnceLock;

use serde::Serialize;

/// Spelled once for the `concat!`s below.
macro_rules! aumid {
    () => {
        "org.ehlowatch.desktop"
    };
}
macro_rules! icon_file {
    () => {
        "ehlowatch-toast.png"
    };
}

/// The app's `AppUserModelID`: the bundle identifier (`tauri.conf.json`).
pub const AUMID: &str = aumid!();
/// The name Windows shows on the app's toasts and in its notification settings.
pub const DISPLAY_NAME: &str = "EHLO Watch";
/// The file name of the toasts' icon.
pub const ICON_FILE: &str = icon_file!();
/// The registration's key, under `HKEY_CURRENT_USER`.
pub const KEY: &str = concat!(r"Software\Classes\AppUserModelId\", aumid!());
/// `IconUri`: the icon in the user's local application data, as an expandable string.
pub const ICON_URI: &str = concat!(r"%LOCALAPPDATA%\", aumid!(), r"\", icon_file!());

/// Whether the system shows the app's toasts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ToastSupport {
    /// True when toasts can be shown.
    pub available: bool,
    /// Why they cannot, for people.
    pub reason: Option<String>,
}

static SUPPORT: OnceLock<ToastSupport> = OnceLock::new();

/// Whether toasts can be shown; on Windows the first call registers the app when it is not
/// registered yet. Known once per process.
pub fn ensure() -> &'static ToastSupport {
    SUPPORT.get_or_init(platform::ensure)
}

/// The AUMID to send toasts under: the app's when it is registered, else none.
pub fn app_id() -> Option<&'static str> {
    ensure().available.then_some(AUMID)
}

#[cfg(windows)]
mod platform {
    use std::path::PathBuf;

    use super::{ToastSupport, AUMID, DISPLAY_NAME, ICON_FILE, ICON_URI, KEY};

    /// The icon written to [`ICON_URI`].
    const ICON_PNG: &[u8] = include_bytes!("../../../../icons/128x128.png");

    pub(super) fn ensure() -> ToastSupport {
        write_icon();
        if registered() {
            return available();
        }
        match register() {
            Ok(()) if registered() => {
                tracing::info!(aumid = AUMID, "registered for toasts");
                available()
            }
            Ok(()) => unavailable("it was written but does not read back"),
            Err(e) => unavailable(&e.to_string()),
        }
    }

    /// Registered: the key holds a `DisplayName`.
    fn registered() -> bool {
        windows_registry::CURRENT_USER
            .open(KEY)
            .and_then(|key| key.get_string("DisplayName"))
            .is_ok_and(|name| !name.trim().is_empty())
    }

    fn register() -> windows_registry::Result<()> {
        let key = windows_registry::CURRENT_USER.create(KEY)?;
        key.set_expand_string("DisplayName", DISPLAY_NAME)?;
        key.set_expand_string("IconUri", ICON_URI)
    }

    /// Writes the icon where [`ICON_URI`] points when it is not there; without it Windows
    /// shows the toasts with a generic icon, so a failure is only logged.
    fn write_icon() {
        let Some(dir) = std::env::var_os("LOCALAPPDATA").map(|d| PathBuf::from(d).join(AUMID))
        else {
            tracing::warn!("no LOCALAPPDATA: the toasts' icon is not written");
            return;
        };
        let path = dir.join(ICON_FILE);
        if path.is_file() {
            return;
        }
        if let Err(error) =
            std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, ICON_PNG))
        {
            tracing::warn!(%error, path = %path.display(), "the toasts' icon is not written");
        }
    }

    fn available() -> ToastSupport {
        ToastSupport {
            available: true,
            reason: None,
        }
    }

    fn unavailable(why: &str) -> ToastSupport {
        tracing::warn!(reason = %why, aumid = AUMID, "toasts cannot be shown");
        ToastSupport {
            available: false,
            reason: Some(format!(
                "Windows shows no notifications from EHLO Watch: it could not register \
                 itself as HKCU\\{KEY} ({why}). Run the installer again, or ask your \
                 administrator to allow writing that key."
            )),
        }
    }
}

#[cfg(not(windows))]
mod platform {
    use super::ToastSupport;

    pub(super) fn ensure() -> ToastSupport {
        ToastSupport {
            available: true,
            reason: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_aumid_and_name_are_the_bundles() {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../../../../tauri.conf.json")).unwrap();
        assert_eq!(conf["identifier"], AUMID);
        assert_eq!(conf["productName"], DISPLAY_NAME);
        assert_eq!(
            KEY,
            r"Software\Classes\AppUserModelId\org.ehlowatch.desktop"
        );
        assert_eq!(
            ICON_URI,
            r"%LOCALAPPDATA%\org.ehlowatch.desktop\ehlowatch-toast.png"
        );
    }

    #[cfg(not(windows))]
    #[test]
    fn toasts_need_no_registration_here() {
        assert_eq!(
            ensure(),
            &ToastSupport {
                available: true,
                reason: None
            }
        );
        assert_eq!(app_id(), Some(AUMID));
    }
}
