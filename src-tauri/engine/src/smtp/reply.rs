//! SMTP replies (RFC 5321 §4.2): reply codes as a type, a complete reply, the ways bytes can fail
//! to be one, and the bounds a reply is read within — a line cap and a cap on the lines whose
//! text is kept. The incremental parser that produces replies is the sibling module `parser`.

use std::fmt;

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

#[cfg(test)]
mod tests {
    use super::*;

    fn code(n: u16) -> ReplyCode {
        ReplyCode::new(n).unwrap()
    }

    #[test]
    fn code_classes() {
        assert_eq!(code(421).severity(), Severity::TransientNegative);
        assert_eq!(code(554).severity(), Severity::PermanentNegative);
        assert_eq!(ReplyCode::new(199), None);
        assert_eq!(ReplyCode::new(560), None);
    }
}
