//! The STARTTLS latency comparison against real Postfix: the engine's probe and a reference
//! client doing the same steps and the same verification (Python's smtplib over OpenSSL, the run's
//! CA, the address as the name), one probe at a time, in alternating batches so that load on the
//! machine touches both alike. A monitor's latency must be the server's: per client it reports the
//! latency's p50/p95/max and the post-handshake EHLO (our first write after the handshake to the
//! final line of the reply), and counts the probes whose EHLO took [`STALL_MS`] or more.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

use ehlowatch_engine::{settings, Prober, Verdict};
use serde::Serialize;
use tokio::runtime::Runtime;

use crate::probers::Server;
use crate::stats::quantile;

/// A post-handshake EHLO this slow is a stall, not the server's work.
pub const STALL_MS: f64 = 30.0;

/// The reference client's program, run by `python3`.
const REFERENCE: &str = include_str!("reference_starttls.py");

/// One client's STARTTLS figures.
#[derive(Debug, Clone, Serialize)]
pub struct ClientTimes {
    /// Who probed.
    pub client: String,
    /// Probes run.
    pub probes: usize,
    /// Of which did not succeed (not in the figures).
    pub failures: usize,
    /// Latency (connect start to the final line of the judged EHLO reply), ms.
    pub latency: Option<Summary>,
    /// The post-handshake EHLO, sent to its reply's final line, ms.
    pub ehlo: Option<Summary>,
    /// Probes whose post-handshake EHLO took [`STALL_MS`] or more.
    pub stalls: usize,
}

/// p50, p95 and max of some samples, ms.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Summary {
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Largest.
    pub max: f64,
}

impl Summary {
    fn of(samples: &mut [f64]) -> Option<Self> {
        samples.sort_by(f64::total_cmp);
        Some(Self {
            p50: quantile(samples, 0.5),
            p95: quantile(samples, 0.95),
            max: *samples.last()?,
        })
    }
}

/// Both clients against one server.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// Probes per batch; the clients alternate batches.
    pub batch: usize,
    /// The engine's probe, then the reference.
    pub clients: Vec<ClientTimes>,
}

impl Comparison {
    /// Ours minus the reference's (p50, p95) latency, ms.
    pub fn gap(&self) -> Option<(f64, f64)> {
        let [ours, reference] = [0, 1].map(|i| self.clients.get(i)?.latency);
        let (o, r) = (ours?, reference?);
        Some((o.p50 - r.p50, o.p95 - r.p95))
    }
}

/// Samples of one client: (latency, post-handshake EHLO) per successful probe, and failures.
#[derive(Debug, Default)]
struct Samples {
    times: Vec<(f64, f64)>,
    failures: usize,
}

impl Samples {
    fn figures(mut self, client: &str) -> ClientTimes {
        let stalls = self.times.iter().filter(|(_, e)| *e >= STALL_MS).count();
        let (mut latency, mut ehlo): (Vec<f64>, Vec<f64>) = self.times.drain(..).unzip();
        ClientTimes {
            client: client.into(),
            probes: latency.len() + self.failures,
            failures: self.failures,
            latency: Summary::of(&mut latency),
            ehlo: Summary::of(&mut ehlo),
            stalls,
        }
    }
}

/// `n` probes by each client against `server` (a STARTTLS server with its CA), in batches of
/// `batch`. The reference needs `python3`; without it only ours is measured, and the error says so.
pub fn compare(
    rt: &Runtime,
    prober: &Prober,
    server: &Server,
    n: usize,
    batch: usize,
) -> Result<Comparison, String> {
    let ca = server
        .ca_file
        .as_deref()
        .ok_or("the STARTTLS server has no CA file")?;
    let script = tempfile::Builder::new()
        .prefix("ehlowatch-bench-reference-")
        .suffix(".py")
        .tempfile()
        .map_err(|e| format!("temp file: {e}"))?;
    std::fs::write(script.path(), REFERENCE)
        .map_err(|e| format!("cannot write the script: {e}"))?;
    let qos = std::time::Duration::from_millis(settings::QOS_MS.default.unsigned_abs());
    let spec = Arc::new(server.spec(qos));
    let (mut ours, mut reference) = (Samples::default(), Samples::default());
    let mut left = n;
    while left > 0 {
        let k = left.min(batch.max(1));
        rt.block_on(async {
            for _ in 0..k {
                let report = prober.probe(&spec).await;
                match (report.status, report.latency, report.phases.ehlo) {
                    (Verdict::Success, Some(l), Some(e)) => ours.times.push((ms(l), ms(e))),
                    _ => ours.failures += 1,
                }
            }
        });
        reference_batch(script.path(), server, ca, k, &mut reference)?;
        left -= k;
    }
    Ok(Comparison {
        batch,
        clients: vec![
            ours.figures("ehlowatch (engine probe, rustls)"),
            reference.figures("reference: Python smtplib (OpenSSL)"),
        ],
    })
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Runs the reference script for `k` probes and adds what it printed to `into`.
fn reference_batch(
    script: &Path,
    server: &Server,
    ca: &Path,
    k: usize,
    into: &mut Samples,
) -> Result<(), String> {
    let out = Command::new("python3")
        .arg(script)
        .arg(server.addr.ip().to_string())
        .arg(server.addr.port().to_string())
        .arg(ca)
        .arg(k.to_string())
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run python3 (the reference client): {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut seen = 0;
    for line in text.lines() {
        seen += 1;
        match parse_line(line) {
            Some(t) => into.times.push(t),
            None => into.failures += 1,
        }
    }
    into.failures += k.saturating_sub(seen);
    Ok(())
}

/// One line of the reference's output: (latency, EHLO) in ms, or `None` for a failed probe.
fn parse_line(line: &str) -> Option<(f64, f64)> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    Some((v["latency_ms"].as_f64()?, v["ehlo_ms"].as_f64()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_lines_parse_and_errors_count_as_failures() {
        assert_eq!(
            parse_line(r#"{"latency_ms": 5.5, "ehlo_ms": 0.25}"#),
            Some((5.5, 0.25))
        );
        assert_eq!(parse_line(r#"{"error": "EHLO answered 421"}"#), None);
        assert_eq!(parse_line("Traceback (most recent call last):"), None);
    }

    #[test]
    fn stalls_are_counted_and_failures_kept_out_of_the_figures() {
        let samples = Samples {
            times: vec![(10.0, 0.5), (52.0, 41.0), (11.0, 30.0), (9.0, 0.4)],
            failures: 2,
        };
        let f = samples.figures("x");
        assert_eq!((f.probes, f.failures, f.stalls), (6, 2, 2));
        let l = f.latency.unwrap();
        assert_eq!((l.p50, l.max), (10.0, 52.0));
    }
}
