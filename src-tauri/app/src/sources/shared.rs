//! The sources' shared state: each source's [`SourceState`] under one lock, the token
//! [`Vault`], the wake-ups of the followers and the channel of [`SourceUpdate`]s. The commands
//! read and change it through [`super::Sources`]; the followers ([`super::follow`]) feed it.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::Utc;
use ehlowatch_engine::{StateChange, Status};
use tokio::sync::{broadcast, Notify};

use super::client::{AgentClient, Secret, STATUS_PATH};
use super::entry::AgentSource;
use super::state::{AgentStatus, SourceState};
use super::tokens::Vault;
use super::view::{AgentProblem, RemoteStateChange, SourceHealth, SourceView, TokenStore};

/// What changed among the sources.
#[derive(Debug, Clone)]
pub enum SourceUpdate {
    /// Some source's view changed: show them again.
    Changed,
    /// An agent streamed a state change.
    Change(RemoteStateChange),
    /// A source became unreachable (`false`) or reachable again after that (`true`).
    Reachable {
        /// The source's name.
        source: String,
        /// Reachable now.
        reachable: bool,
    },
}

/// The sources' state, shared by the commands and the followers.
pub struct Shared {
    states: Mutex<BTreeMap<String, SourceState>>,
    vault: Vault,
    updates: broadcast::Sender<SourceUpdate>,
    wakes: Mutex<HashMap<String, Arc<Notify>>>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    /// Nothing yet.
    pub fn new() -> Self {
        let (updates, _) = broadcast::channel(1024);
        Self {
            states: Mutex::new(BTreeMap::new()),
            vault: Vault::default(),
            updates,
            wakes: Mutex::new(HashMap::new()),
        }
    }

    /// Adds a source's state.
    pub fn insert(&self, state: SourceState) {
        lock(&self.states).insert(state.entry.name.clone(), state);
    }

    /// Forgets `name`'s token and state.
    pub async fn forget(&self, name: &str) {
        self.vault.forget(name).await;
        lock(&self.states).remove(name);
        lock(&self.wakes).remove(name);
        self.send(SourceUpdate::Changed);
    }

    /// Keeps `token` for `name`; says where.
    pub async fn store_token(&self, name: &str, token: &Secret) -> TokenStore {
        self.vault.store(name, token).await
    }

    /// Every change from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<SourceUpdate> {
        self.updates.subscribe()
    }

    pub(super) fn send(&self, update: SourceUpdate) {
        let _ = self.updates.send(update);
    }

    /// Tells the listeners that some view changed.
    pub fn changed(&self) {
        self.send(SourceUpdate::Changed);
    }

    /// Every source as shown now.
    pub fn list(&self) -> Vec<SourceView> {
        let now = Utc::now();
        lock(&self.states).values().map(|s| s.view(now)).collect()
    }

    /// One source as shown now.
    pub fn view(&self, name: &str) -> Option<SourceView> {
        lock(&self.states).get(name).map(|s| s.view(Utc::now()))
    }

    /// The worst status over every source's unmuted monitors; `None` without sources.
    pub fn worst(&self) -> Option<Status> {
        Status::worst(self.list().iter().map(|s| s.worst))
    }

    /// The names in use.
    pub fn names(&self) -> Vec<String> {
        lock(&self.states).keys().cloned().collect()
    }

    /// The stored entry of `name`.
    pub fn entry(&self, name: &str) -> Option<AgentSource> {
        lock(&self.states).get(name).map(|s| s.entry.clone())
    }

    /// A live check: `/api/status` with `token` answers as an agent.
    pub async fn check(
        url: &str,
        ca_file: Option<&str>,
        token: &Secret,
    ) -> Result<AgentStatus, AgentProblem> {
        let client = AgentClient::new(url, ca_file.map(Path::new), token.clone())?;
        client.get_json(STATUS_PATH).await
    }

    /// Replaces the token of `name` (checked) and reconnects.
    pub async fn set_token(&self, name: &str, token: &Secret, status: AgentStatus) {
        let store = self.vault.store(name, token).await;
        if let Some(s) = lock(&self.states).get_mut(name) {
            s.token_store = store;
            s.apply_snapshot(status);
        }
        self.wake(name).notify_one();
        self.send(SourceUpdate::Changed);
    }

    /// Sets the local mutes of `name`.
    pub fn set_muted(&self, name: &str, muted: BTreeMap<String, chrono::DateTime<Utc>>) {
        if let Some(s) = lock(&self.states).get_mut(name) {
            s.entry.muted = muted;
        }
        self.send(SourceUpdate::Changed);
    }

    /// The client of `name` with its token; `None` when no token is known.
    pub async fn client_of(&self, name: &str) -> Option<AgentClient> {
        let entry = self.entry(name)?;
        let (token, store) = self.vault.load(name).await?;
        if let Some(s) = lock(&self.states).get_mut(name) {
            s.token_store = store;
        }
        AgentClient::new(&entry.url, entry.ca_file.as_deref().map(Path::new), token)
            .map_err(|p| tracing::warn!(source_name = name, problem = %p, "no client"))
            .ok()
    }

    /// True when `name`'s token may act.
    pub fn can_control(&self, name: &str) -> Option<bool> {
        lock(&self.states).get(name).map(|s| s.can_control)
    }

    /// The local mute end of a remote monitor, if muted now.
    pub fn muted(&self, name: &str, id: &str) -> bool {
        lock(&self.states)
            .get(name)
            .is_some_and(|s| s.muted_until(id, Utc::now()).is_some())
    }

    pub(super) fn wake(&self, name: &str) -> Arc<Notify> {
        lock(&self.wakes)
            .entry(name.to_owned())
            .or_default()
            .clone()
    }

    pub(super) fn set_health(&self, name: &str, health: SourceHealth, reason: Option<String>) {
        let (changed, edge) = {
            let mut all = lock(&self.states);
            let Some(s) = all.get_mut(name) else {
                return;
            };
            let before = s.health;
            let changed = s.set_health(health, reason);
            let edge = match (before, health) {
                (SourceHealth::Unreachable, SourceHealth::Unreachable) => None,
                (_, SourceHealth::Unreachable) => Some(false),
                (SourceHealth::Unreachable, SourceHealth::Connected) => Some(true),
                _ => None,
            };
            (changed, edge)
        };
        if let Some(reachable) = edge {
            tracing::info!(
                source_name = name,
                reachable,
                event_id = if reachable { 5551 } else { 5550 },
                "remote agent"
            );
            self.send(SourceUpdate::Reachable {
                source: name.to_owned(),
                reachable,
            });
        }
        if changed {
            self.send(SourceUpdate::Changed);
        }
    }

    /// Takes the picture of a new connection; returns the sequence to resume from.
    pub(super) fn picture(&self, name: &str, status: AgentStatus) -> Option<i64> {
        let mut all = lock(&self.states);
        let s = all.get_mut(name)?;
        s.can_control = status.access.as_deref() == Some("control");
        s.apply_snapshot(status);
        s.last_seq
    }

    pub(super) fn snapshot(&self, name: &str, mut status: AgentStatus, seq: Option<i64>) {
        if let Some(s) = lock(&self.states).get_mut(name) {
            status.access = None;
            s.apply_snapshot(status);
            if seq.is_some() {
                s.last_seq = seq;
            }
        }
        self.send(SourceUpdate::Changed);
    }

    pub(super) fn seen(&self, name: &str, seq: Option<i64>) {
        if let (Some(s), Some(seq)) = (lock(&self.states).get_mut(name), seq) {
            s.last_seq = Some(s.last_seq.map_or(seq, |l| l.max(seq)));
        }
    }

    pub(super) fn change(&self, name: &str, change: StateChange, seq: Option<i64>, replayed: bool) {
        {
            let mut all = lock(&self.states);
            let Some(s) = all.get_mut(name) else {
                return;
            };
            if let (Some(seq), Some(last)) = (seq, s.last_seq) {
                if seq <= last {
                    return;
                }
            }
            if seq.is_some() {
                s.last_seq = seq;
            }
            s.apply_change(&change);
        }
        self.send(SourceUpdate::Change(RemoteStateChange {
            source: name.to_owned(),
            change,
            replayed,
        }));
        self.send(SourceUpdate::Changed);
    }
}

impl Default for Shared {
    fn default() -> Self {
        Self::new()
    }
}
