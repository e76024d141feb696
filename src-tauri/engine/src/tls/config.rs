//! rustls client configurations for probes: the system's roots (rustls-native-certs) plus an
//! optional private CA file, or verification skipped for `--insecure`. Configurations are built
//! once per trust setting and shared, since loading the system roots costs milliseconds.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use crate::io_words::io_words;

/// Why a TLS configuration could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsSetupError {
    /// The CA file could not be read or held no certificate.
    #[error("CA file {path}: {reason}")]
    CaFile {
        /// The file.
        path: String,
        /// What was wrong.
        reason: String,
    },
    /// rustls refused the configuration.
    #[error("TLS setup failed: {0}")]
    Rustls(String),
}

/// A client configuration and the verifier that checks certificates for real, so that an
/// `--insecure` probe can still say whether verification would have passed.
#[derive(Clone)]
pub(crate) struct TlsClient {
    /// The configuration used for the handshake.
    pub config: Arc<ClientConfig>,
    /// The real verifier (also used by the handshake unless insecure).
    pub verifier: Arc<WebPkiServerVerifier>,
    /// True when the handshake does not verify.
    pub insecure: bool,
}

impl fmt::Debug for TlsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsClient")
            .field("insecure", &self.insecure)
            .finish_non_exhaustive()
    }
}

impl TlsClient {
    /// Whether the real verifier accepts this chain for this name now; the error text if not.
    pub(crate) fn check(
        &self,
        chain: &[CertificateDer<'_>],
        name: &ServerName<'_>,
    ) -> Result<(), String> {
        let (end_entity, intermediates) = chain.split_first().ok_or("no certificate presented")?;
        self.verifier
            .verify_server_cert(end_entity, intermediates, name, &[], UnixTime::now())
            .map(drop)
            .map_err(|e| e.to_string())
    }
}

/// Whom to trust for TLS.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TlsTrust {
    /// A PEM file of extra CA certificates, trusted beside the system's roots.
    pub ca_file: Option<PathBuf>,
    /// Skip verification; the report still says whether it would have passed.
    pub insecure: bool,
}

/// Client configurations by trust setting, with the system roots loaded once.
#[derive(Debug, Default)]
pub(crate) struct TlsConfigs {
    system_roots: OnceLock<Arc<RootCertStore>>,
    built: Mutex<HashMap<TlsTrust, TlsClient>>,
}

impl TlsConfigs {
    /// The client for `trust`, built on first use.
    pub(crate) fn get(&self, trust: &TlsTrust) -> Result<TlsClient, TlsSetupError> {
        if let Some(client) = self
            .built
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(trust)
        {
            return Ok(client.clone());
        }
        let client = self.build(trust)?;
        self.built
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(trust.clone(), client.clone());
        Ok(client)
    }

    fn build(&self, trust: &TlsTrust) -> Result<TlsClient, TlsSetupError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = RootCertStore::clone(self.system_roots.get_or_init(load_system_roots));
        if let Some(path) = &trust.ca_file {
            for cert in read_ca_file(path)? {
                roots
                    .add(cert)
                    .map_err(|e| ca_error(path, &e.to_string()))?;
            }
        }
        let verifier =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|e| TlsSetupError::Rustls(e.to_string()))?;
        let builder = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsSetupError::Rustls(e.to_string()))?;
        let config = if trust.insecure {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(verifier.clone())))
                .with_no_client_auth()
        } else {
            builder
                .with_webpki_verifier(verifier.clone())
                .with_no_client_auth()
        };
        Ok(TlsClient {
            config: Arc::new(config),
            verifier,
            insecure: trust.insecure,
        })
    }
}

/// Reads every certificate of a PEM file; a file with none is an error.
pub fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsSetupError> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| ca_error(path, &pem_reason(e)))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ca_error(path, &pem_reason(e)))?;
    if certs.is_empty() {
        return Err(ca_error(path, "no PEM certificate in it"));
    }
    Ok(certs)
}

/// The reason in people's words: an I/O error as [`io_words`] says it ("No such file or
/// directory").
fn pem_reason(error: rustls_pki_types::pem::Error) -> String {
    match error {
        rustls_pki_types::pem::Error::Io(io) => io_words(&io),
        other => other.to_string(),
    }
}

fn ca_error(path: &Path, reason: &str) -> TlsSetupError {
    TlsSetupError::CaFile {
        path: path.display().to_string(),
        reason: reason.to_owned(),
    }
}

fn load_system_roots() -> Arc<RootCertStore> {
    let found = rustls_native_certs::load_native_certs();
    for error in &found.errors {
        tracing::warn!(%error, "could not load some system CA certificates");
    }
    let mut roots = RootCertStore::empty();
    let (_, ignored) = roots.add_parsable_certificates(found.certs);
    if ignored > 0 {
        tracing::debug!(ignored, "system CA certificates rustls could not use");
    }
    Arc::new(roots)
}

/// Accepts any certificate (`--insecure`) but still checks handshake signatures properly.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}
