//! A remote agent as `settings.json` keeps it ([`AgentSource`], under `agents`), what the window
//! gives to add one ([`AgentInput`]), and their validation: the name (`^[a-z0-9][a-z0-9-]{0,31}$`,
//! unique), the URL (http or https with a host; plain http only to a loopback host), the CA
//! file (a readable PEM file). The token is never part of these settings: it lives in the
//! keyring ([`super::tokens`]).

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;

use chrono::{DateTime, Utc};
use ehlowatch_engine::Problem;
use serde::{Deserialize, Serialize};

/// A remote agent the desktop watches, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct AgentSource {
    /// Its name: the prefix of its monitors' keys (`dc1/mx1`).
    pub name: String,
    /// Its base URL, `https://host:port`.
    pub url: String,
    /// A PEM file of the CA to trust for it; `None`: the system's roots.
    #[serde(default)]
    pub ca_file: Option<String>,
    /// Its monitors muted on this desktop: agent monitor id → until when.
    #[serde(default)]
    pub muted: BTreeMap<String, DateTime<Utc>>,
}

/// What the window gives to add an agent.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ts_rs::TS)]
pub struct AgentInput {
    /// Its name.
    pub name: String,
    /// Its base URL.
    pub url: String,
    /// Its bearer token (read-only or control).
    pub token: String,
    /// A PEM file of the CA to trust, if not the system's.
    pub ca_file: Option<String>,
}

/// The longest token accepted (the agent's are 32–1024 bytes of text).
const TOKEN_MAX: usize = 4096;

/// A URL taken apart: scheme, host (brackets removed), port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentUrl {
    /// True for `https`.
    pub tls: bool,
    /// The host name or IP literal.
    pub host: String,
    /// The port (the scheme's default when none is written).
    pub port: u16,
}

impl AgentUrl {
    /// Parses `text` as `http(s)://host[:port][/]`; `None` when it is not such a URL.
    pub fn parse(text: &str) -> Option<Self> {
        let (tls, rest) = if let Some(rest) = text.strip_prefix("https://") {
            (true, rest)
        } else {
            (false, text.strip_prefix("http://")?)
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
            return None;
        }
        let default = if tls { 443 } else { 80 };
        let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
            let (host, after) = v6.split_once(']')?;
            host.parse::<std::net::Ipv6Addr>().ok()?;
            match after {
                "" => (host, default),
                p => (host, p.strip_prefix(':')?.parse().ok()?),
            }
        } else {
            match rest.split_once(':') {
                Some((host, port)) => (host, port.parse().ok()?),
                None => (rest, default),
            }
        };
        let valid_name = host
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        if host.is_empty() || port == 0 || !(valid_name || host.parse::<IpAddr>().is_ok()) {
            return None;
        }
        Some(Self {
            tls,
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    /// True for `localhost` and loopback addresses.
    pub fn is_loopback(&self) -> bool {
        self.host == "localhost" || self.host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }
}

/// True for a valid source name.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 32
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The problems of one source's fields, with paths under `at` (`agents[1]`, `agent`).
pub fn field_problems(at: &str, name: &str, url: &str, ca_file: Option<&str>) -> Vec<Problem> {
    let mut problems = Vec::new();
    if !valid_name(name) {
        problems.push(Problem::new(
            format!("{at}.name"),
            format!(
                "{name:?} is not a source name (1 to 32 of a-z, 0-9 and -, not starting with -)"
            ),
        ));
    }
    match AgentUrl::parse(url) {
        None => problems.push(Problem::new(
            format!("{at}.url"),
            format!("{url:?} is not an agent URL (https://host:port)"),
        )),
        Some(u) if !u.tls && !u.is_loopback() => problems.push(Problem::new(
            format!("{at}.url"),
            format!(
                "{url:?} is plain http to a host that is not loopback: the token would cross \
                 the network in clear; use https"
            ),
        )),
        Some(_) => {}
    }
    if let Some(file) = ca_file {
        if let Err(why) = readable_pem(Path::new(file)) {
            problems.push(Problem::new(
                format!("{at}.ca_file"),
                format!("{file:?} {why}"),
            ));
        }
    }
    problems
}

/// `Ok` when `path` is a readable file holding at least one PEM certificate.
fn readable_pem(path: &Path) -> Result<(), String> {
    let text = std::fs::read(path).map_err(|e| format!("cannot be read: {e}"))?;
    if text
        .windows(27)
        .any(|w| w == b"-----BEGIN CERTIFICATE-----")
    {
        Ok(())
    } else {
        Err("holds no PEM certificate (-----BEGIN CERTIFICATE-----)".to_owned())
    }
}

/// The problems of the window's input to add an agent, under `agent.*`; `taken` are the names
/// already in use.
pub fn input_problems(input: &AgentInput, taken: &[String]) -> Vec<Problem> {
    let mut problems = field_problems("agent", &input.name, &input.url, input.ca_file.as_deref());
    if taken.contains(&input.name) {
        problems.push(Problem::new(
            "agent.name",
            format!("{:?} is already the name of an agent", input.name),
        ));
    }
    problems.extend(token_problem("agent.token", &input.token));
    problems
}

/// The problem of a token, if any, never quoting it.
pub fn token_problem(path: &str, token: &str) -> Option<Problem> {
    let token = token.trim();
    if token.is_empty() {
        Some(Problem::new(path, "the token is empty"))
    } else if token.len() > TOKEN_MAX || token.chars().any(|c| c.is_control() || c == ' ') {
        Some(Problem::new(
            path,
            format!("the token must be at most {TOKEN_MAX} characters with no spaces or control characters"),
        ))
    } else {
        None
    }
}

/// The problems of every stored source, with paths `agents[i].…`; names must be unique.
pub fn validate(sources: &[AgentSource]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (i, s) in sources.iter().enumerate() {
        let at = format!("agents[{i}]");
        problems.extend(field_problems(&at, &s.name, &s.url, s.ca_file.as_deref()));
        if sources[..i].iter().any(|o| o.name == s.name) {
            problems.push(Problem::new(
                format!("{at}.name"),
                format!("{:?} is already the name of another agent", s.name),
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_taken_apart_and_bad_ones_named() {
        let u = AgentUrl::parse("https://dc1.example.net:9925/").unwrap();
        assert_eq!(
            (u.tls, u.host.as_str(), u.port),
            (true, "dc1.example.net", 9925)
        );
        assert_eq!(
            AgentUrl::parse("https://dc1.example.net").unwrap().port,
            443
        );
        assert_eq!(AgentUrl::parse("http://[::1]:80").unwrap().host, "::1");
        for bad in [
            "ftp://x",
            "https://",
            "https://a b",
            "https://h:0",
            "h:1",
            "https://h/x",
        ] {
            assert_eq!(AgentUrl::parse(bad), None, "{bad}");
        }
        let problems = field_problems("agents[1]", "dc1", "ftp://x", None);
        assert_eq!(
            problems[0].to_string(),
            "agents[1].url: \"ftp://x\" is not an agent URL (https://host:port)"
        );
    }

    #[test]
    fn plain_http_only_to_loopback() {
        assert!(field_problems("agent", "a", "http://127.0.0.1:9925", None).is_empty());
        assert!(field_problems("agent", "a", "http://localhost:1", None).is_empty());
        let p = field_problems("agent", "a", "http://192.0.2.1:9925", None);
        assert_eq!(p[0].path, "agent.url");
    }

    #[test]
    fn names_are_checked_and_unique() {
        for bad in ["", "-a", "A", "a_b", &"a".repeat(33)] {
            assert!(!valid_name(bad), "{bad}");
        }
        assert!(valid_name("dc1") && valid_name("0-a"));
        let s = |name: &str| AgentSource {
            name: name.into(),
            url: "https://h:1".into(),
            ca_file: None,
            muted: BTreeMap::new(),
        };
        let p = validate(&[s("dc1"), s("dc1")]);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].path, "agents[1].name");
    }

    #[test]
    fn a_missing_ca_file_and_a_bad_token_are_named_without_the_token() {
        let input = AgentInput {
            name: "dc1".into(),
            url: "https://h:1".into(),
            token: "sec ret".into(),
            ca_file: Some("/nonexistent/ca.pem".into()),
        };
        let p = input_problems(&input, &[]);
        let paths: Vec<&str> = p.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["agent.ca_file", "agent.token"]);
        assert!(p.iter().all(|p| !p.message.contains("sec ret")));
    }
}
