//! What the tray menu's entries do: open the window (on a monitor), quit, send a command to the
//! engine, or pause and resume toasts. The engine's answer is awaited in a task the shell owns
//! ([`Tasks`]), never on the event loop.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use ehlowatch_engine::Command;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use super::menu::MenuAction;
use crate::bridge::events;
use crate::state::until;
use crate::state::{self, AppState};
use crate::tasks::Tasks;
use crate::window;

/// Carries out `action`, picked in the menu or by a left click on the icon.
pub fn perform<R: Runtime>(app: &AppHandle<R>, action: MenuAction) {
    let Some(state) = app.try_state::<Arc<AppState>>().map(|s| s.inner().clone()) else {
        return;
    };
    let command = match action {
        MenuAction::Window => return window::open_logged(app, None),
        MenuAction::Open(id) => return window::open_logged(app, Some(&id)),
        MenuAction::Quit => return app.exit(0),
        MenuAction::Check(id) => Command::CheckNow(Some(id)),
        MenuAction::CheckAll => Command::CheckNow(None),
        MenuAction::Snooze(id, minutes) => Command::Snooze {
            id,
            until: until(minutes),
        },
        MenuAction::Unsnooze(id) => Command::Unsnooze(id),
        MenuAction::Pause(minutes) => {
            let end = until(minutes).unwrap_or_else(state::forever);
            return pause(app, state, Some(end));
        }
        MenuAction::Resume => return pause(app, state, None),
    };
    app.state::<Tasks>().spawn("tray command", async move {
        if let Err(error) = state.send(command).await {
            tracing::warn!(%error, "tray command not sent");
        }
    });
}

/// Pauses toasts until a time, or resumes them (`None`). A refusal (the settings file cannot be
/// written) becomes the window's notice, since the menu has nowhere to show it.
fn pause<R: Runtime>(app: &AppHandle<R>, state: Arc<AppState>, until: Option<DateTime<Utc>>) {
    let app = app.clone();
    app.clone()
        .state::<Tasks>()
        .spawn("pause notifications", async move {
            if let Err(error) = state.pause_notifications(until).await {
                tracing::warn!(%error, "notifications not paused or resumed");
                let done = if until.is_some() { "paused" } else { "resumed" };
                let message = format!("Notifications were not {done}: {error}");
                state.set_notice(Some(message.clone()));
                let _ = app.emit(events::NOTICE, Some(message));
            }
        });
}
