//! A viewer cut off from a running agent and reconnected: the changes made while it was cut
//! are replayed (`Last-Event-ID`) into the event log with one summary toast, never a toast each,
//! and over the whole run the `remote_state_change` events hold every transition the agent
//! recorded (its own `/api/monitors/{id}/events`) exactly once.

use std::time::Duration;

use ehlowatch_testkit::agent::{bearer, Agent};
use ehlowatch_testkit::{FakeSmtp, Script, TestPki};
use serde_json::Value;

use super::agents_support::{
    agent, input, observe, remote_monitor, source, until, Observed, Proxy, READ_TOKEN,
};
use super::Shell;

const PATIENCE: Duration = Duration::from_secs(20);

/// A transition as both sides show it.
fn key(change: &Value) -> (String, String, String) {
    (
        change["at"].as_str().unwrap_or_default().to_owned(),
        change["from"].as_str().unwrap_or_default().to_owned(),
        change["to"].as_str().unwrap_or_default().to_owned(),
    )
}

fn failing() -> Script {
    Script::new()
        .send("554 5.3.2 No SMTP service here\r\n")
        .bye()
}

/// Waits until `what` holds: `Ok` when `pred` holds for the value `read` gives.
fn wait_for(what: &str, read: impl Fn() -> Value, pred: impl Fn(&Value) -> bool) {
    until(what, PATIENCE, || {
        let v = read();
        if pred(&v) {
            Ok(())
        } else {
            Err(v.to_string())
        }
    });
}

/// The agent's own `/api/status` entry of `flip`.
fn agent_flip(dc1: &Agent) -> Value {
    let status =
        tauri::async_runtime::block_on(dc1.request("GET", "/api/status", &[&bearer(READ_TOKEN)]))
            .json();
    status["monitors"]
        .as_array()
        .and_then(|ms| ms.iter().find(|m| m["name"] == "flip"))
        .cloned()
        .unwrap_or_default()
}

/// The agent's own record of `flip`'s transitions.
fn recorded(dc1: &Agent) -> Vec<Value> {
    let path = "/api/monitors/flip/events";
    tauri::async_runtime::block_on(dc1.request("GET", path, &[&bearer(READ_TOKEN)]))
        .json()
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The toasts whose summary has `needle`, once there are `n` of them.
fn toasts(seen: &Observed, needle: &str, n: usize) -> Vec<String> {
    until(&format!("{n} toasts of {needle:?}"), PATIENCE, || {
        let found = seen.toasts_with(needle);
        if found.len() == n {
            Ok(found)
        } else {
            Err(format!("{:?}", seen.all_toasts()))
        }
    })
}

#[test]
fn a_viewer_cut_and_reconnected_shows_one_summary_and_every_transition_once() {
    let pki = TestPki::new();
    let steady = tauri::async_runtime::block_on(FakeSmtp::start(Script::healthy()));
    let flip = tauri::async_runtime::block_on(FakeSmtp::start(Script::healthy()));
    let dc1 = agent(&pki, &[("flip", flip.port()), ("steady", steady.port())]);
    let proxy = Proxy::start(dc1.addr());
    let shell = Shell::start();
    let seen = observe(&shell);
    shell.ok("add_agent", input("dc1", &proxy.url(), READ_TOKEN, &pki));
    let desktop_flip = || remote_monitor(&shell, "dc1", "dc1/flip");
    let desktop_dc1 = || source(&shell, "dc1");
    wait_for("dc1/flip success", desktop_flip, |m| {
        m["status"] == "success"
    });
    // One transition seen live before the cut.
    flip.set_script(failing());
    wait_for("dc1/flip failed, live", desktop_flip, |m| {
        m["status"] == "failed"
    });
    toasts(&seen, "dc1 / flip", 1);

    proxy.cut();
    wait_for("dc1 unreachable", desktop_dc1, |s| {
        s["health"] == "unreachable"
    });
    // Two transitions while cut: back to success, then failed again.
    flip.set_script(Script::healthy());
    wait_for(
        "flip success on the agent",
        || agent_flip(&dc1),
        |m| m["status"] == "success",
    );
    flip.set_script(failing());
    wait_for(
        "flip failed on the agent",
        || agent_flip(&dc1),
        |m| m["status"] == "failed",
    );
    // unknown → success, success → failed, failed → success, success → failed
    wait_for(
        "the agent recorded them",
        || Value::from(recorded(&dc1)),
        |r| r.as_array().is_some_and(|r| r.len() >= 4),
    );

    proxy.resume();
    wait_for("dc1 connected again", desktop_dc1, |s| {
        s["health"] == "connected"
    });
    wait_for("dc1/flip failed after the replay", desktop_flip, |m| {
        m["status"] == "failed"
    });
    let summary = toasts(&seen, "while disconnected", 1).remove(0);
    assert!(
        summary.starts_with("dc1: 2 changes while disconnected"),
        "{summary}"
    );
    assert!(summary.contains("5552"), "{summary}");
    assert_eq!(
        seen.toasts_with("dc1 / flip").len(),
        1,
        "replayed changes make no toast each: {:?}",
        seen.all_toasts()
    );

    let heard: Vec<Value> = seen
        .changes
        .lock()
        .unwrap()
        .iter()
        .filter(|c| c["source"] == "dc1" && c["change"]["monitor"] == "flip")
        .cloned()
        .collect();
    assert_every_transition_once(&heard, &recorded(&dc1));
}

/// Every transition the agent recorded since the viewer first heard one is in `heard` exactly
/// once, nothing else is, and the two made while cut came as replayed.
fn assert_every_transition_once(heard: &[Value], agent_changes: &[Value]) {
    let mut heard_keys: Vec<_> = heard.iter().map(|c| key(&c["change"])).collect();
    let count = heard_keys.len();
    heard_keys.sort();
    heard_keys.dedup();
    assert_eq!(heard_keys.len(), count, "a transition repeated: {heard:#?}");
    let agent_keys: Vec<_> = agent_changes.iter().map(key).collect();
    for k in &heard_keys {
        assert!(
            agent_keys.contains(k),
            "{k:?} is not the agent's: {agent_changes:#?}"
        );
    }
    let first_heard = heard_keys.first().cloned().expect("some change heard");
    for k in agent_keys.iter().filter(|k| **k >= first_heard) {
        assert!(heard_keys.contains(k), "{k:?} lost: heard {heard:#?}");
    }
    let replayed = heard.iter().filter(|c| c["replayed"] == true).count();
    assert_eq!(replayed, 2, "{heard:#?}");
}
