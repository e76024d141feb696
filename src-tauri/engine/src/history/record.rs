//! One stored probe result ([`ResultRecord`]) and state change, and their mapping to and from
//! table rows. The transcript is kept for failures and warnings only (DESIGN.md §1); a Success
//! row holds the numbers and nothing else.

use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::types::{Type, Value};
use rusqlite::{Row, ToSql};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::failure::Failure;
use crate::model::{MonitorId, StateChange};
use crate::probe::report::{opt_ms, Direction, Phases, ProbeReport, TranscriptLine};
use crate::verdict::Verdict;

/// A probe result as the history keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ResultRecord {
    /// Which monitor.
    pub monitor: MonitorId,
    /// When the probe started (wall clock, stored to the millisecond).
    pub at: DateTime<Utc>,
    /// Success, QoS Warning or Failed.
    pub verdict: Verdict,
    /// Connect start to the judged EHLO's final 250 line; `None` when no 250 came.
    #[serde(rename = "latency_ms", serialize_with = "opt_ms")]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub latency: Option<Duration>,
    /// Time per phase (stored to the microsecond).
    #[serde(rename = "phases_ms")]
    pub phases: Phases,
    /// Where and why it failed, for Failed.
    pub failure: Option<Failure>,
    /// Why it is not Success (a warning's reason, or the failure's message).
    pub reason: Option<String>,
    /// The address connected to.
    pub address: Option<IpAddr>,
    /// Whole days left on the certificate, when TLS was used.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub cert_days_left: Option<i64>,
    /// The session transcript, for failures and warnings while it is within retention.
    pub transcript: Option<Vec<TranscriptLine>>,
    /// The target (address) this row is about; `None` for the monitor's own row, which holds
    /// its worst target. A monitor with a single target has only its own rows.
    pub target: Option<String>,
}

impl ResultRecord {
    /// The record of `report` for `monitor`; the transcript only when the verdict is not Success.
    /// Times are cut to the precision stored (milliseconds, durations microseconds), so the record
    /// read back equals the one written.
    pub fn from_report(monitor: &MonitorId, report: &ProbeReport) -> Self {
        let keep_transcript = report.status != Verdict::Success && !report.transcript.is_empty();
        let cut = |d: Option<Duration>| d.map(|d| from_micros(micros(d)));
        let p = &report.phases;
        Self {
            monitor: monitor.clone(),
            at: DateTime::from_timestamp_millis(report.checked_at.timestamp_millis())
                .unwrap_or(report.checked_at),
            verdict: report.status,
            latency: cut(report.latency),
            phases: Phases {
                dns: cut(p.dns),
                connect: cut(p.connect),
                tls: cut(p.tls),
                greeting: cut(p.greeting),
                starttls: cut(p.starttls),
                ehlo: cut(p.ehlo),
            },
            failure: report.failure.clone(),
            reason: report.reason.clone(),
            address: report.address,
            cert_days_left: report.tls.as_ref().map(|t| t.days_left),
            transcript: keep_transcript.then(|| {
                let cut_line = |l: &TranscriptLine| TranscriptLine {
                    at: from_micros(micros(l.at)),
                    dir: l.dir,
                    text: l.text.clone(),
                };
                report.transcript.iter().map(cut_line).collect()
            }),
            target: None,
        }
    }

    /// The rows of `report`'s targets, when it has more than one (a single target is the
    /// monitor's own row). A `no_route` target is a Failed row of kind `network_unreachable`.
    pub fn of_targets(monitor: &MonitorId, report: &ProbeReport) -> Vec<Self> {
        if report.targets.len() < 2 {
            return Vec::new();
        }
        report
            .targets
            .iter()
            .map(|t| Self {
                target: Some(t.address.clone()),
                ..Self::from_report(monitor, &t.report)
            })
            .collect()
    }
}

/// The columns of `results` after `id` and `monitor_id`, in the order [`result_params`] and
/// [`result_from_row`] use.
pub(crate) const RESULT_COLUMNS: &str = "at_ms, verdict, latency_us, dns_us, connect_us, tls_us, \
     greeting_us, starttls_us, ehlo_us, failure_phase, failure_kind, failure_message, reason, \
     address, cert_days_left, transcript, target";

/// The columns of `events` after `id` and `monitor_id`.
pub(crate) const EVENT_COLUMNS: &str =
    "name, at_ms, event_id, from_status, to_status, kind, reason, alert";

/// A transcript line as stored: `[microseconds, direction, text]`.
#[derive(Serialize, Deserialize)]
struct StoredLine(i64, Direction, String);

/// The values of [`RESULT_COLUMNS`] for `r`: plain values in one array, as a row is written
/// for every probe.
pub(crate) fn result_params(r: &ResultRecord) -> Result<[Value; 17], serde_json::Error> {
    let transcript = match &r.transcript {
        Some(lines) => {
            let stored: Vec<StoredLine> = lines
                .iter()
                .map(|l| StoredLine(micros(l.at), l.dir, l.text.clone()))
                .collect();
            Some(serde_json::to_string(&stored)?)
        }
        None => None,
    };
    let p = &r.phases;
    let failure = r.failure.as_ref();
    let us = |d: Option<Duration>| Value::from(d.map(micros));
    Ok([
        r.at.timestamp_millis().into(),
        verdict_code(r.verdict).into(),
        us(r.latency),
        us(p.dns),
        us(p.connect),
        us(p.tls),
        us(p.greeting),
        us(p.starttls),
        us(p.ehlo),
        failure.map(|f| name_of(&f.phase)).into(),
        failure.map(|f| name_of(&f.kind)).into(),
        failure.map(|f| f.message.clone()).into(),
        r.reason.clone().into(),
        r.address.map(|a| a.to_string()).into(),
        r.cert_days_left.into(),
        transcript.into(),
        r.target.clone().into(),
    ])
}

/// A record from a row whose columns are `monitor key` then [`RESULT_COLUMNS`].
pub(crate) fn result_from_row(row: &Row<'_>) -> rusqlite::Result<ResultRecord> {
    let dur = |i: usize| -> rusqlite::Result<Option<Duration>> {
        Ok(row.get::<_, Option<i64>>(i)?.map(from_micros))
    };
    let failure = match (
        row.get::<_, Option<String>>(10)?,
        row.get::<_, Option<String>>(11)?,
    ) {
        (Some(phase), Some(kind)) => Some(Failure {
            phase: parse_name(10, &phase)?,
            kind: parse_name(11, &kind)?,
            message: row.get::<_, Option<String>>(12)?.unwrap_or_default(),
        }),
        _ => None,
    };
    let address = match row.get::<_, Option<String>>(14)? {
        Some(text) => Some(text.parse().map_err(|e| bad(14, Type::Text, e))?),
        None => None,
    };
    let transcript = match row.get::<_, Option<String>>(16)? {
        Some(json) => {
            let stored: Vec<StoredLine> =
                serde_json::from_str(&json).map_err(|e| bad(16, Type::Text, e))?;
            let lines = stored
                .into_iter()
                .map(|StoredLine(at, dir, text)| TranscriptLine {
                    at: from_micros(at),
                    dir,
                    text,
                })
                .collect();
            Some(lines)
        }
        None => None,
    };
    Ok(ResultRecord {
        monitor: MonitorId(row.get(0)?),
        at: time_at(row, 1)?,
        verdict: verdict_from(row, 2)?,
        latency: dur(3)?,
        phases: Phases {
            dns: dur(4)?,
            connect: dur(5)?,
            tls: dur(6)?,
            greeting: dur(7)?,
            starttls: dur(8)?,
            ehlo: dur(9)?,
        },
        failure,
        reason: row.get(13)?,
        address,
        cert_days_left: row.get(15)?,
        transcript,
        target: row.get(17)?,
    })
}

/// The values of [`EVENT_COLUMNS`] for `c`.
pub(crate) fn event_params(c: &StateChange) -> Vec<Box<dyn ToSql>> {
    vec![
        Box::new(c.name.clone()),
        Box::new(c.at.timestamp_millis()),
        Box::new(c.event_id),
        Box::new(c.from.as_str()),
        Box::new(c.to.as_str()),
        Box::new(name_of(&c.kind)),
        Box::new(c.reason.clone()),
        Box::new(c.alert),
    ]
}

/// An event from a row whose columns are `monitor key` then [`EVENT_COLUMNS`].
pub(crate) fn event_from_row(row: &Row<'_>) -> rusqlite::Result<StateChange> {
    event_from_row_at(row, 0)
}

/// An event from a row whose columns from `at` on are `monitor key` then [`EVENT_COLUMNS`].
pub(crate) fn event_from_row_at(row: &Row<'_>, at: usize) -> rusqlite::Result<StateChange> {
    let text = |i: usize| -> rusqlite::Result<String> { row.get(at + i) };
    Ok(StateChange {
        monitor: MonitorId(text(0)?),
        name: text(1)?,
        at: time_at(row, at + 2)?,
        event_id: row.get(at + 3)?,
        from: parse_name(at + 4, &text(4)?)?,
        to: parse_name(at + 5, &text(5)?)?,
        kind: parse_name(at + 6, &text(6)?)?,
        reason: row.get(at + 7)?,
        alert: row.get(at + 8)?,
    })
}

/// The stored code of a verdict: its `ehlowatch_status` value.
pub(crate) fn verdict_code(v: Verdict) -> i64 {
    match v {
        Verdict::Success => 0,
        Verdict::Warning => 1,
        Verdict::Failed => 2,
    }
}

fn verdict_from(row: &Row<'_>, i: usize) -> rusqlite::Result<Verdict> {
    match row.get::<_, i64>(i)? {
        0 => Ok(Verdict::Success),
        1 => Ok(Verdict::Warning),
        2 => Ok(Verdict::Failed),
        other => Err(rusqlite::Error::IntegralValueOutOfRange(i, other)),
    }
}

/// Milliseconds since the epoch as a time.
pub(crate) fn time_at(row: &Row<'_>, i: usize) -> rusqlite::Result<DateTime<Utc>> {
    let ms: i64 = row.get(i)?;
    DateTime::from_timestamp_millis(ms).ok_or(rusqlite::Error::IntegralValueOutOfRange(i, ms))
}

/// A duration in whole microseconds, saturating.
pub(crate) fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// Microseconds as a duration (negative reads as zero).
pub(crate) fn from_micros(us: i64) -> Duration {
    Duration::from_micros(u64::try_from(us).unwrap_or(0))
}

/// The serde name of a unit enum variant (`refused`, `starttls` …), as in the JSON output.
fn name_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn parse_name<T: DeserializeOwned>(i: usize, name: &str) -> rusqlite::Result<T> {
    serde_json::from_value(serde_json::Value::String(name.to_owned()))
        .map_err(|e| bad(i, Type::Text, e))
}

fn bad<E: std::error::Error + Send + Sync + 'static>(i: usize, ty: Type, e: E) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, ty, Box::new(e))
}
