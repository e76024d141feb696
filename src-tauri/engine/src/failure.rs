//! Why a probe failed, as a value: the step it failed in ([`Phase`]), what kind of failure it was
//! ([`FailureKind`], for grouping, alerting and metrics) and a sentence quoting what the server
//! said ([`Failure`]). The verdict rule and the probe both build failures; the report carries
//! one for every Failed verdict.

use serde::{Deserialize, Serialize};

/// The steps of a probe, in order; a failure names the one it happened in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Resolving the host name.
    Dns,
    /// The TCP connect.
    Connect,
    /// A TLS handshake (implicit TLS, or after STARTTLS).
    Tls,
    /// Reading the 220 greeting.
    Greeting,
    /// The first EHLO and the STARTTLS command (STARTTLS mode only).
    Starttls,
    /// The judged EHLO and its reply.
    Ehlo,
}

impl Phase {
    /// The phase as people read it in messages.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Dns => "resolving the host",
            Self::Connect => "connecting",
            Self::Tls => "the TLS handshake",
            Self::Greeting => "the greeting",
            Self::Starttls => "STARTTLS",
            Self::Ehlo => "the EHLO reply",
        }
    }
}

/// What kind of failure it was, for grouping, alerting and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The host name did not resolve (or not to the requested address family).
    Dns,
    /// A mail domain's resolver answered that the name does not exist (NXDOMAIN): the
    /// domain's DNS is broken, not this network.
    NxDomain,
    /// A mail domain's resolver answered SERVFAIL: the domain's name servers are broken or
    /// unreachable from the resolver, not from this machine.
    ServFail,
    /// The server refused the connection.
    Refused,
    /// This machine has no route to the network (`ENETUNREACH`): usually it is offline.
    NetworkUnreachable,
    /// No route to that host (`EHOSTUNREACH`): usually the far side's problem.
    HostUnreachable,
    /// The connection was reset.
    Reset,
    /// No final 250 by 2×QoS.
    Timeout,
    /// The server closed the connection before the reply was complete.
    Closed,
    /// Bytes that are not an SMTP reply, or lines of one reply with different codes.
    Protocol,
    /// A reply line longer than the line cap.
    LineTooLong,
    /// The greeting was not 220 (and did not say it refuses this client).
    GreetingRejected,
    /// An EHLO reply was not 250 (and did not say it refuses this client).
    EhloRejected,
    /// A negative greeting or EHLO reply says the server refuses this client: a blocklist
    /// names its address, or a policy (postscreen, an allowlist) turns it away.
    ClientRefused,
    /// STARTTLS was required but not advertised.
    StarttlsNotAdvertised,
    /// STARTTLS was not answered 220.
    StarttlsRejected,
    /// The TLS handshake failed for a reason other than the certificate.
    TlsHandshake,
    /// The certificate was not trusted, expired, or did not match the host.
    Certificate,
    /// The certificate has fewer days left than the critical threshold.
    CertificateExpiring,
    /// A required EHLO extension was not advertised.
    MissingExtension,
    /// The TLS settings could not be used (unreadable CA file …).
    TlsConfig,
    /// Any other socket error.
    Io,
    /// The mail domain publishes a null MX (RFC 7505): it takes no mail, there is nothing to
    /// probe.
    NullMx,
    /// DANE senders will not deliver to this MX host: its validated TLSA records match no
    /// certificate it serves, it offers no STARTTLS, or the TLSA lookup fails (RFC 7672).
    Dane,
    /// MTA-STS senders will not deliver to this MX host under the domain's `enforce` policy:
    /// it matches no `mx` pattern, offers no STARTTLS, or serves a certificate they refuse
    /// (RFC 8461 §4).
    MtaSts,
}

/// Where and why a probe failed; `message` quotes what the server said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Failure {
    /// The step it failed in.
    pub phase: Phase,
    /// The kind of failure.
    pub kind: FailureKind,
    /// A sentence for people.
    pub message: String,
}

impl Failure {
    /// A failure of `kind` in `phase`.
    pub fn new(phase: Phase, kind: FailureKind, message: impl Into<String>) -> Self {
        Self {
            phase,
            kind,
            message: message.into(),
        }
    }

    /// True for a failure at connect that a block on this network would cause: timed out,
    /// refused, or host unreachable. (Whether the block is ours or theirs is for
    /// [`crate::ControlVerdict`] to tell.)
    pub fn is_connect_failure(&self) -> bool {
        self.phase == Phase::Connect
            && matches!(
                self.kind,
                FailureKind::Timeout | FailureKind::Refused | FailureKind::HostUnreachable
            )
    }

    /// True when the connection can no longer carry a polite QUIT.
    pub(crate) fn broke_connection(&self) -> bool {
        matches!(
            self.kind,
            FailureKind::Closed
                | FailureKind::Reset
                | FailureKind::Io
                | FailureKind::Protocol
                | FailureKind::LineTooLong
                | FailureKind::TlsHandshake
                | FailureKind::Certificate
        )
    }
}
