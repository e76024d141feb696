//! What an MX answer means for the probes of a mail domain, as pure functions: RFC 5321 §5.1
//! (MX hosts in preference order; no MX record → the domain itself is the implicit MX),
//! RFC 7505 (a single MX of `.` at preference 0 → the domain takes no mail), the limits on what
//! is probed, and how long an answer is kept.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The most MX hosts of one domain that are probed (the most preferred kept).
pub const MAX_MX_HOSTS: usize = 10;

/// The longest an MX answer is kept before it is asked again, whatever its TTL.
pub const MAX_MX_TTL: Duration = Duration::from_secs(3600);

/// The shortest an MX answer is kept by default (`[dns] min_ttl_s` may lower it).
pub const DEFAULT_MIN_MX_TTL: Duration = Duration::from_secs(30);

/// One MX host: its preference and its name (lower case, no trailing dot).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MxHost {
    /// Lower is tried first.
    pub preference: u16,
    /// The host name.
    pub host: String,
}

/// What a domain's MX answer says to probe. In JSON: `{"hosts": [{"preference": 10, "host":
/// "mx1.example.com"}, …]}`, `"implicit"` or `"null_mx"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum MxSet {
    /// These MX hosts, most preferred first, at most [`MAX_MX_HOSTS`].
    Hosts(Vec<MxHost>),
    /// No MX record: the domain's own addresses are its implicit MX (RFC 5321 §5.1).
    Implicit,
    /// A null MX (RFC 7505): the domain takes no mail.
    NullMx,
}

impl fmt::Display for MxSet {
    /// `10 mx1.example.com, 20 mx2.example.com`; `no MX (the domain itself)`; `null MX`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Hosts(hosts) => {
                let listed: Vec<String> = hosts
                    .iter()
                    .map(|mx| format!("{} {}", mx.preference, mx.host))
                    .collect();
                f.write_str(&listed.join(", "))
            }
            Self::Implicit => f.write_str("no MX (the domain itself)"),
            Self::NullMx => f.write_str("null MX"),
        }
    }
}

/// The MX set of an answer of `(preference, exchange)` records, exchanges as the resolver
/// wrote them (a trailing dot or none). Hosts are sorted by preference, then by name (RFC 5321
/// lets equals be taken in any order; a fixed one keeps rows and events stable); a host listed
/// twice keeps its best preference. A `.` exchange is a null MX when it is the only record;
/// beside other records it is ignored (RFC 7505 §3 forbids the mix, and mail still goes to the
/// real hosts).
pub fn mx_set(records: &[(u16, String)]) -> MxSet {
    if records.is_empty() {
        return MxSet::Implicit;
    }
    let mut hosts: Vec<MxHost> = records
        .iter()
        .map(|(preference, exchange)| MxHost {
            preference: *preference,
            host: exchange.trim_end_matches('.').to_ascii_lowercase(),
        })
        .filter(|mx| !mx.host.is_empty())
        .collect();
    if hosts.is_empty() {
        return MxSet::NullMx;
    }
    hosts.sort_by(|a, b| (a.preference, &a.host).cmp(&(b.preference, &b.host)));
    let mut seen = std::collections::HashSet::new();
    hosts.retain(|mx| seen.insert(mx.host.clone()));
    hosts.truncate(MAX_MX_HOSTS);
    MxSet::Hosts(hosts)
}

/// How long an answer with `ttl` is kept: its TTL, clamped to `floor` … [`MAX_MX_TTL`].
pub fn clamp_ttl(ttl: Duration, floor: Duration) -> Duration {
    ttl.clamp(floor.min(MAX_MX_TTL), MAX_MX_TTL)
}

/// The canonical name an address answer for `host` went through, when it went through one: an
/// MX target must be a host name with its own A/AAAA records, never an alias (RFC 2181 §10.3,
/// RFC 5321 §5.1). `chain` is the answer's CNAME records as `(owner, target)`.
pub(crate) fn alias_of(host: &str, chain: &[(String, String)]) -> Option<String> {
    let bare = |name: &str| name.trim_end_matches('.').to_ascii_lowercase();
    let host = bare(host);
    chain
        .iter()
        .find(|(owner, _)| bare(owner) == host)
        .map(|(_, target)| bare(target))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(list: &[(u16, &str)]) -> Vec<(u16, String)> {
        list.iter().map(|(p, h)| (*p, (*h).to_owned())).collect()
    }

    fn hosts(set: &MxSet) -> Vec<(u16, &str)> {
        match set {
            MxSet::Hosts(hosts) => hosts
                .iter()
                .map(|mx| (mx.preference, mx.host.as_str()))
                .collect(),
            other => panic!("not hosts: {other:?}"),
        }
    }

    #[test]
    fn hosts_come_in_preference_order_then_by_name() {
        let set = mx_set(&records(&[
            (20, "MX2.example.test."),
            (10, "mx1.example.test."),
            (20, "mx0.example.test"),
        ]));
        assert_eq!(
            hosts(&set),
            [
                (10, "mx1.example.test"),
                (20, "mx0.example.test"),
                (20, "mx2.example.test")
            ]
        );
    }

    #[test]
    fn a_host_listed_twice_keeps_its_best_preference() {
        let set = mx_set(&records(&[(30, "mx.test."), (5, "MX.test.")]));
        assert_eq!(hosts(&set), [(5, "mx.test")]);
    }

    #[test]
    fn at_most_ten_hosts_the_most_preferred_kept() {
        let many: Vec<(u16, String)> = (0..15u16)
            .rev()
            .map(|i| (i, format!("mx{i:02}.test.")))
            .collect();
        let set = mx_set(&many);
        let got = hosts(&set);
        assert_eq!(got.len(), MAX_MX_HOSTS);
        assert_eq!(got.first(), Some(&(0, "mx00.test")));
        assert_eq!(got.last(), Some(&(9, "mx09.test")));
    }

    #[test]
    fn no_record_is_the_implicit_mx_and_a_lone_dot_is_a_null_mx() {
        assert_eq!(mx_set(&[]), MxSet::Implicit);
        assert_eq!(mx_set(&records(&[(0, ".")])), MxSet::NullMx);
        assert_eq!(mx_set(&records(&[(0, "")])), MxSet::NullMx);
        assert_eq!(
            hosts(&mx_set(&records(&[(0, "."), (10, "mx.test.")]))),
            [(10, "mx.test")],
            "a null MX beside real hosts is ignored"
        );
    }

    #[test]
    fn ttls_are_clamped_to_the_floor_and_an_hour() {
        let s = Duration::from_secs;
        assert_eq!(clamp_ttl(s(5), DEFAULT_MIN_MX_TTL), s(30));
        assert_eq!(clamp_ttl(s(300), DEFAULT_MIN_MX_TTL), s(300));
        assert_eq!(clamp_ttl(s(86_400), DEFAULT_MIN_MX_TTL), s(3600));
        assert_eq!(clamp_ttl(s(0), s(1)), s(1));
        assert_eq!(clamp_ttl(s(2), s(1)), s(2));
        assert_eq!(clamp_ttl(s(10), s(7200)), s(3600), "a floor above the cap");
    }

    #[test]
    fn an_alias_at_the_mx_target_is_named() {
        let chain = vec![(
            "mx.example.test.".to_owned(),
            "real.example.test.".to_owned(),
        )];
        assert_eq!(
            alias_of("MX.example.test", &chain).as_deref(),
            Some("real.example.test")
        );
        assert_eq!(alias_of("other.example.test", &chain), None);
        assert_eq!(alias_of("mx.example.test", &[]), None);
    }
}
