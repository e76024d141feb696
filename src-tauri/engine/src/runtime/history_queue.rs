//! The engine's side of the history: opening the file without ever failing the start (a
//! problem becomes a notice), the queue of rows to the writer task, and draining it on shutdown.
//! A full queue drops a row with a warning rather than holding up the coordinator.

use std::path::PathBuf;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::history::{run_writer, HistoryError, HistoryItem, HistoryStore, Recovery, Retention};

/// Room for history rows between two writer flushes.
const HISTORY_QUEUE: usize = 16_384;

/// Opens the history file off the runtime threads; a problem is reported, never fatal.
pub(super) async fn open_history(path: Option<PathBuf>) -> (Option<HistoryStore>, Option<String>) {
    let Some(path) = path else {
        return (None, None);
    };
    let shown = path.display().to_string();
    let opened = tokio::task::spawn_blocking(move || {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        HistoryStore::open(&path).map_err(|e| e.to_string())
    })
    .await;
    match opened {
        Ok(Ok((store, recovery))) => (Some(store), recovery.as_ref().map(Recovery::to_string)),
        Ok(Err(message)) => {
            tracing::error!(db = %shown, "history disabled: {message}");
            (None, Some(format!("history is off: {shown}: {message}")))
        }
        Err(e) => (None, Some(format!("history is off: {e}"))),
    }
}

/// Where the coordinator puts history rows; does nothing without a history.
#[derive(Debug)]
pub(super) struct HistoryQueue {
    tx: Option<mpsc::Sender<HistoryItem>>,
}

/// The writer task behind a [`HistoryQueue`], to be drained once the queue is gone.
#[derive(Debug)]
pub(super) struct HistoryDrain {
    stop: CancellationToken,
    writer: Option<JoinHandle<Result<HistoryStore, HistoryError>>>,
}

/// Starts the writer task for `store`, keeping rows as `retention` says.
pub(super) fn start(
    store: Option<HistoryStore>,
    retention: Retention,
) -> (HistoryQueue, HistoryDrain) {
    let stop = CancellationToken::new();
    let (tx, writer) = match store {
        Some(store) => {
            let (tx, rx) = mpsc::channel(HISTORY_QUEUE);
            (
                Some(tx),
                Some(tokio::spawn(run_writer(store, rx, stop.clone(), retention))),
            )
        }
        None => (None, None),
    };
    (HistoryQueue { tx }, HistoryDrain { stop, writer })
}

impl HistoryQueue {
    /// Queues a row for the writer.
    pub(crate) fn record(&self, item: HistoryItem) {
        if let Some(history) = &self.tx {
            if history.try_send(item).is_err() {
                tracing::warn!("history queue full: a row was dropped");
            }
        }
    }
}

impl HistoryDrain {
    /// Stops the writer and waits while it writes what it has; call after the queue is dropped.
    pub(crate) async fn finish(self) {
        self.stop.cancel();
        if let Some(writer) = self.writer {
            match writer.await {
                Ok(Ok(_store)) => tracing::debug!("history flushed"),
                Ok(Err(e)) => tracing::error!(error = %e, "history writer failed"),
                Err(e) => tracing::error!(error = %e, "history writer ended abnormally"),
            }
        }
    }
}
