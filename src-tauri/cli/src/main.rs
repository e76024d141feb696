//! `ehlowatch`: the engine on the command line. `check` probes one server once and exits like a
//! Nagios plugin (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN); `run` is the headless agent, and
//! `service` the same agent as a Windows service.

#![forbid(unsafe_code)]

mod agent;
mod allocator;
mod args;
mod control;
mod output;
mod service;
mod usage;

use std::process::ExitCode;

use clap::Parser;
use ehlowatch_engine::{DnsResolver, DomainProber, Prober, DEFAULT_MIN_MX_TTL};

use crate::args::{ArgError, CheckArgs, Cli, Command};
use crate::usage::{wants_json, Unknown};

fn main() -> ExitCode {
    let command_line: Vec<_> = std::env::args_os().collect();
    // Outside Windows `service` is refused whatever follows it, `--help` and typos included.
    #[cfg(not(windows))]
    if command_line.get(1).is_some_and(|sub| sub == "service") {
        return service::refuse();
    }
    let cli = match Cli::try_parse_from(&command_line) {
        Ok(cli) => cli,
        Err(err) if !err.use_stderr() => {
            // --help and --version; a closed stdout (`| head`) is no reason to panic.
            let _ = err.print();
            return ExitCode::SUCCESS;
        }
        Err(err) => return Unknown::from_clap(&err).exit(wants_json(&command_line)),
    };
    match cli.command {
        Command::Check(args) => check(&args),
        Command::Run(args) => run_agent(args),
        Command::Service(command) => service::main(command),
    }
}

fn run_agent(args: args::RunArgs) -> ExitCode {
    // One thread: the agent's own work is a few percent of a core even at 10,000 monitors, and
    // on the thread that waits for events no time goes to handing tasks to a worker and waking
    // it (the bulk of the agent's system time at scale). Blocking work (SQLite, /metrics
    // encoding) has its own threads.
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(agent::run(args)),
        Err(err) => {
            Unknown::internal(format!("error: cannot start the async runtime: {err}")).exit(false)
        }
    }
}

fn check(args: &CheckArgs) -> ExitCode {
    let (spec, policy) = match args.spec().and_then(|spec| Ok((spec, args.mail_policy()?))) {
        Ok(both) => both,
        Err(err) => return Unknown::from_arg(&err).exit(args.json),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            return Unknown::internal(format!("error: cannot start the async runtime: {err}"))
                .exit(args.json)
        }
    };
    let report = if args.domain.is_some() {
        let resolver =
            runtime.block_on(async { DnsResolver::new(&args.resolver, DEFAULT_MIN_MX_TTL) });
        match resolver {
            Ok(resolver) => runtime.block_on(
                DomainProber::new(Prober::new(), resolver, DEFAULT_MIN_MX_TTL, policy).probe(&spec),
            ),
            Err(err) => {
                let problem = ArgError {
                    argument: if args.resolver.is_empty() {
                        "--domain"
                    } else {
                        "--resolver"
                    },
                    value: None,
                    message: err.to_string(),
                };
                return Unknown::from_arg(&problem).exit(args.json);
            }
        }
    } else {
        runtime.block_on(Prober::new().probe(&spec))
    };
    if let Some(exit) = control::decide(&runtime, args, &report) {
        return exit;
    }
    if args.json {
        match serde_json::to_string(&report) {
            Ok(json) => println!("{json}"),
            Err(err) => {
                return Unknown::internal(format!("error: cannot encode the report: {err}"))
                    .exit(true)
            }
        }
    } else {
        println!("{}", output::status_line(&report, args.domain.is_some()));
        if args.policy {
            print!("{}", output::policy(&report));
        }
        if args.verbose {
            print!("{}", output::transcript(&report));
        }
    }
    ExitCode::from(output::exit_code(&report, args.domain.is_some()))
}
