//! Debounced, atomic saving: every change is handed over at once, and the file is written
//! once the changes stop for a moment (like the store plugin's auto-save, but through
//! [`write_atomic`](super::file::write_atomic)). Closing the saver writes what is pending.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::file::write_atomic;
use super::Settings;

/// How long the settings must stay unchanged before they are written.
pub const DEBOUNCE: Duration = Duration::from_millis(300);

/// Called with a message when a write fails (the settings stay in memory and the next change
/// tries again).
pub type OnError = Box<dyn Fn(String) + Send + Sync>;

/// The handle of the saving task.
#[derive(Debug)]
pub struct Saver {
    latest: watch::Sender<Version>,
    task: JoinHandle<()>,
}

type Version = (u64, Option<Arc<Settings>>);

impl Saver {
    /// Starts the saving task for `path` on the current tokio runtime.
    pub fn start(path: PathBuf, debounce: Duration, on_error: OnError) -> Self {
        let (latest, rx) = watch::channel((0, None));
        let task = tokio::spawn(run(path, debounce, rx, on_error));
        Self { latest, task }
    }

    /// Hands over new settings to be written soon.
    pub fn save(&self, settings: Settings) {
        self.latest.send_modify(|(version, slot)| {
            *version += 1;
            *slot = Some(Arc::new(settings));
        });
    }

    /// Writes what is pending and stops.
    pub async fn close(self) {
        drop(self.latest);
        // A panic in the task has already been reported by the runtime; nothing to add.
        let _ = self.task.await;
    }
}

async fn run(
    path: PathBuf,
    debounce: Duration,
    mut rx: watch::Receiver<Version>,
    on_error: OnError,
) {
    let mut written = 0;
    let mut open = true;
    while open {
        open = rx.changed().await.is_ok();
        // Let a burst of changes settle (each change restarts the wait); closing ends it.
        while open {
            tokio::select! {
                () = tokio::time::sleep(debounce) => break,
                changed = rx.changed() => open = changed.is_ok(),
            }
        }
        let (version, settings) = rx.borrow_and_update().clone();
        if let Some(settings) = settings.filter(|_| version > written) {
            let target = path.clone();
            let result =
                tokio::task::spawn_blocking(move || write_atomic(&target, &settings)).await;
            match result {
                Ok(Ok(())) => written = version,
                Ok(Err(e)) => on_error(format!("could not save {}: {e}", path.display())),
                Err(e) => on_error(format!("could not save {}: {e}", path.display())),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::file::load;
    use crate::settings::UiPrefs;

    fn with_warnings(on: bool) -> Settings {
        Settings {
            ui: UiPrefs {
                notify_warnings: on,
                ..UiPrefs::default()
            },
            ..Settings::default()
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_is_written_once_after_the_debounce() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        let saver = Saver::start(path.clone(), DEBOUNCE, Box::new(|e| panic!("{e}")));
        saver.save(with_warnings(false));
        saver.save(with_warnings(true));
        saver.save(with_warnings(false));
        tokio::task::yield_now().await;
        assert!(!path.exists(), "nothing written before the debounce");
        saver.close().await;
        assert!(!load(&path).settings.ui.notify_warnings);
    }

    #[tokio::test]
    async fn close_writes_what_is_pending() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        let saver = Saver::start(
            path.clone(),
            Duration::from_secs(3600),
            Box::new(|e| panic!("{e}")),
        );
        saver.save(with_warnings(false));
        saver.close().await;
        assert!(!load(&path).settings.ui.notify_warnings);
    }

    #[tokio::test]
    async fn a_failed_write_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the file should be: the rename fails.
        let path = dir.path().join("settings.json");
        std::fs::create_dir(&path).unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let saver = Saver::start(path, Duration::ZERO, Box::new(move |e| tx.send(e).unwrap()));
        saver.save(with_warnings(false));
        let message = rx.recv().await.unwrap();
        assert!(message.starts_with("could not save"), "{message}");
        saver.close().await;
    }
}
