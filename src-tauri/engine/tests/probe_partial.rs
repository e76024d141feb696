//! Replies cut off by the deadline, against servers on real loopback sockets: no byte of SMTP
//! while the greeting is incomplete, the part of a reply that arrived kept and quoted, each
//! transcript line stamped when it arrived, and a pregreet-shaped pause explained.

mod common;

use std::time::Duration;

use common::{probe, spec};
use ehlowatch_engine::{Direction, FailureKind, Phase, ProbeReport, ProbeSpec, TlsMode, Verdict};
use ehlowatch_testkit::{FakeSmtp, Script, Step, TestPki, Validity};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// QoS of these probes: short, as every one of them runs into 2×QoS.
const QOS_MS: u64 = 300;

/// The failure's message, asserting the probe failed by timing out in `phase`.
#[track_caller]
fn timed_out_in(report: &ProbeReport, phase: Phase) -> &str {
    assert_eq!(report.status, Verdict::Failed, "{report:#?}");
    let failure = report.failure.as_ref().expect("a failure");
    assert_eq!((failure.phase, failure.kind), (phase, FailureKind::Timeout));
    &failure.message
}

#[tokio::test]
async fn nothing_is_written_while_the_greeting_is_incomplete() {
    // A server of our own, so the test sees every byte the probe writes until it closes.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        let (mut tcp, _) = listener.accept().await.unwrap();
        tcp.write_all(b"220-mx.example ESMTP postscreen\r\n")
            .await
            .unwrap();
        let mut heard = Vec::new();
        let _ = tcp.read_to_end(&mut heard).await;
        heard
    });
    let mut spec = ProbeSpec::new("127.0.0.1", port);
    spec.thresholds.qos = Duration::from_millis(QOS_MS);
    let report = probe(&spec).await;
    let heard = server.await.unwrap();
    assert_eq!(
        String::from_utf8_lossy(&heard),
        "",
        "the probe spoke before the greeting was complete"
    );
    let message = timed_out_in(&report, Phase::Greeting);
    assert!(
        message.starts_with(
            "greeting started (220-mx.example ESMTP postscreen …) but did not finish within 2×QoS"
        ),
        "{message}"
    );
    assert!(report.transcript.iter().all(|l| l.dir != Direction::Client));
}

#[tokio::test]
async fn implicit_tls_with_an_incomplete_greeting_ends_without_close_notify() {
    let pki = TestPki::new();
    let acceptor = pki.acceptor(&["127.0.0.1"], Validity::FRESH);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut tls = acceptor.accept(tcp).await.unwrap();
        tls.write_all(b"220-mx.example ESMTP\r\n").await.unwrap();
        tls.flush().await.unwrap();
        let mut heard = Vec::new();
        let end = tls.read_to_end(&mut heard).await;
        (heard, end.map_err(|e| e.kind()))
    });
    let mut spec = ProbeSpec::new("127.0.0.1", port);
    spec.thresholds.qos = Duration::from_millis(QOS_MS);
    spec.tls = TlsMode::Implicit;
    spec.trust.ca_file = Some(pki.ca_file());
    let report = probe(&spec).await;
    timed_out_in(&report, Phase::Greeting);
    let (heard, end) = server.await.unwrap();
    assert!(heard.is_empty(), "the probe wrote {heard:?}");
    // rustls reports a peer that closed without close_notify as an unexpected end.
    assert_eq!(end, Err(std::io::ErrorKind::UnexpectedEof));
}

#[tokio::test]
async fn a_complete_greeting_is_answered_with_quit_even_when_it_refuses() {
    let server = FakeSmtp::start(
        Script::new()
            .send("554 5.7.1 mx.example no service for you\r\n")
            .expect()
            .then(Step::Close),
    )
    .await;
    let report = probe(&spec(&server, QOS_MS)).await;
    assert_eq!(report.status, Verdict::Failed);
    assert_eq!(server.received(), ["QUIT"]);
}

#[tokio::test]
async fn a_greeting_cut_off_is_kept_as_far_as_it_came() {
    let server = FakeSmtp::start(
        Script::new()
            .send("220-mx.example ESMTP\r\n220-second line\r\n")
            .then(Step::Hang),
    )
    .await;
    let report = probe(&spec(&server, QOS_MS)).await;
    timed_out_in(&report, Phase::Greeting);
    let greeting = report.greeting.as_ref().expect("the partial greeting");
    assert!(!greeting.complete);
    assert_eq!(greeting.lines, ["mx.example ESMTP", "second line"]);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["greeting"]["complete"], false);
    let shown: Vec<&str> = report.transcript.iter().map(|l| l.text.as_str()).collect();
    let at = shown
        .iter()
        .position(|t| *t == "220-second line")
        .expect("the lines that came are in the transcript");
    assert_eq!(shown[at + 1], "(incomplete)", "{shown:#?}");
}

#[tokio::test]
async fn an_ehlo_reply_cut_off_is_kept_and_quoted() {
    let server = FakeSmtp::start(
        Script::new()
            .greet()
            .expect()
            .send("250-mx.example Hello\r\n250-PIPELINING\r\n")
            .then(Step::Hang),
    )
    .await;
    let report = probe(&spec(&server, QOS_MS)).await;
    let message = timed_out_in(&report, Phase::Ehlo);
    assert!(
        message.starts_with("EHLO reply started (250-mx.example Hello …) but did not finish"),
        "{message}"
    );
    assert_eq!(report.latency, None);
    let ehlo = report.ehlo.as_ref().expect("the partial EHLO reply");
    assert!(!ehlo.reply.complete);
    assert_eq!(ehlo.reply.lines, ["mx.example Hello", "PIPELINING"]);
    assert_eq!(report.greeting.as_ref().map(|g| g.complete), Some(true));
}

#[tokio::test]
async fn each_line_is_stamped_when_it_arrived() {
    const PAUSE: Duration = Duration::from_millis(400);
    let server = FakeSmtp::start(
        Script::new()
            .greet()
            .expect()
            .send("250-mx.example Hello\r\n")
            .then(Step::Wait(PAUSE))
            .send("250 PIPELINING\r\n")
            .bye(),
    )
    .await;
    let report = probe(&spec(&server, 1000)).await;
    assert_eq!(report.status, Verdict::Success, "{report:#?}");
    let at = |text: &str| {
        report
            .transcript
            .iter()
            .find(|l| l.text.starts_with(text))
            .unwrap_or_else(|| panic!("{text:?} in {:#?}", report.transcript))
            .at
    };
    let sent = at("EHLO ");
    let (first, last) = (at("250-mx.example") - sent, at("250 PIPELINING") - sent);
    assert!(
        first < PAUSE / 4,
        "the first line stamped {first:?} after EHLO"
    );
    assert!(
        last >= PAUSE - Duration::from_millis(5),
        "the final line stamped {last:?} after EHLO"
    );
}

#[tokio::test]
async fn a_prompt_first_line_then_a_stall_is_explained_as_a_pregreet_test() {
    let server = FakeSmtp::start(
        Script::new()
            .send("220-mx.example ESMTP\r\n")
            .then(Step::Hang),
    )
    .await;
    let report = probe(&spec(&server, QOS_MS)).await;
    let message = timed_out_in(&report, Phase::Greeting);
    assert!(
        message.contains("looks like a pregreet test (e.g. Postfix postscreen)"),
        "{message}"
    );
    assert_eq!(report.reason.as_deref(), Some(message));

    // The same pause in a greeting that finishes within 2×QoS: a Warning, explained.
    let finishing = FakeSmtp::start(
        Script::new()
            .send("220-mx.example ESMTP\r\n")
            .wait_ms(QOS_MS)
            .send("220 mx.example ready\r\n")
            .expect()
            .send(Script::EHLO_250)
            .bye(),
    )
    .await;
    let warned = probe(&spec(&finishing, QOS_MS)).await;
    assert_eq!(warned.status, Verdict::Warning, "{warned:#?}");
    let reason = warned.reason.as_deref().unwrap_or_default();
    assert!(reason.contains("pregreet test"), "{reason}");

    // A greeting whose first line is late too is a slow server, not a pregreet test.
    let late = FakeSmtp::start(
        Script::new()
            .wait_ms(QOS_MS)
            .send("220-mx.example ESMTP\r\n")
            .then(Step::Hang),
    )
    .await;
    let report = probe(&spec(&late, QOS_MS)).await;
    assert!(!timed_out_in(&report, Phase::Greeting).contains("pregreet"));
}

#[tokio::test]
async fn the_quit_note_shows_the_wait_it_really_had() {
    // The 250 comes after the deadline, so no time is left for QUIT but its minimum grace.
    let server = FakeSmtp::start(Script::slow_ehlo(3 * QOS_MS)).await;
    let report = probe(&spec(&server, QOS_MS)).await;
    let note = report
        .transcript
        .iter()
        .find_map(|l| l.text.strip_prefix("no reply to QUIT within "))
        .expect("a note on the unanswered QUIT");
    let waited: f64 = note.split(' ').next().unwrap().parse().unwrap();
    assert!(waited >= 5.0, "the QUIT note says {note:?}");
}
