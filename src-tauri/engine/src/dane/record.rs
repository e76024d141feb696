//! One TLSA record (RFC 6698 §2.1) and how it matches a certificate: the selector picks the
//! whole certificate (0) or its `SubjectPublicKeyInfo` (1), the matching type compares it as it
//! is (0) or by its SHA-256 (1) or SHA-512 (2). SMTP senders use only the DANE usages, 2
//! (DANE-TA) and 3 (DANE-EE): RFC 7672 §3.1.3 makes the PKIX usages 0 and 1 unusable.

use std::fmt;

use rustls_pki_types::CertificateDer;
use sha2::{Digest, Sha256, Sha512};
use x509_parser::prelude::{FromDer, X509Certificate};

/// DANE-TA: the record names a trust anchor the server's chain leads to.
pub(super) const DANE_TA: u8 = 2;
/// DANE-EE: the record names the server's own certificate; names and expiry do not count.
pub(super) const DANE_EE: u8 = 3;

/// A TLSA record's four fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tlsa {
    /// Certificate usage: 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE.
    pub(crate) usage: u8,
    /// 0 the full certificate, 1 its `SubjectPublicKeyInfo`.
    pub(crate) selector: u8,
    /// 0 exact, 1 SHA-256, 2 SHA-512.
    pub(crate) matching: u8,
    /// The certificate association data.
    pub(crate) data: Vec<u8>,
}

impl Tlsa {
    /// True when an SMTP sender can use it: usage 2 or 3, selector 0 or 1, matching type 0, 1
    /// or 2, and data of the length its matching type gives.
    pub(crate) fn usable(&self) -> bool {
        let length_fits = match self.matching {
            0 => !self.data.is_empty(),
            1 => self.data.len() == 32,
            2 => self.data.len() == 64,
            _ => false,
        };
        matches!(self.usage, DANE_TA | DANE_EE) && self.selector <= 1 && length_fits
    }

    /// True when the record's selector and matching type applied to `cert` give its data.
    /// A certificate that does not parse (selector 1 needs its key) matches nothing.
    pub(crate) fn matches(&self, cert: &CertificateDer<'_>) -> bool {
        let selected = match self.selector {
            0 => cert.as_ref(),
            1 => match X509Certificate::from_der(cert.as_ref()) {
                Ok((_, parsed)) => parsed.tbs_certificate.subject_pki.raw,
                Err(_) => return false,
            },
            _ => return false,
        };
        match self.matching {
            0 => selected == self.data.as_slice(),
            1 => Sha256::digest(selected).as_slice() == self.data.as_slice(),
            2 => Sha512::digest(selected).as_slice() == self.data.as_slice(),
            _ => false,
        }
    }
}

impl fmt::Display for Tlsa {
    /// As a zone file writes it: `3 1 1 0a1b…`, the data in lower-case hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {} ", self.usage, self.selector, self.matching)?;
        self.data.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert() -> rcgen::CertifiedKey<rcgen::KeyPair> {
        rcgen::generate_simple_self_signed(vec!["mx.test".into()]).unwrap()
    }

    fn record(usage: u8, selector: u8, matching: u8, data: &[u8]) -> Tlsa {
        Tlsa {
            usage,
            selector,
            matching,
            data: data.to_vec(),
        }
    }

    #[test]
    fn every_selector_and_matching_type_matches_its_own_data_only() {
        let made = cert();
        let der = made.cert.der();
        let spki = rcgen::PublicKeyData::subject_public_key_info(&made.signing_key);
        let other = cert();
        for (selector, selected) in [(0, der.as_ref()), (1, spki.as_slice())] {
            for (matching, data) in [
                (0, selected.to_vec()),
                (1, Sha256::digest(selected).to_vec()),
                (2, Sha512::digest(selected).to_vec()),
            ] {
                let tlsa = record(3, selector, matching, &data);
                assert!(tlsa.usable(), "{tlsa}");
                assert!(tlsa.matches(der), "{tlsa} matches its certificate");
                assert!(!tlsa.matches(other.cert.der()), "{tlsa} matches another");
            }
        }
        let full = Sha256::digest(der.as_ref()).to_vec();
        assert!(
            !record(3, 1, 1, &full).matches(der),
            "selector 1 hashes the key, not the certificate"
        );
        assert!(
            !record(3, 0, 2, &full).matches(der),
            "a SHA-256 is no SHA-512"
        );
    }

    #[test]
    fn pkix_usages_unknown_fields_and_wrong_lengths_are_not_usable() {
        let digest = [7u8; 32];
        assert!(record(2, 1, 1, &digest).usable());
        assert!(!record(0, 1, 1, &digest).usable(), "PKIX-TA");
        assert!(!record(1, 1, 1, &digest).usable(), "PKIX-EE");
        assert!(!record(3, 2, 1, &digest).usable(), "selector 2");
        assert!(!record(3, 1, 3, &digest).usable(), "matching type 3");
        assert!(!record(3, 1, 2, &digest).usable(), "32 bytes for SHA-512");
        assert!(!record(3, 0, 0, &[]).usable(), "no data");
    }

    #[test]
    fn shown_as_a_zone_file_writes_it() {
        assert_eq!(record(3, 1, 1, &[0x0a, 0xbc]).to_string(), "3 1 1 0abc");
    }
}
