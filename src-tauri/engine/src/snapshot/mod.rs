//! The engine's picture of "now", published on a watch channel: every monitor's status and last
//! result, the worst status (the tray colour) and the counts behind the tray tooltip. What a
//! view shows depends on the time it is shown at (a snooze ends, a monitor with no fresh result
//! turns stale), so whoever shows a snapshot re-evaluates it with [`Snapshot::at`] — the engine
//! that publishes it may be the part that stalled.

mod shown;
mod view;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::model::MonitorId;
use crate::monitor::{worst, Shown};
use crate::status::Status;

pub use shown::{next_shown_change, shown_status, stale_after, stale_from};
pub use view::MonitorView;

/// How many enabled monitors show each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Counts {
    /// Success.
    pub success: usize,
    /// QoS Warning.
    pub warning: usize,
    /// Failed.
    pub failed: usize,
    /// Not probed yet.
    pub unknown: usize,
    /// No network here.
    pub offline: usize,
    /// Outbound port 25 blocked here.
    pub blocked: usize,
    /// No fresh result.
    pub stale: usize,
    /// No route from here to the address family.
    pub no_route: usize,
    /// The watching agent cannot be reached.
    pub unreachable: usize,
    /// Mail domains that take no mail (a null MX).
    pub no_mail: usize,
    /// Snoozed.
    pub paused: usize,
}

impl Counts {
    /// The count of `status`.
    pub fn of(&self, status: Status) -> usize {
        match status {
            Status::Success => self.success,
            Status::Warning => self.warning,
            Status::Failed => self.failed,
            Status::Unknown => self.unknown,
            Status::Offline => self.offline,
            Status::Blocked => self.blocked,
            Status::Stale => self.stale,
            Status::NoRoute => self.no_route,
            Status::Unreachable => self.unreachable,
            Status::NoMail => self.no_mail,
            Status::Paused => self.paused,
        }
    }

    fn add(&mut self, status: Status) {
        let n = match status {
            Status::Success => &mut self.success,
            Status::Warning => &mut self.warning,
            Status::Failed => &mut self.failed,
            Status::Unknown => &mut self.unknown,
            Status::Offline => &mut self.offline,
            Status::Blocked => &mut self.blocked,
            Status::Stale => &mut self.stale,
            Status::NoRoute => &mut self.no_route,
            Status::Unreachable => &mut self.unreachable,
            Status::NoMail => &mut self.no_mail,
            Status::Paused => &mut self.paused,
        };
        *n += 1;
    }
}

/// Everything the shells show, at one moment.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Snapshot {
    /// Every monitor in configuration order.
    pub monitors: Vec<Arc<MonitorView>>,
    /// The worst shown status of the enabled, non-snoozed monitors by red > amber > grey >
    /// green; Unknown when there are none.
    pub worst: Status,
    /// How many enabled monitors show each status (snoozed ones as `paused`).
    pub counts: Counts,
    /// True while this machine seems to have no network.
    pub offline: bool,
    /// True while outbound port 25 seems blocked on this network.
    pub blocked: bool,
    /// All alerts are paused until then.
    pub alerts_paused_until: Option<DateTime<Utc>>,
    /// The instant the shown statuses, `worst` and `counts` are as of.
    pub taken_at: Option<DateTime<Utc>>,
    /// A problem the engine worked around and people should know of (e.g. a damaged history
    /// file moved aside).
    pub notice: Option<String>,
}

impl Snapshot {
    /// Builds a snapshot as of `now`, computing each monitor's shown status, the worst and the
    /// counts.
    pub fn new(
        monitors: Vec<Arc<MonitorView>>,
        offline: bool,
        alerts_paused_until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            monitors,
            offline,
            alerts_paused_until,
            ..Self::default()
        }
        .at(now)
    }

    /// The same snapshot as shown at `now`: each monitor's `shown` status, `worst`, `counts`
    /// and `taken_at` re-evaluated (a monitor whose shown status did not change keeps its
    /// `Arc`). The desktop shell calls it on its timer, the agent at every request.
    #[must_use]
    pub fn at(&self, now: DateTime<Utc>) -> Self {
        let monitors: Vec<Arc<MonitorView>> = self
            .monitors
            .iter()
            .map(|m| {
                let shown = shown_status(m, now);
                if shown == m.shown {
                    m.clone()
                } else {
                    Arc::new(MonitorView {
                        shown,
                        ..MonitorView::clone(m)
                    })
                }
            })
            .collect();
        let worst = worst(monitors.iter().map(|m| Shown {
            status: m.shown,
            enabled: m.enabled,
            snoozed: m.snoozed_at(now),
        }));
        let mut counts = Counts::default();
        for m in monitors.iter().filter(|m| m.enabled) {
            counts.add(m.shown);
        }
        Self {
            monitors,
            worst,
            counts,
            offline: self.offline,
            blocked: self.blocked,
            alerts_paused_until: self.alerts_paused_until,
            taken_at: Some(now),
            notice: self.notice.clone(),
        }
    }

    /// The next instant after `now` at which a shown status changes by itself (a snooze ends,
    /// a monitor turns stale): when a shell that shows this snapshot re-evaluates it.
    pub fn next_change(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.monitors
            .iter()
            .filter_map(|m| next_shown_change(m, now))
            .min()
    }

    /// The monitor with this id.
    pub fn monitor(&self, id: &MonitorId) -> Option<&Arc<MonitorView>> {
        self.monitors.iter().find(|m| &m.id == id)
    }
}

#[cfg(test)]
mod tests;
