//! What a toast says: its title, its body, how pressing it is, and the monitor it opens.

use ehlowatch_engine::MonitorId;
use tokio::time::Duration;

/// How long a burst may gather before its toast goes out.
pub const COALESCE: Duration = Duration::from_secs(3);

/// How pressing a toast is (freedesktop urgency levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    /// Recoveries.
    Low,
    /// QoS warnings.
    Normal,
    /// Failures.
    Critical,
}

/// One toast to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    /// The title line, e.g. "SMTP failed: mx2.example.com:25".
    pub summary: String,
    /// The reason, quoting the server, with the event id.
    pub body: String,
    /// How pressing it is.
    pub urgency: Urgency,
    /// The monitor to open from the toast's "Open" action, when it names exactly one.
    pub monitor: Option<MonitorId>,
}
