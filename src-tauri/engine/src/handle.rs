//! How the shells talk to a running engine: commands in (mpsc), the latest snapshot out (watch),
//! events out (broadcast). The desktop app and the agent use nothing else.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::drift::Finding;
use crate::history::HistoryReader;
use crate::model::{LocalCause, MonitorId, StateChange};
use crate::probe::ProbeReport;
use crate::snapshot::Snapshot;

/// What the engine can be asked to do.
#[derive(Debug)]
pub enum Command {
    /// Switch to a new configuration; unchanged monitors keep running undisturbed.
    Apply(Box<Config>),
    /// Probe one monitor now, or every enabled one.
    CheckNow(Option<MonitorId>),
    /// Mute a monitor's alerts until a time (`None`: until resumed); unsnooze with `Unsnooze`.
    Snooze {
        /// Which monitor.
        id: MonitorId,
        /// Until when; `None` for until resumed.
        until: Option<DateTime<Utc>>,
    },
    /// Lift a snooze.
    Unsnooze(MonitorId),
    /// Pause every alert until a time (`Some(far future)` for until resumed); `None` resumes.
    PauseAlerts(Option<DateTime<Utc>>),
}

/// What the engine tells its listeners.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum EngineEvent {
    /// A probe finished.
    Result {
        /// Which monitor.
        monitor: MonitorId,
        /// Its name.
        name: String,
        /// The report.
        report: Arc<ProbeReport>,
        /// How late the probe started against its plan (waiting for a permit included).
        #[serde(serialize_with = "crate::probe::report::ms")]
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        lag: std::time::Duration,
    },
    /// A monitor's status changed (or a reminder is due); `alert` says whether to tell people.
    StateChanged(StateChange),
    /// The machine resumed from a suspend of about this many seconds; every monitor is re-probed.
    Resumed {
        /// Length of the gap in seconds.
        gap_s: f64,
    },
    /// A cause on this side began or ended: the machine lost its network, or outbound port 25
    /// is blocked here. One event for every monitor it touches, which are not judged meanwhile.
    LocalCause {
        /// Which cause.
        cause: LocalCause,
        /// True when it began, false when it ended.
        began: bool,
        /// How many monitors it keeps from being judged (when it began) or lets go (ended).
        monitors: usize,
        /// Its event id (5520–5523).
        event_id: u16,
    },
    /// Something a mail domain's servers offer changed: its MX set, or what an MX host ×
    /// address offers (events 5530–5532).
    Finding(Finding),
    /// A problem with the history database that the engine worked around.
    History {
        /// What happened, for people (e.g. the file moved aside).
        message: String,
    },
}

/// The engine's side of the channels, given to the coordinator.
#[derive(Debug)]
pub(crate) struct EngineChannels {
    pub commands: mpsc::Receiver<Command>,
    pub snapshot: watch::Sender<Arc<Snapshot>>,
    pub events: broadcast::Sender<EngineEvent>,
    pub shutdown: CancellationToken,
}

/// A running engine. Dropping it without [`EngineHandle::shutdown`] cancels the engine but does
/// not wait for it.
#[derive(Debug)]
pub struct EngineHandle {
    commands: mpsc::Sender<Command>,
    snapshot: watch::Receiver<Arc<Snapshot>>,
    events: broadcast::Sender<EngineEvent>,
    shutdown: CancellationToken,
    task: Option<JoinHandle<()>>,
    history: Option<HistoryReader>,
}

/// Makes receivers of a running engine's events; cheap to clone, and holds none of them (a
/// receiver kept unread would keep the channel's last events alive).
#[derive(Debug, Clone)]
pub struct EventSubscriber(broadcast::WeakSender<EngineEvent>);

impl EventSubscriber {
    /// A receiver of every event from now on; `None` once the engine is gone.
    pub fn subscribe(&self) -> Option<broadcast::Receiver<EngineEvent>> {
        self.0.upgrade().map(|events| events.subscribe())
    }
}

/// Capacity of the event channel; a listener that falls further behind is told it lagged.
const EVENT_CAPACITY: usize = 4096;

impl EngineHandle {
    /// Creates the channels: the handle, and the engine's side.
    pub(crate) fn channels(history: Option<HistoryReader>) -> (Self, EngineChannels) {
        let (commands_tx, commands_rx) = mpsc::channel(256);
        let (snapshot_tx, snapshot_rx) = watch::channel(Arc::new(Snapshot::default()));
        let (events_tx, _) = broadcast::channel(EVENT_CAPACITY);
        let shutdown = CancellationToken::new();
        let handle = Self {
            commands: commands_tx,
            snapshot: snapshot_rx,
            events: events_tx.clone(),
            shutdown: shutdown.clone(),
            task: None,
            history,
        };
        let inner = EngineChannels {
            commands: commands_rx,
            snapshot: snapshot_tx,
            events: events_tx,
            shutdown,
        };
        (handle, inner)
    }

    pub(crate) fn attach(&mut self, task: JoinHandle<()>) {
        self.task = Some(task);
    }

    /// Sends a command; false when the engine has stopped.
    pub async fn send(&self, command: Command) -> bool {
        self.commands.send(command).await.is_ok()
    }

    /// The latest snapshot.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.borrow().clone()
    }

    /// A receiver that wakes on every new snapshot.
    pub fn watch(&self) -> watch::Receiver<Arc<Snapshot>> {
        self.snapshot.clone()
    }

    /// A receiver of every event from now on (see `Engine::start_subscribed` for one that misses
    /// nothing from the start).
    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.events.subscribe()
    }

    /// Makes receivers of the engine's events apart from the handle, for code that subscribes
    /// later (e.g. one per connection) and must not hold events meanwhile.
    pub fn subscriber(&self) -> EventSubscriber {
        EventSubscriber(self.events.downgrade())
    }

    /// Read access to the history, when the engine keeps one.
    pub fn history(&self) -> Option<&HistoryReader> {
        self.history.as_ref()
    }

    /// Stops every task, flushes the history, and waits for all of it.
    pub async fn shutdown(mut self) {
        self.shutdown.cancel();
        if let Some(task) = self.task.take() {
            if let Err(error) = task.await {
                tracing::error!(%error, "engine task ended abnormally");
            }
        }
    }
}

impl Drop for EngineHandle {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
