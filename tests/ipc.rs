//! The shell's IPC, command by command, through Tauri's mock runtime: the real invoke handler,
//! state and engine (probing fake SMTP servers on loopback), a temporary data directory, and
//! JSON in and out exactly as the window sends and receives it.

// The helpers below are test code too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ehlowatch_app::paths::DataPaths;
use ehlowatch_app::state::AppState;
use ehlowatch_engine::EngineEvent;
use ehlowatch_engine::Snapshot;
use ehlowatch_testkit::{FakeSmtp, Script};
use serde_json::{json, Value};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};
use tokio::sync::broadcast;

/// The payloads stay bounded against servers that flood a reply (`ipc/bounds.rs`).
#[path = "ipc/bounds.rs"]
mod bounds;

/// Edits made at the same moment by the window and the tray are all kept (`ipc/edits.rs`).
#[path = "ipc/edits.rs"]
mod edits;

/// Remote agents: adding them, their refusals, their toasts and health (`ipc/agents.rs`).
#[path = "ipc/agents.rs"]
mod agents;

/// A viewer cut and reconnected: one summary, every transition once (`ipc/agents_replay.rs`).
#[path = "ipc/agents_replay.rs"]
mod agents_replay;

/// Agents' tokens in a real Secret Service, read back by a fresh process, in no file
/// (`ipc/keyring.rs`).
#[cfg(target_os = "linux")]
#[path = "ipc/keyring.rs"]
mod keyring;

/// What the remote-agent tests share (`ipc/agents_support.rs`).
#[path = "ipc/agents_support.rs"]
mod agents_support;

/// The editor's MX preview asks the `[dns]` resolver in the settings (`ipc/preview.rs`).
#[path = "ipc/preview.rs"]
mod preview;

/// The window's origin: the app's own assets, which the capability applies to.
const LOCAL_URL: &str = if cfg!(windows) {
    "http://tauri.localhost"
} else {
    "tauri://localhost"
};

/// Generous bound for anything the engine does in the background.
const DEADLINE: Duration = Duration::from_secs(10);

struct Shell {
    _app: App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    state: Arc<AppState>,
    events: broadcast::Receiver<EngineEvent>,
    dir: tempfile::TempDir,
}

impl Shell {
    fn start() -> Self {
        Self::start_in(tempfile::tempdir().unwrap())
    }

    fn start_in(dir: tempfile::TempDir) -> Self {
        let data = dir.path().to_owned();
        Self::start_at(&data, dir)
    }

    /// A shell on the data directory `data` (which outlives it), `dir` its scratch directory.
    fn start_at(data: &Path, dir: tempfile::TempDir) -> Self {
        // The app's real context: its capability decides which commands the window may call.
        let app = ehlowatch_app::builder(mock_builder())
            .build(tauri::generate_context!(test = true))
            .unwrap();
        let (state, events) = ehlowatch_app::start(app.handle(), DataPaths::in_dir(data));
        let webview = WebviewWindowBuilder::new(&app, "main", tauri::WebviewUrl::default())
            .build()
            .unwrap();
        Self {
            _app: app,
            webview,
            state,
            events,
            dir,
        }
    }

    /// Invokes `cmd` with `args` as the window would; `Err` is the serialised `AppError`.
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        get_ipc_response(&self.webview, request(cmd, args))
            .map(|body| body.deserialize::<Value>().unwrap())
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    fn err(&self, cmd: &str, args: Value) -> Value {
        match self.call(cmd, args) {
            Ok(v) => panic!("{cmd} succeeded with {v}, expected an error"),
            Err(e) => e,
        }
    }

    /// Waits for a snapshot that satisfies `pred`.
    fn wait_snapshot(&self, what: &str, pred: impl Fn(&Snapshot) -> bool) -> Arc<Snapshot> {
        let state = self.state.clone();
        tauri::async_runtime::block_on(async move {
            let mut rx = state.engine().await.unwrap().watch();
            tokio::time::timeout(DEADLINE, async {
                loop {
                    let s = rx.borrow_and_update().clone();
                    if pred(&s) {
                        return s;
                    }
                    rx.changed().await.unwrap();
                }
            })
            .await
            .unwrap_or_else(|_| panic!("no snapshot where {what} within {DEADLINE:?}"))
        })
    }

    /// Waits for the next probe result of `monitor`.
    fn wait_result(&mut self, monitor: &str) -> Value {
        let events = &mut self.events;
        tauri::async_runtime::block_on(async {
            tokio::time::timeout(DEADLINE, async {
                loop {
                    if let Ok(EngineEvent::Result {
                        monitor: m, report, ..
                    }) = events.recv().await
                    {
                        if m.0 == monitor {
                            return serde_json::to_value(&*report).unwrap();
                        }
                    }
                }
            })
            .await
            .unwrap_or_else(|_| panic!("no result of {monitor} within {DEADLINE:?}"))
        })
    }

    /// Stops the engine and writes pending settings; returns the file's JSON.
    fn stop_and_read_settings(self) -> (Value, tempfile::TempDir) {
        tauri::async_runtime::block_on(self.state.shutdown());
        let text = std::fs::read_to_string(self.dir.path().join("settings.json")).unwrap();
        (serde_json::from_str(&text).unwrap(), self.dir)
    }
}

/// The window's IPC message invoking `cmd` with `args`.
fn request(cmd: &str, args: Value) -> InvokeRequest {
    InvokeRequest {
        cmd: cmd.into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        url: LOCAL_URL.parse().unwrap(),
        body: tauri::ipc::InvokeBody::Json(args),
        headers: tauri::http::HeaderMap::default(),
        invoke_key: tauri::test::INVOKE_KEY.to_string(),
    }
}

fn fake_server() -> FakeSmtp {
    tauri::async_runtime::block_on(FakeSmtp::start(Script::healthy()))
}

fn monitor(name: &str, port: u16) -> Value {
    json!({ "name": name, "host": "127.0.0.1", "port": port, "qos_ms": 1000, "interval_s": 60 })
}

fn paths(problems: &Value) -> Vec<&str> {
    problems["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect()
}

#[test]
fn every_command_is_registered_and_granted_to_the_window() {
    let shell = Shell::start();
    for name in ehlowatch_app::commands::NAMES {
        if let Err(e) = shell.call(name, json!({})) {
            let text = e.to_string();
            assert!(
                !text.contains("not found") && !text.contains("not allowed"),
                "{name}: {text}"
            );
        }
    }
    let capability: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/app/capabilities/main.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let mut granted: Vec<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| {
            p.as_str()?
                .strip_prefix("allow-")
                .map(|c| c.replace('-', "_"))
        })
        .collect();
    let mut names: Vec<String> = ehlowatch_app::commands::NAMES
        .iter()
        .map(|n| (*n).to_owned())
        .collect();
    granted.sort();
    names.sort();
    assert_eq!(granted, names, "the capability grants exactly the commands");
}

#[test]
fn a_first_run_starts_empty_and_says_so() {
    let shell = Shell::start();
    let info = shell.ok("get_app_info", json!({}));
    assert_eq!(info["first_run"], true);
    assert_eq!(info["notice"], Value::Null);
    assert_eq!(
        info["autostart"],
        Value::Null,
        "no autostart plugin under the mock runtime"
    );
    assert!(info["settings_path"]
        .as_str()
        .unwrap()
        .ends_with("settings.json"));
    let snapshot = shell.ok("get_snapshot", json!({}));
    assert_eq!(snapshot["monitors"], json!([]));
    assert_eq!(snapshot["worst"], "unknown");
    assert_eq!(
        shell.ok("get_settings", json!({}))["ui"]["notify_warnings"],
        true
    );
    let err = shell.err("set_autostart", json!({ "enabled": true }));
    assert_eq!(err["type"], "storage");
}

#[test]
fn a_saved_monitor_runs_at_once_and_is_written_to_the_file() {
    let server = fake_server();
    let mut shell = Shell::start();
    let stored = shell.ok(
        "save_monitor",
        json!({ "monitor": monitor("local", server.port()), "originalId": null }),
    );
    assert_eq!(stored["name"], "local");
    let report = shell.wait_result("local");
    assert_eq!(report["status"], "success");
    shell.wait_snapshot("local is Success", |s| {
        s.monitors
            .first()
            .is_some_and(|m| m.status.as_str() == "success")
    });
    let (file, _dir) = shell.stop_and_read_settings();
    assert_eq!(file["monitor"][0]["port"], server.port());
}

#[test]
fn a_bad_monitor_is_refused_with_every_problem_at_its_field() {
    let shell = Shell::start();
    let err = shell.err(
        "save_monitor",
        json!({ "monitor": { "name": "bad", "host": "", "port": 70000, "alerts": { "failed_after": 0 } }, "originalId": null }),
    );
    assert_eq!(err["type"], "invalid");
    let mut found = paths(&err);
    found.sort_unstable();
    assert_eq!(
        found,
        [
            "monitor[0].alerts.failed_after",
            "monitor[0].host",
            "monitor[0].port"
        ]
    );
    let text = err.to_string();
    assert!(text.contains("70000"), "the value is named: {text}");
    assert_eq!(
        shell.ok("get_settings", json!({}))["monitor"],
        Value::Null,
        "nothing saved"
    );
}

#[test]
fn edit_rename_delete_and_unknown_ids() {
    let shell = Shell::start();
    shell.ok(
        "save_monitor",
        json!({ "monitor": monitor("a", 2525), "originalId": null }),
    );
    shell.ok(
        "save_monitor",
        json!({ "monitor": monitor("b", 2526), "originalId": null }),
    );
    let dup = shell.err(
        "save_monitor",
        json!({ "monitor": monitor("a", 2527), "originalId": null }),
    );
    assert_eq!(paths(&dup), ["monitor[2].name"]);
    let mut renamed = monitor("b2", 2600);
    renamed["id"] = json!("b");
    shell.ok(
        "save_monitor",
        json!({ "monitor": renamed, "originalId": "b" }),
    );
    let settings = shell.ok("get_settings", json!({}));
    assert_eq!(settings["monitor"][1]["name"], "b2");
    assert_eq!(settings["monitor"][1]["port"], 2600);
    let missing = shell.err(
        "save_monitor",
        json!({ "monitor": monitor("c", 1), "originalId": "zz" }),
    );
    assert_eq!(missing, json!({ "type": "not_found", "data": "zz" }));
    shell.ok("delete_monitor", json!({ "id": "a" }));
    assert_eq!(
        shell.ok("get_settings", json!({}))["monitor"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        shell.err("delete_monitor", json!({ "id": "a" }))["type"],
        "not_found"
    );
    assert_eq!(
        shell.err("check_now", json!({ "id": "a" }))["type"],
        "not_found"
    );
    assert_eq!(
        shell.err("snooze", json!({ "id": "a", "minutes": 60 }))["type"],
        "not_found"
    );
}

#[test]
fn test_now_probes_an_unsaved_monitor_and_validates_it_first() {
    let server = fake_server();
    let shell = Shell::start();
    let report = shell.ok(
        "test_monitor",
        json!({ "monitor": monitor("t", server.port()), "originalId": null }),
    );
    assert_eq!(report["status"], "success");
    assert_eq!(report["event_id"], 5510);
    assert_eq!(report["ehlo"]["code"], 250);
    let err = shell.err("test_monitor", json!({ "monitor": { "name": "t", "host": "127.0.0.1", "tls": "sometimes" }, "originalId": null }));
    assert_eq!(paths(&err), ["monitor[0].tls"]);
    assert_eq!(
        shell.ok("get_settings", json!({}))["monitor"],
        Value::Null,
        "nothing saved"
    );
}

#[test]
fn the_ehlo_name_in_the_settings_is_kept_as_typed_and_sent_as_its_a_label() {
    let server = fake_server();
    let shell = Shell::start();
    let mut settings = shell.ok("get_settings", json!({}));
    settings["defaults"] = json!({ "ehlo_name": "my_probe.example" });
    let err = shell.err("save_settings", json!({ "settings": settings }));
    assert_eq!(paths(&err), ["defaults.ehlo_name"]);
    assert!(err.to_string().contains("my_probe.example"), "{err}");

    settings["defaults"] = json!({ "ehlo_name": "bücher.example" });
    let stored = shell.ok("save_settings", json!({ "settings": settings }));
    assert_eq!(stored["defaults"]["ehlo_name"], "bücher.example");
    let report = shell.ok(
        "test_monitor",
        json!({ "monitor": monitor("t", server.port()), "originalId": null }),
    );
    assert_eq!(report["status"], "success", "{report}");
    assert_eq!(report["ehlo_name"], "xn--bcher-kva.example");
    assert_eq!(
        server.received().first().map(String::as_str),
        Some("EHLO xn--bcher-kva.example")
    );

    let mut own = monitor("t", server.port());
    own["ehlo_name"] = json!("LOCALHOST.");
    let err = shell.err(
        "test_monitor",
        json!({ "monitor": own, "originalId": null }),
    );
    assert_eq!(paths(&err), ["monitor[0].ehlo_name"]);
}

#[test]
fn check_now_snooze_and_pause_reach_the_engine() {
    let server = fake_server();
    let mut shell = Shell::start();
    shell.ok(
        "save_monitor",
        json!({ "monitor": monitor("local", server.port()), "originalId": null }),
    );
    shell.wait_result("local");
    shell.ok("check_now", json!({ "id": "local" }));
    assert_eq!(
        shell.wait_result("local")["status"],
        "success",
        "a probe on demand"
    );
    shell.ok("check_now", json!({ "id": null }));
    shell.wait_result("local");

    shell.ok("snooze", json!({ "id": "local", "minutes": 60 }));
    shell.wait_snapshot("local snoozed", |s| {
        s.monitors
            .first()
            .is_some_and(|m| m.snoozed_until.is_some())
    });
    shell.ok("unsnooze", json!({ "id": "local" }));
    shell.wait_snapshot("local not snoozed", |s| {
        s.monitors
            .first()
            .is_some_and(|m| m.snoozed_until.is_none())
    });

    shell.ok("pause_notifications", json!({ "minutes": null }));
    shell.wait_snapshot("alerts paused", |s| s.alerts_paused_until.is_some());
    let until = shell.ok("get_settings", json!({}))["ui"]["notifications_paused_until"].clone();
    assert!(
        until.as_str().is_some_and(|u| u.starts_with("+262142")),
        "until resumed: {until}"
    );
    shell.ok("resume_notifications", json!({}));
    shell.wait_snapshot("alerts resumed", |s| s.alerts_paused_until.is_none());
    assert_eq!(
        shell.ok("get_settings", json!({}))["ui"]["notifications_paused_until"],
        Value::Null
    );
}

#[test]
fn history_commands_read_what_the_engine_wrote() {
    let mut shell = Shell::start();
    // Nothing listens on port 1 of loopback: a refused connection, a Failed result.
    shell.ok(
        "save_monitor",
        json!({ "monitor": monitor("down", 1), "originalId": null }),
    );
    assert_eq!(shell.wait_result("down")["status"], "failed");
    let window = json!({ "id": "down", "window": "1h" });
    let deadline = std::time::Instant::now() + DEADLINE;
    let stats = loop {
        // The history writer commits in batches (at least once a second).
        let stats = shell.ok("history_stats", window.clone());
        if stats["probes"].as_u64() > Some(0) || std::time::Instant::now() > deadline {
            break stats;
        }
        std::thread::yield_now();
    };
    assert_eq!(stats["failed"], 1);
    assert_eq!(stats["uptime_pct"], 0.0);
    let series = shell.ok("history_series", window.clone());
    assert_eq!(series[0]["failed"], 1);
    let failure = shell.ok("last_failure", json!({ "id": "down" }));
    assert_eq!(failure["failure"]["kind"], "refused");
    assert!(failure["transcript"].is_array());
    let events = shell.ok("history_events", json!({ "id": null, "window": "24h" }));
    assert_eq!(events[0]["to"], "failed", "{events}");
    let bad = shell.call("history_stats", json!({ "id": "down", "window": "2w" }));
    assert!(bad.is_err(), "an unknown window is refused");
}

#[test]
fn settings_are_validated_whole_and_export_import_round_trips() {
    let shell = Shell::start();
    shell.ok(
        "save_monitor",
        json!({ "monitor": monitor("a", 2525), "originalId": null }),
    );
    let mut settings = shell.ok("get_settings", json!({}));
    settings["defaults"] = json!({ "qos_ms": -5, "interval_s": 0 });
    let err = shell.err("save_settings", json!({ "settings": settings }));
    let mut found = paths(&err);
    found.sort_unstable();
    assert_eq!(found, ["defaults.interval_s", "defaults.qos_ms"]);
    settings["defaults"] = json!({ "qos_ms": 800 });
    settings["ui"]["notify_warnings"] = json!(false);
    let stored = shell.ok("save_settings", json!({ "settings": settings }));
    assert_eq!(stored["defaults"]["qos_ms"], 800);
    assert_eq!(stored["ui"]["notify_warnings"], false);

    let exported = shell.ok("export_monitors", json!({}));
    let exported: Value = serde_json::from_str(exported.as_str().unwrap()).unwrap();
    assert_eq!(exported["monitor"][0]["name"], "a");
    assert!(exported.get("ui").is_none(), "only the agent's keys");

    let bad = json!({ "monitor": [{ "name": "x", "host": "h", "port": 0 }, { "name": "x", "hots": "h" }] });
    let err = shell.err("import_monitors", json!({ "text": bad.to_string() }));
    assert_eq!(err["type"], "invalid");
    assert!(paths(&err).contains(&"monitor[1].hots"), "{err}");
    assert_eq!(
        shell.ok("get_settings", json!({}))["monitor"][0]["name"],
        "a",
        "nothing changed"
    );
    let err = shell.err("import_monitors", json!({ "text": "{ not json" }));
    assert_eq!(err["type"], "invalid");

    let good = json!({ "defaults": { "qos_ms": 1500 }, "monitor": [monitor("imported", 2525)] });
    let stored = shell.ok("import_monitors", json!({ "text": good.to_string() }));
    assert_eq!(stored["monitor"][0]["name"], "imported");
    assert_eq!(
        stored["ui"]["notify_warnings"], false,
        "UI preferences are kept"
    );
}

#[test]
fn a_corrupt_settings_file_is_kept_aside_and_the_user_told() {
    let dir = tempfile::tempdir().unwrap();
    let torn = b"{\"monitor\": [{\"name\": \"mx1\", \"host\": \"mx1.exa";
    std::fs::write(dir.path().join("settings.json"), torn).unwrap();
    let shell = Shell::start_in(dir);
    let info = shell.ok("get_app_info", json!({}));
    assert_eq!(info["first_run"], false);
    let notice = info["notice"].as_str().unwrap().to_owned();
    let kept: Vec<_> = std::fs::read_dir(shell.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("settings.json.corrupt-"))
        .collect();
    assert_eq!(kept.len(), 1);
    assert!(
        notice.contains(&kept[0]),
        "the notice names the kept file: {notice}"
    );
    assert_eq!(
        shell.ok("get_settings", json!({}))["monitor"],
        Value::Null,
        "defaults"
    );

    shell.ok(
        "save_monitor",
        json!({ "monitor": monitor("fresh", 2525), "originalId": null }),
    );
    shell.ok("dismiss_notice", json!({}));
    assert_eq!(shell.ok("get_app_info", json!({}))["notice"], Value::Null);
    let kept_path = shell.dir.path().join(&kept[0]);
    let (file, _dir) = shell.stop_and_read_settings();
    assert_eq!(file["monitor"][0]["name"], "fresh");
    assert_eq!(
        std::fs::read(kept_path).unwrap(),
        torn,
        "the kept file is untouched"
    );
}
