//! How the agent serves its API: plain HTTP or HTTPS, with or without tokens, and the start-up
//! refusals — an address beyond loopback (`0.0.0.0`, `::` or any other) is refused without a
//! token, and without TLS unless plain HTTP is explicitly allowed. Loopback needs neither.
//!
//! HTTPS uses tokio-rustls under axum's own server: [`TlsListener`] accepts TCP, runs each TLS
//! handshake as a task of its own (bounded in number and in time, so a slow client cannot hold
//! up the others) and hands finished streams to axum, which serves them and shuts down
//! gracefully as it does for plain TCP.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

use super::auth::Auth;
use super::tls::{Tls, TlsFiles};
use super::tokens::Token;
use crate::args::RunArgs;

/// The server's settings, checked: the tokens read, the certificate loaded, the address allowed.
#[derive(Debug)]
pub struct Server {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The certificate, when serving HTTPS.
    pub tls: Option<Tls>,
    /// Who may do what.
    pub auth: Auth,
}

impl Server {
    /// Reads the token files and the certificate and checks the address; the error (exit 3)
    /// names the flag and the file or address at fault.
    pub fn from_args(args: &RunArgs) -> Result<Self, String> {
        let read_token = |flag: &str, path: &Option<std::path::PathBuf>| {
            path.as_deref().map(|p| Token::read(flag, p)).transpose()
        };
        let read = read_token("--token-file", &args.token_file)?;
        let control = read_token("--control-token-file", &args.control_token_file)?;
        if let (Some(read), Some(control), Some(path)) = (&read, &control, &args.control_token_file)
        {
            if read == control {
                return Err(format!(
                    "error: --control-token-file {}: the control token is the read-only token of --token-file; give it a token of its own",
                    path.display()
                ));
            }
        }
        let tls = match (&args.tls_cert, &args.tls_key) {
            (Some(cert), Some(key)) => Some(Tls::load(TlsFiles {
                cert: cert.clone(),
                key: key.clone(),
            })?),
            _ => None,
        };
        exposure(
            args.listen,
            read.is_some(),
            tls.is_some(),
            args.allow_plain_http,
        )?;
        Ok(Self {
            listen: args.listen,
            tls,
            auth: Auth {
                read,
                control,
                metrics_need_token: args.metrics_auth,
            },
        })
    }
}

/// Refuses to serve beyond loopback without a token, or without TLS unless `allow_plain`.
pub fn exposure(
    listen: SocketAddr,
    token: bool,
    tls: bool,
    allow_plain: bool,
) -> Result<(), String> {
    if listen.ip().to_canonical().is_loopback() {
        return Ok(());
    }
    if !token {
        return Err(format!(
            "error: --listen {listen} exposes the API beyond this machine: give --token-file"
        ));
    }
    if !tls && !allow_plain {
        return Err(format!(
            "error: --listen {listen} exposes the API beyond this machine without TLS: give --tls-cert and --tls-key, or --allow-plain-http (behind a TLS-terminating proxy)"
        ));
    }
    Ok(())
}

/// Serves `app` on `listener` (over TLS with `tls`) until `stop`, then finishes the requests
/// in flight.
pub async fn serve(
    listener: TcpListener,
    tls: Option<&Tls>,
    app: Router,
    stop: CancellationToken,
) -> io::Result<()> {
    match tls {
        None => {
            axum::serve(listener, app)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await
        }
        Some(tls) => {
            axum::serve(TlsListener::new(listener, tls.acceptor()), app)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await
        }
    }
}

/// Handshakes in progress at most; connections beyond are closed at once.
const MAX_HANDSHAKES: usize = 64;
/// How long one handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A TCP listener that yields TLS streams whose handshake has finished.
pub struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    /// Owned here: dropping the listener (at shutdown) aborts them.
    handshakes: JoinSet<Option<(TlsStream<TcpStream>, SocketAddr)>>,
}

impl std::fmt::Debug for TlsListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsListener")
            .field("tcp", &self.tcp)
            .field("handshakes", &self.handshakes.len())
            .finish_non_exhaustive()
    }
}

impl TlsListener {
    /// Wraps `tcp`.
    pub fn new(tcp: TcpListener, acceptor: TlsAcceptor) -> Self {
        Self {
            tcp,
            acceptor,
            handshakes: JoinSet::new(),
        }
    }

    fn start_handshake(&mut self, stream: TcpStream, peer: SocketAddr) {
        if self.handshakes.len() >= MAX_HANDSHAKES {
            tracing::warn!(%peer, "too many TLS handshakes in progress; connection closed");
            return;
        }
        let acceptor = self.acceptor.clone();
        self.handshakes.spawn(async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => Some((tls, peer)),
                Ok(Err(e)) => {
                    tracing::debug!(%peer, error = %e, "TLS handshake failed");
                    None
                }
                Err(_) => {
                    tracing::debug!(%peer, "TLS handshake timed out");
                    None
                }
            }
        });
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            tokio::select! {
                Some(done) = self.handshakes.join_next(), if !self.handshakes.is_empty() => {
                    if let Ok(Some(ready)) = done {
                        return ready;
                    }
                }
                accepted = self.tcp.accept() => match accepted {
                    Ok((stream, peer)) => self.start_handshake(stream, peer),
                    Err(e) => {
                        // Out of file descriptors and the like: wait before trying again
                        // rather than spin.
                        tracing::warn!(error = %e, "cannot accept a connection");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                },
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

#[cfg(test)]
mod tests {
    use super::exposure;

    #[test]
    fn loopback_needs_neither_token_nor_tls() {
        for listen in [
            "127.0.0.1:9925",
            "[::1]:9925",
            "127.0.0.2:0",
            "[::ffff:127.0.0.1]:1",
        ] {
            let listen = listen.parse().expect("an address");
            assert_eq!(exposure(listen, false, false, false), Ok(()), "{listen}");
        }
    }

    #[test]
    fn beyond_loopback_needs_a_token_then_tls_or_an_explicit_plain_http() {
        for listen in ["0.0.0.0:9925", "[::]:9925", "192.0.2.1:9925"] {
            let listen = listen.parse().expect("an address");
            let no_token = exposure(listen, false, true, true).expect_err("refused");
            assert!(
                no_token.contains(&format!(
                    "--listen {listen} exposes the API beyond this machine: give --token-file"
                )),
                "{no_token}"
            );
            let no_tls = exposure(listen, true, false, false).expect_err("refused");
            assert!(no_tls.contains("--allow-plain-http"), "{no_tls}");
            assert_eq!(exposure(listen, true, true, false), Ok(()));
            assert_eq!(exposure(listen, true, false, true), Ok(()));
        }
    }
}
