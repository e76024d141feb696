//! Running the system tools the lab is built with (`ip`, `iptables`, `nsd`, `ss`, `bash`):
//! finding them, running one to completion with a clear panic when it fails, stopping a
//! spawned process, and polling a condition under a deadline.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How often [`poll_until`] looks again.
const POLL_EVERY: Duration = Duration::from_millis(20);

/// How long a daemon may take to say it serves.
const DAEMON_READY_WITHIN: Duration = Duration::from_secs(20);

/// How long a process may take to exit after SIGTERM before it is killed.
const TERM_GRACE: Duration = Duration::from_secs(3);

/// The path of system tool `name`: from `PATH`, else from `/usr/sbin` or `/sbin` (a root shell
/// without the sbin directories on its `PATH` still finds `ip`, `iptables` and `nsd`).
pub(super) fn tool(name: &str) -> PathBuf {
    let from_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default();
    from_path
        .into_iter()
        .chain(["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
        .unwrap_or_else(|| PathBuf::from(name))
}

/// `ip netns exec NS PROGRAM`: PROGRAM runs in namespace `ns` (with `/etc/netns/NS/*`
/// bind-mounted over `/etc/*`). `ip` execs PROGRAM, so the child's pid is PROGRAM's.
pub(super) fn in_ns(ns: &str, program: impl AsRef<OsStr>) -> Command {
    let mut cmd = Command::new(tool("ip"));
    cmd.args(["netns", "exec", ns]).arg(program);
    cmd
}

/// `program` with `args`, found by [`tool`].
pub(super) fn command<I, S>(program: &str, args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(tool(program));
    cmd.args(args);
    cmd
}

/// How `cmd` reads in a message.
pub(super) fn shown(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `cmd` to completion (stdin empty), returning its output whatever its exit status.
pub(super) fn output(cmd: &mut Command) -> Result<Output, String> {
    cmd.stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run `{}`: {e}", shown(cmd)))
}

/// Runs `cmd` and returns its stdout; panics naming the command, its status and its stderr
/// when it cannot run or exits unsuccessfully.
pub(super) fn run(cmd: &mut Command) -> String {
    let out = output(cmd).unwrap_or_else(|e| panic!("netns lab: {e}"));
    assert!(
        out.status.success(),
        "netns lab: `{}` failed ({}): {}",
        shown(cmd),
        out.status,
        String::from_utf8_lossy(&out.stderr).trim()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Calls `check` every few milliseconds until it returns `Some`, or `within` has passed.
pub(super) fn poll_until<T>(within: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(found) = check() {
            return Some(found);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(POLL_EVERY);
    }
}

/// Sends `signal` (a name such as `TERM` or `KILL`) to `pid` through the shell's `kill`.
pub(super) fn signal(pid: u32, signal: &str) {
    let _ = command("sh", ["-c", &format!("kill -{signal} {pid} 2>/dev/null")]).status();
}

/// Stops a child: SIGTERM, up to three seconds to exit, then SIGKILL; reaps it. Never panics.
pub(super) fn stop(child: &mut Child) {
    if matches!(child.try_wait(), Ok(Some(_))) {
        return;
    }
    signal(child.id(), "TERM");
    let exited = poll_until(TERM_GRACE, || child.try_wait().ok().flatten());
    if exited.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// SIGKILLs every process left in namespace `ns` (`ip netns pids`). Never panics.
pub(super) fn kill_all_in(ns: &str) {
    let Ok(out) = output(&mut command("ip", ["netns", "pids", ns])) else {
        return;
    };
    for pid in String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter_map(|pid| pid.parse::<u32>().ok())
    {
        signal(pid, "KILL");
    }
}

/// The first line of a child's stdout within `within` (read on a thread, so a silent child
/// cannot hang the caller), or `None`; the rest is drained and dropped.
pub(super) fn first_line(stdout: impl Read + Send + 'static, within: Duration) -> Option<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        if reader.read_line(&mut line).is_ok_and(|n| n > 0) {
            let _ = tx.send(line);
        }
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    rx.recv_timeout(within).ok()
}

/// A server the lab runs in the foreground: the tool, its config file, where it logs, and the
/// line it logs once it serves.
pub(super) struct Daemon<'a> {
    /// Its name in messages (`NSD`, `unbound`).
    pub name: &'a str,
    /// The system tool (`nsd`, `unbound`), run as `TOOL -d -c CONF`.
    pub tool: &'a str,
    /// Its config file.
    pub conf: &'a Path,
    /// The log file its config names.
    pub log: &'a Path,
    /// Where its own stdout and stderr go.
    pub out: &'a Path,
    /// What its log says once it serves.
    pub started: &'a str,
}

/// Starts `daemon` in namespace `ns` and returns it once its log says it serves. Panics quoting
/// its log and output when it exits first or stays silent.
pub(super) fn start_daemon(ns: &str, daemon: &Daemon<'_>) -> Child {
    let out = std::fs::File::create(daemon.out)
        .unwrap_or_else(|e| panic!("netns lab: cannot create {}: {e}", daemon.out.display()));
    let err = out
        .try_clone()
        .unwrap_or_else(|e| panic!("netns lab: {}: {e}", daemon.out.display()));
    let mut cmd = in_ns(ns, tool(daemon.tool));
    cmd.arg("-d")
        .arg("-c")
        .arg(daemon.conf)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("netns lab: cannot run `{}`: {e}", shown(&cmd)));
    let said = |path: &Path| std::fs::read_to_string(path).unwrap_or_default();
    let started = poll_until(DAEMON_READY_WITHIN, || {
        if said(daemon.log).contains(daemon.started) {
            return Some(true);
        }
        matches!(child.try_wait(), Ok(Some(_))).then_some(false)
    });
    if started != Some(true) {
        stop(&mut child);
        panic!(
            "netns lab: {} did not start within {DAEMON_READY_WITHIN:?} ({}); its log:\n{}{}",
            daemon.name,
            if started.is_some() {
                "it exited"
            } else {
                "still silent"
            },
            said(daemon.log),
            said(daemon.out)
        );
    }
    child
}
