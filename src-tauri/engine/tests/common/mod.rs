//! Helpers shared by the engine's integration tests: probe specs aimed at a fake server, the
//! JSON spelling of enum values, and the EHLO name a probe from this machine should send.

#![allow(dead_code)]

use std::net::IpAddr;
use std::time::Duration;

use ehlowatch_engine::{Phases, TlsMode};
use ehlowatch_engine::{ProbeReport, ProbeSpec, Prober};
use ehlowatch_testkit::{FakeSmtp, Scenario, TestPki};
use serde::Serialize;

/// A probe of `server` (by its IP literal) with QoS `qos_ms` and everything else at defaults.
pub fn spec(server: &FakeSmtp, qos_ms: u64) -> ProbeSpec {
    let mut spec = ProbeSpec::new(server.addr().ip().to_string(), server.port());
    spec.thresholds.qos = Duration::from_millis(qos_ms);
    spec
}

/// A probe of `server` as `scenario` says it must be probed: its TLS mode, trusting `pki`.
pub fn scenario_spec(
    scenario: &Scenario,
    server: &FakeSmtp,
    pki: &TestPki,
    qos_ms: u64,
) -> ProbeSpec {
    let mut spec = spec(server, qos_ms);
    spec.tls = scenario.client_tls.parse::<TlsMode>().expect("a TLS mode");
    spec.trust.ca_file = Some(pki.ca_file());
    spec
}

/// Probes once with a fresh prober.
pub async fn probe(spec: &ProbeSpec) -> ProbeReport {
    Prober::new().probe(spec).await
}

/// How a value is spelled in the JSON report (`"ehlo_rejected"`, `"greeting"` …).
pub fn json_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .expect("serialisable")
        .as_str()
        .expect("a string")
        .to_owned()
}

/// The failure as `(phase, kind)` in its JSON spelling, for comparing with the catalogue.
pub fn failure_names(report: &ProbeReport) -> Option<(String, String)> {
    report
        .failure
        .as_ref()
        .map(|f| (json_name(&f.phase), json_name(&f.kind)))
}

/// The EHLO name a probe from this machine over `local` must send (DESIGN.md §1): the host name
/// (on Windows joined with the primary DNS suffix, as `reg` reports it) when it is a dotted
/// FQDN, else the address literal.
pub fn expected_ehlo_name(local: IpAddr) -> String {
    let mut host = gethostname::gethostname()
        .to_string_lossy()
        .trim_end_matches('.')
        .to_owned();
    if let Some(suffix) = primary_dns_suffix().filter(|_| !host.contains('.')) {
        host = format!("{host}.{suffix}");
    }
    let fqdn = host.contains('.')
        && !host.to_ascii_lowercase().starts_with("localhost")
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    if fqdn {
        host
    } else {
        match local {
            IpAddr::V4(v4) => format!("[{v4}]"),
            IpAddr::V6(v6) => format!("[IPv6:{v6}]"),
        }
    }
}

/// Windows' primary DNS suffix, from `reg query` (a line `    Domain    REG_SZ    corp.example`).
#[cfg(windows)]
fn primary_dns_suffix() -> Option<String> {
    let out = std::process::Command::new("reg")
        .args([
            "query",
            r"HKLM\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters",
            "/v",
            "Domain",
        ])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("Domain"))?;
    let value = line.split("REG_SZ").nth(1)?.trim().trim_matches('.');
    (!value.is_empty()).then(|| value.to_owned())
}

#[cfg(not(windows))]
fn primary_dns_suffix() -> Option<String> {
    None
}

/// The sum of the timed phases (everything but DNS).
pub fn timed_sum(phases: &Phases) -> Duration {
    [
        phases.connect,
        phases.tls,
        phases.greeting,
        phases.starttls,
        phases.ehlo,
    ]
    .into_iter()
    .flatten()
    .sum()
}

/// Asserts `got` is within `slack` of `want`.
#[track_caller]
pub fn assert_near(got: Duration, want: Duration, slack: Duration, what: &str) {
    let off = got.abs_diff(want);
    assert!(
        off <= slack,
        "{what}: {got:?} is not within {slack:?} of {want:?}"
    );
}
