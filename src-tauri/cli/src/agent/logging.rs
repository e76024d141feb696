//! The agent's log: `tracing` to stderr (level from `RUST_LOG`, default info) — or, for a service
//! that has no console, appended to a file — and one line per state change with the monitor, the
//! event id, the transition and the reason. A local cause
//! (offline, outbound port 25 blocked) is one line with its event id when it begins and one when
//! it ends; the monitors it puts in `offline` or `blocked` are logged at debug level only.

use std::io::IsTerminal;
use std::sync::Arc;

use ehlowatch_engine::{EngineEvent, LocalCause, Status};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use tracing_subscriber::EnvFilter;

use super::metrics::Metrics;

/// Installs the log subscriber once.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

/// Installs the log subscriber once, appending to `path` (created when missing).
#[cfg(windows)]
pub fn init_file(path: &std::path::Path) -> std::io::Result<()> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .try_init();
    Ok(())
}

/// Follows the engine's events until `stop`: logs state changes, feeds the metrics.
pub async fn follow(
    mut events: broadcast::Receiver<EngineEvent>,
    metrics: Arc<Metrics>,
    stop: CancellationToken,
) {
    loop {
        let event = tokio::select! {
            () = stop.cancelled() => return,
            event = events.recv() => event,
        };
        match event {
            Ok(event) => {
                metrics.observe(&event);
                log(&event);
            }
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(
                    missed,
                    "event log fell behind; some results were not counted"
                );
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

fn log(event: &EngineEvent) {
    match event {
        EngineEvent::StateChanged(change)
            if matches!(change.to, Status::Offline | Status::Blocked) =>
        {
            tracing::debug!(
                monitor = change.name.as_str(),
                event_id = change.event_id,
                from = %change.from,
                to = %change.to,
                "state change"
            );
        }
        EngineEvent::StateChanged(change) => tracing::info!(
            monitor = change.name.as_str(),
            event_id = change.event_id,
            from = %change.from,
            to = %change.to,
            kind = ?change.kind,
            alert = change.alert,
            reason = change.reason.as_deref().unwrap_or(""),
            "state change"
        ),
        EngineEvent::Resumed { gap_s } => {
            tracing::info!(gap_s, "resumed after a suspend; probing every monitor now");
        }
        EngineEvent::LocalCause {
            cause,
            began,
            monitors,
            event_id,
        } => {
            let what = match (cause, began) {
                (LocalCause::Offline, true) => "this machine seems offline",
                (LocalCause::Offline, false) => "this machine is back online",
                (LocalCause::Blocked, true) => "outbound port 25 is blocked on this network",
                (LocalCause::Blocked, false) => "port 25 is reachable again",
            };
            tracing::warn!(
                cause = ?cause,
                began,
                monitors,
                event_id,
                "{what}: {monitors} monitor(s) {}",
                if *began { "can't be checked from here" } else { "checked again" }
            );
        }
        EngineEvent::Finding(finding) => {
            let message = finding.message();
            let monitor = finding.name.as_str();
            let event_id = finding.event_id;
            if finding.notify {
                tracing::warn!(monitor, event_id, "{message}");
            } else {
                tracing::info!(monitor, event_id, "{message}");
            }
        }
        EngineEvent::History { message } => tracing::warn!("history: {message}"),
        EngineEvent::Result { .. } => {}
    }
}
