//! The targets of one probe (DESIGN.md, "Several targets under one monitor"): each address of
//! the host, probed on its own, with its own status; the monitor's status is the worst of the
//! targets judged from here. A target whose address family has no route from here is
//! `no_route` — grey on its own row, and left out of the worst while any other target was
//! judged, so an IPv4-only workstation does not turn a dual-stack server grey or red. When every
//! target is `no_route`, so is the whole report.
//!
//! "No route" is asked only after a target's TCP connect failed, and without sending a packet: a
//! UDP socket `connect()` only asks the routing table, and fails with `ENETUNREACH` when there is
//! none (or the family cannot even be bound, as on a host with IPv6 disabled).

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};

use super::report::{ProbeReport, TargetReport};
use super::spec::MAX_TARGETS;

/// The addresses to probe: duplicates dropped, the resolver's order kept, at most
/// [`MAX_TARGETS`].
pub(crate) fn distinct(addrs: &[SocketAddr]) -> Vec<SocketAddr> {
    // A linear search: the list is short (a host's addresses), so this beats hashing.
    let mut kept = Vec::with_capacity(addrs.len().min(MAX_TARGETS));
    for addr in addrs {
        if kept.len() == MAX_TARGETS {
            break;
        }
        if !kept.contains(addr) {
            kept.push(*addr);
        }
    }
    kept
}

/// Makes `report`'s top-level fields the worst target's again, after a target's verdict
/// changed (its targets and MX set stay).
pub(crate) fn refresh_top(report: &mut ProbeReport) {
    let Some(at) = worst(&report.targets) else {
        return;
    };
    let targets = std::mem::take(&mut report.targets);
    let mx_set = report.mx_set.take();
    let mta_sts_policy = report.mta_sts_policy.take();
    let tls_rpt = report.tls_rpt.take();
    *report = targets[at].report.clone();
    report.targets = targets;
    report.mx_set = mx_set;
    report.mta_sts_policy = mta_sts_policy;
    report.tls_rpt = tls_rpt;
}

/// Which target the report's top level shows: the worst of those judged from here (the first
/// of equals, in the resolver's order), or the first when none was.
pub(crate) fn worst(targets: &[TargetReport]) -> Option<usize> {
    let judged = targets.iter().enumerate().filter(|(_, t)| t.judged()).fold(
        None::<(usize, u8)>,
        |best, (i, t)| match best {
            Some((_, rank)) if rank >= t.status.rank() => best,
            _ => Some((i, t.status.rank())),
        },
    );
    judged
        .map(|(i, _)| i)
        .or((!targets.is_empty()).then_some(0))
}

/// `Err` with the routing table's answer when this machine has no route to `addr`; asks the
/// kernel only, sends nothing.
pub(crate) fn route_to(addr: IpAddr) -> io::Result<()> {
    let local: IpAddr = match addr {
        IpAddr::V4(_) => Ipv4Addr::UNSPECIFIED.into(),
        IpAddr::V6(_) => Ipv6Addr::UNSPECIFIED.into(),
    };
    let socket = UdpSocket::bind((local, 0)).map_err(|e| {
        io::Error::new(
            io::ErrorKind::NetworkUnreachable,
            format!("this machine cannot open an {} socket: {e}", family(addr)),
        )
    })?;
    // Port 9 (discard): any port would do, the routing table is all that is asked.
    socket.connect((addr, 9))
}

/// True when `err` says there is no route from here (as opposed to anything else).
pub(crate) fn is_no_route(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::NetworkUnreachable
}

/// `IPv4` or `IPv6`.
pub(crate) fn family(addr: IpAddr) -> &'static str {
    if addr.is_ipv4() {
        "IPv4"
    } else {
        "IPv6"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::{Failure, FailureKind, Phase};
    use crate::probe::{ProbeReport, ProbeSpec};
    use crate::status::Status;
    use crate::verdict::Verdict;

    fn target(address: &str, verdict: Verdict, kind: Option<FailureKind>) -> TargetReport {
        let spec = ProbeSpec::new("mx.test", 25);
        let mut report = crate::probe::tests::blank_report(&spec);
        report.status = verdict;
        report.address = address.parse().ok();
        report.failure = kind.map(|k| Failure::new(Phase::Connect, k, "x"));
        TargetReport::of(report)
    }

    #[test]
    fn the_status_of_a_target() {
        let ok = target("192.0.2.1", Verdict::Success, None);
        assert_eq!(
            (ok.status, ok.address.as_str()),
            (Status::Success, "192.0.2.1")
        );
        let refused = target("192.0.2.1", Verdict::Failed, Some(FailureKind::Refused));
        assert_eq!(refused.status, Status::Failed);
        let unroutable = target(
            "2001:db8::1",
            Verdict::Failed,
            Some(FailureKind::NetworkUnreachable),
        );
        assert_eq!(unroutable.status, Status::NoRoute);
        assert!(!unroutable.judged());
        let host = target(
            "2001:db8::1",
            Verdict::Failed,
            Some(FailureKind::HostUnreachable),
        );
        assert_eq!(
            host.status,
            Status::Failed,
            "EHOSTUNREACH is the far side's"
        );
    }

    #[test]
    fn the_worst_judged_target_is_shown() {
        use FailureKind::{NetworkUnreachable as NoRoute, Timeout};
        use Verdict::{Failed, Success, Warning};
        type Case<'a> = (&'a [(Verdict, Option<FailureKind>)], Option<usize>);
        let cases: &[Case] = &[
            (&[], None),
            (&[(Success, None)], Some(0)),
            (&[(Success, None), (Failed, Some(Timeout))], Some(1)),
            (&[(Warning, None), (Success, None)], Some(0)),
            (&[(Failed, Some(Timeout)), (Failed, Some(Timeout))], Some(0)),
            (&[(Failed, Some(NoRoute)), (Success, None)], Some(1)),
            (&[(Success, None), (Failed, Some(NoRoute))], Some(0)),
            (&[(Failed, Some(NoRoute)), (Failed, Some(NoRoute))], Some(0)),
            (
                &[(Failed, Some(NoRoute)), (Success, None), (Warning, None)],
                Some(2),
            ),
        ];
        for (statuses, want) in cases {
            let targets: Vec<_> = statuses
                .iter()
                .map(|(v, k)| target("192.0.2.1", *v, *k))
                .collect();
            assert_eq!(worst(&targets), *want, "{statuses:?}");
        }
    }

    #[test]
    fn an_address_that_answered_is_what_the_network_did() {
        use FailureKind::{Closed, NetworkUnreachable as NoRoute, Timeout};
        use Verdict::{Failed, Success};
        let probe = |targets: &[(Verdict, Option<FailureKind>, Phase)]| {
            let targets: Vec<_> = targets
                .iter()
                .map(|(v, k, phase)| {
                    let mut t = target("192.0.2.1", *v, *k);
                    if let Some(f) = &mut t.report.failure {
                        f.phase = *phase;
                    }
                    t
                })
                .collect();
            let at = worst(&targets).expect("a target");
            let mut report = targets[at].report.clone();
            report.targets = targets;
            report
        };
        let kind = |r: &ProbeReport| r.network_failure().map(|f| (f.phase, f.kind));
        // A dead address beside a good one: the worst is a connect time-out, the network fine.
        let one_dead = probe(&[
            (Success, None, Phase::Connect),
            (Failed, Some(Timeout), Phase::Connect),
        ]);
        assert_eq!(one_dead.failure.as_ref().map(|f| f.kind), Some(Timeout));
        assert_eq!(kind(&one_dead), None);
        let closed = probe(&[
            (Failed, Some(Timeout), Phase::Connect),
            (Failed, Some(Closed), Phase::Greeting),
        ]);
        assert_eq!(kind(&closed), Some((Phase::Greeting, Closed)));
        let none_answered = probe(&[
            (Failed, Some(NoRoute), Phase::Connect),
            (Failed, Some(Timeout), Phase::Connect),
        ]);
        assert_eq!(kind(&none_answered), Some((Phase::Connect, Timeout)));
        let mut single = crate::probe::tests::blank_report(&ProbeSpec::new("mx.test", 25));
        single.failure = Some(Failure::new(Phase::Dns, FailureKind::Dns, "x"));
        assert_eq!(kind(&single), Some((Phase::Dns, FailureKind::Dns)));
    }

    #[test]
    fn distinct_keeps_order_and_at_most_eight() {
        let a: SocketAddr = "192.0.2.1:25".parse().unwrap();
        let b: SocketAddr = "[2001:db8::1]:25".parse().unwrap();
        assert_eq!(distinct(&[a, b, a, b]), vec![a, b]);
        let many: Vec<SocketAddr> = (1..=12)
            .map(|i| SocketAddr::new(Ipv4Addr::new(192, 0, 2, i).into(), 25))
            .collect();
        assert_eq!(distinct(&many), many[..MAX_TARGETS].to_vec());
    }

    #[test]
    fn loopback_has_a_route_and_no_route_is_enetunreach_only() {
        route_to(Ipv4Addr::LOCALHOST.into()).expect("a route to 127.0.0.1");
        assert!(is_no_route(&io::Error::from(
            io::ErrorKind::NetworkUnreachable
        )));
        assert!(!is_no_route(&io::Error::from(
            io::ErrorKind::HostUnreachable
        )));
        assert!(!is_no_route(&io::Error::from(
            io::ErrorKind::ConnectionRefused
        )));
    }
}
