//! [`MonitorView`]: one monitor as the engine last published it — its settings, its confirmed
//! status, its last result and its mutes.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::model::MonitorId;
use crate::probe::{ProbeReport, TlsMode};
use crate::status::Status;

/// One monitor as it stands.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MonitorView {
    /// Stable id.
    pub id: MonitorId,
    /// Name (label in metrics, toasts, tray).
    pub name: String,
    /// Host probed.
    pub host: String,
    /// Port probed.
    pub port: u16,
    /// TLS mode.
    pub tls: TlsMode,
    /// The QoS threshold in milliseconds.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub qos_ms: u64,
    /// Milliseconds between probes.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub interval_ms: u64,
    /// False when the monitor is disabled (not probed, not counted).
    pub enabled: bool,
    /// The confirmed status, as the alert state machine holds it.
    pub status: Status,
    /// The status to show as of the snapshot's `taken_at`: `status`, or `paused` while snoozed,
    /// or `stale` when no result came for longer than 2×interval + 2×QoS
    /// ([`shown_status`](crate::shown_status)).
    pub shown: Status,
    /// Since when it has had this status.
    pub since: Option<DateTime<Utc>>,
    /// Progress towards a change, e.g. "failing 1 of 2".
    pub pending: Option<String>,
    /// Why the status is not Success (from the last verdict that set it).
    pub reason: Option<String>,
    /// The last probe's report.
    pub last: Option<Arc<ProbeReport>>,
    /// When the next probe is planned.
    pub next_check_at: Option<DateTime<Utc>>,
    /// Alerts for this monitor are muted until then.
    pub snoozed_until: Option<DateTime<Utc>>,
}

impl MonitorView {
    /// True while its snooze lasts at `now`.
    pub fn snoozed_at(&self, now: DateTime<Utc>) -> bool {
        self.snoozed_until.is_some_and(|until| now < until)
    }

    /// True when it counts towards the worst status: enabled and not snoozed at `now`.
    pub fn counts_at(&self, now: DateTime<Utc>) -> bool {
        self.enabled && !self.snoozed_at(now)
    }
}
