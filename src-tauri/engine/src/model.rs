//! The monitoring vocabulary shared by configuration, state machine, scheduler, history and the
//! shells: monitor ids, the alert policy, state-change events and local causes (the statuses are
//! in `status`).

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::event_id::EventId;
use crate::settings;
use crate::status::Status;

/// A monitor's stable identity (its `id` in the config, else its name).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(transparent)]
pub struct MonitorId(pub String);

impl fmt::Display for MonitorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for MonitorId {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

/// When to tell people (gatus-style thresholds, ELM's "act on every failure").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertPolicy {
    /// Consecutive Failed probes before the status turns Failed and an alert goes out.
    pub failed_after: u32,
    /// Consecutive Warning probes before the status turns Warning.
    pub warning_after: u32,
    /// Alert when a Failed or Warning monitor recovers.
    pub on_recovery: bool,
    /// Remind while still Failed, this often; `None` for never.
    pub repeat_every: Option<Duration>,
    /// ELM's mode: alert on every Failed probe, confirmations or not.
    pub every_failure: bool,
}

impl Default for AlertPolicy {
    fn default() -> Self {
        Self {
            failed_after: count(settings::FAILED_AFTER.default),
            warning_after: count(settings::WARNING_AFTER.default),
            on_recovery: settings::ON_RECOVERY.default,
            repeat_every: None,
            every_failure: settings::EVERY_FAILURE.default,
        }
    }
}

/// A registry default that counts probes.
fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Why a state-change event was emitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The status changed (e.g. Success → Failed after the confirmations).
    Changed,
    /// Same status, told now: a reminder while Failed (`repeat_every`), a failure in
    /// every-failure mode, or a status shown at once (first verdict, end of a snooze) whose
    /// confirmations have just come in.
    Repeated,
}

/// A change in a monitor's status, as logged, stored and alerted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StateChange {
    /// Which monitor.
    pub monitor: MonitorId,
    /// Its name at the time.
    pub name: String,
    /// When (wall clock).
    pub at: DateTime<Utc>,
    /// The event id of the new status ([`Status::event`]), none for a status without one.
    pub event_id: Option<u16>,
    /// The status before.
    pub from: Status,
    /// The status now.
    pub to: Status,
    /// Changed or repeated.
    pub kind: ChangeKind,
    /// Why, quoting the server where there is a failure.
    pub reason: Option<String>,
    /// True when people should be told (policy, snooze and pause applied).
    pub alert: bool,
}

/// A cause on this side that keeps monitors from being judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum LocalCause {
    /// This machine has no network: every monitor fails at the network.
    Offline,
    /// Outbound port 25 is blocked on this network: the port-25 monitors cannot connect.
    Blocked,
}

impl LocalCause {
    /// The event id of its beginning or its end.
    pub fn event(self, began: bool) -> EventId {
        match (self, began) {
            (Self::Offline, true) => EventId::OfflineBegan,
            (Self::Offline, false) => EventId::OfflineEnded,
            (Self::Blocked, true) => EventId::BlockedBegan,
            (Self::Blocked, false) => EventId::BlockedEnded,
        }
    }
}
