//! The reads: recent results, results in a range (raw or downsampled for charts), stats, events
//! and the last failure. The same [`Queries`] run on the writer's connection
//! (`HistoryStore::queries`) and on a reader's (`HistoryReader::with`).
//! Ranges are half-open, `[from, to)`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::record::{event_from_row, from_micros, result_from_row, EVENT_COLUMNS, RESULT_COLUMNS};
use super::stats::{SeriesPoint, Stats};
use super::{HistoryError, ResultRecord};
use crate::model::{MonitorId, StateChange};

/// Read queries on one connection.
#[derive(Debug, Clone, Copy)]
pub struct Queries<'c> {
    conn: &'c Connection,
}

impl<'c> Queries<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Self {
        Self { conn }
    }

    /// The connection, for the queries of sibling modules.
    pub(super) fn conn(self) -> &'c Connection {
        self.conn
    }

    /// The newest `limit` results of `monitor`, newest first.
    pub fn recent_results(
        &self,
        monitor: &MonitorId,
        limit: usize,
    ) -> Result<Vec<ResultRecord>, HistoryError> {
        let sql = format!(
            "SELECT m.key, {RESULT_COLUMNS} FROM results JOIN monitors m ON m.id = monitor_id \
             WHERE m.key = ?1 AND target IS NULL ORDER BY at_ms DESC, results.id DESC LIMIT ?2"
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![monitor.0, limit], result_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The newest `limit` results of one target (an address) of `monitor`, newest first; kept
    /// for monitors with several targets (see [`ResultRecord::target`]).
    pub fn recent_target_results(
        &self,
        monitor: &MonitorId,
        target: &str,
        limit: usize,
    ) -> Result<Vec<ResultRecord>, HistoryError> {
        let sql = format!(
            "SELECT ?1, {RESULT_COLUMNS} FROM results \
             WHERE monitor_id = (SELECT id FROM monitors WHERE key = ?1) AND target = ?2 \
             ORDER BY at_ms DESC, id DESC LIMIT ?3"
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![monitor.0, target, limit], result_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every result of `monitor` in `[from, to)`, oldest first. 30 days at one probe a minute
    /// is 43,200 records; charts should prefer [`Self::latency_series`].
    pub fn results_between(
        &self,
        monitor: &MonitorId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<ResultRecord>, HistoryError> {
        let sql = format!(
            "SELECT m.key, {RESULT_COLUMNS} FROM results JOIN monitors m ON m.id = monitor_id \
             WHERE m.key = ?1 AND target IS NULL AND at_ms >= ?2 AND at_ms < ?3 \
             ORDER BY at_ms, results.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![monitor.0, from.timestamp_millis(), to.timestamp_millis()],
            result_from_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The results of `monitor` in `[from, to)` in at most `max_points` equal buckets, each
    /// with its counts and min/avg/max latency; empty buckets are left out.
    pub fn latency_series(
        &self,
        monitor: &MonitorId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        max_points: usize,
    ) -> Result<Vec<SeriesPoint>, HistoryError> {
        let (from_ms, to_ms) = (from.timestamp_millis(), to.timestamp_millis());
        let points = i64::try_from(max_points.max(1)).unwrap_or(i64::MAX);
        let bucket = ((to_ms - from_ms).max(1) + points - 1) / points;
        let mut stmt = self.conn.prepare_cached(
            "SELECT (at_ms - ?2) / ?4 AS b, COUNT(*), SUM(verdict = 1), SUM(verdict = 2), \
                    MIN(latency_us), CAST(ROUND(AVG(latency_us)) AS INTEGER), MAX(latency_us) \
             FROM results WHERE monitor_id = (SELECT id FROM monitors WHERE key = ?1) \
               AND target IS NULL AND at_ms >= ?2 AND at_ms < ?3 \
             GROUP BY b ORDER BY b",
        )?;
        let rows = stmt.query_map(params![monitor.0, from_ms, to_ms, bucket], |row| {
            let b: i64 = row.get(0)?;
            let dur = |i| Ok::<_, rusqlite::Error>(row.get::<_, Option<i64>>(i)?.map(from_micros));
            Ok(SeriesPoint {
                start: DateTime::from_timestamp_millis(from_ms + b * bucket).unwrap_or(from),
                probes: row.get(1)?,
                warning: row.get(2)?,
                failed: row.get(3)?,
                min: dur(4)?,
                avg: dur(5)?,
                max: dur(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Counts, uptime and latency percentiles of `monitor` from `since` on (see
    /// [`super::stats`] for the definitions).
    pub fn stats(&self, monitor: &MonitorId, since: DateTime<Utc>) -> Result<Stats, HistoryError> {
        // Served from the covering index (monitor_id, target, at_ms, verdict, latency_us).
        let mut stmt = self.conn.prepare_cached(
            "SELECT verdict, latency_us FROM results \
             WHERE monitor_id = (SELECT id FROM monitors WHERE key = ?1) AND target IS NULL \
               AND at_ms >= ?2",
        )?;
        let mut rows = stmt.query(params![monitor.0, since.timestamp_millis()])?;
        let mut counts = [0_u64; 3];
        let mut latencies: Vec<Duration> = Vec::new();
        while let Some(row) = rows.next()? {
            let verdict: i64 = row.get(0)?;
            if let Some(slot) = usize::try_from(verdict)
                .ok()
                .and_then(|v| counts.get_mut(v))
            {
                *slot += 1;
            }
            if let Some(us) = row.get::<_, Option<i64>>(1)? {
                latencies.push(from_micros(us));
            }
        }
        Ok(Stats::from_samples(
            counts[0], counts[1], counts[2], latencies,
        ))
    }

    /// State-change events in `[from, to)`, of one monitor or all, oldest first.
    pub fn events(
        &self,
        monitor: Option<&MonitorId>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<StateChange>, HistoryError> {
        let sql = format!(
            "SELECT m.key, {EVENT_COLUMNS} FROM events JOIN monitors m ON m.id = monitor_id \
             WHERE (?1 IS NULL OR m.key = ?1) AND at_ms >= ?2 AND at_ms < ?3 \
               AND detail IS NULL \
             ORDER BY at_ms, events.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let key = monitor.map(|m| m.0.as_str());
        let rows = stmt.query_map(
            params![key, from.timestamp_millis(), to.timestamp_millis()],
            event_from_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The newest Failed result of `monitor`, with its transcript while within retention.
    pub fn last_failure(&self, monitor: &MonitorId) -> Result<Option<ResultRecord>, HistoryError> {
        let sql = format!(
            "SELECT ?1, {RESULT_COLUMNS} FROM results \
             WHERE monitor_id = (SELECT id FROM monitors WHERE key = ?1) AND target IS NULL \
               AND verdict = 2 \
             ORDER BY at_ms DESC, id DESC LIMIT 1"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        Ok(stmt
            .query_row(params![monitor.0], result_from_row)
            .optional()?)
    }

    /// Every statement the queries use, prepared once: proves the schema is the one expected.
    pub(crate) fn validate(conn: &Connection) -> rusqlite::Result<()> {
        let q = Queries::new(conn);
        let m = MonitorId(String::new());
        let t = DateTime::<Utc>::UNIX_EPOCH;
        let check = |r: Result<(), HistoryError>| match r {
            Err(HistoryError::Sqlite(e)) => Err(e),
            _ => Ok(()),
        };
        check(q.recent_results(&m, 0).map(drop))?;
        check(q.recent_target_results(&m, "", 0).map(drop))?;
        check(q.results_between(&m, t, t).map(drop))?;
        check(q.latency_series(&m, t, t, 1).map(drop))?;
        check(q.stats(&m, t).map(drop))?;
        check(q.events(None, t, t).map(drop))?;
        check(q.events_after(0, 0).map(drop))?;
        check(q.event_bounds().map(drop))?;
        check(q.baselines().map(drop))?;
        check(q.last_failure(&m).map(drop))
    }
}
