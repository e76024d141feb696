//! Running things in the lab: commands in either namespace, servers kept until the lab drops
//! (the testkit's `fake-smtp` among them, with its scenario's certificate or the test's), waiting for a server to listen, and what the
//! client meets — a TCP connect, a name lookup — plus a way in from the root namespace.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::exec;
use super::forward::Forward;
use super::lab::{Lab, Side};
use crate::pki::ServerCert;

/// How long a server may take to listen.
const LISTEN_WITHIN: Duration = Duration::from_secs(20);

/// What a TCP connect from the client namespace met ([`Lab::connect_from_client`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// The three-way handshake completed.
    Connected,
    /// `ECONNREFUSED`: a reset came back (the address is up, nothing listens).
    Refused,
    /// No answer within the timeout (a DROP on the way, or a dead address).
    TimedOut,
    /// `ENETUNREACH`: no route to the address's network (e.g. no IPv6 route at all).
    NetworkUnreachable,
    /// `EHOSTUNREACH`: a route, but the host did not answer neighbour discovery.
    HostUnreachable,
    /// Anything else, as the client's `bash` reported it.
    Other(String),
}

impl Lab {
    /// A command running `program` in the client namespace (`ip netns exec <client> program`);
    /// add its arguments and run it as usual.
    pub fn client_cmd(&self, program: impl AsRef<OsStr>) -> Command {
        exec::in_ns(&self.client, program)
    }

    /// A command running `program` in the server namespace.
    pub fn server_cmd(&self, program: impl AsRef<OsStr>) -> Command {
        exec::in_ns(&self.server, program)
    }

    /// Spawns `cmd` (from [`client_cmd`](Self::client_cmd) or
    /// [`server_cmd`](Self::server_cmd); stdin is empty, stdout and stderr as `cmd` sets them)
    /// and keeps it: it is stopped (SIGTERM, then SIGKILL) when the lab drops. Returns its pid.
    /// Wait for a server with [`wait_listening`](Self::wait_listening).
    pub fn spawn(&mut self, mut cmd: Command) -> u32 {
        let child = cmd
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("netns lab: cannot run `{}`: {e}", exec::shown(&cmd)));
        let pid = child.id();
        self.children.push(child);
        pid
    }

    /// Stops the spawned process `pid` now (SIGTERM, then SIGKILL after three seconds).
    pub fn stop(&mut self, pid: u32) {
        if let Some(at) = self.children.iter().position(|c| c.id() == pid) {
            let mut child = self.children.remove(at);
            exec::stop(&mut child);
        }
    }

    /// Returns once a TCP socket listens on `addr` in the `side` namespace (or on the
    /// wildcard address of its family and port), as `ss -ltn` there shows; panics after 20 s.
    pub fn wait_listening(&self, side: Side, addr: SocketAddr) {
        let wildcard = match addr {
            SocketAddr::V4(_) => format!("0.0.0.0:{}", addr.port()),
            SocketAddr::V6(_) => format!("[::]:{}", addr.port()),
        };
        let wanted = [addr.to_string(), wildcard, format!("*:{}", addr.port())];
        let mut ss = exec::in_ns(self.ns(side), exec::tool("ss"));
        ss.args(["-H", "-l", "-t", "-n"]);
        let found = exec::poll_until(LISTEN_WITHIN, || {
            let out = exec::output(&mut ss).ok()?;
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter_map(|line| line.split_whitespace().nth(3))
                .any(|local| wanted.iter().any(|w| w == local))
                .then_some(())
        });
        assert!(
            found.is_some(),
            "netns lab: nothing listens on {addr} in {} after {LISTEN_WITHIN:?}",
            self.ns(side)
        );
    }

    /// Starts the testkit's `fake-smtp` serving `scenario` (see `fake-smtp --list`; `healthy`
    /// is a plain server answering 250, fine as a bare TCP listener for port 443 too) on
    /// `addr` in the server namespace, and returns its pid once it listens. The binary is
    /// found beside the running test's directory (`target/debug/fake-smtp`): build it first
    /// with `cargo build -p ehlowatch-testkit --bin fake-smtp` (the testkit's own tests and
    /// `scripts/test` do).
    pub fn fake_smtp(&mut self, addr: SocketAddr, scenario: &str) -> u32 {
        self.start_fake_smtp(addr, scenario, &[])
    }

    /// Starts `fake-smtp` like [`fake_smtp`](Self::fake_smtp), the certificate of `scenario`
    /// (one with TLS, e.g. `starttls` or `starttls-self-signed`) replaced by `cert`: a server
    /// presenting a certificate the test knows, to write TLSA records for
    /// ([`ServerCert::tlsa`]). Its PEM files are written under the lab's directory. Returns the
    /// pid once it listens.
    pub fn fake_smtp_with_cert(
        &mut self,
        addr: SocketAddr,
        scenario: &str,
        cert: &ServerCert,
    ) -> u32 {
        let args = self.cert_args(cert);
        self.start_fake_smtp(addr, scenario, &args)
    }

    /// Writes `cert`'s chain and key as PEM files under the lab's directory: the arguments
    /// `--cert-chain FILE --key FILE` the lab's fake servers take.
    pub(super) fn cert_args(&mut self, cert: &ServerCert) -> [OsString; 4] {
        self.certs_written += 1;
        let dir = self.dir.path().join("certs");
        fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("netns lab: cannot create {}: {e}", dir.display()));
        let chain = dir.join(format!("{}-chain.pem", self.certs_written));
        let key = dir.join(format!("{}-key.pem", self.certs_written));
        for (path, pem) in [(&chain, &cert.chain_pem), (&key, &cert.key_pem)] {
            fs::write(path, pem)
                .unwrap_or_else(|e| panic!("netns lab: cannot write {}: {e}", path.display()));
        }
        [
            OsString::from("--cert-chain"),
            chain.into_os_string(),
            OsString::from("--key"),
            key.into_os_string(),
        ]
    }

    /// Starts `fake-smtp` serving `scenario` on `addr` with `extra` arguments; its pid once it
    /// says it listens.
    fn start_fake_smtp(&mut self, addr: SocketAddr, scenario: &str, extra: &[OsString]) -> u32 {
        let binary = fake_smtp_binary();
        let mut cmd = self.server_cmd(&binary);
        cmd.args(["--scenario", scenario, "--listen", &addr.to_string()])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let pid = self.spawn(cmd);
        let child = self.children.last_mut().expect("the child just spawned");
        let said = child
            .stdout
            .take()
            .and_then(|out| exec::first_line(out, LISTEN_WITHIN));
        if !said
            .as_deref()
            .is_some_and(|l| l.starts_with("listening on "))
        {
            self.stop(pid);
            panic!(
                "netns lab: {} --scenario {scenario} --listen {addr} {} did not say \
                 `listening on` (it said {said:?}; its stderr is above)",
                binary.display(),
                extra
                    .iter()
                    .map(|a| a.to_string_lossy())
                    .collect::<Vec<_>>()
                    .join(" ")
            );
        }
        pid
    }

    /// A way in for the test process (which stays in the root namespace) to a server the test
    /// runs on the client's loopback (an agent's HTTP API, a WebDriver server): returns an
    /// address on the root namespace's `127.0.0.1` whose connections are relayed to
    /// `127.0.0.1:port` in the client namespace, each through a `bash` there, until the lab
    /// drops. Nothing is routed between the namespaces, and loopback traffic is not counted
    /// by [`escaped_packets`](Self::escaped_packets).
    pub fn forward_to_client(&mut self, port: u16) -> SocketAddr {
        let forward = Forward::start(&self.client, port);
        let addr = forward.addr();
        self.forwards.push(forward);
        addr
    }

    /// A TCP connect from the client namespace to `addr`, given up after `timeout`; what it
    /// met. (It runs `bash`'s `/dev/tcp` under `timeout` in the namespace.)
    pub fn connect_from_client(&self, addr: SocketAddr, timeout: Duration) -> Reach {
        let mut cmd = self.client_cmd(exec::tool("timeout"));
        cmd.arg(format!("{:.3}", timeout.as_secs_f64()))
            .args(["bash", "-c", "exec 3<>\"/dev/tcp/$0/$1\""])
            .arg(addr.ip().to_string())
            .arg(addr.port().to_string())
            .env("LC_ALL", "C");
        let out = exec::output(&mut cmd).unwrap_or_else(|e| panic!("netns lab: {e}"));
        let said = String::from_utf8_lossy(&out.stderr);
        match out.status.code() {
            Some(0) => Reach::Connected,
            Some(124) => Reach::TimedOut,
            _ if said.contains("Connection refused") => Reach::Refused,
            _ if said.contains("Network is unreachable") => Reach::NetworkUnreachable,
            _ if said.contains("No route to host") => Reach::HostUnreachable,
            _ => Reach::Other(format!("{}: {}", out.status, said.trim())),
        }
    }

    /// The addresses `name` resolves to in the client namespace (`getent ahosts`: the
    /// client's resolver, so the lab's DNS server), in the resolver's order, each once; empty
    /// when it does not resolve.
    pub fn resolve_from_client(&self, name: &str) -> Vec<IpAddr> {
        let mut cmd = self.client_cmd(exec::tool("getent"));
        cmd.args(["ahosts", name]);
        let out = exec::output(&mut cmd).unwrap_or_else(|e| panic!("netns lab: {e}"));
        let mut found = Vec::new();
        for ip in String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|line| line.split_whitespace().next()?.parse::<IpAddr>().ok())
        {
            if !found.contains(&ip) {
                found.push(ip);
            }
        }
        found
    }
}

/// `fake-smtp` beside the running test binary: `target/<profile>/fake-smtp`, the test being
/// `target/<profile>/deps/<name>-<hash>`.
fn fake_smtp_binary() -> PathBuf {
    let exe = std::env::current_exe()
        .unwrap_or_else(|e| panic!("netns lab: cannot find the running binary: {e}"));
    let found = exe
        .ancestors()
        .skip(1)
        .take(2)
        .map(|dir| dir.join("fake-smtp"))
        .find(|path| path.is_file());
    found.unwrap_or_else(|| {
        panic!(
            "netns lab: no fake-smtp beside {}: build it with \
             `cargo build -p ehlowatch-testkit --bin fake-smtp`",
            exe.display()
        )
    })
}
