//! The coordinator: the engine's state, owned by one task. It takes probe results from the
//! monitor tasks and commands from the shells, runs each result through the suspend detector,
//! offline detection, port-25 block detection (with its control probes) and the monitor's alert
//! state machine, and sends out events, history rows and — coalesced over a short delay that
//! grows with the number of monitors — snapshots. A local cause (offline, blocked) is one
//! [`EngineEvent::LocalCause`] for all the monitors it touches, and one history row. A mail
//! domain's report also goes past its baseline (the `drift` module) before it is judged.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinError;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::control_runs::ControlRuns;
use super::history_queue::HistoryQueue;
use super::monitors::Monitors;
use super::options::{EngineOptions, WallClock};
use super::publish::Publish;
use super::tasks::Tasks;
use crate::awake_clock::AwakeClock;
use crate::config::Config;
use crate::connectivity::{Connectivity, Edge};
use crate::control::ControlReport;
use crate::drift::{told_by_finding, DomainWatch, Finding};
use crate::egress::{is_connect_failure, Egress, SMTP_PORT};
use crate::failure::FailureKind;
use crate::handle::{Command, EngineEvent};
use crate::history::{BaselineRecord, CauseRecord, HistoryItem, ResultRecord};
use crate::model::{LocalCause, MonitorId, StateChange};
use crate::monitor::Observation;
use crate::probe::ProbeReport;
use crate::scheduler::{stagger, ProbeDone};
use crate::snapshot::Snapshot;
use crate::status::Status;
use crate::suspend::{Sample, SuspendDetector};

/// The grey status a report puts its monitor in without a verdict, and why: no target with a
/// route from here (unless the whole machine is `offline`, which explains more), or a mail
/// domain that takes no mail (a null MX: nothing was probed). Neither alerts anybody.
fn unjudged(report: &ProbeReport, offline: bool) -> Option<(Status, &str)> {
    let reason = |default| report.reason.as_deref().unwrap_or(default);
    if report.no_route() && !offline {
        return Some((Status::NoRoute, reason(NO_ROUTE_REASON)));
    }
    let null_mx = report.failure.as_ref().map(|f| f.kind) == Some(FailureKind::NullMx);
    null_mx.then(|| (Status::NoMail, reason(NO_MAIL_REASON)))
}

/// Why a monitor shows `no_route` when its report gives no reason.
const NO_ROUTE_REASON: &str = "no address of the host has a route from here";

/// Why a mail domain shows `no_mail` when its report gives no reason.
const NO_MAIL_REASON: &str = "the domain publishes a null MX (RFC 7505): it takes no mail";

/// At most one "check everything" per this long when a lone network failure needs a second
/// opinion.
const SECOND_OPINION_EVERY: Duration = Duration::from_secs(60);

pub(super) struct Coordinator {
    clock: WallClock,
    tasks: Tasks,
    monitors: Monitors,
    connectivity: Connectivity,
    egress: Egress,
    control: ControlRuns,
    suspend: SuspendDetector,
    awake: AwakeClock,
    paused_until: Option<DateTime<Utc>>,
    events: broadcast::Sender<EngineEvent>,
    history: HistoryQueue,
    notice: Option<String>,
    publish: Publish,
    last_second_opinion: Option<Instant>,
    /// Each mail domain's baseline, by monitor.
    domains: HashMap<MonitorId, DomainWatch>,
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
            egress: Egress::default(),
            control: ControlRuns::default(),
            suspend: SuspendDetector::default(),
            awake: AwakeClock::new(),
            paused_until: None,
            events,
            history,
            notice,
            publish: Publish::new(),
            last_second_opinion: None,
            domains: HashMap::new(),
        };
        if let Some(message) = &c.notice {
            let _ = c.events.send(EngineEvent::History {
                message: message.clone(),
            });
        }
        c
    }

    /// Takes the mail domains' baselines the history kept.
    pub(crate) fn adopt_baselines(&mut self, baselines: Vec<BaselineRecord>) {
        for b in baselines {
            self.domains
                .insert(b.monitor, DomainWatch::from_json(&b.body));
        }
    }

    fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Reads the clocks the suspend detector compares.
    fn clocks(&self) -> Sample {
        Sample {
            wall: self.now(),
            awake: self.awake.now(),
            at: Instant::now(),
        }
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

    /// True while monitor tasks or control probes run.
    pub(crate) fn has_tasks(&self) -> bool {
        !self.tasks.is_empty() || self.control.pending()
    }

    /// Waits for a monitor task to end or control probes to come back, and takes it in. Only
    /// while [`Self::has_tasks`].
    pub(crate) async fn next_task_end(&mut self) {
        tokio::select! {
            Some(joined) = self.control.next(), if self.control.pending() => {
                self.control_done(joined);
            }
            Some(joined) = self.tasks.join_next(), if !self.tasks.is_empty() => {
                if let Err(e) = joined {
                    tracing::error!(error = %e, "a monitor task ended abnormally");
                }
            }
        }
    }

    /// Cancels every monitor task and control probe, and waits for all of them.
    pub(crate) async fn stop_tasks(&mut self) {
        self.tasks.stop_all().await;
        self.control.stop().await;
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
        snapshot.blocked = self.egress.blocked();
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
        let was_blocked = self.egress.blocked();
        self.tasks.set_domain_settings(&config);
        self.control.set_hosts(config.control.hosts);
        let changed = self.monitors.reconcile(config.monitors, now);
        for id in &changed.removed {
            self.connectivity.remove(id);
            self.egress.remove(id);
        }
        let count = changed.starting.len();
        for (index, id) in changed.starting.into_iter().enumerate() {
            self.start_task(&id, index, count);
        }
        // Adding or removing monitors can tip the balance too.
        let mut local = Vec::new();
        match (was_offline, self.connectivity.offline()) {
            (false, true) => local.extend(self.went_offline(now)),
            (true, false) => self.back_online(),
            _ => {}
        }
        match (was_blocked, self.egress.blocked()) {
            (false, true) => local.extend(self.blocked_began(now)),
            (true, false) => self.blocked_ended(),
            _ => {}
        }
        for change in local {
            self.state_changed(change);
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
            self.egress.remove(id);
            return;
        }
        self.connectivity.add(id.clone());
        self.egress.add(id.clone(), entry.config.spec.port);
        let first_delay = stagger(index, count, entry.config.interval);
        self.tasks.start(entry, generation, first_delay);
    }

    /// Takes in one finished probe: suspend and offline detection, the alert state machine,
    /// then the event, the history row and any state changes.
    pub(crate) fn result(&mut self, done: ProbeDone) {
        let clocks = self.clocks();
        let now = clocks.wall;
        if let Some(resume) = self.suspend.sample(clocks) {
            self.resumed(resume.gap);
        }
        let fresh = self
            .monitors
            .get(&done.id)
            .is_some_and(|e| e.generation == done.generation && e.task.is_some());
        if !fresh {
            return;
        }
        let mut report = done.report;
        let findings = self.watch_domain(&done.id, &mut report);
        let report = Arc::new(report);
        // An address of the host that answered outweighs another that did not: the network
        // works, whatever the monitor's (worst) status.
        let failure = report.network_failure();
        let smtp = self
            .monitors
            .get(&done.id)
            .is_some_and(|e| e.config.spec.port == SMTP_PORT);
        let mut changes = Vec::new();
        let suspect = smtp && is_connect_failure(failure);
        match self.connectivity.record(&done.id, failure, suspect) {
            Edge::Began => changes.extend(self.went_offline(now)),
            Edge::Ended => self.back_online(),
            Edge::Unchanged => {}
        }
        match self.egress.record(&done.id, failure) {
            Edge::Began => changes.extend(self.blocked_began(now)),
            Edge::Ended => self.blocked_ended(),
            Edge::Unchanged => {}
        }
        if self.egress.wants_control() && self.control.start_if_due() {
            tracing::info!("every port-25 monitor fails to connect: running control probes");
        }
        let doubtful = self.connectivity.doubtful(&done.id);
        if doubtful {
            self.second_opinion();
        }
        // A port-25 monitor failing at connect is not judged while the block stands or control
        // probes are out to decide it.
        let held = self.egress.failed_at_connect(&done.id)
            && (self.egress.blocked() || self.control.pending());
        let unjudged = unjudged(&report, self.connectivity.offline());
        let suppressed = doubtful
            || held
            || unjudged.is_some()
            || self.connectivity.offline()
            || self.suspend.straddled(done.started, done.finished);
        let next_in = done.next.saturating_duration_since(Instant::now());
        let paused_until = self.paused_until;
        let blocked_reason = self.egress.reason();
        let Some(entry) = self.monitors.get_mut(&done.id) else {
            return;
        };
        if held && self.egress.blocked() {
            changes.extend(entry.state.set_local(Status::Blocked, blocked_reason, now));
        }
        if let Some((status, reason)) = unjudged {
            changes.extend(entry.state.set_local(status, reason, now));
        }
        let observation = Observation {
            verdict: report.status,
            reason: report.reason.clone(),
            at: report.checked_at,
            suppressed,
            quiet: told_by_finding(&report),
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
        self.tell(findings);
        self.mark_dirty();
    }

    /// Stores and sends a mail domain's findings.
    fn tell(&self, findings: Vec<Finding>) {
        for finding in findings {
            tracing::debug!(
                monitor = %finding.monitor,
                event_id = finding.event_id,
                "{}",
                finding.message()
            );
            self.record(finding.clone().into());
            let _ = self.events.send(EngineEvent::Finding(finding));
        }
    }

    /// Runs a mail domain's report past its baseline: the findings to tell (the baseline, when
    /// it changed, goes to the history), and the report's amber for a STARTTLS that vanished.
    fn watch_domain(&mut self, id: &MonitorId, report: &mut ProbeReport) -> Vec<Finding> {
        let Some(entry) = self.monitors.get(id).filter(|e| e.config.spec.mail_domain) else {
            return Vec::new();
        };
        let watch = self.domains.entry(id.clone()).or_default();
        let config = &entry.config;
        let observed = watch.observe(report, id, &config.name, &config.spec.host);
        if observed.changed {
            let body = watch.to_json();
            self.record(
                BaselineRecord {
                    monitor: id.clone(),
                    body,
                }
                .into(),
            );
        }
        observed.findings
    }

    fn went_offline(&mut self, now: DateTime<Utc>) -> Vec<StateChange> {
        let mut changes = Vec::new();
        for entry in self.monitors.iter_mut() {
            changes.extend(entry.state.set_offline(now));
            entry.refresh_view();
        }
        self.local_cause(LocalCause::Offline, true, self.connectivity.len());
        changes
    }

    fn back_online(&mut self) {
        let monitors = self.shown(Status::Offline);
        self.local_cause(LocalCause::Offline, false, monitors);
        self.check_all();
    }

    /// Outbound port 25 is blocked here: every port-25 monitor is `blocked`.
    fn blocked_began(&mut self, now: DateTime<Utc>) -> Vec<StateChange> {
        let reason = self.egress.reason();
        let ids: Vec<MonitorId> = self.egress.smtp_monitors().cloned().collect();
        let mut changes = Vec::new();
        for id in &ids {
            if let Some(entry) = self.monitors.get_mut(id) {
                changes.extend(entry.state.set_local(Status::Blocked, reason, now));
                entry.refresh_view();
            }
        }
        self.local_cause(LocalCause::Blocked, true, ids.len());
        changes
    }

    /// Port 25 is reachable again: re-probe every monitor so none lingers in `blocked`.
    fn blocked_ended(&mut self) {
        let monitors = self.shown(Status::Blocked);
        self.local_cause(LocalCause::Blocked, false, monitors);
        self.check_all();
    }

    /// How many monitors are in `status` now.
    fn shown(&self, status: Status) -> usize {
        self.monitors
            .iter()
            .filter(|e| e.state.status() == status)
            .count()
    }

    fn local_cause(&mut self, cause: LocalCause, began: bool, monitors: usize) {
        let event_id = cause.event(began).code();
        tracing::debug!(?cause, began, monitors, event_id, "local cause");
        self.record(CauseRecord::new(self.now(), cause, began, monitors).into());
        let _ = self.events.send(EngineEvent::LocalCause {
            cause,
            began,
            monitors,
            event_id,
        });
        self.mark_dirty();
    }

    /// The control probes came back: their verdict decides a suspected port-25 block.
    fn control_done(&mut self, joined: Result<ControlReport, JoinError>) {
        let report = match joined {
            Ok(report) => report,
            Err(e) => {
                tracing::error!(error = %e, "control probes ended abnormally");
                return;
            }
        };
        tracing::info!(verdict = %report.verdict, hosts = ?report.hosts, "control probes");
        let now = self.now();
        match self.egress.control(report.verdict) {
            Edge::Began => {
                for change in self.blocked_began(now) {
                    self.state_changed(change);
                }
            }
            Edge::Ended => self.blocked_ended(),
            Edge::Unchanged => {}
        }
        self.mark_dirty();
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

    /// Compares the wall clock with the awake clock to notice a resume from suspend.
    pub(crate) fn check_clock(&mut self) {
        if let Some(resume) = self.suspend.sample(self.clocks()) {
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
