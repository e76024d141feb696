//! The desktop's settings: the monitoring configuration (the agent's keys — `defaults`,
//! `alerts`, `history`, `monitor` — in JSON) plus the window's preferences under `ui`, kept in
//! one `settings.json`. [`file`] loads it (moving a corrupt or invalid file aside) and writes it
//! atomically.

pub mod file;

use chrono::{DateTime, Utc};
use ehlowatch_engine::ConfigFile;
use serde::{Deserialize, Serialize};

use crate::sources::entry::AgentSource;

/// Everything the app persists.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Settings {
    /// The monitoring configuration, with exactly the agent config's keys.
    #[serde(flatten)]
    pub config: ConfigFile,
    /// The window's and the notifications' preferences.
    #[serde(default)]
    pub ui: UiPrefs,
    /// The remote agents whose monitors the desktop shows (never their tokens: the keyring
    /// keeps those).
    #[serde(default)]
    pub agents: Vec<AgentSource>,
}

/// Preferences of the desktop app that the agent has no use for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default, deny_unknown_fields)]
pub struct UiPrefs {
    /// Toast on QoS warnings too. Failures always toast; recoveries as `alerts.on_recovery`
    /// says, and reminders as `alerts.repeat_every_min` says (the agent's keys).
    pub notify_warnings: bool,
    /// Toasts are paused until then; far in the future for "until resumed".
    pub notifications_paused_until: Option<DateTime<Utc>>,
}

impl Default for UiPrefs {
    fn default() -> Self {
        Self {
            notify_warnings: true,
            notifications_paused_until: None,
        }
    }
}
