//! The agent's API over TLS and behind tokens, end to end: the real `ehlowatch run` serving
//! HTTPS with a certificate from a test CA, a read-only and a control token; requests without
//! or with a wrong token get 401 and no data, the read-only token reads but cannot act, the
//! control token can; no token ever reaches a file the agent writes; a renewed certificate is
//! served after SIGHUP; only the control token snoozes a monitor (shown `paused`) and resumes it; and a real Prometheus scrapes it with the README's settings. The
//! refusals at start are in `agent_auth_refusals.rs`.
//!
//! The Prometheus test is `#[ignore]`d (Debian's `prometheus` package): `scripts/test` runs it.

mod agent_support;

use std::path::Path;

use agent_support::exposition::{samples, value};
use agent_support::prometheus::Prometheus;
use agent_support::{bearer, config_every, eventually, Agent, Response, PATIENCE};
use ehlowatch_testkit::{FakeSmtp, Script, ServerCert, TestPki, Validity};

const READ_TOKEN: &str = "read-5b1f0c2e9a7d4e61";
const CONTROL_TOKEN: &str = "control-8e3a6d2f0b9c4a17";

/// An agent on loopback serving HTTPS with a certificate from `pki`, with both tokens and
/// `extra` arguments; two monitors: `healthy`, probed at start and then only every ten minutes,
/// and `off`, disabled.
async fn start_agent(pki: &TestPki, healthy: &FakeSmtp, extra: &[&str]) -> Agent {
    let mut config = config_every(600, &[("healthy", healthy.port())]);
    config.push_str(
        "\n[[monitor]]\nname = 'off'\nhost = \"127.0.0.1\"\nport = 25\nenabled = false\n",
    );
    Agent::start_secured(&config, pki, READ_TOKEN, CONTROL_TOKEN, extra).await
}

/// A 401 that challenges for a bearer token and says nothing about the monitors.
fn assert_refused(r: &Response, what: &str) {
    assert_eq!(r.status, 401, "{what}: {r:?}");
    let challenge = r.header("www-authenticate").unwrap_or_default();
    assert!(challenge.starts_with("Bearer"), "{what}: {r:?}");
    assert!(
        !r.body.contains("healthy") && !r.body.contains("127.0.0.1"),
        "{what}: {r:?}"
    );
}

fn successful_probes(metrics: &str) -> u64 {
    let count = value(
        &samples(metrics),
        "ehlowatch_probes_total",
        &[("monitor", "healthy"), ("verdict", "success")],
    );
    count.map_or(0, |c| c as u64)
}

#[tokio::test]
async fn no_or_a_wrong_token_gets_401_and_no_data_and_the_read_only_token_reads() {
    let pki = TestPki::new();
    let healthy = FakeSmtp::start(Script::healthy()).await;
    let agent = start_agent(&pki, &healthy, &[]).await;

    for (method, path) in [
        ("GET", "/api/status"),
        ("POST", "/api/monitors/healthy/check"),
    ] {
        assert_refused(&agent.request(method, path, &[]).await, "no token");
        let wrong = agent
            .request(method, path, &[&bearer("read-5b1f0c2e9a7d4e6")])
            .await;
        assert_refused(&wrong, "a wrong token");
        let challenge = wrong.header("www-authenticate").unwrap_or_default();
        assert!(challenge.contains("invalid_token"), "{wrong:?}");
        let basic = format!("Authorization: Basic {READ_TOKEN}");
        assert_refused(
            &agent.request(method, path, &[&basic]).await,
            "another scheme",
        );
    }

    let status = agent
        .request("GET", "/api/status", &[&bearer(READ_TOKEN)])
        .await;
    assert_eq!(status.status, 200, "{status:?}");
    assert_eq!(
        status.json()["monitors"][0]["name"],
        "healthy",
        "{status:?}"
    );
    assert_eq!(
        agent.get("/healthz").await.status,
        200,
        "/healthz stays open"
    );
    assert_eq!(
        agent.get("/metrics").await.status,
        200,
        "/metrics is open by default"
    );

    // Plain HTTP on the HTTPS port gets no data.
    let plain = agent_support::http::get(agent.addr(), "/api/status", &[&bearer(READ_TOKEN)]).await;
    assert!(
        plain.as_ref().map_or(true, |r| !r.body.contains("healthy")),
        "{plain:?}"
    );

    assert_no_token_in_files_written(agent.dir());
}

#[tokio::test]
async fn the_read_only_token_cannot_check_now_and_the_control_token_can() {
    let pki = TestPki::new();
    let healthy = FakeSmtp::start(Script::healthy()).await;
    let agent = start_agent(&pki, &healthy, &[]).await;

    // The first probe at start, then nothing for ten minutes but what the control token asks.
    let before = eventually("the first probe in /metrics", PATIENCE, || async {
        let probes = successful_probes(&agent.get("/metrics").await.body);
        if probes >= 1 {
            Ok(probes)
        } else {
            Err(format!("{probes} probes"))
        }
    })
    .await;
    let check = "/api/monitors/healthy/check";
    let read_only = agent.request("POST", check, &[&bearer(READ_TOKEN)]).await;
    assert_eq!(
        read_only.status, 403,
        "the read-only token cannot act: {read_only:?}"
    );
    let nobody = "/api/monitors/nobody/check";
    let unknown = agent
        .request("POST", nobody, &[&bearer(CONTROL_TOKEN)])
        .await;
    assert_eq!(unknown.status, 404, "{unknown:?}");
    let off = "/api/monitors/off/check";
    let disabled = agent.request("POST", off, &[&bearer(CONTROL_TOKEN)]).await;
    assert_eq!(disabled.status, 409, "{disabled:?}");
    let after_refusals = successful_probes(&agent.get("/metrics").await.body);
    assert_eq!(
        after_refusals, before,
        "nothing probed on a refused or unknown check"
    );

    let control = agent
        .request("POST", check, &[&bearer(CONTROL_TOKEN)])
        .await;
    assert_eq!(
        control.status, 202,
        "the control token can act: {control:?}"
    );
    eventually("the asked probe in /metrics", PATIENCE, || async {
        let probes = successful_probes(&agent.get("/metrics").await.body);
        if probes > before {
            Ok(())
        } else {
            Err(format!("{probes} probes"))
        }
    })
    .await;
    let control_reads = agent
        .request("GET", "/api/status", &[&bearer(CONTROL_TOKEN)])
        .await;
    assert_eq!(control_reads.status, 200, "the control token reads too");
    assert_no_token_in_files_written(agent.dir());
}

/// The status `/api/status` shows for the monitor `healthy`, asked with `token`, whose access
/// it checks (`read` or `control`).
async fn healthy_shown(agent: &Agent, token: &str) -> String {
    let access = if token == READ_TOKEN {
        "read"
    } else {
        "control"
    };
    let status = agent
        .request("GET", "/api/status", &[&bearer(token)])
        .await
        .json();
    assert_eq!(status["access"], access, "{status}");
    let healthy = status["monitors"]
        .as_array()
        .and_then(|ms| ms.iter().find(|m| m["name"] == "healthy"))
        .cloned()
        .unwrap_or_default();
    healthy["status"].as_str().unwrap_or_default().to_owned()
}

/// Waits until `healthy` is shown `want`.
async fn until_healthy_shown(agent: &Agent, token: &str, want: &str) {
    eventually(&format!("healthy shown {want}"), PATIENCE, || async {
        match healthy_shown(agent, token).await {
            s if s == want => Ok(()),
            s => Err(s),
        }
    })
    .await;
}

#[tokio::test]
async fn only_the_control_token_snoozes_and_resumes_and_the_status_says_paused_and_its_access() {
    let pki = TestPki::new();
    let healthy = FakeSmtp::start(Script::healthy()).await;
    let agent = start_agent(&pki, &healthy, &[]).await;
    until_healthy_shown(&agent, READ_TOKEN, "success").await;

    let snooze = "/api/monitors/healthy/snooze";
    let hour = r#"{"minutes": 60}"#;
    let read = [bearer(READ_TOKEN)];
    let read = [read[0].as_str()];
    let control = [bearer(CONTROL_TOKEN)];
    let control = [control[0].as_str()];
    let refused = agent.request_with_body("POST", snooze, &read, hour).await;
    assert_eq!(refused.status, 403, "{refused:?}");
    let refused = agent.request("DELETE", snooze, &read).await;
    assert_eq!(refused.status, 403, "{refused:?}");
    let nobody = "/api/monitors/nobody/snooze";
    let unknown = agent
        .request_with_body("POST", nobody, &control, hour)
        .await;
    assert_eq!(unknown.status, 404, "{unknown:?}");
    let zero = r#"{"minutes": 0}"#;
    let bad = agent
        .request_with_body("POST", snooze, &control, zero)
        .await;
    assert_eq!(bad.status, 400, "{bad:?}");
    assert!(bad.body.contains("minutes: 0"), "{bad:?}");
    assert_eq!(
        healthy_shown(&agent, READ_TOKEN).await,
        "success",
        "nothing snoozed by a refusal"
    );

    let snoozed = agent
        .request_with_body("POST", snooze, &control, hour)
        .await;
    assert_eq!(snoozed.status, 202, "{snoozed:?}");
    until_healthy_shown(&agent, CONTROL_TOKEN, "paused").await;
    let resumed = agent.request("DELETE", snooze, &control).await;
    assert_eq!(resumed.status, 202, "{resumed:?}");
    until_healthy_shown(&agent, READ_TOKEN, "success").await;
    let forever = r#"{"minutes": null}"#;
    let snoozed = agent
        .request_with_body("POST", snooze, &control, forever)
        .await;
    assert_eq!(snoozed.status, 202, "{snoozed:?}");
    until_healthy_shown(&agent, READ_TOKEN, "paused").await;
    assert_no_token_in_files_written(agent.dir());
}

/// No token, whole or in part, in any file of the agent's directory but the token files.
fn assert_no_token_in_files_written(dir: &Path) {
    let mut scanned = Vec::new();
    for entry in std::fs::read_dir(dir).expect("list the agent's directory") {
        let path = entry.expect("an entry").path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if path.extension().is_some_and(|e| e == "token") {
            continue;
        }
        let bytes = std::fs::read(&path).expect("read a file the agent wrote");
        for token in [READ_TOKEN, CONTROL_TOKEN] {
            for needle in [token, &token[token.len() - 8..]] {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                    "{needle:?} found in {name}"
                );
            }
        }
        scanned.push(name);
    }
    for written in ["agent.log", "history.sqlite"] {
        assert!(
            scanned.iter().any(|n| n == written),
            "{written} scanned: {scanned:?}"
        );
    }
}

#[tokio::test]
async fn metrics_auth_puts_metrics_behind_the_read_only_token() {
    let pki = TestPki::new();
    let healthy = FakeSmtp::start(Script::healthy()).await;
    let agent = start_agent(&pki, &healthy, &["--metrics-auth"]).await;
    let open = agent.get("/metrics").await;
    assert_eq!(open.status, 401, "{open:?}");
    assert!(!open.body.contains("ehlowatch_"), "{open:?}");
    let read = agent
        .request("GET", "/metrics", &[&bearer(READ_TOKEN)])
        .await;
    assert_eq!(read.status, 200, "{read:?}");
    assert!(read.body.contains("ehlowatch_build_info"), "{read:?}");
    assert_eq!(
        agent.get("/healthz").await.status,
        200,
        "/healthz stays open"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian's prometheus package: scripts/test runs it"]
async fn prometheus_scrapes_over_tls_with_the_token_from_a_credentials_file() {
    let pki = TestPki::new();
    let healthy = FakeSmtp::start(Script::healthy()).await;
    let agent = start_agent(&pki, &healthy, &["--metrics-auth"]).await;
    // The README's scrape job: https, the agent's CA, the read-only token from a file.
    let job = format!(
        "    scheme: https\n    tls_config:\n      ca_file: '{}'\n    authorization:\n      \
         credentials_file: '{}'\n",
        pki.ca_file().display(),
        agent.dir().join("read.token").display()
    );
    let prometheus = Prometheus::start_configured(agent.addr(), None, &job).await;
    eventually("Prometheus scraped the agent", PATIENCE, || async {
        let up = prometheus.query(r#"up{job="ehlowatch"} == 1"#).await?;
        let built = prometheus.query("ehlowatch_build_info").await?;
        if up.len() == 1 && built.len() == 1 {
            Ok(())
        } else {
            Err(format!(
                "up {up:?}, build_info {built:?}\n{}",
                prometheus.log()
            ))
        }
    })
    .await;
    assert_no_token_in_files_written(agent.dir());
}

#[tokio::test]
#[cfg_attr(windows, ignore = "sends SIGHUP with kill(1): Unix signals")]
async fn sighup_serves_a_renewed_certificate_and_keeps_it_when_the_next_is_broken() {
    let pki = TestPki::new();
    let healthy = FakeSmtp::start(Script::healthy()).await;
    let agent = start_agent(&pki, &healthy, &[]).await;
    let first = agent.certificate().await.expect("a certificate");

    let renewed = pki.server_cert(&["127.0.0.1"], Validity::FRESH);
    std::fs::write(agent.dir().join("cert.pem"), &renewed.chain_pem).expect("write the cert");
    std::fs::write(agent.dir().join("key.pem"), &renewed.key_pem).expect("write the key");
    agent.signal("HUP");
    eventually("the renewed certificate is served", PATIENCE, || async {
        let served = agent.certificate().await?;
        if served == renewed.chain[0] {
            Ok(())
        } else if served == first {
            Err("still the first certificate".to_owned())
        } else {
            Err("an unknown certificate".to_owned())
        }
    })
    .await;

    // A key that does not match its certificate (a renewal half-copied): the running pair stays.
    let other = ServerCert::self_signed(&["127.0.0.1"]);
    std::fs::write(agent.dir().join("key.pem"), &other.key_pem).expect("write the key");
    agent.signal("HUP");
    let log = agent.log_when("TLS reload refused").await;
    assert!(
        log.contains("--tls-key") && log.contains("key.pem"),
        "{log}"
    );
    assert_eq!(
        agent.certificate().await.expect("a certificate"),
        renewed.chain[0]
    );
}
