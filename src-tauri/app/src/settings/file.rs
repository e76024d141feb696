//! Reading and writing `settings.json`. A file that cannot be read, parsed or validated is never
//! overwritten: it is renamed to `settings.json.corrupt-<UTC timestamp>` and the app starts on
//! defaults, saying so. Writes go through the engine's [`atomic_file::replace`]: a crash at any
//! moment leaves the old file or the new one, never a torn one, and on Windows a save waits
//! briefly for another program (an antivirus, the indexer, an editor) that holds the file open.

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use chrono::Utc;
use ehlowatch_engine::{atomic_file, Config, ConfigError, ConfigFile};
use serde_json::Value;

use super::{Settings, UiPrefs};

/// What loading found.
#[derive(Debug)]
pub struct Loaded {
    /// The settings in force.
    pub settings: Settings,
    /// Their validated configuration.
    pub config: Config,
    /// True when there was no settings file (a first run).
    pub first_run: bool,
    /// For people: why the file on disk was not used, and where it was kept.
    pub notice: Option<String>,
}

/// Loads `path`. A missing file is a first run; a damaged or invalid one is moved aside.
/// Temporary files that a crash in the middle of a write left behind are removed.
pub fn load(path: &Path) -> Loaded {
    atomic_file::remove_leftovers(path);
    let defaults = || Loaded {
        settings: Settings::default(),
        config: Config::default(),
        first_run: false,
        notice: None,
    };
    let text = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Loaded {
                first_run: true,
                ..defaults()
            }
        }
        Err(e) => {
            return Loaded {
                notice: Some(format!(
                    "{} could not be read ({e}); EHLO Watch runs on defaults and will not \
                     overwrite it",
                    path.display()
                )),
                ..defaults()
            }
        }
    };
    match parse(&text, path.parent()) {
        Ok((settings, config)) => Loaded {
            settings,
            config,
            ..defaults()
        },
        Err(problem) => {
            let notice = match keep_aside(path) {
                Ok(kept) => format!(
                    "Settings were not usable ({problem}). The file was kept as {} and \
                     EHLO Watch started with defaults.",
                    kept.display()
                ),
                Err(e) => format!(
                    "Settings were not usable ({problem}) and could not be moved aside ({e}); \
                     EHLO Watch runs on defaults and will not overwrite {}",
                    path.display()
                ),
            };
            Loaded {
                notice: Some(notice),
                ..defaults()
            }
        }
    }
}

/// Parses and validates settings text; the error is one line naming the first problems.
/// Relative `ca_file` paths are taken relative to `dir`.
pub fn parse(text: &[u8], dir: Option<&Path>) -> Result<(Settings, Config), String> {
    let text = std::str::from_utf8(text).map_err(|e| format!("not UTF-8: {e}"))?;
    let mut root: serde_json::Map<String, Value> =
        serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let ui = match root.remove("ui") {
        None => UiPrefs::default(),
        Some(v) => serde_json::from_value(v).map_err(|e| format!("ui: {e}"))?,
    };
    let agents: Vec<crate::sources::entry::AgentSource> = match root.remove("agents") {
        None => Vec::new(),
        Some(v) => serde_json::from_value(v).map_err(|e| format!("agents: {e}"))?,
    };
    let problems = crate::sources::entry::validate(&agents);
    if !problems.is_empty() {
        return Err(problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "));
    }
    let rest = Value::Object(root).to_string();
    let mut file = ConfigFile::from_json_str(&rest).map_err(|e| summary(&e))?;
    if let Some(dir) = dir {
        file.resolve_paths(dir);
    }
    let config = Config::validate(&file).map_err(|e| summary(&e))?;
    Ok((
        Settings {
            config: file,
            ui,
            agents,
        },
        config,
    ))
}

/// The first problems of a validation error, on one line.
fn summary(error: &ConfigError) -> String {
    const SHOWN: usize = 3;
    let problems = &error.problems;
    let mut line = problems
        .iter()
        .take(SHOWN)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    if problems.len() > SHOWN {
        let _ = write!(line, "; and {} more", problems.len() - SHOWN);
    }
    line
}

/// Renames `path` to `<path>.corrupt-<timestamp>` and returns the new path.
pub fn keep_aside(path: &Path) -> io::Result<PathBuf> {
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".corrupt-{stamp}"));
    let mut kept = PathBuf::from(name);
    let mut n = 1;
    while kept.exists() {
        let mut name = path.as_os_str().to_owned();
        name.push(format!(".corrupt-{stamp}-{n}"));
        kept = PathBuf::from(name);
        n += 1;
    }
    std::fs::rename(path, &kept)?;
    Ok(kept)
}

/// The settings as the file holds them: pretty JSON with a final newline.
pub fn to_json(settings: &Settings) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(settings)?;
    text.push('\n');
    Ok(text)
}

/// Writes `settings` to `path` atomically (see [`atomic_file::replace`]).
pub fn write_atomic(path: &Path, settings: &Settings) -> io::Result<()> {
    let text = to_json(settings).map_err(io::Error::other)?;
    atomic_file::replace(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ehlowatch_engine::MonitorFile;

    fn one_monitor() -> Settings {
        Settings {
            config: ConfigFile {
                monitors: vec![MonitorFile {
                    name: Some("mx1".into()),
                    host: Some("127.0.0.1".into()),
                    port: Some(2525),
                    ..MonitorFile::default()
                }],
                ..ConfigFile::default()
            },
            ui: UiPrefs::default(),
            agents: Vec::new(),
        }
    }

    #[test]
    fn a_written_file_loads_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        write_atomic(&path, &one_monitor()).unwrap();
        let loaded = load(&path);
        assert_eq!(loaded.settings, one_monitor());
        assert_eq!(loaded.config.monitors[0].spec.port, 2525);
        assert!(!loaded.first_run);
        assert!(loaded.notice.is_none());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left behind");
    }

    #[test]
    fn the_file_uses_the_agent_keys() {
        let text = to_json(&one_monitor()).unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["monitor"][0]["host"], "127.0.0.1");
        assert_eq!(value["ui"]["notify_warnings"], true);
    }

    #[test]
    fn temporary_files_of_an_interrupted_write_are_removed_at_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        write_atomic(&path, &one_monitor()).unwrap();
        std::fs::write(dir.path().join(".settings-Ab12Cd.tmp"), b"{\"monit").unwrap();
        std::fs::write(dir.path().join("notes.tmp"), b"mine").unwrap();
        assert_eq!(load(&path).settings, one_monitor());
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["notes.tmp", "settings.json"]);
    }

    #[test]
    fn a_missing_file_is_a_first_run() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = load(&dir.path().join("settings.json"));
        assert!(loaded.first_run);
        assert!(loaded.notice.is_none());
    }

    #[test]
    fn a_torn_file_is_kept_aside_and_defaults_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(&path, b"{\"monitor\": [{\"name\": \"mx1\", \"ho").unwrap();
        let loaded = load(&path);
        assert_eq!(loaded.settings, Settings::default());
        assert!(!path.exists(), "the corrupt file is not left in place");
        let kept: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(kept.len(), 1);
        assert!(kept[0].starts_with("settings.json.corrupt-"), "{kept:?}");
        let notice = loaded.notice.unwrap();
        assert!(
            notice.contains(&kept[0]) && notice.contains("not JSON"),
            "{notice}"
        );
        assert_eq!(
            std::fs::read(dir.path().join(&kept[0])).unwrap(),
            b"{\"monitor\": [{\"name\": \"mx1\", \"ho"
        );
    }

    #[test]
    fn an_invalid_value_is_named_and_the_file_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(
            &path,
            br#"{"monitor": [{"name": "mx1", "host": "mx1.example", "port": 70000}]}"#,
        )
        .unwrap();
        let notice = load(&path).notice.unwrap();
        assert!(
            notice.contains("monitor[0].port") && notice.contains("70000"),
            "{notice}"
        );
        assert!(!path.exists());
    }

    #[test]
    fn unknown_ui_keys_are_refused() {
        let err = parse(br#"{"ui": {"colour": "red"}}"#, None).unwrap_err();
        assert!(err.starts_with("ui: unknown field `colour`"), "{err}");
    }
}
