//! The EHLO reply read as RFC 5321 §4.1.1.1 defines it: the first line names the server's domain
//! (and an optional greeting), every later line is an extension keyword with its parameters.
//! Every keyword is kept, known or not; keywords compare case-insensitively.

use serde::Serialize;

use super::reply::Reply;

/// One advertised service extension, e.g. `SIZE 10240000`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Extension {
    /// The keyword in upper case (`PIPELINING`, `SIZE`, `X-VENDOR` …).
    pub keyword: String,
    /// The parameters after the keyword, as sent.
    pub params: Vec<String>,
}

/// What a 250 EHLO reply says about the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EhloInfo {
    /// The domain the server names itself on the first line (may be empty on a bare `250`).
    pub domain: String,
    /// Every extension, in the order advertised.
    pub extensions: Vec<Extension>,
}

impl EhloInfo {
    /// Reads the lines of an EHLO reply.
    pub fn parse(reply: &Reply) -> Self {
        let mut lines = reply.lines.iter();
        let domain = lines
            .next()
            .and_then(|first| first.split_whitespace().next())
            .unwrap_or_default()
            .to_owned();
        let mut extensions = Vec::with_capacity(lines.len());
        extensions.extend(lines.filter_map(|line| {
            let mut words = line.split_whitespace();
            let keyword = words.next()?.to_ascii_uppercase();
            Some(Extension {
                keyword,
                params: words.map(str::to_owned).collect(),
            })
        }));
        Self { domain, extensions }
    }

    /// True when `keyword` was advertised (case-insensitive).
    pub fn has(&self, keyword: &str) -> bool {
        self.extensions
            .iter()
            .any(|ext| ext.keyword.eq_ignore_ascii_case(keyword))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smtp::reply::ReplyCode;

    fn reply(lines: &[&str]) -> Reply {
        Reply::new(
            ReplyCode::OK,
            lines.iter().map(|s| (*s).to_owned()).collect(),
        )
    }

    #[test]
    fn domain_and_every_keyword_with_params() {
        let info = EhloInfo::parse(&reply(&[
            "mx.example.com Hello [192.0.2.1]",
            "size 10240000",
            "8BITMIME",
            "X-VENDOR-THING a b",
            "AUTH PLAIN LOGIN",
        ]));
        assert_eq!(info.domain, "mx.example.com");
        let keywords: Vec<_> = info.extensions.iter().map(|e| e.keyword.as_str()).collect();
        assert_eq!(keywords, ["SIZE", "8BITMIME", "X-VENDOR-THING", "AUTH"]);
        assert_eq!(info.extensions[0].params, ["10240000"]);
        assert_eq!(info.extensions[3].params, ["PLAIN", "LOGIN"]);
        assert!(!info.has("starttls") && info.has("auth") && info.has("Size"));
    }

    #[test]
    fn bare_250_has_no_domain_and_no_extensions() {
        let info = EhloInfo::parse(&reply(&[""]));
        assert_eq!(
            info,
            EhloInfo {
                domain: String::new(),
                extensions: vec![]
            }
        );
    }
}
