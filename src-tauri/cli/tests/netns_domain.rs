//! `ehlowatch check --domain` against a real DNS server: the check runs in a client network
//! namespace whose resolver (`/etc/netns/<ns>/resolv.conf`) is the lab's NSD, serving zones this
//! test writes, and whose mail servers live in the server namespace (the testkit's `netns::Lab`).
//! An MX set of a good and a dead host gives two targets, the worst (failed) shown; a domain
//! without MX is its own implicit MX; a null MX takes no mail; NXDOMAIN fails; a CNAME at an MX
//! target is amber; STARTTLS is used when offered and a self-signed certificate is recorded,
//! not failed. A counter in the client namespace shows nothing was dialled outside the lab.

#![cfg(target_os = "linux")]

mod agent_support;

use std::net::{IpAddr, SocketAddr};

use agent_support::{agent_exe, eventually, monitor, Agent, PATIENCE};
use ehlowatch_testkit::netns::{Family, Lab, Zone};
use serde_json::Value;

/// The lab's mail servers and zones.
struct Domains {
    lab: Lab,
    good: IpAddr,
    dead: IpAddr,
    tls: IpAddr,
}

fn domains(hint: &str) -> Domains {
    let mut lab = Lab::new(hint);
    let good = lab.add_server_ip(Family::V4);
    let tls = lab.add_server_ip(Family::V4);
    let dead = lab.add_dead_ip(Family::V4);
    lab.fake_smtp(SocketAddr::new(good, 25), "healthy");
    lab.fake_smtp(SocketAddr::new(tls, 25), "starttls-self-signed");
    lab.serve_dns(&[
        Zone::new("example.test")
            .ip("mx1", good)
            .ip("mx2", dead)
            .mx(20, "mx2")
            .mx(10, "mx1"),
        Zone::new("implicit.test").ip("@", good),
        Zone::new("nullmx.test").mx(0, "."),
        Zone::new("alias.test")
            .raw("mail CNAME real")
            .ip("real", good)
            .mx(10, "mail"),
        Zone::new("tls.test").ip("mx", tls).mx(10, "mx"),
    ]);
    Domains {
        lab,
        good,
        dead,
        tls,
    }
}

/// Runs `ehlowatch check --domain DOMAIN ARGS` in the client namespace: exit code and stdout.
fn check(lab: &Lab, domain: &str, args: &[&str]) -> (i32, String) {
    let out = lab
        .client_cmd(agent_exe())
        .args(["check", "--domain", domain])
        .args(args)
        .args(["--qos-ms", "300", "--ehlo-name", "probe.example.test"])
        .output()
        .expect("run ehlowatch check in the client namespace");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn json(lab: &Lab, domain: &str) -> (i32, Value) {
    let (code, out) = check(lab, domain, &["--json"]);
    let value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    (code, value)
}

/// `(mx, address, status)` of each target.
fn targets(report: &Value) -> Vec<(String, String, String)> {
    report["targets"]
        .as_array()
        .unwrap_or_else(|| panic!("no targets: {report}"))
        .iter()
        .map(|t| {
            let text = |key: &str| t[key].as_str().unwrap_or_default().to_owned();
            (text("mx"), text("address"), text("status"))
        })
        .collect()
}

#[test]
#[ignore = "needs root, network namespaces, iptables and NSD: scripts/test runs it"]
fn a_domain_is_probed_as_its_mx_hosts_in_preference_order() {
    let d = domains("domain");
    let (code, report) = json(&d.lab, "example.test");
    assert_eq!(code, 2, "a dead backup MX is red\n{report}");
    assert_eq!(
        targets(&report),
        [
            (
                "mx1.example.test".into(),
                d.good.to_string(),
                "success".into()
            ),
            (
                "mx2.example.test".into(),
                d.dead.to_string(),
                "failed".into()
            ),
        ]
    );
    assert_eq!(report["status"], "failed", "{report}");
    assert_eq!(
        report["host"], "mx2.example.test",
        "the worst target on top"
    );
    assert_eq!(report["port"], 25);

    let (code, line) = check(&d.lab, "example.test", &[]);
    assert_eq!(code, 2, "{line}");
    assert!(line.starts_with("SMTP CRITICAL - "), "{line}");
    assert!(
        line.contains(&format!(
            " at mx2.example.test[{}]:25; 1 of 2 MX hosts failing | ",
            d.dead
        )),
        "the worst MX on the line\n{line}"
    );
    assert!(
        line.contains(&format!(" mx1.example.test[{}]=", d.good)),
        "perfdata per MX host and address\n{line}"
    );
    assert!(
        line.contains(&format!(" mx2.example.test[{}]=U;", d.dead)),
        "{line}"
    );
    assert_eq!(d.lab.escaped_packets(), 0, "nothing left the lab");
}

#[test]
#[ignore = "needs root, network namespaces, iptables and NSD: scripts/test runs it"]
fn implicit_mx_null_mx_nxdomain_and_an_alias() {
    let d = domains("mxkinds");

    let (code, report) = json(&d.lab, "implicit.test");
    assert_eq!(code, 0, "no MX: the domain is its own MX\n{report}");
    assert_eq!(
        targets(&report),
        [("implicit.test".into(), d.good.to_string(), "success".into())]
    );

    let (code, line) = check(&d.lab, "nullmx.test", &[]);
    assert_eq!(code, 3, "a null MX takes no mail: nothing to alert\n{line}");
    assert!(
        line.starts_with(
            "SMTP UNKNOWN - nullmx.test takes no mail: it publishes a null MX (RFC 7505)"
        ),
        "{line}"
    );

    let (code, report) = json(&d.lab, "nowhere.example.test");
    assert_eq!(code, 2, "NXDOMAIN is the domain's problem\n{report}");
    assert_eq!(report["failure"]["kind"], "nx_domain", "{report}");
    assert_eq!(
        report["reason"],
        "MX lookup for nowhere.example.test: the name does not exist (NXDOMAIN)"
    );

    let (code, report) = json(&d.lab, "alias.test");
    assert_eq!(code, 1, "a CNAME at an MX target is amber\n{report}");
    assert_eq!(
        targets(&report),
        [(
            "mail.alias.test".into(),
            d.good.to_string(),
            "warning".into()
        )]
    );
    assert_eq!(report["warnings"][0]["kind"], "mx_alias", "{report}");
    let reason = report["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("MX host mail.alias.test is an alias (CNAME) of real.alias.test"),
        "{reason}"
    );
    assert_eq!(d.lab.escaped_packets(), 0, "nothing left the lab");
}

#[test]
#[ignore = "needs root, network namespaces, iptables and NSD: scripts/test runs it"]
fn starttls_is_opportunistic_and_the_resolver_can_be_named() {
    let d = domains("domaintls");
    let (code, report) = json(&d.lab, "tls.test");
    assert_eq!(
        code, 0,
        "an untrusted certificate is not Failed by itself\n{report}"
    );
    assert_eq!(report["address"], d.tls.to_string());
    assert_eq!(report["tls_mode"], "starttls");
    assert_eq!(report["tls"]["verified"], false, "{report}");

    let (code, report) = json(&d.lab, "implicit.test");
    assert_eq!(
        code, 0,
        "no STARTTLS offered: the plain EHLO is judged\n{report}"
    );
    assert_eq!(report["tls"], Value::Null);

    let dns = d.lab.server_ip(Family::V4);
    let (code, out) = check(
        &d.lab,
        "example.test",
        &["--resolver", &format!("{dns}:53"), "--json"],
    );
    assert_eq!(code, 2, "{out}");
    let (code, out) = check(&d.lab, "example.test", &["--resolver", "10.250.0.1:5353"]);
    assert_eq!(code, 3, "no DNS server there: cannot tell from here\n{out}");
    assert!(
        out.starts_with("SMTP UNKNOWN - no answer from the resolver (10.250.0.1:5353)"),
        "{out}"
    );
    assert_eq!(d.lab.escaped_packets(), 0, "nothing left the lab");
}

const AGENT_CONFIG: &str = r#"
[defaults]
qos_ms = 300
interval_s = 2
retry_s = 1
ehlo_name = "probe.example.test"

[dns]
min_ttl_s = 1

[[monitor]]
name = "example"
domain = "example.test"

[[monitor]]
name = "implicit"
domain = "implicit.test"

[[monitor]]
name = "nomail"
domain = "nullmx.test"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root, network namespaces, iptables and NSD: scripts/test runs it"]
async fn the_agent_watches_a_domain_through_the_system_resolver() {
    let mut d = domains("agentdomain");
    let command = d.lab.client_cmd(agent_exe());
    let lab = &mut d.lab;
    let agent = Agent::start_via(AGENT_CONFIG, &[], command, |addr| {
        lab.forward_to_client(addr.port())
    })
    .await;
    let status = eventually("the three domains shown", PATIENCE, || async {
        let status = agent.status().await;
        let shown = |name: &str| {
            monitor(&status, name)["status"]
                .as_str()
                .unwrap_or("")
                .to_owned()
        };
        let shown = [shown("example"), shown("implicit"), shown("nomail")];
        if shown == ["failed", "success", "no_mail"] {
            Ok(status)
        } else {
            Err(format!("{status}\nlog:\n{}", agent.log()))
        }
    })
    .await;
    let example = monitor(&status, "example");
    assert_eq!(example["host"], "example.test", "{status}");
    let nomail = monitor(&status, "nomail");
    assert_eq!(
        nomail["event_id"], 5533,
        "a null MX is grey, its own id: {nomail}"
    );

    assert_eq!(example["port"], 25, "{status}");
    assert_eq!(d.lab.escaped_packets(), 0, "nothing left the lab");
}

/// The zones of the re-resolution test: `moving.test` sends mail to `to` with an MX TTL of 2 s.
fn moving(to: &str, good: IpAddr, dead: IpAddr) -> Zone {
    Zone::new("moving.test")
        .ip("good", good)
        .ip("dead", dead)
        .mx_ttl(2, 10, to)
}

/// Polls `/api/status` until the monitor `moving` shows `want`.
async fn moving_shows(agent: &Agent, want: &str) {
    eventually(want, PATIENCE, || async {
        let status = agent.status().await;
        if monitor(&status, "moving")["status"] == want {
            Ok(())
        } else {
            Err(format!("{status}\nlog:\n{}", agent.log()))
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root, network namespaces, iptables and NSD: scripts/test runs it"]
async fn an_mx_answer_is_asked_again_when_its_ttl_has_passed() {
    let mut lab = Lab::new("mxttl");
    let good = lab.add_server_ip(Family::V4);
    let dead = lab.add_dead_ip(Family::V4);
    lab.fake_smtp(SocketAddr::new(good, 25), "healthy");
    lab.serve_dns(&[moving("dead", good, dead)]);
    let defaults = AGENT_CONFIG.split("[[monitor]]").next().unwrap_or_default();
    let config = format!("{defaults}[[monitor]]\nname = \"moving\"\ndomain = \"moving.test\"\n");
    let command = lab.client_cmd(agent_exe());
    let agent = Agent::start_via(&config, &[], command, |addr| {
        lab.forward_to_client(addr.port())
    })
    .await;
    moving_shows(&agent, "failed").await;
    // The zone changes under the running agent: once the MX answer's 2 s have passed, the
    // next probe asks again and finds the good host.
    lab.serve_dns(&[moving("good", good, dead)]);
    moving_shows(&agent, "success").await;
    assert_eq!(lab.escaped_packets(), 0, "nothing left the lab");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root, network namespaces, iptables and NSD: scripts/test runs it"]
async fn a_domain_that_does_not_exist_is_red_even_when_it_is_the_only_monitor() {
    // NXDOMAIN is an answer: the resolver works, the domain is broken. A lone monitor whose
    // name does not resolve would otherwise look like this machine being offline (grey).
    let mut d = domains("nxdomain");
    let defaults = AGENT_CONFIG.split("[[monitor]]").next().unwrap_or_default();
    let config =
        format!("{defaults}[[monitor]]\nname = \"nowhere\"\ndomain = \"nowhere.example.test\"\n");
    let command = d.lab.client_cmd(agent_exe());
    let lab = &mut d.lab;
    let agent = Agent::start_via(&config, &[], command, |addr| {
        lab.forward_to_client(addr.port())
    })
    .await;
    let nowhere = eventually("the domain judged", PATIENCE, || async {
        let status = agent.status().await;
        let nowhere = monitor(&status, "nowhere").clone();
        if nowhere["status"] == "failed" {
            Ok(nowhere)
        } else {
            Err(format!("{status}\nlog:\n{}", agent.log()))
        }
    })
    .await;
    let reason = nowhere["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("(NXDOMAIN)"), "{nowhere}");
    assert_eq!(d.lab.escaped_packets(), 0, "nothing left the lab");
}
