//! The tray icon and its menu. The icon is the worst shown status of the enabled, non-snoozed
//! monitors and of the remote agents' unmuted monitors by red > amber > grey > green; the remote
//! ones are menu lines `dc1 / mx1 — OK` under their source; its tooltip counts them. The menu has a summary line, one submenu per monitor
//! (Check now, Snooze…, Open details), Check all now, Pause notifications…, Open EHLO Watch…
//! and Quit. A submenu's title changes with the status only: muda's GTK submenus cannot be
//! relabelled in place (their label sits in a box, so `set_text` does not reach it), and a
//! rebuild while the menu is open loses the click. So the menu is rebuilt when a title or its
//! shape changes (monitors added or removed, a snooze or the pause set or lifted, a monitor's
//! targets added or removed), and the lines that change with every probe — the summary, each
//! monitor's "Last check" and its targets' rows (each address, or each MX host × address of a
//! mail domain) — are plain items updated in place. Nothing is touched when nothing changed. What a pick does is in
//! [`actions`].

pub mod actions;
pub mod icon;
pub mod menu;

use std::sync::Mutex;

use ehlowatch_engine::Snapshot;
use ehlowatch_engine::{MonitorId, Status};
use tauri::image::Image;
use tauri::menu::{IsMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Runtime};

use self::menu::{MenuAction, DURATIONS};
use crate::sources::view::SourceView;

/// Pixels per side of the drawn icon. Windows' notification area shows small icons of 16 px at
/// 100 % scaling up to 32 px at 200 % and scales what it is given: 32 px is drawn 1:1 at 200 %
/// and halves evenly at 100 %, where 64 px would lose the glyph's strokes to a 4:1 reduction.
/// Elsewhere 64 px stays crisp on high-DPI panels (the host scales it down).
const ICON_SIZE: u32 = if cfg!(windows) { 32 } else { 64 };
/// The macOS menu bar takes template images — black and clear, which the system tints for light
/// and dark menu bars — so there the status is the icon's shape alone; elsewhere it is in colour.
const TEMPLATE: bool = cfg!(target_os = "macos");
/// A click on a macOS menu-bar item opens its menu; elsewhere a left click opens the window and
/// the menu is on the right button.
const MENU_ON_LEFT_CLICK: bool = cfg!(target_os = "macos");

/// The tray icon and what it shows now.
pub struct Tray<R: Runtime> {
    icon: TrayIcon<R>,
    shown: Mutex<Shown<R>>,
}

impl<R: Runtime> std::fmt::Debug for Tray<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tray").finish_non_exhaustive()
    }
}

/// What the tray shows, to change only what differs.
struct Shown<R: Runtime> {
    worst: Option<Status>,
    tooltip: String,
    shape: Vec<(MonitorId, bool, usize)>,
    titles: Vec<String>,
    paused: bool,
    summary: Option<MenuItem<R>>,
    /// Each monitor's lines updated in place: its "Last check", then its targets' rows.
    lines: Vec<Vec<(MenuItem<R>, String)>>,
    /// The remote sources' lines (`dc1 / mx1 — OK`); a change rebuilds the menu.
    remote: Vec<String>,
}

impl<R: Runtime> Tray<R> {
    /// Creates the tray icon (grey until the first snapshot). `on_action` receives every menu
    /// pick and, where the left button does not open the menu, a left click on the icon (as
    /// [`MenuAction::Window`]).
    pub fn create<F>(app: &AppHandle<R>, on_action: F) -> tauri::Result<Self>
    where
        F: Fn(&AppHandle<R>, MenuAction) + Send + Sync + Clone + 'static,
    {
        let on_click = on_action.clone();
        let builder = TrayIconBuilder::with_id("main")
            .icon(image(Status::Unknown))
            .icon_as_template(TEMPLATE)
            .tooltip("EHLO Watch")
            .show_menu_on_left_click(MENU_ON_LEFT_CLICK)
            .on_menu_event(move |app, event| {
                if let Some(action) = MenuAction::parse(event.id().as_ref()) {
                    on_action(app, action);
                }
            })
            .on_tray_icon_event(move |tray, event| {
                if let TrayIconEvent::Click {
                    button: MouseButton::Left,
                    button_state: MouseButtonState::Up,
                    ..
                } = event
                {
                    if MENU_ON_LEFT_CLICK {
                        return;
                    }
                    on_click(tray.app_handle(), MenuAction::Window);
                }
            });
        let icon = builder.build(app)?;
        Ok(Self {
            icon,
            shown: Mutex::new(Shown {
                worst: None,
                tooltip: String::new(),
                shape: Vec::new(),
                titles: Vec::new(),
                paused: false,
                summary: None,
                lines: Vec::new(),
                remote: Vec::new(),
            }),
        })
    }

    /// Brings the icon, tooltip and menu in line with `snapshot`, touching only what changed.
    pub fn update(
        &self,
        app: &AppHandle<R>,
        snapshot: &Snapshot,
        sources: &[SourceView],
    ) -> tauri::Result<()> {
        let now = snapshot.taken_at.unwrap_or_else(chrono::Utc::now);
        let worst = icon::shown_worst(snapshot, sources.iter().map(|s| s.worst), now);
        let remote = menu::remote_lines(sources);
        let mut shown = self
            .shown
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if shown.worst != Some(worst) {
            // Setting an icon on macOS drops its template flag unless it is set with it.
            self.icon
                .set_icon_with_as_template(Some(image(worst)), TEMPLATE)?;
            shown.worst = Some(worst);
        }
        let tooltip = menu::tooltip(snapshot);
        if shown.tooltip != tooltip {
            self.icon.set_tooltip(Some(&tooltip))?;
        }
        let lines: Vec<Vec<String>> = snapshot.monitors.iter().map(|m| menu::lines(m)).collect();
        let shape: Vec<(MonitorId, bool, usize)> = snapshot
            .monitors
            .iter()
            .zip(&lines)
            .map(|(m, l)| {
                (
                    m.id.clone(),
                    m.snoozed_until.is_some_and(|u| u > now),
                    l.len(),
                )
            })
            .collect();
        let paused = snapshot.alerts_paused_until.is_some_and(|u| u > now);
        let titles: Vec<String> = snapshot
            .monitors
            .iter()
            .map(|m| menu::monitor_label(m))
            .collect();
        let remote_changed = shown.remote != remote;
        let rebuild = shown.summary.is_none()
            || shown.shape != shape
            || shown.titles != titles
            || shown.paused != paused
            || remote_changed;
        if rebuild {
            let (built, summary, items) =
                build_menu(app, snapshot, &titles, &lines, &remote, paused)?;
            self.icon.set_menu(Some(built))?;
            *shown = Shown {
                worst: shown.worst,
                tooltip: String::new(),
                shape,
                titles,
                paused,
                summary: Some(summary),
                lines: items,
                remote,
            };
        } else {
            let items = shown.lines.iter_mut().flatten();
            for ((item, old), new) in items.zip(lines.into_iter().flatten()) {
                if *old != new {
                    item.set_text(&new)?;
                    *old = new;
                }
            }
        }
        if shown.tooltip != tooltip {
            if let Some(summary) = &shown.summary {
                summary.set_text(menu::summary(snapshot))?;
            }
            shown.tooltip = tooltip;
        }
        Ok(())
    }
}

type Built<R> = (Menu<R>, MenuItem<R>, Vec<Vec<(MenuItem<R>, String)>>);

fn build_menu<R: Runtime>(
    app: &AppHandle<R>,
    snapshot: &Snapshot,
    titles: &[String],
    lines: &[Vec<String>],
    remote: &[String],
    paused: bool,
) -> tauri::Result<Built<R>> {
    let now = snapshot.taken_at.unwrap_or_else(chrono::Utc::now);
    let item = |action: MenuAction, text: &str| {
        MenuItem::with_id(app, action.id(), text, true, None::<&str>)
    };
    let summary = MenuItem::with_id(app, "summary", menu::summary(snapshot), false, None::<&str>)?;
    let menu = Menu::new(app)?;
    menu.append(&summary)?;
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    let mut items = Vec::new();
    for ((m, title), texts) in snapshot.monitors.iter().zip(titles).zip(lines) {
        let submenu = Submenu::with_id(app, format!("monitor:{}", m.id.0), title, true)?;
        let mut own = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            let id = format!("line:{i}:{}", m.id.0);
            let line = MenuItem::with_id(app, id, text, false, None::<&str>)?;
            submenu.append(&line)?;
            own.push((line, text.clone()));
        }
        items.push(own);
        submenu.append(&item(MenuAction::Check(m.id.clone()), "Check now")?)?;
        if m.snoozed_until.is_some_and(|u| u > now) {
            submenu.append(&item(MenuAction::Unsnooze(m.id.clone()), "Resume alerts")?)?;
        } else {
            for (minutes, text) in DURATIONS {
                let text = format!("Snooze {text}");
                submenu.append(&item(MenuAction::Snooze(m.id.clone(), minutes), &text)?)?;
            }
        }
        submenu.append(&item(MenuAction::Open(m.id.clone()), "Open details")?)?;
        menu.append(&submenu)?;
    }
    if !remote.is_empty() {
        menu.append(&PredefinedMenuItem::separator(app)?)?;
        for (i, text) in remote.iter().enumerate() {
            let line = MenuItem::with_id(app, format!("remote:{i}"), text, false, None::<&str>)?;
            menu.append(&line)?;
        }
    }
    if !snapshot.monitors.is_empty() {
        menu.append(&PredefinedMenuItem::separator(app)?)?;
        menu.append(&item(MenuAction::CheckAll, "Check all now")?)?;
    }
    if paused {
        menu.append(&item(MenuAction::Resume, "Resume notifications")?)?;
    } else {
        let pause = Submenu::with_id(app, "pause", "Pause notifications", true)?;
        for (minutes, text) in [DURATIONS[0], DURATIONS[3]] {
            pause.append(&item(MenuAction::Pause(minutes), text)? as &dyn IsMenuItem<R>)?;
        }
        menu.append(&pause)?;
    }
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    menu.append(&item(MenuAction::Window, "Open EHLO Watch…")?)?;
    menu.append(&item(MenuAction::Quit, "Quit")?)?;
    Ok((menu, summary, items))
}

fn image(status: Status) -> Image<'static> {
    Image::new_owned(
        icon::status_image(status, ICON_SIZE, TEMPLATE),
        ICON_SIZE,
        ICON_SIZE,
    )
}
