//! [`Lab`]: the two namespaces and the veth joining them, their addresses and routes, the
//! processes run in them, and the clean-up when the lab drops.

use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::process::Child;

use super::dns::{self, Zone};
use super::firewall::{self, VETH};
use super::forward::Forward;
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

/// A client and a server network namespace joined by a veth pair, with a real DNS server and
/// a packet filter on demand. Everything is removed when it drops (also when a test panics).
/// See the module documentation for an example.
#[derive(Debug)]
pub struct Lab {
    pub(super) client: String,
    pub(super) server: String,
    pub(super) dir: tempfile::TempDir,
    next_host: u8,
    pub(super) children: Vec<Child>,
    nsd: Option<Child>,
    dns_starts: u32,
    /// The zones NSD serves now.
    pub(super) zones: Vec<Zone>,
    /// The validating resolver, when started, and the config it runs on.
    pub(super) resolver: Option<(Child, String)>,
    /// How many certificates [`Lab::fake_smtp_with_cert`] wrote (their files' numbers).
    pub(super) certs_written: u32,
    pub(super) forwards: Vec<Forward>,
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
            zones: Vec::new(),
            resolver: None,
            certs_written: 0,
            forwards: Vec::new(),
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
    /// are refused ([`Reach::Refused`](super::Reach::Refused)).
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
    /// drops every packet sent to it, so connects to it time out ([`Reach::TimedOut`](super::Reach::TimedOut)), as
    /// with a host that is down behind a router.
    pub fn add_dead_ip(&mut self, family: Family) -> IpAddr {
        let ip = self.add_server_ip(family);
        firewall::drop_inbound_to(&self.server, ip);
        ip
    }

    /// Leaves the client without IPv6: its IPv6 address and default route are removed (the
    /// link-local address stays, as on an IPv4-only LAN), so a connect to any global IPv6
    /// address fails at once with `ENETUNREACH` ([`Reach::NetworkUnreachable`](super::Reach::NetworkUnreachable)).
    pub fn remove_client_ipv6(&self) {
        let c = &self.client;
        ip(["-n", c, "-6", "route", "del", "default"]);
        let addr = format!("{}/64", v6(CLIENT_HOST));
        ip(["-n", c, "addr", "del", &addr, "dev", VETH]);
    }

    /// Serves `zones` with NSD on port 53 (UDP and TCP) of the server's first addresses
    /// ([`server_ip`](Self::server_ip), both families) — the client's resolver — and returns
    /// once NSD has loaded them. Zones marked [`Zone::signed`] are signed first, with keys made
    /// once per lab and origin. Called again, it replaces the running server and its zones (and
    /// signs again, with the same keys); a running
    /// [validating resolver](Self::serve_validating_resolver) keeps answering from the new
    /// zones, and is restarted only when the set of zones or trust anchors changed.
    /// Panics quoting `ldns-signzone`, `nsd-checkzone` or NSD when a zone is refused.
    pub fn serve_dns(&mut self, zones: &[Zone]) -> IpAddr {
        if let Some(mut old) = self.nsd.take() {
            exec::stop(&mut old);
        }
        self.dns_starts += 1;
        let dir = self.dir.path().join(format!("nsd-{}", self.dns_starts));
        let keys = self.keys_dir();
        let listen = [self.server_ip(Family::V4), self.server_ip(Family::V6)];
        self.nsd = Some(dns::start(&self.server, &dir, &keys, &listen, zones));
        self.zones = zones.to_vec();
        self.refresh_resolver();
        listen[0]
    }

    /// Where the DNSSEC keys of the lab's signed zones are kept, one directory per origin.
    pub(super) fn keys_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("dnssec-keys")
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
    /// Stops the processes the lab started (the validating resolver, then NSD, last), kills
    /// anything else left in its namespaces, deletes them (their veth goes with them) and the
    /// client's `/etc/netns` directory. Never panics.
    fn drop(&mut self) {
        self.forwards.clear();
        let resolver = self.resolver.as_mut().map(|(child, _)| child);
        for child in self
            .children
            .iter_mut()
            .rev()
            .chain(resolver)
            .chain(self.nsd.as_mut())
        {
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
