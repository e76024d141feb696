//! The settings file in an app's data directory, as the tests read it behind the app's back:
//! parsed and validated as the app does, and the files a save may leave beside it.

use std::path::Path;

use ehlowatch_app::settings::file;
use ehlowatch_app::settings::Settings;
use serde_json::Value;

/// The settings file, read and validated as the app does; the provisioned monitor must be in
/// it unchanged.
pub fn read_settings(dir: &Path, provisioned: &Value) -> Result<Settings, String> {
    let path = dir.join("settings.json");
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (settings, _) = file::parse(&bytes, Some(dir)).map_err(|e| {
        format!(
            "{} is not valid settings ({e}):\n{}",
            path.display(),
            String::from_utf8_lossy(&bytes)
        )
    })?;
    let wanted = &provisioned["monitor"][0];
    let monitor = settings
        .config
        .monitors
        .first()
        .ok_or("the monitor is gone")?;
    let same = monitor.name.as_deref() == wanted["name"].as_str()
        && monitor.host.as_deref() == wanted["host"].as_str()
        && monitor.port == wanted["port"].as_i64()
        && settings.config.monitors.len() == 1;
    if same {
        Ok(settings)
    } else {
        Err(format!(
            "the monitor changed: {:?}",
            settings.config.monitors
        ))
    }
}

/// No settings file was moved aside as corrupt; returns the temporary files a kill left
/// behind (`.settings-*.tmp`, harmless: never read).
pub fn assert_no_corrupt_files(dir: &Path) -> Vec<String> {
    let names: Vec<String> = std::fs::read_dir(dir)
        .expect("the data directory")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("settings.json.corrupt-")),
        "a settings file was moved aside: {names:?}"
    );
    names
        .into_iter()
        .filter(|n| n.starts_with(".settings-"))
        .collect()
}
