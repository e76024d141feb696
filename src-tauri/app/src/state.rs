//! The shell's state, shared by the commands, the tray and the event bridge: the engine's
//! handle, the settings in force with their validated configuration, and the notice shown in the
//! window's banner. Every change of settings goes through [`AppState::update`], one
//! read-modify-write under one lock: edit a copy, validate it, write `settings.json`, reconfigure
//! the engine live, then keep it as the settings in force.

use std::io;
use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use ehlowatch_engine::Prober;
use ehlowatch_engine::{Command, EngineHandle};
use ehlowatch_engine::{Config, MonitorFile};
use tokio::sync::{RwLock, RwLockReadGuard};

use crate::error::AppError;
use crate::paths::DataPaths;
use crate::settings::file::write_atomic;
use crate::settings::Settings;

/// "Until resumed", as a time: the engine takes a pause as an end time.
pub fn forever() -> DateTime<Utc> {
    DateTime::<Utc>::MAX_UTC
}

/// "In `minutes`", or `None` for "until resumed".
pub(crate) fn until(minutes: Option<u32>) -> Option<DateTime<Utc>> {
    minutes.map(|m| Utc::now() + chrono::Duration::minutes(i64::from(m)))
}

/// The managed state every IPC command takes.
pub type AppStateRef<'a> = tauri::State<'a, std::sync::Arc<AppState>>;

/// The settings in force and their validated form.
#[derive(Debug, Clone)]
pub struct Current {
    /// As stored.
    pub settings: Settings,
    /// As the engine runs them.
    pub config: Config,
}

/// Everything the shell shares.
#[derive(Debug)]
pub struct AppState {
    engine: RwLock<Option<EngineHandle>>,
    current: tokio::sync::Mutex<Current>,
    notice: Mutex<Option<String>>,
    /// One-off probes for "Test now".
    pub prober: Prober,
    /// Where the files are.
    pub paths: DataPaths,
    /// True when the app started without a settings file.
    pub first_run: bool,
}

impl AppState {
    /// The state of a started app.
    pub fn new(
        engine: EngineHandle,
        current: Current,
        paths: DataPaths,
        first_run: bool,
        notice: Option<String>,
    ) -> Self {
        Self {
            engine: RwLock::new(Some(engine)),
            current: tokio::sync::Mutex::new(current),
            notice: Mutex::new(notice),
            prober: Prober::new(),
            paths,
            first_run,
        }
    }

    /// The running engine.
    pub async fn engine(&self) -> Result<RwLockReadGuard<'_, EngineHandle>, AppError> {
        RwLockReadGuard::try_map(self.engine.read().await, Option::as_ref)
            .map_err(|_| AppError::EngineStopped)
    }

    /// Sends a command to the engine.
    pub async fn send(&self, command: Command) -> Result<(), AppError> {
        if self.engine().await?.send(command).await {
            Ok(())
        } else {
            Err(AppError::EngineStopped)
        }
    }

    /// The settings in force.
    pub async fn current(&self) -> Current {
        self.current.lock().await.clone()
    }

    /// Edits the settings: `f` changes a copy of the ones in force, which is validated, written
    /// to `settings.json` (atomically) and handed to the engine; returns what `f` returned and
    /// the settings as stored. It all happens under one lock, so edits made at the same moment
    /// (the window's, the tray's) each build on the one before and none is lost. When `f`, the
    /// validation (every problem is returned) or the write fails, nothing changes: the settings
    /// in force, the file and the engine stay as they were.
    pub async fn update<T>(
        &self,
        f: impl FnOnce(&mut Settings) -> Result<T, AppError>,
    ) -> Result<(T, Settings), AppError> {
        let mut current = self.current.lock().await;
        let mut settings = current.settings.clone();
        let out = f(&mut settings)?;
        if let Some(dir) = self.paths.settings.parent() {
            settings.config.resolve_paths(dir);
        }
        let config = Config::validate(&settings.config)?;
        let problems = crate::sources::entry::validate(&settings.agents);
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        // Held until the engine has the settings, so quitting cannot stop it in between. The
        // engine takes commands without waiting on the shell: no lock is awaited in a circle.
        let engine = self.engine().await?;
        save(&self.paths.settings, &settings).await?;
        let paused = settings.ui.notifications_paused_until;
        let told = engine.send(Command::Apply(Box::new(config.clone()))).await
            && (paused == current.settings.ui.notifications_paused_until
                || engine.send(Command::PauseAlerts(paused)).await);
        if !told {
            // The engine has ended: the file goes back to the settings in force.
            if let Err(error) = save(&self.paths.settings, &current.settings).await {
                tracing::error!(%error, "settings");
            }
            return Err(AppError::EngineStopped);
        }
        *current = Current {
            settings: settings.clone(),
            config,
        };
        Ok((out, settings))
    }

    /// Pauses toasts until a time, or resumes them (`None`); kept across restarts.
    pub async fn pause_notifications(&self, until: Option<DateTime<Utc>>) -> Result<(), AppError> {
        self.update(|s| {
            s.ui.notifications_paused_until = until;
            Ok(())
        })
        .await
        .map(drop)
    }

    /// The index of the monitor with this id (its `id`, else its name) in `settings`.
    pub fn position(settings: &Settings, id: &str) -> Option<usize> {
        settings
            .config
            .monitors
            .iter()
            .position(|m| identity(m) == Some(id))
    }

    /// The notice for the window's banner.
    pub fn notice(&self) -> Option<String> {
        lock(&self.notice).clone()
    }

    /// Sets or clears the notice.
    pub fn set_notice(&self, notice: Option<String>) {
        *lock(&self.notice) = notice;
    }

    /// Stops the engine, flushing the history. The settings are on disk already: every edit
    /// is written before it returns.
    pub async fn shutdown(&self) {
        if let Some(engine) = self.engine.write().await.take() {
            engine.shutdown().await;
        }
    }
}

/// A monitor's stable identity as the engine derives it: `id`, else `name`.
pub fn identity(m: &MonitorFile) -> Option<&str> {
    m.id.as_deref().or(m.name.as_deref())
}

/// Writes `settings` to `path` atomically, off the async threads.
async fn save(path: &Path, settings: &Settings) -> Result<(), AppError> {
    let (target, settings) = (path.to_owned(), settings.clone());
    tokio::task::spawn_blocking(move || write_atomic(&target, &settings))
        .await
        .map_err(io::Error::other)
        .and_then(|written| written)
        .map_err(|e| AppError::Storage(format!("could not save {}: {e}", path.display())))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
