//! What a probe comes to (DESIGN.md §1): the three verdicts with their event ids — Success 5510,
//! QoS Warning 5511, Failed 5509 — and the thresholds a reply is judged against. The rule that
//! judges is in the `rule` module, re-exported here; why a Warning is one in `warning`; whether a
//! rejection refuses this client in `refusal`.

pub(crate) mod refusal;
mod rule;
mod warning;

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::event_id::EventId;

pub use rule::show;
pub(crate) use rule::{judge, Answer, Judgement};
pub use warning::{Warning, WarningKind};

/// The three outcomes of a probe, worst last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// A 250 within QoS — event 5510.
    Success,
    /// A 250 after QoS but within 2×QoS, or a certificate nearing expiry — event 5511.
    Warning,
    /// Anything else — event 5509.
    Failed,
}

impl Verdict {
    /// The event a verdict is logged and alerted with.
    pub fn event(self) -> EventId {
        match self {
            Self::Success => EventId::Success,
            Self::Warning => EventId::Warning,
            Self::Failed => EventId::Failed,
        }
    }

    /// [`Verdict::event`] as its number.
    pub fn event_id(self) -> u16 {
        self.event().code()
    }

    /// `success`, `warning` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Warning => "warning",
            Self::Failed => "failed",
        }
    }
}

/// The thresholds a reply is judged against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thresholds {
    /// The QoS duration: a 250 later than this is a warning, later than twice this a failure.
    pub qos: Duration,
    /// Fewer whole days left on the certificate than this is a warning.
    pub cert_warn_days: i64,
    /// Fewer whole days left on the certificate than this is a failure.
    pub cert_crit_days: i64,
    /// Extension keywords the EHLO reply must advertise.
    pub required_extensions: Vec<String>,
}
