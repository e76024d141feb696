//! Where agents' tokens are kept: the OS keyring (the `keyring` crate's real stores: Secret
//! Service on Linux, the Windows credential store, the macOS keychain), service
//! `org.ehlowatch.desktop`, account `agent:<name>`. When no keyring can be used the token is kept
//! in memory for this session only, never written to a file; after a restart such a source
//! needs its token again. Keyring calls block (D-Bus, system APIs): they run off the async
//! threads.

use std::collections::HashMap;
use std::sync::Mutex;

use super::client::Secret;
use super::view::TokenStore;

/// The keyring service name.
pub const SERVICE: &str = "org.ehlowatch.desktop";

/// The keyring account of a source.
pub fn account(name: &str) -> String {
    format!("agent:{name}")
}

/// The tokens of this session and the keyring.
#[derive(Default)]
pub struct Vault {
    session: Mutex<HashMap<String, Secret>>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault").finish_non_exhaustive()
    }
}

impl Vault {
    fn session(&self) -> std::sync::MutexGuard<'_, HashMap<String, Secret>> {
        self.session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Keeps `token` for `name`: in the keyring when it takes it and gives it back, else in
    /// memory; says where.
    pub async fn store(&self, name: &str, token: &Secret) -> TokenStore {
        let (owned, secret) = (name.to_owned(), token.clone());
        let kept = tokio::task::spawn_blocking(move || keyring_set(&owned, &secret))
            .await
            .unwrap_or(false);
        if kept {
            self.session().remove(name);
            TokenStore::Keyring
        } else {
            self.session().insert(name.to_owned(), token.clone());
            TokenStore::Session
        }
    }

    /// The token of `name` and where it is kept: this session's first, then the keyring's.
    pub async fn load(&self, name: &str) -> Option<(Secret, TokenStore)> {
        if let Some(token) = self.session().get(name) {
            return Some((token.clone(), TokenStore::Session));
        }
        let owned = name.to_owned();
        tokio::task::spawn_blocking(move || keyring_get(&owned))
            .await
            .ok()
            .flatten()
            .map(|t| (t, TokenStore::Keyring))
    }

    /// Forgets the token of `name` everywhere.
    pub async fn forget(&self, name: &str) {
        self.session().remove(name);
        let owned = name.to_owned();
        let _ = tokio::task::spawn_blocking(move || keyring_delete(&owned)).await;
    }
}

fn entry(name: &str) -> Option<keyring::Entry> {
    keyring::Entry::new(SERVICE, &account(name))
        .map_err(|e| tracing::info!(source_name = name, error = %e, "no keyring entry"))
        .ok()
}

/// Sets the keyring's entry and reads it back: a store that takes a secret but cannot give it
/// back is no store.
fn keyring_set(name: &str, token: &Secret) -> bool {
    let Some(entry) = entry(name) else {
        return false;
    };
    if let Err(e) = entry.set_password(token.expose()) {
        tracing::warn!(source_name = name, error = %e, "the keyring refused the token: kept for this session only");
        return false;
    }
    matches!(entry.get_password(), Ok(back) if back == token.expose())
}

fn keyring_get(name: &str) -> Option<Secret> {
    match entry(name)?.get_password() {
        Ok(token) => Some(Secret::new(&token)),
        Err(keyring::Error::NoEntry) => None,
        Err(e) => {
            tracing::warn!(source_name = name, error = %e, "the keyring could not be read");
            None
        }
    }
}

fn keyring_delete(name: &str) {
    if let Some(entry) = entry(name) {
        match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => {}
            Err(e) => {
                tracing::warn!(source_name = name, error = %e, "the keyring entry could not be removed");
            }
        }
    }
}
