//! `ehlowatch run`'s life cycle end to end: SIGHUP reloads the config (a bad file is refused, every
//! problem logged, and the running config kept), SIGTERM and SIGINT stop promptly with exit 0 and
//! the history flushed to the `--db` file, and a bad config, a missing file or a busy `--listen`
//! address refuses to start with exit 3 and a message saying why. Without `--db`, the history is
//! made in the user's own state directory.

mod agent_support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use agent_support::exposition::samples;
use agent_support::{agent_command, all_judged, config, monitor, Agent, Servers, PATIENCE};
use chrono::Utc;
use ehlowatch_engine::HistoryStore;
use ehlowatch_engine::{MonitorId, Status, Verdict};
use ehlowatch_testkit::{FakeSmtp, Script};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(windows, ignore = "sends SIGHUP with kill(1): Unix signals")]
async fn sighup_reloads_and_a_bad_config_keeps_the_running_one() {
    let servers = Servers::start().await;
    let agent = Agent::start(&config(&servers.monitors())).await;
    let before = agent.status_when("every monitor judged", all_judged).await;

    let mut monitors = servers.monitors();
    monitors.push(("extra", servers.healthy.port()));
    std::fs::write(agent.config_path(), config(&monitors)).expect("rewrite the config");
    agent.signal("HUP");
    let after = agent
        .status_when("the added monitor judged", |ms| {
            ms.len() == 4 && all_judged(ms)
        })
        .await;
    assert_eq!(monitor(&after, "extra")["status"], "success", "{after}");
    // Unchanged monitors keep running with their state (these two cannot change status).
    for name in ["healthy", "failing"] {
        assert_eq!(
            monitor(&after, name)["since"],
            monitor(&before, name)["since"],
            "{name} was restarted by the reload: {before}\n{after}"
        );
    }
    agent.log_when("config reloaded").await;

    // Two mistakes: the reload is refused, each is logged, the four monitors keep running.
    let mut bad = config(&servers.monitors());
    bad.push_str("\n[[monitor]]\nname = 'extra'\nhost = \"127.0.0.1\"\nport = 70000\n");
    bad.push_str("\n[[monitor]]\nname = 'late'\nhost = \"127.0.0.1\"\nqos_ms = 0\n");
    std::fs::write(agent.config_path(), bad).expect("write a bad config");
    agent.signal("HUP");
    let log = agent.log_when("monitor[3].port").await;
    let log = if log.contains("monitor[4].qos_ms") {
        log
    } else {
        agent.log_when("monitor[4].qos_ms").await
    };
    for needle in [
        "reload refused",
        "monitor[3].port: 70000 is not a port",
        "monitor[4].qos_ms: 0 must be at least 1",
    ] {
        assert!(log.contains(needle), "no {needle:?} in:\n{log}");
    }
    let kept = agent.status().await;
    let extra = monitor(&kept, "extra");
    assert_eq!(extra["port"], servers.healthy.port(), "{kept}");
    assert_eq!(kept["monitors"].as_array().map(Vec::len), Some(4), "{kept}");
    let checked = extra["checked_at"].clone();
    agent
        .status_when("the old config still probing", |ms| {
            ms.iter()
                .any(|m| m["name"] == "extra" && m["checked_at"] != checked)
        })
        .await;
    assert_eq!(agent.get("/healthz").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(windows, ignore = "sends SIGTERM with kill(1): Unix signals")]
async fn sigterm_stops_promptly_with_exit_0_and_the_history_flushed() {
    let servers = Servers::start().await;
    let mut agent = Agent::start(&config(&servers.monitors())).await;
    agent.status_when("every monitor judged", all_judged).await;
    let counted: f64 = samples(
        &agent
            .metrics_when_judged(&["healthy", "slow", "failing"])
            .await
            .body,
    )
    .iter()
    .filter(|s| s.name == "ehlowatch_probes_total")
    .map(|s| s.value)
    .sum();

    agent.signal("TERM");
    let (exit, took) = agent.wait_exit(Duration::from_secs(10)).await;
    let log = agent.log();
    assert_eq!(exit.code(), Some(0), "{log}");
    eprintln!("stopped {took:?} after SIGTERM");
    assert!(
        took < Duration::from_secs(3),
        "took {took:?} to stop:\n{log}"
    );
    assert!(log.contains("stopped"), "{log}");

    let (store, recovery) = HistoryStore::open(agent.db_path()).expect("open the history");
    assert!(recovery.is_none(), "{recovery:?}");
    let queries = store.queries();
    let mut stored = 0;
    for (name, verdict) in [
        ("healthy", Verdict::Success),
        ("slow", Verdict::Warning),
        ("failing", Verdict::Failed),
    ] {
        let results = queries
            .recent_results(&MonitorId(name.to_owned()), 10_000)
            .expect("read results");
        assert!(
            results.iter().any(|r| r.verdict == verdict),
            "{name}: no {verdict:?} among {results:?}"
        );
        stored += results.len();
    }
    assert!(
        stored as f64 >= counted,
        "{stored} results stored, {counted} counted in /metrics before SIGTERM"
    );
    let now = Utc::now();
    let events = queries
        .events(None, now - chrono::Duration::hours(1), now)
        .expect("read events");
    for (name, status, id) in [
        ("healthy", Status::Success, 5510),
        ("slow", Status::Warning, 5511),
        ("failing", Status::Failed, 5509),
    ] {
        assert!(
            events
                .iter()
                .any(|e| e.name == name && e.to == status && e.event_id == Some(id)),
            "no change of {name} to {status:?} ({id}) in {events:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(windows, ignore = "sends SIGINT with kill(1): Unix signals")]
async fn sigint_stops_with_exit_0() {
    let server = FakeSmtp::start(Script::healthy()).await;
    let mut agent = Agent::start(&config(&[("healthy", server.port())])).await;
    agent.signal("INT");
    let (exit, took) = agent.wait_exit(Duration::from_secs(10)).await;
    assert_eq!(exit.code(), Some(0), "{}", agent.log());
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

/// Runs `ehlowatch run ARGS` in `dir`, expecting it to give up at once.
fn run_refused(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = assert_cmd::Command::cargo_bin("ehlowatch")
        .expect("the ehlowatch binary")
        .arg("run")
        .args(args)
        .current_dir(dir)
        .timeout(Duration::from_secs(20))
        .output()
        .expect("run ehlowatch");
    (
        out.status.code().expect("an exit code, not a signal"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn an_invalid_config_at_start_exits_3_naming_every_problem() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let bad = "\
[defaults]
qos_ms = 200
interval_s = 1

[[monitor]]
name = \"a\"
host = \"127.0.0.1\"
port = 70000
colour = \"red\"

[[monitor]]
name = \"a\"
host = \"127.0.0.1\"
tls = \"sometimes\"
qos_ms = 0
";
    std::fs::write(dir.path().join("bad.toml"), bad).expect("write the config");
    let (code, stderr) = run_refused(
        dir.path(),
        &[
            "--config",
            "bad.toml",
            "--db",
            "h.sqlite",
            "--listen",
            "127.0.0.1:0",
        ],
    );
    assert_eq!(code, 3, "{stderr}");
    for problem in [
        "monitor[0].port: 70000 is not a port (1–65535)",
        "monitor[0].colour: unknown key",
        "monitor[1].name: \"a\" is used by monitor[0] too",
        "monitor[1].tls: \"sometimes\" is not a TLS mode",
        "monitor[1].qos_ms: 0 must be at least 1",
    ] {
        assert!(stderr.contains(problem), "no {problem:?} in:\n{stderr}");
    }
    assert!(
        !dir.path().join("h.sqlite").exists(),
        "no history is created for a config that is refused"
    );
}

#[test]
fn a_missing_config_exits_3_naming_the_file_and_the_reason() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (code, stderr) = run_refused(
        dir.path(),
        &["--config", "nowhere.toml", "--listen", "127.0.0.1:0"],
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("nowhere.toml") && stderr.contains("No such file or directory"),
        "names the file and why: {stderr}"
    );
}

#[test]
fn a_listen_address_in_use_exits_3_naming_listen() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let addr = taken.local_addr().expect("its address").to_string();
    // A valid config; nothing is probed because the agent stops before starting the engine.
    std::fs::write(dir.path().join("agent.toml"), config(&[("a", 9)])).expect("write");
    let (code, stderr) = run_refused(
        dir.path(),
        &[
            "--config",
            "agent.toml",
            "--db",
            "h.sqlite",
            "--listen",
            &addr,
        ],
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains(&format!("--listen {addr}")),
        "names the argument and the address: {stderr}"
    );
    drop(taken);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_history_file_is_moved_aside_logged_and_replaced() {
    const GARBAGE: &[u8] = b"this is not an SQLite database, whatever its name says\n";
    let servers = Servers::start().await;
    let agent =
        Agent::start_with_files(&config(&servers.monitors()), &[("history.sqlite", GARBAGE)]).await;
    agent.status_when("every monitor judged", all_judged).await;
    let log = agent.log_when("history:").await;
    assert!(
        log.contains("moved to"),
        "the log does not say where the file went:\n{log}"
    );
    let dir = agent.db_path().parent().expect("a directory").to_owned();
    let moved: Vec<_> = std::fs::read_dir(&dir)
        .expect("list the directory")
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("history.sqlite.corrupt-")
        })
        .collect();
    assert_eq!(moved.len(), 1, "exactly one file kept aside");
    assert_eq!(
        std::fs::read(moved[0].path()).expect("read it"),
        GARBAGE,
        "kept as found"
    );
    let (store, recovery) = HistoryStore::open(agent.db_path()).expect("the new file opens");
    assert!(recovery.is_none(), "the new file is healthy");
    drop(store);
}

/// Without `--db` the history goes to the user's own state directory, made when missing:
/// `~/.local/state/ehlowatch` (XDG) on Linux, `%LOCALAPPDATA%\ehlowatch` on Windows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_db_the_history_is_made_in_the_users_state_directory() {
    let servers = Servers::start().await;
    let home = tempfile::tempdir().expect("a temporary directory");
    let config_file = home.path().join("agent.toml");
    std::fs::write(&config_file, config(&servers.monitors())).expect("write the config");
    let (variable, expected) = if cfg!(windows) {
        ("LOCALAPPDATA", home.path().join("ehlowatch"))
    } else if cfg!(target_os = "macos") {
        (
            "HOME",
            home.path().join("Library/Application Support/ehlowatch"),
        )
    } else {
        ("HOME", home.path().join(".local/state/ehlowatch"))
    };
    let expected = expected.join("history.sqlite");
    let log = std::fs::File::create(home.path().join("agent.log")).expect("create the log");
    let mut child = agent_command()
        .arg("run")
        .arg("--config")
        .arg(&config_file)
        .args(["--listen", "127.0.0.1:0"])
        .current_dir(home.path())
        .env_remove("STATE_DIRECTORY")
        .env_remove("XDG_STATE_HOME")
        .env(variable, home.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start ehlowatch run");
    let deadline = Instant::now() + PATIENCE;
    while !expected.is_file() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let made = expected.is_file();
    child.kill().expect("stop the agent");
    child.wait().expect("reap the agent");
    assert!(
        made,
        "no {} within {PATIENCE:?}; the agent's log:\n{}",
        expected.display(),
        std::fs::read_to_string(home.path().join("agent.log")).unwrap_or_default()
    );
    assert!(
        !home.path().join("history.sqlite").exists(),
        "a history was made in the working directory too"
    );
}
