//! Query parameters and errors of the viewers' API: a query string is split into `name=value`
//! pairs, each name must be one the endpoint knows, and a bad one is a 400 whose JSON body
//! (`{"error": "…"}`) names the parameter and the value.

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use ehlowatch_engine::{HistoryError, Window};

/// An answer other than 200: its status and a message for people.
#[derive(Debug)]
pub(super) struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    /// 400: a parameter is missing, unknown or malformed.
    pub(super) fn bad(message: String) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message,
        }
    }

    /// 404: no such monitor on this agent.
    pub(super) fn unknown_monitor(id: &str) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            message: format!("no monitor {id:?} on this agent"),
        }
    }

    /// 503: the agent keeps no history (its database could not be opened).
    pub(super) fn no_history() -> Self {
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: "this agent keeps no history (its database could not be opened: see its log)"
                .to_owned(),
        }
    }
}

impl From<HistoryError> for ApiError {
    fn from(e: HistoryError) -> Self {
        tracing::error!(error = %e, "a history query failed");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: e.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.message });
        (self.status, Json(body)).into_response()
    }
}

/// The parameters of a query string; a name not in `known`, or given twice, is refused.
pub(super) fn parse(
    query: Option<&str>,
    known: &[&str],
) -> Result<HashMap<String, String>, ApiError> {
    let mut params = HashMap::new();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if !known.contains(&name) {
            let expected = if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            };
            return Err(ApiError::bad(format!(
                "{name}: not a parameter here (known: {expected})"
            )));
        }
        if params.insert(name.to_owned(), value.to_owned()).is_some() {
            return Err(ApiError::bad(format!("{name}: given more than once")));
        }
    }
    Ok(params)
}

/// The `window` parameter: one of the windows the app shows (`1h`, `24h`, `7d`, `30d`),
/// `24h` when absent.
pub(super) fn window(params: &HashMap<String, String>) -> Result<Window, ApiError> {
    let Some(value) = params.get("window") else {
        return Ok(Window::Day);
    };
    serde_json::from_value(serde_json::Value::String(value.clone())).map_err(|_| {
        ApiError::bad(format!(
            "window: {value:?} is not a window (1h, 24h, 7d, 30d)"
        ))
    })
}

/// A boolean parameter: `1`/`true` or `0`/`false`; `false` when absent.
pub(super) fn flag(params: &HashMap<String, String>, name: &str) -> Result<bool, ApiError> {
    match params.get(name).map(String::as_str) {
        None | Some("0" | "false") => Ok(false),
        Some("1" | "true" | "") => Ok(true),
        Some(other) => Err(ApiError::bad(format!(
            "{name}: {other:?} is not a boolean (1, true, 0, false)"
        ))),
    }
}

/// A stream sequence (`since`, `Last-Event-ID`): a whole number, at least 0.
pub(super) fn sequence(name: &str, value: &str) -> Result<i64, ApiError> {
    value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| {
            ApiError::bad(format!(
                "{name}: {value:?} is not a stream sequence (a whole number, at least 0)"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(e: ApiError) -> String {
        e.message
    }

    #[test]
    fn bad_parameters_name_themselves_and_their_value() {
        let known = ["window"];
        let table = [
            (
                "window=2h",
                "window: \"2h\" is not a window (1h, 24h, 7d, 30d)",
            ),
            ("windw=1h", "windw: not a parameter here (known: window)"),
            ("window=1h&window=7d", "window: given more than once"),
        ];
        for (query, want) in table {
            let got = parse(Some(query), &known).and_then(|p| window(&p).map(drop));
            assert_eq!(got.map_err(message).unwrap_err(), want, "{query}");
        }
        let p = parse(Some("window=7d"), &known).unwrap();
        assert_eq!(window(&p).unwrap(), Window::Week);
        assert_eq!(window(&parse(None, &known).unwrap()).unwrap(), Window::Day);
        assert_eq!(
            message(sequence("since", "-1").unwrap_err()),
            "since: \"-1\" is not a stream sequence (a whole number, at least 0)"
        );
        assert_eq!(sequence("Last-Event-ID", " 42 ").unwrap(), 42);
        let p = parse(Some("results=yes"), &["results"]).unwrap();
        assert_eq!(
            message(flag(&p, "results").unwrap_err()),
            "results: \"yes\" is not a boolean (1, true, 0, false)"
        );
    }
}
