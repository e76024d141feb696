//! Offline detection: this machine has no network when **every** enabled monitor's latest result
//! failed at the network level — "network unreachable" ([`FailureKind::NetworkUnreachable`]; "host
//! unreachable" is the far side's business) or a failed name resolution ([`FailureKind::Dns`], or
//! no answer from the resolver at all; an offline laptop's resolver cannot answer). Refusals,
//! resets and time-outs after the resolver answered are the server's business and never count. A monitor that has not reported yet blocks the verdict: Offline is a
//! claim about every monitor and needs every monitor's word.
//!
//! How the engine uses it (pure, no clock — the order of reports is all it needs):
//! - [`Connectivity::add`] / [`Connectivity::remove`] as monitors are enabled, disabled, added
//!   and removed; [`Connectivity::record`] with each result's failure kind.
//! - On [`Edge::Began`]: [`crate::monitor::MonitorState::set_offline`] on every monitor;
//!   while [`Connectivity::offline`], observations are passed as suppressed.
//! - On [`Edge::Ended`]: re-probe every monitor at once (like a resume) so none lingers in
//!   Offline; their next counted verdict is adopted without alert.
//! - [`Connectivity::doubtful`]: the network is down, not the server, as far as anyone can tell
//!   yet: this monitor fails at the network level (or, given as `suspect`, in a way a local cause
//!   such as a port-25 block would make it fail) and some other monitor has not reported since
//!   the failures began. Pass such observations as suppressed (and check every monitor now), so
//!   the first monitor to notice a dead network is not confirmed Failed — with a 10 s
//!   confirmation re-probe — before the others have had their say.
//!
//! Caveat: with a single enabled monitor, a host whose name stops resolving shows Offline, not
//! Failed — the probe cannot yet tell "no such name" from "no resolver" (both are
//! [`FailureKind::Dns`]).

use std::collections::{BTreeSet, HashMap};

use crate::failure::{Failure, FailureKind, Phase};
use crate::model::MonitorId;

/// True for a failure that says "no network" rather than "bad server".
pub(crate) fn is_network_level(failure: Option<&Failure>) -> bool {
    failure.is_some_and(|f| {
        matches!(f.kind, FailureKind::NetworkUnreachable | FailureKind::Dns)
            || (f.phase == Phase::Dns && f.kind == FailureKind::Timeout)
    })
}

/// What a change did to a local cause (offline here, a port-25 block): it began, it ended, or
/// nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Edge {
    /// Nothing.
    Unchanged,
    /// The cause began (the machine went offline …).
    Began,
    /// The cause ended (the machine is back online …).
    Ended,
}

#[derive(Debug, Clone, Copy, Default)]
struct Latest {
    /// Sequence number of the latest report; 0 before the first.
    reported: u64,
    /// The latest result is a network-level failure.
    network: bool,
    /// Sequence number of the first report of the current run of doubtful failures.
    doubt_since: Option<u64>,
}

/// The latest result of every enabled monitor, reduced to "network-level failure or not".
#[derive(Debug, Clone, Default)]
pub(crate) struct Connectivity {
    monitors: HashMap<MonitorId, Latest>,
    /// `(reported, id)` for every monitor, oldest report first.
    by_report: BTreeSet<(u64, MonitorId)>,
    /// Monitors whose latest result is a network-level failure.
    network: usize,
    seq: u64,
}

impl Connectivity {
    /// Tracking no monitor.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Tracks an enabled monitor (no result yet). Adding a tracked monitor does nothing.
    pub(crate) fn add(&mut self, id: MonitorId) -> Edge {
        let was = self.offline();
        if !self.monitors.contains_key(&id) {
            self.by_report.insert((0, id.clone()));
            self.monitors.insert(id, Latest::default());
        }
        self.edge(was)
    }

    /// Stops tracking a monitor (disabled or removed).
    pub(crate) fn remove(&mut self, id: &MonitorId) -> Edge {
        let was = self.offline();
        if let Some(latest) = self.monitors.remove(id) {
            self.by_report.remove(&(latest.reported, id.clone()));
            if latest.network {
                self.network -= 1;
            }
        }
        self.edge(was)
    }

    /// Records a monitor's latest result: its failure, `None` for no failure; `suspect` when it
    /// failed in a way another local cause explains (it makes the failure doubtful like a
    /// network-level one). Results of monitors not tracked are ignored.
    pub(crate) fn record(
        &mut self,
        id: &MonitorId,
        failure: Option<&Failure>,
        suspect: bool,
    ) -> Edge {
        let was = self.offline();
        let Some(latest) = self.monitors.get_mut(id) else {
            return Edge::Unchanged;
        };
        self.seq += 1;
        self.by_report.remove(&(latest.reported, id.clone()));
        self.by_report.insert((self.seq, id.clone()));
        latest.reported = self.seq;
        let network = is_network_level(failure);
        match (latest.network, network) {
            (false, true) => self.network += 1,
            (true, false) => self.network -= 1,
            _ => {}
        }
        latest.network = network;
        latest.doubt_since = match (latest.doubt_since, network || suspect) {
            (None, true) => Some(self.seq),
            (since, true) => since,
            (_, false) => None,
        };
        self.edge(was)
    }

    /// True when there is at least one enabled monitor and every one's latest result is a
    /// network-level failure.
    pub(crate) fn offline(&self) -> bool {
        !self.monitors.is_empty() && self.network == self.monitors.len()
    }

    /// True when this monitor's latest result is a network-level (or suspect) failure and
    /// another monitor has not reported since this monitor's run of such failures began.
    pub(crate) fn doubtful(&self, id: &MonitorId) -> bool {
        let Some(since) = self.monitors.get(id).and_then(|l| l.doubt_since) else {
            return false;
        };
        self.by_report
            .first()
            .is_some_and(|(oldest, _)| *oldest < since)
    }

    /// How many monitors are tracked.
    pub(crate) fn len(&self) -> usize {
        self.monitors.len()
    }

    /// True when no monitor is tracked.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.monitors.is_empty()
    }

    fn edge(&self, was: bool) -> Edge {
        match (was, self.offline()) {
            (false, true) => Edge::Began,
            (true, false) => Edge::Ended,
            _ => Edge::Unchanged,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNREACHABLE: Option<FailureKind> = Some(FailureKind::NetworkUnreachable);
    const DNS: Option<FailureKind> = Some(FailureKind::Dns);
    const OK: Option<FailureKind> = None;

    /// A failure of `kind` at connect (at the resolver for [`FailureKind::Dns`]).
    fn failure(kind: Option<FailureKind>) -> Option<Failure> {
        kind.map(|k| {
            let phase = if k == FailureKind::Dns {
                Phase::Dns
            } else {
                Phase::Connect
            };
            Failure::new(phase, k, "x")
        })
    }

    impl Connectivity {
        fn note(&mut self, id: &MonitorId, kind: Option<FailureKind>) -> Edge {
            self.record(id, failure(kind).as_ref(), false)
        }
    }

    fn id(s: &str) -> MonitorId {
        s.into()
    }

    fn tracking(ids: &[&str]) -> Connectivity {
        let mut c = Connectivity::new();
        for i in ids {
            assert_eq!(c.add(id(i)), Edge::Unchanged);
        }
        c
    }

    #[test]
    fn network_level_kinds() {
        let table = [
            (UNREACHABLE, true),
            (DNS, true),
            (OK, false),
            (Some(FailureKind::HostUnreachable), false),
            (Some(FailureKind::Refused), false),
            (Some(FailureKind::Timeout), false),
            (Some(FailureKind::Reset), false),
            (Some(FailureKind::Io), false),
            (Some(FailureKind::GreetingRejected), false),
            (Some(FailureKind::ClientRefused), false),
        ];
        for (kind, want) in table {
            assert_eq!(is_network_level(failure(kind).as_ref()), want, "{kind:?}");
        }
        let resolver_silent = Failure::new(Phase::Dns, FailureKind::Timeout, "x");
        assert!(is_network_level(Some(&resolver_silent)));
    }

    /// Reports in order; the table gives `offline()` after each.
    type Reports<'a> = &'a [(&'a str, Option<FailureKind>)];

    #[test]
    fn offline_needs_every_monitor_to_fail_at_the_network() {
        let cases: &[(Reports, &[bool])] = &[
            (&[("a", UNREACHABLE)], &[false]),
            (&[("a", UNREACHABLE), ("b", UNREACHABLE)], &[false, false]),
            (
                &[("a", UNREACHABLE), ("b", DNS), ("c", UNREACHABLE)],
                &[false, false, true],
            ),
            (
                &[
                    ("a", UNREACHABLE),
                    ("b", DNS),
                    ("c", Some(FailureKind::Refused)),
                ],
                &[false, false, false],
            ),
            (
                &[
                    ("a", UNREACHABLE),
                    ("b", OK),
                    ("c", UNREACHABLE),
                    ("b", DNS),
                ],
                &[false, false, false, true],
            ),
            (
                &[("a", DNS), ("b", DNS), ("c", DNS), ("a", OK)],
                &[false, false, true, false],
            ),
            (
                &[("a", Some(FailureKind::Timeout)), ("b", DNS), ("c", DNS)],
                &[false, false, false],
            ),
            (&[("zzz", UNREACHABLE)], &[false]),
        ];
        for (reports, want) in cases {
            let mut c = tracking(&["a", "b", "c"]);
            let got: Vec<bool> = reports
                .iter()
                .map(|(m, f)| {
                    c.note(&id(m), *f);
                    c.offline()
                })
                .collect();
            assert_eq!(got, *want, "{reports:?}");
        }
        assert!(!Connectivity::new().offline(), "no monitor is not offline");
    }

    #[test]
    fn edges_from_records_adds_and_removes() {
        let mut c = tracking(&["a", "b"]);
        assert_eq!(c.note(&id("a"), UNREACHABLE), Edge::Unchanged);
        assert_eq!(c.note(&id("b"), OK), Edge::Unchanged);
        assert_eq!(
            c.remove(&id("b")),
            Edge::Began,
            "the healthy one was removed"
        );
        assert_eq!(c.note(&id("a"), DNS), Edge::Unchanged);
        assert_eq!(
            c.add(id("b")),
            Edge::Ended,
            "a new monitor has not had its say"
        );
        assert_eq!(c.note(&id("b"), UNREACHABLE), Edge::Began);
        assert_eq!(c.note(&id("b"), OK), Edge::Ended);
        assert_eq!(c.remove(&id("b")), Edge::Began);
        assert_eq!(c.remove(&id("a")), Edge::Ended);
        assert!(c.is_empty());
        assert_eq!(c.remove(&id("a")), Edge::Unchanged);
    }

    #[test]
    fn add_twice_keeps_the_latest_result() {
        let mut c = tracking(&["a"]);
        assert_eq!(c.note(&id("a"), UNREACHABLE), Edge::Began);
        assert_eq!(c.add(id("a")), Edge::Unchanged);
        assert_eq!((c.len(), c.offline()), (1, true));
    }

    #[test]
    fn doubtful_until_every_other_monitor_has_reported_since() {
        let mut c = tracking(&["a", "b", "c"]);
        c.note(&id("b"), OK);
        c.note(&id("c"), OK);
        c.note(&id("a"), UNREACHABLE);
        assert!(c.doubtful(&id("a")), "b and c reported before a's failure");
        assert!(!c.doubtful(&id("b")), "b is fine");
        c.note(&id("b"), OK);
        assert!(c.doubtful(&id("a")), "c still has not reported");
        c.note(&id("c"), OK);
        assert!(
            !c.doubtful(&id("a")),
            "both others reached their servers: a's failure is real"
        );
        c.note(&id("a"), UNREACHABLE);
        assert!(
            !c.doubtful(&id("a")),
            "the run of failures began before their reports"
        );
        c.note(&id("a"), OK);
        c.note(&id("a"), DNS);
        assert!(c.doubtful(&id("a")), "a new run");
    }

    #[test]
    fn a_suspect_failure_is_doubtful_but_never_offline() {
        let mut c = tracking(&["a", "b"]);
        c.note(&id("b"), OK);
        let timeout = Failure::new(Phase::Connect, FailureKind::Timeout, "x");
        assert_eq!(c.record(&id("a"), Some(&timeout), true), Edge::Unchanged);
        assert!(c.doubtful(&id("a")), "b has not reported since");
        c.note(&id("b"), OK);
        assert!(!c.doubtful(&id("a")));
        assert_eq!(c.record(&id("b"), Some(&timeout), true), Edge::Unchanged);
        assert!(
            !c.offline(),
            "a time-out at connect is no network-level failure"
        );
        assert_eq!(c.record(&id("a"), Some(&timeout), false), Edge::Unchanged);
        assert!(!c.doubtful(&id("a")), "not suspect: judged at once");
    }

    #[test]
    fn unreported_monitors_make_a_failure_doubtful() {
        let mut c = tracking(&["a", "b"]);
        c.note(&id("a"), UNREACHABLE);
        assert!(c.doubtful(&id("a")));
        let mut alone = tracking(&["a"]);
        alone.note(&id("a"), UNREACHABLE);
        assert!(
            !alone.doubtful(&id("a")),
            "nobody else to wait for (and it is offline)"
        );
        assert!(alone.offline());
    }
}
