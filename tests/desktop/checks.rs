//! Soft checks for a journey with many stages: each failure is logged and the test fails at the
//! end with all of them, so one missing piece (the window, say) does not hide the others.

use super::Clock;

/// Stage checks that do not stop the test.
#[derive(Debug)]
pub struct Checks {
    clock: Clock,
    failed: Vec<String>,
}

impl Checks {
    /// No check made yet; results are logged on `clock`.
    pub fn new(clock: Clock) -> Self {
        Self {
            clock,
            failed: Vec::new(),
        }
    }

    /// Logs `what` as ok or failed; the value when it held.
    pub fn check<T>(&mut self, what: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => {
                self.clock.log(format!("ok: {what}"));
                Some(value)
            }
            Err(e) => {
                self.clock.log(format!("FAILED: {what}: {e}"));
                self.failed.push(format!("{what}: {e}"));
                None
            }
        }
    }

    /// Ends the test now, when what follows cannot run.
    pub fn give_up(&self, why: &str) -> ! {
        panic!(
            "{why}; {} check(s) failed:\n- {}",
            self.failed.len(),
            self.failed.join("\n- ")
        )
    }

    /// Fails the test when any check failed.
    pub fn finish(self) {
        assert!(
            self.failed.is_empty(),
            "{} check(s) failed:\n- {}",
            self.failed.len(),
            self.failed.join("\n- ")
        );
    }
}
