//! What the tray says, as pure functions of a [`Snapshot`]: the tooltip and summary line, one
//! label per monitor ("✕ mx2.example.com:25 — no 250 (421)"), and the menu's actions with the
//! ids they travel under.

use ehlowatch_engine::{Colour, MonitorId, Status};
use ehlowatch_engine::{MonitorView, Snapshot};

/// Snooze and pause choices offered, in minutes; `None` is "until resumed".
pub const DURATIONS: [(Option<u32>, &str); 4] = [
    (Some(60), "1 hour"),
    (Some(240), "4 hours"),
    (Some(480), "8 hours"),
    (None, "until resumed"),
];

/// Something the tray menu can ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuAction {
    /// Probe one monitor now.
    Check(MonitorId),
    /// Mute one monitor's alerts for some minutes, or until resumed.
    Snooze(MonitorId, Option<u32>),
    /// Lift a monitor's snooze.
    Unsnooze(MonitorId),
    /// Open the window on a monitor's details.
    Open(MonitorId),
    /// Probe every enabled monitor now.
    CheckAll,
    /// Pause every notification for some minutes, or until resumed.
    Pause(Option<u32>),
    /// Resume notifications.
    Resume,
    /// Open the window.
    Window,
    /// Quit the app.
    Quit,
}

impl MenuAction {
    /// The menu item id. Monitor ids come last, so they may contain any character.
    pub fn id(&self) -> String {
        let minutes = |m: &Option<u32>| m.map_or_else(|| "forever".to_owned(), |m| m.to_string());
        match self {
            Self::Check(id) => format!("check:{}", id.0),
            Self::Snooze(id, m) => format!("snooze:{}:{}", minutes(m), id.0),
            Self::Unsnooze(id) => format!("unsnooze:{}", id.0),
            Self::Open(id) => format!("open:{}", id.0),
            Self::CheckAll => "check-all".to_owned(),
            Self::Pause(m) => format!("pause:{}", minutes(m)),
            Self::Resume => "resume".to_owned(),
            Self::Window => "window".to_owned(),
            Self::Quit => "quit".to_owned(),
        }
    }

    /// The action of a menu item id.
    pub fn parse(id: &str) -> Option<Self> {
        let minutes = |m: &str| match m {
            "forever" => Some(None),
            m => m.parse().ok().map(Some),
        };
        let monitor = |s: &str| MonitorId(s.to_owned());
        Some(match id.split_once(':') {
            None => match id {
                "check-all" => Self::CheckAll,
                "resume" => Self::Resume,
                "window" => Self::Window,
                "quit" => Self::Quit,
                _ => return None,
            },
            Some(("check", rest)) => Self::Check(monitor(rest)),
            Some(("unsnooze", rest)) => Self::Unsnooze(monitor(rest)),
            Some(("open", rest)) => Self::Open(monitor(rest)),
            Some(("pause", rest)) => Self::Pause(minutes(rest)?),
            Some(("snooze", rest)) => {
                let (m, id) = rest.split_once(':')?;
                Self::Snooze(monitor(id), minutes(m)?)
            }
            Some(_) => return None,
        })
    }
}

/// The glyph of a status, as in the tray icon.
pub fn glyph(status: Status) -> &'static str {
    match status.colour() {
        Colour::Green => "✓",
        Colour::Amber => "⚠",
        Colour::Red => "✕",
        Colour::Grey => "–",
    }
}

/// The summary's word for `n` monitors in `status`: "3 OK", "2 stale".
fn counted(status: Status, n: usize) -> String {
    match status {
        Status::Success => format!("{n} OK"),
        Status::Warning => format!("{n} warning{}", plural(n)),
        Status::Failed => format!("{n} failed"),
        Status::Unknown => format!("{n} not checked"),
        Status::Offline => format!("{n} offline"),
        Status::Blocked => format!("{n} blocked here"),
        Status::Stale => format!("{n} stale"),
        Status::NoRoute => format!("{n} no route"),
        Status::Unreachable => format!("{n} unreachable"),
        Status::NoMail => format!("{n} taking no mail"),
        Status::Paused => format!("{n} paused"),
    }
}

/// "3 OK · 1 warning · 1 failed · 2 stale" (the worst last), or why there is nothing to count.
pub fn summary(snapshot: &Snapshot) -> String {
    let c = snapshot.counts;
    // The verdicts first, as people read them; then the greys, worst first.
    let order = [Status::Success, Status::Warning, Status::Failed]
        .into_iter()
        .chain(
            Status::ALL
                .into_iter()
                .rev()
                .filter(|s| s.verdict().is_none()),
        );
    let mut parts: Vec<String> = order
        .filter(|s| !(snapshot.offline && *s == Status::Offline))
        .filter(|s| c.of(*s) > 0)
        .map(|s| counted(s, c.of(s)))
        .collect();
    if snapshot.offline {
        parts.insert(0, "offline".to_owned());
    }
    if parts.is_empty() {
        return if snapshot.monitors.is_empty() {
            "no monitors yet".to_owned()
        } else {
            "all monitors disabled".to_owned()
        };
    }
    parts.join(" · ")
}

/// The tooltip: "EHLO Watch — 3 OK · 1 warning · 1 failed".
pub fn tooltip(snapshot: &Snapshot) -> String {
    format!("EHLO Watch — {}", summary(snapshot))
}

/// A monitor's submenu title: "✕ mx2.example.com:25 — no 250 (421)", "✓ mx1 — OK". It changes
/// with the status (and a failure's reason), not with every probe, so the menu stays put while
/// it is open; the latest latency is on [`last_check`]'s line inside the submenu.
pub fn monitor_label(m: &MonitorView) -> String {
    let split = m.last.as_ref().and_then(|r| r.failing_split());
    let state = if m.enabled {
        match (m.shown, m.reason.as_deref()) {
            // Its addresses disagree: say how many fail rather than one address's reason.
            (Status::Failed | Status::Warning, _) if split.is_some() => split.unwrap_or_default(),
            (Status::Failed, Some(reason)) => one_line(reason, MAX_DETAIL),
            (Status::Failed, None) => "failed".to_owned(),
            (Status::Warning, _) => "QoS warning".to_owned(),
            (Status::Success, _) => "OK".to_owned(),
            (Status::Offline, _) => "offline".to_owned(),
            (Status::Unknown, _) => "not checked yet".to_owned(),
            (Status::Blocked, _) => "port 25 blocked here".to_owned(),
            (Status::Stale, _) => "no fresh result".to_owned(),
            (Status::NoRoute, _) => "no route from here".to_owned(),
            (Status::Unreachable, _) => "agent unreachable".to_owned(),
            (Status::NoMail, _) => "takes no mail (null MX)".to_owned(),
            (Status::Paused, _) => format!("snoozed (last: {})", m.status),
        }
    } else {
        "disabled".to_owned()
    };
    format!("{} {} — {state}", glyph(m.shown), m.name)
}

/// The first line of a monitor's submenu: "Last check: 12 ms", "Last check: 1840 ms — 250
/// after the 1000 ms QoS", "Last check: no 250 — connection refused", "Not checked yet".
pub fn last_check(m: &MonitorView) -> String {
    let Some(report) = m.last.as_ref() else {
        return "Not checked yet".to_owned();
    };
    let latency = report
        .latency
        .map_or_else(|| "no 250".to_owned(), |l| format!("{} ms", l.as_millis()));
    match report.reason.as_deref() {
        Some(reason) => format!("Last check: {latency} — {}", one_line(reason, MAX_DETAIL)),
        None => format!("Last check: {latency}"),
    }
}

/// A monitor's lines in its submenu that change with each probe: its [`last_check`], then —
/// when it has several targets, or they are a mail domain's MX hosts — a row per target:
/// "✓ mx1.example.com 192.0.2.10", "✕ 192.0.2.11 — connection refused".
pub fn lines(m: &MonitorView) -> Vec<String> {
    let mut lines = vec![last_check(m)];
    let Some(report) = m.last.as_ref() else {
        return lines;
    };
    if report.targets.len() < 2 && report.targets.iter().all(|t| t.mx.is_none()) {
        return lines;
    }
    lines.extend(report.targets.iter().map(|t| {
        let row = format!("{} {}", glyph(t.status), t.key());
        match t.report.reason.as_deref() {
            Some(reason) if t.status != Status::Success => {
                format!("{row} — {}", one_line(reason, MAX_DETAIL))
            }
            _ => row,
        }
    }));
    lines
}

/// The longest reason shown in the menu, in characters.
const MAX_DETAIL: usize = 48;

fn one_line(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or_default().trim();
    if line.chars().count() <= max {
        return line.to_owned();
    }
    let cut: String = line.chars().take(max - 1).collect();
    format!("{}…", cut.trim_end())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The menu lines of the remote sources: `dc1 / mx1 — OK` per monitor, under a line for a
/// source that cannot be heard (`dc1 — unreachable`).
pub fn remote_lines(sources: &[crate::sources::view::SourceView]) -> Vec<String> {
    use crate::sources::view::SourceHealth;
    let mut lines = Vec::new();
    for source in sources {
        let health = match source.health {
            SourceHealth::Connected => None,
            SourceHealth::Connecting => Some("connecting"),
            SourceHealth::Unreachable => Some("unreachable"),
            SourceHealth::NeedsToken => Some("needs its token"),
        };
        if let Some(health) = health {
            lines.push(format!(
                "{} {} — {health}",
                glyph(source.worst),
                source.name
            ));
        }
        for m in &source.monitors {
            let word = match m.status {
                Status::Success => "OK".to_owned(),
                Status::Warning => "QoS warning".to_owned(),
                Status::Failed => m
                    .reason
                    .as_deref()
                    .map_or_else(|| "failed".to_owned(), |r| one_line(r, MAX_DETAIL)),
                Status::Unreachable => "agent unreachable".to_owned(),
                Status::Paused => "snoozed on the agent".to_owned(),
                other => other.as_str().replace('_', " "),
            };
            let muted = if m.muted_until.is_some() {
                " (muted)"
            } else {
                ""
            };
            lines.push(format!(
                "{} {} / {} — {word}{muted}",
                glyph(m.status),
                source.name,
                m.name
            ));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use ehlowatch_engine::Counts;
    use ehlowatch_engine::{Phases, ProbeReport, TargetReport, TlsMode, Verdict};
    use std::sync::Arc;
    use std::time::Duration;

    fn report() -> ProbeReport {
        ProbeReport {
            status: Verdict::Success,
            event_id: 5510,
            latency: Some(Duration::from_millis(12)),
            qos: Duration::from_secs(1),
            host: "mx2.example.com".into(),
            port: 25,
            address: None,
            tls_mode: TlsMode::None,
            ehlo_name: None,
            checked_at: chrono::Utc::now(),
            phases: Phases::default(),
            greeting: None,
            ehlo: None,
            tls: None,
            reason: None,
            failure: None,
            warnings: Vec::new(),
            transcript: std::sync::Arc::default(),
            targets: Vec::new(),
            mx_set: None,
            dane: None,
            mta_sts: None,
            mta_sts_policy: None,
            tls_rpt: None,
            blocklists: Vec::new(),
        }
    }

    #[test]
    fn ids_round_trip_even_with_colons_in_monitor_ids() {
        let id = MonitorId("mx2.example.com:25".into());
        let actions = [
            MenuAction::Check(id.clone()),
            MenuAction::Snooze(id.clone(), Some(240)),
            MenuAction::Snooze(id.clone(), None),
            MenuAction::Unsnooze(id.clone()),
            MenuAction::Open(id),
            MenuAction::CheckAll,
            MenuAction::Pause(Some(60)),
            MenuAction::Pause(None),
            MenuAction::Resume,
            MenuAction::Window,
            MenuAction::Quit,
        ];
        for action in actions {
            assert_eq!(
                MenuAction::parse(&action.id()),
                Some(action.clone()),
                "{}",
                action.id()
            );
        }
        assert_eq!(MenuAction::parse("snooze:soon:mx1"), None);
        assert_eq!(MenuAction::parse("reboot"), None);
    }

    #[test]
    fn the_tooltip_counts_each_status() {
        let snapshot = Snapshot {
            counts: Counts {
                success: 3,
                warning: 1,
                failed: 1,
                ..Counts::default()
            },
            monitors: vec![Arc::default()],
            ..Snapshot::default()
        };
        assert_eq!(
            tooltip(&snapshot),
            "EHLO Watch — 3 OK · 1 warning · 1 failed"
        );
        assert_eq!(
            tooltip(&Snapshot::default()),
            "EHLO Watch — no monitors yet"
        );
    }

    #[test]
    fn the_summary_names_the_grey_states_worst_first() {
        let snapshot = Snapshot {
            counts: Counts {
                success: 1,
                unknown: 1,
                stale: 2,
                paused: 1,
                ..Counts::default()
            },
            monitors: vec![Arc::default()],
            ..Snapshot::default()
        };
        assert_eq!(
            summary(&snapshot),
            "1 OK · 2 stale · 1 not checked · 1 paused"
        );
        let offline = Snapshot {
            offline: true,
            counts: Counts {
                offline: 3,
                ..Counts::default()
            },
            ..snapshot
        };
        assert_eq!(summary(&offline), "offline");
        let blocked = Snapshot {
            blocked: true,
            counts: Counts {
                success: 1,
                blocked: 7,
                ..Counts::default()
            },
            ..offline
        };
        assert_eq!(
            summary(&Snapshot {
                offline: false,
                ..blocked
            }),
            "1 OK · 7 blocked here"
        );
    }

    #[test]
    fn a_label_shows_the_status_as_shown_not_as_confirmed() {
        let view = |status, shown| MonitorView {
            name: "mx1".into(),
            enabled: true,
            status,
            shown,
            ..MonitorView::default()
        };
        assert_eq!(
            monitor_label(&view(Status::Success, Status::Stale)),
            "– mx1 — no fresh result"
        );
        assert_eq!(
            monitor_label(&view(Status::Failed, Status::Paused)),
            "– mx1 — snoozed (last: failed)"
        );
    }

    #[test]
    fn a_failed_monitor_shows_its_reason_on_one_short_line() {
        let view = MonitorView {
            name: "mx2.example.com:25".into(),
            enabled: true,
            status: Status::Failed,
            shown: Status::Failed,
            reason: Some("no 250 (421)\nsecond line".into()),
            ..MonitorView::default()
        };
        assert_eq!(monitor_label(&view), "✕ mx2.example.com:25 — no 250 (421)");
        let mut last = report();
        last.targets = ["192.0.2.1", "2001:db8::1"]
            .iter()
            .zip([Status::Success, Status::Failed])
            .map(|(address, status)| TargetReport {
                mx: None,
                address: (*address).to_owned(),
                status,
                report: report(),
            })
            .collect();
        let split = MonitorView {
            last: Some(Arc::new(last)),
            ..view.clone()
        };
        assert_eq!(
            monitor_label(&split),
            "✕ mx2.example.com:25 — 1 of 2 addresses failing"
        );
        let long = MonitorView {
            reason: Some("x".repeat(100)),
            ..view
        };
        assert_eq!(
            monitor_label(&long).chars().count(),
            "✕ mx2.example.com:25 — ".chars().count() + 48
        );
    }

    #[test]
    fn a_domain_has_a_row_per_mx_host_and_address_under_its_last_check() {
        let mut last = report();
        let mut refused = report();
        refused.reason = Some("connection refused".into());
        last.targets = vec![
            TargetReport {
                mx: Some("mx1.example.com".into()),
                address: "192.0.2.10".into(),
                status: Status::Success,
                report: report(),
            },
            TargetReport {
                mx: Some("mx2.example.com".into()),
                address: "192.0.2.11".into(),
                status: Status::Failed,
                report: refused,
            },
        ];
        let view = MonitorView {
            name: "example.com".into(),
            enabled: true,
            last: Some(Arc::new(last)),
            ..MonitorView::default()
        };
        let shown = lines(&view);
        assert_eq!(shown.len(), 3, "{shown:?}");
        assert_eq!(shown[0], last_check(&view));
        assert_eq!(shown[1], "✓ mx1.example.com 192.0.2.10");
        assert_eq!(
            shown[2],
            "✕ mx2.example.com 192.0.2.11 — connection refused"
        );
        let single = MonitorView {
            last: Some(Arc::new(report())),
            ..view
        };
        assert_eq!(
            lines(&single),
            [last_check(&single)],
            "one address: no rows"
        );
    }
}
