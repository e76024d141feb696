//! Bounded results whatever a server sends: `ehlowatch check --json` and `ehlowatch run` against
//! the testkit's hostile servers, which answer with 10,000 continuation lines of 4 KB (40 MB,
//! every line under the line cap). The verdict still comes from the final line, but a result
//! keeps a few tens of KiB, and the flood adds at most a few MiB to what the same `check` holds
//! against a healthy server.
//!
//! Linux only: peak memory is read with GNU time (`/usr/bin/time -f %M`, Debian's `time`
//! package) and from `/proc/PID/status` (`VmHWM`).

#![cfg(target_os = "linux")]

mod agent_support;

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use agent_support::exposition::{samples, with_label};
use agent_support::{eventually, Agent};
use ehlowatch_testkit::scenarios::{self, FLOOD_LINES};
use ehlowatch_testkit::{FakeSmtp, TestPki};
use serde_json::Value;

/// The most `check --json` may print for one result.
const JSON_CAP: usize = 64 * 1024;
/// The most memory a flood may add to `ehlowatch check`'s peak, against the same check of a
/// healthy server in the same run, in KiB (the flood is 40 MB; the binary itself, a debug
/// build, holds about 15 MiB and grows with the code).
const CHECK_RSS_FLOOD_KIB: u64 = 4 * 1024;
/// The most memory the agent may hold at its peak with [`AGENT_MONITORS`] flooding monitors,
/// in KiB.
const AGENT_RSS_CAP_KIB: u64 = 64 * 1024;
/// How many monitors the agent probes against a flooding server.
const AGENT_MONITORS: usize = 20;
/// The most `/api/status` may answer: [`JSON_CAP`] per monitor.
const STATUS_CAP: usize = AGENT_MONITORS * JSON_CAP;
/// How long a flood run may take (a debug build reads 40 MB per probe on a shared machine).
const PATIENCE: Duration = Duration::from_secs(120);
/// Held by each test here: floods of 40 MB at once on a debug build would push the probes past
/// their deadline, and a probe cut short reads less than the whole flood.
static ONE_FLOOD_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
/// GNU time, which reports a child's peak RSS.
const GNU_TIME: &str = "/usr/bin/time";
/// QoS of `check` here: generous, so a debug build reading 40 MB on a busy machine still gets
/// its 250 in time (exit 0); the verdict rule at the catalogue's QoS is the probe catalogue's.
const QOS_MS: u64 = 5000;
/// QoS of the agent's monitors: 20 probes of 40 MB at once share the machine's cores, and
/// their verdicts do not matter here, only that each probe ends with a result.
const AGENT_QOS_MS: u64 = 2000;

async fn start(name: &str) -> FakeSmtp {
    scenarios::by_name(name)
        .unwrap_or_else(|| panic!("{name} is in the testkit catalogue"))
        .start(&TestPki::new())
        .await
}

/// What one `ehlowatch check` under GNU time did.
#[derive(Debug)]
struct Measured {
    code: i32,
    stdout: String,
    stderr: String,
    peak_rss_kib: u64,
}

/// Runs `ehlowatch check 127.0.0.1 --port PORT --qos-ms QOS_MS --json` under GNU time.
fn check_json_measured(port: u16) -> Measured {
    assert!(
        Path::new(GNU_TIME).exists(),
        "needs GNU time at {GNU_TIME} (Debian: apt-get install time)"
    );
    let dir = tempfile::tempdir().expect("a temporary directory");
    let time_file = dir.path().join("time");
    let out = assert_cmd::Command::new(GNU_TIME)
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&time_file)
        .arg(assert_cmd::cargo::cargo_bin("ehlowatch"))
        .args(["check", "127.0.0.1", "--port", &port.to_string()])
        .args(["--qos-ms", &QOS_MS.to_string(), "--json"])
        .timeout(PATIENCE)
        .output()
        .expect("run ehlowatch under GNU time");
    let time = std::fs::read_to_string(&time_file).expect("GNU time wrote its report");
    // After a non-zero exit GNU time writes "Command exited with non-zero status N" first.
    let peak_rss_kib = time
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak RSS in GNU time's report {time:?}"));
    Measured {
        code: out.status.code().expect("exited with a code, not a signal"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        peak_rss_kib,
    }
}

/// Probes `scenario` with `check --json` and asserts the bounds every flood must keep: exit 0,
/// one valid JSON object under [`JSON_CAP`], peak RSS at most [`CHECK_RSS_FLOOD_KIB`] above the
/// same check of a healthy server. Returns the
/// reply named `reply` (`greeting` or `ehlo`) of the object.
async fn check_flood_is_bounded(scenario: &str, reply: &str) -> Value {
    let _alone = ONE_FLOOD_AT_A_TIME.lock().await;
    let healthy = start("healthy").await;
    let port = healthy.port();
    let baseline = tokio::task::spawn_blocking(move || check_json_measured(port))
        .await
        .expect("join the run");
    let cap = baseline.peak_rss_kib + CHECK_RSS_FLOOD_KIB;
    let server = start(scenario).await;
    let port = server.port();
    let run = tokio::task::spawn_blocking(move || check_json_measured(port))
        .await
        .expect("join the run");
    eprintln!(
        "{scenario}: check --json printed {} bytes (cap {JSON_CAP}), \
         peak RSS {} KiB (cap {cap}: {} against a healthy server + {CHECK_RSS_FLOOD_KIB}), exit {}",
        run.stdout.len(),
        run.peak_rss_kib,
        baseline.peak_rss_kib,
        run.code
    );
    let head: String = run.stdout.chars().take(300).collect();
    assert!(
        run.stdout.len() < JSON_CAP,
        "{scenario}: {} bytes of JSON, starting {head:?}",
        run.stdout.len()
    );
    assert!(
        run.peak_rss_kib <= cap,
        "{scenario}: peak RSS {} KiB, {} against a healthy server",
        run.peak_rss_kib,
        baseline.peak_rss_kib
    );
    assert_eq!(run.code, 0, "{scenario}: {}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout.lines().count(),
        1,
        "one line of JSON: {}",
        run.stdout
    );
    let json: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{scenario}: not JSON ({e}): {}", run.stdout));
    assert_eq!(json["status"], "success", "{json}");
    json[reply].clone()
}

/// The reply kept some lines and counted the rest: every line of the flood is accounted for,
/// the text left out is counted in bytes, and the reply is complete (its final line came).
fn assert_kept_and_counted(reply: &Value, code: u16) {
    assert_eq!(reply["code"], code, "{reply}");
    assert_eq!(reply["complete"], true, "the final line came: {reply}");
    let kept = reply["lines"].as_array().map_or(0, Vec::len) as u64;
    let omitted = reply["omitted_lines"].as_u64().unwrap_or(0);
    assert!(omitted > 0, "lines were left out and counted: {reply}");
    // The first line, the flood and the final line.
    assert_eq!(kept + omitted, FLOOD_LINES as u64 + 2, "{reply}");
    assert!(
        reply["omitted_bytes"].as_u64().is_some_and(|b| b > 0),
        "the text left out is counted: {reply}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn check_json_against_a_flooded_ehlo_reply_stays_under_64_kib_and_adds_under_4_mib() {
    let ehlo = check_flood_is_bounded("flood-continuations", "ehlo").await;
    assert_kept_and_counted(&ehlo, 250);
}

#[tokio::test(flavor = "multi_thread")]
async fn check_json_against_a_flooded_greeting_stays_under_64_kib_and_adds_under_4_mib() {
    let greeting = check_flood_is_bounded("flood-greeting", "greeting").await;
    assert_kept_and_counted(&greeting, 220);
}

/// `VmHWM` (peak resident set) of process `pid`, in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_else(|e| panic!("read /proc/{pid}/status: {e}"));
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no VmHWM in /proc/{pid}/status:\n{status}"))
}

/// An agent config of `count` monitors `flood-NN` on `127.0.0.1:port`, probed every
/// `interval_s` seconds at [`AGENT_QOS_MS`].
fn flood_config(port: u16, count: usize, interval_s: u64) -> String {
    let mut text = format!("[defaults]\nqos_ms = {AGENT_QOS_MS}\ninterval_s = {interval_s}\n");
    for n in 1..=count {
        let _ = write!(
            text,
            "\n[[monitor]]\nname = \"flood-{n:02}\"\nhost = \"127.0.0.1\"\nport = {port}\n"
        );
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_with_twenty_flooded_monitors_stays_under_64_mib() {
    let _alone = ONE_FLOOD_AT_A_TIME.lock().await;
    // The shortest interval the config allows at this QoS (longer than 2×QoS), so every
    // monitor is probed twice within a couple of intervals.
    let interval_s = 2 * AGENT_QOS_MS / 1000 + 1;
    let server = start("flood-continuations").await;
    let agent = Agent::start(&flood_config(server.port(), AGENT_MONITORS, interval_s)).await;
    let names: Vec<String> = (1..=AGENT_MONITORS)
        .map(|n| format!("flood-{n:02}"))
        .collect();

    let agent_ref = &agent;
    let names_ref = &names;
    eventually("every monitor probed twice", PATIENCE, move || async move {
        let metrics = agent_ref.get("/metrics").await;
        let all = samples(&metrics.body);
        let short: Vec<String> = names_ref
            .iter()
            .filter_map(|name| {
                let probes: f64 = with_label(&all, "ehlowatch_probes_total", "monitor", name)
                    .map(|s| s.value)
                    .sum();
                (probes < 2.0).then(|| format!("{name}: {probes}"))
            })
            .collect();
        if short.is_empty() {
            Ok(())
        } else {
            Err(format!("probed fewer than twice: {short:?}"))
        }
    })
    .await;

    let peak = peak_rss_kib(agent.pid());
    let answer = agent.get("/api/status").await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let status = answer.json();
    let monitors = status["monitors"].as_array().cloned().unwrap_or_default();
    let mut verdicts: Vec<&str> = monitors
        .iter()
        .filter_map(|m| m["status"].as_str())
        .collect();
    verdicts.sort_unstable();
    verdicts.dedup();
    eprintln!(
        "agent, {AGENT_MONITORS} monitors on flood-continuations, each probed at least twice: \
         peak RSS (VmHWM) {peak} KiB (cap {AGENT_RSS_CAP_KIB}), \
         /api/status {} bytes (cap {STATUS_CAP}), statuses {verdicts:?}",
        answer.body.len()
    );
    assert!(
        peak < AGENT_RSS_CAP_KIB,
        "the agent peaked at {peak} KiB with {AGENT_MONITORS} flooded monitors"
    );
    assert!(
        answer.body.len() < STATUS_CAP,
        "/api/status is {} bytes",
        answer.body.len()
    );
    assert_eq!(monitors.len(), AGENT_MONITORS, "{status}");
    assert!(
        monitors.iter().all(|m| m["status"] != "unknown"),
        "every monitor has a result: {status}"
    );
}
