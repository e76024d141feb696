//! How a report is printed: the Nagios status line with performance data (DESIGN.md §2), the
//! transcript for `-v`, and the JSON object for `--json`.

use std::fmt::Write as _;
use std::time::Duration;

use ehlowatch_engine::show_duration;
use ehlowatch_engine::Verdict;
use ehlowatch_engine::{Direction, FailureKind, Phase, ProbeReport, TargetReport};

/// The exit code of a report, as a Nagios plugin's: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
/// `domain` says the report is a mail domain's.
pub fn exit_code(report: &ProbeReport, domain: bool) -> u8 {
    match report.status {
        _ if undecided(report, domain) => 3,
        Verdict::Success => 0,
        Verdict::Warning => 1,
        Verdict::Failed => 2,
    }
}

/// Nothing was judged: no address has a route from here, a mail domain takes no mail (null
/// MX), or the resolver gave no answer for a mail domain (a problem on this side).
fn undecided(report: &ProbeReport, domain: bool) -> bool {
    let kind = report.failure.as_ref().map(|f| (f.phase, f.kind));
    report.no_route()
        || kind == Some((Phase::Dns, FailureKind::NullMx))
        || (domain && report.targets.is_empty() && kind == Some((Phase::Dns, FailureKind::Timeout)))
}

/// `SMTP OK - 250 in 12.3 ms from mx.example.com[203.0.113.5]:25 | time=… connect=… …`; a
/// failing one with other addresses that answer ends `…:25; 1 of 2 addresses failing | …`.
/// `domain` says the report is a mail domain's: its perfdata has one time per MX host and
/// address.
pub fn status_line(report: &ProbeReport, domain: bool) -> String {
    let label = match report.status {
        _ if undecided(report, domain) => "UNKNOWN",
        Verdict::Success => "OK",
        Verdict::Warning => "WARNING",
        Verdict::Failed => "CRITICAL",
    };
    let what = match (report.status, report.latency, &report.reason) {
        (Verdict::Success, Some(latency), _) => format!("250 in {}", show_duration(latency)),
        (_, _, Some(reason)) => reason.clone(),
        _ => "no verdict reason".to_owned(),
    };
    let split = failing_split(report);
    let preposition = if report.status == Verdict::Failed {
        "at"
    } else {
        "from"
    };
    format!(
        "SMTP {label} - {what} {preposition} {}{split} | {}",
        endpoint(report),
        perfdata(report)
    )
}

/// The worst target is the one shown; when others answer, say how many fail: `; 1 of 2
/// addresses failing`, or for a mail domain `; 1 of 2 MX hosts failing`.
fn failing_split(report: &ProbeReport) -> String {
    report
        .failing_split()
        .map(|split| format!("; {split}"))
        .unwrap_or_default()
}

/// `host[address]:port`, or `host:port` when no address was reached.
fn endpoint(report: &ProbeReport) -> String {
    match report.address {
        Some(ip) => format!("{}[{ip}]:{}", report.host, report.port),
        None => format!("{}:{}", report.host, report.port),
    }
}

/// Nagios performance data: total time against QoS and 2×QoS, then each measured phase.
fn perfdata(report: &ProbeReport) -> String {
    let qos = report.qos.as_secs_f64();
    let time = report
        .latency
        .map_or_else(|| "U".to_owned(), |l| format!("{:.6}s", l.as_secs_f64()));
    let mut out = format!("time={time};{qos:.6};{:.6};0", qos * 2.0);
    for (name, took) in report.phases.measured() {
        let _ = write!(out, " {name}={:.6}s", took.as_secs_f64());
    }
    if let Some(tls) = &report.tls {
        let _ = write!(out, " cert_days={}", tls.days_left);
    }
    for target in report.targets.iter().filter(|t| t.mx.is_some()) {
        let mx = target.mx.as_deref().unwrap_or_default();
        let label = perf_label(&format!("{mx}[{}]", target.address));
        let time = target
            .report
            .latency
            .map_or_else(|| "U".to_owned(), |l| format!("{:.6}s", l.as_secs_f64()));
        let _ = write!(out, " {label}={time};{qos:.6};{:.6};0", qos * 2.0);
    }
    out
}

/// A perfdata label, single-quoted when it holds a space, `=` or `'` (a quote doubled inside),
/// as the Nagios plugin guidelines ask.
fn perf_label(label: &str) -> String {
    if label.contains(|c: char| c.is_whitespace() || c == '=' || c == '\'') {
        format!("'{}'", label.replace('\'', "''"))
    } else {
        label.to_owned()
    }
}

/// The domain's mail policies, once (`MTA-STS active: …`, `TLS-RPT broken: …`, each raw record
/// four spaces in), then each MX target's checks, two spaces in: `mx1.example.com 192.0.2.1 DANE
/// matched: …`, then each TLSA record found, four spaces in, then its MTA-STS line.
pub fn policy(report: &ProbeReport) -> String {
    let mut out = domain_policies(report);
    for target in &report.targets {
        out.push_str(&target_policies(target));
    }
    out
}

/// The domain-level lines: MTA-STS and TLS-RPT.
fn domain_policies(report: &ProbeReport) -> String {
    let mut out = String::new();
    if let Some(sts) = &report.mta_sts_policy {
        let _ = writeln!(out, "MTA-STS {}: {}", sts.state.as_str(), sts.verdict);
        if let Some(record) = &sts.record {
            let _ = writeln!(out, "    TXT {record}");
        }
    }
    if let Some(rpt) = &report.tls_rpt {
        let _ = writeln!(out, "TLS-RPT {}: {}", rpt.state.as_str(), rpt.verdict);
        if !rpt.record.is_empty() {
            let _ = writeln!(out, "    TXT {}", rpt.record);
        }
    }
    out
}

/// One target's lines: DANE (and its records), then MTA-STS when checked, then each
/// blocklist.
fn target_policies(target: &TargetReport) -> String {
    let mut out = dane_lines(target);
    if let Some(sts) = &target.report.mta_sts {
        let _ = writeln!(
            out,
            "  {} MTA-STS {}: {}",
            target.key(),
            sts.state.as_str(),
            sts.verdict
        );
    }
    blocklist_lines(&mut out, target);
    out
}

/// A target's DANE line and TLSA records.
fn dane_lines(target: &TargetReport) -> String {
    let mut out = String::new();
    let Some(dane) = &target.report.dane else {
        let _ = writeln!(
            out,
            "  {} DANE not checked: the session ended before TLS",
            target.key()
        );
        return out;
    };
    let _ = writeln!(
        out,
        "  {} DANE {}: {}",
        target.key(),
        dane.state.describe(),
        dane.verdict
    );
    for record in &dane.records {
        let _ = writeln!(out, "    TLSA {record}");
    }
    out
}

/// A target's blocklist checks, four spaces in: `blocklist zen.example: listed (127.0.0.2): …`.
fn blocklist_lines(out: &mut String, target: &TargetReport) {
    for check in &target.report.blocklists {
        let _ = writeln!(out, "    blocklist {}: {}", check.list, check.verdict);
    }
}

/// The transcript, one line each: time since connect, direction, text. With several targets,
/// each target's status and transcript in turn.
pub fn transcript(report: &ProbeReport) -> String {
    if report.targets.len() < 2 {
        return session(report);
    }
    let mut out = String::new();
    for target in &report.targets {
        let _ = writeln!(out, "target {}: {}", target.address, target.status.as_str());
        out.push_str(&session(&target.report));
    }
    out
}

/// One session's transcript.
fn session(report: &ProbeReport) -> String {
    let mut out = String::new();
    for line in report.transcript.iter() {
        let arrow = match line.dir {
            Direction::Client => ">",
            Direction::Server => "<",
            Direction::Note => "*",
        };
        let _ = writeln!(out, "{:>10}  {arrow} {}", millis(line.at), line.text);
    }
    out
}

fn millis(d: Duration) -> String {
    format!("{:.1}ms", d.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfdata_labels_are_quoted_only_where_needed() {
        assert_eq!(
            perf_label("mx1.example.test[192.0.2.1]"),
            "mx1.example.test[192.0.2.1]"
        );
        assert_eq!(perf_label("mx[2001:db8::1]"), "mx[2001:db8::1]");
        assert_eq!(perf_label("a b"), "'a b'");
        assert_eq!(perf_label("a=b"), "'a=b'");
        assert_eq!(perf_label("it's"), "'it''s'");
    }
}
