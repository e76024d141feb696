//! The toast of a mail domain's findings that people should hear of — its MX set changed, or
//! an MX host stopped offering STARTTLS: one toast per domain for what came within the short
//! wait, listing each MX host it names. A Warning that only a vanished STARTTLS makes is the
//! finding's to tell, not a status toast's as well.

use ehlowatch_engine::{Finding, FindingKind, ProbeReport, Status, Verdict, WarningKind};

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

/// True when `report` is a Warning whose every warned part (each Warning target, or the report
/// itself without targets) warns only that STARTTLS vanished: the domain's finding tells that,
/// once, and nothing re-tells it after a restart — so the status change it causes is no toast.
pub fn told_by_findings(report: &ProbeReport) -> bool {
    if report.status != Verdict::Warning {
        return false;
    }
    let warned: Vec<&ProbeReport> = if report.targets.is_empty() {
        vec![report]
    } else {
        report
            .targets
            .iter()
            .filter(|t| t.status == Status::Warning)
            .map(|t| &t.report)
            .collect()
    };
    !warned.is_empty()
        && warned.iter().all(|r| {
            !r.warnings.is_empty()
                && r.warnings
                    .iter()
                    .all(|w| w.kind == WarningKind::StarttlsVanished)
        })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use chrono::Utc;
    use ehlowatch_engine::{
        MxHost, MxSet, Phases, ProbeReport, TargetReport, TlsMode, Warning, WarningKind,
    };
    use std::time::Duration;

    /// A report warning `kinds` (Success without any).
    fn report(kinds: &[WarningKind]) -> ProbeReport {
        ProbeReport {
            status: if kinds.is_empty() {
                Verdict::Success
            } else {
                Verdict::Warning
            },
            event_id: 5510,
            latency: Some(Duration::from_millis(12)),
            qos: Duration::from_secs(1),
            host: "example.test".into(),
            port: 25,
            address: None,
            tls_mode: TlsMode::None,
            ehlo_name: None,
            checked_at: Utc::now(),
            phases: Phases::default(),
            greeting: None,
            ehlo: None,
            tls: None,
            reason: None,
            failure: None,
            warnings: kinds.iter().map(|k| Warning::new(*k, "why")).collect(),
            transcript: Vec::new(),
            targets: Vec::new(),
            mx_set: None,
        }
    }

    /// A domain's report with one target per entry of `targets`, each warning its kinds; the
    /// domain's own report is the worst target's, as the engine makes it.
    pub(in crate::notify) fn domain(targets: &[&[WarningKind]]) -> ProbeReport {
        let targets: Vec<TargetReport> = targets
            .iter()
            .enumerate()
            .map(|(i, kinds)| {
                let own = report(kinds);
                TargetReport {
                    mx: Some(format!("mx{i}.example.test")),
                    address: format!("192.0.2.{i}"),
                    status: Status::from(own.status),
                    report: own,
                }
            })
            .collect();
        let mut top = targets
            .iter()
            .find(|t| t.status == Status::Warning)
            .map_or_else(|| report(&[]), |t| t.report.clone());
        top.targets = targets;
        top
    }

    #[test]
    fn only_a_warning_made_of_vanished_starttls_alone_is_the_findings_to_tell() {
        let vanished = WarningKind::StarttlsVanished;
        assert!(told_by_findings(&domain(&[&[vanished], &[]])));
        assert!(told_by_findings(&domain(&[&[vanished], &[vanished]])));
        assert!(told_by_findings(&report(&[vanished])));
        // Anything else warned is a status toast's to tell.
        assert!(!told_by_findings(&domain(&[
            &[vanished],
            &[WarningKind::Slow]
        ])));
        assert!(!told_by_findings(&domain(&[&[
            vanished,
            WarningKind::Slow
        ]])));
        assert!(!told_by_findings(&domain(&[&[WarningKind::Slow]])));
        assert!(!told_by_findings(&domain(&[&[], &[]])));
        let mut unexplained = report(&[]);
        unexplained.status = Verdict::Warning;
        assert!(!told_by_findings(&unexplained));
    }

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
