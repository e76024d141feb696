//! A domain's MTA-STS standing as shown once per probe: the TXT record, the policy in force
//! (fetched now, kept from an earlier fetch, or kept because the policy host is down), or why
//! senders have none.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::cache::Cached;
use super::policy::StsMode;

/// Where a domain stands with MTA-STS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum StsPolicyState {
    /// No `v=STSv1` record: the domain does not use MTA-STS.
    NoRecord,
    /// A record senders cannot use (two records, a bad `id`): they deliver as without MTA-STS.
    RecordBroken,
    /// The record lookup got no answer: nothing is claimed.
    LookupFailed,
    /// A record, but no policy can be fetched and none is cached: senders deliver as without
    /// MTA-STS (RFC 8461 §5).
    FetchFailed,
    /// A policy is in force (its mode says how senders apply it).
    Active,
}

impl StsPolicyState {
    /// Its name in JSON: `no_record`, `active` …
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoRecord => "no_record",
            Self::RecordBroken => "record_broken",
            Self::LookupFailed => "lookup_failed",
            Self::FetchFailed => "fetch_failed",
            Self::Active => "active",
        }
    }
}

/// A domain's MTA-STS policy as this probe found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StsPolicyView {
    /// Where the domain stands.
    pub state: StsPolicyState,
    /// One line for people.
    pub verdict: String,
    /// The `_mta-sts` TXT record as published (bounded); absent when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub record: Option<String>,
    /// The record's `id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub id: Option<String>,
    /// The policy's mode, when a policy is in force.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub mode: Option<StsMode>,
    /// Its `mx` patterns.
    pub mx: Vec<String>,
    /// Its `max_age`, in seconds (at most 31557600: a JavaScript number holds it).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    pub max_age: Option<u64>,
    /// When the policy in force was fetched.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub fetched_at: Option<DateTime<Utc>>,
    /// The policy id it was fetched under (differs from `id` when the host is down after an
    /// id change).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub policy_id: Option<String>,
    /// True when the policy host could not be fetched from and a cached policy applies.
    pub host_unreachable: bool,
}

impl StsPolicyView {
    /// A view with no policy in force.
    pub(crate) fn without_policy(
        state: StsPolicyState,
        verdict: String,
        record: Option<String>,
        id: Option<String>,
    ) -> Self {
        Self {
            state,
            verdict,
            record,
            id,
            mode: None,
            mx: Vec::new(),
            max_age: None,
            fetched_at: None,
            policy_id: None,
            host_unreachable: false,
        }
    }

    /// A view of the policy `cached` in force, under record `record` with `id`.
    pub(crate) fn active(
        cached: &Cached,
        record: Option<String>,
        id: Option<String>,
        verdict: String,
        host_unreachable: bool,
    ) -> Self {
        Self {
            state: StsPolicyState::Active,
            verdict,
            record,
            id,
            mode: Some(cached.policy.mode),
            mx: cached.policy.mx.clone(),
            max_age: Some(cached.policy.max_age),
            fetched_at: Some(cached.fetched_at),
            policy_id: Some(cached.id.clone()),
            host_unreachable,
        }
    }

    /// What a change of policy is compared on: `id=…, mode=…, mx=…, max_age=…`, or `none`;
    /// `None` when this probe cannot tell (the lookup or fetch failed).
    pub(crate) fn signature(&self) -> Option<String> {
        match self.state {
            StsPolicyState::Active => Some(format!(
                "id={}, mode={}, mx={}, max_age={}",
                self.policy_id.as_deref().unwrap_or_default(),
                self.mode.map_or("?", StsMode::as_str),
                self.mx.join(" "),
                self.max_age.unwrap_or_default()
            )),
            StsPolicyState::NoRecord | StsPolicyState::RecordBroken => Some("none".to_owned()),
            StsPolicyState::LookupFailed | StsPolicyState::FetchFailed => None,
        }
    }
}
