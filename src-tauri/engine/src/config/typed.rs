//! The validated, typed configuration the engine runs: what [`ConfigFile`](super::ConfigFile)
//! becomes once every value is checked, each monitor's settings merged over the defaults. Its
//! defaults are the registry's ([`crate::settings`]).

use std::time::Duration;

use crate::model::{AlertPolicy, MonitorId};
use crate::probe::ProbeSpec;
use crate::settings;

/// A validated configuration: what the engine runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// The defaults monitors inherit (kept for new monitors the desktop adds).
    pub defaults: Defaults,
    /// The global alert policy (each monitor has its merged copy).
    pub alerts: AlertPolicy,
    /// History settings.
    pub history: History,
    /// Control probes.
    pub control: Control,
    /// The resolver of mail domains.
    pub dns: Dns,
    /// The mail policies checked for mail domains.
    pub mail_policy: MailPolicy,
    /// The monitors, in the file's order.
    pub monitors: Vec<MonitorConfig>,
}

/// The validated `[defaults]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defaults {
    /// QoS: a 250 later than this is a warning, later than twice this a failure.
    pub qos: Duration,
    /// Time between probes.
    pub interval: Duration,
    /// Time before the confirmation re-probe after a failed probe.
    pub retry: Duration,
    /// The EHLO name as it goes on the wire (an IDN as its A-labels); `None` for the automatic
    /// one (DESIGN.md §1).
    pub ehlo_name: Option<String>,
    /// Fewer days left on the certificate than this is a warning.
    pub cert_warn_days: i64,
    /// Fewer days left on the certificate than this is a failure.
    pub cert_crit_days: i64,
}

impl Default for Defaults {
    fn default() -> Self {
        Self {
            qos: millis(settings::QOS_MS.default),
            interval: secs(settings::INTERVAL_S.default),
            retry: secs(settings::RETRY_S.default),
            ehlo_name: None,
            cert_warn_days: settings::CERT_WARN_DAYS.default,
            cert_crit_days: settings::CERT_CRIT_DAYS.default,
        }
    }
}

/// The validated `[history]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    /// How long raw results are kept.
    pub retention: Duration,
}

impl Default for History {
    fn default() -> Self {
        Self {
            retention: days(settings::RETENTION_DAYS.default),
        }
    }
}

/// The validated `[control]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Control {
    /// The control hosts; empty: no control probes.
    pub hosts: Vec<String>,
}

/// The validated `[dns]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dns {
    /// The DNS servers to ask; empty: the system's configuration.
    pub resolvers: Vec<std::net::SocketAddr>,
    /// The shortest time an answer is kept (its TTL, clamped to this … 1 h).
    pub min_ttl: Duration,
}

impl Default for Dns {
    fn default() -> Self {
        Self {
            resolvers: Vec::new(),
            min_ttl: Duration::from_secs(crate::settings::DNS_MIN_TTL_S.default.unsigned_abs()),
        }
    }
}

/// The validated `[mail_policy]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MailPolicy {
    /// Check TLSA records (RFC 7672).
    pub dane: bool,
    /// Check MTA-STS (RFC 8461).
    pub mta_sts: bool,
    /// Check the TLS-RPT record (RFC 8460).
    pub tls_rpt: bool,
    /// DNS blocklist zones (RFC 5782), lower case, without a trailing dot.
    pub blocklists: Vec<String>,
    /// A PEM file of CA certificates trusted for MTA-STS beside the system's.
    pub mta_sts_ca_file: Option<std::path::PathBuf>,
}

impl Default for MailPolicy {
    fn default() -> Self {
        Self {
            dane: settings::POLICY_DANE.default,
            mta_sts: settings::POLICY_MTA_STS.default,
            tls_rpt: settings::POLICY_TLS_RPT.default,
            blocklists: Vec::new(),
            mta_sts_ca_file: None,
        }
    }
}

/// One validated monitor, its settings merged over the defaults and its alert overrides over
/// the global policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitorConfig {
    /// Stable identity: the `id` given, else the name.
    pub id: MonitorId,
    /// Unique display name; the `monitor` label in metrics.
    pub name: String,
    /// What to probe and how to judge it.
    pub spec: ProbeSpec,
    /// Time between probes.
    pub interval: Duration,
    /// Time before the confirmation re-probe after a failure; never longer than `interval`.
    pub retry: Duration,
    /// False: configured but not probed.
    pub enabled: bool,
    /// The alert policy for this monitor.
    pub alerts: AlertPolicy,
}

/// Whole milliseconds of an already range-checked value.
pub(crate) fn millis(ms: i64) -> Duration {
    Duration::from_millis(ms.unsigned_abs())
}

/// Whole seconds of an already range-checked value.
pub(crate) fn secs(s: i64) -> Duration {
    Duration::from_secs(s.unsigned_abs())
}

/// Whole days of an already range-checked value.
pub(crate) fn days(d: i64) -> Duration {
    secs(d.saturating_mul(86_400))
}
