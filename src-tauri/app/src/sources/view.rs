//! What the window and the tray see of the remote agents: one [`SourceView`] per agent with its
//! health and its monitors under namespaced keys (`dc1/mx1`), the [`RemoteStateChange`]s an
//! agent streams, and the [`AgentProblem`] a live check of an agent refused.

use chrono::{DateTime, Utc};
use ehlowatch_engine::{StateChange, Status};
use serde::{Deserialize, Serialize};

/// Whether the desktop can hear an agent now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum SourceHealth {
    /// Connecting for the first time since the app started or the source was added.
    Connecting,
    /// The agent's event stream is open.
    Connected,
    /// The agent cannot be reached (see [`crate::sources::follow::SILENCE`] for the bound).
    Unreachable,
    /// No token is known for it (none in the keyring and none given this session), or the agent
    /// refused the one known.
    NeedsToken,
}

/// Where an agent's token is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum TokenStore {
    /// The OS keyring (Secret Service, the Windows credential store, the macOS keychain).
    Keyring,
    /// Memory, for this session only: no keyring was usable.
    Session,
    /// Nowhere: it must be given again.
    Missing,
}

/// One remote agent as the window shows it.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct SourceView {
    /// The source's name, unique, the prefix of its monitors' keys.
    pub name: String,
    /// The agent's base URL.
    pub url: String,
    /// The CA file trusted for it, if any.
    pub ca_file: Option<String>,
    /// Whether it can be heard now.
    pub health: SourceHealth,
    /// When `health` last changed (RFC 3339).
    pub since: DateTime<Utc>,
    /// Why it is unreachable or needs a token, as one sentence.
    pub reason: Option<String>,
    /// True when the token may act (check now, snooze) on the agent.
    pub can_control: bool,
    /// Where its token is kept.
    pub token_store: TokenStore,
    /// The worst status of its unmuted monitors (red > amber > grey > green).
    pub worst: Status,
    /// Its monitors, in the agent's order.
    pub monitors: Vec<RemoteMonitor>,
}

/// One monitor of a remote agent.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct RemoteMonitor {
    /// The agent's monitor id.
    pub id: String,
    /// `source/id`: the namespaced id used everywhere in the desktop.
    pub key: String,
    /// Its name on the agent.
    pub name: String,
    /// Its status as shown: `unreachable` while its source is; `paused` while snoozed there.
    pub status: Status,
    /// The event id of its status.
    pub event_id: Option<u16>,
    /// Latency of its last probe.
    pub latency_ms: Option<f64>,
    /// When its status began.
    pub since: Option<DateTime<Utc>>,
    /// When it was last probed.
    pub checked_at: Option<DateTime<Utc>>,
    /// Why, quoting the server.
    pub reason: Option<String>,
    /// Each address of its last probe.
    pub targets: Vec<RemoteTarget>,
    /// Muted on this desktop until then (far in the future for "until unmuted").
    pub muted_until: Option<DateTime<Utc>>,
}

/// One address of a remote monitor's last probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RemoteTarget {
    /// The address probed.
    pub address: String,
    /// Its status.
    pub status: Status,
    /// Why.
    pub reason: Option<String>,
}

/// A state change an agent streamed, live or replayed after a reconnect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct RemoteStateChange {
    /// The source's name.
    pub source: String,
    /// The change as the agent logged it (its `monitor` is the agent's id).
    pub change: StateChange,
    /// True when it happened while the desktop was disconnected and came in a replay.
    pub replayed: bool,
}

/// Why a live check of an agent failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum AgentProblemKind {
    /// 401: the token is wrong.
    Unauthorized,
    /// 403: the token may read but not act.
    Forbidden,
    /// TLS verification failed: a wrong or missing CA.
    UntrustedCertificate,
    /// HTTP answered, but not as an agent's `/api/status`.
    NotAnAgent,
    /// Connecting, the handshake or the answer failed or timed out.
    Unreachable,
    /// `https` to a plain HTTP server, or the reverse.
    TlsMismatch,
}

/// A refused live check: its kind and one sentence naming the URL (never the token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AgentProblem {
    /// What went wrong.
    pub kind: AgentProblemKind,
    /// One sentence for people, naming the URL.
    pub message: String,
}

impl std::fmt::Display for AgentProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
