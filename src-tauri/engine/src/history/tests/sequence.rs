//! The stream sequence: state changes, local causes and findings numbered in the order written,
//! numbers
//! that only grow (through pruning and a file that replaces another), and the rule that says
//! whether a viewer's last sequence can still be resumed exactly.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::t;
use crate::history::{BaselineRecord, CauseRecord, EventBounds, HistoryStore, Logged, Retention};
use crate::{ChangeKind, Finding, FindingKind, LocalCause, MonitorId, StateChange, Status};

fn change(monitor: &str, at: DateTime<Utc>, to: Status) -> StateChange {
    StateChange {
        monitor: MonitorId::from(monitor),
        name: monitor.to_owned(),
        at,
        event_id: to.event_id(),
        from: Status::Unknown,
        to,
        kind: ChangeKind::Changed,
        reason: None,
        alert: true,
    }
}

#[test]
fn changes_and_causes_share_one_sequence_in_the_order_written() {
    let mut store = HistoryStore::open_in_memory().unwrap();
    let began = CauseRecord::new(t(1), LocalCause::Offline, true, 2);
    let written = vec![
        Logged::StateChange(change("mx1", t(0), Status::Success)),
        Logged::LocalCause(began.clone()),
        Logged::StateChange(change("mx2", t(1), Status::Offline)),
    ];
    let mut reader_written = store.reader().written();
    store.write_logged(&[], &written).unwrap();
    let q = store.queries();
    let rows = q.events_after(0, 10).unwrap();
    let got: Vec<Logged> = rows.iter().map(|r| r.event.clone()).collect();
    assert_eq!(got, written);
    let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, vec![seqs[0], seqs[0] + 1, seqs[0] + 2]);
    assert_eq!(began.event_id, 5520);
    // The readers are told the last sequence committed.
    assert!(reader_written.has_changed().unwrap());
    assert_eq!(*reader_written.borrow_and_update(), seqs[2]);
    // Only what comes after, and at most the limit.
    let after = q.events_after(seqs[0], 1).unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].seq, seqs[1]);
    // The state-change queries of the window are unchanged: no monitor, no row there.
    assert_eq!(q.events(None, t(-10), t(10)).unwrap().len(), 2);
}

#[test]
fn findings_of_every_kind_are_in_the_sequence_not_in_the_state_changes_and_a_baseline_is_replaced()
{
    let mut store = HistoryStore::open_in_memory().unwrap();
    let finding = Finding {
        monitor: MonitorId::from("example"),
        name: "example.test".into(),
        at: t(2),
        event_id: 5532,
        kind: FindingKind::Drift,
        target: Some("mx1.example.test 192.0.2.1".into()),
        before: None,
        after: None,
        changes: vec!["STARTTLS vanished".into()],
        notify: true,
    };
    let dane = Finding {
        event_id: 5540,
        kind: FindingKind::Dane,
        changes: vec!["DANE matched → no match".into()],
        notify: false,
        ..finding.clone()
    };
    let written = vec![
        Logged::StateChange(change("example", t(1), Status::Success)),
        Logged::Finding(finding.clone()),
        Logged::Finding(dane),
    ];
    let baseline = |body: &str| BaselineRecord {
        monitor: MonitorId::from("example"),
        body: body.into(),
    };
    store
        .write_all(&[], &written, &[baseline("one"), baseline("two")])
        .unwrap();
    let q = store.queries();
    let got: Vec<Logged> = q
        .events_after(0, 10)
        .unwrap()
        .into_iter()
        .map(|r| r.event)
        .collect();
    assert_eq!(got, written);
    assert_eq!(q.events(None, t(-10), t(10)).unwrap().len(), 1);
    assert_eq!(q.baselines().unwrap(), [baseline("two")]);
}

#[test]
fn a_new_file_numbers_from_the_unix_time_in_milliseconds_and_pruning_never_reuses_a_number() {
    let before = Utc::now().timestamp() * 1000 - 1000;
    let mut store = HistoryStore::open_in_memory().unwrap();
    let bounds = store.queries().event_bounds().unwrap();
    assert!(bounds.last >= before, "{bounds:?}");
    assert_eq!(bounds.oldest, None);

    store
        .write_batch(&[], &[change("mx1", t(0), Status::Failed)])
        .unwrap();
    let first = store.queries().events_after(0, 10).unwrap()[0].seq;
    assert_eq!(first, bounds.last + 1);
    // Everything pruned (the newest row too): the next row still gets a new number.
    let pruned = store
        .prune(
            t(10_000_000),
            &Retention::from_results(std::time::Duration::from_secs(1)),
        )
        .unwrap();
    assert_eq!(pruned.events, 1);
    assert_eq!(
        store.queries().event_bounds().unwrap(),
        EventBounds {
            oldest: None,
            last: first
        }
    );
    store
        .write_batch(&[], &[change("mx1", t(20_000_000), Status::Success)])
        .unwrap();
    assert_eq!(
        store.queries().events_after(first, 10).unwrap()[0].seq,
        first + 1
    );
}

#[test]
fn a_viewer_resumes_only_when_everything_after_its_sequence_is_kept() {
    let kept = EventBounds {
        oldest: Some(100),
        last: 120,
    };
    let empty = EventBounds {
        oldest: None,
        last: 120,
    };
    let table = [
        (kept, 120, true),  // saw everything
        (kept, 110, true),  // missed 111..=120
        (kept, 99, true),   // missed 100..=120, all kept
        (kept, 98, false),  // 99 was pruned
        (kept, 121, false), // from another file (or the future)
        (empty, 120, true),
        (empty, 119, false), // 120 was pruned
    ];
    for (bounds, seen, want) in table {
        assert_eq!(bounds.can_resume(seen), want, "{bounds:?} seen {seen}");
    }
}

#[test]
fn a_version_2_file_keeps_its_events_and_their_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.sqlite");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(crate::history::schema::V1).unwrap();
        conn.execute_batch(crate::history::schema::V2).unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute_batch(
            "INSERT INTO monitors (id, key) VALUES (1, 'mx1');
             INSERT INTO events (id, monitor_id, name, at_ms, event_id, from_status, to_status,
                                 kind, reason, alert)
             VALUES (7, 1, 'mx1', 1750000000000, 5509, 'success', 'failed', 'changed', 'x', 1);",
        )
        .unwrap();
    }
    let (mut store, recovery) = HistoryStore::open(&path).unwrap();
    assert_eq!(recovery, None);
    let rows = store.queries().events_after(0, 10).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].seq, 7);
    let Logged::StateChange(kept) = &rows[0].event else {
        panic!("{rows:?}")
    };
    assert_eq!((kept.from, kept.to), (Status::Success, Status::Failed));
    store
        .write_batch(&[], &[change("mx1", t(0), Status::Success)])
        .unwrap();
    let next = store.queries().events_after(7, 10).unwrap();
    assert!(
        next[0].seq > Utc::now().timestamp() * 1000 - 60_000,
        "{next:?}"
    );
}
