//! How long history is kept, and the pruning itself.
//!
//! The policy (defaults for 30 days of raw results):
//! - Success and Warning results: `results` (30 days), then deleted;
//! - Failed results: their transcript goes with the raw results (30 days), their summary —
//!   time, latency, phases, phase, kind, message — stays for `failures` (3×, 90 days), so "when
//!   did it last fail, and how" outlives the raw data, as `blackbox_exporter` keeps failures;
//! - state-change events and local causes: `events` (10×, 300 days) — a handful per day per
//!   monitor.
//!
//! Pruning runs in chunks of at most `limit` rows per statement, one short transaction per chunk,
//! so a large backlog never holds the write lock for long.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

/// How long each kind of history is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Raw Success and Warning results, and every transcript.
    pub results: Duration,
    /// Failed results' summaries (without transcript).
    pub failures: Duration,
    /// State-change events.
    pub events: Duration,
}

impl Retention {
    /// Raw results for `results`, failures 3× as long, events 10× as long.
    pub fn from_results(results: Duration) -> Self {
        Self {
            results,
            failures: results * 3,
            events: results * 10,
        }
    }
}

impl Default for Retention {
    /// 30 days of raw results.
    fn default() -> Self {
        Self::from_results(Duration::from_secs(30 * 24 * 3600))
    }
}

/// What one prune removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Success and Warning results deleted.
    pub results: usize,
    /// Failed results deleted.
    pub failures: usize,
    /// Transcripts dropped from failed results kept longer.
    pub transcripts: usize,
    /// State-change events deleted.
    pub events: usize,
    /// True when a statement hit its limit: there is more to prune.
    pub more: bool,
}

impl Pruned {
    /// Rows deleted or trimmed in all.
    pub fn total(&self) -> usize {
        self.results + self.failures + self.transcripts + self.events
    }

    pub(crate) fn add(&mut self, other: Pruned) {
        self.results += other.results;
        self.failures += other.failures;
        self.transcripts += other.transcripts;
        self.events += other.events;
        self.more = other.more;
    }
}

/// One chunk of pruning relative to `now`, in one transaction.
pub(crate) fn prune_step(
    conn: &mut Connection,
    now: DateTime<Utc>,
    retention: &Retention,
    limit: usize,
) -> rusqlite::Result<Pruned> {
    let cutoff = |keep: Duration| {
        let keep = chrono::Duration::from_std(keep).unwrap_or(chrono::Duration::MAX);
        now.checked_sub_signed(keep)
            .map_or(i64::MIN, |t| t.timestamp_millis())
    };
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let tx = conn.transaction()?;
    // The conditions are spelt as in the partial indexes (schema.rs) so SQLite uses them.
    let results = tx.execute(
        "DELETE FROM results WHERE id IN \
         (SELECT id FROM results WHERE at_ms < ?1 AND verdict <> 2 LIMIT ?2)",
        params![cutoff(retention.results), limit],
    )?;
    let failures = tx.execute(
        "DELETE FROM results WHERE id IN \
         (SELECT id FROM results WHERE at_ms < ?1 AND verdict = 2 LIMIT ?2)",
        params![cutoff(retention.failures), limit],
    )?;
    let transcripts = tx.execute(
        "UPDATE results SET transcript = NULL WHERE id IN \
         (SELECT id FROM results WHERE at_ms < ?1 AND transcript IS NOT NULL LIMIT ?2)",
        params![cutoff(retention.results), limit],
    )?;
    let events = tx.execute(
        "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE at_ms < ?1 LIMIT ?2)",
        params![cutoff(retention.events), limit],
    )?;
    tx.commit()?;
    let full = |n: usize| i64::try_from(n).unwrap_or(i64::MAX) >= limit;
    let more = full(results) || full(failures) || full(transcripts) || full(events);
    Ok(Pruned {
        results,
        failures,
        transcripts,
        events,
        more,
    })
}
