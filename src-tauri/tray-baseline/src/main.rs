//! A minimal Tauri tray app, the baseline `scripts/footprint` measures the desktop app against:
//! what Tauri's tray examples do and nothing more. A tray icon with a menu; "Open window" opens a
//! web view window on a static page; closing the window destroys it and the app stays in the
//! tray; "Quit" ends it.

#![forbid(unsafe_code)]

use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, RunEvent, WebviewUrl, WebviewWindowBuilder};

/// The label of the menu item that opens the window (`BASELINE_OPEN` in `scripts/footprint`).
const OPEN: &str = "Open window";

fn main() {
    let app = tauri::Builder::default()
        .setup(|app| {
            let open = MenuItem::with_id(app, "open", OPEN, true, None::<&str>)?;
            let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
            let menu = Menu::with_items(app, &[&open, &quit])?;
            let mut tray = TrayIconBuilder::with_id("main").menu(&menu).on_menu_event(
                |app, event| match event.id().as_ref() {
                    "open" => open_window(app),
                    "quit" => app.exit(0),
                    _ => {}
                },
            );
            if let Some(icon) = app.default_window_icon() {
                tray = tray.icon(icon.clone());
            }
            tray.build(app)?;
            Ok(())
        })
        .build(tauri::generate_context!())
        .expect("the tray baseline starts");
    app.run(|_, event| {
        // A tray app outlives its windows: only "Quit" ends it.
        if let RunEvent::ExitRequested {
            code: None, api, ..
        } = event
        {
            api.prevent_exit();
        }
    });
}

fn open_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.set_focus();
        return;
    }
    if let Err(error) = WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()))
        .title("Tray baseline")
        .build()
    {
        eprintln!("tray-baseline: cannot open the window: {error}");
    }
}
