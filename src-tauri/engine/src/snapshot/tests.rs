//! The snapshot's worst status and counts by the colour order, and its re-evaluation at a later
//! instant (stale, end of a snooze) by whoever shows it.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};

use super::{Counts, MonitorView, Snapshot};
use crate::probe::{Phases, ProbeReport, TlsMode};
use crate::status::Status;
use crate::verdict::Verdict;

pub(crate) fn t(s: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 + s, 0).unwrap()
}

/// A Success report of a probe started at `checked_at`.
pub(crate) fn report_at(checked_at: DateTime<Utc>) -> ProbeReport {
    ProbeReport {
        status: Verdict::Success,
        event_id: Verdict::Success.event_id(),
        latency: Some(Duration::from_millis(12)),
        qos: Duration::from_secs(1),
        host: "mx1.test".into(),
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

/// An enabled monitor in `status`, probed every 60 s with a 1 s QoS, last at `last`.
fn monitor(name: &str, status: Status, last: Option<i64>) -> Arc<MonitorView> {
    Arc::new(MonitorView {
        id: name.into(),
        name: name.into(),
        enabled: true,
        status,
        interval_ms: 60_000,
        qos_ms: 1_000,
        last: last.map(|s| Arc::new(report_at(t(s)))),
        ..MonitorView::default()
    })
}

#[test]
fn one_green_monitor_and_five_grey_ones_make_a_grey_tray() {
    let monitors = vec![
        monitor("ok", Status::Success, Some(0)),
        monitor("new1", Status::Unknown, None),
        monitor("new2", Status::Unknown, None),
        monitor("away", Status::Offline, Some(0)),
        monitor("old1", Status::Success, Some(-1_000)),
        monitor("old2", Status::Failed, Some(-1_000)),
    ];
    let snapshot = Snapshot::new(monitors, false, None, t(10));
    assert_eq!(snapshot.worst.colour(), crate::Colour::Grey);
    assert_eq!(snapshot.worst, Status::Offline);
    assert_eq!(
        snapshot.counts,
        Counts {
            success: 1,
            unknown: 2,
            offline: 1,
            stale: 2,
            ..Counts::default()
        }
    );
    let shown: Vec<Status> = snapshot.monitors.iter().map(|m| m.shown).collect();
    assert_eq!(
        shown,
        [
            Status::Success,
            Status::Unknown,
            Status::Unknown,
            Status::Offline,
            Status::Stale,
            Status::Stale
        ]
    );
}

#[test]
fn a_snapshot_shown_later_turns_stale_though_the_engine_said_nothing() {
    let snapshot = Snapshot::new(
        vec![
            monitor("mx1", Status::Success, Some(0)),
            monitor("mx2", Status::Success, Some(30)),
        ],
        false,
        None,
        t(1),
    );
    assert_eq!(snapshot.worst, Status::Success);
    let due = snapshot.next_change(t(1)).unwrap();
    assert_eq!(due, t(122) + chrono::Duration::milliseconds(1));

    let later = snapshot.at(due);
    assert_eq!(later.taken_at, Some(due));
    assert_eq!(later.worst, Status::Stale);
    assert_eq!((later.counts.stale, later.counts.success), (1, 1));
    assert!(
        Arc::ptr_eq(&later.monitors[1], &snapshot.monitors[1]),
        "an unchanged view keeps its Arc"
    );
    assert_eq!(
        later.next_change(due),
        Some(t(152) + chrono::Duration::milliseconds(1))
    );
}

#[test]
fn a_snoozed_monitor_is_counted_paused_and_leaves_the_tray_colour() {
    let snoozed = Arc::new(MonitorView {
        snoozed_until: Some(t(100)),
        ..MonitorView::clone(&monitor("down", Status::Failed, Some(0)))
    });
    let disabled = Arc::new(MonitorView {
        enabled: false,
        ..MonitorView::clone(&monitor("off", Status::Failed, Some(0)))
    });
    let monitors = vec![monitor("ok", Status::Success, Some(0)), snoozed, disabled];
    let snapshot = Snapshot::new(monitors, false, None, t(10));
    assert_eq!(snapshot.worst, Status::Success);
    assert_eq!(
        snapshot.counts,
        Counts {
            success: 1,
            paused: 1,
            ..Counts::default()
        }
    );
    assert_eq!(snapshot.monitors[1].shown, Status::Paused);
    assert_eq!(snapshot.next_change(t(10)), Some(t(100)));
    let after = snapshot.at(t(100));
    assert_eq!(
        (after.worst, after.monitors[1].shown),
        (Status::Failed, Status::Failed)
    );
}

#[test]
fn counts_of_names_every_status() {
    let mut counts = Counts::default();
    for (n, s) in Status::ALL.into_iter().enumerate() {
        for _ in 0..=n {
            counts.add(s);
        }
    }
    for (n, s) in Status::ALL.into_iter().enumerate() {
        assert_eq!(counts.of(s), n + 1, "{s}");
    }
}
