//! SMTP replies (RFC 5321 §4.2): reply codes as a type, a reply (complete, or the part that
//! arrived), the ways bytes can fail to be one, and the bounds a reply is read within — a line
//! cap, and caps on the lines and bytes whose text is kept. The incremental parser that produces
//! replies is the sibling module `parser`.

use std::fmt;

use serde::Serialize;
use tokio::time::Instant;

/// The longest reply line accepted, CRLF included (RFC 5321 §4.5.3.1.5 asks for 512; servers
/// send longer EHLO lines, so we are generous but bounded).
pub const DEFAULT_LINE_CAP: usize = 4096;

/// How many lines of one reply keep their text; further lines are validated and counted.
pub const MAX_KEPT_LINES: usize = 100;

/// How much text one reply keeps, counted as it costs in JSON (escapes included), so that a
/// report stays a few tens of KiB whatever a server sends; further lines are validated and
/// counted.
pub const MAX_KEPT_BYTES: usize = 8 * 1024;

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
    /// 421: service not available, closing the channel.
    pub const SERVICE_UNAVAILABLE: Self = Self(421);
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

    /// The three ASCII digits, e.g. `b"250"`.
    pub(crate) fn digits(self) -> [u8; 3] {
        // A code is 200–559, so each digit is below 10 and the casts cannot truncate.
        #[allow(clippy::cast_possible_truncation)]
        [100, 10, 1].map(|unit| b'0' + (self.0 / unit % 10) as u8)
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

/// One reply: its code and the text of the first lines (without code and separator). Complete
/// once its final line arrived; a reply cut off by a deadline or a close is kept as far as it
/// came, with `complete` false. Two replies are equal when they say the same, whenever it
/// arrived.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Reply {
    /// The code every line carried.
    pub code: ReplyCode,
    /// The text of each kept line, decoded lossily from whatever bytes the server sent.
    pub lines: Vec<String>,
    /// True once the final line (`DDD text`) arrived.
    pub complete: bool,
    /// Lines past [`MAX_KEPT_LINES`] or [`MAX_KEPT_BYTES`] that were checked but not kept.
    #[serde(skip_serializing_if = "is_zero")]
    #[cfg_attr(feature = "ts", ts(as = "Option<usize>", optional))]
    pub omitted_lines: usize,
    /// The text bytes of the omitted lines.
    #[serde(skip_serializing_if = "is_zero")]
    #[cfg_attr(feature = "ts", ts(as = "Option<usize>", optional))]
    pub omitted_bytes: usize,
    /// When each kept line arrived.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub(crate) arrived: Vec<Instant>,
    /// The JSON cost ([`json_cost`]) of the kept lines.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    kept_cost: usize,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl PartialEq for Reply {
    fn eq(&self, other: &Self) -> bool {
        (
            self.code,
            &self.lines,
            self.complete,
            self.omitted_lines,
            self.omitted_bytes,
        ) == (
            other.code,
            &other.lines,
            other.complete,
            other.omitted_lines,
            other.omitted_bytes,
        )
    }
}

impl Eq for Reply {}

impl Reply {
    /// A complete reply of `lines` that all arrived now.
    pub fn new(code: ReplyCode, lines: Vec<String>) -> Self {
        let mut reply = Self::started(code);
        let now = Instant::now();
        for line in lines {
            reply.keep(line, now);
        }
        reply.complete = true;
        reply
    }

    /// A reply whose first line is about to be kept.
    pub(crate) fn started(code: ReplyCode) -> Self {
        Self::expecting(code, 0)
    }

    /// A reply whose first line is about to be kept, with room for `lines` lines (at most
    /// [`MAX_KEPT_LINES`]): a reply that arrived whole is kept without growing.
    pub(crate) fn expecting(code: ReplyCode, lines: usize) -> Self {
        let room = lines.min(MAX_KEPT_LINES);
        Self {
            code,
            lines: Vec::with_capacity(room),
            complete: false,
            omitted_lines: 0,
            omitted_bytes: 0,
            arrived: Vec::with_capacity(room),
            kept_cost: 0,
        }
    }

    /// Keeps one more line that arrived `at`, while it fits the caps; once one line did not
    /// fit, the later ones are counted only (the kept lines stay the reply's beginning).
    pub(crate) fn keep(&mut self, text: String, at: Instant) {
        // Once a line was omitted, later ones are not weighed: a flood costs a count per line.
        let cost = (self.omitted_lines == 0 && self.lines.len() < MAX_KEPT_LINES)
            .then(|| json_cost(&text))
            .filter(|cost| self.kept_cost + cost <= MAX_KEPT_BYTES);
        if let Some(cost) = cost {
            self.kept_cost += cost;
            self.lines.push(text);
            self.arrived.push(at);
        } else {
            self.omitted_lines += 1;
            self.omitted_bytes += text.len();
        }
    }

    /// When the first and the last kept line arrived.
    pub(crate) fn arrival_span(&self) -> Option<(Instant, Instant)> {
        Some((*self.arrived.first()?, *self.arrived.last()?))
    }

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

    /// The kept lines as they came over the wire: `DDD-text`, and `DDD text` for the final
    /// line when it is among them.
    pub fn wire_lines(&self) -> impl Iterator<Item = String> + '_ {
        let last =
            (self.complete && self.omitted_lines == 0).then(|| self.lines.len().saturating_sub(1));
        let code = self.code.digits();
        self.lines.iter().enumerate().map(move |(i, text)| {
            let text = text.trim_end();
            let sep = if Some(i) == last { ' ' } else { '-' };
            let mut line = String::with_capacity(4 + text.len());
            line.extend(code.map(char::from));
            // A bare final line is the code alone, as a trimmed `DDD ` would be.
            if !(text.is_empty() && sep == ' ') {
                line.push(sep);
            }
            line.push_str(text);
            line
        })
    }
}

/// What `text` costs in a JSON string: control characters take six bytes (`\u0001`), quotes
/// and backslashes two, everything else its UTF-8 length.
pub(crate) fn json_cost(text: &str) -> usize {
    text.chars()
        .map(|c| match c {
            '"' | '\\' => 2,
            c if c < ' ' => 6,
            c => c.len_utf8(),
        })
        .sum()
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
    fn lines_past_the_caps_are_counted_not_kept() {
        let now = Instant::now();
        let mut reply = Reply::started(code(250));
        for n in 0..MAX_KEPT_LINES + 5 {
            reply.keep(format!("X-{n}"), now);
        }
        assert_eq!(reply.lines.len(), MAX_KEPT_LINES);
        assert_eq!(reply.omitted_lines, 5);
        assert_eq!(reply.omitted_bytes, 5 * "X-100".len());

        let mut wide = Reply::started(code(220));
        for _ in 0..4 {
            wide.keep("x".repeat(3000), now);
        }
        wide.keep("short".into(), now);
        assert_eq!(
            (wide.lines.len(), wide.omitted_lines),
            (2, 3),
            "the kept lines stay a prefix"
        );
    }

    #[test]
    fn text_is_costed_as_json_escapes_it() {
        assert_eq!(json_cost("ab"), 2);
        assert_eq!(json_cost("a\u{1}\"é"), 1 + 6 + 2 + 2);
        let mut controls = Reply::started(code(250));
        controls.keep("\u{1}".repeat(2000), Instant::now());
        controls.keep("\u{1}".repeat(2000), Instant::now());
        assert_eq!(
            controls.lines.len(),
            0,
            "12,000 bytes of escapes do not fit 8 KiB"
        );
    }

    #[test]
    fn an_incomplete_reply_has_no_final_line() {
        let mut reply = Reply::started(code(220));
        reply.keep("mx.example ESMTP".into(), Instant::now());
        assert_eq!(
            reply.wire_lines().collect::<Vec<_>>(),
            ["220-mx.example ESMTP"]
        );
        reply.complete = true;
        assert_eq!(
            reply.wire_lines().collect::<Vec<_>>(),
            ["220 mx.example ESMTP"]
        );
    }

    #[test]
    fn wire_lines_are_code_separator_and_text_trimmed() {
        let reply = Reply::new(
            code(250),
            vec!["mx.example  ".into(), "  ".into(), String::new()],
        );
        assert_eq!(
            reply.wire_lines().collect::<Vec<_>>(),
            ["250-mx.example", "250-", "250"]
        );
        assert_eq!(code(421).digits(), *b"421");
        assert_eq!(code(205).digits(), *b"205");
    }

    #[test]
    fn code_classes() {
        assert_eq!(code(421).severity(), Severity::TransientNegative);
        assert_eq!(code(554).severity(), Severity::PermanentNegative);
        assert_eq!(ReplyCode::new(199), None);
        assert_eq!(ReplyCode::new(560), None);
    }
}
