//! What the remote-agent tests share: real agents (`ehlowatch run`, HTTPS with a test CA, a
//! read-only and a control token) on loopback, `add_agent` as the window sends it, and an
//! observer that runs the bridge's own handling of the sources' updates
//! ([`ehlowatch_app::bridge::remote_update`]) into a real [`Toaster`] and records the toasts it
//! emits and the `remote_state_change` events the window would get.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ehlowatch_app::bridge::{self, events};
use ehlowatch_app::notify::toast::{Toast, Toaster};
use ehlowatch_app::sources::Sources;
use ehlowatch_testkit::agent::Agent;
use ehlowatch_testkit::TestPki;
use serde_json::{json, Value};
use tauri::{Listener, Manager};
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

use super::Shell;

pub const READ_TOKEN: &str = "read-3c9e1a7f5b2d4e80";
pub const CONTROL_TOKEN: &str = "control-6a0f2e8c4d1b9753";

/// A config of monitors on loopback ports, probed every second, a failure confirmed after one
/// retry a second later.
pub fn config(monitors: &[(&str, u16)]) -> String {
    let mut text = "[defaults]\nqos_ms = 200\ninterval_s = 1\nretry_s = 1\n".to_owned();
    for (name, port) in monitors {
        let _ = write!(
            text,
            "\n[[monitor]]\nname = '{name}'\nhost = \"127.0.0.1\"\nport = {port}\nalerts = {{ failed_after = 1 }}\n"
        );
    }
    text
}

/// A real agent serving HTTPS with a certificate from `pki` and both tokens.
pub fn agent(pki: &TestPki, monitors: &[(&str, u16)]) -> Agent {
    tauri::async_runtime::block_on(Agent::start_secured(
        &config(monitors),
        pki,
        READ_TOKEN,
        CONTROL_TOKEN,
        &[],
    ))
}

/// `https://127.0.0.1:PORT` of `agent`.
pub fn url_of(agent: &Agent) -> String {
    format!("https://{}", agent.addr())
}

/// The `agent` argument of `add_agent`.
pub fn input(name: &str, url: &str, token: &str, ca: &TestPki) -> Value {
    json!({ "agent": {
        "name": name,
        "url": url,
        "token": token,
        "ca_file": ca.ca_file().to_string_lossy(),
    } })
}

/// What the desktop would have shown: toasts and `remote_state_change` payloads.
pub struct Observed {
    pub toasts: Arc<Mutex<Vec<Toast>>>,
    pub changes: Arc<Mutex<Vec<Value>>>,
}

impl Observed {
    /// The toasts so far whose summary contains `needle`.
    pub fn toasts_with(&self, needle: &str) -> Vec<String> {
        self.toasts
            .lock()
            .unwrap()
            .iter()
            .filter(|t| t.summary.contains(needle))
            .map(|t| format!("{} — {}", t.summary, t.body))
            .collect()
    }

    pub fn all_toasts(&self) -> Vec<String> {
        self.toasts_with("")
    }
}

/// Starts observing the shell's sources (before anything is added, so nothing is missed).
pub fn observe(shell: &Shell) -> Observed {
    let app = shell.webview.app_handle().clone();
    let changes = Arc::new(Mutex::new(Vec::new()));
    let heard = changes.clone();
    app.listen_any(events::REMOTE_STATE_CHANGE, move |event| {
        heard
            .lock()
            .unwrap()
            .push(serde_json::from_str::<Value>(event.payload()).unwrap());
    });
    let sources = app.state::<Arc<Sources>>().inner().clone();
    let mut updates = sources.subscribe();
    let state = shell.state.clone();
    let toasts = Arc::new(Mutex::new(Vec::new()));
    let shown = toasts.clone();
    tauri::async_runtime::spawn(async move {
        let mut toaster = Toaster::default();
        loop {
            let due = toaster.next_due();
            tokio::select! {
                update = updates.recv() => match update {
                    Ok(update) => {
                        bridge::remote_update(&app, &state, Some(&sources), &mut toaster, update)
                            .await;
                    }
                    Err(RecvError::Lagged(missed)) => panic!("the observer missed {missed} updates"),
                    Err(RecvError::Closed) => return,
                },
                () = tokio::time::sleep_until(due.unwrap_or_else(Instant::now)), if due.is_some() => {
                    if let Some(toast) = toaster.due(Instant::now()) {
                        shown.lock().unwrap().push(toast);
                    }
                }
            }
        }
    });
    Observed { toasts, changes }
}

/// Polls `attempt` every 20 ms until it gives `Some`, at most `limit`; panics with `what` and
/// the last thing seen.
pub fn until<T>(what: &str, limit: Duration, mut attempt: impl FnMut() -> Result<T, String>) -> T {
    let deadline = std::time::Instant::now() + limit;
    loop {
        match attempt() {
            Ok(found) => return found,
            Err(seen) if std::time::Instant::now() >= deadline => {
                panic!("{what}: not within {limit:?}; last seen: {seen}")
            }
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// The source named `name` in `list_agents`.
pub fn source(shell: &Shell, name: &str) -> Value {
    let all = shell.ok("list_agents", json!({}));
    all.as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == name))
        .cloned()
        .unwrap_or_else(|| panic!("no source {name} in {all}"))
}

/// The monitor with `key` of source `name`.
pub fn remote_monitor(shell: &Shell, name: &str, key: &str) -> Value {
    let s = source(shell, name);
    s["monitors"]
        .as_array()
        .and_then(|ms| ms.iter().find(|m| m["key"] == key))
        .cloned()
        .unwrap_or_else(|| panic!("no monitor {key} in {s}"))
}

/// A TCP proxy on loopback in front of an agent, which the test cuts (every connection closed,
/// new ones closed at once) and resumes: a viewer cut off while its agent runs on.
pub struct Proxy {
    port: u16,
    cut: Arc<std::sync::atomic::AtomicBool>,
    open: Arc<Mutex<Vec<tauri::async_runtime::JoinHandle<()>>>>,
}

impl Proxy {
    /// Forwards a fresh loopback port to `target`.
    pub fn start(target: std::net::SocketAddr) -> Self {
        let listener =
            tauri::async_runtime::block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let open = Arc::new(Mutex::new(Vec::new()));
        let (is_cut, conns) = (cut.clone(), open.clone());
        tauri::async_runtime::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if is_cut.load(std::sync::atomic::Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let task = tauri::async_runtime::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                conns.lock().unwrap().push(task);
            }
        });
        Self { port, cut, open }
    }

    /// `https://127.0.0.1:PORT` of the proxy.
    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    /// Closes every connection and every new one until [`Self::resume`].
    pub fn cut(&self) {
        self.cut.store(true, std::sync::atomic::Ordering::SeqCst);
        for task in self.open.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    /// Forwards new connections again.
    pub fn resume(&self) {
        self.cut.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}
