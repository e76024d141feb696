//! The agent row of the cost benchmark: `ehlowatch run` as a sysadmin runs it, its CPU per probe
//! measured from outside. The method is fixed: [`MONITORS`] plain monitors of one server at a
//! 1 s interval and a 400 ms QoS, the default history settings (a fresh file per run), `/metrics`
//! scraped every [`SCRAPE_EVERY`]; the CPU is the agent process's alone (all its threads, the
//! server runs in another process), and the probes are the agent's own count
//! (`ehlowatch_probes_total`) between the scrapes that open and close the window.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::cpu::{sys_share, sys_ticks, ProcCpu};
use crate::probers::{Batch, Server};
use crate::procs::{free_port, Guard};

/// Monitors in the agent's config, all on the one server.
pub const MONITORS: usize = 200;
/// Their interval, s.
pub const INTERVAL_S: u64 = 1;
/// Their QoS, ms.
pub const QOS_MS: u64 = 400;
/// How often `/metrics` is scraped inside the window, as Prometheus would.
pub const SCRAPE_EVERY: Duration = Duration::from_secs(15);
/// Probes the agent must have run (two rounds: every first state change is behind us) before
/// the window opens.
const WARM_PROBES: u64 = 2 * MONITORS as u64;
/// How long the agent may take to listen and to warm up.
const READY_WITHIN: Duration = Duration::from_secs(30);

/// The agent's config: [`MONITORS`] monitors of `addr`, no TLS.
pub fn config(addr: SocketAddr) -> String {
    let mut out = format!("[defaults]\nqos_ms = {QOS_MS}\ninterval_s = {INTERVAL_S}\n\n");
    for i in 0..MONITORS {
        let _ = write!(
            out,
            "[[monitor]]\nname = \"m{i:03}\"\nhost = \"{}\"\nport = {}\n\n",
            addr.ip(),
            addr.port()
        );
    }
    out
}

/// Runs the agent `bin` against `server` for a window of `window` after its warm-up; the
/// batch's probes are the agent's own count, its CPU the agent process's.
pub fn run(bin: &Path, server: &Server, window: Duration) -> Result<Batch, String> {
    let dir = tempfile::Builder::new()
        .prefix("ehlowatch-bench-agent-")
        .tempdir()
        .map_err(|e| format!("temp dir: {e}"))?;
    let config_path = dir.path().join("agent.toml");
    std::fs::write(&config_path, config(server.addr))
        .map_err(|e| format!("cannot write {}: {e}", config_path.display()))?;
    let listen = SocketAddr::from(([127, 0, 0, 1], free_port()?));
    let log = std::fs::File::create(dir.path().join("agent.log"))
        .map_err(|e| format!("log file: {e}"))?;
    let child = Command::new(bin)
        .arg("run")
        .arg("--config")
        .arg(&config_path)
        .arg("--db")
        .arg(dir.path().join("history.sqlite"))
        .arg("--listen")
        .arg(listen.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    let agent = Guard::new(child, "ehlowatch run");
    let pid = agent.pid();
    let warm_by = Instant::now() + READY_WITHIN;
    loop {
        match scrape(listen) {
            Ok(probes) if probes.all >= WARM_PROBES => break,
            _ if Instant::now() >= warm_by => {
                let said =
                    std::fs::read_to_string(dir.path().join("agent.log")).unwrap_or_default();
                return Err(format!(
                    "the agent did not run {WARM_PROBES} probes within {READY_WITHIN:?}: {}",
                    said.lines().rev().take(5).collect::<Vec<_>>().join(" / ")
                ));
            }
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    let server_before = server.pid.map(ProcCpu::of);
    let first = scrape(listen)?;
    let before = ProcCpu::of(pid);
    let sys_before = sys_ticks(&pid.to_string(), false);
    let opened = Instant::now();
    let closes = opened + window;
    let mut next_scrape = opened;
    let last = loop {
        next_scrape = (next_scrape + SCRAPE_EVERY).min(closes);
        std::thread::sleep(next_scrape.saturating_duration_since(Instant::now()));
        let probes = scrape(listen)?;
        if next_scrape >= closes {
            break probes;
        }
    };
    let cpu = ProcCpu::of(pid).since(&before);
    let sys = sys_share(sys_before, sys_ticks(&pid.to_string(), false));
    let elapsed = opened.elapsed();
    let server_cpu = server
        .pid
        .zip(server_before)
        .map(|(p, b)| ProcCpu::of(p).since(&b));
    let count = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
    Ok(Batch {
        n: count(last.all.saturating_sub(first.all)),
        failures: count(last.bad.saturating_sub(first.bad)),
        cpu,
        elapsed,
        probe_wall: Duration::ZERO,
        server_cpu,
        sys_share: sys,
    })
}

/// The agent's probe counter, summed over monitors: all probes, and those not a success.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Probes {
    all: u64,
    bad: u64,
}

/// Scrapes the agent's `/metrics` for its probe counter.
fn scrape(agent: SocketAddr) -> Result<Probes, String> {
    let body = crate::http::get(agent, "/metrics").map_err(|e| format!("GET /metrics: {e}"))?;
    probes_total(&body).ok_or_else(|| "no ehlowatch_probes_total in /metrics".to_owned())
}

/// The sums of the `ehlowatch_probes_total` samples of an exposition.
fn probes_total(exposition: &str) -> Option<Probes> {
    let mut found = None;
    for line in exposition.lines() {
        let Some(labels) = line.strip_prefix("ehlowatch_probes_total{") else {
            continue;
        };
        let Some(value) = line.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()) else {
            continue;
        };
        let p: &mut Probes = found.get_or_insert_with(Probes::default);
        let n = value as u64;
        p.all += n;
        if !labels.contains("verdict=\"success\"") {
            p.bad += n;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_has_every_monitor_on_the_server() {
        let text = config(SocketAddr::from(([127, 0, 0, 1], 2525)));
        assert_eq!(text.matches("[[monitor]]").count(), MONITORS);
        assert_eq!(text.matches("port = 2525").count(), MONITORS);
        assert!(text.starts_with("[defaults]\nqos_ms = 400\ninterval_s = 1\n"));
        assert!(text.contains("name = \"m199\""));
        assert!(!text.contains("tls"));
    }

    #[test]
    fn probes_are_summed_over_monitors_and_verdicts() {
        let text = "# HELP ehlowatch_probes Probes run\n# TYPE ehlowatch_probes counter\n\
                    ehlowatch_probes_total{monitor=\"m000\",verdict=\"success\"} 12\n\
                    ehlowatch_probes_total{monitor=\"m001\",verdict=\"success\"} 11\n\
                    ehlowatch_probes_total{monitor=\"m001\",verdict=\"failed\"} 1\n\
                    ehlowatch_probe_latency_seconds_count{monitor=\"m000\"} 12\n";
        assert_eq!(probes_total(text), Some(Probes { all: 24, bad: 1 }));
        assert_eq!(probes_total("ehlowatch_build_info 1\n"), None);
    }
}
