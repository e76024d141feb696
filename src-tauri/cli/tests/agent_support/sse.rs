//! A viewer of the agent's event stream (`/api/events`, Server-Sent Events) over a bare
//! HTTP/1.0 `TcpStream` — the body is the stream itself, ended by the connection — and
//! [`Agent::restart`], to run the agent again on the same directory and history.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::time::Instant;

use super::{http, PATIENCE};

/// One event of the stream.
#[derive(Debug, Clone, PartialEq)]
pub struct SseEvent {
    /// Its `event:` name.
    pub event: String,
    /// Its `id:`, when it has one.
    pub id: Option<i64>,
    /// Its `data:` as JSON.
    pub data: Value,
}

/// A connected viewer; dropping it cuts the connection.
#[derive(Debug)]
pub struct Viewer {
    stream: TcpStream,
    buffer: String,
}

impl Viewer {
    /// `GET path` with extra header lines; panics unless the answer is a 200 event stream.
    pub async fn connect(addr: SocketAddr, path: &str, headers: &[&str]) -> Self {
        let (status, head, viewer) = Self::open(addr, path, headers).await;
        assert_eq!(status, 200, "GET {path}: {head}");
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: text/event-stream"),
            "GET {path}: not an event stream: {head}"
        );
        viewer
    }

    /// `GET path`: the status, the head, and the viewer reading the body.
    pub async fn open(addr: SocketAddr, path: &str, headers: &[&str]) -> (u16, String, Self) {
        let stream = http::send_get(addr, path, headers)
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let mut viewer = Self {
            stream,
            buffer: String::new(),
        };
        let deadline = Instant::now() + PATIENCE;
        let head = loop {
            if let Some(end) = viewer.buffer.find("\r\n\r\n") {
                let head: String = viewer.buffer.drain(..end + 4).collect();
                break head.trim_end().to_owned();
            }
            assert!(
                viewer.read_more(deadline).await,
                "no answer head: {:?}",
                viewer.buffer
            );
        };
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP answer: {head}"));
        (status, head, viewer)
    }

    /// Reads more of the body; false at its end or at `deadline`.
    async fn read_more(&mut self, deadline: Instant) -> bool {
        let mut chunk = [0_u8; 8192];
        match tokio::time::timeout_at(deadline, self.stream.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => {
                self.buffer.push_str(&String::from_utf8_lossy(&chunk[..n]));
                true
            }
            _ => false,
        }
    }

    /// The rest of the body until the agent ends it; panics when it has not within [`PATIENCE`].
    pub async fn body(mut self) -> String {
        let deadline = Instant::now() + PATIENCE;
        let mut chunk = [0_u8; 8192];
        loop {
            let read = tokio::time::timeout_at(deadline, self.stream.read(&mut chunk))
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "the body did not end within {PATIENCE:?}: {:?}",
                        self.buffer
                    )
                });
            match read {
                Ok(0) | Err(_) => return self.buffer,
                Ok(n) => self.buffer.push_str(&String::from_utf8_lossy(&chunk[..n])),
            }
        }
    }

    /// The next event (comments skipped), or `None` when the stream ended or `limit` passed.
    pub async fn next_within(&mut self, limit: Duration) -> Option<SseEvent> {
        let deadline = Instant::now() + limit;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                if let Some(event) = parse(&block) {
                    return Some(event);
                }
            }
            if !self.read_more(deadline).await {
                return None;
            }
        }
    }

    /// The next event; panics when none comes within [`PATIENCE`].
    pub async fn next(&mut self) -> SseEvent {
        self.next_within(PATIENCE)
            .await
            .unwrap_or_else(|| panic!("no event within {PATIENCE:?}; buffered: {:?}", self.buffer))
    }

    /// Events until `done` holds for the last one; returns them all.
    pub async fn until(&mut self, what: &str, done: impl Fn(&SseEvent) -> bool) -> Vec<SseEvent> {
        let mut seen = Vec::new();
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Some(event) = self.next_within(left).await else {
                panic!("{what}: not within {PATIENCE:?}; seen: {seen:#?}");
            };
            let last = done(&event);
            seen.push(event);
            if last {
                return seen;
            }
        }
    }
}

/// An event from its lines; `None` for a block of comments only.
fn parse(block: &str) -> Option<SseEvent> {
    let mut event = None;
    let mut id = None;
    let mut data = Vec::new();
    for line in block.lines() {
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => event = Some(value.to_owned()),
            "id" => id = Some(value.parse().expect("a numeric id")),
            "data" => data.push(value),
            _ => {}
        }
    }
    let data = data.join("\n");
    Some(SseEvent {
        event: event?,
        id,
        data: serde_json::from_str(&data).unwrap_or_else(|e| panic!("data not JSON ({e}): {data}")),
    })
}
