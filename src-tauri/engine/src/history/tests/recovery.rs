//! The history file: schema version and WAL recorded, data kept across opens; corrupt,
//! foreign, newer and locked files moved aside with a new database started; readers beside the
//! writer, and readers following a file replaced while running.

use std::time::Duration;

use crate::history::open::OpenOptions;
use crate::history::schema::SCHEMA_VERSION;
use crate::history::HistoryStore;
use crate::MonitorId;
use crate::Verdict;

use super::{plain_record, t};

#[test]
fn a_file_database_records_its_schema_version_and_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.db");
    let (mut store, recovery) = HistoryStore::open(&path).unwrap();
    assert_eq!(recovery, None);
    store
        .write_batch(&[plain_record("mx1", Verdict::Success, t(0), Some(3))], &[])
        .unwrap();
    drop(store);

    let raw = rusqlite::Connection::open(&path).unwrap();
    let version: u32 = raw
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let mode: String = raw
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    drop(raw);

    let (store, recovery) = HistoryStore::open(&path).unwrap();
    assert_eq!(recovery, None);
    assert_eq!(
        store
            .queries()
            .recent_results(&MonitorId::from("mx1"), 5)
            .unwrap()
            .len(),
        1
    );
}

/// Opens `path` (expecting a recovery), checks the bad file was moved aside intact and that
/// the new database works; returns the recovery's reason.
fn assert_recovers(path: &std::path::Path, options: OpenOptions) -> String {
    let before = std::fs::read(path).expect("the bad file");
    let (mut store, recovery) = HistoryStore::open_with(path, options).expect("a new database");
    let recovery = recovery.expect("a recovery");
    let name = recovery
        .moved_to
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    let name = name.unwrap_or_default();
    assert!(name.starts_with("history.db.corrupt-2"), "{name}");
    let after = std::fs::read(&recovery.moved_to).expect("the moved file");
    assert!(after == before, "moved aside intact");
    let failure = plain_record("mx1", Verdict::Failed, t(0), None);
    store
        .write_batch(&[failure], &[])
        .expect("the new database takes writes");
    let found = store
        .queries()
        .last_failure(&MonitorId::from("mx1"))
        .expect("a query");
    assert!(found.is_some());
    assert!(recovery
        .to_string()
        .contains(&recovery.moved_to.display().to_string()));
    recovery.reason
}

#[test]
fn a_corrupt_file_is_moved_aside_and_a_new_database_started() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.db");
    std::fs::write(
        &path,
        b"this is not an SQLite database, just garbage bytes \x00\xff".repeat(100),
    )
    .unwrap();
    let reason = assert_recovers(&path, OpenOptions::default());
    assert!(reason.contains("not a usable database"), "{reason}");
    // Another bad file, moved aside in the same second or not, never overwrites the first.
    std::fs::write(&path, b"garbage again").unwrap();
    let (_, again) = HistoryStore::open(&path).unwrap();
    assert_eq!(
        std::fs::read(again.unwrap().moved_to).unwrap(),
        b"garbage again"
    );
    let moved = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".corrupt-")
        })
        .count();
    assert_eq!(moved, 2);
}

#[test]
fn unusable_schemas_are_moved_aside() {
    let dir = tempfile::tempdir().unwrap();
    let table: [(&str, &str); 4] = [
        ("PRAGMA user_version = 1;", "unreadable schema"),
        ("PRAGMA user_version = 2;", "unreadable schema"),
        ("CREATE TABLE results (x TEXT);", "unreadable schema"),
        ("PRAGMA user_version = 999;", "newer than this build"),
    ];
    for (i, (sql, want)) in table.into_iter().enumerate() {
        let sub = dir.path().join(i.to_string());
        std::fs::create_dir(&sub).unwrap();
        let path = sub.join("history.db");
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch(sql)
            .unwrap();
        let reason = assert_recovers(&path, OpenOptions::default());
        assert!(reason.contains(want), "{sql}: {reason}");
    }
}

#[test]
#[cfg_attr(
    windows,
    ignore = "Windows renames no file another process holds open: there the open fails, naming the file"
)]
fn a_file_locked_past_the_busy_timeout_is_moved_aside() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.db");
    let holder = rusqlite::Connection::open(&path).unwrap();
    holder
        .execute_batch("CREATE TABLE other (x); BEGIN EXCLUSIVE; INSERT INTO other VALUES (1);")
        .unwrap();
    let options = OpenOptions {
        busy_timeout: Duration::from_millis(50),
        ..OpenOptions::default()
    };
    let reason = assert_recovers(&path, options);
    assert!(reason.contains("locked"), "{reason}");
    drop(holder);
}

#[test]
fn a_reader_sees_commits_while_a_write_transaction_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.db");
    let (mut store, _) = HistoryStore::open(&path).unwrap();
    let reader = store.reader();
    store
        .write_batch(&[plain_record("mx1", Verdict::Success, t(0), Some(3))], &[])
        .unwrap();

    let writer = rusqlite::Connection::open(&path).unwrap();
    writer
        .execute_batch("BEGIN IMMEDIATE; DELETE FROM results;")
        .unwrap();
    let seen = reader
        .with(|q| q.recent_results(&MonitorId::from("mx1"), 5))
        .unwrap();
    assert_eq!(
        seen.len(),
        1,
        "the reader sees the last commit, not the open transaction"
    );
    writer.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn starting_over_moves_the_file_and_readers_follow() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.db");
    let (mut store, _) = HistoryStore::open(&path).unwrap();
    let reader = store.reader();
    let mx1 = MonitorId::from("mx1");
    store
        .write_batch(&[plain_record("mx1", Verdict::Success, t(0), Some(3))], &[])
        .unwrap();
    assert_eq!(reader.with(|q| q.recent_results(&mx1, 5)).unwrap().len(), 1);

    let recovery = store.start_over("damaged while running".into()).unwrap();
    assert!(recovery.moved_to.exists());
    assert_eq!(
        reader.with(|q| q.recent_results(&mx1, 5)).unwrap().len(),
        0,
        "the reader reopened"
    );
    store
        .write_batch(&[plain_record("mx1", Verdict::Failed, t(60), None)], &[])
        .unwrap();
    assert_eq!(reader.with(|q| q.recent_results(&mx1, 5)).unwrap().len(), 1);

    let (old, _) = HistoryStore::open(&recovery.moved_to).unwrap();
    assert_eq!(
        old.queries().recent_results(&mx1, 5).unwrap().len(),
        1,
        "the old data is intact"
    );
}
