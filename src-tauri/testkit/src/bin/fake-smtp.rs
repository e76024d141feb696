//! `fake-smtp`: serves one scenario of the catalogue (`ehlowatch_testkit::scenarios`) on a
//! loopback port (or a private address in a test's network namespace) until killed, for CLI
//! acceptance runs, benchmarks and the network lab (`ehlowatch_testkit::netns`).
//!
//! ```text
//! fake-smtp --scenario NAME [--listen 127.0.0.1:0] [--ehlo-delay-ms N]
//! fake-smtp --list
//! ```
//!
//! On start it prints `listening on IP:PORT` and, for scenarios with TLS, `ca-file PATH` (the
//! test CA to pass as `--ca-file`), one per line, flushed. `--ehlo-delay-ms` adds a pause before
//! the reply to the client's first command (EHLO). `--list` prints one scenario per line,
//! tab-separated: name, expected verdict at QoS 1000 ms, the `--tls` mode to probe it with, note.
//! Only addresses that never reach the internet are served: loopback, private IPv4 (RFC 1918)
//! and unique local IPv6 (RFC 4193).

#![forbid(unsafe_code)]

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use ehlowatch_testkit::scenarios::{self, Scenario};
use ehlowatch_testkit::{FakeSmtp, TestPki};

const USAGE: &str = "usage: fake-smtp --scenario NAME [--listen 127.0.0.1:0] [--ehlo-delay-ms N]\n       fake-smtp --list";

/// What the command line asks for.
enum Command {
    List,
    Serve {
        scenario: Scenario,
        listen: SocketAddr,
        ehlo_delay: Option<Duration>,
    },
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Command, String> {
    let mut scenario = None;
    let mut listen = SocketAddr::from(([127, 0, 0, 1], 0));
    let mut ehlo_delay = None;
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| args.next().ok_or_else(|| format!("{flag} needs a value"));
        match arg.as_str() {
            "--list" => return Ok(Command::List),
            "--scenario" => {
                let name = value("--scenario")?;
                let found = scenarios::by_name(&name).ok_or_else(|| {
                    format!("--scenario {name:?}: no such scenario (see fake-smtp --list)")
                })?;
                scenario = Some(found);
            }
            "--listen" => {
                let text = value("--listen")?;
                let addr: SocketAddr = text
                    .parse()
                    .map_err(|e| format!("--listen {text:?}: not an IP:PORT address ({e})"))?;
                if !never_routed(addr.ip()) {
                    return Err(format!(
                        "--listen {text:?}: only loopback, private IPv4 and unique local IPv6 \
                         addresses are served"
                    ));
                }
                listen = addr;
            }
            "--ehlo-delay-ms" => {
                let text = value("--ehlo-delay-ms")?;
                let ms: u64 = text.parse().map_err(|e| {
                    format!("--ehlo-delay-ms {text:?}: not a number of milliseconds ({e})")
                })?;
                ehlo_delay = Some(Duration::from_millis(ms));
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let scenario = scenario.ok_or("--scenario is required")?;
    Ok(Command::Serve {
        scenario,
        listen,
        ehlo_delay,
    })
}

/// Whether `ip` is loopback, RFC 1918 private IPv4 or RFC 4193 unique local IPv6 (`fc00::/7`).
fn never_routed(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private(),
        IpAddr::V6(v6) => v6.is_loopback() || (v6.segments()[0] & 0xfe00) == 0xfc00,
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let command = match parse(std::env::args().skip(1)) {
        Ok(command) => command,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("fake-smtp: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut out = std::io::stdout().lock();
    match command {
        Command::List => {
            for s in scenarios::all() {
                let _ = writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    s.name, s.expected, s.client_tls, s.note
                );
            }
            ExitCode::SUCCESS
        }
        Command::Serve {
            mut scenario,
            listen,
            ehlo_delay,
        } => {
            if let Some(delay) = ehlo_delay {
                scenario.script = scenarios::delay_first_reply(&scenario.script, delay);
            }
            let pki = scenario.tls.needs_pki().then(TestPki::new);
            let server = FakeSmtp::start_at(
                listen,
                scenario.script.clone(),
                pki.as_ref().and_then(|p| scenario.tls.acceptor(p)),
            )
            .await;
            let _ = writeln!(out, "listening on {}", server.addr());
            if let Some(pki) = &pki {
                let _ = writeln!(out, "ca-file {}", pki.ca_file().display());
            }
            let _ = out.flush();
            drop(out);
            until_killed().await;
            drop(server);
            drop(pki);
            ExitCode::SUCCESS
        }
    }
}

/// Waits for Ctrl-C or (on Unix) SIGTERM, so the test CA's temp directory is removed on exit.
async fn until_killed() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
