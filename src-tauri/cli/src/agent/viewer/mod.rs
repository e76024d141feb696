//! The API for remote viewers (a tray app watching this agent): the live, resumable event
//! stream (`stream`) and one monitor's history (`queries`), read-only, beside `/api/status`.

mod params;
mod queries;
mod state;
mod stream;

use axum::routing::get;
use axum::Router;

pub use self::state::ViewerState;

/// The viewers' routes on `state`.
pub fn routes(state: ViewerState) -> Router {
    Router::new()
        .route("/api/events", get(stream::events))
        .route("/api/monitors/{id}/stats", get(queries::stats))
        .route("/api/monitors/{id}/series", get(queries::series))
        .route("/api/monitors/{id}/events", get(queries::events))
        .route(
            "/api/monitors/{id}/last-failure",
            get(queries::last_failure),
        )
        .with_state(state)
}
