//! One monitor inside the coordinator: its settings, its alert state, its mute, its last report,
//! the controls of its task, and the view the snapshot shows of it.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::MonitorConfig;
use crate::monitor::{MonitorState, Mute};
use crate::probe::ProbeReport;
use crate::scheduler::{TaskControl, TaskPlan};
use crate::snapshot::MonitorView;

/// A monitor as the coordinator keeps it.
#[derive(Debug)]
pub(super) struct Entry {
    pub config: MonitorConfig,
    pub state: MonitorState,
    pub snoozed_until: Option<DateTime<Utc>>,
    pub last: Option<Arc<ProbeReport>>,
    pub next_check_at: Option<DateTime<Utc>>,
    /// The running task; `None` while disabled.
    pub task: Option<TaskControl>,
    /// Generation of the running task; results of older ones are dropped.
    pub generation: u64,
    pub view: Arc<MonitorView>,
}

impl Entry {
    pub(crate) fn new(config: MonitorConfig, now: DateTime<Utc>) -> Self {
        let state = MonitorState::new(config.id.clone(), config.name.clone(), now);
        let mut entry = Self {
            config,
            state,
            snoozed_until: None,
            last: None,
            next_check_at: None,
            task: None,
            generation: 0,
            view: Arc::default(),
        };
        entry.refresh_view();
        entry
    }

    /// The mute in force for this monitor, given the global pause.
    pub(crate) fn mute(&self, paused_until: Option<DateTime<Utc>>) -> Mute {
        Mute {
            snoozed_until: self.snoozed_until,
            paused_until,
        }
    }

    /// Stops the task, if one runs.
    pub(crate) fn stop_task(&mut self) {
        if let Some(task) = self.task.take() {
            task.cancel.cancel();
        }
        self.next_check_at = None;
    }

    /// What the task of generation `generation` runs, its first probe `first_delay` from now.
    pub(crate) fn plan(&self, generation: u64, first_delay: Duration) -> TaskPlan {
        let config = &self.config;
        TaskPlan {
            id: config.id.clone(),
            generation,
            spec: config.spec.clone(),
            interval: config.interval,
            retry: config.retry,
            confirmations: TaskPlan::confirmations_of(&config.alerts),
            first_delay,
        }
    }

    /// Rebuilds the view after any change.
    pub(crate) fn refresh_view(&mut self) {
        let spec = &self.config.spec;
        let alerts = &self.config.alerts;
        self.view = Arc::new(MonitorView {
            id: self.config.id.clone(),
            name: self.config.name.clone(),
            host: spec.host.clone(),
            port: spec.port,
            tls: spec.tls,
            qos_ms: u64::try_from(spec.thresholds.qos.as_millis()).unwrap_or(u64::MAX),
            interval_ms: u64::try_from(self.config.interval.as_millis()).unwrap_or(u64::MAX),
            enabled: self.config.enabled,
            status: self.state.status(),
            shown: self.state.status(),
            since: Some(self.state.since()),
            pending: self.state.pending(alerts).map(|p| p.to_string()),
            reason: self.state.last_reason().map(str::to_owned),
            last: self.last.clone(),
            next_check_at: self.next_check_at,
            snoozed_until: self.snoozed_until,
        });
    }
}
