//! Starting with the session: the app is launched with `--minimized`, so it comes up in the tray.
//! The entry is named [`NAME`] everywhere but macOS.
//!
//! - Windows: a value of the user's `HKCU\Software\Microsoft\Windows\CurrentVersion\Run` key,
//!   written directly ([`windows`]): `"C:\…\ehlowatch-app.exe" --minimized`, under the name
//!   tauri-plugin-autostart used before, so an entry it made is found and replaced.
//! - Linux: an XDG autostart entry (`~/.config/autostart/EHLO Watch.desktop`), and macOS: a
//!   launch agent, `~/Library/LaunchAgents/<bundle identifier>.plist`, which launchd runs at
//!   login — a file of the user's own that needs no permission, where a login item made through
//!   `AppleScript` would first ask to control System Events. Both through
//!   tauri-plugin-autostart in the running app, and through the same auto-launch entry
//!   ([`unix`]) for `--autostart on|off`.

pub mod entry;
#[cfg(not(windows))]
pub mod unix;
#[cfg(windows)]
pub mod windows;

use tauri::{AppHandle, Runtime};

use crate::args::Switch;

pub use self::entry::NAME;

/// The plugin; `identifier` is the app's bundle identifier (`tauri.conf.json`), which names the
/// launch agent and its launchd label on macOS.
#[cfg(not(windows))]
pub fn plugin<R: Runtime>(identifier: &str) -> tauri::plugin::TauriPlugin<R> {
    let builder = tauri_plugin_autostart::Builder::new().args([crate::args::Args::MINIMIZED]);
    #[cfg(target_os = "macos")]
    let builder = builder
        .macos_launcher(tauri_plugin_autostart::MacosLauncher::LaunchAgent)
        .app_name(identifier);
    // Elsewhere the entry keeps the product name it has always had.
    #[cfg(not(target_os = "macos"))]
    let _ = identifier;
    builder.build()
}

/// True when the app starts with the session; `None` where that cannot be known.
pub fn is_enabled<R: Runtime>(app: &AppHandle<R>) -> Option<bool> {
    #[cfg(windows)]
    {
        let _ = app;
        windows::is_enabled()
            .map_err(|error| tracing::warn!(%error, "autostart"))
            .ok()
    }
    #[cfg(not(windows))]
    {
        use tauri::Manager;
        app.try_state::<tauri_plugin_autostart::AutoLaunchManager>()
            .and_then(|m| m.is_enabled().ok())
    }
}

/// Turns starting with the session on or off for the running app.
pub fn set<R: Runtime>(app: &AppHandle<R>, enabled: bool) -> Result<(), String> {
    #[cfg(windows)]
    {
        let _ = app;
        let exe = std::env::current_exe().map_err(|e| format!("the app's own path: {e}"))?;
        if enabled {
            windows::enable(&exe)
        } else {
            windows::disable()
        }
    }
    #[cfg(not(windows))]
    {
        use tauri::Manager;
        let manager = app
            .try_state::<tauri_plugin_autostart::AutoLaunchManager>()
            .ok_or_else(|| "not available here".to_owned())?;
        let result = if enabled {
            manager.enable()
        } else {
            manager.disable()
        };
        result.map_err(|e| e.to_string())
    }
}

/// `--autostart on|off`: sets or removes the current user's entry without starting the app, and
/// returns the line to print. `identifier` is the bundle identifier (macOS's launch agent).
pub fn switch(to: Switch, identifier: &str) -> Result<String, String> {
    let exe = std::env::current_exe().map_err(|e| format!("the app's own path: {e}"))?;
    #[cfg(windows)]
    {
        let _ = identifier;
        match to {
            Switch::On => windows::enable(&exe).map(|()| {
                format!(
                    "autostart on: HKCU\\{}\\{NAME} = {}",
                    windows::RUN,
                    windows::command_line(&exe)
                )
            }),
            Switch::Off => windows::disable()
                .map(|()| format!("autostart off: HKCU\\{}\\{NAME} removed", windows::RUN)),
        }
    }
    #[cfg(not(windows))]
    {
        let launcher = unix::launcher(&exe, identifier)?;
        match to {
            Switch::On => launcher
                .enable()
                .map(|()| format!("autostart on: {} --minimized at login", exe.display())),
            // Removing an entry that is not there is no error.
            Switch::Off if !launcher.is_enabled().unwrap_or(true) => {
                Ok("autostart off: there was no login entry".to_owned())
            }
            Switch::Off => launcher
                .disable()
                .map(|()| "autostart off: the login entry removed".to_owned()),
        }
        .map_err(|e| e.to_string())
    }
}
