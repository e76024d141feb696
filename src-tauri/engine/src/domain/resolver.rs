//! The resolver of domain monitors: MX, then each MX host's A and AAAA records, through
//! hickory-resolver. It reads the system's configuration (`/etc/resolv.conf`, the registry on
//! Windows) unless `[dns] resolver` (the CLI's `--resolver`) names servers — never a built-in
//! public resolver: a configuration that cannot be read is an error naming it. Answers are
//! cached for their TTL clamped to the floor … one hour ([`clamp_ttl`](super::mx::clamp_ttl)),
//! and asked again once that has passed.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::TokioResolver;

use super::mx::{clamp_ttl, mx_set, MxSet, MAX_MX_TTL};

/// Where the system's resolver configuration lives, for messages.
#[cfg(windows)]
const SYSTEM_CONFIG: &str = "the Windows registry";
#[cfg(not(windows))]
const SYSTEM_CONFIG: &str = "/etc/resolv.conf";

/// The resolver could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum DnsSetupError {
    /// The system's resolver configuration could not be read or names no server.
    #[error("cannot use the system's resolver configuration ({path}): {reason}; name a resolver with [dns] resolver or --resolver")]
    SystemConfig {
        /// Where it was read from.
        path: &'static str,
        /// Why it cannot be used.
        reason: String,
    },
    /// The resolver for the servers given could not be built.
    #[error("cannot set up a resolver for {servers}: {reason}")]
    Servers {
        /// The servers, as given.
        servers: String,
        /// Why.
        reason: String,
    },
}

/// Why a lookup gave no answer to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    /// The name does not exist (NXDOMAIN): the domain's problem.
    NxDomain,
    /// The resolver answered SERVFAIL: the domain's name servers are broken or unreachable.
    ServFail,
    /// No answer in time, or the resolver could not be reached: a problem on this side.
    Unanswered(String),
    /// Any other refusal or error from the resolver.
    Other(String),
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NxDomain => f.write_str("the name does not exist (NXDOMAIN)"),
            Self::ServFail => f.write_str("the resolver answered SERVFAIL"),
            Self::Unanswered(why) => write!(f, "no answer from the resolver: {why}"),
            Self::Other(why) => write!(f, "the resolver failed: {why}"),
        }
    }
}

/// An MX answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MxAnswer {
    /// What it says to probe.
    pub set: MxSet,
    /// How long it is kept (its TTL, clamped); `None` when no record carried one.
    pub ttl: Option<Duration>,
}

/// The addresses of one host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostAddresses {
    /// IPv4 then IPv6, each in the resolver's order.
    pub addresses: Vec<IpAddr>,
    /// The canonical name the answer went through, when the host is an alias (CNAME).
    pub alias: Option<String>,
}

/// A resolver for domain monitors. Cheap to clone; clones share the cache.
#[derive(Clone)]
pub struct DnsResolver {
    inner: TokioResolver,
    source: String,
    servers: Vec<SocketAddr>,
}

impl fmt::Debug for DnsResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DnsResolver")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl DnsResolver {
    /// A resolver asking `servers` (UDP, then TCP on truncation), or the system's configured
    /// servers when `servers` is empty. Answers are kept for their TTL clamped to
    /// `min_ttl` … one hour. Must be called inside a Tokio runtime.
    pub fn new(servers: &[SocketAddr], min_ttl: Duration) -> Result<Self, DnsSetupError> {
        let (config, options, source) = if servers.is_empty() {
            let (config, options) = hickory_resolver::system_conf::read_system_conf()
                .map_err(|e| system_error(e.to_string()))?;
            if config.name_servers().is_empty() {
                return Err(system_error("it names no name server".to_owned()));
            }
            (config, options, SYSTEM_CONFIG.to_owned())
        } else {
            let config = ResolverConfig::from_name_servers(
                servers.iter().map(|s| name_server(*s)).collect(),
            );
            let source = servers
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            (config, ResolverOpts::default(), source)
        };
        let servers = config.name_servers().iter().map(address).collect();
        let mut builder =
            TokioResolver::builder_with_config(config, TokioRuntimeProvider::default());
        let opts = builder.options_mut();
        *opts = options;
        opts.preserve_intermediates = true;
        opts.positive_min_ttl = Some(clamp_ttl(Duration::ZERO, min_ttl));
        opts.positive_max_ttl = Some(MAX_MX_TTL);
        let inner = builder.build().map_err(|e| DnsSetupError::Servers {
            servers: source.clone(),
            reason: e.to_string(),
        })?;
        Ok(Self {
            inner,
            source,
            servers,
        })
    }

    /// The servers asked, in order.
    pub fn servers(&self) -> &[SocketAddr] {
        &self.servers
    }

    /// Where the servers come from: the system's configuration or the servers given.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The MX set of `domain`.
    pub async fn mx(&self, domain: &str, min_ttl: Duration) -> Result<MxAnswer, LookupError> {
        match self.inner.mx_lookup(fqdn(domain)).await {
            Ok(lookup) => {
                let mut ttl = None::<u32>;
                let records: Vec<(u16, String)> = lookup
                    .answers()
                    .iter()
                    .filter_map(|record| match &record.data {
                        RData::MX(mx) => {
                            ttl = Some(ttl.map_or(record.ttl, |t| t.min(record.ttl)));
                            Some((mx.preference, mx.exchange.to_ascii()))
                        }
                        _ => None,
                    })
                    .collect();
                Ok(MxAnswer {
                    set: mx_set(&records),
                    ttl: ttl.map(|t| clamp_ttl(Duration::from_secs(t.into()), min_ttl)),
                })
            }
            Err(e) if e.is_nx_domain() => Err(LookupError::NxDomain),
            Err(e) if e.is_no_records_found() => Ok(MxAnswer {
                set: MxSet::Implicit,
                ttl: None,
            }),
            Err(e) => Err(classify(&e)),
        }
    }

    /// The IPv4 and IPv6 addresses of `host`, and the alias it went through if any. A name
    /// with neither is `Ok` with no address; NXDOMAIN is an error.
    pub async fn addresses(&self, host: &str) -> Result<HostAddresses, LookupError> {
        let name = fqdn(host);
        let (v4, v6) = tokio::join!(
            self.inner.lookup(name.clone(), RecordType::A),
            self.inner.lookup(name, RecordType::AAAA)
        );
        let mut found = HostAddresses::default();
        let mut chain = Vec::new();
        let mut errors = Vec::new();
        for answer in [v4, v6] {
            match answer {
                Ok(lookup) => {
                    for record in lookup.answers() {
                        match &record.data {
                            RData::A(a) => found.addresses.push(IpAddr::V4(a.0)),
                            RData::AAAA(a) => found.addresses.push(IpAddr::V6(a.0)),
                            RData::CNAME(target) => {
                                chain.push((record.name.to_ascii(), target.0.to_ascii()));
                            }
                            _ => {}
                        }
                    }
                }
                Err(e) if e.is_no_records_found() && !e.is_nx_domain() => {}
                Err(e) => errors.push(e),
            }
        }
        found.alias = super::mx::alias_of(host, &chain);
        let mut seen = std::collections::HashSet::new();
        found.addresses.retain(|ip| seen.insert(*ip));
        match errors.first() {
            Some(e) if found.addresses.is_empty() => Err(if e.is_nx_domain() {
                LookupError::NxDomain
            } else {
                classify(e)
            }),
            _ => Ok(found),
        }
    }
}

impl DnsResolver {
    /// The TXT records of `name`, each record's strings joined into one (RFC 7208 §3.3),
    /// non-UTF-8 bytes replaced; empty when the name does not exist or has none.
    pub async fn txt(&self, name: &str) -> Result<Vec<String>, LookupError> {
        let records = self.records(name, RecordType::TXT).await?;
        Ok(records
            .iter()
            .filter_map(|data| match data {
                RData::TXT(txt) => Some(
                    txt.txt_data
                        .iter()
                        .map(|part| String::from_utf8_lossy(part))
                        .collect::<String>(),
                ),
                _ => None,
            })
            .collect())
    }

    /// The IPv4 addresses of `name` (its A records, no alias followed beyond the resolver's
    /// own); empty when the name does not exist or has none.
    pub async fn ipv4(&self, name: &str) -> Result<Vec<std::net::Ipv4Addr>, LookupError> {
        let records = self.records(name, RecordType::A).await?;
        Ok(records
            .iter()
            .filter_map(|data| match data {
                RData::A(a) => Some(a.0),
                _ => None,
            })
            .collect())
    }

    /// The answers of type `kind` for `name`: NXDOMAIN and no data are both `Ok(empty)`.
    async fn records(&self, name: &str, kind: RecordType) -> Result<Vec<RData>, LookupError> {
        match self.inner.lookup(fqdn(name), kind).await {
            Ok(lookup) => Ok(lookup
                .answers()
                .iter()
                .filter(|r| r.data.record_type() == kind)
                .map(|r| r.data.clone())
                .collect()),
            Err(e) if e.is_nx_domain() => Ok(Vec::new()),
            Err(e) => match classify(&e) {
                LookupError::ServFail => Err(LookupError::ServFail),
                _ if e.is_no_records_found() => Ok(Vec::new()),
                other => Err(other),
            },
        }
    }
}

/// A resolver address as `[dns] resolver` and `--resolver` take it: `ip:port`, `[ipv6]:port`,
/// or a bare IP address (port 53).
pub fn parse_resolver(text: &str) -> Result<SocketAddr, String> {
    let trimmed = text.trim();
    trimmed
        .parse::<SocketAddr>()
        .or_else(|_| trimmed.parse::<IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
        .map_err(|_| {
            format!("{text:?} is not a resolver address (ip:port, [ipv6]:port or an IP address)")
        })
}

fn name_server(server: SocketAddr) -> NameServerConfig {
    let connections = [ConnectionConfig::udp(), ConnectionConfig::tcp()]
        .into_iter()
        .map(|mut c| {
            c.port = server.port();
            c
        })
        .collect();
    NameServerConfig::new(server.ip(), true, connections)
}

/// Where a configured name server listens: its address, on the port of its first connection
/// (53 when none is given).
fn address(server: &NameServerConfig) -> SocketAddr {
    let port = server.connections.first().map_or(53, |c| c.port);
    SocketAddr::new(server.ip, port)
}

fn system_error(reason: String) -> DnsSetupError {
    DnsSetupError::SystemConfig {
        path: SYSTEM_CONFIG,
        reason,
    }
}

/// `name` with a trailing dot, so that no search domain is tried.
fn fqdn(name: &str) -> String {
    if name.ends_with('.') {
        name.to_owned()
    } else {
        format!("{name}.")
    }
}

fn classify(e: &NetError) -> LookupError {
    match e {
        NetError::Dns(DnsError::ResponseCode(ResponseCode::ServFail)) => LookupError::ServFail,
        NetError::Dns(DnsError::NoRecordsFound(no))
            if no.response_code == ResponseCode::ServFail =>
        {
            LookupError::ServFail
        }
        NetError::Timeout | NetError::NoConnections | NetError::Io(_) | NetError::Busy => {
            LookupError::Unanswered(e.to_string())
        }
        other => LookupError::Other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolver_addresses_take_a_port_or_default_to_53() {
        assert_eq!(
            parse_resolver("127.0.0.1:5353"),
            Ok("127.0.0.1:5353".parse().unwrap())
        );
        assert_eq!(
            parse_resolver("192.0.2.53"),
            Ok("192.0.2.53:53".parse().unwrap())
        );
        assert_eq!(parse_resolver("[::1]:53"), Ok("[::1]:53".parse().unwrap()));
        assert_eq!(parse_resolver("::1"), Ok("[::1]:53".parse().unwrap()));
        assert_eq!(
            parse_resolver("dns.example").unwrap_err(),
            "\"dns.example\" is not a resolver address (ip:port, [ipv6]:port or an IP address)"
        );
    }

    #[tokio::test]
    async fn given_servers_are_used_and_named() {
        let servers = [parse_resolver("127.0.0.1:5353").unwrap()];
        let resolver = DnsResolver::new(&servers, Duration::from_secs(30)).unwrap();
        assert_eq!(resolver.source(), "127.0.0.1:5353");
    }
}
