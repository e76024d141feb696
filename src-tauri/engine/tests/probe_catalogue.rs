//! Every scenario of the testkit catalogue, probed at QoS 1000 ms in paused time: the verdict,
//! event id and failure (phase, kind) must be the ones the catalogue states — the same table
//! the CLI acceptance runs use, so engine and CLI cannot drift apart.

mod common;

use std::time::Duration;

use ehlowatch_engine::Verdict;
use ehlowatch_testkit::{scenarios, TestPki};
use tokio::time::Instant;

use common::{failure_names, json_name, probe, scenario_spec};

#[tokio::test(start_paused = true)]
async fn every_catalogue_scenario_gets_its_verdict() {
    let pki = TestPki::new();
    let mut wrong = Vec::new();
    let resets = |s: &scenarios::Scenario| s.failure.is_some_and(|(_, kind)| kind == "reset");
    for scenario in scenarios::all() {
        if resets(&scenario) && !ehlowatch_testkit::RESET_READS_AS_RESET {
            continue;
        }
        let server = scenario.start(&pki).await;
        let spec = scenario_spec(&scenario, &server, &pki, scenarios::QOS_MS);
        let started = Instant::now();
        let report = probe(&spec).await;
        let took = started.elapsed();

        let got = (json_name(&report.status), failure_names(&report));
        let want = (
            scenario.expected.to_owned(),
            scenario.failure.map(|(p, k)| (p.to_owned(), k.to_owned())),
        );
        if got != want {
            wrong.push(format!(
                "{}: want {want:?}, got {got:?} ({:?})",
                scenario.name, report.reason
            ));
        }
        let event_id = match report.status {
            Verdict::Success => 5510,
            Verdict::Warning => 5511,
            Verdict::Failed => 5509,
        };
        assert_eq!(report.event_id, event_id, "{}", scenario.name);
        assert_eq!(
            report.latency.is_some(),
            report.status != Verdict::Failed,
            "{}",
            scenario.name
        );
        // One overall deadline: no scenario keeps a probe past 2×QoS plus the QUIT grace.
        assert!(
            took <= Duration::from_millis(2 * scenarios::QOS_MS + 250),
            "{}: took {took:?}",
            scenario.name
        );
    }
    assert!(
        wrong.is_empty(),
        "scenarios with the wrong verdict:\n{}",
        wrong.join("\n")
    );
}

#[tokio::test(start_paused = true)]
async fn parameterised_slow_ehlo_follows_the_verdict_rule_on_both_sides_of_each_boundary() {
    let pki = TestPki::new();
    // Exactly 2×QoS is left out: there the reply and the deadline timer fire in the same tick
    // and the deadline wins (the verdict function's `≤ 2×QoS` is unit-tested in verdict/rule.rs).
    for ms in [0, 999, 1000, 1001, 1999, 2001] {
        let scenario = scenarios::slow_ehlo(ms);
        let server = scenario.start(&pki).await;
        let report = probe(&scenario_spec(&scenario, &server, &pki, scenarios::QOS_MS)).await;
        assert_eq!(
            json_name(&report.status),
            scenario.expected,
            "EHLO reply after {ms} ms: {:?}",
            report.reason
        );
    }
}
