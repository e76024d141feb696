//! The monitoring configuration shared by the headless agent (a TOML file) and the desktop app
//! (the same model stored as JSON): `[defaults]`, `[alerts]`, `[history]`, `[control]` and a list of
//! `[[monitor]]`s. Text is read in three steps — syntax, then shape (every unknown key and
//! wrongly typed value, by walking the generic value), then meaning (ranges, rules between
//! values, unique names) — and every problem found in any step is returned at once, each with
//! its path (`monitor[2].port: 70000 is not a port (1–65535)`).
//!
//! [`ConfigFile`] is the serde form, written back as it was given; [`Config`] is the validated,
//! typed form the engine runs, with each monitor's settings merged over the defaults.

mod check;
mod file;
mod layers;
mod monitor;
mod problem;
mod rules;
mod schema;
mod typed;
mod validate;
mod walk;

use std::path::Path;

pub use file::{
    AlertsFile, ConfigFile, ControlFile, DefaultsFile, DnsFile, HistoryFile, MailPolicyFile,
    MonitorFile,
};
pub use problem::{ConfigError, Problem};
pub use rules::{check_domain, check_ehlo_keyword, check_family, check_host};
pub use schema::tables_of;
pub use typed::{Config, Control, Defaults, Dns, History, MailPolicy, MonitorConfig};

use self::problem::Problems;
use self::walk::{walk, Format, Node};
use crate::io_words::io_words;
use crate::model::{AlertPolicy, MonitorId};

impl Config {
    /// Reads and validates the agent's TOML file text.
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        let mut problems = Problems::default();
        let file = read(text, Format::Toml, &mut problems);
        finish(file.as_ref(), problems)
    }

    /// Reads and validates the desktop's JSON text (the same keys as the TOML file).
    pub fn from_json_str(text: &str) -> Result<Self, ConfigError> {
        let mut problems = Problems::default();
        let file = read(text, Format::Json, &mut problems);
        finish(file.as_ref(), problems)
    }

    /// Reads and validates a file: JSON when its name ends in `.json`, else TOML. A relative
    /// `ca_file` is taken relative to the file's directory.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::single("", format!("{}: {}", path.display(), io_words(&e)))
        })?;
        let json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let mut problems = Problems::default();
        let mut file = read(
            &text,
            if json { Format::Json } else { Format::Toml },
            &mut problems,
        );
        if let (Some(file), Some(dir)) = (file.as_mut(), path.parent()) {
            file.resolve_paths(dir);
        }
        finish(file.as_ref(), problems)
    }

    /// Validates a file already deserialized (the desktop's store).
    pub fn validate(file: &ConfigFile) -> Result<Self, ConfigError> {
        finish(Some(file), Problems::default())
    }

    /// Validates one monitor as the desktop saves it at `index` (the list's length for a new
    /// one): its values, and that no other monitor of this config has its name or id.
    pub fn validate_monitor_among_others(
        &self,
        monitor: &MonitorFile,
        index: usize,
    ) -> Result<MonitorConfig, ConfigError> {
        let (checked, problems) = validate::one_monitor(self, monitor, index);
        problems.into_result()?;
        checked.ok_or_else(incomplete)
    }

    /// The monitor with this id.
    pub fn monitor(&self, id: &MonitorId) -> Option<&MonitorConfig> {
        self.monitors.iter().find(|m| &m.id == id)
    }
}

/// Validates one monitor alone over typed defaults and policy: its values, not whether another
/// monitor has its name or id (see [`Config::validate_monitor_among_others`] for that); problems
/// are named as `monitor[index]…`.
pub fn validate_monitor_alone(
    defaults: &Defaults,
    alerts: &AlertPolicy,
    monitor: &MonitorFile,
    index: usize,
) -> Result<MonitorConfig, ConfigError> {
    let config = Config {
        defaults: defaults.clone(),
        alerts: alerts.clone(),
        ..Config::default()
    };
    config.validate_monitor_among_others(monitor, index)
}

impl ConfigFile {
    /// Reads TOML text into the serde form, checking its shape (syntax, unknown keys, types)
    /// but not its values.
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        let mut problems = Problems::default();
        let file = read(text, Format::Toml, &mut problems);
        problems.into_result()?;
        file.ok_or_else(incomplete)
    }

    /// Reads JSON text into the serde form, checking its shape but not its values.
    pub fn from_json_str(text: &str) -> Result<Self, ConfigError> {
        let mut problems = Problems::default();
        let file = read(text, Format::Json, &mut problems);
        problems.into_result()?;
        file.ok_or_else(incomplete)
    }

    /// Makes relative `ca_file` paths relative to `dir`.
    pub fn resolve_paths(&mut self, dir: &Path) {
        for m in &mut self.monitors {
            if let Some(ca) = m.ca_file.as_mut().filter(|ca| !ca.trim().is_empty()) {
                if Path::new(ca.as_str()).is_relative() {
                    *ca = dir.join(&*ca).to_string_lossy().into_owned();
                }
            }
        }
    }
}

/// Syntax and shape: the serde form of what fits, every problem in `problems`; `None` only for
/// a syntax error.
fn read(text: &str, format: Format, problems: &mut Problems) -> Option<ConfigFile> {
    let root = match format {
        Format::Toml => text.parse::<toml::Table>().map(Node::from).map_err(|e| {
            let (line, column) = e
                .span()
                .map_or((1, 1), |span| line_column(text, span.start));
            let message = e.message().trim().replace('\n', "; ");
            format!("TOML syntax error at line {line}, column {column}: {message}")
        }),
        Format::Json => serde_json::from_str::<serde_json::Value>(text)
            .map(Node::from)
            .map_err(|e| {
                let full = e.to_string();
                let suffix = format!(" at line {} column {}", e.line(), e.column());
                let message = full.strip_suffix(&suffix).unwrap_or(&full);
                let column = e.column().max(1);
                format!(
                    "JSON syntax error at line {}, column {column}: {message}",
                    e.line()
                )
            }),
    };
    let root = match root {
        Ok(root) => root,
        Err(message) => {
            problems.add_whole(message);
            return None;
        }
    };
    let fitting = walk(root, format, problems);
    match serde_json::from_value::<ConfigFile>(fitting) {
        Ok(file) => Some(file),
        Err(e) => {
            problems.add_whole(format!("internal error reading the configuration: {e}"));
            None
        }
    }
}

/// 1-based line and column (in characters) of byte `offset`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

/// Validates what was read, adding to the problems already found.
fn finish(file: Option<&ConfigFile>, mut problems: Problems) -> Result<Config, ConfigError> {
    let config = file.and_then(|file| validate::config(file, &mut problems));
    problems.into_result()?;
    config.ok_or_else(incomplete)
}

fn incomplete() -> ConfigError {
    ConfigError::single(
        "",
        "internal error: the configuration was not complete after validation",
    )
}
