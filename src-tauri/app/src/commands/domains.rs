//! The editor's live preview of a mail domain's MX set (RFC 5321 §5.1: no MX record means the
//! domain itself; RFC 7505: a lone `0 .` is a null MX), resolved as the domain's monitor would
//! resolve it: through the `[dns]` settings in force — the system's resolver unless
//! `[dns] resolver` names servers, never a public one — under one deadline.

use std::net::SocketAddr;
use std::time::Duration;

use ehlowatch_engine::{check_domain, DnsResolver, LookupError, MxAnswer, MxSet};
use serde::Serialize;

use crate::error::AppError;
use crate::state::AppStateRef;

/// How long a preview waits for the resolver.
pub const PREVIEW_DEADLINE: Duration = Duration::from_secs(5);

/// Why a domain has no MX set to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum MxFailure {
    /// What was typed is not a mail domain (the `domain` field's rule).
    BadName,
    /// The domain does not exist (NXDOMAIN).
    NxDomain,
    /// The resolver answered SERVFAIL: the domain's name servers are broken or unreachable.
    ServFail,
    /// No answer in time, or the resolver could not be reached.
    NoAnswer,
    /// The resolver could not be set up, or failed otherwise.
    Resolver,
}

/// The answer of `preview_mx`, naming the domain it is about (the window drops answers for a
/// domain that is no longer typed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MxPreview {
    /// The domain's MX set.
    Found {
        /// The domain, as asked.
        domain: String,
        /// Its MX hosts, its implicit MX, or its null MX.
        set: MxSet,
    },
    /// No MX set to show.
    Failed {
        /// The domain, as asked.
        domain: String,
        /// Why, as a kind the window can branch on.
        failure: MxFailure,
        /// Why, as one sentence naming the domain and what DNS said.
        message: String,
    },
}

/// The MX set of `domain` as the `[dns]` settings in force resolve it, within
/// [`PREVIEW_DEADLINE`]. DNS failures are answers (`failed`), not errors.
#[tauri::command]
pub async fn preview_mx(state: AppStateRef<'_>, domain: String) -> Result<MxPreview, AppError> {
    let dns = state.current().await.config.dns;
    Ok(preview(&domain, &dns.resolvers, dns.min_ttl, PREVIEW_DEADLINE).await)
}

/// The MX set of `domain` asked of `servers` (the system's resolver when empty) within
/// `deadline`. Must be called inside a Tokio runtime.
pub async fn preview(
    domain: &str,
    servers: &[SocketAddr],
    min_ttl: Duration,
    deadline: Duration,
) -> MxPreview {
    let domain = domain.trim();
    if let Err(why) = check_domain(domain) {
        return failed(domain, MxFailure::BadName, format!("domain: {why}"));
    }
    let resolver = match DnsResolver::new(servers, min_ttl) {
        Ok(resolver) => resolver,
        Err(e) => return failed(domain, MxFailure::Resolver, format!("{domain}: {e}")),
    };
    let answer = tokio::time::timeout(deadline, resolver.mx(domain, min_ttl))
        .await
        .unwrap_or_else(|_| {
            Err(LookupError::Unanswered(format!(
                "none within {} ms",
                deadline.as_millis()
            )))
        });
    outcome(domain, resolver.source(), answer)
}

/// What an MX lookup of `domain` through the resolver `source` means for the preview.
fn outcome(domain: &str, source: &str, answer: Result<MxAnswer, LookupError>) -> MxPreview {
    let error = match answer {
        Ok(answer) => {
            return MxPreview::Found {
                domain: domain.to_owned(),
                set: answer.set,
            }
        }
        Err(error) => error,
    };
    let failure = match &error {
        LookupError::NxDomain => MxFailure::NxDomain,
        LookupError::ServFail => MxFailure::ServFail,
        LookupError::Unanswered(_) => MxFailure::NoAnswer,
        LookupError::Other(_) => MxFailure::Resolver,
    };
    let message = match failure {
        MxFailure::NxDomain => format!("{domain}: {error}"),
        _ => format!("{domain}: {error} (asked {source})"),
    };
    failed(domain, failure, message)
}

fn failed(domain: &str, failure: MxFailure, message: String) -> MxPreview {
    MxPreview::Failed {
        domain: domain.to_owned(),
        failure,
        message,
    }
}

#[cfg(test)]
mod tests {
    use ehlowatch_engine::MxHost;

    use super::*;

    fn failure(preview: &MxPreview) -> (MxFailure, &str) {
        match preview {
            MxPreview::Failed {
                failure, message, ..
            } => (*failure, message.as_str()),
            MxPreview::Found { .. } => panic!("found: {preview:?}"),
        }
    }

    #[test]
    fn dns_failures_are_named_with_the_domain_and_the_resolver() {
        let from = |e: LookupError| outcome("example.test", "127.0.0.1:53", Err(e));
        assert_eq!(
            failure(&from(LookupError::NxDomain)),
            (
                MxFailure::NxDomain,
                "example.test: the name does not exist (NXDOMAIN)"
            )
        );
        assert_eq!(
            failure(&from(LookupError::ServFail)),
            (
                MxFailure::ServFail,
                "example.test: the resolver answered SERVFAIL (asked 127.0.0.1:53)"
            )
        );
        assert_eq!(
            failure(&from(LookupError::Unanswered("timed out".into()))),
            (
                MxFailure::NoAnswer,
                "example.test: no answer from the resolver: timed out (asked 127.0.0.1:53)"
            )
        );
        assert_eq!(
            failure(&from(LookupError::Other("REFUSED".into()))).0,
            MxFailure::Resolver
        );
    }

    #[test]
    fn an_answer_is_the_set_and_serialises_as_the_window_reads_it() {
        let set = MxSet::Hosts(vec![MxHost {
            preference: 10,
            host: "mx1.example.test".into(),
        }]);
        let found = outcome(
            "example.test",
            "/etc/resolv.conf",
            Ok(MxAnswer {
                set: set.clone(),
                ttl: None,
            }),
        );
        assert_eq!(
            serde_json::to_value(&found).unwrap(),
            serde_json::json!({
                "type": "found", "domain": "example.test",
                "set": {"hosts": [{"preference": 10, "host": "mx1.example.test"}]},
            })
        );
        let failed = outcome("example.test", "x", Err(LookupError::NxDomain));
        assert_eq!(
            serde_json::to_value(&failed).unwrap()["failure"],
            "nx_domain"
        );
    }

    #[tokio::test]
    async fn a_bad_name_is_refused_before_any_lookup_naming_the_field_and_value() {
        // The resolver named here does not exist: a lookup would fail otherwise.
        let nowhere = ["127.0.0.1:9".parse().unwrap()];
        let got = preview(
            "exa mple.com",
            &nowhere,
            Duration::from_secs(1),
            Duration::from_secs(1),
        )
        .await;
        let (kind, message) = failure(&got);
        assert_eq!(kind, MxFailure::BadName);
        assert!(message.starts_with("domain: \"exa mple.com\""), "{message}");
        let ip = preview(
            "192.0.2.1",
            &nowhere,
            Duration::ZERO,
            Duration::from_secs(1),
        )
        .await;
        assert_eq!(failure(&ip).0, MxFailure::BadName);
    }

    #[tokio::test]
    async fn a_silent_resolver_is_no_answer_within_the_deadline() {
        // A bound UDP socket that never answers.
        let silent = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let server = silent.local_addr().unwrap();
        let started = std::time::Instant::now();
        let got = preview(
            "example.test",
            &[server],
            Duration::from_secs(1),
            Duration::from_millis(300),
        )
        .await;
        assert!(started.elapsed() < Duration::from_secs(3));
        let (kind, message) = failure(&got);
        assert_eq!(kind, MxFailure::NoAnswer);
        assert_eq!(
            message,
            format!(
                "example.test: no answer from the resolver: none within 300 ms (asked {server})"
            )
        );
    }
}
