//! The toast of a mail domain's findings that people should hear of — its MX set changed, or
//! an MX host stopped offering STARTTLS: one toast per domain for what came within the short
//! wait, listing each MX host it names.

use ehlowatch_engine::{Finding, FindingKind};

use super::message::{Toast, Urgency};

/// The toast for `findings`, all of one domain; `None` when there are none.
pub fn finding_toast(findings: &[Finding]) -> Option<Toast> {
    let first = findings.first()?;
    let mx_set = findings.iter().any(|f| f.kind == FindingKind::MxSet);
    let starttls = findings.iter().any(|f| f.kind == FindingKind::Drift);
    let title = match (mx_set, starttls) {
        (true, true) => "MX set changed, STARTTLS vanished",
        (true, false) => "MX set changed",
        _ => "STARTTLS vanished",
    };
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
}
