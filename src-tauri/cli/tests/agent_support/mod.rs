//! The harness for the agent's end-to-end tests: the real `ehlowatch run` as a child process
//! (so tests can signal it) in a temporary directory holding its config, history and log;
//! fake SMTP servers on loopback; and bounded waits that poll for an observable event (an
//! HTTP answer, a log line, an exit) instead of sleeping and hoping.

#![allow(dead_code)] // each test file uses part of the harness

pub mod exposition;
pub mod http;
pub mod https;
pub mod prometheus;
pub mod sse;

use std::fmt::Write as _;
use std::fs::File;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::Duration;

use ehlowatch_testkit::{FakeSmtp, Script};
use rustls::ClientConfig;
use serde_json::Value;
use tempfile::TempDir;
use tokio::time::Instant;

pub use self::http::Response;

/// QoS of every monitor in these tests.
pub const QOS_MS: u64 = 200;
/// Probe interval of every monitor in these tests (the config requires it above 2×QoS).
pub const INTERVAL_S: u64 = 1;
/// How long the slow server waits before its 250: between QoS and 2×QoS, so a QoS Warning.
pub const SLOW_MS: u64 = 300;
/// The longest any wait in these tests may take before it fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// Polls `attempt` every 20 ms until it returns `Ok`, at most `limit`; panics with the last
/// `Err` (what was seen instead) when time runs out.
pub async fn eventually<T, F, Fut>(what: &str, limit: Duration, mut attempt: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let deadline = Instant::now() + limit;
    loop {
        match attempt().await {
            Ok(value) => return value,
            Err(seen) if Instant::now() >= deadline => {
                panic!("{what}: not within {limit:?}; last seen: {seen}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

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

/// This build's `ehlowatch`.
pub fn agent_exe() -> PathBuf {
    assert_cmd::cargo::cargo_bin("ehlowatch")
}

/// The agent's command: this build's `ehlowatch`, or the binary `EHLOWATCH_AGENT_EXE` names,
/// run by `EHLOWATCH_AGENT_RUNNER` when that is set too — so `scripts/test` puts the Windows
/// build, under Wine, before the same real Prometheus.
pub fn agent_command() -> Command {
    let Some(exe) = std::env::var_os("EHLOWATCH_AGENT_EXE") else {
        return Command::new(agent_exe());
    };
    match std::env::var_os("EHLOWATCH_AGENT_RUNNER") {
        Some(runner) => {
            let mut command = Command::new(runner);
            command.arg(exe);
            command
        }
        None => Command::new(exe),
    }
}

/// A running `ehlowatch run`; killed on drop if still running.
#[derive(Debug)]
pub struct Agent {
    child: Child,
    dir: TempDir,
    addr: SocketAddr,
    /// The TLS client for an agent serving HTTPS.
    tls: Option<Arc<ClientConfig>>,
    /// When `/healthz` first answered: the engine is running by then.
    pub up_at: Instant,
}

impl Agent {
    /// Writes `config` to a fresh directory and runs `ehlowatch run --config agent.toml --db
    /// history.sqlite --listen 127.0.0.1:0`; returns once `/healthz` answers 200.
    pub async fn start(config: &str) -> Self {
        Self::start_with_files(config, &[]).await
    }

    /// Like [`Agent::start`], with `files` (name, bytes) written to its directory first.
    pub async fn start_with_files(config: &str, files: &[(&str, &[u8])]) -> Self {
        Self::start_via(config, files, agent_command(), |addr| addr).await
    }

    /// Like [`Agent::start_with_files`], run by `command` (this build's `ehlowatch` behind a
    /// prefix such as `ip netns exec NS`), its HTTP API reached at `reach(address it logged)`.
    pub async fn start_via(
        config: &str,
        files: &[(&str, &[u8])],
        command: Command,
        reach: impl FnOnce(SocketAddr) -> SocketAddr,
    ) -> Self {
        Self::launch(config, files, command, reach, &[], None).await
    }

    /// Like [`Agent::start_with_files`] with `args` added to the command line (paths relative
    /// to the agent's directory); with `tls`, every request goes over TLS with that client.
    pub async fn start_with_args(
        config: &str,
        files: &[(&str, &[u8])],
        args: &[&str],
        tls: Option<Arc<ClientConfig>>,
    ) -> Self {
        Self::launch(config, files, agent_command(), |addr| addr, args, tls).await
    }

    async fn launch(
        config: &str,
        files: &[(&str, &[u8])],
        command: Command,
        reach: impl FnOnce(SocketAddr) -> SocketAddr,
        args: &[&str],
        tls: Option<Arc<ClientConfig>>,
    ) -> Self {
        let mut command = command;
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::write(dir.path().join("agent.toml"), config).expect("write the config");
        for (name, bytes) in files {
            std::fs::write(dir.path().join(name), bytes).expect("write a file");
        }
        let log = File::create(dir.path().join("agent.log")).expect("create the log file");
        let child = command
            .args(["run", "--config", "agent.toml", "--db", "history.sqlite"])
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .current_dir(dir.path())
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start ehlowatch run");
        let mut agent = Self {
            child,
            dir,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            tls,
            up_at: Instant::now(),
        };
        agent.addr = reach(agent.listening_on().await);
        let running = &agent;
        let up_at = eventually("/healthz answers 200", PATIENCE, move || async move {
            match running.try_get("/healthz").await {
                Ok(r) if r.status == 200 => Ok(Instant::now()),
                Ok(r) => Err(format!("{r:?}")),
                Err(e) => Err(e),
            }
        })
        .await;
        agent.up_at = up_at;
        agent
    }

    /// The address from the "agent started" log line (`--listen 127.0.0.1:0` picks a free port
    /// with no race against other tests).
    async fn listening_on(&mut self) -> SocketAddr {
        let pattern = regex::Regex::new(r"agent started .*listen=(127\.0\.0\.1:\d+)")
            .expect("a valid pattern");
        let deadline = Instant::now() + PATIENCE;
        loop {
            let log = self.log();
            if let Some(found) = pattern.captures(&log) {
                return found[1].parse().expect("a socket address");
            }
            if let Some(status) = self.child.try_wait().expect("poll the agent") {
                panic!("the agent exited ({status}) before listening:\n{log}");
            }
            assert!(
                Instant::now() < deadline,
                "the agent did not log its address within {PATIENCE:?}:\n{log}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The OS process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The config file the agent reads (rewrite it, then [`Self::signal`] `HUP`).
    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("agent.toml")
    }

    /// The history database.
    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("history.sqlite")
    }

    /// Everything the agent wrote to stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("agent.log")).unwrap_or_default()
    }

    /// Sends a signal by name (`HUP`, `TERM`, `INT`) with kill(1).
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name} {} failed", self.pid());
    }

    /// True while the process has not exited.
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().expect("poll the agent").is_none()
    }

    /// Waits for the process to exit, at most `limit`; returns its status and how long it took.
    pub async fn wait_exit(&mut self, limit: Duration) -> (ExitStatus, Duration) {
        let start = Instant::now();
        let child = &mut self.child;
        let status = eventually("the agent exits", limit, || {
            let polled = child.try_wait().expect("poll the agent");
            async move { polled.ok_or_else(|| "still running".to_owned()) }
        })
        .await;
        (status, start.elapsed())
    }

    /// The agent's HTTP address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The agent's directory (its config, history, log and any files given at start).
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// `GET path`, or why it failed.
    pub async fn try_get(&self, path: &str) -> Result<Response, String> {
        match &self.tls {
            None => http::get(self.addr, path, &[]).await,
            Some(_) => self.try_request("GET", path, &[]).await,
        }
    }

    /// `METHOD path` with extra headers (over TLS for an agent serving HTTPS), or why it failed.
    pub async fn try_request(
        &self,
        method: &str,
        path: &str,
        headers: &[&str],
    ) -> Result<Response, String> {
        https::request(self.addr, self.tls.as_ref(), method, path, headers)
            .await
            .map(|(response, _)| response)
    }

    /// `METHOD path` with extra headers; panics when nothing answers.
    pub async fn request(&self, method: &str, path: &str, headers: &[&str]) -> Response {
        self.try_request(method, path, headers)
            .await
            .unwrap_or_else(|e| panic!("{e}\nagent log:\n{}", self.log()))
    }

    /// The leaf certificate the agent presents now (it must serve HTTPS).
    pub async fn certificate(&self) -> Result<rustls::pki_types::CertificateDer<'static>, String> {
        let (_, leaf) =
            https::request(self.addr, self.tls.as_ref(), "GET", "/healthz", &[]).await?;
        leaf.ok_or_else(|| "no certificate: the agent is not serving TLS".to_owned())
    }

    /// `GET path` with extra headers; panics when nothing answers.
    pub async fn get_with(&self, path: &str, headers: &[&str]) -> Response {
        match &self.tls {
            None => http::get(self.addr, path, headers)
                .await
                .unwrap_or_else(|e| panic!("{e}\nagent log:\n{}", self.log())),
            Some(_) => self.request("GET", path, headers).await,
        }
    }

    /// `GET path`; panics when nothing answers.
    pub async fn get(&self, path: &str) -> Response {
        self.get_with(path, &[]).await
    }

    /// `/api/status` as JSON.
    pub async fn status(&self) -> Value {
        let r = self.get("/api/status").await;
        assert_eq!(r.status, 200, "{r:?}");
        r.json()
    }

    /// Polls `/api/status` until `done` holds for its `monitors` array; returns that answer.
    pub async fn status_when(&self, what: &str, done: impl Fn(&[Value]) -> bool) -> Value {
        let done = &done;
        eventually(what, PATIENCE, move || async move {
            let status = self.status().await;
            let monitors = status["monitors"].as_array().cloned().unwrap_or_default();
            if done(&monitors) {
                Ok(status)
            } else {
                Err(status.to_string())
            }
        })
        .await
    }

    /// Waits until, in `/api/status`, the target of MX host `mx` of the monitor named
    /// "watched" is `status` with its `check` (`dane`, `mta_sts`) in `state`; returns the
    /// target.
    pub async fn mx_target_when(&self, mx: &str, status: &str, check: &str, state: &str) -> Value {
        eventually(
            &format!("{mx} {status}, {check} {state}"),
            PATIENCE,
            || async {
                let all = self.status().await;
                let watched = monitor(&all, "watched").clone();
                let found = watched["targets"]
                    .as_array()
                    .and_then(|ts| ts.iter().find(|t| t["mx"] == mx))
                    .cloned();
                match found {
                    Some(t) if t["status"] == status && t[check]["state"] == state => Ok(t),
                    _ => Err(format!("{watched}\nlog:\n{}", self.log())),
                }
            },
        )
        .await
    }

    /// The value of metric `name` with `labels` in `/metrics` now, `None` when it has no such
    /// sample; and the body, for messages.
    pub async fn sample(&self, name: &str, labels: &[(&str, &str)]) -> (Option<f64>, String) {
        let metrics = self.get("/metrics").await;
        let samples = exposition::samples(&metrics.body);
        (exposition::value(&samples, name, labels), metrics.body)
    }

    /// Fetches `/metrics` until the status gauges (below 3: judged) and probe counters of
    /// `names` are all there.
    pub async fn metrics_when_judged(&self, names: &[&str]) -> Response {
        eventually("every monitor in /metrics", PATIENCE, move || async move {
            let answer = self.get("/metrics").await;
            let all = exposition::samples(&answer.body);
            let complete = names.iter().all(|name| {
                exposition::value(&all, "ehlowatch_status", &[("monitor", name)])
                    .is_some_and(|v| v < 3.0)
                    && exposition::with_label(&all, "ehlowatch_probes_total", "monitor", name)
                        .next()
                        .is_some()
            });
            if complete {
                Ok(answer)
            } else {
                Err(answer.body)
            }
        })
        .await
    }

    /// Polls the log until it contains `needle`; returns the log.
    pub async fn log_when(&self, needle: &str) -> String {
        eventually(
            &format!("the log shows {needle:?}"),
            PATIENCE,
            move || async move {
                let log = self.log();
                if log.contains(needle) {
                    Ok(log)
                } else {
                    Err(log)
                }
            },
        )
        .await
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        if self.is_running() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The monitor named `name` in an `/api/status` answer.
pub fn monitor<'v>(status: &'v Value, name: &str) -> &'v Value {
    status["monitors"]
        .as_array()
        .and_then(|ms| ms.iter().find(|m| m["name"] == name))
        .unwrap_or_else(|| panic!("no monitor {name:?} in {status}"))
}

/// True when every monitor has been judged (none is still `unknown`).
pub fn all_judged(monitors: &[Value]) -> bool {
    !monitors.is_empty() && monitors.iter().all(|m| m["status"] != "unknown")
}
