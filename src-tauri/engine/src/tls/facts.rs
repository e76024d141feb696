//! Facts about a finished TLS handshake and the server's certificate, read with x509-parser:
//! version, cipher, subject, issuer, names, notAfter and days left, SHA-256 fingerprint.

use chrono::{DateTime, Utc};
use rustls::{ClientConnection, ProtocolVersion};
use rustls_pki_types::CertificateDer;
use serde::Serialize;
use sha2::{Digest, Sha256};
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate};

/// Facts about the TLS session and the server's certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TlsFacts {
    /// Protocol version, e.g. `TLSv1.3`.
    pub version: String,
    /// Cipher suite, e.g. `TLS13_AES_256_GCM_SHA384`.
    pub cipher: String,
    /// The certificate's subject DN.
    pub subject: String,
    /// The certificate's issuer DN.
    pub issuer: String,
    /// The host names and addresses the certificate is for.
    pub subject_alt_names: Vec<String>,
    /// The certificate's notAfter.
    pub not_after: DateTime<Utc>,
    /// Whole days from the probe to notAfter (negative once expired).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub days_left: i64,
    /// SHA-256 of the certificate's DER, upper-case hex pairs joined by colons.
    pub sha256: String,
    /// True when the chain, the dates and the host name were verified (never with `--insecure`).
    pub verified: bool,
    /// True when verification was skipped (`--insecure`).
    pub verification_skipped: bool,
    /// Why the certificate does not verify, when verification was skipped and would have failed.
    pub verify_error: Option<String>,
    /// The chain as presented, leaf first, at most `MAX_CHAIN` (8) certificates: what DANE
    /// records are matched against. Not serialised.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub chain: Vec<CertificateDer<'static>>,
}

/// The most certificates of a presented chain kept.
pub(crate) const MAX_CHAIN: usize = 8;

/// Reads the facts of an established connection. `verification` is the verifier's verdict on
/// the chain; `skipped` says the handshake did not enforce it (`--insecure`), in which case the
/// report says "not verified" whatever the verdict, and keeps the verdict's error, if any.
pub(crate) fn tls_facts(
    conn: &ClientConnection,
    verification: Result<(), String>,
    skipped: bool,
    now: DateTime<Utc>,
) -> Option<TlsFacts> {
    let presented = conn.peer_certificates()?;
    let mut facts = certificate_facts(presented.first()?, now)?;
    facts.chain = presented
        .iter()
        .take(MAX_CHAIN)
        .map(|c| c.clone().into_owned())
        .collect();
    facts.version = conn
        .protocol_version()
        .map_or_else(|| "unknown".into(), version_name);
    facts.cipher = conn
        .negotiated_cipher_suite()
        .map_or_else(|| "unknown".into(), |s| format!("{:?}", s.suite()));
    facts.verified = !skipped && verification.is_ok();
    facts.verification_skipped = skipped;
    facts.verify_error = verification.err();
    Some(facts)
}

/// The certificate part of the facts (version and cipher left empty).
pub(crate) fn certificate_facts(der: &CertificateDer<'_>, now: DateTime<Utc>) -> Option<TlsFacts> {
    let (_, cert) = X509Certificate::from_der(der.as_ref()).ok()?;
    let not_after = DateTime::from_timestamp(cert.validity().not_after.timestamp(), 0)?;
    let subject_alt_names = cert
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|san| {
            san.value
                .general_names
                .iter()
                .filter_map(general_name)
                .collect()
        })
        .unwrap_or_default();
    Some(TlsFacts {
        version: String::new(),
        cipher: String::new(),
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        subject_alt_names,
        not_after,
        days_left: (not_after - now).num_seconds().div_euclid(86_400),
        sha256: fingerprint(der.as_ref()),
        verified: false,
        verification_skipped: false,
        verify_error: None,
        chain: Vec::new(),
    })
}

fn general_name(name: &GeneralName<'_>) -> Option<String> {
    match name {
        GeneralName::DNSName(dns) => Some((*dns).to_owned()),
        GeneralName::IPAddress(bytes) => match bytes.len() {
            4 => Some(std::net::Ipv4Addr::from(<[u8; 4]>::try_from(*bytes).ok()?).to_string()),
            16 => Some(std::net::Ipv6Addr::from(<[u8; 16]>::try_from(*bytes).ok()?).to_string()),
            _ => None,
        },
        _ => None,
    }
}

fn version_name(version: ProtocolVersion) -> String {
    match version {
        ProtocolVersion::TLSv1_3 => "TLSv1.3".into(),
        ProtocolVersion::TLSv1_2 => "TLSv1.2".into(),
        other => format!("{other:?}"),
    }
}

/// `AB:CD:…` — the form `openssl x509 -fingerprint -sha256` prints.
fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_of_a_generated_certificate() {
        let mut params =
            rcgen::CertificateParams::new(vec!["mx.test".into(), "127.0.0.1".into()]).unwrap();
        params.not_after = rcgen::date_time_ymd(2030, 1, 2);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "mx.test");
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        let now = DateTime::parse_from_rfc3339("2029-12-31T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let facts = certificate_facts(cert.der(), now).unwrap();
        assert_eq!(facts.subject, "CN=mx.test");
        assert_eq!(facts.subject_alt_names, ["mx.test", "127.0.0.1"]);
        assert_eq!(facts.not_after.to_rfc3339(), "2030-01-02T00:00:00+00:00");
        assert_eq!(facts.days_left, 1);
        assert_eq!(facts.sha256.len(), 32 * 3 - 1);
        let later = DateTime::parse_from_rfc3339("2030-01-02T06:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(certificate_facts(cert.der(), later).unwrap().days_left, -1);
    }
}
