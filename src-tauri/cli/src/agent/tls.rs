//! The agent's HTTPS certificate: a PEM chain and key read from files, served by rustls (with
//! the ring provider, as the probes use) through a resolver whose certificate can be swapped
//! while the agent runs — a reload reads both files again and keeps the old certificate when the
//! new pair is unusable, so a renewal half-written does not take the API down.

use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};

use ehlowatch_engine::io_words;
use rustls::crypto::CryptoProvider;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;
use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

/// The certificate and key files, as given.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// `--tls-cert`: the chain, leaf first.
    pub cert: PathBuf,
    /// `--tls-key`: the leaf's private key.
    pub key: PathBuf,
}

/// The certificate being served, swappable.
#[derive(Debug)]
struct Current(RwLock<Arc<CertifiedKey>>);

impl ResolvesServerCert for Current {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(
            self.0
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
        )
    }
}

/// The agent's TLS side: the acceptor for connections and the files to reload.
#[derive(Debug, Clone)]
pub struct Tls {
    files: TlsFiles,
    provider: Arc<CryptoProvider>,
    current: Arc<Current>,
    config: Arc<ServerConfig>,
}

impl Tls {
    /// Loads the pair; the error names the flag and the file at fault.
    pub fn load(files: TlsFiles) -> Result<Self, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let certified = read_pair(&files, &provider)?;
        let current = Arc::new(Current(RwLock::new(certified)));
        let mut config = ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("error: --tls-cert: cannot set up TLS: {e}"))?
            .with_no_client_auth()
            .with_cert_resolver(current.clone());
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            files,
            provider,
            current,
            config: Arc::new(config),
        })
    }

    /// Reads the files again and serves the new pair from the next handshake on; on a problem
    /// the running certificate stays and the error (naming flag and file) is returned.
    pub fn reload(&self) -> Result<(), String> {
        let certified = read_pair(&self.files, &self.provider)?;
        *self
            .current
            .0
            .write()
            .unwrap_or_else(PoisonError::into_inner) = certified;
        Ok(())
    }

    /// The files, for logging.
    pub fn files(&self) -> &TlsFiles {
        &self.files
    }

    /// The leaf certificate being served.
    #[cfg(test)]
    fn serving(&self) -> CertificateDer<'static> {
        self.current
            .0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .cert[0]
            .clone()
    }

    /// Accepts TLS connections.
    pub fn acceptor(&self) -> TlsAcceptor {
        TlsAcceptor::from(self.config.clone())
    }
}

/// Reads and checks the chain and its key.
fn read_pair(files: &TlsFiles, provider: &CryptoProvider) -> Result<Arc<CertifiedKey>, String> {
    let cert_error = |why: &str| format!("error: --tls-cert {}: {why}", files.cert.display());
    let key_error = |why: &str| format!("error: --tls-key {}: {why}", files.key.display());
    let chain = CertificateDer::pem_file_iter(&files.cert)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|e| cert_error(&pem_words(e, "certificate")))?;
    if chain.is_empty() {
        return Err(cert_error(
            "no PEM certificate (BEGIN CERTIFICATE) in the file",
        ));
    }
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .map_err(|e| key_error(&pem_words(e, "private key")))?;
    let signing = provider
        .key_provider
        .load_private_key(key)
        .map_err(|e| key_error(&format!("not a usable private key: {e}")))?;
    let certified = CertifiedKey::new(chain, signing);
    certified.keys_match().map_err(|_| {
        format!(
            "error: --tls-key {} is not the key of the certificate in --tls-cert {}",
            files.key.display(),
            files.cert.display()
        )
    })?;
    Ok(Arc::new(certified))
}

fn pem_words(error: pem::Error, what: &str) -> String {
    match error {
        pem::Error::Io(io) => io_words(&io),
        pem::Error::NoItemsFound => format!("no PEM {what} in the file"),
        other => format!("not a PEM {what}: {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use ehlowatch_testkit::{ServerCert, TestPki, Validity};

    use super::{Tls, TlsFiles};

    fn files(dir: &std::path::Path, cert: &str, key: &str) -> TlsFiles {
        std::fs::write(dir.join("cert.pem"), cert).expect("write cert");
        std::fs::write(dir.join("key.pem"), key).expect("write key");
        TlsFiles {
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        }
    }

    #[test]
    fn a_matching_pair_loads_and_reloads() {
        let pki = TestPki::new();
        let cert = pki.server_cert(&["127.0.0.1"], Validity::FRESH);
        let dir = tempfile::tempdir().expect("a directory");
        let tls = Tls::load(files(dir.path(), &cert.chain_pem, &cert.key_pem)).expect("loads");
        let renewed = pki.server_cert(&["127.0.0.1"], Validity::FRESH);
        files(dir.path(), &renewed.chain_pem, &renewed.key_pem);
        tls.reload().expect("reloads");
        assert_eq!(tls.serving(), renewed.chain[0]);
    }

    #[test]
    fn bad_files_are_refused_naming_the_flag_and_the_file() {
        let pki = TestPki::new();
        let cert = pki.server_cert(&["127.0.0.1"], Validity::FRESH);
        let other = ServerCert::self_signed(&["127.0.0.1"]);
        let dir = tempfile::tempdir().expect("a directory");
        let cases = [
            ("garbage", cert.key_pem.as_str(), "--tls-cert"),
            (cert.chain_pem.as_str(), "garbage", "--tls-key"),
            (
                cert.chain_pem.as_str(),
                other.key_pem.as_str(),
                "is not the key",
            ),
        ];
        for (cert_pem, key_pem, expected) in cases {
            let files = files(dir.path(), cert_pem, key_pem);
            let error = Tls::load(files).expect_err("refused");
            assert!(error.contains(expected), "{error}");
            assert!(error.contains(&dir.path().display().to_string()), "{error}");
        }
        let missing = TlsFiles {
            cert: dir.path().join("missing.pem"),
            key: dir.path().join("key.pem"),
        };
        let error = Tls::load(missing).expect_err("refused");
        assert!(
            error.starts_with("error: --tls-cert ") && error.contains("missing.pem"),
            "{error}"
        );
    }

    #[test]
    fn a_bad_reload_keeps_the_running_certificate() {
        let pki = TestPki::new();
        let cert = pki.server_cert(&["127.0.0.1"], Validity::FRESH);
        let dir = tempfile::tempdir().expect("a directory");
        let tls = Tls::load(files(dir.path(), &cert.chain_pem, &cert.key_pem)).expect("loads");
        std::fs::write(dir.path().join("cert.pem"), "half written").expect("write");
        let error = tls.reload().expect_err("refused");
        assert!(error.contains("--tls-cert"), "{error}");
        assert_eq!(tls.serving(), cert.chain[0]);
    }
}
