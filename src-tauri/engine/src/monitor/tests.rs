//! Tables for the state machine. Step `i` of a trace happens at minute `i` of an explicit clock:
//! `S`/`W`/`F` counted verdicts, `s`/`w`/`f` suppressed ones, `O` the machine going offline.
//! Each step's events are rendered `U>S` (a change, statuses by initial: Unknown, Success,
//! Warning, Failed, Offline) or `=F` (a repeat), with `!` when it alerts, `-` for none.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::state::OFFLINE_REASON;
use super::streaks::Streaks;
use super::*;
use crate::model::{AlertPolicy, ChangeKind, StateChange};
use crate::status::Status;
use crate::verdict::Verdict;

fn t(min: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000 + min * 60, 0).unwrap()
}

fn initial(s: Status) -> char {
    s.as_str().chars().next().unwrap().to_ascii_uppercase()
}

fn render(e: &StateChange) -> String {
    let bang = if e.alert { "!" } else { "" };
    match e.kind {
        ChangeKind::Changed => format!("{}>{}{bang}", initial(e.from), initial(e.to)),
        ChangeKind::Repeated => format!("={}{bang}", initial(e.to)),
    }
}

/// `S`, `W`, `F`: a verdict; lower case: suppressed; `Q`: a Warning told another way (quiet).
fn obs(c: char, min: i64) -> Observation {
    let verdict = match c.to_ascii_uppercase() {
        'S' => Verdict::Success,
        'W' | 'Q' => Verdict::Warning,
        'F' => Verdict::Failed,
        other => panic!("no verdict {other}"),
    };
    Observation {
        verdict,
        reason: (verdict != Verdict::Success).then(|| format!("{c} at {min}")),
        at: t(min),
        suppressed: c.is_ascii_lowercase(),
        quiet: c == 'Q',
    }
}

fn trace_with(policy: &AlertPolicy, mute: &dyn Fn(i64) -> Mute, steps: &str) -> String {
    let mut m = MonitorState::new("mx1".into(), "mx1", t(0));
    let rendered: Vec<String> = steps
        .chars()
        .zip(0..)
        .map(|(c, min)| {
            let now = t(min);
            let events: Vec<StateChange> = if c == 'O' {
                m.set_offline(now).into_iter().collect()
            } else {
                m.observe(&obs(c, min), policy, &mute(min), now)
            };
            if events.is_empty() {
                "-".to_owned()
            } else {
                events.iter().map(render).collect::<Vec<_>>().join(",")
            }
        })
        .collect();
    rendered.join(" ")
}

fn trace(policy: &AlertPolicy, steps: &str) -> String {
    trace_with(policy, &|_| Mute::default(), steps)
}

type Tweak = fn(&mut AlertPolicy);

fn defaults(_: &mut AlertPolicy) {}
fn no_recovery(p: &mut AlertPolicy) {
    p.on_recovery = false;
}
fn every(p: &mut AlertPolicy) {
    p.every_failure = true;
}
fn warn3(p: &mut AlertPolicy) {
    p.warning_after = 3;
}
fn fail0(p: &mut AlertPolicy) {
    p.failed_after = 0;
}
fn fail1(p: &mut AlertPolicy) {
    p.failed_after = 1;
}
fn fail3(p: &mut AlertPolicy) {
    p.failed_after = 3;
}

#[test]
fn policy_table() {
    #[rustfmt::skip]
    let cases: &[(&str, Tweak, &str, &str)] = &[
        ("first success shown at once", defaults, "S", "U>S"),
        ("first failure shown at once, alerted once confirmed", defaults, "FF", "U>F =F!"),
        ("first failure then success: nothing was alerted", defaults, "FS", "U>F F>S"),
        ("first warning shown at once, alerted once confirmed", defaults, "WW", "U>W =W!"),
        ("two failures confirm and alert", defaults, "SFF", "U>S - S>F!"),
        ("one failure then success: no alert", defaults, "SFS", "U>S - -"),
        ("a success breaks the streak", defaults, "SFSF", "U>S - - -"),
        ("recovery alerts", defaults, "SFFS", "U>S - S>F! F>S!"),
        ("no recovery alert with on_recovery off", no_recovery, "SFFS", "U>S - S>F! F>S"),
        ("no reminders by default", defaults, "SFFFF", "U>S - S>F! - -"),
        ("warning confirmation", defaults, "SWW", "U>S - S>W!"),
        ("a warning told by a finding: shown, never alerted, nor its end", defaults, "SQQS", "U>S - S>W W>S"),
        ("one warning is nothing", defaults, "SWS", "U>S - -"),
        ("a failure counts toward warning", defaults, "SWF", "U>S - S>W!"),
        ("failure then warning confirms warning", defaults, "SFW", "U>S - S>W!"),
        ("warning then confirmed failure", defaults, "SWFF", "U>S - S>W! W>F!"),
        ("failed to warning is a change, then recovery", defaults, "SFFWS", "U>S - S>F! F>W! W>S!"),
        ("warning_after 3", warn3, "SWWW", "U>S - - S>W!"),
        ("failed_after 1", fail1, "SF", "U>S S>F!"),
        ("failed_after 0 counts as 1", fail0, "SF", "U>S S>F!"),
        ("failed_after 3: failures alone never warn", fail3, "SFFF", "U>S - - S>F!"),
        ("failed_after 3: a warning among them warns", fail3, "SWFFF", "U>S - S>W! - W>F!"),
        ("every failure alerts, repeats after the first", every, "SFFSF", "U>S S>F! =F! F>S! S>F!"),
        ("every failure: a first failure alerts", every, "F", "U>F!"),
        ("suppressed verdicts do not count", defaults, "SffF", "U>S - - -"),
        ("nor break a streak", defaults, "SFfF", "U>S - - S>F!"),
        ("a suppressed first verdict leaves Unknown", defaults, "f", "-"),
        ("going offline: no alert", defaults, "SO", "U>S S>O"),
        ("offline twice is one change", defaults, "SOO", "U>S S>O -"),
        ("back online: adopted, no recovery alert", defaults, "SOS", "U>S S>O O>S"),
        ("failures while offline do not count", defaults, "SOffFF", "U>S S>O - - O>F =F!"),
        ("offline forgets the streak", defaults, "SFOF", "U>S - S>O O>F"),
        ("alerted outage ends behind Offline: quietly", defaults, "SFFOS", "U>S - S>F! F>O O>S"),
        ("failed_after 1: the first verdict after Offline is quiet", fail1, "SOFF", "U>S S>O O>F =F!"),
        ("every failure: quiet after Offline, then every one", every, "SOFF", "U>S S>O O>F =F!"),
    ];
    for (name, tweak, steps, want) in cases {
        let mut policy = AlertPolicy::default();
        tweak(&mut policy);
        assert_eq!(trace(&policy, steps), *want, "{name}");
    }
}

#[test]
fn reminders_every_five_minutes_while_failed() {
    let policy = AlertPolicy {
        repeat_every: Some(Duration::from_secs(300)),
        ..Default::default()
    };
    let got = trace(&policy, "SFFFFFFFFFFFFS");
    assert_eq!(got, "U>S - S>F! - - - - =F! - - - - =F! F>S!");
}

/// (name, policy, mute in effect at minute `i`, steps, events)
type MuteCase<'a> = (
    &'a str,
    &'a AlertPolicy,
    &'a dyn Fn(i64) -> Mute,
    &'a str,
    &'a str,
);

#[test]
fn mute_table() {
    let none = |_| Mute::default();
    let snoozed = |until| {
        move |_| Mute {
            snoozed_until: Some(t(until)),
            paused_until: None,
        }
    };
    let paused_to_10 = |_| Mute {
        snoozed_until: None,
        paused_until: Some(t(10)),
    };
    let snoozed_from_3 = |min| Mute {
        snoozed_until: (min >= 3).then(|| t(10)),
        paused_until: None,
    };
    let paused_5_to_9 = |min| Mute {
        snoozed_until: None,
        paused_until: (min >= 5).then(|| t(9)),
    };
    let reminders = AlertPolicy {
        repeat_every: Some(Duration::from_secs(300)),
        ..Default::default()
    };
    let every_failure = AlertPolicy {
        every_failure: true,
        ..Default::default()
    };
    let default = AlertPolicy::default();
    #[rustfmt::skip]
    let cases: &[MuteCase] = &[
        ("unmuted", &default, &none, "SFFS", "U>S - S>F! F>S!"),
        ("snoozed: changes kept, no alert", &default, &snoozed(10), "SFFS", "U>S - S>F F>S"),
        ("paused: the same", &default, &paused_to_10, "SFFS", "U>S - S>F F>S"),
        ("snooze over at until: announced", &default, &snoozed(3), "SFFFF", "U>S - S>F =F! -"),
        ("recovery in a snooze: no alert", &default, &snoozed_from_3, "SFFS", "U>S - S>F! F>S"),
        ("no every-failure repeats in a snooze", &every_failure, &snoozed_from_3, "SFFFF",
            "U>S S>F! =F! - -"),
        ("a reminder due in a pause comes at its end", &reminders, &paused_5_to_9, "SFFFFFFFFFF",
            "U>S - S>F! - - - - - - =F! -"),
    ];
    for (name, policy, mute, steps, want) in cases {
        assert_eq!(trace_with(policy, mute, steps), *want, "{name}");
    }
}

#[test]
fn snooze_ends_at_until_and_unsnooze_lifts_it() {
    let mut mute = Mute::default();
    assert!(!mute.is_muted(t(0)));
    mute.snooze(t(5));
    let second = chrono::Duration::seconds(1);
    assert!(mute.is_snoozed(t(5) - second) && mute.is_muted(t(5) - second));
    assert!(!mute.is_snoozed(t(5)) && !mute.is_muted(t(5)));
    mute.unsnooze();
    assert!(!mute.is_muted(t(1)));
    let paused = Mute {
        snoozed_until: None,
        paused_until: Some(t(5)),
    };
    assert!(paused.is_paused(t(4)) && !paused.is_snoozed(t(4)) && !paused.is_paused(t(5)));
}

#[test]
fn events_carry_ids_reasons_and_times() {
    let policy = AlertPolicy::default();
    let mut m = MonitorState::new("id1".into(), "mx1", t(0));
    m.observe(&obs('S', 1), &policy, &Mute::default(), t(1));
    assert!(m
        .observe(&obs('F', 2), &policy, &Mute::default(), t(2))
        .is_empty());
    let events = m.observe(&obs('F', 3), &policy, &Mute::default(), t(3));
    let want = StateChange {
        monitor: "id1".into(),
        name: "mx1".into(),
        at: t(3),
        event_id: Some(5509),
        from: Status::Success,
        to: Status::Failed,
        kind: ChangeKind::Changed,
        reason: Some("F at 3".into()),
        alert: true,
    };
    assert_eq!(events, vec![want]);
    assert_eq!(
        (m.status(), m.since(), m.last_alert()),
        (Status::Failed, t(3), Some(t(3)))
    );
    assert_eq!(
        m.streaks(),
        Streaks {
            success: 0,
            warning: 2,
            failed: 2
        }
    );
    assert_eq!(
        (m.last_verdict(), m.last_reason(), m.last_checked()),
        (Some(Verdict::Failed), Some("F at 3"), Some(t(3)))
    );

    let offline = m.set_offline(t(4)).unwrap();
    assert_eq!(
        (offline.event_id, offline.alert, offline.to),
        (Some(5520), false, Status::Offline)
    );
    assert_eq!(offline.reason.as_deref(), Some(OFFLINE_REASON));
    assert_eq!((m.since(), m.streaks()), (t(4), Streaks::default()));

    let back = m.observe(&obs('S', 5), &policy, &Mute::default(), t(5));
    assert_eq!(
        (back[0].event_id, back[0].reason.as_deref()),
        (Some(5510), None)
    );
}

#[test]
fn suppressed_observation_changes_nothing() {
    let policy = AlertPolicy::default();
    let mut m = MonitorState::new("mx1".into(), "mx1", t(0));
    m.observe(&obs('S', 1), &policy, &Mute::default(), t(1));
    let before = m.clone();
    assert!(m
        .observe(&obs('f', 2), &policy, &Mute::default(), t(2))
        .is_empty());
    assert_eq!(m, before);
}

#[test]
fn pending_shows_progress_toward_confirmation() {
    let policy = AlertPolicy::default();
    let three = AlertPolicy {
        failed_after: 3,
        ..AlertPolicy::default()
    };
    let cases: &[(&AlertPolicy, &str, Option<&str>)] = &[
        (&policy, "", None),
        (&policy, "S", None),
        (&policy, "SF", Some("failing 1 of 2")),
        (&policy, "SFF", None),
        (&policy, "F", Some("failing 1 of 2")),
        (&policy, "SW", Some("warning 1 of 2")),
        (&policy, "SWW", None),
        (&policy, "SWF", Some("failing 1 of 2")),
        (&policy, "SFFW", None),
        (&three, "SFF", Some("failing 2 of 3")),
        (&policy, "SFf", Some("failing 1 of 2")),
    ];
    for (policy, steps, want) in cases {
        let mut m = MonitorState::new("mx1".into(), "mx1", t(0));
        for (c, min) in steps.chars().zip(0..) {
            m.observe(&obs(c, min), policy, &Mute::default(), t(min));
        }
        assert_eq!(
            m.pending(policy).map(|p| p.to_string()).as_deref(),
            *want,
            "{steps}"
        );
    }
}

#[test]
fn worst_by_colour_over_enabled_unsnoozed_monitors_one_green_and_five_grey_make_grey() {
    let on = |status| Shown {
        status,
        enabled: true,
        snoozed: false,
    };
    let snoozed = |status| Shown {
        status,
        enabled: true,
        snoozed: true,
    };
    let disabled = |status| Shown {
        status,
        enabled: false,
        snoozed: false,
    };
    let cases: &[(&[Shown], Status)] = &[
        (&[], Status::Unknown),
        (
            &[on(Status::Success), on(Status::Failed), on(Status::Warning)],
            Status::Failed,
        ),
        (&[on(Status::Success), on(Status::Warning)], Status::Warning),
        (
            &[snoozed(Status::Failed), on(Status::Success)],
            Status::Success,
        ),
        (
            &[disabled(Status::Failed), on(Status::Warning)],
            Status::Warning,
        ),
        (&[on(Status::Offline), on(Status::Unknown)], Status::Offline),
        (&[on(Status::Success), on(Status::Offline)], Status::Offline),
        (
            &[
                on(Status::Success),
                on(Status::Stale),
                on(Status::Unknown),
                on(Status::Offline),
                on(Status::NoRoute),
                on(Status::Blocked),
            ],
            Status::Offline,
        ),
        (&[on(Status::Stale), on(Status::Warning)], Status::Warning),
        (
            &[snoozed(Status::Failed), disabled(Status::Warning)],
            Status::Unknown,
        ),
    ];
    for (monitors, want) in cases {
        assert_eq!(worst(monitors.iter().copied()), *want, "{monitors:?}");
    }
}

#[test]
fn no_route_is_grey_without_alert_and_the_next_verdict_is_adopted() {
    let policy = AlertPolicy::default();
    let mut m = MonitorState::new("mx1".into(), "mx1", t(0));
    for min in 1..=3 {
        m.observe(&obs('F', min), &policy, &Mute::default(), t(min));
    }
    assert_eq!(m.status(), Status::Failed);
    let why = "no route from here to 2001:db8::1";
    let change = m.set_local(Status::NoRoute, why, t(4)).unwrap();
    assert_eq!(
        (change.from, change.to, change.event_id, change.alert),
        (Status::Failed, Status::NoRoute, None, false)
    );
    assert_eq!(change.reason.as_deref(), Some(why));
    assert_eq!(m.streaks(), Streaks::default());
    assert_eq!(m.set_local(Status::NoRoute, why, t(5)), None, "once");
    let back = m.observe(&obs('S', 6), &policy, &Mute::default(), t(6));
    assert_eq!(
        (back[0].from, back[0].to),
        (Status::NoRoute, Status::Success)
    );
}
