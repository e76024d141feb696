//! Policies kept per domain, as senders keep them (RFC 8461 §5.1): a policy is used without
//! fetching again while its `max_age` lasts and the record's `id` is the one it was fetched
//! under; a new `id` means fetch again; and when a fetch fails, a policy still within its
//! `max_age` applies — whatever the `id` — as senders keep applying it. The clock is passed in.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::policy::Policy;

/// The most domains kept; past it the oldest fetch goes.
const MAX_DOMAINS: usize = 256;

/// A policy as fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cached {
    /// The record id it was fetched under.
    pub id: String,
    /// The policy.
    pub policy: Policy,
    /// When it was fetched.
    pub fetched_at: DateTime<Utc>,
}

impl Cached {
    /// True while `max_age` since the fetch has not passed at `now`.
    pub(crate) fn valid_at(&self, now: DateTime<Utc>) -> bool {
        let age = i64::try_from(self.policy.max_age).unwrap_or(i64::MAX);
        now < self.fetched_at + chrono::Duration::seconds(age)
    }
}

/// The policies of every domain probed.
#[derive(Debug, Default)]
pub(crate) struct PolicyCache {
    by_domain: HashMap<String, Cached>,
}

impl PolicyCache {
    /// The policy to use for `domain` under record `id` at `now` without fetching: one fetched
    /// under that id and still within its `max_age`.
    pub(crate) fn fresh(&self, domain: &str, id: &str, now: DateTime<Utc>) -> Option<Cached> {
        self.by_domain
            .get(domain)
            .filter(|c| c.id == id && c.valid_at(now))
            .cloned()
    }

    /// The policy still in force at `now` when a fetch failed: the last fetched, if within its
    /// `max_age`.
    pub(crate) fn still_valid(&self, domain: &str, now: DateTime<Utc>) -> Option<Cached> {
        self.by_domain
            .get(domain)
            .filter(|c| c.valid_at(now))
            .cloned()
    }

    /// Keeps a policy just fetched.
    pub(crate) fn store(&mut self, domain: &str, cached: Cached) {
        if self.by_domain.len() >= MAX_DOMAINS && !self.by_domain.contains_key(domain) {
            let oldest = self
                .by_domain
                .iter()
                .min_by_key(|(_, c)| c.fetched_at)
                .map(|(d, _)| d.clone());
            if let Some(oldest) = oldest {
                self.by_domain.remove(&oldest);
            }
        }
        self.by_domain.insert(domain.to_owned(), cached);
    }

    /// Forgets `domain`: it no longer publishes a record.
    pub(crate) fn forget(&mut self, domain: &str) {
        self.by_domain.remove(domain);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mta_sts::policy::StsMode;

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + s, 0).unwrap()
    }

    fn cached(id: &str, fetched: i64) -> Cached {
        Cached {
            id: id.into(),
            policy: Policy {
                mode: StsMode::Enforce,
                mx: vec!["mx.test".into()],
                max_age: 100,
            },
            fetched_at: at(fetched),
        }
    }

    #[test]
    fn kept_for_max_age_under_the_same_id() {
        let mut cache = PolicyCache::default();
        cache.store("d.test", cached("1", 0));
        assert!(cache.fresh("d.test", "1", at(99)).is_some());
        assert!(
            cache.fresh("d.test", "1", at(100)).is_none(),
            "max_age passed"
        );
        assert!(cache.fresh("other.test", "1", at(1)).is_none());
    }

    #[test]
    fn a_new_id_means_fetch_again() {
        let mut cache = PolicyCache::default();
        cache.store("d.test", cached("1", 0));
        assert!(cache.fresh("d.test", "2", at(1)).is_none());
        cache.store("d.test", cached("2", 1));
        assert_eq!(cache.fresh("d.test", "2", at(2)).unwrap().id, "2");
    }

    #[test]
    fn a_failed_fetch_uses_the_policy_within_max_age() {
        let mut cache = PolicyCache::default();
        cache.store("d.test", cached("1", 0));
        assert_eq!(
            cache.still_valid("d.test", at(50)).unwrap().fetched_at,
            at(0)
        );
        assert!(cache.still_valid("d.test", at(101)).is_none());
        cache.forget("d.test");
        assert!(cache.still_valid("d.test", at(1)).is_none());
    }
}
