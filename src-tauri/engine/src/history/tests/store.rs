//! The history store's data: records from probe reports, round-trips of results and events,
//! stats against hand-computed values, chart downsampling, and retention.

use std::time::Duration;

use crate::history::{HistoryStore, ResultRecord, Retention};
use crate::TlsFacts;
use crate::Verdict;
use crate::{ChangeKind, MonitorId, StateChange, Status};
use crate::{Direction, Phases, ProbeReport, TlsMode, TranscriptLine};
use crate::{Failure, FailureKind, Phase};
use chrono::{DateTime, TimeZone, Utc};

const DAY: i64 = 24 * 3600;

fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_750_000_000 + secs, 0).unwrap()
}

fn us(v: u64) -> Duration {
    Duration::from_micros(v)
}

fn report(verdict: Verdict, at: DateTime<Utc>, latency_ms: Option<u64>) -> ProbeReport {
    let failure = (verdict == Verdict::Failed).then(|| {
        Failure::new(
            Phase::Greeting,
            FailureKind::GreetingRejected,
            "greeting was 421 4.3.2 busy (expected 220)",
        )
    });
    ProbeReport {
        status: verdict,
        event_id: verdict.event_id(),
        latency: latency_ms.map(Duration::from_millis),
        qos: Duration::from_millis(1000),
        host: "mx1.test".into(),
        port: 25,
        address: Some("2001:db8::25".parse().expect("an address")),
        tls_mode: TlsMode::Starttls,
        ehlo_name: Some("probe.test".into()),
        checked_at: at,
        phases: Phases {
            dns: Some(Duration::from_nanos(1_234_567)), // stored as 1234 µs
            connect: Some(us(2_345)),
            tls: Some(us(3_456)),
            greeting: Some(us(4_567)),
            starttls: None,
            ehlo: latency_ms.map(|_| us(5_678)),
        },
        greeting: None,
        ehlo: None,
        tls: Some(Box::new(TlsFacts {
            version: "TLSv1.3".into(),
            cipher: "TLS13_AES_256_GCM_SHA384".into(),
            subject: "CN=mx1.test".into(),
            issuer: "CN=test CA".into(),
            subject_alt_names: vec!["mx1.test".into()],
            not_after: at,
            days_left: 42,
            sha256: "AB:CD".into(),
            verified: true,
            verification_skipped: false,
            verify_error: None,
            chain: Vec::new(),
        })),
        reason: match verdict {
            Verdict::Success => None,
            Verdict::Warning => Some("250 in 1.500 s exceeds QoS 1.000 s".into()),
            Verdict::Failed => failure.as_ref().map(|f| f.message.clone()),
        },
        failure,
        warnings: Vec::new(),
        transcript: vec![
            TranscriptLine {
                at: us(2_345),
                dir: Direction::Note,
                text: "connected to [2001:db8::25]:25".into(),
            },
            TranscriptLine {
                at: us(6_912),
                dir: Direction::Server,
                text: "421 4.3.2 busy \u{fffd}".into(),
            },
            TranscriptLine {
                at: us(7_000),
                dir: Direction::Client,
                text: "QUIT".into(),
            },
        ]
        .into(),
        targets: Vec::new(),
        mx_set: None,
        dane: None,
        mta_sts: None,
        mta_sts_policy: None,
        tls_rpt: None,
        blocklists: Vec::new(),
    }
}

fn record(
    monitor: &str,
    verdict: Verdict,
    at: DateTime<Utc>,
    latency_ms: Option<u64>,
) -> ResultRecord {
    ResultRecord::from_report(&MonitorId::from(monitor), &report(verdict, at, latency_ms))
}

fn change(monitor: &str, at: DateTime<Utc>, from: Status, to: Status) -> StateChange {
    StateChange {
        monitor: MonitorId::from(monitor),
        name: format!("{monitor} name"),
        at,
        event_id: to.event_id(),
        from,
        to,
        kind: ChangeKind::Changed,
        reason: (to == Status::Failed).then(|| "greeting was 421".to_owned()),
        alert: to != Status::Success,
    }
}

#[test]
fn the_transcript_is_kept_for_failures_and_warnings_only() {
    let kept = |v| record("mx1", v, t(0), Some(5)).transcript.map(|l| l.len());
    assert_eq!(kept(Verdict::Success), None);
    assert_eq!(kept(Verdict::Warning), Some(3));
    assert_eq!(kept(Verdict::Failed), Some(3));
    let r = record("mx1", Verdict::Failed, t(0), None);
    assert_eq!(r.cert_days_left, Some(42));
    assert_eq!(r.address, Some("2001:db8::25".parse().unwrap()));
}

#[test]
fn results_and_events_round_trip() {
    let mut store = HistoryStore::open_in_memory().unwrap();
    let rows = [
        // Nanoseconds: the record keeps what the database stores, so it reads back equal.
        record(
            "mx1",
            Verdict::Success,
            t(0) + chrono::Duration::nanoseconds(7_654_321),
            Some(12),
        ),
        record("mx1", Verdict::Warning, t(60), Some(1500)),
        record("mx1", Verdict::Failed, t(120), None),
        record("mx2", Verdict::Success, t(60), Some(7)),
    ];
    let events = [
        change("mx1", t(120), Status::Success, Status::Failed),
        change("mx2", t(10), Status::Unknown, Status::Success),
    ];
    store.write_batch(&rows[..2], &events[..1]).unwrap();
    store.write_batch(&rows[2..], &events[1..]).unwrap();
    let q = store.queries();
    let mx1 = MonitorId::from("mx1");

    let recent = q.recent_results(&mx1, 10).unwrap();
    assert_eq!(
        recent,
        vec![rows[2].clone(), rows[1].clone(), rows[0].clone()]
    );
    assert_eq!(q.recent_results(&mx1, 1).unwrap(), vec![rows[2].clone()]);
    assert_eq!(rows[0].at, t(0) + chrono::Duration::milliseconds(7));
    assert_eq!(rows[0].phases.dns, Some(us(1_234)));
    assert_eq!(
        q.results_between(&mx1, t(60), t(120)).unwrap(),
        vec![rows[1].clone()],
        "half-open range"
    );
    assert_eq!(q.last_failure(&mx1).unwrap(), Some(rows[2].clone()));
    assert_eq!(q.last_failure(&MonitorId::from("mx2")).unwrap(), None);
    assert_eq!(
        q.recent_results(&MonitorId::from("nobody"), 10).unwrap(),
        vec![]
    );

    assert_eq!(
        q.events(None, t(0), t(121)).unwrap(),
        vec![events[1].clone(), events[0].clone()]
    );
    assert_eq!(
        q.events(Some(&mx1), t(0), t(121)).unwrap(),
        vec![events[0].clone()]
    );
    assert_eq!(q.events(None, t(11), t(120)).unwrap(), vec![]);
}

#[test]
fn stats_match_hand_computed_values() {
    let mut store = HistoryStore::open_in_memory().unwrap();
    // mx1 in the window: 6 Success, 2 Warning, 2 Failed (one late 250 at 2100 ms, one without
    // a 250). Latency samples, sorted: 10 20 30 40 50 60 1200 1500 2100 → n = 9.
    let mut rows = Vec::new();
    for (i, ms) in (0..).zip([30, 10, 60, 20, 50, 40]) {
        rows.push(record("mx1", Verdict::Success, t(i * 60), Some(ms)));
    }
    rows.push(record("mx1", Verdict::Warning, t(400), Some(1500)));
    rows.push(record("mx1", Verdict::Warning, t(460), Some(1200)));
    rows.push(record("mx1", Verdict::Failed, t(520), Some(2100)));
    rows.push(record("mx1", Verdict::Failed, t(580), None));
    // Outside the window, and another monitor: neither may count.
    rows.push(record("mx1", Verdict::Failed, t(-1), None));
    rows.push(record("mx2", Verdict::Failed, t(100), None));
    store.write_batch(&rows, &[]).unwrap();

    let s = store
        .queries()
        .stats(&MonitorId::from("mx1"), t(0))
        .unwrap();
    assert_eq!((s.probes, s.success, s.warning, s.failed), (10, 6, 2, 2));
    assert_eq!(s.uptime_pct, Some(80.0)); // (6 + 2) / 10
    assert_eq!(s.latency_samples, 9);
    // Nearest rank: p50 → ⌈4.5⌉ = 5th = 50 ms; p95 → ⌈8.55⌉ = 9th; p99 → ⌈8.91⌉ = 9th.
    assert_eq!(s.p50, Some(Duration::from_millis(50)));
    assert_eq!(s.p95, Some(Duration::from_millis(2100)));
    assert_eq!(s.p99, Some(Duration::from_millis(2100)));

    let later = store
        .queries()
        .stats(&MonitorId::from("mx1"), t(401))
        .unwrap();
    assert_eq!((later.probes, later.warning, later.failed), (3, 1, 2));
    assert!((later.uptime_pct.unwrap() - 100.0 / 3.0).abs() < 1e-9);
    assert_eq!(later.p50, Some(Duration::from_millis(1200))); // of [1200, 2100]: ⌈1⌉ = 1st

    let none = store
        .queries()
        .stats(&MonitorId::from("nobody"), t(0))
        .unwrap();
    assert_eq!((none.probes, none.uptime_pct, none.p50), (0, None, None));
}

#[test]
fn chart_series_buckets_min_avg_max() {
    let mut store = HistoryStore::open_in_memory().unwrap();
    let rows = [
        record("mx1", Verdict::Success, t(0), Some(10)),
        record("mx1", Verdict::Success, t(30), Some(30)),
        record("mx1", Verdict::Failed, t(59), None),
        // Nothing in [60, 120): no point for it.
        record("mx1", Verdict::Warning, t(150), Some(1100)),
    ];
    store.write_batch(&rows, &[]).unwrap();
    let points = store
        .queries()
        .latency_series(&MonitorId::from("mx1"), t(0), t(180), 3)
        .unwrap();
    assert_eq!(points.len(), 2);
    let ms = |v| Some(Duration::from_millis(v));
    let p = &points[0];
    assert_eq!((p.start, p.probes, p.warning, p.failed), (t(0), 3, 0, 1));
    assert_eq!((p.min, p.avg, p.max), (ms(10), ms(20), ms(30)));
    let p = &points[1];
    assert_eq!((p.start, p.probes, p.warning, p.failed), (t(120), 1, 1, 0));
    assert_eq!((p.min, p.avg, p.max), (ms(1100), ms(1100), ms(1100)));
}

#[test]
fn retention_keeps_failures_and_events_longer() {
    let mut store = HistoryStore::open_in_memory().unwrap();
    let now = t(1000 * DAY);
    let ago = |days: i64| now - chrono::Duration::days(days);
    let rows = [
        record("mx1", Verdict::Success, ago(31), Some(10)),
        record("mx1", Verdict::Warning, ago(31), Some(1500)),
        record("mx1", Verdict::Success, ago(29), Some(11)),
        record("mx1", Verdict::Failed, ago(29), None),
        record("mx1", Verdict::Failed, ago(40), None),
        record("mx1", Verdict::Failed, ago(91), None),
    ];
    let events = [
        change("mx1", ago(299), Status::Failed, Status::Success),
        change("mx1", ago(301), Status::Success, Status::Failed),
    ];
    store.write_batch(&rows, &events).unwrap();

    let retention = Retention::from_results(Duration::from_secs(30 * 24 * 3600));
    assert_eq!(
        (retention.failures.as_secs(), retention.events.as_secs()),
        (90 * 86400, 300 * 86400)
    );
    let pruned = store.prune(now, &retention).unwrap();
    assert_eq!(
        (
            pruned.results,
            pruned.failures,
            pruned.transcripts,
            pruned.events
        ),
        (2, 1, 1, 1)
    );

    let q = store.queries();
    let left = q
        .results_between(&MonitorId::from("mx1"), ago(1000), now)
        .unwrap();
    let summary: Vec<(i64, Verdict, bool)> = left
        .iter()
        .map(|r| ((now - r.at).num_days(), r.verdict, r.transcript.is_some()))
        .collect();
    assert_eq!(
        summary,
        [
            (40, Verdict::Failed, false),
            (29, Verdict::Success, false),
            (29, Verdict::Failed, true)
        ]
    );
    let kept = &left[0];
    assert_eq!(
        kept.failure.as_ref().unwrap().kind,
        FailureKind::GreetingRejected,
        "the summary stays"
    );
    assert_eq!(
        q.events(None, ago(1000), now).unwrap(),
        vec![events[0].clone()]
    );
    assert_eq!(store.prune(now, &retention).unwrap().total(), 0);
}

#[test]
fn pruning_goes_in_chunks() {
    let mut store = HistoryStore::open_in_memory().unwrap();
    let rows: Vec<_> = (0..5)
        .map(|i| record("mx1", Verdict::Success, t(i), Some(1)))
        .collect();
    store.write_batch(&rows, &[]).unwrap();
    let retention = Retention::from_results(Duration::from_secs(60));
    let now = t(3600);
    let first = store.prune_step(now, &retention, 2).unwrap();
    assert_eq!((first.results, first.more), (2, true));
    let rest = store.prune(now, &retention).unwrap();
    assert_eq!((rest.results, rest.more), (3, false));
}
