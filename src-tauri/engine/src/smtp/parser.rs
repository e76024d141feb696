//! The incremental reply parser (RFC 5321 §4.2): it turns a byte buffer into complete replies
//! line by line and says "need more bytes" until a reply's final line is in.
//!
//! It is lenient where RFC 5321 §4.2.1 and §2.3.8 ask a client to be — a final line that is just
//! `250`, bare LF line ends, any bytes in the text (kept lossily) — and strict where a monitor
//! must be: every line of one reply carries the same code, a line longer than the cap is an
//! error, and anything that is not `DDD[ -]text` is an error. Memory stays bounded: a reply
//! keeps the text of its first lines within [`MAX_KEPT_LINES`] and [`MAX_KEPT_BYTES`]; later
//! lines are checked and counted. Each kept line carries the time its bytes arrived, and a reply
//! cut off before its final line can still be had as far as it came ([`ReplyParser::partial`]).
//!
//! [`MAX_KEPT_BYTES`]: super::reply::MAX_KEPT_BYTES

use bytes::{Buf, BytesMut};
use tokio::time::Instant;

use super::reply::{Reply, ReplyCode, ReplyError, DEFAULT_LINE_CAP, MAX_KEPT_LINES};

/// An incremental reply parser: feed it the connection's buffer, it consumes complete lines and
/// says "need more bytes" (`Ok(None)`) until the final line of a reply has arrived.
#[derive(Debug)]
pub struct ReplyParser {
    line_cap: usize,
    /// The reply whose final line has not arrived yet.
    current: Option<Reply>,
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
            current: None,
        }
    }

    /// True while part of a reply has been read but not its final line.
    pub fn is_mid_reply(&self) -> bool {
        self.current.is_some()
    }

    /// The reply read so far when its final line has not arrived (`complete` is false).
    pub fn partial(&self) -> Option<&Reply> {
        self.current.as_ref()
    }

    /// Consumes complete lines from `buf`. Returns the reply once its final line is in, leaving
    /// any later bytes in `buf`; `Ok(None)` means more bytes are needed.
    pub fn parse(&mut self, buf: &mut BytesMut) -> Result<Option<Reply>, ReplyError> {
        self.parse_arrived(buf, Instant::now())
    }

    /// [`Self::parse`] for bytes that arrived `at`.
    pub(crate) fn parse_arrived(
        &mut self,
        buf: &mut BytesMut,
        at: Instant,
    ) -> Result<Option<Reply>, ReplyError> {
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
            // A new reply gets room for the lines already in: it mostly arrives whole.
            let room = if self.current.is_none() {
                buf.iter()
                    .filter(|&&b| b == b'\n')
                    .take(MAX_KEPT_LINES)
                    .count()
            } else {
                0
            };
            let taken = self.take_line(strip_line_end(&buf[..=newline]), room, at);
            buf.advance(newline + 1);
            if let Some(reply) = taken? {
                return Ok(Some(reply));
            }
            if buf.is_empty() {
                return Ok(None);
            }
        }
    }

    fn take_line(
        &mut self,
        line: &[u8],
        room: usize,
        at: Instant,
    ) -> Result<Option<Reply>, ReplyError> {
        let (code, is_final, text) =
            split_line(line).ok_or_else(|| ReplyError::Malformed { line: quote(line) })?;
        let reply = self
            .current
            .get_or_insert_with(|| Reply::expecting(code, room));
        if reply.code != code {
            return Err(ReplyError::CodeMismatch {
                first: reply.code,
                then: code,
                line: quote(line),
            });
        }
        reply.keep(String::from_utf8_lossy(text).into_owned(), at);
        if !is_final {
            return Ok(None);
        }
        Ok(self.current.take().map(|mut reply| {
            reply.complete = true;
            reply
        }))
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
mod tests;
