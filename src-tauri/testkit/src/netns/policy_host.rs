//! The lab's MTA-STS policy hosts: the testkit's `fake-mta-sts` in the server namespace,
//! presenting a certificate the test made and serving a policy file the test may rewrite.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use super::exec;
use super::lab::Lab;
use crate::pki::ServerCert;

impl Lab {
    /// Starts `fake-mta-sts` on `addr` (port 443, as senders fetch) in the server namespace,
    /// presenting `cert` and serving the file `policy` in `mode` (`good`, `oversized`, `slow`,
    /// `redirect`); its pid once it listens. Build it first with
    /// `cargo build -p ehlowatch-testkit --bin fake-mta-sts`.
    pub fn fake_mta_sts(
        &mut self,
        addr: SocketAddr,
        mode: &str,
        cert: &ServerCert,
        policy: &Path,
    ) -> u32 {
        let certs = self.cert_args(cert);
        let binary = testkit_binary("fake-mta-sts");
        let mut cmd = self.server_cmd(&binary);
        cmd.args(["--listen", &addr.to_string(), "--mode", mode])
            .args(certs)
            .arg("--policy")
            .arg(policy)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let pid = self.spawn(cmd);
        let child = self.children.last_mut().expect("the child just spawned");
        let said = child
            .stdout
            .take()
            .and_then(|out| exec::first_line(out, Duration::from_secs(20)));
        if !said
            .as_deref()
            .is_some_and(|l| l.starts_with("listening on "))
        {
            self.stop(pid);
            panic!(
                "netns lab: fake-mta-sts on {addr} did not say `listening on` (it said {said:?})"
            );
        }
        pid
    }
}

/// A testkit binary beside the running test's directory (`target/debug/<name>`).
fn testkit_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe()
        .unwrap_or_else(|e| panic!("netns lab: cannot find the running binary: {e}"));
    exe.ancestors()
        .skip(1)
        .take(2)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
        .unwrap_or_else(|| {
            panic!(
                "netns lab: no {name} beside {}: build it with \
                 `cargo build -p ehlowatch-testkit --bin {name}`",
                exe.display()
            )
        })
}
