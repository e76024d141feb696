//! The history of one monitor for a remote viewer, as the desktop app's history commands give
//! it (same engine queries, windows and limits, same types serialised by serde):
//! `GET /api/monitors/{id}/stats`, `/series` and `/events` with `?window=1h|24h|7d|30d` (default
//! `24h`), and `/last-failure` (the newest Failed result with its transcript, or `null`).
//! A monitor not in the agent's config is a 404; a bad parameter a 400 naming it.

use axum::extract::{Path, RawQuery, State};
use axum::Json;
use chrono::Utc;
use ehlowatch_engine::{HistoryReader, MonitorId, ResultRecord, SeriesPoint, StateChange, Stats};

use super::params::{self, ApiError};
use super::state::ViewerState;

/// The most points a chart series has (the desktop app's chart too).
pub(super) const SERIES_POINTS: usize = 240;

/// The monitor `id` when the agent runs it, and the history reader.
fn monitor(state: &ViewerState, id: String) -> Result<(MonitorId, HistoryReader), ApiError> {
    let known = state
        .snapshot
        .borrow()
        .monitors
        .iter()
        .any(|m| m.id.0 == id);
    if !known {
        return Err(ApiError::unknown_monitor(&id));
    }
    let reader = state.history.clone().ok_or_else(ApiError::no_history)?;
    Ok((MonitorId(id), reader))
}

/// Counts, uptime and latency percentiles over the window.
pub(super) async fn stats(
    State(state): State<ViewerState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Stats>, ApiError> {
    let window = params::window(&params::parse(query.as_deref(), &["window"])?)?;
    let (id, reader) = monitor(&state, id)?;
    let since = window.since(Utc::now());
    Ok(Json(reader.query(move |q| q.stats(&id, since)).await?))
}

/// The latency chart's points over the window (at most [`SERIES_POINTS`]).
pub(super) async fn series(
    State(state): State<ViewerState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Vec<SeriesPoint>>, ApiError> {
    let window = params::window(&params::parse(query.as_deref(), &["window"])?)?;
    let (id, reader) = monitor(&state, id)?;
    let to = Utc::now();
    let from = window.since(to);
    let points = reader
        .query(move |q| q.latency_series(&id, from, to, SERIES_POINTS))
        .await?;
    Ok(Json(points))
}

/// The monitor's state changes over the window, oldest first.
pub(super) async fn events(
    State(state): State<ViewerState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Vec<StateChange>>, ApiError> {
    let window = params::window(&params::parse(query.as_deref(), &["window"])?)?;
    let (id, reader) = monitor(&state, id)?;
    // A second ahead, as the app does: a change stamped this very instant is included.
    let to = Utc::now() + chrono::Duration::seconds(1);
    let from = window.since(to);
    Ok(Json(
        reader.query(move |q| q.events(Some(&id), from, to)).await?,
    ))
}

/// The newest Failed result, with its transcript while within retention; `null` when none.
pub(super) async fn last_failure(
    State(state): State<ViewerState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Option<ResultRecord>>, ApiError> {
    params::parse(query.as_deref(), &[])?;
    let (id, reader) = monitor(&state, id)?;
    Ok(Json(reader.query(move |q| q.last_failure(&id)).await?))
}
