//! The MTA-STS policy file (RFC 8461 §3.2): `key: value` lines ended by CRLF or LF —
//! `version: STSv1`, `mode: enforce|testing|none`, `max_age` (seconds, at most 31557600), and
//! one or more `mx:` patterns (required unless the mode is `none`) — and how an MX host
//! matches a pattern (§4.1): exactly, or `*.` standing for exactly one leftmost label.

use serde::{Deserialize, Serialize};

/// The largest `max_age` RFC 8461 allows: about a year.
pub(crate) const MAX_AGE_LIMIT: u64 = 31_557_600;

/// The most `mx` patterns kept from one policy.
const MAX_PATTERNS: usize = 64;

/// How senders apply a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum StsMode {
    /// Senders refuse to deliver to hosts that fail the policy.
    Enforce,
    /// Senders deliver anyway and report failures (TLS-RPT).
    Testing,
    /// The domain withdrew its policy.
    None,
}

impl StsMode {
    /// Its spelling in the policy, JSON and metrics: `enforce`, `testing`, `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enforce => "enforce",
            Self::Testing => "testing",
            Self::None => "none",
        }
    }
}

/// A parsed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Policy {
    pub mode: StsMode,
    pub mx: Vec<String>,
    pub max_age: u64,
}

/// The policy in `text`, or what is wrong with it, naming the field and value.
pub(crate) fn parse_policy(text: &str) -> Result<Policy, String> {
    let mut version = None;
    let mut mode = None;
    let mut max_age = None;
    let mut mx = Vec::new();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(format!("line {line:?} is not key: value"));
        };
        let value = value.trim();
        match key.trim() {
            "version" if version.is_none() => version = Some(value.to_owned()),
            "mode" if mode.is_none() => {
                mode = Some(match value {
                    "enforce" => StsMode::Enforce,
                    "testing" => StsMode::Testing,
                    "none" => StsMode::None,
                    other => return Err(format!("mode {other:?} is not enforce, testing or none")),
                });
            }
            "max_age" if max_age.is_none() => {
                let age = value
                    .parse::<u64>()
                    .ok()
                    .filter(|_| value.len() <= 10 && value.chars().all(|c| c.is_ascii_digit()))
                    .ok_or_else(|| format!("max_age {value:?} is not a number of seconds"))?;
                if age > MAX_AGE_LIMIT {
                    return Err(format!(
                        "max_age {age} is more than {MAX_AGE_LIMIT} seconds (RFC 8461 §3.2)"
                    ));
                }
                max_age = Some(age);
            }
            "mx" => {
                let pattern = value.trim_end_matches('.').to_ascii_lowercase();
                if !valid_pattern(&pattern) {
                    return Err(format!("mx {value:?} is not a host name or *.domain"));
                }
                if mx.len() < MAX_PATTERNS {
                    mx.push(pattern);
                }
            }
            // Repeated keys take their first value; unknown keys are ignored (§3.2).
            _ => {}
        }
    }
    match version.as_deref() {
        Some("STSv1") => {}
        Some(other) => return Err(format!("version {other:?} is not STSv1")),
        None => return Err("no version field (version: STSv1)".to_owned()),
    }
    let mode = mode.ok_or("no mode field (mode: enforce|testing|none)")?;
    let max_age = max_age.ok_or("no max_age field")?;
    if mx.is_empty() && mode != StsMode::None {
        return Err(format!("no mx field, which mode {} needs", mode.as_str()));
    }
    Ok(Policy { mode, mx, max_age })
}

/// True for `host.example` or `*.example`: labels of letters, digits and hyphens.
fn valid_pattern(pattern: &str) -> bool {
    let name = pattern.strip_prefix("*.").unwrap_or(pattern);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

/// True when MX host `host` is covered by `pattern` (RFC 8461 §4.1): equal, ignoring case and
/// a trailing dot, or `*.rest` with `host` being one label followed by `.rest`.
pub(crate) fn mx_matches(pattern: &str, host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(rest) => host
            .split_once('.')
            .is_some_and(|(label, tail)| !label.is_empty() && tail == rest),
        None => host == pattern,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_policy_with_crlf_or_lf() {
        let lf = "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmx: *.example.net\nmax_age: 86400\n";
        let crlf = lf.replace('\n', "\r\n");
        for text in [lf.to_owned(), crlf] {
            let policy = parse_policy(&text).unwrap();
            assert_eq!(
                policy,
                Policy {
                    mode: StsMode::Enforce,
                    mx: vec!["mx1.example.com".into(), "*.example.net".into()],
                    max_age: 86400
                }
            );
        }
    }

    #[test]
    fn bad_policies_name_the_field() {
        for (text, said) in [
            ("mode: enforce\nmx: a.b\nmax_age: 1\n", "no version"),
            (
                "version: STSv2\nmode: enforce\nmx: a.b\nmax_age: 1\n",
                "version \"STSv2\"",
            ),
            (
                "version: STSv1\nmode: enforcing\nmx: a.b\nmax_age: 1\n",
                "mode \"enforcing\"",
            ),
            (
                "version: STSv1\nmode: enforce\nmx: a.b\nmax_age: 31557601\n",
                "max_age 31557601",
            ),
            (
                "version: STSv1\nmode: enforce\nmx: a.b\nmax_age: -1\n",
                "max_age \"-1\"",
            ),
            ("version: STSv1\nmode: enforce\nmax_age: 60\n", "no mx"),
            ("version: STSv1\nmode: enforce\nmx: a.b\n", "no max_age"),
            ("version: STSv1\nmx: a.b\nmax_age: 60\n", "no mode"),
            (
                "version: STSv1\nmode: testing\nmx: a b\nmax_age: 60\n",
                "mx \"a b\"",
            ),
            ("<html>\n", "not key: value"),
        ] {
            let err = parse_policy(text).unwrap_err();
            assert!(err.contains(said), "{text:?}: {err}");
        }
        let none = parse_policy("version: STSv1\nmode: none\nmax_age: 60\n").unwrap();
        assert_eq!(none.mode, StsMode::None);
        assert_eq!(
            parse_policy("version: STSv1\nmode: testing\nmx: A.B.\nmax_age: 31557600\n")
                .unwrap()
                .mx,
            ["a.b"]
        );
    }

    #[test]
    fn mx_patterns_match_as_rfc_8461_says() {
        assert!(mx_matches("mx.example.com", "mx.example.com"));
        assert!(mx_matches("mx.example.com", "MX.Example.com."));
        assert!(!mx_matches("mx.example.com", "mx2.example.com"));
        assert!(mx_matches("*.example.com", "mx.example.com"));
        assert!(!mx_matches("*.example.com", "a.b.example.com"));
        assert!(!mx_matches("*.example.com", "example.com"));
        assert!(!mx_matches("*.example.com", "mx.example.com.evil"));
    }
}
