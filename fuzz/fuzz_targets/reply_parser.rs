//! Fuzzes the incremental SMTP reply parser (`ehlowatch_engine::ReplyParser`) the way a
//! connection uses it: bytes arrive in arbitrary pieces and the parser is drained after each.
//!
//! Input layout: byte 0 picks the line cap, bytes 1..5 are the piece sizes (cycled; 0 feeds
//! nothing), the rest is the server's byte stream. Invariants checked:
//! - the buffer is always a suffix of what was fed (nothing invented, nothing re-added);
//! - `Ok(None)` leaves no complete line and fewer than `cap` bytes behind;
//! - every reply is exactly the lines consumed since the previous one: same code on each line,
//!   `-` on all but the last, text as sent (lossily decoded), no line longer than the cap;
//! - feeding in pieces gives the same replies and error as feeding everything at once.

#![no_main]

use bytes::BytesMut;
use ehlowatch_engine::{DEFAULT_LINE_CAP, MAX_KEPT_LINES};
use ehlowatch_engine::{Reply, ReplyError, ReplyParser};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&cap_byte, rest)) = data.split_first() else {
        return;
    };
    let Some((sizes, stream)) = rest.split_first_chunk::<4>() else {
        return;
    };
    // Small caps reach the line-cap paths quickly; the high half uses the real cap.
    let cap = if cap_byte < 0x80 {
        1 + usize::from(cap_byte)
    } else {
        DEFAULT_LINE_CAP
    };
    let pieces = feed(stream, cap, Some(sizes));
    let whole = feed(stream, cap, None);
    assert_eq!(
        normalise(&pieces),
        normalise(&whole),
        "pieces and whole stream disagree"
    );
});

/// What the parser produced: each reply, then at most one error.
type Events = Vec<Result<Reply, ReplyError>>;

/// Feeds `stream` in pieces of `sizes[i % 4] % 64` bytes (one byte each when all are 0), or
/// all at once without `sizes`, draining the parser after each piece and checking every step.
fn feed(stream: &[u8], cap: usize, sizes: Option<&[u8; 4]>) -> Events {
    let piece = |i: usize| match sizes {
        None => stream.len(),
        Some(sizes) if sizes.iter().all(|s| s % 64 == 0) => 1,
        Some(sizes) => usize::from(sizes[i % 4] % 64),
    };
    let mut parser = ReplyParser::new(cap);
    let mut buf = BytesMut::new();
    let mut events = Events::new();
    let (mut fed, mut reply_start) = (0, 0);
    for i in 0.. {
        if fed == stream.len() && i > 0 {
            break;
        }
        let n = piece(i).min(stream.len() - fed);
        buf.extend_from_slice(&stream[fed..fed + n]);
        fed += n;
        loop {
            let result = parser.parse(&mut buf);
            assert!(
                stream[..fed].ends_with(&buf),
                "the buffer is not what is left of the input"
            );
            let consumed = fed - buf.len();
            match result {
                Ok(None) => {
                    assert!(!buf.contains(&b'\n'), "a complete line was left unparsed");
                    assert!(
                        buf.len() < cap,
                        "{} bytes without a line end passed cap {cap}",
                        buf.len()
                    );
                    break;
                }
                Ok(Some(reply)) => {
                    check_reply(&reply, &stream[reply_start..consumed], cap);
                    assert!(!parser.is_mid_reply(), "mid-reply after a complete reply");
                    reply_start = consumed;
                    events.push(Ok(reply));
                }
                Err(err) => {
                    check_error(&err, &stream[consumed..fed], cap);
                    events.push(Err(err));
                    return events;
                }
            }
        }
    }
    events
}

/// The reply must be exactly the lines in `wire`.
fn check_reply(reply: &Reply, wire: &[u8], cap: usize) {
    assert!(wire.ends_with(b"\n"), "a reply ended without a line end");
    let lines: Vec<&[u8]> = wire.split_inclusive(|&b| b == b'\n').collect();
    let code = reply.code.to_string();
    for (i, line) in lines.iter().enumerate() {
        assert!(
            line.len() <= cap,
            "a {}-byte line passed cap {cap}",
            line.len()
        );
        let line = strip_line_end(line);
        assert_eq!(
            &line[..3],
            code.as_bytes(),
            "a line of reply {code} has another code"
        );
        let last = i + 1 == lines.len();
        match line.get(3) {
            None | Some(b' ') => assert!(last, "a final-looking line in the middle of a reply"),
            Some(b'-') => assert!(!last, "a continuation line ended the reply"),
            Some(other) => panic!("separator {other:#x} accepted"),
        }
    }
    let texts: Vec<String> = lines
        .iter()
        .map(|line| {
            String::from_utf8_lossy(strip_line_end(line).get(4..).unwrap_or_default()).into_owned()
        })
        .collect();
    let kept = texts.len().min(MAX_KEPT_LINES);
    assert_eq!(
        reply.lines,
        texts[..kept],
        "the reply's text is not what was sent"
    );
    assert_eq!(
        reply.omitted_lines,
        texts.len() - kept,
        "omitted lines miscounted"
    );
}

/// An error must be about the bytes that are left.
fn check_error(err: &ReplyError, left: &[u8], cap: usize) {
    if let ReplyError::LineTooLong { cap: said, .. } = err {
        assert_eq!(*said, cap, "the error names another cap");
        let line_len = left
            .iter()
            .position(|&b| b == b'\n')
            .map_or(left.len(), |nl| nl + 1);
        assert!(
            line_len >= cap,
            "a {line_len}-byte line called longer than cap {cap}"
        );
    }
}

/// The quoted start of an over-long line depends on how much was buffered; the rest must match.
fn normalise(events: &Events) -> Events {
    events
        .iter()
        .map(|event| match event {
            Err(ReplyError::LineTooLong { cap, .. }) => Err(ReplyError::LineTooLong {
                cap: *cap,
                start: String::new(),
            }),
            other => other.clone(),
        })
        .collect()
}

fn strip_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}
