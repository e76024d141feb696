//! An oracle for DANE TLSA records (RFC 6698 §2.1): the record data that matches a
//! [`ServerCert`], computed by the `openssl` command line rather than by Rust code, so the
//! engine's own matching is checked against an independent implementation.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::pki::ServerCert;

impl ServerCert {
    /// The zone-file data of a TLSA record matching this certificate, e.g. `"3 1 1 ab12…"`
    /// (lower-case hex), computed with the `openssl` command line. `usage` 3 (DANE-EE) takes
    /// the leaf, 2 (DANE-TA) the issuing CA (the chain's last certificate); `selector` 0 the
    /// whole certificate (DER), 1 its public key (`SubjectPublicKeyInfo`, DER); `matching` 0 the data itself,
    /// 1 its SHA-256, 2 its SHA-512. Panics on other values, on usage 2 for a self-signed
    /// certificate (there is no CA), or when `openssl` fails.
    pub fn tlsa(&self, usage: u8, selector: u8, matching: u8) -> String {
        let cert = match usage {
            3 => &self.chain[0],
            2 => {
                assert!(
                    self.chain.len() > 1,
                    "ServerCert::tlsa usage 2: a self-signed certificate has no issuing CA \
                     (DANE-TA needs a certificate issued by a TestPki)"
                );
                &self.chain[self.chain.len() - 1]
            }
            other => panic!(
                "ServerCert::tlsa usage {other}: only 2 (DANE-TA) and 3 (DANE-EE) are used for \
                 SMTP (RFC 7672 §3.1.3)"
            ),
        };
        let data = match selector {
            0 => openssl(&["x509", "-inform", "DER", "-outform", "DER"], cert),
            1 => {
                let pem = openssl(&["x509", "-inform", "DER", "-pubkey", "-noout"], cert);
                openssl(&["pkey", "-pubin", "-outform", "DER"], &pem)
            }
            other => panic!("ServerCert::tlsa selector {other}: 0 (certificate) or 1 (SPKI)"),
        };
        let digest = match matching {
            0 => data,
            1 => openssl(&["dgst", "-sha256", "-binary"], &data),
            2 => openssl(&["dgst", "-sha512", "-binary"], &data),
            other => {
                panic!("ServerCert::tlsa matching {other}: 0 (full), 1 (SHA-256) or 2 (SHA-512)")
            }
        };
        format!("{usage} {selector} {matching} {}", hex(&digest))
    }
}

/// `bytes` in lower-case hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut text, b| {
        let _ = write!(text, "{b:02x}");
        text
    })
}

/// Runs `openssl ARGS` with `input` on its stdin and returns its stdout; panics naming the
/// command and its stderr when it fails.
fn openssl(args: &[&str], input: &[u8]) -> Vec<u8> {
    let shown = format!("openssl {}", args.join(" "));
    let mut child = Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("ServerCert::tlsa: cannot run `{shown}`: {e}"));
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("ServerCert::tlsa: `{shown}`: {e}"));
    let written = writer.join().expect("the writer thread");
    assert!(
        out.status.success() && written.is_ok(),
        "ServerCert::tlsa: `{shown}` failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr).trim()
    );
    out.stdout
}

#[cfg(test)]
mod tests {
    use rcgen::{KeyPair, PublicKeyData as _};
    use sha2::{Digest as _, Sha256, Sha512};

    use super::hex;
    use crate::pki::{ServerCert, TestPki, Validity};

    #[test]
    fn tlsa_data_is_the_der_its_hashes_and_the_public_key_of_leaf_and_ca() {
        let pki = TestPki::new();
        let cert = pki.server_cert(&["mx1.dane.test"], Validity::FRESH);
        let (leaf, ca) = (cert.chain[0].as_ref(), cert.chain[1].as_ref());
        assert_eq!(cert.tlsa(3, 0, 0), format!("3 0 0 {}", hex(leaf)));
        assert_eq!(
            cert.tlsa(3, 0, 1),
            format!("3 0 1 {}", hex(&Sha256::digest(leaf)))
        );
        assert_eq!(
            cert.tlsa(3, 0, 2),
            format!("3 0 2 {}", hex(&Sha512::digest(leaf)))
        );
        assert_eq!(
            cert.tlsa(2, 0, 1),
            format!("2 0 1 {}", hex(&Sha256::digest(ca)))
        );
        let spki = KeyPair::from_pem(&cert.key_pem)
            .expect("the leaf's key")
            .subject_public_key_info();
        assert_eq!(cert.tlsa(3, 1, 0), format!("3 1 0 {}", hex(&spki)));
        assert_eq!(
            cert.tlsa(3, 1, 1),
            format!("3 1 1 {}", hex(&Sha256::digest(&spki)))
        );
        assert_ne!(cert.tlsa(3, 1, 1)[6..], cert.tlsa(3, 0, 1)[6..]);
        assert_ne!(cert.tlsa(2, 1, 1)[6..], cert.tlsa(3, 1, 1)[6..]);
    }

    #[test]
    #[should_panic(expected = "usage 2: a self-signed certificate has no issuing CA")]
    fn dane_ta_of_a_self_signed_certificate_is_refused() {
        let _ = ServerCert::self_signed(&["mx1.dane.test"]).tlsa(2, 1, 1);
    }
}
