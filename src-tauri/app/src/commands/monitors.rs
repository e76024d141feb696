//! Commands that edit the monitor list, and "Test now": a one-off probe of a monitor that is
//! not saved yet.

use ehlowatch_engine::ProbeReport;
use ehlowatch_engine::{validate_monitor_alone, MonitorFile};

use crate::error::AppError;
use crate::state::AppState;
use crate::state::AppStateRef;

/// Adds a monitor (`original_id` null) or replaces the one with that id; returns it as stored.
#[tauri::command]
pub async fn save_monitor(
    state: AppStateRef<'_>,
    monitor: MonitorFile,
    original_id: Option<String>,
) -> Result<MonitorFile, AppError> {
    let (index, stored) = state
        .update(|s| {
            let index = match &original_id {
                Some(id) => {
                    AppState::position(s, id).ok_or_else(|| AppError::NotFound(id.clone()))?
                }
                None => s.config.monitors.len(),
            };
            if index == s.config.monitors.len() {
                s.config.monitors.push(monitor);
            } else {
                s.config.monitors[index] = monitor;
            }
            Ok(index)
        })
        .await?;
    Ok(stored.config.monitors[index].clone())
}

/// Removes the monitor with this id.
#[tauri::command]
pub async fn delete_monitor(state: AppStateRef<'_>, id: String) -> Result<(), AppError> {
    state
        .update(|s| {
            let index = AppState::position(s, &id).ok_or_else(|| AppError::NotFound(id.clone()))?;
            s.config.monitors.remove(index);
            Ok(())
        })
        .await
        .map(drop)
}

/// Probes `monitor` once as it would run, without saving it; problems are named as the
/// monitor's path in the list would be (`monitor[N]…`, N its position, or the end for a new one).
#[tauri::command]
pub async fn test_monitor(
    state: AppStateRef<'_>,
    mut monitor: MonitorFile,
    original_id: Option<String>,
) -> Result<ProbeReport, AppError> {
    let current = state.current().await;
    let index = original_id
        .and_then(|id| AppState::position(&current.settings, &id))
        .unwrap_or(current.settings.config.monitors.len());
    if let Some(dir) = state.paths.settings.parent() {
        let mut file = ehlowatch_engine::ConfigFile {
            monitors: vec![monitor],
            ..Default::default()
        };
        file.resolve_paths(dir);
        monitor = file.monitors.remove(0);
    }
    let checked = validate_monitor_alone(
        &current.config.defaults,
        &current.config.alerts,
        &monitor,
        index,
    )?;
    Ok(ehlowatch_engine::probe_once(&state.prober, &current.config, &checked.spec).await)
}
