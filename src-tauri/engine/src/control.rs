//! Control probes: whether *this network* lets SMTP out. A TCP connect — nothing is sent — to a
//! few large, well-run MX hosts on port 25 and, for comparison, on 443. Any of them accepting on
//! 25 proves port 25 leaves this network (so monitors failing there are really failing); none on
//! 25 while one accepts on 443 proves port 25 is blocked here; nothing on either port proves
//! nothing (offline, or every control host down). The hosts are the user's (`[control]`, off
//! unless configured); nothing here has a built-in list.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use serde::Serialize;
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio::time::timeout;

use crate::probe::resolve::resolve;
use crate::probe::AddressFamily;

/// The port whose egress is in question.
pub(crate) const SMTP_PORT: u16 = 25;
/// The port compared against: open on nearly every network that has any.
pub(crate) const COMPARE_PORT: u16 = 443;
/// How long one control connect may take.
pub const CONNECT_WITHIN: Duration = Duration::from_secs(5);

/// What control probes found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlVerdict {
    /// A control host accepted on port 25: port 25 leaves this network.
    Open,
    /// No control host accepted on 25, at least one on 443: port 25 is blocked here.
    Blocked,
    /// No control host accepted on either port: nothing can be told (offline, or all down).
    Inconclusive,
}

impl fmt::Display for ControlVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Open => "port 25 reachable",
            Self::Blocked => "outbound port 25 blocked here",
            Self::Inconclusive => "control hosts unreachable on 25 and 443",
        })
    }
}

/// One control host's two connects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlHost {
    /// The host as configured.
    pub host: String,
    /// It accepted a connection on port 25.
    pub smtp: bool,
    /// It accepted a connection on port 443.
    pub compare: bool,
}

/// Every control host's result and what they add up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlReport {
    /// Each host, in the order configured.
    pub hosts: Vec<ControlHost>,
    /// What they add up to.
    pub verdict: ControlVerdict,
}

/// Connects to every host on 25 and 443 at once, each connect bounded by `within`.
pub async fn run_control(hosts: &[String], within: Duration) -> ControlReport {
    let mut set = JoinSet::new();
    for (index, host) in hosts.iter().enumerate() {
        let host = host.clone();
        set.spawn(async move {
            let (smtp, compare) = tokio::join!(
                accepts(&host, SMTP_PORT, within),
                accepts(&host, COMPARE_PORT, within)
            );
            (
                index,
                ControlHost {
                    host,
                    smtp,
                    compare,
                },
            )
        });
    }
    let mut found: Vec<(usize, ControlHost)> = Vec::with_capacity(hosts.len());
    while let Some(joined) = set.join_next().await {
        if let Ok(one) = joined {
            found.push(one);
        }
    }
    found.sort_by_key(|(index, _)| *index);
    let hosts: Vec<ControlHost> = found.into_iter().map(|(_, h)| h).collect();
    let verdict = verdict_of(&hosts);
    ControlReport { hosts, verdict }
}

/// What a set of host results adds up to.
pub(crate) fn verdict_of(hosts: &[ControlHost]) -> ControlVerdict {
    if hosts.iter().any(|h| h.smtp) {
        ControlVerdict::Open
    } else if hosts.iter().any(|h| h.compare) {
        ControlVerdict::Blocked
    } else {
        ControlVerdict::Inconclusive
    }
}

/// True when some address of `host` accepts a TCP connection on `port` within `within`.
async fn accepts(host: &str, port: u16, within: Duration) -> bool {
    let attempt = async {
        let Ok(addrs) = resolve(host, port, AddressFamily::Any).await else {
            return false;
        };
        connect_any(&addrs).await
    };
    timeout(within, attempt).await.unwrap_or(false)
}

async fn connect_any(addrs: &[SocketAddr]) -> bool {
    for addr in addrs {
        if TcpStream::connect(addr).await.is_ok() {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(smtp: bool, compare: bool) -> ControlHost {
        ControlHost {
            host: "h".into(),
            smtp,
            compare,
        }
    }

    #[test]
    fn verdict_table() {
        use ControlVerdict::{Blocked, Inconclusive, Open};
        let cases: &[(&[ControlHost], ControlVerdict)] = &[
            (&[], Inconclusive),
            (&[host(false, false)], Inconclusive),
            (&[host(false, true)], Blocked),
            (&[host(false, true), host(true, true)], Open),
            (&[host(true, false)], Open),
            (&[host(false, false), host(false, true)], Blocked),
        ];
        for (hosts, want) in cases {
            assert_eq!(verdict_of(hosts), *want, "{hosts:?}");
        }
    }

    #[tokio::test]
    async fn a_listener_on_loopback_counts_and_a_closed_port_does_not() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        assert!(accepts("127.0.0.1", port, CONNECT_WITHIN).await);
        drop(listener);
        assert!(!accepts("127.0.0.1", port, CONNECT_WITHIN).await);
    }
}
