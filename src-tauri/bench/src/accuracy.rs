//! Benchmark 4, timing accuracy: fake servers hold their EHLO reply for exactly `delay`, and
//! `concurrency` probes are kept in flight (closed loop, the workers' starts spread over one delay
//! so they do not move in lockstep) for a while; each probe's error is |reported latency − delay|,
//! and beside it the error against the server-side truth, |reported latency − the hold the server
//! says it made| (which takes the server's own lateness out). Delay 0 is the baseline: what
//! connect, greeting and EHLO round trips on loopback add by themselves.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ehlowatch_engine::{ProbeSpec, Prober, Verdict};
use serde::Serialize;
use tokio::runtime::Runtime;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::cpu::{Meter, ProcCpu};
use crate::delay_server::{held_ms, overshoot, worst};
use crate::probers::Server;
use crate::stats::Dist;

/// How long each cell runs.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Bounds {
    /// Keep probing at least this long, s.
    pub min_s: f64,
    /// … and until this many probes are done …
    pub min_probes: usize,
    /// … but never past this, s.
    pub max_s: f64,
}

/// One (delay, concurrency) cell.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// The injected delay, ms.
    pub delay_ms: u64,
    /// Probes in flight.
    pub concurrency: usize,
    /// |latency − delay|, ms.
    pub error_ms: Option<Dist>,
    /// |latency − the server's own hold time|, ms.
    pub truth_error_ms: Option<Dist>,
    /// Reported latency, ms (the raw figure, for the baseline).
    pub latency_ms: Option<Dist>,
    /// Probes that did not succeed.
    pub failures: usize,
    /// Probes completed per second.
    pub probes_per_s: f64,
    /// The client's CPU, % of one core.
    pub client_cpu_pct: f64,
    /// The servers' CPU, % of one core.
    pub server_cpu_pct: f64,
    /// How far past the delay the servers' replies went out, ms (their own measurement).
    pub server_overshoot_ms: Option<Dist>,
}

/// Runs one cell against `servers` (workers spread round-robin over them), all delaying by
/// `delay_ms`.
pub fn cell(
    rt: &Runtime,
    prober: &Prober,
    servers: &[Server],
    delay_ms: u64,
    concurrency: usize,
    bounds: Bounds,
) -> Cell {
    let qos = Duration::from_millis(delay_ms.max(1000) * 5);
    let specs: Arc<Vec<ProbeSpec>> = Arc::new(servers.iter().map(|s| s.spec(qos)).collect());
    let pids: Vec<u32> = servers.iter().filter_map(|s| s.pid).collect();
    let servers_before: Vec<_> = pids.iter().map(|&p| ProcCpu::of(p)).collect();
    let meter = Meter::start();
    let (latencies, failures, span) =
        rt.block_on(run(prober.clone(), specs, delay_ms, concurrency, bounds));
    let used = meter.stop();
    let server_overshoot_ms = worst(servers.iter().map(|s| overshoot(s.addr)));
    let server_cpu: Duration = pids
        .iter()
        .zip(&servers_before)
        .map(|(&p, b)| ProcCpu::of(p).since(b))
        .sum();
    let delay = delay_ms as f64;
    let mut errors: Vec<f64> = latencies.iter().map(|(l, _)| (l - delay).abs()).collect();
    let mut truth_errors: Vec<f64> = latencies
        .iter()
        .map(|(l, held)| (l - held.unwrap_or(delay)).abs())
        .collect();
    let mut sorted: Vec<f64> = latencies.iter().map(|(l, _)| *l).collect();
    let span_s = span.as_secs_f64().max(1e-9);
    let c = Cell {
        delay_ms,
        concurrency,
        error_ms: Dist::of(&mut errors),
        truth_error_ms: Dist::of(&mut truth_errors),
        latency_ms: Dist::of(&mut sorted),
        failures,
        probes_per_s: (latencies.len() + failures) as f64 / span_s,
        client_cpu_pct: used.own.as_secs_f64() / span_s * 100.0,
        server_cpu_pct: server_cpu.as_secs_f64() / span_s * 100.0,
        server_overshoot_ms,
    };
    eprintln!(
        "accuracy: delay {delay_ms} ms × {concurrency}: {} probes, {} failed, error p50/p99/max {} ms, {:.0}/s",
        latencies.len(),
        failures,
        c.error_ms.map_or("-".into(), |d| format!("{:.3}/{:.3}/{:.3}", d.p50, d.p99, d.max)),
        c.probes_per_s
    );
    c
}

async fn run(
    prober: Prober,
    specs: Arc<Vec<ProbeSpec>>,
    delay_ms: u64,
    concurrency: usize,
    bounds: Bounds,
) -> (Vec<(f64, Option<f64>)>, usize, Duration) {
    let start = Instant::now();
    let min_end = start + Duration::from_secs_f64(bounds.min_s);
    let max_end = start + Duration::from_secs_f64(bounds.max_s);
    let done = Arc::new(AtomicUsize::new(0));
    // Spread the workers' first probes over one delay (at least 10 ms).
    let spread = Duration::from_millis(delay_ms.max(10)).as_secs_f64() / concurrency.max(1) as f64;
    let mut workers = JoinSet::new();
    for w in 0..concurrency.max(1) {
        let (prober, specs, done) = (prober.clone(), specs.clone(), done.clone());
        let first = start + Duration::from_secs_f64(spread * w as f64);
        workers.spawn(async move {
            tokio::time::sleep_until(first).await;
            let spec = &specs[w % specs.len()];
            let (mut latencies, mut failures) = (Vec::new(), 0usize);
            loop {
                let now = Instant::now();
                let enough = now >= min_end && done.load(Ordering::Relaxed) >= bounds.min_probes;
                if enough || now >= max_end {
                    break;
                }
                let report = prober.probe(spec).await;
                done.fetch_add(1, Ordering::Relaxed);
                match (report.status, report.latency) {
                    (Verdict::Success, Some(l)) => {
                        latencies.push((l.as_secs_f64() * 1e3, held_ms(&report)));
                    }
                    _ => failures += 1,
                }
            }
            (latencies, failures)
        });
    }
    let (mut all, mut failed) = (Vec::new(), 0);
    while let Some(joined) = workers.join_next().await {
        if let Ok((l, f)) = joined {
            all.extend(l);
            failed += f;
        }
    }
    (all, failed, start.elapsed())
}
