//! What the agent shows of a snapshot at the time it is asked: a monitor with no result for
//! longer than 2×interval + 2×QoS is `stale` in `/api/status` and in `/metrics`
//! (`ehlowatch_status` 3, `ehlowatch_state{state="stale"}` 1) though the engine published
//! nothing since.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use ehlowatch_engine::{
    MonitorView, Phases, ProbeReport, Snapshot, Status, TargetReport, TlsMode, Verdict,
};
use tokio::sync::watch;

use super::http::status_body;
use super::metrics::Metrics;

fn success_at(checked_at: DateTime<Utc>) -> ProbeReport {
    ProbeReport {
        status: Verdict::Success,
        event_id: Verdict::Success.event_id(),
        latency: Some(Duration::from_millis(12)),
        qos: Duration::from_secs(1),
        host: "127.0.0.1".into(),
        port: 25,
        address: None,
        tls_mode: TlsMode::None,
        ehlo_name: None,
        checked_at,
        phases: Phases::default(),
        greeting: None,
        ehlo: None,
        tls: None,
        reason: None,
        failure: None,
        warnings: Vec::new(),
        transcript: Arc::default(),
        targets: Vec::new(),
        mx_set: None,
        dane: None,
        mta_sts: None,
        mta_sts_policy: None,
        tls_rpt: None,
        blocklists: Vec::new(),
    }
}

/// A Success monitor probed every 60 s with a 1 s QoS, last `ago` before the real now.
fn monitor(name: &str, ago: chrono::Duration) -> Arc<MonitorView> {
    Arc::new(MonitorView {
        id: name.into(),
        name: name.into(),
        enabled: true,
        status: Status::Success,
        shown: Status::Success,
        interval_ms: 60_000,
        qos_ms: 1_000,
        last: Some(Arc::new(success_at(Utc::now() - ago))),
        ..MonitorView::default()
    })
}

/// A snapshot the engine published when both monitors were fresh, an hour before now.
fn published() -> Snapshot {
    let taken = Utc::now() - chrono::Duration::hours(1);
    Snapshot {
        monitors: vec![
            monitor("fresh", chrono::Duration::seconds(5)),
            monitor("old", chrono::Duration::hours(1)),
        ],
        worst: Status::Success,
        taken_at: Some(taken),
        ..Snapshot::default()
    }
}

#[test]
fn api_status_shows_a_monitor_without_a_fresh_result_as_stale() {
    let body = serde_json::to_value(status_body(&published().at(Utc::now()))).unwrap();
    let monitors = body["monitors"].as_array().unwrap();
    assert_eq!(monitors[0]["status"], "success", "{body}");
    assert_eq!(monitors[1]["status"], "stale", "{body}");
    assert_eq!(monitors[1]["event_id"], 5524, "{body}");
    assert_eq!(body["worst"], "stale", "{body}");
    assert_eq!(body["counts"]["stale"], 1, "{body}");
}

#[test]
fn metrics_give_status_3_and_name_the_stale_state_at_scrape_time() {
    let (_tx, rx) = watch::channel(Arc::new(published()));
    let text = Metrics::new(rx).encode().unwrap();
    for line in [
        r#"ehlowatch_status{monitor="fresh"} 0"#,
        r#"ehlowatch_status{monitor="old"} 3"#,
        r#"ehlowatch_state{monitor="fresh",state="success"} 1"#,
        r#"ehlowatch_state{monitor="old",state="stale"} 1"#,
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no line {line:?} in:\n{text}"
        );
    }
    let states = text
        .lines()
        .filter(|l| l.starts_with("ehlowatch_state{"))
        .count();
    assert_eq!(states, 2, "one state series per monitor:\n{text}");
}

/// A monitor whose last probe had a target per `(address, status)`.
fn with_targets(name: &str, targets: &[(&str, Status)]) -> Arc<MonitorView> {
    let mut report = success_at(Utc::now());
    report.targets = targets
        .iter()
        .map(|(address, status)| TargetReport {
            mx: None,
            address: (*address).to_owned(),
            status: *status,
            report: success_at(Utc::now()),
        })
        .collect();
    Arc::new(MonitorView {
        last: Some(Arc::new(report)),
        ..(*monitor(name, chrono::Duration::seconds(1))).clone()
    })
}

#[test]
fn metrics_have_a_series_per_current_target_only() {
    let two = Snapshot {
        monitors: vec![with_targets(
            "mx",
            &[
                ("192.0.2.1", Status::Success),
                ("2001:db8::1", Status::NoRoute),
            ],
        )],
        taken_at: Some(Utc::now()),
        ..Snapshot::default()
    };
    let (tx, rx) = watch::channel(Arc::new(two));
    let metrics = Metrics::new(rx);
    let targets = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("ehlowatch_target_status{"))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(
        targets(&metrics.encode().unwrap()),
        [
            r#"ehlowatch_target_status{monitor="mx",target="192.0.2.1"} 0"#,
            r#"ehlowatch_target_status{monitor="mx",target="2001:db8::1"} 3"#,
        ]
    );
    let one = Snapshot {
        monitors: vec![with_targets("mx", &[("192.0.2.1", Status::Failed)])],
        taken_at: Some(Utc::now()),
        ..Snapshot::default()
    };
    tx.send(Arc::new(one)).unwrap();
    assert_eq!(
        targets(&metrics.encode().unwrap()),
        [r#"ehlowatch_target_status{monitor="mx",target="192.0.2.1"} 2"#],
        "the address that left is gone"
    );
}

#[test]
fn a_domains_targets_are_labelled_with_their_mx_host_so_a_shared_address_stays_apart() {
    let mut view = (*with_targets(
        "example",
        &[
            ("192.0.2.1", Status::Success),
            ("192.0.2.1", Status::Failed),
        ],
    ))
    .clone();
    let mut report = (**view.last.as_ref().unwrap()).clone();
    report.targets[0].mx = Some("mx1.example.test".into());
    report.targets[1].mx = Some("mx2.example.test".into());
    view.last = Some(Arc::new(report));
    let snapshot = Snapshot {
        monitors: vec![Arc::new(view)],
        taken_at: Some(Utc::now()),
        ..Snapshot::default()
    };
    let (_tx, rx) = watch::channel(Arc::new(snapshot));
    let text = Metrics::new(rx).encode().unwrap();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("ehlowatch_target_status{"))
        .collect();
    assert_eq!(
        lines,
        [
            r#"ehlowatch_target_status{monitor="example",mx="mx1.example.test",target="192.0.2.1"} 0"#,
            r#"ehlowatch_target_status{monitor="example",mx="mx2.example.test",target="192.0.2.1"} 2"#,
        ]
    );
}
