//! The agent's start-up refusals for its API: asked to listen beyond loopback (`0.0.0.0`, `::`,
//! an address of the machine) without a token, or without TLS, it exits 3 naming `--listen` and
//! what to add; a certificate, key or token file it cannot use makes it exit 3 naming the flag
//! and the file (never the token). All before the history is opened or a socket bound.

mod agent_support;

use std::time::Duration;

use agent_support::{agent_command, config_every};
use ehlowatch_testkit::{ServerCert, TestPki, Validity};

const READ_TOKEN: &str = "read-5b1f0c2e9a7d4e61";

/// Runs `ehlowatch run --config agent.toml ARGS` in a directory holding `files`, expecting it to
/// give up at once; returns its exit code and stderr.
fn run_refused(files: &[(&str, &str)], args: &[&str]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(
        dir.path().join("agent.toml"),
        config_every(600, &[("m", 25)]),
    )
    .expect("write the config");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write a file");
    }
    let out = assert_cmd::Command::from_std(agent_command())
        .args(["run", "--config", "agent.toml", "--db", "history.sqlite"])
        .args(args)
        .current_dir(dir.path())
        .timeout(Duration::from_secs(20))
        .output()
        .expect("run ehlowatch");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !dir.path().join("history.sqlite").exists(),
        "refused before opening the history: {stderr}"
    );
    (out.status.code(), stderr)
}

#[test]
fn listening_beyond_loopback_needs_a_token_and_tls() {
    let pki = TestPki::new();
    let cert = pki.server_cert(&["127.0.0.1"], Validity::FRESH);
    let tls_files = [
        ("cert.pem", cert.chain_pem.as_str()),
        ("key.pem", cert.key_pem.as_str()),
        ("read.token", READ_TOKEN),
    ];
    let tls = ["--tls-cert", "cert.pem", "--tls-key", "key.pem"];
    for listen in ["0.0.0.0:0", "[::]:0", "192.0.2.10:9925"] {
        let (code, stderr) = run_refused(&tls_files, &[&["--listen", listen][..], &tls].concat());
        assert_eq!(code, Some(3), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "--listen {listen} exposes the API beyond this machine: give --token-file"
            )),
            "{stderr}"
        );
        let (code, stderr) = run_refused(
            &tls_files,
            &["--listen", listen, "--token-file", "read.token"],
        );
        assert_eq!(code, Some(3), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "--listen {listen} exposes the API beyond this machine without TLS"
            )) && stderr.contains("--allow-plain-http"),
            "{stderr}"
        );
    }
}

/// Files in the agent's directory, arguments, and what stderr must say.
type Case<'a> = (&'a [(&'a str, &'a str)], Vec<&'a str>, &'a str);

#[test]
fn bad_certificate_and_token_files_exit_3_naming_the_flag_and_the_file() {
    let pki = TestPki::new();
    let cert = pki.server_cert(&["127.0.0.1"], Validity::FRESH);
    let other = ServerCert::self_signed(&["127.0.0.1"]);
    let good = [
        ("cert.pem", cert.chain_pem.as_str()),
        ("key.pem", cert.key_pem.as_str()),
        ("read.token", READ_TOKEN),
    ];
    let tls = ["--tls-cert", "cert.pem", "--tls-key", "key.pem"];
    let cases: [Case; 6] = [
        (
            &[
                ("cert.pem", "not a certificate"),
                ("key.pem", &cert.key_pem),
            ],
            tls.to_vec(),
            "--tls-cert cert.pem",
        ),
        (
            &[("cert.pem", &cert.chain_pem), ("key.pem", "")],
            tls.to_vec(),
            "--tls-key key.pem",
        ),
        (
            &[("cert.pem", &cert.chain_pem), ("key.pem", &other.key_pem)],
            tls.to_vec(),
            "--tls-key key.pem is not the key of the certificate in --tls-cert cert.pem",
        ),
        (
            &good,
            vec!["--token-file", "missing.token"],
            "--token-file missing.token",
        ),
        (
            &[("empty.token", "\n")],
            vec!["--token-file", "empty.token"],
            "--token-file empty.token: the file is empty",
        ),
        (
            &good,
            vec![
                "--token-file",
                "read.token",
                "--control-token-file",
                "read.token",
            ],
            "--control-token-file read.token: the control token is the read-only token",
        ),
    ];
    for (files, args, expected) in cases {
        let (code, stderr) = run_refused(files, &args);
        assert_eq!(code, Some(3), "{args:?}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{args:?}: no {expected:?} in {stderr}"
        );
        assert!(!stderr.contains(READ_TOKEN), "{stderr}");
    }
}
