//! Commands that read the history: stats, the chart's series, state-change events and the
//! last failure with its transcript.

use ehlowatch_engine::{HistoryReader, ResultRecord, SeriesPoint, Stats, Window};
use ehlowatch_engine::{MonitorId, StateChange};

use crate::error::AppError;
use crate::state::AppStateRef;

/// The most points a chart series has.
pub const SERIES_POINTS: usize = 240;

async fn reader(state: &AppStateRef<'_>) -> Result<HistoryReader, AppError> {
    state
        .engine()
        .await?
        .history()
        .cloned()
        .ok_or_else(|| AppError::History("the history is not kept".to_owned()))
}

/// Counts, uptime and latency percentiles of a monitor over a window.
#[tauri::command]
pub async fn history_stats(
    state: AppStateRef<'_>,
    id: String,
    window: Window,
) -> Result<Stats, AppError> {
    let since = window.since(chrono::Utc::now());
    Ok(reader(&state)
        .await?
        .query(move |q| q.stats(&MonitorId(id), since))
        .await?)
}

/// The latency chart's points over a window (at most [`SERIES_POINTS`]).
#[tauri::command]
pub async fn history_series(
    state: AppStateRef<'_>,
    id: String,
    window: Window,
) -> Result<Vec<SeriesPoint>, AppError> {
    let to = chrono::Utc::now();
    let from = window.since(to);
    Ok(reader(&state)
        .await?
        .query(move |q| q.latency_series(&MonitorId(id), from, to, SERIES_POINTS))
        .await?)
}

/// State-change events over a window, of one monitor or all, oldest first.
#[tauri::command]
pub async fn history_events(
    state: AppStateRef<'_>,
    id: Option<String>,
    window: Window,
) -> Result<Vec<StateChange>, AppError> {
    let to = chrono::Utc::now() + chrono::Duration::seconds(1);
    let from = window.since(to);
    Ok(reader(&state)
        .await?
        .query(move |q| q.events(id.map(MonitorId).as_ref(), from, to))
        .await?)
}

/// The newest Failed result of a monitor, with its transcript.
#[tauri::command]
pub async fn last_failure(
    state: AppStateRef<'_>,
    id: String,
) -> Result<Option<ResultRecord>, AppError> {
    Ok(reader(&state)
        .await?
        .query(move |q| q.last_failure(&MonitorId(id)))
        .await?)
}
