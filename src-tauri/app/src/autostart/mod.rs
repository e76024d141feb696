//! Starting with the session, through tauri-plugin-autostart: the app is launched with
//! `--minimized`, so it comes up in the tray. On Linux that is an XDG autostart entry named
//! after the product, on Windows a `Run` registry value, and on macOS a launch agent,
//! `~/Library/LaunchAgents/<bundle identifier>.plist`, which launchd runs at login: a file of the
//! user's own that needs no permission, where a login item made through `AppleScript` would first
//! ask to control System Events.

use tauri::plugin::TauriPlugin;
use tauri::Runtime;

use crate::args::Args;

/// The plugin; `identifier` is the app's bundle identifier (`tauri.conf.json`), which names the
/// launch agent and its launchd label on macOS.
pub fn plugin<R: Runtime>(identifier: &str) -> TauriPlugin<R> {
    let builder = tauri_plugin_autostart::Builder::new().args([Args::MINIMIZED]);
    #[cfg(target_os = "macos")]
    let builder = builder
        .macos_launcher(tauri_plugin_autostart::MacosLauncher::LaunchAgent)
        .app_name(identifier);
    // Elsewhere the entry keeps the product name it has always had.
    #[cfg(not(target_os = "macos"))]
    let _ = identifier;
    builder.build()
}
