//! DNSSEC for the lab's signed zones ([`Zone::signed`](super::Zone::signed)): a KSK and a ZSK
//! per zone origin, made once per lab by `ldns-keygen` (ECDSA P-256 SHA-256, algorithm 13) and
//! kept under the lab's directory, so every re-signing uses the same keys and a trust anchor
//! taken once stays valid; each serve signs the zone file again with `ldns-signzone` (NSEC).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::exec;

/// The keys' algorithm, as `ldns-keygen -a` names it.
const ALGORITHM: &str = "ECDSAP256SHA256";

/// How far back signatures are valid from, so clocks a little apart still accept them.
const INCEPTION_BEFORE: Duration = Duration::from_secs(3600);

/// How long signatures stay valid: longer than any test.
const VALID_FOR: Duration = Duration::from_secs(30 * 24 * 3600);

/// The base names of the two keys in an origin's key directory (`.key`, `.private`, and for the
/// KSK `.ds`).
const KSK: &str = "ksk";
const ZSK: &str = "zsk";

/// Signs the zone file `file` of `origin` with the origin's keys under `keys` (made first when
/// missing) and returns the signed file (`<file>.signed`). Panics quoting `ldns-signzone`.
pub(super) fn sign(keys: &Path, origin: &str, file: &Path) -> PathBuf {
    let dir = key_dir(keys, origin);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let inception = now.saturating_sub(INCEPTION_BEFORE).as_secs().to_string();
    let expiration = (now + VALID_FOR).as_secs().to_string();
    let mut signed = file.as_os_str().to_owned();
    signed.push(".signed");
    let signed = PathBuf::from(signed);
    let mut cmd = exec::command("ldns-signzone", ["-i", &inception, "-e", &expiration]);
    cmd.args(["-o", origin])
        .arg("-f")
        .arg(&signed)
        .arg(file)
        .arg(dir.join(KSK))
        .arg(dir.join(ZSK));
    exec::run(&mut cmd);
    signed
}

/// The trust anchor of `origin`'s keys under `keys` (made first when missing): the KSK's DS
/// record as one zone-file line, e.g. `dane.test. IN DS 9400 13 2 eebf…`.
pub(super) fn trust_anchor(keys: &Path, origin: &str) -> String {
    let file = key_dir(keys, origin).join(format!("{KSK}.ds"));
    let text = fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("netns lab: cannot read {}: {e}", file.display()));
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    assert!(
        line.contains("DS"),
        "netns lab: no DS record in {}: {text:?}",
        file.display()
    );
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The directory of `origin`'s keys under `keys`, with the KSK and the ZSK made the first
/// time. Panics quoting `ldns-keygen`.
fn key_dir(keys: &Path, origin: &str) -> PathBuf {
    let dir = keys.join(origin);
    if dir.join(format!("{ZSK}.private")).is_file() {
        return dir;
    }
    fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("netns lab: cannot create {}: {e}", dir.display()));
    for (name, ksk) in [(KSK, true), (ZSK, false)] {
        let mut cmd = exec::command("ldns-keygen", ["-a", ALGORITHM]);
        if ksk {
            cmd.arg("-k");
        }
        cmd.arg(origin).current_dir(&dir);
        let made = exec::run(&mut cmd);
        let base = made.trim();
        assert!(
            !base.is_empty() && !base.contains('/'),
            "netns lab: ldns-keygen for {origin} printed no key name: {made:?}"
        );
        for ext in ["key", "private", "ds"] {
            let from = dir.join(format!("{base}.{ext}"));
            if from.is_file() {
                let to = dir.join(format!("{name}.{ext}"));
                fs::rename(&from, &to).unwrap_or_else(|e| {
                    panic!(
                        "netns lab: cannot rename {} to {}: {e}",
                        from.display(),
                        to.display()
                    )
                });
            }
        }
    }
    dir
}
