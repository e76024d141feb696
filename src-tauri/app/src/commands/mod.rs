//! The typed IPC commands of the window (docs/ipc.md): thin functions over [`AppState`],
//! grouped by what they touch. Every argument is validated; a refusal is an
//! [`AppError`](crate::error::AppError) naming each problem.

pub mod agents;
pub mod domains;
pub mod history;
pub mod monitors;
pub mod settings;
pub mod status;

use tauri::{ipc::Invoke, Runtime};

include!("names.rs");

/// The invoke handler with every command.
pub fn handler<R: Runtime>() -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        status::get_snapshot,
        status::check_now,
        status::snooze,
        status::unsnooze,
        status::pause_notifications,
        status::resume_notifications,
        monitors::save_monitor,
        monitors::delete_monitor,
        monitors::test_monitor,
        domains::preview_mx,
        history::history_stats,
        history::history_series,
        history::history_events,
        history::last_failure,
        settings::get_settings,
        settings::save_settings,
        settings::export_monitors,
        settings::import_monitors,
        settings::get_app_info,
        settings::set_autostart,
        settings::dismiss_notice,
        agents::list_agents,
        agents::add_agent,
        agents::set_agent_token,
        agents::remove_agent,
        agents::remote_check_now,
        agents::remote_snooze,
        agents::remote_unsnooze,
        agents::mute_remote,
        agents::remote_stats,
        agents::remote_series,
        agents::remote_events,
        agents::remote_last_failure,
    ]
}
