//! One task per monitor (gatus `watchdog/endpoint.go` is the model): the first probe right away
//! (staggered by the caller so thousands of monitors do not fire in the same millisecond), then
//! every interval with jitter, a faster confirmation re-probe after a bad result, "check now" on
//! demand, and a global semaphore so that concurrent probes stay few enough for honest timings.
//!
//! Ticks sit on a grid of the interval (see [`ticks`]): a tick that fell due while the previous
//! probe was still running is dropped, so a stalled probe skips the ticks it missed instead of
//! firing them in a burst. Each probe starts at a random point in the first fifth of its period,
//! so starts sit within ±10 % of the interval around the period's 10 % mark and monitors that
//! share an interval drift apart; the task sleeps once, straight to that start. Those random
//! points lie on one grid shared by every task ([`StartGrid`]), so probes due in the same 100 ms
//! start on one wake-up.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, Notify, Semaphore};
use tokio::time::{sleep_until, Instant};
use tokio_util::sync::CancellationToken;

use crate::domain::SharedDomainProber;
use crate::model::{AlertPolicy, MonitorId};
use crate::probe::{ProbeReport, ProbeSpec, Prober};
use crate::verdict::Verdict;
pub(crate) use start_grid::StartGrid;
use ticks::Ticks;

mod start_grid;
mod ticks;

/// What a monitor task needs to know about its monitor.
#[derive(Debug, Clone)]
pub(crate) struct TaskPlan {
    /// Which monitor.
    pub id: MonitorId,
    /// Bumped whenever the monitor's settings change, so late results of an old task are dropped.
    pub generation: u64,
    /// What to probe.
    pub spec: ProbeSpec,
    /// Time between probes.
    pub interval: Duration,
    /// Time to the confirmation re-probe after a bad result.
    pub retry: Duration,
    /// How many bad results in a row the alert policy waits for.
    pub confirmations: u32,
    /// Delay of the first probe (stagger).
    pub first_delay: Duration,
}

impl TaskPlan {
    /// The confirmations the policy needs before it alerts: the larger of its two thresholds.
    pub(crate) fn confirmations_of(policy: &AlertPolicy) -> u32 {
        policy.failed_after.max(policy.warning_after).max(1)
    }
}

/// One finished probe, as the task hands it over.
#[derive(Debug)]
pub(crate) struct ProbeDone {
    /// Which monitor.
    pub id: MonitorId,
    /// The generation of the task that ran it.
    pub generation: u64,
    /// The report.
    pub report: ProbeReport,
    /// When the probe was due (tick plus jitter, or the retry or check-now instant).
    pub planned: Instant,
    /// When it actually started (after waiting for a semaphore permit).
    pub started: Instant,
    /// When it finished.
    pub finished: Instant,
    /// When the task plans to probe next.
    pub next: Instant,
}

/// What is shared by every monitor task.
#[derive(Debug, Clone)]
pub(crate) struct TaskContext {
    /// The prober (shared TLS configurations).
    pub prober: Prober,
    /// The prober of mail domains (the `[dns]` resolver and its cache).
    pub domains: Arc<SharedDomainProber>,
    /// Bounds the probes in flight.
    pub permits: Arc<Semaphore>,
    /// Where the jittered starts of every task sit.
    pub starts: StartGrid,
    /// Where results go.
    pub results: mpsc::Sender<ProbeDone>,
}

/// The controls of a running monitor task.
#[derive(Debug, Clone)]
pub(crate) struct TaskControl {
    /// Stops the task.
    pub cancel: CancellationToken,
    /// Wakes it for an immediate probe.
    pub check_now: Arc<Notify>,
}

impl TaskControl {
    /// Controls for a task that stops with `parent`.
    pub(crate) fn child_of(parent: &CancellationToken) -> Self {
        Self {
            cancel: parent.child_token(),
            check_now: Arc::new(Notify::new()),
        }
    }
}

/// One probe of a host, or of a mail domain's MX hosts.
async fn probe(ctx: &TaskContext, spec: &ProbeSpec) -> ProbeReport {
    ctx.domains.probe_monitor(&ctx.prober, spec).await
}

/// Runs a monitor until cancelled.
pub(crate) async fn run_monitor(plan: TaskPlan, ctx: TaskContext, control: TaskControl) {
    let TaskControl { cancel, check_now } = control;
    let mut ticks = Ticks::new(Instant::now() + plan.first_delay, plan.interval, ctx.starts);
    let mut retry_at: Option<Instant> = None;
    let mut bad_streak = 0u32;
    loop {
        // A retry after the next tick is dropped: that tick's probe comes first.
        let retry = retry_at.filter(|&at| at <= ticks.next());
        let planned = tokio::select! {
            biased;
            () = cancel.cancelled() => return,
            () = check_now.notified() => {
                let now = Instant::now();
                ticks.restart(now);
                now
            }
            () = sleep_until(retry.unwrap_or_else(Instant::now)), if retry.is_some() => Instant::now(),
            () = sleep_until(ticks.start()) => ticks.take(),
        };
        let permit = tokio::select! {
            () = cancel.cancelled() => return,
            permit = ctx.permits.acquire() => permit,
        };
        let started = Instant::now();
        let report = tokio::select! {
            () = cancel.cancelled() => return,
            report = probe(&ctx, &plan.spec) => report,
        };
        drop(permit);
        let finished = Instant::now();
        ticks.finished(finished);
        bad_streak = if report.status == Verdict::Success {
            0
        } else {
            bad_streak.saturating_add(1)
        };
        if bad_streak > 0 && bad_streak < plan.confirmations {
            retry_at = Some(finished + plan.retry);
        } else {
            retry_at = None;
        }
        let done = ProbeDone {
            id: plan.id.clone(),
            generation: plan.generation,
            report,
            planned,
            started,
            finished,
            next: retry_at.unwrap_or_else(|| ticks.next()),
        };
        if ctx.results.send(done).await.is_err() {
            return;
        }
    }
}

/// The first-probe delay of monitor `index` of `count`: spread evenly over
/// `min(interval, count × 10 ms)`, so a handful start at once and ten thousand over a minute.
pub(crate) fn stagger(index: usize, count: usize, interval: Duration) -> Duration {
    if count <= 1 {
        return Duration::ZERO;
    }
    let spread = interval.min(Duration::from_millis(10) * u32::try_from(count).unwrap_or(u32::MAX));
    spread.mul_f64(index as f64 / count as f64)
}

#[cfg(test)]
mod tests;
