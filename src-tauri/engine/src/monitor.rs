//! The per-monitor alert state machine (DESIGN.md §3, issue 3 item 3), pure: verdicts, the alert
//! policy, the mute in effect and the wall clock come in as arguments; [`StateChange`] events
//! come out. Modelled on gatus `watchdog/alerting.go` (thresholds, reminders), with ELM's
//! "act on every failure" mode.
//!
//! The rules, precisely:
//! - **Streaks.** Each counted verdict updates three consecutive counts: Success, Failed, and
//!   Warning-*or-worse* — a Failed probe also counts toward Warning, so a server alternating
//!   slow and dead answers is confirmed degraded rather than never confirmed at all. A run made
//!   of failures only is judged by `failed_after` alone (with `failed_after = 3`, two failures
//!   do not raise a Warning): Warning confirmation needs at least one Warning in its run.
//! - **First verdict.** From Unknown (and from Offline) the first verdict is shown at once, but a
//!   Failed or Warning shown that way alerts only once its confirmations are in; that later
//!   alert is a [`ChangeKind::Repeated`] event (same status, people told now).
//! - **Confirmations.** Failed after `failed_after` consecutive Failed verdicts; Warning after
//!   `warning_after` consecutive Warning-or-worse verdicts (a confirmed Failed wins); a confirmed
//!   Warning after Failed is a change too (the server answers again, slowly) and alerts. One
//!   Success recovers; the recovery alerts iff `on_recovery` and something was alerted since the
//!   monitor last was Success (the "episode"). Zero thresholds count as one.
//! - **Every failure** (ELM): Failed needs one verdict, and every further Failed verdict alerts.
//! - **Reminders**: while Failed, a Failed verdict alerts again once `repeat_every` has passed
//!   since the last alert. Reminders and every-failure repeats follow Failed verdicts only.
//! - **Mute.** While snoozed or paused nothing alerts: status changes are still emitted (with
//!   `alert = false`, for history) but the alert-only Repeated events are not. A mute ends at
//!   its `until` instant (exclusive). A bad status that was never announced because of the mute
//!   is announced (Repeated) by the first confirming verdict after the mute ends — a snooze must
//!   not swallow an outage that outlives it.
//! - **Suppressed** observations (the probe straddled a suspend, or the machine is offline)
//!   change nothing at all: no streak, no status, no last verdict. History still stores them.
//! - **Offline.** The engine calls [`MonitorState::set_offline`] for every monitor when
//!   [`crate::connectivity::Connectivity`] reports the machine offline, and marks observations
//!   made while offline as suppressed. Offline resets the streaks (failures while offline never
//!   count) and emits a change to Offline with no event id and no alert. There is no
//!   `set_online`: the next counted verdict is adopted at once, as from Unknown. It alerts on
//!   recovery only when the status before going offline had been alerted.
//!
//! Times: `now` stamps events, since-when, mutes and reminders; the observation's `at` (when the
//! probe ran) is kept as the last check time.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::model::{AlertPolicy, ChangeKind, MonitorId, StateChange, Status};
use crate::verdict::Verdict;

/// The reason carried by a change to Offline.
pub const OFFLINE_REASON: &str = "this machine seems offline: every monitor fails at the network";

/// One judged probe, as the state machine sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    /// The probe's verdict.
    pub verdict: Verdict,
    /// Why it is not Success.
    pub reason: Option<String>,
    /// When the probe ran (wall clock).
    pub at: DateTime<Utc>,
    /// The probe straddled a suspend or the machine is offline: it changes nothing.
    pub suppressed: bool,
}

/// The mutes in effect for one monitor: its own snooze and the global pause. Each ends at its
/// `until` (exclusive).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mute {
    /// This monitor's alerts are snoozed until then.
    pub snoozed_until: Option<DateTime<Utc>>,
    /// Every alert is paused until then.
    pub paused_until: Option<DateTime<Utc>>,
}

impl Mute {
    /// Snoozes until `until`.
    pub fn snooze(&mut self, until: DateTime<Utc>) {
        self.snoozed_until = Some(until);
    }

    /// Lifts the snooze.
    pub fn unsnooze(&mut self) {
        self.snoozed_until = None;
    }

    /// True while the snooze lasts.
    pub fn is_snoozed(&self, now: DateTime<Utc>) -> bool {
        self.snoozed_until.is_some_and(|until| now < until)
    }

    /// True while the global pause lasts.
    pub fn is_paused(&self, now: DateTime<Utc>) -> bool {
        self.paused_until.is_some_and(|until| now < until)
    }

    /// True when nothing may alert.
    pub fn is_muted(&self, now: DateTime<Utc>) -> bool {
        self.is_snoozed(now) || self.is_paused(now)
    }
}

/// Consecutive verdict counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Streaks {
    /// Consecutive Success verdicts.
    pub success: u32,
    /// Consecutive Warning-or-Failed verdicts.
    pub warning: u32,
    /// Consecutive Failed verdicts.
    pub failed: u32,
}

/// Progress toward a confirmation, for the UI: "failing 1 of 2".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pending {
    /// Failed or Warning.
    pub toward: Status,
    /// Consecutive verdicts so far.
    pub count: u32,
    /// Consecutive verdicts needed.
    pub needed: u32,
}

impl fmt::Display for Pending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.toward == Status::Failed {
            "failing"
        } else {
            "warning"
        };
        write!(f, "{what} {} of {}", self.count, self.needed)
    }
}

/// The confirmations a policy asks for.
#[derive(Clone, Copy)]
struct Needs {
    failed: u32,
    warning: u32,
}

impl Needs {
    fn of(policy: &AlertPolicy) -> Self {
        let failed = if policy.every_failure {
            1
        } else {
            policy.failed_after.max(1)
        };
        Self {
            failed,
            warning: policy.warning_after.max(1),
        }
    }
}

/// One monitor's alerting state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitorState {
    id: MonitorId,
    name: String,
    status: Status,
    since: DateTime<Utc>,
    last_verdict: Option<Verdict>,
    last_reason: Option<String>,
    last_at: Option<DateTime<Utc>>,
    streaks: Streaks,
    /// The current Failed/Warning status has been alerted.
    announced: bool,
    /// Something was alerted since the monitor last was Success.
    episode_alerted: bool,
    last_alert: Option<DateTime<Utc>>,
}

impl MonitorState {
    /// A monitor not probed yet: Unknown since `now`.
    pub fn new(id: MonitorId, name: impl Into<String>, now: DateTime<Utc>) -> Self {
        Self {
            id,
            name: name.into(),
            status: Status::Unknown,
            since: now,
            last_verdict: None,
            last_reason: None,
            last_at: None,
            streaks: Streaks::default(),
            announced: false,
            episode_alerted: false,
            last_alert: None,
        }
    }

    /// Takes in one judged probe; returns the events it causes (at most one today).
    pub fn observe(
        &mut self,
        obs: &Observation,
        policy: &AlertPolicy,
        mute: &Mute,
        now: DateTime<Utc>,
    ) -> Vec<StateChange> {
        if obs.suppressed {
            return Vec::new();
        }
        self.count(obs);
        let needs = Needs::of(policy);
        let failed_ok = self.streaks.failed >= needs.failed;
        // A run of failures alone is judged by `failed_after`; it takes a Warning among them.
        let warning_ok =
            self.streaks.warning >= needs.warning && self.streaks.warning > self.streaks.failed;
        let muted = mute.is_muted(now);
        let reason = obs.reason.clone();
        if let Some(to) = self.target(obs.verdict, failed_ok, warning_ok) {
            let alert = !muted
                && match to {
                    Status::Success => policy.on_recovery && self.episode_alerted,
                    Status::Failed => failed_ok,
                    Status::Warning => warning_ok,
                    Status::Unknown | Status::Offline => false,
                };
            return vec![self.emit(to, ChangeKind::Changed, reason, alert, now)];
        }
        if !muted && self.repeat_due(obs.verdict, policy, failed_ok, warning_ok, now) {
            return vec![self.emit(self.status, ChangeKind::Repeated, reason, true, now)];
        }
        Vec::new()
    }

    /// The machine went offline: show Offline and forget the streaks. `None` when already
    /// Offline.
    pub fn set_offline(&mut self, now: DateTime<Utc>) -> Option<StateChange> {
        if self.status == Status::Offline {
            return None;
        }
        self.streaks = Streaks::default();
        Some(self.emit(
            Status::Offline,
            ChangeKind::Changed,
            Some(OFFLINE_REASON.to_owned()),
            false,
            now,
        ))
    }

    fn count(&mut self, obs: &Observation) {
        self.last_verdict = Some(obs.verdict);
        self.last_reason.clone_from(&obs.reason);
        self.last_at = Some(obs.at);
        let s = &mut self.streaks;
        let bump = |n: u32| n.saturating_add(1);
        *s = match obs.verdict {
            Verdict::Success => Streaks {
                success: bump(s.success),
                warning: 0,
                failed: 0,
            },
            Verdict::Warning => Streaks {
                success: 0,
                warning: bump(s.warning),
                failed: 0,
            },
            Verdict::Failed => Streaks {
                success: 0,
                warning: bump(s.warning),
                failed: bump(s.failed),
            },
        };
    }

    /// The status this verdict moves the monitor to, if it changes.
    fn target(&self, verdict: Verdict, failed_ok: bool, warning_ok: bool) -> Option<Status> {
        let to = match (self.status, verdict) {
            (Status::Unknown | Status::Offline, v) => Status::from(v),
            (_, Verdict::Success) => Status::Success,
            (_, Verdict::Failed) if failed_ok => Status::Failed,
            (Status::Success, Verdict::Failed) | (_, Verdict::Warning) if warning_ok => {
                Status::Warning
            }
            _ => return None,
        };
        (to != self.status).then_some(to)
    }

    /// True when an unchanged bad status should alert now.
    fn repeat_due(
        &self,
        verdict: Verdict,
        policy: &AlertPolicy,
        failed_ok: bool,
        warning_ok: bool,
        now: DateTime<Utc>,
    ) -> bool {
        match (self.status, verdict) {
            (Status::Failed, Verdict::Failed) if !self.announced => failed_ok,
            (Status::Failed, Verdict::Failed) if policy.every_failure => true,
            (Status::Failed, Verdict::Failed) => policy.repeat_every.is_some_and(|every| {
                self.last_alert
                    .is_some_and(|last| (now - last).to_std().is_ok_and(|e| e >= every))
            }),
            (Status::Warning, Verdict::Warning | Verdict::Failed) => !self.announced && warning_ok,
            _ => false,
        }
    }

    fn emit(
        &mut self,
        to: Status,
        kind: ChangeKind,
        reason: Option<String>,
        alert: bool,
        now: DateTime<Utc>,
    ) -> StateChange {
        let from = self.status;
        if kind == ChangeKind::Changed {
            self.status = to;
            self.since = now;
            self.announced = false;
            if to == Status::Success {
                self.episode_alerted = false;
            }
        }
        if alert {
            self.last_alert = Some(now);
            if matches!(to, Status::Failed | Status::Warning) {
                self.announced = true;
                self.episode_alerted = true;
            }
        }
        StateChange {
            monitor: self.id.clone(),
            name: self.name.clone(),
            at: now,
            event_id: to.event_id(),
            from,
            to,
            kind,
            reason,
            alert,
        }
    }

    /// Progress toward confirming Failed or Warning, when the last verdict is not confirmed yet.
    pub fn pending(&self, policy: &AlertPolicy) -> Option<Pending> {
        let needs = Needs::of(policy);
        let s = self.streaks;
        match self.last_verdict? {
            Verdict::Failed if s.failed < needs.failed => Some(Pending {
                toward: Status::Failed,
                count: s.failed,
                needed: needs.failed,
            }),
            Verdict::Warning if s.warning < needs.warning => Some(Pending {
                toward: Status::Warning,
                count: s.warning,
                needed: needs.warning,
            }),
            _ => None,
        }
    }

    /// The monitor's id.
    pub fn id(&self) -> &MonitorId {
        &self.id
    }

    /// The name events carry.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Renames the monitor (a config change); its state stays.
    pub fn set_name(&mut self, name: impl Into<String>) {
        self.name = name.into();
    }

    /// The status shown.
    pub fn status(&self) -> Status {
        self.status
    }

    /// When the monitor entered its status.
    pub fn since(&self) -> DateTime<Utc> {
        self.since
    }

    /// The last counted verdict.
    pub fn last_verdict(&self) -> Option<Verdict> {
        self.last_verdict
    }

    /// The last counted verdict's reason.
    pub fn last_reason(&self) -> Option<&str> {
        self.last_reason.as_deref()
    }

    /// When the last counted probe ran.
    pub fn last_checked(&self) -> Option<DateTime<Utc>> {
        self.last_at
    }

    /// When people were last told about this monitor.
    pub fn last_alert(&self) -> Option<DateTime<Utc>> {
        self.last_alert
    }

    /// The consecutive counts.
    pub fn streaks(&self) -> Streaks {
        self.streaks
    }
}

/// One monitor as the worst-status fold sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown {
    /// Its status.
    pub status: Status,
    /// False for a disabled monitor.
    pub enabled: bool,
    /// True while its snooze lasts.
    pub snoozed: bool,
}

/// The tray's status: the most severe ([`Status::severity`]) over the enabled, non-snoozed
/// monitors; Unknown (grey) when there are none. A global pause does not hide a monitor: it
/// silences alerts, not the picture.
pub fn worst(monitors: impl IntoIterator<Item = Shown>) -> Status {
    monitors
        .into_iter()
        .filter(|m| m.enabled && !m.snoozed)
        .map(|m| m.status)
        .max_by_key(|s| s.severity())
        .unwrap_or(Status::Unknown)
}

#[cfg(test)]
mod tests;
