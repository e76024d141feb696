//! Benchmark 1, per-probe cost: for each server (a private Postfix and the in-repo fake, plain
//! and with STARTTLS) every client runs a batch per repetition — ehlowatch sequential,
//! ehlowatch concurrent, `check_smtp`, `blackbox_exporter`, and on plain servers the bare-socket
//! floor and the agent — interleaved so that drifting load on the machine touches all of them
//! alike. Ratios are taken per repetition (peer ÷ ehlowatch, agent ÷ floor in the same
//! repetition) and then summarised.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use ehlowatch_engine::Prober;
use serde::Serialize;
use tokio::runtime::Runtime;

use crate::agent;
use crate::probers::{self, Batch, Server};
use crate::stats::Spread;

/// How many probes each client runs per repetition, and how many repetitions.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Counts {
    /// Repetitions.
    pub reps: usize,
    /// ehlowatch, sequential.
    pub ehlowatch_seq: usize,
    /// ehlowatch, concurrent.
    pub ehlowatch_conc: usize,
    /// Probes in flight for the concurrent run.
    pub concurrency: usize,
    /// `check_smtp` processes.
    pub check_smtp: usize,
    /// `blackbox_exporter` scrapes.
    pub blackbox: usize,
    /// Warm-up probes per client before measuring.
    pub warmup: usize,
    /// Repetitions that also run the agent (the first ones).
    pub agent_runs: usize,
    /// The agent's measuring window per run, s.
    pub agent_window_s: f64,
}

/// The peers' programs.
#[derive(Debug, Clone)]
pub struct Peers {
    /// `check_smtp`.
    pub check_smtp: PathBuf,
    /// The running exporter's address and pid.
    pub blackbox: (std::net::SocketAddr, u32),
    /// `ehlowatch`, for the agent row.
    pub agent: PathBuf,
}

/// One client's figures against one server.
#[derive(Debug, Clone, Serialize)]
pub struct ClientFigures {
    /// Who probed.
    pub client: String,
    /// CPU per probe, µs.
    pub cpu_us: Option<Spread>,
    /// Wall per probe, ms (for the concurrent run: each probe's own duration, averaged).
    pub wall_ms: Option<Spread>,
    /// Probes completed per second.
    pub probes_per_s: Option<Spread>,
    /// The kernel's share of the client's CPU, % (coarse: from tick counts).
    pub sys_pct: Option<Spread>,
    /// The server process's CPU per probe, µs (fake server only).
    pub server_cpu_us: Option<Spread>,
    /// Probes over all repetitions.
    pub probes: usize,
    /// Of which did not succeed.
    pub failures: usize,
    /// CPU ratio peer ÷ ehlowatch sequential (peers only).
    pub cpu_ratio_vs_seq: Option<Spread>,
    /// CPU ratio peer ÷ ehlowatch concurrent (peers only).
    pub cpu_ratio_vs_conc: Option<Spread>,
    /// Wall ratio peer ÷ ehlowatch sequential (peers only).
    pub wall_ratio_vs_seq: Option<Spread>,
    /// CPU ratio agent ÷ the bare-socket floor (the agent only).
    pub cpu_ratio_vs_floor: Option<Spread>,
}

/// All clients against one server.
#[derive(Debug, Clone, Serialize)]
pub struct TargetFigures {
    /// `postfix` or `fake`.
    pub server: String,
    /// `plain` or `starttls`.
    pub mode: String,
    /// Each client's figures.
    pub clients: Vec<ClientFigures>,
    /// What could not be measured, and why.
    pub problems: Vec<String>,
}

/// The clients, in the order they run and print. The fifth is no peer but a floor: the same
/// dialogue over a blocking std socket with no parsing, verdict or report (plain mode only), to
/// show what the kernel's TCP on loopback costs by itself. The last is the agent, `ehlowatch
/// run` with [`agent::MONITORS`] monitors of the server (plain mode only), set against that floor.
pub const CLIENTS: [&str; 6] = [
    "ehlowatch (sequential)",
    "ehlowatch (concurrent)",
    "check_smtp",
    "blackbox_exporter",
    "floor: bare blocking socket",
    "ehlowatch run (agent, 200 monitors at 1 s)",
];

/// Index of the floor in [`CLIENTS`].
const FLOOR: usize = 4;
/// Index of the agent in [`CLIENTS`].
const AGENT: usize = 5;

/// Runs benchmark 1 against one server.
pub fn measure(
    rt: &Runtime,
    prober: &Prober,
    peers: &Peers,
    name: &str,
    server: &Server,
    counts: Counts,
) -> TargetFigures {
    let mode = if server.starttls { "starttls" } else { "plain" };
    eprintln!("cost: {name} {mode}: warming up");
    warm_up(rt, prober, peers, server, counts);
    let mut batches: [Vec<Batch>; 6] = Default::default();
    let mut problems = Vec::new();
    for rep in 0..counts.reps {
        let t = Instant::now();
        batches[0].push(probers::ehlowatch(
            rt,
            prober,
            server,
            counts.ehlowatch_seq,
            1,
        ));
        batches[1].push(probers::ehlowatch(
            rt,
            prober,
            server,
            counts.ehlowatch_conc,
            counts.concurrency,
        ));
        batches[2].push(probers::check_smtp(
            &peers.check_smtp,
            server,
            counts.check_smtp,
        ));
        let (addr, pid) = peers.blackbox;
        batches[3].push(probers::blackbox(addr, pid, server, counts.blackbox));
        if !server.starttls {
            batches[FLOOR].push(probers::bare_socket(server, counts.ehlowatch_seq));
            if rep < counts.agent_runs {
                let window = Duration::from_secs_f64(counts.agent_window_s);
                match agent::run(&peers.agent, server, window) {
                    Ok(batch) => batches[AGENT].push(batch),
                    Err(e) => problems.push(format!("agent against {name}: {e}")),
                }
            }
        }
        eprintln!(
            "cost: {name} {mode}: repetition {}/{} in {:.1}s: cpu µs/probe {}",
            rep + 1,
            counts.reps,
            t.elapsed().as_secs_f64(),
            batches
                .iter()
                .map(|b| b
                    .last()
                    .map_or("-".into(), |b| format!("{:.1}", b.cpu_us())))
                .collect::<Vec<_>>()
                .join(" / ")
        );
    }
    let clients = CLIENTS
        .iter()
        .enumerate()
        .filter(|(i, _)| !batches[*i].is_empty())
        .map(|(i, client)| {
            let mut f = figures(
                client,
                &batches[i],
                (i == 2 || i == 3).then_some((&batches[0], &batches[1])),
            );
            if i == AGENT {
                // Each probe's wall time is the server's latency, not the agent's to show.
                f.wall_ms = None;
                f.cpu_ratio_vs_floor = ratio(&batches[AGENT], &batches[FLOOR], Batch::cpu_us);
            }
            f
        })
        .collect();
    TargetFigures {
        server: name.into(),
        mode: mode.into(),
        clients,
        problems,
    }
}

/// Spawns smtpd processes (Postfix's first connection after idle is slow), loads TLS roots,
/// pages in the peers' binaries.
fn warm_up(rt: &Runtime, prober: &Prober, peers: &Peers, server: &Server, counts: Counts) {
    let w = counts.warmup;
    probers::ehlowatch(
        rt,
        prober,
        server,
        w.max(counts.concurrency),
        counts.concurrency,
    );
    probers::ehlowatch(rt, prober, server, w, 1);
    probers::check_smtp(&peers.check_smtp, server, w.min(5));
    probers::blackbox(peers.blackbox.0, peers.blackbox.1, server, w.min(10));
}

fn spread(batches: &[Batch], f: impl Fn(&Batch) -> f64) -> Option<Spread> {
    Spread::of(&batches.iter().map(f).collect::<Vec<_>>())
}

fn ratio(peer: &[Batch], ours: &[Batch], f: impl Fn(&Batch) -> f64) -> Option<Spread> {
    let r: Vec<f64> = peer
        .iter()
        .zip(ours)
        .map(|(p, o)| f(p) / f(o))
        .filter(|x| x.is_finite())
        .collect();
    Spread::of(&r)
}

fn figures(client: &str, batches: &[Batch], ours: Option<(&[Batch], &[Batch])>) -> ClientFigures {
    let server_cpu: Vec<f64> = batches.iter().filter_map(Batch::server_cpu_us).collect();
    ClientFigures {
        client: client.into(),
        cpu_us: spread(batches, Batch::cpu_us),
        wall_ms: spread(batches, Batch::wall_ms),
        probes_per_s: spread(batches, Batch::rate),
        server_cpu_us: Spread::of(&server_cpu),
        sys_pct: Spread::of(
            &batches
                .iter()
                .filter_map(|b| b.sys_share.map(|s| s * 100.0))
                .collect::<Vec<_>>(),
        ),
        probes: batches.iter().map(|b| b.n).sum(),
        failures: batches.iter().map(|b| b.failures).sum(),
        cpu_ratio_vs_seq: ours.and_then(|(seq, _)| ratio(batches, seq, Batch::cpu_us)),
        cpu_ratio_vs_conc: ours.and_then(|(_, conc)| ratio(batches, conc, Batch::cpu_us)),
        wall_ratio_vs_seq: ours.and_then(|(seq, _)| ratio(batches, seq, Batch::wall_ms)),
        cpu_ratio_vs_floor: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(n: usize, cpu_ms: u64) -> Batch {
        Batch {
            n,
            failures: 0,
            cpu: Duration::from_millis(cpu_ms),
            elapsed: Duration::from_secs(1),
            probe_wall: Duration::from_secs(1),
            server_cpu: None,
            sys_share: None,
        }
    }

    #[test]
    fn ratios_pair_repetitions() {
        // Repetition 1: 4000 µs vs 40 µs (100×); repetition 2: 4000 vs 80 (50×).
        let peer = [batch(10, 40), batch(10, 40)];
        let ours = [batch(1000, 40), batch(500, 40)];
        let r = ratio(&peer, &ours, Batch::cpu_us).unwrap();
        assert!((r.max - 100.0).abs() < 1e-9, "{r:?}");
        assert!((r.min - 50.0).abs() < 1e-9, "{r:?}");
    }

    #[test]
    fn zero_cpu_gives_no_ratio_rather_than_infinity() {
        let peer = [batch(10, 40)];
        let ours = [batch(10, 0)];
        assert_eq!(ratio(&peer, &ours, Batch::cpu_us), None);
    }
}
