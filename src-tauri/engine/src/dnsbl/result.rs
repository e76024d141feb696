//! One address's result on one list, as reports carry it: its state, a one-line verdict,
//! the codes answered and the list's TXT reason; made from a decoded answer or a failed lookup.

use std::net::Ipv4Addr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::answer::Decoded;

/// Where an address stands on one list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ListState {
    /// The list has no entry for it.
    NotListed,
    /// The list answered a listing code (amber).
    Listed,
    /// The list refused the query (`127.255.255.252`–`255`): a typo'd zone, a public or
    /// shared resolver, too many queries. Says nothing about the address.
    Refused,
    /// The answer is no blocklist answer (`127.0.0.1`, an address outside `127/8`): a
    /// resolver that rewrites NXDOMAIN, or a wildcard. Says nothing about the address.
    NotAnAnswer,
    /// The lookup failed (SERVFAIL, no answer in time); asked again at the next probe.
    LookupFailed,
}

impl ListState {
    /// Its name in JSON and metrics: `not_listed`, `listed`, `refused` …
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotListed => "not_listed",
            Self::Listed => "listed",
            Self::Refused => "refused",
            Self::NotAnAnswer => "not_an_answer",
            Self::LookupFailed => "lookup_failed",
        }
    }

    /// True for what says whether the address is listed: `listed` or `not_listed`.
    pub fn decided(self) -> bool {
        matches!(self, Self::Listed | Self::NotListed)
    }
}

/// One address's check against one list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ListCheck {
    /// The list's zone (`zen.example`).
    pub list: String,
    /// Where the address stands.
    pub state: ListState,
    /// One line for people.
    pub verdict: String,
    /// The A records the list answered (`127.0.0.2`), as text; empty when none.
    pub codes: Vec<String>,
    /// The list's TXT reason, when listed and it gave one (at most 512 bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub reason: Option<String>,
    /// When the list was asked: a result held within the hour keeps the time it was asked.
    pub checked_at: DateTime<Utc>,
}

/// The check of a decoded answer.
pub(crate) fn judged(list: &str, decoded: &Decoded, reason: Option<String>) -> ListCheck {
    let shown = |codes: &[Ipv4Addr]| {
        codes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (state, verdict, codes) = match decoded {
        Decoded::NotListed => (ListState::NotListed, "not listed".to_owned(), &[][..]),
        Decoded::Listed(codes) => {
            let mut verdict = format!("listed ({})", shown(codes));
            if let Some(reason) = &reason {
                verdict = format!("{verdict}: {reason}");
            }
            (ListState::Listed, verdict, &codes[..])
        }
        Decoded::Refused(codes) => (
            ListState::Refused,
            format!(
                "the list refused the query ({}): a typo'd zone, a public or shared resolver \
                 (which some lists refuse: use your own), or too many queries — not a listing",
                shown(codes)
            ),
            &codes[..],
        ),
        Decoded::NotAnAnswer(codes) => (
            ListState::NotAnAnswer,
            format!(
                "not a blocklist answer ({}): the resolver rewrites NXDOMAIN, or the zone has a \
                 wildcard — not a listing",
                shown(codes)
            ),
            &codes[..],
        ),
    };
    ListCheck {
        list: list.to_owned(),
        state,
        verdict,
        codes: codes.iter().map(ToString::to_string).collect(),
        reason: reason.filter(|_| state == ListState::Listed),
        checked_at: Utc::now(),
    }
}

/// The check of a lookup that failed for `why`.
pub(crate) fn failed(list: &str, why: &str) -> ListCheck {
    ListCheck {
        list: list.to_owned(),
        state: ListState::LookupFailed,
        verdict: format!("lookup failed: {why}; asked again at the next probe"),
        codes: Vec::new(),
        reason: None,
        checked_at: Utc::now(),
    }
}

/// The amber warning of a listing: `192.0.2.10 is listed on zen.example (127.0.0.2): reason`.
pub(crate) fn warning_message(address: &str, check: &ListCheck) -> String {
    let mut message = format!(
        "{address} is listed on {} ({})",
        check.list,
        check.codes.join(", ")
    );
    if let Some(reason) = &check.reason {
        message = format!("{message}: {reason}");
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    #[test]
    fn a_listing_shows_its_codes_and_reason() {
        let check = judged(
            "zen.example",
            &Decoded::Listed(vec![ip("127.0.0.2")]),
            Some("see https://zen.example/lookup".into()),
        );
        assert_eq!(check.state, ListState::Listed);
        assert_eq!(
            check.verdict,
            "listed (127.0.0.2): see https://zen.example/lookup"
        );
        assert_eq!(check.codes, ["127.0.0.2"]);
        assert_eq!(
            warning_message("192.0.2.10", &check),
            "192.0.2.10 is listed on zen.example (127.0.0.2): see https://zen.example/lookup"
        );
    }

    #[test]
    fn a_refusal_is_never_a_listing_and_keeps_no_reason() {
        let check = judged(
            "zen.example",
            &Decoded::Refused(vec![ip("127.255.255.254")]),
            Some("ignored".into()),
        );
        assert_eq!(check.state, ListState::Refused);
        assert!(!check.verdict.contains("listed ("), "{}", check.verdict);
        assert!(check
            .verdict
            .starts_with("the list refused the query (127.255.255.254)"));
        assert_eq!(check.reason, None);
        assert!(!check.state.decided());
    }

    #[test]
    fn a_failed_lookup_says_it_is_asked_again() {
        let check = failed("bl.test", "the resolver answered SERVFAIL");
        assert_eq!(check.state, ListState::LookupFailed);
        assert_eq!(
            check.verdict,
            "lookup failed: the resolver answered SERVFAIL; asked again at the next probe"
        );
        assert_eq!(
            serde_json::to_value(check.state).unwrap(),
            serde_json::Value::from("lookup_failed")
        );
    }
}
