//! A catalogue of named fake-server behaviours — every kind of server the verdict rule tells
//! apart, from the healthy one to the one that drips bytes past the deadline, and hostile ones
//! that flood a reply with 40 MB of valid lines — each with the TLS it needs, the TLS mode a
//! client must probe it with, and the verdict DESIGN.md §1 gives it at QoS 1000 ms. Engine
//! tests, CLI acceptance runs and the `fake-smtp` binary all draw from it.

use std::fmt::Write;
use std::net::SocketAddr;
use std::time::Duration;

use tokio_rustls::TlsAcceptor;

use crate::pki::{ServerCert, TestPki, Validity};
use crate::script::{Script, Step};
use crate::server::FakeSmtp;

/// The QoS the `expected` verdicts of the catalogue assume, in milliseconds.
pub const QOS_MS: u64 = 1000;

/// The names a [`TlsNeed::Valid`] certificate is issued for (what a loopback probe asks for).
pub const LOOPBACK_NAMES: &[&str] = &["127.0.0.1", "::1", "localhost"];

/// How many continuation lines a flood scenario sends (`flood-continuations`, `flood-greeting`,
/// `flood-rejected`).
pub const FLOOD_LINES: usize = 10_000;

/// The text bytes of each flood line: with its code, separator and CRLF it stays under the
/// engine's 4,096-byte line cap, so only the number of lines is hostile.
pub const FLOOD_TEXT_BYTES: usize = 4_000;

/// The name a [`TlsNeed::WrongHost`] certificate is issued for.
pub const WRONG_HOST: &str = "mail.wrong-host.test";

/// What certificate a scenario's server presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsNeed {
    /// No TLS at all.
    None,
    /// Issued by the [`TestPki`] for [`LOOPBACK_NAMES`], valid for a year.
    Valid,
    /// Issued by the [`TestPki`] for [`LOOPBACK_NAMES`], expired yesterday.
    Expired,
    /// Issued by the [`TestPki`] for [`WRONG_HOST`] only.
    WrongHost,
    /// Self-signed for [`LOOPBACK_NAMES`]: trusted by nobody, not even the test CA.
    SelfSigned,
}

impl TlsNeed {
    /// True when the server needs a certificate.
    pub fn needs_pki(self) -> bool {
        self != Self::None
    }

    /// The acceptor for this need, issued by `pki` where the need says so.
    pub fn acceptor(self, pki: &TestPki) -> Option<TlsAcceptor> {
        match self {
            Self::None => None,
            Self::Valid => Some(pki.acceptor(LOOPBACK_NAMES, Validity::FRESH)),
            Self::Expired => Some(pki.acceptor(LOOPBACK_NAMES, Validity::EXPIRED)),
            Self::WrongHost => Some(pki.acceptor(&[WRONG_HOST], Validity::FRESH)),
            Self::SelfSigned => Some(ServerCert::self_signed(LOOPBACK_NAMES).acceptor()),
        }
    }
}

/// One named server behaviour and what a probe of it must conclude.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Kebab-case name, e.g. `slow-ehlo-1500`.
    pub name: &'static str,
    /// What the server does on every connection.
    pub script: Script,
    /// The certificate it presents, if any.
    pub tls: TlsNeed,
    /// The TLS mode to probe it with: `none`, `starttls` or `implicit` (the CLI's `--tls`).
    pub client_tls: &'static str,
    /// The verdict at QoS [`QOS_MS`]: `success`, `warning` or `failed`.
    pub expected: &'static str,
    /// For `failed`: the failure's phase and kind as the JSON report spells them
    /// (`("ehlo", "ehlo_rejected")`).
    pub failure: Option<(&'static str, &'static str)>,
    /// What the server does, for people.
    pub note: &'static str,
}

impl Scenario {
    fn plain(
        name: &'static str,
        script: Script,
        expected: &'static str,
        note: &'static str,
    ) -> Self {
        Self {
            name,
            script,
            tls: TlsNeed::None,
            client_tls: "none",
            expected,
            failure: None,
            note,
        }
    }

    fn failing(
        name: &'static str,
        script: Script,
        phase: &'static str,
        kind: &'static str,
        note: &'static str,
    ) -> Self {
        Self {
            failure: Some((phase, kind)),
            ..Self::plain(name, script, "failed", note)
        }
    }

    fn with_tls(mut self, tls: TlsNeed, client_tls: &'static str) -> Self {
        self.tls = tls;
        self.client_tls = client_tls;
        self
    }

    /// Starts a server for this scenario on `127.0.0.1` (certificates, if any, from `pki`).
    pub async fn start(&self, pki: &TestPki) -> FakeSmtp {
        self.start_at(SocketAddr::from(([127, 0, 0, 1], 0)), pki)
            .await
    }

    /// Starts a server for this scenario at `bind` (port 0 for a free one).
    pub async fn start_at(&self, bind: SocketAddr, pki: &TestPki) -> FakeSmtp {
        FakeSmtp::start_at(bind, self.script.clone(), self.tls.acceptor(pki)).await
    }
}

/// The verdict a 250 after `ms` milliseconds gets at QoS [`QOS_MS`].
pub fn verdict_for_delay(ms: u64) -> &'static str {
    if ms <= QOS_MS {
        "success"
    } else if ms <= 2 * QOS_MS {
        "warning"
    } else {
        "failed"
    }
}

/// A healthy server that waits `ms` before answering EHLO (for accuracy benchmarks).
pub fn slow_ehlo(ms: u64) -> Scenario {
    let failure = (ms > 2 * QOS_MS).then_some(("ehlo", "timeout"));
    Scenario {
        failure,
        ..Scenario::plain(
            "slow-ehlo",
            Script::slow_ehlo(ms),
            verdict_for_delay(ms),
            "healthy, with a chosen delay before the EHLO reply",
        )
    }
}

/// A healthy server that waits `ms` before its greeting.
pub fn slow_greeting(ms: u64) -> Scenario {
    let failure = (ms > 2 * QOS_MS).then_some(("greeting", "timeout"));
    Scenario {
        failure,
        ..Scenario::plain(
            "slow-greeting",
            Script::new()
                .wait_ms(ms)
                .greet()
                .expect()
                .send(Script::EHLO_250)
                .bye(),
            verdict_for_delay(ms),
            "healthy, with a chosen delay before the greeting",
        )
    }
}

/// Every scenario of the catalogue.
#[allow(clippy::too_many_lines)]
pub fn all() -> Vec<Scenario> {
    let ehlo_then = |reply: &str| Script::new().greet().expect().send(reply);
    let named = |name, base: Scenario| Scenario { name, ..base };
    vec![
        Scenario::plain(
            "healthy",
            Script::healthy(),
            "success",
            "220, multi-line 250, 221",
        ),
        Scenario::plain(
            "single-line",
            ehlo_then("250 fake.test Hello\r\n").bye(),
            "success",
            "a one-line 250",
        ),
        Scenario::plain(
            "bare-250",
            ehlo_then("250\r\n").bye(),
            "success",
            "a final line that is just `250`",
        ),
        Scenario::plain(
            "bare-lf",
            Script::new()
                .send("220 fake.test ESMTP\n")
                .expect()
                .send("250-fake.test\n250 PIPELINING\n")
                .bye(),
            "success",
            "LF line ends instead of CRLF",
        ),
        Scenario::plain(
            "non-utf8",
            Script::new()
                .greet()
                .expect()
                .then(Step::Send(
                    b"250-fake.test caf\xe9 \xff\xfe\r\n250 8BITMIME\r\n".to_vec(),
                ))
                .bye(),
            "success",
            "Latin-1 and stray bytes in the EHLO text",
        ),
        Scenario::plain(
            "multiline-greeting",
            Script::new()
                .send("220-fake.test ESMTP\r\n220-No UCE\r\n220 ready\r\n")
                .expect()
                .send(Script::EHLO_250)
                .bye(),
            "success",
            "a three-line 220",
        ),
        named("slow-greeting-500", slow_greeting(500)),
        named("slow-greeting-1500", slow_greeting(1500)),
        named("slow-greeting-2500", slow_greeting(2500)),
        named("slow-ehlo-500", slow_ehlo(500)),
        named("slow-ehlo-1500", slow_ehlo(1500)),
        named("slow-ehlo-2500", slow_ehlo(2500)),
        Scenario::plain(
            "final-line-late",
            ehlo_then("250-fake.test Hello\r\n250-PIPELINING\r\n")
                .wait_ms(1500)
                .send("250 SMTPUTF8\r\n")
                .bye(),
            "warning",
            "first EHLO lines at once, the final line 1500 ms later",
        ),
        Scenario::failing(
            "final-line-too-late",
            ehlo_then("250-fake.test Hello\r\n250-PIPELINING\r\n")
                .wait_ms(2500)
                .send("250 SMTPUTF8\r\n")
                .bye(),
            "ehlo",
            "timeout",
            "first EHLO lines at once, the final line 2500 ms later",
        ),
        Scenario::failing(
            "drip-past-deadline",
            Script::new()
                .greet()
                .expect()
                .then(Step::Drip(
                    Script::EHLO_250.as_bytes().to_vec(),
                    Duration::from_millis(100),
                ))
                .bye(),
            "ehlo",
            "timeout",
            "the EHLO reply one byte every 100 ms (~9 s): must fail at 2×QoS",
        ),
        Scenario::failing(
            "greeting-421",
            Script::new()
                .send("421 4.3.2 fake.test Service not available\r\n")
                .then(Step::Close),
            "greeting",
            "greeting_rejected",
            "421 greeting, then close",
        ),
        Scenario::failing(
            "greeting-554",
            Script::new()
                .send("554 5.3.2 fake.test No SMTP service here\r\n")
                .expect()
                .send("503 5.5.1 Bad sequence\r\n")
                .bye(),
            "greeting",
            "greeting_rejected",
            "554 greeting, 503 to everything",
        ),
        Scenario::failing(
            "ehlo-500",
            ehlo_then("500 5.5.1 Command unrecognized\r\n").bye(),
            "ehlo",
            "ehlo_rejected",
            "500 to EHLO",
        ),
        Scenario::failing(
            "ehlo-502",
            ehlo_then("502 5.5.2 Command not implemented\r\n").bye(),
            "ehlo",
            "ehlo_rejected",
            "502 to EHLO (a HELO-only server)",
        ),
        Scenario::failing(
            "ehlo-421",
            ehlo_then("421 4.7.0 fake.test Too many connections\r\n").then(Step::Close),
            "ehlo",
            "ehlo_rejected",
            "421 to EHLO, then close",
        ),
        Scenario::failing(
            "ehlo-550",
            ehlo_then("550 5.5.0 Requested action not taken\r\n").bye(),
            "ehlo",
            "ehlo_rejected",
            "550 to EHLO",
        ),
        Scenario::failing(
            "refused-client-greeting",
            Script::new()
                .send("554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org\r\n")
                .bye(),
            "greeting",
            "client_refused",
            "554 greeting naming a blocklist (Spamhaus), 221 to QUIT",
        ),
        Scenario::failing(
            "refused-client-ehlo",
            ehlo_then("550 5.7.606 Access denied, banned sending IP [127.0.0.1]\r\n").bye(),
            "ehlo",
            "client_refused",
            "550 to EHLO: access denied, banned sending IP (Microsoft's wording)",
        ),
        Scenario::failing(
            "code-mismatch",
            ehlo_then("250-fake.test Hello\r\n251-PIPELINING\r\n250 SIZE\r\n").bye(),
            "ehlo",
            "protocol",
            "250- then 251- in one reply",
        ),
        Scenario::failing(
            "close-after-greeting",
            Script::new().greet().expect().then(Step::Close),
            "ehlo",
            "closed",
            "reads EHLO, then closes without a word",
        ),
        Scenario::failing(
            "close-mid-reply",
            ehlo_then("250-fake.test Hello\r\n250-PIPE").then(Step::Close),
            "ehlo",
            "closed",
            "closes in the middle of the EHLO reply",
        ),
        Scenario::failing(
            "reset",
            Script::new().greet().expect().then(Step::Reset),
            "ehlo",
            "reset",
            "reads EHLO, then resets the connection (RST)",
        ),
        Scenario::failing(
            "silence",
            Script::new().then(Step::Hang),
            "greeting",
            "timeout",
            "accepts and says nothing",
        ),
        Scenario::failing(
            "garbage",
            Script::new()
                .send("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
                .then(Step::Hang),
            "greeting",
            "protocol",
            "another protocol's banner",
        ),
        Scenario::failing(
            "endless-line",
            Script::new()
                .send("220 ")
                .then(Step::Send(vec![b'x'; 1 << 20]))
                .then(Step::Hang),
            "greeting",
            "line_too_long",
            "`220 ` and a megabyte without a line end",
        ),
        Scenario::plain(
            "huge-reply",
            ehlo_then(&huge_ehlo_reply(5000)).bye(),
            "success",
            "a 5000-line 250",
        ),
        Scenario::plain(
            "flood-continuations",
            ehlo_then("250-fake.test Hello\r\n")
                .then(flood(250))
                .send("250 OK\r\n")
                .bye(),
            "success",
            "a 250 of 10,000 continuation lines of 4 KB each (40 MB), then `250 OK`",
        ),
        Scenario::plain(
            "flood-greeting",
            Script::new()
                .send("220-fake.test ESMTP\r\n")
                .then(flood(220))
                .send("220 ready\r\n")
                .expect()
                .send(Script::EHLO_250)
                .bye(),
            "success",
            "a 220 greeting of 10,000 continuation lines of 4 KB each (40 MB)",
        ),
        Scenario::failing(
            "flood-rejected",
            ehlo_then("554-fake.test\r\n")
                .then(flood(554))
                .send("554 5.5.0 No service\r\n")
                .bye(),
            "ehlo",
            "ehlo_rejected",
            "a 554 to EHLO of 10,000 continuation lines of 4 KB each (40 MB)",
        ),
        Scenario::plain(
            "early-reply",
            Script::new()
                .send("220 fake.test ESMTP\r\n")
                .send(Script::EHLO_250)
                .expect()
                .bye(),
            "success",
            "sends the EHLO reply with the greeting, before EHLO arrives",
        ),
        Scenario::plain(
            "close-after-250",
            ehlo_then(Script::EHLO_250).then(Step::Close),
            "success",
            "closes right after the 250 (QUIT goes nowhere)",
        ),
        Scenario::plain(
            "no-quit-answer",
            ehlo_then(Script::EHLO_250).expect().then(Step::Hang),
            "success",
            "reads QUIT and never answers it",
        ),
        Scenario::plain(
            "starttls",
            Script::starttls(),
            "success",
            "STARTTLS with a certificate from the test CA",
        )
        .with_tls(TlsNeed::Valid, "starttls"),
        Scenario::failing(
            "starttls-expired",
            Script::starttls(),
            "tls",
            "certificate",
            "STARTTLS, expired certificate",
        )
        .with_tls(TlsNeed::Expired, "starttls"),
        Scenario::failing(
            "starttls-wrong-host",
            Script::starttls(),
            "tls",
            "certificate",
            "STARTTLS, certificate for another host name",
        )
        .with_tls(TlsNeed::WrongHost, "starttls"),
        Scenario::failing(
            "starttls-self-signed",
            Script::starttls(),
            "tls",
            "certificate",
            "STARTTLS, self-signed certificate",
        )
        .with_tls(TlsNeed::SelfSigned, "starttls"),
        Scenario::failing(
            "starttls-not-advertised",
            Script::healthy(),
            "starttls",
            "starttls_not_advertised",
            "a healthy server without STARTTLS, probed with --tls starttls",
        )
        .with_tls(TlsNeed::None, "starttls"),
        Scenario::failing(
            "starttls-rejected",
            ehlo_then("250-fake.test Hello\r\n250 STARTTLS\r\n")
                .expect()
                .send("454 4.7.0 TLS not available\r\n")
                .bye(),
            "starttls",
            "starttls_rejected",
            "advertises STARTTLS, answers it 454",
        )
        .with_tls(TlsNeed::None, "starttls"),
        Scenario::failing(
            "refused-client-starttls",
            ehlo_then("421 4.7.0 fake.test Client host rejected: listed at bl.spamcop.net\r\n")
                .then(Step::Close),
            "starttls",
            "client_refused",
            "421 to the first EHLO of a STARTTLS session naming a blocklist, then close",
        )
        .with_tls(TlsNeed::None, "starttls"),
        Scenario::plain(
            "implicit-tls",
            Script::implicit_tls(),
            "success",
            "TLS from the first byte (port 465 style)",
        )
        .with_tls(TlsNeed::Valid, "implicit"),
        Scenario::failing(
            "implicit-tls-probed-plain",
            Script::implicit_tls(),
            "greeting",
            "timeout",
            "an implicit-TLS server probed with --tls none: both sides wait",
        )
        .with_tls(TlsNeed::Valid, "none"),
    ]
}

/// The scenario called `name`.
pub fn by_name(name: &str) -> Option<Scenario> {
    all().into_iter().find(|s| s.name == name)
}

/// A 250 reply of `lines` lines: the domain, then `X-EXT-n` keywords.
pub fn huge_ehlo_reply(lines: usize) -> String {
    let mut reply = String::from("250-fake.test Hello\r\n");
    for n in 1..lines.saturating_sub(1) {
        let _ = write!(reply, "250-X-EXT-{n} param\r\n");
    }
    reply.push_str("250 SMTPUTF8\r\n");
    reply
}

/// [`FLOOD_LINES`] continuation lines `CODE-X-FLOOD xxx…` of [`FLOOD_TEXT_BYTES`] text bytes
/// each, written as a stream.
pub fn flood(code: u16) -> Step {
    let text = format!(
        "X-FLOOD {}",
        "x".repeat(FLOOD_TEXT_BYTES - "X-FLOOD ".len())
    );
    Step::Repeat(format!("{code}-{text}\r\n").into_bytes(), FLOOD_LINES)
}

/// `script` with a pause of `delay` before the reply to the first line the client sends (the
/// `--ehlo-delay-ms` of `fake-smtp`).
pub fn delay_first_reply(script: &Script, delay: Duration) -> Script {
    let mut steps = script.0.clone();
    if let Some(at) = steps.iter().position(|s| matches!(s, Step::Expect)) {
        steps.insert(at + 1, Step::Wait(delay));
    }
    Script(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_verdicts_known() {
        let all = all();
        let mut names: Vec<_> = all.iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len());
        for s in &all {
            assert!(
                ["success", "warning", "failed"].contains(&s.expected),
                "{}",
                s.name
            );
            assert_eq!(s.failure.is_some(), s.expected == "failed", "{}", s.name);
            assert!(
                ["none", "starttls", "implicit"].contains(&s.client_tls),
                "{}",
                s.name
            );
        }
    }

    #[test]
    fn huge_reply_has_the_lines_asked_for() {
        let reply = huge_ehlo_reply(5000);
        assert_eq!(reply.lines().count(), 5000);
        assert!(reply.ends_with("250 SMTPUTF8\r\n"));
    }

    #[test]
    fn flood_lines_fit_under_the_line_cap() {
        let Step::Repeat(line, count) = flood(250) else {
            panic!("a flood is a Repeat step");
        };
        assert_eq!(count, FLOOD_LINES);
        assert_eq!(line.len(), "250-".len() + FLOOD_TEXT_BYTES + "\r\n".len());
        assert!(line.len() < 4096, "{} bytes", line.len());
        assert!(line.starts_with(b"250-X-FLOOD x") && line.ends_with(b"x\r\n"));
    }

    /// Reads from `wire` until `end` has arrived; returns everything read.
    async fn read_until_ends_with(wire: &mut tokio::net::TcpStream, end: &[u8]) -> Vec<u8> {
        use tokio::io::AsyncReadExt;
        let mut got = Vec::new();
        let mut buf = vec![0; 64 * 1024];
        while !got.ends_with(end) {
            let n = wire
                .read(&mut buf)
                .await
                .expect("read from the fake server");
            assert!(n > 0, "closed after {} bytes", got.len());
            got.extend_from_slice(&buf[..n]);
        }
        got
    }

    #[tokio::test]
    async fn flood_continuations_sends_every_line_then_the_final_one() {
        use tokio::io::AsyncWriteExt;
        let server = by_name("flood-continuations")
            .expect("in the catalogue")
            .start(&TestPki::new())
            .await;
        let mut wire = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
        read_until_ends_with(&mut wire, b"ready\r\n").await;
        wire.write_all(b"EHLO client.test\r\n").await.unwrap();
        let reply = read_until_ends_with(&mut wire, b"\r\n250 OK\r\n").await;
        let lines: Vec<&[u8]> = reply
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(lines.len(), 1 + FLOOD_LINES + 1);
        let floods = lines
            .iter()
            .filter(|l| l.starts_with(b"250-X-FLOOD "))
            .count();
        assert_eq!(floods, FLOOD_LINES);
        assert!(
            reply.len() > FLOOD_LINES * FLOOD_TEXT_BYTES,
            "{} bytes",
            reply.len()
        );
    }

    #[tokio::test]
    async fn repeat_writes_the_exact_number_of_copies() {
        use tokio::io::AsyncReadExt;
        // 40,000 copies of 2 bytes: one full write of 32,768 copies, then the 7,232 left.
        let script = Script::new()
            .then(Step::Repeat(b"ab".to_vec(), 40_000))
            .then(Step::Close);
        let server = FakeSmtp::start(script).await;
        let mut wire = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
        let mut got = Vec::new();
        wire.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"ab".repeat(40_000));
    }

    #[test]
    fn slow_scenarios_follow_the_verdict_rule() {
        assert_eq!(slow_ehlo(1000).expected, "success");
        assert_eq!(slow_ehlo(2000).expected, "warning");
        assert_eq!(slow_ehlo(2001).failure, Some(("ehlo", "timeout")));
        assert_eq!(
            by_name("slow-greeting-2500").unwrap().failure,
            Some(("greeting", "timeout"))
        );
        assert!(by_name("nope").is_none());
    }

    #[test]
    fn delay_goes_after_the_first_expect() {
        let s = delay_first_reply(&Script::healthy(), Duration::from_millis(7));
        assert!(matches!(s.0[1], Step::Expect));
        assert!(matches!(s.0[2], Step::Wait(d) if d == Duration::from_millis(7)));
    }
}
