//! Opportunistic TLS, as a sending MTA uses it on port 25 (the probes of a mail domain):
//! STARTTLS when offered, the plain EHLO judged when not; a certificate that is expired, for
//! another name or self-signed is recorded as not verified and never fails the probe by itself.

mod common;

use ehlowatch_engine::{ProbeSpec, TlsMode, Verdict};
use ehlowatch_testkit::scenarios::{LOOPBACK_NAMES, WRONG_HOST};
use ehlowatch_testkit::{FakeSmtp, Script, ServerCert, TestPki, Validity};

use common::{probe, spec};

fn opportunistic(server: &FakeSmtp) -> ProbeSpec {
    let mut spec = spec(server, 1000);
    spec.tls = TlsMode::Starttls;
    spec.opportunistic = true;
    spec
}

#[tokio::test]
async fn a_server_without_starttls_is_judged_on_its_plain_ehlo() {
    let server = FakeSmtp::start(Script::healthy()).await;
    let report = probe(&opportunistic(&server)).await;
    assert_eq!(report.status, Verdict::Success, "{:?}", report.failure);
    assert!(report.tls.is_none());
    assert!(!server.received().iter().any(|l| l == "STARTTLS"));
    assert!(report
        .transcript
        .iter()
        .any(|l| l.text.contains("STARTTLS not offered")));
}

#[tokio::test]
async fn untrusted_certificates_are_recorded_not_failed() {
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
        let server = FakeSmtp::start_tls(Script::starttls(), cert.acceptor()).await;
        let mut spec = opportunistic(&server);
        spec.trust.ca_file = Some(pki.ca_file());
        let report = probe(&spec).await;
        assert_eq!(
            report.status,
            Verdict::Success,
            "{why}: {:?}",
            report.failure
        );
        let tls = report.tls.as_ref().expect("TLS facts recorded");
        assert!(!tls.verified, "{why}");
        let error = tls.verify_error.as_deref().unwrap_or_default();
        assert!(error.contains(why), "{why}: {error}");
        assert_eq!(
            server.received().get(1).map(String::as_str),
            Some("STARTTLS")
        );
    }
}
