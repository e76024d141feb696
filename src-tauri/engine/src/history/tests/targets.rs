//! Results keyed by (monitor, target): a database in the first schema migrates with its rows
//! intact, the monitor's queries keep reading the monitor's rows only, and each target's rows
//! are found by its address.

use std::time::Duration;

use rusqlite::{params, Connection};

use super::{plain_record, t};
use crate::history::schema::{user_version, SCHEMA_VERSION, V1};
use crate::history::{HistoryStore, ResultRecord};
use crate::{MonitorId, Verdict};

/// A database file as the first schema wrote it, with one monitor and two results.
fn old_database(path: &std::path::Path) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(V1).unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    conn.execute("INSERT INTO monitors (key) VALUES ('mx1')", [])
        .unwrap();
    for (at, verdict, latency) in [(t(0), 0, Some(5_000)), (t(60), 2, None)] {
        conn.execute(
            "INSERT INTO results (monitor_id, at_ms, verdict, latency_us, address, failure_phase, \
             failure_kind, failure_message) VALUES (1, ?1, ?2, ?3, '192.0.2.1', ?4, ?5, ?6)",
            params![
                at.timestamp_millis(),
                verdict,
                latency,
                (verdict == 2).then_some("connect"),
                (verdict == 2).then_some("refused"),
                (verdict == 2).then_some("connection refused"),
            ],
        )
        .unwrap();
    }
}

fn target_row(at_s: i64, address: &str, verdict: Verdict) -> ResultRecord {
    ResultRecord {
        target: Some(address.to_owned()),
        address: address.parse().ok(),
        ..plain_record("mx1", verdict, t(at_s), Some(9))
    }
}

#[test]
fn an_old_database_migrates_with_its_rows_and_takes_rows_by_target() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite");
    old_database(&path);

    let (mut store, recovery) = HistoryStore::open(&path).unwrap();
    assert!(
        recovery.is_none(),
        "migrated, not moved aside: {recovery:?}"
    );
    let mx1 = MonitorId::from("mx1");
    let old = store.queries().recent_results(&mx1, 10).unwrap();
    assert_eq!(old.len(), 2, "the old rows are there: {old:?}");
    assert_eq!(old[0].verdict, Verdict::Failed);
    assert_eq!(
        old[0].failure.as_ref().map(|f| f.message.as_str()),
        Some("connection refused")
    );
    assert_eq!(old[1].latency, Some(Duration::from_millis(5)));
    assert!(old.iter().all(|r| r.target.is_none()));

    let monitor = ResultRecord {
        address: "192.0.2.2".parse().ok(),
        ..plain_record("mx1", Verdict::Failed, t(120), None)
    };
    let rows = [
        monitor,
        target_row(120, "192.0.2.1", Verdict::Success),
        target_row(120, "192.0.2.2", Verdict::Failed),
    ];
    store.write_batch(&rows, &[]).unwrap();

    let q = store.queries();
    let monitor_rows = q.recent_results(&mx1, 10).unwrap();
    assert_eq!(monitor_rows.len(), 3, "the monitor's rows only");
    assert_eq!(monitor_rows[0].verdict, Verdict::Failed);
    let stats = q.stats(&mx1, t(0)).unwrap();
    assert_eq!(
        stats.probes, 3,
        "targets do not count twice in the monitor's stats"
    );
    let good = q.recent_target_results(&mx1, "192.0.2.1", 10).unwrap();
    assert_eq!(good, vec![rows[1].clone()]);
    let bad = q.recent_target_results(&mx1, "192.0.2.2", 10).unwrap();
    assert_eq!(bad, vec![rows[2].clone()]);
    assert_eq!(q.last_failure(&mx1).unwrap().map(|r| r.at), Some(t(120)));
    drop(store);

    let conn = Connection::open(&path).unwrap();
    assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
}
