//! A bare HTTP/1.0 GET over a tokio `TcpStream` (the agent and Prometheus listen on loopback;
//! no HTTP client crate needed): status, headers and body, bounded in time.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One answer.
#[derive(Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Header lines as `(lowercase name, value)`.
    pub headers: Vec<(String, String)>,
    /// The body as text.
    pub body: String,
}

impl Response {
    /// The first header of this (lowercase) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// How long one request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// `GET path` with extra header lines (`"Accept: …"`); `Err` when nothing answers (connection
/// refused, timeout) or the answer is not HTTP.
pub async fn get(addr: SocketAddr, path: &str, headers: &[&str]) -> Result<Response, String> {
    tokio::time::timeout(REQUEST_TIMEOUT, exchange(addr, path, headers))
        .await
        .map_err(|_| format!("GET {path} on {addr}: no answer in {REQUEST_TIMEOUT:?}"))?
}

/// Connects to `addr` and sends `GET path` with extra header lines; the stream is left to read
/// the answer from.
pub async fn send_get(addr: SocketAddr, path: &str, headers: &[&str]) -> Result<TcpStream, String> {
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    let mut request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n");
    for header in headers {
        request.push_str(header);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("send to {addr}: {e}"))?;
    Ok(stream)
}

async fn exchange(addr: SocketAddr, path: &str, headers: &[&str]) -> Result<Response, String> {
    let mut stream = send_get(addr, path, headers).await?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .await
        .map_err(|e| format!("read from {addr}: {e}"))?;
    parse(&String::from_utf8_lossy(&raw))
}

/// Splits a raw HTTP/1 answer into status, headers and body.
pub fn parse(raw: &str) -> Result<Response, String> {
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("no end of headers in {raw:?}"))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("not an HTTP status line: {status_line:?}"))?;
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    Ok(Response {
        status,
        headers,
        body: body.to_owned(),
    })
}
