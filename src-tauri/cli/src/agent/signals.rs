//! What tells the agent to reload or stop: on the console, signals — SIGHUP reloads, SIGTERM and
//! SIGINT stop; on platforms without Unix signals, Ctrl-C stops and there is no reload signal —
//! and under a service manager, the controls its handler forwards (Windows: paramchange reloads,
//! stop and shutdown stop).

use tokio::sync::mpsc;

/// What a signal asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Re-read the config and the TLS certificate.
    // Sent only by Unix signals and the Windows service.
    #[cfg_attr(not(any(unix, windows)), allow(dead_code))]
    Reload,
    /// Stop cleanly.
    Stop,
}

/// The installed handlers.
#[derive(Debug)]
pub struct Signals {
    #[cfg(unix)]
    hup: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl Signals {
    /// Installs the handlers.
    #[cfg(unix)]
    pub fn new() -> std::io::Result<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Self {
            hup: signal(SignalKind::hangup())?,
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    /// Installs the handlers.
    #[cfg(not(unix))]
    #[allow(clippy::unnecessary_wraps)] // the signature of the Unix one
    pub fn new() -> std::io::Result<Self> {
        Ok(Self {})
    }

    /// Waits for the next signal.
    #[cfg(unix)]
    pub async fn next(&mut self) -> Signal {
        tokio::select! {
            _ = self.hup.recv() => Signal::Reload,
            _ = self.term.recv() => Signal::Stop,
            _ = self.int.recv() => Signal::Stop,
        }
    }

    /// Waits for the next signal.
    #[cfg(not(unix))]
    pub async fn next(&mut self) -> Signal {
        let _ = tokio::signal::ctrl_c().await;
        Signal::Stop
    }
}

/// Where the agent's reload and stop requests come from.
#[derive(Debug)]
pub enum Controls {
    /// Signals, for a console run.
    Signals(Signals),
    /// A service manager's controls, forwarded by its handler; the handler gone means stop.
    // Built only by the Windows service.
    #[cfg_attr(not(windows), allow(dead_code))]
    Forwarded(mpsc::UnboundedReceiver<Signal>),
}

impl Controls {
    /// Waits for the next request.
    pub async fn next(&mut self) -> Signal {
        match self {
            Self::Signals(signals) => signals.next().await,
            Self::Forwarded(controls) => controls.recv().await.unwrap_or(Signal::Stop),
        }
    }
}
