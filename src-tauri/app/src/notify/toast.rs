//! From alert events to toasts, as pure logic. Several monitors changing within a few seconds
//! make one toast that lists them; a monitor is in at most one toast a minute (a later change
//! waits for its minute and replaces what was waiting); warnings toast only when the user wants
//! them. Urgency follows the worst change: Failed critical, QoS Warning normal, recovery low.
//!
//! A local cause (this machine offline, outbound port 25 blocked here) is one toast for all the
//! monitors it touches, after the same short wait; its end is one toast too, and only when its
//! beginning was shown — a cause that ends before its toast went out shows nothing at all.
//!
//! A mail domain's findings that people should hear of (its MX set changed, STARTTLS vanished)
//! wait the same short while and make one toast per domain.

use std::collections::HashMap;
use std::fmt::Write as _;

use ehlowatch_engine::{ChangeKind, Finding, LocalCause, MonitorId, StateChange, Status};

use super::finding_toast::finding_toast;
pub use super::message::{Toast, Urgency, COALESCE};
use super::remote_toast::RemoteToasts;
use tokio::time::{Duration, Instant};

/// The least time between two toasts naming the same monitor.
pub const PER_MONITOR: Duration = Duration::from_secs(60);

/// What a change means to the person at the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meaning {
    Failed,
    StillFailing,
    Slow,
    Recovered,
}

impl Meaning {
    fn of(change: &StateChange) -> Option<Self> {
        match (change.from, change.to, change.kind) {
            (_, Status::Failed, ChangeKind::Repeated) => Some(Self::StillFailing),
            (_, Status::Failed, ChangeKind::Changed) => Some(Self::Failed),
            (_, Status::Warning, _) => Some(Self::Slow),
            (Status::Failed | Status::Warning, Status::Success, _) => Some(Self::Recovered),
            _ => None,
        }
    }

    fn urgency(self) -> Urgency {
        match self {
            Self::Failed | Self::StillFailing => Urgency::Critical,
            Self::Slow => Urgency::Normal,
            Self::Recovered => Urgency::Low,
        }
    }

    fn title(self) -> &'static str {
        match self {
            Self::Failed => "SMTP failed",
            // A reminder, or the first alert of a failure shown at once (a first verdict).
            Self::StillFailing => "SMTP failing",
            Self::Slow => "SMTP slow",
            Self::Recovered => "SMTP recovered",
        }
    }

    fn glyph(self) -> &'static str {
        match self {
            Self::Failed | Self::StillFailing => "✕",
            Self::Slow => "!",
            Self::Recovered => "✓",
        }
    }
}

#[derive(Debug)]
struct Waiting {
    change: StateChange,
    arrived: Instant,
}

/// A local cause's beginning or end, waiting to be shown.
#[derive(Debug, Clone, Copy)]
struct LocalWaiting {
    cause: LocalCause,
    began: bool,
    monitors: usize,
    arrived: Instant,
}

/// What the desktop applies to a remote agent's alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteRules {
    /// Toasts are paused.
    pub paused: bool,
    /// The monitor is muted on this desktop.
    pub muted: bool,
    /// Toast on QoS warnings too.
    pub notify_warnings: bool,
}

/// Gathers alert events and says when a toast is due.
#[derive(Debug, Default)]
pub struct Toaster {
    waiting: Vec<Waiting>,
    last_toast: HashMap<MonitorId, Instant>,
    local: Vec<LocalWaiting>,
    /// Local causes whose beginning was shown and whose end was not yet.
    shown_local: Vec<LocalCause>,
    /// Each domain's findings waiting, with when the first arrived.
    findings: Vec<(Vec<Finding>, Instant)>,
    /// Remote sources' unreachable and replay toasts.
    remote: RemoteToasts,
}

impl Toaster {
    /// Takes an event from the engine; ignored unless it alerts and the user wants it.
    pub fn push(&mut self, change: StateChange, notify_warnings: bool, now: Instant) {
        let Some(meaning) = Meaning::of(&change) else {
            return;
        };
        if !change.alert || (meaning == Meaning::Slow && !notify_warnings) {
            return;
        }
        match self
            .waiting
            .iter_mut()
            .find(|w| w.change.monitor == change.monitor)
        {
            Some(w) => w.change = change,
            None => self.waiting.push(Waiting {
                change,
                arrived: now,
            }),
        }
    }

    /// Takes a local cause's beginning or end from the engine: `monitors` it keeps from being
    /// judged, or lets go.
    pub fn push_local(&mut self, cause: LocalCause, began: bool, monitors: usize, now: Instant) {
        if let Some(at) = self.local.iter().position(|w| w.cause == cause) {
            // The opposite edge waits unshown: the two cancel out.
            self.local.remove(at);
            return;
        }
        let shown = self.shown_local.contains(&cause);
        if began != shown {
            self.local.push(LocalWaiting {
                cause,
                began,
                monitors,
                arrived: now,
            });
        }
    }

    /// Takes a mail domain's finding from the engine; ignored unless people should hear of it.
    pub fn push_finding(&mut self, finding: Finding, now: Instant) {
        if !finding.notify {
            return;
        }
        match self
            .findings
            .iter_mut()
            .find(|(waiting, _)| waiting[0].monitor == finding.monitor)
        {
            Some((waiting, _)) => waiting.push(finding),
            None => self.findings.push((vec![finding], now)),
        }
    }

    /// Takes a remote agent's state change: its `alert` is the agent's final decision; the
    /// desktop applies only its pause (`paused`), the local mute (`muted`) and
    /// `notify_warnings`. A replayed change counts toward its source's one summary instead.
    /// The toast names the agent: `SMTP failed: dc1 / mx1`.
    pub fn push_remote(
        &mut self,
        remote: &crate::sources::view::RemoteStateChange,
        rules: RemoteRules,
        now: Instant,
    ) {
        if remote.replayed {
            if !rules.paused {
                self.remote.push_replayed(&remote.source, now);
            }
            return;
        }
        if rules.paused || rules.muted {
            return;
        }
        let mut change = remote.change.clone();
        change.monitor = MonitorId(format!("{}/{}", remote.source, change.monitor.0));
        change.name = format!("{} / {}", remote.source, change.name);
        self.push(change, rules.notify_warnings, now);
    }

    /// A remote source became unreachable (`true`) or reachable again (`false`).
    pub fn push_source(&mut self, source: &str, unreachable: bool, now: Instant) {
        self.remote.push_edge(source, unreachable, now);
    }

    /// True while this machine's offline cause is shown or waits to be.
    fn offline(&self) -> bool {
        self.shown_local.contains(&LocalCause::Offline)
            || self
                .local
                .iter()
                .any(|w| w.cause == LocalCause::Offline && w.began)
    }

    /// When [`Self::due`] should next be called; `None` when nothing waits.
    pub fn next_due(&self) -> Option<Instant> {
        self.waiting
            .iter()
            .map(|w| {
                let gathered = w.arrived + COALESCE;
                self.ready_at(&w.change.monitor)
                    .map_or(gathered, |ready| gathered.max(ready))
            })
            .chain(self.local.iter().map(|w| w.arrived + COALESCE))
            .chain(self.findings.iter().map(|(_, arrived)| *arrived + COALESCE))
            .chain(self.remote.next_due())
            .min()
    }

    /// The toast due at `now`, if any: a local cause's first, then a domain's findings, else
    /// every waiting change whose monitor may toast again.
    pub fn due(&mut self, now: Instant) -> Option<Toast> {
        if self.next_due().is_none_or(|due| due > now) {
            return None;
        }
        if let Some(at) = self.local.iter().position(|w| w.arrived + COALESCE <= now) {
            let w = self.local.remove(at);
            if w.began {
                self.shown_local.push(w.cause);
            } else {
                self.shown_local.retain(|c| *c != w.cause);
            }
            return Some(local_toast(w.cause, w.began, w.monitors));
        }
        if let Some(at) = self
            .findings
            .iter()
            .position(|(_, arrived)| *arrived + COALESCE <= now)
        {
            let (findings, _) = self.findings.remove(at);
            return finding_toast(&findings);
        }
        if self.remote.next_due().is_some_and(|due| due <= now) {
            let offline = self.offline();
            if let Some(toast) = self.remote.due(now, offline) {
                return Some(toast);
            }
        }
        let (ready, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.waiting)
            .into_iter()
            .partition(|w| self.ready_at(&w.change.monitor).is_none_or(|r| r <= now));
        self.waiting = later;
        for w in &ready {
            self.last_toast.insert(w.change.monitor.clone(), now);
        }
        let changes: Vec<StateChange> = ready.into_iter().map(|w| w.change).collect();
        compose(&changes)
    }

    /// When `monitor` may be in a toast again; `None` when it may now.
    fn ready_at(&self, monitor: &MonitorId) -> Option<Instant> {
        self.last_toast.get(monitor).map(|t| *t + PER_MONITOR)
    }
}

/// The toast for a batch of changes; `None` for an empty batch.
pub fn compose(changes: &[StateChange]) -> Option<Toast> {
    let described: Vec<(Meaning, &StateChange)> = changes
        .iter()
        .filter_map(|c| Meaning::of(c).map(|m| (m, c)))
        .collect();
    let urgency = described.iter().map(|(m, _)| m.urgency()).max()?;
    if let [(meaning, change)] = described.as_slice() {
        return Some(Toast {
            summary: format!("{}: {}", meaning.title(), change.name),
            body: reason_line(*meaning, change),
            urgency,
            monitor: Some(change.monitor.clone()),
        });
    }
    let mut counts: Vec<(Meaning, usize)> = Vec::new();
    let mut body = String::new();
    for (meaning, change) in &described {
        match counts.iter_mut().find(|(m, _)| m == meaning) {
            Some((_, n)) => *n += 1,
            None => counts.push((*meaning, 1)),
        }
        if !body.is_empty() {
            body.push('\n');
        }
        let _ = write!(
            body,
            "{} {}: {}",
            meaning.glyph(),
            change.name,
            reason_line(*meaning, change)
        );
    }
    counts.sort_by_key(|(m, _)| std::cmp::Reverse(m.urgency()));
    let parts: Vec<String> = counts
        .iter()
        .map(|(m, n)| format!("{n} {}", plural_word(*m)))
        .collect();
    Some(Toast {
        summary: format!("SMTP: {}", parts.join(" · ")),
        body,
        urgency,
        monitor: None,
    })
}

/// "Outbound port 25 is blocked on this network" — "7 monitors can't be checked from here".
fn local_toast(cause: LocalCause, began: bool, monitors: usize) -> Toast {
    let summary = match (cause, began) {
        (LocalCause::Offline, true) => "This machine seems offline",
        (LocalCause::Offline, false) => "Back online",
        (LocalCause::Blocked, true) => "Outbound port 25 is blocked on this network",
        (LocalCause::Blocked, false) => "Port 25 reachable again",
    };
    let them = if monitors == 1 {
        "1 monitor".to_owned()
    } else {
        format!("{monitors} monitors")
    };
    let what = if began {
        format!("{them} can't be checked from here")
    } else {
        format!("{them} checked again")
    };
    Toast {
        summary: summary.to_owned(),
        body: format!("{what} — event {}", cause.event(began)),
        urgency: if began { Urgency::Normal } else { Urgency::Low },
        monitor: None,
    }
}

fn plural_word(meaning: Meaning) -> &'static str {
    match meaning {
        Meaning::Failed => "failed",
        Meaning::StillFailing => "failing",
        Meaning::Slow => "slow",
        Meaning::Recovered => "recovered",
    }
}

/// "421 4.3.2 Service shutting down — event 5509".
fn reason_line(meaning: Meaning, change: &StateChange) -> String {
    let reason = match (meaning, change.reason.as_deref()) {
        (_, Some(r)) if !r.is_empty() => r.to_owned(),
        (Meaning::Recovered, _) => "EHLO answered 250 in time again".to_owned(),
        _ => "no reason given".to_owned(),
    };
    match change.event_id {
        Some(id) => format!("{reason} — event {id}"),
        None => reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn change(name: &str, from: Status, to: Status, reason: Option<&str>) -> StateChange {
        StateChange {
            monitor: MonitorId(name.into()),
            name: name.into(),
            at: Utc::now(),
            event_id: to.event_id(),
            from,
            to,
            kind: ChangeKind::Changed,
            reason: reason.map(Into::into),
            alert: true,
        }
    }

    fn failed(name: &str) -> StateChange {
        change(
            name,
            Status::Success,
            Status::Failed,
            Some("421 4.3.2 Service shutting down"),
        )
    }

    fn drift(monitor: &str, event_id: u16, notify: bool) -> Finding {
        Finding {
            monitor: MonitorId(monitor.into()),
            name: format!("{monitor}.test"),
            at: Utc::now(),
            event_id,
            kind: ehlowatch_engine::FindingKind::Drift,
            target: Some(format!("mx1.{monitor}.test 192.0.2.1")),
            before: None,
            after: None,
            changes: vec!["STARTTLS vanished: mail to this host falls back to plaintext".into()],
            notify,
        }
    }

    #[test]
    fn a_domains_findings_that_notify_make_one_toast_after_the_wait() {
        let mut toaster = Toaster::default();
        let t0 = Instant::now();
        toaster.push_finding(drift("quiet", 5531, false), t0);
        assert_eq!(
            toaster.next_due(),
            None,
            "a finding that does not notify waits for nothing"
        );
        toaster.push_finding(drift("example", 5532, true), t0);
        toaster.push_finding(drift("example", 5532, true), t0 + Duration::from_secs(1));
        assert_eq!(toaster.next_due(), Some(t0 + COALESCE));
        assert_eq!(toaster.due(t0 + Duration::from_secs(2)), None);
        let toast = toaster.due(t0 + COALESCE).expect("the domain's toast");
        assert_eq!(toast.summary, "STARTTLS vanished: example.test");
        assert_eq!(toast.body.lines().count(), 2, "{}", toast.body);
        assert!(toast.body.ends_with("— event 5532"), "{}", toast.body);
        assert_eq!(toaster.next_due(), None, "one toast for the domain");
    }

    #[test]
    fn one_failure_names_the_server_the_reply_and_the_event() {
        let toast = compose(&[failed("mx2.example.com:25")]).unwrap();
        assert_eq!(toast.summary, "SMTP failed: mx2.example.com:25");
        assert_eq!(toast.body, "421 4.3.2 Service shutting down — event 5509");
        assert_eq!(toast.urgency, Urgency::Critical);
        assert_eq!(toast.monitor, Some(MonitorId("mx2.example.com:25".into())));
    }

    #[test]
    fn recovery_is_low_and_warning_normal() {
        let up = compose(&[change("mx1", Status::Failed, Status::Success, None)]).unwrap();
        assert_eq!(up.summary, "SMTP recovered: mx1");
        assert_eq!(up.body, "EHLO answered 250 in time again — event 5510");
        assert_eq!(up.urgency, Urgency::Low);
        let slow = compose(&[change(
            "mx1",
            Status::Success,
            Status::Warning,
            Some("250 in 1.4 s"),
        )]);
        assert_eq!(slow.unwrap().urgency, Urgency::Normal);
    }

    #[test]
    fn a_burst_makes_one_toast_listing_every_monitor() {
        let mut toaster = Toaster::default();
        let t0 = Instant::now();
        toaster.push(failed("mx1"), true, t0);
        toaster.push(failed("mx2"), true, t0 + Duration::from_secs(1));
        toaster.push(
            change("mx3", Status::Failed, Status::Success, None),
            true,
            t0 + Duration::from_secs(2),
        );
        assert_eq!(toaster.next_due(), Some(t0 + COALESCE));
        assert!(toaster.due(t0 + Duration::from_secs(2)).is_none());
        let toast = toaster.due(t0 + COALESCE).unwrap();
        assert_eq!(toast.summary, "SMTP: 2 failed · 1 recovered");
        assert_eq!(toast.body.lines().count(), 3);
        assert!(toast.body.starts_with("✕ mx1: 421 4.3.2"), "{}", toast.body);
        assert_eq!(toast.urgency, Urgency::Critical);
        assert_eq!(toast.monitor, None);
        assert_eq!(toaster.next_due(), None);
    }

    #[test]
    fn one_toast_per_monitor_per_minute_and_the_latest_change_wins() {
        let mut toaster = Toaster::default();
        let t0 = Instant::now();
        toaster.push(failed("mx1"), true, t0);
        assert!(toaster.due(t0 + COALESCE).is_some());
        let t1 = t0 + Duration::from_secs(10);
        toaster.push(
            change("mx1", Status::Failed, Status::Success, None),
            true,
            t1,
        );
        toaster.push(failed("mx1"), true, t1 + Duration::from_secs(1));
        let minute_later = t0 + COALESCE + PER_MONITOR;
        assert_eq!(toaster.next_due(), Some(minute_later));
        assert!(toaster
            .due(minute_later - Duration::from_millis(1))
            .is_none());
        let toast = toaster.due(minute_later).unwrap();
        assert_eq!(toast.summary, "SMTP failed: mx1");
    }

    #[test]
    fn a_local_cause_is_one_toast_and_its_end_one_more() {
        let mut toaster = Toaster::default();
        let t0 = Instant::now();
        toaster.push_local(LocalCause::Blocked, true, 7, t0);
        let mut quiet = failed("mx1");
        quiet.to = Status::Blocked;
        quiet.alert = false;
        toaster.push(quiet, true, t0);
        assert_eq!(toaster.next_due(), Some(t0 + COALESCE));
        let toast = toaster.due(t0 + COALESCE).unwrap();
        assert_eq!(toast.summary, "Outbound port 25 is blocked on this network");
        assert_eq!(
            toast.body,
            "7 monitors can't be checked from here — event 5522"
        );
        assert_eq!((toast.urgency, toast.monitor), (Urgency::Normal, None));
        assert!(toaster.due(t0 + COALESCE).is_none(), "no per-monitor toast");
        let t1 = t0 + Duration::from_secs(60);
        toaster.push_local(LocalCause::Blocked, false, 7, t1);
        toaster.push_local(LocalCause::Blocked, true, 7, t1);
        assert_eq!(
            toaster.next_due(),
            None,
            "a flap within the wait shows nothing"
        );
        toaster.push_local(LocalCause::Blocked, false, 1, t1);
        let end = toaster.due(t1 + COALESCE).unwrap();
        assert_eq!(
            (end.summary.as_str(), end.body.as_str()),
            (
                "Port 25 reachable again",
                "1 monitor checked again — event 5523"
            )
        );
        toaster.push_local(LocalCause::Blocked, false, 1, t1);
        assert_eq!(toaster.next_due(), None, "at most one end per beginning");
    }

    #[test]
    fn a_local_cause_that_ends_before_its_toast_shows_nothing() {
        let mut toaster = Toaster::default();
        let t0 = Instant::now();
        toaster.push_local(LocalCause::Offline, true, 3, t0);
        toaster.push_local(LocalCause::Offline, false, 3, t0 + Duration::from_secs(1));
        assert_eq!(toaster.next_due(), None);
        toaster.push_local(LocalCause::Offline, true, 3, t0 + Duration::from_secs(2));
        let toast = toaster.due(t0 + Duration::from_secs(2) + COALESCE).unwrap();
        assert_eq!(toast.summary, "This machine seems offline");
        assert!(toast.body.ends_with("event 5520"), "{}", toast.body);
    }

    #[test]
    fn warnings_only_when_wanted_and_silent_changes_never() {
        let mut toaster = Toaster::default();
        let now = Instant::now();
        toaster.push(
            change("mx1", Status::Success, Status::Warning, Some("slow")),
            false,
            now,
        );
        let mut quiet = failed("mx2");
        quiet.alert = false;
        toaster.push(quiet, true, now);
        toaster.push(
            change("mx3", Status::Unknown, Status::Success, None),
            true,
            now,
        );
        assert_eq!(toaster.next_due(), None);
        toaster.push(
            change("mx1", Status::Success, Status::Warning, Some("slow")),
            true,
            now,
        );
        assert!(toaster.due(now + COALESCE).is_some());
    }
}
