//! What a bad command line or an internal error prints (DESIGN.md §2): exit 3, the human message
//! on stderr, and on stdout either the Nagios line `SMTP UNKNOWN - …` or — when `check` was
//! given `--json` — one object `{"status":"unknown","event_id":null,"error":{"argument",
//! "value","message"}}`, the argument and value null where none is at fault. clap stops at the
//! first bad argument, before it has met a later `--json`, so whether JSON is wanted is read
//! from the arguments themselves.

use std::ffi::OsString;
use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use serde::Serialize;

use crate::args::ArgError;

/// Exit code for bad arguments and internal errors.
pub const UNKNOWN: u8 = 3;

/// Whether the command line is `check … --json …` (before any `--`, after which `--json` would
/// be a value), whatever else in it is wrong.
pub fn wants_json(args: &[OsString]) -> bool {
    args.get(1).is_some_and(|sub| sub == "check")
        && args
            .iter()
            .skip(2)
            .take_while(|arg| *arg != "--")
            .any(|arg| arg == "--json")
}

/// A reason to exit 3, with the argument and value at fault when there are some.
#[derive(Debug)]
pub struct Unknown {
    argument: Option<String>,
    value: Option<String>,
    /// What stderr says, possibly several lines (clap adds usage and tips).
    detail: String,
}

impl Unknown {
    /// An error with no argument to blame (the runtime would not start, …).
    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            argument: None,
            value: None,
            detail: message.into(),
        }
    }

    /// A command line clap refused; the argument and value come from the error's context.
    pub fn from_clap(err: &clap::Error) -> Self {
        let text = |kind| match err.get(kind) {
            Some(ContextValue::String(s)) => Some(s.clone()),
            Some(ContextValue::Strings(list)) => list.first().cloned(),
            Some(ContextValue::StyledStr(s)) => Some(s.to_string()),
            Some(ContextValue::StyledStrs(list)) => list.first().map(ToString::to_string),
            _ => None,
        };
        let argument = text(ContextKind::InvalidArg)
            .or_else(|| text(ContextKind::InvalidSubcommand))
            .map(|arg| argument_name(&arg));
        // "a value is required … but none was supplied" has an empty value: there is none.
        let value = text(ContextKind::InvalidValue)
            .filter(|v| !(v.is_empty() && err.kind() == ErrorKind::InvalidValue));
        Self {
            argument,
            value,
            detail: err.render().to_string(),
        }
    }

    /// A problem found after parsing.
    pub fn from_arg(err: &ArgError) -> Self {
        Self {
            argument: Some(err.argument.to_owned()),
            value: err.value.clone(),
            detail: format!("error: {err}"),
        }
    }

    /// The first paragraph on one line, without clap's `error: ` (clap puts what is missing on
    /// the line after its colon).
    fn summary(&self) -> String {
        let first: Vec<&str> = self
            .detail
            .trim_end()
            .lines()
            .map(str::trim)
            .take_while(|line| !line.is_empty())
            .collect();
        first.join(" ").trim_start_matches("error: ").to_owned()
    }

    /// Prints the message (stderr) and the status (stdout, as JSON when `json`), exits 3.
    pub fn exit(&self, json: bool) -> ExitCode {
        let summary = self.summary();
        if json {
            let object = Object {
                status: "unknown",
                event_id: None,
                error: Error {
                    argument: self.argument.as_deref(),
                    value: self.value.as_deref(),
                    message: &summary,
                },
            };
            match serde_json::to_string(&object) {
                Ok(line) => println!("{line}"),
                Err(err) => eprintln!("error: cannot encode the error: {err}"),
            }
        } else {
            println!("SMTP UNKNOWN - {summary}");
        }
        eprintln!("{}", self.detail.trim_end());
        ExitCode::from(UNKNOWN)
    }
}

/// The `--json` object for exit 3, keys in the order of a report's.
#[derive(Serialize)]
struct Object<'a> {
    status: &'static str,
    event_id: Option<u16>,
    error: Error<'a>,
}

/// What is wrong, and with which argument and value.
#[derive(Serialize)]
struct Error<'a> {
    argument: Option<&'a str>,
    value: Option<&'a str>,
    message: &'a str,
}

/// `--port` of `--port <PORT>`, `HOST` of `<HOST>` or `[HOST]`, `-4` of `-4`.
fn argument_name(shown: &str) -> String {
    let first = shown.split_whitespace().next().unwrap_or(shown);
    first
        .strip_prefix('<')
        .and_then(|s| s.strip_suffix('>'))
        .or_else(|| first.strip_prefix('[').and_then(|s| s.strip_suffix(']')))
        .unwrap_or(first)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn json_is_wanted_by_check_only_and_before_a_double_dash() {
        assert!(wants_json(&args(&[
            "ehlowatch",
            "check",
            "--bogus",
            "--json"
        ])));
        assert!(!wants_json(&args(&["ehlowatch", "check", "--bogus"])));
        assert!(!wants_json(&args(&["ehlowatch", "run", "--json"])));
        assert!(!wants_json(&args(&["ehlowatch", "check", "--", "--json"])));
        assert!(!wants_json(&args(&["ehlowatch"])));
    }

    #[test]
    fn argument_names_lose_their_value_names_and_brackets() {
        assert_eq!(argument_name("--port <PORT>"), "--port");
        assert_eq!(argument_name("<HOST>"), "HOST");
        assert_eq!(argument_name("[HOST]"), "HOST");
        assert_eq!(argument_name("-4"), "-4");
        assert_eq!(argument_name("--bogus"), "--bogus");
    }
}
