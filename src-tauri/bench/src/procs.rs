//! The servers the benchmarks talk to, each its own process so that the bench process's CPU is
//! the client's alone: `fake-smtp` (the in-repo server), the precise delaying server of
//! [`crate::delay_server`] (this program again), and
//! `prometheus-blackbox-exporter` with a config written for the run. Every process is killed and
//! reaped when its guard drops. Only loopback addresses are used.

use std::io::{BufRead, BufReader, Read};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a server may take to say where it listens.
const READY_WITHIN: Duration = Duration::from_secs(20);

/// A child process that is killed and reaped on drop.
#[derive(Debug)]
pub struct Guard {
    child: Child,
    what: String,
}

impl Guard {
    /// Guards `child`, named `what` in warnings.
    pub fn new(child: Child, what: &str) -> Self {
        Self {
            child,
            what: what.to_owned(),
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Err(e) = self.child.kill() {
            eprintln!("warning: stopping {}: {e}", self.what);
        }
        let _ = self.child.wait();
    }
}

/// A running `fake-smtp`.
#[derive(Debug)]
pub struct FakeServer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The test CA's PEM for TLS scenarios.
    pub ca_file: Option<PathBuf>,
    guard: Guard,
}

impl FakeServer {
    /// Starts `bin --scenario NAME [--ehlo-delay-ms N]` and waits for its `listening on` line.
    pub fn start(bin: &Path, scenario: &str, ehlo_delay_ms: Option<u64>) -> Result<Self, String> {
        let mut cmd = Command::new(bin);
        cmd.args(["--scenario", scenario, "--listen", "127.0.0.1:0"]);
        if let Some(ms) = ehlo_delay_ms {
            cmd.args(["--ehlo-delay-ms", &ms.to_string()]);
        }
        Self::spawn(
            cmd,
            &format!("fake-smtp --scenario {scenario}"),
            scenario.contains("tls"),
        )
    }

    /// Starts this program as the precise delaying server (`--serve-delay-ms N`).
    pub fn start_delaying(delay_ms: u64) -> Result<Self, String> {
        let exe = std::env::current_exe().map_err(|e| format!("where am I: {e}"))?;
        let mut cmd = Command::new(exe);
        cmd.args(["--serve-delay-ms", &delay_ms.to_string()]);
        Self::spawn(cmd, &format!("delay server ({delay_ms} ms)"), false)
    }

    fn spawn(mut cmd: Command, what: &str, want_ca: bool) -> Result<Self, String> {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {what}: {e}"))?;
        let stdout = child.stdout.take().ok_or("the server has no stdout")?;
        let guard = Guard::new(child, what);
        let lines = read_lines(stdout, if want_ca { 2 } else { 1 })?;
        let addr = lines
            .iter()
            .find_map(|l| l.strip_prefix("listening on "))
            .and_then(|a| a.trim().parse().ok())
            .ok_or_else(|| format!("{what} said {lines:?}, not `listening on IP:PORT`"))?;
        let ca_file = lines
            .iter()
            .find_map(|l| l.strip_prefix("ca-file "))
            .map(|p| PathBuf::from(p.trim()));
        Ok(Self {
            addr,
            ca_file,
            guard,
        })
    }

    /// The server's process id (for its CPU time).
    pub fn pid(&self) -> u32 {
        self.guard.pid()
    }
}

/// Reads `n` lines from a child's stdout within [`READY_WITHIN`] (on a thread, so a silent
/// child cannot hang us); the rest of the output is drained and dropped.
fn read_lines(stdout: impl Read + Send + 'static, n: usize) -> Result<Vec<String>, String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        for _ in 0..n {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if tx.send(line).is_err() {
                        return;
                    }
                }
            }
        }
        drop(tx);
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    let deadline = Instant::now() + READY_WITHIN;
    let mut lines = Vec::new();
    while lines.len() < n {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => lines.push(line),
            Err(_) => {
                return Err(format!(
                    "no readiness line within {READY_WITHIN:?}: {lines:?}"
                ))
            }
        }
    }
    Ok(lines)
}

/// A port nobody listens on right now (the kernel's pick for 127.0.0.1:0).
pub fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|e| format!("cannot bind 127.0.0.1:0: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// One blackbox module: a name, whether it upgrades with STARTTLS, and the CA to trust.
#[derive(Debug, Clone)]
pub struct Module {
    /// The module name used in `/probe?module=`.
    pub name: String,
    /// STARTTLS after the first EHLO, then EHLO again.
    pub starttls: bool,
    /// The CA file for the TLS upgrade.
    pub ca_file: Option<PathBuf>,
}

/// The blackbox config: per module a tcp prober with `query_response` doing what a probe does
/// (220, EHLO, 250 final line, [STARTTLS, 220, handshake, EHLO, 250], QUIT, 221).
pub fn blackbox_config(modules: &[Module]) -> String {
    use std::fmt::Write as _;
    let mut out = String::from("modules:\n");
    for m in modules {
        let _ = write!(
            out,
            "  {}:\n    prober: tcp\n    timeout: 5s\n    tcp:\n      preferred_ip_protocol: ip4\n      query_response:\n",
            m.name
        );
        let mut steps = vec![
            ("expect", "^220 "),
            ("send", "EHLO bench.test\\r"),
            ("expect", "^250 "),
        ];
        if m.starttls {
            steps.extend([
                ("send", "STARTTLS\\r"),
                ("expect", "^220 "),
                ("starttls", ""),
                ("send", "EHLO bench.test\\r"),
                ("expect", "^250 "),
            ]);
        }
        steps.extend([("send", "QUIT\\r"), ("expect", "^221")]);
        for (kind, value) in steps {
            if kind == "starttls" {
                out.push_str("        - starttls: true\n");
            } else {
                let _ = writeln!(out, "        - {kind}: \"{value}\"");
            }
        }
        if let Some(ca) = &m.ca_file {
            let _ = write!(
                out,
                "      tls_config:\n        ca_file: \"{}\"\n        server_name: \"localhost\"\n",
                ca.display()
            );
        }
    }
    out
}

/// A running blackbox exporter.
#[derive(Debug)]
pub struct Blackbox {
    /// Its HTTP address.
    pub addr: SocketAddr,
    guard: Guard,
    _dir: tempfile::TempDir,
}

impl Blackbox {
    /// Writes the config and starts `bin` on a free loopback port; returns once it answers.
    pub fn start(bin: &Path, modules: &[Module]) -> Result<Self, String> {
        let dir = tempfile::Builder::new()
            .prefix("ehlowatch-bench-blackbox-")
            .tempdir()
            .map_err(|e| format!("temp dir: {e}"))?;
        let config = dir.path().join("blackbox.yml");
        std::fs::write(&config, blackbox_config(modules))
            .map_err(|e| format!("cannot write {}: {e}", config.display()))?;
        let port = free_port()?;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let log = std::fs::File::create(dir.path().join("blackbox.log"))
            .map_err(|e| format!("log file: {e}"))?;
        let child = Command::new(bin)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--web.listen-address={addr}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let guard = Guard::new(child, "blackbox_exporter");
        let deadline = Instant::now() + READY_WITHIN;
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if Instant::now() >= deadline {
                let said =
                    std::fs::read_to_string(dir.path().join("blackbox.log")).unwrap_or_default();
                return Err(format!(
                    "blackbox_exporter did not listen on {addr} within {READY_WITHIN:?}: {said}"
                ));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        Ok(Self {
            addr,
            guard,
            _dir: dir,
        })
    }

    /// The exporter's process id.
    pub fn pid(&self) -> u32 {
        self.guard.pid()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blackbox_config_speaks_the_whole_dialogue() {
        let text = blackbox_config(&[
            Module {
                name: "plain".into(),
                starttls: false,
                ca_file: None,
            },
            Module {
                name: "tls".into(),
                starttls: true,
                ca_file: Some("/tmp/ca.pem".into()),
            },
        ]);
        let plain = text.split("  tls:").next().unwrap();
        assert!(plain.contains("send: \"EHLO bench.test\\r\""));
        assert!(plain.contains("expect: \"^221\""));
        assert!(!plain.contains("starttls"));
        let tls = text.split("  tls:").nth(1).unwrap();
        assert_eq!(tls.matches("EHLO bench.test").count(), 2);
        assert!(tls.contains("- starttls: true"));
        assert!(tls.contains("ca_file: \"/tmp/ca.pem\""));
    }
}
