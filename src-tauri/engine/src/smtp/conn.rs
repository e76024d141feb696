//! A buffered SMTP connection over any byte stream (plain TCP or TLS): `read_reply()` fills the
//! buffer until the parser has a whole reply, `send()` writes one command line with CRLF.
//!
//! Bytes that arrive before they are asked for (a server that answers early, RFC 5321 §4.3.1 is
//! silent on it but servers do) stay buffered for the next read. End of stream in the middle of a
//! reply, or before one, is an error that says how much had arrived; the part of a reply that
//! did arrive stays readable ([`SmtpConn::partial_reply`]). Lines are stamped with the time of
//! the read that brought their bytes.

use std::io;

use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;

use super::parser::ReplyParser;
use super::reply::{Reply, ReplyError, DEFAULT_LINE_CAP};

/// Room made in the buffer before each read: a long reply arrives in few reads (a 40 MB flood in
/// 1 KiB reads costs seconds under Wine), while a connection's buffer stays small.
const READ_CHUNK: usize = 16 * 1024;

/// What can go wrong while reading a reply or sending a command.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConnError {
    /// The server closed the connection; `partial` says whether part of a reply had arrived.
    #[error("{}", if *partial { "connection closed in the middle of a reply" } else { "connection closed before a reply" })]
    Closed {
        /// True when some lines of the reply had been read.
        partial: bool,
    },
    /// The bytes are not an SMTP reply.
    #[error(transparent)]
    Reply(#[from] ReplyError),
    /// The socket failed (reset, broken pipe, TLS record error …).
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// A connection with a read buffer and a reply parser.
#[derive(Debug)]
pub(crate) struct SmtpConn<S> {
    stream: S,
    buf: BytesMut,
    parser: ReplyParser,
    /// When the bytes in `buf` arrived (the last read).
    read_at: Instant,
}

impl<S: AsyncRead + AsyncWrite + Unpin> SmtpConn<S> {
    /// Wraps a connected stream, with the default line cap.
    pub(crate) fn new(stream: S) -> Self {
        Self::with_line_cap(stream, DEFAULT_LINE_CAP)
    }

    /// Wraps a connected stream; reply lines longer than `line_cap` bytes are refused.
    pub(crate) fn with_line_cap(stream: S, line_cap: usize) -> Self {
        Self {
            stream,
            buf: BytesMut::with_capacity(READ_CHUNK),
            parser: ReplyParser::new(line_cap),
            read_at: Instant::now(),
        }
    }

    /// Reads until one complete reply has arrived.
    pub(crate) async fn read_reply(&mut self) -> Result<Reply, ConnError> {
        loop {
            if let Some(reply) = self.parser.parse_arrived(&mut self.buf, self.read_at)? {
                return Ok(reply);
            }
            self.buf.reserve(READ_CHUNK);
            let read = self.stream.read_buf(&mut self.buf).await?;
            self.read_at = Instant::now();
            if read == 0 {
                let partial = self.parser.is_mid_reply() || !self.buf.is_empty();
                return Err(ConnError::Closed { partial });
            }
        }
    }

    /// Sends one command; `CRLF` is appended.
    pub(crate) async fn send(&mut self, command: &str) -> Result<(), ConnError> {
        let mut line = Vec::with_capacity(command.len() + 2);
        line.extend_from_slice(command.as_bytes());
        line.extend_from_slice(b"\r\n");
        self.stream.write_all(&line).await?;
        self.stream.flush().await?;
        Ok(())
    }

    /// The reply being read when its final line has not arrived (after a deadline cut the read
    /// off, or the stream ended): the lines that did, `complete` false.
    pub(crate) fn partial_reply(&self) -> Option<&Reply> {
        self.parser.partial()
    }

    /// How many bytes the server sent that no reply has consumed yet.
    pub(crate) fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Gives the stream back (for the STARTTLS upgrade); buffered bytes are dropped, so callers
    /// check [`Self::buffered`] first.
    pub(crate) fn into_inner(self) -> S {
        self.stream
    }

    /// Closes the write half politely; errors are irrelevant at that point.
    pub(crate) async fn shutdown(&mut self) {
        let _ = self.stream.shutdown().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smtp::reply::ReplyCode;
    use tokio::io::duplex;

    #[tokio::test]
    async fn early_reply_is_kept_for_the_next_read() {
        let (client, mut server) = duplex(1024);
        server
            .write_all(b"220 hi\r\n250-early\r\n250 ok\r\n")
            .await
            .unwrap();
        let mut conn = SmtpConn::new(client);
        assert_eq!(
            conn.read_reply().await.unwrap().code,
            ReplyCode::SERVICE_READY
        );
        assert_eq!(conn.buffered(), "250-early\r\n250 ok\r\n".len());
        let second = conn.read_reply().await.unwrap();
        assert_eq!(second.lines, ["early", "ok"]);
    }

    #[tokio::test]
    async fn eof_mid_reply_is_reported_as_partial() {
        let (client, mut server) = duplex(1024);
        server.write_all(b"250-first\r\n250-sec").await.unwrap();
        drop(server);
        let err = SmtpConn::new(client).read_reply().await.unwrap_err();
        assert!(
            matches!(err, ConnError::Closed { partial: true }),
            "{err:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_reply_cut_off_by_a_deadline_is_kept_as_far_as_it_came() {
        let (client, mut server) = duplex(1024);
        server.write_all(b"220-mx.example ESMTP\r\n").await.unwrap();
        let mut conn = SmtpConn::new(client);
        let cut = tokio::time::timeout(std::time::Duration::from_millis(20), conn.read_reply());
        assert!(cut.await.is_err(), "no final line, no reply");
        let partial = conn.partial_reply().unwrap();
        assert!(!partial.complete);
        assert_eq!(partial.lines, ["mx.example ESMTP"]);
    }

    #[tokio::test]
    async fn eof_before_any_byte_is_not_partial() {
        let (client, server) = duplex(1024);
        drop(server);
        let err = SmtpConn::new(client).read_reply().await.unwrap_err();
        assert!(
            matches!(err, ConnError::Closed { partial: false }),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn send_appends_crlf() {
        let (client, mut server) = duplex(1024);
        let mut conn = SmtpConn::new(client);
        conn.send("EHLO [127.0.0.1]").await.unwrap();
        let mut got = [0u8; 18];
        server.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"EHLO [127.0.0.1]\r\n");
    }
}
