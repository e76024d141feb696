//! The stream sequence: every row of `events` — a monitor's state change, a local cause
//! beginning or ending, or a mail domain's finding — in the order it was written, numbered by its row id. The ids are
//! `AUTOINCREMENT` (schema v3), so they only grow, survive restarts and are never reused after
//! pruning; a viewer that saw sequence `n` resumes with [`Queries::events_after`]`(n)`, and
//! [`Queries::event_bounds`] tells whether what it missed is still all there.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use super::query::Queries;
use super::record::{event_from_row_at, time_at};
use super::HistoryError;
use crate::drift::Finding;
use crate::model::LocalCause;
use crate::model::StateChange;

/// A local cause that began or ended, as the history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CauseRecord {
    /// When (wall clock, stored to the millisecond).
    pub at: DateTime<Utc>,
    /// Which cause.
    pub cause: LocalCause,
    /// True when it began, false when it ended.
    pub began: bool,
    /// How many monitors it keeps from being judged (began) or lets go (ended).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub monitors: u64,
    /// Its event id (5520–5523).
    pub event_id: u16,
}

impl CauseRecord {
    /// The record of a cause that began or ended at `at` (cut to the millisecond, as stored).
    pub fn new(at: DateTime<Utc>, cause: LocalCause, began: bool, monitors: usize) -> Self {
        Self {
            at: DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap_or(at),
            cause,
            began,
            monitors: monitors as u64,
            event_id: cause.event(began).code(),
        }
    }
}

/// What one row of the sequence holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Logged {
    /// A monitor's state change.
    StateChange(StateChange),
    /// A local cause began or ended.
    LocalCause(CauseRecord),
    /// A mail domain's MX set, or what one of its MX hosts offers, changed.
    Finding(Finding),
}

/// One row of the sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sequenced {
    /// Its sequence (the row id).
    pub seq: i64,
    /// What happened.
    pub event: Logged,
}

/// What of the sequence the history holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventBounds {
    /// The oldest row still kept (pruning removes the oldest), `None` when none is.
    pub oldest: Option<i64>,
    /// The last sequence ever given in this file (its rows may since have been pruned); a
    /// viewer that saw it has missed nothing.
    pub last: i64,
}

impl EventBounds {
    /// True when every row after `seen` is still kept, so a viewer that saw `seen` can get
    /// exactly what it missed: `seen` is not beyond the last sequence given (it would come from
    /// another file) and nothing between it and the oldest row kept has been pruned.
    pub fn can_resume(&self, seen: i64) -> bool {
        seen <= self.last
            && self
                .oldest
                .map_or(seen == self.last, |oldest| seen >= oldest - 1)
    }
}

/// Inserts a local cause: a row with no monitor.
pub(crate) const INSERT_CAUSE: &str =
    "INSERT INTO events (at_ms, event_id, kind, cause, monitors) VALUES (?1, ?2, ?3, ?4, ?5)";

/// The values of [`INSERT_CAUSE`] for `c`.
pub(crate) fn cause_params(c: &CauseRecord) -> [Box<dyn rusqlite::ToSql>; 5] {
    [
        Box::new(c.at.timestamp_millis()),
        Box::new(c.event_id),
        Box::new(if c.began { "began" } else { "ended" }),
        Box::new(cause_name(c.cause)),
        Box::new(i64::try_from(c.monitors).unwrap_or(i64::MAX)),
    ]
}

/// Inserts a finding: a monitor's row with no status, its details in `detail`.
pub(crate) const INSERT_FINDING: &str = "INSERT INTO events \
     (monitor_id, name, at_ms, event_id, kind, reason, alert, detail) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

/// The values of [`INSERT_FINDING`] after the monitor id, for `f`.
pub(crate) fn finding_params(
    f: &Finding,
) -> Result<Vec<Box<dyn rusqlite::ToSql>>, serde_json::Error> {
    Ok(vec![
        Box::new(f.name.clone()),
        Box::new(f.at.timestamp_millis()),
        Box::new(f.event_id),
        Box::new(f.kind.as_str()),
        Box::new(f.message()),
        Box::new(f.notify),
        Box::new(serde_json::to_string(f)?),
    ])
}

fn finding_from_row(row: &Row<'_>) -> rusqlite::Result<Finding> {
    let detail: String = row.get(12)?;
    serde_json::from_str(&detail).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(12, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn cause_name(cause: LocalCause) -> &'static str {
    match cause {
        LocalCause::Offline => "offline",
        LocalCause::Blocked => "blocked",
    }
}

fn cause_from_row(row: &Row<'_>) -> rusqlite::Result<CauseRecord> {
    let cause = match row.get::<_, String>(10)?.as_str() {
        "offline" => LocalCause::Offline,
        "blocked" => LocalCause::Blocked,
        other => {
            return Err(rusqlite::Error::FromSqlConversionFailure(
                10,
                rusqlite::types::Type::Text,
                format!("{other:?} is not a local cause").into(),
            ))
        }
    };
    Ok(CauseRecord {
        at: time_at(row, 3)?,
        cause,
        began: row.get::<_, String>(7)? == "began",
        monitors: u64::try_from(row.get::<_, i64>(11)?).unwrap_or(0),
        event_id: row.get(4)?,
    })
}

/// `id`, then the columns a state change is read from (monitor key first), then `cause,
/// monitors, detail`.
const SELECT_AFTER: &str = "SELECT events.id, m.key, name, at_ms, event_id, from_status, \
     to_status, kind, reason, alert, cause, monitors, detail \
     FROM events LEFT JOIN monitors m ON m.id = events.monitor_id \
     WHERE events.id > ?1 ORDER BY events.id LIMIT ?2";

impl Queries<'_> {
    /// The rows of the sequence after `seen`, oldest first, at most `limit`.
    pub fn events_after(&self, seen: i64, limit: usize) -> Result<Vec<Sequenced>, HistoryError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn().prepare_cached(SELECT_AFTER)?;
        let rows = stmt.query_map(params![seen, limit], |row| {
            let seq: i64 = row.get(0)?;
            let event = if row.get::<_, Option<String>>(10)?.is_some() {
                Logged::LocalCause(cause_from_row(row)?)
            } else if row.get::<_, Option<String>>(12)?.is_some() {
                Logged::Finding(finding_from_row(row)?)
            } else {
                Logged::StateChange(event_from_row_at(row, 1)?)
            };
            Ok(Sequenced { seq, event })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The oldest row kept and the last sequence given.
    pub fn event_bounds(&self) -> Result<EventBounds, HistoryError> {
        let conn = self.conn();
        let oldest = conn
            .prepare_cached("SELECT MIN(id) FROM events")?
            .query_row([], |r| r.get::<_, Option<i64>>(0))?;
        let last = conn
            .prepare_cached("SELECT seq FROM sqlite_sequence WHERE name = 'events'")?
            .query_row([], |r| r.get::<_, i64>(0))
            .optional()?
            .unwrap_or(0);
        Ok(EventBounds { oldest, last })
    }
}
