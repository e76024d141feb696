//! A private Postfix for real-server tests: Debian's `postfix` package run as its own instance
//! (`postfix -c DIR start`) with its config, queue, data directory and log file under a temp
//! dir, listening on two free loopback ports — plain SMTP offering STARTTLS, and SMTPS in
//! wrapper mode — with a certificate from a [`TestPki`]. It never touches the system instance
//! or port 25, delivers nothing (`default_transport = error`), and is stopped on drop.
//! [`PrivatePostfix::start_postscreen`] puts Postfix's postscreen in front of the plain port,
//! with its pregreet test on for loopback clients too and no DNS blocklists.
//!
//! Needs root (Postfix's master starts as root) and the `postfix` package; `scripts/test`
//! installs it. Postfix logs only to syslog or a tty, so commands run under `script -qec` and
//! the instance writes its own `maillog_file`.

use std::fmt::Write as _;
use std::fs;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::pki::{TestPki, Validity};

/// Where Debian installs the `postfix` command.
const POSTFIX: &str = "/usr/sbin/postfix";

/// How long the instance may take to listen, and to stop.
const DEADLINE: Duration = Duration::from_secs(20);

/// A running private Postfix. Dropping it stops the instance and removes its files.
#[derive(Debug)]
pub struct PrivatePostfix {
    dir: tempfile::TempDir,
    smtp_port: u16,
    smtps_port: u16,
    front: Front,
}

/// What answers on the plain port.
#[derive(Debug, Clone, Copy)]
enum Front {
    /// `smtpd` itself.
    Smtpd,
    /// postscreen, which sends the first line of its banner (`220-…`), waits `greet_wait`
    /// for a client that speaks too early, then hands the connection to `smtpd` for the rest.
    Postscreen { greet_wait: Duration },
}

impl PrivatePostfix {
    /// The text of the first greeting line postscreen sends (`220-` and this).
    pub const POSTSCREEN_BANNER: &'static str = "localhost ESMTP first line";

    /// Writes a config for two free loopback ports and starts the instance; returns once both
    /// ports accept connections. The error says what is missing or quotes Postfix's output.
    pub fn start(pki: &TestPki) -> Result<Self, String> {
        Self::start_with(pki, Front::Smtpd)
    }

    /// Like [`start`](Self::start), with postscreen on the plain port: it sends
    /// `220-`[`POSTSCREEN_BANNER`](Self::POSTSCREEN_BANNER), then waits `greet_wait` (whole
    /// seconds, at least one) before the rest of the greeting, and logs a client that writes
    /// in that wait as `PREGREET`. Every connection is tested, from 127.0.0.1 too, and none
    /// is let through for having passed before.
    pub fn start_postscreen(pki: &TestPki, greet_wait: Duration) -> Result<Self, String> {
        Self::start_with(pki, Front::Postscreen { greet_wait })
    }

    fn start_with(pki: &TestPki, front: Front) -> Result<Self, String> {
        preflight()?;
        let dir = tempfile::Builder::new()
            .prefix("ehlowatch-postfix-")
            .tempdir()
            .map_err(|e| format!("cannot create a temp dir: {e}"))?;
        // Postfix's daemons run as the `postfix` user and must reach the queue below this dir.
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755))
            .map_err(|e| format!("cannot open up {}: {e}", dir.path().display()))?;
        let [plain, wrapped] = free_ports()?;
        let postfix = Self {
            dir,
            smtp_port: plain,
            smtps_port: wrapped,
            front,
        };
        postfix.write_files(pki)?;
        let output = postfix.postfix("start")?;
        postfix.wait_listening().map_err(|e| {
            format!(
                "{e}\n`postfix start` said: {output}\n{}",
                postfix.maillog_tail(20)
            )
        })?;
        Ok(postfix)
    }

    /// The plain SMTP port; it offers STARTTLS (behind postscreen when started so).
    pub fn smtp_port(&self) -> u16 {
        self.smtp_port
    }

    /// The SMTPS port (TLS from the first byte, `smtpd_tls_wrappermode = yes`).
    pub fn smtps_port(&self) -> u16 {
        self.smtps_port
    }

    /// The PEM of the CA that issued the server certificate (for `--ca-file`).
    pub fn ca_file(&self) -> PathBuf {
        self.conf_dir().join("ca.pem")
    }

    /// The instance's log file.
    pub fn maillog(&self) -> PathBuf {
        self.dir.path().join("maillog")
    }

    /// The last `lines` lines of the log, headed, for a test's failure message.
    pub fn maillog_tail(&self, lines: usize) -> String {
        let log = fs::read_to_string(self.maillog()).unwrap_or_else(|e| format!("({e})"));
        let all: Vec<&str> = log.lines().collect();
        let mut out = format!(
            "--- {} (last {lines} lines) ---\n",
            self.maillog().display()
        );
        for line in &all[all.len().saturating_sub(lines)..] {
            let _ = writeln!(out, "{line}");
        }
        out
    }

    fn conf_dir(&self) -> PathBuf {
        self.dir.path().join("conf")
    }

    fn write_files(&self, pki: &TestPki) -> Result<(), String> {
        let root = self.dir.path();
        let conf = self.conf_dir();
        fs::create_dir(&conf).map_err(|e| format!("cannot create {}: {e}", conf.display()))?;
        // Postfix creates the queue's subdirectories and the data dir, not the queue dir.
        fs::create_dir(root.join("queue")).map_err(|e| format!("cannot create the queue: {e}"))?;
        let cert = pki.server_cert(&["localhost", "127.0.0.1"], Validity::FRESH);
        write(&conf.join("chain.pem"), &cert.chain_pem, 0o644)?;
        write(&conf.join("key.pem"), &cert.key_pem, 0o600)?;
        fs::copy(pki.ca_file(), self.ca_file()).map_err(|e| format!("cannot copy the CA: {e}"))?;
        let mut main = main_cf(root, &conf);
        let plain = match self.front {
            Front::Smtpd => format!("127.0.0.1:{} inet n - n - - smtpd", self.smtp_port),
            Front::Postscreen { greet_wait } => {
                main.push_str(&postscreen_main_cf(greet_wait));
                postscreen_master_cf(self.smtp_port)
            }
        };
        write(&conf.join("main.cf"), &main, 0o644)?;
        write(
            &conf.join("master.cf"),
            &master_cf(&plain, self.smtps_port),
            0o644,
        )
    }

    /// Runs `postfix -c CONF <verb>` under `script` (so its messages reach us) and returns
    /// what it printed.
    fn postfix(&self, verb: &str) -> Result<String, String> {
        let command = format!("{POSTFIX} -c '{}' {verb}", self.conf_dir().display());
        let output = Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .output()
            .map_err(|e| format!("cannot run `script` (bsdutils) for `{command}`: {e}"))?;
        let said = String::from_utf8_lossy(&output.stdout)
            .trim()
            .replace("\r\n", "\n");
        if output.status.success() {
            Ok(said)
        } else {
            Err(format!(
                "`{command}` failed ({}): {said}\n{}",
                output.status,
                self.maillog_tail(20)
            ))
        }
    }

    fn wait_listening(&self) -> Result<(), String> {
        let deadline = Instant::now() + DEADLINE;
        for port in [self.smtp_port, self.smtps_port] {
            let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
            loop {
                match TcpStream::connect_timeout(&addr, Duration::from_millis(500)) {
                    Ok(_) => break,
                    Err(e) if Instant::now() >= deadline => {
                        return Err(format!(
                            "Postfix did not listen on {addr} within {DEADLINE:?}: {e}"
                        ));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(50)),
                }
            }
        }
        Ok(())
    }

    /// The master's pid, from the pid file Postfix keeps in its queue.
    fn master_pid(&self) -> Option<u32> {
        let pid = fs::read_to_string(self.dir.path().join("queue/pid/master.pid")).ok()?;
        pid.trim().parse().ok()
    }
}

impl Drop for PrivatePostfix {
    fn drop(&mut self) {
        let pid = self.master_pid();
        if let Err(e) = self.postfix("stop") {
            eprintln!("warning: stopping the private Postfix: {e}");
        }
        // The temp dir goes once the master has exited, not while its daemons still use it.
        let Some(pid) = pid else { return };
        let deadline = Instant::now() + DEADLINE;
        while is_running(pid) {
            if Instant::now() >= deadline {
                eprintln!("warning: Postfix master {pid} still running; aborting it");
                let _ = self.postfix("abort");
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Root and the package are needed; say which is missing.
fn preflight() -> Result<(), String> {
    if !Path::new(POSTFIX).exists() {
        return Err(format!(
            "{POSTFIX} not found: install Debian's postfix package (scripts/test does)"
        ));
    }
    let uid = fs::metadata("/proc/self")
        .map(|m| m.uid())
        .map_err(|e| format!("/proc/self: {e}"))?;
    if uid != 0 {
        return Err(format!(
            "a private Postfix must be started as root (running as uid {uid})"
        ));
    }
    Ok(())
}

/// Two ports nobody listens on right now (the kernel's picks for 127.0.0.1:0), both held
/// while picking so they differ.
fn free_ports() -> Result<[u16; 2], String> {
    let bind = || -> std::io::Result<(u16, TcpListener)> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        Ok((listener.local_addr()?.port(), listener))
    };
    let cannot = |e: std::io::Error| format!("cannot bind 127.0.0.1:0: {e}");
    let ((first, _held), (second, _also_held)) = (bind().map_err(cannot)?, bind().map_err(cannot)?);
    Ok([first, second])
}

fn write(path: &Path, text: &str, mode: u32) -> Result<(), String> {
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .map_err(|e| format!("cannot chmod {}: {e}", path.display()))
}

/// True while `pid` exists and is not a zombie.
fn is_running(pid: u32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        // The state follows the parenthesised command name.
        stat.rsplit_once(')')
            .and_then(|(_, rest)| rest.trim_start().chars().next())
            != Some('Z')
    })
}

fn main_cf(root: &Path, conf: &Path) -> String {
    let (root, conf) = (root.display(), conf.display());
    format!(
        "\
compatibility_level = 3.6
queue_directory = {root}/queue
data_directory = {root}/data
maillog_file = {root}/maillog
maillog_file_prefixes = {root}
myhostname = localhost
mydomain = localdomain
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
local_transport = error:local delivery is disabled
default_transport = error
relay_transport = error
smtpd_tls_cert_file = {conf}/chain.pem
smtpd_tls_key_file = {conf}/key.pem
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
"
    )
}

/// The plain port's service lines, the SMTPS listener and the standard services, none
/// chrooted (the queue is private).
fn master_cf(plain: &str, wrapped: u16) -> String {
    format!(
        "\
{plain}
127.0.0.1:{wrapped} inet n - n - - smtpd
  -o smtpd_tls_wrappermode=yes
  -o smtpd_tls_security_level=encrypt
pickup    unix  n - n 60    1 pickup
cleanup   unix  n - n -     0 cleanup
qmgr      unix  n - n 300   1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n -     - trivial-rewrite
bounce    unix  - - n -     0 bounce
defer     unix  - - n -     0 bounce
trace     unix  - - n -     0 bounce
verify    unix  - - n -     1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -     - proxymap
showq     unix  n - n -     - showq
error     unix  - - n -     - error
retry     unix  - - n -     - error
discard   unix  - - n -     - discard
anvil     unix  - - n -     1 anvil
scache    unix  - - n -     1 scache
postlog   unix-dgram n - n - 1 postlogd
"
    )
}

/// postscreen's settings: the pregreet test for every client (the default access list,
/// `permit_mynetworks`, would let 127.0.0.1 skip it), no DNS blocklist lookups, and no cache
/// (an empty `postscreen_cache_map`), so a client that passed is tested again next time.
fn postscreen_main_cf(greet_wait: Duration) -> String {
    let wait = (greet_wait.as_secs() + u64::from(greet_wait.subsec_nanos() > 0)).max(1);
    let banner = PrivatePostfix::POSTSCREEN_BANNER;
    format!(
        "\
postscreen_access_list =
postscreen_greet_banner = {banner}
postscreen_greet_wait = {wait}s
postscreen_greet_action = enforce
postscreen_dnsbl_sites =
postscreen_cache_map =
"
    )
}

/// postscreen on the plain port, and the services it hands connections to.
fn postscreen_master_cf(plain: u16) -> String {
    format!(
        "\
127.0.0.1:{plain} inet n - n - 1 postscreen
smtpd     pass  - - n -     - smtpd
dnsblog   unix  - - n -     0 dnsblog
tlsproxy  unix  - - n -     0 tlsproxy"
    )
}
