//! One mail domain's baseline — its MX set and, per MX host × address, what each keyword and
//! fact was last told as — and what one probe's report changes in it: findings to tell, and
//! the amber of a host that no longer offers the STARTTLS it offered before.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::finding::{Finding, FindingKind};
use super::listing::Listings;
use super::offer::{Offer, FACTS, STARTTLS};
use super::track::{Change, Told, Track};
use crate::dane::{DaneCheck, DaneState};
use crate::domain::MxSet;
use crate::event_id::EventId;
use crate::model::MonitorId;
use crate::mta_sts::StsPolicyView;
use crate::probe::report::TargetReport;
use crate::probe::{refresh_top, ProbeReport};
use crate::status::Status;
use crate::verdict::{Verdict, WarningKind};

/// The most keywords watched per target; a server that invents more is not followed further.
const MAX_KEYWORDS: usize = 64;

/// A mail domain's baseline, as the history keeps it (JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DomainWatch {
    /// The domain it is the baseline of: a monitor edited to watch another domain starts over.
    #[serde(default)]
    domain: String,
    mx_set: Option<MxSet>,
    targets: BTreeMap<String, TargetWatch>,
    /// The MTA-STS policy last seen, as [`StsPolicyView::signature`] gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mta_sts: Option<String>,
    /// Each target's standing on each blocklist.
    #[serde(default, skip_serializing_if = "Listings::is_empty")]
    listings: Listings,
}

/// One MX host × address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct TargetWatch {
    keywords: BTreeMap<String, Track>,
    facts: BTreeMap<String, Track>,
    /// It offered STARTTLS steadily once: a probe without it is amber.
    had_starttls: bool,
    /// Its last DANE verdict that said something (not "not checked").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dane: Option<DaneState>,
}

/// What one report did to a domain's baseline.
#[derive(Debug, Default)]
pub(crate) struct Observed {
    /// What to tell, in order.
    pub findings: Vec<Finding>,
    /// True when the baseline changed and should be stored again.
    pub changed: bool,
}

impl DomainWatch {
    /// The baseline stored as `json`; an unreadable one starts over (a first probe again).
    pub(crate) fn from_json(json: &str) -> Self {
        serde_json::from_str(json).unwrap_or_default()
    }

    /// The baseline to store.
    pub(crate) fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Takes in one report of `domain`, watched by `monitor` (named `name`): its findings, and
    /// an amber warning on each target that no longer offers the STARTTLS it steadily offered
    /// before. A baseline of another domain is dropped first, telling nothing.
    pub(crate) fn observe(
        &mut self,
        report: &mut ProbeReport,
        monitor: &MonitorId,
        name: &str,
        domain: &str,
    ) -> Observed {
        let mut observed = Observed::default();
        if self.domain != domain {
            *self = Self {
                domain: domain.to_owned(),
                ..Self::default()
            };
            observed.changed = true;
        }
        let at = report.checked_at;
        let finding = |kind, event: EventId, target: Option<String>, changes, notify| Finding {
            monitor: monitor.clone(),
            name: name.to_owned(),
            at,
            event_id: event.code(),
            kind,
            target,
            before: None,
            after: None,
            changes,
            notify,
        };
        if let Some(now) = &report.mx_set {
            if self.mx_set.as_ref() != Some(now) {
                if let Some(before) = self.mx_set.replace(now.clone()) {
                    let mut f = finding(
                        FindingKind::MxSet,
                        EventId::MxSetChanged,
                        None,
                        mx_changes(&before, now),
                        true,
                    );
                    f.before = Some(before);
                    f.after = Some(now.clone());
                    observed.findings.push(f);
                }
                observed.changed = true;
            }
            let probed: Vec<String> = report.targets.iter().map(TargetReport::key).collect();
            let before = self.targets.len();
            self.targets.retain(|key, _| probed.contains(key));
            observed.changed |= self.targets.len() != before;
            observed.changed |= self.listings.retain(&probed);
        }
        self.observe_policy(report, monitor, name, &mut observed);
        let mut amber = false;
        for target in &mut report.targets {
            if let Some(f) = self.observe_listings(target, &mut observed, &finding) {
                observed.findings.push(f);
            }
            let Some(offer) = Offer::of(&target.report) else {
                continue;
            };
            let key = target.key();
            let Some(watch) = self.targets.get_mut(&key) else {
                let mut first = TargetWatch::first(&offer);
                first.observe_dane(target.report.dane.as_ref());
                self.targets.insert(key, first);
                observed.changed = true;
                continue;
            };
            if let Some(change) = watch.observe_dane(target.report.dane.as_ref()) {
                let f = finding(
                    FindingKind::Dane,
                    EventId::DaneChanged,
                    Some(key.clone()),
                    vec![change],
                    false,
                );
                observed.findings.push(f);
                observed.changed = true;
            }
            let (changes, vanished) = watch.observe(&offer);
            if !changes.is_empty() {
                let event = if vanished {
                    EventId::StarttlsVanished
                } else {
                    EventId::ServerChanged
                };
                let f = finding(FindingKind::Drift, event, Some(key), changes, vanished);
                observed.findings.push(f);
                observed.changed = true;
            }
            if watch.had_starttls && !offer.starttls() {
                let host = target.mx.as_deref().unwrap_or(&target.address);
                target.add_warning(
                    WarningKind::StarttlsVanished,
                    format!(
                        "{host} ({}) offered STARTTLS before and not on this probe: mail to it falls back to plaintext",
                        target.address
                    ),
                );
                amber = true;
            }
        }
        if amber {
            refresh_top(report);
        }
        observed
    }
}

impl DomainWatch {
    /// Takes in the domain-level policy views of `report`: a finding when the MTA-STS policy
    /// changed.
    fn observe_policy(
        &mut self,
        report: &ProbeReport,
        monitor: &MonitorId,
        name: &str,
        observed: &mut Observed,
    ) {
        let before = self.mta_sts.clone();
        if let Some(change) = self.observe_mta_sts(report.mta_sts_policy.as_deref()) {
            observed.findings.push(Finding {
                monitor: monitor.clone(),
                name: name.to_owned(),
                at: report.checked_at,
                event_id: EventId::MtaStsPolicyChanged.code(),
                kind: FindingKind::MtaSts,
                target: None,
                before: None,
                after: None,
                changes: vec![change],
                notify: false,
            });
        }
        observed.changed |= self.mta_sts != before;
    }

    /// Takes in one probe's MTA-STS view: the sentence to tell when the policy changed (a new
    /// `id`, mode, `mx` patterns or `max_age`, or it appeared or went). The first view tells
    /// nothing; a view that cannot tell (lookup or fetch failed) changes nothing.
    fn observe_mta_sts(&mut self, view: Option<&StsPolicyView>) -> Option<String> {
        let now = view?.signature()?;
        let before = self.mta_sts.replace(now.clone())?;
        (before != now).then(|| format!("MTA-STS policy {before} → {now}"))
    }

    /// Takes in `target`'s blocklist checks: the finding to tell when its listing changed.
    fn observe_listings(
        &mut self,
        target: &TargetReport,
        observed: &mut Observed,
        finding: &dyn Fn(FindingKind, EventId, Option<String>, Vec<String>, bool) -> Finding,
    ) -> Option<Finding> {
        let key = target.key();
        let (told, stored) = self.listings.observe(&key, &target.report.blocklists);
        observed.changed |= stored;
        (!told.is_empty()).then(|| {
            finding(
                FindingKind::Blocklist,
                EventId::BlocklistChanged,
                Some(key),
                told,
                true,
            )
        })
    }
}

impl TargetWatch {
    /// The baseline of a target's first offer: nothing to tell.
    fn first(offer: &Offer) -> Self {
        let keywords = offer
            .keywords
            .iter()
            .take(MAX_KEYWORDS)
            .map(|(k, p)| (k.clone(), Track::new(Some(p.clone()))))
            .collect();
        let facts = offer
            .facts
            .iter()
            .map(|(f, v)| ((*f).to_owned(), Track::new(Some(v.clone()))))
            .collect();
        Self {
            keywords,
            facts,
            had_starttls: offer.starttls(),
            dane: None,
        }
    }

    /// Takes in one DANE check: the sentence to tell when its verdict changed. "Not checked"
    /// (no validating resolver, no answer) changes nothing.
    fn observe_dane(&mut self, check: Option<&DaneCheck>) -> Option<String> {
        let check = check.filter(|c| c.state != DaneState::NotChecked)?;
        let before = self.dane.replace(check.state)?;
        (before != check.state).then(|| {
            format!(
                "DANE {} → {}: {}",
                before.describe(),
                check.state.describe(),
                check.verdict
            )
        })
    }

    /// Takes in one offer: the sentences worth telling, and whether STARTTLS vanished.
    fn observe(&mut self, offer: &Offer) -> (Vec<String>, bool) {
        let mut told = Vec::new();
        let mut vanished = false;
        for k in offer.keywords.keys() {
            if !self.keywords.contains_key(k) && self.keywords.len() < MAX_KEYWORDS {
                self.keywords.insert(k.clone(), Track::absent());
            }
        }
        let names: Vec<String> = self.keywords.keys().cloned().collect();
        for keyword in names {
            let Some(track) = self.keywords.get_mut(&keyword) else {
                continue;
            };
            if let Some(change) = track.observe(offer.keywords.get(&keyword).cloned()) {
                vanished |= keyword == STARTTLS
                    && matches!(
                        &change,
                        Change::Changed {
                            from: Some(_),
                            to: None
                        }
                    );
                told.push(keyword_sentence(&keyword, &change));
            }
            if track.gone() {
                self.keywords.remove(&keyword);
            }
        }
        for (fact, label) in FACTS {
            let Some(value) = offer.facts.get(fact) else {
                continue;
            };
            match self.facts.get_mut(fact) {
                Some(track) => {
                    if let Some(change) = track.observe(Some(value.clone())) {
                        told.push(fact_sentence(label, &change));
                    }
                }
                None => {
                    self.facts
                        .insert(fact.to_owned(), Track::new(Some(value.clone())));
                }
            }
        }
        if self
            .keywords
            .get(STARTTLS)
            .is_some_and(|t| matches!(t.told(), Told::Steady(Some(_))))
        {
            self.had_starttls = true;
        }
        (told, vanished)
    }
}

/// A keyword with its parameters, as a server says it: `SIZE 10240000`, `PIPELINING`.
fn spoken(keyword: &str, params: &str) -> String {
    if params.is_empty() {
        keyword.to_owned()
    } else {
        format!("{keyword} {params}")
    }
}

fn keyword_sentence(keyword: &str, change: &Change) -> String {
    match change {
        Change::Changed {
            from: Some(_),
            to: None,
        } if keyword == STARTTLS => {
            "STARTTLS vanished: mail to this host falls back to plaintext".to_owned()
        }
        Change::Changed {
            from: Some(_),
            to: None,
        } => format!("{keyword} no longer offered"),
        Change::Changed { from: None, to } => format!(
            "{} now offered",
            spoken(keyword, to.as_deref().unwrap_or_default())
        ),
        Change::Changed {
            from: Some(a),
            to: Some(b),
        } => format!("{} → {}", spoken(keyword, a), spoken(keyword, b)),
        Change::Mixed { seen, of } => {
            let offered: usize = seen
                .iter()
                .filter(|(v, _)| v.is_some())
                .map(|(_, n)| n)
                .sum();
            format!("{keyword} offered on {offered} of {of} probes")
        }
        Change::Settled(Some(p)) => format!(
            "{} offered steadily again (last {} probes)",
            spoken(keyword, p),
            super::WINDOW
        ),
        Change::Settled(None) => format!(
            "{keyword} not offered on any of the last {} probes",
            super::WINDOW
        ),
    }
}

fn fact_sentence(label: &str, change: &Change) -> String {
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".to_owned());
    match change {
        Change::Changed { from, to } if label == "TLS version" && to < from => {
            format!("{label} went down: {} → {}", shown(from), shown(to))
        }
        Change::Changed { from, to } => {
            format!("{label} changed: {} → {}", shown(from), shown(to))
        }
        Change::Mixed { seen, of } => {
            let each: Vec<String> = seen
                .iter()
                .map(|(v, n)| format!("{} on {n}", shown(v)))
                .collect();
            format!(
                "{label} varies over the last {of} probes: {}",
                each.join(", ")
            )
        }
        Change::Settled(v) => format!(
            "{label} steady again at {} (last {} probes)",
            shown(v),
            super::WINDOW
        ),
    }
}

/// The hosts added and removed, and the preferences changed, from `before` to `after`.
fn mx_changes(before: &MxSet, after: &MxSet) -> Vec<String> {
    let (MxSet::Hosts(old), MxSet::Hosts(new)) = (before, after) else {
        return vec![format!("{before} → {after}")];
    };
    let mut changes = Vec::new();
    for mx in new {
        match old.iter().find(|o| o.host == mx.host) {
            None => changes.push(format!("added {} {}", mx.preference, mx.host)),
            Some(o) if o.preference != mx.preference => changes.push(format!(
                "{} preference {} → {}",
                mx.host, o.preference, mx.preference
            )),
            Some(_) => {}
        }
    }
    for mx in old {
        if !new.iter().any(|n| n.host == mx.host) {
            changes.push(format!("removed {} {}", mx.preference, mx.host));
        }
    }
    changes
}

/// True when `report` is a Warning only because STARTTLS vanished from its targets or they are
/// blocklisted: the domain's finding told people once, so the status change it makes alerts nobody (nor its end,
/// nor the same amber again after a restart, which no finding re-tells).
pub(crate) fn told_by_finding(report: &ProbeReport) -> bool {
    let warned = report
        .targets
        .iter()
        .filter(|t| t.status == Status::Warning)
        .map(|t| &t.report);
    report.status == Verdict::Warning
        && warned.clone().next().is_some()
        && warned.flat_map(|r| &r.warnings).all(|w| {
            matches!(
                w.kind,
                WarningKind::StarttlsVanished | WarningKind::Blocklisted
            )
        })
}
