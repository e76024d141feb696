//! A throw-away certificate authority for TLS tests: a CA whose PEM is written to a temp file
//! (for `--ca-file`), and server certificates for chosen names and validity, as a rustls
//! acceptor or as PEM files (for Postfix).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::OffsetDateTime;
use tokio_rustls::TlsAcceptor;

/// A test CA. Its PEM file lives as long as the value.
#[derive(Debug)]
pub struct TestPki {
    issuer: Issuer<'static, KeyPair>,
    ca_der: CertificateDer<'static>,
    ca_pem: String,
    dir: tempfile::TempDir,
}

/// A server certificate and key issued by a [`TestPki`] (or self-signed).
#[derive(Debug)]
pub struct ServerCert {
    /// Leaf first, then the CA.
    pub chain: Vec<CertificateDer<'static>>,
    /// PEM of the chain.
    pub chain_pem: String,
    /// The private key.
    pub key: PrivatePkcs8KeyDer<'static>,
    /// PEM of the private key.
    pub key_pem: String,
}

/// How long a certificate is valid, in days relative to now.
#[derive(Debug, Clone, Copy)]
pub struct Validity {
    /// Days from now to notBefore (negative: in the past).
    pub from_days: i64,
    /// Days from now to notAfter.
    pub to_days: i64,
}

impl Validity {
    /// Valid since yesterday for a year.
    pub const FRESH: Self = Self {
        from_days: -1,
        to_days: 365,
    };
    /// Expired yesterday.
    pub const EXPIRED: Self = Self {
        from_days: -30,
        to_days: -1,
    };

    /// Valid since yesterday, expiring in `days` days (plus a few hours, so whole days count
    /// cleanly).
    pub fn expiring_in(days: i64) -> Self {
        Self {
            from_days: -1,
            to_days: days,
        }
    }
}

impl TestPki {
    /// A new CA named "EHLO Watch Test CA".
    pub fn new() -> Self {
        let mut params = CertificateParams::new(Vec::new()).expect("CA params");
        params
            .distinguished_name
            .push(DnType::CommonName, "EHLO Watch Test CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().expect("CA key");
        let cert = params.self_signed(&key).expect("CA certificate");
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("ca.pem"), cert.pem()).expect("write CA PEM");
        let (ca_der, ca_pem) = (cert.der().clone(), cert.pem());
        Self {
            issuer: Issuer::new(params, key),
            ca_der,
            ca_pem,
            dir,
        }
    }

    /// The CA certificate as a PEM file.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// A server certificate for `names` (DNS names or IP addresses).
    pub fn server_cert(&self, names: &[&str], validity: Validity) -> ServerCert {
        let key = KeyPair::generate().expect("server key");
        let cert = server_params(names, validity)
            .signed_by(&key, &self.issuer)
            .expect("issue certificate");
        finish(&cert, Some((&self.ca_der, &self.ca_pem)), &key)
    }

    /// A TLS acceptor presenting a certificate for `names`.
    pub fn acceptor(&self, names: &[&str], validity: Validity) -> TlsAcceptor {
        self.server_cert(names, validity).acceptor()
    }

    /// Where this CA keeps its files.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Default for TestPki {
    fn default() -> Self {
        Self::new()
    }
}

impl ServerCert {
    /// The certificate chain in PEM file `chain` (leaf first) and the PKCS#8 key in PEM file `key`,
    /// checked by rustls; errors name the flag (`--cert-chain`, `--key`) and the file: what the
    /// lab's fake servers are given.
    pub fn from_pem_files(chain: &str, key: &str) -> Result<Self, String> {
        let read = |flag: &str, path: &str| {
            std::fs::read_to_string(path)
                .map_err(|e| format!("{flag} {path:?}: cannot read it ({e})"))
        };
        let chain_pem = read("--cert-chain", chain)?;
        let key_pem = read("--key", key)?;
        let certs = CertificateDer::pem_slice_iter(chain_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("--cert-chain {chain:?}: not PEM certificates ({e})"))?;
        if certs.is_empty() {
            return Err(format!(
                "--cert-chain {chain:?}: no certificate (BEGIN CERTIFICATE) in it"
            ));
        }
        let key_der = PrivatePkcs8KeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| {
            format!("--key {key:?}: no PKCS#8 private key (BEGIN PRIVATE KEY) in it ({e})")
        })?;
        let cert = Self {
            chain: certs,
            chain_pem,
            key: key_der,
            key_pem,
        };
        cert.try_acceptor().map_err(|e| {
            format!("--cert-chain {chain:?} --key {key:?}: refused as a server certificate ({e})")
        })?;
        Ok(cert)
    }

    /// A certificate signed by its own key — trusted by nobody.
    pub fn self_signed(names: &[&str]) -> Self {
        let key = KeyPair::generate().expect("server key");
        let cert = server_params(names, Validity::FRESH)
            .self_signed(&key)
            .expect("self-signed certificate");
        finish(&cert, None, &key)
    }

    /// A rustls acceptor for this certificate.
    pub fn acceptor(&self) -> TlsAcceptor {
        self.try_acceptor().expect("server certificate")
    }

    /// A rustls acceptor for this certificate, or why rustls refuses it (a key that does not
    /// match the leaf, an unsupported key type).
    pub fn try_acceptor(&self) -> Result<TlsAcceptor, rustls::Error> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(
                self.chain.clone(),
                PrivateKeyDer::Pkcs8(self.key.clone_key()),
            )?;
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

fn server_params(names: &[&str], validity: Validity) -> CertificateParams {
    let mut params =
        CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
            .expect("server params");
    params.distinguished_name.push(
        DnType::CommonName,
        names.first().copied().unwrap_or("server"),
    );
    let now = OffsetDateTime::now_utc();
    params.not_before = now + time::Duration::days(validity.from_days);
    params.not_after = now + time::Duration::days(validity.to_days) + time::Duration::hours(6);
    params
}

fn finish(
    leaf: &rcgen::Certificate,
    ca: Option<(&CertificateDer<'static>, &str)>,
    key: &KeyPair,
) -> ServerCert {
    let mut chain = vec![leaf.der().clone()];
    let mut chain_pem = leaf.pem();
    if let Some((der, pem)) = ca {
        chain.push(der.clone());
        chain_pem.push_str(pem);
    }
    ServerCert {
        chain,
        chain_pem,
        key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        key_pem: key.serialize_pem(),
    }
}
