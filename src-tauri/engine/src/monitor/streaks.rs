//! Consecutive verdict counts and the confirmations an alert policy asks for: a Failed verdict
//! counts toward Warning too, so a server alternating slow and dead answers is confirmed
//! degraded; zero thresholds count as one, and every-failure mode needs one Failed verdict.

use std::fmt;

use crate::model::AlertPolicy;
use crate::status::Status;
use crate::verdict::Verdict;

/// Consecutive verdict counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Streaks {
    /// Consecutive Success verdicts.
    pub success: u32,
    /// Consecutive Warning-or-Failed verdicts.
    pub warning: u32,
    /// Consecutive Failed verdicts.
    pub failed: u32,
}

impl Streaks {
    /// The counts after one more counted verdict: a Failed verdict counts toward Warning too.
    #[must_use]
    pub(crate) fn after(self, verdict: Verdict) -> Self {
        let bump = |n: u32| n.saturating_add(1);
        match verdict {
            Verdict::Success => Self {
                success: bump(self.success),
                warning: 0,
                failed: 0,
            },
            Verdict::Warning => Self {
                success: 0,
                warning: bump(self.warning),
                failed: 0,
            },
            Verdict::Failed => Self {
                success: 0,
                warning: bump(self.warning),
                failed: bump(self.failed),
            },
        }
    }
}

/// Progress toward a confirmation, for the UI: "failing 1 of 2".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pending {
    /// Failed or Warning.
    pub toward: Status,
    /// Consecutive verdicts so far.
    pub count: u32,
    /// Consecutive verdicts needed.
    pub needed: u32,
}

impl fmt::Display for Pending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.toward == Status::Failed {
            "failing"
        } else {
            "warning"
        };
        write!(f, "{what} {} of {}", self.count, self.needed)
    }
}

/// The confirmations a policy asks for.
#[derive(Clone, Copy)]
pub(super) struct Needs {
    pub failed: u32,
    pub warning: u32,
}

impl Needs {
    pub(crate) fn of(policy: &AlertPolicy) -> Self {
        let failed = if policy.every_failure {
            1
        } else {
            policy.failed_after.max(1)
        };
        Self {
            failed,
            warning: policy.warning_after.max(1),
        }
    }
}
