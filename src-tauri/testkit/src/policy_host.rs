//! A fake MTA-STS policy host (RFC 8461 §3.3): HTTPS on a chosen address, answering
//! `GET /.well-known/mta-sts.txt` with a policy file read afresh for every request (so a test
//! can change the policy while it runs), or misbehaving as a [`PolicyMode`] says.

use std::path::PathBuf;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// How the policy host answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyMode {
    /// 200 with the policy file.
    Good,
    /// 200 with a body past 64 KiB (the policy then padding comments).
    Oversized,
    /// Accepts the request and never answers.
    Slow,
    /// 301 to another URL.
    Redirect,
}

impl PolicyMode {
    /// The mode named `name`: `good`, `oversized`, `slow`, `redirect`.
    pub fn by_name(name: &str) -> Option<Self> {
        match name {
            "good" => Some(Self::Good),
            "oversized" => Some(Self::Oversized),
            "slow" => Some(Self::Slow),
            "redirect" => Some(Self::Redirect),
            _ => None,
        }
    }
}

/// Serves `mode` on `listener` over TLS with `acceptor` until the task is dropped; the policy
/// comes from `policy`.
pub async fn serve_policy(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    mode: PolicyMode,
    policy: PathBuf,
) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let acceptor = acceptor.clone();
        let policy = policy.clone();
        tokio::spawn(async move {
            let Ok(mut tls) = acceptor.accept(stream).await else {
                return;
            };
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
                match tls.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let wanted = request.starts_with(b"GET /.well-known/mta-sts.txt ");
            let response = match mode {
                _ if !wanted => {
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_vec()
                }
                PolicyMode::Slow => {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    return;
                }
                PolicyMode::Redirect => b"HTTP/1.1 301 Moved Permanently\r\nLocation: https://elsewhere.invalid/.well-known/mta-sts.txt\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
                PolicyMode::Good | PolicyMode::Oversized => {
                    let mut body = std::fs::read(&policy).unwrap_or_default();
                    if mode == PolicyMode::Oversized {
                        while body.len() <= 70 * 1024 {
                            body.extend_from_slice(b"# padding past the 64 KiB a policy may have\n");
                        }
                    }
                    let mut r = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    r.extend_from_slice(&body);
                    r
                }
            };
            let _ = tls.write_all(&response).await;
            let _ = tls.shutdown().await;
        });
    }
}
