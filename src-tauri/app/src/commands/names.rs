// Shared with build.rs (the app manifest of the IPC commands), hence a file of its own.

/// Every IPC command, for the invoke handler, the build script's app manifest and the
/// window's capability (a test keeps them in step).
pub const NAMES: &[&str] = &[
    "get_snapshot",
    "check_now",
    "snooze",
    "unsnooze",
    "pause_notifications",
    "resume_notifications",
    "save_monitor",
    "delete_monitor",
    "test_monitor",
    "preview_mx",
    "history_stats",
    "history_series",
    "history_events",
    "last_failure",
    "get_settings",
    "save_settings",
    "export_monitors",
    "import_monitors",
    "get_app_info",
    "set_autostart",
    "dismiss_notice",
];
