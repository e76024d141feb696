//! Benchmark 2, throughput: probes are started open-loop at a fixed offered rate against
//! delaying servers that hold every EHLO reply for `delay` and say how long they really held it
//! (the server-side truth), and the rate steps up. A step is *within* when every probe
//! succeeds, every |latency − truth| is within the tolerance and the achieved rate keeps up
//! with the offered one; it is *within at p99* when the same holds for the 99th percentile
//! instead of every probe. A step that is not within is tried once more (the machine may be
//! shared); the search stops at the first step not within even at p99. Each figure is the
//! highest rate up to which *every* step kept its rule, so one lucky step above a failed one
//! does not count.

use std::sync::Arc;
use std::time::Duration;

use ehlowatch_engine::{ProbeSpec, Prober, Verdict};
use serde::Serialize;
use tokio::runtime::Runtime;
use tokio::task::JoinSet;
use tokio::time::{Instant, MissedTickBehavior};

use crate::cpu::{Meter, ProcCpu};
use crate::delay_server::{held_ms, overshoot, worst};
use crate::probers::Server;
use crate::stats::Dist;

/// How the search runs.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// The EHLO delay the servers inject, ms.
    pub delay_ms: u64,
    /// Largest allowed |latency − delay|, ms.
    pub tolerance_ms: f64,
    /// How long each step offers its rate, s.
    pub step_s: f64,
    /// Offered rates to try, probes/s, ascending.
    pub rates: Vec<f64>,
    /// The achieved rate must be at least this share of the offered one.
    pub keep_up: f64,
}

/// One step of the search.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// Offered probes/s.
    pub offered: f64,
    /// Completed probes ÷ time from the first start to the last completion.
    pub achieved: f64,
    /// Probes that did not succeed.
    pub failures: usize,
    /// |latency − delay| in ms.
    pub error_ms: Option<Dist>,
    /// |latency − the server's own hold time| in ms: the error against the server-side truth.
    pub truth_error_ms: Option<Dist>,
    /// Every probe within the tolerance of the truth, none failed, the rate kept up.
    pub within: bool,
    /// The same with the 99th percentile in place of every probe.
    pub within_p99: bool,
    /// The client's CPU, % of one core.
    pub client_cpu_pct: f64,
    /// The servers' CPU, % of one core.
    pub server_cpu_pct: f64,
    /// The whole machine's busy CPU, % of all cores.
    pub machine_busy_pct: f64,
    /// How far past the delay the servers' replies went out, ms (their own measurement).
    pub server_overshoot_ms: Option<Dist>,
}

/// What the search found.
#[derive(Debug, Clone, Serialize)]
pub struct Found {
    /// The plan it followed.
    pub plan: Plan,
    /// Every step run, retries included, in order.
    pub steps: Vec<Step>,
    /// The highest offered rate up to which every step was within.
    pub best: Option<f64>,
    /// The highest offered rate up to which every step was within at p99.
    pub best_p99: Option<f64>,
}

/// Runs the search against `servers` (probes go round-robin over them).
pub fn search(rt: &Runtime, prober: &Prober, servers: &[Server], plan: &Plan) -> Found {
    let mut steps = Vec::new();
    let (mut best, mut best_p99) = (None, None);
    for &rate in &plan.rates {
        let mut step = run_step(rt, prober, servers, plan, rate);
        report(&step);
        if !step.within {
            let first = step;
            eprintln!("throughput: {rate}/s not within; trying it once more");
            step = run_step(rt, prober, servers, plan, rate);
            report(&step);
            if first.within_p99 && !step.within_p99 {
                step.within_p99 = true;
            }
            steps.push(first);
        }
        let (within, within_p99) = (step.within, step.within_p99);
        steps.push(step);
        if within && best_p99 == best {
            // Every step so far was within: the strict figure may still rise.
            best = Some(rate);
        }
        if !within_p99 {
            break;
        }
        best_p99 = Some(rate);
    }
    Found {
        plan: plan.clone(),
        steps,
        best,
        best_p99,
    }
}

fn report(step: &Step) {
    eprintln!(
        "throughput: offered {:.0}/s achieved {:.0}/s failures {} error vs truth p50/p99/max {} ms, client {:.0}% server {:.0}% machine {:.0}% -> {}",
        step.offered,
        step.achieved,
        step.failures,
        step.truth_error_ms.map_or("-".into(), |d| format!(
            "{:.2}/{:.2}/{:.2}",
            d.p50, d.p99, d.max
        )),
        step.client_cpu_pct,
        step.server_cpu_pct,
        step.machine_busy_pct,
        match (step.within, step.within_p99) {
            (true, _) => "within",
            (false, true) => "within at p99 only",
            (false, false) => "NOT within",
        }
    );
}

/// One probe's outcome when it succeeded: latency and the server's hold time, in ms.
type Outcome = Option<(f64, Option<f64>)>;

fn run_step(rt: &Runtime, prober: &Prober, servers: &[Server], plan: &Plan, rate: f64) -> Step {
    let qos = Duration::from_millis(plan.delay_ms.max(1000) * 5);
    let specs: Arc<Vec<ProbeSpec>> = Arc::new(servers.iter().map(|s| s.spec(qos)).collect());
    let total = ((rate * plan.step_s).round() as usize).max(1);
    let server_pids: Vec<u32> = servers.iter().filter_map(|s| s.pid).collect();
    let server_before: Vec<_> = server_pids.iter().map(|&p| ProcCpu::of(p)).collect();
    let meter = Meter::start();
    let (outcomes, span) = rt.block_on(offer(prober.clone(), specs, rate, total));
    let used = meter.stop();
    let server_overshoot_ms = worst(servers.iter().map(|s| overshoot(s.addr)));
    let server_cpu: Duration = server_pids
        .iter()
        .zip(&server_before)
        .map(|(&p, b)| ProcCpu::of(p).since(b))
        .sum();
    let delay = plan.delay_ms as f64;
    let mut errors: Vec<f64> = outcomes
        .iter()
        .flatten()
        .map(|(l, _)| (l - delay).abs())
        .collect();
    let mut truth_errors: Vec<f64> = outcomes
        .iter()
        .flatten()
        .map(|(l, held)| (l - held.unwrap_or(delay)).abs())
        .collect();
    let failures = outcomes.iter().filter(|o| o.is_none()).count();
    let error_ms = Dist::of(&mut errors);
    let truth_error_ms = Dist::of(&mut truth_errors);
    let achieved = outcomes.len() as f64 / span.as_secs_f64().max(1e-9);
    // The last start is due at (total-1)/rate, the last answer one delay after it.
    let ideal = (total.saturating_sub(1)) as f64 / rate + delay / 1e3;
    let ideal_rate = outcomes.len() as f64 / ideal.max(1e-9);
    let kept_up = failures == 0 && achieved >= plan.keep_up * ideal_rate;
    let within = kept_up && truth_error_ms.is_some_and(|d| d.max <= plan.tolerance_ms);
    let within_p99 = kept_up && truth_error_ms.is_some_and(|d| d.p99 <= plan.tolerance_ms);
    let span_s = span.as_secs_f64().max(1e-9);
    Step {
        offered: rate,
        achieved,
        failures,
        error_ms,
        truth_error_ms,
        within,
        within_p99,
        client_cpu_pct: used.own.as_secs_f64() / span_s * 100.0,
        server_cpu_pct: server_cpu.as_secs_f64() / span_s * 100.0,
        machine_busy_pct: used.machine_busy.as_secs_f64()
            / used.machine_total.as_secs_f64().max(1e-9)
            * 100.0,
        server_overshoot_ms,
    }
}

/// Starts `total` probes at `rate` per second (catching up each millisecond tick, so the
/// offered rate holds even above 1000/s) and collects their outcomes; also returns the time
/// from the first start to the last completion.
async fn offer(
    prober: Prober,
    specs: Arc<Vec<ProbeSpec>>,
    rate: f64,
    total: usize,
) -> (Vec<Outcome>, Duration) {
    let mut running = JoinSet::new();
    let mut outcomes = Vec::with_capacity(total);
    let start = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut started = 0usize;
    while started < total {
        tick.tick().await;
        let due = ((start.elapsed().as_secs_f64() * rate) as usize + 1).min(total);
        while started < due {
            let (prober, specs) = (prober.clone(), specs.clone());
            let i = started;
            running.spawn(async move {
                let report = prober.probe(&specs[i % specs.len()]).await;
                match (report.status, report.latency) {
                    (Verdict::Success, Some(l)) => Some((l.as_secs_f64() * 1e3, held_ms(&report))),
                    _ => None,
                }
            });
            started += 1;
        }
        while let Some(done) = running.try_join_next() {
            outcomes.push(done.unwrap_or(None));
        }
    }
    while let Some(done) = running.join_next().await {
        outcomes.push(done.unwrap_or(None));
    }
    (outcomes, start.elapsed())
}
