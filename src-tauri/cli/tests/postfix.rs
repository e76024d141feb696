//! `ehlowatch check` against a real Postfix (Debian's package, a private instance on loopback
//! ports started by the testkit): plain EHLO, STARTTLS with the run's CA, SMTPS, a required
//! extension, and an untrusted certificate. One instance serves every check; the checks all run
//! and a failure lists each one that failed with the tail of Postfix's log.
//!
//! Unix only: Postfix is a Unix daemon (under Wine these checks have no server to run).
#![cfg(unix)]

mod check_support;

use check_support::Run;
use ehlowatch_testkit::{PrivatePostfix, TestPki};

/// Generous QoS: these checks are about interoperating with Postfix, not about timing on a
/// busy machine (the fake-server tests pin the timings).
const QOS_MS: &str = "5000";

/// One check against the running instance; `Err` says what was wrong.
type Check = fn(&PrivatePostfix) -> Result<(), String>;

/// One run of `ehlowatch check 127.0.0.1 --json --qos-ms 5000 ARGS…`.
fn run(args: &[&str]) -> Run {
    Run::check(&[&["127.0.0.1", "--json", "--qos-ms", QOS_MS], args].concat())
}

impl Run {
    /// Exit 0, status success, event 5510.
    fn ensure_success(&self) -> Result<(), String> {
        self.ensure(self.code == Some(0), "exit code is not 0")?;
        self.ensure(self.json["status"] == "success", "status is not success")?;
        self.ensure(self.json["event_id"] == 5510, "event_id is not 5510")
    }

    /// The TLS facts of a verified session with the run's certificate.
    fn ensure_verified_tls(&self) -> Result<(), String> {
        let tls = &self.json["tls"];
        let text = |key: &str| tls[key].as_str().unwrap_or_default().to_owned();
        self.ensure(
            text("version").starts_with("TLSv1."),
            "tls.version is not TLSv1.x",
        )?;
        self.ensure(!text("cipher").is_empty(), "tls.cipher is empty")?;
        self.ensure(
            text("subject").contains("localhost"),
            "tls.subject does not name localhost",
        )?;
        self.ensure(
            text("issuer").contains("EHLO Watch Test CA"),
            "tls.issuer is not the run's CA",
        )?;
        self.ensure(tls["verified"] == true, "tls.verified is not true")?;
        let days = tls["days_left"].as_i64().unwrap_or(-1);
        self.ensure(days > 300, "tls.days_left is not above 300")
    }
}

fn plain_ehlo(postfix: &PrivatePostfix) -> Result<(), String> {
    let run = run(&["--port", &postfix.smtp_port().to_string()]);
    run.ensure_success()?;
    run.ensure(
        run.json["greeting"]["code"] == 220,
        "greeting code is not 220",
    )?;
    run.ensure(
        run.json["ehlo"]["code"] == 250,
        "EHLO reply code is not 250",
    )?;
    let has = |keyword: &str| {
        run.json["ehlo"]["extensions"]
            .as_array()
            .is_some_and(|exts| exts.iter().any(|e| e["keyword"] == keyword))
    };
    run.ensure(has("PIPELINING"), "extensions lack PIPELINING")?;
    run.ensure(has("STARTTLS"), "extensions lack STARTTLS")?;
    run.ensure(run.json["tls"].is_null(), "a plain probe reports TLS facts")
}

fn required_extension_present(postfix: &PrivatePostfix) -> Result<(), String> {
    let port = postfix.smtp_port().to_string();
    run(&["--port", &port, "--require-ext", "STARTTLS,PIPELINING"]).ensure_success()
}

fn starttls_trusted(postfix: &PrivatePostfix) -> Result<(), String> {
    let (port, ca) = (postfix.smtp_port().to_string(), postfix.ca_file());
    let ca = ca.to_str().expect("UTF-8 temp path");
    let run = run(&["--port", &port, "--tls", "starttls", "--ca-file", ca]);
    run.ensure_success()?;
    run.ensure_verified_tls()?;
    // The judged EHLO is the one after the handshake: Postfix no longer offers STARTTLS there.
    let offers_starttls = run.json["ehlo"]["extensions"]
        .as_array()
        .is_some_and(|exts| exts.iter().any(|e| e["keyword"] == "STARTTLS"));
    run.ensure(
        !offers_starttls,
        "the judged EHLO is not the one after STARTTLS",
    )
}

fn smtps_trusted(postfix: &PrivatePostfix) -> Result<(), String> {
    let (port, ca) = (postfix.smtps_port().to_string(), postfix.ca_file());
    let ca = ca.to_str().expect("UTF-8 temp path");
    let run = run(&["--port", &port, "--tls", "implicit", "--ca-file", ca]);
    run.ensure_success()?;
    run.ensure_verified_tls()
}

fn starttls_untrusted(postfix: &PrivatePostfix) -> Result<(), String> {
    let port = postfix.smtp_port().to_string();
    let run = run(&["--port", &port, "--tls", "starttls"]);
    run.ensure(run.code == Some(2), "exit code is not 2")?;
    run.ensure(run.json["status"] == "failed", "status is not failed")?;
    run.ensure(run.json["event_id"] == 5509, "event_id is not 5509")?;
    run.ensure(
        run.json["failure"]["kind"] == "certificate",
        "failure kind is not certificate",
    )
}

#[test]
#[ignore = "needs Debian's postfix and root: scripts/test runs it"]
fn ehlowatch_check_against_a_private_postfix() {
    let pki = TestPki::new();
    let postfix = PrivatePostfix::start(&pki)
        .unwrap_or_else(|e| panic!("cannot start a private Postfix: {e}"));
    let checks: [(&str, Check); 5] = [
        ("plain EHLO", plain_ehlo),
        (
            "--require-ext STARTTLS,PIPELINING",
            required_extension_present,
        ),
        ("STARTTLS with --ca-file", starttls_trusted),
        ("SMTPS (--tls implicit)", smtps_trusted),
        ("STARTTLS without --ca-file", starttls_untrusted),
    ];
    let mut failures = Vec::new();
    for (name, check) in checks {
        match check(&postfix) {
            Ok(()) => eprintln!("ok: {name}"),
            Err(why) => failures.push(format!("{name}: {why}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} checks against Postfix failed:\n{}\n{}",
        failures.len(),
        checks.len(),
        failures.join("\n"),
        postfix.maillog_tail(40)
    );
}
