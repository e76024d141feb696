//! Mail domains as monitors: a domain's MX set (RFC 5321 §5.1, RFC 7505) resolved through the
//! `[dns]` resolver, and every MX host's addresses probed as targets on port 25 with
//! opportunistic TLS.

pub(crate) mod mx;
mod policies;
mod probe;
mod resolver;
mod shared;

pub use mx::{clamp_ttl, mx_set, MxHost, MxSet, DEFAULT_MIN_MX_TTL, MAX_MX_HOSTS, MAX_MX_TTL};
pub use probe::DomainProber;
pub use resolver::{
    parse_resolver, DnsResolver, DnsSetupError, HostAddresses, LookupError, MxAnswer,
};
pub use shared::probe_once;
pub(crate) use shared::SharedDomainProber;
