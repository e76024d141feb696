//! Every address of a host as a target of its own: fake servers on two loopback addresses (one
//! good, one silent or refusing) given to the probe as the host's addresses. Each target gets its
//! own session and verdict at once, the report's top level is the worst, and `addresses =
//! first` keeps one target that falls back from address to address.

mod common;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use ehlowatch_engine::{Addresses, FailureKind, Prober, Status, Verdict};
use ehlowatch_testkit::{FakeSmtp, Script};

use common::spec;

const QOS_MS: u64 = 400;
const GOOD: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const OTHER: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

/// A healthy server on 127.0.0.1 and, on the same port of 127.0.0.2, `other` (or nothing).
async fn two_servers(other: Option<Script>) -> (FakeSmtp, Option<FakeSmtp>) {
    let good = FakeSmtp::start(Script::healthy()).await;
    let other = match other {
        Some(script) => {
            Some(FakeSmtp::start_at(SocketAddr::new(OTHER, good.port()), script, None).await)
        }
        None => None,
    };
    (good, other)
}

#[tokio::test]
async fn each_address_is_a_target_and_the_worst_is_on_top() {
    let (good, _refusing) = two_servers(None).await;
    let report = Prober::new()
        .probe_addresses(&spec(&good, QOS_MS), &[GOOD, OTHER])
        .await;
    let rows: Vec<_> = report
        .targets
        .iter()
        .map(|t| (t.address.as_str(), t.status))
        .collect();
    assert_eq!(
        rows,
        [
            ("127.0.0.1", Status::Success),
            ("127.0.0.2", Status::Failed)
        ]
    );
    assert_eq!(report.status, Verdict::Failed, "the worst target on top");
    assert_eq!(report.address, Some(OTHER));
    assert_eq!(
        report.failure.as_ref().map(|f| f.kind),
        Some(FailureKind::Refused)
    );
    assert_eq!(report.targets_failing(), (2, 1));
    assert!(!report.no_route());
    let own = &report.targets[0].report;
    assert_eq!((own.status, own.address), (Verdict::Success, Some(GOOD)));
    assert!(own.latency.is_some() && own.targets.is_empty());
    assert_eq!(
        good.received().first().map(|l| l.starts_with("EHLO")),
        Some(true)
    );
}

#[tokio::test]
async fn a_silent_address_does_not_hold_up_the_others() {
    let (good, silent) = two_servers(Some(Script::new().wait_ms(10_000))).await;
    let started = Instant::now();
    let report = Prober::new()
        .probe_addresses(&spec(&good, QOS_MS), &[OTHER, GOOD])
        .await;
    let took = started.elapsed();
    let limit = Duration::from_millis(2 * QOS_MS);
    assert!(
        took < limit + Duration::from_millis(300),
        "both targets ran at once under one 2×QoS: {took:?}"
    );
    let statuses: Vec<_> = report.targets.iter().map(|t| t.status).collect();
    assert_eq!(statuses, [Status::Failed, Status::Success]);
    assert_eq!(
        report.failure.as_ref().map(|f| f.kind),
        Some(FailureKind::Timeout)
    );
    let good_latency = report.targets[1].report.latency.expect("a 250");
    assert!(good_latency < limit / 2, "{good_latency:?}");
    drop(silent);
}

#[tokio::test]
async fn all_good_is_success_with_a_row_per_address_and_duplicates_once() {
    let (good, other) = two_servers(Some(Script::healthy())).await;
    let report = Prober::new()
        .probe_addresses(&spec(&good, QOS_MS), &[GOOD, OTHER, GOOD])
        .await;
    assert_eq!(report.status, Verdict::Success);
    assert_eq!(report.address, Some(GOOD), "equals: the first in order");
    assert_eq!(report.targets.len(), 2);
    assert_eq!(report.targets_failing(), (2, 0));
    assert_eq!(other.map(|o| o.received().len() > 1), Some(true));
}

#[tokio::test]
async fn first_keeps_one_target_falling_back_as_before() {
    let (good, _refusing) = two_servers(None).await;
    let mut first = spec(&good, QOS_MS);
    first.addresses = Addresses::First;
    let report = Prober::new().probe_addresses(&first, &[OTHER, GOOD]).await;
    assert_eq!(report.status, Verdict::Success, "{report:#?}");
    assert_eq!(report.address, Some(GOOD));
    assert_eq!(report.targets.len(), 1);
    assert_eq!(report.targets[0].address, "127.0.0.1");
    let notes: Vec<_> = report.transcript.iter().map(|l| l.text.as_str()).collect();
    assert!(
        notes.iter().any(|n| n.starts_with("connect to 127.0.0.2:")),
        "the refused address was tried first: {notes:?}"
    );
}

#[tokio::test]
async fn an_ip_literal_is_one_target() {
    let good = FakeSmtp::start(Script::healthy()).await;
    let report = Prober::new().probe(&spec(&good, QOS_MS)).await;
    assert_eq!(report.status, Verdict::Success);
    assert_eq!(report.targets.len(), 1);
    assert_eq!(report.targets[0].status, Status::Success);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["targets"][0]["address"], "127.0.0.1");
    assert_eq!(json["targets"][0]["status"], "success");
    assert!(
        json["targets"][0].get("mx").is_none(),
        "no MX for a host monitor"
    );
    assert_eq!(json["targets"][0]["report"]["status"], "success");
}

#[tokio::test]
async fn the_json_has_targets_and_the_worst_at_the_top() {
    let (good, _refusing) = two_servers(None).await;
    let report = Prober::new()
        .probe_addresses(&spec(&good, QOS_MS), &[GOOD, OTHER])
        .await;
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["status"], "failed");
    assert_eq!(json["address"], "127.0.0.2");
    assert_eq!(json["failure"]["kind"], "refused");
    let targets = json["targets"].as_array().expect("targets[]");
    let rows: Vec<_> = targets
        .iter()
        .map(|t| (t["address"].clone(), t["status"].clone()))
        .collect();
    assert_eq!(
        rows,
        [
            ("127.0.0.1".into(), "success".into()),
            ("127.0.0.2".into(), "failed".into())
        ]
    );
    assert_eq!(targets[0]["report"]["status"], "success");
    assert!(targets[0]["report"]["latency_ms"].is_number());
    assert_eq!(targets[1]["report"]["failure"]["kind"], "refused");
    assert_eq!(targets[1]["report"]["targets"], serde_json::json!([]));
}
