//! Why a verdict is a QoS Warning (5511), as values: each soft finding of the verdict rule has a
//! machine-readable kind — a 250 later than QoS, or a certificate below the warning threshold of
//! days left — beside a sentence for people. The report lists them (`warnings` in the JSON), the
//! agent exports them as metrics, so an alert on slowness does not fire for a certificate.

use serde::{Deserialize, Serialize};

/// What kind of soft finding made a verdict a QoS Warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// The 250 came after QoS (but within 2×QoS).
    Slow,
    /// The certificate has fewer days left than the warning threshold.
    CertificateExpiring,
    /// An MX target is an alias (CNAME), which RFC 2181 §10.3 and RFC 5321 §5.1 forbid.
    MxAlias,
    /// An MX host that steadily offered STARTTLS did not on this probe: mail to it falls back
    /// to plaintext.
    StarttlsVanished,
    /// The domain's MTA-STS policy is in `testing` mode and senders would refuse this host in
    /// `enforce` mode.
    MtaStsTesting,
    /// The domain's TLS-RPT record is broken: TLS failure reports go nowhere.
    TlsRptBroken,
    /// An MX address is listed on a DNS blocklist the user configured: mail from it may still
    /// flow, but some receivers refuse it.
    Blocklisted,
}

impl WarningKind {
    /// Every kind, in the order the verdict rule reports them.
    pub const ALL: [Self; 7] = [
        Self::Slow,
        Self::CertificateExpiring,
        Self::MxAlias,
        Self::StarttlsVanished,
        Self::MtaStsTesting,
        Self::TlsRptBroken,
        Self::Blocklisted,
    ];

    /// The kind as the JSON report and metric labels spell it: `slow`, `certificate_expiring`,
    /// `mx_alias`, `starttls_vanished`, `mta_sts_testing`, `tls_rpt_broken`, `blocklisted`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Slow => "slow",
            Self::CertificateExpiring => "certificate_expiring",
            Self::MxAlias => "mx_alias",
            Self::StarttlsVanished => "starttls_vanished",
            Self::MtaStsTesting => "mta_sts_testing",
            Self::TlsRptBroken => "tls_rpt_broken",
            Self::Blocklisted => "blocklisted",
        }
    }
}

/// One reason a verdict is a QoS Warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Warning {
    /// The kind of finding.
    pub kind: WarningKind,
    /// A sentence for people.
    pub message: String,
}

impl Warning {
    /// A warning of `kind`.
    pub fn new(kind: WarningKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_str_is_the_json_spelling() {
        for kind in WarningKind::ALL {
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::from(kind.as_str())
            );
        }
    }
}
