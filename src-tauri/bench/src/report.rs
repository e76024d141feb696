//! The run's results as one serialisable value, written as JSON for machines and rendered as
//! the Markdown tables BENCHMARKS.md quotes. Sections 3 (scale) and 5 (desktop) are measured by
//! other tools; their slots stay in the shape so one table format holds the whole suite.

use std::fmt::Write as _;

use serde::Serialize;

use crate::accuracy::{Bounds, Cell};
use crate::cost::{ClientFigures, Counts, TargetFigures};
use crate::machine::{LoadLog, Machine};
use crate::starttls::{Comparison, Summary, STALL_MS};
use crate::stats::{Dist, Spread};
use crate::throughput::Found;

/// Accuracy targets: a probe's |latency − delay| has a median under this and a maximum under
/// [`ACCURACY_MAX_MS`], in ms.
pub const ACCURACY_MEDIAN_MS: f64 = 1.0;
/// See [`ACCURACY_MEDIAN_MS`].
pub const ACCURACY_MAX_MS: f64 = 5.0;

/// Everything one run measured.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Always `ehlowatch-bench`.
    pub suite: &'static str,
    /// The bench's version.
    pub version: &'static str,
    /// Tiny counts (CI), not figures to quote.
    pub smoke: bool,
    /// The command line.
    pub command: String,
    /// When the run started, seconds since the Unix epoch.
    pub started_unix: u64,
    /// How long the run took, s.
    pub elapsed_s: f64,
    /// The machine.
    pub machine: Machine,
    /// The load through the run.
    pub load: LoadLog,
    /// Benchmark 1's counts.
    pub cost_counts: Option<Counts>,
    /// Benchmark 1: per-probe cost, per server and mode.
    pub cost: Vec<TargetFigures>,
    /// Benchmark 2: throughput.
    pub throughput: Option<Found>,
    /// Benchmark 3: scale — measured by `scripts/bench-agent-scale`, not here.
    pub scale: Option<serde_json::Value>,
    /// Benchmark 4's bounds per cell.
    pub accuracy_bounds: Option<Bounds>,
    /// Benchmark 4: timing accuracy.
    pub accuracy: Vec<Cell>,
    /// Benchmark 6: STARTTLS latency against Postfix, ours next to a reference client.
    pub starttls: Option<Comparison>,
    /// Benchmark 5: desktop — measured by `scripts/footprint` (`scripts/bench` appends it).
    pub desktop: Option<serde_json::Value>,
    /// Things a reader must know (what was skipped and why, setup errors).
    pub notes: Vec<String>,
}

fn spread(s: Option<Spread>, decimals: usize) -> String {
    match s {
        Some(s) if s.n > 1 => format!(
            "{:.d$} ({:.d$}–{:.d$})",
            s.median,
            s.min,
            s.max,
            d = decimals
        ),
        Some(s) => format!("{:.d$}", s.median, d = decimals),
        None => "—".into(),
    }
}

fn ratio(s: Option<Spread>) -> String {
    match s {
        Some(s) if s.n > 1 => format!("**{:.0}×** ({:.0}–{:.0}×)", s.median, s.min, s.max),
        Some(s) => format!("**{:.0}×**", s.median),
        None => String::new(),
    }
}

/// The smallest median CPU ratio of `peer` over ehlowatch (sequential or concurrent, whichever
/// is less flattering) across the plain-mode servers: the figure a headline may quote.
pub fn headline_ratio(cost: &[TargetFigures], peer: &str, mode: &str) -> Option<f64> {
    cost.iter()
        .filter(|t| t.mode == mode)
        .filter_map(|t| t.clients.iter().find(|c| c.client == peer))
        .flat_map(|c| [c.cpu_ratio_vs_seq, c.cpu_ratio_vs_conc])
        .flatten()
        .map(|s| s.median)
        .min_by(f64::total_cmp)
}

/// The agent's CPU per probe over the floor's, per plain server (median, min–max over the
/// repetitions that ran both): the figure CI prints and the notes quote.
pub fn agent_floor_ratios(cost: &[TargetFigures]) -> Vec<(&str, Spread)> {
    cost.iter()
        .filter(|t| t.mode == "plain")
        .filter_map(|t| {
            let r = t.clients.iter().find_map(|c| c.cpu_ratio_vs_floor)?;
            Some((t.server.as_str(), r))
        })
        .collect()
}

/// The agent/floor line: `agent ÷ floor, CPU per probe: postfix 1.42× (1.38–1.50×); …`.
fn agent_floor_line(cost: &[TargetFigures]) -> Option<String> {
    let ratios = agent_floor_ratios(cost);
    if ratios.is_empty() {
        return None;
    }
    let each: Vec<String> = ratios
        .iter()
        .map(|(server, r)| {
            format!(
                "{server} **{:.2}×** ({:.2}–{:.2}×, {} runs)",
                r.median, r.min, r.max, r.n
            )
        })
        .collect();
    Some(format!(
        "Agent ÷ floor, CPU per probe (`ehlowatch run`, {} plain monitors at {} s, QoS {} ms, default history, `/metrics` every {} s; the bare-socket floor against the same server in the same repetition): {} (target ≤ 1.5×).",
        crate::agent::MONITORS,
        crate::agent::INTERVAL_S,
        crate::agent::QOS_MS,
        crate::agent::SCRAPE_EVERY.as_secs(),
        each.join("; ")
    ))
}

impl Report {
    /// The Markdown tables, headed by the machine and the load.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        self.head(&mut out);
        self.cost_table(&mut out);
        self.throughput_table(&mut out);
        let _ = writeln!(
            out,
            "\n### 3. Scale\n\nMeasured by `scripts/bench-agent-scale` (the agent with 1,000 / 10,000 / 50,000 monitors), not by this suite.\n"
        );
        self.accuracy_table(&mut out);
        let _ = writeln!(
            out,
            "\n### 5. Desktop\n\nMeasured by `scripts/footprint` (the release app on a private headless desktop); `scripts/bench` appends its table below.\n"
        );
        self.starttls_table(&mut out);
        if !self.notes.is_empty() {
            let _ = writeln!(out, "\n### Notes from the run\n");
            for n in &self.notes {
                let _ = writeln!(out, "- {n}");
            }
        }
        out
    }

    fn head(&self, out: &mut String) {
        let m = &self.machine;
        let _ = writeln!(
            out,
            "## Results{}\n\n`{}` — {:.0} s.\n\nMachine: {} CPUs ({}), {} RAM, Linux {}, {}.",
            if self.smoke {
                " (SMOKE: tiny counts, do not quote)"
            } else {
                ""
            },
            self.command,
            self.elapsed_s,
            m.cpus,
            m.cpu_model,
            m.memory,
            m.kernel,
            m.os
        );
        let versions: Vec<String> = m
            .versions
            .iter()
            .map(|(k, v)| format!("{k}: `{v}`"))
            .collect();
        let _ = writeln!(out, "Peers: {}.", versions.join("; "));
        let _ = writeln!(
            out,
            "Load average (1 min) sampled through the run: {} over {} samples.\n",
            spread(self.load.load1, 2),
            self.load.samples.len()
        );
        let check = headline_ratio(&self.cost, "check_smtp", "plain");
        let bb = headline_ratio(&self.cost, "blackbox_exporter", "plain");
        if let (Some(c), Some(b)) = (check, bb) {
            let _ = writeln!(
                out,
                "Headline (plain EHLO, the least flattering of the servers and of sequential/concurrent): ehlowatch uses **{c:.0}× less CPU per probe than check_smtp** (target ≥ 50×) and **{b:.0}× less than blackbox_exporter** (target ≥ 15×).{}\n",
                self.throughput
                    .as_ref()
                    .and_then(|t| t.best.or(t.best_p99).map(|r| (r, t.best.is_some())))
                    .map(|(r, strict)| format!(
                        " Highest sustained rate with {} latency within 5 ms of the server-side truth: **{r:.0} probes/s**.",
                        if strict { "every" } else { "the 99th-percentile" }
                    ))
                    .unwrap_or_default()
            );
        }
        if let Some(line) = agent_floor_line(&self.cost) {
            let _ = writeln!(out, "{line}\n");
        }
    }

    fn cost_table(&self, out: &mut String) {
        let _ = writeln!(out, "### 1. Per-probe cost\n");
        if let Some(c) = &self.cost_counts {
            let _ = writeln!(
                out,
                "Median (min–max) over {} repetitions; per repetition ehlowatch runs {} probes sequentially and {} at {} in flight, check_smtp {} processes, blackbox_exporter {} scrapes (STARTTLS: a fifth of each). CPU is user+system: ehlowatch's own process (the server runs in another), check_smtp's waited-for children, the exporter's process; the kernel's share of it comes from tick counts (coarse). The *floor* row of each plain server is no peer but a reference: the same dialogue over a bare blocking std socket, no parsing, verdict or report. The *agent* row is `ehlowatch run` with {} plain monitors of that server at a {} s interval, QoS {} ms, the default history, `/metrics` scraped every {} s, in the first {} repetitions; its CPU is the agent process's over a {:.0} s window after two rounds of warm-up, its probes the agent's own count. Ratios are peer ÷ ehlowatch (agent ÷ floor) within the same repetition.\n",
                c.reps, c.ehlowatch_seq, c.ehlowatch_conc, c.concurrency, c.check_smtp, c.blackbox,
                crate::agent::MONITORS, crate::agent::INTERVAL_S, crate::agent::QOS_MS,
                crate::agent::SCRAPE_EVERY.as_secs(), c.agent_runs, c.agent_window_s
            );
        }
        let _ = writeln!(
            out,
            "| server | mode | client | CPU µs/probe | of which kernel % | wall ms/probe | probes/s | CPU ÷ ehlowatch seq | CPU ÷ ehlowatch conc | wall ÷ ehlowatch seq | server CPU µs/probe | failed/probes |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        );
        for t in &self.cost {
            for c in &t.clients {
                row(out, t, c);
            }
        }
        if let Some(line) = agent_floor_line(&self.cost) {
            let _ = writeln!(out, "\n{line}");
        }
    }

    fn throughput_table(&self, out: &mut String) {
        let _ = writeln!(out, "\n### 2. Throughput\n");
        let Some(found) = &self.throughput else {
            let _ = writeln!(out, "Not run.");
            return;
        };
        let p = &found.plan;
        let rate = |r: Option<f64>| {
            r.map_or("none of the rates tried".into(), |b| {
                format!("{b:.0} probes/s")
            })
        };
        let _ = writeln!(
            out,
            "Probes started open-loop at the offered rate for {:.1} s per step against two precise delaying servers (see §4) that hold every EHLO reply {} ms and write into the reply how long they really held it (the server-side truth). A step is *within* when every probe succeeds, the achieved rate is ≥ {:.0} % of the ideal, and **every** |latency − truth| ≤ {} ms; *p99* when the 99th percentile is. A step not within is retried once. **Highest rate up to which every step had every probe within {} ms: {}**; up to which every step had its 99th percentile within {} ms: {}.\n",
            p.step_s,
            p.delay_ms,
            p.keep_up * 100.0,
            p.tolerance_ms,
            p.tolerance_ms,
            rate(found.best),
            p.tolerance_ms,
            rate(found.best_p99),
        );
        let _ = writeln!(
            out,
            "| offered /s | achieved /s | failed | error vs truth p50 / p99 / max ms | error vs {} ms max | server overshoot max ms | ehlowatch CPU % of a core | servers CPU % | machine busy % | within |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
            p.delay_ms
        );
        for s in &found.steps {
            let f = |v: Option<f64>| v.map_or("—".into(), |v| format!("{v:.2}"));
            let t = s.truth_error_ms;
            let _ = writeln!(
                out,
                "| {:.0} | {:.0} | {} | {} / {} / {} | {} | {} | {:.0} | {:.0} | {:.0} | {} |",
                s.offered,
                s.achieved,
                s.failures,
                f(t.map(|d| d.p50)),
                f(t.map(|d| d.p99)),
                f(t.map(|d| d.max)),
                f(s.error_ms.map(|d| d.max)),
                f(s.server_overshoot_ms.map(|d| d.max)),
                s.client_cpu_pct,
                s.server_cpu_pct,
                s.machine_busy_pct,
                match (s.within, s.within_p99) {
                    (true, _) => "yes",
                    (false, true) => "p99 only",
                    (false, false) => "**no**",
                }
            );
        }
    }

    fn accuracy_table(&self, out: &mut String) {
        let _ = writeln!(out, "\n### 4. Timing accuracy\n");
        if self.accuracy.is_empty() {
            let _ = writeln!(out, "Not run.");
            return;
        }
        if let Some(b) = &self.accuracy_bounds {
            let _ = writeln!(
                out,
                "Each cell keeps `concurrency` probes in flight (closed loop, starts spread over one delay) against two precise delaying servers (separate processes; a thread per connection sleeping on the high-resolution timer; each writes into its reply how long it really held it) for at least {:.1} s and {} probes (at most {:.0} s). Error = |reported latency − injected delay| (the definition the accuracy targets use: median < {ACCURACY_MEDIAN_MS} ms, max < {ACCURACY_MAX_MS} ms); *vs truth* = |reported latency − the server's own hold time|, which takes the server's lateness out. Delay 0 is the baseline: connect + greeting + EHLO round trips on loopback.\n",
                b.min_s, b.min_probes, b.max_s
            );
        }
        let _ = writeln!(
            out,
            "| delay ms | concurrency | probes | failed | latency p50 ms | error median / p99 / max ms | vs truth median / max ms | server overshoot p50 / max ms | probes/s | ehlowatch CPU % | servers CPU % | target met (vs delay / vs truth) |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
        );
        for c in &self.accuracy {
            let f = |v: Option<f64>| v.map_or("—".into(), |v| format!("{v:.3}"));
            let met = |d: Option<Dist>| match d {
                Some(d)
                    if c.failures == 0 && d.p50 < ACCURACY_MEDIAN_MS && d.max < ACCURACY_MAX_MS =>
                {
                    "yes"
                }
                _ => "**no**",
            };
            let verdict = if c.delay_ms == 0 {
                "baseline".to_owned()
            } else {
                format!("{} / {}", met(c.error_ms), met(c.truth_error_ms))
            };
            let (e, t, o) = (c.error_ms, c.truth_error_ms, c.server_overshoot_ms);
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} / {} / {} | {} / {} | {} / {} | {:.0} | {:.0} | {:.0} | {} |",
                c.delay_ms,
                c.concurrency,
                e.map_or(0, |d| d.n),
                c.failures,
                f(c.latency_ms.map(|d| d.p50)),
                f(e.map(|d| d.p50)),
                f(e.map(|d| d.p99)),
                f(e.map(|d| d.max)),
                f(t.map(|d| d.p50)),
                f(t.map(|d| d.max)),
                f(o.map(|d| d.p50)),
                f(o.map(|d| d.max)),
                c.probes_per_s,
                c.client_cpu_pct,
                c.server_cpu_pct,
                verdict
            );
        }
    }
}

impl Report {
    fn starttls_table(&self, out: &mut String) {
        let Some(cmp) = &self.starttls else {
            return;
        };
        let _ = writeln!(
            out,
            "\n### 6. STARTTLS latency against Postfix\n\nOne probe at a time against the private Postfix over STARTTLS, the two clients alternating batches of {}: the engine's probe, and a reference doing the same steps with the same verification (Python smtplib over OpenSSL, the run's CA, the address as the name). Latency = connect start to the final line of the EHLO reply after the handshake; *EHLO after the handshake* = that EHLO, from our first write after the handshake to the final line of the reply; a *stall* is one of {STALL_MS:.0} ms or more.\n",
            cmp.batch
        );
        let _ = writeln!(
            out,
            "| client | probes | failed | latency p50 / p95 / max ms | EHLO after the handshake p50 / p95 / max ms | stalls ≥ {STALL_MS:.0} ms |\n|---|---:|---:|---:|---:|---:|"
        );
        let f = |s: Option<Summary>| {
            s.map_or("—".into(), |s| {
                format!("{:.2} / {:.2} / {:.2}", s.p50, s.p95, s.max)
            })
        };
        for c in &cmp.clients {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                c.client,
                c.probes,
                c.failures,
                f(c.latency),
                f(c.ehlo),
                c.stalls
            );
        }
        if let Some((p50, p95)) = cmp.gap() {
            let within = p50.abs() <= 2.0 && p95.abs() <= 2.0;
            let stalls: usize = cmp.clients.first().map_or(0, |c| c.stalls);
            let _ = writeln!(
                out,
                "\nOurs − reference: p50 {p50:+.2} ms, p95 {p95:+.2} ms (target: within 2 ms: {}); our stalls: {stalls} (target 0).",
                if within { "yes" } else { "**no**" }
            );
        }
    }
}

fn row(out: &mut String, t: &TargetFigures, c: &ClientFigures) {
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {}/{} |",
        t.server,
        t.mode,
        c.client,
        spread(c.cpu_us, 1),
        c.sys_pct.map_or("—".into(), |s| format!("{:.0}", s.median)),
        spread(c.wall_ms, 3),
        spread(c.probes_per_s, 0),
        ratio(c.cpu_ratio_vs_seq),
        ratio(c.cpu_ratio_vs_conc),
        c.wall_ratio_vs_seq
            .map_or(String::new(), |s| format!("{:.1}×", s.median)),
        spread(c.server_cpu_us, 1),
        c.failures,
        c.probes
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(name: &str, seq: Option<f64>, conc: Option<f64>) -> ClientFigures {
        let s = |v: f64| Spread {
            median: v,
            min: v,
            max: v,
            n: 3,
        };
        ClientFigures {
            client: name.into(),
            cpu_us: None,
            wall_ms: None,
            probes_per_s: None,
            server_cpu_us: None,
            sys_pct: None,
            probes: 0,
            failures: 0,
            cpu_ratio_vs_seq: seq.map(s),
            cpu_ratio_vs_conc: conc.map(s),
            wall_ratio_vs_seq: None,
            cpu_ratio_vs_floor: None,
        }
    }

    #[test]
    fn headline_takes_the_least_flattering_ratio() {
        let cost = vec![
            TargetFigures {
                server: "postfix".into(),
                mode: "plain".into(),
                clients: vec![client("check_smtp", Some(120.0), Some(90.0))],
                problems: Vec::new(),
            },
            TargetFigures {
                server: "fake".into(),
                mode: "plain".into(),
                clients: vec![client("check_smtp", Some(80.0), Some(100.0))],
                problems: Vec::new(),
            },
            TargetFigures {
                server: "fake".into(),
                mode: "starttls".into(),
                clients: vec![client("check_smtp", Some(3.0), None)],
                problems: Vec::new(),
            },
        ];
        assert_eq!(headline_ratio(&cost, "check_smtp", "plain"), Some(80.0));
        assert_eq!(headline_ratio(&cost, "check_smtp", "starttls"), Some(3.0));
        assert_eq!(headline_ratio(&cost, "blackbox_exporter", "plain"), None);
    }

    #[test]
    fn the_agent_floor_line_names_each_plain_server() {
        let mut agent = client("ehlowatch run", None, None);
        agent.cpu_ratio_vs_floor = Some(Spread {
            median: 1.42,
            min: 1.3,
            max: 1.5,
            n: 3,
        });
        let target = |server: &str, mode: &str| TargetFigures {
            server: server.into(),
            mode: mode.into(),
            clients: vec![agent.clone()],
            problems: Vec::new(),
        };
        let cost = vec![target("postfix", "plain"), target("fake", "starttls")];
        assert_eq!(agent_floor_ratios(&cost).len(), 1);
        let line = agent_floor_line(&cost).unwrap();
        assert!(line.starts_with("Agent ÷ floor"), "{line}");
        assert!(
            line.contains("postfix **1.42×** (1.30–1.50×, 3 runs)"),
            "{line}"
        );
        assert!(!line.contains("fake"), "{line}");
        assert_eq!(agent_floor_line(&cost[1..]), None);
    }

    #[test]
    fn spreads_print_median_then_range() {
        let s = Spread {
            median: 2.0,
            min: 1.0,
            max: 3.5,
            n: 5,
        };
        assert_eq!(spread(Some(s), 1), "2.0 (1.0–3.5)");
        assert_eq!(spread(Some(Spread { n: 1, ..s }), 1), "2.0");
        assert_eq!(spread(None, 1), "—");
    }
}
