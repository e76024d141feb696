//! `preview_mx` resolves through the `[dns]` settings in force: a DNS server on loopback, named
//! by `[dns] resolver`, answers MX sets, a null MX, no MX, NXDOMAIN and SERVFAIL; the window gets
//! each as a typed answer naming the domain; "Test now" on a domain monitor asks the same
//! resolver for its MX. No name leaves the machine.

use std::net::{SocketAddr, UdpSocket};
use std::thread::JoinHandle;

use serde_json::{json, Value};

use super::Shell;

const RCODE_SERVFAIL: u16 = 2;
const RCODE_NXDOMAIN: u16 = 3;
const TYPE_MX: u16 = 15;

/// A DNS server on 127.0.0.1 answering from a fixed table; stopped and joined on drop.
struct FakeDns {
    addr: SocketAddr,
    thread: Option<JoinHandle<()>>,
}

impl FakeDns {
    fn start() -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let addr = socket.local_addr().unwrap();
        let thread = std::thread::spawn(move || {
            let mut buf = [0u8; 1500];
            loop {
                let (n, from) = socket.recv_from(&mut buf).unwrap();
                // Anything shorter than a DNS header is the stop signal.
                if n < 12 {
                    return;
                }
                if let Some(reply) = answer(&buf[..n]) {
                    socket.send_to(&reply, from).unwrap();
                }
            }
        });
        Self {
            addr,
            thread: Some(thread),
        }
    }
}

impl Drop for FakeDns {
    fn drop(&mut self) {
        let stopper = UdpSocket::bind("127.0.0.1:0").unwrap();
        stopper.send_to(b"stop", self.addr).unwrap();
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
    }
}

/// The reply to `query` from the table below, or `None` for what is not a question.
fn answer(query: &[u8]) -> Option<Vec<u8>> {
    // The question: the name's labels from byte 12, then its type and class.
    let mut end = 12;
    let mut labels = Vec::new();
    loop {
        let len = usize::from(*query.get(end)?);
        end += 1;
        if len == 0 {
            break;
        }
        labels.push(String::from_utf8_lossy(query.get(end..end + len)?).to_ascii_lowercase());
        end += len;
    }
    let qtype = u16::from_be_bytes([*query.get(end)?, *query.get(end + 1)?]);
    end += 4;
    let name = labels.join(".");
    let (rcode, records): (u16, Vec<(u16, &str)>) = match (name.as_str(), qtype) {
        ("example.test", TYPE_MX) => (0, vec![(20, "mx2.example.test"), (10, "mx1.example.test")]),
        ("null.example.test", TYPE_MX) => (0, vec![(0, "")]),
        ("nx.example.test", _) => (RCODE_NXDOMAIN, vec![]),
        ("broken.example.test", _) => (RCODE_SERVFAIL, vec![]),
        _ => (0, vec![]),
    };
    let flags =
        0x8000 | 0x0400 | (u16::from_be_bytes([query[2], query[3]]) & 0x0100) | 0x0080 | rcode;
    let mut out = Vec::new();
    out.extend_from_slice(&query[..2]);
    out.extend_from_slice(&flags.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes());
    out.extend_from_slice(&u16::try_from(records.len()).unwrap().to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&query[12..end]);
    for (preference, exchange) in records {
        let mut exchange_wire = Vec::new();
        for label in exchange.split('.').filter(|l| !l.is_empty()) {
            exchange_wire.push(u8::try_from(label.len()).unwrap());
            exchange_wire.extend_from_slice(label.as_bytes());
        }
        exchange_wire.push(0);
        out.extend_from_slice(&[0xC0, 12]);
        out.extend_from_slice(&TYPE_MX.to_be_bytes());
        out.extend_from_slice(&1u16.to_be_bytes());
        out.extend_from_slice(&60u32.to_be_bytes());
        out.extend_from_slice(
            &u16::try_from(2 + exchange_wire.len())
                .unwrap()
                .to_be_bytes(),
        );
        out.extend_from_slice(&preference.to_be_bytes());
        out.extend_from_slice(&exchange_wire);
    }
    Some(out)
}

/// A shell whose `[dns] resolver` is a fresh [`FakeDns`].
fn shell_asking_fake_dns() -> (FakeDns, Shell) {
    let dns = FakeDns::start();
    let shell = Shell::start();
    let mut settings = shell.ok("get_settings", json!({}));
    settings["dns"] = json!({ "resolver": [dns.addr.to_string()] });
    shell.ok("save_settings", json!({ "settings": settings }));
    (dns, shell)
}

fn preview(shell: &Shell, domain: &str) -> Value {
    shell.ok("preview_mx", json!({ "domain": domain }))
}

#[test]
fn the_mx_preview_asks_the_dns_resolver_in_the_settings_and_types_each_answer() {
    let (dns, shell) = shell_asking_fake_dns();

    assert_eq!(
        preview(&shell, "example.test"),
        json!({
            "type": "found", "domain": "example.test",
            "set": {"hosts": [
                {"preference": 10, "host": "mx1.example.test"},
                {"preference": 20, "host": "mx2.example.test"},
            ]},
        })
    );
    assert_eq!(preview(&shell, "null.example.test")["set"], "null_mx");
    assert_eq!(preview(&shell, "implicit.example.test")["set"], "implicit");
    assert_eq!(
        preview(&shell, "nx.example.test"),
        json!({
            "type": "failed", "domain": "nx.example.test", "failure": "nx_domain",
            "message": "nx.example.test: the name does not exist (NXDOMAIN)",
        })
    );
    let broken = preview(&shell, "broken.example.test");
    assert_eq!(broken["failure"], "serv_fail", "{broken}");
    assert_eq!(
        broken["message"],
        format!(
            "broken.example.test: the resolver answered SERVFAIL (asked {})",
            dns.addr
        )
    );
    let bad = preview(&shell, "exa mple.test");
    assert_eq!(bad["failure"], "bad_name", "{bad}");
}

#[test]
fn test_now_probes_a_domain_through_its_mx_lookup_in_the_dns_settings() {
    let (_dns, shell) = shell_asking_fake_dns();
    let report = shell.ok(
        "test_monitor",
        json!({ "monitor": { "name": "d", "domain": "nx.example.test" }, "originalId": null }),
    );
    assert_eq!(report["status"], "failed", "{report}");
    assert_eq!(
        report["failure"]["message"],
        "MX lookup for nx.example.test: the name does not exist (NXDOMAIN)",
        "{report}"
    );
}
