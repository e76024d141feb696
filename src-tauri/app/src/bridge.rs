//! The bridge from the engine to the desktop: it waits on the engine's snapshot and events, and
//! on one timer (no polling). A new snapshot updates the tray and, when the window is open, is
//! pushed to it; results and state changes are pushed to the window; alert events become
//! toasts (see [`crate::notify::toast`]); a history problem becomes the window's notice. The
//! remote sources' updates ([`crate::sources`]) join them: the tray shows the worst of both,
//! the window gets `sources` and `remote_state_change`, and their alerts go to the same toaster.
//! It ends when the engine stops or the app quits.
//!
//! What a snapshot shows depends on when it is shown: the bridge shows it as of the wall clock
//! ([`Snapshot::at`]) and sets its timer to the snapshot's next change
//! ([`Snapshot::next_change`]) — a snooze that ends, a monitor that turns stale. So a stalled
//! engine, which publishes nothing, still turns the tray grey.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use ehlowatch_engine::{EngineEvent, Snapshot};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::notify::desktop;
use crate::notify::toast::{RemoteRules, Toaster};
use crate::sources::{SourceUpdate, Sources};
use crate::state::AppState;
use crate::tray::Tray;
use crate::window;

/// Event names the window listens to.
pub mod events {
    /// A new [`Snapshot`](ehlowatch_engine::Snapshot).
    pub const SNAPSHOT: &str = "snapshot";
    /// An [`EngineEvent::Result`].
    pub const RESULT: &str = "result";
    /// A [`StateChange`](ehlowatch_engine::StateChange).
    pub const STATE_CHANGE: &str = "state_change";
    /// A mail domain's [`Finding`](ehlowatch_engine::Finding).
    pub const FINDING: &str = "finding";
    /// The banner's notice (`string | null`).
    pub const NOTICE: &str = "notice";
    /// Every remote source (`SourceView[]`), on any change.
    pub const SOURCES: &str = "sources";
    /// A state change a remote agent streamed (`RemoteStateChange`).
    pub const REMOTE_STATE_CHANGE: &str = "remote_state_change";
}

/// Runs until the engine stops or `quit` is cancelled.
pub async fn run<R: Runtime>(
    app: AppHandle<R>,
    state: Arc<AppState>,
    tray: Option<Arc<Tray<R>>>,
    mut events: tokio::sync::broadcast::Receiver<EngineEvent>,
    quit: CancellationToken,
) {
    let Ok(mut snapshots) = state.engine().await.map(|e| e.watch()) else {
        return;
    };
    let sources = app.try_state::<Arc<Sources>>().map(|s| s.inner().clone());
    let mut remote = sources.as_ref().map(|s| s.subscribe());
    let mut toaster = Toaster::default();
    let window_open = |app: &AppHandle<R>| app.get_webview_window(window::MAIN).is_some();
    let mut latest = snapshots.borrow_and_update().clone();
    let show = |latest: &Snapshot| -> Option<Instant> {
        let now = Utc::now();
        let snapshot = latest.at(now);
        let remote_views = sources.as_ref().map(|s| s.list()).unwrap_or_default();
        if let Some(tray) = &tray {
            if let Err(error) = tray.update(&app, &snapshot, &remote_views) {
                tracing::warn!(%error, "tray not updated");
            }
        }
        if window_open(&app) {
            let _ = app.emit(events::SNAPSHOT, &snapshot);
        }
        snapshot.next_change(now).map(|at| instant_of(at, now))
    };
    let mut reshow = show(&latest);
    loop {
        let due = toaster.next_due();
        tokio::select! {
            () = quit.cancelled() => return,
            changed = snapshots.changed() => {
                if changed.is_err() {
                    return;
                }
                latest = snapshots.borrow_and_update().clone();
                reshow = show(&latest);
            }
            () = sleep_until(reshow), if reshow.is_some() => {
                reshow = show(&latest);
            }
            event = events.recv() => match event {
                Ok(event @ EngineEvent::Result { .. }) => {
                    if window_open(&app) {
                        let _ = app.emit(events::RESULT, &event);
                    }
                }
                Ok(EngineEvent::StateChanged(change)) => {
                    let _ = app.emit(events::STATE_CHANGE, &change);
                    let warnings = state.current().await.settings.ui.notify_warnings;
                    toaster.push(change, warnings, Instant::now());
                }
                Ok(EngineEvent::History { message }) => {
                    state.set_notice(Some(message.clone()));
                    let _ = app.emit(events::NOTICE, Some(message));
                }
                Ok(EngineEvent::LocalCause { cause, began, monitors, .. }) => {
                    toaster.push_local(cause, began, monitors, Instant::now());
                }
                Ok(EngineEvent::Finding(finding)) => {
                    let _ = app.emit(events::FINDING, &finding);
                    toaster.push_finding(finding, Instant::now());
                }
                Ok(EngineEvent::Resumed { .. }) => {}
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "the desktop bridge fell behind the engine's events");
                }
                Err(RecvError::Closed) => return,
            },
            update = recv_remote(remote.as_mut()) => match update {
                Ok(update) => {
                    if remote_update(&app, &state, sources.as_ref(), &mut toaster, update).await {
                        reshow = show(&latest);
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "the desktop bridge fell behind the sources' updates");
                    reshow = show(&latest);
                }
                Err(RecvError::Closed) => remote = None,
            },
            () = sleep_until(due), if due.is_some() => {
                if let Some(toast) = toaster.due(Instant::now()) {
                    let app = app.clone();
                    desktop::show(toast, move |monitor| {
                        window::open_logged(&app, monitor.as_ref());
                    });
                }
            }
        }
    }
}

/// The monotonic instant of the wall-clock time `at`, seen at `now`.
fn instant_of(at: DateTime<Utc>, now: DateTime<Utc>) -> Instant {
    Instant::now() + (at - now).to_std().unwrap_or_default()
}

/// Takes one update of the remote sources: to the window, to the toaster; true when the tray
/// must be shown again.
pub async fn remote_update<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    sources: Option<&Arc<Sources>>,
    toaster: &mut Toaster,
    update: SourceUpdate,
) -> bool {
    match update {
        SourceUpdate::Changed => {
            if let Some(sources) = sources {
                let _ = app.emit(events::SOURCES, sources.list());
            }
            true
        }
        SourceUpdate::Change(change) => {
            let _ = app.emit(events::REMOTE_STATE_CHANGE, &change);
            let settings = state.current().await.settings;
            let rules = RemoteRules {
                paused: settings
                    .ui
                    .notifications_paused_until
                    .is_some_and(|u| u > Utc::now()),
                muted: sources.is_some_and(|s| s.muted(&change.source, &change.change.monitor.0)),
                notify_warnings: settings.ui.notify_warnings,
            };
            toaster.push_remote(&change, rules, Instant::now());
            false
        }
        SourceUpdate::Reachable { source, reachable } => {
            toaster.push_source(&source, !reachable, Instant::now());
            false
        }
    }
}

/// The next update of the sources, or never without them.
async fn recv_remote(
    remote: Option<&mut broadcast::Receiver<SourceUpdate>>,
) -> Result<SourceUpdate, RecvError> {
    match remote {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

async fn sleep_until(due: Option<Instant>) {
    if let Some(due) = due {
        tokio::time::sleep_until(due).await;
    }
}
