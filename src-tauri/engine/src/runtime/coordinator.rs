//! The coordinator: the engine's state, owned by one task. It takes probe results from the
//! monitor tasks and commands from the shells, runs each result through the suspend detector,
//! offline detection and the monitor's alert state machine, and sends out events, history rows
//! and — coalesced over a short delay that grows with the number of monitors — snapshots.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinError;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::history_queue::HistoryQueue;
use super::monitors::Monitors;
use super::options::{EngineOptions, WallClock};
use super::publish::Publish;
use super::tasks::Tasks;
use crate::config::Config;
use crate::connectivity::{Connectivity, Edge};
use crate::handle::{Command, EngineEvent};
use crate::history::{HistoryItem, ResultRecord};
use crate::model::{MonitorId, StateChange};
use crate::monitor::Observation;
use crate::scheduler::{stagger, ProbeDone};
use crate::snapshot::Snapshot;
use crate::suspend::SuspendDetector;

/// At most one "check everything" per this long when a lone network failure needs a second
/// opinion.
const SECOND_OPINION_EVERY: Duration = Duration::from_secs(60);

pub(super) struct Coordinator {
    clock: WallClock,
    tasks: Tasks,
    monitors: Monitors,
    connectivity: Connectivity,
    suspend: SuspendDetector,
    paused_until: Option<DateTime<Utc>>,
    events: broadcast::Sender<EngineEvent>,
    history: HistoryQueue,
    notice: Option<String>,
    publish: Publish,
    last_second_opinion: Option<Instant>,
}

impl Coordinator {
    /// A coordinator with no monitors yet. Monitor tasks send their results to `results` and stop
    /// with `shutdown`. A `notice` (a damaged history file moved aside, or no history at all) is
    /// told to whoever listens at once (the agent logs it; the snapshot keeps it for the window).
    pub(crate) fn new(
        options: &EngineOptions,
        results: mpsc::Sender<ProbeDone>,
        shutdown: &CancellationToken,
        events: broadcast::Sender<EngineEvent>,
        history: HistoryQueue,
        notice: Option<String>,
    ) -> Self {
        let c = Self {
            clock: options.clock.clone(),
            tasks: Tasks::new(options, results, shutdown),
            monitors: Monitors::default(),
            connectivity: Connectivity::new(),
            suspend: SuspendDetector::default(),
            paused_until: None,
            events,
            history,
            notice,
            publish: Publish::new(),
            last_second_opinion: None,
        };
        if let Some(message) = &c.notice {
            let _ = c.events.send(EngineEvent::History {
                message: message.clone(),
            });
        }
        c
    }

    fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    fn mark_dirty(&mut self) {
        self.publish.mark(self.monitors.len());
    }

    /// True while a change waits to be published.
    pub(crate) fn publish_due(&self) -> bool {
        self.publish.is_dirty()
    }

    /// When the waiting change is to be published.
    pub(crate) fn publish_at(&self) -> Instant {
        self.publish.at()
    }

    /// The snapshot went out.
    pub(crate) fn published(&mut self) {
        self.publish.done();
    }

    /// True while monitor tasks run.
    pub(crate) fn has_tasks(&self) -> bool {
        !self.tasks.is_empty()
    }

    /// Waits for a monitor task to end.
    pub(crate) async fn next_task_end(&mut self) -> Option<Result<(), JoinError>> {
        self.tasks.join_next().await
    }

    /// Cancels every monitor task and waits for all of them.
    pub(crate) async fn stop_tasks(&mut self) {
        self.tasks.stop_all().await;
    }

    /// The picture of now.
    pub(crate) fn snapshot(&self) -> Snapshot {
        let views = self.monitors.iter().map(|e| e.view.clone()).collect();
        let mut snapshot = Snapshot::new(
            views,
            self.connectivity.offline(),
            self.paused_until,
            self.now(),
        );
        snapshot.notice.clone_from(&self.notice);
        snapshot
    }

    /// Carries out a command from a shell.
    pub(crate) fn command(&mut self, command: Command) {
        match command {
            Command::Apply(config) => self.apply(*config),
            Command::CheckNow(Some(id)) => {
                if let Some(task) = self.monitors.get(&id).and_then(|e| e.task.as_ref()) {
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
        if let Some(entry) = self.monitors.get_mut(id) {
            entry.snoozed_until = until;
            entry.refresh_view();
            self.mark_dirty();
        }
    }

    fn check_all(&self) {
        for task in self.monitors.iter().filter_map(|e| e.task.as_ref()) {
            task.check_now.notify_one();
        }
    }

    /// Switches to `config`: unchanged monitors keep running; changed ones restart (and probe
    /// at once); new ones start staggered; removed ones stop.
    pub(crate) fn apply(&mut self, config: Config) {
        let now = self.now();
        let was_offline = self.connectivity.offline();
        let changed = self.monitors.reconcile(config.monitors, now);
        for id in &changed.removed {
            self.connectivity.remove(id);
        }
        let count = changed.starting.len();
        for (index, id) in changed.starting.into_iter().enumerate() {
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
        let generation = self.tasks.next_generation();
        let Some(entry) = self.monitors.get_mut(id) else {
            return;
        };
        if !entry.config.enabled {
            self.connectivity.remove(id);
            return;
        }
        self.connectivity.add(id.clone());
        let first_delay = stagger(index, count, entry.config.interval);
        self.tasks.start(entry, generation, first_delay);
    }

    /// Takes in one finished probe: suspend and offline detection, the alert state machine,
    /// then the event, the history row and any state changes.
    pub(crate) fn result(&mut self, done: ProbeDone) {
        let now = self.now();
        if let Some(resume) = self.suspend.sample(now, Instant::now()) {
            self.resumed(resume.gap);
        }
        let fresh = self
            .monitors
            .get(&done.id)
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
        // No target with a route from here: nothing was judged; the monitor shows NoRoute (grey,
        // no alert) unless the whole machine is offline, which explains more.
        let no_route = report.no_route() && !self.connectivity.offline();
        let suppressed = doubtful
            || no_route
            || self.connectivity.offline()
            || self.suspend.straddled(done.started, done.finished);
        let next_in = done.next.saturating_duration_since(Instant::now());
        let paused_until = self.paused_until;
        let Some(entry) = self.monitors.get_mut(&done.id) else {
            return;
        };
        if no_route {
            changes.extend(entry.state.set_no_route(report.reason.clone(), now));
        }
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
        for target in ResultRecord::of_targets(&done.id, &report) {
            self.record(target.into());
        }
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
        for entry in self.monitors.iter_mut() {
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

    fn record(&self, item: HistoryItem) {
        self.history.record(item);
    }

    /// Compares the wall clock with the monotonic clock to notice a resume from suspend.
    pub(crate) fn check_clock(&mut self) {
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
