//! The processes under test: the app binary (this package's, built by cargo for the test), the
//! fake SMTP server (`fake-smtp` of `ehlowatch-testkit`, found next to the app binary — build it
//! first with `cargo build -p ehlowatch-testkit --bin fake-smtp`), a data directory with a
//! provisioned `settings.json`, and finding the app's process by its `--data-dir` argument when
//! `WebKitWebDriver` started it; and the loopback addresses the fake server takes or leaves
//! closed.

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};

use super::session::Session;
use super::{Artifacts, Proc};

/// The name of the monitor the journeys watch, and so the toasts' subject.
pub const MONITOR: &str = "local";

/// The app binary cargo built for this test.
pub fn app_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ehlowatch-app"))
}

/// `fake-smtp`, from `$EHLOWATCH_FAKE_SMTP` or next to the app binary; panics with the command
/// that builds it when it is missing.
pub fn fake_smtp_binary() -> PathBuf {
    let path = std::env::var_os("EHLOWATCH_FAKE_SMTP")
        .map_or_else(|| app_binary().with_file_name("fake-smtp"), PathBuf::from);
    assert!(
        path.is_file(),
        "{} is missing: build it first with `cargo build -p ehlowatch-testkit --bin fake-smtp` \
         (same CARGO_TARGET_DIR), or point EHLOWATCH_FAKE_SMTP at it",
        path.display()
    );
    path
}

/// `127.0.0.1:port`.
pub fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

/// A loopback address nothing listens on (bound, then released).
pub fn closed_port() -> SocketAddr {
    TcpListener::bind(loopback(0))
        .and_then(|l| l.local_addr())
        .expect("a free port")
}

/// A running `fake-smtp --scenario healthy`.
#[derive(Debug)]
pub struct FakeSmtp {
    /// Where it listens.
    pub addr: SocketAddr,
    proc: Proc,
}

impl FakeSmtp {
    /// Starts the server on `addr` (port 0: any free port) and waits for its `listening on`.
    pub fn start(addr: SocketAddr, artifacts: &Artifacts, log: &str) -> Result<Self, String> {
        let mut command = std::process::Command::new(fake_smtp_binary());
        command
            .args(["--scenario", "healthy", "--listen", &addr.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(artifacts.log_file(log));
        let mut proc = Proc::spawn("fake-smtp", &mut command)?;
        let stdout = proc
            .child()
            .stdout
            .take()
            .ok_or("fake-smtp: no stdout pipe")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let first = lines.next().and_then(Result::ok).unwrap_or_default();
            let _ = tx.send(first);
            // Keep reading so the server never blocks on a full pipe.
            lines.for_each(drop);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(10))
            .map_err(|_| "fake-smtp did not say where it listens within 10 s".to_owned())?;
        let addr = line
            .strip_prefix("listening on ")
            .and_then(|a| a.trim().parse().ok())
            .ok_or_else(|| format!("fake-smtp said {line:?} (see {log})"))?;
        Ok(Self { addr, proc })
    }

    /// `kill -9`: connections to its port are refused from now on.
    pub fn kill(mut self) -> Result<SocketAddr, String> {
        self.proc.kill_9()?;
        Ok(self.addr)
    }
}

/// The settings file the tests provision: one monitor named `name` for `addr`, probed every
/// 5 s with a QoS of 500 ms, a confirmation re-probe after 2 s, failed after one bad probe.
pub fn settings(name: &str, addr: SocketAddr) -> Value {
    json!({
        "defaults": {
            "qos_ms": QOS.as_millis(),
            "interval_s": INTERVAL.as_secs(),
            "retry_s": RETRY.as_secs()
        },
        "alerts": { "failed_after": 1 },
        "monitor": [{ "name": name, "host": addr.ip().to_string(), "port": addr.port() }]
    })
}

/// The probe interval of [`settings`].
pub const INTERVAL: Duration = Duration::from_secs(5);
/// The QoS of [`settings`].
pub const QOS: Duration = Duration::from_millis(500);
/// The confirmation re-probe delay of [`settings`].
pub const RETRY: Duration = Duration::from_secs(2);

/// A fresh, empty data directory: the app starts on a first run.
pub fn empty_data_dir() -> Result<tempfile::TempDir, String> {
    tempfile::Builder::new()
        .prefix("ehlowatch-data-")
        .tempdir()
        .map_err(|e| format!("data directory: {e}"))
}

/// A fresh data directory holding `settings`.
pub fn data_dir(settings: &Value) -> Result<tempfile::TempDir, String> {
    let dir = empty_data_dir()?;
    let text = serde_json::to_string_pretty(settings).map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("settings.json"), text)
        .map_err(|e| format!("settings.json: {e}"))?;
    Ok(dir)
}

/// Starts the app directly under the session (no WebDriver: it starts in the tray).
pub fn spawn_app(
    session: &Session,
    data: &Path,
    artifacts: &Artifacts,
    log: &str,
) -> Result<Proc, String> {
    let mut command = session.command(app_binary());
    command
        .arg("--data-dir")
        .arg(data)
        .env("EHLOWATCH_LOG", "warn,ehlowatch=info,ehlowatch_app=info")
        .stdin(Stdio::null())
        .stdout(artifacts.log_file(&format!("{log}.out")))
        .stderr(artifacts.log_file(&format!("{log}.err")));
    Proc::spawn("ehlowatch-app", &mut command)
}

/// The live processes of the app binary whose command line holds `arg` (the data directory).
pub fn app_pids(arg: &Path) -> Vec<u32> {
    let exe = app_binary();
    live_pids_where(|args| {
        let mut args = args.iter().map(|a| Path::new(a.as_str()));
        args.next() == Some(exe.as_path()) && args.any(|a| a == arg)
    })
}

/// Waits until the app on `data` runs as `count` processes; their ids.
#[cfg(target_os = "linux")] // read by the network-lab journeys, which are Linux's
pub fn wait_app_processes(data: &Path, count: usize) -> Vec<u32> {
    super::poll(
        &format!("{count} app processes on the data directory"),
        super::window::UI,
        Duration::from_millis(100),
        || match app_pids(data) {
            pids if pids.len() == count => Ok(pids),
            pids => Err(format!("processes {pids:?}")),
        },
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// The live processes whose command line (its arguments, in order) `matches`.
pub fn live_pids_where(matches: impl Fn(&[String]) -> bool) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
                return false;
            };
            let args: Vec<String> = cmdline
                .split(|b| *b == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            matches(&args) && alive(*pid)
        })
        .collect()
}

/// True while `pid` exists and is not a zombie.
pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        // The state follows the command name, which is in parentheses.
        stat.rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X")
    })
}
