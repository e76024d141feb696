//! A mail domain watched over time. Its MX set: a change of hosts or preferences is event 5530,
//! with the set before and after. What each MX host × address offers — its EHLO keywords (with
//! SIZE's value and AUTH's mechanisms), the greeting's host name, the certificate's SHA-256
//! fingerprint, issuer and names, the TLS version: a change is event 5531, and STARTTLS
//! vanishing from a host that offered it is 5532, amber and told to people (mail to that host
//! falls back to plaintext) — its amber is shown but not alerted again, the finding told it.
//! A target listed on, or delisted from, a DNS blocklist is 5542, told the same way.
//!
//! A value seen on some probes only (a pool of nodes behind one address) is reported once, as
//! "offered on 3 of 5 probes", over the last [`WINDOW`] probes, not at every flip. What was
//! last reported is the baseline; it is kept in the history, so a restart announces nothing
//! that was known before it, and the first probe of a domain sets it without an event.

mod finding;
mod listing;
mod offer;
mod track;
mod watch;

pub use finding::{Finding, FindingKind};
pub(crate) use track::WINDOW;
pub(crate) use watch::{told_by_finding, DomainWatch};

#[cfg(test)]
mod tests;
