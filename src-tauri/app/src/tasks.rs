//! The shell's own async tasks, owned: each is spawned through [`Tasks`], which keeps its handle
//! and shares one cancellation token. At quit, [`Tasks::shutdown`] cancels the token, so the
//! loops and timers that watch it end at once, and awaits every task for a bounded time; what is
//! still running then is aborted. A command the user gave just before quitting (a tray click)
//! does not watch the token: it is awaited within that bound, so that a pause clicked before
//! Quit is still saved.
//!
//! The engine owns and ends its tasks ([`AppState::shutdown`](crate::state::AppState::shutdown));
//! toasts run on blocking threads that are not tracked (see
//! [`crate::notify::desktop`]).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::task::{Id, JoinError, JoinSet};
use tokio_util::sync::CancellationToken;

/// How long quitting waits for the shell's tasks before it aborts them.
pub const QUIT_WAIT: Duration = Duration::from_secs(2);

/// The shell's running tasks and the token that cancels them.
#[derive(Debug, Default)]
pub struct Tasks {
    cancel: CancellationToken,
    running: Mutex<Running>,
}

#[derive(Debug, Default)]
struct Running {
    set: JoinSet<()>,
    names: HashMap<Id, &'static str>,
}

impl Running {
    /// Forgets a task that has ended; a panic is logged (the runtime has printed it too).
    fn ended(&mut self, joined: Result<(Id, ()), JoinError>) {
        let id = match joined {
            Ok((id, ())) => id,
            Err(error) => {
                let name = self.names.get(&error.id()).copied().unwrap_or("?");
                if error.is_panic() {
                    tracing::error!(task = name, "a shell task panicked");
                }
                error.id()
            }
        };
        self.names.remove(&id);
    }
}

impl Tasks {
    /// The token a task watches to end when the app quits.
    pub fn cancellation(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Runs `task` on the app's runtime; quitting waits for it to end (bounded). Once quitting
    /// has begun, nothing new starts.
    pub fn spawn<F>(&self, name: &'static str, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let mut running = self.lock();
        while let Some(joined) = running.set.try_join_next_with_id() {
            running.ended(joined);
        }
        if self.cancel.is_cancelled() {
            tracing::debug!(task = name, "not started: the app is quitting");
            return;
        }
        let handle = running
            .set
            .spawn_on(task, tauri::async_runtime::handle().inner());
        running.names.insert(handle.id(), name);
    }

    /// Runs `task` until it ends or the app quits, whichever comes first.
    pub fn spawn_until_quit<F>(&self, name: &'static str, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let cancel = self.cancellation();
        self.spawn(name, async move {
            cancel.run_until_cancelled_owned(task).await;
        });
    }

    /// Cancels the tasks and waits up to `within` for all of them to end; aborts the rest.
    pub async fn shutdown(&self, within: Duration) {
        self.cancel.cancel();
        let mut running = std::mem::take(&mut *self.lock());
        let drained = tokio::time::timeout(within, async {
            while let Some(joined) = running.set.join_next_with_id().await {
                running.ended(joined);
            }
        })
        .await;
        if drained.is_err() {
            let left: Vec<_> = running.names.values().collect();
            tracing::warn!(?left, ?within, "shell tasks still running at quit: aborted");
            running.set.shutdown().await;
        }
    }

    fn lock(&self) -> MutexGuard<'_, Running> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    use super::*;

    /// Raises its flag when dropped: a task's future was dropped (ended, cancelled or aborted).
    struct Dropped(Arc<AtomicBool>);

    impl Drop for Dropped {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    fn flag() -> Arc<AtomicBool> {
        Arc::new(AtomicBool::new(false))
    }

    #[test]
    fn quitting_cancels_the_loops_awaits_the_commands_and_aborts_what_hangs() {
        let tasks = Tasks::default();
        let (command, watcher, timer, hang) = (flag(), flag(), flag(), flag());
        {
            let done = command.clone();
            tasks.spawn("command", async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                done.store(true, Ordering::SeqCst);
            });
        }
        {
            let cancel = tasks.cancellation();
            let ended = watcher.clone();
            tasks.spawn("loop", async move {
                cancel.cancelled().await;
                ended.store(true, Ordering::SeqCst);
            });
        }
        let guard = Dropped(timer.clone());
        tasks.spawn_until_quit("timer", async move {
            std::future::pending::<()>().await;
            drop(guard);
        });
        let guard = Dropped(hang.clone());
        tasks.spawn("hang", async move {
            std::future::pending::<()>().await;
            drop(guard);
        });

        let start = std::time::Instant::now();
        tauri::async_runtime::block_on(tasks.shutdown(Duration::from_millis(300)));
        let took = start.elapsed();

        assert!(command.load(Ordering::SeqCst), "the command ran to its end");
        assert!(
            watcher.load(Ordering::SeqCst),
            "the loop saw the cancellation"
        );
        assert!(timer.load(Ordering::SeqCst), "the timer was cancelled");
        assert!(hang.load(Ordering::SeqCst), "the hung task was aborted");
        assert!(took < Duration::from_secs(2), "bounded: {took:?}");
    }

    #[test]
    fn nothing_starts_once_quitting_has_begun() {
        let tasks = Tasks::default();
        tauri::async_runtime::block_on(tasks.shutdown(Duration::from_millis(10)));
        let started = flag();
        let ran = started.clone();
        tasks.spawn("late", async move { ran.store(true, Ordering::SeqCst) });
        assert!(tasks.lock().set.is_empty());
        assert!(!started.load(Ordering::SeqCst));
    }
}
