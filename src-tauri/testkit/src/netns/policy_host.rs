//! The lab's MTA-STS policy hosts: the testkit's `fake-mta-sts` in the server namespace,
//! presenting a certificate the test made and serving a policy file the test may rewrite.

use std::ffi::OsString;
use std::fs;
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
        self.certs_written += 1;
        let dir = self.dir.path().join("certs");
        fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("netns lab: cannot create {}: {e}", dir.display()));
        let chain = dir.join(format!("{}-chain.pem", self.certs_written));
        let key = dir.join(format!("{}-key.pem", self.certs_written));
        for (path, pem) in [(&chain, &cert.chain_pem), (&key, &cert.key_pem)] {
            fs::write(path, pem)
                .unwrap_or_else(|e| panic!("netns lab: cannot write {}: {e}", path.display()));
        }
        let binary = testkit_binary("fake-mta-sts");
        let mut cmd = self.server_cmd(&binary);
        cmd.args(["--listen", &addr.to_string(), "--mode", mode])
            .args([
                OsString::from("--cert-chain"),
                chain.into_os_string(),
                OsString::from("--key"),
                key.into_os_string(),
                OsString::from("--policy"),
                policy.as_os_str().to_owned(),
            ])
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
