//! The reply parser against whole, split and hostile input: byte-by-byte and random splits give
//! the same reply, lenient line forms are accepted, malformed and over-long lines are errors.

use std::time::Duration;

use super::*;
use crate::smtp::reply::MAX_KEPT_LINES;

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
fn a_reply_cut_off_is_kept_as_far_as_it_came() {
    let mut parser = ReplyParser::default();
    let mut buf = BytesMut::from(&b"220-mx.example ESMTP\r\n220-second"[..]);
    assert_eq!(parser.parse(&mut buf).unwrap(), None);
    let partial = parser.partial().unwrap();
    assert!(!partial.complete);
    assert_eq!(partial.lines, ["mx.example ESMTP"]);

    buf.extend_from_slice(b" line\r\n220 ready\r\n");
    let reply = parser.parse(&mut buf).unwrap().unwrap();
    assert!(reply.complete && parser.partial().is_none());
    assert_eq!(reply.lines.len(), 3);
}

#[test]
fn each_line_keeps_the_time_its_bytes_arrived() {
    let t0 = Instant::now();
    let t1 = t0 + Duration::from_millis(300);
    let mut parser = ReplyParser::default();
    let mut buf = BytesMut::from(&b"250-a\r\n"[..]);
    assert_eq!(parser.parse_arrived(&mut buf, t0).unwrap(), None);
    buf.extend_from_slice(b"250-b\r\n250 c\r\n");
    let reply = parser.parse_arrived(&mut buf, t1).unwrap().unwrap();
    assert_eq!(reply.arrived, [t0, t1, t1]);
}
