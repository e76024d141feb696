//! Fetching a domain's policy (RFC 8461 §3.3): `https://mta-sts.<domain>/.well-known/mta-sts.txt`,
//! the host resolved through the monitor's own resolver (never the system's getaddrinfo), SNI
//! and certificate name the policy host, the certificate verified against the system's roots
//! plus `[mail_policy] mta_sts_ca_file`, the whole fetch under one deadline.

use std::net::SocketAddr;
use std::sync::Arc;

use rustls::ClientConfig;
use rustls_pki_types::ServerName;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::{timeout_at, Instant};
use tokio_rustls::TlsConnector;

use super::http::read_response;
use crate::domain::DnsResolver;
use crate::verdict::show;

/// The policy host of `domain`: `mta-sts.<domain>`.
pub(crate) fn policy_host(domain: &str) -> String {
    format!("mta-sts.{}", domain.trim_end_matches('.'))
}

/// The policy text of `domain`, fetched over HTTPS from port `port` (443 but in tests), or why
/// it could not be, in a sentence naming the problem.
pub(crate) async fn fetch_policy(
    resolver: &DnsResolver,
    tls: Arc<ClientConfig>,
    domain: &str,
    port: u16,
    deadline: Instant,
) -> Result<String, String> {
    let host = policy_host(domain);
    let started = Instant::now();
    let fetched = timeout_at(deadline, fetch(resolver, tls, &host, port)).await;
    match fetched {
        Ok(result) => result,
        Err(_) => Err(format!(
            "the policy host {host} did not answer within {}",
            show(deadline.saturating_duration_since(started))
        )),
    }
}

async fn fetch(
    resolver: &DnsResolver,
    tls: Arc<ClientConfig>,
    host: &str,
    port: u16,
) -> Result<String, String> {
    let found = resolver
        .addresses(host)
        .await
        .map_err(|e| format!("the policy host {host} does not resolve: {e}"))?;
    if found.addresses.is_empty() {
        return Err(format!("the policy host {host} has no address"));
    }
    let mut last = String::new();
    let mut stream = None;
    for ip in &found.addresses {
        match TcpStream::connect(SocketAddr::new(*ip, port)).await {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = format!("{ip}: {}", crate::io_words(&e)),
        }
    }
    let stream =
        stream.ok_or_else(|| format!("cannot connect to the policy host {host} ({last})"))?;
    let name = ServerName::try_from(host.to_owned())
        .map_err(|_| format!("{host} is not a valid TLS server name"))?;
    let mut tls = TlsConnector::from(tls)
        .connect(name, stream)
        .await
        .map_err(|e| format!("TLS with the policy host {host} failed: {}", tls_words(&e)))?;
    let request = format!(
        "GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: {host}\r\nUser-Agent: ehlowatch\r\n\
         Accept: text/plain\r\nConnection: close\r\n\r\n"
    );
    tls.write_all(request.as_bytes())
        .await
        .map_err(|e| format!("sending to the policy host {host}: {}", crate::io_words(&e)))?;
    let body = read_response(&mut tls)
        .await
        .map_err(|e| format!("{e} (policy host {host})"))?;
    String::from_utf8(body).map_err(|_| format!("the policy from {host} is not UTF-8 text"))
}

/// A TLS error as people say it: the certificate problem when rustls names one.
fn tls_words(e: &std::io::Error) -> String {
    let inner = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match inner {
        Some(rustls::Error::InvalidCertificate(cert)) => super::sender::certificate_words(cert),
        _ => e.to_string(),
    }
}
