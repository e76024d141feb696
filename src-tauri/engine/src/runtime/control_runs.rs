//! The coordinator's control probes: at most one run at a time, at most one run per
//! [`CONTROL_EVERY`], only to the configured hosts (none: never), awaited or aborted on
//! shutdown like every other task.

use std::time::Duration;

use tokio::task::{JoinError, JoinSet};
use tokio::time::Instant;

use crate::control::{run_control, ControlReport, CONNECT_WITHIN};

/// The least time between two runs of control probes.
pub(crate) const CONTROL_EVERY: Duration = Duration::from_secs(600);

/// Control probes: the hosts, the run in flight, when the last one started.
#[derive(Debug, Default)]
pub(super) struct ControlRuns {
    hosts: Vec<String>,
    running: JoinSet<ControlReport>,
    last: Option<Instant>,
}

impl ControlRuns {
    /// Takes the configured hosts (a configuration change); an empty list turns runs off.
    pub(crate) fn set_hosts(&mut self, hosts: Vec<String>) {
        self.hosts = hosts;
    }

    /// Starts a run when hosts are configured, none runs, and the last began long enough ago.
    /// True when one started.
    pub(crate) fn start_if_due(&mut self) -> bool {
        let due = !self.hosts.is_empty()
            && self.running.is_empty()
            && self.last.is_none_or(|at| at.elapsed() >= CONTROL_EVERY);
        if due {
            self.last = Some(Instant::now());
            let hosts = self.hosts.clone();
            self.running
                .spawn(async move { run_control(&hosts, CONNECT_WITHIN).await });
        }
        due
    }

    /// True while a run is in flight.
    pub(crate) fn pending(&self) -> bool {
        !self.running.is_empty()
    }

    /// Waits for the run in flight.
    pub(crate) async fn next(&mut self) -> Option<Result<ControlReport, JoinError>> {
        self.running.join_next().await
    }

    /// Aborts the run in flight and waits for it.
    pub(crate) async fn stop(&mut self) {
        self.running.shutdown().await;
    }
}
