//! The agent's routes that act on the engine, each behind [`RequireControl`]:
//! `POST /api/monitors/{id}/check` probes one monitor now (202; 404 for an id the running config
//! does not have, 409 for a disabled monitor); `POST /api/monitors/{id}/snooze` with
//! `{"minutes": N}` mutes its alerts for N minutes (1 to 43200), `{"minutes": null}` until
//! resumed, and `DELETE /api/monitors/{id}/snooze` resumes them (202; 404 for an unknown id;
//! 400 for another body). Commands go to the agent's main loop, which hands them to the engine.

use std::sync::Arc;

use axum::body::Bytes;
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
        .route("/api/monitors/{id}/snooze", post(snooze).delete(unsnooze))
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

/// The longest snooze over the API: 30 days.
const SNOOZE_MAX_MIN: u32 = 43_200;

/// The body of `POST /api/monitors/{id}/snooze`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SnoozeBody {
    minutes: Option<u32>,
}

fn known(actions: &Actions, id: &str) -> Option<Response> {
    let found = actions
        .snapshot
        .borrow()
        .monitors
        .iter()
        .any(|m| m.id.0 == id);
    (!found).then(|| {
        (
            StatusCode::NOT_FOUND,
            format!("no monitor with id {id:?}\n"),
        )
            .into_response()
    })
}

async fn send(actions: &Actions, command: Command, done: &'static str) -> Response {
    if actions.commands.send(command).await.is_err() {
        return (StatusCode::SERVICE_UNAVAILABLE, "the agent is stopping\n").into_response();
    }
    (StatusCode::ACCEPTED, done).into_response()
}

async fn snooze(
    _control: RequireControl,
    State(actions): State<Actions>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let minutes = match serde_json::from_slice::<SnoozeBody>(&body) {
        Ok(SnoozeBody { minutes: Some(m) }) if m == 0 || m > SNOOZE_MAX_MIN => {
            return (
                StatusCode::BAD_REQUEST,
                format!(
                    "minutes: {m} is not between 1 and {SNOOZE_MAX_MIN} (or null: until resumed)\n"
                ),
            )
                .into_response()
        }
        Ok(SnoozeBody { minutes }) => minutes,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("the body must be {{\"minutes\": N}} or {{\"minutes\": null}}: {e}\n"),
            )
                .into_response()
        }
    };
    if let Some(refusal) = known(&actions, &id) {
        return refusal;
    }
    tracing::info!(monitor = %id, minutes, "snooze asked over the API");
    let until = minutes.map(|m| chrono::Utc::now() + chrono::Duration::minutes(i64::from(m)));
    send(
        &actions,
        Command::Snooze {
            id: MonitorId(id),
            until,
        },
        "snoozed\n",
    )
    .await
}

async fn unsnooze(
    _control: RequireControl,
    State(actions): State<Actions>,
    Path(id): Path<String>,
) -> Response {
    if let Some(refusal) = known(&actions, &id) {
        return refusal;
    }
    tracing::info!(monitor = %id, "resume asked over the API");
    send(&actions, Command::Unsnooze(MonitorId(id)), "resumed\n").await
}
