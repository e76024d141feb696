//! The DANE verdict of one MX target (RFC 7672): its TLSA answer against the certificate chain
//! the server presented in this probe. A validated, usable record set makes TLS mandatory and
//! one record must match: DANE-EE (3) the server's own certificate, names and expiry ignored
//! (§3.1.1); DANE-TA (2) a certificate of the chain that the server's certificate, for the MX
//! host's name and unexpired, leads to (§3.1.2). No match, no STARTTLS, or a failing lookup is
//! what DANE senders refuse (Failed). Unsigned or unusable records, and no validating resolver,
//! say so without a colour.

use std::sync::Arc;

use rustls::client::danger::ServerCertVerifier;
use rustls::client::WebPkiServerVerifier;
use rustls::RootCertStore;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use serde::{Deserialize, Serialize};

use super::lookup::TlsaAnswer;
use super::record::{Tlsa, DANE_EE, DANE_TA};

/// Where a target stands with DANE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DaneState {
    /// No validating resolver here (or it did not answer): nothing is claimed either way.
    NotChecked,
    /// The host publishes no TLSA record: DANE does not apply.
    NoRecords,
    /// TLSA records that senders ignore: unsigned, or none with a DANE usage they can use.
    NotUsable,
    /// A usable record matches the served certificate.
    Matched,
    /// No usable record matches the served certificate.
    NoMatch,
    /// No usable record matches the served certificate, but one matches the certificate the
    /// host served before: the TLSA records were not updated after a certificate change.
    TlsaNotUpdated,
    /// The host publishes usable records but offers no STARTTLS.
    NoStarttls,
    /// The resolver answered SERVFAIL for the TLSA records (bogus signatures give that).
    LookupFailed,
}

impl DaneState {
    /// Its name in JSON and metrics: `matched`, `no_match` …
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotChecked => "not_checked",
            Self::NoRecords => "no_records",
            Self::NotUsable => "not_usable",
            Self::Matched => "matched",
            Self::NoMatch => "no_match",
            Self::TlsaNotUpdated => "tlsa_not_updated",
            Self::NoStarttls => "no_starttls",
            Self::LookupFailed => "lookup_failed",
        }
    }

    /// A few words for people: `matched`, `no match`, `TLSA not updated` …
    pub fn describe(self) -> &'static str {
        match self {
            Self::NotChecked => "not checked",
            Self::NoRecords => "no TLSA records",
            Self::NotUsable => "not usable",
            Self::Matched => "matched",
            Self::NoMatch => "no match",
            Self::TlsaNotUpdated => "TLSA not updated",
            Self::NoStarttls => "no STARTTLS",
            Self::LookupFailed => "lookup failed",
        }
    }

    /// True for what DANE senders will not deliver through.
    pub fn fails(self) -> bool {
        matches!(
            self,
            Self::NoMatch | Self::TlsaNotUpdated | Self::NoStarttls | Self::LookupFailed
        )
    }
}

/// One target's DANE check: its state, a one-line verdict, and the records as found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DaneCheck {
    /// Where it stands.
    pub state: DaneState,
    /// One line for people; for a failing state, the reason the target shows.
    pub verdict: String,
    /// The TLSA records found, as a zone file writes them (`3 1 1 0a1b…`).
    pub records: Vec<String>,
}

/// What the check is made of: the TLSA answer, and what the server presented.
#[derive(Debug)]
pub(crate) struct Evidence<'a> {
    /// The TLSA name asked for (`_25._tcp.mx1.example.com.`).
    pub name: &'a str,
    /// The MX host: the name a DANE-TA chain must be for.
    pub host: &'a str,
    /// The answer, or why none is trusted (no validating resolver here).
    pub answer: Result<&'a TlsaAnswer, String>,
    /// The chain presented in this probe, leaf first; `None` when the session used no TLS.
    pub served: Option<&'a [CertificateDer<'static>]>,
    /// The chain the host presented before its certificate last changed, if known.
    pub previous: Option<&'a [CertificateDer<'static>]>,
}

/// The DANE check of one target.
pub(crate) fn check(evidence: &Evidence<'_>) -> DaneCheck {
    let (records, usable) = match usable_records(evidence) {
        Ok(found) => found,
        Err(said) => return said,
    };
    let Some(served) = evidence.served.filter(|chain| !chain.is_empty()) else {
        return outcome(
            DaneState::NoStarttls,
            "DANE senders will refuse this host: it publishes TLSA records but offers no STARTTLS"
                .to_owned(),
            records,
        );
    };
    if let Some(record) = usable
        .iter()
        .find(|r| matches_chain(r, served, evidence.host))
    {
        let how = if record.usage == DANE_EE {
            "the served certificate (DANE-EE: names and expiry not checked)"
        } else {
            "a trust anchor of the served chain (DANE-TA)"
        };
        let shown = shorten(&record.to_string());
        return outcome(
            DaneState::Matched,
            format!("DANE: {shown} matches {how}"),
            records,
        );
    }
    let stale = evidence.previous.is_some_and(|before| {
        usable
            .iter()
            .any(|r| matches_chain(r, before, evidence.host))
    });
    if stale {
        return outcome(
            DaneState::TlsaNotUpdated,
            "DANE senders will refuse this host: no TLSA record matches the served certificate \
             — TLSA not updated after a certificate change (a record matches the previous one)"
                .to_owned(),
            records,
        );
    }
    outcome(
        DaneState::NoMatch,
        "DANE senders will refuse this host: no TLSA record matches the served certificate"
            .to_owned(),
        records,
    )
}

/// The records found and those of them a sender uses; or the check, when the answer already
/// decides it (no records, not validated, unsigned, none usable, a failed lookup).
fn usable_records<'a>(evidence: &Evidence<'a>) -> Result<(&'a [Tlsa], Vec<&'a Tlsa>), DaneCheck> {
    let name = evidence.name.trim_end_matches('.');
    let answer = match &evidence.answer {
        Err(why) => {
            return Err(outcome(
                DaneState::NotChecked,
                format!("DANE not checked: {why}"),
                &[],
            ))
        }
        Ok(answer) => *answer,
    };
    let (records, secure, signed) = match answer {
        TlsaAnswer::Records {
            records,
            secure,
            signed,
        } => (records.as_slice(), *secure, *signed),
        TlsaAnswer::None => {
            return Err(outcome(
                DaneState::NoRecords,
                format!("no TLSA record at {name}: DANE does not apply"),
                &[],
            ))
        }
        TlsaAnswer::ServFail => {
            return Err(outcome(
                DaneState::LookupFailed,
                format!(
                    "DANE senders will defer mail to this host: the TLSA lookup of {name} fails \
                     (SERVFAIL, as bogus DNSSEC signatures give)"
                ),
                &[],
            ))
        }
        TlsaAnswer::Unanswered(why) => {
            return Err(outcome(
                DaneState::NotChecked,
                format!("DANE not checked: no answer for {name}: {why}"),
                &[],
            ))
        }
    };
    if !secure && signed {
        return Err(outcome(
            DaneState::NotChecked,
            "DANE not checked: the resolver did not validate the signed TLSA records (no AD \
             bit): it is not a validating resolver"
                .to_owned(),
            records,
        ));
    }
    if !secure {
        return Err(outcome(
            DaneState::NotUsable,
            format!(
                "TLSA records at {name} came without DNSSEC validation (no AD bit): unsigned, \
                 so senders ignore them"
            ),
            records,
        ));
    }
    let usable: Vec<&Tlsa> = records.iter().filter(|r| r.usable()).collect();
    if usable.is_empty() {
        return Err(outcome(
            DaneState::NotUsable,
            format!(
                "no usable TLSA record at {name} (SMTP uses usages 2 and 3, selectors 0 and 1, \
                 matching types 0, 1 and 2): senders ignore them"
            ),
            records,
        ));
    }
    Ok((records, usable))
}

fn outcome(state: DaneState, verdict: String, records: &[Tlsa]) -> DaneCheck {
    DaneCheck {
        state,
        verdict,
        records: records.iter().map(ToString::to_string).collect(),
    }
}

/// `3 1 1 0a1b2c3d…` for long data: the fields and the data's first 16 hex digits.
fn shorten(record: &str) -> String {
    match record.char_indices().nth(22) {
        Some((at, _)) => format!("{}…", &record[..at]),
        None => record.to_owned(),
    }
}

/// True when `record` matches `chain` (leaf first) as an SMTP sender applies it.
fn matches_chain(record: &Tlsa, chain: &[CertificateDer<'static>], host: &str) -> bool {
    let Some((leaf, issuers)) = chain.split_first() else {
        return false;
    };
    match record.usage {
        DANE_EE => record.matches(leaf),
        DANE_TA => issuers
            .iter()
            .filter(|anchor| record.matches(anchor))
            .any(|anchor| leads_to(leaf, issuers, anchor, host)),
        _ => false,
    }
}

/// True when `leaf`, through `intermediates`, chains to `anchor`, is unexpired and is for
/// `host`.
fn leads_to(
    leaf: &CertificateDer<'static>,
    intermediates: &[CertificateDer<'static>],
    anchor: &CertificateDer<'static>,
    host: &str,
) -> bool {
    let mut roots = RootCertStore::empty();
    if roots.add(anchor.clone()).is_err() {
        return false;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let Ok(verifier) =
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider).build()
    else {
        return false;
    };
    let Ok(name) = ServerName::try_from(host.trim_end_matches('.').to_owned()) else {
        return false;
    };
    verifier
        .verify_server_cert(leaf, intermediates, &name, &[], UnixTime::now())
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    use sha2::{Digest, Sha256};

    /// A CA and a leaf for `mx.test` it issued: the chain leaf first.
    fn issued_chain() -> Vec<CertificateDer<'static>> {
        let mut ca = CertificateParams::new(Vec::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_key = KeyPair::generate().unwrap();
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca, ca_key);
        let leaf_key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["mx.test".into()])
            .unwrap()
            .signed_by(&leaf_key, &issuer)
            .unwrap();
        vec![leaf.der().clone(), ca_cert.der().clone()]
    }

    fn self_signed() -> Vec<CertificateDer<'static>> {
        let made = rcgen::generate_simple_self_signed(vec!["other.name".into()]).unwrap();
        vec![made.cert.der().clone()]
    }

    fn digest_record(usage: u8, cert: &CertificateDer<'_>) -> Tlsa {
        Tlsa {
            usage,
            selector: 0,
            matching: 1,
            data: Sha256::digest(cert.as_ref()).to_vec(),
        }
    }

    fn secure(records: Vec<Tlsa>) -> TlsaAnswer {
        TlsaAnswer::Records {
            records,
            secure: true,
            signed: true,
        }
    }

    fn judged(
        answer: &TlsaAnswer,
        served: Option<&[CertificateDer<'static>]>,
        previous: Option<&[CertificateDer<'static>]>,
    ) -> DaneCheck {
        check(&Evidence {
            name: "_25._tcp.mx.test.",
            host: "mx.test",
            answer: Ok(answer),
            served,
            previous,
        })
    }

    #[test]
    fn a_self_signed_dane_ee_server_matches_whatever_its_names() {
        let served = self_signed();
        let answer = secure(vec![digest_record(3, &served[0])]);
        let check = judged(&answer, Some(&served), None);
        assert_eq!(check.state, DaneState::Matched, "{check:?}");
        assert!(
            check.verdict.starts_with("DANE: 3 0 1 "),
            "{}",
            check.verdict
        );
        assert_eq!(check.records, [answer_records(&answer)[0].clone()]);
    }

    fn answer_records(answer: &TlsaAnswer) -> Vec<String> {
        match answer {
            TlsaAnswer::Records { records, .. } => {
                records.iter().map(ToString::to_string).collect()
            }
            _ => Vec::new(),
        }
    }

    #[test]
    fn dane_ta_needs_the_chain_to_lead_to_the_anchor_for_the_mx_host() {
        let chain = issued_chain();
        let answer = secure(vec![digest_record(2, &chain[1])]);
        assert_eq!(
            judged(&answer, Some(&chain), None).state,
            DaneState::Matched
        );
        let wrong_host = check(&Evidence {
            name: "_25._tcp.mx2.test.",
            host: "mx2.test",
            answer: Ok(&answer),
            served: Some(&chain),
            previous: None,
        });
        assert_eq!(
            wrong_host.state,
            DaneState::NoMatch,
            "DANE-TA checks the name"
        );
        let leaf_as_anchor = secure(vec![digest_record(2, &chain[0])]);
        assert_eq!(
            judged(&leaf_as_anchor, Some(&chain), None).state,
            DaneState::NoMatch,
            "a DANE-TA record names an issuer, not the leaf"
        );
    }

    #[test]
    fn a_record_of_the_previous_certificate_is_called_out() {
        let before = self_signed();
        let now = self_signed();
        let answer = secure(vec![digest_record(3, &before[0])]);
        let check = judged(&answer, Some(&now), Some(&before));
        assert_eq!(check.state, DaneState::TlsaNotUpdated);
        assert!(check
            .verdict
            .contains("TLSA not updated after a certificate change"));
        let unknown = judged(&answer, Some(&now), Some(&self_signed()));
        assert_eq!(unknown.state, DaneState::NoMatch);
        assert_eq!(
            unknown.verdict,
            "DANE senders will refuse this host: no TLSA record matches the served certificate"
        );
        assert!(unknown.state.fails() && check.state.fails());
    }

    #[test]
    fn unsigned_unusable_and_unvalidated_records_never_fail() {
        let served = self_signed();
        let wrong = digest_record(3, &self_signed()[0]);
        let unsigned = TlsaAnswer::Records {
            records: vec![wrong.clone()],
            secure: false,
            signed: false,
        };
        let not_validated = TlsaAnswer::Records {
            records: vec![wrong.clone()],
            secure: false,
            signed: true,
        };
        let pkix = secure(vec![Tlsa { usage: 1, ..wrong }]);
        for (answer, state) in [
            (&unsigned, DaneState::NotUsable),
            (&not_validated, DaneState::NotChecked),
            (&pkix, DaneState::NotUsable),
            (&TlsaAnswer::None, DaneState::NoRecords),
            (
                &TlsaAnswer::Unanswered("timed out".into()),
                DaneState::NotChecked,
            ),
        ] {
            let check = judged(answer, Some(&served), None);
            assert_eq!(check.state, state, "{check:?}");
            assert!(!check.state.fails());
        }
        let not_here = check(&Evidence {
            name: "_25._tcp.mx.test.",
            host: "mx.test",
            answer: Err("no validating resolver".into()),
            served: Some(&served),
            previous: None,
        });
        assert_eq!(not_here.state, DaneState::NotChecked);
    }

    #[test]
    fn state_names_are_the_json_names() {
        use DaneState::*;
        for state in [
            NotChecked,
            NoRecords,
            NotUsable,
            Matched,
            NoMatch,
            TlsaNotUpdated,
            NoStarttls,
            LookupFailed,
        ] {
            assert_eq!(serde_json::to_value(state).unwrap(), state.as_str());
        }
    }

    #[test]
    fn usable_records_and_no_tls_or_a_servfail_fail() {
        let served = self_signed();
        let answer = secure(vec![digest_record(3, &served[0])]);
        let no_tls = judged(&answer, None, None);
        assert_eq!(no_tls.state, DaneState::NoStarttls);
        assert!(no_tls.state.fails());
        let bogus = judged(&TlsaAnswer::ServFail, Some(&served), None);
        assert_eq!(bogus.state, DaneState::LookupFailed);
        assert!(bogus.state.fails());
    }
}
