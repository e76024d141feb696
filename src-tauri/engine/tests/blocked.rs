//! "Blocked here" in the running engine, on loopback: two port-25 monitors whose addresses refuse
//! connections (nothing listens on 127.0.0.92:25 or 127.0.0.93:25) while a monitor on another
//! port answers make the port-25 ones `blocked` — one local-cause event, never a Failed — and
//! with nothing left to compare the block ends and the ELM verdict stands again, quietly.

use std::fmt::Write as _;
use std::time::Duration;

use ehlowatch_engine::{
    Command, Config, Engine, EngineEvent, EngineOptions, LocalCause, MonitorId, Status,
};
use ehlowatch_testkit::{FakeSmtp, Script};
use tokio::sync::broadcast;

/// Port-25 monitors on addresses where nothing listens, and `sub` on the fake server's port.
fn config(sub: Option<u16>) -> Config {
    let mut toml = String::from("[defaults]\nqos_ms = 200\ninterval_s = 2\nretry_s = 1\n");
    for (name, host) in [("mx-a", "127.0.0.92"), ("mx-b", "127.0.0.93")] {
        let _ = write!(
            toml,
            "[[monitor]]\nname = \"{name}\"\nhost = \"{host}\"\nport = 25\nehlo_name = \"probe.test\"\n"
        );
    }
    if let Some(port) = sub {
        let _ = write!(
            toml,
            "[[monitor]]\nname = \"sub\"\nhost = \"127.0.0.1\"\nport = {port}\nehlo_name = \"probe.test\"\n"
        );
    }
    Config::from_toml_str(&toml).expect("valid config")
}

/// Events until `stop` says so of those seen, within 30 s.
async fn events_until(
    events: &mut broadcast::Receiver<EngineEvent>,
    seen: &mut Vec<EngineEvent>,
    stop: impl Fn(&[EngineEvent]) -> bool,
) {
    tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            seen.push(events.recv().await.expect("events flow"));
            if stop(seen) {
                return;
            }
        }
    })
    .await
    .expect("the event came in time");
}

fn local(event: &EngineEvent) -> Option<(LocalCause, bool, usize, u16)> {
    match event {
        EngineEvent::LocalCause {
            cause,
            began,
            monitors,
            event_id,
        } => Some((*cause, *began, *monitors, *event_id)),
        _ => None,
    }
}

fn changes_to(seen: &[EngineEvent], status: Status) -> Vec<String> {
    seen.iter()
        .filter_map(|e| match e {
            EngineEvent::StateChanged(c) if c.to == status => Some(c.name.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn port_25_refused_everywhere_while_another_port_answers_is_blocked_not_failed() {
    let sub = FakeSmtp::start(Script::healthy()).await;
    let (engine, mut events) =
        Engine::start_subscribed(config(Some(sub.port())), EngineOptions::default()).await;
    let mut seen = Vec::new();
    events_until(&mut events, &mut seen, |seen| {
        seen.iter().any(|e| local(e).is_some()) && changes_to(seen, Status::Blocked).len() == 2
    })
    .await;

    assert_eq!(
        seen.iter().filter_map(local).collect::<Vec<_>>(),
        [(LocalCause::Blocked, true, 2, 5522)]
    );
    assert_eq!(changes_to(&seen, Status::Failed), Vec::<String>::new());
    let mut blocked = changes_to(&seen, Status::Blocked);
    blocked.sort();
    assert_eq!(blocked, ["mx-a", "mx-b"]);
    assert!(seen.iter().all(|e| match e {
        EngineEvent::StateChanged(c) => !c.alert,
        _ => true,
    }));
    let mut watch = engine.watch();
    let snap = watch
        .wait_for(|s| s.blocked)
        .await
        .expect("engine runs")
        .clone();
    assert_eq!(snap.counts.blocked, 2);
    assert_eq!(
        snap.monitor(&MonitorId::from("sub")).map(|m| m.status),
        Some(Status::Success),
        "the other port is judged as usual"
    );

    // Without the answering monitor nothing is left to compare: the block ends, and the ELM
    // verdict stands — reached quietly, then alerted once confirmed.
    let mut after = Vec::new();
    assert!(engine.send(Command::Apply(Box::new(config(None)))).await);
    events_until(&mut events, &mut after, |seen| {
        seen.iter()
            .any(|e| matches!(e, EngineEvent::StateChanged(c) if c.alert && c.to == Status::Failed))
    })
    .await;
    assert_eq!(
        after.iter().filter_map(local).collect::<Vec<_>>(),
        [(LocalCause::Blocked, false, 2, 5523)]
    );
    let first_failed = after
        .iter()
        .find_map(|e| match e {
            EngineEvent::StateChanged(c) if c.to == Status::Failed => Some(c.clone()),
            _ => None,
        })
        .expect("a change to Failed");
    assert_eq!(
        (first_failed.from, first_failed.alert),
        (Status::Blocked, false)
    );
    engine.shutdown().await;
}
