//! Turns the host of a probe into addresses: IP literals (IPv6 with or without brackets) are used
//! as they are, names go through the system resolver; the forced address family filters both.

use std::net::{IpAddr, SocketAddr};

use super::spec::AddressFamily;
use crate::failure::{Failure, FailureKind, Phase};

/// The host without the brackets of an IPv6 literal.
pub(crate) fn unbracket(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

/// Resolves `host` to the addresses to try, in order.
pub(crate) async fn resolve(
    host: &str,
    port: u16,
    family: AddressFamily,
) -> Result<Vec<SocketAddr>, Failure> {
    let bare = unbracket(host);
    let found: Vec<SocketAddr> = if let Ok(ip) = bare.parse::<IpAddr>() {
        vec![SocketAddr::new(ip, port)]
    } else {
        tokio::net::lookup_host((bare, port))
            .await
            .map_err(|e| {
                Failure::new(
                    Phase::Dns,
                    FailureKind::Dns,
                    format!("cannot resolve {bare}: {e}"),
                )
            })?
            .collect()
    };
    let wanted = filter_family(found, family);
    if wanted.is_empty() {
        let which = match family {
            AddressFamily::V4 => "no IPv4 address",
            AddressFamily::V6 => "no IPv6 address",
            AddressFamily::Any => "no address",
        };
        return Err(Failure::new(
            Phase::Dns,
            FailureKind::Dns,
            format!("{bare} has {which}"),
        ));
    }
    Ok(wanted)
}

fn filter_family(addrs: Vec<SocketAddr>, family: AddressFamily) -> Vec<SocketAddr> {
    addrs
        .into_iter()
        .filter(|a| match family {
            AddressFamily::Any => true,
            AddressFamily::V4 => a.is_ipv4(),
            AddressFamily::V6 => a.is_ipv6(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn ipv6_literal_with_or_without_brackets() {
        for host in ["::1", "[::1]"] {
            let got = resolve(host, 25, AddressFamily::Any).await.unwrap();
            assert_eq!(got, vec!["[::1]:25".parse().unwrap()]);
        }
    }

    #[tokio::test]
    async fn forced_family_that_the_literal_lacks_fails_in_dns() {
        let err = resolve("127.0.0.1", 25, AddressFamily::V6)
            .await
            .unwrap_err();
        assert_eq!(
            err,
            Failure::new(
                Phase::Dns,
                FailureKind::Dns,
                "127.0.0.1 has no IPv6 address"
            )
        );
        assert!(resolve("127.0.0.1", 25, AddressFamily::V4).await.is_ok());
    }
}
