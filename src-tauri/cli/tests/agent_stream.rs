//! The agent's API for remote viewers, end to end against the real `ehlowatch run`: the event
//! stream (`/api/events`) shows the state changes of a server the test turns bad and good; a
//! viewer cut while transitions happen gets exactly the sequences it missed when it reconnects
//! with `Last-Event-ID` — also across an agent restart on the same history; a sequence that
//! cannot be resumed gets `event: reset` and a snapshot; and one monitor's history queries answer
//! with the engine's shapes, 404 for an unknown monitor and 400 naming a bad parameter.

mod agent_support;

use agent_support::sse::{SseEvent, Viewer};
use agent_support::{config, eventually, monitor, Agent, PATIENCE};
use ehlowatch_testkit::{FakeSmtp, Script};
use serde_json::Value;

fn failing() -> Script {
    Script::new()
        .send("554 5.3.2 fake.test No SMTP service here\r\n")
        .bye()
}

/// A monitor the test turns bad and good (`flip`) beside one that stays healthy (`steady`), so
/// a failing `flip` is never taken for this machine being offline.
struct Lab {
    flip: FakeSmtp,
    _steady: FakeSmtp,
    agent: Agent,
}

impl Lab {
    async fn start() -> Self {
        let flip = FakeSmtp::start(Script::healthy()).await;
        let steady = FakeSmtp::start(Script::healthy()).await;
        let agent =
            Agent::start(&config(&[("flip", flip.port()), ("steady", steady.port())])).await;
        Self {
            flip,
            _steady: steady,
            agent,
        }
    }

    /// Turns `flip` to `status` (`failed` or `success`) and waits for `/api/status` to show it.
    async fn turn(&self, status: &str) {
        self.flip.set_script(if status == "failed" {
            failing()
        } else {
            Script::healthy()
        });
        self.agent
            .status_when(&format!("flip {status}"), |ms| {
                ms.iter()
                    .any(|m| m["name"] == "flip" && m["status"] == status)
            })
            .await;
    }

    async fn both_success(&self) {
        self.agent
            .status_when("both monitors success", |ms| {
                ms.len() == 2 && ms.iter().all(|m| m["status"] == "success")
            })
            .await;
    }

    /// Both monitors judged success and their first state change in the history (the writer
    /// commits within about a second), so a snapshot's sequence covers the start.
    async fn settled(&self) {
        self.both_success().await;
        for name in ["flip", "steady"] {
            let path = format!("/api/monitors/{name}/events");
            eventually(
                &format!("{name}'s first change stored"),
                PATIENCE,
                || async {
                    let events = self.agent.get(&path).await.json();
                    match events.as_array().map(Vec::len) {
                        Some(1) => Ok(()),
                        _ => Err(events.to_string()),
                    }
                },
            )
            .await;
        }
    }

    async fn viewer(&self, headers: &[&str]) -> Viewer {
        Viewer::connect(self.agent.addr(), "/api/events", headers).await
    }
}

fn is_change(e: &SseEvent, name: &str, to: &str) -> bool {
    e.event == "state_change" && e.data["monitor"] == name && e.data["to"] == to
}

/// The sequences of `events`, asserting each has one.
fn ids(events: &[SseEvent]) -> Vec<i64> {
    events
        .iter()
        .map(|e| e.id.unwrap_or_else(|| panic!("no id: {e:?}")))
        .collect()
}

/// Reads the state changes and local causes a viewer is replayed until `flip` reaches `to`.
async fn replay_until(viewer: &mut Viewer, to: &str) -> Vec<SseEvent> {
    viewer
        .until(&format!("the replay reaches flip {to}"), |e| {
            is_change(e, "flip", to)
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_sees_the_snapshot_then_every_state_change_as_it_happens() {
    let lab = Lab::start().await;
    lab.both_success().await;
    let mut viewer = lab.viewer(&[]).await;
    let first = viewer.next().await;
    assert_eq!(first.event, "snapshot", "{first:?}");
    assert!(first.id.is_some(), "{first:?}");
    assert_eq!(
        monitor(&first.data, "flip")["status"],
        "success",
        "{first:?}"
    );

    lab.turn("failed").await;
    let seen = viewer
        .until("flip failed on the stream", |e| {
            is_change(e, "flip", "failed")
        })
        .await;
    let failed = seen.last().expect("an event");
    assert_eq!(failed.data["from"], "success", "{failed:?}");
    assert_eq!(failed.data["event_id"], 5509, "{failed:?}");
    assert_eq!(failed.data["name"], "flip", "{failed:?}");
    lab.turn("success").await;
    let seen = viewer
        .until("flip success on the stream", |e| {
            is_change(e, "flip", "success")
        })
        .await;
    let ok = seen.last().expect("an event");
    assert_eq!(ok.data["event_id"], 5510, "{ok:?}");
    assert!(ok.id > failed.id, "{failed:?} then {ok:?}");

    // Results, live and without a sequence, only for a viewer that asks.
    let mut results = Viewer::connect(lab.agent.addr(), "/api/events?results=1", &[]).await;
    let got = results.until("a result", |e| e.event == "result").await;
    let result = got.last().expect("an event");
    assert_eq!(result.id, None, "{result:?}");
    assert!(result.data["verdict"].is_string(), "{result:?}");
    assert!(result.data["monitor"].is_string(), "{result:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_cut_off_gets_exactly_the_sequences_it_missed() {
    let lab = Lab::start().await;
    lab.settled().await;
    let mut viewer = lab.viewer(&[]).await;
    let snapshot = viewer.next().await;
    let last = snapshot.id.expect("the snapshot's sequence");
    drop(viewer);

    // Four transitions while no viewer is connected.
    for status in ["failed", "success", "failed", "success"] {
        lab.turn(status).await;
    }
    let header = format!("Last-Event-ID: {last}");
    let mut viewer = lab.viewer(&[&header]).await;
    // The replay: the first failed, then on to the last success.
    let mut missed = replay_until(&mut viewer, "failed").await;
    missed.extend(replay_until(&mut viewer, "success").await);
    missed.extend(replay_until(&mut viewer, "failed").await);
    missed.extend(replay_until(&mut viewer, "success").await);
    let want: Vec<i64> = (last + 1..=last + 4).collect();
    assert_eq!(ids(&missed), want, "{missed:#?}");
    let tos: Vec<&Value> = missed.iter().map(|e| &e.data["to"]).collect();
    assert_eq!(
        tos,
        ["failed", "success", "failed", "success"],
        "{missed:#?}"
    );

    // Then live, the next sequence: nothing was sent twice or skipped.
    lab.turn("failed").await;
    let live = replay_until(&mut viewer, "failed").await;
    assert_eq!(ids(&live), vec![last + 5], "{live:#?}");

    // `?since=` resumes the same way.
    let path = format!("/api/events?since={}", last + 2);
    let mut again = Viewer::connect(lab.agent.addr(), &path, &[]).await;
    let replay = replay_until(&mut again, "failed").await;
    let replay = [replay, replay_until(&mut again, "failed").await].concat();
    assert_eq!(
        ids(&replay),
        vec![last + 3, last + 4, last + 5],
        "{replay:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    windows,
    ignore = "stops the agent with SIGTERM by kill(1): Unix signals"
)]
async fn a_viewer_resumes_exactly_across_an_agent_restart() {
    let mut lab = Lab::start().await;
    lab.both_success().await;
    lab.turn("failed").await;
    let mut viewer = lab.viewer(&[]).await;
    let snapshot = viewer.next().await;
    let mut last = snapshot.id.expect("the snapshot's sequence");
    lab.turn("success").await;
    let seen = replay_until(&mut viewer, "success").await;
    last = *ids(&seen).last().unwrap_or(&last);
    drop(viewer);

    // A viewer still connected does not hold the agent up: its stream ends with the agent.
    let connected = lab.viewer(&["Last-Event-ID: 1"]).await;
    lab.agent.signal("TERM");
    let (status, took) = lab.agent.wait_exit(PATIENCE).await;
    assert!(status.success(), "{status}");
    assert!(
        took < std::time::Duration::from_secs(5),
        "stopping took {took:?}"
    );
    let rest = connected.body().await;
    assert!(rest.contains("event: reset"), "{rest}");
    lab.agent.restart().await;
    lab.both_success().await;
    lab.turn("failed").await;
    lab.turn("success").await;

    let header = format!("Last-Event-ID: {last}");
    let mut viewer = lab.viewer(&[&header]).await;
    let mut missed = replay_until(&mut viewer, "failed").await;
    missed.extend(replay_until(&mut viewer, "success").await);
    let got = ids(&missed);
    let want: Vec<i64> = (last + 1..=last + i64::try_from(got.len()).expect("a count")).collect();
    assert_eq!(got, want, "{missed:#?}");
    // The restart's first verdicts (unknown → success), then the two transitions, in order.
    let tos: Vec<(&Value, &Value)> = missed
        .iter()
        .map(|e| (&e.data["monitor"], &e.data["to"]))
        .collect();
    assert_eq!(
        tos[tos.len() - 2..],
        [
            (&"flip".into(), &"failed".into()),
            (&"flip".into(), &"success".into())
        ],
        "{missed:#?}"
    );
    let started: Vec<&SseEvent> = missed[..missed.len() - 2].iter().collect();
    assert!(
        started.len() == 2
            && started
                .iter()
                .all(|e| e.data["from"] == "unknown" && e.data["to"] == "success"),
        "{missed:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sequence_that_cannot_be_resumed_gets_a_reset_and_a_snapshot() {
    let lab = Lab::start().await;
    lab.both_success().await;
    let mut viewer = lab.viewer(&[]).await;
    let last = viewer.next().await.id.expect("the snapshot's sequence");
    drop(viewer);

    // Long before anything this history holds, and beyond the last it gave.
    for (seen, reason) in [(0, "more than 10000"), (last + 1_000, "beyond the last")] {
        let header = format!("Last-Event-ID: {seen}");
        let mut viewer = lab.viewer(&[&header]).await;
        let reset = viewer.next().await;
        assert_eq!(reset.event, "reset", "{reset:?}");
        assert_eq!(reset.data["last_event_id"], seen, "{reset:?}");
        let why = reset.data["reason"].as_str().unwrap_or_default();
        assert!(why.contains(reason), "{reset:?}");
        let snapshot = viewer.next().await;
        assert_eq!(snapshot.event, "snapshot", "{snapshot:?}");
        assert!(snapshot.id >= Some(last), "{snapshot:?}");
        assert_eq!(monitor(&snapshot.data, "steady")["status"], "success");
    }

    // A malformed sequence is refused, naming where it came from.
    let (status, _, body) =
        Viewer::open(lab.agent.addr(), "/api/events", &["Last-Event-ID: ten"]).await;
    assert_eq!(status, 400);
    let body = body.body().await;
    assert!(body.contains("Last-Event-ID: \\\"ten\\\""), "{body}");
    let r = lab.agent.get("/api/events?since=-3").await;
    assert_eq!(r.status, 400, "{r:?}");
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap_or_default()
            .starts_with("since: \"-3\""),
        "{r:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_monitor_history_answers_in_the_engine_shapes_404_and_400() {
    let lab = Lab::start().await;
    lab.both_success().await;
    lab.turn("failed").await;
    lab.turn("success").await;
    let agent = &lab.agent;

    let stats = agent.get("/api/monitors/flip/stats?window=1h").await;
    assert_eq!(stats.status, 200, "{stats:?}");
    let stats = stats.json();
    for key in [
        "probes",
        "success",
        "warning",
        "failed",
        "uptime_pct",
        "latency_samples",
        "p50_ms",
        "p95_ms",
        "p99_ms",
    ] {
        assert!(stats.get(key).is_some(), "no {key} in {stats}");
    }
    assert!(stats["failed"].as_u64() >= Some(2), "{stats}");

    let series = agent
        .get("/api/monitors/flip/series?window=24h")
        .await
        .json();
    let points = series.as_array().expect("an array of points");
    assert!(!points.is_empty(), "{series}");
    for key in [
        "start", "probes", "warning", "failed", "min_ms", "avg_ms", "max_ms",
    ] {
        assert!(points[0].get(key).is_some(), "no {key} in {series}");
    }

    // The history writer commits within about a second of the change.
    let events = eventually(
        "the three state changes in the history",
        PATIENCE,
        || async {
            let events = agent.get("/api/monitors/flip/events").await.json();
            if events.as_array().map(Vec::len) == Some(3) {
                Ok(events)
            } else {
                Err(events.to_string())
            }
        },
    )
    .await;
    let tos: Vec<&Value> = events
        .as_array()
        .expect("an array")
        .iter()
        .map(|e| &e["to"])
        .collect();
    assert_eq!(tos, ["success", "failed", "success"], "{events}");
    assert!(
        events[1]["event_id"] == 5509 && events[1]["monitor"] == "flip",
        "{events}"
    );

    let failure = agent.get("/api/monitors/flip/last-failure").await.json();
    assert_eq!(failure["verdict"], "failed", "{failure}");
    assert!(failure["transcript"].is_array(), "{failure}");
    assert!(agent
        .get("/api/monitors/steady/last-failure")
        .await
        .json()
        .is_null());

    for path in [
        "/api/monitors/nope/stats",
        "/api/monitors/nope/last-failure",
    ] {
        let r = agent.get(path).await;
        assert_eq!(r.status, 404, "{path}: {r:?}");
        assert_eq!(
            r.json()["error"],
            "no monitor \"nope\" on this agent",
            "{path}"
        );
    }
    let table = [
        (
            "/api/monitors/flip/stats?window=2h",
            "window: \"2h\" is not a window (1h, 24h, 7d, 30d)",
        ),
        (
            "/api/monitors/flip/series?windw=1h",
            "windw: not a parameter here (known: window)",
        ),
        (
            "/api/events?results=maybe",
            "results: \"maybe\" is not a boolean (1, true, 0, false)",
        ),
    ];
    for (path, message) in table {
        let r = agent.get(path).await;
        assert_eq!(r.status, 400, "{path}: {r:?}");
        assert_eq!(r.json()["error"], message, "{path}");
    }
}
