//! The statements the store writes with, in one place so that opening a file can check them:
//! a database whose schema cannot prepare every one of them (and every query) is not one this
//! build can use.

use rusqlite::Connection;

use super::query::Queries;
use super::record::{EVENT_COLUMNS, RESULT_COLUMNS};

/// Adds a monitor key to `monitors` unless it is there.
pub(crate) const INSERT_MONITOR: &str =
    "INSERT INTO monitors (key) VALUES (?1) ON CONFLICT (key) DO NOTHING";
/// The number of a monitor key.
pub(crate) const SELECT_MONITOR: &str = "SELECT id FROM monitors WHERE key = ?1";

/// `INSERT INTO table (monitor_id, columns…) VALUES (?1, ?2, …)`.
pub(crate) fn insert_sql(table: &str, columns: &str) -> String {
    let n = columns.split(',').count() + 1;
    let marks: Vec<String> = (1..=n).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO {table} (monitor_id, {columns}) VALUES ({})",
        marks.join(", ")
    )
}

/// Prepares every statement the store and the queries use: an error means the schema is not
/// the one this build expects.
pub(crate) fn validate(conn: &Connection) -> rusqlite::Result<()> {
    conn.prepare_cached(&insert_sql("results", RESULT_COLUMNS))?;
    conn.prepare_cached(&insert_sql("events", EVENT_COLUMNS))?;
    conn.prepare_cached(INSERT_MONITOR)?;
    conn.prepare_cached(SELECT_MONITOR)?;
    conn.prepare_cached(super::sequence::INSERT_FINDING)?;
    conn.prepare_cached(super::baseline::UPSERT_BASELINE)?;
    Queries::validate(conn)
}
