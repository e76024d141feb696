//! One probe of one SMTP server under one deadline, returning a [`ProbeReport`] value. DNS is
//! bounded by 2×QoS on its own; the session from connect start to the judged EHLO reply's final
//! line by another 2×QoS (one overall deadline, so a server that drips bytes cannot stretch it).

mod classify;
pub(crate) mod ehlo_name;
mod pregreet;
mod prompt_ack;
pub(crate) mod recorder;
pub(crate) mod report;
pub(crate) mod resolve;
mod session;
pub(crate) mod spec;
mod targets;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::task::JoinSet;
use tokio::time::{timeout, timeout_at, Instant};

pub use ehlo_name::check_ehlo_name;
pub use report::{Direction, EhloReply, Phases, ProbeReport, TargetReport, TranscriptLine};
pub use spec::{AddressFamily, Addresses, ProbeSpec, TlsMode, MAX_TARGETS};

use self::resolve::resolve;
use self::session::Session;
pub(crate) use self::targets::refresh_top;
use self::targets::{distinct, family, is_no_route, route_to, worst};
use crate::failure::{Failure, FailureKind, Phase};
use crate::smtp::{EhloInfo, ReplyCode};
use crate::tls::{TlsClient, TlsConfigs};
use crate::verdict::{judge, show, Answer, Judgement, Verdict};

/// Runs probes; holds what probes share (TLS configurations, the system roots). Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Prober {
    tls: Arc<TlsConfigs>,
}

impl Prober {
    /// A prober with nothing loaded yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The TLS client for `trust`, built on first use and shared.
    pub(crate) fn tls_client(
        &self,
        trust: &crate::tls::TlsTrust,
    ) -> Result<TlsClient, crate::tls::TlsSetupError> {
        self.tls.get(trust)
    }

    /// Probes `spec.host:spec.port` and judges the result: every address of the host as a
    /// target of its own ([`Addresses::All`]), or the first that answers.
    pub async fn probe(&self, spec: &ProbeSpec) -> ProbeReport {
        let checked_at = Utc::now();
        let limit = spec.deadline();
        let dns_start = Instant::now();
        let resolved = timeout(limit, resolve(&spec.host, spec.port, spec.family))
            .await
            .unwrap_or_else(|_| {
                Err(Failure::new(
                    Phase::Dns,
                    FailureKind::Timeout,
                    format!("no answer from the resolver within 2×QoS ({})", show(limit)),
                ))
            });
        let dns = dns_start.elapsed();
        self.probe_resolved(spec, resolved, Some(dns), checked_at)
            .await
    }

    /// Probes `addresses` as the targets of `spec` (its host is not resolved; the addresses
    /// stand for what it resolves to): the seam for callers that resolve on their own.
    pub async fn probe_addresses(&self, spec: &ProbeSpec, addresses: &[IpAddr]) -> ProbeReport {
        let addrs = addresses
            .iter()
            .map(|ip| SocketAddr::new(*ip, spec.port))
            .collect();
        self.probe_resolved(spec, Ok(addrs), None, Utc::now()).await
    }

    async fn probe_resolved(
        &self,
        spec: &ProbeSpec,
        resolved: Result<Vec<SocketAddr>, Failure>,
        dns: Option<Duration>,
        checked_at: DateTime<Utc>,
    ) -> ProbeReport {
        let tls = match spec.tls {
            TlsMode::None => Ok(None),
            TlsMode::Starttls | TlsMode::Implicit => self
                .tls
                .get(&opportunistic_trust(spec))
                .map(Some)
                .map_err(|e| Failure::new(Phase::Tls, FailureKind::TlsConfig, e.to_string())),
        };
        let (addrs, tls) = match resolved.and_then(|addrs| Ok((addrs, tls?))) {
            Ok(prepared) => prepared,
            Err(failure) => {
                let mut session = Session::new(spec, None);
                session.rec.phases.dns = dns;
                return report(spec, checked_at, session, None, &Judgement::failed(failure));
            }
        };
        let addrs = distinct(&addrs);
        if addrs.is_empty() {
            let failure = Failure::new(Phase::Dns, FailureKind::Dns, "no address to probe");
            return failed_unprobed(spec, checked_at, failure);
        }
        let targets = match spec.addresses {
            Addresses::First => {
                vec![TargetReport::of(
                    one_session(spec, tls, &addrs, dns, checked_at).await,
                )]
            }
            Addresses::All => every_address(spec, tls, &addrs, dns, checked_at).await,
        };
        with_targets(spec, checked_at, targets)
    }
}

/// The trust settings a probe's TLS client is built with: an opportunistic probe records
/// whether the certificate verifies but never fails on it, as `insecure` does.
fn opportunistic_trust(spec: &ProbeSpec) -> std::borrow::Cow<'_, crate::tls::TlsTrust> {
    if spec.opportunistic && !spec.trust.insecure {
        let mut trust = spec.trust.clone();
        trust.insecure = true;
        std::borrow::Cow::Owned(trust)
    } else {
        std::borrow::Cow::Borrowed(&spec.trust)
    }
}

/// One session per address, all at once under the same deadline, in the resolver's order.
async fn every_address(
    spec: &ProbeSpec,
    tls: Option<TlsClient>,
    addrs: &[SocketAddr],
    dns: Option<Duration>,
    checked_at: DateTime<Utc>,
) -> Vec<TargetReport> {
    if let [addr] = addrs {
        return vec![TargetReport::of(
            one_target(spec, tls, *addr, dns, checked_at).await,
        )];
    }
    let mut sessions = JoinSet::new();
    for (index, addr) in addrs.iter().copied().enumerate() {
        let (spec, tls) = (spec.clone(), tls.clone());
        sessions.spawn(async move {
            let report = one_target(&spec, tls, addr, dns, checked_at).await;
            (index, report)
        });
    }
    let mut done: Vec<Option<TargetReport>> = vec![None; addrs.len()];
    while let Some(joined) = sessions.join_next().await {
        match joined {
            Ok((index, report)) => done[index] = Some(TargetReport::of(report)),
            // A session that panicked is a bug; its target is left out rather than taking the
            // probe down.
            Err(e) => {
                tracing::error!(host = %spec.host, "a target's session ended abnormally: {e}");
            }
        }
    }
    done.into_iter().flatten().collect()
}

/// One target: a session, or `no_route` when its connection failed and the routing table has
/// no way there. The table is asked only after a failed connection: a probe that connects
/// costs no extra system call.
async fn one_target(
    spec: &ProbeSpec,
    tls: Option<TlsClient>,
    addr: SocketAddr,
    dns: Option<Duration>,
    checked_at: DateTime<Utc>,
) -> ProbeReport {
    let tried = one_session(spec, tls, &[addr], dns, checked_at).await;
    let connect_failed = tried
        .failure
        .as_ref()
        .is_some_and(|f| f.phase == Phase::Connect);
    if !connect_failed {
        return tried;
    }
    match route_to(addr.ip()) {
        Err(e) if is_no_route(&e) => {
            let mut session = Session::new(spec, None);
            session.rec.phases.dns = dns;
            session.address = Some(addr);
            let message = format!(
                "no route from here to {} ({} has no route on this machine): {e}",
                addr.ip(),
                family(addr.ip())
            );
            session.rec.note(message.clone());
            let failure = Failure::new(Phase::Connect, FailureKind::NetworkUnreachable, message);
            report(spec, checked_at, session, None, &Judgement::failed(failure))
        }
        _ => tried,
    }
}

/// One session to the first of `addrs` that accepts the connection, judged.
async fn one_session(
    spec: &ProbeSpec,
    tls: Option<TlsClient>,
    addrs: &[SocketAddr],
    dns: Option<Duration>,
    checked_at: DateTime<Utc>,
) -> ProbeReport {
    let limit = spec.deadline();
    let mut session = Session::new(spec, tls);
    session.rec.phases.dns = dns;
    // One millisecond past 2×QoS, so that a 250 at exactly 2×QoS is judged (a Warning)
    // rather than lost to the timer firing in the same tick; `judge` fails anything later.
    let deadline = session.rec.t0() + limit + Duration::from_millis(1);
    let outcome = match timeout_at(deadline, session.run(addrs)).await {
        Ok(outcome) => outcome,
        Err(_) => Err(session.timed_out(limit)),
    };
    let (heard, mut judgement) = match outcome {
        Ok(heard) => {
            let info = EhloInfo::parse(&heard.reply);
            let answer = Answer {
                host: &spec.host,
                reply: &heard.reply,
                latency: heard.at - session.rec.t0(),
                ehlo: &info,
                // Opportunistic TLS records the certificate but is never judged on it.
                cert_days_left: session
                    .tls_facts
                    .as_ref()
                    .filter(|_| !spec.opportunistic)
                    .map(|t| t.days_left),
                upgraded: spec.tls == TlsMode::Starttls,
            };
            let judgement = judge(&answer, &spec.thresholds);
            (Some((heard, info)), judgement)
        }
        Err(failure) => (None, Judgement::failed(failure)),
    };
    if judgement.verdict != Verdict::Success {
        if let Some(hint) = session.pregreet_hint() {
            judgement.explain(&hint);
        }
    }
    session.quit(deadline, judgement.failure.as_ref()).await;
    report(spec, checked_at, session, heard, &judgement)
}

/// The report of a probe with `targets`: the worst target's report at the top level, every
/// target below it. The top level shares what that target's server said (greeting, EHLO reply,
/// transcript) rather than copying it.
pub(crate) fn with_targets(
    spec: &ProbeSpec,
    checked_at: DateTime<Utc>,
    mut targets: Vec<TargetReport>,
) -> ProbeReport {
    let Some(at) = worst(&targets) else {
        let failure = Failure::new(
            Phase::Connect,
            FailureKind::Io,
            "no target's session finished",
        );
        return failed_unprobed(spec, checked_at, failure);
    };
    let mut top = targets[at].report.clone();
    top.targets = std::mem::take(&mut targets);
    top
}

/// The report of a probe that failed before any session: `failure`, with the DNS time if
/// measured.
pub(crate) fn failed_report(
    spec: &ProbeSpec,
    checked_at: DateTime<Utc>,
    dns: Option<Duration>,
    failure: Failure,
) -> ProbeReport {
    let mut session = Session::new(spec, None);
    session.rec.phases.dns = dns;
    report(spec, checked_at, session, None, &Judgement::failed(failure))
}

fn report(
    spec: &ProbeSpec,
    checked_at: DateTime<Utc>,
    session: Session<'_>,
    heard: Option<(session::Heard, EhloInfo)>,
    judgement: &Judgement,
) -> ProbeReport {
    let t0 = session.rec.t0();
    let latency = heard
        .as_ref()
        .filter(|(h, _)| h.reply.code == ReplyCode::OK)
        .map(|(h, _)| h.at - t0);
    if let Some(failure) = &judgement.failure {
        tracing::debug!(host = %spec.host, port = spec.port, kind = ?failure.kind, "probe failed: {}", failure.message);
    }
    ProbeReport {
        status: judgement.verdict,
        event_id: judgement.verdict.event_id(),
        latency,
        qos: spec.thresholds.qos,
        host: spec.host.clone(),
        port: spec.port,
        address: session.address.map(|a| a.ip()),
        tls_mode: spec.tls,
        ehlo_name: session.ehlo_name,
        checked_at,
        phases: session.rec.phases,
        greeting: session.greeting.map(Arc::new),
        ehlo: heard
            .map(|(h, info)| EhloReply {
                reply: h.reply,
                info,
            })
            .or_else(|| {
                session.partial_ehlo.map(|reply| EhloReply {
                    info: EhloInfo::parse(&reply),
                    reply,
                })
            })
            .map(Arc::new),
        tls: session.tls_facts.map(Box::new),
        reason: judgement.reason.clone(),
        failure: judgement.failure.clone(),
        warnings: judgement.warnings.clone(),
        transcript: session.rec.into_transcript().into(),
        targets: Vec::new(),
        mx_set: None,
        dane: None,
        mta_sts: None,
        mta_sts_policy: None,
        tls_rpt: None,
        blocklists: Vec::new(),
    }
}

/// The report of a probe that failed before any session ran.
fn failed_unprobed(spec: &ProbeSpec, checked_at: DateTime<Utc>, failure: Failure) -> ProbeReport {
    report(
        spec,
        checked_at,
        Session::new(spec, None),
        None,
        &Judgement::failed(failure),
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A report of nothing in particular (Failed, no address), for tests to fill in.
    pub(crate) fn blank_report(spec: &ProbeSpec) -> ProbeReport {
        let failure = Failure::new(Phase::Connect, FailureKind::Io, "blank");
        failed_unprobed(spec, Utc::now(), failure)
    }
}
