//! The app's tray icon as the desktop sees it: the `StatusNotifierItem` the app registered with
//! the watcher (found by the app's process id), the colour of the PNG its `IconName` names,
//! and its `com.canonical.dbusmenu` menu, which can be clicked; and waits for either to show
//! something.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use zbus::blocking::Connection;
use zbus::zvariant::{OwnedObjectPath, Structure, Value};

use super::image::Image;
use super::poll;
use super::session::{get_property, WATCHER};

/// The item interface.
const ITEM: &str = "org.kde.StatusNotifierItem";
/// The menu interface.
const DBUSMENU: &str = "com.canonical.dbusmenu";
/// The object path libayatana-appindicator gives the item of tray-icon's `main` icon, for a
/// watcher that lists bus names only.
const AYATANA_PATH: &str = "/org/ayatana/NotificationItem/tray_icon_tray_app_main";
/// Where the status colour is in the icon (the app draws a 64 px disc; this is inside the
/// disc, above the glyph).
const PROBE: (u32, u32) = (32, 8);

/// The app's item on the bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The bus name it is registered under.
    pub service: String,
    /// Its object path.
    pub path: String,
}

/// The status colours the app draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    /// Success.
    Green,
    /// QoS Warning.
    Amber,
    /// Failed.
    Red,
    /// Unknown, offline, paused, no monitors.
    Grey,
    /// Anything else.
    Other([u8; 4]),
}

impl Colour {
    /// The colour of an RGBA pixel, allowing a little rounding.
    pub fn of(pixel: [u8; 4]) -> Self {
        const KNOWN: [(Colour, [u8; 3]); 4] = [
            (Colour::Green, [26, 127, 55]),
            (Colour::Amber, [210, 153, 34]),
            (Colour::Red, [207, 34, 46]),
            (Colour::Grey, [110, 119, 129]),
        ];
        let near = |rgb: [u8; 3]| (0..3).all(|i| pixel[i].abs_diff(rgb[i]) <= 8);
        if pixel[3] < 250 {
            return Self::Other(pixel);
        }
        KNOWN
            .iter()
            .find(|(_, rgb)| near(*rgb))
            .map_or(Self::Other(pixel), |(c, _)| *c)
    }
}

/// What the icon shows now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Icon {
    /// The status colour.
    pub colour: Colour,
    /// The PNG the item names.
    pub file: PathBuf,
}

/// The item registered with the watcher by the process `pid`.
pub fn find_item(bus: &Connection, pid: u32) -> Result<Item, String> {
    let registered: Vec<String> = get_property(
        bus,
        WATCHER,
        "/StatusNotifierWatcher",
        WATCHER,
        "RegisteredStatusNotifierItems",
    )?;
    let dbus = zbus::blocking::fdo::DBusProxy::new(bus).map_err(|e| e.to_string())?;
    for entry in &registered {
        let (service, path) = match entry.find('/') {
            Some(at) => (&entry[..at], &entry[at..]),
            None => (entry.as_str(), AYATANA_PATH),
        };
        let Ok(name) = zbus::names::BusName::try_from(service) else {
            continue;
        };
        if dbus.get_connection_unix_process_id(name).ok() == Some(pid) {
            return Ok(Item {
                service: service.to_owned(),
                path: path.to_owned(),
            });
        }
    }
    Err(format!(
        "no item of process {pid} among the registered {registered:?}"
    ))
}

/// Waits until the process `pid` has registered its item.
pub fn wait_item(bus: &Connection, pid: u32, timeout: Duration) -> Result<Item, String> {
    poll(
        &format!("process {pid} registers its tray item"),
        timeout,
        Duration::from_millis(100),
        || find_item(bus, pid),
    )
}

/// The icon the item shows now, read from the PNG named by its `IconName`.
pub fn icon(bus: &Connection, item: &Item) -> Result<Icon, String> {
    let name: String = get_property(bus, &item.service, &item.path, ITEM, "IconName")?;
    let file = PathBuf::from(&name);
    let colour = Colour::of(Image::read(&file)?.pixel(PROBE.0, PROBE.1)?);
    Ok(Icon { colour, file })
}

/// The item's menu as exported over dbusmenu.
#[derive(Debug, Clone)]
pub struct Menu {
    service: String,
    path: String,
    /// The root entry (no label); its children are the menu's lines.
    pub root: Entry,
}

/// One menu entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The dbusmenu id.
    pub id: i32,
    /// The label (empty for separators and the root).
    pub label: String,
    /// Its submenu.
    pub children: Vec<Entry>,
}

impl Menu {
    /// The entry reached by following `labels` from the top, e.g. `["Pause notifications",
    /// "1 hour"]`.
    pub fn find(&self, labels: &[&str]) -> Option<&Entry> {
        labels.iter().try_fold(&self.root, |entry, label| {
            entry.children.iter().find(|c| c.label == *label)
        })
    }

    /// The labels of the top level.
    pub fn top_labels(&self) -> Vec<&str> {
        self.root
            .children
            .iter()
            .map(|c| c.label.as_str())
            .filter(|l| !l.is_empty())
            .collect()
    }

    /// The whole menu, one indented line per labelled entry.
    pub fn outline(&self) -> String {
        fn walk(entry: &Entry, depth: usize, out: &mut String) {
            for child in &entry.children {
                if !child.label.is_empty() {
                    let _ = writeln!(out, "{:width$}{}", "", child.label, width = depth * 2);
                }
                walk(child, depth + 1, out);
            }
        }
        let mut out = String::new();
        walk(&self.root, 0, &mut out);
        out
    }

    /// Clicks an entry, as a tray host does when the user picks it.
    pub fn click(&self, bus: &Connection, entry: &Entry) -> Result<(), String> {
        bus.call_method(
            Some(self.service.as_str()),
            self.path.as_str(),
            Some(DBUSMENU),
            "Event",
            &(entry.id, "clicked", Value::I32(0), 0_u32),
        )
        .map(drop)
        .map_err(|e| format!("click {:?}: {e}", entry.label))
    }
}

/// Reads the item's whole menu (`GetLayout` from the root, all levels).
pub fn menu(bus: &Connection, item: &Item) -> Result<Menu, String> {
    let path: OwnedObjectPath = get_property(bus, &item.service, &item.path, ITEM, "Menu")?;
    let path = path.as_str().to_owned();
    let reply = bus
        .call_method(
            Some(item.service.as_str()),
            path.as_str(),
            Some(DBUSMENU),
            "GetLayout",
            &(0_i32, -1_i32, Vec::<&str>::new()),
        )
        .map_err(|e| format!("GetLayout: {e}"))?;
    let body = reply.body();
    let reply: Structure<'_> = body
        .deserialize()
        .map_err(|e| format!("GetLayout reply: {e}"))?;
    let root = reply
        .fields()
        .get(1)
        .and_then(entry)
        .ok_or_else(|| format!("GetLayout reply not understood: {reply:?}"))?;
    Ok(Menu {
        service: item.service.clone(),
        path,
        root,
    })
}

/// Waits until the item's icon has `colour`.
pub fn wait_colour(
    bus: &Connection,
    item: &Item,
    colour: Colour,
    timeout: Duration,
) -> Result<(), String> {
    poll(
        &format!("the tray icon is {colour:?}"),
        timeout,
        Duration::from_millis(100),
        || {
            let icon = icon(bus, item)?;
            if icon.colour == colour {
                Ok(())
            } else {
                Err(format!("{:?} ({})", icon.colour, icon.file.display()))
            }
        },
    )
}

/// Clicks the menu entry at `path` (e.g. `["Quit"]`) once the menu is `ready`. The menu is
/// rebuilt with new ids when a status changes, and a click on a replaced id is refused: the menu
/// is read and clicked again on a refusal.
pub fn click(
    bus: &Connection,
    item: &Item,
    path: &[&str],
    ready: impl Fn(&Menu) -> bool,
    timeout: Duration,
) -> Result<(), String> {
    poll(
        &format!("{path:?} clicked in the tray menu"),
        timeout,
        Duration::from_millis(50),
        || {
            let menu = menu(bus, item)?;
            match menu.find(path) {
                Some(entry) if ready(&menu) => menu.click(bus, entry),
                _ => Err(menu.outline()),
            }
        },
    )
}

/// Waits until the item's menu has a top-level line `label`.
pub fn wait_menu(bus: &Connection, item: &Item, label: &str) -> Result<(), String> {
    poll(
        &format!("the tray menu shows {label:?}"),
        Duration::from_secs(10),
        Duration::from_millis(100),
        || {
            let menu = menu(bus, item)?;
            if menu.top_labels().contains(&label) {
                Ok(())
            } else {
                Err(menu.top_labels().join(" | "))
            }
        },
    )
}

/// An `(ia{sv}av)` layout node, possibly inside a variant.
fn entry(value: &Value<'_>) -> Option<Entry> {
    let Value::Structure(node) = unwrap_variant(value) else {
        return None;
    };
    let [Value::I32(id), Value::Dict(props), Value::Array(children)] = node.fields() else {
        return None;
    };
    let label = props
        .iter()
        .find_map(|(k, v)| match (unwrap_variant(k), unwrap_variant(v)) {
            (Value::Str(k), Value::Str(v)) if k.as_str() == "label" => Some(v.as_str().to_owned()),
            _ => None,
        })
        .unwrap_or_default();
    Some(Entry {
        id: *id,
        label,
        children: children.iter().filter_map(entry).collect(),
    })
}

fn unwrap_variant<'a>(value: &'a Value<'a>) -> &'a Value<'a> {
    match value {
        Value::Value(inner) => unwrap_variant(inner),
        other => other,
    }
}
