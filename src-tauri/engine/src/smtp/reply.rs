//! SMTP replies (RFC 5321 §4.2): reply codes as a type, and an incremental parser that turns a
//! byte buffer into complete replies line by line.
//!
//! The parser is lenient where RFC 5321 §4.2.1 and §2.3.8 ask a client to be — a final line that
//! is just `250`, bare LF line ends, any bytes in the text (kept lossily) — and strict where a
//! monitor must be: every line of one reply carries the same code, a line longer than the cap is
//! an error, and anything that is not `DDD[ -]text` is an error. Memory stays bounded: the text of
//! at most [`MAX_KEPT_LINES`] lines is kept, later continuation lines are checked and counted.

use std::fmt;

use bytes::BytesMut;
use serde::Serialize;

/// The longest reply line accepted, CRLF included (RFC 5321 §4.5.3.1.5 asks for 512; servers
/// send longer EHLO lines, so we are generous but bounded).
pub const DEFAULT_LINE_CAP: usize = 4096;

/// How many lines of one reply keep their text; further lines are validated and counted.
pub const MAX_KEPT_LINES: usize = 10_000;

/// A three-digit SMTP reply code such as 250 or 421.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(transparent)]
pub struct ReplyCode(u16);

/// The first digit of a reply code (RFC 5321 §4.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// 2yz: the requested action was completed.
    PositiveCompletion,
    /// 3yz: the server waits for more input.
    PositiveIntermediate,
    /// 4yz: temporary failure, the client may try again.
    TransientNegative,
    /// 5yz: permanent failure.
    PermanentNegative,
}

impl ReplyCode {
    /// 220: service ready (the greeting, and the answer to STARTTLS).
    pub const SERVICE_READY: Self = Self(220);
    /// 221: closing the channel (the answer to QUIT).
    pub const CLOSING: Self = Self(221);
    /// 250: requested action completed (the answer to EHLO).
    pub const OK: Self = Self(250);

    /// Builds a code from its number; `None` unless it is a valid reply code (200–559 with a
    /// second digit of 0–5).
    pub fn new(value: u16) -> Option<Self> {
        let (first, second) = (value / 100, value / 10 % 10);
        ((2..=5).contains(&first) && second <= 5).then_some(Self(value))
    }

    /// The number, e.g. 250.
    pub fn value(self) -> u16 {
        self.0
    }

    /// What the first digit says.
    pub fn severity(self) -> Severity {
        match self.0 / 100 {
            2 => Severity::PositiveCompletion,
            3 => Severity::PositiveIntermediate,
            4 => Severity::TransientNegative,
            _ => Severity::PermanentNegative,
        }
    }
}

impl fmt::Display for ReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One complete reply: its code and the text of each line (without code and separator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Reply {
    /// The code every line carried.
    pub code: ReplyCode,
    /// The text of each kept line, decoded lossily from whatever bytes the server sent.
    pub lines: Vec<String>,
    /// Lines past [`MAX_KEPT_LINES`] that were checked but whose text was not kept.
    #[serde(skip_serializing_if = "is_zero")]
    #[cfg_attr(feature = "ts", ts(as = "Option<usize>", optional))]
    pub omitted_lines: usize,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Reply {
    /// The reply as a server would print it on one line: `421 4.3.2 Shutting down`, with the
    /// lines of a multi-line reply joined by ` / `.
    pub fn summary(&self) -> String {
        let text: Vec<&str> = self
            .lines
            .iter()
            .map(String::as_str)
            .filter(|l| !l.is_empty())
            .collect();
        if text.is_empty() {
            self.code.to_string()
        } else {
            format!("{} {}", self.code, text.join(" / "))
        }
    }

    /// The reply as it came over the wire, one `DDD-text` / `DDD text` line per kept line.
    pub fn wire_lines(&self) -> impl Iterator<Item = String> + '_ {
        let last = self.lines.len().saturating_sub(1);
        self.lines.iter().enumerate().map(move |(i, text)| {
            let sep = if i == last { ' ' } else { '-' };
            format!("{}{sep}{text}", self.code).trim_end().to_owned()
        })
    }
}

/// Why bytes could not be read as a reply. Each variant quotes what the server sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    /// A line that does not start with a three-digit code followed by space, hyphen or the end.
    #[error("not an SMTP reply line: {line:?}")]
    Malformed {
        /// The offending line, lossily decoded and shortened.
        line: String,
    },
    /// A continuation line whose code differs from the first line's (RFC 5321 §4.2.1).
    #[error("reply lines carry different codes: {first} then {then} ({line:?})")]
    CodeMismatch {
        /// The code of the first line.
        first: ReplyCode,
        /// The code that differed.
        then: ReplyCode,
        /// The offending line.
        line: String,
    },
    /// A line longer than the cap without a line end.
    #[error("reply line longer than {cap} bytes without a line end (starts {start:?})")]
    LineTooLong {
        /// The cap in force.
        cap: usize,
        /// The first bytes of the line.
        start: String,
    },
}

/// An incremental reply parser: feed it the connection's buffer, it consumes complete lines and
/// says "need more bytes" (`Ok(None)`) until the final line of a reply has arrived.
#[derive(Debug)]
pub struct ReplyParser {
    line_cap: usize,
    code: Option<ReplyCode>,
    lines: Vec<String>,
    omitted_lines: usize,
}

impl Default for ReplyParser {
    fn default() -> Self {
        Self::new(DEFAULT_LINE_CAP)
    }
}

impl ReplyParser {
    /// A parser that rejects lines longer than `line_cap` bytes (line end included).
    pub fn new(line_cap: usize) -> Self {
        Self {
            line_cap,
            code: None,
            lines: Vec::new(),
            omitted_lines: 0,
        }
    }

    /// True while part of a reply has been read but not its final line.
    pub fn is_mid_reply(&self) -> bool {
        self.code.is_some()
    }

    /// Consumes complete lines from `buf`. Returns the reply once its final line is in, leaving
    /// any later bytes in `buf`; `Ok(None)` means more bytes are needed.
    pub fn parse(&mut self, buf: &mut BytesMut) -> Result<Option<Reply>, ReplyError> {
        loop {
            // Only the first `line_cap` bytes can hold the end of an acceptable line.
            let window = &buf[..buf.len().min(self.line_cap)];
            let Some(newline) = window.iter().position(|&b| b == b'\n') else {
                if buf.len() >= self.line_cap {
                    return Err(ReplyError::LineTooLong {
                        cap: self.line_cap,
                        start: quote(&buf[..64.min(buf.len())]),
                    });
                }
                return Ok(None);
            };
            let line = buf.split_to(newline + 1);
            let line = strip_line_end(&line);
            if let Some(reply) = self.take_line(line)? {
                return Ok(Some(reply));
            }
            if buf.is_empty() {
                return Ok(None);
            }
        }
    }

    fn take_line(&mut self, line: &[u8]) -> Result<Option<Reply>, ReplyError> {
        let (code, is_final, text) =
            split_line(line).ok_or_else(|| ReplyError::Malformed { line: quote(line) })?;
        match self.code {
            None => self.code = Some(code),
            Some(first) if first != code => {
                return Err(ReplyError::CodeMismatch {
                    first,
                    then: code,
                    line: quote(line),
                });
            }
            Some(_) => {}
        }
        if self.lines.len() < MAX_KEPT_LINES {
            self.lines.push(String::from_utf8_lossy(text).into_owned());
        } else {
            self.omitted_lines += 1;
        }
        if !is_final {
            return Ok(None);
        }
        let reply = Reply {
            code,
            lines: std::mem::take(&mut self.lines),
            omitted_lines: self.omitted_lines,
        };
        self.code = None;
        self.omitted_lines = 0;
        Ok(Some(reply))
    }
}

fn strip_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Splits `DDD-text`, `DDD text` or a bare `DDD` into (code, is final line, text).
fn split_line(line: &[u8]) -> Option<(ReplyCode, bool, &[u8])> {
    let digits = line.get(..3)?;
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = digits
        .iter()
        .fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
    let code = ReplyCode::new(value)?;
    match line.get(3) {
        None => Some((code, true, &[])),
        Some(b' ') => Some((code, true, &line[4..])),
        Some(b'-') => Some((code, false, &line[4..])),
        Some(_) => None,
    }
}

/// Shows server bytes to a person: lossy UTF-8, at most 200 characters.
pub(crate) fn quote(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(strip_line_end(bytes));
    let mut out: String = text.chars().take(200).collect();
    if text.chars().nth(200).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(input: &[u8]) -> Result<Option<Reply>, ReplyError> {
        let mut parser = ReplyParser::default();
        let mut buf = BytesMut::from(input);
        parser.parse(&mut buf)
    }

    fn code(n: u16) -> ReplyCode {
        ReplyCode::new(n).unwrap()
    }

    const EHLO: &[u8] =
        b"250-mx.example.com Hello\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 STARTTLS\r\n";

    #[test]
    fn multi_line_reply_keeps_every_line_text() {
        let reply = parse_all(EHLO).unwrap().unwrap();
        assert_eq!(reply.code, ReplyCode::OK);
        assert_eq!(
            reply.lines,
            [
                "mx.example.com Hello",
                "PIPELINING",
                "SIZE 10240000",
                "STARTTLS"
            ]
        );
        assert_eq!(
            reply.summary(),
            "250 mx.example.com Hello / PIPELINING / SIZE 10240000 / STARTTLS"
        );
    }

    #[test]
    fn fed_byte_by_byte_gives_the_same_reply() {
        let whole = parse_all(EHLO).unwrap().unwrap();
        let mut parser = ReplyParser::default();
        let mut buf = BytesMut::new();
        let mut got = None;
        for (i, b) in EHLO.iter().enumerate() {
            buf.extend_from_slice(&[*b]);
            if let Some(reply) = parser.parse(&mut buf).unwrap() {
                assert_eq!(i, EHLO.len() - 1, "reply completed early");
                got = Some(reply);
            }
        }
        assert_eq!(got.unwrap(), whole);
    }

    #[test]
    fn random_splits_give_the_same_reply() {
        let whole = parse_all(EHLO).unwrap().unwrap();
        // A small deterministic generator (xorshift) keeps the test reproducible.
        let mut state: u32 = 0x9E37_79B9;
        for _ in 0..500 {
            let mut parser = ReplyParser::default();
            let mut buf = BytesMut::new();
            let mut rest = EHLO;
            let mut got = None;
            while !rest.is_empty() {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let n = 1 + (state as usize % 9).min(rest.len() - 1);
                buf.extend_from_slice(&rest[..n]);
                rest = &rest[n..];
                if let Some(reply) = parser.parse(&mut buf).unwrap() {
                    assert!(rest.is_empty());
                    got = Some(reply);
                }
            }
            assert_eq!(got.as_ref(), Some(&whole));
        }
    }

    #[test]
    fn bare_code_and_bare_lf_are_accepted() {
        let reply = parse_all(b"250\n").unwrap().unwrap();
        assert_eq!(
            (reply.code, reply.lines),
            (ReplyCode::OK, vec![String::new()])
        );
        let reply = parse_all(b"250-a\n250\n").unwrap().unwrap();
        assert_eq!(reply.lines, ["a", ""]);
    }

    #[test]
    fn non_utf8_text_is_kept_lossily() {
        let reply = parse_all(b"220 caf\xe9 \xff ready\r\n").unwrap().unwrap();
        assert_eq!(reply.lines, ["caf\u{fffd} \u{fffd} ready"]);
    }

    #[test]
    fn bytes_after_the_final_line_stay_in_the_buffer() {
        let mut parser = ReplyParser::default();
        let mut buf = BytesMut::from(&b"220 hi\r\n250 early\r\n"[..]);
        assert_eq!(
            parser.parse(&mut buf).unwrap().unwrap().code,
            ReplyCode::SERVICE_READY
        );
        assert_eq!(&buf[..], b"250 early\r\n");
        assert_eq!(parser.parse(&mut buf).unwrap().unwrap().code, ReplyCode::OK);
    }

    #[test]
    fn code_mismatch_is_an_error() {
        let err = parse_all(b"250-a\r\n251 b\r\n").unwrap_err();
        assert_eq!(
            err,
            ReplyError::CodeMismatch {
                first: code(250),
                then: code(251),
                line: "251 b".into()
            }
        );
    }

    #[test]
    fn malformed_lines_are_errors() {
        for bad in [
            &b"hello\r\n"[..],
            b"25\r\n",
            b"2500 x\r\n",
            b"250x\r\n",
            b"099 x\r\n",
            b"260 x\r\n",
            b"\r\n",
            b"HTTP/1.1 400\r\n",
        ] {
            assert!(
                matches!(parse_all(bad), Err(ReplyError::Malformed { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn line_cap_applies_with_and_without_line_end() {
        let mut long = vec![b'2', b'5', b'0', b' '];
        long.resize(DEFAULT_LINE_CAP + 10, b'x');
        assert!(matches!(
            parse_all(&long),
            Err(ReplyError::LineTooLong { .. })
        ));
        long.extend_from_slice(b"\r\n");
        assert!(matches!(
            parse_all(&long),
            Err(ReplyError::LineTooLong { .. })
        ));
        let mut fits = vec![b'2', b'5', b'0', b' '];
        fits.resize(DEFAULT_LINE_CAP - 2, b'x');
        fits.extend_from_slice(b"\r\n");
        assert!(parse_all(&fits).unwrap().is_some());
    }

    #[test]
    fn short_partial_line_waits_for_more() {
        assert_eq!(parse_all(b"250-PIPELINING\r\n250 SI").unwrap(), None);
    }

    #[test]
    fn thousands_of_lines_are_accepted_with_bounded_text() {
        let mut input = Vec::new();
        for i in 0..(MAX_KEPT_LINES + 5000) {
            input.extend_from_slice(format!("250-X-EXT{i}\r\n").as_bytes());
        }
        input.extend_from_slice(b"250 END\r\n");
        let reply = parse_all(&input).unwrap().unwrap();
        assert_eq!(reply.lines.len(), MAX_KEPT_LINES);
        assert_eq!(reply.omitted_lines, 5001);
    }

    #[test]
    fn code_classes() {
        assert_eq!(code(421).severity(), Severity::TransientNegative);
        assert_eq!(code(554).severity(), Severity::PermanentNegative);
        assert_eq!(ReplyCode::new(199), None);
        assert_eq!(ReplyCode::new(560), None);
    }
}
