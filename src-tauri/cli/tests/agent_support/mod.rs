//! The harness for the agent's end-to-end tests: the real `ehlowatch run` as a child process
//! (the testkit's [`Agent`], shared with the desktop app's tests), the fake SMTP servers it
//! probes, its configs, a real Prometheus and a raw SSE viewer.

#![allow(dead_code)] // each test file uses part of the harness

pub mod prometheus;
pub mod sse;

use std::fmt::Write as _;

pub use ehlowatch_testkit::agent::*;
use ehlowatch_testkit::{FakeSmtp, Script};

/// QoS of every monitor in these tests.
pub const QOS_MS: u64 = 200;
/// Probe interval of every monitor in these tests (the config requires it above 2×QoS).
pub const INTERVAL_S: u64 = 1;
/// How long the slow server waits before its 250: between QoS and 2×QoS, so a QoS Warning.
pub const SLOW_MS: u64 = 300;

/// The three servers the agent runs against, one for each verdict.
#[derive(Debug)]
pub struct Servers {
    /// Greeting, 250 at once: Success.
    pub healthy: FakeSmtp,
    /// Greeting, 250 after [`SLOW_MS`]: QoS Warning.
    pub slow: FakeSmtp,
    /// A 554 greeting: Failed.
    pub failing: FakeSmtp,
}

impl Servers {
    /// Starts them on free loopback ports.
    pub async fn start() -> Self {
        Self {
            healthy: FakeSmtp::start(Script::healthy()).await,
            slow: FakeSmtp::start(Script::slow_ehlo(SLOW_MS)).await,
            failing: FakeSmtp::start(
                Script::new()
                    .send("554 5.3.2 fake.test No SMTP service here\r\n")
                    .bye(),
            )
            .await,
        }
    }

    /// `healthy`, `slow` and `failing`, with their ports.
    pub fn monitors(&self) -> Vec<(&'static str, u16)> {
        vec![
            ("healthy", self.healthy.port()),
            ("slow", self.slow.port()),
            ("failing", self.failing.port()),
        ]
    }
}

/// An agent config: `[defaults]` with [`QOS_MS`], [`INTERVAL_S`] and a 1 s retry, and one
/// `[[monitor]]` on `127.0.0.1` per `(name, port)` (names as TOML literal strings).
pub fn config(monitors: &[(&str, u16)]) -> String {
    config_every(INTERVAL_S, monitors)
}

/// [`config`] with another probe interval.
pub fn config_every(interval_s: u64, monitors: &[(&str, u16)]) -> String {
    let mut text =
        format!("[defaults]\nqos_ms = {QOS_MS}\ninterval_s = {interval_s}\nretry_s = 1\n");
    for (name, port) in monitors {
        assert!(!name.contains('\''), "a literal string cannot hold '");
        let _ = write!(
            text,
            "\n[[monitor]]\nname = '{name}'\nhost = \"127.0.0.1\"\nport = {port}\n"
        );
    }
    text
}
