//! Each MX host × address's standing on each blocklist as last decided — listed or not — so
//! that a change is told once: the first decision is the baseline and tells nothing; a refusal,
//! an answer that is no blocklist answer, or a failed lookup decides nothing and changes
//! nothing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::dnsbl::{ListCheck, ListState};

/// Per target key (`mx1.example.com 192.0.2.10`), per list zone: listed or not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub(super) struct Listings(BTreeMap<String, BTreeMap<String, bool>>);

impl Listings {
    /// True when nothing is known.
    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Forgets the targets not in `probed`; true when any was forgotten.
    pub(super) fn retain(&mut self, probed: &[String]) -> bool {
        let before = self.0.len();
        self.0.retain(|key, _| probed.contains(key));
        self.0.len() != before
    }

    /// Takes in the checks of the target `key`: the sentences to tell (`listed on bl.test
    /// (127.0.0.2): reason`, `no longer listed on bl.test`), and whether anything was stored.
    /// Lists no longer checked are forgotten.
    pub(super) fn observe(&mut self, key: &str, checks: &[ListCheck]) -> (Vec<String>, bool) {
        if checks.is_empty() {
            return (Vec::new(), self.0.remove(key).is_some());
        }
        let known = self.0.entry(key.to_owned()).or_default();
        let mut changed = false;
        let before = known.len();
        known.retain(|list, _| checks.iter().any(|c| &c.list == list));
        changed |= known.len() != before;
        let mut told = Vec::new();
        for check in checks.iter().filter(|c| c.state.decided()) {
            let listed = check.state == ListState::Listed;
            match known.insert(check.list.clone(), listed) {
                Some(was) if was == listed => {}
                Some(_) => {
                    told.push(sentence(check));
                    changed = true;
                }
                None => changed = true,
            }
        }
        (told, changed)
    }
}

fn sentence(check: &ListCheck) -> String {
    if check.state == ListState::Listed {
        format!("listed on {}: {}", check.list, check.verdict)
    } else {
        format!("no longer listed on {}", check.list)
    }
}
