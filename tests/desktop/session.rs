//! A private headless desktop: Xvfb on a display number it picks itself (`-displayfd`), a
//! private D-Bus session daemon, the `dunst` notification daemon, the `StatusNotifierItem`
//! watcher and, when installed, a visible SNI tray bar (`gtk-sni-tray-standalone`) so the
//! screenshots show the tray. `HOME`, `XDG_RUNTIME_DIR` (where the tray icon's PNGs go) and the
//! XDG folders point into a temporary directory, so nothing is shared with other runs. Every
//! child is ended when the session is dropped.

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use zbus::blocking::Connection;

use super::{poll, Artifacts, Clock, Proc};

/// How long each part of the desktop may take to come up.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// The longest a D-Bus call may take (calls to a stuck peer must not hang the test).
const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// The well-known names the session waits for.
const NOTIFICATIONS: &str = "org.freedesktop.Notifications";
/// The SNI watcher's name.
pub const WATCHER: &str = "org.kde.StatusNotifierWatcher";

/// A running headless desktop.
#[derive(Debug)]
pub struct Session {
    /// `:N`.
    pub display: String,
    /// The D-Bus address of the session bus.
    pub bus_address: String,
    /// A connection of the test's own to the session bus.
    pub bus: Connection,
    env: Vec<(String, OsString)>,
    // Dropped last to first: the tray bar, the watcher, dunst, the bus, the X server.
    children: Vec<Proc>,
    // Held for the session's lifetime; read by the Linux journeys ([`Self::root`]).
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    dir: tempfile::TempDir,
}

impl Session {
    /// Starts Xvfb, the bus, dunst, the SNI watcher and the tray bar, in that order, each
    /// waited for; their logs go into `artifacts`.
    pub fn start(artifacts: &Artifacts, clock: &Clock) -> Result<Self, String> {
        let dir = tempfile::Builder::new()
            .prefix("ehlowatch-desktop-")
            .tempdir()
            .map_err(|e| format!("temporary directory: {e}"))?;
        let env = private_env(dir.path())?;
        let mut children = Vec::new();

        let (xvfb, display) = start_xvfb(artifacts, &env)?;
        children.push(xvfb);
        clock.log(format!("Xvfb is on {display}"));

        let socket = dir.path().join("bus");
        let bus_address = format!("unix:path={}", socket.display());
        let mut env = env;
        env.push(("DISPLAY".into(), display.clone().into()));
        env.push((
            "DBUS_SESSION_BUS_ADDRESS".into(),
            bus_address.clone().into(),
        ));
        let mut daemon = Command::new("dbus-daemon");
        daemon
            .args(["--session", "--nofork", "--nopidfile"])
            .arg(format!("--address={bus_address}"))
            .stdout(artifacts.log_file("dbus-daemon.log"))
            .stderr(artifacts.log_file("dbus-daemon.err"));
        apply(&mut daemon, &env);
        children.push(Proc::spawn("dbus-daemon", &mut daemon)?);
        let bus = poll(
            "the session bus accepts connections",
            START_TIMEOUT,
            Duration::from_millis(20),
            || connect(&bus_address),
        )?;
        clock.log(format!("private session bus at {bus_address}"));

        let mut session = Self {
            display,
            bus_address,
            bus,
            env,
            children,
            dir,
        };

        let mut dunst = session.command("dunst");
        dunst
            .stdout(artifacts.log_file("dunst.log"))
            .stderr(artifacts.log_file("dunst.err"));
        session.children.push(Proc::spawn("dunst", &mut dunst)?);
        session.wait_for_name(NOTIFICATIONS)?;
        clock.log("dunst owns org.freedesktop.Notifications");

        let mut watcher = session.command("status-notifier-watcher");
        watcher
            .stdout(artifacts.log_file("watcher.log"))
            .stderr(artifacts.log_file("watcher.err"));
        session
            .children
            .push(Proc::spawn("status-notifier-watcher", &mut watcher)?);
        session.wait_for_name(WATCHER)?;
        clock.log("status-notifier-watcher owns org.kde.StatusNotifierWatcher");

        session.start_tray_bar(artifacts, clock);
        Ok(session)
    }

    /// A command with the session's environment (display, bus, private home).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        apply(&mut command, &self.env);
        command
    }

    /// The private folder holding `HOME`, `XDG_RUNTIME_DIR` and the XDG folders (and the bus's
    /// socket): everything the desktop's processes may write outside the paths they are told.
    #[cfg(target_os = "linux")] // read by the remote agents' journey, which is Linux's
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Takes a screenshot of the whole X screen into `path` with `import -window root`.
    pub fn screenshot(&self, path: &Path) -> Result<(), String> {
        let output = self
            .command("timeout")
            .args(["10", "import", "-display", &self.display, "-window", "root"])
            .arg(path)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run import: {e}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "import failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ))
        }
    }

    /// Waits until `name` has an owner on the session bus.
    pub fn wait_for_name(&self, name: &str) -> Result<(), String> {
        let dbus = zbus::blocking::fdo::DBusProxy::new(&self.bus).map_err(|e| e.to_string())?;
        let bus_name = zbus::names::BusName::try_from(name).map_err(|e| e.to_string())?;
        poll(
            &format!("{name} is owned on the session bus"),
            START_TIMEOUT,
            Duration::from_millis(50),
            || match dbus.name_has_owner(bus_name.clone()) {
                Ok(true) => Ok(()),
                Ok(false) => Err("no owner".to_owned()),
                Err(e) => Err(e.to_string()),
            },
        )
    }

    /// The visible tray bar is only for the screenshots: the test reads the tray over D-Bus,
    /// so a bar that is missing or does not come up is logged, not fatal.
    fn start_tray_bar(&mut self, artifacts: &Artifacts, clock: &Clock) {
        let mut bar = self.command("gtk-sni-tray-standalone");
        bar.args(["--bottom", "--end", "--size", "32"])
            .stdout(artifacts.log_file("tray-bar.log"))
            .stderr(artifacts.log_file("tray-bar.err"));
        let proc = match Proc::spawn("gtk-sni-tray-standalone", &mut bar) {
            Ok(proc) => proc,
            Err(e) => return clock.log(format!("no visible tray bar: {e}")),
        };
        self.children.push(proc);
        let registered = poll(
            "the tray bar registers as a StatusNotifierHost",
            START_TIMEOUT,
            Duration::from_millis(50),
            || {
                let value: bool = get_property(
                    &self.bus,
                    WATCHER,
                    "/StatusNotifierWatcher",
                    WATCHER,
                    "IsStatusNotifierHostRegistered",
                )?;
                if value {
                    Ok(())
                } else {
                    Err("no host yet".to_owned())
                }
            },
        );
        match registered {
            Ok(()) => clock.log("gtk-sni-tray-standalone shows the tray at the bottom"),
            Err(e) => clock.log(format!("no visible tray bar: {e}")),
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        while let Some(child) = self.children.pop() {
            drop(child);
        }
    }
}

/// Connects to a bus with a bounded call time.
pub fn connect(address: &str) -> Result<Connection, String> {
    zbus::blocking::connection::Builder::address(address)
        .map_err(|e| e.to_string())?
        .method_timeout(CALL_TIMEOUT)
        .build()
        .map_err(|e| e.to_string())
}

/// Reads a D-Bus property (`org.freedesktop.DBus.Properties.Get`).
pub fn get_property<T>(
    bus: &Connection,
    destination: &str,
    path: &str,
    interface: &str,
    name: &str,
) -> Result<T, String>
where
    T: TryFrom<zbus::zvariant::OwnedValue>,
    T::Error: std::fmt::Display,
{
    let reply = bus
        .call_method(
            Some(destination),
            path,
            Some("org.freedesktop.DBus.Properties"),
            "Get",
            &(interface, name),
        )
        .map_err(|e| format!("{destination} {path} {interface}.{name}: {e}"))?;
    let value: zbus::zvariant::OwnedValue = reply
        .body()
        .deserialize()
        .map_err(|e| format!("{interface}.{name}: {e}"))?;
    T::try_from(value).map_err(|e| format!("{interface}.{name}: {e}"))
}

/// The private folders, made up front (`XDG_RUNTIME_DIR` must be mode 0700).
fn private_env(dir: &Path) -> Result<Vec<(String, OsString)>, String> {
    use std::os::unix::fs::PermissionsExt;
    let mut env = Vec::new();
    for (var, sub) in [
        ("HOME", "home"),
        ("XDG_RUNTIME_DIR", "run"),
        ("XDG_CONFIG_HOME", "home/.config"),
        ("XDG_DATA_HOME", "home/.local/share"),
        ("XDG_CACHE_HOME", "home/.cache"),
        ("XDG_STATE_HOME", "home/.local/state"),
    ] {
        let path: PathBuf = dir.join(sub);
        std::fs::create_dir_all(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        env.push((var.to_owned(), path.into_os_string()));
    }
    // No accessibility bus to start on the private session bus.
    env.push(("NO_AT_BRIDGE".to_owned(), "1".into()));
    // The same locale whatever the runner has: Debian's default, where WebKit's
    // `navigator.language` is "C" (the window must cope with it).
    env.push(("LANG".to_owned(), "C.UTF-8".into()));
    Ok(env)
}

/// Sets `env` on `command` and removes what would reach outside the private desktop.
fn apply(command: &mut Command, env: &[(String, OsString)]) {
    for var in [
        "LC_ALL",
        "LANGUAGE",
        "WAYLAND_DISPLAY",
        "TAURI_WEBVIEW_AUTOMATION",
        "TAURI_AUTOMATION",
        "EHLOWATCH_DATA_DIR",
        "XAUTHORITY",
        "GTK_THEME",
    ] {
        command.env_remove(var);
    }
    command.envs(env.iter().map(|(k, v)| (k, v)));
}

/// Starts Xvfb, which picks a free display and writes its number to our pipe when it is ready
/// for connections.
fn start_xvfb(artifacts: &Artifacts, env: &[(String, OsString)]) -> Result<(Proc, String), String> {
    let mut command = Command::new("Xvfb");
    command
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1280x800x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(artifacts.log_file("xvfb.err"));
    apply(&mut command, env);
    let mut xvfb = Proc::spawn("Xvfb", &mut command)?;
    let stdout = xvfb.child().stdout.take().ok_or("Xvfb: no stdout pipe")?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(START_TIMEOUT)
        .map_err(|_| format!("Xvfb did not report a display within {START_TIMEOUT:?}"))?;
    let number: u32 = line
        .trim()
        .parse()
        .map_err(|_| format!("Xvfb reported {line:?}, not a display number (see xvfb.err)"))?;
    Ok((xvfb, format!(":{number}")))
}
