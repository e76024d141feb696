//! The shell's state, shared by the commands, the tray and the event bridge: the engine's
//! handle, the settings in force with their validated configuration, the saver, and the notice
//! shown in the window's banner. Every change of settings goes through [`AppState::apply`]:
//! validate, reconfigure the engine live, then save.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use ehlowatch_engine::Prober;
use ehlowatch_engine::{Command, EngineHandle};
use ehlowatch_engine::{Config, MonitorFile};
use tokio::sync::{RwLock, RwLockReadGuard};

use crate::error::AppError;
use crate::paths::DataPaths;
use crate::settings::saver::Saver;
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
    saver: Mutex<Option<Saver>>,
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
        saver: Saver,
        paths: DataPaths,
        first_run: bool,
        notice: Option<String>,
    ) -> Self {
        Self {
            engine: RwLock::new(Some(engine)),
            current: tokio::sync::Mutex::new(current),
            saver: Mutex::new(Some(saver)),
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

    /// Validates `settings`, reconfigures the engine and saves them; nothing changes when any
    /// problem is found (all are returned).
    pub async fn apply(&self, mut settings: Settings) -> Result<Settings, AppError> {
        if let Some(dir) = self.paths.settings.parent() {
            settings.config.resolve_paths(dir);
        }
        let config = Config::validate(&settings.config)?;
        let mut current = self.current.lock().await;
        self.send(Command::Apply(Box::new(config.clone()))).await?;
        if current.settings.ui.notifications_paused_until != settings.ui.notifications_paused_until
        {
            self.send(Command::PauseAlerts(settings.ui.notifications_paused_until))
                .await?;
        }
        *current = Current {
            settings: settings.clone(),
            config,
        };
        if let Some(saver) = &*lock(&self.saver) {
            saver.save(settings.clone());
        }
        Ok(settings)
    }

    /// Applies an edit of the settings made by `f` on a copy of the current ones.
    pub async fn update<T>(
        &self,
        f: impl FnOnce(&mut Settings) -> Result<T, AppError>,
    ) -> Result<(T, Settings), AppError> {
        let mut settings = self.current.lock().await.settings.clone();
        let out = f(&mut settings)?;
        let stored = self.apply(settings).await?;
        Ok((out, stored))
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

    /// Stops the engine (flushing the history) and writes pending settings.
    pub async fn shutdown(&self) {
        if let Some(engine) = self.engine.write().await.take() {
            engine.shutdown().await;
        }
        let saver = lock(&self.saver).take();
        if let Some(saver) = saver {
            saver.close().await;
        }
    }
}

/// A monitor's stable identity as the engine derives it: `id`, else `name`.
pub fn identity(m: &MonitorFile) -> Option<&str> {
    m.id.as_deref().or(m.name.as_deref())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
