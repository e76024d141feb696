//! The per-monitor task under paused tokio time, against fake SMTP servers on loopback: the
//! first probe at once, jitter inside its bounds, no burst after a stall (Skip), the faster
//! confirmation re-probe after a failure, "check now", and cancellation.

use std::sync::Arc;
use std::time::Duration;

use super::{run_monitor, stagger, ProbeDone, StartGrid, TaskContext, TaskControl, TaskPlan};
use crate::MonitorId;
use crate::Verdict;
use crate::{ProbeSpec, Prober};
use ehlowatch_testkit::{FakeSmtp, Script};
use tokio::sync::{mpsc, Semaphore};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

const INTERVAL: Duration = Duration::from_secs(60);
const RETRY: Duration = Duration::from_secs(10);

struct Running {
    results: mpsc::Receiver<ProbeDone>,
    control: TaskControl,
    permits: Arc<Semaphore>,
    /// The origin of the tasks' start grid.
    grid_origin: Instant,
    task: tokio::task::JoinHandle<()>,
    _server: FakeSmtp,
}

async fn start(script: Script, confirmations: u32) -> Running {
    let server = FakeSmtp::start(script).await;
    let mut spec = ProbeSpec::new("127.0.0.1", server.port());
    spec.ehlo_name = Some("probe.test".into());
    let plan = TaskPlan {
        id: MonitorId::from("m"),
        generation: 1,
        spec,
        interval: INTERVAL,
        retry: RETRY,
        confirmations,
        first_delay: Duration::ZERO,
    };
    let (tx, results) = mpsc::channel(16);
    let permits = Arc::new(Semaphore::new(4));
    let grid_origin = Instant::now();
    let ctx = TaskContext {
        prober: Prober::new(),
        domains: std::sync::Arc::default(),
        permits: permits.clone(),
        starts: StartGrid::new(grid_origin),
        results: tx,
    };
    let control = TaskControl::child_of(&CancellationToken::new());
    let task = tokio::spawn(run_monitor(plan, ctx, control.clone()));
    Running {
        results,
        control,
        permits,
        grid_origin,
        task,
        _server: server,
    }
}

async fn next(run: &mut Running) -> ProbeDone {
    run.results.recv().await.expect("the task sends results")
}

#[tokio::test(start_paused = true)]
async fn first_probe_at_once_then_every_interval_within_the_jitter_bounds() {
    let t0 = Instant::now();
    let mut run = start(Script::healthy(), 2).await;
    let first = next(&mut run).await;
    assert_eq!(first.planned, t0, "the first probe is not delayed");
    assert_eq!(first.report.status, Verdict::Success);
    let mut offsets = Vec::new();
    for k in 1..=30u32 {
        let done = next(&mut run).await;
        let tick = t0 + INTERVAL * k;
        assert!(done.planned >= tick, "probe {k} planned before its tick");
        let offset = done.planned - tick;
        assert!(
            offset < INTERVAL / 5,
            "probe {k} is {offset:?} after its tick, beyond a fifth of the interval"
        );
        assert!(done.started >= done.planned);
        assert_eq!(
            (done.planned - run.grid_origin).as_nanos() % super::start_grid::STEP.as_nanos(),
            0,
            "probe {k} starts off the shared grid"
        );
        offsets.push(offset);
    }
    // The jitter is real: thirty probes do not all start at the same offset.
    offsets.sort();
    assert!(
        offsets[29] - offsets[0] > Duration::from_secs(1),
        "no jitter: {offsets:?}"
    );
    run.control.cancel.cancel();
    run.task.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_stall_skips_missed_ticks_instead_of_bursting() {
    let t0 = Instant::now();
    let mut run = start(Script::healthy(), 2).await;
    next(&mut run).await;
    // Hold every permit for three and a half intervals: the probe due at t0+60 s waits.
    let held = run.permits.clone().acquire_many_owned(4).await.unwrap();
    tokio::time::sleep_until(t0 + INTERVAL * 7 / 2).await;
    drop(held);
    let late = next(&mut run).await;
    assert!(
        late.started >= t0 + INTERVAL * 7 / 2,
        "it waited for the permit"
    );
    assert!(
        late.started - late.planned >= INTERVAL * 2,
        "the lag shows the stall"
    );
    // Skip: the next probe comes at the next grid point after the stall (t0 + 4 intervals),
    // not right away to catch up on the ticks it missed.
    let after = next(&mut run).await;
    assert!(
        after.planned >= t0 + INTERVAL * 4,
        "burst after a stall: {:?}",
        after.planned - t0
    );
    assert!(after.planned < t0 + INTERVAL * 4 + INTERVAL / 5);
    run.control.cancel.cancel();
}

#[tokio::test(start_paused = true)]
async fn a_failure_is_confirmed_after_the_retry_delay_then_back_to_the_interval() {
    let failing = Script::new()
        .send("554 5.3.2 go away\r\n")
        .expect()
        .send("221 bye\r\n");
    let t0 = Instant::now();
    let mut run = start(failing, 2).await;
    let first = next(&mut run).await;
    assert_eq!(first.report.status, Verdict::Failed);
    assert_eq!(
        first.next,
        first.finished + RETRY,
        "the next probe is the confirmation re-probe"
    );
    let second = next(&mut run).await;
    assert_eq!(second.planned, first.finished + RETRY);
    // Confirmed: back to the interval grid, no third quick retry.
    let third = next(&mut run).await;
    assert!(third.planned >= t0 + INTERVAL, "{:?}", third.planned - t0);
    run.control.cancel.cancel();
}

#[tokio::test(start_paused = true)]
async fn check_now_probes_at_once_and_restarts_the_period() {
    let t0 = Instant::now();
    let mut run = start(Script::healthy(), 2).await;
    next(&mut run).await;
    tokio::time::sleep(Duration::from_secs(25)).await;
    run.control.check_now.notify_one();
    let now_probe = next(&mut run).await;
    assert_eq!(now_probe.planned, t0 + Duration::from_secs(25));
    let following = next(&mut run).await;
    assert!(
        following.planned >= t0 + Duration::from_secs(85),
        "the period restarts at the check"
    );
    run.control.cancel.cancel();
}

#[tokio::test(start_paused = true)]
async fn cancellation_ends_the_task_between_probes() {
    let mut run = start(Script::healthy(), 2).await;
    next(&mut run).await;
    run.control.cancel.cancel();
    tokio::time::timeout(Duration::from_secs(1), run.task)
        .await
        .expect("the task ends")
        .unwrap();
}

#[test]
fn stagger_spreads_first_probes() {
    assert_eq!(stagger(0, 1, INTERVAL), Duration::ZERO);
    // Ten monitors: within 100 ms.
    assert_eq!(stagger(9, 10, INTERVAL), Duration::from_millis(90));
    // Ten thousand: over the whole interval, about 6 ms apart.
    assert_eq!(stagger(5_000, 10_000, INTERVAL), Duration::from_secs(30));
    assert!(stagger(9_999, 10_000, INTERVAL) < INTERVAL);
}
