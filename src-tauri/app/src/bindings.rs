//! The TypeScript types of the window's IPC (docs/ipc.md), generated from the Rust types with
//! ts-rs into `ui/src/bindings/`, one file per type, the settings registry's defaults and
//! ranges as `settingsRegistry.ts`, and each status's colour, rank and ids with the event-id
//! table as `statuses.ts`; all committed. A test fails when the committed files differ
//! from what the Rust side gives; `UPDATE_BINDINGS=1 cargo test -p ehlowatch-app --lib bindings`
//! rewrites them.

use std::fmt::Write as _;
use std::path::Path;

use ehlowatch_engine::settings::{self, Setting};
use ehlowatch_engine::EngineEvent;
use ehlowatch_engine::ProbeReport;
use ehlowatch_engine::Snapshot;
use ehlowatch_engine::StateChange;
use ehlowatch_engine::{tables_of, ConfigFile, MonitorFile, Problem};
use ehlowatch_engine::{Colour, EventId, Status};
use ehlowatch_engine::{ResultRecord, SeriesPoint, Stats, Window};
use serde_json::json;
use ts_rs::TS;

use crate::commands::domains::MxPreview;
use crate::commands::settings::AppInfo;
use crate::error::AppError;
use crate::settings::Settings;
use crate::sources::entry::{AgentInput, AgentSource};
use crate::sources::view::{RemoteStateChange, SourceView};

/// Where the UI keeps the generated files, from the repository root.
pub const DIR: &str = "ui/src/bindings";

/// Writes every IPC type (and the types they use) into `dir`.
pub fn export_to(dir: &Path) -> Result<(), ts_rs::ExportError> {
    Snapshot::export_all_to(dir)?;
    EngineEvent::export_all_to(dir)?;
    StateChange::export_all_to(dir)?;
    ProbeReport::export_all_to(dir)?;
    ResultRecord::export_all_to(dir)?;
    SeriesPoint::export_all_to(dir)?;
    Stats::export_all_to(dir)?;
    Window::export_all_to(dir)?;
    ConfigFile::export_all_to(dir)?;
    MonitorFile::export_all_to(dir)?;
    Problem::export_all_to(dir)?;
    Settings::export_all_to(dir)?;
    AppInfo::export_all_to(dir)?;
    MxPreview::export_all_to(dir)?;
    AppError::export_all_to(dir)?;
    Colour::export_all_to(dir)?;
    SourceView::export_all_to(dir)?;
    RemoteStateChange::export_all_to(dir)?;
    AgentInput::export_all_to(dir)?;
    AgentSource::export_all_to(dir)?;
    std::fs::write(dir.join("settingsRegistry.ts"), settings_ts())?;
    std::fs::write(dir.join("statuses.ts"), statuses_ts())?;
    Ok(())
}

/// `statuses.ts`: every status with its colour class, its rank for "worst" (higher is worse),
/// its `ehlowatch_status` value and event id; and every event id with its name — so the window
/// orders and colours statuses as the tray and the agent do.
fn statuses_ts() -> String {
    let mut out = String::from(
        "// Generated from the engine's statuses and event ids. Do not edit: \
         `UPDATE_BINDINGS=1 cargo test -p ehlowatch-app --lib bindings` rewrites it.\n\
         export const STATUSES = {\n",
    );
    for status in Status::ALL {
        let entry = json!({
            "colour": status.colour(), "rank": status.rank(), "metric": status.metric_value(),
            "event_id": status.event_id(),
        });
        let _ = writeln!(out, "  {}: {entry},", status.as_str());
    }
    out.push_str("} as const;\n\nexport const EVENT_IDS = {\n");
    for id in EventId::ALL {
        let entry = json!({ "name": id.name(), "emitted": id.emitted() });
        let _ = writeln!(out, "  {}: {entry},", id.code());
    }
    out.push_str("} as const;\n");
    out
}

/// `settingsRegistry.ts`: every integer and yes/no setting of the registry with the tables it is
/// set in, its default, range, unit and meaning — the window's defaults and limits.
fn settings_ts() -> String {
    let mut out = String::from(
        "// Generated from the engine's settings registry. Do not edit: \
         `UPDATE_BINDINGS=1 cargo test -p ehlowatch-app --lib bindings` rewrites it.\n\
         export const SETTINGS = {\n",
    );
    for setting in settings::ALL {
        let tables = tables_of(setting.key());
        let entry = match setting {
            Setting::Int(s) => json!({
                "kind": "int", "tables": tables, "default": s.default, "min": s.min,
                "max": s.max, "unit": s.unit, "noun": s.noun, "doc": s.doc,
            }),
            Setting::Flag(s) => json!({
                "kind": "bool", "tables": tables, "default": s.default, "doc": s.doc,
            }),
            Setting::Text(_) | Setting::Choice(_) | Setting::List(_) => continue,
        };
        let _ = writeln!(out, "  {}: {entry},", setting.key());
    }
    let _ = write!(
        out,
        "}} as const;\n\n\
         /** The port a monitor uses when none is set: {} for implicit TLS, else {}. */\n\
         export const IMPLICIT_TLS_PORT = {};\n",
        settings::IMPLICIT_TLS_PORT,
        settings::SMTP_PORT,
        settings::IMPLICIT_TLS_PORT,
    );
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    fn files(dir: &std::path::Path) -> BTreeMap<String, String> {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .map(|e| e.unwrap().path())
                    .filter(|p| p.extension().is_some_and(|e| e == "ts"))
                    .map(|p| {
                        let name = p.file_name().unwrap().to_string_lossy().into_owned();
                        (name, std::fs::read_to_string(&p).unwrap())
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn bindings_are_current() {
        let committed_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(super::DIR);
        let fresh = tempfile::tempdir().unwrap();
        super::export_to(fresh.path()).unwrap();
        let fresh_files = files(fresh.path());
        assert!(fresh_files.contains_key("Snapshot.ts") && fresh_files.contains_key("AppError.ts"));
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            let _ = std::fs::remove_dir_all(&committed_dir);
            std::fs::create_dir_all(&committed_dir).unwrap();
            for (name, text) in &fresh_files {
                std::fs::write(committed_dir.join(name), text).unwrap();
            }
        }
        let committed = files(&committed_dir);
        let stale: Vec<&String> = fresh_files
            .keys()
            .chain(committed.keys())
            .filter(|name| fresh_files.get(*name) != committed.get(*name))
            .collect();
        assert!(
            stale.is_empty(),
            "ui/src/bindings is stale ({stale:?}); run: \
             UPDATE_BINDINGS=1 cargo test -p ehlowatch-app --lib bindings"
        );
    }
}
