//! The harness of the desktop end-to-end test (`tests/desktop_e2e/`): a private headless
//! desktop ([`session`]), the app's processes and a fake SMTP server ([`app`]), the tray read
//! over D-Bus ([`tray`]), PNGs as pixels ([`image`]), the toasts seen on the bus
//! ([`notifications`]), the window driven over WebDriver ([`driver`]) and what the journeys do
//! in it ([`window`], [`scheme`], [`paint`]) and the steps they all take ([`journey`]), the app in a network lab's client namespace
//! (`lab`, Linux's), the settings file on disk ([`settings_file`]), the history's probes
//! (`history`, read by the Linux journeys), soft checks ([`checks`]) and time ([`timing`]).
//!
//! Every wait here has a deadline and watches something observable (a process's output, a bus
//! property, a file, a page element); the log lines carry the time since the test started.

pub mod app;
pub mod checks;
pub mod driver;
// Read by the network-lab journeys, which are Linux's.
#[cfg(target_os = "linux")]
pub mod history;
pub mod image;
pub mod journey;
// Network namespaces are Linux's.
#[cfg(target_os = "linux")]
pub mod lab;
// Read by the network-lab journeys.
#[cfg(target_os = "linux")]
pub mod mail_policy;
pub mod notifications;
pub mod paint;
pub mod scheme;
pub mod session;
pub mod settings_file;
pub mod timing;
pub mod tray;
pub mod window;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use timing::{poll, Clock};

/// The desktop tests share two cores with WebKit: one at a time.
static DESKTOP: Mutex<()> = Mutex::new(());

/// Holds the desktop for one test until the guard is dropped.
pub fn one_at_a_time() -> MutexGuard<'static, ()> {
    DESKTOP.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Where a test keeps its screenshots and logs: `$EHLOWATCH_ARTIFACTS/<test>/`, else
/// `<target>/e2e-artifacts/<unix time>/<test>/`.
#[derive(Debug)]
pub struct Artifacts {
    /// The folder.
    pub dir: PathBuf,
}

impl Artifacts {
    /// Creates the folder for `test`.
    pub fn new(test: &str) -> Self {
        let base = std::env::var_os("EHLOWATCH_ARTIFACTS").map_or_else(
            || {
                let stamp = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                target_dir().join("e2e-artifacts").join(stamp.to_string())
            },
            PathBuf::from,
        );
        let dir = base.join(test);
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        Self { dir }
    }

    /// The path of a file in the folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Writes a file into the folder.
    pub fn save(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, String> {
        let path = self.path(name);
        std::fs::write(&path, bytes)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(path)
    }

    /// A log file in the folder, for a child's stdout or stderr.
    pub fn log_file(&self, name: &str) -> Stdio {
        let path = self.path(name);
        std::fs::File::create(&path).map_or_else(|_| Stdio::null(), Stdio::from)
    }
}

/// The cargo target directory the test binary runs from (`<target>/debug/deps/<test>`).
fn target_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().nth(3).map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("target"))
}

/// A child process in its own process group, which it shares with its own children (the app
/// and its WebKit processes under tauri-driver and `WebKitWebDriver`). Dropping it ends the
/// whole group: SIGTERM, and SIGKILL for what is left after a moment.
#[derive(Debug)]
pub struct Proc {
    /// What it is, for messages.
    pub name: String,
    child: Child,
}

impl Proc {
    /// Spawns `command` as the leader of a new process group.
    pub fn spawn(name: &str, command: &mut Command) -> Result<Self, String> {
        use std::os::unix::process::CommandExt;
        let child = command
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start {name} ({command:?}): {e}"))?;
        Ok(Self {
            name: name.to_owned(),
            child,
        })
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The child, to take its pipes.
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// `kill -9` of the process itself (not its group), reaped.
    pub fn kill_9(&mut self) -> Result<(), String> {
        self.child
            .kill()
            .map_err(|e| format!("cannot kill {}: {e}", self.name))?;
        self.child
            .wait()
            .map(drop)
            .map_err(|e| format!("cannot reap {}: {e}", self.name))
    }

    /// Waits up to `timeout` for the process to exit by itself.
    pub fn wait_exit(&mut self, timeout: Duration) -> Result<std::process::ExitStatus, String> {
        let name = self.name.clone();
        poll(
            &format!("{name} exits"),
            timeout,
            Duration::from_millis(20),
            || match self.child.try_wait() {
                Ok(Some(status)) => Ok(status),
                Ok(None) => Err("still running".to_owned()),
                Err(e) => Err(e.to_string()),
            },
        )
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let group = self.child.id();
        signal_group(group, "TERM");
        if self.wait_exit(Duration::from_secs(3)).is_err() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        // Whatever else is left in the group (grandchildren that ignored SIGTERM).
        signal_group(group, "KILL");
    }
}

/// Sends a signal to a process group with `kill(1)` (the workspace forbids `unsafe`).
fn signal_group(group: u32, signal: &str) {
    let _ = Command::new("kill")
        .args([format!("-{signal}"), "--".to_owned(), format!("-{group}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}
