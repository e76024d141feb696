//! The configuration as people write it: the serde form of the agent's TOML file and of the
//! desktop's JSON store — the same keys in both. Defaults and ranges are the settings
//! registry's ([`crate::settings`]). Every field is optional and loosely typed
//! (integers as `i64`, modes as strings) so that any well-formed file deserializes and
//! [`Config::validate`](super::Config::validate) can name every wrong value at once.
//!
//! ```toml
//! [defaults]
//! qos_ms = 1000
//! interval_s = 60
//!
//! [[monitor]]
//! name = "mx1"
//! host = "mx1.example.com"
//! tls = "starttls"
//! alerts = { failed_after = 3 }
//! ```

use serde::{Deserialize, Serialize};

/// A whole configuration file: `[defaults]`, `[alerts]`, `[history]`, `[control]`, `[dns]`,
/// `[mail_policy]` and `[[monitor]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Probe settings every monitor inherits unless it sets its own.
    #[serde(default, skip_serializing_if = "DefaultsFile::is_empty")]
    pub defaults: DefaultsFile,
    /// The alert policy every monitor inherits unless it overrides keys in its own `alerts`.
    #[serde(default, skip_serializing_if = "AlertsFile::is_empty")]
    pub alerts: AlertsFile,
    /// How long results are kept.
    #[serde(default, skip_serializing_if = "HistoryFile::is_empty")]
    pub history: HistoryFile,
    /// Control probes that tell a port-25 block here from dead servers.
    #[serde(default, skip_serializing_if = "ControlFile::is_empty")]
    pub control: ControlFile,
    /// The resolver of mail domains.
    #[serde(default, skip_serializing_if = "DnsFile::is_empty")]
    pub dns: DnsFile,
    /// Which mail policies of mail domains are checked.
    #[serde(default, skip_serializing_if = "MailPolicyFile::is_empty")]
    pub mail_policy: MailPolicyFile,
    /// The monitors, in the order shown (`[[monitor]]` tables; a `monitor` array in JSON).
    #[serde(default, rename = "monitor", skip_serializing_if = "Vec::is_empty")]
    pub monitors: Vec<MonitorFile>,
}

/// `[defaults]`: probe settings inherited by every monitor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[serde(deny_unknown_fields)]
pub struct DefaultsFile {
    /// QoS in milliseconds: a 250 later than this is a warning, later than twice this a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub qos_ms: Option<i64>,
    /// Seconds between probes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub interval_s: Option<i64>,
    /// Seconds before the confirmation re-probe after a failed probe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub retry_s: Option<i64>,
    /// The name sent in EHLO; this machine's FQDN or address literal when not set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ehlo_name: Option<String>,
    /// Fewer days left on the certificate than this is a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub cert_warn_days: Option<i64>,
    /// Fewer days left on the certificate than this is a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub cert_crit_days: Option<i64>,
}

/// `[alerts]`, or a monitor's `alerts` table overriding some of its keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[serde(deny_unknown_fields)]
pub struct AlertsFile {
    /// Consecutive failed probes before a Failed alert.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub failed_after: Option<i64>,
    /// Consecutive warnings before a Warning alert.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub warning_after: Option<i64>,
    /// Alert when a monitor recovers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_recovery: Option<bool>,
    /// Remind every this many minutes while still Failed; 0 for never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub repeat_every_min: Option<i64>,
    /// Alert on every failed probe, confirmations or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every_failure: Option<bool>,
}

/// `[history]`: what the SQLite history keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[serde(deny_unknown_fields)]
pub struct HistoryFile {
    /// Days of raw results kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub retention_days: Option<i64>,
}

/// `[control]`: the hosts whose ports 25 and 443 are tried when every port-25 monitor fails to
/// connect; off while empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[serde(deny_unknown_fields)]
pub struct ControlFile {
    /// Large, well-run MX hosts (names or addresses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosts: Option<Vec<String>>,
}

/// `[dns]`: the resolver of mail domains; the system's configuration while empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[serde(deny_unknown_fields)]
pub struct DnsFile {
    /// DNS servers, `ip:port` (or an IP address, port 53).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolver: Option<Vec<String>>,
    /// The shortest time an answer is kept, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub min_ttl_s: Option<i64>,
}

/// `[mail_policy]`: the mail policies checked for every mail domain (DANE, MTA-STS, TLS-RPT, and
/// the blocklists named).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[serde(deny_unknown_fields)]
pub struct MailPolicyFile {
    /// Check TLSA records (RFC 7672).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dane: Option<bool>,
    /// Check MTA-STS (RFC 8461).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mta_sts: Option<bool>,
    /// Check the TLS-RPT record (RFC 8460).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_rpt: Option<bool>,
    /// DNS blocklist zones (RFC 5782).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocklists: Option<Vec<String>>,
    /// A PEM file of CA certificates trusted for MTA-STS beside the system's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mta_sts_ca_file: Option<String>,
}

/// One `[[monitor]]`: `name` and `host` are required, everything else has a default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields))]
#[serde(deny_unknown_fields)]
pub struct MonitorFile {
    /// A stable identity kept across renames; the name when not set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Unique; the label in metrics, toasts and the tray. Required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Host name or IP address. Required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// A mail domain instead of a host: its MX hosts are probed on port 25.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// TCP port; 25, or 465 when `tls = "implicit"`, when not set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub port: Option<i64>,
    /// `"none"` (when not set), `"starttls"` or `"implicit"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<String>,
    /// Overrides `defaults.qos_ms`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub qos_ms: Option<i64>,
    /// Overrides `defaults.interval_s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub interval_s: Option<i64>,
    /// Overrides `defaults.retry_s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub retry_s: Option<i64>,
    /// Overrides `defaults.ehlo_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ehlo_name: Option<String>,
    /// A PEM file of CA certificates trusted beside the system's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    /// Skip certificate verification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// Overrides `defaults.cert_warn_days`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub cert_warn_days: Option<i64>,
    /// Overrides `defaults.cert_crit_days`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub cert_crit_days: Option<i64>,
    /// EHLO keywords the server must advertise, e.g. `["STARTTLS", "SIZE"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_ext: Option<Vec<String>>,
    /// `"any"` (when not set), `"ipv4"` or `"ipv6"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// `"all"` (when not set: every address of the host) or `"first"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addresses: Option<String>,
    /// Probe this monitor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Overrides of the `[alerts]` keys for this monitor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerts: Option<AlertsFile>,
}

impl DefaultsFile {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl AlertsFile {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl HistoryFile {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl ControlFile {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl MailPolicyFile {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl DnsFile {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl ConfigFile {
    /// The file as TOML, as the agent reads it (unset keys left out).
    pub fn to_toml_string(&self) -> Result<String, toml::ser::Error> {
        toml::to_string(self)
    }

    /// The file as pretty-printed JSON, as the desktop stores it (unset keys left out).
    pub fn to_json_string(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }
}
