//! The running engine end to end, against fake SMTP servers on loopback: statuses reach the
//! snapshot, a live reconfigure leaves unchanged monitors alone, a resume from suspend re-probes
//! everything at once, a confirmation turns into an alert, snooze hides a monitor from the
//! worst status, and shutdown flushes the history.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use ehlowatch_engine::Config;
use ehlowatch_engine::HistoryStore;
use ehlowatch_engine::Snapshot;
use ehlowatch_engine::{ChangeKind, MonitorId, Status};
use ehlowatch_engine::{Command, EngineEvent, EngineHandle};
use ehlowatch_engine::{Engine, EngineOptions};
use ehlowatch_testkit::{FakeSmtp, Script};
use tokio::sync::broadcast;

fn config(monitors: &[(&str, u16)], extra: &str) -> Config {
    let mut toml = String::from("[defaults]\nqos_ms = 200\ninterval_s = 60\nretry_s = 10\n");
    toml.push_str(extra);
    for (name, port) in monitors {
        let _ = write!(
            toml,
            "[[monitor]]\nname = \"{name}\"\nhost = \"127.0.0.1\"\nport = {port}\nehlo_name = \"probe.test\"\n"
        );
    }
    Config::from_toml_str(&toml).expect("valid config")
}

fn failing() -> Script {
    Script::new()
        .send("554 5.3.2 go away\r\n")
        .expect()
        .send("221 bye\r\n")
}

/// Waits until the snapshot satisfies `ready`.
async fn snapshot_where(engine: &EngineHandle, ready: impl Fn(&Snapshot) -> bool) -> Arc<Snapshot> {
    let mut watch = engine.watch();
    let found = tokio::time::timeout(
        Duration::from_secs(30),
        watch.wait_for(|s| !s.monitors.is_empty() && ready(s)),
    )
    .await
    .expect("the snapshot got there in time")
    .expect("the engine is running");
    found.clone()
}

fn status_of(snapshot: &Snapshot, name: &str) -> Status {
    snapshot
        .monitor(&MonitorId::from(name))
        .map_or(Status::Unknown, |m| m.status)
}

/// The next result event for `name`.
async fn result_for(
    events: &mut broadcast::Receiver<EngineEvent>,
    name: &str,
) -> Arc<ehlowatch_engine::ProbeReport> {
    loop {
        if let EngineEvent::Result {
            name: got, report, ..
        } = events.recv().await.expect("events flow")
        {
            if got == name {
                return report;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthy_slow_and_failing_reach_the_snapshot() {
    let healthy = FakeSmtp::start(Script::healthy()).await;
    let slow = FakeSmtp::start(Script::slow_ehlo(300)).await;
    let bad = FakeSmtp::start(failing()).await;
    let cfg = config(
        &[
            ("healthy", healthy.port()),
            ("slow", slow.port()),
            ("failing", bad.port()),
        ],
        "",
    );
    let engine = Engine::start(cfg, EngineOptions::default()).await;
    let snap = snapshot_where(&engine, |s| {
        s.monitors.iter().all(|m| m.status != Status::Unknown)
    })
    .await;
    assert_eq!(status_of(&snap, "healthy"), Status::Success);
    assert_eq!(status_of(&snap, "slow"), Status::Warning);
    assert_eq!(status_of(&snap, "failing"), Status::Failed);
    assert_eq!(snap.worst, Status::Failed);
    assert_eq!(
        (snap.counts.success, snap.counts.warning, snap.counts.failed),
        (1, 1, 1)
    );
    let failing_view = snap.monitor(&MonitorId::from("failing")).unwrap();
    assert!(
        failing_view.reason.as_deref().unwrap().contains("554"),
        "{:?}",
        failing_view.reason
    );
    assert_eq!(failing_view.pending.as_deref(), Some("failing 1 of 2"));
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_confirmed_failure_alerts_after_the_retry() {
    let bad = FakeSmtp::start(failing()).await;
    let engine = Engine::start(
        config(&[("failing", bad.port())], ""),
        EngineOptions::default(),
    )
    .await;
    let mut events = engine.subscribe();
    let mut changes = Vec::new();
    while changes.len() < 2 {
        if let EngineEvent::StateChanged(change) = events.recv().await.unwrap() {
            changes.push(change);
        }
    }
    assert_eq!(
        (changes[0].from, changes[0].to, changes[0].alert),
        (Status::Unknown, Status::Failed, false)
    );
    assert_eq!(changes[0].event_id, Some(5509));
    assert_eq!(
        (changes[1].kind, changes[1].to, changes[1].alert),
        (ChangeKind::Repeated, Status::Failed, true)
    );
    let gap = (changes[1].at - changes[0].at).to_std().unwrap();
    assert!(
        gap < Duration::from_secs(15),
        "confirmed by the 10 s re-probe, not the 60 s interval: {gap:?}"
    );
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn reconfigure_restarts_only_what_changed() {
    let a = FakeSmtp::start(Script::healthy()).await;
    let b = FakeSmtp::start(Script::healthy()).await;
    let c = FakeSmtp::start(Script::healthy()).await;
    let engine = Engine::start(
        config(&[("a", a.port()), ("b", b.port())], ""),
        EngineOptions::default(),
    )
    .await;
    snapshot_where(&engine, |s| {
        s.monitors.iter().all(|m| m.status == Status::Success)
    })
    .await;
    let a_lines = a.received().len();
    let mut events = engine.subscribe();
    assert!(
        engine
            .send(Command::Apply(Box::new(config(
                &[("a", a.port()), ("c", c.port())],
                ""
            ))))
            .await
    );
    result_for(&mut events, "c").await;
    let snap = snapshot_where(&engine, |s| status_of(s, "c") == Status::Success).await;
    let names: Vec<_> = snap.monitors.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["a", "c"]);
    assert_eq!(
        a.received().len(),
        a_lines,
        "the unchanged monitor was not probed again"
    );
    engine.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_resume_from_suspend_probes_every_monitor_at_once() {
    let a = FakeSmtp::start(Script::healthy()).await;
    let b = FakeSmtp::start(Script::healthy()).await;
    let wall = Arc::new(Mutex::new(Utc::now()));
    let clock = wall.clone();
    let options = EngineOptions {
        clock: Arc::new(move || *clock.lock().unwrap()),
        suspend_check_every: Duration::from_secs(5),
        ..EngineOptions::default()
    };
    let engine = Engine::start(config(&[("a", a.port()), ("b", b.port())], ""), options).await;
    snapshot_where(&engine, |s| {
        s.monitors.iter().all(|m| m.status == Status::Success)
    })
    .await;
    let mut events = engine.subscribe();
    // The laptop sleeps for an hour: the wall clock jumps, the monotonic clock does not.
    tokio::time::sleep(Duration::from_secs(7)).await;
    let jumped: DateTime<Utc> = *wall.lock().unwrap() + chrono::Duration::hours(1);
    *wall.lock().unwrap() = jumped;
    let started = tokio::time::Instant::now();
    let mut resumed = false;
    let mut probed = Vec::new();
    while probed.len() < 2 {
        match events.recv().await.unwrap() {
            EngineEvent::Resumed { gap_s } => {
                assert!(gap_s > 3500.0, "{gap_s}");
                resumed = true;
            }
            EngineEvent::Result { name, .. } => probed.push(name),
            _ => {}
        }
    }
    assert!(resumed, "the resume was announced before the re-probes");
    probed.sort();
    assert_eq!(probed, ["a", "b"]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "re-probed at once, not at the next interval"
    );
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snooze_takes_a_monitor_out_of_the_worst_status() {
    let good = FakeSmtp::start(Script::healthy()).await;
    let bad = FakeSmtp::start(failing()).await;
    let engine = Engine::start(
        config(&[("good", good.port()), ("bad", bad.port())], ""),
        EngineOptions::default(),
    )
    .await;
    snapshot_where(&engine, |s| s.worst == Status::Failed).await;
    let until = Utc::now() + chrono::Duration::hours(1);
    engine
        .send(Command::Snooze {
            id: MonitorId::from("bad"),
            until: Some(until),
        })
        .await;
    let snap = snapshot_where(&engine, |s| s.worst == Status::Success).await;
    assert_eq!(
        snap.monitor(&MonitorId::from("bad")).unwrap().snoozed_until,
        Some(until)
    );
    engine.send(Command::Unsnooze(MonitorId::from("bad"))).await;
    snapshot_where(&engine, |s| s.worst == Status::Failed).await;
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_flushes_results_and_events_to_the_history() {
    let good = FakeSmtp::start(Script::healthy()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.sqlite");
    let options = EngineOptions {
        history: Some(db.clone()),
        ..EngineOptions::default()
    };
    let engine = Engine::start(config(&[("good", good.port())], ""), options).await;
    assert!(engine.history().is_some());
    snapshot_where(&engine, |s| status_of(s, "good") == Status::Success).await;
    engine.shutdown().await;
    let (store, recovery) = HistoryStore::open(&db).unwrap();
    assert!(recovery.is_none());
    let queries = store.queries();
    let results = queries
        .recent_results(&MonitorId::from("good"), 10)
        .unwrap();
    assert_eq!(results.len(), 1);
    let events = queries
        .events(
            None,
            Utc::now() - chrono::Duration::hours(1),
            Utc::now() + chrono::Duration::hours(1),
        )
        .unwrap();
    assert_eq!(events.len(), 1, "Unknown → Success");
}
