//! What one MX host × address offered on one probe, read from its report: the EHLO keywords
//! and their parameters (STARTTLS counted as offered when the session upgraded, since the EHLO
//! judged then is the one after TLS), the greeting's host name, and the TLS facts that a
//! certificate swap or a downgrade changes. Only a probe that got a 250 to EHLO says anything.

use std::collections::BTreeMap;

use crate::probe::ProbeReport;
use crate::smtp::{Extension, ReplyCode};

/// The STARTTLS keyword (RFC 3207).
pub(super) const STARTTLS: &str = "STARTTLS";

/// What one probe of one target offered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Offer {
    /// Keyword → its parameters (`""` for none), upper case.
    pub keywords: BTreeMap<String, String>,
    /// Fact → value, for the facts this probe saw (the TLS facts only when TLS was used).
    pub facts: BTreeMap<&'static str, String>,
}

/// The facts, in the order they are told, with their names for people.
pub(super) const FACTS: [(&str, &str); 5] = [
    ("greeting", "greeting host name"),
    ("certificate", "certificate SHA-256"),
    ("issuer", "certificate issuer"),
    ("names", "certificate names"),
    ("tls_version", "TLS version"),
];

impl Offer {
    /// The offer a report shows, `None` when its session did not get a 250 to EHLO.
    pub(super) fn of(report: &ProbeReport) -> Option<Self> {
        let ehlo = report
            .ehlo
            .as_ref()
            .filter(|e| e.reply.code == ReplyCode::OK)?;
        let mut keywords: BTreeMap<String, String> = ehlo
            .info
            .extensions
            .iter()
            .map(|ext| (ext.keyword.clone(), params(ext)))
            .collect();
        if report.tls.is_some() {
            keywords.insert(STARTTLS.to_owned(), String::new());
        }
        let mut facts = BTreeMap::new();
        if let Some(name) = report
            .greeting
            .as_ref()
            .and_then(|g| g.lines.first())
            .and_then(|line| line.split_whitespace().next())
        {
            facts.insert("greeting", name.to_ascii_lowercase());
        }
        if let Some(tls) = &report.tls {
            let mut names = tls.subject_alt_names.clone();
            names.sort();
            facts.insert("certificate", tls.sha256.clone());
            facts.insert("issuer", tls.issuer.clone());
            facts.insert("names", names.join(", "));
            facts.insert("tls_version", tls.version.clone());
        }
        Some(Self { keywords, facts })
    }

    /// True when STARTTLS was offered.
    pub(super) fn starttls(&self) -> bool {
        self.keywords.contains_key(STARTTLS)
    }
}

/// A keyword's parameters as compared: AUTH's mechanisms sorted and in upper case (their order
/// means nothing), every other keyword's as sent.
fn params(ext: &Extension) -> String {
    if ext.keyword == "AUTH" {
        let mut mechanisms: Vec<String> =
            ext.params.iter().map(|p| p.to_ascii_uppercase()).collect();
        mechanisms.sort();
        mechanisms.dedup();
        return mechanisms.join(" ");
    }
    ext.params.join(" ")
}
