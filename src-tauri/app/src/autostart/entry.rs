//! The name of the login entry, shared by every platform's code.

/// The entry's name: the Run value on Windows, the `.desktop` file on Linux (the product name,
/// which tauri-plugin-autostart has always used).
pub const NAME: &str = "EHLO Watch";
