//! Commands on what is running: the snapshot, probing now, snoozing a monitor, pausing toasts.

use ehlowatch_engine::Command;
use ehlowatch_engine::MonitorId;
use ehlowatch_engine::Snapshot;

use crate::error::AppError;
use crate::state::forever;
use crate::state::{until, AppStateRef};

/// The engine's latest picture, as shown now ([`Snapshot::at`]: stale and paused monitors).
#[tauri::command]
pub async fn get_snapshot(state: AppStateRef<'_>) -> Result<Snapshot, AppError> {
    Ok(state.engine().await?.snapshot().at(chrono::Utc::now()))
}

/// Probes one monitor now, or every enabled one (`id` null).
#[tauri::command]
pub async fn check_now(state: AppStateRef<'_>, id: Option<String>) -> Result<(), AppError> {
    if let Some(id) = &id {
        known(&state, id).await?;
    }
    state.send(Command::CheckNow(id.map(MonitorId))).await
}

/// Mutes a monitor's alerts for `minutes`, or until resumed (null).
#[tauri::command]
pub async fn snooze(
    state: AppStateRef<'_>,
    id: String,
    minutes: Option<u32>,
) -> Result<(), AppError> {
    known(&state, &id).await?;
    state
        .send(Command::Snooze {
            id: MonitorId(id),
            until: until(minutes),
        })
        .await
}

/// Lifts a monitor's snooze.
#[tauri::command]
pub async fn unsnooze(state: AppStateRef<'_>, id: String) -> Result<(), AppError> {
    known(&state, &id).await?;
    state.send(Command::Unsnooze(MonitorId(id))).await
}

/// Pauses every toast for `minutes`, or until resumed (null); kept across restarts.
#[tauri::command]
pub async fn pause_notifications(
    state: AppStateRef<'_>,
    minutes: Option<u32>,
) -> Result<(), AppError> {
    let end = until(minutes).unwrap_or_else(forever);
    state.pause_notifications(Some(end)).await
}

/// Resumes toasts.
#[tauri::command]
pub async fn resume_notifications(state: AppStateRef<'_>) -> Result<(), AppError> {
    state.pause_notifications(None).await
}

/// Fails with `NotFound` unless a configured monitor has this id.
pub(crate) async fn known(state: &crate::state::AppState, id: &str) -> Result<(), AppError> {
    let current = state.current().await;
    if current.config.monitor(&MonitorId(id.to_owned())).is_some() {
        Ok(())
    } else {
        Err(AppError::NotFound(id.to_owned()))
    }
}
