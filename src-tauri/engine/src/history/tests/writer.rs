//! The history writer task: batches by size, flushes everything on cancellation and when the
//! senders are gone, and prunes in the background.

use std::time::Duration;

use crate::history::writer::{HistoryWriter, WriterConfig};
use crate::history::{run_writer, HistoryItem, HistoryStore, ResultRecord, Retention};
use crate::Verdict;
use crate::{ChangeKind, MonitorId, StateChange, Status};
use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{plain_record, t};

const PATIENCE: Duration = Duration::from_secs(20);

fn result(monitor: &str, at: DateTime<Utc>) -> HistoryItem {
    HistoryItem::Result(plain_record(monitor, Verdict::Success, at, Some(12)))
}

fn event(monitor: &str, at: DateTime<Utc>) -> HistoryItem {
    HistoryItem::Change(StateChange {
        monitor: MonitorId::from(monitor),
        name: monitor.into(),
        at,
        event_id: Some(5510),
        from: Status::Unknown,
        to: Status::Success,
        kind: ChangeKind::Changed,
        reason: None,
        alert: false,
    })
}

fn count(store: &HistoryStore, monitor: &str) -> usize {
    store
        .queries()
        .recent_results(&MonitorId::from(monitor), 100_000)
        .expect("a query")
        .len()
}

/// A writer that never flushes on its own (huge batch, hour-long tick).
fn lazy() -> WriterConfig {
    WriterConfig {
        max_batch: 1_000_000,
        flush_every: Duration::from_secs(3600),
        ..WriterConfig::default()
    }
}

#[tokio::test]
async fn cancellation_drains_the_channel_and_flushes() {
    let store = HistoryStore::open_in_memory().unwrap();
    let (tx, rx) = mpsc::channel(1000);
    let cancel = CancellationToken::new();
    let writer = HistoryWriter::new(lazy());
    let stats = writer.stats();
    let task = tokio::spawn(writer.run(store, rx, cancel.clone()));
    for i in 0..700 {
        tx.send(result("mx1", t(i))).await.unwrap();
    }
    tx.send(event("mx1", t(0))).await.unwrap();
    cancel.cancel();
    let store = task.await.unwrap().unwrap();

    assert_eq!(count(&store, "mx1"), 700);
    assert_eq!(store.queries().events(None, t(0), t(1)).unwrap().len(), 1);
    let s = stats.borrow().clone();
    assert_eq!(
        (s.results_written, s.events_written, s.batches, s.dropped),
        (700, 1, 1, 0)
    );
    assert!(
        tx.send(result("mx1", t(9))).await.is_err(),
        "the channel is closed after the drain"
    );
}

#[tokio::test]
async fn the_writer_ends_and_flushes_when_every_sender_is_gone() {
    let store = HistoryStore::open_in_memory().unwrap();
    let (tx, rx) = mpsc::channel(10);
    let task = tokio::spawn(run_writer(
        store,
        rx,
        CancellationToken::new(),
        Retention::default(),
    ));
    for i in 0..25 {
        tx.send(result("mx1", t(i))).await.unwrap();
    }
    drop(tx);
    let store = task.await.unwrap().unwrap();
    assert_eq!(count(&store, "mx1"), 25);
}

#[tokio::test]
async fn a_full_batch_is_written_without_waiting_for_the_tick() {
    let store = HistoryStore::open_in_memory().unwrap();
    let reader = store.reader();
    let (tx, rx) = mpsc::channel(100);
    let cancel = CancellationToken::new();
    let writer = HistoryWriter::new(WriterConfig {
        max_batch: 10,
        ..lazy()
    });
    let mut stats = writer.stats();
    let task = tokio::spawn(writer.run(store, rx, cancel.clone()));
    for i in 0..25 {
        tx.send(result("mx1", t(i))).await.unwrap();
    }
    let s = tokio::time::timeout(PATIENCE, stats.wait_for(|s| s.results_written >= 20))
        .await
        .expect("two full batches written")
        .unwrap()
        .clone();
    assert_eq!(
        (s.results_written, s.batches),
        (20, 2),
        "the 5 left wait for the tick"
    );
    let seen = reader
        .query(|q| q.recent_results(&MonitorId::from("mx1"), 100))
        .await
        .unwrap();
    assert_eq!(seen.len(), 20, "a reader sees each committed batch");

    cancel.cancel();
    let store = task.await.unwrap().unwrap();
    assert_eq!(count(&store, "mx1"), 25);
}

#[tokio::test]
async fn the_writer_prunes_in_the_background() {
    let mut store = HistoryStore::open_in_memory().unwrap();
    let old = Utc::now() - chrono::Duration::days(2);
    let rows: Vec<ResultRecord> = (0..7)
        .map(
            |i| match result("mx1", old + chrono::Duration::seconds(i)) {
                HistoryItem::Result(r) => r,
                _ => unreachable!("result() makes a result"),
            },
        )
        .collect();
    store.write_batch(&rows, &[]).unwrap();
    let (_tx, rx) = mpsc::channel(10);
    let cancel = CancellationToken::new();
    let writer = HistoryWriter::new(WriterConfig {
        retention: Retention::from_results(Duration::from_secs(24 * 3600)),
        flush_every: Duration::from_millis(10),
        prune_chunk: 3,
        ..WriterConfig::default()
    });
    let mut stats = writer.stats();
    let task = tokio::spawn(writer.run(store, rx, cancel.clone()));
    tokio::time::timeout(PATIENCE, stats.wait_for(|s| s.pruned >= 7))
        .await
        .expect("pruned in chunks of 3")
        .unwrap();
    cancel.cancel();
    let store = task.await.unwrap().unwrap();
    assert_eq!(count(&store, "mx1"), 0);
}
