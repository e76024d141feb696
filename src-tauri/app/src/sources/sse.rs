//! A Server-Sent Events parser (the HTML standard's "event stream" format) over bytes as they
//! arrive, with bounded memory whatever a server sends: a line longer than [`MAX_EVENT`] or an
//! event whose data grows past it is an error, and the caller drops the connection. Lines end in
//! LF, CRLF or CR; `:` lines are comments (the agent's keep-alives); `event`, `data` and `id`
//! are kept, other fields ignored.

/// The most bytes one event (its data lines together) or one line may hold: an agent's
/// `snapshot` of thousands of monitors fits.
pub const MAX_EVENT: usize = 16 * 1024 * 1024;

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// Its `event:` name (`message` when none).
    pub name: String,
    /// Its `data:` lines joined with LF.
    pub data: String,
    /// Its `id:`, if it had one.
    pub id: Option<String>,
}

/// The stream broke a bound.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the agent sent an event stream line or event over {MAX_EVENT} bytes")]
pub struct TooLarge;

/// The parser's state between chunks.
#[derive(Debug, Default)]
pub struct SseParser {
    line: Vec<u8>,
    /// The last byte was a CR: an LF right after it ends nothing more.
    after_cr: bool,
    name: Option<String>,
    data: Option<String>,
    id: Option<String>,
}

impl SseParser {
    /// Feeds a chunk; returns the events it completed.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<Vec<SseEvent>, TooLarge> {
        let mut out = Vec::new();
        for &b in chunk {
            match b {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\n' | b'\r' => {
                    self.after_cr = b == b'\r';
                    let line = std::mem::take(&mut self.line);
                    if let Some(event) = self.line_done(&line)? {
                        out.push(event);
                    }
                }
                _ => {
                    self.after_cr = false;
                    if self.line.len() >= MAX_EVENT {
                        return Err(TooLarge);
                    }
                    self.line.push(b);
                }
            }
        }
        Ok(out)
    }

    fn line_done(&mut self, line: &[u8]) -> Result<Option<SseEvent>, TooLarge> {
        if line.is_empty() {
            let name = self.name.take();
            return Ok(self.data.take().map(|data| SseEvent {
                name: name.unwrap_or_else(|| "message".to_owned()),
                data,
                id: self.id.take(),
            }));
        }
        if line[0] == b':' {
            return Ok(None);
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(at) => {
                let value = &line[at + 1..];
                (&line[..at], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &[][..]),
        };
        let value = String::from_utf8_lossy(value);
        match field {
            b"event" => self.name = Some(value.into_owned()),
            b"data" => match &mut self.data {
                None => self.data = Some(value.into_owned()),
                Some(data) => {
                    if data.len() + value.len() + 1 > MAX_EVENT {
                        return Err(TooLarge);
                    }
                    data.push('\n');
                    data.push_str(&value);
                }
            },
            b"id" if !value.contains('\0') => self.id = Some(value.into_owned()),
            _ => {}
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(parser: &mut SseParser, chunks: &[&[u8]]) -> Vec<SseEvent> {
        chunks
            .iter()
            .flat_map(|c| parser.feed(c).unwrap())
            .collect()
    }

    #[test]
    fn events_split_anywhere_with_any_line_end() {
        let text = b": keep-alive\r\n\r\nevent: state_change\r\nid: 7\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\nevent: snapshot\rid: 8\rdata: x\r\r";
        for split in 0..text.len() {
            let mut p = SseParser::default();
            let events = all(&mut p, &[&text[..split], &text[split..]]);
            assert_eq!(events.len(), 2, "split at {split}");
            assert_eq!(events[0].name, "state_change");
            assert_eq!(events[0].id.as_deref(), Some("7"));
            assert_eq!(events[0].data, "{\"a\":\n1}");
            assert_eq!(
                (events[1].name.as_str(), events[1].data.as_str()),
                ("snapshot", "x")
            );
        }
    }

    #[test]
    fn an_event_without_data_is_not_dispatched() {
        let mut p = SseParser::default();
        assert!(all(&mut p, &[b"event: x\n\n: c\n\n"]).is_empty());
    }

    #[test]
    fn an_endless_line_or_event_is_refused_with_bounded_memory() {
        let mut p = SseParser::default();
        let chunk = vec![b'a'; 1024 * 1024];
        let mut refused = false;
        for _ in 0..32 {
            if p.feed(&chunk).is_err() {
                refused = true;
                break;
            }
        }
        assert!(refused);
        assert!(p.line.capacity() <= 2 * MAX_EVENT);
        let mut p = SseParser::default();
        let line = format!("data: {}\n", "b".repeat(1024 * 1024));
        let refused = (0..32).any(|_| p.feed(line.as_bytes()).is_err());
        assert!(refused, "many data lines of one event are bounded too");
    }
}
