//! `ehlowatch check` as scripts and Nagios run it (DESIGN.md §2): the real binary against fake
//! SMTP servers on loopback — Nagios exit codes, the JSON object, the status line with perfdata,
//! the `-v` transcript, the flags that reach the verdict, and the messages for bad arguments.

use std::time::Duration;

use assert_cmd::Command;
use ehlowatch_testkit::{ehlo_name_cases, FakeSmtp, Script, TestPki, Validity};
use regex::Regex;
use serde_json::Value;

/// What one run of the binary did.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The single JSON object `--json` prints.
    fn json(&self) -> Value {
        assert_eq!(
            self.stdout.lines().count(),
            1,
            "--json prints one line: {self:?}"
        );
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }

    /// The first line of stdout.
    fn status_line(&self) -> &str {
        self.stdout.lines().next().unwrap_or_default()
    }
}

/// Runs `ehlowatch ARGS` to completion (bounded, so a hang fails the test).
fn ehlowatch_blocking(args: &[String]) -> Run {
    let out = Command::cargo_bin("ehlowatch")
        .expect("the ehlowatch binary")
        .args(args)
        .timeout(Duration::from_secs(30))
        .output()
        .expect("run ehlowatch");
    Run {
        code: out.status.code().expect("exited with a code, not a signal"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// Runs the binary off the runtime's worker threads, so the fake server keeps serving.
async fn ehlowatch(args: &[&str]) -> Run {
    let args: Vec<String> = args.iter().map(|&a| a.to_owned()).collect();
    tokio::task::spawn_blocking(move || ehlowatch_blocking(&args))
        .await
        .expect("join the run")
}

/// `ehlowatch check 127.0.0.1 --port P EXTRA…`
async fn check(server: &FakeSmtp, extra: &[&str]) -> Run {
    let port = server.port().to_string();
    let mut args = vec!["check", "127.0.0.1", "--port", &port];
    args.extend_from_slice(extra);
    ehlowatch(&args).await
}

fn number(value: &Value, key: &str) -> f64 {
    value[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number: {value}"))
}

/// The keys and types every `--json` object has, success or not.
fn assert_contract(json: &Value, port: u16) {
    for key in [
        "status",
        "event_id",
        "latency_ms",
        "qos_ms",
        "host",
        "port",
        "address",
        "phases_ms",
        "greeting",
        "ehlo",
        "tls",
        "failure",
        "warnings",
        "targets",
    ] {
        assert!(json.get(key).is_some(), "missing {key}: {json}");
    }
    // An IP literal is one target, whose own report is the top level's.
    let targets = json["targets"].as_array().expect("targets is an array");
    assert_eq!(targets.len(), 1, "{json}");
    let target = &targets[0];
    assert_eq!(target["address"], "127.0.0.1");
    assert_eq!(target["status"], json["status"]);
    assert!(target.get("mx").is_none(), "no MX for a host: {target}");
    for key in ["status", "event_id", "latency_ms", "address", "failure"] {
        assert_eq!(target["report"][key], json[key], "targets[0].report.{key}");
    }
    let warnings = json["warnings"].as_array().expect("warnings is an array");
    assert_eq!(
        warnings.is_empty(),
        json["status"] != "warning",
        "only a warning has warnings: {json}"
    );
    assert!(json["event_id"].is_u64(), "{json}");
    assert!(
        json["latency_ms"].is_number() || json["latency_ms"].is_null(),
        "{json}"
    );
    assert!(json["qos_ms"].is_number(), "{json}");
    assert_eq!(json["host"], "127.0.0.1");
    assert_eq!(json["port"], port);
    assert_eq!(json["address"], "127.0.0.1");
    let phases = json["phases_ms"]
        .as_object()
        .expect("phases_ms is an object");
    for key in ["dns", "connect", "tls", "greeting", "starttls", "ehlo"] {
        let phase = phases
            .get(key)
            .unwrap_or_else(|| panic!("phases_ms.{key} missing: {json}"));
        assert!(
            phase.is_null() || phase.as_f64().is_some_and(|ms| ms >= 0.0),
            "phases_ms.{key} = {phase}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn healthy_server_exits_0_with_the_json_contract() {
    let server = FakeSmtp::start(Script::healthy()).await;
    let run = check(&server, &["--qos-ms", "1000", "--json"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let json = run.json();
    assert_contract(&json, server.port());

    assert_eq!(json["status"], "success");
    assert_eq!(json["event_id"], 5510);
    let latency = number(&json, "latency_ms");
    assert!(latency > 0.0 && latency <= 1000.0, "latency {latency}");
    assert!(
        (number(&json, "qos_ms") - 1000.0).abs() < f64::EPSILON,
        "{json}"
    );
    let phases = &json["phases_ms"];
    for measured in ["dns", "connect", "greeting", "ehlo"] {
        assert!(
            phases[measured].is_number(),
            "phases_ms.{measured} = {}",
            phases[measured]
        );
    }
    assert!(
        phases["tls"].is_null() && phases["starttls"].is_null(),
        "no TLS was used: {phases}"
    );
    let after_dns = number(phases, "connect") + number(phases, "greeting") + number(phases, "ehlo");
    assert!(
        (after_dns - latency).abs() < 0.5,
        "connect+greeting+ehlo {after_dns} vs latency {latency}"
    );

    assert_eq!(json["greeting"]["code"], 220);
    assert_eq!(
        json["greeting"]["lines"],
        serde_json::json!(["fake.test ESMTP ready"])
    );
    let ehlo = &json["ehlo"];
    assert_eq!(ehlo["code"], 250);
    assert_eq!(ehlo["lines"].as_array().map(Vec::len), Some(5), "{ehlo}");
    assert_eq!(ehlo["domain"], "fake.test");
    assert_eq!(
        ehlo["extensions"],
        serde_json::json!([
            {"keyword": "PIPELINING", "params": []},
            {"keyword": "SIZE", "params": ["10240000"]},
            {"keyword": "8BITMIME", "params": []},
            {"keyword": "SMTPUTF8", "params": []},
        ])
    );
    assert!(json["tls"].is_null(), "{json}");
    assert!(json["failure"].is_null(), "{json}");

    let sent = server.received();
    let ehlo_line = sent.first().expect("the server read EHLO");
    assert!(
        ehlo_line.starts_with("EHLO ") && ehlo_line.len() > 5,
        "{sent:?}"
    );
    assert!(
        !ehlo_line.eq_ignore_ascii_case("EHLO localhost"),
        "{sent:?}"
    );
    assert!(
        !sent
            .iter()
            .any(|l| l.starts_with("MAIL") || l.starts_with("RCPT")),
        "{sent:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn first_address_gives_one_target() {
    let server = FakeSmtp::start(Script::healthy()).await;
    let run = check(&server, &["--first-address", "--json"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let json = run.json();
    assert_contract(&json, server.port());
    let help = ehlowatch(&["check", "--help"]).await;
    assert!(help.stdout.contains("--first-address"), "{help:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn ehlo_between_qos_and_twice_qos_exits_1() {
    // QoS 200 ms, EHLO answered after 300 ms: the 250 lands in (QoS, 2×QoS] with 100 ms either side.
    let server = FakeSmtp::start(Script::slow_ehlo(300)).await;
    let run = check(&server, &["--qos-ms", "200", "--json"]).await;
    assert_eq!(run.code, 1, "{run:?}");
    let json = run.json();
    assert_contract(&json, server.port());
    assert_eq!(json["status"], "warning");
    assert_eq!(json["event_id"], 5511);
    let latency = number(&json, "latency_ms");
    assert!((300.0..=400.0).contains(&latency), "latency {latency}");
    assert!(json["failure"].is_null(), "a warning is no failure: {json}");
    assert_eq!(json["ehlo"]["code"], 250);
    let warnings = json["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1, "{json}");
    assert_eq!(warnings[0]["kind"], "slow");
    assert_eq!(warnings[0]["message"], json["reason"], "{json}");

    let line = check(&server, &["--qos-ms", "200"]).await;
    assert_eq!(line.code, 1, "{line:?}");
    let expected = format!(
        r"^SMTP WARNING - 250 in \d+\.\d ms exceeds QoS 200\.0 ms from 127\.0\.0\.1\[127\.0\.0\.1\]:{} \| time=0\.[34]\d{{5}}s;0\.200000;0\.400000;0 ",
        server.port()
    );
    assert!(
        Regex::new(&expected)
            .expect("regex")
            .is_match(line.status_line()),
        "{line:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn greeting_554_exits_2_and_quotes_the_server() {
    let script = Script::new().send("554 5.3.2 No service here\r\n").bye();
    let server = FakeSmtp::start(script).await;
    let run = check(&server, &["--json"]).await;
    assert_eq!(run.code, 2, "{run:?}");
    let json = run.json();
    assert_contract(&json, server.port());
    assert_eq!(json["status"], "failed");
    assert_eq!(json["event_id"], 5509);
    assert!(json["latency_ms"].is_null(), "no 250, no latency: {json}");
    assert!(json["phases_ms"]["ehlo"].is_null(), "{json}");
    assert_eq!(json["greeting"]["code"], 554);
    assert!(json["ehlo"].is_null(), "{json}");
    let failure = &json["failure"];
    assert_eq!(failure["phase"], "greeting");
    assert_eq!(failure["kind"], "greeting_rejected");
    let message = failure["message"].as_str().expect("failure.message");
    assert!(message.contains("554 5.3.2 No service here"), "{message}");
    assert!(
        !server.received().iter().any(|l| l.starts_with("EHLO")),
        "no EHLO after a 554: {:?}",
        server.received()
    );

    let line = check(&server, &[]).await;
    assert_eq!(line.code, 2, "{line:?}");
    let expected = format!(
        r"^SMTP CRITICAL - .*554 5\.3\.2 No service here.* at 127\.0\.0\.1\[127\.0\.0\.1\]:{} \| time=U;1\.000000;2\.000000;0 dns=\d+\.\d{{6}}s connect=\d+\.\d{{6}}s greeting=\d+\.\d{{6}}s$",
        server.port()
    );
    assert!(
        Regex::new(&expected)
            .expect("regex")
            .is_match(line.status_line()),
        "{line:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_listening_exits_2_at_connect() {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        probe.local_addr().expect("its address").port()
    };
    let run = ehlowatch(&["check", "127.0.0.1", "--port", &port.to_string(), "--json"]).await;
    assert_eq!(run.code, 2, "{run:?}");
    let json = run.json();
    assert_contract(&json, port);
    assert_eq!(json["status"], "failed");
    assert_eq!(json["failure"]["phase"], "connect");
    assert_eq!(json["failure"]["kind"], "refused");
    assert!(
        json["greeting"].is_null() && json["latency_ms"].is_null(),
        "{json}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn status_line_carries_nagios_perfdata() {
    let server = FakeSmtp::start(Script::healthy()).await;
    let run = check(&server, &["--qos-ms", "500"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout.lines().count(),
        1,
        "without -v only the status line: {run:?}"
    );
    assert!(run.stderr.is_empty(), "{run:?}");
    let pattern = format!(
        r"^SMTP OK - 250 in (\d+\.\d) ms from 127\.0\.0\.1\[127\.0\.0\.1\]:{} \| time=(\d+\.\d{{6}})s;0\.500000;1\.000000;0 dns=\d+\.\d{{6}}s connect=(\d+\.\d{{6}})s greeting=(\d+\.\d{{6}})s ehlo=(\d+\.\d{{6}})s$",
        server.port()
    );
    let caps = Regex::new(&pattern)
        .expect("regex")
        .captures(run.status_line())
        .unwrap_or_else(|| {
            panic!(
                "status line {:?} does not match {pattern}",
                run.status_line()
            )
        });
    let value = |i: usize| caps[i].parse::<f64>().expect("a number");
    let (shown_ms, time) = (value(1), value(2));
    assert!(
        (shown_ms - time * 1000.0).abs() <= 0.051,
        "text says {shown_ms} ms, perfdata {time} s"
    );
    let phases = value(3) + value(4) + value(5);
    assert!(
        (phases - time).abs() < 0.0005,
        "connect+greeting+ehlo {phases} s vs time {time} s"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn verbose_prints_the_transcript() {
    let server = FakeSmtp::start(Script::healthy()).await;
    let run = check(&server, &["-v"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.status_line().starts_with("SMTP OK - "), "{run:?}");
    let transcript: Vec<&str> = run.stdout.lines().skip(1).map(str::trim_start).collect();
    let shape = Regex::new(r"^\d+\.\dms  [<>*] ").expect("regex");
    assert!(
        transcript.iter().all(|l| shape.is_match(l)),
        "{transcript:#?}"
    );
    let has = |needle: &str| transcript.iter().any(|l| l.contains(needle));
    assert!(has("< 220 fake.test ESMTP ready"), "{transcript:#?}");
    assert!(has("> EHLO "), "{transcript:#?}");
    assert!(
        has("< 250-fake.test Hello") && has("< 250 SMTPUTF8"),
        "{transcript:#?}"
    );
    assert!(has("> QUIT"), "{transcript:#?}");
    let ehlo_at = transcript
        .iter()
        .position(|l| l.contains("> EHLO "))
        .expect("EHLO line");
    let reply_at = transcript
        .iter()
        .position(|l| l.contains("< 250 "))
        .expect("250 line");
    assert!(ehlo_at < reply_at, "{transcript:#?}");

    let quiet = check(&server, &[]).await;
    assert!(
        !quiet.stdout.contains("> EHLO"),
        "no transcript without -v: {quiet:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ehlo_name_and_required_extensions_reach_the_probe() {
    let server = FakeSmtp::start(Script::healthy()).await;
    let run = check(
        &server,
        &[
            "--ehlo-name",
            "probe.example.net",
            "--require-ext",
            "size,PIPELINING",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        server.received().first().map(String::as_str),
        Some("EHLO probe.example.net")
    );

    let run = check(&server, &["--require-ext", "SIZE,STARTTLS", "--json"]).await;
    assert_eq!(run.code, 2, "{run:?}");
    let json = run.json();
    assert_eq!(json["failure"]["kind"], "missing_extension");
    let message = json["failure"]["message"].as_str().expect("message");
    assert!(
        message.contains("STARTTLS") && !message.contains("SIZE"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn starttls_with_ca_file_reports_tls_facts() {
    let pki = TestPki::new();
    let server = FakeSmtp::start_tls(
        Script::starttls(),
        pki.acceptor(&["127.0.0.1"], Validity::FRESH),
    )
    .await;
    let ca = pki.ca_file();
    let ca = ca.to_str().expect("UTF-8 temp path");
    let run = check(&server, &["--tls", "starttls", "--ca-file", ca, "--json"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let json = run.json();
    assert_contract(&json, server.port());
    assert_eq!(json["status"], "success");
    assert!(
        json["phases_ms"]["tls"].is_number() && json["phases_ms"]["starttls"].is_number(),
        "{json}"
    );
    assert_eq!(
        json["ehlo"]["lines"][0], "fake.test Hello again",
        "the EHLO after TLS is judged: {json}"
    );
    let tls = &json["tls"];
    assert_eq!(tls["verified"], true, "{tls}");
    assert!(tls["verify_error"].is_null(), "{tls}");
    assert!(
        tls["issuer"]
            .as_str()
            .is_some_and(|i| i.contains("EHLO Watch Test CA")),
        "{tls}"
    );
    assert!(
        tls["subject"]
            .as_str()
            .is_some_and(|s| s.contains("127.0.0.1")),
        "{tls}"
    );
    assert_eq!(tls["days_left"], 365, "{tls}");
    let fingerprint = Regex::new("^([0-9A-F]{2}:){31}[0-9A-F]{2}$").expect("regex");
    assert!(
        tls["sha256"]
            .as_str()
            .is_some_and(|f| fingerprint.is_match(f)),
        "{tls}"
    );
    for key in ["version", "cipher", "not_after"] {
        assert!(
            tls[key].as_str().is_some_and(|v| !v.is_empty()),
            "tls.{key}: {tls}"
        );
    }

    let untrusted = check(&server, &["--tls", "starttls", "--json"]).await;
    assert_eq!(
        untrusted.code, 2,
        "without --ca-file the test CA is unknown: {untrusted:?}"
    );
    assert_eq!(untrusted.json()["failure"]["kind"], "certificate");
}

#[tokio::test(flavor = "multi_thread")]
async fn certificate_day_thresholds_decide_the_exit_code() {
    let pki = TestPki::new();
    let acceptor = pki.acceptor(&["127.0.0.1"], Validity::expiring_in(10));
    let server = FakeSmtp::start_tls(Script::implicit_tls(), acceptor).await;
    let ca = pki.ca_file();
    let ca = ca.to_str().expect("UTF-8 temp path");
    let base = ["--tls", "implicit", "--ca-file", ca];
    let cases: [(&[&str], i32); 3] = [
        (&[], 1),
        (&["--cert-warn-days", "5", "--cert-crit-days", "2"], 0),
        (&["--cert-warn-days", "30", "--cert-crit-days", "11"], 2),
    ];
    for (thresholds, code) in cases {
        let args: Vec<&str> = base.iter().chain(thresholds).copied().collect();
        let run = check(&server, &args).await;
        assert_eq!(run.code, code, "{thresholds:?}: {run:?}");
        assert!(run.status_line().contains("cert_days=10"), "{run:?}");
    }
    let run = check(&server, &[&base[..], &["--json"]].concat()).await;
    assert_eq!(
        run.json()["warnings"],
        serde_json::json!([{
            "kind": "certificate_expiring",
            "message": "certificate expires in 10 days (threshold 14 days)"
        }]),
        "{run:?}"
    );
}

#[test]
fn bad_arguments_exit_3_naming_the_argument_and_value() {
    let dir = tempfile::tempdir().expect("temp dir");
    let no_cert = dir.path().join("empty.pem");
    std::fs::write(&no_cert, "this is not a certificate\n").expect("write");
    let no_cert = no_cert.to_str().expect("UTF-8 temp path");
    let cases: &[(&[&str], &[&str])] = &[
        (&["check", "127.0.0.1", "--bogus"], &["'--bogus'"]),
        (
            &["check", "127.0.0.1", "--port", "0"],
            &["--port", "'0'", "not a port (1–65535)"],
        ),
        (
            &["check", "127.0.0.1", "--port", "70000"],
            &["--port", "'70000'", "not a port (1–65535)"],
        ),
        (
            &["check", "127.0.0.1", "--port", "smtp"],
            &["--port", "'smtp'", "not a port"],
        ),
        (
            &["check", "127.0.0.1", "--qos-ms", "0"],
            &["--qos-ms", "'0'", "at least 1"],
        ),
        (
            &["check", "127.0.0.1", "--qos-ms", "fast"],
            &["--qos-ms", "'fast'"],
        ),
        (&["check", ""], &["[HOST]", "''", "must not be empty"]),
        (&["check"], &["<HOST>", "not provided"]),
        (
            &["check", "127.0.0.1", "--ca-file", "/nonexistent.pem"],
            &["--ca-file", "'/nonexistent.pem'", "No such file"],
        ),
        (
            &["check", "127.0.0.1", "--ca-file", no_cert],
            &["--ca-file", no_cert, "no PEM certificate"],
        ),
        (
            &[
                "check",
                "127.0.0.1",
                "--cert-crit-days",
                "20",
                "--cert-warn-days",
                "10",
            ],
            &["--cert-crit-days 20", "--cert-warn-days 10"],
        ),
        (
            &["check", "127.0.0.1", "--tls", "ssl"],
            &["--tls", "'ssl'", "none, starttls, implicit"],
        ),
        (
            &["check", "127.0.0.1", "--ehlo-name", "localhost"],
            &["--ehlo-name", "'localhost'"],
        ),
        (
            &["check", "::1", "-4"],
            &["-4", "\"::1\" is an IPv6 address", "IPv4 only"],
        ),
        (
            &["check", "-6", "127.0.0.1"],
            &["-6", "\"127.0.0.1\" is an IPv4 address", "IPv6 only"],
        ),
        (&["check", "127.0.0.1", "-4", "-6"], &["'-4'", "'-6'"]),
        (&["frobnicate"], &["'frobnicate'"]),
    ];
    for (args, needles) in cases {
        let args: Vec<String> = args.iter().map(|&a| a.to_owned()).collect();
        let run = ehlowatch_blocking(&args);
        assert_eq!(run.code, 3, "{args:?}: {run:?}");
        for needle in *needles {
            assert!(
                run.stderr.contains(needle),
                "{args:?}: stderr lacks {needle:?}: {}",
                run.stderr
            );
        }
        // One Nagios UNKNOWN line on stdout, saying the same thing.
        assert_eq!(run.stdout.lines().count(), 1, "{args:?}: {run:?}");
        assert!(
            run.stdout.starts_with("SMTP UNKNOWN - "),
            "{args:?}: {run:?}"
        );
        assert!(
            !run.stdout.trim_end().ends_with(':'),
            "{args:?}: the line is cut short: {run:?}"
        );
    }
}

/// `(arguments, the argument the error names, the value it names)`: one of each way a
/// `check` command line can be wrong, before clap knows `--json` was given and after.
fn bad_invocations() -> Vec<(Vec<&'static str>, &'static str, Option<&'static str>)> {
    vec![
        (vec!["127.0.0.1", "--bogus"], "--bogus", None),
        (
            vec!["127.0.0.1", "--qos-ms", "abc"],
            "--qos-ms",
            Some("abc"),
        ),
        (
            vec!["127.0.0.1", "--port", "70000"],
            "--port",
            Some("70000"),
        ),
        (vec!["127.0.0.1", "--tls", "ssl"], "--tls", Some("ssl")),
        (vec![], "HOST", None),
        (vec![""], "HOST", Some("")),
        (vec!["::1", "-4"], "-4", None),
        (vec!["--domain", "192.0.2.1"], "--domain", Some("192.0.2.1")),
        (
            vec!["--domain", "example.test", "--resolver", "dns.example"],
            "--resolver",
            Some("dns.example"),
        ),
        (
            vec!["--domain", "example.test", "--port", "587"],
            "--domain",
            None,
        ),
        (
            vec!["127.0.0.1", "--resolver", "127.0.0.1:53"],
            "--resolver",
            Some("127.0.0.1:53"),
        ),
        (vec!["-6", "127.0.0.1"], "-6", None),
        (
            vec!["127.0.0.1", "--ehlo-name", "my_probe.example"],
            "--ehlo-name",
            Some("my_probe.example"),
        ),
        (vec!["127.0.0.1", "-4", "-6"], "-4", None),
        (
            vec![
                "127.0.0.1",
                "--cert-crit-days",
                "20",
                "--cert-warn-days",
                "10",
            ],
            "--cert-crit-days",
            Some("20"),
        ),
    ]
}

#[test]
fn with_json_every_bad_argument_is_one_unknown_object() {
    for (args, argument, value) in bad_invocations() {
        let mut with_json: Vec<String> = std::iter::once("check")
            .chain(args.iter().copied())
            .map(str::to_owned)
            .collect();
        let plain = with_json.clone();
        // Last, so clap meets the bad argument before it: only a look at argv finds it.
        with_json.push("--json".into());

        let run = ehlowatch_blocking(&with_json);
        assert_eq!(run.code, 3, "{with_json:?}: {run:?}");
        assert!(!run.stderr.trim().is_empty(), "{with_json:?}: {run:?}");
        let json = run.json();
        let object = json.as_object().expect("an object");
        assert_eq!(
            object.len(),
            3,
            "{with_json:?}: only status, event_id, error: {json}"
        );
        assert_eq!(json["status"], "unknown", "{with_json:?}: {json}");
        assert!(json["event_id"].is_null(), "{with_json:?}: {json}");
        let error = &json["error"];
        assert_eq!(error["argument"], argument, "{with_json:?}: {json}");
        assert_eq!(
            error["value"],
            value.map_or(Value::Null, Value::from),
            "{with_json:?}: {json}"
        );
        let message = error["message"].as_str().expect("a message");
        assert!(
            !message.is_empty() && !message.starts_with("error:") && !message.contains('\n'),
            "{with_json:?}: {json}"
        );

        let run = ehlowatch_blocking(&plain);
        assert_eq!(run.code, 3, "{plain:?}: {run:?}");
        assert!(!run.stderr.trim().is_empty(), "{plain:?}: {run:?}");
        assert_eq!(run.stdout.lines().count(), 1, "{plain:?}: {run:?}");
        assert!(
            run.stdout.starts_with(&format!("SMTP UNKNOWN - {message}")),
            "{plain:?}: the same words as the JSON message: {run:?}"
        );
    }
}

#[test]
fn json_after_another_subcommand_is_not_a_check() {
    let run = ehlowatch_blocking(&["frobnicate".into(), "--json".into()]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stdout.starts_with("SMTP UNKNOWN - "), "{run:?}");
    // After `--`, `--json` is the host and `extra` one argument too many.
    let args = ["check", "--", "--json", "extra"].map(str::to_owned);
    let run = ehlowatch_blocking(&args);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stdout.starts_with("SMTP UNKNOWN - "), "{run:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_ehlo_name_case_is_judged_by_the_one_rule_on_the_command_line() {
    for case in ehlo_name_cases() {
        // `--ehlo-name=NAME`, so a name that starts with `-` is a value, not a flag.
        let flag = format!("--ehlo-name={}", case.name);
        match &case.verdict {
            Ok(wire) => {
                let server = FakeSmtp::start(Script::healthy()).await;
                let run = check(&server, &[&flag, "--json"]).await;
                assert_eq!(run.code, 0, "{flag:?}: {run:?}");
                assert_eq!(run.json()["ehlo_name"], wire.as_str(), "{flag:?}");
                assert_eq!(
                    server.received().first(),
                    Some(&format!("EHLO {wire}")),
                    "{flag:?}: what the server read"
                );
            }
            Err(message) => {
                let run = ehlowatch(&["check", "127.0.0.1", &flag, "--json"]).await;
                assert_eq!(run.code, 3, "{flag:?}: {run:?}");
                assert!(
                    run.stderr.contains("--ehlo-name") && run.stderr.contains(message.as_str()),
                    "{flag:?}: stderr lacks --ehlo-name or {message:?}: {}",
                    run.stderr
                );
                let json = run.json();
                assert_eq!(json["error"]["argument"], "--ehlo-name", "{flag:?}");
                assert_eq!(json["error"]["value"], case.name.as_str(), "{flag:?}");
            }
        }
    }
}

#[test]
fn version_prints_the_version_and_exits_0() {
    for args in [&["--version"][..], &["check", "--version"][..]] {
        let args: Vec<String> = args.iter().map(|&a| a.to_owned()).collect();
        let run = ehlowatch_blocking(&args);
        assert_eq!(run.code, 0, "{run:?}");
        assert_eq!(
            run.stdout,
            format!("ehlowatch {}\n", env!("CARGO_PKG_VERSION"))
        );
        assert!(run.stderr.is_empty(), "{run:?}");
    }
}
