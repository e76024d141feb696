//! The coordinator: one task that owns the engine's state. It takes probe results from the
//! monitor tasks and commands from the shells, runs each result through the suspend detector,
//! offline detection and the monitor's alert state machine, and sends out events, history rows
//! and — coalesced over [`PUBLISH_DELAY`] — snapshots.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;
use tokio::time::{interval, sleep_until, Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use super::entry::Entry;
use super::{EngineOptions, WallClock};
use crate::config::{Config, MonitorConfig};
use crate::connectivity::{Connectivity, Edge};
use crate::handle::{Command, EngineChannels, EngineEvent};
use crate::history::{run_writer, HistoryItem, HistoryStore, ResultRecord, Retention};
use crate::model::{MonitorId, StateChange};
use crate::monitor::Observation;
use crate::probe::Prober;
use crate::scheduler::{run_monitor, stagger, ProbeDone, TaskContext, TaskControl, TaskPlan};
use crate::snapshot::Snapshot;
use crate::suspend::SuspendDetector;

/// How long a change waits before it is published, so a burst of results makes one snapshot.
pub const PUBLISH_DELAY: Duration = Duration::from_millis(50);
/// The publish delay per monitor, between [`PUBLISH_DELAY`] and [`MAX_PUBLISH_DELAY`]: a
/// snapshot costs O(monitors), so up to 500 monitors a change shows within 50 ms, and with
/// 10,000 (a result every 6 ms) one snapshot a second is built, not twenty.
const PUBLISH_DELAY_PER_MONITOR: Duration = Duration::from_micros(100);
/// The longest a change waits to be published.
const MAX_PUBLISH_DELAY: Duration = Duration::from_secs(1);
/// Room for history rows between two writer flushes.
const HISTORY_QUEUE: usize = 16_384;
/// At most one "check everything" per this long when a lone network failure needs a second
/// opinion.
const SECOND_OPINION_EVERY: Duration = Duration::from_secs(60);

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
    let writer_stop = CancellationToken::new();
    let (history_tx, writer) = match history {
        Some(store) => {
            let (tx, rx) = mpsc::channel(HISTORY_QUEUE);
            let retention = Retention::from_results(config.history.retention);
            (
                Some(tx),
                Some(tokio::spawn(run_writer(
                    store,
                    rx,
                    writer_stop.clone(),
                    retention,
                ))),
            )
        }
        None => (None, None),
    };
    let mut c = Coordinator {
        clock: options.clock.clone(),
        ctx: TaskContext {
            prober: Prober::new(),
            permits: Arc::new(Semaphore::new(options.max_concurrent_probes.max(1))),
            results: results_tx,
        },
        tasks: JoinSet::new(),
        stop_tasks: shutdown.child_token(),
        entries: Vec::new(),
        index: HashMap::new(),
        connectivity: Connectivity::new(),
        suspend: SuspendDetector::default(),
        paused_until: None,
        events,
        history: history_tx,
        notice,
        generation: 0,
        dirty: true,
        publish_at: Instant::now(),
        last_second_opinion: None,
    };
    if let Some(message) = &c.notice {
        // A damaged history file moved aside, or no history at all: tell whoever listens (the
        // agent logs it; the snapshot keeps it for the window).
        let _ = c.events.send(EngineEvent::History {
            message: message.clone(),
        });
    }
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
            () = sleep_until(c.publish_at), if c.dirty => {
                let _ = snapshot.send(Arc::new(c.snapshot()));
                c.dirty = false;
            }
            Some(joined) = c.tasks.join_next(), if !c.tasks.is_empty() => {
                if let Err(e) = joined {
                    tracing::error!(error = %e, "a monitor task ended abnormally");
                }
            }
        }
    }
    c.stop_tasks.cancel();
    while c.tasks.join_next().await.is_some() {}
    let _ = snapshot.send(Arc::new(c.snapshot()));
    drop(c);
    writer_stop.cancel();
    if let Some(writer) = writer {
        match writer.await {
            Ok(Ok(_store)) => tracing::debug!("history flushed"),
            Ok(Err(e)) => tracing::error!(error = %e, "history writer failed"),
            Err(e) => tracing::error!(error = %e, "history writer ended abnormally"),
        }
    }
}

struct Coordinator {
    clock: WallClock,
    ctx: TaskContext,
    tasks: JoinSet<()>,
    stop_tasks: CancellationToken,
    /// Every monitor in configuration order, so a snapshot is built without a lookup per monitor.
    entries: Vec<Entry>,
    /// Where each monitor sits in `entries`.
    index: HashMap<MonitorId, usize>,
    connectivity: Connectivity,
    suspend: SuspendDetector,
    paused_until: Option<DateTime<Utc>>,
    events: tokio::sync::broadcast::Sender<EngineEvent>,
    history: Option<mpsc::Sender<HistoryItem>>,
    notice: Option<String>,
    generation: u64,
    dirty: bool,
    publish_at: Instant,
    last_second_opinion: Option<Instant>,
}

impl Coordinator {
    fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    fn entry(&self, id: &MonitorId) -> Option<&Entry> {
        self.index.get(id).map(|&at| &self.entries[at])
    }

    fn entry_mut(&mut self, id: &MonitorId) -> Option<&mut Entry> {
        let at = *self.index.get(id)?;
        self.entries.get_mut(at)
    }

    fn mark_dirty(&mut self) {
        if !self.dirty {
            self.dirty = true;
            let monitors = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
            let delay = PUBLISH_DELAY.max(PUBLISH_DELAY_PER_MONITOR.saturating_mul(monitors));
            self.publish_at = Instant::now() + delay.min(MAX_PUBLISH_DELAY);
        }
    }

    fn snapshot(&self) -> Snapshot {
        let views = self.entries.iter().map(|e| e.view.clone()).collect();
        let mut snapshot = Snapshot::new(
            views,
            self.connectivity.offline(),
            self.paused_until,
            self.now(),
        );
        snapshot.notice.clone_from(&self.notice);
        snapshot
    }

    fn command(&mut self, command: Command) {
        match command {
            Command::Apply(config) => self.apply(*config),
            Command::CheckNow(Some(id)) => {
                if let Some(task) = self.entry(&id).and_then(|e| e.task.as_ref()) {
                    task.check_now.notify_one();
                }
            }
            Command::CheckNow(None) => self.check_all(),
            Command::Snooze { id, until } => {
                self.set_snooze(&id, Some(until.unwrap_or(DateTime::<Utc>::MAX_UTC)));
            }
            Command::Unsnooze(id) => self.set_snooze(&id, None),
            Command::PauseAlerts(until) => {
                self.paused_until = until;
                self.mark_dirty();
            }
        }
    }

    fn set_snooze(&mut self, id: &MonitorId, until: Option<DateTime<Utc>>) {
        if let Some(entry) = self.entry_mut(id) {
            entry.snoozed_until = until;
            entry.refresh_view();
            self.mark_dirty();
        }
    }

    fn check_all(&self) {
        for task in self.entries.iter().filter_map(|e| e.task.as_ref()) {
            task.check_now.notify_one();
        }
    }

    /// Switches to `config`: unchanged monitors keep running; changed ones restart (and probe
    /// at once); new ones start staggered; removed ones stop.
    fn apply(&mut self, config: Config) {
        let now = self.now();
        let was_offline = self.connectivity.offline();
        let mut old: HashMap<MonitorId, Entry> = std::mem::take(&mut self.entries)
            .into_iter()
            .map(|e| (e.config.id.clone(), e))
            .collect();
        let mut kept = Vec::with_capacity(config.monitors.len());
        let mut index = HashMap::with_capacity(config.monitors.len());
        let mut starting = Vec::new();
        for monitor in config.monitors {
            let id = monitor.id.clone();
            let mut entry = match old.remove(&id) {
                Some(entry) if entry.config == monitor => entry,
                Some(mut entry) => {
                    entry.stop_task();
                    entry.state.set_name(monitor.name.clone());
                    entry.config = monitor;
                    starting.push(id.clone());
                    entry
                }
                None => {
                    starting.push(id.clone());
                    Entry::new(monitor, now)
                }
            };
            entry.refresh_view();
            index.insert(id, kept.len());
            kept.push(entry);
        }
        for (id, mut gone) in old {
            gone.stop_task();
            self.connectivity.remove(&id);
        }
        self.entries = kept;
        self.index = index;
        let count = starting.len();
        for (index, id) in starting.into_iter().enumerate() {
            self.start_task(&id, index, count);
        }
        // Adding or removing monitors can tip the balance too.
        match (was_offline, self.connectivity.offline()) {
            (false, true) => {
                for change in self.went_offline(now) {
                    self.state_changed(change);
                }
            }
            (true, false) => self.back_online(),
            _ => {}
        }
        self.mark_dirty();
    }

    fn start_task(&mut self, id: &MonitorId, index: usize, count: usize) {
        self.generation += 1;
        let generation = self.generation;
        let Some(&at) = self.index.get(id) else {
            return;
        };
        let entry = &mut self.entries[at];
        if !entry.config.enabled {
            self.connectivity.remove(id);
            return;
        }
        self.connectivity.add(id.clone());
        let plan = plan_of(
            &entry.config,
            generation,
            stagger(index, count, entry.config.interval),
        );
        let control = TaskControl::child_of(&self.stop_tasks);
        entry.generation = generation;
        entry.task = Some(control.clone());
        self.tasks
            .spawn(run_monitor(plan, self.ctx.clone(), control));
    }

    fn result(&mut self, done: ProbeDone) {
        let now = self.now();
        if let Some(resume) = self.suspend.sample(now, Instant::now()) {
            self.resumed(resume.gap);
        }
        let fresh = self
            .entry(&done.id)
            .is_some_and(|e| e.generation == done.generation && e.task.is_some());
        if !fresh {
            return;
        }
        let report = Arc::new(done.report);
        let failure = report.failure.as_ref().map(|f| f.kind);
        let mut changes = Vec::new();
        match self.connectivity.record(&done.id, failure) {
            Edge::WentOffline => changes.extend(self.went_offline(now)),
            Edge::BackOnline => self.back_online(),
            Edge::Unchanged => {}
        }
        let doubtful = self.connectivity.doubtful(&done.id);
        if doubtful {
            self.second_opinion();
        }
        let suppressed = doubtful
            || self.connectivity.offline()
            || self.suspend.straddled(done.started, done.finished);
        let next_in = done.next.saturating_duration_since(Instant::now());
        let paused_until = self.paused_until;
        let Some(entry) = self.entry_mut(&done.id) else {
            return;
        };
        let observation = Observation {
            verdict: report.status,
            reason: report.reason.clone(),
            at: report.checked_at,
            suppressed,
        };
        changes.extend(entry.state.observe(
            &observation,
            &entry.config.alerts,
            &entry.mute(paused_until),
            now,
        ));
        entry.last = Some(report.clone());
        entry.next_check_at = chrono::Duration::from_std(next_in).ok().map(|d| now + d);
        entry.refresh_view();
        let name = entry.config.name.clone();
        self.record(ResultRecord::from_report(&done.id, &report).into());
        let lag = done.started.saturating_duration_since(done.planned);
        let _ = self.events.send(EngineEvent::Result {
            monitor: done.id,
            name,
            report,
            lag,
        });
        for change in changes {
            self.state_changed(change);
        }
        self.mark_dirty();
    }

    fn went_offline(&mut self, now: DateTime<Utc>) -> Vec<StateChange> {
        let _ = self
            .events
            .send(EngineEvent::Connectivity { offline: true });
        let mut changes = Vec::new();
        for entry in &mut self.entries {
            changes.extend(entry.state.set_offline(now));
            entry.refresh_view();
        }
        changes
    }

    fn back_online(&mut self) {
        let _ = self
            .events
            .send(EngineEvent::Connectivity { offline: false });
        self.check_all();
    }

    /// A lone network-level failure: ask every monitor now, at most once a minute.
    fn second_opinion(&mut self) {
        let due = self
            .last_second_opinion
            .is_none_or(|at| at.elapsed() >= SECOND_OPINION_EVERY);
        if due {
            self.last_second_opinion = Some(Instant::now());
            self.check_all();
        }
    }

    fn state_changed(&mut self, change: StateChange) {
        tracing::debug!(
            monitor = %change.monitor,
            event_id = change.event_id,
            from = %change.from,
            to = %change.to,
            alert = change.alert,
            reason = change.reason.as_deref().unwrap_or(""),
            "state change"
        );
        self.record(change.clone().into());
        let _ = self.events.send(EngineEvent::StateChanged(change));
    }

    fn record(&mut self, item: HistoryItem) {
        if let Some(history) = &self.history {
            if history.try_send(item).is_err() {
                tracing::warn!("history queue full: a row was dropped");
            }
        }
    }

    fn check_clock(&mut self) {
        if let Some(resume) = self.suspend.sample(self.now(), Instant::now()) {
            self.resumed(resume.gap);
        }
    }

    fn resumed(&mut self, gap: Duration) {
        tracing::info!(
            gap_s = gap.as_secs_f64(),
            "resumed from suspend: probing every monitor"
        );
        let _ = self.events.send(EngineEvent::Resumed {
            gap_s: gap.as_secs_f64(),
        });
        self.check_all();
    }
}

fn plan_of(config: &MonitorConfig, generation: u64, first_delay: Duration) -> TaskPlan {
    TaskPlan {
        id: config.id.clone(),
        generation,
        spec: config.spec.clone(),
        interval: config.interval,
        retry: config.retry,
        confirmations: TaskPlan::confirmations_of(&config.alerts),
        first_delay,
    }
}
