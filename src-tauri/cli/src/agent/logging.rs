//! The agent's log: `tracing` to stderr (level from `RUST_LOG`, default info), and one line per
//! state change with the monitor, the event id, the transition and the reason.

use std::io::IsTerminal;
use std::sync::Arc;

use ehlowatch_engine::{EngineEvent, EventId};
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
        EngineEvent::Connectivity { offline } => {
            let event = if *offline {
                EventId::OfflineBegan
            } else {
                EventId::OfflineEnded
            };
            tracing::warn!(offline, event_id = event.code(), "connectivity changed");
        }
        EngineEvent::History { message } => tracing::warn!("history: {message}"),
        EngineEvent::Result { .. } => {}
    }
}
