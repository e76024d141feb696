//! The settings and status window. None exists until the user asks for it (tray, toast, a
//! second launch, a first run, or WebDriver automation); closing it destroys it — its WebKit
//! processes end — and the app lives on in the tray.

use std::fmt::Write as _;

use ehlowatch_engine::MonitorId;
use tauri::{AppHandle, Emitter, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

use crate::state::AppState;

/// The window's label.
pub const MAIN: &str = "main";
/// Event asking the window to show a monitor's details.
pub const SHOW_MONITOR: &str = "show_monitor";

/// Opens the window (or raises the open one), on `monitor`'s details when given.
fn open<R: Runtime>(
    app: &AppHandle<R>,
    monitor: Option<&MonitorId>,
) -> Result<(), Box<dyn std::error::Error>> {
    if let Some(window) = app.get_webview_window(MAIN) {
        window.unminimize()?;
        window.show()?;
        window.set_focus()?;
        if let Some(m) = monitor {
            window.emit(SHOW_MONITOR, &m.0)?;
        }
        return Ok(());
    }
    webview_runtime()?;
    let page = match monitor {
        Some(m) => format!("index.html#/monitor/{}", encode(&m.0)),
        None => "index.html".to_owned(),
    };
    let mut builder = WebviewWindowBuilder::new(app, MAIN, WebviewUrl::App(page.into()))
        .title("EHLO Watch")
        .inner_size(960.0, 680.0)
        .min_inner_size(420.0, 520.0);
    if let Some(dir) = app
        .try_state::<std::sync::Arc<AppState>>()
        .and_then(|s| s.paths.webview.clone())
    {
        builder = builder.data_directory(dir);
    }
    builder.build()?;
    Ok(())
}

/// Whether a web view can be made here. On Windows without the `WebView2` runtime (and under
/// Wine, which has none) the window would be an empty frame behind a modal error box that stops
/// the tray's event loop until it is dismissed; the app says so in its log instead and keeps its
/// tray and engine.
#[cfg_attr(not(windows), allow(clippy::unnecessary_wraps))]
fn webview_runtime() -> Result<(), String> {
    #[cfg(windows)]
    tauri::webview_version().map_err(|e| {
        format!(
            "no WebView2 runtime ({e}): install Microsoft's Evergreen runtime to open the window"
        )
    })?;
    Ok(())
}

/// [`open`], logging a failure: for callers with no one to report it to (the tray, a toast, a
/// second launch). A window that cannot be made (on Windows, no `WebView2` runtime) leaves the
/// tray and the engine running.
pub fn open_logged<R: Runtime>(app: &AppHandle<R>, monitor: Option<&MonitorId>) {
    if let Err(error) = open(app, monitor) {
        tracing::error!(%error, "window unavailable");
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986 §2.3).
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn monitor_ids_are_percent_encoded() {
        assert_eq!(
            super::encode("mx2.example.com:25/a b"),
            "mx2.example.com%3A25%2Fa%20b"
        );
    }
}
