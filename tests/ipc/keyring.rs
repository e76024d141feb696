//! Agents' tokens and the OS keyring, across processes (Linux: a private, real Secret Service,
//! `gnome-keyring-daemon` on the test's own D-Bus session). A shell process adds an agent
//! through `add_agent`; the token goes to the keyring; a fresh shell process on the same data
//! directory reads it back and connects. No file under the data directory, `HOME` or the XDG
//! directories the processes were given holds the token (the keyring's own encrypted store
//! aside). Without a Secret Service the token stays in the session's memory: a fresh process
//! shows the source `needs_token`.
//!
//! Each shell process is this test binary again, running only
//! [`child_process_of_the_keyring_tests`] with its role in the environment.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use ehlowatch_testkit::secret_service::SecretService;
use ehlowatch_testkit::TestPki;
use serde_json::json;

use super::agents_support::{agent, input, source, until, url_of, READ_TOKEN};
use super::Shell;

const ROLE: &str = "EHLOWATCH_KEYRING_ROLE";
const DATA: &str = "EHLOWATCH_KEYRING_DATA";
const URL: &str = "EHLOWATCH_KEYRING_URL";
const CA: &str = "EHLOWATCH_KEYRING_CA";
const CHILD: &str = "keyring::child_process_of_the_keyring_tests";

/// Runs a shell process in `role` on `data` with `env`; panics with its output when it fails.
fn shell_process(role: &str, data: &Path, url: &str, ca: &Path, env: &[(String, String)]) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", CHILD, "--nocapture", "--test-threads=1"])
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env(ROLE, role)
        .env(DATA, data)
        .env(URL, url)
        .env(CA, ca)
        .output()
        .unwrap();
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).contains("1 passed"),
        "the {role} process failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// One role of a shell process; does nothing when run as a test of its own.
#[test]
fn child_process_of_the_keyring_tests() {
    let Ok(role) = std::env::var(ROLE) else {
        return;
    };
    let data = PathBuf::from(std::env::var(DATA).unwrap());
    let shell = Shell::start_at(&data, tempfile::tempdir().unwrap());
    let patience = Duration::from_secs(20);
    let health = |want: &'static str| {
        let shell = &shell;
        move || {
            let s = source(shell, "dc1");
            if s["health"] == want {
                Ok(s)
            } else {
                Err(s.to_string())
            }
        }
    };
    match role.as_str() {
        "add" | "add_without_keyring" => {
            let url = std::env::var(URL).unwrap();
            let ca = std::env::var(CA).unwrap();
            let mut args = input("dc1", &url, READ_TOKEN, &TestPki::new());
            args["agent"]["ca_file"] = json!(ca);
            let view = shell.ok("add_agent", args);
            let store = if role == "add" { "keyring" } else { "session" };
            assert_eq!(view["token_store"], store, "{view}");
            until("dc1 connected", patience, health("connected"));
        }
        "read_back" => {
            let s = until(
                "dc1 connected with the keyring's token",
                patience,
                health("connected"),
            );
            assert_eq!(s["token_store"], "keyring", "{s}");
        }
        "needs_token" => {
            let s = until("dc1 needs its token", patience, health("needs_token"));
            assert_eq!(s["token_store"], "missing", "{s}");
        }
        other => panic!("no role {other}"),
    }
    tauri::async_runtime::block_on(shell.state.shutdown());
}

/// Every file under `dirs` (but `except`) that holds `needle`.
fn files_holding(dirs: &[PathBuf], except: &Path, needle: &[u8]) -> (Vec<PathBuf>, usize) {
    let mut found = Vec::new();
    let mut scanned = 0;
    let mut stack: Vec<PathBuf> = dirs.to_vec();
    while let Some(path) = stack.pop() {
        if path.starts_with(except) {
            continue;
        }
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        } else if meta.is_file() {
            scanned += 1;
            let bytes = std::fs::read(&path).unwrap();
            if bytes.windows(needle.len()).any(|w| w == needle) {
                found.push(path);
            }
        }
    }
    (found, scanned)
}

#[test]
#[ignore = "needs Debian's gnome-keyring and dbus-daemon: scripts/test runs it"]
fn a_token_in_a_real_secret_service_is_read_back_by_a_fresh_process_and_is_in_no_file() {
    let pki = TestPki::new();
    let server = tauri::async_runtime::block_on(ehlowatch_testkit::FakeSmtp::start(
        ehlowatch_testkit::Script::healthy(),
    ));
    let dc1 = agent(&pki, &[("mx1", server.port())]);
    let service = SecretService::start();
    let data = tempfile::tempdir().unwrap();
    let (url, ca) = (url_of(&dc1), pki.ca_file());
    shell_process("add", data.path(), &url, &ca, &service.env());
    let settings = std::fs::read_to_string(data.path().join("settings.json")).unwrap();
    assert!(settings.contains("\"dc1\""), "{settings}");
    shell_process("read_back", data.path(), &url, &ca, &service.env());

    let mut dirs = service.xdg_dirs();
    dirs.push(data.path().to_owned());
    let (found, scanned) = files_holding(&dirs, &service.keyring_store(), READ_TOKEN.as_bytes());
    assert!(
        scanned >= 2,
        "settings.json and the history at least: {scanned} files"
    );
    assert!(found.is_empty(), "the token is in {found:?}");
    let tail = &READ_TOKEN.as_bytes()[READ_TOKEN.len() - 10..];
    let (found, _) = files_holding(&dirs, &service.keyring_store(), tail);
    assert!(found.is_empty(), "part of the token is in {found:?}");
}

#[test]
fn without_a_secret_service_the_token_is_kept_for_the_session_only() {
    let pki = TestPki::new();
    let server = tauri::async_runtime::block_on(ehlowatch_testkit::FakeSmtp::start(
        ehlowatch_testkit::Script::healthy(),
    ));
    let dc1 = agent(&pki, &[("mx1", server.port())]);
    let data = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let env = [
        (
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/ehlowatch-no-bus".to_owned(),
        ),
        ("HOME", home.path().to_string_lossy().into_owned()),
        (
            "XDG_DATA_HOME",
            home.path().join("data").to_string_lossy().into_owned(),
        ),
        (
            "XDG_CONFIG_HOME",
            home.path().join("config").to_string_lossy().into_owned(),
        ),
        (
            "XDG_CACHE_HOME",
            home.path().join("cache").to_string_lossy().into_owned(),
        ),
    ]
    .map(|(k, v)| (k.to_owned(), v));
    let (url, ca) = (url_of(&dc1), pki.ca_file());
    shell_process("add_without_keyring", data.path(), &url, &ca, &env);
    shell_process("needs_token", data.path(), &url, &ca, &env);
    let dirs = [data.path().to_owned(), home.path().to_owned()];
    let (found, _) = files_holding(&dirs, Path::new("/nonexistent"), READ_TOKEN.as_bytes());
    assert!(found.is_empty(), "the token is in {found:?}");
}
