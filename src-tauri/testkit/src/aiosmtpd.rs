//! A real SMTP server nobody on this project wrote, beside Postfix: Debian's `python3-aiosmtpd`
//! run by `aiosmtpd/server.py` (in this crate) on a free loopback port, its EHLO reply shaped by
//! a [`Mode`] through aiosmtpd's `handle_EHLO` hook. Stopped on drop.
//!
//! Needs Debian's `python3` and `python3-aiosmtpd`; `scripts/test` installs them.

use std::fs;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Debian's interpreter, which sees the packaged `aiosmtpd` (a Python of another origin on
/// `PATH` may not).
const PYTHON: &str = "/usr/bin/python3";

/// The server script.
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/aiosmtpd/server.py");

/// How long the server may take to listen.
const READY_WITHIN: Duration = Duration::from_secs(20);

/// How the server answers EHLO.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// aiosmtpd's own reply (`250-aiosmtpd.test`, `SIZE`, `8BITMIME`, `HELP`).
    Healthy,
    /// The same reply, this long after the EHLO.
    Late(Duration),
    /// The reply's first line (`250-aiosmtpd.test`) at once, the rest this long after.
    Partial(Duration),
    /// `550 5.7.1 Client host rejected: blocked using zen.spamhaus.example`.
    Reject,
}

/// A running aiosmtpd. Dropping it kills the server.
#[derive(Debug)]
pub struct Aiosmtpd {
    child: Child,
    addr: SocketAddr,
    _stderr: tempfile::NamedTempFile,
}

impl Aiosmtpd {
    /// The name the server gives itself in its greeting and EHLO reply.
    pub const HOSTNAME: &'static str = "aiosmtpd.test";

    /// Starts the server in `mode` and returns once it listens. The error says what is missing
    /// or quotes what the server printed.
    pub fn start(mode: Mode) -> Result<Self, String> {
        let millis = |d: Duration| d.as_millis().to_string();
        let args = match mode {
            Mode::Healthy => vec!["healthy".to_owned()],
            Mode::Late(delay) => vec!["late".to_owned(), millis(delay)],
            Mode::Partial(stall) => vec!["partial".to_owned(), millis(stall)],
            Mode::Reject => vec!["reject".to_owned()],
        };
        let stderr = tempfile::NamedTempFile::new()
            .map_err(|e| format!("cannot create a file for aiosmtpd's stderr: {e}"))?;
        let stderr_sink = stderr
            .reopen()
            .map_err(|e| format!("cannot open {}: {e}", stderr.path().display()))?;
        let mut child = Command::new(PYTHON)
            .arg(SCRIPT)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr_sink)
            .spawn()
            .map_err(|e| format!("cannot run {PYTHON} {SCRIPT}: {e}"))?;
        let said = child.stdout.take().and_then(first_line);
        let addr = said
            .as_deref()
            .and_then(|line| line.strip_prefix("listening on "))
            .and_then(|addr| addr.trim().parse().ok());
        let Some(addr) = addr else {
            let _ = child.kill();
            let _ = child.wait();
            let errors = fs::read_to_string(stderr.path()).unwrap_or_default();
            return Err(format!(
                "{SCRIPT} {args:?} did not say `listening on IP:PORT` within {READY_WITHIN:?} \
                 (stdout: {said:?}); install Debian's python3-aiosmtpd if it is missing. \
                 stderr:\n{errors}"
            ));
        };
        Ok(Self {
            child,
            addr,
            _stderr: stderr,
        })
    }

    /// The port it listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }
}

impl Drop for Aiosmtpd {
    fn drop(&mut self) {
        if let Err(e) = self.child.kill() {
            eprintln!("warning: stopping aiosmtpd: {e}");
        }
        let _ = self.child.wait();
    }
}

/// The first line of a child's stdout within [`READY_WITHIN`] (read on a thread, so a silent
/// child cannot hang the caller), or `None`; the rest is drained and dropped.
fn first_line(stdout: impl std::io::Read + Send + 'static) -> Option<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        if reader.read_line(&mut line).is_ok_and(|n| n > 0) {
            let _ = tx.send(line);
        }
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    rx.recv_timeout(READY_WITHIN).ok()
}
