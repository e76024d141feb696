//! [`MonitorState`]: one monitor's alert state machine — streaks, status, since-when, what was
//! announced — applying the rules of the parent module to each [`Observation`], and going
//! Offline when the machine loses its network.

use chrono::{DateTime, Utc};

use super::mute::Mute;
use super::streaks::{Needs, Pending, Streaks};
use crate::model::{AlertPolicy, ChangeKind, MonitorId, StateChange};
use crate::status::Status;
use crate::verdict::Verdict;

/// The reason carried by a change to Offline.
pub(crate) const OFFLINE_REASON: &str =
    "this machine seems offline: every monitor fails at the network";

/// True for a status that says the monitor was not judged: a cause on this side (no network, a
/// port-25 block, no route), or a mail domain that takes no mail (nothing to probe).
fn is_unjudged(status: Status) -> bool {
    matches!(
        status,
        Status::Offline | Status::Blocked | Status::NoRoute | Status::NoMail
    )
}

/// One judged probe, as the state machine sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Observation {
    /// The probe's verdict.
    pub verdict: Verdict,
    /// Why it is not Success.
    pub reason: Option<String>,
    /// When the probe ran (wall clock).
    pub at: DateTime<Utc>,
    /// The probe straddled a suspend or the machine is offline: it changes nothing.
    pub suppressed: bool,
    /// Its verdict was told another way (a mail domain's finding notified people once): it
    /// counts and changes the status as any other, but alerts nobody.
    pub quiet: bool,
}

/// One monitor's alerting state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MonitorState {
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
    pub(crate) fn new(id: MonitorId, name: impl Into<String>, now: DateTime<Utc>) -> Self {
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
    pub(crate) fn observe(
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
            // The first verdict after a local cause ends (or after a null MX) returns the
            // monitor to its real state quietly: the cause had one notification for every
            // monitor.
            let alert = !muted
                && !obs.quiet
                && !is_unjudged(self.status)
                && match to {
                    Status::Success => policy.on_recovery && self.episode_alerted,
                    Status::Failed => failed_ok,
                    Status::Warning => warning_ok,
                    _ => false,
                };
            return vec![self.emit(to, ChangeKind::Changed, reason, alert, now)];
        }
        if !muted && !obs.quiet && self.repeat_due(obs.verdict, policy, failed_ok, warning_ok, now)
        {
            return vec![self.emit(self.status, ChangeKind::Repeated, reason, true, now)];
        }
        Vec::new()
    }

    /// The machine went offline: show Offline and forget the streaks. `None` when already
    /// Offline.
    pub(crate) fn set_offline(&mut self, now: DateTime<Utc>) -> Option<StateChange> {
        self.set_local(Status::Offline, OFFLINE_REASON, now)
    }

    /// A cause on this side (`status` is one of offline, blocked, no route), or a domain that
    /// takes no mail, keeps the monitor from being judged: show it, forget the streaks, alert
    /// nobody. `None` when already so.
    pub(crate) fn set_local(
        &mut self,
        status: Status,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Option<StateChange> {
        debug_assert!(is_unjudged(status), "{status:?} is a judged status");
        if self.status == status {
            return None;
        }
        self.streaks = Streaks::default();
        Some(self.emit(
            status,
            ChangeKind::Changed,
            Some(reason.to_owned()),
            false,
            now,
        ))
    }

    fn count(&mut self, obs: &Observation) {
        self.last_verdict = Some(obs.verdict);
        self.last_reason.clone_from(&obs.reason);
        self.last_at = Some(obs.at);
        self.streaks = self.streaks.after(obs.verdict);
    }

    /// The status this verdict moves the monitor to, if it changes.
    fn target(&self, verdict: Verdict, failed_ok: bool, warning_ok: bool) -> Option<Status> {
        let to = match (self.status, verdict) {
            (from, v) if from.verdict().is_none() => Status::from(v),
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
    pub(crate) fn pending(&self, policy: &AlertPolicy) -> Option<Pending> {
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

    /// Renames the monitor (a config change); its state stays.
    pub(crate) fn set_name(&mut self, name: impl Into<String>) {
        self.name = name.into();
    }

    /// The status shown.
    pub(crate) fn status(&self) -> Status {
        self.status
    }

    /// When the monitor entered its status.
    pub(crate) fn since(&self) -> DateTime<Utc> {
        self.since
    }

    /// The last counted verdict.
    #[cfg(test)]
    pub(crate) fn last_verdict(&self) -> Option<Verdict> {
        self.last_verdict
    }

    /// The last counted verdict's reason.
    pub(crate) fn last_reason(&self) -> Option<&str> {
        self.last_reason.as_deref()
    }

    /// When the last counted probe ran.
    #[cfg(test)]
    pub(crate) fn last_checked(&self) -> Option<DateTime<Utc>> {
        self.last_at
    }

    /// When people were last told about this monitor.
    #[cfg(test)]
    pub(crate) fn last_alert(&self) -> Option<DateTime<Utc>> {
        self.last_alert
    }

    /// The consecutive counts.
    #[cfg(test)]
    pub(crate) fn streaks(&self) -> Streaks {
        self.streaks
    }
}
