//! The agent's routes that act on the engine, each behind [`RequireControl`]:
//! `POST /api/monitors/{id}/check` probes one monitor now (202; 404 for an id the running config
//! does not have, 409 for a disabled monitor). Commands go to the agent's main loop, which hands
//! them to the engine.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use ehlowatch_engine::{Command, MonitorId, Snapshot};
use tokio::sync::{mpsc, watch};

use super::auth::RequireControl;

/// What the action routes need.
#[derive(Debug, Clone)]
pub struct Actions {
    /// Commands for the engine.
    pub commands: mpsc::Sender<Command>,
    /// The engine's latest snapshot, to tell a known monitor from an unknown one.
    pub snapshot: watch::Receiver<Arc<Snapshot>>,
}

/// The action routes.
pub fn router(actions: Actions) -> Router {
    Router::new()
        .route("/api/monitors/{id}/check", post(check_now))
        .with_state(actions)
}

async fn check_now(
    _control: RequireControl,
    State(actions): State<Actions>,
    Path(id): Path<String>,
) -> Response {
    let enabled = actions
        .snapshot
        .borrow()
        .monitors
        .iter()
        .find(|m| m.id.0 == id)
        .map(|m| m.enabled);
    match enabled {
        None => {
            return (
                StatusCode::NOT_FOUND,
                format!("no monitor with id {id:?}\n"),
            )
                .into_response()
        }
        Some(false) => {
            return (
                StatusCode::CONFLICT,
                format!("monitor {id:?} is disabled\n"),
            )
                .into_response()
        }
        Some(true) => {}
    }
    tracing::info!(monitor = %id, "check now asked over the API");
    if actions
        .commands
        .send(Command::CheckNow(Some(MonitorId(id))))
        .await
        .is_err()
    {
        return (StatusCode::SERVICE_UNAVAILABLE, "the agent is stopping\n").into_response();
    }
    (StatusCode::ACCEPTED, "probing now\n").into_response()
}
