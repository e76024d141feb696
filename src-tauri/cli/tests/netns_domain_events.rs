//! A watched mail domain's events through the agent, against a real DNS server: the agent runs
//! in the client namespace of the testkit's `netns::Lab`, whose resolver is the lab's NSD
//! serving the zone this test writes, and the MX hosts are fake SMTP servers in the server
//! namespace. The first probes set the baseline and tell nothing; a zone change is one MX-set
//! finding (5530) with the sets before and after; STARTTLS vanishing from an MX host is one
//! finding (5532), notified, and the domain turns amber; after a restart a change made while
//! the agent was down is told once, nothing known is told again, and the amber stays. "One" is checked over the probes that follow (the stream's live results), never over
//! a sleep. A counter in the client namespace shows nothing left the lab.

#![cfg(target_os = "linux")]

mod agent_support;

use std::net::{IpAddr, SocketAddr};

use agent_support::sse::Viewer;
use agent_support::{agent_exe, eventually, monitor, Agent, PATIENCE};
use ehlowatch_testkit::netns::{Family, Lab, Zone};
use serde_json::Value;

const CONFIG: &str = r#"[defaults]
qos_ms = 300
interval_s = 1
retry_s = 1
ehlo_name = "probe.example.test"

[dns]
min_ttl_s = 1

[[monitor]]
name = "watched"
domain = "watch.test"
"#;

/// `watch.test` with the MX records `mx` (TTL 1 s): `mx1` is the STARTTLS server, `mx2` and
/// `mx3` the plain one.
fn zone(mx: &[(u16, &str)], starttls: IpAddr, plain: IpAddr) -> Zone {
    let hosts = Zone::new("watch.test")
        .ip("mx1", starttls)
        .ip("mx2", plain)
        .ip("mx3", plain);
    mx.iter().fold(hosts, |zone, (preference, host)| {
        zone.mx_ttl(1, *preference, host)
    })
}

/// The findings the stream sends while `probes` more results come.
async fn findings_over(viewer: &mut Viewer, probes: usize) -> Vec<Value> {
    let mut findings = Vec::new();
    let mut results = 0;
    while results < probes {
        let event = viewer.next().await;
        match event.event.as_str() {
            "result" => results += 1,
            "finding" => findings.push(event.data),
            _ => {}
        }
    }
    findings
}

/// Reads the stream until a finding with `event_id` comes; returns it and the other findings
/// seen on the way.
async fn finding(viewer: &mut Viewer, event_id: u64) -> (Value, Vec<Value>) {
    let seen = viewer
        .until(&format!("a finding {event_id}"), |e| {
            e.event == "finding" && e.data["event_id"] == event_id
        })
        .await;
    let mut findings: Vec<Value> = seen
        .into_iter()
        .filter(|e| e.event == "finding")
        .map(|e| e.data)
        .collect();
    let found = findings.pop().expect("the finding waited for");
    (found, findings)
}

/// Waits until the monitor shows `want` in `/api/status`.
async fn shows(agent: &Agent, want: &str) -> Value {
    eventually(want, PATIENCE, || async {
        let status = agent.status().await;
        let watched = monitor(&status, "watched").clone();
        if watched["status"] == want {
            Ok(watched)
        } else {
            Err(format!("{watched}\nlog:\n{}", agent.log()))
        }
    })
    .await
}

fn hosts(set: &Value) -> Vec<(u64, String)> {
    set["hosts"]
        .as_array()
        .unwrap_or_else(|| panic!("not a set of hosts: {set}"))
        .iter()
        .map(|h| {
            let preference = h["preference"].as_u64().unwrap_or_default();
            (
                preference,
                h["host"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root, network namespaces, iptables and NSD: scripts/test runs it"]
async fn a_domain_tells_its_mx_change_and_a_vanished_starttls_once_and_not_after_a_restart() {
    let mut lab = Lab::new("drift");
    let starttls = lab.add_server_ip(Family::V4);
    let plain = lab.add_server_ip(Family::V4);
    let tls_server = lab.fake_smtp(SocketAddr::new(starttls, 25), "starttls-self-signed");
    lab.fake_smtp(SocketAddr::new(plain, 25), "healthy");
    let two = [(10, "mx1"), (20, "mx2")];
    lab.serve_dns(&[zone(&two, starttls, plain)]);
    let command = lab.client_cmd(agent_exe());
    let mut agent = Agent::start_via(CONFIG, &[], command, |addr| {
        lab.forward_to_client(addr.port())
    })
    .await;
    let mut viewer = Viewer::connect(agent.addr(), "/api/events?results=1", &[]).await;
    let watched = shows(&agent, "success").await;
    assert_eq!(
        watched["targets"].as_array().map(Vec::len),
        Some(2),
        "{watched}"
    );
    assert_eq!(
        findings_over(&mut viewer, 3).await,
        Vec::<Value>::new(),
        "a baseline tells nothing"
    );

    // The zone gains a host: one MX-set finding, with the sets, and nothing more.
    let three = [(10, "mx1"), (20, "mx2"), (30, "mx3")];
    lab.serve_dns(&[zone(&three, starttls, plain)]);
    let (changed, before) = finding(&mut viewer, 5530).await;
    assert_eq!(before, Vec::<Value>::new());
    assert_eq!(changed["kind"], "mx_set", "{changed}");
    assert_eq!(changed["notify"], true, "{changed}");
    assert_eq!(
        hosts(&changed["before"]),
        [(10, "mx1.watch.test".into()), (20, "mx2.watch.test".into())]
    );
    assert_eq!(
        hosts(&changed["after"]),
        [
            (10, "mx1.watch.test".into()),
            (20, "mx2.watch.test".into()),
            (30, "mx3.watch.test".into())
        ]
    );
    assert_eq!(
        changed["changes"],
        serde_json::json!(["added 30 mx3.watch.test"])
    );
    assert_eq!(
        findings_over(&mut viewer, 4).await,
        Vec::<Value>::new(),
        "told once"
    );

    // mx1 stops offering STARTTLS: one notified finding, and the domain turns amber.
    lab.stop(tls_server);
    lab.fake_smtp(SocketAddr::new(starttls, 25), "healthy");
    let (vanished, before) = finding(&mut viewer, 5532).await;
    assert_eq!(before, Vec::<Value>::new());
    assert_eq!(
        vanished["target"],
        format!("mx1.watch.test {starttls}"),
        "{vanished}"
    );
    assert_eq!(vanished["notify"], true, "{vanished}");
    let told = vanished["changes"].to_string();
    assert!(told.contains("STARTTLS vanished"), "{told}");
    assert_eq!(
        findings_over(&mut viewer, 4).await,
        Vec::<Value>::new(),
        "told once"
    );
    let amber = shows(&agent, "warning").await;
    assert!(
        amber["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("offered STARTTLS before"),
        "{amber}"
    );
    drop(viewer);

    // A restart: the baseline comes back from the history. The zone loses mx3 while the agent
    // is down: that change is told, once; the vanished STARTTLS is not told again, and the
    // domain is still amber.
    agent.signal("TERM");
    agent.wait_exit(PATIENCE).await;
    lab.serve_dns(&[zone(&two, starttls, plain)]);
    let command = lab.client_cmd(agent_exe());
    agent
        .restart_via(command, |addr| lab.forward_to_client(addr.port()))
        .await;
    let mut viewer = Viewer::connect(agent.addr(), "/api/events?results=1", &[]).await;
    let (changed, before) = finding(&mut viewer, 5530).await;
    assert_eq!(before, Vec::<Value>::new());
    assert_eq!(hosts(&changed["before"]).len(), 3, "{changed}");
    assert_eq!(hosts(&changed["after"]).len(), 2, "{changed}");
    assert_eq!(
        findings_over(&mut viewer, 4).await,
        Vec::<Value>::new(),
        "nothing known told again"
    );
    shows(&agent, "warning").await;
    assert_eq!(lab.escaped_packets(), 0, "nothing left the lab");
}
