//! DNS blocklists (RFC 5782), opt-in: each MX address looked up in the lists `[mail_policy]
//! blocklists` names, through the `[dns]` resolver. The A answer is decoded so that a list's
//! refusal (`127.255.255.252`–`255`: a typo'd zone, a public or shared resolver, too many
//! queries) or an answer that is no blocklist answer (a resolver that rewrites NXDOMAIN, a
//! wildcard) is never taken for "listed". A listing is amber, with the list's TXT reason.
//! At most one lookup per address and list per hour ([`DnsblLimiter`]).

mod answer;
mod check;
mod limiter;
mod name;
mod result;

pub(crate) use check::check_address;
pub(crate) use limiter::DnsblLimiter;
pub(crate) use result::warning_message;
pub use result::{ListCheck, ListState};
