//! How a report is printed: the Nagios status line with performance data (DESIGN.md §2), the
//! transcript for `-v`, and the JSON object for `--json`.

use std::fmt::Write as _;
use std::time::Duration;

use ehlowatch_engine::show_duration;
use ehlowatch_engine::Verdict;
use ehlowatch_engine::{Direction, ProbeReport};

/// `SMTP OK - 250 in 12.3 ms from mx.example.com[203.0.113.5]:25 | time=… connect=… …`
pub fn status_line(report: &ProbeReport) -> String {
    let label = match report.status {
        _ if report.no_route() => "UNKNOWN",
        Verdict::Success => "OK",
        Verdict::Warning => "WARNING",
        Verdict::Failed => "CRITICAL",
    };
    let what = match (report.status, report.latency, &report.reason) {
        (Verdict::Success, Some(latency), _) => format!("250 in {}", show_duration(latency)),
        (_, _, Some(reason)) => reason.clone(),
        _ => "no verdict reason".to_owned(),
    };
    let preposition = if report.status == Verdict::Failed {
        "at"
    } else {
        "from"
    };
    format!(
        "SMTP {label} - {what} {preposition} {} | {}",
        endpoint(report),
        perfdata(report)
    )
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
    out
}

/// The transcript, one line each: time since connect, direction, text.
pub fn transcript(report: &ProbeReport) -> String {
    let mut out = String::new();
    for line in &report.transcript {
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
