//! Summaries of a monitor's results: counts, uptime and latency percentiles over a window, and
//! downsampled points for charts.
//!
//! Definitions (the UI and the agent show these numbers, so they are fixed here):
//! - **uptime %** = probes whose judged EHLO got its 250 in time (Success + QoS Warning) over all
//!   probes, × 100; `None` when there were no probes;
//! - **percentiles** are over the latency of every probe that measured one — every probe whose
//!   judged EHLO got a 250, including a 250 that came too late or failed on a certificate or a
//!   missing extension (a real measurement of the server's response); probes that never got a
//!   250 have no latency and are not counted. Method: **nearest rank** — the smallest sample
//!   with at least p % of the samples at or below it: sorted ascending, the value at 1-based
//!   rank ⌈p/100 × n⌉. Always one of the measured values, never interpolated.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::probe::report::opt_ms;

/// The windows the UI shows stats for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Window {
    /// The last hour.
    #[serde(rename = "1h")]
    Hour,
    /// The last 24 hours.
    #[serde(rename = "24h")]
    Day,
    /// The last 7 days.
    #[serde(rename = "7d")]
    Week,
    /// The last 30 days.
    #[serde(rename = "30d")]
    Month,
}

impl Window {
    /// Every window, shortest first.
    pub const ALL: [Window; 4] = [Self::Hour, Self::Day, Self::Week, Self::Month];

    /// How long the window is.
    pub fn duration(self) -> Duration {
        let hours = match self {
            Self::Hour => 1,
            Self::Day => 24,
            Self::Week => 7 * 24,
            Self::Month => 30 * 24,
        };
        Duration::from_secs(hours * 3600)
    }

    /// The start of the window ending at `now`.
    pub fn since(self, now: DateTime<Utc>) -> DateTime<Utc> {
        let d = chrono::Duration::from_std(self.duration()).unwrap_or(chrono::Duration::zero());
        now - d
    }
}

/// Counts, uptime and latency percentiles of one monitor over a window.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Stats {
    /// Probes in the window.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub probes: u64,
    /// Success probes.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub success: u64,
    /// QoS Warning probes.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub warning: u64,
    /// Failed probes.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub failed: u64,
    /// (Success + Warning) / probes × 100; `None` without probes.
    pub uptime_pct: Option<f64>,
    /// Probes that measured a latency (the percentiles' sample count).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub latency_samples: u64,
    /// Median latency (nearest rank).
    #[serde(rename = "p50_ms", serialize_with = "opt_ms")]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub p50: Option<Duration>,
    /// 95th percentile latency (nearest rank).
    #[serde(rename = "p95_ms", serialize_with = "opt_ms")]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub p95: Option<Duration>,
    /// 99th percentile latency (nearest rank).
    #[serde(rename = "p99_ms", serialize_with = "opt_ms")]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub p99: Option<Duration>,
}

impl Stats {
    /// Stats from verdict counts and latency samples (in any order).
    pub fn from_samples(
        success: u64,
        warning: u64,
        failed: u64,
        mut latencies: Vec<Duration>,
    ) -> Self {
        latencies.sort_unstable();
        let probes = success + warning + failed;
        Self {
            probes,
            success,
            warning,
            failed,
            uptime_pct: (probes > 0).then(|| (success + warning) as f64 * 100.0 / probes as f64),
            latency_samples: latencies.len() as u64,
            p50: percentile(&latencies, 50.0),
            p95: percentile(&latencies, 95.0),
            p99: percentile(&latencies, 99.0),
        }
    }
}

/// The nearest-rank `p`-th percentile (0 < p ≤ 100) of `sorted` (ascending); `None` when empty.
pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// One point of a downsampled chart series: the results in `[start, start + bucket)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SeriesPoint {
    /// The start of the bucket.
    pub start: DateTime<Utc>,
    /// Probes in the bucket.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub probes: u64,
    /// QoS Warning probes among them.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub warning: u64,
    /// Failed probes among them.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub failed: u64,
    /// The fastest latency measured.
    #[serde(rename = "min_ms", serialize_with = "opt_ms")]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub min: Option<Duration>,
    /// The mean of the latencies measured.
    #[serde(rename = "avg_ms", serialize_with = "opt_ms")]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub avg: Option<Duration>,
    /// The slowest latency measured.
    #[serde(rename = "max_ms", serialize_with = "opt_ms")]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub max: Option<Duration>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: &[u64]) -> Vec<Duration> {
        v.iter().map(|&m| Duration::from_millis(m)).collect()
    }

    #[test]
    fn nearest_rank_table() {
        let ten = ms(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        let twenty: Vec<Duration> = (1..=20).map(Duration::from_millis).collect();
        let table: [(&[Duration], f64, Option<u64>); 9] = [
            (&ten, 50.0, Some(5)),  // ⌈5⌉ = 5
            (&ten, 95.0, Some(10)), // ⌈9.5⌉ = 10
            (&ten, 99.0, Some(10)),
            (&ten, 10.0, Some(1)),
            (&ten, 11.0, Some(2)), // ⌈1.1⌉ = 2
            (&twenty, 95.0, Some(19)),
            (&twenty, 50.0, Some(10)),
            (&ten[..1], 50.0, Some(1)),
            (&[], 50.0, None),
        ];
        for (sorted, p, want) in table {
            let got = percentile(sorted, p).map(|d| d.as_millis() as u64);
            assert_eq!(got, want, "p{p} of {} samples", sorted.len());
        }
    }

    #[test]
    fn stats_sort_their_samples_and_count_warnings_as_up() {
        let s = Stats::from_samples(2, 1, 1, ms(&[40, 10, 30, 20]));
        assert_eq!(s.probes, 4);
        assert_eq!(s.uptime_pct, Some(75.0));
        assert_eq!(s.p50, Some(Duration::from_millis(20)));
        assert_eq!(s.p99, Some(Duration::from_millis(40)));
        assert_eq!(Stats::from_samples(0, 0, 0, vec![]).uptime_pct, None);
    }
}
