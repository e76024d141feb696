//! `ehlowatch run` end to end for the grey states: a monitor the agent cannot judge yet shows
//! `unknown` in `/api/status` (no event id) and `ehlowatch_status` 3 with
//! `ehlowatch_state{state="unknown"}` 1 in `/metrics`, beside a judged one (status 0, state
//! `success`). The `stale` rule at request time is tested in the agent's unit tests, where the
//! clock is the test's.

mod agent_support;

use std::fmt::Write as _;

use agent_support::exposition::{samples, value};
use agent_support::{config, monitor, Agent, Servers};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_monitor_not_judged_yet_is_status_3_and_state_unknown() {
    let servers = Servers::start().await;
    // Connects (the kernel completes the handshake) and never greets: the probe waits out its
    // 2×QoS of 60 s, so the monitor stays unknown for the whole test.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let mut text = config(&[("healthy", servers.healthy.port())]);
    let _ = write!(
        text,
        "\n[[monitor]]\nname = 'silent'\nhost = \"127.0.0.1\"\nport = {}\nqos_ms = 30000\n\
         interval_s = 61\n",
        silent.local_addr().expect("its address").port()
    );
    let agent = Agent::start(&text).await;
    let status = agent
        .status_when("healthy judged", |ms| {
            ms.iter()
                .any(|m| m["name"] == "healthy" && m["status"] == "success")
        })
        .await;

    let silent_status = monitor(&status, "silent");
    assert_eq!(silent_status["status"], "unknown", "{status}");
    assert!(silent_status["event_id"].is_null(), "{status}");
    assert_eq!(status["worst"], "unknown", "grey beats green: {status}");
    assert_eq!(status["counts"]["unknown"], 1, "{status}");
    assert_eq!(status["counts"]["success"], 1, "{status}");

    let body = agent.get("/metrics").await.body;
    let all = samples(&body);
    let gauge = |name: &str, labels: &[(&str, &str)]| value(&all, name, labels);
    assert_eq!(
        gauge("ehlowatch_status", &[("monitor", "silent")]),
        Some(3.0),
        "{body}"
    );
    assert_eq!(
        gauge(
            "ehlowatch_state",
            &[("monitor", "silent"), ("state", "unknown")]
        ),
        Some(1.0),
        "{body}"
    );
    assert_eq!(
        gauge(
            "ehlowatch_state",
            &[("monitor", "healthy"), ("state", "success")]
        ),
        Some(1.0),
        "{body}"
    );
    let series = all.iter().filter(|s| s.name == "ehlowatch_state").count();
    assert_eq!(series, 2, "one state series per monitor:\n{body}");
    drop(silent);
}
