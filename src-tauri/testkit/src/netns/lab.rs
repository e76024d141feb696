//! [`Lab`]: the two namespaces and the veth joining them, their addresses and routes, the
//! processes run in them, and the clean-up when the lab drops.

use std::ffi::OsStr;
use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::dns::{self, Zone};
use super::firewall::{self, VETH};
use super::{exec, names};

/// The lab's IPv4 subnet (between client and server only: every lab has its own namespaces,
/// so labs running at once never see each other's addresses).
pub const SUBNET_V4: &str = "10.250.0.0/24";
/// The lab's IPv6 subnet (unique local, RFC 4193).
pub const SUBNET_V6: &str = "fd00:e410::/64";

/// Host numbers inside the subnets.
const SERVER_HOST: u8 = 1;
const CLIENT_HOST: u8 = 2;
const FIRST_EXTRA_HOST: u8 = 10;

/// How long a server may take to listen.
const LISTEN_WITHIN: Duration = Duration::from_secs(20);

/// One of the lab's two namespaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Where the software under test runs: `lo`, the veth, a default route into the server.
    Client,
    /// Where the servers run: every lab address, the DNS server, nothing beyond.
    Server,
}

/// An address family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// IPv4, in [`SUBNET_V4`].
    V4,
    /// IPv6, in [`SUBNET_V6`].
    V6,
}

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

/// A client and a server network namespace joined by a veth pair, with a real DNS server and
/// a packet filter on demand. Everything is removed when it drops (also when a test panics).
/// See the module documentation for an example.
#[derive(Debug)]
pub struct Lab {
    client: String,
    server: String,
    dir: tempfile::TempDir,
    next_host: u8,
    children: Vec<Child>,
    nsd: Option<Child>,
    dns_starts: u32,
}

impl Lab {
    /// Builds a lab: namespaces `ewlab-<pid>-<n>-<hint>-c` and `…-s` with `lo` up, joined by
    /// `veth0`; the server has `10.250.0.1` and `fd00:e410::1`, the client `10.250.0.2` and
    /// `fd00:e410::2` (IPv6 without duplicate address detection, usable at once), and default
    /// routes of both families via the server — so every address outside the lab is routable
    /// and leads only into the server namespace, which forwards nothing. The client's
    /// `/etc/resolv.conf` names the server's IPv4 address (see [`Lab::serve_dns`]) and its
    /// `/etc/hosts` holds only `localhost`. Namespaces left by killed runs are removed first.
    /// Needs root; panics with the failing command's stderr.
    pub fn new(hint: &str) -> Self {
        names::sweep_stale();
        let (client, server) = names::fresh(hint);
        let dir = tempfile::Builder::new()
            .prefix("ewlab-")
            .tempdir()
            .unwrap_or_else(|e| panic!("netns lab: cannot create a temp dir: {e}"));
        // Built before the namespaces, so a failure half-way still removes them on unwind.
        let lab = Self {
            client,
            server,
            dir,
            next_host: FIRST_EXTRA_HOST,
            children: Vec::new(),
            nsd: None,
            dns_starts: 0,
        };
        for ns in [&lab.client, &lab.server] {
            ip(["netns", "add", ns]);
        }
        ip([
            "link",
            "add",
            VETH,
            "netns",
            &lab.client,
            "type",
            "veth",
            "peer",
            "name",
            VETH,
            "netns",
            &lab.server,
        ]);
        for (ns, host) in [(&lab.client, CLIENT_HOST), (&lab.server, SERVER_HOST)] {
            ip(["-n", ns, "link", "set", "lo", "up"]);
            ip(["-n", ns, "link", "set", VETH, "up"]);
            ip([
                "-n",
                ns,
                "addr",
                "add",
                &format!("{}/24", v4(host)),
                "dev",
                VETH,
            ]);
            let v6 = format!("{}/64", v6(host));
            ip(["-n", ns, "addr", "add", &v6, "dev", VETH, "nodad"]);
        }
        let c = &lab.client;
        ip([
            "-n",
            c,
            "route",
            "add",
            "default",
            "via",
            &v4(SERVER_HOST).to_string(),
        ]);
        ip([
            "-n",
            c,
            "-6",
            "route",
            "add",
            "default",
            "via",
            &v6(SERVER_HOST).to_string(),
        ]);
        let etc = Path::new(names::ETC_NETNS).join(c);
        fs::create_dir_all(&etc)
            .unwrap_or_else(|e| panic!("netns lab: cannot create {}: {e}", etc.display()));
        for (file, text) in [
            ("resolv.conf", format!("nameserver {}\n", v4(SERVER_HOST))),
            ("hosts", "127.0.0.1 localhost\n::1 localhost\n".to_owned()),
        ] {
            fs::write(etc.join(file), text).unwrap_or_else(|e| {
                panic!("netns lab: cannot write {}/{file}: {e}", etc.display())
            });
        }
        firewall::install(c, SUBNET_V4, SUBNET_V6);
        lab
    }

    /// The namespace's name, for `ip netns exec` or `ip -n`.
    pub fn ns(&self, side: Side) -> &str {
        match side {
            Side::Client => &self.client,
            Side::Server => &self.server,
        }
    }

    /// The server's first address of `family` (`10.250.0.1`, `fd00:e410::1`); the DNS server
    /// listens on both.
    pub fn server_ip(&self, family: Family) -> IpAddr {
        host_ip(family, SERVER_HOST)
    }

    /// The client's address of `family` (`10.250.0.2`, `fd00:e410::2`).
    pub fn client_ip(&self, family: Family) -> IpAddr {
        host_ip(family, CLIENT_HOST)
    }

    /// Adds another address of `family` to the server (`10.250.0.10`, `.11`… or
    /// `fd00:e410::a`, `::b`…) and returns it. Until something listens there, connects to it
    /// are refused ([`Reach::Refused`]).
    pub fn add_server_ip(&mut self, family: Family) -> IpAddr {
        let n = self.next_host;
        assert!(n < u8::MAX, "netns lab: out of server addresses");
        self.next_host += 1;
        let ip = host_ip(family, n);
        let prefix = if family == Family::V4 { 24 } else { 64 };
        let with_prefix = format!("{ip}/{prefix}");
        ip_in(
            &self.server,
            &["addr", "add", &with_prefix, "dev", VETH, "nodad"][..],
        );
        ip
    }

    /// Adds a *dead* address of `family` to the server and returns it: the server namespace
    /// drops every packet sent to it, so connects to it time out ([`Reach::TimedOut`]), as
    /// with a host that is down behind a router.
    pub fn add_dead_ip(&mut self, family: Family) -> IpAddr {
        let ip = self.add_server_ip(family);
        firewall::drop_inbound_to(&self.server, ip);
        ip
    }

    /// Leaves the client without IPv6: its IPv6 address and default route are removed (the
    /// link-local address stays, as on an IPv4-only LAN), so a connect to any global IPv6
    /// address fails at once with `ENETUNREACH` ([`Reach::NetworkUnreachable`]).
    pub fn remove_client_ipv6(&self) {
        let c = &self.client;
        ip(["-n", c, "-6", "route", "del", "default"]);
        let addr = format!("{}/64", v6(CLIENT_HOST));
        ip(["-n", c, "addr", "del", &addr, "dev", VETH]);
    }

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
        let binary = fake_smtp_binary();
        let mut cmd = self.server_cmd(&binary);
        cmd.args(["--scenario", scenario, "--listen", &addr.to_string()])
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
                "netns lab: {} --scenario {scenario} --listen {addr} did not say \
                 `listening on` (it said {said:?}; its stderr is above)",
                binary.display()
            );
        }
        pid
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

    /// Serves `zones` with NSD on port 53 (UDP and TCP) of the server's first addresses
    /// ([`server_ip`](Self::server_ip), both families) — the client's resolver — and returns
    /// once NSD has loaded them. Called again, it replaces the running server and its zones.
    /// Panics quoting `nsd-checkzone` or NSD when a zone is refused.
    pub fn serve_dns(&mut self, zones: &[Zone]) -> IpAddr {
        if let Some(mut old) = self.nsd.take() {
            exec::stop(&mut old);
        }
        self.dns_starts += 1;
        let dir = self.dir.path().join(format!("nsd-{}", self.dns_starts));
        let listen = [self.server_ip(Family::V4), self.server_ip(Family::V6)];
        self.nsd = Some(dns::start(&self.server, &dir, &listen, zones));
        listen[0]
    }

    /// Drops outbound TCP to `port` in the client namespace (both families, on the veth
    /// only, so loopback is untouched): connects time out, as behind a network that blocks
    /// port 25.
    pub fn drop_outbound_tcp(&self, port: u16) {
        firewall::drop_tcp(&self.client, port);
    }

    /// Drops everything the client sends except on loopback (both families): offline. TCP
    /// connects time out; a UDP send (a DNS query) fails at once with `EPERM`.
    pub fn drop_all_but_lo(&self) {
        firewall::drop_all_but_lo(&self.client);
    }

    /// Removes every drop added by [`drop_outbound_tcp`](Self::drop_outbound_tcp) and
    /// [`drop_all_but_lo`](Self::drop_all_but_lo) (dead addresses stay dead).
    pub fn clear_drops(&self) {
        firewall::clear(&self.client);
    }

    /// How many packets the client namespace has sent (or tried to: drops count too) to an
    /// address outside the lab — not loopback, not [`SUBNET_V4`] or [`SUBNET_V6`], not IPv6
    /// link-local or multicast — since the lab was built, both families. `0` proves nothing
    /// was dialled outside.
    pub fn escaped_packets(&self) -> u64 {
        firewall::escaped(&self.client)
    }
}

impl Drop for Lab {
    /// Stops the processes the lab started (NSD last), kills anything else left in its
    /// namespaces, deletes them (their veth goes with them) and the client's `/etc/netns`
    /// directory. Never panics.
    fn drop(&mut self) {
        for child in self.children.iter_mut().rev().chain(self.nsd.as_mut()) {
            exec::stop(child);
        }
        for ns in [&self.client, &self.server] {
            names::remove(ns);
        }
    }
}

/// The IPv4 address of host number `n` in [`SUBNET_V4`].
fn v4(n: u8) -> Ipv4Addr {
    Ipv4Addr::new(10, 250, 0, n)
}

/// The IPv6 address of host number `n` in [`SUBNET_V6`].
fn v6(n: u8) -> Ipv6Addr {
    Ipv6Addr::new(0xfd00, 0xe410, 0, 0, 0, 0, 0, u16::from(n))
}

fn host_ip(family: Family, n: u8) -> IpAddr {
    match family {
        Family::V4 => IpAddr::V4(v4(n)),
        Family::V6 => IpAddr::V6(v6(n)),
    }
}

/// Runs `ip ARGS`; panics with its stderr when it fails.
fn ip<const N: usize>(args: [&str; N]) {
    exec::run(&mut exec::command("ip", args));
}

/// Runs `ip -n NS ARGS`.
fn ip_in(ns: &str, args: &[&str]) {
    let mut cmd = exec::command("ip", ["-n", ns]);
    cmd.args(args);
    exec::run(&mut cmd);
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
