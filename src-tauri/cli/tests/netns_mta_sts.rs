//! MTA-STS and TLS-RPT against real servers: the lab's NSD serves `sts.test` (TTL 2 s) with
//! each domain's `_mta-sts` and `_smtp._tls` records; fake HTTPS policy hosts in the server
//! namespace, one address each on port 443, present certificates from a test CA and serve a
//! policy, or a body past 64 KiB, or nothing in time, or a redirect, or an expired certificate;
//! the MX hosts are fake STARTTLS servers with certificates from the same CA. `check --domain
//! --mta-sts-ca-file` judges each case; the agent shows an enforce policy that stops covering an
//! MX host as that host Failed with the MTA-STS reason, green again once a fixed policy is
//! published under a new id, and the policy change as one 5541 finding. A counter in the client
//! namespace shows nothing left the lab.

#![cfg(target_os = "linux")]

mod agent_support;

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::time::Instant;

use agent_support::sse::Viewer;
use agent_support::{agent_exe, eventually, monitor, Agent, PATIENCE};
use ehlowatch_testkit::netns::{Family, Lab, Zone};
use ehlowatch_testkit::{TestPki, Validity};
use serde_json::Value;

/// The TTL of every record, in seconds.
const TTL: u32 = 2;

/// A policy in `mode` covering `mx` patterns.
fn policy(mode: &str, mx: &[&str]) -> String {
    let patterns = mx
        .iter()
        .fold(String::new(), |all, p| all + "mx: " + p + "\r\n");
    format!("version: STSv1\r\nmode: {mode}\r\n{patterns}max_age: 86400\r\n")
}

/// Writes `text` to `path`.
fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// Runs `ehlowatch check --domain DOMAIN` in the client namespace through the lab's NSD,
/// trusting the test CA for MTA-STS: exit code and stdout.
fn check(lab: &Lab, nsd: IpAddr, ca: &Path, domain: &str, args: &[&str]) -> (i32, String) {
    let out = lab
        .client_cmd(agent_exe())
        .args([
            "check",
            "--domain",
            domain,
            "--resolver",
            &format!("{nsd}:53"),
        ])
        .arg("--mta-sts-ca-file")
        .arg(ca)
        .args(args)
        .args(["--qos-ms", "1000", "--ehlo-name", "probe.example.test"])
        .output()
        .expect("run ehlowatch check in the client namespace");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// `check --domain DOMAIN --policy --json`: the exit code and the report.
fn report_of(lab: &Lab, nsd: IpAddr, ca: &Path, domain: &str) -> (i32, Value) {
    let (code, out) = check(lab, nsd, ca, domain, &["--policy", "--json"]);
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    (code, report)
}

/// The target of MX host `mx` in `report`.
fn target<'a>(report: &'a Value, mx: &str) -> &'a Value {
    report["targets"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["mx"] == mx))
        .unwrap_or_else(|| panic!("no target {mx}: {report}"))
}

/// The lab of the `check --domain` cases: MX hosts, policy hosts and the zone `sts.test`.
struct Cases {
    lab: Lab,
    nsd: IpAddr,
    ca: std::path::PathBuf,
    /// The MX hosts by name, with their addresses.
    mx: Vec<(&'static str, IpAddr)>,
    _pki: TestPki,
    _dir: tempfile::TempDir,
}

/// Starts the MX hosts (two good ones, one with an expired certificate, one with another's
/// name), the policy hosts (one address each) and NSD.
fn cases() -> Cases {
    let mut lab = Lab::new("mtasts");
    let pki = TestPki::new();
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = pki.ca_file();

    // MX hosts: two good ones, one with an expired certificate, one with another's name.
    let mut mx = Vec::new();
    for (name, cert_name, validity) in [
        ("mx1", "mx1.sts.test", Validity::FRESH),
        ("mx2", "mx2.sts.test", Validity::FRESH),
        ("expired.mx", "expired.mx.sts.test", Validity::EXPIRED),
        ("wrongname.mx", "someone-else.sts.test", Validity::FRESH),
    ] {
        let ip = lab.add_server_ip(Family::V4);
        let cert = pki.server_cert(&[cert_name], validity);
        lab.fake_smtp_with_cert(SocketAddr::new(ip, 25), "starttls", &cert);
        mx.push((name, ip));
    }

    // Policy hosts: one address each.
    let enforce = dir.path().join("enforce.txt");
    write(
        &enforce,
        &policy("enforce", &["mx1.sts.test", "*.mx.sts.test"]),
    );
    let testing = dir.path().join("testing.txt");
    write(&testing, &policy("testing", &["mx1.sts.test"]));
    let enforce_domains = ["good", "uncovered", "mxexpired", "mxname", "rpttypo"];
    let mut hosts: Vec<(&str, IpAddr)> = Vec::new();
    for (domains, mode, file, validity) in [
        (&enforce_domains[..], "good", &enforce, Validity::FRESH),
        (&["testing"][..], "good", &testing, Validity::FRESH),
        (&["oversized"][..], "oversized", &enforce, Validity::FRESH),
        (&["slow"][..], "slow", &enforce, Validity::FRESH),
        (&["redirect"][..], "redirect", &enforce, Validity::FRESH),
        (&["expiredhost"][..], "good", &enforce, Validity::EXPIRED),
    ] {
        let ip = lab.add_server_ip(Family::V4);
        let names: Vec<String> = domains
            .iter()
            .map(|d| format!("mta-sts.{d}.sts.test"))
            .collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let cert = pki.server_cert(&names, validity);
        lab.fake_mta_sts(SocketAddr::new(ip, 443), mode, &cert, file);
        hosts.extend(domains.iter().map(|d| (*d, ip)));
    }

    let mut zone = Zone::new("sts.test").ttl(TTL);
    for (name, ip) in &mx {
        zone = zone.ip(name, *ip);
    }
    for (domain, ip) in &hosts {
        let mxs: &[&str] = match *domain {
            "uncovered" | "testing" => &["mx1", "mx2"],
            "mxexpired" => &["expired.mx"],
            "mxname" => &["wrongname.mx"],
            _ => &["mx1"],
        };
        for (i, host) in mxs.iter().enumerate() {
            zone = zone.raw(&format!("{domain} MX {} {host}", 10 * (i + 1)));
        }
        zone = zone
            .ip(&format!("mta-sts.{domain}"), *ip)
            .txt(&format!("_mta-sts.{domain}"), "v=STSv1; id=20260101;");
    }
    zone = zone
        .txt(
            "_smtp._tls.good",
            "v=TLSRPTv1; rua=mailto:tls-reports@sts.test",
        )
        .txt(
            "_smtp._tls.rpttypo",
            "v=TSLRPTv1; rua=mailto:tls-reports@sts.test",
        );
    let nsd = lab.serve_dns(&[zone]);
    Cases {
        lab,
        nsd,
        ca,
        mx,
        _pki: pki,
        _dir: dir,
    }
}

#[test]
#[ignore = "needs root, network namespaces and NSD: scripts/test runs it"]
fn check_domain_judges_each_mta_sts_and_tls_rpt_case() {
    let cases = cases();
    colours_each_case(&cases);
    names_what_keeps_the_policy_from_senders(&cases);
    assert_eq!(cases.lab.escaped_packets(), 0, "nothing left the lab");
}

/// Green, Failed or amber, as the policy and the MX host say.
fn colours_each_case(cases: &Cases) {
    let Cases { lab, nsd, ca, .. } = cases;
    let (lab, nsd, ca) = (lab, *nsd, ca.as_path());
    // enforce, every host covered and its certificate accepted: green.
    let (code, good) = report_of(lab, nsd, ca, "good.sts.test");
    assert_eq!(code, 0, "{good}");
    let view = &good["mta_sts_policy"];
    assert_eq!(
        (
            view["state"].as_str(),
            view["mode"].as_str(),
            view["id"].as_str()
        ),
        (Some("active"), Some("enforce"), Some("20260101")),
        "{view}"
    );
    assert_eq!(
        view["mx"],
        serde_json::json!(["mx1.sts.test", "*.mx.sts.test"])
    );
    assert_eq!(view["host_unreachable"], false);
    assert_eq!(
        target(&good, "mx1.sts.test")["report"]["mta_sts"]["state"],
        "valid"
    );
    assert_eq!(good["tls_rpt"]["state"], "valid", "{good}");

    // enforce, mx2 not covered: mx2 Failed with the MTA-STS reason, mx1 green.
    let (code, uncovered) = report_of(lab, nsd, ca, "uncovered.sts.test");
    assert_eq!(code, 2, "{uncovered}");
    let mx2 = target(&uncovered, "mx2.sts.test");
    assert_eq!(mx2["status"], "failed", "{mx2}");
    assert_eq!(mx2["report"]["failure"]["kind"], "mta_sts", "{mx2}");
    assert_eq!(
        mx2["report"]["reason"],
        "MTA-STS senders will refuse this host: mx2.sts.test matches no mx pattern of the policy (id=20260101: mx1.sts.test, *.mx.sts.test)"
    );
    assert_eq!(target(&uncovered, "mx1.sts.test")["status"], "success");

    // testing, the same finding: amber.
    let (code, testing_report) = report_of(lab, nsd, ca, "testing.sts.test");
    assert_eq!(code, 1, "{testing_report}");
    let mx2 = target(&testing_report, "mx2.sts.test");
    assert_eq!(mx2["status"], "warning", "{mx2}");
    assert_eq!(
        mx2["report"]["warnings"][0]["kind"], "mta_sts_testing",
        "{mx2}"
    );

    // enforce, an MX certificate expired or for another name: Failed.
    for (domain, host, said) in [
        (
            "mxexpired.sts.test",
            "expired.mx.sts.test",
            "its certificate has expired",
        ),
        (
            "mxname.sts.test",
            "wrongname.mx.sts.test",
            "its certificate is not for this host name",
        ),
    ] {
        let (code, report) = report_of(lab, nsd, ca, domain);
        assert_eq!(code, 2, "{report}");
        let t = target(&report, host);
        assert_eq!(
            t["report"]["mta_sts"]["state"], "certificate_refused",
            "{t}"
        );
        assert_eq!(
            t["report"]["reason"],
            format!("MTA-STS senders will refuse this host: {host}: {said}"),
        );
    }
}

/// No colour when senders cannot get the policy, the verdict naming why; the TLS-RPT typo
/// amber; `--policy` as text.
fn names_what_keeps_the_policy_from_senders(cases: &Cases) {
    let Cases {
        lab, nsd, ca, mx, ..
    } = cases;
    let (lab, nsd, ca) = (lab, *nsd, ca.as_path());
    // A policy senders cannot get: no colour, the verdict names the problem.
    for (domain, said) in [
        ("oversized.sts.test", "larger than 64 KiB"),
        ("slow.sts.test", "did not answer within"),
        ("redirect.sts.test", "redirect (HTTP 301)"),
        ("expiredhost.sts.test", "its certificate has expired"),
    ] {
        let (code, report) = report_of(lab, nsd, ca, domain);
        assert_eq!(code, 0, "{domain}: {report}");
        let view = &report["mta_sts_policy"];
        assert_eq!(view["state"], "fetch_failed", "{domain}: {view}");
        let verdict = view["verdict"].as_str().unwrap_or_default();
        assert!(
            verdict.contains(said) && verdict.contains("senders cannot get it"),
            "{domain}: {verdict}"
        );
        assert!(target(&report, "mx1.sts.test")["report"]["mta_sts"].is_null());
    }

    // The TLS-RPT typo: amber, called by name.
    let (code, typo) = report_of(lab, nsd, ca, "rpttypo.sts.test");
    assert_eq!(code, 1, "{typo}");
    assert_eq!(typo["tls_rpt"]["state"], "broken");
    assert!(
        typo["tls_rpt"]["verdict"]
            .as_str()
            .is_some_and(|v| v.contains("v=TSLRPTv1 is a typo of v=TLSRPTv1")),
        "{typo}"
    );
    assert_eq!(typo["warnings"][0]["kind"], "tls_rpt_broken", "{typo}");

    // --policy as text: the domain's lines once, then each target's.
    let (_, text) = check(lab, nsd, ca, "uncovered.sts.test", &["--policy"]);
    assert!(
        text.contains("\nMTA-STS active: MTA-STS policy id=20260101 mode enforce")
            && text.contains("\n    TXT v=STSv1; id=20260101;\n")
            && text.contains(&format!(
                "\n  mx2.sts.test {} MTA-STS mx_not_covered: MTA-STS senders will refuse this host",
                mx[1].1
            )),
        "{text}"
    );
}

/// `live.sts.test`: `mx1` and `mx2`, its policy host, its record with `id`.
fn live_zone(mx1: IpAddr, mx2: IpAddr, host: IpAddr, id: &str) -> Zone {
    Zone::new("sts.test")
        .ttl(TTL)
        .ip("mx1", mx1)
        .ip("mx2", mx2)
        .raw("live MX 10 mx1")
        .raw("live MX 20 mx2")
        .ip("mta-sts.live", host)
        .txt("_mta-sts.live", &format!("v=STSv1; id={id};"))
}

/// The agent's configuration: `live.sts.test` watched every second through the lab's NSD,
/// the test CA trusted for MTA-STS.
fn agent_config(nsd: IpAddr, ca: &Path) -> String {
    format!(
        r#"[defaults]
qos_ms = 400
interval_s = 1
retry_s = 1
ehlo_name = "probe.example.test"

[dns]
resolver = ["{nsd}:53"]
min_ttl_s = 1

[mail_policy]
mta_sts_ca_file = "{}"

[[monitor]]
name = "watched"
domain = "live.sts.test"
"#,
        ca.display()
    )
}

/// The metrics of mx2 not covered under an enforce policy.
async fn assert_metrics(agent: &Agent, mx2_ip: IpAddr) {
    let labels = [
        ("monitor", "watched"),
        ("mx", "mx2.sts.test"),
        ("target", &mx2_ip.to_string()),
        ("state", "mx_not_covered"),
    ];
    let (value, body) = agent.sample("ehlowatch_mta_sts", &labels).await;
    assert_eq!(value, Some(1.0), "{body}");
    let mode = [("monitor", "watched"), ("mode", "enforce")];
    let (value, body) = agent.sample("ehlowatch_mta_sts_mode", &mode).await;
    assert_eq!(value, Some(1.0), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root, network namespaces and NSD: scripts/test runs it"]
async fn an_enforce_policy_that_stops_covering_an_mx_host_fails_it_until_fixed() {
    let mut lab = Lab::new("stslive");
    let pki = TestPki::new();
    let dir = tempfile::tempdir().expect("temp dir");
    let mx1_ip = lab.add_server_ip(Family::V4);
    let mx2_ip = lab.add_server_ip(Family::V4);
    let host_ip = lab.add_server_ip(Family::V4);
    for (ip, name) in [(mx1_ip, "mx1.sts.test"), (mx2_ip, "mx2.sts.test")] {
        let cert = pki.server_cert(&[name], Validity::FRESH);
        lab.fake_smtp_with_cert(SocketAddr::new(ip, 25), "starttls", &cert);
    }
    let file = dir.path().join("live.txt");
    let both = policy("enforce", &["mx1.sts.test", "mx2.sts.test"]);
    write(&file, &both);
    let cert = pki.server_cert(&["mta-sts.live.sts.test"], Validity::FRESH);
    let policy_host = lab.fake_mta_sts(SocketAddr::new(host_ip, 443), "good", &cert, &file);
    let nsd = lab.serve_dns(&[live_zone(mx1_ip, mx2_ip, host_ip, "1")]);
    let config = agent_config(nsd, &pki.ca_file());
    let command = lab.client_cmd(agent_exe());
    let agent = Agent::start_via(&config, &[], command, |addr| {
        lab.forward_to_client(addr.port())
    })
    .await;
    agent
        .mx_target_when("mx1.sts.test", "success", "mta_sts", "valid")
        .await;
    agent
        .mx_target_when("mx2.sts.test", "success", "mta_sts", "valid")
        .await;
    let mut viewer = Viewer::connect(agent.addr(), "/api/events?results=1", &[]).await;

    // A new policy, published under a new id, no longer covers mx2: mx2 Failed.
    write(&file, &policy("enforce", &["mx1.sts.test"]));
    lab.serve_dns(&[live_zone(mx1_ip, mx2_ip, host_ip, "2")]);
    let failed = agent
        .mx_target_when("mx2.sts.test", "failed", "mta_sts", "mx_not_covered")
        .await;
    assert_eq!(
        failed["reason"],
        "MTA-STS senders will refuse this host: mx2.sts.test matches no mx pattern of the policy (id=2: mx1.sts.test)",
        "{failed}"
    );
    agent
        .mx_target_when("mx1.sts.test", "success", "mta_sts", "valid")
        .await;
    let told = viewer
        .until("an MTA-STS finding", |e| {
            e.event == "finding" && e.data["event_id"] == 5541
        })
        .await;
    let finding = &told.last().expect("the finding").data;
    assert_eq!(finding["kind"], "mta_sts", "{finding}");
    assert!(
        finding["changes"][0]
            .as_str()
            .is_some_and(|c| c.contains("id=1") && c.contains("→ id=2")),
        "{finding}"
    );
    let all = agent.status().await;
    assert_eq!(
        monitor(&all, "watched")["mta_sts_policy"]["id"],
        "2",
        "{all}"
    );
    assert_metrics(&agent, mx2_ip).await;
    drop(viewer);

    // Fixed, under a new id: green again within the TTL and an interval (and a loaded machine).
    let fixed_at = Instant::now();
    write(&file, &both);
    lab.serve_dns(&[live_zone(mx1_ip, mx2_ip, host_ip, "3")]);
    agent
        .mx_target_when("mx2.sts.test", "success", "mta_sts", "valid")
        .await;
    let took = fixed_at.elapsed();
    assert!(
        took.as_secs() <= u64::from(TTL) + 1 + 10,
        "green again {took:?} after the policy was fixed"
    );

    // The policy host goes down and a new id is published: the cached policy still applies.
    lab.stop(policy_host);
    lab.serve_dns(&[live_zone(mx1_ip, mx2_ip, host_ip, "4")]);
    let kept = eventually("the cached policy kept", PATIENCE, || async {
        let all = agent.status().await;
        let view = monitor(&all, "watched")["mta_sts_policy"].clone();
        if view["host_unreachable"] == true {
            Ok(view)
        } else {
            Err(format!("{view}\nlog:\n{}", agent.log()))
        }
    })
    .await;
    assert!(
        kept["verdict"]
            .as_str()
            .is_some_and(|v| v.starts_with("policy host unreachable: using the policy fetched at ")),
        "{kept}"
    );
    assert_eq!(
        (kept["id"].as_str(), kept["policy_id"].as_str()),
        (Some("4"), Some("3"))
    );
    agent
        .mx_target_when("mx2.sts.test", "success", "mta_sts", "valid")
        .await;
    assert_eq!(lab.escaped_packets(), 0, "nothing left the lab");
}
