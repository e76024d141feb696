//! Blocklists (RFC 5782) against a real DNS server: the lab's NSD serves the list `bl.test`,
//! which lists one MX address (A `127.0.0.2` and a TXT reason) and not the other, and the list
//! `refused.test`, which answers every query `127.255.255.254` (a list refusing the resolver);
//! the mail domain `mail.test` has two MX hosts, fake SMTP servers in the server namespace.
//! `check --domain` shows the listed address amber with its reason, the other not listed, and
//! the refusing list as refused — never listed. The agent, through a resolver on loopback that
//! logs every query (unbound), asks each list about each address exactly once over several
//! probes; a listing and a delisting made while it is down are each told once after a restart
//! (event 5542), the first probe having told nothing. A counter in the client namespace shows
//! nothing left the lab.

#![cfg(target_os = "linux")]

mod agent_support;

use std::net::{IpAddr, SocketAddr};

use agent_support::sse::Viewer;
use agent_support::{agent_exe, eventually, exposition, monitor, Agent, PATIENCE};
use ehlowatch_testkit::netns::{Family, Lab, Zone};
use serde_json::Value;

/// The validating resolver's address, in the client namespace.
const RESOLVER: &str = "127.0.0.1:53";
/// The reason `bl.test` gives for a listing.
const REASON: &str = "Listed by bl.test: see https://bl.test/lookup";

/// `ip`'s name under `zone`, written here from the RFC's rule (not with the engine's code).
fn reversed(ip: IpAddr, zone: &str) -> String {
    let IpAddr::V4(v4) = ip else {
        panic!("an IPv4 address: {ip}")
    };
    let [a, b, c, d] = v4.octets();
    format!("{d}.{c}.{b}.{a}.{zone}")
}

/// `bl.test` listing each of `listed` (A 127.0.0.2 with [`REASON`]).
fn list(listed: &[IpAddr]) -> Zone {
    listed.iter().fold(Zone::new("bl.test").ttl(1), |zone, ip| {
        let name = format!("{}.", reversed(*ip, "bl.test"));
        zone.raw(&format!("{name} A 127.0.0.2")).txt(&name, REASON)
    })
}

/// The zones: the mail domain, `bl.test` listing `listed`, and `refused.test`.
fn zones(mx1: IpAddr, mx2: IpAddr, listed: &[IpAddr]) -> Vec<Zone> {
    vec![
        Zone::new("mail.test")
            .ttl(1)
            .ip("mx1", mx1)
            .ip("mx2", mx2)
            .mx(10, "mx1")
            .mx(20, "mx2"),
        list(listed),
        Zone::new("refused.test").ttl(1).raw("* A 127.255.255.254"),
    ]
}

/// The lab: two MX hosts serving SMTP, the zones with `mx1` listed, and the resolver.
fn lab(hint: &str) -> (Lab, IpAddr, IpAddr) {
    let mut lab = Lab::new(hint);
    let mx1 = lab.add_server_ip(Family::V4);
    let mx2 = lab.add_server_ip(Family::V4);
    lab.fake_smtp(SocketAddr::new(mx1, 25), "healthy");
    lab.fake_smtp(SocketAddr::new(mx2, 25), "healthy");
    lab.serve_dns(&zones(mx1, mx2, &[mx1]));
    lab.serve_validating_resolver();
    (lab, mx1, mx2)
}

/// Runs `ehlowatch check --domain mail.test` with both lists and `args`: exit code, stdout.
fn check(lab: &Lab, args: &[&str]) -> (i32, String) {
    let out = lab
        .client_cmd(agent_exe())
        .args(["check", "--domain", "mail.test", "--resolver", RESOLVER])
        .args(["--blocklist", "bl.test", "--blocklist", "refused.test"])
        .args(["--qos-ms", "1000", "--ehlo-name", "probe.example.test"])
        .args(args)
        .output()
        .expect("run ehlowatch check in the client namespace");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The checks of the target of MX host `mx` in a report's (or `/api/status`'s) targets, by
/// list.
fn checks_of(targets: &Value, mx: &str, field: &str) -> (Value, Value) {
    let target = targets
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["mx"] == mx))
        .unwrap_or_else(|| panic!("no target of {mx} in {targets}"));
    let checks = if field.is_empty() {
        &target["blocklists"]
    } else {
        &target[field]["blocklists"]
    };
    let on = |list: &str| {
        checks
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["list"] == list))
            .cloned()
            .unwrap_or_else(|| panic!("no {list} check for {mx}: {target}"))
    };
    (on("bl.test"), on("refused.test"))
}

#[test]
#[ignore = "needs root, network namespaces, NSD and unbound: scripts/test runs it"]
fn check_domain_shows_a_listing_amber_and_a_refusal_never_as_listed() {
    let (lab, mx1, mx2) = lab("dnsbl");
    let (code, out) = check(&lab, &["--json"]);
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(code, 1, "a listing is amber: {report}");
    assert_eq!(report["status"], "warning", "{report}");

    let (listed, refused) = checks_of(&report["targets"], "mx1.mail.test", "report");
    assert_eq!(listed["state"], "listed", "{listed}");
    assert_eq!(listed["codes"], serde_json::json!(["127.0.0.2"]));
    assert_eq!(listed["reason"], REASON, "{listed}");
    assert_eq!(refused["state"], "refused", "{refused}");
    assert_eq!(refused["codes"], serde_json::json!(["127.255.255.254"]));

    let (clean, refused2) = checks_of(&report["targets"], "mx2.mail.test", "report");
    assert_eq!(clean["state"], "not_listed", "{clean}");
    assert_eq!(refused2["state"], "refused", "{refused2}");
    let targets = report["targets"].as_array().expect("targets");
    let status = |mx: &str| {
        targets
            .iter()
            .find(|t| t["mx"] == mx)
            .map(|t| t["status"].clone())
    };
    assert_eq!(status("mx1.mail.test"), Some("warning".into()));
    assert_eq!(
        status("mx2.mail.test"),
        Some("success".into()),
        "a refusing list turns nothing amber: {report}"
    );
    let mx1_report = &targets
        .iter()
        .find(|t| t["mx"] == "mx1.mail.test")
        .expect("mx1")["report"];
    assert_eq!(mx1_report["warnings"][0]["kind"], "blocklisted");
    assert_eq!(
        mx1_report["reason"],
        format!("{mx1} is listed on bl.test (127.0.0.2): {REASON}")
    );

    let (code, text) = check(&lab, &["--policy"]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains(&format!(
            "\n    blocklist bl.test: listed (127.0.0.2): {REASON}\n"
        )) && text.contains("\n    blocklist bl.test: not listed\n")
            && text.contains(
                "\n    blocklist refused.test: the list refused the query (127.255.255.254)"
            ),
        "--policy prints a line per list\n{text}"
    );
    assert!(!text.contains(&format!("{mx2} is listed")), "{text}");
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

[mail_policy]
blocklists = ["bl.test", "refused.test"]

[[monitor]]
name = "watched"
domain = "mail.test"
"#;

/// The findings the stream sends while `probes` more results come, and the last stream
/// sequence seen (0 when none).
async fn findings_over(viewer: &mut Viewer, probes: usize) -> (Vec<Value>, i64) {
    let mut findings = Vec::new();
    let mut results = 0;
    let mut last = 0;
    while results < probes {
        let event = viewer.next().await;
        last = last.max(event.id.unwrap_or_default());
        match event.event.as_str() {
            "result" => results += 1,
            "finding" => findings.push(event.data),
            _ => {}
        }
    }
    (findings, last)
}

/// Waits until `/api/status` shows the domain's targets with their blocklist checks.
async fn checked(agent: &Agent) -> Value {
    eventually("both targets checked", PATIENCE, || async {
        let status = agent.status().await;
        let watched = monitor(&status, "watched").clone();
        let both = watched["targets"]
            .as_array()
            .is_some_and(|ts| ts.len() == 2 && ts.iter().all(|t| t["blocklists"].is_array()));
        if both {
            Ok(watched)
        } else {
            Err(format!("{watched}\nlog:\n{}", agent.log()))
        }
    })
    .await
}

/// The resolver's log shows each list asked once about each address, and the TXT reason asked
/// only of the listing.
fn assert_one_lookup_each(lab: &Lab, mx1: IpAddr, mx2: IpAddr) {
    for ip in [mx1, mx2] {
        for zone in ["bl.test", "refused.test"] {
            let name = reversed(ip, zone);
            assert_eq!(
                lab.resolver_queries(&name, "A"),
                1,
                "one lookup of {name} over six probes"
            );
        }
    }
    assert_eq!(
        lab.resolver_queries(&reversed(mx1, "bl.test"), "TXT"),
        1,
        "the reason of the listing, once"
    );
    for zone in ["bl.test", "refused.test"] {
        assert_eq!(
            lab.resolver_queries(&reversed(mx2, zone), "TXT"),
            0,
            "no reason asked for what is not listed"
        );
    }
}

/// `ehlowatch_blocklisted` is 1 for the listing, 0 for the address not listed, and has no
/// sample for the refusing list.
async fn assert_listed_metric(agent: &Agent, mx1: IpAddr, mx2: IpAddr) {
    let metrics = agent.get("/metrics").await;
    let samples = exposition::samples(&metrics.body);
    let labels = |mx: &str, ip: IpAddr, list: &str| {
        [
            ("monitor", "watched".to_owned()),
            ("mx", mx.to_owned()),
            ("target", ip.to_string()),
            ("list", list.to_owned()),
        ]
    };
    let value = |mx: &str, ip: IpAddr, list: &str| {
        let l = labels(mx, ip, list);
        let l: Vec<(&str, &str)> = l.iter().map(|(k, v)| (*k, v.as_str())).collect();
        exposition::value(&samples, "ehlowatch_blocklisted", &l)
    };
    assert_eq!(
        value("mx1.mail.test", mx1, "bl.test"),
        Some(1.0),
        "{}",
        metrics.body
    );
    assert_eq!(
        value("mx2.mail.test", mx2, "bl.test"),
        Some(0.0),
        "{}",
        metrics.body
    );
    assert_eq!(
        value("mx1.mail.test", mx1, "refused.test"),
        None,
        "no sample for a refusal\n{}",
        metrics.body
    );
}

/// The blocklist findings (5542) the stream tells until two have come, then over four more
/// probes (none more is told), as (target, first change), sorted; each must be notified.
async fn blocklist_findings(viewer: &mut Viewer) -> Vec<(String, String)> {
    let mut told: Vec<Value> = Vec::new();
    while told.iter().filter(|f| f["event_id"] == 5542).count() < 2 {
        let seen = viewer
            .until("a blocklist finding", |e| {
                e.event == "finding" && e.data["event_id"] == 5542
            })
            .await;
        told.extend(
            seen.into_iter()
                .filter(|e| e.event == "finding")
                .map(|e| e.data),
        );
    }
    let (after, _) = findings_over(viewer, 4).await;
    assert!(
        after.iter().all(|f| f["event_id"] != 5542),
        "each change told once: {after:?}"
    );
    let mut blocklist: Vec<(String, String)> = told
        .iter()
        .filter(|f| f["event_id"] == 5542)
        .map(|f| {
            assert_eq!(f["kind"], "blocklist", "{f}");
            assert_eq!(f["notify"], true, "{f}");
            (
                f["target"].as_str().unwrap_or_default().to_owned(),
                f["changes"][0].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    blocklist.sort();
    blocklist
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root, network namespaces, NSD and unbound: scripts/test runs it"]
async fn the_agent_asks_each_list_once_an_hour_and_tells_a_listing_change_once() {
    let (mut lab, mx1, mx2) = lab("dnsblagent");
    let command = lab.client_cmd(agent_exe());
    let mut agent = Agent::start_via(CONFIG, &[], command, |addr| {
        lab.forward_to_client(addr.port())
    })
    .await;
    let mut viewer = Viewer::connect(agent.addr(), "/api/events?results=1", &[]).await;
    let first = checked(&agent).await;
    assert_eq!(first["status"], "warning", "{first}");
    let (listed, refused) = checks_of(&first["targets"], "mx1.mail.test", "");
    assert_eq!(
        (listed["state"].as_str(), refused["state"].as_str()),
        (Some("listed"), Some("refused"))
    );
    let (clean, _) = checks_of(&first["targets"], "mx2.mail.test", "");
    assert_eq!(clean["state"], "not_listed", "{clean}");

    // Several probes (answers live 1 s): each list is still asked once about each address,
    // and the listing known from the first probe is told to nobody.
    let (findings, sequence) = findings_over(&mut viewer, 6).await;
    assert!(
        findings.iter().all(|f| f["event_id"] != 5542),
        "the first probe sets the baseline: {findings:?}"
    );
    assert_one_lookup_each(&lab, mx1, mx2);
    assert_listed_metric(&agent, mx1, mx2).await;
    drop(viewer);

    // While the agent is down mx1 is delisted and mx2 listed: after the restart (a fresh hour
    // for the limiter, the baseline from the history) each change is told once, notified, and
    // nothing after. The stream resumes after the last sequence seen, so nothing is missed.
    agent.signal("TERM");
    agent.wait_exit(PATIENCE).await;
    lab.serve_dns(&zones(mx1, mx2, &[mx2]));
    let command = lab.client_cmd(agent_exe());
    agent
        .restart_via(command, |addr| lab.forward_to_client(addr.port()))
        .await;
    let resume = format!("/api/events?results=1&since={sequence}");
    let mut viewer = Viewer::connect(agent.addr(), &resume, &[]).await;
    let blocklist = blocklist_findings(&mut viewer).await;
    assert_eq!(
        blocklist,
        [
            (
                format!("mx1.mail.test {mx1}"),
                "no longer listed on bl.test".to_owned()
            ),
            (
                format!("mx2.mail.test {mx2}"),
                format!("listed on bl.test: listed (127.0.0.2): {REASON}")
            ),
        ],
    );
    assert_eq!(lab.escaped_packets(), 0, "nothing left the lab");
}
