//! Edits of the settings made at the same moment from the window (saving and deleting monitors)
//! and from the tray (pausing and resuming notifications) are all kept: in the settings in
//! force, in the engine and in `settings.json`, which holds each edit by the time it returns.
//! Each round fires its edits together on the app's runtime and awaits every one; nothing waits
//! on a clock. An edit that cannot be written changes nothing.

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use ehlowatch_app::state::AppState;
use serde_json::{json, Value};
use tauri::ipc::{InvokeError, InvokeResponse};
use tauri::test::MockRuntime;
use tauri::WebviewWindow;

use super::{request, Shell};

/// Rounds of edits: each round is a fresh chance for the edits to overlap.
const ROUNDS: usize = 8;
/// Edits fired together in one round.
const EDITS: usize = 50;
/// Of a round's edits, how many delete a monitor that the rounds before added.
const DELETES: usize = 4;

/// One edit, as the window or the tray makes it.
enum Edit {
    /// The window saves a new monitor (`save_monitor`).
    Add(String),
    /// The window deletes a monitor (`delete_monitor`).
    Delete(String),
    /// The tray's "Pause notifications" (`Some`) or "Resume notifications" (`None`).
    Pause(Option<DateTime<Utc>>),
}

impl Edit {
    async fn run(self, webview: WebviewWindow<MockRuntime>, state: Arc<AppState>) -> String {
        let (what, result) = match self {
            Self::Add(name) => {
                let args = json!({ "monitor": disabled(&name), "originalId": null });
                (
                    format!("add {name}"),
                    invoke(&webview, "save_monitor", args).await,
                )
            }
            Self::Delete(id) => {
                let args = json!({ "id": id });
                (
                    format!("delete {id}"),
                    invoke(&webview, "delete_monitor", args).await,
                )
            }
            // What the tray's menu entry runs.
            Self::Pause(until) => (
                format!("pause until {until:?}"),
                state
                    .pause_notifications(until)
                    .await
                    .map(|()| Value::Null)
                    .map_err(|e| json!(e)),
            ),
        };
        match result {
            Ok(_) => String::new(),
            Err(e) => format!("{what}: {e}"),
        }
    }
}

/// Invokes `cmd` with `args` as the window would, without blocking: the answer comes when the
/// command has run on the app's runtime. `Err` is the serialised `AppError`.
fn invoke(
    webview: &WebviewWindow<MockRuntime>,
    cmd: &str,
    args: Value,
) -> impl Future<Output = Result<Value, Value>> + Send + 'static {
    let (tx, rx) = tokio::sync::oneshot::channel();
    webview.clone().on_message(
        request(cmd, args),
        Box::new(move |_webview, _cmd, response, _callback, _error| {
            let _ = tx.send(response);
        }),
    );
    async move {
        match rx.await.unwrap() {
            InvokeResponse::Ok(body) => Ok(body.deserialize::<Value>().unwrap()),
            InvokeResponse::Err(InvokeError(e)) => Err(e),
        }
    }
}

/// A monitor that is never probed: these tests are about the settings, not the network.
fn disabled(name: &str) -> Value {
    json!({ "name": name, "host": "127.0.0.1", "port": 2525, "enabled": false })
}

/// The names of the monitors in `settings`.
fn names(settings: &Value) -> BTreeSet<String> {
    settings["monitor"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|m| m["name"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// `settings.json` as it is now.
fn read_file(shell: &Shell) -> Value {
    let text = std::fs::read_to_string(shell.dir.path().join("settings.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn paused_until(settings: &Value) -> Option<DateTime<Utc>> {
    serde_json::from_value(settings["ui"]["notifications_paused_until"].clone()).unwrap()
}

#[test]
fn edits_from_the_window_and_the_tray_at_the_same_moment_are_all_kept() {
    let shell = Shell::start();
    let mut lost = Vec::new();
    for round in 0..ROUNDS {
        let before = names(&shell.ok("get_settings", json!({})));
        let deleted: Vec<String> = before.iter().take(DELETES).cloned().collect();
        // Alternately pause (until a time of this round's own) and resume.
        let pause = (round % 2 == 0)
            .then(|| Utc::now() + chrono::Duration::hours(i64::try_from(round).unwrap() + 1));
        let mut edits = vec![Edit::Pause(pause)];
        edits.extend(deleted.iter().cloned().map(Edit::Delete));
        let added: Vec<String> = (edits.len()..EDITS)
            .map(|i| format!("r{round}-m{i}"))
            .collect();
        edits.extend(added.iter().cloned().map(Edit::Add));
        assert_eq!(edits.len(), EDITS);

        let (webview, state) = (shell.webview.clone(), shell.state.clone());
        let failures = tauri::async_runtime::block_on(async move {
            let mut running = tokio::task::JoinSet::new();
            for edit in edits {
                running.spawn(edit.run(webview.clone(), state.clone()));
            }
            running.join_all().await
        });
        let failures: Vec<_> = failures.into_iter().filter(|f| !f.is_empty()).collect();
        assert!(failures.is_empty(), "round {round}: refused: {failures:?}");

        let settings = shell.ok("get_settings", json!({}));
        let mut expected = before;
        for name in &deleted {
            expected.remove(name);
        }
        expected.extend(added);
        let got = names(&settings);
        lost.extend(
            expected
                .difference(&got)
                .map(|n| format!("round {round}: {n} missing")),
        );
        lost.extend(
            got.difference(&expected)
                .map(|n| format!("round {round}: deleted {n} back")),
        );
        if paused_until(&settings) != pause {
            lost.push(format!("round {round}: the tray's pause until {pause:?}"));
        }
        let file = read_file(&shell);
        assert_eq!(
            names(&file),
            got,
            "round {round}: settings.json, as each edit returned"
        );
        assert_eq!(file["ui"], settings["ui"], "round {round}: settings.json");
        shell.wait_snapshot("the engine runs the settings in force", |s| {
            let ids: BTreeSet<String> = s.monitors.iter().map(|m| m.id.0.clone()).collect();
            ids == got && s.alerts_paused_until == paused_until(&settings)
        });
    }
    let in_force = shell.ok("get_settings", json!({}));
    let (file, _dir) = shell.stop_and_read_settings();
    assert_eq!(
        names(&file),
        names(&in_force),
        "settings.json holds the monitors in force"
    );
    assert_eq!(
        file["ui"], in_force["ui"],
        "settings.json holds the pause in force"
    );
    assert!(
        lost.is_empty(),
        "{} of {} edits lost: {lost:#?}",
        lost.len(),
        ROUNDS * EDITS
    );
}

#[test]
fn an_edit_that_cannot_be_written_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the file should be: it is not read, and a write cannot replace it.
    let path = dir.path().join("settings.json");
    std::fs::create_dir(&path).unwrap();
    let shell = Shell::start_in(dir);
    let before = shell.ok("get_settings", json!({}));

    let err = shell.err("pause_notifications", json!({ "minutes": 60 }));
    assert_eq!(err["type"], "storage", "{err}");
    let message = err["data"].as_str().unwrap();
    assert!(
        message.contains(&path.display().to_string()),
        "names the file: {message}"
    );
    let err = shell.err(
        "save_monitor",
        json!({ "monitor": disabled("unsaved"), "originalId": null }),
    );
    assert_eq!(err["type"], "storage", "{err}");
    assert_eq!(shell.ok("get_settings", json!({})), before, "in memory");
    assert!(path.is_dir(), "on disk");
    let left: Vec<_> = std::fs::read_dir(shell.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".settings-"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");

    // Once the file can be written, the next edit builds on the settings in force; the engine
    // was never told of the refused pause.
    std::fs::remove_dir(&path).unwrap();
    shell.ok(
        "save_monitor",
        json!({ "monitor": disabled("saved"), "originalId": null }),
    );
    let snapshot = shell.wait_snapshot("saved runs", |s| s.monitors.len() == 1);
    assert_eq!(snapshot.monitors[0].id.0, "saved");
    assert_eq!(snapshot.alerts_paused_until, None, "the engine's alerts");
    let file = read_file(&shell);
    assert_eq!(names(&file), BTreeSet::from(["saved".to_owned()]));
    assert_eq!(file["ui"]["notifications_paused_until"], Value::Null);
}

#[test]
fn a_settings_save_from_an_older_copy_keeps_the_trays_pause() {
    let shell = Shell::start();
    // The window's copy, read before the tray's pause.
    let mut copy = shell.ok("get_settings", json!({}));
    let until = Utc::now() + chrono::Duration::hours(1);
    tauri::async_runtime::block_on(shell.state.pause_notifications(Some(until))).unwrap();

    copy["ui"]["notify_warnings"] = json!(false);
    let stored = shell.ok("save_settings", json!({ "settings": copy }));
    assert_eq!(stored["ui"]["notify_warnings"], false, "the window's edit");
    assert_eq!(paused_until(&stored), Some(until), "the tray's pause");
    let settings = shell.ok("get_settings", json!({}));
    assert_eq!(settings, stored, "in memory");
    assert_eq!(read_file(&shell)["ui"], stored["ui"], "in settings.json");
    shell.wait_snapshot("alerts stay paused", |s| {
        s.alerts_paused_until == Some(until)
    });
}
