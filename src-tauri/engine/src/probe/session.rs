//! One SMTP session as a probe runs it (DESIGN.md §1): connect → [implicit TLS] → greeting →
//! EHLO → [STARTTLS → handshake → EHLO again, RFC 3207 §4.2] → polite QUIT. The session keeps
//! its connection and notebook in fields, so when the deadline cuts `run` off, the probe still
//! knows the phase it was in, keeps the part of a reply that arrived, and can say goodbye — or,
//! while the greeting is incomplete, close without a byte of SMTP (a client that speaks before
//! the greeting is a spambot to Postfix postscreen).

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use chrono::Utc;
use rustls_pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::{timeout, Instant};
use tokio_rustls::TlsConnector;

use super::classify::{conn_failure, io_failure, no_connection, tls_failure};
use super::ehlo_name::default_ehlo_name;
use super::pregreet::{pregreet_hint, pregreet_pause};
use super::prompt_ack::PromptAck;
use super::recorder::Recorder;
use super::resolve::unbracket;
use super::spec::{ProbeSpec, TlsMode};
use crate::failure::{Failure, FailureKind, Phase};
use crate::smtp::{EhloInfo, Reply, ReplyCode, SmtpConn};
use crate::tls::{tls_facts, TlsClient, TlsFacts};
use crate::verdict::refusal::reclassify;
use crate::verdict::show;

/// How long we wait for the 221 to QUIT at most (and never past the deadline).
const QUIT_GRACE: Duration = Duration::from_millis(200);

/// Any byte stream a session can run over: TCP, or TLS over TCP.
pub(crate) trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

type Conn = SmtpConn<Box<dyn Io>>;

/// The judged EHLO reply and when its final line arrived.
#[derive(Debug)]
pub(crate) struct Heard {
    pub reply: Reply,
    pub at: Instant,
}

/// The state of one session.
pub(crate) struct Session<'a> {
    spec: &'a ProbeSpec,
    tls: Option<TlsClient>,
    conn: Option<Conn>,
    pub rec: Recorder,
    pub address: Option<SocketAddr>,
    pub ehlo_name: Option<String>,
    /// The greeting, complete or as far as it came.
    pub greeting: Option<Reply>,
    /// The judged EHLO reply as far as it came, when its final line never did.
    pub partial_ehlo: Option<Reply>,
    pub tls_facts: Option<TlsFacts>,
    /// When the final line of the last reply arrived (before any bookkeeping).
    replied_at: Instant,
    /// When the greeting phase began (connected, or TLS up for implicit TLS).
    greeting_from: Option<Instant>,
    /// When the session was cut off by the deadline.
    cut_at: Option<Instant>,
    /// The verb of the last command sent, to name the reply awaited.
    last_verb: &'static str,
}

impl<'a> Session<'a> {
    /// A session that has not connected yet; the latency clock starts now.
    pub(crate) fn new(spec: &'a ProbeSpec, tls: Option<TlsClient>) -> Self {
        Self {
            spec,
            tls,
            conn: None,
            rec: Recorder::start(Phase::Connect),
            address: None,
            ehlo_name: None,
            greeting: None,
            partial_ehlo: None,
            tls_facts: None,
            replied_at: Instant::now(),
            greeting_from: None,
            cut_at: None,
            last_verb: "",
        }
    }

    /// Runs the session up to the judged EHLO reply.
    pub(crate) async fn run(&mut self, addrs: &[SocketAddr]) -> Result<Heard, Failure> {
        let tcp = self.connect(addrs).await?;
        let local = tcp
            .local_addr()
            .map_err(|e| io_failure(&e, Phase::Connect))?;
        self.ehlo_name = Some(
            self.spec
                .ehlo_name
                .clone()
                .unwrap_or_else(|| default_ehlo_name(local)),
        );
        let tcp = PromptAck::new(tcp, self.spec.tls != TlsMode::None);
        let stream: Box<dyn Io> = match self.spec.tls {
            TlsMode::Implicit => self.handshake(Box::new(tcp)).await?,
            TlsMode::None | TlsMode::Starttls => Box::new(tcp),
        };
        self.conn = Some(SmtpConn::new(stream));

        self.rec.phase = Phase::Greeting;
        self.greeting_from = Some(Instant::now());
        let greeting = self.read_reply().await?;
        self.rec.finish();
        let greeting_code = greeting.code;
        let summary = greeting.summary();
        self.greeting = Some(greeting);
        if greeting_code != ReplyCode::SERVICE_READY {
            let rejection = Failure::new(
                Phase::Greeting,
                FailureKind::GreetingRejected,
                format!("greeting was {summary} (expected 220)"),
            );
            return Err(reclassify(
                rejection,
                &self.spec.host,
                greeting_code,
                &summary,
            ));
        }

        if self.spec.tls == TlsMode::Starttls {
            if let Some(plain) = self.starttls().await? {
                // Opportunistic TLS on a server that does not offer STARTTLS: the plain EHLO
                // reply is the one judged.
                let at = self.replied_at;
                self.rec.finish_at(at);
                return Ok(Heard { reply: plain, at });
            }
        }

        self.rec.phase = Phase::Ehlo;
        let reply = self.ehlo().await?;
        let at = self.replied_at;
        self.rec.finish_at(at);
        Ok(Heard { reply, at })
    }

    /// The failure for a session cut off by the deadline `limit` after connect start. The part
    /// of a reply that had arrived is kept and quoted.
    pub(crate) fn timed_out(&mut self, limit: Duration) -> Failure {
        self.cut_at = Some(Instant::now());
        let phase = self.rec.phase;
        let started = self.keep_partial();
        let mut message = if let Some(opening) = started {
            format!(
                "{} started ({opening}) but did not finish within 2×QoS ({})",
                self.awaited(),
                show(limit)
            )
        } else {
            let what = match phase {
                Phase::Dns | Phase::Connect => "no connection",
                Phase::Tls => "TLS handshake not finished",
                Phase::Greeting => "no greeting",
                Phase::Starttls => "STARTTLS not finished",
                Phase::Ehlo => "no final 250 to EHLO",
            };
            format!("{what} within 2×QoS ({})", show(limit))
        };
        if phase == Phase::Greeting && self.spec.tls == TlsMode::None && self.spec.port == 465 {
            message.push_str("; port 465 usually speaks implicit TLS (tls = implicit)");
        }
        self.rec.note(format!("deadline reached: {message}"));
        Failure::new(phase, FailureKind::Timeout, message)
    }

    /// The explanation when the greeting stalled after a prompt first line, as a pregreet test
    /// does.
    pub(crate) fn pregreet_hint(&self) -> Option<String> {
        let greeting = self.greeting.as_ref()?;
        let until = (!greeting.complete).then_some(self.cut_at).flatten();
        let pause = pregreet_pause(
            greeting,
            self.greeting_from?,
            until,
            self.spec.thresholds.qos,
        )?;
        Some(pregreet_hint(pause))
    }

    /// Sends QUIT once the verdict is fixed and waits a short grace for the 221 — never past
    /// `deadline`, and whatever happens it changes nothing. Only after a complete greeting
    /// (RFC 5321 §3.1, even after a 554) and not after a 421 greeting, which closes: while the
    /// greeting is incomplete the connection is dropped without a byte of SMTP or a TLS
    /// `close_notify`.
    pub(crate) async fn quit(&mut self, deadline: Instant, failure: Option<&Failure>) {
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        let Some(greeting) = self.greeting.as_ref().filter(|g| g.complete) else {
            drop(conn);
            self.rec
                .note("closed without QUIT: the greeting never finished");
            return;
        };
        if greeting.code == ReplyCode::SERVICE_UNAVAILABLE
            || failure.is_some_and(Failure::broke_connection)
        {
            conn.shutdown().await;
            return;
        }
        let grace = deadline
            .saturating_duration_since(Instant::now())
            .min(QUIT_GRACE)
            .max(Duration::from_millis(5));
        self.rec.sent("QUIT");
        let asked = Instant::now();
        let said = timeout(grace, async {
            conn.send("QUIT").await.ok()?;
            conn.read_reply().await.ok()
        })
        .await;
        match said {
            Ok(Some(reply)) => self.rec.received(&reply),
            Ok(None) => self.rec.note("no reply to QUIT (ignored)"),
            Err(_) => self.rec.note(format!(
                "no reply to QUIT within {} (ignored)",
                show(asked.elapsed())
            )),
        }
        // TLS says goodbye with close_notify; plain TCP's FIN goes with the close itself.
        if self.tls_facts.is_some() {
            let _ = timeout(Duration::from_millis(5), conn.shutdown()).await;
        }
    }

    async fn connect(&mut self, addrs: &[SocketAddr]) -> Result<TcpStream, Failure> {
        let mut last = None;
        for &addr in addrs {
            self.address = Some(addr);
            match TcpStream::connect(addr).await {
                Ok(tcp) => {
                    self.rec.finish();
                    let _ = tcp.set_nodelay(true);
                    self.rec.note(format!("connected to {addr}"));
                    return Ok(tcp);
                }
                Err(e) => {
                    self.rec.note(format!("connect to {addr}: {e}"));
                    last = Some(e);
                }
            }
        }
        let err = last
            .unwrap_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no address to connect to"));
        Err(io_failure(&err, Phase::Connect))
    }

    async fn handshake(&mut self, stream: Box<dyn Io>) -> Result<Box<dyn Io>, Failure> {
        self.rec.phase = Phase::Tls;
        let client = self.tls.clone().ok_or_else(|| {
            Failure::new(
                Phase::Tls,
                FailureKind::TlsConfig,
                "TLS requested but no TLS client configured",
            )
        })?;
        let name = ServerName::try_from(unbracket(&self.spec.host).to_owned()).map_err(|e| {
            Failure::new(
                Phase::Tls,
                FailureKind::TlsConfig,
                format!("{:?} cannot be a TLS server name: {e}", self.spec.host),
            )
        })?;
        let tls = TlsConnector::from(client.config.clone())
            .connect(name.clone(), stream)
            .await
            .map_err(|e| tls_failure(&e))?;
        self.rec.finish();
        let (_, session) = tls.get_ref();
        let verification = if client.insecure {
            client.check(session.peer_certificates().unwrap_or_default(), &name)
        } else {
            Ok(())
        };
        self.tls_facts = tls_facts(session, verification, client.insecure, Utc::now());
        if let Some(facts) = &self.tls_facts {
            let trust = match &facts.verify_error {
                None if facts.verified => "verified".to_owned(),
                None => "not verified".to_owned(),
                Some(e) => format!("not verified: {e}"),
            };
            self.rec.note(format!(
                "TLS {} {}; {}; {trust}",
                facts.version, facts.cipher, facts.subject
            ));
        }
        Ok(Box::new(tls))
    }

    /// RFC 3207: STARTTLS must be advertised and answered 220, with nothing sent after the 220
    /// (bytes there would be injected into the TLS session's plaintext — CVE-2011-0411). With
    /// opportunistic TLS a server that does not advertise it is no failure: its plain EHLO
    /// reply is returned, to be judged.
    async fn starttls(&mut self) -> Result<Option<Reply>, Failure> {
        self.rec.phase = Phase::Starttls;
        let first = self.ehlo().await?;
        if first.code != ReplyCode::OK {
            let summary = first.summary();
            let rejection = Failure::new(
                Phase::Starttls,
                FailureKind::EhloRejected,
                format!("EHLO answered {summary} (expected 250)"),
            );
            return Err(reclassify(rejection, &self.spec.host, first.code, &summary));
        }
        if !EhloInfo::parse(&first).has("STARTTLS") {
            if self.spec.opportunistic {
                self.rec.note(
                    "STARTTLS not offered: the session stays in plaintext (opportunistic TLS)",
                );
                return Ok(Some(first));
            }
            return Err(Failure::new(
                Phase::Starttls,
                FailureKind::StarttlsNotAdvertised,
                "STARTTLS is required but the EHLO reply does not advertise it",
            ));
        }
        self.send("STARTTLS").await?;
        let reply = self.read_reply().await?;
        if reply.code != ReplyCode::SERVICE_READY {
            return Err(Failure::new(
                Phase::Starttls,
                FailureKind::StarttlsRejected,
                format!("STARTTLS answered {} (expected 220)", reply.summary()),
            ));
        }
        let conn = self.conn.take().ok_or_else(no_connection)?;
        if conn.buffered() > 0 {
            return Err(Failure::new(
                Phase::Starttls,
                FailureKind::Protocol,
                format!("server sent {} bytes after its 220 to STARTTLS; not starting TLS on a tainted stream", conn.buffered()),
            ));
        }
        self.rec.finish();
        let stream = self.handshake(conn.into_inner()).await?;
        self.conn = Some(SmtpConn::new(stream));
        Ok(None)
    }

    async fn ehlo(&mut self) -> Result<Reply, Failure> {
        let name = self.ehlo_name.clone().unwrap_or_default();
        self.send_line("EHLO", &format!("EHLO {name}")).await?;
        self.read_reply().await
    }

    async fn send(&mut self, command: &'static str) -> Result<(), Failure> {
        self.send_line(command, command).await
    }

    async fn send_line(&mut self, verb: &'static str, command: &str) -> Result<(), Failure> {
        self.last_verb = verb;
        self.rec.sent(command);
        let phase = self.rec.phase;
        let conn = self.conn.as_mut().ok_or_else(no_connection)?;
        conn.send(command).await.map_err(|e| conn_failure(e, phase))
    }

    async fn read_reply(&mut self) -> Result<Reply, Failure> {
        let phase = self.rec.phase;
        let conn = self.conn.as_mut().ok_or_else(no_connection)?;
        match conn.read_reply().await {
            Ok(reply) => {
                self.replied_at = Instant::now();
                self.rec.received(&reply);
                Ok(reply)
            }
            Err(e) => {
                self.keep_partial();
                Err(conn_failure(e, phase))
            }
        }
    }

    /// Keeps the reply that was being read when its final line never came: in the transcript,
    /// and as the greeting or the judged EHLO reply. Returns its opening, for messages.
    fn keep_partial(&mut self) -> Option<String> {
        let partial = self.conn.as_ref()?.partial_reply()?.clone();
        self.rec.received(&partial);
        let opening = opening(&partial);
        match self.rec.phase {
            Phase::Greeting => self.greeting = Some(partial),
            Phase::Ehlo => self.partial_ehlo = Some(partial),
            Phase::Dns | Phase::Connect | Phase::Tls | Phase::Starttls => {}
        }
        Some(opening)
    }

    /// The reply awaited, for messages: "greeting", "EHLO reply" …
    fn awaited(&self) -> String {
        if self.rec.phase == Phase::Greeting || self.last_verb.is_empty() {
            "greeting".to_owned()
        } else {
            format!("{} reply", self.last_verb)
        }
    }
}

/// The first line of a reply as sent, shortened: `220-mx.example ESMTP …`.
fn opening(reply: &Reply) -> String {
    const CHARS: usize = 80;
    let first = reply
        .wire_lines()
        .next()
        .unwrap_or_else(|| reply.code.to_string());
    let short: String = first.chars().take(CHARS).collect();
    format!("{short} …")
}
