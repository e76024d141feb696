//! DANE against a real DNSSEC chain: the lab's NSD serves the signed zone `dane.test` (keys made
//! per run, re-signed on every edit, TTL 2 s) and the unsigned `plain.test`; a validating
//! unbound on the client namespace's loopback, trusting the lab's keys, is the resolver; the
//! MX hosts are fake STARTTLS servers in the server namespace presenting certificates made per
//! run, whose TLSA records the testkit computes with the `openssl` command line — not with the
//! engine's code. `check --domain` shows each case; the agent shows a TLSA record that no
//! longer matches as the MX host Failed with the DANE reason, green again once the record is
//! restored, and a certificate changed under a record that was not updated called out as such.
//! A counter in the client namespace shows nothing left the lab.

#![cfg(target_os = "linux")]

mod agent_support;

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use agent_support::sse::Viewer;
use agent_support::{agent_exe, eventually, monitor, Agent, PATIENCE};
use ehlowatch_testkit::netns::{Family, Lab, Zone};
use ehlowatch_testkit::{ServerCert, TestPki, Validity};
use serde_json::Value;

/// The validating resolver's address, in the client namespace.
const RESOLVER: &str = "127.0.0.1:53";
/// The TTL of every record, in seconds.
const TTL: u32 = 2;

/// `rdata` with its matching-type field set to `matching` and its usage, selector and data
/// kept: a record naming the right data under the wrong matching type.
fn with_fields(rdata: &str, usage: u8, selector: u8, matching: u8) -> String {
    let data = rdata.split_whitespace().nth(3).expect("TLSA data");
    format!("{usage} {selector} {matching} {data}")
}

/// Runs `ehlowatch check --domain DOMAIN --resolver RESOLVER ARGS` in the client namespace:
/// exit code and stdout.
fn check(lab: &Lab, domain: &str, resolver: &str, args: &[&str]) -> (i32, String) {
    let out = lab
        .client_cmd(agent_exe())
        .args(["check", "--domain", domain, "--resolver", resolver])
        .args(args)
        .args(["--qos-ms", "1000", "--ehlo-name", "probe.example.test"])
        .output()
        .expect("run ehlowatch check in the client namespace");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The first target's DANE check of `check --domain DOMAIN --json`, and the exit code.
fn dane_of(lab: &Lab, domain: &str, resolver: &str) -> (i32, Value) {
    let (code, out) = check(lab, domain, resolver, &["--json"]);
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let target = &report["targets"][0];
    assert!(target.is_object(), "{domain}: no target\n{report}");
    (code, target["report"]["dane"].clone())
}

#[test]
#[ignore = "needs root, network namespaces, NSD, unbound and ldnsutils: scripts/test runs it"]
fn check_domain_judges_each_tlsa_case_against_the_served_certificate() {
    let mut lab = Lab::new("dane");
    let pki = TestPki::new();
    let issued_ip = lab.add_server_ip(Family::V4);
    let own_ip = lab.add_server_ip(Family::V4);
    let issued = pki.server_cert(&["mx-ta.dane.test"], Validity::FRESH);
    let own = ServerCert::self_signed(&["not-the-mx.example"]);
    let other = ServerCert::self_signed(&["other.example"]);
    lab.fake_smtp_with_cert(SocketAddr::new(issued_ip, 25), "starttls", &issued);
    lab.fake_smtp_with_cert(SocketAddr::new(own_ip, 25), "starttls", &own);
    let own_311 = own.tlsa(3, 1, 1);
    let hosts = [
        ("ee", own_ip, Some(own_311.clone())),
        ("ta", issued_ip, Some(issued.tlsa(2, 1, 1))),
        ("ta-name", issued_ip, Some(issued.tlsa(2, 1, 1))),
        ("ee-full", own_ip, Some(own.tlsa(3, 0, 2))),
        ("wrong", own_ip, Some(other.tlsa(3, 1, 1))),
        ("selector", own_ip, Some(with_fields(&own_311, 3, 0, 1))),
        ("matching", own_ip, Some(with_fields(&own_311, 3, 1, 0))),
        ("pkix", own_ip, Some(with_fields(&own_311, 1, 1, 1))),
        ("none", own_ip, None),
    ];
    let signed = hosts.iter().fold(
        Zone::new("dane.test").ttl(TTL).signed(),
        |zone, (name, ip, tlsa)| {
            let mx = if *name == "ta" {
                "mx-ta".to_owned()
            } else {
                format!("mx-{name}")
            };
            let zone = zone.ip(&mx, *ip).raw(&format!("{name} MX 10 {mx}"));
            match tlsa {
                Some(rdata) => zone.raw(&format!("_25._tcp.{mx} TLSA {rdata}")),
                None => zone,
            }
        },
    );
    let unsigned = Zone::new("plain.test")
        .ttl(TTL)
        .ip("mx", own_ip)
        .mx(10, "mx")
        .raw(&format!("_25._tcp.mx TLSA {}", other.tlsa(3, 1, 1)));
    let nsd = lab.serve_dns(&[signed, unsigned]);
    lab.serve_validating_resolver();

    for (domain, code, state) in [
        ("ee.dane.test", 0, "matched"),
        ("ta.dane.test", 0, "matched"),
        ("ee-full.dane.test", 0, "matched"),
        ("ta-name.dane.test", 2, "no_match"),
        ("wrong.dane.test", 2, "no_match"),
        ("selector.dane.test", 2, "no_match"),
        ("matching.dane.test", 2, "no_match"),
        ("pkix.dane.test", 0, "not_usable"),
        ("none.dane.test", 0, "no_records"),
        ("plain.test", 0, "not_usable"),
    ] {
        let (exit, dane) = dane_of(&lab, domain, RESOLVER);
        assert_eq!(
            (exit, dane["state"].as_str()),
            (code, Some(state)),
            "{domain}: {dane}"
        );
    }

    let (_, matched) = dane_of(&lab, "ee.dane.test", RESOLVER);
    assert_eq!(matched["records"], serde_json::json!([own_311]));
    assert!(
        matched["verdict"]
            .as_str()
            .is_some_and(|v| v.contains("DANE-EE: names and expiry not checked")),
        "a self-signed DANE-EE host for another name matches: {matched}"
    );
    let (_, ta) = dane_of(&lab, "ta.dane.test", RESOLVER);
    assert!(ta["verdict"].to_string().contains("(DANE-TA)"), "{ta}");

    let (code, text) = check(&lab, "wrong.dane.test", RESOLVER, &["--policy"]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.starts_with("SMTP CRITICAL - ")
            && text.contains(
                "DANE senders will refuse this host: no TLSA record matches the served certificate"
            ),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "\n  mx-wrong.dane.test {own_ip} DANE no match: DANE senders will refuse this host"
        )) && text.contains(&format!("\n    TLSA {}\n", other.tlsa(3, 1, 1))),
        "--policy prints the verdict and the record\n{text}"
    );

    // The lab's NSD is not on loopback: its AD bit is not trusted, nothing is judged.
    let (code, dane) = dane_of(&lab, "wrong.dane.test", &format!("{nsd}:53"));
    assert_eq!(code, 0, "{dane}");
    assert_eq!(dane["state"], "not_checked", "{dane}");
    assert!(
        dane["verdict"]
            .as_str()
            .is_some_and(|v| v.starts_with("DANE not checked: no validating resolver")),
        "{dane}"
    );
    assert_eq!(lab.escaped_packets(), 0, "nothing left the lab");
}

const CONFIG: &str = r#"[defaults]
qos_ms = 400
interval_s = 1
retry_s = 1
ehlo_name = "probe.example.test"

[dns]
resolver = ["127.0.0.1:53"]
min_ttl_s = 1

[[monitor]]
name = "watched"
domain = "dane.test"
"#;

/// `dane.test`, signed: `mx1` and `mx2` at their addresses, each with its TLSA record.
fn zone(mx1: IpAddr, mx1_tlsa: &str, mx2: IpAddr, mx2_tlsa: &str) -> Zone {
    Zone::new("dane.test")
        .ttl(TTL)
        .signed()
        .ip("mx1", mx1)
        .ip("mx2", mx2)
        .mx(10, "mx1")
        .mx(20, "mx2")
        .raw(&format!("_25._tcp.mx1 TLSA {mx1_tlsa}"))
        .raw(&format!("_25._tcp.mx2 TLSA {mx2_tlsa}"))
}

/// The 5540 finding of mx1's refused record on the stream, and its `ehlowatch_dane` sample.
async fn told_once_with_its_metric(viewer: &mut Viewer, agent: &Agent, mx1_ip: IpAddr) {
    let told = viewer
        .until("a DANE finding", |e| {
            e.event == "finding" && e.data["event_id"] == 5540
        })
        .await;
    let finding = &told.last().expect("the finding").data;
    assert_eq!(
        finding["target"],
        format!("mx1.dane.test {mx1_ip}"),
        "{finding}"
    );
    assert_eq!(finding["kind"], "dane", "{finding}");
    let labels = [
        ("monitor", "watched"),
        ("mx", "mx1.dane.test"),
        ("target", &mx1_ip.to_string()),
        ("state", "no_match"),
    ];
    let (value, body) = agent.sample("ehlowatch_dane", &labels).await;
    assert_eq!(value, Some(1.0), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root, network namespaces, NSD, unbound and ldnsutils: scripts/test runs it"]
async fn a_tlsa_record_that_no_longer_matches_fails_the_mx_host_until_it_is_restored() {
    let mut lab = Lab::new("danelive");
    let mx1_ip = lab.add_server_ip(Family::V4);
    let mx2_ip = lab.add_server_ip(Family::V4);
    let mx1_cert = ServerCert::self_signed(&["mx1.dane.test"]);
    let mx2_cert = ServerCert::self_signed(&["whatever.example"]);
    let stray = ServerCert::self_signed(&["stray.example"]);
    let mx1_server = lab.fake_smtp_with_cert(SocketAddr::new(mx1_ip, 25), "starttls", &mx1_cert);
    lab.fake_smtp_with_cert(SocketAddr::new(mx2_ip, 25), "starttls", &mx2_cert);
    let (good, mx2_tlsa) = (mx1_cert.tlsa(3, 1, 1), mx2_cert.tlsa(3, 1, 1));
    lab.serve_dns(&[zone(mx1_ip, &good, mx2_ip, &mx2_tlsa)]);
    lab.serve_validating_resolver();
    let command = lab.client_cmd(agent_exe());
    let agent = Agent::start_via(CONFIG, &[], command, |addr| {
        lab.forward_to_client(addr.port())
    })
    .await;
    agent
        .mx_target_when("mx1.dane.test", "success", "dane", "matched")
        .await;
    agent
        .mx_target_when("mx2.dane.test", "success", "dane", "matched")
        .await;
    let mut viewer = Viewer::connect(agent.addr(), "/api/events?results=1", &[]).await;

    // mx1's record is replaced by one for another certificate: mx1 Failed, with the reason.
    lab.serve_dns(&[zone(mx1_ip, &stray.tlsa(3, 1, 1), mx2_ip, &mx2_tlsa)]);
    let failed = agent
        .mx_target_when("mx1.dane.test", "failed", "dane", "no_match")
        .await;
    assert_eq!(
        failed["reason"],
        "DANE senders will refuse this host: no TLSA record matches the served certificate",
        "{failed}"
    );
    assert_eq!(
        failed["dane"]["records"],
        serde_json::json!([stray.tlsa(3, 1, 1)])
    );
    agent
        .mx_target_when("mx2.dane.test", "success", "dane", "matched")
        .await;
    let red = eventually("the domain failed", PATIENCE, || async {
        let all = agent.status().await;
        let watched = monitor(&all, "watched").clone();
        if watched["status"] == "failed" {
            Ok(watched)
        } else {
            Err(watched.to_string())
        }
    })
    .await;
    assert!(
        red["reason"]
            .to_string()
            .contains("DANE senders will refuse this host"),
        "{red}"
    );
    told_once_with_its_metric(&mut viewer, &agent, mx1_ip).await;
    drop(viewer);

    // The record restored: green again within the TTL and an interval (and a loaded machine).
    let restored_at = Instant::now();
    lab.serve_dns(&[zone(mx1_ip, &good, mx2_ip, &mx2_tlsa)]);
    agent
        .mx_target_when("mx1.dane.test", "success", "dane", "matched")
        .await;
    let took = restored_at.elapsed();
    assert!(
        took.as_secs() <= u64::from(TTL) + 1 + 10,
        "green again {took:?} after the record was restored"
    );

    // mx1 renews its certificate but its TLSA record still names the old one.
    lab.stop(mx1_server);
    let renewed = ServerCert::self_signed(&["mx1.dane.test"]);
    lab.fake_smtp_with_cert(SocketAddr::new(mx1_ip, 25), "starttls", &renewed);
    let stale = agent
        .mx_target_when("mx1.dane.test", "failed", "dane", "tlsa_not_updated")
        .await;
    assert!(
        stale["reason"]
            .as_str()
            .is_some_and(|r| r.contains("TLSA not updated after a certificate change")),
        "{stale}"
    );
    assert_eq!(lab.escaped_packets(), 0, "nothing left the lab");
}
