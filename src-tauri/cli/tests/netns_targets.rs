//! Every address of a host, with a real DNS server: `check` and the agent run in a client
//! network namespace whose resolver is NSD in a server namespace (the testkit's `netns::Lab`).
//! A name with a good and a dead address is two targets — the good one `success`, the dead one
//! `failed` at connect, the monitor and the top-level fields the worst (`failed`, exit 2), and
//! `--first-address` one target. In a client without an IPv6 route the AAAA of a dual-stack
//! name is `no_route` (grey, 3 in the metric) and never turns the host red or grey; a name with
//! only an AAAA cannot be judged from there (exit 3). Two hosts each with a dead address are
//! failing servers, not "outbound port 25 blocked here". A counter in the client namespace
//! shows nothing was dialled outside the lab.

#![cfg(target_os = "linux")]

mod agent_support;

use std::net::{IpAddr, SocketAddr};

use ehlowatch_testkit::netns::{Family, Lab, Zone};
use serde_json::Value;

use agent_support::exposition::{samples, value, with_label};
use agent_support::{agent_exe, eventually, monitor, Agent, PATIENCE};

/// The addresses of a lab's names.
struct Hosts {
    /// Answers SMTP on 25 and 587 (`mx`, `dual`, `two`).
    good: IpAddr,
    /// Drops every packet: connects time out (`mx`).
    dead: IpAddr,
    /// A second good and dead pair (`mx2`).
    good2: IpAddr,
    dead2: IpAddr,
    /// An IPv6 address answering SMTP on 25 (`dual`, `six`).
    six: IpAddr,
}

/// The lab: `mx` (good + dead), `mx2` (good2 + dead2), `two` (good + good2), `dual` (good +
/// six), `six` (six only), under `example.test` on the lab's NSD.
fn lab(hint: &str) -> (Lab, Hosts) {
    let mut lab = Lab::new(hint);
    let good = lab.add_server_ip(Family::V4);
    let good2 = lab.add_server_ip(Family::V4);
    let dead = lab.add_dead_ip(Family::V4);
    let dead2 = lab.add_dead_ip(Family::V4);
    let six = lab.add_server_ip(Family::V6);
    for at in [(good, 25), (good, 587), (good2, 25), (six, 25)] {
        lab.fake_smtp(SocketAddr::from(at), "healthy");
    }
    lab.serve_dns(&[Zone::new("example.test")
        .ip("mx", good)
        .ip("mx", dead)
        .ip("mx2", good2)
        .ip("mx2", dead2)
        .ip("two", good)
        .ip("two", good2)
        .ip("dual", good)
        .ip("dual", six)
        .ip("six", six)]);
    let hosts = Hosts {
        good,
        dead,
        good2,
        dead2,
        six,
    };
    (lab, hosts)
}

/// Runs `ehlowatch check ARGS` in the client namespace: exit code and stdout.
fn check(lab: &Lab, args: &[&str]) -> (i32, String) {
    let out = lab
        .client_cmd(agent_exe())
        .arg("check")
        .args(args)
        .args(["--qos-ms", "300", "--ehlo-name", "probe.example.test"])
        .output()
        .expect("run ehlowatch check in the client namespace");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// `check ARGS --json`: exit code and the JSON object.
fn check_json(lab: &Lab, args: &[&str]) -> (i32, Value) {
    let mut with_json = args.to_vec();
    with_json.push("--json");
    let (code, out) = check(lab, &with_json);
    let json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    (code, json)
}

/// `(address, status)` of each target, in the report's order, sorted.
fn targets(json: &Value) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = json["targets"]
        .as_array()
        .unwrap_or_else(|| panic!("no targets[] in {json}"))
        .iter()
        .map(|t| {
            (
                t["address"].as_str().unwrap_or("").to_owned(),
                t["status"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn row(ip: IpAddr, status: &str) -> (String, String) {
    (ip.to_string(), status.to_owned())
}

fn sorted(mut rows: Vec<(String, String)>) -> Vec<(String, String)> {
    rows.sort();
    rows
}

/// The target of `json` at `ip`.
fn target(json: &Value, ip: IpAddr) -> &Value {
    json["targets"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["address"] == ip.to_string()))
        .unwrap_or_else(|| panic!("no target {ip} in {json}"))
}

#[test]
#[ignore = "needs root, network namespaces, iptables and NSD: scripts/test runs it"]
fn check_probes_every_address_of_a_name_and_reports_the_dead_one() {
    let (lab, h) = lab("check-dead");
    let (code, json) = check_json(&lab, &["mx.example.test"]);
    assert_eq!(
        targets(&json),
        sorted(vec![row(h.good, "success"), row(h.dead, "failed")]),
        "{json}"
    );
    assert_eq!(code, 2, "one dead address makes the host CRITICAL\n{json}");
    let dead = &target(&json, h.dead)["report"];
    assert_eq!(
        (&dead["failure"]["phase"], &dead["failure"]["kind"]),
        (&Value::from("connect"), &Value::from("timeout")),
        "{json}"
    );
    assert_eq!(
        target(&json, h.good)["report"]["address"],
        h.good.to_string()
    );
    // The top level is the worst target's, as it was before there were targets.
    assert_eq!(
        (&json["status"], &json["address"], &json["event_id"]),
        (
            &Value::from("failed"),
            &Value::from(h.dead.to_string()),
            &Value::from(5509)
        ),
        "{json}"
    );

    // What a sysadmin reads: which address failed, and that another one answers.
    let (code, out) = check(&lab, &["mx.example.test"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.starts_with("SMTP CRITICAL - "), "{out}");
    let line = out.lines().next().unwrap_or_default();
    assert!(
        line.contains(&format!(
            " at mx.example.test[{}]:25; 1 of 2 addresses failing | ",
            h.dead
        )),
        "the status line names the dead address and says the other answers: {line}"
    );
    let (_, verbose) = check(&lab, &["mx.example.test", "-v"]);
    for ip in [h.good, h.dead] {
        assert!(
            verbose.contains(&ip.to_string()),
            "-v shows every target, {ip} too:\n{verbose}"
        );
    }

    // Two good addresses: success, each a target.
    let (code, json) = check_json(&lab, &["two.example.test"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(
        targets(&json),
        sorted(vec![row(h.good, "success"), row(h.good2, "success")])
    );

    // Opting out: the first address that answers, one target.
    let (code, json) = check_json(&lab, &["mx.example.test", "--first-address"]);
    assert_eq!(json["targets"].as_array().map(Vec::len), Some(1), "{json}");
    assert_eq!(json["status"], "success", "{json}");
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["address"], h.good.to_string(), "{json}");
    assert_eq!(lab.escaped_packets(), 0, "nothing left the lab");
}

#[test]
#[ignore = "needs root, network namespaces, iptables and NSD: scripts/test runs it"]
fn an_aaaa_without_an_ipv6_route_is_no_route_and_never_turns_the_host_red() {
    let (lab, h) = lab("check-v6");
    // With IPv6, both addresses of the dual-stack name are judged.
    let (code, json) = check_json(&lab, &["dual.example.test"]);
    assert_eq!(
        targets(&json),
        sorted(vec![row(h.good, "success"), row(h.six, "success")]),
        "{json}"
    );
    assert_eq!(code, 0, "{json}");

    lab.remove_client_ipv6();
    let (code, json) = check_json(&lab, &["dual.example.test"]);
    assert_eq!(
        targets(&json),
        sorted(vec![row(h.good, "success"), row(h.six, "no_route")]),
        "{json}"
    );
    assert_eq!(
        target(&json, h.six)["report"]["failure"]["kind"],
        "network_unreachable",
        "{json}"
    );
    assert_eq!(
        (&json["status"], &json["address"]),
        (&Value::from("success"), &Value::from(h.good.to_string())),
        "{json}"
    );
    assert_eq!(code, 0, "an IPv4-only client keeps a dual-stack host green");
    let (code, out) = check(&lab, &["dual.example.test"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("SMTP OK - 250 in "), "{out}");

    // Only an AAAA: nothing can be judged from here.
    let (code, json) = check_json(&lab, &["six.example.test"]);
    assert_eq!(targets(&json), vec![row(h.six, "no_route")], "{json}");
    assert_eq!(code, 3, "{json}");
    let (code, out) = check(&lab, &["six.example.test"]);
    assert_eq!(code, 3, "{out}");
    assert!(out.starts_with("SMTP UNKNOWN - "), "{out}");
    assert!(out.contains("no route"), "{out}");
    assert_eq!(lab.escaped_packets(), 0, "nothing left the lab");
}

/// Polls `/api/status` until the monitors `want` names show their statuses.
async fn shown(agent: &Agent, want: &[(&str, &str)]) -> Value {
    eventually("the monitors' statuses", PATIENCE, || async {
        let status = agent.status().await;
        let now: Vec<(&str, &str)> = want
            .iter()
            .map(|(name, _)| {
                (
                    *name,
                    monitor(&status, name)["status"].as_str().unwrap_or(""),
                )
            })
            .collect();
        if now == want {
            Ok(status)
        } else {
            Err(format!("{status}\nlog:\n{}", agent.log()))
        }
    })
    .await
}

/// Polls `/metrics` until `ehlowatch_target_status` of `monitor` holds exactly `want`
/// (address, value).
async fn target_metrics(agent: &Agent, name: &str, want: &[(IpAddr, f64)]) {
    eventually("ehlowatch_target_status", PATIENCE, || async {
        let metrics = samples(&agent.get("/metrics").await.body);
        let found: Vec<Option<f64>> = want
            .iter()
            .map(|(ip, _)| {
                value(
                    &metrics,
                    "ehlowatch_target_status",
                    &[("monitor", name), ("target", &ip.to_string())],
                )
            })
            .collect();
        let wanted: Vec<Option<f64>> = want.iter().map(|(_, v)| Some(*v)).collect();
        let rows = with_label(&metrics, "ehlowatch_target_status", "monitor", name).count();
        if found == wanted && rows == want.len() {
            Ok(())
        } else {
            Err(format!("{found:?} in {rows} rows"))
        }
    })
    .await;
}

const AGENT: &str = r#"
[defaults]
qos_ms = 300
interval_s = 2
retry_s = 1
ehlo_name = "probe.example.test"

[[monitor]]
name = "mx"
host = "mx.example.test"

[[monitor]]
name = "dual"
host = "dual.example.test"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root, network namespaces, iptables and NSD: scripts/test runs it"]
async fn the_agent_shows_each_address_as_a_target() {
    let (mut lab, h) = lab("agent");
    lab.remove_client_ipv6();
    let command = lab.client_cmd(agent_exe());
    let agent = Agent::start_via(AGENT, &[], command, |addr| {
        lab.forward_to_client(addr.port())
    })
    .await;
    let status = shown(&agent, &[("mx", "failed"), ("dual", "success")]).await;
    // Which address fails, and why.
    let mut rows: Vec<(String, String, bool)> = monitor(&status, "mx")["targets"]
        .as_array()
        .unwrap_or_else(|| panic!("no targets in {status}"))
        .iter()
        .map(|t| {
            (
                t["address"].as_str().unwrap_or("").to_owned(),
                t["status"].as_str().unwrap_or("").to_owned(),
                t["reason"]
                    .as_str()
                    .is_some_and(|r| r.contains("no connection")),
            )
        })
        .collect();
    rows.sort();
    let mut want = [
        (h.good.to_string(), "success".to_owned(), false),
        (h.dead.to_string(), "failed".to_owned(), true),
    ];
    want.sort();
    assert_eq!(rows, want, "{status}");
    let dual = monitor(&status, "dual")["targets"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["address"] == h.six.to_string()))
        .unwrap_or_else(|| panic!("no target {} in {status}", h.six));
    assert_eq!(dual["status"], "no_route", "{status}");

    assert_eq!(status["port25_blocked"], false, "{status}");
    target_metrics(&agent, "mx", &[(h.good, 0.0), (h.dead, 2.0)]).await;
    target_metrics(&agent, "dual", &[(h.good, 0.0), (h.six, 3.0)]).await;
    let metrics = samples(&agent.get("/metrics").await.body);
    assert_eq!(
        value(&metrics, "ehlowatch_status", &[("monitor", "dual")]),
        Some(0.0)
    );
    assert_eq!(
        value(&metrics, "ehlowatch_status", &[("monitor", "mx")]),
        Some(2.0)
    );
    assert_eq!(lab.escaped_packets(), 0, "nothing left the lab");
}

const TWO_DEAD: &str = r#"
[defaults]
qos_ms = 300
interval_s = 2
retry_s = 1
ehlo_name = "probe.example.test"

[[monitor]]
name = "mx"
host = "mx.example.test"

[[monitor]]
name = "mx2"
host = "mx2.example.test"

[[monitor]]
name = "submission"
host = "mx.example.test"
port = 587
addresses = "first"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root, network namespaces, iptables and NSD: scripts/test runs it"]
async fn a_dead_address_on_every_mx_host_is_failed_not_blocked_here() {
    let (mut lab, h) = lab("two-dead");
    let command = lab.client_cmd(agent_exe());
    let agent = Agent::start_via(TWO_DEAD, &[], command, |addr| {
        lab.forward_to_client(addr.port())
    })
    .await;
    // Every port-25 monitor has a target failing at connect and another on the same port
    // answering: port 25 gets through, their servers are broken.
    let want = [
        ("mx", "failed"),
        ("mx2", "failed"),
        ("submission", "success"),
    ];
    let status = shown(&agent, &want).await;
    assert_eq!(status["port25_blocked"], false, "{status}");
    target_metrics(&agent, "mx2", &[(h.good2, 0.0), (h.dead2, 2.0)]).await;
    // Still so once both are confirmed failed.
    for name in ["mx", "mx2"] {
        agent
            .log_when(&format!("monitor=\"{name}\" event_id=5509"))
            .await;
    }
    let status = shown(&agent, &want).await;
    assert_eq!(status["port25_blocked"], false, "{status}");
    assert!(!agent.log().contains("event_id=5522"), "{}", agent.log());
    assert_eq!(lab.escaped_packets(), 0, "nothing left the lab");
}
