//! What a view shows at a given instant, computed by whoever shows it — the desktop shell on its
//! timer, the agent at each request — and never by the engine alone, which may itself be the one
//! stalled: a monitor with no result for longer than 2×interval + 2×QoS is `stale`, a snoozed one
//! `paused`. The limit leaves room for a start late by the jitter (under a fifth of the
//! interval), a probe that takes its whole 2×QoS, and a missed tick.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::view::MonitorView;
use crate::status::Status;

/// How long a monitor may go without a result before it is stale: 2×interval + 2×QoS.
pub fn stale_after(interval: Duration, qos: Duration) -> Duration {
    interval
        .saturating_mul(2)
        .saturating_add(qos.saturating_mul(2))
}

/// From when `view` is stale: the start of its last probe plus [`stale_after`]. `None` while it
/// has no result (it is `unknown` then) or is disabled (not probed).
pub fn stale_from(view: &MonitorView) -> Option<DateTime<Utc>> {
    if !view.enabled {
        return None;
    }
    let limit = stale_after(
        Duration::from_millis(view.interval_ms),
        Duration::from_millis(view.qos_ms),
    );
    let last = view.last.as_ref()?.checked_at;
    chrono::Duration::from_std(limit)
        .ok()
        .and_then(|limit| last.checked_add_signed(limit))
}

/// The status `view` shows at `now`: `paused` while snoozed, `stale` after [`stale_from`] (the
/// instant itself not yet), else its confirmed status. A disabled monitor shows its status.
pub fn shown_status(view: &MonitorView, now: DateTime<Utc>) -> Status {
    if !view.enabled {
        view.status
    } else if view.snoozed_at(now) {
        Status::Paused
    } else if stale_from(view).is_some_and(|from| now > from) {
        Status::Stale
    } else {
        view.status
    }
}

/// The next instant after `now` at which [`shown_status`] of `view` may change by itself (a
/// snooze ends, the view turns stale); `None` when nothing is due.
pub fn next_shown_change(view: &MonitorView, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if !view.enabled {
        return None;
    }
    let snooze_end = view.snoozed_until.filter(|until| *until > now);
    let stale = stale_from(view)
        .filter(|from| *from >= now)
        .map(|from| from + chrono::Duration::milliseconds(1));
    snooze_end.into_iter().chain(stale).min()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use chrono::{DateTime, TimeZone, Utc};

    use super::*;
    use crate::snapshot::tests::report_at;

    fn t(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + s, 0).unwrap()
    }

    /// A monitor probed every 60 s with a 1 s QoS, last probed at `t(0)`.
    fn view(status: Status) -> MonitorView {
        MonitorView {
            enabled: true,
            status,
            interval_ms: 60_000,
            qos_ms: 1_000,
            last: Some(Arc::new(report_at(t(0)))),
            ..MonitorView::default()
        }
    }

    #[test]
    fn the_limit_is_twice_the_interval_plus_twice_the_qos() {
        assert_eq!(
            stale_after(Duration::from_secs(60), Duration::from_secs(1)),
            Duration::from_secs(122)
        );
        assert_eq!(
            stale_after(Duration::MAX, Duration::from_secs(1)),
            Duration::MAX
        );
    }

    #[test]
    fn a_monitor_turns_stale_just_after_the_limit() {
        let v = view(Status::Success);
        assert_eq!(shown_status(&v, t(121)), Status::Success);
        assert_eq!(shown_status(&v, t(122)), Status::Success);
        assert_eq!(shown_status(&v, t(123)), Status::Stale);
        let failed = view(Status::Failed);
        assert_eq!(shown_status(&failed, t(3600)), Status::Stale);
        assert_eq!(
            next_shown_change(&v, t(10)),
            Some(t(122) + chrono::Duration::milliseconds(1))
        );
        assert_eq!(next_shown_change(&v, t(123)), None);
    }

    #[test]
    fn no_result_yet_is_unknown_not_stale_and_disabled_is_neither() {
        let never = MonitorView {
            last: None,
            ..view(Status::Unknown)
        };
        assert_eq!(shown_status(&never, t(10_000)), Status::Unknown);
        let disabled = MonitorView {
            enabled: false,
            snoozed_until: Some(t(500)),
            ..view(Status::Success)
        };
        assert_eq!(shown_status(&disabled, t(10_000)), Status::Success);
        assert_eq!(next_shown_change(&disabled, t(0)), None);
    }

    #[test]
    fn a_snoozed_monitor_is_paused_until_its_snooze_ends() {
        let v = MonitorView {
            snoozed_until: Some(t(60)),
            ..view(Status::Failed)
        };
        assert_eq!(shown_status(&v, t(59)), Status::Paused);
        assert_eq!(shown_status(&v, t(60)), Status::Failed);
        assert_eq!(next_shown_change(&v, t(0)), Some(t(60)));
        let long = MonitorView {
            snoozed_until: Some(t(1_000)),
            ..view(Status::Failed)
        };
        assert_eq!(
            shown_status(&long, t(500)),
            Status::Paused,
            "paused beats stale"
        );
        assert_eq!(shown_status(&long, t(1_000)), Status::Stale);
    }
}
