//! The engine's picture of "now", published on a watch channel: every monitor's status and last
//! result, the worst status (the tray colour) and the counts behind the tray tooltip.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::model::{MonitorId, Status};
use crate::monitor::{worst, Shown};
use crate::probe::{ProbeReport, TlsMode};

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
    /// False when the monitor is disabled (not probed, not counted).
    pub enabled: bool,
    /// The confirmed status.
    pub status: Status,
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
    /// True when it counts towards the worst status: enabled and not snoozed at `now`.
    pub fn counts_at(&self, now: DateTime<Utc>) -> bool {
        self.enabled && self.snoozed_until.is_none_or(|until| until <= now)
    }
}

/// How many monitors are in each status (enabled, not snoozed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Counts {
    /// Success.
    pub success: usize,
    /// QoS Warning.
    pub warning: usize,
    /// Failed.
    pub failed: usize,
    /// Offline or not probed yet.
    pub other: usize,
}

/// Everything the shells show, at one moment.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Snapshot {
    /// Every monitor in configuration order.
    pub monitors: Vec<Arc<MonitorView>>,
    /// The worst status of the enabled, non-snoozed monitors; Unknown when there are none.
    pub worst: Status,
    /// The counts behind `worst`.
    pub counts: Counts,
    /// True while this machine seems to have no network.
    pub offline: bool,
    /// All alerts are paused until then.
    pub alerts_paused_until: Option<DateTime<Utc>>,
    /// When this snapshot was taken.
    pub taken_at: Option<DateTime<Utc>>,
    /// A problem the engine worked around and people should know of (e.g. a damaged history
    /// file moved aside).
    pub notice: Option<String>,
}

impl Snapshot {
    /// Builds a snapshot, computing the worst status and the counts.
    pub fn new(
        monitors: Vec<Arc<MonitorView>>,
        offline: bool,
        alerts_paused_until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Self {
        let shown = monitors.iter().map(|m| Shown {
            status: m.status,
            enabled: m.enabled,
            snoozed: !m.counts_at(now) && m.enabled,
        });
        let worst = worst(shown);
        let mut counts = Counts::default();
        for m in monitors.iter().filter(|m| m.counts_at(now)) {
            match m.status {
                Status::Success => counts.success += 1,
                Status::Warning => counts.warning += 1,
                Status::Failed => counts.failed += 1,
                Status::Unknown | Status::Offline => counts.other += 1,
            }
        }
        Self {
            monitors,
            worst,
            counts,
            offline,
            alerts_paused_until,
            taken_at: Some(now),
            notice: None,
        }
    }

    /// The monitor with this id.
    pub fn monitor(&self, id: &MonitorId) -> Option<&Arc<MonitorView>> {
        self.monitors.iter().find(|m| &m.id == id)
    }
}
