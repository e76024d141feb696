//! EHLO Watch's desktop shell: a tray icon whose colour is the worst status, native toasts on
//! failures and recoveries, and a settings and status window, all over the engine
//! (`ehlowatch-engine`), which knows nothing of Tauri.
//!
//! [`run`] is the app: it parses the command line, loads the settings ([`settings`]), starts the
//! engine, creates the tray ([`tray`]) and runs the [`bridge`] from engine events to tray,
//! toasts and window. Every task the shell starts is owned by [`tasks::Tasks`]; at exit they are
//! cancelled and awaited, then the engine is stopped. [`builder`] is the
//! part shared with the IPC tests: the commands and the managed state, over any Tauri runtime.

pub mod args;
pub mod autostart;
pub mod bindings;
pub mod bridge;
pub mod commands;
pub mod error;
pub mod memory;
pub mod notify;
pub mod paths;
pub mod settings;
pub mod sources;
pub mod state;
pub mod tasks;
pub mod tray;
pub mod window;

use std::path::Path;
use std::sync::Arc;

use clap::Parser;
use ehlowatch_engine::{Command, EngineEvent};
use ehlowatch_engine::{Engine, EngineOptions};
use tauri::{AppHandle, Manager, RunEvent, Runtime};
use tokio::sync::broadcast;

use crate::args::Args;
use crate::paths::DataPaths;
use crate::settings::file;
use crate::state::{AppState, Current};
use crate::tasks::Tasks;

/// The app's Tauri builder over any runtime: the invoke handler with every command. The state
/// is managed by [`start`].
pub fn builder<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(commands::handler())
}

/// Loads the settings from `paths`, starts the engine on them and manages the [`AppState`].
/// Returns the state and a receiver of every engine event from the start.
pub fn start<R: Runtime>(
    app: &AppHandle<R>,
    paths: DataPaths,
) -> (Arc<AppState>, broadcast::Receiver<EngineEvent>) {
    let loaded = file::load(&paths.settings);
    if let Some(notice) = &loaded.notice {
        tracing::warn!(%notice, "settings");
    }
    let options = EngineOptions {
        history: Some(paths.history.clone()),
        ..EngineOptions::default()
    };
    let config = loaded.config.clone();
    let (engine, events) =
        tauri::async_runtime::block_on(Engine::start_subscribed(config, options));
    let state_agents = loaded.settings.agents.clone();
    let paused = loaded.settings.ui.notifications_paused_until;
    if paused.is_some_and(|until| until > chrono::Utc::now()) {
        tauri::async_runtime::block_on(engine.send(Command::PauseAlerts(paused)));
    }
    let state = Arc::new(AppState::new(
        engine,
        Current {
            settings: loaded.settings,
            config: loaded.config,
        },
        paths,
        loaded.first_run,
        loaded.notice,
    ));
    app.manage(state.clone());
    app.manage(sources::Sources::start(&state_agents));
    (state, events)
}

/// Runs the desktop app.
pub fn run() {
    memory::before_gtk_starts();
    let args = Args::parse();
    init_logging();
    let context = tauri::generate_context!();
    if let Some(to) = args.autostart {
        match autostart::switch(to, &context.config().identifier) {
            Ok(line) => {
                println!("{line}");
                std::process::exit(0);
            }
            Err(e) => {
                eprintln!("ehlowatch-app: --autostart: {e}");
                std::process::exit(1);
            }
        }
    }
    let single_instance = {
        let mut b = tauri_plugin_single_instance::Builder::new().callback(|app, _argv, _cwd| {
            window::open_logged(app, None);
        });
        if let Some(dir) = &args.data_dir {
            b = b.dbus_id(instance_id(dir));
        }
        b.build()
    };
    let setup_args = args.clone();
    let app = builder(tauri::Builder::default()).plugin(single_instance);
    // Windows' Run key is written directly (autostart::windows).
    #[cfg(not(windows))]
    let app = app.plugin(autostart::plugin(&context.config().identifier));
    let app = app
        .manage(Tasks::default())
        .setup(move |app| setup(app.handle(), &setup_args))
        .build(context)
        .unwrap_or_else(|e| {
            eprintln!("ehlowatch-app: cannot start: {e}");
            std::process::exit(1);
        });
    app.run(|app, event| match event {
        // Closing the window destroys it; the app lives on in the tray until Quit.
        RunEvent::ExitRequested {
            code: None, api, ..
        } => api.prevent_exit(),
        // The window is gone: end what WebKit keeps for a next one and give back its heap.
        RunEvent::WindowEvent {
            label,
            event: tauri::WindowEvent::Destroyed,
            ..
        } if label == window::MAIN => {
            memory::after_window_closed();
            app.state::<Tasks>().spawn_until_quit(
                "page-out after the window",
                memory::give_back_file_pages_after_teardown(),
            );
        }
        RunEvent::Exit => tauri::async_runtime::block_on(quit(app)),
        _ => {}
    });
}

/// Ends the shell's tasks (the bridge among them, and a tray edit of the settings in progress),
/// then the engine, flushing the history.
async fn quit<R: Runtime>(app: &AppHandle<R>) {
    if let Some(tasks) = app.try_state::<Tasks>() {
        tasks.shutdown(tasks::QUIT_WAIT).await;
    }
    if let Some(sources) = app.try_state::<Arc<sources::Sources>>() {
        sources.shutdown().await;
    }
    if let Some(state) = app.try_state::<Arc<AppState>>() {
        state.shutdown().await;
    }
}

fn setup<R: Runtime>(app: &AppHandle<R>, args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    // A tray app: no Dock icon on macOS (Info.plist's LSUIElement says so before launch), and
    // toasts sent as the app's bundle.
    #[cfg(target_os = "macos")]
    {
        app.set_activation_policy(tauri::ActivationPolicy::Accessory)?;
        notify::macos::register(&app.config().identifier);
    }
    // Windows: registers the app for toasts when it is not (the portable zip's first run).
    notify::registration::ensure();
    let paths = match &args.data_dir {
        Some(dir) => DataPaths::in_dir(dir),
        None => DataPaths::platform(&app.path().app_config_dir()?, &app.path().app_data_dir()?),
    };
    let (state, events) = start(app, paths);
    let tray = tray_icon(app);
    let tasks = app.state::<Tasks>();
    let quit = tasks.cancellation();
    tasks.spawn(
        "bridge",
        bridge::run(app.clone(), state.clone(), tray, events, quit),
    );
    let automation = std::env::var("TAURI_WEBVIEW_AUTOMATION").is_ok_and(|v| v == "true");
    if let Some(notice) = state.notice() {
        // A settings file kept aside: say so at once, in a toast and in the window's banner.
        let app = app.clone();
        let toast = notify::toast::Toast {
            summary: "EHLO Watch started with default settings".to_owned(),
            body: notice,
            urgency: notify::toast::Urgency::Normal,
            monitor: None,
        };
        notify::desktop::show(toast, move |_| window::open_logged(&app, None));
    }
    if automation || (state.first_run && !args.minimized) || state.notice().is_some() {
        window::open_logged(app, None);
    } else {
        // Once the tray is up and GTK has settled.
        tasks.spawn_until_quit(
            "page-out after start",
            memory::give_back_file_pages_after_teardown(),
        );
    }
    Ok(())
}

fn tray_icon<R: Runtime>(app: &AppHandle<R>) -> Option<Arc<tray::Tray<R>>> {
    match tray::Tray::create(app, tray::actions::perform) {
        Ok(tray) => Some(Arc::new(tray)),
        Err(error) => {
            tracing::error!(%error, "no tray icon");
            None
        }
    }
}

/// The single-instance id of an instance with its own data directory, so isolated instances
/// do not take each other for a second launch.
fn instance_id(dir: &Path) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::path::absolute(dir)
        .unwrap_or_else(|_| dir.to_path_buf())
        .hash(&mut h);
    format!("org.ehlowatch.desktop.i{:016x}", h.finish())
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("EHLOWATCH_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,ehlowatch=info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}
