//! Remote agents as sources of monitors beside the local engine's. [`Sources`] holds each
//! source's state ([`state`]), its token ([`tokens`]: the OS keyring, else this session's
//! memory) and one follower task ([`follow`]) reading its event stream ([`sse`]) through its
//! HTTP client ([`client`]); every change goes out as a [`SourceUpdate`] to the bridge, which
//! shows it in the tray, the window and the toasts. [`entry`] is the stored form and its
//! validation, [`view`] what the window sees. Nothing an agent sends reaches the webview but
//! through these typed views.

pub mod client;
pub mod entry;
pub mod follow;
pub mod shared;
pub mod sse;
pub mod state;
pub mod tokens;
pub mod view;

use std::collections::HashMap;
use std::ops::Deref;
use std::sync::{Arc, Mutex};

use tauri::async_runtime::JoinHandle;
use tokio_util::sync::CancellationToken;

use self::client::Secret;
pub use self::client::STATUS_PATH;
use self::entry::AgentSource;
pub use self::shared::{Shared, SourceUpdate};
use self::state::{AgentStatus, SourceState};
use self::view::TokenStore;

/// Every remote source: the shared state and one follower task per source.
pub struct Sources {
    shared: Arc<Shared>,
    followers: Mutex<HashMap<String, (CancellationToken, JoinHandle<()>)>>,
}

impl std::fmt::Debug for Sources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sources").finish_non_exhaustive()
    }
}

impl Deref for Sources {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.shared
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Sources {
    /// The sources of `entries`, each followed from now on (tokens from the keyring).
    pub fn start(entries: &[AgentSource]) -> Arc<Self> {
        let sources = Arc::new(Self {
            shared: Arc::new(Shared::new()),
            followers: Mutex::new(HashMap::new()),
        });
        for entry in entries {
            sources.insert(SourceState::new(entry.clone(), TokenStore::Missing));
            sources.spawn(&entry.name);
        }
        sources
    }

    fn spawn(&self, name: &str) {
        let stop = CancellationToken::new();
        let task = tauri::async_runtime::spawn(follow::follow(
            self.shared.clone(),
            name.to_owned(),
            stop.clone(),
        ));
        if let Some((old, _)) = lock(&self.followers).insert(name.to_owned(), (stop, task)) {
            old.cancel();
        }
    }

    /// Adds a checked source with its token and starts following it.
    pub async fn add(&self, entry: AgentSource, token: &Secret, status: AgentStatus) {
        let store = self.store_token(&entry.name, token).await;
        let mut state = SourceState::new(entry.clone(), store);
        state.apply_snapshot(status);
        self.insert(state);
        self.spawn(&entry.name);
        self.changed();
    }

    /// Stops following `name`, forgets its token and its state.
    pub async fn remove(&self, name: &str) {
        let follower = lock(&self.followers).remove(name);
        if let Some((stop, task)) = follower {
            stop.cancel();
            let _ = task.await;
        }
        self.forget(name).await;
    }

    /// Stops every follower and waits for them.
    pub async fn shutdown(&self) {
        let followers: Vec<_> = lock(&self.followers).drain().collect();
        for (_, (stop, _)) in &followers {
            stop.cancel();
        }
        for (_, (_, task)) in followers {
            let _ = task.await;
        }
    }
}
