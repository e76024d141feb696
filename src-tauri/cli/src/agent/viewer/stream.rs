//! `GET /api/events`: the live stream for remote viewers, as Server-Sent Events.
//!
//! Why SSE and not a WebSocket: the stream goes one way (agent to viewer), it is plain HTTP that
//! proxies, TLS terminators and `curl` understand, axum serves it with no extra crate, and
//! resuming is part of the protocol — a client reconnects with `Last-Event-ID`.
//!
//! Events: `state_change` (a monitor's [`StateChange`]), `local_cause` (a [`CauseRecord`]:
//! offline or port 25 blocked here, began or ended) and `finding` (a mail domain's
//! [`Finding`](ehlowatch_engine::Finding): its MX set changed, or what an MX host offers), each
//! with `id:` its **stream sequence** —
//! its row id in the history's `events` table, which only grows and survives restarts (see the
//! engine's history `sequence`); `snapshot` (the `/api/status` body) with `id:` the last sequence
//! it covers; `reset` (the viewer's sequence can no longer be resumed: reload, a `snapshot`
//! follows); and with `?results=1` a `result` ([`ResultRecord`]) per probe, live only, with no
//! id. A comment every 15 s keeps idle connections open.
//!
//! Exactly what was missed: the history is the source of truth. The stream never forwards a
//! state change or a cause the engine broadcast; it reads the rows after the last sequence it
//! sent, in order, whenever the history writer commits (a watch from the store wakes it, so nothing is
//! polled) — so a row is sent once the writer has committed it, within about a second, and a
//! viewer resuming from `n` gets rows `n+1…` from the same table, no more, no less.
//!
//! Resume: `Last-Event-ID: n` (or `?since=n`; the header wins, as a browser's reconnect sends it)
//! replays every row after `n` when all of them are still kept and there are at most
//! [`REPLAY_MAX`] of them; otherwise — `n` older than that or than the retention kept, or `n`
//! from another history file — the viewer gets `event: reset`, then a fresh `snapshot`. A
//! connection without a sequence starts with the `snapshot`. The snapshot is taken after the
//! sequence it carries, so an event just after it may already show in it (applying it again is
//! harmless), and none is lost.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use ehlowatch_engine::{CauseRecord, EngineEvent, HistoryReader, Logged, ResultRecord, Sequenced};
use ehlowatch_engine::{EventBounds, StateChange};
use futures_util::stream;
use serde::Serialize;
use tokio::sync::{broadcast, watch};
use tokio_util::sync::CancellationToken;

use super::super::http::status_body;
use super::params::{self, ApiError};
use super::state::ViewerState;

/// The most events a reconnecting viewer is replayed; further behind, it gets a `reset`.
pub(super) const REPLAY_MAX: i64 = 10_000;
/// Rows read from the history at a time.
const PAGE: usize = 500;
/// How often an idle stream sends a keep-alive comment.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// `GET /api/events`.
pub(super) async fn events(
    State(state): State<ViewerState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let params = params::parse(query.as_deref(), &["since", "results"])?;
    let results = params::flag(&params, "results")?;
    let resume = match headers.get("last-event-id") {
        Some(value) => Some(params::sequence(
            "Last-Event-ID",
            value.to_str().unwrap_or("(not text)"),
        )?),
        None => match params.get("since") {
            Some(value) => Some(params::sequence("since", value)?),
            None => None,
        },
    };
    let reader = state.history.clone().ok_or_else(ApiError::no_history)?;
    // Subscribed before the history is read: nothing committed from here on is missed.
    let written = reader.written();
    let bounds = reader.query(|q| q.event_bounds()).await?;
    let mut pending = VecDeque::new();
    let seen = match resume {
        Some(n) if resumable(&bounds, n) => n,
        Some(n) => {
            tracing::info!(
                last_event_id = n,
                oldest = bounds.oldest,
                last = bounds.last,
                "a viewer's sequence cannot be resumed: reset"
            );
            pending.push_back(reset(n, &bounds));
            pending.push_back(snapshot(&state, bounds.last));
            bounds.last
        }
        None => {
            pending.push_back(snapshot(&state, bounds.last));
            bounds.last
        }
    };
    let follower = Follower {
        reader,
        written,
        seen,
        pending,
        results: results.then(|| state.events.subscribe()).flatten(),
        stop: state.stop.clone(),
    };
    let events = stream::unfold(follower, |mut f| async move {
        let event = f.next().await?;
        Some((Ok::<_, Infallible>(event), f))
    });
    Ok(Sse::new(events)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive"))
        .into_response())
}

/// True when a viewer that saw `n` can be replayed exactly what came after.
fn resumable(bounds: &EventBounds, n: i64) -> bool {
    bounds.can_resume(n) && bounds.last - n <= REPLAY_MAX
}

/// One viewer's place in the stream.
struct Follower {
    reader: HistoryReader,
    written: watch::Receiver<i64>,
    /// The last sequence sent.
    seen: i64,
    /// Events ready to send.
    pending: VecDeque<Event>,
    /// The engine's events, for `result`s.
    results: Option<broadcast::Receiver<EngineEvent>>,
    stop: CancellationToken,
}

impl Follower {
    /// The next event; `None` ends the stream (the agent stops, or the history failed: the
    /// viewer reconnects and resumes).
    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            // Marked seen before reading, so a commit during the read wakes the wait below.
            self.written.borrow_and_update();
            let seen = self.seen;
            let rows = match self.reader.query(move |q| q.events_after(seen, PAGE)).await {
                Ok(rows) => rows,
                Err(e) => {
                    tracing::error!(error = %e, "the event stream cannot read the history");
                    return None;
                }
            };
            if let Some(last) = rows.last() {
                self.seen = last.seq;
                self.pending.extend(rows.iter().map(sequenced));
                continue;
            }
            tokio::select! {
                () = self.stop.cancelled() => return None,
                changed = self.written.changed() => changed.ok()?,
                event = recv(self.results.as_mut()) => match event {
                    Ok(EngineEvent::Result { monitor, report, .. }) => {
                        let record = ResultRecord::from_report(&monitor, &report);
                        self.pending.push_back(json_event("result", None, &record));
                    }
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => self.results = None,
                },
            }
        }
    }
}

/// The next engine event, or never when results were not asked for.
async fn recv(
    results: Option<&mut broadcast::Receiver<EngineEvent>>,
) -> Result<EngineEvent, broadcast::error::RecvError> {
    match results {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

fn sequenced(row: &Sequenced) -> Event {
    match &row.event {
        Logged::StateChange(change) => state_change(row.seq, change),
        Logged::LocalCause(cause) => local_cause(row.seq, cause),
        Logged::Finding(finding) => json_event("finding", Some(row.seq), finding),
    }
}

fn state_change(seq: i64, change: &StateChange) -> Event {
    json_event("state_change", Some(seq), change)
}

fn local_cause(seq: i64, cause: &CauseRecord) -> Event {
    json_event("local_cause", Some(seq), cause)
}

fn snapshot(state: &ViewerState, seq: i64) -> Event {
    let shown = state.snapshot.borrow().at(Utc::now());
    json_event("snapshot", Some(seq), &status_body(&shown))
}

/// Why a viewer's sequence cannot be resumed.
#[derive(Serialize)]
struct Reset {
    reason: String,
    last_event_id: i64,
    oldest: Option<i64>,
    last: i64,
}

fn reset(n: i64, bounds: &EventBounds) -> Event {
    let reason = if n > bounds.last {
        "the sequence is beyond the last this agent's history has given (another history file)"
            .to_owned()
    } else if bounds.last - n > REPLAY_MAX {
        format!("more than {REPLAY_MAX} events were missed")
    } else {
        "events after the sequence have been pruned from the history".to_owned()
    };
    let body = Reset {
        reason,
        last_event_id: n,
        oldest: bounds.oldest,
        last: bounds.last,
    };
    json_event("reset", None, &body)
}

/// An event named `name` with `data` as JSON and, when given, `id`.
fn json_event(name: &str, id: Option<i64>, data: &impl Serialize) -> Event {
    let event = Event::default().event(name);
    let event = match id {
        Some(id) => event.id(id.to_string()),
        None => event,
    };
    match serde_json::to_string(data) {
        Ok(json) => event.data(json),
        Err(e) => event.comment(format!("cannot encode: {e}")),
    }
}
