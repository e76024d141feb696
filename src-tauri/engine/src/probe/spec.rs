//! What to probe and how to judge it: one typed, already-validated description of a probe. The
//! CLI builds it from arguments, the monitoring config from a file.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::settings;
use crate::tls::TlsTrust;
use crate::verdict::Thresholds;

/// How TLS is used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plain SMTP.
    #[default]
    None,
    /// Plain, then STARTTLS (RFC 3207); the EHLO after the handshake is judged.
    Starttls,
    /// TLS from the first byte (port 465, RFC 8314).
    Implicit,
}

impl TlsMode {
    /// `none`, `starttls` or `implicit`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Starttls => "starttls",
            Self::Implicit => "implicit",
        }
    }
}

impl TlsMode {
    /// The port when none is set: 465 for implicit TLS, else 25.
    pub fn default_port(self) -> u16 {
        settings::default_port(self == Self::Implicit)
    }
}

impl fmt::Display for TlsMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TlsMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "none" => Ok(Self::None),
            "starttls" => Ok(Self::Starttls),
            "implicit" => Ok(Self::Implicit),
            other => Err(format!(
                "{other:?} is not a TLS mode (none, starttls, implicit)"
            )),
        }
    }
}

/// Which address family to connect over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum AddressFamily {
    /// Whatever the resolver returns, in its order.
    #[default]
    Any,
    /// IPv4 only.
    #[serde(rename = "ipv4")]
    V4,
    /// IPv6 only.
    #[serde(rename = "ipv6")]
    V6,
}

/// Which of a host's addresses a probe dials.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Addresses {
    /// Every address the host resolves to (at most [`MAX_TARGETS`]), each a target with its own
    /// session and verdict; the report's top level holds the worst.
    #[default]
    All,
    /// One target: the first address that accepts the connection, the others tried in turn.
    First,
}

/// The most addresses of one host probed as targets; the resolver's first ones are kept.
pub const MAX_TARGETS: usize = 8;

impl Addresses {
    /// `all` or `first`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::First => "first",
        }
    }
}

impl FromStr for Addresses {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "all" => Ok(Self::All),
            "first" => Ok(Self::First),
            other => Err(format!(
                "{other:?} is not a choice of addresses (all, first)"
            )),
        }
    }
}

/// One probe, fully described.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeSpec {
    /// Host name or IP literal (IPv6 with or without brackets).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// TLS mode.
    pub tls: TlsMode,
    /// Address family.
    pub family: AddressFamily,
    /// Every address of the host, or the first that answers.
    pub addresses: Addresses,
    /// The EHLO name as it goes on the wire, already checked by
    /// [`check_ehlo_name`](super::check_ehlo_name) (an IDN as its A-labels); `None` uses the
    /// default of DESIGN.md §1.
    pub ehlo_name: Option<String>,
    /// TLS trust settings.
    pub trust: TlsTrust,
    /// What the reply is judged against.
    pub thresholds: Thresholds,
    /// Opportunistic TLS, as a sending MTA on port 25 uses it (domain monitors): with
    /// [`TlsMode::Starttls`], STARTTLS is used when the server offers it and the plain EHLO is
    /// judged when it does not; the certificate's facts are recorded (verified or not, days
    /// left) but never change the verdict by themselves.
    pub opportunistic: bool,
    /// `host` is a mail domain: every address of its MX hosts is a target (see
    /// `DomainProber`), each probed with the settings above.
    pub mail_domain: bool,
}

impl ProbeSpec {
    /// A probe of `host:port` with every other setting at its default.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        Self {
            host: host.into(),
            port,
            tls: TlsMode::None,
            family: AddressFamily::Any,
            addresses: Addresses::All,
            ehlo_name: None,
            trust: TlsTrust::default(),
            thresholds: Thresholds {
                qos: Duration::from_millis(settings::QOS_MS.default.unsigned_abs()),
                cert_warn_days: settings::CERT_WARN_DAYS.default,
                cert_crit_days: settings::CERT_CRIT_DAYS.default,
                required_extensions: Vec::new(),
            },
            opportunistic: false,
            mail_domain: false,
        }
    }

    /// The whole time a probe may take from connect start: 2×QoS.
    pub fn deadline(&self) -> Duration {
        self.thresholds.qos * 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_mode_parses_its_three_names_only() {
        assert_eq!("starttls".parse::<TlsMode>(), Ok(TlsMode::Starttls));
        assert_eq!(
            "ssl".parse::<TlsMode>().unwrap_err(),
            "\"ssl\" is not a TLS mode (none, starttls, implicit)"
        );
    }

    #[test]
    fn addresses_parses_all_and_first_only() {
        assert_eq!("first".parse::<Addresses>(), Ok(Addresses::First));
        assert_eq!(Addresses::default().as_str(), settings::ADDRESSES.words[0]);
        for word in settings::ADDRESSES.words {
            assert_eq!(word.parse::<Addresses>().map(Addresses::as_str), Ok(*word));
        }
        assert_eq!(
            "some".parse::<Addresses>().unwrap_err(),
            "\"some\" is not a choice of addresses (all, first)"
        );
    }
}
