//! The one error type of the shell's commands. It serialises as `{type, data}` so the window
//! can branch on `type` — above all `invalid`, which carries every validation problem with the
//! path of its field.

use ehlowatch_engine::HistoryError;
use ehlowatch_engine::{ConfigError, Problem};
use serde::Serialize;

use crate::sources::view::AgentProblem;

/// Why a command failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, ts_rs::TS)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum AppError {
    /// The input was refused; every problem, each naming its field (`monitor[2].port`).
    #[error("{}", problems_line(.0))]
    Invalid(Vec<Problem>),
    /// No monitor has this id.
    #[error("no monitor has the id {0:?}")]
    NotFound(String),
    /// The history could not be read.
    #[error("history: {0}")]
    History(String),
    /// The settings could not be written or read.
    #[error("storage: {0}")]
    Storage(String),
    /// The engine has stopped (the app is quitting).
    #[error("the monitoring engine has stopped")]
    EngineStopped,
    /// A remote agent refused or failed a live request; the message names its URL.
    #[error("{0}")]
    Agent(AgentProblem),
}

fn problems_line(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl From<ConfigError> for AppError {
    fn from(e: ConfigError) -> Self {
        Self::Invalid(e.problems)
    }
}

impl From<AgentProblem> for AppError {
    fn from(p: AgentProblem) -> Self {
        Self::Agent(p)
    }
}

impl From<HistoryError> for AppError {
    fn from(e: HistoryError) -> Self {
        Self::History(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_type_and_data() {
        let e = AppError::Invalid(vec![Problem::new("monitor[0].port", "70000 is not a port")]);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["type"], "invalid");
        assert_eq!(json["data"][0]["path"], "monitor[0].port");
        assert_eq!(
            serde_json::to_value(AppError::EngineStopped).unwrap(),
            serde_json::json!({"type": "engine_stopped"})
        );
    }
}
