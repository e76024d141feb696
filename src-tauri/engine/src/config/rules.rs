//! The rules for single values beyond the registry's ranges — names, hosts, EHLO keywords,
//! address families (and a forced one against an IP-literal host), CA files — each returning
//! the message a person sees when the value breaks it. The message names the value; the caller
//! adds the path. The command line applies the same rules to its arguments.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use crate::io_words::io_words;
use crate::probe::resolve::unbracket;
use crate::probe::AddressFamily;
use crate::settings;
use crate::tls::{read_ca_file, TlsSetupError};

use super::walk::quote;

/// A TCP port, in the registry's range.
pub(crate) fn port(value: i64) -> Result<u16, String> {
    let checked = settings::PORT.check(value)?;
    u16::try_from(checked).map_err(|_| format!("{value} is not a port"))
}

/// A monitor's name or id: not blank, no control characters (it is a metric label and a key).
pub(crate) fn label(value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err("must not be empty".into());
    }
    if value.chars().any(char::is_control) {
        return Err(format!("{} contains a control character", quote(value)));
    }
    Ok(())
}

/// A host name or IP address (IPv6 with or without brackets): not blank, no spaces; the rule
/// at every front door.
pub fn check_host(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err("must not be empty".into());
    }
    if let Some(bad) = value.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "{} contains {bad:?}; a host name or address has no spaces",
            quote(value)
        ));
    }
    Ok(())
}

/// A mail domain: a host name, never an IP address.
pub fn check_domain(value: &str) -> Result<(), String> {
    check_host(value)?;
    if unbracket(value).parse::<IpAddr>().is_ok() {
        return Err(format!(
            "{} is an IP address, not a mail domain (use host for a server)",
            quote(value)
        ));
    }
    Ok(())
}

/// A host and a forced address family that can meet: an IP literal of the other family cannot
/// be reached (`-4` with `::1`), which is a mistake in the settings, not a failure of the server.
/// Names pass: what they resolve to is the probe's to find out.
pub fn check_family(host: &str, family: AddressFamily) -> Result<(), String> {
    let Ok(ip) = unbracket(host).parse::<IpAddr>() else {
        return Ok(());
    };
    let (is, only) = match (ip, family) {
        (IpAddr::V6(_), AddressFamily::V4) => ("IPv6", "IPv4"),
        (IpAddr::V4(_), AddressFamily::V6) => ("IPv4", "IPv6"),
        _ => return Ok(()),
    };
    Err(format!(
        "the host {} is an {is} address; {only} only cannot reach it",
        quote(host)
    ))
}

/// An EHLO keyword (RFC 5321 §4.1.1.1 `ehlo-keyword`: a letter or digit, then letters, digits
/// and `-`), the rule at every front door.
pub fn check_ehlo_keyword(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err("must not be empty".into());
    }
    let ok = value.starts_with(|c: char| c.is_ascii_alphanumeric())
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{} is not an EHLO keyword (letters, digits and -)",
            quote(value)
        ))
    }
}

/// `any`, `ipv4` or `ipv6`.
pub(crate) fn family(value: &str) -> Result<AddressFamily, String> {
    match value {
        "any" => Ok(AddressFamily::Any),
        "ipv4" => Ok(AddressFamily::V4),
        "ipv6" => Ok(AddressFamily::V6),
        other => Err(format!(
            "{} is not an address family (any, ipv4, ipv6)",
            quote(other)
        )),
    }
}

/// A readable PEM file holding at least one certificate.
pub(crate) fn ca_file(value: &str) -> Result<PathBuf, String> {
    if value.trim().is_empty() {
        return Err("must not be empty".into());
    }
    let path = Path::new(value);
    match std::fs::metadata(path) {
        Err(e) => return Err(format!("{value}: {}", io_words(&e))),
        Ok(meta) if meta.is_dir() => {
            return Err(format!("{value}: is a directory, not a PEM file"))
        }
        Ok(meta) if !meta.is_file() => return Err(format!("{value}: not a regular file")),
        Ok(_) => {}
    }
    match read_ca_file(path) {
        Ok(_) => Ok(path.to_path_buf()),
        Err(TlsSetupError::CaFile { reason, .. }) => Err(format!("{value}: {reason}")),
        Err(other) => Err(format!("{value}: {other}")),
    }
}

/// Milliseconds as seconds for people: `2 s`, `2.4 s`, `0.002 s`.
pub(crate) fn seconds(ms: i64) -> String {
    let whole = ms / 1000;
    let frac = (ms % 1000).abs();
    if frac == 0 {
        format!("{whole} s")
    } else {
        let frac = format!("{frac:03}");
        format!("{whole}.{} s", frac.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_rules() {
        assert_eq!(port(65_535), Ok(65_535));
        assert_eq!(port(0), Err("0 is not a port (1–65535)".into()));
        assert_eq!(port(-1), Err("-1 is not a port (1–65535)".into()));
        assert_eq!(
            check_host("mx 1"),
            Err("\"mx 1\" contains ' '; a host name or address has no spaces".into())
        );
        assert!(check_host("[::1]").is_ok());
        assert_eq!(
            check_family("[::1]", AddressFamily::V4),
            Err("the host \"[::1]\" is an IPv6 address; IPv4 only cannot reach it".into())
        );
        assert!(check_family("::1", AddressFamily::V6).is_ok());
        assert!(check_family("127.0.0.1", AddressFamily::Any).is_ok());
        assert!(check_family("mx.example", AddressFamily::V6).is_ok());
        assert!(label("  ").is_err());
        assert!(check_ehlo_keyword("8BITMIME").is_ok());
        assert!(check_ehlo_keyword("X-EXPS").is_ok());
        assert!(check_ehlo_keyword("-X").is_err());
        assert_eq!(
            family("4"),
            Err("\"4\" is not an address family (any, ipv4, ipv6)".into())
        );
        assert_eq!(quote(&"x".repeat(70)), format!("{:?}…", "x".repeat(60)));
    }

    #[test]
    fn the_registry_words_are_the_words_accepted() {
        use crate::probe::TlsMode;
        for word in settings::TLS.words {
            assert_eq!(word.parse::<TlsMode>().map(TlsMode::as_str), Ok(*word));
        }
        assert_eq!(TlsMode::default().as_str(), settings::TLS.words[0]);
        for word in settings::FAMILY.words {
            assert!(family(word).is_ok(), "{word}");
        }
        assert_eq!(
            family(settings::FAMILY.words[0]),
            Ok(AddressFamily::default())
        );
    }

    #[test]
    fn seconds_for_people() {
        assert_eq!(seconds(2000), "2 s");
        assert_eq!(seconds(2400), "2.4 s");
        assert_eq!(seconds(3002), "3.002 s");
        assert_eq!(seconds(2), "0.002 s");
    }

    #[test]
    fn ca_files() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("x.pem");
        let missing = missing.to_str().unwrap();
        assert_eq!(
            ca_file(missing),
            Err(format!("{missing}: No such file or directory"))
        );
        let dir_text = dir.path().to_str().unwrap();
        assert_eq!(
            ca_file(dir_text),
            Err(format!("{dir_text}: is a directory, not a PEM file"))
        );
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let empty = empty.to_str().unwrap();
        assert_eq!(
            ca_file(empty),
            Err(format!("{empty}: no PEM certificate in it"))
        );
        let cert = rcgen::generate_simple_self_signed(vec!["mx.test".to_owned()]).unwrap();
        let good = dir.path().join("ca.pem");
        std::fs::write(&good, cert.cert.pem()).unwrap();
        assert_eq!(ca_file(good.to_str().unwrap()), Ok(good));
    }
}
