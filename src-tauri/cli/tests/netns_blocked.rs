//! "Blocked here" and "offline" with real kernel networking: the agent and `check` run in a
//! client network namespace whose mail servers, control host and DNS server (NSD) live in a
//! server namespace (the testkit's `netns::Lab`). An iptables rule dropping outbound TCP 25 in
//! the client namespace makes the port-25 monitors `blocked` — one log line with 5522, no 5509,
//! the 587 monitor judged as usual, control probes confirming — and its removal brings them
//! back with one 5523 line. Dropping everything but `lo` makes every monitor `offline`. A viewer
//! of the event stream away all along is replayed each local cause once, in order. A counter in
//! the client namespace shows nothing was dialled outside the lab.

#![cfg(target_os = "linux")]

mod agent_support;

use std::net::{IpAddr, SocketAddr};

use ehlowatch_testkit::netns::{Family, Lab, Zone};
use serde_json::Value;

use agent_support::exposition::{samples, value, with_label};
use agent_support::sse::Viewer;
use agent_support::{agent_exe, eventually, monitor, Agent, PATIENCE};

/// The lab: `mx1` (25, 587, 443), `mx2` (25), the control host `ctl` (25, 443) and `dead` (an
/// address where connects time out), all under `example.test` on the lab's NSD.
fn lab(hint: &str) -> Lab {
    let mut lab = Lab::new(hint);
    let mx1 = lab.add_server_ip(Family::V4);
    let mx2 = lab.add_server_ip(Family::V4);
    let ctl = lab.add_server_ip(Family::V4);
    let dead = lab.add_dead_ip(Family::V4);
    let listeners: [(IpAddr, u16); 6] = [
        (mx1, 25),
        (mx1, 587),
        (mx1, 443),
        (mx2, 25),
        (ctl, 25),
        (ctl, 443),
    ];
    for (ip, port) in listeners {
        lab.fake_smtp(SocketAddr::new(ip, port), "healthy");
    }
    lab.serve_dns(&[Zone::new("example.test")
        .ip("mx1", mx1)
        .ip("mx2", mx2)
        .ip("ctl", ctl)
        .ip("dead", dead)]);
    lab
}

const CONFIG: &str = r#"
[defaults]
qos_ms = 300
interval_s = 2
retry_s = 1
ehlo_name = "probe.example.test"

[control]
hosts = ["ctl.example.test"]

[[monitor]]
name = "mx1"
host = "mx1.example.test"

[[monitor]]
name = "mx2"
host = "mx2.example.test"

[[monitor]]
name = "submission"
host = "mx1.example.test"
port = 587
"#;

/// How many log lines carry `event_id=ID`.
fn lines_with(log: &str, id: u16) -> usize {
    let needle = format!("event_id={id}");
    log.lines()
        .filter(|l| l.split_whitespace().any(|w| w == needle))
        .count()
}

fn statuses(status: &Value) -> Vec<(String, String)> {
    ["mx1", "mx2", "submission"]
        .iter()
        .map(|name| {
            let m = monitor(status, name);
            (
                name.to_string(),
                m["status"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

fn all(status: &str) -> Vec<(String, String)> {
    ["mx1", "mx2", "submission"]
        .iter()
        .map(|n| (n.to_string(), status.to_owned()))
        .collect()
}

/// Polls `/api/status` until the three monitors show `want`.
async fn shown(agent: &Agent, want: &[(String, String)]) -> Value {
    eventually("the monitors' statuses", PATIENCE, || async {
        let status = agent.status().await;
        if statuses(&status) == want {
            Ok(status)
        } else {
            Err(format!("{status}\nlog:\n{}", agent.log()))
        }
    })
    .await
}

/// The probes of `name` counted in `/metrics`, all verdicts.
async fn probes_of(agent: &Agent, name: &str) -> f64 {
    let metrics = agent.get("/metrics").await;
    with_label(
        &samples(&metrics.body),
        "ehlowatch_probes_total",
        "monitor",
        name,
    )
    .map(|s| s.value)
    .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root, network namespaces, iptables and NSD: scripts/test runs it"]
async fn the_agent_tells_a_port_25_block_and_offline_from_dead_servers() {
    let mut lab = lab("agent");
    let command = lab.client_cmd(agent_exe());
    let agent = Agent::start_via(CONFIG, &[], command, |addr| {
        lab.forward_to_client(addr.port())
    })
    .await;
    let success = all("success");
    shown(&agent, &success).await;
    let mut viewer = Viewer::connect(agent.addr(), "/api/events", &[]).await;
    let seen = viewer.next().await.id.expect("the snapshot's sequence");
    drop(viewer);

    lab.drop_outbound_tcp(25);
    let blocked = vec![
        ("mx1".to_owned(), "blocked".to_owned()),
        ("mx2".to_owned(), "blocked".to_owned()),
        ("submission".to_owned(), "success".to_owned()),
    ];
    let status = shown(&agent, &blocked).await;
    assert_eq!(status["port25_blocked"], true, "{status}");
    assert_eq!(monitor(&status, "mx1")["event_id"], 5522);
    // The control probes come back confirming it, and later probes change nothing.
    agent
        .log_when("control probes verdict=outbound port 25 blocked here")
        .await;
    let before = probes_of(&agent, "mx1").await;
    eventually("two more probes of mx1", PATIENCE, || async {
        let now = probes_of(&agent, "mx1").await;
        if now >= before + 2.0 {
            Ok(())
        } else {
            Err(format!("{now} probes"))
        }
    })
    .await;
    let status = shown(&agent, &blocked).await;
    assert_eq!(status["counts"]["blocked"], 2, "{status}");
    let metrics = samples(&agent.get("/metrics").await.body);
    assert_eq!(value(&metrics, "ehlowatch_port25_blocked", &[]), Some(1.0));
    assert_eq!(
        value(&metrics, "ehlowatch_status", &[("monitor", "mx2")]),
        Some(3.0)
    );
    let log = agent.log();
    assert_eq!(lines_with(&log, 5522), 1, "one line for the block:\n{log}");
    assert_eq!(lines_with(&log, 5509), 0, "no Failed:\n{log}");

    lab.clear_drops();
    let status = shown(&agent, &success).await;
    assert_eq!(status["port25_blocked"], false, "{status}");
    let log = agent.log_when("event_id=5523").await;
    assert_eq!(lines_with(&log, 5523), 1, "{log}");
    assert_eq!(lines_with(&log, 5509), 0, "{log}");

    lab.drop_all_but_lo();
    let status = shown(&agent, &all("offline")).await;
    assert_eq!(status["offline"], true, "{status}");
    let log = agent.log_when("event_id=5520").await;
    assert_eq!(lines_with(&log, 5520), 1, "one line for offline:\n{log}");
    assert_eq!(lines_with(&log, 5509), 0, "{log}");

    lab.clear_drops();
    shown(&agent, &success).await;
    let log = agent.log_when("event_id=5521").await;
    assert_eq!(lines_with(&log, 5521), 1, "{log}");
    assert_eq!(lines_with(&log, 5509), 0, "{log}");

    // A viewer away all along is replayed each cause once, in order, in the one sequence with
    // the monitors' changes — and never a Failed.
    let header = format!("Last-Event-ID: {seen}");
    let mut viewer = Viewer::connect(agent.addr(), "/api/events", &[&header]).await;
    let missed = viewer
        .until("offline ended on the stream", |e| {
            e.event == "local_cause" && e.data["event_id"] == 5521
        })
        .await;
    let causes: Vec<(&Value, &Value)> = missed
        .iter()
        .filter(|e| e.event == "local_cause")
        .map(|e| (&e.data["event_id"], &e.data["began"]))
        .collect();
    let want = [(5522, true), (5523, false), (5520, true), (5521, false)];
    let want: Vec<(Value, Value)> = want.iter().map(|&(i, b)| (i.into(), b.into())).collect();
    let want: Vec<(&Value, &Value)> = want.iter().map(|(i, b)| (i, b)).collect();
    assert_eq!(causes, want, "{missed:#?}");
    let ids: Vec<Option<i64>> = missed.iter().map(|e| e.id).collect();
    let contiguous: Vec<Option<i64>> = (1..=i64::try_from(missed.len()).expect("a count"))
        .map(|i| Some(seen + i))
        .collect();
    assert_eq!(ids, contiguous, "{missed:#?}");
    assert!(
        missed.iter().all(|e| e.data["to"] != "failed"),
        "{missed:#?}"
    );
    assert_eq!(lab.escaped_packets(), 0, "nothing left the lab");
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

#[test]
#[ignore = "needs root, network namespaces, iptables and NSD: scripts/test runs it"]
fn check_control_exits_3_on_a_confirmed_block_and_leaves_a_dead_server_critical() {
    let lab = lab("check");
    let control = ["--control", "ctl.example.test"];
    let (code, out) = check(&lab, &["mx1.example.test", control[0], control[1]]);
    assert_eq!(code, 0, "reachable: control probes are not needed\n{out}");

    let (code, out) = check(&lab, &["dead.example.test", control[0], control[1]]);
    assert_eq!(
        code, 2,
        "the control host answers on 25: the server is dead\n{out}"
    );
    assert!(out.starts_with("SMTP CRITICAL - no connection"), "{out}");

    lab.drop_outbound_tcp(25);
    let (code, out) = check(&lab, &["mx1.example.test"]);
    assert_eq!(code, 2, "without control probes the verdict stands\n{out}");
    let (code, out) = check(&lab, &["mx1.example.test", control[0], control[1]]);
    assert_eq!(code, 3, "{out}");
    assert!(
        out.starts_with(
            "SMTP UNKNOWN - outbound port 25 blocked here: control hosts answer on 443, not on 25 (ctl.example.test); the probe of mx1.example.test:25: no connection"
        ),
        "{out}"
    );
    let (code, out) = check(
        &lab,
        &["mx1.example.test", control[0], control[1], "--json"],
    );
    assert_eq!(code, 3, "{out}");
    let json: Value = serde_json::from_str(&out).expect("one JSON object");
    assert_eq!(
        (
            &json["status"],
            &json["event_id"],
            &json["control"]["verdict"]
        ),
        (
            &Value::from("blocked"),
            &Value::from(5522),
            &Value::from("blocked")
        )
    );
    assert_eq!(json["control"]["hosts"][0]["compare"], true, "{json}");
    assert_eq!(json["control"]["hosts"][0]["smtp"], false, "{json}");

    lab.drop_all_but_lo();
    let (code, out) = check(&lab, &["10.250.0.10", control[0], control[1]]);
    assert_eq!(code, 3, "nothing answers anywhere: cannot tell\n{out}");
    assert!(out.contains("cannot tell from here"), "{out}");
    assert_eq!(lab.escaped_packets(), 0, "nothing left the lab");
}
