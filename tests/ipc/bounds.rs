//! What the window receives stays small whatever a server sends: against the testkit's hostile
//! servers, which answer with 10,000 continuation lines of 4 KB (40 MB, every line under the line
//! cap), "Test now", the snapshot and the history rows carry a few tens of KiB per result.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use ehlowatch_engine::Snapshot;
use ehlowatch_testkit::{scenarios, FakeSmtp, TestPki};
use serde::Serialize;
use serde_json::{json, Value};

use super::Shell;

/// The most one result may weigh as JSON: a probe report, a history record, a state change.
const RESULT_CAP: usize = 64 * 1024;
/// How many hostile monitors the window watches.
const MONITORS: usize = 20;
/// The most the snapshot may weigh: [`RESULT_CAP`] per monitor (1.25 MiB).
const SNAPSHOT_CAP: usize = MONITORS * RESULT_CAP;
/// QoS of the monitors here: generous, so a debug build reading 20 × 40 MB at once on a busy
/// machine still gets its replies in time; only the sizes are judged.
const QOS_MS: u64 = 5000;
/// How long the 20 first probes (and the history's batched commits) may take.
const PATIENCE: Duration = Duration::from_secs(120);
/// Held by each test here: floods of 40 MB at once on a debug build would push the probes past
/// their deadline, and a probe cut short reads less than the whole flood.
static ONE_FLOOD_AT_A_TIME: Mutex<()> = Mutex::new(());
/// The hostile servers, each a scenario of the testkit catalogue.
const HOSTILE: [&str; 3] = ["flood-continuations", "flood-greeting", "flood-rejected"];

fn hostile_server(name: &str) -> FakeSmtp {
    let scenario = scenarios::by_name(name).expect("in the testkit catalogue");
    tauri::async_runtime::block_on(scenario.start(&TestPki::new()))
}

fn monitor(name: &str, port: u16) -> Value {
    json!({ "name": name, "host": "127.0.0.1", "port": port, "qos_ms": QOS_MS, "interval_s": 60 })
}

/// Bytes of `value` as compact JSON, counted without building the text.
fn json_len<T: Serialize + ?Sized>(value: &T) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    serde_json::to_writer(&mut count, value).unwrap();
    count.0
}

/// Polls `attempt` every 20 ms until it returns `Some`, at most [`PATIENCE`].
fn eventually<T>(what: &str, mut attempt: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(value) = attempt() {
            return value;
        }
        assert!(Instant::now() < deadline, "{what}: not within {PATIENCE:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn test_now_against_a_flooded_ehlo_reply_answers_under_64_kib() {
    let _alone = ONE_FLOOD_AT_A_TIME
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let server = hostile_server("flood-continuations");
    let shell = Shell::start();
    let report = shell.ok(
        "test_monitor",
        json!({ "monitor": monitor("t", server.port()), "originalId": null }),
    );
    let size = json_len(&report);
    eprintln!("test_monitor against flood-continuations: {size} bytes (cap {RESULT_CAP})");
    assert!(size < RESULT_CAP, "test_monitor answered {size} bytes");
    assert_eq!(report["status"], "success", "{report}");
    assert_eq!(report["ehlo"]["code"], 250);
    assert!(
        report["ehlo"]["omitted_lines"].as_u64() > Some(0),
        "{}",
        report["ehlo"]
    );
}

#[test]
fn twenty_hostile_monitors_keep_the_snapshot_and_the_history_rows_small() {
    let _alone = ONE_FLOOD_AT_A_TIME
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let servers: Vec<FakeSmtp> = HOSTILE.iter().map(|name| hostile_server(name)).collect();
    let shell = Shell::start();
    let names: Vec<String> = (1..=MONITORS).map(|n| format!("hostile-{n:02}")).collect();
    for (n, name) in names.iter().enumerate() {
        let port = servers[n % HOSTILE.len()].port();
        shell.ok(
            "save_monitor",
            json!({ "monitor": monitor(name, port), "originalId": null }),
        );
    }

    let state = shell.state.clone();
    let snapshot: std::sync::Arc<Snapshot> = tauri::async_runtime::block_on(async move {
        let mut rx = state.engine().await.unwrap().watch();
        tokio::time::timeout(PATIENCE, async {
            loop {
                let s = rx.borrow_and_update().clone();
                if s.monitors.len() == MONITORS && s.monitors.iter().all(|m| m.last.is_some()) {
                    return s;
                }
                rx.changed().await.unwrap();
            }
        })
        .await
        .unwrap_or_else(|_| panic!("not every monitor had a result within {PATIENCE:?}"))
    });
    // The engine's own snapshot first: it is what the window is sent, and weighing it costs no
    // copy where an oversized one would.
    let held = json_len(&*snapshot);
    eprintln!(
        "the engine's snapshot of {MONITORS} hostile monitors: {held} bytes (cap {SNAPSHOT_CAP})"
    );
    assert!(held < SNAPSHOT_CAP, "the snapshot is {held} bytes");
    drop(snapshot);

    let sent = json_len(&shell.ok("get_snapshot", json!({})));
    eprintln!("get_snapshot: {sent} bytes (cap {SNAPSHOT_CAP})");
    assert!(sent < SNAPSHOT_CAP, "get_snapshot answered {sent} bytes");

    // The rejecting server's monitors failed: their history rows hold the reason and transcript.
    let rejected: Vec<&String> = names
        .iter()
        .enumerate()
        .filter(|(n, _)| HOSTILE[n % HOSTILE.len()] == "flood-rejected")
        .map(|(_, name)| name)
        .collect();
    for name in rejected {
        // The history writer commits in batches.
        let record = eventually(&format!("{name}'s failure in the history"), || {
            Some(shell.ok("last_failure", json!({ "id": name }))).filter(|r| !r.is_null())
        });
        let size = json_len(&record);
        eprintln!("last_failure of {name} (flood-rejected): {size} bytes (cap {RESULT_CAP})");
        assert!(
            size < RESULT_CAP,
            "{name}: last_failure answered {size} bytes"
        );
        assert_eq!(record["failure"]["kind"], "ehlo_rejected", "{record}");
        assert!(record["transcript"].is_array(), "{record}");
    }

    // Every monitor left `unknown` with its first result; the writer commits in batches.
    let events = eventually("a state change of every monitor in the history", || {
        let events = shell.ok("history_events", json!({ "id": null, "window": "24h" }));
        let all = names.iter().all(|name| {
            events
                .as_array()
                .is_some_and(|es| es.iter().any(|e| e["monitor"] == **name))
        });
        all.then_some(events)
    });
    let events = events.as_array().unwrap();
    let largest = events.iter().map(json_len).max().unwrap_or(0);
    eprintln!(
        "history_events: {} state changes, {} bytes in all, \
         the largest {largest} bytes (cap {RESULT_CAP} each)",
        events.len(),
        json_len(events)
    );
    assert!(
        largest < RESULT_CAP,
        "a state change of {largest} bytes in the history"
    );
}
