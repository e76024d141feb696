//! The name we introduce ourselves with (RFC 5321 §4.1.4): the machine's FQDN when it has one,
//! else the address literal of our end of the connection — never `localhost` and never empty,
//! which servers such as Postfix answer with 501.

use std::net::{IpAddr, SocketAddr};

/// The default EHLO name for a connection whose local end is `local`.
pub(crate) fn default_ehlo_name(local: SocketAddr) -> String {
    let host = gethostname::gethostname();
    fqdn(&host.to_string_lossy()).unwrap_or_else(|| address_literal(local.ip()))
}

/// The host name when it looks like a fully qualified domain.
fn fqdn(host: &str) -> Option<String> {
    let host = host.trim_end_matches('.');
    let usable = host.contains('.')
        && !host.to_ascii_lowercase().starts_with("localhost")
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    usable.then(|| host.to_owned())
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
    }

    #[test]
    fn only_real_fqdns_are_used() {
        assert_eq!(fqdn("probe.example.com"), Some("probe.example.com".into()));
        assert_eq!(fqdn("probe.example.com."), Some("probe.example.com".into()));
        assert_eq!(fqdn("buildbox"), None);
        assert_eq!(fqdn("localhost.localdomain"), None);
        assert_eq!(fqdn("weird name.example"), None);
    }
}
