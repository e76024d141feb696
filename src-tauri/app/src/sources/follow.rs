//! One task per source follows the agent's event stream (`GET /api/events`): at each connect it
//! reads `/api/status` (the picture, and what the token may do), then opens the stream resuming
//! after the last sequence applied (`Last-Event-ID`), so no state change is lost or applied
//! twice across a reconnect. A stream that ends is reopened after 1 s; a connect that fails makes
//! the source `unreachable` and is retried with a growing wait (1 s to 30 s). The agent sends a
//! keep-alive every 15 s, so a connection silent for [`SILENCE`] is taken for dead: a source
//! turns `unreachable` at most [`SILENCE`] (40 s) + 10 s (the connect timeout) after its agent's last byte
//! (a killed agent's closed connection is seen at once). A 401 makes it `needs_token` until a
//! new token is given.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use http_body_util::BodyExt;
use hyper::Method;
use tokio_util::sync::CancellationToken;

use super::client::AgentClient;
use super::shared::Shared as Sources;
use super::sse::{SseEvent, SseParser};
use super::view::{AgentProblemKind, SourceHealth};

/// How long a connection may stay silent: two of the agent's 15 s keep-alives and 10 s more.
pub const SILENCE: Duration = Duration::from_secs(40);
/// The first wait before a reconnect after a failure; it doubles up to [`RETRY_MAX`].
const RETRY_MIN: Duration = Duration::from_secs(1);
/// The longest wait between reconnects.
const RETRY_MAX: Duration = Duration::from_secs(30);

/// Follows source `name` until `stop`.
pub(super) async fn follow(sources: Arc<Sources>, name: String, stop: CancellationToken) {
    let wake = sources.wake(&name);
    let mut wait = Duration::ZERO;
    loop {
        if !wait.is_zero() {
            tokio::select! {
                () = stop.cancelled() => return,
                () = wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
        let Some(client) = sources.client_of(&name).await else {
            sources.set_health(
                &name,
                SourceHealth::NeedsToken,
                Some("no token is known for this agent on this desktop: give it again".to_owned()),
            );
            tokio::select! {
                () = stop.cancelled() => return,
                () = wake.notified() => {}
            }
            wait = Duration::ZERO;
            continue;
        };
        let outcome = tokio::select! {
            () = stop.cancelled() => return,
            outcome = session(&sources, &name, &client) => outcome,
        };
        match outcome {
            // The stream was open and ended: reopen after the shortest wait, so a server that
            // closes every stream at once is not asked again in a tight loop.
            Ok(()) => wait = RETRY_MIN,
            Err(problem) if problem.kind == AgentProblemKind::Unauthorized => {
                sources.set_health(&name, SourceHealth::NeedsToken, Some(problem.message));
                tokio::select! {
                    () = stop.cancelled() => return,
                    () = wake.notified() => {}
                }
                wait = Duration::ZERO;
            }
            Err(problem) => {
                sources.set_health(&name, SourceHealth::Unreachable, Some(problem.message));
                wait = (wait * 2).clamp(RETRY_MIN, RETRY_MAX);
            }
        }
    }
}

/// One connection: the picture, then the stream until it ends.
async fn session(
    sources: &Sources,
    name: &str,
    client: &AgentClient,
) -> Result<(), super::view::AgentProblem> {
    let status = client.get_json(super::client::STATUS_PATH).await?;
    let resume = sources.picture(name, status);
    let (response, mut driver) = client
        .open(Method::GET, "/api/events", None, resume)
        .await?;
    if let Some(problem) = client.refusal(response.status()) {
        return Err(problem);
    }
    if !response.status().is_success() {
        return Err(super::view::AgentProblem {
            kind: AgentProblemKind::NotAnAgent,
            message: format!(
                "{}: /api/events answered {}",
                client.url(),
                response.status()
            ),
        });
    }
    let connected_at = Utc::now();
    sources.set_health(name, SourceHealth::Connected, None);
    let mut body = response.into_body();
    let mut parser = SseParser::default();
    let mut driver_done = false;
    loop {
        let frame = tokio::select! {
            frame = tokio::time::timeout(SILENCE, body.frame()) => frame,
            () = &mut driver, if !driver_done => { driver_done = true; continue; }
        };
        let Ok(frame) = frame else {
            return Err(super::view::AgentProblem {
                kind: AgentProblemKind::Unreachable,
                message: format!(
                    "{}: the agent sent nothing for {} s (it sends a keep-alive every 15 s)",
                    client.url(),
                    SILENCE.as_secs()
                ),
            });
        };
        let Some(Ok(frame)) = frame else {
            return Ok(());
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let events = parser.feed(&data).map_err(|e| super::view::AgentProblem {
            kind: AgentProblemKind::NotAnAgent,
            message: format!("{}: {e}", client.url()),
        })?;
        for event in events {
            apply(sources, name, resume.is_some(), connected_at, &event);
        }
    }
}

fn apply(
    sources: &Sources,
    name: &str,
    resumed: bool,
    connected_at: chrono::DateTime<Utc>,
    event: &SseEvent,
) {
    let seq = event.id.as_deref().and_then(|id| id.parse::<i64>().ok());
    match event.name.as_str() {
        "snapshot" => match serde_json::from_str(&event.data) {
            Ok(status) => sources.snapshot(name, status, seq),
            Err(e) => {
                tracing::warn!(source_name = name, error = %e, "an agent's snapshot was not understood");
            }
        },
        "state_change" => {
            match serde_json::from_str::<ehlowatch_engine::StateChange>(&event.data) {
                Ok(change) => {
                    let replayed = resumed && change.at < connected_at;
                    sources.change(name, change, seq, replayed);
                }
                Err(e) => {
                    tracing::warn!(source_name = name, error = %e, "an agent's state change was not understood");
                }
            }
        }
        _ => sources.seen(name, seq),
    }
}
