//! One run of `ehlowatch check` for the real-server tests: its exit code, its output (and the
//! JSON in it, when there is one), and failures that show everything the run printed.

#![allow(dead_code)]

use std::fmt;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

/// What one `ehlowatch check …` printed and how it exited.
pub struct Run {
    pub code: Option<i32>,
    /// The JSON object on stdout, or `Null` when stdout holds none.
    pub json: Value,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Runs `ehlowatch check ARGS…` to its end (30 s at most).
    pub fn check(args: &[&str]) -> Self {
        let output = Command::cargo_bin("ehlowatch")
            .expect("the ehlowatch binary")
            .arg("check")
            .args(args)
            .timeout(Duration::from_secs(30))
            .output()
            .expect("run ehlowatch");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        Self {
            code: output.status.code(),
            json: serde_json::from_str(&stdout).unwrap_or(Value::Null),
            stdout,
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// `Ok` when `ok`, else an error naming `what` with everything the run printed.
    pub fn ensure(&self, ok: bool, what: &str) -> Result<(), String> {
        if ok {
            return Ok(());
        }
        Err(format!("{what}{self}"))
    }
}

/// Everything the run printed, for a failed assertion.
impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "\n    exit: {:?}\n    stdout: {}\n    stderr: {}",
            self.code,
            self.stdout.trim(),
            self.stderr.trim()
        )
    }
}
