//! Remote agents through the shell's IPC, against real agents (`ehlowatch run` over HTTPS with
//! a test CA and tokens) on loopback: two agents added and their monitors listed under their
//! names; each refusal of `add_agent` with its kind and never the token; a remote failure
//! toasting with the agent's name; a killed agent turning `unreachable` (grey, never failed)
//! within the bound with one toast.

use std::time::Duration;

use ehlowatch_app::sources::follow::SILENCE;
use ehlowatch_testkit::{FakeSmtp, Script, TestPki};
use serde_json::{json, Value};

use super::agents_support::{
    agent, input, observe, remote_monitor, source, until, url_of, READ_TOKEN,
};
use super::Shell;

/// How long anything an agent does may take to show here (its probes, the stream).
const PATIENCE: Duration = Duration::from_secs(20);

fn healthy() -> FakeSmtp {
    tauri::async_runtime::block_on(FakeSmtp::start(Script::healthy()))
}

/// A port on loopback where nothing listens.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A plain HTTP server on loopback that is not an agent: every request gets a small HTML page.
fn not_an_agent() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                use std::io::{Read, Write};
                let mut buf = [0_u8; 4096];
                let _ = stream.read(&mut buf);
                let page = "<html><body>It works!</body></html>";
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                    page.len()
                );
            });
        }
    });
    port
}

fn refusal(shell: &Shell, args: &Value) -> (String, String) {
    let err = shell.err("add_agent", args.clone());
    assert_eq!(err["type"], "agent", "{err}");
    let text = err.to_string();
    for token in [READ_TOKEN, "wrong-token-0123456789"] {
        assert!(!text.contains(token), "the token is in {text}");
    }
    (
        err["data"]["kind"].as_str().unwrap().to_owned(),
        err["data"]["message"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn two_agents_are_added_and_their_monitors_listed_under_their_names() {
    let pki = TestPki::new();
    let server = healthy();
    let dc1 = agent(&pki, &[("mx1", server.port()), ("mx2", server.port())]);
    let dc2 = agent(&pki, &[("mx1", server.port())]);
    let shell = Shell::start();
    for (name, a) in [("dc1", &dc1), ("dc2", &dc2)] {
        let view = shell.ok("add_agent", input(name, &url_of(a), READ_TOKEN, &pki));
        assert_eq!(view["name"], name);
        assert_eq!(view["can_control"], false, "a read-only token: {view}");
        assert!(!view.to_string().contains(READ_TOKEN));
    }
    for (name, keys) in [
        ("dc1", vec!["dc1/mx1", "dc1/mx2"]),
        ("dc2", vec!["dc2/mx1"]),
    ] {
        let s = until(&format!("{name} connected and judged"), PATIENCE, || {
            let s = source(&shell, name);
            let judged = s["monitors"].as_array().is_some_and(|ms| {
                ms.len() == keys.len() && ms.iter().all(|m| m["status"] == "success")
            });
            if s["health"] == "connected" && judged {
                Ok(s)
            } else {
                Err(s.to_string())
            }
        });
        let mut found: Vec<&str> = s["monitors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["key"].as_str().unwrap())
            .collect();
        found.sort_unstable();
        assert_eq!(found, keys, "{s}");
        assert_eq!(s["worst"], "success");
    }
    let (file, _dir) = shell.stop_and_read_settings();
    assert_eq!(file["agents"].as_array().map(Vec::len), Some(2), "{file}");
    assert!(!file.to_string().contains(READ_TOKEN), "{file}");
}

#[test]
fn each_refusal_of_add_agent_has_its_kind_and_never_the_token() {
    let pki = TestPki::new();
    let other_ca = TestPki::new();
    let server = healthy();
    let dc1 = agent(&pki, &[("mx1", server.port())]);
    let shell = Shell::start();
    let url = url_of(&dc1);

    let (kind, message) = refusal(&shell, &input("dc1", &url, "wrong-token-0123456789", &pki));
    assert_eq!(kind, "unauthorized", "{message}");
    assert!(message.contains(&url), "names the URL: {message}");

    let (kind, message) = refusal(&shell, &input("dc1", &url, READ_TOKEN, &other_ca));
    assert_eq!(kind, "untrusted_certificate", "{message}");

    let plain = format!("http://127.0.0.1:{}", not_an_agent());
    let mut args = input("web", &plain, READ_TOKEN, &pki);
    args["agent"]["ca_file"] = Value::Null;
    let (kind, message) = refusal(&shell, &args);
    assert_eq!(kind, "not_an_agent", "{message}");

    let closed = format!("https://127.0.0.1:{}", closed_port());
    let (kind, message) = refusal(&shell, &input("gone", &closed, READ_TOKEN, &pki));
    assert_eq!(kind, "unreachable", "{message}");

    assert_eq!(
        shell.ok("list_agents", json!({})),
        json!([]),
        "nothing added"
    );
    assert!(
        !shell.dir.path().join("settings.json").exists(),
        "nothing saved"
    );
}

#[test]
fn a_remote_failure_toasts_naming_the_agent_and_a_killed_agent_is_grey_with_one_toast() {
    let pki = TestPki::new();
    let server = healthy();
    let flaky = healthy();
    let mut dc1 = agent(&pki, &[("mx1", server.port()), ("mx2", flaky.port())]);
    let shell = Shell::start();
    let seen = observe(&shell);
    shell.ok("add_agent", input("dc1", &url_of(&dc1), READ_TOKEN, &pki));
    until("dc1/mx2 success", PATIENCE, || {
        let m = remote_monitor(&shell, "dc1", "dc1/mx2");
        if m["status"] == "success" {
            Ok(())
        } else {
            Err(m.to_string())
        }
    });

    flaky.set_script(
        Script::new()
            .send("554 5.3.2 No SMTP service here\r\n")
            .bye(),
    );
    until("dc1/mx2 failed", PATIENCE, || {
        let m = remote_monitor(&shell, "dc1", "dc1/mx2");
        if m["status"] == "failed" {
            Ok(())
        } else {
            Err(m.to_string())
        }
    });
    let failed = until("a toast of dc1 / mx2 failing", PATIENCE, || {
        let found = seen.toasts_with("dc1 / mx2");
        found
            .first()
            .cloned()
            .ok_or_else(|| format!("{:?}", seen.all_toasts()))
    });
    assert!(
        failed.contains("failed") || failed.contains("failing"),
        "{failed}"
    );

    dc1.kill();
    let killed_at = std::time::Instant::now();
    let s = until("dc1 unreachable", SILENCE + Duration::from_secs(10), || {
        let s = source(&shell, "dc1");
        if s["health"] == "unreachable" {
            Ok(s)
        } else {
            Err(s.to_string())
        }
    });
    assert!(
        killed_at.elapsed() < Duration::from_secs(5),
        "a killed agent's closed connection is seen at once, not after {:?}",
        killed_at.elapsed()
    );
    let statuses: Vec<&Value> = s["monitors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["status"])
        .collect();
    assert!(
        statuses.iter().all(|st| *st == "unreachable"),
        "all grey: {s}"
    );
    assert_eq!(s["worst"], "unreachable", "never red: {s}");
    assert!(s["reason"].as_str().is_some_and(|r| !r.is_empty()), "{s}");

    until("one unreachable toast naming dc1", PATIENCE, || {
        let found = seen.toasts_with("dc1 unreachable");
        if found.len() == 1 {
            Ok(())
        } else {
            Err(format!("{:?}", seen.all_toasts()))
        }
    });
    // The follower keeps retrying (1 s, 2 s, 4 s …): through several retries no second toast,
    // and nothing red of dc1.
    let before = seen.all_toasts().len();
    let watch_until = std::time::Instant::now() + Duration::from_secs(8);
    while std::time::Instant::now() < watch_until {
        let s = source(&shell, "dc1");
        assert_eq!(s["health"], "unreachable", "{s}");
        assert!(
            s["monitors"]
                .as_array()
                .unwrap()
                .iter()
                .all(|m| m["status"] == "unreachable"),
            "{s}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(
        seen.toasts_with("dc1 unreachable").len(),
        1,
        "{:?}",
        seen.all_toasts()
    );
    assert_eq!(seen.all_toasts().len(), before, "{:?}", seen.all_toasts());
}
