//! What a fake server does on each connection, step by step, and the scripts most tests need.

use std::time::Duration;

/// One step of a fake server's behaviour on a connection.
#[derive(Debug, Clone)]
pub enum Step {
    /// Write these bytes at once.
    Send(Vec<u8>),
    /// Write these bytes one at a time, pausing between them.
    Drip(Vec<u8>, Duration),
    /// Write these bytes this many times over, in writes of about 64 KiB: a flood of megabytes
    /// without holding it in memory.
    Repeat(Vec<u8>, usize),
    /// Do nothing for a while.
    Wait(Duration),
    /// Read one line from the client (it is recorded); ends the script at end of stream.
    Expect,
    /// Close the connection normally (FIN).
    Close,
    /// Reset the connection (RST, via `SO_LINGER` 0).
    Reset,
    /// Keep the connection open and say nothing more until the client goes away.
    Hang,
    /// Do the server side of a TLS handshake; later steps run over TLS.
    StartTls,
}

/// A sequence of steps run on every accepted connection.
#[derive(Debug, Clone, Default)]
pub struct Script(pub Vec<Step>);

impl Script {
    /// An empty script.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a step.
    #[must_use]
    pub fn then(mut self, step: Step) -> Self {
        self.0.push(step);
        self
    }

    /// Sends text as is (include the line ends).
    #[must_use]
    pub fn send(self, text: &str) -> Self {
        self.then(Step::Send(text.as_bytes().to_vec()))
    }

    /// Waits `ms` milliseconds.
    #[must_use]
    pub fn wait_ms(self, ms: u64) -> Self {
        self.then(Step::Wait(Duration::from_millis(ms)))
    }

    /// Reads one line from the client.
    #[must_use]
    pub fn expect(self) -> Self {
        self.then(Step::Expect)
    }

    /// The standard greeting.
    #[must_use]
    pub fn greet(self) -> Self {
        self.send("220 fake.test ESMTP ready\r\n")
    }

    /// A typical multi-line 250 reply to EHLO.
    pub const EHLO_250: &'static str =
        "250-fake.test Hello\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n";

    /// Answers QUIT with 221 and closes.
    #[must_use]
    pub fn bye(self) -> Self {
        self.expect().send("221 2.0.0 Bye\r\n").then(Step::Close)
    }

    /// A healthy server: greeting, multi-line 250, 221.
    pub fn healthy() -> Self {
        Self::new().greet().expect().send(Self::EHLO_250).bye()
    }

    /// A healthy server that waits `ms` before answering EHLO.
    pub fn slow_ehlo(ms: u64) -> Self {
        Self::new()
            .greet()
            .expect()
            .wait_ms(ms)
            .send(Self::EHLO_250)
            .bye()
    }

    /// A healthy server that offers STARTTLS and then answers EHLO again over TLS.
    pub fn starttls() -> Self {
        Self::new()
            .greet()
            .expect()
            .send("250-fake.test Hello\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
            .expect()
            .send("220 2.0.0 Ready to start TLS\r\n")
            .then(Step::StartTls)
            .expect()
            .send("250-fake.test Hello again\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n")
            .bye()
    }

    /// A healthy server speaking TLS from the first byte.
    pub fn implicit_tls() -> Self {
        Self::new()
            .then(Step::StartTls)
            .greet()
            .expect()
            .send(Self::EHLO_250)
            .bye()
    }
}
