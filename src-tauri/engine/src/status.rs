//! The statuses a monitor can be shown in, and the one order every view uses (DESIGN.md, "Shared
//! decisions for wave 2"): each status has a colour — red *their* server is broken, amber slow or
//! a soft finding, grey "cannot tell from here", green a fresh Success — and the worst of several
//! is by red > amber > grey > green. The tray icon, the snapshot's worst and counts, the agent's
//! `/api/status` and metrics and the window all read these functions.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::event_id::EventId;
use crate::verdict::Verdict;

/// The status a monitor is shown in: a confirmed verdict, or a state without one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Not probed yet.
    #[default]
    Unknown,
    /// Confirmed Success (5510).
    Success,
    /// Confirmed QoS Warning (5511).
    Warning,
    /// Confirmed Failed (5509).
    Failed,
    /// This machine has no network (every monitor unreachable at once); no verdict (5520).
    Offline,
    /// Outbound port 25 is blocked on this network; no verdict (5522).
    Blocked,
    /// No result for longer than 2×interval + 2×QoS: whatever shows it cannot vouch for the last
    /// status (5524).
    Stale,
    /// The target's address family has no route from here (e.g. IPv6 on an IPv4-only network).
    NoRoute,
    /// The agent that watches the monitor cannot be reached.
    Unreachable,
    /// The mail domain publishes a null MX (RFC 7505): it takes no mail, so there is nothing
    /// to probe and nothing to alert on (5533).
    NoMail,
    /// Snoozed: its alerts are muted and it leaves the tray's colour.
    Paused,
}

/// The colour class of a status, in the order "worst" uses: red > amber > grey > green.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Colour {
    /// A fresh Success.
    Green,
    /// Cannot tell from here.
    Grey,
    /// Slow, or a soft finding.
    Amber,
    /// Their server is broken.
    Red,
}

impl Colour {
    /// `green`, `grey`, `amber` or `red`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Green => "green",
            Self::Grey => "grey",
            Self::Amber => "amber",
            Self::Red => "red",
        }
    }
}

impl Status {
    /// Every status, best first in the order of [`Status::rank`].
    pub const ALL: [Self; 11] = [
        Self::Success,
        Self::Paused,
        Self::NoMail,
        Self::Unknown,
        Self::Unreachable,
        Self::NoRoute,
        Self::Stale,
        Self::Blocked,
        Self::Offline,
        Self::Warning,
        Self::Failed,
    ];

    /// The JSON spelling: `success`, `no_route` …
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Success => "success",
            Self::Warning => "warning",
            Self::Failed => "failed",
            Self::Offline => "offline",
            Self::Blocked => "blocked",
            Self::Stale => "stale",
            Self::NoRoute => "no_route",
            Self::Unreachable => "unreachable",
            Self::NoMail => "no_mail",
            Self::Paused => "paused",
        }
    }

    /// Its colour class.
    pub fn colour(self) -> Colour {
        match self {
            Self::Success => Colour::Green,
            Self::Warning => Colour::Amber,
            Self::Failed => Colour::Red,
            Self::Unknown
            | Self::Offline
            | Self::Blocked
            | Self::Stale
            | Self::NoRoute
            | Self::Unreachable
            | Self::NoMail
            | Self::Paused => Colour::Grey,
        }
    }

    /// How bad it is, for "worst": by colour first (red > amber > grey > green), then, among the
    /// greys, the one that explains most — a local cause (offline, blocked) before a stale or
    /// unroutable view, before "not probed yet", before a domain that takes no mail, before a
    /// snooze.
    pub fn rank(self) -> u8 {
        let at = Self::ALL
            .iter()
            .position(|s| *s == self)
            .unwrap_or_default();
        u8::try_from(at).unwrap_or(u8::MAX)
    }

    /// The event id of the status, where it has one: the verdicts' ELM ids, and the local
    /// causes' "began" ids.
    pub fn event(self) -> Option<EventId> {
        match self {
            Self::Success | Self::Warning | Self::Failed => self.verdict().map(Verdict::event),
            Self::Offline => Some(EventId::OfflineBegan),
            Self::Blocked => Some(EventId::BlockedBegan),
            Self::Stale => Some(EventId::StaleBegan),
            Self::NoMail => Some(EventId::TakesNoMail),
            Self::Unknown | Self::NoRoute | Self::Unreachable | Self::Paused => None,
        }
    }

    /// [`Status::event`] as its number.
    pub fn event_id(self) -> Option<u16> {
        self.event().map(EventId::code)
    }

    /// The verdict behind the status, if it is one.
    pub fn verdict(self) -> Option<Verdict> {
        match self {
            Self::Success => Some(Verdict::Success),
            Self::Warning => Some(Verdict::Warning),
            Self::Failed => Some(Verdict::Failed),
            _ => None,
        }
    }

    /// The value of the `ehlowatch_status` metric: 0 Success, 1 Warning, 2 Failed, 3 for every
    /// grey status.
    pub fn metric_value(self) -> i64 {
        match self.colour() {
            Colour::Green => 0,
            Colour::Amber => 1,
            Colour::Red => 2,
            Colour::Grey => 3,
        }
    }

    /// The worst of `statuses` by [`Status::rank`]; `None` when there are none.
    pub fn worst(statuses: impl IntoIterator<Item = Self>) -> Option<Self> {
        statuses.into_iter().max_by_key(|s| s.rank())
    }
}

impl From<Verdict> for Status {
    fn from(v: Verdict) -> Self {
        match v {
            Verdict::Success => Self::Success,
            Verdict::Warning => Self::Warning,
            Verdict::Failed => Self::Failed,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::{Colour, Status};

    #[test]
    fn red_beats_amber_beats_grey_beats_green() {
        for a in Status::ALL {
            for b in Status::ALL {
                if a.colour() > b.colour() {
                    assert!(a.rank() > b.rank(), "{a} should be worse than {b}");
                }
            }
        }
        let grey = Status::ALL
            .into_iter()
            .filter(|s| s.colour() == Colour::Grey);
        assert_eq!(grey.count(), 8);
        assert_eq!(
            Status::worst([Status::Success, Status::Stale, Status::Stale]),
            Some(Status::Stale)
        );
        assert_eq!(
            Status::worst([Status::Offline, Status::Warning]),
            Some(Status::Warning)
        );
        assert_eq!(Status::worst([]), None);
    }

    #[test]
    fn the_metric_is_0_1_2_and_3_for_every_grey_status() {
        for s in Status::ALL {
            let want = match s {
                Status::Success => 0,
                Status::Warning => 1,
                Status::Failed => 2,
                _ => 3,
            };
            assert_eq!(s.metric_value(), want, "{s}");
        }
    }

    #[test]
    fn the_json_spelling_is_as_str() {
        for s in Status::ALL {
            let json = serde_json::to_value(s).unwrap();
            assert_eq!(json, s.as_str(), "{s:?}");
            assert_eq!(serde_json::from_value::<Status>(json).unwrap(), s);
        }
        assert_eq!(Status::NoRoute.as_str(), "no_route");
    }

    #[test]
    fn verdicts_keep_their_elm_ids_and_local_causes_theirs() {
        let ids: Vec<_> = Status::ALL
            .iter()
            .map(|s| (s.as_str(), s.event_id()))
            .collect();
        assert_eq!(
            ids,
            [
                ("success", Some(5510)),
                ("paused", None),
                ("no_mail", Some(5533)),
                ("unknown", None),
                ("unreachable", None),
                ("no_route", None),
                ("stale", Some(5524)),
                ("blocked", Some(5522)),
                ("offline", Some(5520)),
                ("warning", Some(5511)),
                ("failed", Some(5509)),
            ]
        );
    }
}
