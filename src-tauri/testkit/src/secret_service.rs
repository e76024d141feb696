//! A private, real Secret Service for tests (Linux): a D-Bus session bus of the test's own
//! (`dbus-daemon --session` on a socket in a temporary directory) and `gnome-keyring-daemon
//! --unlock --components=secrets` on it, its login keyring unlocked with a password given on
//! stdin and kept under the test's own `XDG_DATA_HOME`. A process given [`SecretService::env`]
//! stores secrets there and nowhere else; both daemons end when it is dropped. A test that has a
//! session bus already (a whole private desktop) runs only the keyring daemon on it
//! ([`Keyring::start`]). Needs Debian's `dbus-daemon`, `gnome-keyring` and `libglib2.0-bin`
//! (`gdbus`, to see the service up).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// How long the daemons may take to come up.
const START: Duration = Duration::from_secs(10);

/// The bus and the keyring daemon; killed on drop (the keyring daemon first).
#[derive(Debug)]
pub struct SecretService {
    // Fields drop in this order: the keyring daemon, then its bus, then the directory.
    _keyring: Keyring,
    _bus: Killed,
    address: String,
    dir: TempDir,
}

/// `gnome-keyring-daemon --unlock --components=secrets` on a session bus; killed on drop.
#[derive(Debug)]
pub struct Keyring(Killed);

/// A child killed and reaped on drop.
#[derive(Debug)]
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Keyring {
    /// Runs `command` (`gnome-keyring-daemon` with the environment of the session it serves:
    /// its `DBUS_SESSION_BUS_ADDRESS`, `HOME` and XDG directories; its store goes under that
    /// `XDG_DATA_HOME`, in `keyrings/`) unlocked with a password on stdin; returns once
    /// `org.freedesktop.secrets` is owned on the bus at `address`. Panics naming the missing
    /// package when it cannot run.
    pub fn start(mut command: Command, address: &str) -> Self {
        let mut child = command
            .args(["--foreground", "--unlock", "--components=secrets"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run gnome-keyring-daemon (Debian's gnome-keyring)");
        {
            let mut stdin = child.stdin.take().expect("its stdin");
            stdin
                .write_all(b"a test keyring password")
                .expect("give the password");
        }
        let mut keyring = Self(Killed(child));
        keyring.wait_until_up(address);
        keyring
    }

    fn wait_until_up(&mut self, address: &str) {
        let deadline = Instant::now() + START;
        loop {
            let answer = Command::new("gdbus")
                .args(["call", "--session", "--dest", "org.freedesktop.DBus"])
                .args([
                    "--object-path",
                    "/",
                    "--method",
                    "org.freedesktop.DBus.NameHasOwner",
                ])
                .arg("org.freedesktop.secrets")
                .env("DBUS_SESSION_BUS_ADDRESS", address)
                .output()
                .expect("run gdbus (Debian's libglib2.0-bin)");
            if String::from_utf8_lossy(&answer.stdout).contains("true") {
                return;
            }
            if let Ok(Some(status)) = self.0 .0.try_wait() {
                panic!("gnome-keyring-daemon exited ({status}) before it was on the bus");
            }
            assert!(
                Instant::now() < deadline,
                "no Secret Service on the bus {address} within {START:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl SecretService {
    /// Starts both daemons; returns once `org.freedesktop.secrets` is on the bus. Panics naming
    /// the missing package when a daemon cannot run.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        for sub in ["data", "config", "cache", "run", "home"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("create a directory");
        }
        set_private(&dir.path().join("run"));
        let socket = dir.path().join("bus");
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .arg(format!("--address=unix:path={}", socket.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("run dbus-daemon (Debian's dbus-daemon)");
        let address = read_line(&mut bus);
        let bus = Killed(bus);
        let mut command = Command::new("gnome-keyring-daemon");
        command.envs(env_of(dir.path(), &address));
        let keyring = Keyring::start(command, &address);
        Self {
            _keyring: keyring,
            _bus: bus,
            address,
            dir,
        }
    }

    /// The environment a process uses this service with: the bus address, and `HOME` and the
    /// XDG directories inside the test's directory (see [`Self::xdg_dirs`]).
    pub fn env(&self) -> Vec<(String, String)> {
        env_of(self.dir.path(), &self.address)
    }

    /// The directories of [`Self::env`] (`HOME` and the XDG ones): everything a process given
    /// that environment may write outside the paths it is told.
    pub fn xdg_dirs(&self) -> Vec<PathBuf> {
        ["home", "data", "config", "cache", "run"]
            .iter()
            .map(|sub| self.dir.path().join(sub))
            .collect()
    }

    /// The keyring daemon's own store (encrypted), which holds the secrets by design.
    pub fn keyring_store(&self) -> PathBuf {
        self.dir.path().join("data").join("keyrings")
    }
}

/// The first line a child writes to stdout (the bus address).
fn read_line(child: &mut Child) -> String {
    use std::io::BufRead as _;
    let stdout = child.stdout.take().expect("its stdout");
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the bus address");
    let line = line.trim().to_owned();
    assert!(line.starts_with("unix:"), "dbus-daemon said {line:?}");
    line
}

/// The environment of a process on the bus at `address` with its directories under `dir`.
fn env_of(dir: &Path, address: &str) -> Vec<(String, String)> {
    let at = |sub: &str| dir.join(sub).to_string_lossy().into_owned();
    vec![
        ("DBUS_SESSION_BUS_ADDRESS".into(), address.to_owned()),
        ("HOME".into(), at("home")),
        ("XDG_DATA_HOME".into(), at("data")),
        ("XDG_CONFIG_HOME".into(), at("config")),
        ("XDG_CACHE_HOME".into(), at("cache")),
        ("XDG_RUNTIME_DIR".into(), at("run")),
    ]
}

/// `XDG_RUNTIME_DIR` must be private to its user.
fn set_private(dir: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .expect("make the runtime directory private");
}
