//! The four ways of probing one server that the cost benchmark compares, each run `n` times
//! with the CPU of whoever does the work measured around it: ehlowatch in this process
//! (sequential, and `c` at a time), `check_smtp` as one process per check (its CPU is the
//! waited-for children's), and `blackbox_exporter` over HTTP (its CPU read from its `/proc` entry).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ehlowatch_engine::TlsMode;
use ehlowatch_engine::TlsTrust;
use ehlowatch_engine::{settings, ProbeSpec, Prober, Verdict};
use tokio::runtime::Runtime;

use crate::cpu::{sys_share, sys_ticks, Meter, ProcCpu};
use crate::http::{self, Scrape};

/// One server to probe, as every client needs to know it.
#[derive(Debug, Clone)]
pub struct Server {
    /// Its address (loopback).
    pub addr: SocketAddr,
    /// Probe with STARTTLS (and trust `ca_file`) instead of plain EHLO.
    pub starttls: bool,
    /// The CA that issued its certificate.
    pub ca_file: Option<PathBuf>,
    /// Its process, when it is one process whose CPU can be read.
    pub pid: Option<u32>,
    /// The blackbox module that probes it.
    pub module: String,
}

impl Server {
    /// The engine's description of a probe of this server.
    pub fn spec(&self, qos: Duration) -> ProbeSpec {
        let mut spec = ProbeSpec::new(self.addr.ip().to_string(), self.addr.port());
        spec.thresholds.qos = qos;
        if self.starttls {
            spec.tls = TlsMode::Starttls;
            spec.trust = TlsTrust {
                ca_file: self.ca_file.clone(),
                insecure: false,
            };
        }
        spec
    }
}

/// What `n` probes by one client cost.
#[derive(Debug, Clone, Copy)]
pub struct Batch {
    /// Probes run.
    pub n: usize,
    /// Probes that did not end in success.
    pub failures: usize,
    /// CPU of the client side (user+system).
    pub cpu: Duration,
    /// Wall time of the whole batch.
    pub elapsed: Duration,
    /// Sum of each probe's own wall time (equals `elapsed` when sequential).
    pub probe_wall: Duration,
    /// CPU of the server process over the batch, when it can be read.
    pub server_cpu: Option<Duration>,
    /// The kernel's share of `cpu` (from tick counts, so coarse).
    pub sys_share: Option<f64>,
}

impl Batch {
    /// CPU per probe in microseconds.
    pub fn cpu_us(&self) -> f64 {
        self.cpu.as_secs_f64() * 1e6 / self.n.max(1) as f64
    }

    /// Mean wall time of one probe in milliseconds.
    pub fn wall_ms(&self) -> f64 {
        self.probe_wall.as_secs_f64() * 1e3 / self.n.max(1) as f64
    }

    /// Probes completed per second of the batch.
    pub fn rate(&self) -> f64 {
        self.n as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Server CPU per probe in microseconds.
    pub fn server_cpu_us(&self) -> Option<f64> {
        self.server_cpu
            .map(|c| c.as_secs_f64() * 1e6 / self.n.max(1) as f64)
    }
}

fn server_meter(server: &Server) -> Option<ProcCpu> {
    server.pid.map(ProcCpu::of)
}

fn server_used(server: &Server, before: Option<ProcCpu>) -> Option<Duration> {
    Some(ProcCpu::of(server.pid?).since(&before?))
}

/// `n` probes with the engine, `concurrency` at a time (1 = one after another), on `rt`.
pub fn ehlowatch(
    rt: &Runtime,
    prober: &Prober,
    server: &Server,
    n: usize,
    concurrency: usize,
) -> Batch {
    let qos = Duration::from_millis(settings::QOS_MS.default.unsigned_abs());
    let spec = Arc::new(server.spec(qos));
    let left = Arc::new(AtomicUsize::new(n));
    let server_before = server_meter(server);
    let meter = Meter::start();
    let started = Instant::now();
    let (failures, probe_wall) = rt.block_on(async {
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..concurrency.max(1) {
            let (prober, spec, left) = (prober.clone(), spec.clone(), left.clone());
            workers.spawn(async move {
                let (mut failures, mut wall) = (0usize, Duration::ZERO);
                while left
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |l| l.checked_sub(1))
                    .is_ok()
                {
                    let t = tokio::time::Instant::now();
                    let report = prober.probe(&spec).await;
                    wall += t.elapsed();
                    if report.status != Verdict::Success {
                        failures += 1;
                    }
                }
                (failures, wall)
            });
        }
        let (mut failures, mut wall) = (0, Duration::ZERO);
        while let Some(done) = workers.join_next().await {
            let (f, w) = done.unwrap_or((n, Duration::ZERO));
            failures += f;
            wall += w;
        }
        (failures, wall)
    });
    let elapsed = started.elapsed();
    let used = meter.stop();
    Batch {
        n,
        failures: failures.min(n),
        cpu: used.own,
        elapsed,
        probe_wall,
        server_cpu: server_used(server, server_before),
        sys_share: used.own_sys_share,
    }
}

/// `n` runs of the same dialogue (greeting, EHLO, 250, QUIT, 221) over a blocking std socket,
/// with nothing else: the floor under any client's cost.
pub fn bare_socket(server: &Server, n: usize) -> Batch {
    let meter = Meter::start();
    let server_before = server_meter(server);
    let started = Instant::now();
    let failures = (0..n)
        .filter(|_| bare_dialogue(server.addr).is_err())
        .count();
    let elapsed = started.elapsed();
    let used = meter.stop();
    Batch {
        n,
        failures,
        cpu: used.own,
        elapsed,
        probe_wall: elapsed,
        server_cpu: server_used(server, server_before),
        sys_share: used.own_sys_share,
    }
}

fn bare_dialogue(addr: SocketAddr) -> std::io::Result<()> {
    use std::io::{BufRead, BufReader, Write};
    let tcp = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    tcp.set_read_timeout(Some(Duration::from_secs(5)))?;
    tcp.set_nodelay(true)?;
    let mut writer = tcp.try_clone()?;
    let mut reader = BufReader::new(tcp);
    let mut line = String::new();
    let mut reply = |reader: &mut BufReader<std::net::TcpStream>, want: &str| loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof));
        }
        if line.get(3..4) != Some("-") {
            return if line.starts_with(want) {
                Ok(())
            } else {
                Err(std::io::Error::other(line.clone()))
            };
        }
    };
    reply(&mut reader, "220")?;
    writer.write_all(b"EHLO [127.0.0.1]\r\n")?;
    reply(&mut reader, "250")?;
    writer.write_all(b"QUIT\r\n")?;
    reply(&mut reader, "221")
}

/// `n` runs of `check_smtp -H IP -p PORT [-S]`, one after another.
pub fn check_smtp(bin: &Path, server: &Server, n: usize) -> Batch {
    let port = server.addr.port().to_string();
    let host = server.addr.ip().to_string();
    let mut args = vec!["-H", host.as_str(), "-p", port.as_str(), "-t", "10"];
    if server.starttls {
        args.push("-S");
    }
    let server_before = server_meter(server);
    let meter = Meter::start();
    let started = Instant::now();
    let mut failures = 0;
    for _ in 0..n {
        let ok = Command::new(bin)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            failures += 1;
        }
    }
    let elapsed = started.elapsed();
    let used = meter.stop();
    Batch {
        n,
        failures,
        cpu: used.children,
        elapsed,
        probe_wall: elapsed,
        server_cpu: server_used(server, server_before),
        sys_share: used.children_sys_share,
    }
}

/// `n` scrapes of `blackbox_exporter`'s `/probe` for `server`, one after another.
pub fn blackbox(exporter: SocketAddr, exporter_pid: u32, server: &Server, n: usize) -> Batch {
    let target = server.addr.to_string();
    let server_before = server_meter(server);
    let before = ProcCpu::of(exporter_pid);
    let sys_before = sys_ticks(&exporter_pid.to_string(), false);
    let started = Instant::now();
    let mut failures = 0;
    for _ in 0..n {
        if http::probe(exporter, &server.module, &target) != Scrape::Success {
            failures += 1;
        }
    }
    let elapsed = started.elapsed();
    Batch {
        n,
        failures,
        cpu: ProcCpu::of(exporter_pid).since(&before),
        elapsed,
        probe_wall: elapsed,
        server_cpu: server_used(server, server_before),
        sys_share: sys_share(sys_before, sys_ticks(&exporter_pid.to_string(), false)),
    }
}
