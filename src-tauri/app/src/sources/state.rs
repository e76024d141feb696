//! One source's state: its stored entry, its health and since when, and its monitors as the
//! agent last described them — from the stream's `snapshot` event, then each `state_change`
//! applied to the monitor it names. [`SourceState::view`] turns it into what the window and the
//! tray show: every monitor `unreachable` while the source cannot be heard, a local mute kept.

use chrono::{DateTime, Utc};
use ehlowatch_engine::{StateChange, Status};
use serde::Deserialize;

use super::entry::AgentSource;
use super::view::{RemoteMonitor, RemoteTarget, SourceHealth, SourceView, TokenStore};

/// The agent's `/api/status` body (the fields the desktop reads).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AgentStatus {
    /// Its worst status.
    pub worst: Status,
    /// Its monitors.
    pub monitors: Vec<AgentMonitor>,
    /// What the token presented may do: `read` or `control` (absent on older agents: `read`).
    #[serde(default)]
    pub access: Option<String>,
}

/// One monitor in the agent's `/api/status`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AgentMonitor {
    /// Its id on the agent.
    pub id: String,
    /// Its name.
    pub name: String,
    /// False when disabled there.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Its status as shown there.
    pub status: Status,
    /// Its status's event id.
    #[serde(default)]
    pub event_id: Option<u16>,
    /// Its last latency.
    #[serde(default)]
    pub latency_ms: Option<f64>,
    /// When its status began.
    #[serde(default)]
    pub since: Option<DateTime<Utc>>,
    /// When it was last probed.
    #[serde(default)]
    pub checked_at: Option<DateTime<Utc>>,
    /// Why.
    #[serde(default)]
    pub reason: Option<String>,
    /// Its addresses.
    #[serde(default)]
    pub targets: Vec<RemoteTarget>,
}

fn yes() -> bool {
    true
}

/// The most monitors one source may list (a bound on what an agent can make the desktop hold).
pub const MAX_MONITORS: usize = 10_000;

/// One source as the desktop knows it.
#[derive(Debug, Clone)]
pub struct SourceState {
    /// As stored.
    pub entry: AgentSource,
    /// Whether it can be heard.
    pub health: SourceHealth,
    /// Since when.
    pub since: DateTime<Utc>,
    /// Why it is unreachable or needs a token.
    pub reason: Option<String>,
    /// The token may act.
    pub can_control: bool,
    /// Where the token is kept.
    pub token_store: TokenStore,
    /// Its monitors as last described.
    pub monitors: Vec<AgentMonitor>,
    /// The last stream sequence applied, to resume from.
    pub last_seq: Option<i64>,
}

impl SourceState {
    /// A source just added or loaded: connecting.
    pub fn new(entry: AgentSource, token_store: TokenStore) -> Self {
        Self {
            entry,
            health: SourceHealth::Connecting,
            since: Utc::now(),
            reason: None,
            can_control: false,
            token_store,
            monitors: Vec::new(),
            last_seq: None,
        }
    }

    /// Sets the health; true when it changed.
    pub fn set_health(&mut self, health: SourceHealth, reason: Option<String>) -> bool {
        let changed = self.health != health;
        if changed {
            self.since = Utc::now();
        }
        let reason_changed = self.reason != reason;
        self.health = health;
        self.reason = reason;
        changed || reason_changed
    }

    /// Takes the agent's whole picture.
    pub fn apply_snapshot(&mut self, mut status: AgentStatus) {
        status.monitors.truncate(MAX_MONITORS);
        self.monitors = status.monitors;
        if let Some(access) = status.access {
            self.can_control = access == "control";
        }
    }

    /// Applies one change to the monitor it names; true when a monitor changed.
    pub fn apply_change(&mut self, change: &StateChange) -> bool {
        let Some(m) = self.monitors.iter_mut().find(|m| m.id == change.monitor.0) else {
            return false;
        };
        m.status = change.to;
        m.event_id = change.event_id;
        m.since = Some(change.at);
        m.reason.clone_from(&change.reason);
        true
    }

    /// The monitor's local mute end, if muted at `now`.
    pub fn muted_until(&self, id: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.entry.muted.get(id).copied().filter(|u| *u > now)
    }

    /// What the window and the tray show at `now`.
    pub fn view(&self, now: DateTime<Utc>) -> SourceView {
        let heard = self.health == SourceHealth::Connected;
        let monitors: Vec<RemoteMonitor> = self
            .monitors
            .iter()
            .map(|m| RemoteMonitor {
                id: m.id.clone(),
                key: format!("{}/{}", self.entry.name, m.id),
                name: m.name.clone(),
                status: if heard { m.status } else { Status::Unreachable },
                event_id: if heard {
                    m.event_id
                } else {
                    Status::Unreachable.event_id()
                },
                latency_ms: m.latency_ms,
                since: m.since,
                checked_at: m.checked_at,
                reason: m.reason.clone(),
                targets: m.targets.clone(),
                muted_until: self.muted_until(&m.id, now),
            })
            .collect();
        let worst = if heard || self.health == SourceHealth::Connecting {
            Status::worst(
                monitors
                    .iter()
                    .zip(&self.monitors)
                    .filter(|(v, m)| m.enabled && v.muted_until.is_none())
                    .map(|(v, _)| v.status),
            )
            .unwrap_or(if heard {
                Status::Success
            } else {
                Status::Unknown
            })
        } else {
            Status::Unreachable
        };
        SourceView {
            name: self.entry.name.clone(),
            url: self.entry.url.clone(),
            ca_file: self.entry.ca_file.clone(),
            health: self.health,
            since: self.since,
            reason: self.reason.clone(),
            can_control: self.can_control,
            token_store: self.token_store,
            worst,
            monitors,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use ehlowatch_engine::{ChangeKind, MonitorId};

    use super::*;

    fn state() -> SourceState {
        let mut s = SourceState::new(
            AgentSource {
                name: "dc1".into(),
                url: "https://h:1".into(),
                ca_file: None,
                muted: BTreeMap::new(),
            },
            TokenStore::Session,
        );
        s.set_health(SourceHealth::Connected, None);
        let m = |id: &str, status| AgentMonitor {
            id: id.into(),
            name: id.into(),
            enabled: true,
            status,
            event_id: None,
            latency_ms: None,
            since: None,
            checked_at: None,
            reason: None,
            targets: vec![],
        };
        s.apply_snapshot(AgentStatus {
            worst: Status::Success,
            monitors: vec![m("mx1", Status::Success), m("mx2", Status::Success)],
            access: Some("control".into()),
        });
        s
    }

    #[test]
    fn changes_apply_and_keys_are_namespaced() {
        let mut s = state();
        let change = StateChange {
            monitor: MonitorId("mx2".into()),
            name: "mx2".into(),
            at: Utc::now(),
            event_id: Some(5509),
            from: Status::Success,
            to: Status::Failed,
            kind: ChangeKind::Changed,
            reason: Some("554".into()),
            alert: true,
        };
        assert!(s.apply_change(&change));
        let v = s.view(Utc::now());
        assert!(v.can_control);
        assert_eq!(v.monitors[1].key, "dc1/mx2");
        assert_eq!(v.worst, Status::Failed);
        s.entry
            .muted
            .insert("mx2".into(), Utc::now() + chrono::Duration::hours(1));
        assert_eq!(
            s.view(Utc::now()).worst,
            Status::Success,
            "a muted monitor counts not"
        );
    }

    #[test]
    fn an_unreachable_source_is_grey_never_red() {
        let mut s = state();
        s.monitors[0].status = Status::Failed;
        s.set_health(SourceHealth::Unreachable, Some("gone".into()));
        let v = s.view(Utc::now());
        assert_eq!(v.worst, Status::Unreachable);
        assert!(v.monitors.iter().all(|m| m.status == Status::Unreachable));
    }
}
