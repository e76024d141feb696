//! The coordinator's life: it takes over the engine's side of the channels, starts the history
//! writer, applies the first configuration, then serves commands, probe results, the suspend
//! check and snapshot publishing until the shutdown token fires or every handle is gone. Shutdown
//! runs in a fixed order: every monitor task is cancelled and awaited, a last snapshot goes out,
//! then the history writer drains what it was given.

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::time::{interval, sleep_until, MissedTickBehavior};

use super::coordinator::Coordinator;
use super::history_queue;
use super::options::EngineOptions;
use crate::config::Config;
use crate::handle::EngineChannels;
use crate::history::{BaselineRecord, HistoryStore, Retention};

/// Runs the coordinator until the shutdown token fires, then stops everything it owns.
pub(super) async fn run(
    config: Config,
    options: EngineOptions,
    channels: EngineChannels,
    history: Option<HistoryStore>,
    notice: Option<String>,
) {
    let EngineChannels {
        mut commands,
        snapshot,
        events,
        shutdown,
    } = channels;
    let (results_tx, mut results) = mpsc::channel(1024);
    let baselines = read_baselines(history.as_ref());
    let retention = Retention::from_results(config.history.retention);
    let (queue, drain) = history_queue::start(history, retention);
    let mut c = Coordinator::new(&options, results_tx, &shutdown, events, queue, notice);
    c.adopt_baselines(baselines);
    c.apply(config);
    let mut clock_check = interval(options.suspend_check_every);
    clock_check.set_missed_tick_behavior(MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            biased;
            () = shutdown.cancelled() => break,
            command = commands.recv() => match command {
                Some(command) => c.command(command),
                None => break,
            },
            Some(done) = results.recv() => c.result(done),
            _ = clock_check.tick() => c.check_clock(),
            () = sleep_until(c.publish_at()), if c.publish_due() => {
                let _ = snapshot.send(Arc::new(c.snapshot()));
                c.published();
            }
            () = c.next_task_end(), if c.has_tasks() => {}
        }
    }
    c.stop_tasks().await;
    let _ = snapshot.send(Arc::new(c.snapshot()));
    drop(c);
    drain.finish().await;
}

/// The mail domains' baselines the history keeps (none without a history, or when it cannot be
/// read: each domain's next probe sets a new one, without an event).
fn read_baselines(history: Option<&HistoryStore>) -> Vec<BaselineRecord> {
    let Some(store) = history else {
        return Vec::new();
    };
    store.queries().baselines().unwrap_or_else(|e| {
        tracing::warn!("mail domains' baselines cannot be read from the history: {e}");
        Vec::new()
    })
}
