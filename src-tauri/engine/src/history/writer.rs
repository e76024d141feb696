//! The history writer task: receives [`HistoryItem`]s, writes them in batches — one transaction
//! per batch, when `max_batch` items are waiting or every `flush_every`, whichever comes
//! first — in `spawn_blocking`, prunes every `prune_every` (in short chunks, between batches),
//! and on cancellation closes the channel, drains what was sent and flushes before it returns
//! the store: a SIGTERM loses nothing that was sent before it.
//!
//! A batch that fails is logged and counted as dropped; the task goes on. A batch that finds
//! the file damaged moves it aside, starts a new one (see [`HistoryStore::start_over`]) and is
//! written there.

use std::time::Duration;

use chrono::Utc;
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use super::open::Recovery;
use super::retention::Retention;
use super::sequence::Logged;
use super::{BaselineRecord, HistoryError, HistoryItem, HistoryStore, ResultRecord};

/// How the writer batches and prunes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WriterConfig {
    /// What to keep.
    pub retention: Retention,
    /// Flush when this many items are waiting.
    pub max_batch: usize,
    /// Flush at least this often.
    pub flush_every: Duration,
    /// Prune this often (the first time at the first flush tick).
    pub prune_every: Duration,
    /// Rows per statement in one pruning chunk.
    pub prune_chunk: usize,
}

impl Default for WriterConfig {
    fn default() -> Self {
        Self {
            retention: Retention::default(),
            max_batch: 1000,
            flush_every: Duration::from_secs(1),
            prune_every: Duration::from_secs(3600),
            prune_chunk: 5000,
        }
    }
}

/// What the writer has done so far, published on a watch channel (for metrics and health).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct WriterStats {
    /// Results committed.
    pub results_written: u64,
    /// State-change events and local causes committed.
    pub events_written: u64,
    /// Transactions committed.
    pub batches: u64,
    /// Items lost to write errors.
    pub dropped: u64,
    /// Rows deleted or trimmed by retention.
    pub pruned: u64,
    /// The last error, for people.
    pub last_error: Option<String>,
    /// The last time a damaged file was moved aside.
    pub last_recovery: Option<Recovery>,
}

/// The history writer: configure, [`Self::stats`] if wanted, then [`Self::run`].
#[derive(Debug)]
pub(crate) struct HistoryWriter {
    config: WriterConfig,
    stats: watch::Sender<WriterStats>,
}

/// Writes with the given retention and default batching; returns the store when done.
pub(crate) async fn run_writer(
    store: HistoryStore,
    rx: mpsc::Receiver<HistoryItem>,
    cancel: CancellationToken,
    retention: Retention,
) -> Result<HistoryStore, HistoryError> {
    let config = WriterConfig {
        retention,
        ..WriterConfig::default()
    };
    HistoryWriter::new(config).run(store, rx, cancel).await
}

#[derive(Debug, Default)]
struct Batch {
    results: Vec<ResultRecord>,
    /// State changes, local causes and findings, in the order they happened (their sequence
    /// order).
    events: Vec<Logged>,
    /// Mail domains' baselines, in the order they changed.
    baselines: Vec<BaselineRecord>,
}

impl Batch {
    fn len(&self) -> usize {
        self.results.len() + self.events.len() + self.baselines.len()
    }

    fn push(&mut self, item: HistoryItem) {
        match item {
            HistoryItem::Result(r) => self.results.push(r),
            HistoryItem::Change(c) => self.events.push(Logged::StateChange(c)),
            HistoryItem::Cause(c) => self.events.push(Logged::LocalCause(c)),
            HistoryItem::Finding(f) => self.events.push(Logged::Finding(f)),
            HistoryItem::Baseline(b) => self.baselines.push(b),
        }
    }
}

impl HistoryWriter {
    /// A writer with `config`.
    pub(crate) fn new(config: WriterConfig) -> Self {
        Self {
            config,
            stats: watch::channel(WriterStats::default()).0,
        }
    }

    /// Follows what the writer has done.
    #[cfg(test)]
    pub(crate) fn stats(&self) -> watch::Receiver<WriterStats> {
        self.stats.subscribe()
    }

    /// Runs until `cancel` fires or every sender is gone, then drains, flushes and returns the
    /// store. Errs only when a blocking write task panicked (the store is lost with it).
    pub(crate) async fn run(
        self,
        mut store: HistoryStore,
        mut rx: mpsc::Receiver<HistoryItem>,
        cancel: CancellationToken,
    ) -> Result<HistoryStore, HistoryError> {
        let max_batch = self.config.max_batch.max(1);
        let mut batch = Batch::default();
        let every = self.config.flush_every.max(Duration::from_millis(1));
        let mut tick = tokio::time::interval_at(Instant::now() + every, every);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut prune_at = Instant::now();
        loop {
            tokio::select! {
                biased;
                () = cancel.cancelled() => break,
                _ = tick.tick() => {
                    store = self.flush(store, &mut batch).await?;
                    if Instant::now() >= prune_at {
                        let more;
                        (store, more) = self.prune(store).await?;
                        prune_at = if more { Instant::now() } else { Instant::now() + self.config.prune_every };
                    }
                }
                item = rx.recv() => {
                    let Some(item) = item else { break };
                    batch.push(item);
                    if batch.len() >= max_batch {
                        store = self.flush(store, &mut batch).await?;
                    }
                }
            }
        }
        rx.close();
        while let Some(item) = rx.recv().await {
            batch.push(item);
            if batch.len() >= max_batch {
                store = self.flush(store, &mut batch).await?;
            }
        }
        self.flush(store, &mut batch).await
    }

    async fn flush(
        &self,
        store: HistoryStore,
        batch: &mut Batch,
    ) -> Result<HistoryStore, HistoryError> {
        if batch.len() == 0 {
            return Ok(store);
        }
        let Batch {
            results,
            events,
            baselines,
        } = std::mem::take(batch);
        let (store, outcome) = blocking(move || {
            let mut store = store;
            let outcome = write(&mut store, &results, &events, &baselines);
            (store, (outcome, results.len() as u64, events.len() as u64))
        })
        .await?;
        let (outcome, results, changes) = outcome;
        self.stats.send_modify(|s| {
            if let Some(recovery) = outcome.recovery {
                s.last_recovery = Some(recovery);
            }
            match outcome.error {
                None => {
                    s.results_written += results;
                    s.events_written += changes;
                    s.batches += 1;
                }
                Some(e) => {
                    tracing::error!(results, changes, "history batch dropped: {e}");
                    s.dropped += results + changes;
                    s.last_error = Some(e.to_string());
                }
            }
        });
        Ok(store)
    }

    /// One pruning chunk; `true` when there is more to do.
    async fn prune(&self, store: HistoryStore) -> Result<(HistoryStore, bool), HistoryError> {
        let retention = self.config.retention;
        let chunk = self.config.prune_chunk.max(1);
        let (store, result) = blocking(move || {
            let mut store = store;
            let result = store.prune_step(Utc::now(), &retention, chunk);
            (store, result)
        })
        .await?;
        let more = match result {
            Ok(pruned) => {
                if pruned.total() > 0 {
                    tracing::debug!(?pruned, "history pruned");
                }
                self.stats
                    .send_modify(|s| s.pruned += pruned.total() as u64);
                pruned.more
            }
            Err(e) => {
                tracing::error!("history pruning failed: {e}");
                self.stats
                    .send_modify(|s| s.last_error = Some(e.to_string()));
                false
            }
        };
        Ok((store, more))
    }
}

struct Outcome {
    recovery: Option<Recovery>,
    error: Option<HistoryError>,
}

/// Writes one batch; on a damaged file, starts over and writes it to the new one.
fn write(
    store: &mut HistoryStore,
    results: &[ResultRecord],
    events: &[Logged],
    baselines: &[BaselineRecord],
) -> Outcome {
    match store.write_all(results, events, baselines) {
        Ok(()) => Outcome {
            recovery: None,
            error: None,
        },
        Err(e) if e.is_corruption() => match store.start_over(e.to_string()) {
            Ok(recovery) => Outcome {
                recovery: Some(recovery),
                error: store.write_all(results, events, baselines).err(),
            },
            Err(e) => Outcome {
                recovery: None,
                error: Some(e),
            },
        },
        Err(e) => Outcome {
            recovery: None,
            error: Some(e),
        },
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, HistoryError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| HistoryError::Task(e.to_string()))
}
