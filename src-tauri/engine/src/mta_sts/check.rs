//! The MTA-STS verdict of one MX target (RFC 8461 §4): its MX host against the policy's `mx`
//! patterns, and the certificate chain it served in this probe as a sender checks it. In
//! `enforce`, a host senders refuse is Failed; in `testing` the same findings are amber; in
//! `none` nothing is applied. A host whose DANE records match is left to DANE, which takes
//! precedence (§2).

use rustls::client::WebPkiServerVerifier;
use rustls_pki_types::{CertificateDer, UnixTime};
use serde::{Deserialize, Serialize};

use super::policy::{mx_matches, Policy, StsMode};
use super::sender::refusal;

/// Where a target stands with the domain's MTA-STS policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum StsState {
    /// Covered by an `mx` pattern, STARTTLS offered, certificate accepted.
    Valid,
    /// The MX host matches no `mx` pattern of the policy.
    MxNotCovered,
    /// The host offered no STARTTLS.
    NoStarttls,
    /// The served certificate is one senders refuse (untrusted, wrong name, expired).
    CertificateRefused,
    /// The host's DANE records match: DANE takes precedence, MTA-STS is not applied.
    DanePrecedence,
}

impl StsState {
    /// Its name in JSON and metrics: `valid`, `mx_not_covered` …
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::MxNotCovered => "mx_not_covered",
            Self::NoStarttls => "no_starttls",
            Self::CertificateRefused => "certificate_refused",
            Self::DanePrecedence => "dane_precedence",
        }
    }

    /// True for what senders applying the policy refuse.
    pub fn refused(self) -> bool {
        matches!(
            self,
            Self::MxNotCovered | Self::NoStarttls | Self::CertificateRefused
        )
    }
}

/// One target's MTA-STS check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StsCheck {
    /// The policy's mode.
    pub mode: StsMode,
    /// Where the target stands.
    pub state: StsState,
    /// One line for people; for a failing check, the reason the target shows.
    pub verdict: String,
}

impl StsCheck {
    /// True when the target is Failed for it: refused under `enforce`.
    pub fn fails(&self) -> bool {
        self.mode == StsMode::Enforce && self.state.refused()
    }

    /// True when the target is amber for it: refused under `testing`.
    pub fn amber(&self) -> bool {
        self.mode == StsMode::Testing && self.state.refused()
    }
}

/// What one target offers a sender.
pub(crate) struct Served<'a> {
    /// The MX host.
    pub host: &'a str,
    /// The chain served, leaf first; `None` when the session used no TLS.
    pub chain: Option<&'a [CertificateDer<'static>]>,
    /// True when the host's DANE check matched.
    pub dane_matched: bool,
}

/// The MTA-STS check of one target under `policy` (fetched under record `id`), certificates
/// judged by `verifier` at `now`.
pub(crate) fn check(
    policy: &Policy,
    id: &str,
    served: &Served<'_>,
    verifier: &WebPkiServerVerifier,
    now: UnixTime,
) -> StsCheck {
    let host = served.host.trim_end_matches('.');
    let mode = policy.mode;
    if served.dane_matched {
        return StsCheck {
            mode,
            state: StsState::DanePrecedence,
            verdict: format!(
                "MTA-STS not applied to {host}: its DANE records match, and DANE takes \
                 precedence (RFC 8461 §2)"
            ),
        };
    }
    let covered = policy.mx.iter().any(|p| mx_matches(p, host));
    let (state, why) = match served.chain.filter(|c| !c.is_empty()) {
        _ if !covered => (
            StsState::MxNotCovered,
            format!(
                "{host} matches no mx pattern of the policy (id={id}: {})",
                policy.mx.join(", ")
            ),
        ),
        None => (StsState::NoStarttls, format!("{host} offers no STARTTLS")),
        Some(chain) => match refusal(verifier, chain, host, now) {
            Some(why) => (StsState::CertificateRefused, format!("{host}: {why}")),
            None => (StsState::Valid, String::new()),
        },
    };
    let verdict = match (state, mode) {
        (StsState::Valid, _) => format!(
            "MTA-STS ({}, id={id}): {host} is covered by the policy and its certificate is \
             accepted",
            mode.as_str()
        ),
        (_, StsMode::Enforce) => format!("MTA-STS senders will refuse this host: {why}"),
        (_, StsMode::Testing) => format!(
            "MTA-STS in testing mode: senders report but deliver; in enforce mode they would \
             refuse this host: {why}"
        ),
        (_, StsMode::None) => format!("MTA-STS policy mode none: not applied ({why})"),
    };
    StsCheck {
        mode,
        state,
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rustls::RootCertStore;

    use super::*;

    fn policy(mode: StsMode, mx: &[&str]) -> Policy {
        Policy {
            mode,
            mx: mx.iter().map(|s| (*s).to_owned()).collect(),
            max_age: 86400,
        }
    }

    fn empty_verifier() -> Arc<WebPkiServerVerifier> {
        let mut roots = RootCertStore::empty();
        let ca = rcgen::generate_simple_self_signed(vec!["ca.test".into()]).unwrap();
        roots.add(ca.cert.der().clone()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .unwrap()
    }

    fn served<'a>(host: &'a str, chain: Option<&'a [CertificateDer<'static>]>) -> Served<'a> {
        Served {
            host,
            chain,
            dane_matched: false,
        }
    }

    #[test]
    fn an_uncovered_host_fails_in_enforce_and_is_amber_in_testing() {
        let v = empty_verifier();
        let now = UnixTime::now();
        let enforce = check(
            &policy(StsMode::Enforce, &["mx1.d.test"]),
            "7",
            &served("mx2.d.test", None),
            &v,
            now,
        );
        assert_eq!(enforce.state, StsState::MxNotCovered);
        assert!(enforce.fails() && !enforce.amber());
        assert_eq!(
            enforce.verdict,
            "MTA-STS senders will refuse this host: mx2.d.test matches no mx pattern of the policy (id=7: mx1.d.test)"
        );
        let testing = check(
            &policy(StsMode::Testing, &["mx1.d.test"]),
            "7",
            &served("mx2.d.test", None),
            &v,
            now,
        );
        assert!(testing.amber() && !testing.fails());
        let none = check(
            &policy(StsMode::None, &[]),
            "7",
            &served("mx2.d.test", None),
            &v,
            now,
        );
        assert!(!none.amber() && !none.fails());
    }

    #[test]
    fn no_starttls_and_an_untrusted_certificate_are_refused() {
        let v = empty_verifier();
        let now = UnixTime::now();
        let p = policy(StsMode::Enforce, &["*.d.test"]);
        let plain = check(&p, "1", &served("mx.d.test", None), &v, now);
        assert_eq!(plain.state, StsState::NoStarttls);
        assert!(plain.fails());
        let own = rcgen::generate_simple_self_signed(vec!["mx.d.test".into()]).unwrap();
        let chain = [own.cert.der().clone()];
        let refused = check(&p, "1", &served("mx.d.test", Some(&chain)), &v, now);
        assert_eq!(refused.state, StsState::CertificateRefused);
        assert!(
            refused.verdict.starts_with(
                "MTA-STS senders will refuse this host: mx.d.test: its certificate does not chain"
            ),
            "{}",
            refused.verdict
        );
    }

    #[test]
    fn dane_matched_takes_precedence_and_never_colours() {
        let v = empty_verifier();
        let s = Served {
            host: "other.test",
            chain: None,
            dane_matched: true,
        };
        let c = check(
            &policy(StsMode::Enforce, &["mx.d.test"]),
            "1",
            &s,
            &v,
            UnixTime::now(),
        );
        assert_eq!(c.state, StsState::DanePrecedence);
        assert!(!c.fails() && !c.amber());
    }
}
