//! The run as a whole: the counts for a full run and for the smoke run, which servers each
//! section starts (every one stopped when the section ends), and the order of the sections. A
//! server that cannot start becomes a note and a failed exit, never a hang.

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ehlowatch_engine::Prober;
use ehlowatch_testkit::{PrivatePostfix, TestPki};
use tokio::runtime::Runtime;

use crate::accuracy::{self, Bounds};
use crate::cost::{self, Counts, Peers};
use crate::machine::{LoadSampler, Machine};
use crate::probers::Server;
use crate::procs::{Blackbox, FakeServer, Module};
use crate::report::Report;
use crate::starttls;
use crate::throughput::{self, Plan};

/// A section of the suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Section {
    /// 1. Per-probe cost against the peers.
    Cost,
    /// 2. Highest rate within 5 ms of the truth.
    Throughput,
    /// 4. Timing accuracy at delays × concurrencies.
    Accuracy,
    /// 6. STARTTLS latency against Postfix, next to a reference client.
    Starttls,
}

/// What to run with what.
#[derive(Debug, Clone)]
pub struct Options {
    /// Tiny counts.
    pub smoke: bool,
    /// Sections to run.
    pub sections: Vec<Section>,
    /// `fake-smtp`.
    pub fake_smtp: PathBuf,
    /// `check_smtp`.
    pub check_smtp: PathBuf,
    /// `prometheus-blackbox-exporter`.
    pub blackbox: PathBuf,
    /// `ehlowatch`, run as the agent.
    pub ehlowatch: PathBuf,
    /// Start a private Postfix for the cost section.
    pub postfix: bool,
}

fn cost_counts(smoke: bool) -> Counts {
    if smoke {
        Counts {
            reps: 2,
            ehlowatch_seq: 50,
            ehlowatch_conc: 200,
            concurrency: 16,
            check_smtp: 5,
            blackbox: 10,
            warmup: 5,
            agent_runs: 2,
            agent_window_s: 2.0,
        }
    } else {
        Counts {
            reps: 5,
            ehlowatch_seq: 3000,
            ehlowatch_conc: 20_000,
            concurrency: 64,
            check_smtp: 300,
            blackbox: 500,
            warmup: 200,
            agent_runs: 3,
            agent_window_s: 30.0,
        }
    }
}

/// STARTTLS costs a handshake per probe: a fifth of the plain counts keeps the time sane.
fn tls_counts(c: Counts) -> Counts {
    Counts {
        ehlowatch_seq: (c.ehlowatch_seq / 5).max(1),
        ehlowatch_conc: (c.ehlowatch_conc / 5).max(1),
        check_smtp: (c.check_smtp / 5).max(1),
        blackbox: (c.blackbox / 5).max(1),
        ..c
    }
}

fn throughput_plan(smoke: bool) -> Plan {
    if smoke {
        Plan {
            delay_ms: 20,
            tolerance_ms: 5.0,
            step_s: 0.5,
            rates: vec![100.0, 300.0],
            keep_up: 0.9,
        }
    } else {
        Plan {
            delay_ms: 50,
            tolerance_ms: 5.0,
            step_s: 5.0,
            rates: [
                250, 500, 1000, 1500, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 10_000, 12_000,
                15_000, 20_000, 25_000,
            ]
            .map(f64::from)
            .to_vec(),
            keep_up: 0.9,
        }
    }
}

/// Probes per client of the STARTTLS comparison, and per batch (the clients alternate).
fn starttls_counts(smoke: bool) -> (usize, usize) {
    if smoke {
        (10, 5)
    } else {
        (300, 50)
    }
}

fn accuracy_grid(smoke: bool) -> (Vec<u64>, Vec<usize>, Bounds) {
    if smoke {
        (
            vec![0, 100],
            vec![1, 10],
            Bounds {
                min_s: 0.3,
                min_probes: 5,
                max_s: 3.0,
            },
        )
    } else {
        (
            vec![0, 100, 500, 1500],
            vec![1, 100, 1000],
            Bounds {
                min_s: 8.0,
                min_probes: 20,
                max_s: 45.0,
            },
        )
    }
}

/// Runs the chosen sections; returns the report and whether everything ran cleanly.
pub fn run(o: &Options) -> Result<(Report, bool), String> {
    let started = Instant::now();
    let started_unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let machine = Machine::describe(&o.check_smtp, &o.blackbox);
    let sampler = LoadSampler::start(Duration::from_secs(if o.smoke { 1 } else { 5 }));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot build the runtime: {e}"))?;
    let prober = Prober::new();
    let mut report = Report {
        suite: "ehlowatch-bench",
        version: env!("CARGO_PKG_VERSION"),
        smoke: o.smoke,
        command: std::env::args().collect::<Vec<_>>().join(" "),
        started_unix,
        elapsed_s: 0.0,
        machine,
        load: crate::machine::LoadLog {
            samples: Vec::new(),
            load1: None,
        },
        cost_counts: None,
        cost: Vec::new(),
        throughput: None,
        scale: None,
        accuracy_bounds: None,
        accuracy: Vec::new(),
        starttls: None,
        desktop: None,
        notes: Vec::new(),
    };
    let mut ok = true;
    if o.sections.contains(&Section::Cost) {
        sampler.section("cost");
        if let Err(e) = run_cost(o, &rt, &prober, &mut report) {
            report.notes.push(format!("per-probe cost: {e}"));
            ok = false;
        }
        let failed: usize = report
            .cost
            .iter()
            .flat_map(|t| &t.clients)
            .map(|c| c.failures)
            .sum();
        if report.cost.iter().any(|t| !t.problems.is_empty()) {
            ok = false;
        }
        if failed > 0 {
            report.notes.push(format!(
                "per-probe cost: {failed} probes failed against healthy servers (see the failed/probes column)"
            ));
            ok = false;
        }
    }
    if o.sections.contains(&Section::Throughput) {
        sampler.section("throughput");
        if let Err(e) = run_throughput(o, &rt, &prober, &mut report) {
            report.notes.push(format!("throughput: {e}"));
            ok = false;
        }
    }
    if o.sections.contains(&Section::Accuracy) {
        sampler.section("accuracy");
        if let Err(e) = run_accuracy(o, &rt, &prober, &mut report) {
            report.notes.push(format!("timing accuracy: {e}"));
            ok = false;
        }
    }
    if o.sections.contains(&Section::Starttls) {
        sampler.section("starttls");
        if let Err(e) = run_starttls(o, &rt, &prober, &mut report) {
            report.notes.push(format!("STARTTLS latency: {e}"));
            ok = false;
        }
    }
    report.load = sampler.finish();
    report.elapsed_s = started.elapsed().as_secs_f64();
    Ok((report, ok))
}

fn run_cost(o: &Options, rt: &Runtime, prober: &Prober, report: &mut Report) -> Result<(), String> {
    let counts = cost_counts(o.smoke);
    report.cost_counts = Some(counts);
    let fake = FakeServer::start(&o.fake_smtp, "healthy", None)?;
    let fake_tls = FakeServer::start(&o.fake_smtp, "starttls", None)?;
    let pki = TestPki::new();
    let postfix = if o.postfix {
        match PrivatePostfix::start(&pki) {
            Ok(p) => Some(p),
            Err(e) => {
                report.notes.push(format!("Postfix not measured: {e}"));
                None
            }
        }
    } else {
        report
            .notes
            .push("Postfix not measured: --no-postfix".into());
        None
    };
    let (modules, targets) = cost_targets(postfix.as_ref(), &fake, &fake_tls);
    let exporter = Blackbox::start(&o.blackbox, &modules)?;
    let peers = Peers {
        check_smtp: o.check_smtp.clone(),
        blackbox: (exporter.addr, exporter.pid()),
        agent: o.ehlowatch.clone(),
    };
    if !o.check_smtp.exists() {
        return Err(format!(
            "{} not found: install monitoring-plugins-standard (scripts/bench does)",
            o.check_smtp.display()
        ));
    }
    for (name, server) in &targets {
        let c = if server.starttls {
            tls_counts(counts)
        } else {
            counts
        };
        let figures = cost::measure(rt, prober, &peers, name, server, c);
        report.notes.extend(
            figures
                .problems
                .iter()
                .map(|p| format!("per-probe cost: {p}")),
        );
        report.cost.push(figures);
    }
    Ok(())
}

/// The blackbox modules and the servers of benchmark 1: plain first (Postfix, fake), then
/// STARTTLS (Postfix, fake), each server with the module that probes it.
fn cost_targets(
    postfix: Option<&PrivatePostfix>,
    fake: &FakeServer,
    fake_tls: &FakeServer,
) -> (Vec<Module>, Vec<(&'static str, Server)>) {
    let module = |name: &str, starttls, ca_file| Module {
        name: name.into(),
        starttls,
        ca_file,
    };
    let mut modules = vec![
        module("smtp_ehlo", false, None),
        module("smtp_starttls_fake", true, fake_tls.ca_file.clone()),
    ];
    let postfix_server = |starttls: bool, p: &PrivatePostfix| Server {
        addr: std::net::SocketAddr::from(([127, 0, 0, 1], p.smtp_port())),
        starttls,
        ca_file: starttls.then(|| p.ca_file()),
        pid: None,
        module: if starttls {
            "smtp_starttls_postfix"
        } else {
            "smtp_ehlo"
        }
        .into(),
    };
    let fake_server = |starttls: bool, f: &FakeServer| Server {
        addr: f.addr,
        starttls,
        ca_file: f.ca_file.clone(),
        pid: Some(f.pid()),
        module: if starttls {
            "smtp_starttls_fake"
        } else {
            "smtp_ehlo"
        }
        .into(),
    };
    let mut targets = Vec::new();
    if let Some(p) = postfix {
        modules.push(module("smtp_starttls_postfix", true, Some(p.ca_file())));
        targets.push(("postfix", postfix_server(false, p)));
    }
    targets.push(("fake", fake_server(false, fake)));
    if let Some(p) = postfix {
        targets.push(("postfix", postfix_server(true, p)));
    }
    targets.push(("fake", fake_server(true, fake_tls)));
    (modules, targets)
}

fn run_starttls(
    o: &Options,
    rt: &Runtime,
    prober: &Prober,
    report: &mut Report,
) -> Result<(), String> {
    if !o.postfix {
        return Err("needs Postfix (--no-postfix)".into());
    }
    let pki = TestPki::new();
    let postfix = PrivatePostfix::start(&pki)?;
    let server = Server {
        addr: std::net::SocketAddr::from(([127, 0, 0, 1], postfix.smtp_port())),
        starttls: true,
        ca_file: Some(postfix.ca_file()),
        pid: None,
        module: String::new(),
    };
    let (n, batch) = starttls_counts(o.smoke);
    eprintln!("starttls: warming up Postfix");
    starttls::compare(rt, prober, &server, 5, 5)?;
    eprintln!("starttls: {n} probes per client against Postfix");
    let comparison = starttls::compare(rt, prober, &server, n, batch)?;
    let failed: usize = comparison.clients.iter().map(|c| c.failures).sum();
    report.starttls = Some(comparison);
    if failed > 0 {
        return Err(format!("{failed} probes failed against Postfix"));
    }
    Ok(())
}

/// Two precise delaying servers (two processes, so neither core waits on one accept loop).
fn start_pair(delay_ms: u64) -> Result<(Vec<FakeServer>, Vec<Server>), String> {
    let procs = (0..2)
        .map(|_| FakeServer::start_delaying(delay_ms))
        .collect::<Result<Vec<_>, _>>()?;
    let servers = procs
        .iter()
        .map(|p| Server {
            addr: p.addr,
            starttls: false,
            ca_file: None,
            pid: Some(p.pid()),
            module: String::new(),
        })
        .collect();
    Ok((procs, servers))
}

fn run_throughput(
    o: &Options,
    rt: &Runtime,
    prober: &Prober,
    report: &mut Report,
) -> Result<(), String> {
    let plan = throughput_plan(o.smoke);
    let (_procs, servers) = start_pair(plan.delay_ms)?;
    report.throughput = Some(throughput::search(rt, prober, &servers, &plan));
    Ok(())
}

fn run_accuracy(
    o: &Options,
    rt: &Runtime,
    prober: &Prober,
    report: &mut Report,
) -> Result<(), String> {
    let (delays, concurrencies, bounds) = accuracy_grid(o.smoke);
    report.accuracy_bounds = Some(bounds);
    for delay in delays {
        let (_procs, servers) = start_pair(delay)?;
        for &c in &concurrencies {
            report
                .accuracy
                .push(accuracy::cell(rt, prober, &servers, delay, c, bounds));
        }
    }
    Ok(())
}
