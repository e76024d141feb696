//! The history's tests: the store's data, recovery from damaged files and the writer task;
//! here, what they share — a fixed clock and a plain result record.

mod recovery;
mod sequence;
mod store;
mod targets;
mod writer;

use std::time::Duration;

use crate::MonitorId;
use crate::Phases;
use crate::ResultRecord;
use crate::Verdict;
use chrono::{DateTime, TimeZone, Utc};

/// A fixed instant plus `secs` seconds.
pub(crate) fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_750_000_000 + secs, 0).unwrap()
}

/// A result with only the fields the store indexes on: monitor, time, verdict, latency.
pub(crate) fn plain_record(
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
        target: None,
    }
}
