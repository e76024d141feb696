//! The agent's API beyond loopback, with real kernel networking: the agent runs in the client
//! namespace of the testkit's `netns::Lab` and is asked to listen on the client's lab address
//! (not loopback). Without a token, or with one but without TLS, it refuses to start (exit 3,
//! naming `--listen` and what to add); with both it serves, and a client in the server
//! namespace (curl, trusting the test CA) gets 401 without the token and the status with it.

#![cfg(target_os = "linux")]

mod agent_support;

use std::fs::File;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;

use agent_support::{agent_exe, config_every, eventually, PATIENCE};
use ehlowatch_testkit::netns::{Family, Lab, Side};
use ehlowatch_testkit::{TestPki, Validity};

const TOKEN: &str = "lab-token-3c9e71d04f2a";

/// `ehlowatch run` in the lab's client namespace, in `dir`, with `args`.
fn agent_in(lab: &Lab, dir: &Path, args: &[&str]) -> Command {
    let mut command = lab.client_cmd(agent_exe());
    command
        .args(["run", "--config", "agent.toml", "--db", "history.sqlite"])
        .args(args)
        .current_dir(dir);
    command
}

/// `curl` in the server namespace: the HTTP status and body of `GET url`.
fn curl_from_server(
    lab: &Lab,
    ca: &Path,
    url: &str,
    headers: &[&str],
) -> Result<(u16, String), String> {
    let mut command = lab.server_cmd("curl");
    command.args(["--silent", "--show-error", "--max-time", "5", "--cacert"]);
    command.arg(ca);
    for header in headers {
        command.args(["--header", header]);
    }
    command.args(["--write-out", "\n%{http_code}", url]);
    let out = command.output().map_err(|e| format!("run curl: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(format!(
            "curl {url}: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let (body, code) = text.rsplit_once('\n').unwrap_or(("", &text));
    let code = code
        .trim()
        .parse()
        .map_err(|_| format!("no status in {text:?}"))?;
    Ok((code, body.to_owned()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root, network namespaces and curl: scripts/test runs it"]
async fn beyond_loopback_the_agent_needs_a_token_and_tls_then_serves_the_network() {
    let mut lab = Lab::new("api");
    let agent_ip = lab.client_ip(Family::V4);
    let listen = SocketAddr::new(agent_ip, 9925);
    let pki = TestPki::new();
    let cert = pki.server_cert(&[&agent_ip.to_string()], Validity::FRESH);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let files = [
        ("agent.toml", config_every(600, &[("lab", 25)])),
        ("cert.pem", cert.chain_pem.clone()),
        ("key.pem", cert.key_pem.clone()),
        ("read.token", format!("{TOKEN}\n")),
    ];
    for (name, text) in &files {
        std::fs::write(dir.path().join(name), text).expect("write a file");
    }
    let listen_arg = listen.to_string();
    let tls = ["--tls-cert", "cert.pem", "--tls-key", "key.pem"];
    let token = ["--token-file", "read.token"];

    let refused = [
        (
            &[&tls[..]][..],
            "exposes the API beyond this machine: give --token-file",
        ),
        (
            &[&token[..]][..],
            "exposes the API beyond this machine without TLS",
        ),
    ];
    for (args, expected) in refused {
        let out = agent_in(&lab, dir.path(), &["--listen", &listen_arg])
            .args(args.concat())
            .output()
            .expect("run the agent in the lab");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert!(
            stderr.contains(&format!("--listen {listen} {expected}")),
            "{stderr}"
        );
    }

    let log = File::create(dir.path().join("agent.log")).expect("create the log");
    let mut agent = agent_in(&lab, dir.path(), &["--listen", &listen_arg]);
    agent
        .args(tls)
        .args(token)
        .env("RUST_LOG", "info")
        .stderr(log);
    lab.spawn(agent);
    lab.wait_listening(Side::Client, listen);

    let base = format!("https://{listen}");
    let ca = pki.ca_file();
    let (code, body) = curl_from_server(&lab, &ca, &format!("{base}/api/status"), &[])
        .expect("an answer without a token");
    assert_eq!(code, 401, "{body}");
    assert!(!body.contains("\"lab\""), "{body}");
    let bearer = format!("Authorization: Bearer {TOKEN}");
    let status = eventually("the status over the lab network", PATIENCE, || async {
        match curl_from_server(&lab, &ca, &format!("{base}/api/status"), &[&bearer]) {
            Ok((200, body)) => Ok(body),
            Ok((code, body)) => Err(format!("{code}: {body}")),
            Err(e) => Err(e),
        }
    })
    .await;
    assert!(status.contains("\"name\":\"lab\""), "{status}");
    let log = std::fs::read_to_string(dir.path().join("agent.log")).unwrap_or_default();
    assert!(
        log.contains("tls=true") && log.contains("tokens=true"),
        "{log}"
    );
    assert!(!log.contains(TOKEN), "{log}");
}
