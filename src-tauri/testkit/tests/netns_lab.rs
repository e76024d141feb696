//! The network-namespace lab itself: servers in the server namespace answer the client, the
//! drops block what they say, NSD resolves from the client, a client without IPv6 route gets
//! `ENETUNREACH`, the escape counter sees a packet to outside, and a dropped lab leaves nothing.
//! Needs root: `#[ignore]`d, run by `scripts/test` with `--include-ignored`.

#![cfg(target_os = "linux")]

use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use ehlowatch_testkit::netns::{Family, Lab, Reach, Side, Zone};

/// Long enough for `ip netns exec` + `bash` to connect inside the lab on a loaded machine;
/// what times out waits this long.
const TIMEOUT: Duration = Duration::from_secs(2);

const MX: u16 = 15;
const TXT: u16 = 16;

/// Asks the lab's DNS server, over UDP from the client namespace (bash's `/dev/udp`), for
/// `name`'s records of type `qtype`; returns the reply's RCODE and answer count.
fn answers(lab: &Lab, name: &str, qtype: u16) -> (u8, u16) {
    let mut query = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in name.split('.') {
        query.push(u8::try_from(label.len()).expect("label length"));
        query.extend_from_slice(label.as_bytes());
    }
    query.push(0);
    query.extend_from_slice(&qtype.to_be_bytes());
    query.extend_from_slice(&1u16.to_be_bytes());
    let escaped = query.iter().fold(String::new(), |mut text, b| {
        let _ = write!(text, "\\x{b:02x}");
        text
    });
    let dns = lab.server_ip(Family::V4).to_string();
    let out = lab
        .client_cmd("timeout")
        .args(["5", "bash", "-c"])
        .arg("exec 3<>/dev/udp/$0/53; printf \"$1\" >&3; dd bs=4096 count=1 status=none <&3")
        .args([dns, escaped])
        .output()
        .expect("bash in the client namespace");
    let reply = &out.stdout;
    assert!(reply.len() >= 12, "no DNS reply: {out:?}");
    assert_eq!(reply[..2], [0x12, 0x34], "another query's reply");
    (reply[3] & 0x0f, u16::from_be_bytes([reply[6], reply[7]]))
}

fn at(ip: IpAddr, port: u16) -> SocketAddr {
    SocketAddr::new(ip, port)
}

/// A lab whose server answers SMTP on 25 and 587 and TCP on 443 at one address, returned.
fn lab_with_servers(hint: &str) -> (Lab, IpAddr) {
    let mut lab = Lab::new(hint);
    let ip = lab.add_server_ip(Family::V4);
    for port in [25, 587, 443] {
        lab.fake_smtp(at(ip, port), "healthy");
    }
    (lab, ip)
}

#[test]
#[ignore = "needs root and network namespaces: scripts/test runs it"]
fn a_fake_smtp_server_on_25_greets_a_client_in_the_client_namespace() {
    let mut lab = Lab::new("greet");
    let ip = lab.server_ip(Family::V4);
    assert_eq!(lab.connect_from_client(at(ip, 25), TIMEOUT), Reach::Refused);
    lab.fake_smtp(at(ip, 25), "healthy");
    lab.wait_listening(Side::Server, at(ip, 25));
    assert_eq!(
        lab.connect_from_client(at(ip, 25), TIMEOUT),
        Reach::Connected
    );
    let greeting = lab
        .client_cmd("bash")
        .args([
            "-c",
            "exec 3<>/dev/tcp/$0/25; head -c 3 <&3",
            &ip.to_string(),
        ])
        .output()
        .expect("bash in the client namespace");
    assert_eq!(String::from_utf8_lossy(&greeting.stdout), "220");
}

#[test]
#[ignore = "needs root and network namespaces: scripts/test runs it"]
fn dropping_outbound_tcp_25_times_out_25_while_587_and_443_connect() {
    let (lab, ip) = lab_with_servers("drop25");
    lab.drop_outbound_tcp(25);
    assert_eq!(
        lab.connect_from_client(at(ip, 25), TIMEOUT),
        Reach::TimedOut
    );
    assert_eq!(
        lab.connect_from_client(at(ip, 587), TIMEOUT),
        Reach::Connected
    );
    assert_eq!(
        lab.connect_from_client(at(ip, 443), TIMEOUT),
        Reach::Connected
    );
    lab.clear_drops();
    assert_eq!(
        lab.connect_from_client(at(ip, 25), TIMEOUT),
        Reach::Connected
    );
}

#[test]
#[ignore = "needs root and network namespaces: scripts/test runs it"]
fn dropping_all_but_lo_fails_every_port_and_dns_but_not_loopback() {
    let (mut lab, ip) = lab_with_servers("offline");
    lab.serve_dns(&[Zone::new("offline.test").ip("mx", ip)]);
    assert_eq!(lab.resolve_from_client("mx.offline.test"), [ip]);
    lab.drop_all_but_lo();
    for port in [25, 587, 443] {
        assert_eq!(
            lab.connect_from_client(at(ip, port), TIMEOUT),
            Reach::TimedOut,
            "{port}"
        );
    }
    assert!(lab.resolve_from_client("mx.offline.test").is_empty());
    let loopback = "127.0.0.1:1".parse().expect("address");
    assert_eq!(lab.connect_from_client(loopback, TIMEOUT), Reach::Refused);
}

#[test]
#[ignore = "needs root and network namespaces: scripts/test runs it"]
fn nsd_serves_a_name_with_two_a_records_and_an_aaaa_to_the_client() {
    let mut lab = Lab::new("dns");
    let good = lab.add_server_ip(Family::V4);
    let dead = lab.add_dead_ip(Family::V4);
    let six = lab.add_server_ip(Family::V6);
    let dns = lab.serve_dns(&[Zone::new("example.test")
        .ip("mx1", good)
        .ip("mx1", dead)
        .ip("mx1", six)
        .mx(10, "mx1")
        .txt("@", "v=spf1 -all")]);
    assert_eq!(dns, lab.server_ip(Family::V4));
    let mut found = lab.resolve_from_client("mx1.example.test");
    found.sort();
    let mut wanted = vec![good, dead, six];
    wanted.sort();
    assert_eq!(found, wanted);
    assert!(lab.resolve_from_client("nothing.example.test").is_empty());

    // The MX and TXT records: one answer each, and none for a type the zone lacks.
    assert_eq!(answers(&lab, "example.test", MX), (0, 1));
    assert_eq!(answers(&lab, "example.test", TXT), (0, 1));
    assert_eq!(answers(&lab, "mx1.example.test", MX), (0, 0));

    // The good address serves, the dead one times out.
    lab.fake_smtp(at(good, 25), "healthy");
    assert_eq!(
        lab.connect_from_client(at(good, 25), TIMEOUT),
        Reach::Connected
    );
    assert_eq!(
        lab.connect_from_client(at(dead, 25), TIMEOUT),
        Reach::TimedOut
    );

    // Serving again replaces the zones.
    lab.serve_dns(&[Zone::new("example.test").ip("mx1", six)]);
    assert_eq!(lab.resolve_from_client("mx1.example.test"), [six]);
}

#[test]
#[ignore = "needs root and network namespaces: scripts/test runs it"]
fn without_an_ipv6_route_a_connect_to_an_aaaa_is_network_unreachable() {
    let mut lab = Lab::new("no-v6");
    let six = lab.add_server_ip(Family::V6);
    lab.fake_smtp(at(six, 25), "healthy");
    assert_eq!(
        lab.connect_from_client(at(six, 25), TIMEOUT),
        Reach::Connected
    );
    lab.remove_client_ipv6();
    assert_eq!(
        lab.connect_from_client(at(six, 25), TIMEOUT),
        Reach::NetworkUnreachable
    );
    let four = lab.server_ip(Family::V4);
    assert_eq!(
        lab.connect_from_client(at(four, 25), TIMEOUT),
        Reach::Refused
    );
}

#[test]
#[ignore = "needs root and network namespaces: scripts/test runs it"]
fn the_escape_counter_sees_packets_to_outside_the_lab_and_only_those() {
    let (mut lab, ip) = lab_with_servers("escape");
    lab.serve_dns(&[Zone::new("escape.test").ip("mx", ip)]);
    assert_eq!(lab.resolve_from_client("mx.escape.test"), [ip]);
    assert_eq!(
        lab.connect_from_client(at(ip, 25), TIMEOUT),
        Reach::Connected
    );
    let v6 = lab.server_ip(Family::V6);
    assert_eq!(lab.connect_from_client(at(v6, 1), TIMEOUT), Reach::Refused);
    assert_eq!(lab.escaped_packets(), 0);

    let test_net_1 = "192.0.2.1:25".parse().expect("address");
    assert_eq!(
        lab.connect_from_client(test_net_1, TIMEOUT),
        Reach::TimedOut
    );
    let after_v4 = lab.escaped_packets();
    assert!(after_v4 >= 1, "{after_v4}");

    lab.drop_all_but_lo();
    let documentation_v6 = "[2001:db8::1]:25".parse().expect("address");
    assert_eq!(
        lab.connect_from_client(documentation_v6, TIMEOUT),
        Reach::TimedOut
    );
    assert!(
        lab.escaped_packets() > after_v4,
        "a dropped packet counts too"
    );
}

#[test]
#[ignore = "needs root and network namespaces: scripts/test runs it"]
fn a_dropped_lab_leaves_no_namespace_process_or_etc_file_even_on_a_panic() {
    let mut names = Vec::new();
    let mut pids = Vec::new();
    let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let (mut lab, ip) = lab_with_servers("drop");
        lab.serve_dns(&[Zone::new("drop.test").ip("mx", ip)]);
        let mut sleeper = lab.client_cmd("sleep");
        sleeper.arg("600");
        pids.push(lab.spawn(sleeper));
        names.extend([Side::Client, Side::Server].map(|s| lab.ns(s).to_owned()));
        panic!("a test fails with its lab alive");
    }));
    assert!(unwound.is_err());
    assert_eq!(names.len(), 2);
    for name in &names {
        assert!(!Path::new("/run/netns").join(name).exists(), "{name} left");
        assert!(
            !Path::new("/etc/netns").join(name).exists(),
            "/etc/netns/{name} left"
        );
    }
    for pid in pids {
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists(),
            "pid {pid} left"
        );
    }
}

#[test]
#[ignore = "needs root and network namespaces: scripts/test runs it"]
fn a_namespace_left_by_a_killed_run_is_removed_by_the_next_lab() {
    // A pid that is not alive: a child that has exited and been reaped.
    let mut child = Command::new("true").spawn().expect("run true");
    let dead = child.id();
    child.wait().expect("reap true");
    let stale = format!("ewlab-{dead}-0-stale-c");
    // Labs built at the same time (other tests, other test binaries) sweep too, and may remove
    // it while `ip netns add` is still making it: try again until it exists once.
    let made = (0..5).find_map(|_| {
        let out = Command::new("ip")
            .args(["netns", "add", &stale])
            .output()
            .expect("ip netns add");
        out.status
            .success()
            .then_some(())
            .ok_or_else(|| eprintln!("ip netns add: {}", String::from_utf8_lossy(&out.stderr)))
            .ok()
    });
    assert!(made.is_some(), "could not make {stale}");
    std::fs::create_dir_all(Path::new("/etc/netns").join(&stale)).expect("mkdir /etc/netns/…");
    let _lab = Lab::new("sweeper");
    assert!(
        !Path::new("/run/netns").join(&stale).exists(),
        "{stale} left"
    );
    assert!(
        !Path::new("/etc/netns").join(&stale).exists(),
        "/etc/netns/{stale} left"
    );
}

#[test]
#[ignore = "needs root and network namespaces: scripts/test runs it"]
fn the_test_process_reaches_a_server_on_the_client_loopback_through_a_forward() {
    use std::io::{BufRead, BufReader, Write};

    let mut lab = Lab::new("forward");
    let inside: SocketAddr = "127.0.0.1:2525".parse().expect("address");
    let mut server = lab.client_cmd(env!("CARGO_BIN_EXE_fake-smtp"));
    server.args(["--scenario", "healthy", "--listen", &inside.to_string()]);
    lab.spawn(server);
    lab.wait_listening(Side::Client, inside);
    assert!(
        std::net::TcpStream::connect(inside).is_err(),
        "the root namespace has its own loopback"
    );

    let outside = lab.forward_to_client(inside.port());
    let tcp = std::net::TcpStream::connect(outside).expect("connect to the forward");
    tcp.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    let mut reader = BufReader::new(tcp.try_clone().expect("clone"));
    let mut line = String::new();
    reader.read_line(&mut line).expect("greeting");
    assert!(line.starts_with("220"), "{line:?}");
    (&tcp)
        .write_all(b"EHLO forward.test\r\n")
        .expect("send EHLO");
    line.clear();
    reader.read_line(&mut line).expect("EHLO reply");
    assert!(line.starts_with("250"), "{line:?}");
    assert_eq!(lab.escaped_packets(), 0);
}
