//! `fake-mta-sts`: an MTA-STS policy host for the network lab (`ehlowatch_testkit::netns`):
//! HTTPS on `--listen` with the caller's certificate, serving the file `--policy` at
//! `/.well-known/mta-sts.txt` (read afresh per request), or misbehaving per `--mode`.
//!
//! ```text
//! fake-mta-sts --listen IP:443 --cert-chain FILE --key FILE --policy FILE
//!              [--mode good|oversized|slow|redirect]
//! ```
//!
//! On start it prints `listening on IP:PORT`, flushed. Only loopback and private addresses are
//! served.

#![forbid(unsafe_code)]

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use ehlowatch_testkit::policy_host::{serve_policy, PolicyMode};
use ehlowatch_testkit::ServerCert;

const USAGE: &str = "usage: fake-mta-sts --listen IP:PORT --cert-chain FILE --key FILE --policy FILE [--mode good|oversized|slow|redirect]";

struct Serve {
    listen: SocketAddr,
    cert: ServerCert,
    policy: PathBuf,
    mode: PolicyMode,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Serve, String> {
    let (mut listen, mut chain, mut key, mut policy) = (None, None, None, None);
    let mut mode = PolicyMode::Good;
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| args.next().ok_or_else(|| format!("{flag} needs a value"));
        match arg.as_str() {
            "--listen" => {
                let text = value("--listen")?;
                let addr: SocketAddr = text
                    .parse()
                    .map_err(|e| format!("--listen {text:?}: not an IP:PORT address ({e})"))?;
                let private = match addr.ip() {
                    std::net::IpAddr::V4(ip) => ip.is_loopback() || ip.is_private(),
                    std::net::IpAddr::V6(ip) => {
                        ip.is_loopback() || (ip.segments()[0] & 0xfe00) == 0xfc00
                    }
                };
                if !private {
                    return Err(format!(
                        "--listen {text:?}: only loopback and private addresses are served"
                    ));
                }
                listen = Some(addr);
            }
            "--cert-chain" => chain = Some(value("--cert-chain")?),
            "--key" => key = Some(value("--key")?),
            "--policy" => policy = Some(PathBuf::from(value("--policy")?)),
            "--mode" => {
                let name = value("--mode")?;
                mode = PolicyMode::by_name(&name).ok_or_else(|| {
                    format!("--mode {name:?}: not good, oversized, slow or redirect")
                })?;
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let listen = listen.ok_or("--listen is required")?;
    let chain = chain.ok_or("--cert-chain is required")?;
    let key = key.ok_or("--key is required")?;
    let policy = policy.ok_or("--policy is required")?;
    Ok(Serve {
        listen,
        cert: ServerCert::from_pem_files(&chain, &key)?,
        policy,
        mode,
    })
}

fn main() -> ExitCode {
    let serve = match parse(std::env::args().skip(1)) {
        Ok(serve) => serve,
        Err(e) => {
            eprintln!("fake-mta-sts: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let acceptor = match serve.cert.try_acceptor() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("fake-mta-sts: the certificate is refused: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("fake-mta-sts: {e}");
            return ExitCode::from(1);
        }
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(serve.listen).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("fake-mta-sts: cannot listen on {}: {e}", serve.listen);
                return ExitCode::from(1);
            }
        };
        let bound = listener.local_addr().map_or(serve.listen, |a| a);
        let mut out = std::io::stdout();
        let _ = writeln!(out, "listening on {bound}");
        let _ = out.flush();
        serve_policy(listener, acceptor, serve.mode, serve.policy).await;
        ExitCode::SUCCESS
    })
}
