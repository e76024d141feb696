//! How the errors a session meets become failures: a closed connection, a bad reply, a socket
//! error by kind (refused, reset, unreachable …) or a TLS error (the certificate's fault, or the
//! handshake's), each in the phase it happened in and with a message saying what happened.

use std::io;

use crate::failure::{Failure, FailureKind, Phase};
use crate::smtp::{ConnError, ReplyError};

/// The session has no connection to use.
pub(super) fn no_connection() -> Failure {
    Failure::new(Phase::Connect, FailureKind::Io, "no connection")
}

/// A read or write failure in `phase`, quoting what the server sent.
pub(super) fn conn_failure(err: ConnError, phase: Phase) -> Failure {
    let during = phase.describe();
    match err {
        ConnError::Closed { partial: false } => Failure::new(
            phase,
            FailureKind::Closed,
            format!("server closed the connection before {during}"),
        ),
        ConnError::Closed { partial: true } => Failure::new(
            phase,
            FailureKind::Closed,
            format!("server closed the connection in the middle of {during}"),
        ),
        ConnError::Reply(e @ ReplyError::LineTooLong { .. }) => {
            Failure::new(phase, FailureKind::LineTooLong, format!("{during}: {e}"))
        }
        ConnError::Reply(e) => Failure::new(phase, FailureKind::Protocol, format!("{during}: {e}")),
        ConnError::Io(e) if e.kind() == io::ErrorKind::UnexpectedEof => Failure::new(
            phase,
            FailureKind::Closed,
            format!("server closed the connection during {during}"),
        ),
        ConnError::Io(e) => io_failure(&e, phase),
    }
}

/// A socket error, by kind.
pub(super) fn io_failure(err: &io::Error, phase: Phase) -> Failure {
    if err
        .get_ref()
        .is_some_and(<dyn std::error::Error + Send + Sync>::is::<rustls::Error>)
    {
        return tls_failure(err);
    }
    let kind = match err.kind() {
        io::ErrorKind::ConnectionRefused => FailureKind::Refused,
        io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe => FailureKind::Reset,
        io::ErrorKind::NetworkUnreachable => FailureKind::NetworkUnreachable,
        io::ErrorKind::HostUnreachable => FailureKind::HostUnreachable,
        _ => FailureKind::Io,
    };
    let what = match kind {
        FailureKind::Refused => "connection refused".to_owned(),
        FailureKind::Reset => format!("connection reset during {}", phase.describe()),
        _ => format!("{} failed: {err}", phase.describe()),
    };
    Failure::new(phase, kind, what)
}

/// A TLS failure: the certificate's fault, or the handshake's.
pub(super) fn tls_failure(err: &io::Error) -> Failure {
    let rustls_error = err
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match rustls_error {
        Some(e @ rustls::Error::InvalidCertificate(_)) => Failure::new(
            Phase::Tls,
            FailureKind::Certificate,
            format!("certificate not accepted: {e}"),
        ),
        Some(e) => Failure::new(
            Phase::Tls,
            FailureKind::TlsHandshake,
            format!("TLS handshake failed: {e}"),
        ),
        None if err.kind() == io::ErrorKind::UnexpectedEof => Failure::new(
            Phase::Tls,
            FailureKind::TlsHandshake,
            "TLS handshake failed: the server closed the connection",
        ),
        None => Failure::new(
            Phase::Tls,
            FailureKind::TlsHandshake,
            format!("TLS handshake failed: {err}"),
        ),
    }
}
