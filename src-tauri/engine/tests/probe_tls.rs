//! TLS probes against fake servers with certificates from a throw-away CA: STARTTLS (RFC 3207)
//! and implicit TLS, trust through a CA file, expired / wrong-name / self-signed certificates,
//! `insecure` that still reports what verification would say, certificate facts, and the
//! days-left thresholds.

mod common;

use std::time::Duration;

use ehlowatch_engine::TlsMode;
use ehlowatch_engine::{FailureKind, Phase};
use ehlowatch_engine::{ProbeReport, ProbeSpec, Verdict, Warning, WarningKind};
use ehlowatch_testkit::scenarios::{LOOPBACK_NAMES, WRONG_HOST};
use ehlowatch_testkit::{scenarios, FakeSmtp, Script, ServerCert, Step, TestPki, Validity};
use sha2::{Digest, Sha256};

use common::{assert_near, probe, spec, timed_sum};

const QOS_MS: u64 = 1000;

/// A STARTTLS probe of `server`, trusting `pki` when given.
fn starttls_spec(server: &FakeSmtp, pki: Option<&TestPki>) -> ProbeSpec {
    let mut spec = spec(server, QOS_MS);
    spec.tls = TlsMode::Starttls;
    spec.trust.ca_file = pki.map(TestPki::ca_file);
    spec
}

async fn starttls_server(cert: &ServerCert) -> FakeSmtp {
    FakeSmtp::start_tls(Script::starttls(), cert.acceptor()).await
}

#[track_caller]
fn assert_failed(report: &ProbeReport, phase: Phase, kind: FailureKind, quoted: &str) {
    assert_eq!((report.status, report.event_id), (Verdict::Failed, 5509));
    let failure = report.failure.as_ref().expect("failure");
    assert_eq!(
        (failure.phase, failure.kind),
        (phase, kind),
        "{}",
        failure.message
    );
    assert!(
        failure.message.contains(quoted),
        "{:?} does not say {quoted:?}",
        failure.message
    );
}

fn sha256_colons(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[tokio::test]
async fn starttls_with_a_trusted_ca_succeeds_and_reports_the_certificate() {
    let pki = TestPki::new();
    let cert = pki.server_cert(LOOPBACK_NAMES, Validity::FRESH);
    let server = starttls_server(&cert).await;
    let report = probe(&starttls_spec(&server, Some(&pki))).await;
    assert_eq!(
        (report.status, report.event_id),
        (Verdict::Success, 5510),
        "{:?}",
        report.failure
    );

    let tls = report.tls.as_ref().expect("TLS facts");
    assert_eq!(tls.version, "TLSv1.3");
    assert!(tls.cipher.starts_with("TLS13_"), "{}", tls.cipher);
    assert_eq!(tls.subject, "CN=127.0.0.1");
    assert_eq!(tls.issuer, "CN=EHLO Watch Test CA");
    assert_eq!(tls.subject_alt_names, LOOPBACK_NAMES);
    assert_eq!(tls.days_left, 365);
    assert_eq!(tls.sha256, sha256_colons(cert.chain[0].as_ref()));
    assert!(tls.verified && tls.verify_error.is_none());

    // EHLO, STARTTLS, then EHLO again over TLS: the second reply is the judged one.
    let name = report.ehlo_name.clone().unwrap();
    let ehlo = format!("EHLO {name}");
    assert_eq!(
        server.received(),
        [ehlo.as_str(), "STARTTLS", ehlo.as_str(), "QUIT"]
    );
    let judged = report.ehlo.as_ref().unwrap();
    assert_eq!(judged.reply.lines[0], "fake.test Hello again");
    assert!(judged.info.has("AUTH") && !judged.info.has("STARTTLS"));

    let p = report.phases;
    assert!(
        p.connect.is_some()
            && p.greeting.is_some()
            && p.starttls.is_some()
            && p.tls.is_some()
            && p.ehlo.is_some()
    );
    assert_near(
        timed_sum(&p),
        report.latency.unwrap(),
        Duration::from_micros(50),
        "phases vs latency",
    );
}

#[tokio::test]
async fn bad_certificates_fail_in_tls_and_say_why() {
    let pki = TestPki::new();
    let table = [
        (
            pki.server_cert(LOOPBACK_NAMES, Validity::EXPIRED),
            "expired",
        ),
        (
            pki.server_cert(&[WRONG_HOST], Validity::FRESH),
            "not valid for name",
        ),
        (ServerCert::self_signed(LOOPBACK_NAMES), "UnknownIssuer"),
    ];
    for (cert, why) in table {
        let server = starttls_server(&cert).await;
        let report = probe(&starttls_spec(&server, Some(&pki))).await;
        assert_failed(&report, Phase::Tls, FailureKind::Certificate, why);
        assert!(report.latency.is_none() && report.tls.is_none());
        // Nothing is said over a connection whose certificate was refused.
        let received = server.received();
        assert_eq!(received.len(), 2, "{why}: {received:?}");
        assert_eq!(received[1], "STARTTLS");
    }
}

#[tokio::test]
async fn the_test_ca_is_trusted_only_through_the_ca_file() {
    let pki = TestPki::new();
    let server = starttls_server(&pki.server_cert(LOOPBACK_NAMES, Validity::FRESH)).await;
    let report = probe(&starttls_spec(&server, None)).await;
    assert_failed(
        &report,
        Phase::Tls,
        FailureKind::Certificate,
        "UnknownIssuer",
    );
}

#[tokio::test]
async fn insecure_lets_a_bad_certificate_pass_but_reports_it_unverified() {
    let pki = TestPki::new();
    for (cert, why) in [
        (
            pki.server_cert(&[WRONG_HOST], Validity::FRESH),
            "not valid for name",
        ),
        (ServerCert::self_signed(LOOPBACK_NAMES), "UnknownIssuer"),
    ] {
        let server = starttls_server(&cert).await;
        let mut spec = starttls_spec(&server, Some(&pki));
        spec.trust.insecure = true;
        let report = probe(&spec).await;
        assert_eq!(
            report.status,
            Verdict::Success,
            "{why}: {:?}",
            report.failure
        );
        let tls = report.tls.as_ref().unwrap();
        assert!(!tls.verified, "{why}");
        let error = tls.verify_error.as_deref().expect("a verify error");
        assert!(error.contains(why), "{error:?} does not say {why:?}");
        assert!(report
            .transcript
            .iter()
            .any(|l| l.text.contains("not verified")));
    }
}

#[tokio::test]
async fn insecure_does_not_hide_an_expired_certificate() {
    let pki = TestPki::new();
    let server = starttls_server(&pki.server_cert(LOOPBACK_NAMES, Validity::EXPIRED)).await;
    let mut spec = starttls_spec(&server, Some(&pki));
    spec.trust.insecure = true;
    let report = probe(&spec).await;
    assert_failed(
        &report,
        Phase::Tls,
        FailureKind::CertificateExpiring,
        "certificate expired",
    );
    let tls = report.tls.as_ref().unwrap();
    assert_eq!(tls.days_left, -1);
    assert!(!tls.verified && tls.verify_error.as_deref().unwrap().contains("expired"));
}

#[tokio::test]
async fn certificate_days_left_below_the_thresholds() {
    let pki = TestPki::new();

    let server = starttls_server(&pki.server_cert(LOOPBACK_NAMES, Validity::expiring_in(10))).await;
    let report = probe(&starttls_spec(&server, Some(&pki))).await;
    assert_eq!((report.status, report.event_id), (Verdict::Warning, 5511));
    assert_eq!(
        report.reason.as_deref(),
        Some("certificate expires in 10 days (threshold 14 days)")
    );
    assert_eq!(
        report.warnings,
        [Warning::new(
            WarningKind::CertificateExpiring,
            "certificate expires in 10 days (threshold 14 days)"
        )]
    );
    assert!(report.failure.is_none());
    assert_eq!(report.tls.as_ref().unwrap().days_left, 10);

    let mut relaxed = starttls_spec(&server, Some(&pki));
    relaxed.thresholds.cert_warn_days = 5;
    relaxed.thresholds.cert_crit_days = 1;
    assert_eq!(probe(&relaxed).await.status, Verdict::Success);

    let server = starttls_server(&pki.server_cert(LOOPBACK_NAMES, Validity::expiring_in(2))).await;
    let report = probe(&starttls_spec(&server, Some(&pki))).await;
    assert_failed(
        &report,
        Phase::Tls,
        FailureKind::CertificateExpiring,
        "certificate expires in 2 days (threshold 3 days)",
    );
    // The 250 came in time: the latency is still there for the charts.
    assert!(report.latency.is_some());
}

#[tokio::test]
async fn starttls_not_advertised_or_refused() {
    let server = FakeSmtp::start(Script::healthy()).await;
    let report = probe(&starttls_spec(&server, None)).await;
    assert_failed(
        &report,
        Phase::Starttls,
        FailureKind::StarttlsNotAdvertised,
        "does not advertise it",
    );
    assert!(
        !server.received().iter().any(|l| l == "STARTTLS"),
        "{:?}",
        server.received()
    );
    assert!(report.tls.is_none());

    let refused = scenarios::by_name("starttls-rejected").unwrap();
    let server = FakeSmtp::start(refused.script).await;
    let report = probe(&starttls_spec(&server, None)).await;
    assert_failed(
        &report,
        Phase::Starttls,
        FailureKind::StarttlsRejected,
        "454 4.7.0 TLS not available",
    );
}

#[tokio::test]
async fn bytes_after_the_starttls_220_are_refused_not_carried_into_tls() {
    let pki = TestPki::new();
    let script = Script::new()
        .greet()
        .expect()
        .send("250-fake.test\r\n250 STARTTLS\r\n")
        .expect()
        .send("220 2.0.0 Go ahead\r\n250 injected\r\n")
        .then(Step::StartTls)
        .expect()
        .send(Script::EHLO_250);
    let server = FakeSmtp::start_tls(script, pki.acceptor(LOOPBACK_NAMES, Validity::FRESH)).await;
    let report = probe(&starttls_spec(&server, Some(&pki))).await;
    assert_failed(
        &report,
        Phase::Starttls,
        FailureKind::Protocol,
        "after its 220 to STARTTLS",
    );
}

#[tokio::test]
async fn implicit_tls_succeeds_with_facts_and_no_starttls_phase() {
    let pki = TestPki::new();
    let cert = pki.server_cert(LOOPBACK_NAMES, Validity::FRESH);
    let server = FakeSmtp::start_tls(Script::implicit_tls(), cert.acceptor()).await;
    let mut spec = spec(&server, QOS_MS);
    spec.tls = TlsMode::Implicit;
    spec.trust.ca_file = Some(pki.ca_file());
    let report = probe(&spec).await;
    assert_eq!(report.status, Verdict::Success, "{:?}", report.failure);
    let tls = report.tls.as_ref().unwrap();
    assert!(tls.verified);
    assert_eq!(tls.sha256, sha256_colons(cert.chain[0].as_ref()));
    assert_eq!(report.phases.starttls, None);
    assert!(report.phases.tls.is_some());
    assert_near(
        timed_sum(&report.phases),
        report.latency.unwrap(),
        Duration::from_micros(50),
        "phases vs latency",
    );
    assert_eq!(server.received().len(), 2);
}

#[tokio::test]
async fn plain_server_probed_with_implicit_tls_fails_the_handshake() {
    let server = FakeSmtp::start(Script::healthy()).await;
    let mut spec = spec(&server, QOS_MS);
    spec.tls = TlsMode::Implicit;
    let report = probe(&spec).await;
    assert_failed(
        &report,
        Phase::Tls,
        FailureKind::TlsHandshake,
        "TLS handshake failed",
    );
}

#[tokio::test(start_paused = true)]
async fn implicit_tls_server_probed_in_plain_mode_times_out_in_the_greeting() {
    let pki = TestPki::new();
    let server = FakeSmtp::start_tls(
        Script::implicit_tls(),
        pki.acceptor(LOOPBACK_NAMES, Validity::FRESH),
    )
    .await;
    let started = tokio::time::Instant::now();
    let report = probe(&spec(&server, QOS_MS)).await;
    assert_failed(
        &report,
        Phase::Greeting,
        FailureKind::Timeout,
        "no greeting within 2×QoS (2.000 s)",
    );
    assert!(started.elapsed() <= Duration::from_millis(2015));
}

#[tokio::test]
async fn required_extension_seen_in_plain_mode() {
    // The STARTTLS server's first EHLO advertises STARTTLS; a plain probe requiring it passes.
    let pki = TestPki::new();
    let server = FakeSmtp::start_tls(
        Script::starttls(),
        pki.acceptor(LOOPBACK_NAMES, Validity::FRESH),
    )
    .await;
    let mut spec = spec(&server, QOS_MS);
    spec.thresholds.required_extensions = vec!["STARTTLS".into(), "PIPELINING".into()];
    let report = probe(&spec).await;
    assert_eq!(report.status, Verdict::Success, "{:?}", report.failure);
    assert!(report.tls.is_none());
}

#[tokio::test]
async fn insecure_with_a_good_certificate_says_skipped_not_verified() {
    let pki = TestPki::new();
    let cert = pki.server_cert(LOOPBACK_NAMES, Validity::FRESH);
    let server = starttls_server(&cert).await;
    let mut spec = starttls_spec(&server, Some(&pki));
    spec.trust.insecure = true;
    let report = probe(&spec).await;
    assert_eq!(report.status, Verdict::Success, "{:?}", report.failure);
    let tls = report.tls.as_ref().unwrap();
    assert!(
        !tls.verified,
        "verification was skipped, so the report must not claim it"
    );
    assert!(tls.verification_skipped);
    assert_eq!(tls.verify_error, None, "it would have verified");
}

#[tokio::test]
async fn a_required_starttls_is_met_by_the_upgrade_itself() {
    let pki = TestPki::new();
    let cert = pki.server_cert(LOOPBACK_NAMES, Validity::FRESH);
    let server = starttls_server(&cert).await;
    let mut spec = starttls_spec(&server, Some(&pki));
    // RFC 3207 §4.2: the EHLO after TLS does not advertise STARTTLS again.
    spec.thresholds.required_extensions = vec!["STARTTLS".into(), "AUTH".into()];
    let report = probe(&spec).await;
    assert_eq!(report.status, Verdict::Success, "{:?}", report.failure);
    spec.thresholds.required_extensions = vec!["STARTTLS".into(), "SMTPUTF8".into()];
    let report = probe(&spec).await;
    let failure = report.failure.expect("SMTPUTF8 is missing");
    assert_eq!(failure.kind, FailureKind::MissingExtension);
    assert_eq!(
        failure.message,
        "required extension not advertised: SMTPUTF8"
    );
}
