//! The name asked of a list: the address reversed under the list's zone — IPv4 octets
//! (RFC 5782 §2.1), IPv6 nibbles (§2.4) — so `192.0.2.10` in `zen.example` is
//! `10.2.0.192.zen.example`.

use std::fmt::Write as _;
use std::net::IpAddr;

/// The query name of `address` in the list `zone` (no trailing dot). An IPv4-mapped IPv6
/// address is asked as the IPv4 address it is.
pub(crate) fn query_name(address: IpAddr, zone: &str) -> String {
    let zone = zone.trim_end_matches('.');
    let address = match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        IpAddr::V4(_) => address,
    };
    match address {
        IpAddr::V4(v4) => {
            let [a, b, c, d] = v4.octets();
            format!("{d}.{c}.{b}.{a}.{zone}")
        }
        IpAddr::V6(v6) => {
            let mut name = String::with_capacity(64 + zone.len());
            for byte in v6.octets().iter().rev() {
                let _ = write!(name, "{:x}.{:x}.", byte & 0x0f, byte >> 4);
            }
            name.push_str(zone);
            name
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_octets_are_reversed_under_the_zone() {
        let ip: IpAddr = "192.0.2.10".parse().unwrap();
        assert_eq!(query_name(ip, "zen.example"), "10.2.0.192.zen.example");
        assert_eq!(query_name(ip, "zen.example."), "10.2.0.192.zen.example");
    }

    #[test]
    fn ipv6_nibbles_are_reversed_under_the_zone() {
        // RFC 5782 §2.4's example address.
        let ip: IpAddr = "2001:db8:1:2:3:4:567:89ab".parse().unwrap();
        assert_eq!(
            query_name(ip, "ugly.example.com"),
            "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ugly.example.com"
        );
    }

    #[test]
    fn an_ipv4_mapped_address_is_asked_as_ipv4() {
        let ip: IpAddr = "::ffff:192.0.2.10".parse().unwrap();
        assert_eq!(query_name(ip, "bl.test"), "10.2.0.192.bl.test");
    }
}
