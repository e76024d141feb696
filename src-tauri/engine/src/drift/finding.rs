//! A finding about a mail domain, as logged, stored, streamed and told: the MX set changed, or
//! what one MX host × address offers changed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::MxSet;
use crate::model::MonitorId;

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// The domain's MX set (event 5530).
    MxSet,
    /// What one MX host × address offers (5531; 5532 when STARTTLS vanished).
    Drift,
    /// One MX host × address's DANE verdict (5540).
    Dane,
    /// The domain's MTA-STS policy (5541).
    MtaSts,
    /// One MX host × address listed on, or delisted from, a DNS blocklist (5542).
    Blocklist,
}

impl FindingKind {
    /// Its name in the history and the agent's log: `mx_set`, `drift`, `dane`, `mta_sts`,
    /// `blocklist`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MxSet => "mx_set",
            Self::Drift => "drift",
            Self::Dane => "dane",
            Self::MtaSts => "mta_sts",
            Self::Blocklist => "blocklist",
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Finding {
    /// Which monitor (a mail domain).
    pub monitor: MonitorId,
    /// Its name at the time.
    pub name: String,
    /// When (wall clock: the probe's start).
    pub at: DateTime<Utc>,
    /// 5530, 5531, 5532, 5540 or 5542.
    pub event_id: u16,
    /// What it is about.
    pub kind: FindingKind,
    /// The MX host and address it concerns (`mx1.example.com 192.0.2.10`); absent for the MX
    /// set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub target: Option<String>,
    /// The MX set before, for an MX-set finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub before: Option<MxSet>,
    /// The MX set now, for an MX-set finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub after: Option<MxSet>,
    /// Each change, a sentence for people (`STARTTLS vanished: …`, `added 20 mx3.example.com`).
    pub changes: Vec<String>,
    /// True when people should be told (a notification): an MX-set change, STARTTLS vanished,
    /// a blocklist listing or delisting.
    pub notify: bool,
}

impl Finding {
    /// The finding in one line: `MX set of example.com changed: 10 mx1, 20 mx2 → 10 mx1` or
    /// `mx1.example.com 192.0.2.10: STARTTLS vanished: …; AUTH no longer offered`.
    pub fn message(&self) -> String {
        match (&self.kind, &self.before, &self.after) {
            (FindingKind::MxSet, Some(before), Some(after)) => {
                format!("MX set of {} changed: {before} → {after}", self.name)
            }
            _ => format!(
                "{}: {}",
                self.target.as_deref().unwrap_or(&self.name),
                self.changes.join("; ")
            ),
        }
    }
}
