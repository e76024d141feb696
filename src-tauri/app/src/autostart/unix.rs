//! The login entry of Linux and macOS made outside the running app (`--autostart on|off`), with
//! exactly the parameters tauri-plugin-autostart uses inside it, so both see one entry: named
//! [`super::entry::NAME`] on Linux (an XDG autostart file; the `AppImage` path when run from one) and
//! after the bundle identifier on macOS (a launch agent), running the app with `--minimized`.

use std::path::Path;

use auto_launch::{AutoLaunch, AutoLaunchBuilder};

use crate::args::Args;

/// The entry for `exe`; `identifier` is the bundle identifier (macOS's launch agent).
pub fn launcher(exe: &Path, identifier: &str) -> Result<AutoLaunch, String> {
    let mut builder = AutoLaunchBuilder::new();
    builder.set_args(&[Args::MINIMIZED]);
    #[cfg(target_os = "macos")]
    {
        let exe = exe
            .canonicalize()
            .map_err(|e| format!("{}: {e}", exe.display()))?;
        builder
            .set_app_name(identifier)
            .set_macos_launch_mode(auto_launch::MacOSLaunchMode::LaunchAgent)
            .set_app_path(&exe.display().to_string());
    }
    #[cfg(not(target_os = "macos"))]
    {
        let _ = identifier;
        let path = std::env::var("APPIMAGE").unwrap_or_else(|_| exe.display().to_string());
        builder.set_app_name(super::entry::NAME).set_app_path(&path);
    }
    builder.build().map_err(|e| e.to_string())
}
