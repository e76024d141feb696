//! A real agent (`ehlowatch run`) as a child process for tests: in a temporary directory holding
//! its config, history, log and any files it needs (TLS certificate and key, token files); on
//! loopback (`--listen 127.0.0.1:0`, the port read from its log); with bounded waits that poll
//! for an observable event (an HTTP answer, a log line, an exit) instead of sleeping and hoping.
//! [`Agent::start_secured`] is the usual production shape: HTTPS with a certificate from a
//! [`TestPki`] and a read-only and a control token. [`Agent::restart`] runs it again with the
//! same history. The binary is this build's `ehlowatch` (build it first with
//! `cargo build -p ehlowatch --bin ehlowatch`), or the one `EHLOWATCH_AGENT_EXE` names.

pub mod exposition;
pub mod http;
pub mod https;

use std::ffi::OsString;
use std::fs::File;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::Duration;

use rustls::ClientConfig;
use serde_json::Value;
use tempfile::TempDir;
use tokio::time::Instant;

pub use self::http::Response;
use crate::{TestPki, Validity};

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

/// This build's `ehlowatch`: beside the test binary's directory (`target/debug/deps/..`), where
/// cargo puts the binaries of the workspace.
pub fn agent_exe() -> PathBuf {
    let name = format!("ehlowatch{}", std::env::consts::EXE_SUFFIX);
    let exe = std::env::current_exe().expect("the test binary's path");
    let dir = exe
        .parent()
        .and_then(|deps| {
            if deps.ends_with("deps") {
                deps.parent()
            } else {
                Some(deps)
            }
        })
        .expect("the test binary's directory");
    let found = dir.join(name);
    assert!(
        found.exists(),
        "{} is missing: build it first with `cargo build -p ehlowatch --bin ehlowatch`",
        found.display()
    );
    found
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
    /// The process; `None` before the first launch.
    child: Option<Child>,
    dir: TempDir,
    addr: SocketAddr,
    /// The command line before `run`'s arguments (a runner and the binary, or the binary).
    program: Vec<OsString>,
    /// The arguments given at start after `--listen`.
    args: Vec<String>,
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
        let mut agent = Self::prepare(config, files, &command, &[], None);
        agent.launch(command, "127.0.0.1:0", reach).await;
        agent
    }

    /// Like [`Agent::start_with_files`] with `args` added to the command line (paths relative
    /// to the agent's directory); with `tls`, every request goes over TLS with that client.
    pub async fn start_with_args(
        config: &str,
        files: &[(&str, &[u8])],
        args: &[&str],
        tls: Option<Arc<ClientConfig>>,
    ) -> Self {
        let command = agent_command();
        let mut agent = Self::prepare(config, files, &command, args, tls);
        agent.launch(command, "127.0.0.1:0", |addr| addr).await;
        agent
    }

    /// An agent on loopback serving HTTPS with a certificate for `127.0.0.1` from `pki`, the
    /// read-only token `read` and the control token `control` (their files end in a newline,
    /// as editors write them), and `extra` arguments. Requests of this harness trust `pki`'s CA
    /// and send no token: give one as a header ([`bearer`]).
    pub async fn start_secured(
        config: &str,
        pki: &TestPki,
        read: &str,
        control: &str,
        extra: &[&str],
    ) -> Self {
        let cert = pki.server_cert(&["127.0.0.1"], Validity::FRESH);
        let read = format!("{read}\n");
        let control = format!("{control}\n");
        let files: [(&str, &[u8]); 4] = [
            ("cert.pem", cert.chain_pem.as_bytes()),
            ("key.pem", cert.key_pem.as_bytes()),
            ("read.token", read.as_bytes()),
            ("control.token", control.as_bytes()),
        ];
        let mut args = vec![
            "--tls-cert",
            "cert.pem",
            "--tls-key",
            "key.pem",
            "--token-file",
            "read.token",
            "--control-token-file",
            "control.token",
        ];
        args.extend_from_slice(extra);
        let client = https::client_trusting(&pki.ca_file());
        Self::start_with_args(config, files.as_slice(), &args, Some(client)).await
    }

    /// The agent's directory with its config and `files`, not started yet.
    fn prepare(
        config: &str,
        files: &[(&str, &[u8])],
        command: &Command,
        args: &[&str],
        tls: Option<Arc<ClientConfig>>,
    ) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::write(dir.path().join("agent.toml"), config).expect("write the config");
        for (name, bytes) in files {
            std::fs::write(dir.path().join(name), bytes).expect("write a file");
        }
        let mut program = vec![command.get_program().to_owned()];
        program.extend(command.get_args().map(ToOwned::to_owned));
        Self {
            child: None,
            dir,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            program,
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            tls,
            up_at: Instant::now(),
        }
    }

    /// Runs `command` (the program of [`Self::prepare`]) with `run`'s arguments listening on
    /// `listen`; returns once `/healthz` answers 200.
    async fn launch(
        &mut self,
        mut command: Command,
        listen: &str,
        reach: impl FnOnce(SocketAddr) -> SocketAddr,
    ) {
        let log = File::create(self.dir.path().join("agent.log")).expect("create the log file");
        let child = command
            .args(["run", "--config", "agent.toml", "--db", "history.sqlite"])
            .args(["--listen", listen])
            .args(&self.args)
            .current_dir(self.dir.path())
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start ehlowatch run");
        self.child = Some(child);
        self.addr = reach(self.listening_on().await);
        let running = &*self;
        let up_at = eventually("/healthz answers 200", PATIENCE, move || async move {
            match running.try_get("/healthz").await {
                Ok(r) if r.status == 200 => Ok(Instant::now()),
                Ok(r) => Err(format!("{r:?}")),
                Err(e) => Err(e),
            }
        })
        .await;
        self.up_at = up_at;
    }

    /// Kills the process (no clean shutdown: as a crash or a power cut) and waits for it.
    pub fn kill(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the agent again, after it exited, on the same directory: the same config, history
    /// file and arguments, on a fresh port (the last run's log is kept as `agent.log.N`).
    pub async fn restart(&mut self) {
        self.restart_via(agent_command(), |addr| addr).await;
    }

    /// Like [`Agent::restart`], run by `command` (this build's `ehlowatch` behind a prefix such
    /// as `ip netns exec NS`), its HTTP API reached at `reach(address it logged)`.
    pub async fn restart_via(
        &mut self,
        command: Command,
        reach: impl FnOnce(SocketAddr) -> SocketAddr,
    ) {
        assert!(!self.is_running(), "restart: the agent is still running");
        self.keep_log();
        self.launch(command, "127.0.0.1:0", reach).await;
    }

    /// Like [`Agent::restart`], on the port it listened on before: what a client that keeps
    /// the agent's URL sees of an agent restarted.
    pub async fn restart_on_same_port(&mut self) {
        assert!(!self.is_running(), "restart: the agent is still running");
        self.keep_log();
        let mut command = Command::new(&self.program[0]);
        command.args(&self.program[1..]);
        let addr = self.addr;
        self.launch(command, &addr.to_string(), |_| addr).await;
    }

    /// Renames the log to the first free `agent.log.N`.
    fn keep_log(&self) {
        let log = self.dir.path().join("agent.log");
        let mut n = 1;
        while log.with_extension(format!("log.{n}")).exists() {
            n += 1;
        }
        std::fs::rename(&log, log.with_extension(format!("log.{n}"))).expect("keep the old log");
    }

    /// The address from the "agent started" log line (`--listen 127.0.0.1:0` picks a free port
    /// with no race against other tests).
    async fn listening_on(&mut self) -> SocketAddr {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let log = self.log();
            if let Some(found) = logged_address(&log) {
                return found;
            }
            if let Some(status) = self.child_mut().try_wait().expect("poll the agent") {
                panic!("the agent exited ({status}) before listening:\n{log}");
            }
            assert!(
                Instant::now() < deadline,
                "the agent did not log its address within {PATIENCE:?}:\n{log}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn child_mut(&mut self) -> &mut Child {
        self.child.as_mut().expect("the agent was started")
    }

    /// `METHOD path` with extra headers and a body (over TLS for an agent serving HTTPS);
    /// panics when nothing answers.
    pub async fn request_with_body(
        &self,
        method: &str,
        path: &str,
        headers: &[&str],
        body: &str,
    ) -> Response {
        https::request_with_body(self.addr, self.tls.as_ref(), method, path, headers, body)
            .await
            .map_or_else(
                |e| panic!("{e}\nagent log:\n{}", self.log()),
                |(response, _)| response,
            )
    }

    /// The OS process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("the agent was started").id()
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
        self.child_mut()
            .try_wait()
            .expect("poll the agent")
            .is_none()
    }

    /// Waits for the process to exit, at most `limit`; returns its status and how long it took.
    pub async fn wait_exit(&mut self, limit: Duration) -> (ExitStatus, Duration) {
        let start = Instant::now();
        let child = self.child_mut();
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
            when_monitors(self.status().await, done)
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
        self.kill();
    }
}

/// The address in the log's "agent started … listen=127.0.0.1:PORT" line.
fn logged_address(log: &str) -> Option<SocketAddr> {
    log.lines()
        .filter(|line| line.contains("agent started"))
        .find_map(|line| {
            let (_, after) = line.split_once("listen=127.0.0.1:")?;
            let port: String = after.chars().take_while(char::is_ascii_digit).collect();
            format!("127.0.0.1:{port}").parse().ok()
        })
}

/// The `Authorization` header line of a bearer `token`.
pub fn bearer(token: &str) -> String {
    format!("Authorization: Bearer {token}")
}

/// The monitor named `name` in an `/api/status` answer.
pub fn monitor<'v>(status: &'v Value, name: &str) -> &'v Value {
    status["monitors"]
        .as_array()
        .and_then(|ms| ms.iter().find(|m| m["name"] == name))
        .unwrap_or_else(|| panic!("no monitor {name:?} in {status}"))
}

/// An `/api/status` answer when `done` holds for its `monitors` array; else its text, as what
/// was seen.
pub fn when_monitors(status: Value, done: impl Fn(&[Value]) -> bool) -> Result<Value, String> {
    let monitors = status["monitors"].as_array().cloned().unwrap_or_default();
    if done(&monitors) {
        Ok(status)
    } else {
        Err(status.to_string())
    }
}

/// True when every monitor has been judged (none is still `unknown`).
pub fn all_judged(monitors: &[Value]) -> bool {
    !monitors.is_empty() && monitors.iter().all(|m| m["status"] != "unknown")
}
