//! `ehlowatch check` against Postfix's postscreen (a private instance from the testkit) whose
//! pregreet test pauses the greeting past 2×QoS: the probe fails with the partial greeting it
//! saw, explains the pause, and never writes before the greeting is complete — postscreen logs
//! no `PREGREET` for it. A raw client that writes before the greeting is the positive control:
//! postscreen logs exactly one `PREGREET`, for that client's port.
//!
//! Unix only: Postfix is a Unix daemon (under Wine these checks have no server to run).
#![cfg(unix)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::time::{Duration, Instant};

mod check_support;

use check_support::Run;
use ehlowatch_testkit::{PrivatePostfix, TestPki};
use regex::Regex;

/// The probe's QoS: its deadline, 2×QoS, falls inside postscreen's greeting pause.
const QOS_MS: &str = "500";

/// postscreen's pause after the first greeting line, well past 2×QoS.
const GREET_WAIT: Duration = Duration::from_secs(3);

/// How long postscreen may take to log the end of a connection.
const LOG_DEADLINE: Duration = Duration::from_secs(15);

/// What postscreen logged about one client connection, keyed by the client's port.
#[derive(Debug, Default)]
struct Session {
    /// The text of each `PREGREET` line.
    pregreets: Vec<String>,
    /// postscreen logged the connection's end (`DISCONNECT` or a hand-off with `PASS`).
    ended: bool,
}

/// postscreen's connections from 127.0.0.1 in the maillog, by client port.
fn sessions(postfix: &PrivatePostfix) -> BTreeMap<u16, Session> {
    let line = Regex::new(
        r"postfix/postscreen\[\d+\]: (CONNECT from|PREGREET .* from|HANGUP .* from|DISCONNECT|PASS NEW|PASS OLD) \[127\.0\.0\.1\]:(\d+)",
    )
    .expect("a valid pattern");
    let log = std::fs::read_to_string(postfix.maillog()).unwrap_or_default();
    let mut found: BTreeMap<u16, Session> = BTreeMap::new();
    for text in log.lines() {
        let Some(caps) = line.captures(text) else {
            continue;
        };
        let port: u16 = caps[2].parse().expect("a port number");
        let session = found.entry(port).or_default();
        match &caps[1] {
            event if event.starts_with("PREGREET") => session.pregreets.push(text.to_owned()),
            "DISCONNECT" | "PASS NEW" | "PASS OLD" => session.ended = true,
            _ => {}
        }
    }
    found
}

/// Polls the maillog until postscreen has logged the end of `count` connections that are not
/// in `before`; returns those connections.
fn ended_sessions_since(
    postfix: &PrivatePostfix,
    before: &BTreeSet<u16>,
    count: usize,
) -> BTreeMap<u16, Session> {
    let deadline = Instant::now() + LOG_DEADLINE;
    loop {
        let new: BTreeMap<u16, Session> = sessions(postfix)
            .into_iter()
            .filter(|(port, _)| !before.contains(port))
            .collect();
        if new.len() >= count && new.values().all(|s| s.ended) {
            return new;
        }
        assert!(
            Instant::now() < deadline,
            "postscreen did not log the end of {count} new connections within {LOG_DEADLINE:?} \
             (new so far: {new:?})\n{}",
            postfix.maillog_tail(40)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One run of `ehlowatch check 127.0.0.1 --port P --qos-ms 500 EXTRA…`.
fn run(port: u16, extra: &[&str]) -> Run {
    let port = port.to_string();
    Run::check(&[&["127.0.0.1", "--port", &port, "--qos-ms", QOS_MS], extra].concat())
}

/// `--json`: Failed in the greeting phase, with the partial greeting and the pregreet
/// explanation, and nothing written by the client.
fn json_shows_the_partial_greeting(run: &Run) -> Result<(), String> {
    let json = &run.json;
    run.ensure(run.code == Some(2), "exit code is not 2")?;
    run.ensure(json["status"] == "failed", "status is not failed")?;
    let greeting = &json["greeting"];
    run.ensure(!greeting.is_null(), "greeting is null")?;
    run.ensure(greeting["code"] == 220, "greeting.code is not 220")?;
    run.ensure(
        greeting["complete"] == false,
        "greeting.complete is not false",
    )?;
    run.ensure(
        greeting["lines"][0] == PrivatePostfix::POSTSCREEN_BANNER,
        "greeting.lines[0] is not postscreen's first line",
    )?;
    run.ensure(json["ehlo"].is_null(), "an EHLO reply is reported")?;
    let failure = &json["failure"];
    run.ensure(
        failure["phase"] == "greeting",
        "failure.phase is not greeting",
    )?;
    run.ensure(failure["kind"] == "timeout", "failure.kind is not timeout")?;
    let message = failure["message"].as_str().unwrap_or_default();
    run.ensure(
        message.contains("greeting started"),
        "failure.message does not say \"greeting started\"",
    )?;
    run.ensure(
        message.contains(PrivatePostfix::POSTSCREEN_BANNER),
        "failure.message does not quote the first greeting line",
    )?;
    run.ensure(
        message.contains("pregreet"),
        "failure.message does not explain the pregreet pause",
    )?;
    let wrote = json["transcript"]
        .as_array()
        .is_some_and(|lines| lines.iter().any(|l| l["dir"] == "client"));
    run.ensure(!wrote, "the transcript shows the client writing")
}

/// `-v`: the partial greeting line, marked incomplete, and no line from the client.
fn transcript_shows_the_partial_greeting(run: &Run) -> Result<(), String> {
    run.ensure(run.code == Some(2), "exit code is not 2")?;
    let first_line = format!("< 220-{}", PrivatePostfix::POSTSCREEN_BANNER);
    run.ensure(
        run.stdout.contains(&first_line),
        "the transcript lacks postscreen's first greeting line",
    )?;
    run.ensure(
        run.stdout.contains("(incomplete)"),
        "the transcript does not say \"(incomplete)\"",
    )?;
    run.ensure(
        !run.stdout.lines().any(|l| l.contains("  > ")),
        "the transcript shows the client writing",
    )
}

/// A client that speaks first: it reads postscreen's first greeting line, writes `QUIT` inside
/// the pause and leaves. Returns its port.
fn pregreeting_client(port: u16) -> u16 {
    let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("set a read timeout");
    let own_port = stream.local_addr().expect("local address").port();
    let mut first = String::new();
    BufReader::new(&stream)
        .read_line(&mut first)
        .expect("read the first greeting line");
    assert_eq!(
        first,
        format!("220-{}\r\n", PrivatePostfix::POSTSCREEN_BANNER),
        "postscreen's first greeting line"
    );
    stream.write_all(b"QUIT\r\n").expect("write QUIT");
    own_port
}

#[test]
#[ignore = "needs Debian's postfix and root: scripts/test runs it"]
fn a_probe_never_speaks_before_postscreens_greeting_ends() {
    let pki = TestPki::new();
    let postfix = PrivatePostfix::start_postscreen(&pki, GREET_WAIT)
        .unwrap_or_else(|e| panic!("cannot start a private Postfix with postscreen: {e}"));
    let port = postfix.smtp_port();
    let mut failures = Vec::new();

    // The testkit's readiness check connected once; wait for its end so it is not ours.
    let before: BTreeSet<u16> = ended_sessions_since(&postfix, &BTreeSet::new(), 1)
        .into_keys()
        .collect();
    let json = run(port, &["--json"]);
    let verbose = run(port, &["-v"]);
    let ours = ended_sessions_since(&postfix, &before, 2);
    for (port, session) in &ours {
        if !session.pregreets.is_empty() {
            failures.push(format!(
                "postscreen logged PREGREET for our probe from port {port}: {:?}",
                session.pregreets
            ));
        }
    }
    if let Err(why) = json_shows_the_partial_greeting(&json) {
        failures.push(format!("--json: {why}"));
    }
    if let Err(why) = transcript_shows_the_partial_greeting(&verbose) {
        failures.push(format!("-v: {why}"));
    }

    // The positive control: the same instance does log a client that speaks first.
    let before: BTreeSet<u16> = sessions(&postfix).into_keys().collect();
    let control = pregreeting_client(port);
    let new = ended_sessions_since(&postfix, &before, 1);
    let pregreets: Vec<(u16, &String)> = new
        .iter()
        .flat_map(|(port, s)| s.pregreets.iter().map(move |line| (*port, line)))
        .collect();
    let control_logged = pregreets.len() == 1
        && pregreets[0].0 == control
        && pregreets[0].1.ends_with(": QUIT\\r\\n");
    if !control_logged {
        failures.push(format!(
            "the control client (port {control}) that wrote QUIT before the greeting ended \
             was not logged as exactly one PREGREET; PREGREET lines since: {pregreets:?}"
        ));
    }

    assert!(
        failures.is_empty(),
        "{} of the postscreen checks failed:\n{}\n{}",
        failures.len(),
        failures.join("\n"),
        postfix.maillog_tail(30)
    );
}
