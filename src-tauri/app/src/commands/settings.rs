//! Commands on the settings as a whole: read and save them, export and import the monitors as
//! JSON (an import is validated in full before anything changes), the app's facts, autostart
//! and the banner's notice.

use ehlowatch_engine::ConfigFile;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime};

use crate::bridge::events;
use crate::error::AppError;
use crate::notify::registration::ToastSupport;
use crate::settings::Settings;
use crate::state::AppStateRef;

/// Facts about this instance for the settings page and the banner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct AppInfo {
    /// The app's version.
    pub version: String,
    /// The directory of the settings file.
    pub data_dir: String,
    /// The settings file.
    pub settings_path: String,
    /// The history database.
    pub history_path: String,
    /// True when the app started without a settings file.
    pub first_run: bool,
    /// Something people should know (e.g. a settings file kept aside), until dismissed.
    pub notice: Option<String>,
    /// True when the app starts with the session; `None` where autostart is not available.
    pub autostart: Option<bool>,
    /// Whether the system shows the app's notifications, and why not.
    pub toasts: ToastSupport,
}

/// The settings in force.
#[tauri::command]
pub async fn get_settings(state: AppStateRef<'_>) -> Result<Settings, AppError> {
    Ok(state.current().await.settings)
}

/// Replaces the settings (validated in full first), all but the notifications pause, which
/// `pause_notifications` and `resume_notifications` own (the window's copy may be older than a
/// pause from the tray), and the remote agents, which the agent commands own. Returns the settings as stored.
#[tauri::command]
pub async fn save_settings(
    state: AppStateRef<'_>,
    settings: Settings,
) -> Result<Settings, AppError> {
    state
        .update(|s| {
            let paused = s.ui.notifications_paused_until;
            let agents = std::mem::take(&mut s.agents);
            *s = settings;
            s.ui.notifications_paused_until = paused;
            // The agent commands own the sources (their tokens are checked live).
            s.agents = agents;
            Ok(())
        })
        .await
        .map(|((), stored)| stored)
}

/// The monitoring configuration (`defaults`, `alerts`, `history`, `monitor`) as JSON text, the
/// format [`import_monitors`] and the agent's JSON config read.
#[tauri::command]
pub async fn export_monitors(state: AppStateRef<'_>) -> Result<String, AppError> {
    state
        .current()
        .await
        .settings
        .config
        .to_json_string()
        .map_err(|e| AppError::Storage(e.to_string()))
}

/// Replaces the monitoring configuration with `text` (JSON with the agent's keys) when it has
/// no problem at all; otherwise returns every problem and changes nothing.
#[tauri::command]
pub async fn import_monitors(state: AppStateRef<'_>, text: String) -> Result<Settings, AppError> {
    let config = ConfigFile::from_json_str(&text)?;
    state
        .update(|s| {
            s.config = config;
            Ok(())
        })
        .await
        .map(|((), stored)| stored)
}

/// Facts about this instance.
#[tauri::command]
pub async fn get_app_info<R: Runtime>(
    app: AppHandle<R>,
    state: AppStateRef<'_>,
) -> Result<AppInfo, AppError> {
    Ok(app_info(&app, &state))
}

/// Turns starting with the session on or off.
#[tauri::command]
pub async fn set_autostart<R: Runtime>(
    app: AppHandle<R>,
    state: AppStateRef<'_>,
    enabled: bool,
) -> Result<AppInfo, AppError> {
    crate::autostart::set(&app, enabled)
        .map_err(|e| AppError::Storage(format!("autostart: {e}")))?;
    Ok(app_info(&app, &state))
}

/// Clears the banner's notice.
#[tauri::command]
pub async fn dismiss_notice<R: Runtime>(
    app: AppHandle<R>,
    state: AppStateRef<'_>,
) -> Result<(), AppError> {
    state.set_notice(None);
    let _ = app.emit(events::NOTICE, None::<String>);
    Ok(())
}

fn app_info<R: Runtime>(app: &AppHandle<R>, state: &crate::state::AppState) -> AppInfo {
    let display = |p: &std::path::Path| p.display().to_string();
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: state
            .paths
            .settings
            .parent()
            .map(display)
            .unwrap_or_default(),
        settings_path: display(&state.paths.settings),
        history_path: display(&state.paths.history),
        first_run: state.first_run,
        notice: state.notice(),
        autostart: crate::autostart::is_enabled(app),
        toasts: crate::notify::registration::ensure().clone(),
    }
}
