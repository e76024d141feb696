//! "Outbound port 25 is blocked here": the one failure a workstation's network causes that looks
//! exactly like a dead mail server. ISPs, VPNs, clouds and office firewalls drop or refuse
//! outbound connections to port 25; every remote MX then fails at connect.
//!
//! The rule, on the latest result of every enabled monitor (pure; no clock, no I/O):
//! - **Suspected** while there is at least one port-25 monitor and *every* one failed at
//!   connect (timed out, refused, or host unreachable) — the resolver answered, since the
//!   failure came after it.
//! - **The pattern** holds when, on top of that, there are at least two port-25 monitors and
//!   something else answers: a monitor on another port got past its connect. With a single
//!   port-25 monitor, or nothing to compare, the pattern alone cannot tell our block from their
//!   firewall.
//! - **Blocked** while suspected and either control probes ([`crate::control`]) confirmed the
//!   block, or they did not say port 25 works and the pattern holds. A control probe that
//!   reached port 25 overrides the pattern: the servers are really failing.
//!
//! While blocked, port-25 monitors that fail at connect are shown `blocked` (grey) and their
//! results are not judged; anything that reaches a port-25 server ends it. The control verdict
//! belongs to one suspicion and is forgotten when the suspicion ends.

use std::collections::HashMap;

use crate::connectivity::Edge;
use crate::control::ControlVerdict;
use crate::failure::{Failure, Phase};
use crate::model::MonitorId;

/// The port whose outbound block this module detects.
pub(crate) const SMTP_PORT: u16 = crate::control::SMTP_PORT;

/// True for a failure at connect that an egress block would cause.
pub(crate) fn is_connect_failure(failure: Option<&Failure>) -> bool {
    failure.is_some_and(Failure::is_connect_failure)
}

/// What a monitor's latest result says about the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// It failed at connect the way a block makes it fail.
    ConnectFailed,
    /// It got past its connect: the server answered.
    Answered,
    /// Neither (a resolver failure, no route …).
    Elsewhere,
}

impl Seen {
    fn of(failure: Option<&Failure>) -> Self {
        match failure {
            None => Self::Answered,
            Some(_) if is_connect_failure(failure) => Self::ConnectFailed,
            Some(f) if !matches!(f.phase, Phase::Dns | Phase::Connect) => Self::Answered,
            Some(_) => Self::Elsewhere,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Tracked {
    smtp: bool,
    seen: Option<Seen>,
}

/// The latest result of every enabled monitor, reduced to what bears on a port-25 block.
#[derive(Debug, Clone, Default)]
pub(crate) struct Egress {
    monitors: HashMap<MonitorId, Tracked>,
    control: Option<ControlVerdict>,
    blocked: bool,
}

impl Egress {
    /// Tracks an enabled monitor (no result yet); `port` decides whether it is a port-25 one.
    /// Adding a tracked monitor keeps its result, unless it moved to or from port 25.
    pub(crate) fn add(&mut self, id: MonitorId, port: u16) -> Edge {
        let fresh = Tracked {
            smtp: port == SMTP_PORT,
            seen: None,
        };
        self.monitors
            .entry(id)
            .and_modify(|t| {
                if t.smtp != fresh.smtp {
                    *t = fresh;
                }
            })
            .or_insert(fresh);
        self.update()
    }

    /// Stops tracking a monitor (disabled or removed).
    pub(crate) fn remove(&mut self, id: &MonitorId) -> Edge {
        self.monitors.remove(id);
        self.update()
    }

    /// Records a monitor's latest result. Results of monitors not tracked are ignored.
    pub(crate) fn record(&mut self, id: &MonitorId, failure: Option<&Failure>) -> Edge {
        let Some(tracked) = self.monitors.get_mut(id) else {
            return Edge::Unchanged;
        };
        tracked.seen = Some(Seen::of(failure));
        self.update()
    }

    /// Takes the verdict of control probes run during the current suspicion; ignored when
    /// the suspicion ended meanwhile.
    pub(crate) fn control(&mut self, verdict: ControlVerdict) -> Edge {
        if self.suspected() {
            self.control = Some(verdict);
        }
        self.update()
    }

    /// Every port-25 monitor (at least one) failed at connect.
    pub(crate) fn suspected(&self) -> bool {
        let mut smtp = self.monitors.values().filter(|t| t.smtp).peekable();
        smtp.peek().is_some() && smtp.all(|t| t.seen == Some(Seen::ConnectFailed))
    }

    /// Suspected, with two or more port-25 monitors, while a monitor on another port answers.
    fn pattern(&self) -> bool {
        let smtp = self.monitors.values().filter(|t| t.smtp).count();
        let other_answers = self
            .monitors
            .values()
            .any(|t| !t.smtp && t.seen == Some(Seen::Answered));
        self.suspected() && smtp >= 2 && other_answers
    }

    /// True while outbound port 25 is taken to be blocked here.
    pub(crate) fn blocked(&self) -> bool {
        self.blocked
    }

    /// True when control probes would decide: suspected and none ran for this suspicion.
    pub(crate) fn wants_control(&self) -> bool {
        self.suspected() && self.control.is_none()
    }

    /// True when this monitor is a port-25 one whose latest result failed at connect.
    pub(crate) fn failed_at_connect(&self, id: &MonitorId) -> bool {
        self.monitors
            .get(id)
            .is_some_and(|t| t.smtp && t.seen == Some(Seen::ConnectFailed))
    }

    /// The port-25 monitors, which a block makes `blocked`.
    pub(crate) fn smtp_monitors(&self) -> impl Iterator<Item = &MonitorId> {
        self.monitors
            .iter()
            .filter(|(_, t)| t.smtp)
            .map(|(id, _)| id)
    }

    /// Why the monitors are `blocked`, for people.
    pub(crate) fn reason(&self) -> &'static str {
        if self.control == Some(ControlVerdict::Blocked) {
            "outbound port 25 is blocked on this network: control hosts answer on 443, not on 25"
        } else {
            "outbound port 25 seems blocked on this network: every port-25 server fails to connect while other checks get through"
        }
    }

    fn update(&mut self) -> Edge {
        let was = self.blocked;
        if !self.suspected() {
            self.control = None;
        }
        self.blocked = self.suspected()
            && match self.control {
                Some(ControlVerdict::Blocked) => true,
                Some(ControlVerdict::Open) => false,
                Some(ControlVerdict::Inconclusive) | None => self.pattern(),
            };
        match (was, self.blocked) {
            (false, true) => Edge::Began,
            (true, false) => Edge::Ended,
            _ => Edge::Unchanged,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::FailureKind;

    fn id(s: &str) -> MonitorId {
        s.into()
    }

    fn fail(phase: Phase, kind: FailureKind) -> Failure {
        Failure::new(phase, kind, "x")
    }

    fn timeout() -> Failure {
        fail(Phase::Connect, FailureKind::Timeout)
    }

    /// Port-25 monitors `a`, `b`, `c` and a port-587 monitor `sub`.
    fn tracking() -> Egress {
        let mut e = Egress::default();
        for m in ["a", "b", "c"] {
            assert_eq!(e.add(id(m), 25), Edge::Unchanged);
        }
        assert_eq!(e.add(id("sub"), 587), Edge::Unchanged);
        e
    }

    #[test]
    fn what_a_result_says() {
        let cases = [
            (None, Seen::Answered),
            (Some(timeout()), Seen::ConnectFailed),
            (
                Some(fail(Phase::Connect, FailureKind::Refused)),
                Seen::ConnectFailed,
            ),
            (
                Some(fail(Phase::Connect, FailureKind::HostUnreachable)),
                Seen::ConnectFailed,
            ),
            (
                Some(fail(Phase::Connect, FailureKind::NetworkUnreachable)),
                Seen::Elsewhere,
            ),
            (
                Some(fail(Phase::Dns, FailureKind::Timeout)),
                Seen::Elsewhere,
            ),
            (Some(fail(Phase::Dns, FailureKind::Dns)), Seen::Elsewhere),
            (
                Some(fail(Phase::Greeting, FailureKind::Timeout)),
                Seen::Answered,
            ),
            (
                Some(fail(Phase::Ehlo, FailureKind::EhloRejected)),
                Seen::Answered,
            ),
        ];
        for (failure, want) in cases {
            assert_eq!(Seen::of(failure.as_ref()), want, "{failure:?}");
        }
    }

    #[test]
    fn the_pattern_needs_every_port_25_monitor_and_another_port_answering() {
        let mut e = tracking();
        assert_eq!(e.record(&id("sub"), None), Edge::Unchanged);
        assert_eq!(e.record(&id("a"), Some(&timeout())), Edge::Unchanged);
        assert_eq!(e.record(&id("b"), Some(&timeout())), Edge::Unchanged);
        assert!(!e.suspected(), "c has not failed");
        assert_eq!(
            e.record(&id("c"), Some(&fail(Phase::Connect, FailureKind::Refused))),
            Edge::Began
        );
        assert!(e.blocked() && e.failed_at_connect(&id("a")));
        assert!(!e.failed_at_connect(&id("sub")));
        assert_eq!(
            e.record(&id("b"), Some(&fail(Phase::Ehlo, FailureKind::Timeout))),
            Edge::Ended,
            "a port-25 server answered: the port is open"
        );
    }

    #[test]
    fn nothing_else_answering_is_no_pattern() {
        let mut e = tracking();
        e.record(
            &id("sub"),
            Some(&fail(Phase::Connect, FailureKind::Timeout)),
        );
        for m in ["a", "b", "c"] {
            assert_eq!(e.record(&id(m), Some(&timeout())), Edge::Unchanged);
        }
        assert!(e.suspected() && !e.blocked());
        assert_eq!(e.record(&id("sub"), None), Edge::Began);
    }

    #[test]
    fn a_lone_port_25_monitor_needs_control_probes() {
        let mut e = Egress::default();
        e.add(id("a"), 25);
        e.add(id("sub"), 587);
        e.record(&id("sub"), None);
        assert_eq!(e.record(&id("a"), Some(&timeout())), Edge::Unchanged);
        assert!(e.wants_control() && !e.blocked());
        assert_eq!(e.control(ControlVerdict::Inconclusive), Edge::Unchanged);
        assert!(!e.wants_control(), "one control run per suspicion");
        assert_eq!(e.control(ControlVerdict::Blocked), Edge::Began);
        assert_eq!(e.record(&id("a"), Some(&timeout())), Edge::Unchanged);
        assert_eq!(e.record(&id("a"), None), Edge::Ended);
        assert!(!e.wants_control(), "not suspected");
        e.record(&id("a"), Some(&timeout()));
        assert!(e.wants_control(), "a new suspicion asks again");
    }

    #[test]
    fn control_reaching_port_25_overrides_the_pattern() {
        let mut e = tracking();
        e.record(&id("sub"), None);
        for m in ["a", "b"] {
            e.record(&id(m), Some(&timeout()));
        }
        assert_eq!(e.record(&id("c"), Some(&timeout())), Edge::Began);
        assert_eq!(e.control(ControlVerdict::Open), Edge::Ended);
        assert_eq!(e.record(&id("a"), Some(&timeout())), Edge::Unchanged);
        assert!(!e.blocked());
    }

    #[test]
    fn control_after_the_suspicion_ended_is_ignored() {
        let mut e = Egress::default();
        e.add(id("a"), 25);
        e.record(&id("a"), Some(&timeout()));
        e.record(&id("a"), None);
        assert_eq!(e.control(ControlVerdict::Blocked), Edge::Unchanged);
        e.record(&id("a"), Some(&timeout()));
        assert!(!e.blocked() && e.wants_control());
    }

    #[test]
    fn removing_monitors_can_end_or_begin_it() {
        let mut e = tracking();
        e.record(&id("sub"), None);
        for m in ["a", "b"] {
            e.record(&id(m), Some(&timeout()));
        }
        e.record(&id("c"), None);
        assert_eq!(e.remove(&id("c")), Edge::Began, "the one that worked left");
        assert_eq!(e.remove(&id("sub")), Edge::Ended, "nothing else answers");
        assert_eq!(e.add(id("c"), 25), Edge::Unchanged);
        assert_eq!(
            e.smtp_monitors().count(),
            3,
            "a, b and the new c are port-25 ones"
        );
        e.add(id("sub"), 587);
        e.record(&id("sub"), None);
        e.record(&id("c"), Some(&timeout()));
        assert!(e.blocked());
        assert_eq!(
            e.add(id("a"), 25),
            Edge::Unchanged,
            "unchanged: keeps its result"
        );
        assert_eq!(
            e.add(id("a"), 2525),
            Edge::Unchanged,
            "b and c still show it"
        );
        assert!(
            !e.failed_at_connect(&id("a")),
            "moved off port 25: its old result no longer counts"
        );
        assert_eq!(
            e.add(id("b"), 2525),
            Edge::Ended,
            "one port-25 monitor left"
        );
    }
}
