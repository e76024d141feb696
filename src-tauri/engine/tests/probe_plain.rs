//! Plain-SMTP probes against scripted fake servers on loopback: what the report says about each
//! kind of server — verdict, event id, failure phase and kind, the server's words quoted in the
//! message, the replies and extensions read, the address used and the EHLO name sent.

mod common;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use ehlowatch_engine::Direction;
use ehlowatch_engine::{FailureKind, Phase};
use ehlowatch_engine::{ProbeReport, Verdict, MAX_KEPT_LINES};
use ehlowatch_testkit::{scenarios, FakeSmtp, Script};

use common::{expected_ehlo_name, probe, spec, timed_sum};

const QOS_MS: u64 = 1000;

/// Probes the catalogue scenario `name` (a plain one) at QoS 1000 ms.
async fn probe_scenario(name: &str) -> (ProbeReport, FakeSmtp) {
    let scenario = scenarios::by_name(name).expect("a catalogue scenario");
    let server = FakeSmtp::start(scenario.script).await;
    let report = probe(&spec(&server, QOS_MS)).await;
    (report, server)
}

#[track_caller]
fn assert_failed(report: &ProbeReport, phase: Phase, kind: FailureKind, quoted: &[&str]) {
    assert_eq!(report.status, Verdict::Failed, "{report:#?}");
    assert_eq!(report.event_id, 5509);
    assert_eq!(report.latency, None);
    let failure = report.failure.as_ref().expect("a failure");
    assert_eq!(
        (failure.phase, failure.kind),
        (phase, kind),
        "{}",
        failure.message
    );
    for words in quoted {
        assert!(
            failure.message.contains(words),
            "{:?} does not quote {words:?}",
            failure.message
        );
    }
    assert_eq!(report.reason.as_deref(), Some(failure.message.as_str()));
}

#[track_caller]
fn assert_success(report: &ProbeReport) {
    assert_eq!(report.status, Verdict::Success, "{:?}", report.failure);
    assert_eq!(report.event_id, 5510);
    assert!(report.failure.is_none() && report.reason.is_none());
    assert!(report.latency.is_some());
}

fn keywords(report: &ProbeReport) -> Vec<&str> {
    report
        .ehlo
        .as_ref()
        .expect("an EHLO reply")
        .info
        .extensions
        .iter()
        .map(|e| e.keyword.as_str())
        .collect()
}

#[tokio::test]
async fn healthy_server_is_a_success_with_every_fact_reported() {
    let (report, server) = probe_scenario("healthy").await;
    assert_success(&report);
    assert_eq!(report.address, Some(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    assert_eq!(report.port, server.port());
    let name = expected_ehlo_name(IpAddr::V4(Ipv4Addr::LOCALHOST));
    assert_eq!(report.ehlo_name.as_deref(), Some(name.as_str()));
    assert_eq!(
        server.received(),
        [format!("EHLO {name}"), "QUIT".to_owned()]
    );

    let greeting = report.greeting.as_ref().expect("greeting");
    assert_eq!(
        (greeting.code.value(), greeting.lines.as_slice()),
        (220, &["fake.test ESMTP ready".to_owned()][..])
    );
    let ehlo = report.ehlo.as_ref().expect("EHLO reply");
    assert_eq!(ehlo.reply.code.value(), 250);
    assert_eq!(ehlo.info.domain, "fake.test");
    assert_eq!(
        keywords(&report),
        ["PIPELINING", "SIZE", "8BITMIME", "SMTPUTF8"]
    );
    assert_eq!(ehlo.info.extensions[1].params, ["10240000"]);

    let latency = report.latency.expect("latency");
    let phases = report.phases;
    assert!(
        phases.dns.is_some()
            && phases.connect.is_some()
            && phases.greeting.is_some()
            && phases.ehlo.is_some()
    );
    assert_eq!((phases.tls, phases.starttls), (None, None));
    common::assert_near(
        timed_sum(&phases),
        latency,
        Duration::from_micros(50),
        "connect+greeting+ehlo",
    );
    assert!(report.tls.is_none());

    // QUIT goes out after the judged reply, and its 221 is in the transcript, not the latency.
    let texts: Vec<_> = report
        .transcript
        .iter()
        .map(|l| (l.dir, l.text.as_str()))
        .collect();
    let last_250 = texts
        .iter()
        .position(|t| *t == (Direction::Server, "250 SMTPUTF8"))
        .expect("final 250");
    let quit = texts
        .iter()
        .position(|t| *t == (Direction::Client, "QUIT"))
        .expect("QUIT sent");
    assert!(quit > last_250);
    assert!(texts.contains(&(Direction::Server, "221 2.0.0 Bye")));
    assert!(report.transcript[quit].at >= latency);
}

#[tokio::test]
async fn configured_ehlo_name_is_sent_as_is() {
    let server = FakeSmtp::start(Script::healthy()).await;
    let mut spec = spec(&server, QOS_MS);
    spec.ehlo_name = Some("probe.example.test".into());
    let report = probe(&spec).await;
    assert_success(&report);
    assert_eq!(server.received()[0], "EHLO probe.example.test");
    assert_eq!(report.ehlo_name.as_deref(), Some("probe.example.test"));
}

#[tokio::test]
async fn lenient_replies_are_successes() {
    let (single, _s1) = probe_scenario("single-line").await;
    assert_success(&single);
    assert_eq!(single.ehlo.as_ref().unwrap().info.domain, "fake.test");
    assert!(keywords(&single).is_empty());

    let (bare, _s2) = probe_scenario("bare-250").await;
    assert_success(&bare);
    let ehlo = bare.ehlo.as_ref().unwrap();
    assert_eq!(
        (ehlo.reply.lines.as_slice(), ehlo.info.domain.as_str()),
        (&[String::new()][..], "")
    );

    let (lf, _s3) = probe_scenario("bare-lf").await;
    assert_success(&lf);
    assert_eq!(keywords(&lf), ["PIPELINING"]);

    let (greeting, _s4) = probe_scenario("multiline-greeting").await;
    assert_success(&greeting);
    assert_eq!(
        greeting.greeting.as_ref().unwrap().lines,
        ["fake.test ESMTP", "No UCE", "ready"]
    );
}

#[tokio::test]
async fn non_utf8_text_is_kept_lossily_and_the_json_stays_valid() {
    let (report, _server) = probe_scenario("non-utf8").await;
    assert_success(&report);
    let first = &report.ehlo.as_ref().unwrap().reply.lines[0];
    assert_eq!(first, "fake.test caf\u{FFFD} \u{FFFD}\u{FFFD}");
    let json = serde_json::to_string(&report).expect("serialises");
    let back: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(back["ehlo"]["lines"][0], first.as_str());
}

#[tokio::test]
async fn rejected_greeting_fails_in_the_greeting_quoting_the_server_and_sends_no_ehlo() {
    for (name, quoted) in [
        ("greeting-421", "421 4.3.2 fake.test Service not available"),
        ("greeting-554", "554 5.3.2"),
    ] {
        let (report, server) = probe_scenario(name).await;
        assert_failed(
            &report,
            Phase::Greeting,
            FailureKind::GreetingRejected,
            &[quoted, "expected 220"],
        );
        assert_eq!(report.last_code(), Some(quoted[..3].parse().unwrap()));
        assert!(report.ehlo.is_none());
        assert!(
            server
                .received()
                .iter()
                .all(|line| !line.starts_with("EHLO")),
            "{name}: {:?}",
            server.received()
        );
    }
    // A 554 server keeps the line open: the probe still says goodbye.
    let (_, server) = probe_scenario("greeting-554").await;
    assert_eq!(server.received(), ["QUIT"]);
}

#[tokio::test]
async fn ehlo_answered_with_anything_but_250_fails_quoting_the_reply() {
    let table = [
        ("ehlo-500", 500, "500 5.5.1 Command unrecognized"),
        ("ehlo-502", 502, "502 5.5.2 Command not implemented"),
        ("ehlo-421", 421, "421 4.7.0 fake.test Too many connections"),
        ("ehlo-550", 550, "550 5.5.0 Requested action not taken"),
    ];
    for (name, code, quoted) in table {
        let (report, server) = probe_scenario(name).await;
        assert_failed(
            &report,
            Phase::Ehlo,
            FailureKind::EhloRejected,
            &[quoted, "expected 250"],
        );
        assert_eq!(
            report.ehlo.as_ref().map(|e| e.reply.code.value()),
            Some(code),
            "{name}"
        );
        assert_eq!(report.last_code(), Some(code));
        assert!(server.received()[0].starts_with("EHLO "), "{name}");
    }
}

#[tokio::test]
async fn a_server_refusing_this_client_is_failed_as_a_refusal_quoting_its_words() {
    let table = [
        (
            "refused-client-greeting",
            Phase::Greeting,
            "\"554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org\"",
        ),
        (
            "refused-client-ehlo",
            Phase::Ehlo,
            "\"550 5.7.606 Access denied, banned sending IP [127.0.0.1]\"",
        ),
        (
            "refused-client-starttls",
            Phase::Starttls,
            "\"421 4.7.0 fake.test Client host rejected: listed at bl.spamcop.net\"",
        ),
    ];
    for (name, phase, quoted) in table {
        let scenario = scenarios::by_name(name).expect("a catalogue scenario");
        let server = FakeSmtp::start(scenario.script).await;
        let mut spec = spec(&server, QOS_MS);
        spec.tls = scenario.client_tls.parse().expect("a TLS mode");
        let report = probe(&spec).await;
        assert_failed(&report, phase, FailureKind::ClientRefused, &[quoted]);
        let message = &report.failure.as_ref().unwrap().message;
        assert_eq!(*message, format!("127.0.0.1 refuses this client: {quoted}"));
        assert_eq!(report.reason.as_ref(), Some(message), "{name}");
    }
}

#[tokio::test]
async fn a_refusal_quotes_a_bounded_start_of_a_long_reply() {
    let long = format!(
        "554-5.7.1 Client host [127.0.0.1] blocked using zen.spamhaus.org\r\n{}554 5.7.1 end\r\n",
        "554-5.7.1 see https://www.spamhaus.org/query/ip/127.0.0.1 for the reason why\r\n"
            .repeat(50)
    );
    let server = FakeSmtp::start(Script::new().send(&long).bye()).await;
    let report = probe(&spec(&server, QOS_MS)).await;
    assert_failed(
        &report,
        Phase::Greeting,
        FailureKind::ClientRefused,
        &["127.0.0.1 refuses this client: \"554 5.7.1 Client host [127.0.0.1] blocked"],
    );
    let message = &report.failure.as_ref().unwrap().message;
    assert!(message.chars().count() < 400, "{} chars", message.len());
    assert!(message.ends_with("…\""), "{message}");
}

#[tokio::test]
async fn code_mismatch_is_a_protocol_failure_naming_both_codes() {
    let (report, _server) = probe_scenario("code-mismatch").await;
    assert_failed(
        &report,
        Phase::Ehlo,
        FailureKind::Protocol,
        &["250 then 251", "251-PIPELINING"],
    );
}

#[tokio::test]
async fn closed_and_reset_connections_fail_in_the_phase_they_hit() {
    let (after_greeting, _s1) = probe_scenario("close-after-greeting").await;
    assert_failed(
        &after_greeting,
        Phase::Ehlo,
        FailureKind::Closed,
        &["closed the connection before the EHLO reply"],
    );

    let (mid_reply, _s2) = probe_scenario("close-mid-reply").await;
    assert_failed(
        &mid_reply,
        Phase::Ehlo,
        FailureKind::Closed,
        &["in the middle of the EHLO reply"],
    );

    if ehlowatch_testkit::RESET_READS_AS_RESET {
        let (reset, _s3) = probe_scenario("reset").await;
        assert_failed(&reset, Phase::Ehlo, FailureKind::Reset, &["reset"]);
    }

    let closed_at_once = FakeSmtp::start(Script::new().then(ehlowatch_testkit::Step::Close)).await;
    let report = probe(&spec(&closed_at_once, QOS_MS)).await;
    assert_failed(
        &report,
        Phase::Greeting,
        FailureKind::Closed,
        &["before the greeting"],
    );
}

#[tokio::test]
async fn refused_connection_fails_in_connect_with_the_address_reported() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut spec = ehlowatch_engine::ProbeSpec::new("127.0.0.1", port);
    spec.thresholds.qos = Duration::from_millis(QOS_MS);
    let report = probe(&spec).await;
    assert_failed(&report, Phase::Connect, FailureKind::Refused, &["refused"]);
    assert_eq!(report.address, Some(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    assert!(report.greeting.is_none() && report.ehlo_name.is_none());
}

#[tokio::test]
async fn garbage_and_endless_lines_fail_without_reading_on() {
    let (garbage, _s1) = probe_scenario("garbage").await;
    assert_failed(
        &garbage,
        Phase::Greeting,
        FailureKind::Protocol,
        &["not an SMTP reply", "SSH-2.0-OpenSSH_9.2p1"],
    );

    let (endless, _s2) = probe_scenario("endless-line").await;
    assert_failed(
        &endless,
        Phase::Greeting,
        FailureKind::LineTooLong,
        &["longer than 4096 bytes", "220 xxx"],
    );
    assert!(
        endless.failure.as_ref().unwrap().message.len() < 300,
        "the message quotes a bounded start"
    );
}

#[tokio::test]
async fn five_thousand_line_reply_is_read_whole_and_kept_bounded() {
    let (report, _server) = probe_scenario("huge-reply").await;
    assert_success(&report);
    let ehlo = report.ehlo.as_ref().unwrap();
    assert_eq!(
        (ehlo.reply.lines.len(), ehlo.reply.omitted_lines),
        (MAX_KEPT_LINES, 5000 - MAX_KEPT_LINES)
    );
    assert!(ehlo.reply.complete && ehlo.reply.omitted_bytes > 0);
    assert_eq!(ehlo.info.extensions.len(), MAX_KEPT_LINES - 1);
    assert!(
        report.transcript.len() <= 81,
        "transcript of {} lines",
        report.transcript.len()
    );
    assert!(report
        .transcript
        .iter()
        .any(|l| l.text.contains("more lines")));
}

#[tokio::test]
async fn early_reply_is_kept_and_judged() {
    let (report, server) = probe_scenario("early-reply").await;
    assert_success(&report);
    assert_eq!(
        keywords(&report),
        ["PIPELINING", "SIZE", "8BITMIME", "SMTPUTF8"]
    );
    assert!(server.received()[0].starts_with("EHLO "));
}

#[tokio::test]
async fn quit_troubles_never_change_the_verdict() {
    let (closed, _s1) = probe_scenario("close-after-250").await;
    assert_success(&closed);

    let started = std::time::Instant::now();
    let (silent, server) = probe_scenario("no-quit-answer").await;
    let took = started.elapsed();
    assert_success(&silent);
    assert!(server.received().contains(&"QUIT".to_owned()));
    assert!(silent
        .transcript
        .iter()
        .any(|l| l.dir == Direction::Note && l.text.starts_with("no reply to QUIT")));
    // The grace for the 221 is short (200 ms): the probe does not hang on.
    assert!(
        took < silent.latency.unwrap() + Duration::from_millis(400),
        "took {took:?}"
    );
}

#[tokio::test]
async fn required_extensions_are_checked_case_insensitively_and_all_named() {
    let server = FakeSmtp::start(Script::healthy()).await;
    let mut spec = spec(&server, QOS_MS);
    spec.thresholds.required_extensions = vec!["pipelining".into(), "SIZE".into()];
    assert_success(&probe(&spec).await);

    spec.thresholds.required_extensions = vec!["STARTTLS".into(), "SIZE".into(), "CHUNKING".into()];
    let report = probe(&spec).await;
    assert_eq!(report.status, Verdict::Failed);
    let failure = report.failure.as_ref().unwrap();
    assert_eq!(
        (failure.phase, failure.kind),
        (Phase::Ehlo, FailureKind::MissingExtension)
    );
    assert_eq!(
        failure.message,
        "required extension not advertised: STARTTLS, CHUNKING"
    );
    // The 250 did come: its latency is still measured.
    assert!(report.latency.is_some());
}

#[tokio::test]
async fn ipv6_loopback_with_and_without_brackets() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        eprintln!(
            "SKIPPED ipv6_loopback_with_and_without_brackets: cannot bind [::1]:0 on this machine"
        );
        return;
    }
    let bind = SocketAddr::from((Ipv6Addr::LOCALHOST, 0));
    let server = FakeSmtp::start_at(bind, Script::healthy(), None).await;
    let name = expected_ehlo_name(IpAddr::V6(Ipv6Addr::LOCALHOST));
    for host in ["::1", "[::1]"] {
        let mut spec = ehlowatch_engine::ProbeSpec::new(host, server.port());
        spec.family = ehlowatch_engine::AddressFamily::V6;
        let report = probe(&spec).await;
        assert_success(&report);
        assert_eq!(
            report.address,
            Some(IpAddr::V6(Ipv6Addr::LOCALHOST)),
            "{host}"
        );
        assert_eq!(report.ehlo_name.as_deref(), Some(name.as_str()));
    }
    assert_eq!(server.received()[0], format!("EHLO {name}"));
    if !name.contains('.') {
        assert_eq!(name, "[IPv6:::1]");
    }

    let mut v4_only = ehlowatch_engine::ProbeSpec::new("[::1]", server.port());
    v4_only.family = ehlowatch_engine::AddressFamily::V4;
    let report = probe(&v4_only).await;
    assert_failed(&report, Phase::Dns, FailureKind::Dns, &["no IPv4 address"]);
}
