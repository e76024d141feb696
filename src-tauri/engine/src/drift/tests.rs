//! A domain's baseline against reports built by hand: the first probe tells nothing, an MX-set
//! change is one finding with the sets, STARTTLS vanishing is one notified finding and amber,
//! a restored baseline tells nothing known.

use std::sync::Arc;

use chrono::Utc;

use super::watch::{told_by_finding, DomainWatch};
use crate::domain::{MxHost, MxSet};
use crate::model::MonitorId;
use crate::probe::report::{EhloReply, TargetReport};
use crate::probe::{ProbeReport, ProbeSpec};
use crate::smtp::{EhloInfo, Reply, ReplyCode};
use crate::status::Status;
use crate::tls::TlsFacts;
use crate::verdict::{Verdict, WarningKind};

fn set(hosts: &[(u16, &str)]) -> MxSet {
    MxSet::Hosts(
        hosts
            .iter()
            .map(|(preference, host)| MxHost {
                preference: *preference,
                host: (*host).to_owned(),
            })
            .collect(),
    )
}

fn tls() -> TlsFacts {
    TlsFacts {
        version: "TLSv1.3".into(),
        cipher: "TLS13_AES_256_GCM_SHA384".into(),
        subject: "CN=mx1.example.test".into(),
        issuer: "CN=Test CA".into(),
        subject_alt_names: vec!["mx1.example.test".into()],
        not_after: Utc::now(),
        days_left: 60,
        sha256: "AA:BB".into(),
        verified: false,
        verification_skipped: false,
        verify_error: None,
        chain: Vec::new(),
    }
}

/// A Success target of MX host `mx` at `address` whose EHLO offered `keywords` (after TLS
/// when `starttls`).
fn target(mx: &str, address: &str, keywords: &[&str], starttls: bool) -> TargetReport {
    let spec = ProbeSpec::new(mx, 25);
    let mut report = crate::probe::tests::blank_report(&spec);
    report.status = Verdict::Success;
    report.event_id = Verdict::Success.event_id();
    report.failure = None;
    report.reason = None;
    report.address = address.parse().ok();
    report.greeting = Some(Arc::new(Reply::new(
        ReplyCode::SERVICE_READY,
        vec![format!("{mx} ESMTP")],
    )));
    let mut lines = vec![mx.to_owned()];
    lines.extend(keywords.iter().map(|k| (*k).to_owned()));
    let reply = Reply::new(ReplyCode::OK, lines);
    report.ehlo = Some(Arc::new(EhloReply {
        info: EhloInfo::parse(&reply),
        reply,
    }));
    report.tls = starttls.then(|| Box::new(tls()));
    let mut target = TargetReport::of(report);
    target.mx = Some(mx.to_owned());
    target
}

fn domain(mx_set: MxSet, targets: Vec<TargetReport>) -> ProbeReport {
    let spec = ProbeSpec::new("example.test", 25);
    let mut report = crate::probe::with_targets(&spec, Utc::now(), targets);
    report.mx_set = Some(mx_set);
    report
}

fn observe(watch: &mut DomainWatch, report: &mut ProbeReport) -> Vec<(u16, String)> {
    let id = MonitorId::from("example");
    watch
        .observe(report, &id, "example.test", "example.test")
        .findings
        .iter()
        .map(|f| (f.event_id, f.message()))
        .collect()
}

const OFFERED: [&str; 3] = ["PIPELINING", "SIZE 10240000", "AUTH PLAIN LOGIN"];

#[test]
fn the_first_probe_sets_the_baseline_and_tells_nothing() {
    let mut watch = DomainWatch::default();
    let mut report = domain(
        set(&[(10, "mx1.example.test")]),
        vec![target("mx1.example.test", "192.0.2.1", &OFFERED, true)],
    );
    let observed = watch.observe(
        &mut report,
        &"example".into(),
        "example.test",
        "example.test",
    );
    assert!(observed.findings.is_empty());
    assert!(observed.changed);
    assert!(observe(&mut watch, &mut report).is_empty());
}

#[test]
fn an_mx_set_change_is_one_finding_with_the_sets_before_and_after() {
    let mut watch = DomainWatch::default();
    let one = vec![target("mx1.example.test", "192.0.2.1", &OFFERED, true)];
    let mut before = domain(
        set(&[(10, "mx1.example.test"), (20, "mx2.example.test")]),
        one.clone(),
    );
    observe(&mut watch, &mut before);
    let mut after = domain(
        set(&[(5, "mx1.example.test"), (30, "mx3.example.test")]),
        one,
    );
    let id = MonitorId::from("example");
    let observed = watch.observe(&mut after, &id, "example.test", "example.test");
    let [finding] = observed.findings.as_slice() else {
        panic!("{:?}", observed.findings)
    };
    assert_eq!(finding.event_id, 5530);
    assert!(finding.notify);
    assert_eq!(
        finding.changes,
        [
            "mx1.example.test preference 10 → 5",
            "added 30 mx3.example.test",
            "removed 20 mx2.example.test"
        ]
    );
    assert_eq!(
        finding.message(),
        "MX set of example.test changed: 10 mx1.example.test, 20 mx2.example.test → \
         5 mx1.example.test, 30 mx3.example.test"
    );
    assert!(observe(&mut watch, &mut after).is_empty(), "told once");
}

#[test]
fn starttls_vanishing_is_one_notified_finding_and_amber_until_it_returns() {
    let mut watch = DomainWatch::default();
    let mx = set(&[(10, "mx1.example.test")]);
    let with = || vec![target("mx1.example.test", "192.0.2.1", &OFFERED, true)];
    let plain = || vec![target("mx1.example.test", "192.0.2.1", &OFFERED, false)];
    for _ in 0..3 {
        assert!(observe(&mut watch, &mut domain(mx.clone(), with())).is_empty());
    }
    let mut vanished = domain(mx.clone(), plain());
    let told = watch.observe(
        &mut vanished,
        &"example".into(),
        "example.test",
        "example.test",
    );
    let [finding] = told.findings.as_slice() else {
        panic!("{:?}", told.findings)
    };
    assert_eq!(finding.event_id, 5532);
    assert!(finding.notify);
    assert_eq!(
        finding.message(),
        "mx1.example.test 192.0.2.1: STARTTLS vanished: mail to this host falls back to plaintext"
    );
    assert_eq!(vanished.status, Verdict::Warning, "amber");
    assert!(
        told_by_finding(&vanished),
        "its amber is the finding's to tell"
    );
    assert_eq!(vanished.targets[0].status, Status::Warning);
    assert_eq!(vanished.warnings[0].kind, WarningKind::StarttlsVanished);
    let mut still = domain(mx.clone(), plain());
    assert!(observe(&mut watch, &mut still).is_empty(), "told once");
    assert_eq!(still.status, Verdict::Warning, "still amber");
    let mut back = domain(mx, with());
    let told = observe(&mut watch, &mut back);
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0].0, 5531);
    assert_eq!(back.status, Verdict::Success);
    let mut slow = domain(
        set(&[(10, "mx1.example.test")]),
        vec![target("mx1.example.test", "192.0.2.1", &OFFERED, false)],
    );
    slow.targets[0].add_warning(WarningKind::Slow, "250 after QoS".into());
    crate::probe::refresh_top(&mut slow);
    assert!(
        !told_by_finding(&slow),
        "a slow server is the status's to tell"
    );
}

#[test]
fn a_pool_offering_starttls_on_some_probes_is_told_once_as_mixed() {
    let mut watch = DomainWatch::default();
    let mx = set(&[(10, "mx1.example.test")]);
    let probe = |starttls| {
        domain(
            mx.clone(),
            vec![target("mx1.example.test", "192.0.2.1", &OFFERED, starttls)],
        )
    };
    observe(&mut watch, &mut probe(true));
    let mut told = Vec::new();
    for starttls in [true, false, true, false, true, false, true, false] {
        told.extend(observe(&mut watch, &mut probe(starttls)));
    }
    let ids: Vec<u16> = told.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, [5532, 5531], "{told:?}");
    assert!(
        told[1].1.contains("STARTTLS offered on 3 of 4 probes"),
        "{told:?}"
    );
}

#[test]
fn a_restored_baseline_tells_nothing_known_and_a_change_while_away() {
    let mut watch = DomainWatch::default();
    let mx = set(&[(10, "mx1.example.test")]);
    let offered = || vec![target("mx1.example.test", "192.0.2.1", &OFFERED, true)];
    observe(&mut watch, &mut domain(mx.clone(), offered()));
    let mut restored = DomainWatch::from_json(&watch.to_json());
    assert!(observe(&mut restored, &mut domain(mx.clone(), offered())).is_empty());
    let mut restored = DomainWatch::from_json(&watch.to_json());
    let bigger = vec![target(
        "mx1.example.test",
        "192.0.2.1",
        &["PIPELINING", "SIZE 52428800", "AUTH PLAIN LOGIN"],
        true,
    )];
    let told = observe(&mut restored, &mut domain(mx, bigger));
    assert_eq!(
        told,
        [(
            5531,
            "mx1.example.test 192.0.2.1: SIZE 10240000 → SIZE 52428800".to_owned()
        )]
    );
}

#[test]
fn a_monitor_edited_to_another_domain_starts_over_telling_nothing() {
    let mut watch = DomainWatch::default();
    let offered = || vec![target("mx1.example.test", "192.0.2.1", &OFFERED, true)];
    observe(
        &mut watch,
        &mut domain(set(&[(10, "mx1.example.test")]), offered()),
    );
    let mut other = domain(set(&[(10, "mx.other.test")]), offered());
    let id = MonitorId::from("example");
    let observed = watch.observe(&mut other, &id, "example", "other.test");
    assert!(observed.findings.is_empty(), "{:?}", observed.findings);
    assert!(observed.changed, "the new baseline is stored");
}

/// A target whose DANE check is in `state`.
fn with_dane(state: crate::dane::DaneState) -> TargetReport {
    let mut t = target("mx1.example.test", "192.0.2.1", &OFFERED, true);
    t.report.dane = Some(crate::dane::DaneCheck {
        state,
        verdict: format!("verdict {}", state.describe()),
        records: Vec::new(),
    });
    t
}

#[test]
fn a_dane_verdict_change_is_one_quiet_finding_and_not_checked_changes_nothing() {
    use crate::dane::DaneState::{Matched, NoMatch, NotChecked};
    let mut watch = DomainWatch::default();
    let mx = set(&[(10, "mx1.example.test")]);
    let mut first = domain(mx.clone(), vec![with_dane(Matched)]);
    assert!(observe(&mut watch, &mut first).is_empty());
    let mut unchecked = domain(mx.clone(), vec![with_dane(NotChecked)]);
    assert!(
        observe(&mut watch, &mut unchecked).is_empty(),
        "not checked"
    );
    let mut broken = domain(mx.clone(), vec![with_dane(NoMatch)]);
    let id = MonitorId::from("example");
    let observed = watch.observe(&mut broken, &id, "example.test", "example.test");
    let [finding] = observed.findings.as_slice() else {
        panic!("one finding: {:?}", observed.findings);
    };
    assert_eq!(finding.event_id, 5540);
    assert!(!finding.notify, "the target's status change is what alerts");
    assert_eq!(
        finding.message(),
        "mx1.example.test 192.0.2.1: DANE matched → no match: verdict no match"
    );
    assert!(observe(&mut watch, &mut broken).is_empty(), "told once");
    let mut restored = domain(mx, vec![with_dane(Matched)]);
    let restored_told = observe(&mut watch, &mut restored);
    assert_eq!(restored_told.len(), 1, "{restored_told:?}");
    assert_eq!(restored_told[0].0, 5540);
}

/// A view of an active MTA-STS policy with `id` and `mode`.
fn sts_view(id: &str, mode: crate::mta_sts::StsMode) -> crate::mta_sts::StsPolicyView {
    use crate::mta_sts::{StsPolicyState, StsPolicyView};
    let mut view = StsPolicyView::without_policy(
        StsPolicyState::Active,
        "policy".into(),
        Some(format!("v=STSv1; id={id}")),
        Some(id.into()),
    );
    view.mode = Some(mode);
    view.mx = vec!["mx1.example.test".into()];
    view.max_age = Some(86400);
    view.policy_id = Some(id.into());
    view
}

#[test]
fn an_mta_sts_policy_change_is_one_finding_5541_and_a_failed_fetch_changes_nothing() {
    use crate::mta_sts::{StsMode, StsPolicyState, StsPolicyView};
    let mut watch = DomainWatch::default();
    let mx = set(&[(10, "mx1.example.test")]);
    let probe = |view: Option<StsPolicyView>| {
        let mut report = domain(
            mx.clone(),
            vec![target("mx1.example.test", "192.0.2.1", &OFFERED, true)],
        );
        report.mta_sts_policy = view.map(Box::new);
        report
    };
    let id = MonitorId::from("example");
    let mut first = probe(Some(sts_view("1", StsMode::Enforce)));
    let observed = watch.observe(&mut first, &id, "example.test", "example.test");
    assert!(
        observed.findings.is_empty(),
        "the first probe tells nothing"
    );
    assert!(observed.changed, "the baseline is stored");
    let mut same = probe(Some(sts_view("1", StsMode::Enforce)));
    assert!(observe(&mut watch, &mut same).is_empty());
    let mut unfetched = probe(Some(StsPolicyView::without_policy(
        StsPolicyState::FetchFailed,
        "cannot get it".into(),
        None,
        Some("2".into()),
    )));
    assert!(
        observe(&mut watch, &mut unfetched).is_empty(),
        "cannot tell"
    );
    let mut changed = probe(Some(sts_view("2", StsMode::Testing)));
    let observed = watch.observe(&mut changed, &id, "example.test", "example.test");
    let [finding] = observed.findings.as_slice() else {
        panic!("one finding: {:?}", observed.findings);
    };
    assert_eq!(finding.event_id, 5541);
    assert_eq!(finding.kind, super::FindingKind::MtaSts);
    assert!(!finding.notify, "the targets' status change is what alerts");
    assert_eq!(
        finding.changes,
        ["MTA-STS policy id=1, mode=enforce, mx=mx1.example.test, max_age=86400 → id=2, mode=testing, mx=mx1.example.test, max_age=86400"]
    );
    assert!(observe(&mut watch, &mut changed).is_empty(), "told once");
    let mut gone = probe(Some(StsPolicyView::without_policy(
        StsPolicyState::NoRecord,
        "none".into(),
        None,
        None,
    )));
    let told = observe(&mut watch, &mut gone);
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].1.ends_with("→ none"), "{told:?}");
}

/// A Success target at `address` whose check on `bl.test` is in `state`, judged as the domain
/// prober judges it.
fn with_listing(address: &str, state: crate::dnsbl::ListState) -> TargetReport {
    let mut t = target("mx1.example.test", address, &OFFERED, true);
    t.report.blocklists = vec![crate::dnsbl::ListCheck {
        list: "bl.test".into(),
        state,
        verdict: format!("verdict {}", state.as_str()),
        codes: Vec::new(),
        reason: None,
        checked_at: Utc::now(),
    }];
    t
}

#[test]
fn a_listing_change_is_one_notified_finding_and_refusals_change_nothing() {
    use crate::dnsbl::ListState::{Listed, LookupFailed, NotListed, Refused};
    let mut watch = DomainWatch::default();
    let mx = set(&[(10, "mx1.example.test")]);
    let mut first = domain(mx.clone(), vec![with_listing("192.0.2.1", NotListed)]);
    assert!(observe(&mut watch, &mut first).is_empty(), "the baseline");
    for quiet in [Refused, LookupFailed, NotListed] {
        let mut again = domain(mx.clone(), vec![with_listing("192.0.2.1", quiet)]);
        assert!(observe(&mut watch, &mut again).is_empty(), "{quiet:?}");
    }
    let mut listed = domain(mx.clone(), vec![with_listing("192.0.2.1", Listed)]);
    let id = MonitorId::from("example");
    let observed = watch.observe(&mut listed, &id, "example.test", "example.test");
    let [finding] = observed.findings.as_slice() else {
        panic!("one finding: {:?}", observed.findings);
    };
    assert_eq!(finding.event_id, 5542);
    assert_eq!(finding.kind, super::FindingKind::Blocklist);
    assert!(finding.notify);
    assert!(observed.changed);
    assert_eq!(
        finding.message(),
        "mx1.example.test 192.0.2.1: listed on bl.test: verdict listed"
    );
    assert!(observe(&mut watch, &mut listed).is_empty(), "told once");
    let mut refused = domain(mx.clone(), vec![with_listing("192.0.2.1", Refused)]);
    assert!(
        observe(&mut watch, &mut refused).is_empty(),
        "a refusal is no delisting"
    );
    let mut stored = DomainWatch::from_json(&watch.to_json());
    assert!(
        observe(&mut stored, &mut listed).is_empty(),
        "a restart tells nothing known"
    );
    let mut delisted = domain(mx, vec![with_listing("192.0.2.1", NotListed)]);
    assert_eq!(
        observe(&mut stored, &mut delisted),
        [(
            5542,
            "mx1.example.test 192.0.2.1: no longer listed on bl.test".to_owned()
        )]
    );
}

#[test]
fn the_amber_of_a_listing_is_the_findings_to_tell_and_a_slow_one_beside_it_is_not() {
    let mx = set(&[(10, "mx1.example.test")]);
    let mut listed = domain(
        mx.clone(),
        vec![target("mx1.example.test", "192.0.2.1", &OFFERED, false)],
    );
    listed.targets[0].add_warning(WarningKind::Blocklisted, "listed".into());
    crate::probe::refresh_top(&mut listed);
    assert_eq!(listed.status, Verdict::Warning);
    assert!(told_by_finding(&listed), "the 5542 finding told it");
    listed.targets[0].add_warning(WarningKind::Slow, "250 after QoS".into());
    crate::probe::refresh_top(&mut listed);
    assert!(
        !told_by_finding(&listed),
        "the slowness is the status's to tell"
    );
}
