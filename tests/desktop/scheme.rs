//! The colour scheme the window follows (`prefers-color-scheme`, which WebKit takes from the
//! GTK theme), and window screenshots named after it.

use std::path::PathBuf;

use super::driver::WebDriver;
use super::Artifacts;

/// The colour scheme the window is expected to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// The default GTK theme.
    Light,
    /// `GTK_THEME=Adwaita:dark`.
    Dark,
}

impl Scheme {
    /// The name files are suffixed with.
    pub fn name(self) -> &'static str {
        match self {
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }
}

/// The window's viewport saved as `<name>-<scheme>.png`.
pub fn window_shot(
    window: &WebDriver,
    artifacts: &Artifacts,
    name: &str,
    scheme: Scheme,
) -> Result<PathBuf, String> {
    let png = window.screenshot()?;
    artifacts.save(&format!("{name}-{}.png", scheme.name()), &png)
}

/// The page matches `prefers-color-scheme: dark` exactly when `scheme` is dark.
pub fn scheme_is(window: &WebDriver, scheme: Scheme) -> Result<(), String> {
    let dark = window
        .execute("return matchMedia('(prefers-color-scheme: dark)').matches;")?
        .as_bool()
        .ok_or("matchMedia gave no boolean")?;
    if dark == (scheme == Scheme::Dark) {
        Ok(())
    } else {
        Err(format!("prefers-color-scheme: dark matches: {dark}"))
    }
}
