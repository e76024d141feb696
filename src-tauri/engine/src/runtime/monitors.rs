//! The coordinator's monitors, in configuration order (so a snapshot is built without a lookup
//! per monitor) with an index by id, and how a new configuration is laid over them: unchanged
//! monitors are kept as they are, changed ones keep their alert state but restart, new ones
//! start, removed ones stop.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::entry::Entry;
use crate::config::MonitorConfig;
use crate::model::MonitorId;

/// Every monitor, in configuration order.
#[derive(Debug, Default)]
pub(super) struct Monitors {
    entries: Vec<Entry>,
    /// Where each monitor sits in `entries`.
    index: HashMap<MonitorId, usize>,
}

/// What laying a configuration over the monitors changed.
#[derive(Debug, Default)]
pub(super) struct Reconciled {
    /// New and changed monitors, in configuration order: their tasks are to be started.
    pub starting: Vec<MonitorId>,
    /// Monitors no longer configured; their tasks are stopped.
    pub removed: Vec<MonitorId>,
}

impl Monitors {
    /// The monitor with this id.
    pub(crate) fn get(&self, id: &MonitorId) -> Option<&Entry> {
        self.index.get(id).map(|&at| &self.entries[at])
    }

    /// The monitor with this id, to change.
    pub(crate) fn get_mut(&mut self, id: &MonitorId) -> Option<&mut Entry> {
        let at = *self.index.get(id)?;
        self.entries.get_mut(at)
    }

    /// How many monitors there are.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Every monitor, in configuration order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    /// Every monitor, in configuration order, to change.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = &mut Entry> {
        self.entries.iter_mut()
    }

    /// Lays `monitors` over the current ones. A monitor whose settings changed has its task
    /// stopped and keeps its alert state under its new name; a removed one has its task stopped.
    pub(crate) fn reconcile(
        &mut self,
        monitors: Vec<MonitorConfig>,
        now: DateTime<Utc>,
    ) -> Reconciled {
        let mut old: HashMap<MonitorId, Entry> = std::mem::take(&mut self.entries)
            .into_iter()
            .map(|e| (e.config.id.clone(), e))
            .collect();
        let mut kept = Vec::with_capacity(monitors.len());
        let mut index = HashMap::with_capacity(monitors.len());
        let mut starting = Vec::new();
        for monitor in monitors {
            let id = monitor.id.clone();
            let mut entry = match old.remove(&id) {
                Some(entry) if entry.config == monitor => entry,
                Some(mut entry) => {
                    entry.stop_task();
                    entry.state.set_name(monitor.name.clone());
                    entry.config = monitor;
                    starting.push(id.clone());
                    entry
                }
                None => {
                    starting.push(id.clone());
                    Entry::new(monitor, now)
                }
            };
            entry.refresh_view();
            index.insert(id, kept.len());
            kept.push(entry);
        }
        let mut removed = Vec::with_capacity(old.len());
        for (id, mut gone) in old {
            gone.stop_task();
            removed.push(id);
        }
        self.entries = kept;
        self.index = index;
        Reconciled { starting, removed }
    }
}
