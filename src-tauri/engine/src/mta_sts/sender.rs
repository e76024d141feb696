//! A certificate chain judged as an MTA-STS sender judges an MX host's (RFC 8461 §4.2): it
//! must chain to a trusted root (the system's, plus `[mail_policy] mta_sts_ca_file`), be for
//! the MX host's name, and be unexpired.

use rustls::client::danger::ServerCertVerifier;
use rustls::client::WebPkiServerVerifier;
use rustls::CertificateError;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

/// Why an MTA-STS sender refuses `chain` (leaf first) for `host` at `now`; `None` when it
/// accepts it.
pub(crate) fn refusal(
    verifier: &WebPkiServerVerifier,
    chain: &[CertificateDer<'static>],
    host: &str,
    now: UnixTime,
) -> Option<String> {
    let Some((leaf, intermediates)) = chain.split_first() else {
        return Some("it presented no certificate".to_owned());
    };
    let host = host.trim_end_matches('.');
    let Ok(name) = ServerName::try_from(host.to_owned()) else {
        return Some(format!("{host} is not a valid certificate name"));
    };
    match verifier.verify_server_cert(leaf, intermediates, &name, &[], now) {
        Ok(_) => None,
        Err(rustls::Error::InvalidCertificate(e)) => Some(certificate_words(&e)),
        Err(e) => Some(e.to_string()),
    }
}

/// A certificate error in a sender's words.
pub(crate) fn certificate_words(e: &CertificateError) -> String {
    match e {
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            "its certificate has expired".to_owned()
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            "its certificate is not valid yet".to_owned()
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            "its certificate is not for this host name".to_owned()
        }
        CertificateError::UnknownIssuer | CertificateError::BadSignature => {
            "its certificate does not chain to a trusted CA (self-signed or a private CA)"
                .to_owned()
        }
        other => format!("its certificate is refused: {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    use rustls::RootCertStore;

    use super::*;

    struct Ca {
        cert: CertificateDer<'static>,
        issuer: Issuer<'static, KeyPair>,
    }

    fn ca() -> Ca {
        let mut params = CertificateParams::new(Vec::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap().der().clone();
        Ca {
            cert,
            issuer: Issuer::new(params, key),
        }
    }

    fn leaf(ca: &Ca, name: &str, expired: bool) -> Vec<CertificateDer<'static>> {
        let mut params = CertificateParams::new(vec![name.into()]).unwrap();
        if expired {
            params.not_before = rcgen::date_time_ymd(2000, 1, 1);
            params.not_after = rcgen::date_time_ymd(2001, 1, 1);
        }
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &ca.issuer).unwrap();
        vec![cert.der().clone(), ca.cert.clone()]
    }

    fn verifier(ca: &Ca) -> Arc<WebPkiServerVerifier> {
        let mut roots = RootCertStore::empty();
        roots.add(ca.cert.clone()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .unwrap()
    }

    fn now() -> UnixTime {
        UnixTime::since_unix_epoch(Duration::from_secs(
            u64::try_from(chrono::Utc::now().timestamp()).unwrap(),
        ))
    }

    #[test]
    fn a_chain_from_a_trusted_ca_for_the_name_is_accepted() {
        let ca = ca();
        let v = verifier(&ca);
        assert_eq!(
            refusal(&v, &leaf(&ca, "mx.test", false), "mx.test.", now()),
            None
        );
    }

    #[test]
    fn wrong_name_expired_and_self_signed_are_refused() {
        let ca = ca();
        let v = verifier(&ca);
        assert_eq!(
            refusal(&v, &leaf(&ca, "other.test", false), "mx.test", now()).as_deref(),
            Some("its certificate is not for this host name")
        );
        assert_eq!(
            refusal(&v, &leaf(&ca, "mx.test", true), "mx.test", now()).as_deref(),
            Some("its certificate has expired")
        );
        let own = rcgen::generate_simple_self_signed(vec!["mx.test".into()]).unwrap();
        let said = refusal(&v, &[own.cert.der().clone()], "mx.test", now()).unwrap();
        assert!(said.contains("does not chain to a trusted CA"), "{said}");
        assert_eq!(
            refusal(&v, &[], "mx.test", now()).as_deref(),
            Some("it presented no certificate")
        );
    }
}
