//! Timing: latency from connect start to the final EHLO line, phases that add up to it, the one
//! overall deadline of 2×QoS (a dripping or silent server fails *at* 2×QoS, not later), and a
//! QUIT that is never timed and never awaited past a short grace or the deadline.
//!
//! Long delays run in tokio's paused time (the clock jumps when every task waits, so the
//! figures are exact); short real delays check the same on the wire.

mod common;

use std::time::Duration;

use ehlowatch_engine::{FailureKind, Phase};
use ehlowatch_engine::{ProbeReport, Verdict, WarningKind};
use ehlowatch_testkit::{scenarios, FakeSmtp, Script, Step};
use tokio::time::Instant;

use common::{assert_near, probe, spec, timed_sum};

const MS: fn(u64) -> Duration = Duration::from_millis;

/// Probes `script` at QoS `qos_ms`; returns the report and the probe's duration on the
/// runtime's clock (paused or not).
async fn timed_probe(script: Script, qos_ms: u64) -> (ProbeReport, Duration) {
    let server = FakeSmtp::start(script).await;
    let spec = spec(&server, qos_ms);
    let started = Instant::now();
    let report = probe(&spec).await;
    (report, started.elapsed())
}

#[track_caller]
fn assert_timeout(report: &ProbeReport, phase: Phase, what: &str) {
    assert_eq!(report.status, Verdict::Failed);
    let failure = report.failure.as_ref().expect("failure");
    assert_eq!(
        (failure.phase, failure.kind),
        (phase, FailureKind::Timeout),
        "{}",
        failure.message
    );
    assert_eq!(failure.message, format!("{what} within 2×QoS (2.000 s)"));
    assert_eq!(report.reason.as_deref(), Some(failure.message.as_str()));
    assert_eq!(report.latency, None);
}

#[tokio::test(start_paused = true)]
async fn dripping_server_fails_at_two_qos_not_when_it_finishes() {
    let drip = scenarios::by_name("drip-past-deadline").unwrap().script;
    let (report, took) = timed_probe(drip, 1000).await;
    // The lines that came are kept and quoted.
    assert_timeout(
        &report,
        Phase::Ehlo,
        "EHLO reply started (250-fake.test Hello …) but did not finish",
    );
    assert!(!report.ehlo.as_ref().unwrap().reply.complete);
    // The reply would take ~9 s; the probe ends at the deadline plus the few milliseconds of
    // a QUIT that has no time left.
    assert!(took >= MS(2000) && took <= MS(2015), "took {took:?}");
    assert!(report
        .transcript
        .iter()
        .any(|l| l.text.starts_with("deadline reached")));
}

#[tokio::test]
async fn dripping_server_fails_at_two_qos_on_the_wire_too() {
    let drip = Script::new()
        .greet()
        .expect()
        .then(Step::Drip(Script::EHLO_250.as_bytes().to_vec(), MS(20)))
        .bye();
    let started = std::time::Instant::now();
    let (report, _) = timed_probe(drip, 150).await;
    let took = started.elapsed();
    assert_eq!(
        report.failure.as_ref().map(|f| f.kind),
        Some(FailureKind::Timeout)
    );
    assert!(
        took >= MS(300) && took < MS(380),
        "took {took:?} for a 300 ms deadline"
    );
}

#[tokio::test(start_paused = true)]
async fn silent_server_fails_in_the_greeting_at_two_qos() {
    let (report, took) = timed_probe(Script::new().then(Step::Hang), 1000).await;
    assert_timeout(&report, Phase::Greeting, "no greeting");
    assert!(took >= MS(2000) && took <= MS(2015), "took {took:?}");
    assert!(
        report.greeting.is_none()
            && report.phases.connect.is_some()
            && report.phases.greeting.is_none()
    );
}

#[tokio::test(start_paused = true)]
async fn slow_greeting_counts_in_the_latency_and_the_greeting_phase() {
    for (ms, verdict) in [(500, Verdict::Success), (1500, Verdict::Warning)] {
        let script = scenarios::slow_greeting(ms).script;
        let (report, _) = timed_probe(script, 1000).await;
        assert_eq!(report.status, verdict, "{ms} ms: {:?}", report.reason);
        assert_near(report.latency.unwrap(), MS(ms), MS(2), "latency");
        assert_near(
            report.phases.greeting.unwrap(),
            MS(ms),
            MS(2),
            "greeting phase",
        );
        assert_near(
            timed_sum(&report.phases),
            report.latency.unwrap(),
            Duration::ZERO,
            "sum of phases",
        );
    }
    let (late, took) = timed_probe(scenarios::slow_greeting(2500).script, 1000).await;
    assert_timeout(&late, Phase::Greeting, "no greeting");
    assert!(took <= MS(2015));
}

#[tokio::test(start_paused = true)]
async fn slow_ehlo_on_both_sides_of_qos_and_two_qos() {
    let (fast, _) = timed_probe(Script::slow_ehlo(500), 1000).await;
    assert_eq!((fast.status, fast.event_id), (Verdict::Success, 5510));
    assert_near(fast.latency.unwrap(), MS(500), MS(2), "latency");
    assert_near(fast.phases.ehlo.unwrap(), MS(500), MS(2), "EHLO phase");

    let (slow, _) = timed_probe(Script::slow_ehlo(1500), 1000).await;
    assert_eq!((slow.status, slow.event_id), (Verdict::Warning, 5511));
    assert_near(slow.latency.unwrap(), MS(1500), MS(2), "latency");
    assert!(slow.failure.is_none());
    let kinds: Vec<_> = slow.warnings.iter().map(|w| w.kind).collect();
    assert_eq!(kinds, [WarningKind::Slow]);
    assert!(fast.warnings.is_empty());
    assert!(
        slow.reason
            .as_deref()
            .unwrap()
            .contains("exceeds QoS 1.000 s"),
        "{:?}",
        slow.reason
    );

    let (late, took) = timed_probe(Script::slow_ehlo(2500), 1000).await;
    assert_timeout(&late, Phase::Ehlo, "no final 250 to EHLO");
    assert!(took <= MS(2015), "took {took:?}");
}

#[tokio::test(start_paused = true)]
async fn latency_runs_to_the_final_line_not_the_first() {
    let (report, _) =
        timed_probe(scenarios::by_name("final-line-late").unwrap().script, 1000).await;
    assert_eq!(report.status, Verdict::Warning);
    assert_near(report.latency.unwrap(), MS(1500), MS(2), "latency");
    assert_eq!(
        report.ehlo.unwrap().reply.lines,
        ["fake.test Hello", "PIPELINING", "SMTPUTF8"]
    );
}

#[tokio::test(start_paused = true)]
async fn unanswered_quit_costs_only_the_short_grace() {
    let script = Script::new()
        .greet()
        .expect()
        .send(Script::EHLO_250)
        .expect()
        .then(Step::Hang);
    let (report, took) = timed_probe(script, 1000).await;
    assert_eq!(report.status, Verdict::Success);
    let latency = report.latency.unwrap();
    assert!(
        took > latency && took <= latency + MS(210),
        "took {took:?}, latency {latency:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn quit_is_never_awaited_past_the_deadline() {
    let script = Script::new()
        .greet()
        .expect()
        .wait_ms(1900)
        .send(Script::EHLO_250)
        .expect()
        .then(Step::Hang);
    let (report, took) = timed_probe(script, 1000).await;
    assert_eq!(report.status, Verdict::Warning);
    assert_near(report.latency.unwrap(), MS(1900), MS(2), "latency");
    assert!(took <= MS(2010), "QUIT kept the probe until {took:?}");
}

#[tokio::test(start_paused = true)]
async fn slow_quit_answer_is_not_in_the_latency() {
    let script = Script::new()
        .greet()
        .expect()
        .send(Script::EHLO_250)
        .expect()
        .wait_ms(150)
        .send("221 Bye\r\n");
    let (report, took) = timed_probe(script, 1000).await;
    assert_eq!(report.status, Verdict::Success);
    assert!(
        report.latency.unwrap() < MS(2),
        "latency {:?}",
        report.latency
    );
    assert_near(took, MS(150), MS(3), "probe with a 221 after 150 ms");
    assert!(report.transcript.iter().any(|l| l.text == "221 Bye"));
}

#[tokio::test]
async fn latency_matches_an_injected_delay_on_the_wire() {
    let mut errors = Vec::new();
    for delay in [0, 10, 30, 60, 120] {
        let (report, _) = timed_probe(Script::slow_ehlo(delay), 200).await;
        assert_eq!(
            report.status,
            Verdict::Success,
            "{delay} ms: {:?}",
            report.reason
        );
        let latency = report.latency.unwrap();
        assert!(
            latency >= MS(delay),
            "{latency:?} is less than the injected {delay} ms"
        );
        assert_near(latency, MS(delay), MS(15), "latency");
        assert_near(
            timed_sum(&report.phases),
            latency,
            Duration::from_micros(10),
            "sum of phases",
        );
        errors.push(latency - MS(delay));
    }
    eprintln!("latency minus injected delay: {errors:?}");
}

#[tokio::test]
async fn qos_boundaries_on_the_wire() {
    let (warning, _) = timed_probe(Script::slow_ehlo(150), 100).await;
    assert_eq!(
        (warning.status, warning.event_id),
        (Verdict::Warning, 5511),
        "{:?}",
        warning.reason
    );

    let started = std::time::Instant::now();
    let (failed, _) = timed_probe(Script::slow_ehlo(300), 100).await;
    let took = started.elapsed();
    assert_eq!((failed.status, failed.event_id), (Verdict::Failed, 5509));
    assert_eq!(
        failed.failure.as_ref().unwrap().message,
        "no final 250 to EHLO within 2×QoS (200.0 ms)"
    );
    assert!(took >= MS(200) && took < MS(280), "took {took:?}");
}
