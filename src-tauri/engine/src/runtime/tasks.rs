//! The monitor tasks the coordinator runs: one per enabled monitor, sharing one probe context
//! (the prober and a semaphore bounding the probes in flight), each numbered by a generation so
//! that late results of a replaced task are dropped, all stopped by one cancellation token and
//! awaited on shutdown — nothing is detached.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, Semaphore};
use tokio::task::{JoinError, JoinSet};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::entry::Entry;
use super::options::EngineOptions;
use crate::config::Config;
use crate::probe::Prober;
use crate::scheduler::{run_monitor, ProbeDone, StartGrid, TaskContext, TaskControl};

/// Every running monitor task.
#[derive(Debug)]
pub(super) struct Tasks {
    ctx: TaskContext,
    set: JoinSet<()>,
    stop: CancellationToken,
    generation: u64,
}

impl Tasks {
    /// No tasks yet; those started send their results to `results` and stop with `shutdown`.
    pub(crate) fn new(
        options: &EngineOptions,
        results: mpsc::Sender<ProbeDone>,
        shutdown: &CancellationToken,
    ) -> Self {
        Self {
            ctx: TaskContext {
                prober: Prober::new(),
                domains: Arc::default(),
                permits: Arc::new(Semaphore::new(options.max_concurrent_probes.max(1))),
                starts: StartGrid::new(Instant::now()),
                results,
            },
            set: JoinSet::new(),
            stop: shutdown.child_token(),
            generation: 0,
        }
    }

    /// The next generation number; every (re)start of a monitor takes one.
    pub(crate) fn next_generation(&mut self) -> u64 {
        self.generation += 1;
        self.generation
    }

    /// Starts `entry`'s task as generation `generation`, its first probe `first_delay` from now.
    pub(crate) fn start(&mut self, entry: &mut Entry, generation: u64, first_delay: Duration) {
        let plan = entry.plan(generation, first_delay);
        let control = TaskControl::child_of(&self.stop);
        entry.generation = generation;
        entry.task = Some(control.clone());
        self.set.spawn(run_monitor(plan, self.ctx.clone(), control));
    }

    /// Uses the `[dns]` and `[mail_policy]` settings of `config` for mail domains from every
    /// task's next probe on.
    pub(crate) fn set_domain_settings(&self, config: &Config) {
        self.ctx
            .domains
            .configure(&self.ctx.prober, &config.dns, &config.mail_policy);
    }

    /// True when no task runs.
    pub(crate) fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// Waits for a task to end.
    pub(crate) async fn join_next(&mut self) -> Option<Result<(), JoinError>> {
        self.set.join_next().await
    }

    /// Cancels every task and waits for all of them.
    pub(crate) async fn stop_all(&mut self) {
        self.stop.cancel();
        while self.set.join_next().await.is_some() {}
    }
}
