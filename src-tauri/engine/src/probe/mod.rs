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

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::time::{timeout, timeout_at, Instant};

pub use ehlo_name::check_ehlo_name;
pub use report::{Direction, EhloReply, Phases, ProbeReport, TranscriptLine};
pub use spec::{AddressFamily, ProbeSpec, TlsMode};

use self::resolve::resolve;
use self::session::Session;
use crate::failure::{Failure, FailureKind, Phase};
use crate::smtp::EhloInfo;
use crate::tls::TlsConfigs;
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

    /// Probes `spec.host:spec.port` and judges the result.
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
        let tls = match spec.tls {
            TlsMode::None => Ok(None),
            TlsMode::Starttls | TlsMode::Implicit => self
                .tls
                .get(&spec.trust)
                .map(Some)
                .map_err(|e| Failure::new(Phase::Tls, FailureKind::TlsConfig, e.to_string())),
        };

        let prepared = resolved.and_then(|addrs| Ok((addrs, tls?)));
        let mut session = Session::new(
            spec,
            prepared.as_ref().ok().and_then(|(_, tls)| tls.clone()),
        );
        session.rec.phases.dns = Some(dns);
        let addrs = match prepared {
            Ok((addrs, _)) => addrs,
            Err(failure) => {
                return report(spec, checked_at, session, None, &Judgement::failed(failure))
            }
        };
        // One millisecond past 2×QoS, so that a 250 at exactly 2×QoS is judged (a Warning)
        // rather than lost to the timer firing in the same tick; `judge` fails anything later.
        let deadline = session.rec.t0() + limit + Duration::from_millis(1);
        let outcome = match timeout_at(deadline, session.run(&addrs)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(session.timed_out(limit)),
        };
        let (heard, mut judgement) = match outcome {
            Ok(heard) => {
                let info = EhloInfo::parse(&heard.reply);
                let summary = heard.reply.summary();
                let answer = Answer {
                    host: &spec.host,
                    code: heard.reply.code,
                    summary: &summary,
                    latency: heard.at - session.rec.t0(),
                    ehlo: &info,
                    cert_days_left: session.tls_facts.as_ref().map(|t| t.days_left),
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
}

fn report(
    spec: &ProbeSpec,
    checked_at: chrono::DateTime<Utc>,
    session: Session<'_>,
    heard: Option<(session::Heard, EhloInfo)>,
    judgement: &Judgement,
) -> ProbeReport {
    let t0 = session.rec.t0();
    let latency = heard
        .as_ref()
        .filter(|(h, _)| h.reply.code == crate::smtp::ReplyCode::OK)
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
        greeting: session.greeting,
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
            }),
        tls: session.tls_facts,
        reason: judgement.reason.clone(),
        failure: judgement.failure.clone(),
        warnings: judgement.warnings.clone(),
        transcript: session.rec.into_transcript(),
    }
}
