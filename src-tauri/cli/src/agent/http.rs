//! The agent's HTTP endpoints: `/metrics` for Prometheus, `/api/status` (JSON) for scripts and
//! dashboards, `/healthz` for service managers, beside the viewers' API (`viewer`). Read-only;
//! it listens on loopback unless told.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use chrono::{DateTime, Utc};
use ehlowatch_engine::Status;
use ehlowatch_engine::{
    Counts, DaneCheck, ListCheck, Snapshot, StsCheck, StsPolicyView, TlsRptView,
};
use serde::Serialize;
use tokio::sync::watch;

use super::auth::Access;
use super::exposition;
use super::metrics::Metrics;

/// What the handlers read.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The metrics registry.
    pub metrics: Arc<Metrics>,
    /// The engine's latest snapshot.
    pub snapshot: watch::Receiver<Arc<Snapshot>>,
}

/// The routes, with `viewer`'s (the viewers' API: `/api/events`, `/api/monitors/{id}/…`).
pub fn router(state: AppState, viewer: Router) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/api/status", get(status))
        .route("/healthz", get(|| async { "ok\n" }))
        .with_state(state)
        .merge(viewer)
}

/// `OpenMetrics` for scrapers that ask for it (Prometheus), else the classic text format.
async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let openmetrics =
        exposition::wants_openmetrics(headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()));
    // Encoding 10,000 monitors is ~15 MB and ~0.1 s of CPU: off the runtime's workers, so the
    // probes in flight meanwhile are not delayed (their timings must stay honest).
    let encoded = tokio::task::spawn_blocking(move || {
        let body = state.metrics.encode().ok()?;
        Some(if openmetrics {
            body
        } else {
            exposition::to_text_format(&body)
        })
    })
    .await
    .ok()
    .flatten();
    match encoded {
        Some(body) => {
            let content_type = if openmetrics {
                exposition::OPENMETRICS
            } else {
                exposition::TEXT
            };
            ([(header::CONTENT_TYPE, content_type)], body).into_response()
        }
        None => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "could not encode metrics\n",
        )
            .into_response(),
    }
}

/// `/api/status`: one entry per monitor, as shown at the request ([`Snapshot::at`]: a monitor
/// with no result for 2×interval + 2×QoS is `stale` even when the engine has stalled).
#[derive(Debug, Serialize)]
pub(super) struct StatusBody {
    worst: Status,
    offline: bool,
    /// True while outbound port 25 seems blocked on the agent's network.
    port25_blocked: bool,
    counts: Counts,
    monitors: Vec<MonitorStatus>,
    /// What the token of the request may do (`read` or `control`); only in `/api/status`.
    #[serde(skip_serializing_if = "Option::is_none")]
    access: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct MonitorStatus {
    name: String,
    id: String,
    host: String,
    port: u16,
    enabled: bool,
    status: Status,
    event_id: Option<u16>,
    latency_ms: Option<f64>,
    since: Option<DateTime<Utc>>,
    checked_at: Option<DateTime<Utc>>,
    reason: Option<String>,
    /// Each address of the last probe (at most 8), so a failing monitor says which one fails.
    targets: Vec<TargetStatus>,
    /// A mail domain's MTA-STS record and policy, as its last probe found them.
    #[serde(skip_serializing_if = "Option::is_none")]
    mta_sts_policy: Option<StsPolicyView>,
    /// A mail domain's TLS-RPT record, when it publishes one.
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_rpt: Option<TlsRptView>,
}

#[derive(Debug, Serialize)]
struct TargetStatus {
    /// The MX host, for a mail domain's target.
    #[serde(skip_serializing_if = "Option::is_none")]
    mx: Option<String>,
    address: String,
    status: Status,
    reason: Option<String>,
    /// Its DANE check, for a mail domain's target whose session got that far.
    #[serde(skip_serializing_if = "Option::is_none")]
    dane: Option<DaneCheck>,
    /// Its MTA-STS check, for a mail domain's target checked against a policy in force.
    #[serde(skip_serializing_if = "Option::is_none")]
    mta_sts: Option<StsCheck>,
    /// Its blocklist checks, when lists are configured.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    blocklists: Vec<ListCheck>,
}

async fn status(
    State(state): State<AppState>,
    access: Option<Extension<Access>>,
) -> Json<StatusBody> {
    let snapshot = state.snapshot.borrow().at(Utc::now());
    let mut body = status_body(&snapshot);
    body.access = Some(match access {
        Some(Extension(Access::Control)) => "control",
        _ => "read",
    });
    Json(body)
}

/// The body of `/api/status` for a snapshot as shown.
pub(super) fn status_body(snapshot: &Snapshot) -> StatusBody {
    let monitors = snapshot
        .monitors
        .iter()
        .map(|m| MonitorStatus {
            name: m.name.clone(),
            id: m.id.0.clone(),
            host: m.host.clone(),
            port: m.port,
            enabled: m.enabled,
            status: m.shown,
            event_id: m.shown.event_id(),
            latency_ms: m
                .last
                .as_ref()
                .and_then(|r| r.latency)
                .map(|l| l.as_secs_f64() * 1000.0),
            since: m.since,
            checked_at: m.last.as_ref().map(|r| r.checked_at),
            reason: m.reason.clone(),
            targets: m
                .last
                .iter()
                .flat_map(|r| &r.targets)
                .map(|t| TargetStatus {
                    mx: t.mx.clone(),
                    address: t.address.clone(),
                    status: t.status,
                    reason: t.report.reason.clone(),
                    dane: t.report.dane.clone(),
                    mta_sts: t.report.mta_sts.clone(),
                    blocklists: t.report.blocklists.clone(),
                })
                .collect(),
            mta_sts_policy: m
                .last
                .as_ref()
                .and_then(|r| r.mta_sts_policy.as_deref().cloned()),
            tls_rpt: m.last.as_ref().and_then(|r| r.tls_rpt.clone()),
        })
        .collect();
    StatusBody {
        worst: snapshot.worst,
        offline: snapshot.offline,
        port25_blocked: snapshot.blocked,
        counts: snapshot.counts,
        monitors,
        access: None,
    }
}
