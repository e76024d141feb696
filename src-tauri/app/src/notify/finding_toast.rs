//! The toast of a mail domain's findings that people should hear of — its MX set changed, an
//! MX host stopped offering STARTTLS, or an MX address was listed on or delisted from a
//! blocklist: one toast per domain for what came within the short
//! wait, listing each MX host it names.

use ehlowatch_engine::{Finding, FindingKind};

use super::message::{Toast, Urgency};

/// The toast for `findings`, all of one domain; `None` when there are none.
pub fn finding_toast(findings: &[Finding]) -> Option<Toast> {
    let first = findings.first()?;
    let title = title(findings);
    let lines: Vec<String> = findings
        .iter()
        .map(|f| match (&f.before, &f.after) {
            (Some(before), Some(after)) => format!(
                "{before} → {after} ({}) — event {}",
                f.changes.join(", "),
                f.event_id
            ),
            _ => format!("{} — event {}", f.message(), f.event_id),
        })
        .collect();
    Some(Toast {
        summary: format!("{title}: {}", first.name),
        body: lines.join("\n"),
        urgency: Urgency::Normal,
        monitor: Some(first.monitor.clone()),
    })
}

/// What the findings are about, in a few words: `MX set changed`, `STARTTLS vanished`,
/// `Blocklisted` or `No longer blocklisted`, joined when several.
fn title(findings: &[Finding]) -> String {
    let any = |kind| findings.iter().any(|f| f.kind == kind);
    let mut parts = Vec::new();
    if any(FindingKind::MxSet) {
        parts.push("MX set changed");
    }
    if any(FindingKind::Drift) {
        parts.push("STARTTLS vanished");
    }
    if any(FindingKind::Blocklist) {
        parts.push(blocklist_title(findings));
    }
    if parts.is_empty() {
        parts.push("Mail domain changed");
    }
    parts.join(", ")
}

/// `Blocklisted` when any blocklist finding tells a new listing, else `No longer blocklisted`.
fn blocklist_title(findings: &[Finding]) -> &'static str {
    let listed = findings
        .iter()
        .filter(|f| f.kind == FindingKind::Blocklist)
        .flat_map(|f| &f.changes)
        .any(|change| change.starts_with("listed on "));
    if listed {
        "Blocklisted"
    } else {
        "No longer blocklisted"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use ehlowatch_engine::{MxHost, MxSet};

    fn mx(list: &[(u16, &str)]) -> MxSet {
        MxSet::Hosts(
            list.iter()
                .map(|(preference, host)| MxHost {
                    preference: *preference,
                    host: (*host).to_owned(),
                })
                .collect(),
        )
    }

    #[test]
    fn an_mx_change_lists_the_hosts_before_and_after() {
        let finding = Finding {
            monitor: "example".into(),
            name: "example.test".into(),
            at: Utc::now(),
            event_id: 5530,
            kind: FindingKind::MxSet,
            target: None,
            before: Some(mx(&[(10, "mx1.example.test"), (20, "mx2.example.test")])),
            after: Some(mx(&[(10, "mx1.example.test"), (20, "mx3.example.test")])),
            changes: vec![
                "added 20 mx3.example.test".into(),
                "removed 20 mx2.example.test".into(),
            ],
            notify: true,
        };
        let toast = finding_toast(&[finding]).unwrap();
        assert_eq!(toast.summary, "MX set changed: example.test");
        assert_eq!(
            toast.body,
            "10 mx1.example.test, 20 mx2.example.test → 10 mx1.example.test, 20 mx3.example.test \
             (added 20 mx3.example.test, removed 20 mx2.example.test) — event 5530"
        );
        assert_eq!(toast.monitor, Some("example".into()));
        assert!(finding_toast(&[]).is_none());
    }

    fn blocklist(change: &str) -> Finding {
        Finding {
            monitor: "example".into(),
            name: "example.test".into(),
            at: Utc::now(),
            event_id: 5542,
            kind: FindingKind::Blocklist,
            target: Some("mx1.example.test 192.0.2.10".into()),
            before: None,
            after: None,
            changes: vec![change.into()],
            notify: true,
        }
    }

    #[test]
    fn a_listing_is_titled_blocklisted_and_a_delisting_no_longer() {
        let listed = blocklist("listed on bl.test: listed (127.0.0.2): spam source");
        let toast = finding_toast(std::slice::from_ref(&listed)).unwrap();
        assert_eq!(toast.summary, "Blocklisted: example.test");
        assert_eq!(
            toast.body,
            "mx1.example.test 192.0.2.10: listed on bl.test: listed (127.0.0.2): spam source — event 5542"
        );
        let delisted = blocklist("no longer listed on bl.test");
        let toast = finding_toast(std::slice::from_ref(&delisted)).unwrap();
        assert_eq!(toast.summary, "No longer blocklisted: example.test");
        let both = finding_toast(&[delisted, listed]).unwrap();
        assert_eq!(both.summary, "Blocklisted: example.test");
    }
}
