//! One probe's look at a domain's MTA-STS policy: the TXT record, then the policy from the
//! cache or fetched, and what senders do when the fetch fails (RFC 8461 §3, §5).

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use rustls::ClientConfig;
use tokio::time::{timeout_at, Instant};

use super::cache::{Cached, PolicyCache};
use super::fetch::{fetch_policy, policy_host};
use super::policy::parse_policy;
use super::record::{parse_records, RecordAnswer, StsRecord};
use super::view::{StsPolicyState, StsPolicyView};
use crate::domain::{DnsResolver, LookupError};
use crate::shown::bounded;

/// The name of a domain's MTA-STS record.
pub(crate) fn record_name(domain: &str) -> String {
    format!("_mta-sts.{}", domain.trim_end_matches('.'))
}

/// A domain's policy as senders would apply it now, and the view of it.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    /// The view shown.
    pub view: StsPolicyView,
    /// The policy in force, when there is one.
    pub policy: Option<Cached>,
}

/// What resolving needs.
pub(crate) struct Sources<'a> {
    pub resolver: &'a DnsResolver,
    pub cache: &'a Mutex<PolicyCache>,
    /// The TLS client for the policy host, or why none could be built (a bad CA file).
    pub tls: Result<Arc<ClientConfig>, String>,
    /// The HTTPS port (443).
    pub port: u16,
}

/// The policy of `domain` at `now`, looked up and fetched before `deadline`.
pub(crate) async fn resolve(
    sources: &Sources<'_>,
    domain: &str,
    now: DateTime<Utc>,
    deadline: Instant,
) -> Resolved {
    let name = record_name(domain);
    let cache = || sources.cache.lock().unwrap_or_else(PoisonError::into_inner);
    let txt = match timeout_at(deadline, sources.resolver.txt(&name)).await {
        Ok(Ok(txt)) => txt,
        Ok(Err(LookupError::NxDomain)) => Vec::new(),
        Ok(Err(e)) => return unanswered(&name, &e.to_string(), cache().still_valid(domain, now)),
        Err(_) => return unanswered(&name, "no answer in time", cache().still_valid(domain, now)),
    };
    let record = match parse_records(&txt) {
        RecordAnswer::None => {
            cache().forget(domain);
            return nothing(StsPolicyView::without_policy(
                StsPolicyState::NoRecord,
                format!("no MTA-STS record at {name}: MTA-STS does not apply"),
                None,
                None,
            ));
        }
        RecordAnswer::Broken { why, raw } => {
            return nothing(StsPolicyView::without_policy(
                StsPolicyState::RecordBroken,
                format!(
                    "the MTA-STS record at {name} is broken ({why}): senders ignore it and \
                     deliver as without MTA-STS"
                ),
                Some(raw),
                None,
            ));
        }
        RecordAnswer::Found(record) => record,
    };
    let raw = Some(record.raw.clone());
    let id = Some(record.id.clone());
    if let Some(cached) = cache().fresh(domain, &record.id, now) {
        let verdict = active_verdict(&cached, "kept from the fetch at");
        return Resolved {
            view: StsPolicyView::active(&cached, raw, id, verdict, false),
            policy: Some(cached),
        };
    }
    fetch_and_keep(sources, domain, &record, now, deadline).await
}

/// Fetches the policy of `domain` under `record` and keeps it; when the fetch fails, the
/// cached policy within its `max_age` applies, else senders have none.
async fn fetch_and_keep(
    sources: &Sources<'_>,
    domain: &str,
    record: &StsRecord,
    now: DateTime<Utc>,
    deadline: Instant,
) -> Resolved {
    let cache = || sources.cache.lock().unwrap_or_else(PoisonError::into_inner);
    let raw = Some(record.raw.clone());
    let id = Some(record.id.clone());
    let fetched = match &sources.tls {
        Ok(tls) => fetch_policy(
            sources.resolver,
            tls.clone(),
            domain,
            sources.port,
            deadline,
        )
        .await
        .and_then(|text| {
            parse_policy(&text).map_err(|e| {
                format!(
                    "the policy at https://{}/.well-known/mta-sts.txt is invalid: {e}",
                    policy_host(domain)
                )
            })
        }),
        Err(why) => Err(why.clone()),
    };
    match fetched {
        Ok(policy) => {
            let cached = Cached {
                id: record.id.clone(),
                policy,
                fetched_at: now,
            };
            cache().store(domain, cached.clone());
            let verdict = active_verdict(&cached, "fetched at");
            Resolved {
                view: StsPolicyView::active(&cached, raw, id, verdict, false),
                policy: Some(cached),
            }
        }
        Err(why) => match cache().still_valid(domain, now) {
            Some(cached) => {
                let verdict =
                    format!(
                    "policy host unreachable: using the policy fetched at {} (id={}, mode {}), \
                     as senders do while its max_age lasts — {why}",
                    cached.fetched_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    cached.id,
                    cached.policy.mode.as_str()
                );
                Resolved {
                    view: StsPolicyView::active(&cached, raw, id, verdict, true),
                    policy: Some(cached),
                }
            }
            None => nothing(StsPolicyView::without_policy(
                StsPolicyState::FetchFailed,
                format!(
                    "the MTA-STS record (id={}) says a policy exists, but senders cannot get it: \
                     {why}; they deliver as without MTA-STS",
                    record.id
                ),
                raw,
                id,
            )),
        },
    }
}

fn nothing(view: StsPolicyView) -> Resolved {
    Resolved { view, policy: None }
}

fn active_verdict(cached: &Cached, how: &str) -> String {
    format!(
        "MTA-STS policy id={} mode {} (mx: {}; max_age {} s), {how} {}",
        cached.id,
        cached.policy.mode.as_str(),
        cached.policy.mx.join(", "),
        cached.policy.max_age,
        cached
            .fetched_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    )
}

/// The record lookup got no answer: a cached policy within its `max_age` still applies.
fn unanswered(name: &str, why: &str, cached: Option<Cached>) -> Resolved {
    match cached {
        Some(cached) => {
            let verdict = format!(
                "no answer for {name} ({why}): using the policy fetched at {}",
                cached
                    .fetched_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
            Resolved {
                view: StsPolicyView::active(&cached, None, None, verdict, false),
                policy: Some(cached),
            }
        }
        None => nothing(StsPolicyView::without_policy(
            StsPolicyState::LookupFailed,
            format!(
                "MTA-STS not checked: no answer for {name} ({})",
                bounded(why)
            ),
            None,
            None,
        )),
    }
}
