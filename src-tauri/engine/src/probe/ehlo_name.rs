//! The name we introduce ourselves with, and the one rule for it that every front door applies
//! (the configuration file, the desktop's settings, `--ehlo-name`, the computed default). A
//! name is a domain of LDH labels — letters, digits and hyphens, no hyphen first or last — of at
//! most 63 octets each and 255 in all (RFC 5321 §4.1.2, RFC 1035 §2.3.1); a domain typed in
//! Unicode goes on the wire as its A-labels (`xn--…`, RFC 5890 §2.3.2.1, checked by IDNA2008 as
//! UTS 46 applies it); or an address literal `[192.0.2.1]`, `[IPv6:2001:db8::1]` (RFC 5321
//! §4.1.3). Never empty and never `localhost` in any spelling (RFC 6761 §6.3): servers such as
//! Postfix and Exim answer those, and raw UTF-8, with 501, which would read as their failure.
//! The default is the machine's FQDN when it passes the rule, else the address literal of our
//! end of the connection (RFC 5321 §4.1.4).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};

/// The longest label, in octets (RFC 1035 §2.3.4).
const MAX_LABEL: usize = 63;
/// The longest domain, in octets (RFC 5321 §4.5.3.1.2).
const MAX_DOMAIN: usize = 255;
/// First labels that name the machine itself in hosts files (`localhost.localdomain`,
/// `localhost6.localdomain6`, Debian's `ip6-localhost`).
const LOOPBACK_NAMES: [&str; 5] = [
    "localhost",
    "localhost4",
    "localhost6",
    "ip6-localhost",
    "ip6-loopback",
];

/// Checks an EHLO name a person gave and returns it as it goes on the wire: an ASCII domain as
/// typed (without a trailing root dot), a Unicode domain as its A-labels, an address literal as
/// typed. The error names the value and says what is wrong with it.
pub fn check_ehlo_name(name: &str) -> Result<String, String> {
    if name.is_empty() {
        return Err("must not be empty".into());
    }
    if let Some(bad) = name.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "{name:?} contains {bad:?}; a domain or [address literal] has no spaces or control characters"
        ));
    }
    if name.starts_with('[') || name.ends_with(']') {
        return check_address_literal(name).map(|()| name.to_owned());
    }
    let wire = domain(name)?;
    if is_loopback_name(&wire) {
        return Err(format!(
            "{name:?} is not a name a server can check; use the FQDN or an address literal"
        ));
    }
    Ok(wire)
}

/// A domain's wire form, or what is wrong with it.
fn domain(name: &str) -> Result<String, String> {
    if let Some(ip) = bare_address(name) {
        return Err(format!(
            "{name:?} is an address; write it as the address literal {}",
            address_literal(ip)
        ));
    }
    // ASCII first, so the message names the character at fault even in a Unicode name.
    if let Some(bad) = name
        .chars()
        .find(|c| c.is_ascii() && !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.')))
    {
        return Err(format!(
            "{name:?} contains {bad:?}; a domain has only letters, digits, hyphens and dots"
        ));
    }
    let bare = name.strip_suffix('.').unwrap_or(name);
    for label in bare.split('.') {
        if label.is_empty() {
            return Err(format!("{name:?} has an empty label"));
        }
        if label.starts_with('-') {
            return Err(format!(
                "{name:?}: the label {label:?} starts with a hyphen"
            ));
        }
        if label.ends_with('-') {
            return Err(format!("{name:?}: the label {label:?} ends with a hyphen"));
        }
    }
    let wire = if bare.is_ascii() {
        if let Some(label) = bare
            .split('.')
            .find(|l| is_a_label(l) && to_ascii(l).is_none())
        {
            return Err(format!(
                "{name:?}: the label {label:?} is not a valid A-label (IDNA2008, RFC 5891)"
            ));
        }
        bare.to_owned()
    } else {
        to_ascii(bare).ok_or_else(|| {
            format!(
                "{name:?} is neither an ASCII domain nor a valid internationalised one (IDNA2008, RFC 5891)"
            )
        })?
    };
    if let Some(label) = wire.split('.').find(|l| l.len() > MAX_LABEL) {
        return Err(format!(
            "{name:?}: the label {label:?} is {} octets, longer than {MAX_LABEL}",
            label.len()
        ));
    }
    if wire.len() > MAX_DOMAIN {
        return Err(format!(
            "{name:?} is {} octets, longer than {MAX_DOMAIN}",
            wire.len()
        ));
    }
    Ok(wire)
}

/// The A-label form of a domain (UTS 46 with the STD3 rules and no hyphen first or last), or
/// `None` when it is not a valid internationalised domain. Lengths are left to the caller.
fn to_ascii(domain: &str) -> Option<String> {
    Uts46::new()
        .to_ascii(
            domain.as_bytes(),
            AsciiDenyList::STD3,
            Hyphens::Check,
            DnsLength::Ignore,
        )
        .ok()
        .map(std::borrow::Cow::into_owned)
}

/// Whether an ASCII label claims to be an A-label (`xn--`, in any case).
fn is_a_label(label: &str) -> bool {
    label
        .get(..4)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("xn--"))
}

/// An IP address written where a domain belongs (it needs brackets there).
fn bare_address(name: &str) -> Option<IpAddr> {
    name.parse::<IpAddr>().ok().or_else(|| {
        name.strip_suffix('.')?
            .parse::<Ipv4Addr>()
            .ok()
            .map(IpAddr::V4)
    })
}

/// Whether a domain (in its ASCII form) names the machine itself.
fn is_loopback_name(domain: &str) -> bool {
    let lower = domain.to_ascii_lowercase();
    let first = lower.split('.').next().unwrap_or_default();
    LOOPBACK_NAMES.contains(&first) || lower.rsplit('.').next() == Some("localhost")
}

/// Checks `[192.0.2.1]` and `[IPv6:2001:db8::1]` (RFC 5321 §4.1.3; the tag in any case).
fn check_address_literal(name: &str) -> Result<(), String> {
    let inner = name
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .ok_or_else(|| {
            format!("{name:?} is not an address literal: it needs both brackets, as in [192.0.2.1]")
        })?;
    if let Some(v6) = inner
        .get(..5)
        .filter(|tag| tag.eq_ignore_ascii_case("IPv6:"))
        .map(|_| &inner[5..])
    {
        return v6
            .parse::<Ipv6Addr>()
            .map(|_| ())
            .map_err(|_| format!("{name:?}: {v6:?} is not an IPv6 address"));
    }
    if inner.parse::<Ipv4Addr>().is_ok() {
        return Ok(());
    }
    if inner.parse::<Ipv6Addr>().is_ok() {
        return Err(format!(
            "{name:?}: an IPv6 address literal has the tag IPv6:, as in [IPv6:{inner}]"
        ));
    }
    Err(format!("{name:?}: {inner:?} is not an IPv4 address"))
}

/// How long the machine's FQDN, once looked up, serves before it is looked up again: a renamed
/// machine is seen within a minute, and a probe pays neither the system call nor the check.
const MACHINE_FQDN_KEPT: Duration = Duration::from_secs(60);

/// The default EHLO name for a connection whose local end is `local`.
pub(crate) fn default_ehlo_name(local: SocketAddr) -> String {
    machine_fqdn().unwrap_or_else(|| address_literal(local.ip()))
}

/// The machine's FQDN ([`fqdn`] of [`machine_name`]), looked up at most once per
/// [`MACHINE_FQDN_KEPT`].
fn machine_fqdn() -> Option<String> {
    static LOOKED_UP: Mutex<Option<(Instant, Option<String>)>> = Mutex::new(None);
    let mut looked_up = LOOKED_UP.lock().unwrap_or_else(PoisonError::into_inner);
    let now = Instant::now();
    match &*looked_up {
        Some((at, name)) if now.duration_since(*at) < MACHINE_FQDN_KEPT => name.clone(),
        _ => {
            let name = fqdn(&machine_name());
            *looked_up = Some((now, name.clone()));
            name
        }
    }
}

/// The wire form of a machine name when it is a dotted domain that passes the rule.
fn fqdn(host: &str) -> Option<String> {
    check_ehlo_name(host)
        .ok()
        .filter(|wire| wire.contains('.') && !wire.starts_with('['))
}

/// This machine's name as the system gives it (Unix: the kernel's host name, which is the FQDN
/// when the administrator set one).
#[cfg(not(windows))]
fn machine_name() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}

/// This machine's DNS name: Windows gives the host name without its domain, so the primary DNS
/// suffix is read where Windows keeps it, the `Domain` value of
/// `HKLM\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters` (what `GetComputerNameExW` joins for
/// `ComputerNamePhysicalDnsFullyQualified`). No suffix: the host name alone.
#[cfg(windows)]
fn machine_name() -> String {
    let host = gethostname::gethostname().to_string_lossy().into_owned();
    let suffix = windows_registry::LOCAL_MACHINE
        .open(r"SYSTEM\CurrentControlSet\Services\Tcpip\Parameters")
        .and_then(|key| key.get_string("Domain"))
        .unwrap_or_default();
    with_suffix(host, &suffix)
}

/// `host.suffix`, or `host` when there is no suffix or the host is already dotted.
#[cfg(any(windows, test))]
fn with_suffix(host: String, suffix: &str) -> String {
    let suffix = suffix.trim_matches('.');
    if suffix.is_empty() || host.contains('.') {
        host
    } else {
        format!("{host}.{suffix}")
    }
}

/// `[192.0.2.1]` or `[IPv6:2001:db8::1]` (RFC 5321 §4.1.3).
pub(crate) fn address_literal(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => format!("[{v4}]"),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("[{v4}]"),
            None => format!("[IPv6:{v6}]"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ehlowatch_testkit::ehlo_name_cases;

    #[test]
    fn every_case_of_the_shared_table() {
        for case in ehlo_name_cases() {
            assert_eq!(check_ehlo_name(&case.name), case.verdict, "{:?}", case.name);
        }
    }

    #[test]
    fn what_goes_on_the_wire_passes_the_rule_again_unchanged() {
        for case in ehlo_name_cases() {
            if let Ok(wire) = case.verdict {
                assert_eq!(check_ehlo_name(&wire), Ok(wire.clone()));
            }
        }
    }

    #[test]
    fn address_literals() {
        assert_eq!(address_literal("192.0.2.1".parse().unwrap()), "[192.0.2.1]");
        assert_eq!(
            address_literal("2001:db8::1".parse().unwrap()),
            "[IPv6:2001:db8::1]"
        );
        assert_eq!(
            address_literal("::ffff:192.0.2.1".parse().unwrap()),
            "[192.0.2.1]"
        );
        for ip in ["192.0.2.1", "2001:db8::1", "::1", "::ffff:192.0.2.1"] {
            let literal = address_literal(ip.parse().unwrap());
            assert_eq!(check_ehlo_name(&literal), Ok(literal.clone()));
        }
    }

    #[test]
    fn only_real_fqdns_are_used() {
        assert_eq!(fqdn("probe.example.com"), Some("probe.example.com".into()));
        assert_eq!(fqdn("probe.example.com."), Some("probe.example.com".into()));
        assert_eq!(
            fqdn("büro.example.com"),
            Some("xn--bro-hoa.example.com".into())
        );
        assert_eq!(fqdn("buildbox"), None);
        assert_eq!(fqdn("localhost.localdomain"), None);
        assert_eq!(fqdn("build_box.example"), None);
        assert_eq!(fqdn("weird name.example"), None);
        assert_eq!(fqdn("[192.0.2.1]"), None);
    }

    #[test]
    fn a_windows_host_name_takes_the_primary_dns_suffix() {
        assert_eq!(
            with_suffix("pc7".into(), "corp.example"),
            "pc7.corp.example"
        );
        assert_eq!(
            with_suffix("pc7".into(), "corp.example."),
            "pc7.corp.example"
        );
        assert_eq!(with_suffix("pc7".into(), ""), "pc7");
        assert_eq!(with_suffix("pc7.lan".into(), "corp.example"), "pc7.lan");
    }
}
