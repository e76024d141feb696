//! Where the app keeps its files: by default the platform's config directory for
//! `settings.json` and its data directory for `history.sqlite` (Tauri's, named after the bundle
//! identifier: `~/.config/org.ehlowatch.desktop` and `~/.local/share/org.ehlowatch.desktop` on
//! Linux, both `~/Library/Application Support/org.ehlowatch.desktop` on macOS); with
//! `--data-dir DIR` (or `EHLOWATCH_DATA_DIR`) everything, the webview's own storage included,
//! goes under `DIR`, so tests and power users can run isolated instances.

use std::path::{Path, PathBuf};

/// The files of one instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataPaths {
    /// `settings.json`.
    pub settings: PathBuf,
    /// `history.sqlite`.
    pub history: PathBuf,
    /// The webview's storage; `None` for the platform's default.
    pub webview: Option<PathBuf>,
}

impl DataPaths {
    /// Everything under one directory.
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            settings: dir.join("settings.json"),
            history: dir.join("history.sqlite"),
            webview: Some(dir.join("webview")),
        }
    }

    /// The platform's directories for this app.
    pub fn platform(config_dir: &Path, data_dir: &Path) -> Self {
        Self {
            settings: config_dir.join("settings.json"),
            history: data_dir.join("history.sqlite"),
            webview: None,
        }
    }
}
