//! `fake-smtp`: serves one scenario of the catalogue (`ehlowatch_testkit::scenarios`) on a
//! loopback port (or a private address in a test's network namespace) until killed, for CLI
//! acceptance runs, benchmarks and the network lab (`ehlowatch_testkit::netns`).
//!
//! ```text
//! fake-smtp --scenario NAME [--listen 127.0.0.1:0] [--ehlo-delay-ms N]
//!           [--cert-chain FILE --key FILE]
//! fake-smtp --list
//! ```
//!
//! On start it prints `listening on IP:PORT` and, for scenarios with TLS, `ca-file PATH` (the
//! test CA to pass as `--ca-file`), one per line, flushed. `--cert-chain` and `--key` (PEM: the
//! chain leaf first, a PKCS#8 key) replace the certificate of a TLS scenario with the caller's
//! own (then no test CA is made and no `ca-file` line printed), e.g. one a test wrote TLSA
//! records for. `--ehlo-delay-ms` adds a pause before
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
use ehlowatch_testkit::{FakeSmtp, ServerCert, TestPki, TlsNeed};

const USAGE: &str = "usage: fake-smtp --scenario NAME [--listen 127.0.0.1:0] [--ehlo-delay-ms N] [--cert-chain FILE --key FILE]\n       fake-smtp --list";

/// What the command line asks for.
enum Command {
    List,
    Serve {
        scenario: Scenario,
        listen: SocketAddr,
        ehlo_delay: Option<Duration>,
        /// The caller's certificate, in place of the scenario's.
        cert: Option<Box<ServerCert>>,
    },
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Command, String> {
    let mut scenario = None;
    let mut listen = SocketAddr::from(([127, 0, 0, 1], 0));
    let mut ehlo_delay = None;
    let mut chain_file = None;
    let mut key_file = None;
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
            "--cert-chain" => chain_file = Some(value("--cert-chain")?),
            "--key" => key_file = Some(value("--key")?),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let scenario: Scenario = scenario.ok_or("--scenario is required")?;
    let cert = match (chain_file, key_file) {
        (None, None) => None,
        (Some(chain), None) => return Err(format!("--cert-chain {chain:?} needs --key")),
        (None, Some(key)) => return Err(format!("--key {key:?} needs --cert-chain")),
        (Some(chain), Some(key)) => {
            if scenario.tls == TlsNeed::None {
                return Err(format!(
                    "--cert-chain {chain:?}: scenario {:?} has no TLS to present it with",
                    scenario.name
                ));
            }
            Some(Box::new(ServerCert::from_pem_files(&chain, &key)?))
        }
    };
    Ok(Command::Serve {
        scenario,
        listen,
        ehlo_delay,
        cert,
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
            cert,
        } => {
            if let Some(delay) = ehlo_delay {
                scenario.script = scenarios::delay_first_reply(&scenario.script, delay);
            }
            let pki = (scenario.tls.needs_pki() && cert.is_none()).then(TestPki::new);
            let acceptor = match &cert {
                Some(cert) => Some(cert.acceptor()),
                None => pki.as_ref().and_then(|p| scenario.tls.acceptor(p)),
            };
            let server = FakeSmtp::start_at(listen, scenario.script.clone(), acceptor).await;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(args: &[&str]) -> Result<Command, String> {
        parse(args.iter().map(|a| (*a).to_owned()))
    }

    fn pem_files(dir: &std::path::Path, cert: &ServerCert) -> (String, String) {
        let (chain, key) = (dir.join("chain.pem"), dir.join("key.pem"));
        std::fs::write(&chain, &cert.chain_pem).expect("write chain");
        std::fs::write(&key, &cert.key_pem).expect("write key");
        (chain.display().to_string(), key.display().to_string())
    }

    #[test]
    fn a_certificate_given_replaces_the_scenarios() {
        let dir = tempfile::tempdir().expect("temp dir");
        let given = ServerCert::self_signed(&["mx1.dane.test"]);
        let (chain, key) = pem_files(dir.path(), &given);
        let args = [
            "--scenario",
            "starttls",
            "--cert-chain",
            &chain,
            "--key",
            &key,
        ];
        let Ok(Command::Serve {
            cert: Some(cert), ..
        }) = parsed(&args)
        else {
            panic!("not served with the given certificate");
        };
        assert_eq!(cert.chain, given.chain);
    }

    #[test]
    fn bad_certificate_flags_are_named_with_their_values() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (chain, key) = pem_files(dir.path(), &ServerCert::self_signed(&["a.test"]));
        let other = dir.path().join("other");
        std::fs::create_dir(&other).expect("a second directory");
        let (other_chain, _) = pem_files(&other, &ServerCert::self_signed(&["b.test"]));
        let missing = dir.path().join("missing.pem").display().to_string();
        for (args, said) in [
            (
                vec!["--scenario", "starttls", "--cert-chain", &chain],
                format!("--cert-chain {chain:?} needs --key"),
            ),
            (
                vec![
                    "--scenario",
                    "healthy",
                    "--cert-chain",
                    &chain,
                    "--key",
                    &key,
                ],
                format!("--cert-chain {chain:?}: scenario \"healthy\" has no TLS"),
            ),
            (
                vec![
                    "--scenario",
                    "starttls",
                    "--cert-chain",
                    &missing,
                    "--key",
                    &key,
                ],
                format!("--cert-chain {missing:?}: cannot read it"),
            ),
            (
                vec![
                    "--scenario",
                    "starttls",
                    "--cert-chain",
                    &key,
                    "--key",
                    &key,
                ],
                format!("--cert-chain {key:?}: no certificate"),
            ),
            (
                vec![
                    "--scenario",
                    "starttls",
                    "--cert-chain",
                    &chain,
                    "--key",
                    &chain,
                ],
                format!("--key {chain:?}: no PKCS#8 private key"),
            ),
            (
                vec![
                    "--scenario",
                    "starttls",
                    "--cert-chain",
                    &other_chain,
                    "--key",
                    &key,
                ],
                format!("--cert-chain {other_chain:?} --key {key:?}: refused"),
            ),
        ] {
            let Err(error) = parsed(&args) else {
                panic!("{args:?} accepted");
            };
            assert!(
                error.starts_with(&said),
                "{args:?}: {error:?}, not {said:?}"
            );
        }
    }
}
