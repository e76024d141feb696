//! What a list's A answer means (RFC 5782 §2.1, §5): any `127/8` address from `127.0.0.2` to
//! `127.255.255.251` is a listing, its value the list's code; `127.255.255.252`–`255` is the
//! list refusing the query (Spamhaus: `.252` a typo'd zone, `.254` a public or shared resolver,
//! `.255` too many queries) and never a listing; `127.0.0.1` or anything outside `127/8` is no
//! blocklist answer (a resolver that rewrites NXDOMAIN, a wildcard) and never a listing; no
//! address (NXDOMAIN, no data) is not listed.

use std::net::Ipv4Addr;

/// The A answer of one list, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decoded {
    /// No address: not listed.
    NotListed,
    /// Listed, with the list's codes (`127.0.0.2` …).
    Listed(Vec<Ipv4Addr>),
    /// The list refused the query, with the codes it answered.
    Refused(Vec<Ipv4Addr>),
    /// Addresses no blocklist answers with.
    NotAnAnswer(Vec<Ipv4Addr>),
}

/// True for `127.255.255.252`–`255`, the codes lists answer errors with.
fn is_refusal(ip: Ipv4Addr) -> bool {
    let [a, b, c, d] = ip.octets();
    a == 127 && b == 255 && c == 255 && d >= 252
}

/// True for a listing code: in `127/8`, neither `127.0.0.1` nor a refusal.
fn is_listing(ip: Ipv4Addr) -> bool {
    ip.octets()[0] == 127 && ip != Ipv4Addr::LOCALHOST && !is_refusal(ip)
}

/// Decodes the A records a list answered. A refusal anywhere in the answer makes it a
/// refusal; any address that is no listing code makes it no blocklist answer: neither is ever
/// a listing.
pub(crate) fn decode(addresses: &[Ipv4Addr]) -> Decoded {
    if addresses.is_empty() {
        return Decoded::NotListed;
    }
    let mut codes = addresses.to_vec();
    codes.sort_unstable();
    codes.dedup();
    if codes.iter().any(|ip| is_refusal(*ip)) {
        Decoded::Refused(codes)
    } else if codes.iter().all(|ip| is_listing(*ip)) {
        Decoded::Listed(codes)
    } else {
        Decoded::NotAnAnswer(codes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ips(list: &[&str]) -> Vec<Ipv4Addr> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn every_code_class_decodes_as_it_should() {
        let table: &[(&[&str], &str)] = &[
            (&[], "not_listed"),
            (&["127.0.0.2"], "listed"),
            (&["127.0.0.4", "127.0.0.10"], "listed"),
            (&["127.1.2.3"], "listed"),
            (&["127.255.255.251"], "listed"),
            (&["127.255.255.252"], "refused"),
            (&["127.255.255.253"], "refused"),
            (&["127.255.255.254"], "refused"),
            (&["127.255.255.255"], "refused"),
            (&["127.0.0.2", "127.255.255.254"], "refused"),
            (&["127.0.0.1"], "not_an_answer"),
            (&["203.0.113.5"], "not_an_answer"),
            (&["0.0.0.0"], "not_an_answer"),
            (&["127.0.0.2", "198.51.100.1"], "not_an_answer"),
        ];
        for (answer, want) in table {
            let got = match decode(&ips(answer)) {
                Decoded::NotListed => "not_listed",
                Decoded::Listed(_) => "listed",
                Decoded::Refused(_) => "refused",
                Decoded::NotAnAnswer(_) => "not_an_answer",
            };
            assert_eq!(got, *want, "answer {answer:?}");
        }
    }

    #[test]
    fn a_listing_carries_its_codes_in_order() {
        assert_eq!(
            decode(&ips(&["127.0.0.10", "127.0.0.2", "127.0.0.2"])),
            Decoded::Listed(ips(&["127.0.0.2", "127.0.0.10"]))
        );
    }
}
