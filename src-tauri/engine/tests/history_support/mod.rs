//! What the history tests share: a fixed clock and a plain result record.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use ehlowatch_engine::history::ResultRecord;
use ehlowatch_engine::model::MonitorId;
use ehlowatch_engine::probe::Phases;
use ehlowatch_engine::Verdict;

/// A fixed instant plus `secs` seconds.
pub fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_750_000_000 + secs, 0).unwrap()
}

/// A result with only the fields the store indexes on: monitor, time, verdict, latency.
pub fn plain_record(
    monitor: &str,
    verdict: Verdict,
    at: DateTime<Utc>,
    latency_ms: Option<u64>,
) -> ResultRecord {
    ResultRecord {
        monitor: MonitorId::from(monitor),
        at,
        verdict,
        latency: latency_ms.map(Duration::from_millis),
        phases: Phases::default(),
        failure: None,
        reason: None,
        address: None,
        cert_days_left: None,
        transcript: None,
    }
}
