//! Requests with any method, over plain TCP or over TLS trusting a test CA (tokio-rustls, as
//! the agent uses): the answer, and over TLS the certificate the agent presented.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::http::{parse, Response};

/// A TLS client trusting only the CA in `ca_file`, never resuming a session.
pub fn client_trusting(ca_file: &Path) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca_file).expect("read the CA file") {
        roots
            .add(cert.expect("a CA certificate"))
            .expect("a usable CA");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    // Every handshake a full one: a resumed session shows the certificate of the session it
    // resumes, not the one the agent serves now.
    config.resumption = rustls::client::Resumption::disabled();
    Arc::new(config)
}

/// How long one request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// `METHOD path` with extra header lines, over TLS when `tls` is given (the agent's address is
/// the name checked); also returns the leaf certificate the agent presented.
pub async fn request(
    addr: SocketAddr,
    tls: Option<&Arc<ClientConfig>>,
    method: &str,
    path: &str,
    headers: &[&str],
) -> Result<(Response, Option<CertificateDer<'static>>), String> {
    request_with_body(addr, tls, method, path, headers, "").await
}

/// [`request`] with a body (sent with its `Content-Length`).
pub async fn request_with_body(
    addr: SocketAddr,
    tls: Option<&Arc<ClientConfig>>,
    method: &str,
    path: &str,
    headers: &[&str],
    body: &str,
) -> Result<(Response, Option<CertificateDer<'static>>), String> {
    let what = format!("{method} {path} on {addr}");
    tokio::time::timeout(REQUEST_TIMEOUT, async {
        let tcp = TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connect {addr}: {e}"))?;
        match tls {
            None => Ok((
                exchange(tcp, addr, (method, path), headers, body).await?,
                None,
            )),
            Some(config) => {
                let name = ServerName::IpAddress(addr.ip().into());
                let stream = TlsConnector::from(config.clone())
                    .connect(name, tcp)
                    .await
                    .map_err(|e| format!("TLS handshake with {addr}: {e}"))?;
                let leaf = stream
                    .get_ref()
                    .1
                    .peer_certificates()
                    .and_then(|chain| chain.first())
                    .map(|c| c.clone().into_owned());
                Ok((
                    exchange(stream, addr, (method, path), headers, body).await?,
                    leaf,
                ))
            }
        }
    })
    .await
    .map_err(|_| format!("{what}: no answer in {REQUEST_TIMEOUT:?}"))?
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    addr: SocketAddr,
    (method, path): (&str, &str),
    headers: &[&str],
    body: &str,
) -> Result<Response, String> {
    let mut request = format!(
        "{method} {path} HTTP/1.0\r\nHost: {addr}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for header in headers {
        request.push_str(header);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("send to {addr}: {e}"))?;
    let mut raw = Vec::new();
    match stream.read_to_end(&mut raw).await {
        Ok(_) => {}
        // A server that closes TCP without TLS's close_notify after a complete answer.
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !raw.is_empty() => {}
        Err(e) => return Err(format!("read from {addr}: {e}")),
    }
    parse(&String::from_utf8_lossy(&raw))
}
