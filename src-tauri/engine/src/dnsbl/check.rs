//! One address in one list: the A lookup, decoded; the TXT reason only when listed (bounded);
//! the result held by the [`DnsblLimiter`] for an hour. A lookup that failed (SERVFAIL, no
//! answer in time) is its own state, never a listing, and is asked again at the next probe.

use crate::shown::bounded;
use std::net::IpAddr;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::{timeout, Instant};

use super::answer::{decode, Decoded};
use super::limiter::DnsblLimiter;
use super::name::query_name;
use super::result::{failed, judged, ListCheck};
use crate::domain::{DnsResolver, LookupError};

/// Checks `address` against every list in `lists`, concurrently, each lookup within `wait`;
/// a result asked less than an hour ago is reused from `limiter`. The checks come in the order
/// of `lists`.
pub(crate) async fn check_address(
    resolver: &DnsResolver,
    limiter: &DnsblLimiter,
    address: IpAddr,
    lists: &[String],
    wait: Duration,
) -> Vec<ListCheck> {
    let mut asked = JoinSet::new();
    for (index, list) in lists.iter().cloned().enumerate() {
        let resolver = resolver.clone();
        let limiter = limiter.clone();
        asked.spawn(async move {
            if let Some(held) = limiter.held(address, &list, Instant::now()) {
                return (index, held);
            }
            let check = match timeout(wait, ask(&resolver, address, &list)).await {
                Ok(check) => check,
                Err(_) => failed(&list, &format!("no answer within {} ms", wait.as_millis())),
            };
            limiter.keep(address, &list, &check, Instant::now());
            (index, check)
        });
    }
    let mut checks: Vec<Option<ListCheck>> = vec![None; lists.len()];
    while let Some(joined) = asked.join_next().await {
        if let Ok((index, check)) = joined {
            checks[index] = Some(check);
        }
    }
    checks.into_iter().flatten().collect()
}

/// Asks `list` about `address`: its A records, and its TXT reason when listed.
async fn ask(resolver: &DnsResolver, address: IpAddr, list: &str) -> ListCheck {
    let name = query_name(address, list);
    let answer = match resolver.ipv4(&name).await {
        Ok(answer) => answer,
        Err(e) => return failed(list, &describe(&e)),
    };
    let decoded = decode(&answer);
    let reason = if matches!(decoded, Decoded::Listed(_)) {
        resolver
            .txt(&name)
            .await
            .ok()
            .and_then(|texts| texts.into_iter().find(|t| !t.trim().is_empty()))
            .map(|t| bounded(t.trim()))
    } else {
        None
    };
    judged(list, &decoded, reason)
}

fn describe(e: &LookupError) -> String {
    e.to_string()
}
