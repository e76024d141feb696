//! `ehlowatch run` end to end: the real binary against fake SMTP servers on loopback — healthy
//! (Success), slow (QoS Warning) and failing (a 554 greeting: Failed) — read through `/api/status`,
//! `/healthz`, the log and `/metrics`, checked by `promtool` and scraped by a real Prometheus.
//! Signals and start-up refusals are in `agent_lifecycle.rs`.
//!
//! Tests marked `#[ignore]` need Debian's `prometheus` package (`promtool`, `prometheus`);
//! `scripts/test` installs it and runs them with `--include-ignored`.

mod agent_support;

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::Duration;

use agent_support::exposition::{samples, value, Sample};
use agent_support::prometheus::Prometheus;
use agent_support::{
    all_judged, config, config_every, eventually, monitor, Agent, Servers, INTERVAL_S, PATIENCE,
    QOS_MS, SLOW_MS,
};
use ehlowatch_testkit::{FakeSmtp, Script, TestPki, Validity};

/// How soon the agent must show every monitor's status: within one interval + 2×QoS of start.
fn first_status_bound() -> Duration {
    Duration::from_secs(INTERVAL_S) + 2 * Duration::from_millis(QOS_MS)
}

fn qos_s() -> f64 {
    Duration::from_millis(QOS_MS).as_secs_f64()
}

/// A monitor name that must be escaped in a label value (`"` and `\`).
const ODD_NAME: &str = r#"mx "primary" \ edge"#;

/// A healthy implicit-TLS server whose certificate (from `pki`) has 10 days left: a QoS Warning
/// for the certificate alone at the default `cert_warn_days` of 14.
async fn expiring_server(pki: &TestPki) -> FakeSmtp {
    let acceptor = pki.acceptor(&["127.0.0.1"], Validity::expiring_in(10));
    FakeSmtp::start_tls(Script::implicit_tls(), acceptor).await
}

/// An agent watching the `slow` server and, as `expiring`, the [`expiring_server`] (trusting
/// `pki`'s CA, with a QoS that leaves its TLS handshake room on a busy machine).
async fn slow_and_expiring_agent(servers: &Servers, expiring: &FakeSmtp, pki: &TestPki) -> Agent {
    let mut text = config(&[("slow", servers.slow.port())]);
    let _ = write!(
        text,
        "\n[[monitor]]\nname = 'expiring'\nhost = \"127.0.0.1\"\nport = {}\ntls = \"implicit\"\n\
         ca_file = \"ca.pem\"\nqos_ms = 450\n",
        expiring.port()
    );
    let ca = std::fs::read(pki.ca_file()).expect("the test CA");
    Agent::start_with_files(&text, &[("ca.pem", &ca)]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_status_reports_success_warning_and_failed_within_one_interval_and_2x_qos() {
    let servers = Servers::start().await;
    let agent = Agent::start(&config(&servers.monitors())).await;

    let status = agent.status_when("every monitor judged", all_judged).await;
    let took = agent.up_at.elapsed();

    let healthy = monitor(&status, "healthy");
    assert_eq!(healthy["status"], "success", "{status}");
    assert_eq!(healthy["event_id"], 5510, "{status}");
    let latency = healthy["latency_ms"].as_f64().expect("a latency");
    assert!(latency > 0.0 && latency <= QOS_MS as f64, "{status}");

    let slow = monitor(&status, "slow");
    assert_eq!(slow["status"], "warning", "{status}");
    assert_eq!(slow["event_id"], 5511, "{status}");
    let latency = slow["latency_ms"].as_f64().expect("a latency");
    assert!(
        latency >= SLOW_MS as f64 && latency <= 2.0 * QOS_MS as f64,
        "{status}"
    );

    let failing = monitor(&status, "failing");
    assert_eq!(failing["status"], "failed", "{status}");
    assert_eq!(failing["event_id"], 5509, "{status}");
    assert!(failing["latency_ms"].is_null(), "{status}");
    let reason = failing["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("554"),
        "the reason quotes the server: {status}"
    );

    eprintln!(
        "every status reported {took:?} after the agent came up (bound {:?})",
        first_status_bound()
    );
    assert_eq!(status["worst"], "failed", "{status}");
    assert_eq!(status["offline"], false, "{status}");
    assert!(
        took <= first_status_bound(),
        "statuses took {took:?} from start, more than one interval + 2×QoS ({:?})",
        first_status_bound()
    );

    let answer = agent.get("/api/status").await;
    let content_type = answer.header("content-type").unwrap_or_default();
    assert!(content_type.starts_with("application/json"), "{answer:?}");
    let health = agent.get("/healthz").await;
    assert_eq!((health.status, health.body.as_str()), (200, "ok\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_monitor_is_probed_at_start_not_one_interval_later() {
    const LONG_INTERVAL_S: u64 = 10;
    let servers = Servers::start().await;
    let agent = Agent::start(&config_every(LONG_INTERVAL_S, &servers.monitors())).await;
    agent.status_when("every monitor judged", all_judged).await;
    let took = agent.up_at.elapsed();
    // 2×QoS for the slowest probe, plus a second of slack for a busy machine: far below 10 s.
    let bound = 2 * Duration::from_millis(QOS_MS) + Duration::from_secs(1);
    assert!(
        took <= bound,
        "the first probes took {took:?} (interval {LONG_INTERVAL_S} s): not run at start"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_state_change_is_logged_as_one_line_with_its_event_id() {
    let servers = Servers::start().await;
    let agent = Agent::start(&config(&servers.monitors())).await;
    agent.status_when("every monitor judged", all_judged).await;
    let expected = [
        ("healthy", 5510, "to=success"),
        ("slow", 5511, "to=warning"),
        ("failing", 5509, "to=failed"),
    ];
    eventually("a state-change line per monitor", PATIENCE, || async {
        let log = agent.log();
        let missing: Vec<_> = expected
            .iter()
            .filter(|(name, id, to)| {
                !log.lines().any(|line| {
                    line.contains("state change")
                        && line.contains(&format!("monitor=\"{name}\" "))
                        && line.contains(&format!("event_id={id} "))
                        && line.contains("from=unknown")
                        && line.contains(to)
                })
            })
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!("no line for {missing:?} in:\n{log}"))
        }
    })
    .await;
}

/// The histogram counts 250 answers in seconds: healthy under QoS, slow above 0.25 s, failing
/// not at all.
fn assert_latency_histogram(all: &[Sample], text: &str) {
    let bucket = |name: &str, le: &str| {
        value(
            all,
            "ehlowatch_probe_latency_seconds_bucket",
            &[("monitor", name), ("le", le)],
        )
    };
    let count = |name: &str| {
        value(
            all,
            "ehlowatch_probe_latency_seconds_count",
            &[("monitor", name)],
        )
    };
    let healthy_count = count("healthy").expect("healthy latencies");
    assert!(healthy_count >= 1.0, "{text}");
    assert_eq!(bucket("healthy", "0.25"), Some(healthy_count), "{text}");
    let slow_count = count("slow").expect("slow latencies");
    assert_eq!(bucket("slow", "0.25"), Some(0.0), "{text}");
    assert_eq!(bucket("slow", "0.5"), Some(slow_count), "{text}");
    assert_eq!(bucket("slow", "+Inf"), Some(slow_count), "{text}");
    let slow_sum = value(
        all,
        "ehlowatch_probe_latency_seconds_sum",
        &[("monitor", "slow")],
    )
    .expect("a sum");
    assert!(slow_sum >= slow_count * SLOW_MS as f64 / 1000.0, "{text}");
    assert_eq!(count("failing"), None, "no 250, no latency: {text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_carry_status_probe_counts_latency_histogram_and_phases() {
    let servers = Servers::start().await;
    let mut monitors = servers.monitors();
    monitors.push((ODD_NAME, servers.healthy.port()));
    let agent = Agent::start(&config(&monitors)).await;
    let answer = agent
        .metrics_when_judged(&["healthy", "slow", "failing"])
        .await;
    let text = &answer.body;
    let all = samples(text);

    let content_type = answer.header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "without Accept, the classic text format: {content_type}"
    );
    for line in [
        r#"ehlowatch_status{monitor="healthy"} 0"#,
        r#"ehlowatch_status{monitor="slow"} 1"#,
        r#"ehlowatch_status{monitor="failing"} 2"#,
        "# TYPE ehlowatch_status gauge",
        "# TYPE ehlowatch_probes_total counter",
        "# TYPE ehlowatch_probe_latency_seconds histogram",
        "ehlowatch_offline 0",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no line {line:?} in:\n{text}"
        );
    }

    let probes = |name: &str, verdict: &str| {
        value(
            &all,
            "ehlowatch_probes_total",
            &[("monitor", name), ("verdict", verdict)],
        )
        .unwrap_or(0.0)
    };
    assert!(probes("healthy", "success") >= 1.0, "{text}");
    assert!(probes("slow", "warning") >= 1.0, "{text}");
    assert!(probes("failing", "failed") >= 1.0, "{text}");

    assert_latency_histogram(&all, text);

    let latency = |name: &str| value(&all, "ehlowatch_latency_seconds", &[("monitor", name)]);
    assert!(
        latency("healthy").is_some_and(|l| l > 0.0 && l <= qos_s()),
        "{text}"
    );
    assert!(
        latency("slow").is_some_and(|l| l >= SLOW_MS as f64 / 1000.0 && l <= 2.0 * qos_s()),
        "{text}"
    );
    assert_eq!(latency("failing"), None, "{text}");

    let phase = |name: &str, phase: &str| {
        value(
            &all,
            "ehlowatch_phase_seconds",
            &[("monitor", name), ("phase", phase)],
        )
    };
    for p in ["connect", "greeting", "ehlo"] {
        assert!(phase("healthy", p).is_some(), "healthy {p}: {text}");
    }
    assert!(
        phase("slow", "ehlo").is_some_and(|s| s >= SLOW_MS as f64 / 1000.0),
        "{text}"
    );
    assert!(phase("failing", "greeting").is_some(), "{text}");

    let warning = |name: &str, kind: &str| {
        value(
            &all,
            "ehlowatch_warning",
            &[("monitor", name), ("kind", kind)],
        )
    };
    for (name, slow) in [("healthy", 0.0), ("slow", 1.0), ("failing", 0.0)] {
        assert_eq!(warning(name, "slow"), Some(slow), "{name}: {text}");
        assert_eq!(
            warning(name, "certificate_expiring"),
            Some(0.0),
            "{name}: {text}"
        );
    }
    assert_eq!(
        phase("failing", "ehlo"),
        None,
        "no EHLO after a 554: {text}"
    );

    // A name with `"` and `\` survives as a label value (escaped on the wire).
    let odd = eventually("the odd name in /metrics", PATIENCE, || async {
        let body = agent.get("/metrics").await.body;
        let found = value(
            &samples(&body),
            "ehlowatch_status",
            &[("monitor", ODD_NAME)],
        );
        found.map(|v| vec![v]).ok_or(body)
    })
    .await;
    assert_eq!(odd, [0.0], "the odd-named monitor is healthy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_tell_a_slow_answer_from_a_certificate_near_expiry() {
    let pki = TestPki::new();
    let servers = Servers::start().await;
    let expiring = expiring_server(&pki).await;
    let agent = slow_and_expiring_agent(&servers, &expiring, &pki).await;
    agent.metrics_when_judged(&["slow", "expiring"]).await;
    // Both settle at Warning: a first probe slowed past 2×QoS by a cold start (Wine's) is a
    // Failed that two warnings then replace.
    let body = eventually("both monitors at status 1", PATIENCE, || async {
        let body = agent.get("/metrics").await.body;
        let all = samples(&body);
        let at = |name: &str| value(&all, "ehlowatch_status", &[("monitor", name)]);
        if at("slow") == Some(1.0) && at("expiring") == Some(1.0) {
            Ok(body)
        } else {
            Err(body)
        }
    })
    .await;
    let all = samples(&body);
    let text = &body;
    let warning = |name: &str, kind: &str| {
        value(
            &all,
            "ehlowatch_warning",
            &[("monitor", name), ("kind", kind)],
        )
    };
    for name in ["slow", "expiring"] {
        assert_eq!(
            value(&all, "ehlowatch_status", &[("monitor", name)]),
            Some(1.0),
            "{name}: {text}"
        );
    }
    assert_eq!(
        [
            warning("slow", "slow"),
            warning("slow", "certificate_expiring"),
            warning("expiring", "slow"),
            warning("expiring", "certificate_expiring"),
        ],
        [Some(1.0), Some(0.0), Some(0.0), Some(1.0)],
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_openmetrics_for_scrapers_that_ask() {
    let server = FakeSmtp::start(Script::healthy()).await;
    let agent = Agent::start(&config(&[("healthy", server.port())])).await;
    agent.metrics_when_judged(&["healthy"]).await;
    let accept = "Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    let answer = agent.get_with("/metrics", &[accept]).await;
    let content_type = answer.header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("application/openmetrics-text; version=1.0.0"),
        "{answer:?}"
    );
    let text = &answer.body;
    assert!(text.ends_with("# EOF\n"), "{text}");
    assert!(
        text.lines().any(|l| l == "# TYPE ehlowatch_probes counter"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l == r#"ehlowatch_status{monitor="healthy"} 0"#),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian's prometheus package: scripts/test runs it"]
async fn metrics_pass_promtool_check_metrics() {
    let servers = Servers::start().await;
    let mut monitors = servers.monitors();
    monitors.push((ODD_NAME, servers.healthy.port()));
    let agent = Agent::start(&config(&monitors)).await;
    let answer = agent
        .metrics_when_judged(&["healthy", "slow", "failing", ODD_NAME])
        .await;

    // As its documentation runs it: `curl -s …/metrics | promtool check metrics`.
    let mut promtool = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run promtool (Debian package `prometheus`)");
    promtool
        .stdin
        .take()
        .expect("promtool's stdin")
        .write_all(answer.body.as_bytes())
        .expect("feed promtool");
    let out = promtool.wait_with_output().expect("promtool's verdict");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && said.trim().is_empty(),
        "promtool check metrics ({}): {said}\non:\n{}",
        out.status,
        answer.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian's prometheus package: scripts/test runs it"]
async fn the_packaged_slow_alert_holds_for_a_slow_answer_not_for_a_certificate() {
    let pki = TestPki::new();
    let servers = Servers::start().await;
    let expiring = expiring_server(&pki).await;
    let agent = slow_and_expiring_agent(&servers, &expiring, &pki).await;
    let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../packaging/prometheus/ehlowatch-rules.yml");
    let prometheus = Prometheus::start_with_rules(agent.addr(), Some(&rules)).await;

    // When Prometheus scraped `expiring` as a QoS Warning for its certificate alone.
    let seen = r#"timestamp(ehlowatch_status{monitor="expiring"} == 1 and on(monitor) ehlowatch_warning{monitor="expiring",kind="certificate_expiring"} == 1 and on(monitor) ehlowatch_warning{monitor="expiring",kind="slow"} == 0)"#;
    let seen_at = eventually("expiring scraped at status 1", PATIENCE, || async {
        let found = prometheus.query(seen).await?;
        found
            .first()
            .map(|(_, at)| *at)
            .ok_or_else(|| format!("nothing yet\nprometheus log:\n{}", prometheus.log()))
    })
    .await;
    // A rule evaluation after that sample has judged both monitors: `for: 10m` keeps the alert
    // pending, and only `slow` may be there.
    let alerts = eventually(
        "SmtpEhloSlow evaluated after the scrape",
        PATIENCE,
        || async {
            let (last, monitors) = prometheus.alert_rule("SmtpEhloSlow").await?;
            if last > seen_at && !monitors.is_empty() {
                Ok(monitors)
            } else {
                Err(format!(
                    "evaluated at {last} (seen at {seen_at}), alerts {monitors:?}"
                ))
            }
        },
    )
    .await;
    assert_eq!(alerts, ["slow"], "{}", prometheus.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian's prometheus package: scripts/test runs it"]
async fn a_real_prometheus_scrape_sees_status_0_1_and_2() {
    let servers = Servers::start().await;
    let agent = Agent::start(&config(&servers.monitors())).await;
    let prometheus = Prometheus::start(agent.addr()).await;

    let expected = [("failing", 2.0), ("healthy", 0.0), ("slow", 1.0)];
    eventually("ehlowatch_status in Prometheus", PATIENCE, || async {
        let series = prometheus.query("ehlowatch_status").await?;
        let mut seen: Vec<(String, f64)> = series
            .iter()
            .map(|(labels, v)| (labels.get("monitor").cloned().unwrap_or_default(), *v))
            .collect();
        seen.sort_by(|a, b| a.0.cmp(&b.0));
        let want: Vec<(String, f64)> = expected.iter().map(|&(n, v)| (n.to_owned(), v)).collect();
        if seen == want {
            Ok(())
        } else {
            Err(format!("{seen:?}\nprometheus log:\n{}", prometheus.log()))
        }
    })
    .await;

    let up = prometheus
        .query(r#"up{job="ehlowatch"}"#)
        .await
        .expect("query up");
    let up: Vec<f64> = up.iter().map(|(_, v)| *v).collect();
    assert_eq!(up, [1.0], "one target, up");
    // Counters and the info metric keep their OpenMetrics names through the scrape.
    let failed = prometheus
        .query(r#"ehlowatch_probes_total{monitor="failing",verdict="failed"}"#)
        .await
        .expect("query probes_total");
    assert!(
        failed.len() == 1 && failed[0].1 >= 1.0,
        "{failed:?}\n{}",
        prometheus.log()
    );
    let build = prometheus
        .query("ehlowatch_build_info")
        .await
        .expect("query build_info");
    assert_eq!(build.len(), 1, "{build:?}");
    drop(prometheus);
}
