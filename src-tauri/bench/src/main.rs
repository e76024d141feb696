//! `ehlowatch-bench`: EHLO Watch's benchmark suite (per-probe cost, throughput, timing accuracy and
//! STARTTLS latency against Postfix — sections 1, 2, 4 and 6 of BENCHMARKS.md), measuring the engine's probe against the peers a
//! sysadmin already runs, in the same run, on loopback. `scripts/bench` installs the peers, builds
//! this and `fake-smtp`, and runs it; see BENCHMARKS.md for what each figure means.
//!
//! ```text
//! ehlowatch-bench [--smoke] [--sections cost,throughput,accuracy,starttls] [--json FILE]
//!                 [--markdown FILE] [--fake-smtp PATH] [--ehlowatch PATH] [--check-smtp PATH]
//!                 [--blackbox PATH] [--no-postfix]
//! ```
//!
//! Exit status: 0 when every section ran and no cost probe failed, 1 otherwise (the outputs
//! are written either way), 2 for bad arguments.

#![forbid(unsafe_code)]

mod accuracy;
mod agent;
mod cost;
mod cpu;
mod delay_server;
mod http;
mod machine;
mod probers;
mod procs;
mod report;
mod starttls;
mod stats;
mod suite;
mod throughput;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Benchmarks of EHLO Watch against `check_smtp` and `blackbox_exporter`, on loopback.
#[derive(Debug, Parser)]
#[command(name = "ehlowatch-bench", version)]
struct Args {
    /// Tiny counts: runs every section in seconds (CI), figures not to be quoted.
    #[arg(long)]
    smoke: bool,
    /// Which sections to run, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "cost,throughput,accuracy,starttls"
    )]
    sections: Vec<suite::Section>,
    /// Write the results as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write the Markdown tables here (they are printed on stdout too).
    #[arg(long)]
    markdown: Option<PathBuf>,
    /// The `fake-smtp` binary (default: beside this one).
    #[arg(long)]
    fake_smtp: Option<PathBuf>,
    /// The `ehlowatch` binary, run as the agent (default: beside this one).
    #[arg(long)]
    ehlowatch: Option<PathBuf>,
    /// monitoring-plugins' `check_smtp`.
    #[arg(long, default_value = "/usr/lib/nagios/plugins/check_smtp")]
    check_smtp: PathBuf,
    /// prometheus-blackbox-exporter.
    #[arg(long, default_value = "/usr/bin/prometheus-blackbox-exporter")]
    blackbox: PathBuf,
    /// Do not start a private Postfix (it needs root and the postfix package).
    #[arg(long)]
    no_postfix: bool,
    /// Internal: be the delaying server of the timing benchmarks instead of running the suite.
    #[arg(long, hide = true)]
    serve_delay_ms: Option<u64>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(ms) = args.serve_delay_ms {
        return match delay_server::serve(std::time::Duration::from_millis(ms)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("ehlowatch-bench --serve-delay-ms: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let beside = |name: &str| {
        std::env::current_exe().map_or_else(|_| PathBuf::from(name), |p| p.with_file_name(name))
    };
    let fake_smtp = args
        .fake_smtp
        .clone()
        .unwrap_or_else(|| beside("fake-smtp"));
    let ehlowatch = args
        .ehlowatch
        .clone()
        .unwrap_or_else(|| beside("ehlowatch"));
    let options = suite::Options {
        smoke: args.smoke,
        sections: args.sections.clone(),
        fake_smtp,
        check_smtp: args.check_smtp.clone(),
        blackbox: args.blackbox.clone(),
        ehlowatch,
        postfix: !args.no_postfix,
    };
    let (report, ok) = match suite::run(&options) {
        Ok(done) => done,
        Err(e) => {
            eprintln!("ehlowatch-bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    let markdown = report.markdown();
    println!("{markdown}");
    let mut written = true;
    if let Some(path) = &args.markdown {
        if let Err(e) = std::fs::write(path, &markdown) {
            eprintln!("ehlowatch-bench: cannot write {}: {e}", path.display());
            written = false;
        }
    }
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report)
            .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
        if let Err(e) = std::fs::write(path, text + "\n") {
            eprintln!("ehlowatch-bench: cannot write {}: {e}", path.display());
            written = false;
        }
    }
    if ok && written {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
