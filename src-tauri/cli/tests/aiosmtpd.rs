//! `ehlowatch check` against a second real MTA beside Postfix: Debian's aiosmtpd (from the
//! testkit), answering EHLO in time, late, partially or with a blocklist rejection. What the
//! probe reports is aiosmtpd's own reply, parsed — and a reply cut off by the deadline is kept.
//!
//! Unix only: the server is Debian's `python3-aiosmtpd` (under Wine there is none to run).
#![cfg(unix)]

mod check_support;

use std::time::Duration;

use check_support::Run;
use ehlowatch_testkit::aiosmtpd::Mode;
use ehlowatch_testkit::Aiosmtpd;
use serde_json::Value;

/// Starts aiosmtpd in `mode` and probes it once with `--json`.
fn check(mode: Mode, qos_ms: u64) -> Run {
    let server =
        Aiosmtpd::start(mode).unwrap_or_else(|e| panic!("cannot start aiosmtpd ({mode:?}): {e}"));
    let (port, qos) = (server.port().to_string(), qos_ms.to_string());
    Run::check(&["127.0.0.1", "--json", "--port", &port, "--qos-ms", &qos])
}

fn has_extension(json: &Value, keyword: &str) -> bool {
    json["ehlo"]["extensions"]
        .as_array()
        .is_some_and(|exts| exts.iter().any(|e| e["keyword"] == keyword))
}

#[test]
#[ignore = "needs Debian's python3-aiosmtpd: scripts/test runs it"]
fn aiosmtpd_answering_in_time_is_a_success_with_its_reply_parsed() {
    let run = check(Mode::Healthy, 5000);
    assert_eq!(run.code, Some(0), "{run}");
    let json = &run.json;
    assert_eq!(json["status"], "success", "{run}");
    assert_eq!(json["greeting"]["code"], 220, "{run}");
    let greeting = json["greeting"]["lines"][0].as_str().unwrap_or_default();
    assert!(
        greeting.starts_with(Aiosmtpd::HOSTNAME),
        "aiosmtpd's greeting names it: {run}"
    );
    assert_eq!(json["ehlo"]["code"], 250, "{run}");
    assert_eq!(json["ehlo"]["domain"], Aiosmtpd::HOSTNAME, "{run}");
    for keyword in ["SIZE", "8BITMIME", "HELP"] {
        assert!(
            has_extension(json, keyword),
            "extensions lack {keyword}: {run}"
        );
    }
}

#[test]
#[ignore = "needs Debian's python3-aiosmtpd: scripts/test runs it"]
fn aiosmtpd_answering_past_qos_is_a_warning() {
    let run = check(Mode::Late(Duration::from_millis(700)), 500);
    assert_eq!(run.code, Some(1), "{run}");
    assert_eq!(run.json["status"], "warning", "{run}");
    assert_eq!(run.json["event_id"], 5511, "{run}");
    let latency = run.json["latency_ms"].as_f64().unwrap_or_default();
    assert!(
        (700.0..1000.0).contains(&latency),
        "latency {latency} ms is not between the delay and 2×QoS: {run}"
    );
}

#[test]
#[ignore = "needs Debian's python3-aiosmtpd: scripts/test runs it"]
fn an_ehlo_reply_cut_off_by_the_deadline_is_kept_as_incomplete() {
    let run = check(Mode::Partial(Duration::from_secs(10)), 300);
    assert_eq!(run.code, Some(2), "{run}");
    let json = &run.json;
    assert_eq!(json["status"], "failed", "{run}");
    assert_eq!(json["failure"]["phase"], "ehlo", "{run}");
    assert_eq!(json["failure"]["kind"], "timeout", "{run}");
    let ehlo = &json["ehlo"];
    assert!(
        !ehlo.is_null(),
        "the EHLO reply that arrived is kept: {run}"
    );
    assert_eq!(ehlo["code"], 250, "{run}");
    assert_eq!(ehlo["complete"], false, "{run}");
    assert_eq!(ehlo["lines"][0], Aiosmtpd::HOSTNAME, "{run}");
}

#[test]
#[ignore = "needs Debian's python3-aiosmtpd: scripts/test runs it"]
fn aiosmtpd_refusing_ehlo_for_a_blocklist_fails_quoting_it() {
    let run = check(Mode::Reject, 5000);
    assert_eq!(run.code, Some(2), "{run}");
    let json = &run.json;
    assert_eq!(json["status"], "failed", "{run}");
    assert_eq!(json["failure"]["phase"], "ehlo", "{run}");
    let kind = json["failure"]["kind"].as_str().unwrap_or_default();
    assert!(
        ["ehlo_rejected", "client_refused"].contains(&kind),
        "failure.kind {kind:?} is neither ehlo_rejected nor client_refused: {run}"
    );
    let message = json["failure"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("zen.spamhaus"),
        "the message quotes the server's text: {run}"
    );
    assert_eq!(json["ehlo"]["code"], 550, "{run}");
}
