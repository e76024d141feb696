//! What the numbers were measured on: cores, CPU model, memory, kernel, OS, the peers'
//! versions, and the load average sampled every few seconds through the whole run (the machine
//! may be shared, and a busy neighbour shows in every figure).

use std::fs;
use std::path::Path;
use std::process::Command;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::cpu::loadavg;
use crate::stats::Spread;

/// The machine and the software measured.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    /// Logical CPUs this process may use.
    pub cpus: usize,
    /// `model name` from `/proc/cpuinfo`.
    pub cpu_model: String,
    /// `MemTotal` from `/proc/meminfo`.
    pub memory: String,
    /// The kernel release.
    pub kernel: String,
    /// `PRETTY_NAME` from `/etc/os-release`.
    pub os: String,
    /// Versions of the peers and servers, as they print them.
    pub versions: Vec<(String, String)>,
}

fn first_line_with(path: &str, key: &str) -> String {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_once([':', '=']))
        .map_or_else(
            || "?".into(),
            |(_, v)| v.trim().trim_matches('"').to_owned(),
        )
}

/// The first line a command prints (stdout, else stderr), or why it could not run.
fn version_of(program: &Path, args: &[&str]) -> String {
    match Command::new(program).args(args).output() {
        Ok(out) => {
            let text = if out.stdout.is_empty() {
                out.stderr
            } else {
                out.stdout
            };
            String::from_utf8_lossy(&text)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_owned()
        }
        Err(e) => format!("not available ({e})"),
    }
}

impl Machine {
    /// Describes this machine and the given peers.
    pub fn describe(check_smtp: &Path, blackbox: &Path) -> Self {
        let versions = vec![
            ("check_smtp".into(), version_of(check_smtp, &["-V"])),
            (
                "blackbox_exporter".into(),
                version_of(blackbox, &["--version"]),
            ),
            (
                "postfix".into(),
                version_of(Path::new("/usr/sbin/postconf"), &["-d", "mail_version"]),
            ),
        ];
        Self {
            cpus: std::thread::available_parallelism().map_or(0, std::num::NonZero::get),
            cpu_model: first_line_with("/proc/cpuinfo", "model name"),
            memory: first_line_with("/proc/meminfo", "MemTotal"),
            kernel: fs::read_to_string("/proc/sys/kernel/osrelease")
                .unwrap_or_default()
                .trim()
                .to_owned(),
            os: first_line_with("/etc/os-release", "PRETTY_NAME"),
            versions,
        }
    }
}

/// One load-average sample.
#[derive(Debug, Clone, Serialize)]
pub struct LoadSample {
    /// Seconds since the run started.
    pub t_s: f64,
    /// The section running then.
    pub section: String,
    /// 1-, 5- and 15-minute load averages.
    pub load: [f64; 3],
}

/// The load through the run.
#[derive(Debug, Clone, Serialize)]
pub struct LoadLog {
    /// Every sample.
    pub samples: Vec<LoadSample>,
    /// The 1-minute load average over the samples.
    pub load1: Option<Spread>,
}

/// Samples `/proc/loadavg` on a thread until stopped.
#[derive(Debug)]
pub struct LoadSampler {
    section: Arc<Mutex<String>>,
    stop: mpsc::Sender<()>,
    thread: JoinHandle<Vec<LoadSample>>,
}

impl LoadSampler {
    /// Starts sampling every `every`.
    pub fn start(every: Duration) -> Self {
        let section = Arc::new(Mutex::new(String::from("setup")));
        let (stop, stopped) = mpsc::channel::<()>();
        let now = section.clone();
        let started = Instant::now();
        let thread = std::thread::spawn(move || {
            let mut samples = Vec::new();
            loop {
                samples.push(LoadSample {
                    t_s: started.elapsed().as_secs_f64(),
                    section: now.lock().unwrap_or_else(PoisonError::into_inner).clone(),
                    load: loadavg(),
                });
                if stopped.recv_timeout(every) != Err(mpsc::RecvTimeoutError::Timeout) {
                    return samples;
                }
            }
        });
        Self {
            section,
            stop,
            thread,
        }
    }

    /// Names the section now running.
    pub fn section(&self, name: &str) {
        name.clone_into(&mut self.section.lock().unwrap_or_else(PoisonError::into_inner));
    }

    /// Stops and returns the samples.
    pub fn finish(self) -> LoadLog {
        let _ = self.stop.send(());
        let samples = self.thread.join().unwrap_or_default();
        let load1 = Spread::of(&samples.iter().map(|s| s.load[0]).collect::<Vec<_>>());
        LoadLog { samples, load1 }
    }
}
