//! `ehlowatch run`: the headless agent. It runs the monitoring engine on a TOML config, logs every
//! state change as one structured line with its event id, serves `/metrics`, `/api/status`,
//! `/healthz` and the viewers' API (a resumable event stream, history queries) — over HTTPS and
//! behind tokens when configured, see `listen` — reloads the config and the TLS certificate on
//! SIGHUP (keeping the old ones when the new ones are invalid), and on SIGTERM/SIGINT stops,
//! flushes the history and exits 0. The Windows service (`crate::service`) runs this same agent,
//! its controls standing for the signals.

mod actions;
mod auth;
mod exposition;
mod http;
mod listen;
mod logging;
mod metrics;
mod signals;
#[cfg(test)]
mod tests;
mod tls;
mod tokens;
mod viewer;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use ehlowatch_engine::{io_words, Config};
use ehlowatch_engine::{Command, EngineHandle};
use ehlowatch_engine::{Engine, EngineOptions};
use tokio_util::sync::CancellationToken;

#[cfg(windows)]
pub use self::logging::init_file as init_log_file;
use self::metrics::Metrics;
use self::signals::Signals;
pub use self::signals::{Controls, Signal};
use crate::args::RunArgs;

/// Runs the agent until SIGTERM/SIGINT; exit 0 after a clean stop, 3 when it cannot start.
pub async fn run(args: RunArgs) -> ExitCode {
    logging::init();
    let signals = match Signals::new() {
        Ok(signals) => signals,
        Err(e) => {
            eprintln!("error: cannot install signal handlers: {e}");
            return ExitCode::from(3);
        }
    };
    match serve(&args, Controls::Signals(signals), || {}).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(Refused(message)) => {
            eprintln!("{message}");
            ExitCode::from(3)
        }
    }
}

/// Why the agent would not start: every problem, one per line, naming the flag or field.
#[derive(Debug)]
pub struct Refused(pub String);

/// The agent — of `ehlowatch run` and of the Windows service alike: starts (`running` is called
/// once it serves and probes), reloads the config and the TLS certificate on each
/// [`Signal::Reload`] from `controls`, and on [`Signal::Stop`] stops serving and returns once the
/// history is flushed.
pub async fn serve(
    args: &RunArgs,
    mut controls: Controls,
    running: impl FnOnce(),
) -> Result<(), Refused> {
    let config = load(&args.config).map_err(Refused)?;
    let server = listen::Server::from_args(args).map_err(Refused)?;
    let listener = match tokio::net::TcpListener::bind(server.listen).await {
        Ok(listener) => listener,
        Err(e) => return Err(Refused(format!("error: --listen {}: {e}", args.listen))),
    };
    let db = args.db.clone().unwrap_or_else(default_db_path);
    let options = EngineOptions {
        history: Some(db.clone()),
        ..EngineOptions::default()
    };
    let (engine, events) = Engine::start_subscribed(config, options).await;
    tracing::info!(config = %args.config.display(), db = %db.display(), listen = %listen_addr(&listener, args.listen), tls = server.tls.is_some(), tokens = server.auth.enabled(), "agent started");
    running();

    let metrics = Arc::new(Metrics::new(engine.watch()));
    let stop = CancellationToken::new();
    let events = tokio::spawn(logging::follow(events, metrics.clone(), stop.clone()));
    let state = http::AppState {
        metrics,
        snapshot: engine.watch(),
    };
    let (commands, mut commanded) = tokio::sync::mpsc::channel(16);
    let actions = actions::Actions {
        commands,
        snapshot: engine.watch(),
    };
    let viewer = viewer::routes(viewer::ViewerState {
        history: engine.history().cloned(),
        snapshot: engine.watch(),
        events: engine.subscriber(),
        stop: stop.clone(),
    });
    let app = server
        .auth
        .wrap(http::router(state, viewer).merge(actions::router(actions)));
    let tls = server.tls.clone();
    let serving = tokio::spawn({
        let stop = stop.clone();
        async move { listen::serve(listener, tls.as_ref(), app, stop).await }
    });

    loop {
        tokio::select! {
            signal = controls.next() => match signal {
                Signal::Reload => {
                    reload(&engine, &args.config).await;
                    reload_tls(server.tls.as_ref());
                }
                Signal::Stop => break,
            },
            Some(command) = commanded.recv() => {
                engine.send(command).await;
            }
        }
    }
    tracing::info!("stopping: flushing history");
    stop.cancel();
    if let Ok(Err(e)) = serving.await {
        tracing::warn!(error = %e, "HTTP server ended with an error");
    }
    engine.shutdown().await;
    let _ = events.await;
    tracing::info!("stopped");
    Ok(())
}

/// What [`serve`] checks before it starts — the config, the token and certificate files, the
/// `--listen` rules — without binding the address or starting anything.
// Used by the Windows service's install only.
#[cfg_attr(not(windows), allow(dead_code))]
pub fn preflight(args: &RunArgs) -> Result<(), Refused> {
    load(&args.config).map_err(Refused)?;
    listen::Server::from_args(args).map_err(Refused)?;
    Ok(())
}

/// Reads and validates the config (a relative `ca_file` is relative to the config file); the
/// error lists every problem.
fn load(path: &Path) -> Result<Config, String> {
    std::fs::metadata(path)
        .map_err(|e| format!("error: --config {}: {}", path.display(), io_words(&e)))?;
    Config::load(path).map_err(|e| format!("error: {} is not a valid config:\n{e}", path.display()))
}

async fn reload(engine: &EngineHandle, path: &Path) {
    match load(path) {
        Ok(config) => {
            let monitors = config.monitors.len();
            if engine.send(Command::Apply(Box::new(config))).await {
                tracing::info!(config = %path.display(), monitors, "config reloaded");
            }
        }
        Err(message) => {
            for line in message.lines() {
                tracing::error!(config = %path.display(), "reload refused, keeping the running config: {line}");
            }
        }
    }
}

/// Reads the certificate and key again; a bad pair is logged and the running one kept.
fn reload_tls(tls: Option<&tls::Tls>) {
    let Some(tls) = tls else { return };
    match tls.reload() {
        Ok(()) => tracing::info!(cert = %tls.files().cert.display(), "TLS certificate reloaded"),
        Err(message) => {
            tracing::error!("TLS reload refused, keeping the running certificate: {message}");
        }
    }
}

fn listen_addr(listener: &tokio::net::TcpListener, asked: SocketAddr) -> SocketAddr {
    listener.local_addr().unwrap_or(asked)
}

/// The agent's state directory under the home directory: the XDG one, or on macOS the agent's
/// folder in Application Support, beside its `agent.toml` (packaging/macos).
#[cfg(all(not(target_os = "macos"), not(windows)))]
const HOME_STATE: &str = ".local/state/ehlowatch";
#[cfg(target_os = "macos")]
const HOME_STATE: &str = "Library/Application Support/ehlowatch";

/// `$STATE_DIRECTORY` (systemd), else `$XDG_STATE_HOME/ehlowatch`, else the user's own state
/// directory ([`user_state_dir`]), else the working directory; the file is `history.sqlite`.
pub fn default_db_path() -> PathBuf {
    let dir = env_dir("STATE_DIRECTORY")
        .or_else(|| env_dir("XDG_STATE_HOME").map(|d| d.join("ehlowatch")))
        .or_else(user_state_dir)
        .unwrap_or_default();
    dir.join("history.sqlite")
}

/// The directory an environment variable names, when it is set and not empty.
fn env_dir(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// [`HOME_STATE`] in the home directory.
#[cfg(not(windows))]
fn user_state_dir() -> Option<PathBuf> {
    env_dir("HOME").map(|home| home.join(HOME_STATE))
}

/// `%LOCALAPPDATA%\ehlowatch`: a history is this machine's, so it stays out of a roaming
/// profile.
#[cfg(windows)]
fn user_state_dir() -> Option<PathBuf> {
    env_dir("LOCALAPPDATA").map(|local| local.join("ehlowatch"))
}
