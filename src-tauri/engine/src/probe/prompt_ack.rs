//! The probe's TCP stream, which under TLS acknowledges what it reads at once. A client that
//! writes right after it read is "interactive" to Linux, which then delays its ACKs (40 ms at
//! least). After the TLS 1.3 handshake a server sends its session tickets and, separately, its
//! reply to our EHLO; a server without `TCP_NODELAY` (Postfix) holds that reply back (Nagle)
//! until the tickets are acknowledged — so when our EHLO left before the tickets arrived, nothing
//! carried their ACK, and the reply waited for our delayed-ACK timer. Leaving interactive mode
//! (`TCP_QUICKACK`) after every write makes the kernel acknowledge as soon as we read, and the
//! latency is the server's again. Plain sessions are left alone: their servers answer each
//! command with one write, and a `setsockopt` per write would only cost CPU. Elsewhere than Linux
//! there is no per-socket switch, and the stream is a plain one.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// A TCP stream that, when `prompt`, leaves interactive mode after every write.
#[derive(Debug)]
pub(crate) struct PromptAck {
    tcp: TcpStream,
    prompt: bool,
}

impl PromptAck {
    /// Wraps `tcp`; `prompt` for sessions that speak TLS.
    pub(crate) fn new(tcp: TcpStream, prompt: bool) -> Self {
        Self { tcp, prompt }
    }

    fn wrote(&self, written: &Poll<io::Result<usize>>) {
        if self.prompt && matches!(written, Poll::Ready(Ok(n)) if *n > 0) {
            leave_interactive(&self.tcp);
        }
    }
}

#[cfg(target_os = "linux")]
fn leave_interactive(tcp: &TcpStream) {
    // Best effort: a failure leaves the kernel's default, which only costs time.
    let _ = socket2::SockRef::from(tcp).set_tcp_quickack(true);
}

#[cfg(not(target_os = "linux"))]
fn leave_interactive(_: &TcpStream) {}

impl AsyncRead for PromptAck {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for PromptAck {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.tcp).poll_write(cx, buf);
        this.wrote(&written);
        written
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.tcp).poll_write_vectored(cx, bufs);
        this.wrote(&written);
        written
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_shutdown(cx)
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;

    /// A connected pair: the wrapped client side and the server side.
    async fn pair(prompt: bool) -> (PromptAck, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let (client, server) = tokio::join!(TcpStream::connect(addr), listener.accept());
        let client = client.expect("connect");
        (PromptAck::new(client, prompt), server.expect("accept").0)
    }

    fn quickack(stream: &PromptAck) -> bool {
        socket2::SockRef::from(&stream.tcp)
            .tcp_quickack()
            .expect("getsockopt TCP_QUICKACK")
    }

    #[tokio::test]
    async fn a_write_after_a_read_leaves_interactive_mode_and_bytes_pass() {
        let (mut client, mut server) = pair(true).await;
        server
            .write_all(b"220 hi\r\n")
            .await
            .expect("server writes");
        let mut got = [0u8; 8];
        client.read_exact(&mut got).await.expect("client reads");
        assert_eq!(&got, b"220 hi\r\n");
        client
            .write_all(b"EHLO x\r\n")
            .await
            .expect("client writes");
        assert!(quickack(&client), "still in interactive (delayed-ACK) mode");
        server.read_exact(&mut got).await.expect("server reads");
        assert_eq!(&got, b"EHLO x\r\n");
    }
}
