//! The mail policies of a domain that are looked up once per probe — MTA-STS (RFC 8461) and
//! TLS-RPT (RFC 8460) — and what they do to its MX targets: an MTA-STS check on each, Failed
//! under `enforce` or amber under `testing` when senders refuse it, and amber on every target
//! when the TLS-RPT record is broken.

use std::sync::{Arc, Mutex};

use chrono::Utc;
use rustls_pki_types::UnixTime;
use tokio::time::{timeout_at, Instant};

use super::resolver::DnsResolver;
use crate::config::MailPolicy;
use crate::dane::DaneState;
use crate::mta_sts::{self, PolicyCache, Resolved, Served, Sources};
use crate::probe::{refresh_top, ProbeReport, Prober, TlsMode};
use crate::tls::TlsTrust;
use crate::tls_rpt::{self, TlsRptState, TlsRptView};
use crate::verdict::WarningKind;

/// The HTTPS port policies are fetched from.
const HTTPS_PORT: u16 = 443;

/// What a domain's probe found of its mail policies.
#[derive(Debug, Default)]
pub(crate) struct DomainPolicies {
    sts: Option<Resolved>,
    tls_rpt: Option<TlsRptView>,
}

/// Looks up the policies of `domain` that `policy` turns on, before `deadline`.
pub(crate) async fn look_up(
    prober: &Prober,
    resolver: &DnsResolver,
    cache: &Mutex<PolicyCache>,
    policy: &MailPolicy,
    domain: &str,
    deadline: Instant,
) -> DomainPolicies {
    let sts = async {
        if !policy.mta_sts {
            return None;
        }
        let tls = prober
            .tls_client(&sts_trust(policy))
            .map(|client| client.config)
            .map_err(|e| format!("the policy host cannot be checked: {e}"));
        let sources = Sources {
            resolver,
            cache,
            tls,
            port: HTTPS_PORT,
        };
        Some(mta_sts::resolve(&sources, domain, Utc::now(), deadline).await)
    };
    let rpt = async {
        if !policy.tls_rpt {
            return None;
        }
        let name = tls_rpt::record_name(domain);
        match timeout_at(deadline, resolver.txt(&name)).await {
            Ok(Ok(txt)) => tls_rpt::judge(&name, &txt),
            Ok(Err(e)) => Some(unanswered_rpt(&name, &e.to_string())),
            Err(_) => Some(unanswered_rpt(&name, "no answer in time")),
        }
    };
    let (sts, tls_rpt) = tokio::join!(sts, rpt);
    DomainPolicies { sts, tls_rpt }
}

fn unanswered_rpt(name: &str, why: &str) -> TlsRptView {
    TlsRptView {
        state: TlsRptState::LookupFailed,
        verdict: format!("TLS-RPT not checked: no answer for {name} ({why})"),
        record: String::new(),
    }
}

/// Whom MTA-STS trusts: the system's CAs plus `mta_sts_ca_file`, always verified.
fn sts_trust(policy: &MailPolicy) -> TlsTrust {
    TlsTrust {
        ca_file: policy.mta_sts_ca_file.clone(),
        insecure: false,
    }
}

/// Puts the domain's policy views on `report` and checks each MX target against them.
pub(crate) fn apply(
    prober: &Prober,
    policy: &MailPolicy,
    report: &mut ProbeReport,
    found: DomainPolicies,
) {
    let verifier = prober
        .tls_client(&sts_trust(policy))
        .ok()
        .map(|c| c.verifier);
    let in_force = found.sts.as_ref().and_then(|r| r.policy.as_ref());
    let rpt_broken = found
        .tls_rpt
        .as_ref()
        .filter(|v| v.state == TlsRptState::Broken);
    let mut changed = false;
    for target in &mut report.targets {
        let session_spoke = target.report.ehlo.is_some() || target.report.tls.is_some();
        if let (Some(cached), Some(verifier), Some(host)) =
            (in_force, verifier.as_ref(), target.mx.clone())
        {
            if session_spoke && target.report.tls_mode != TlsMode::None {
                let chain = target.report.tls.as_ref().map(|t| t.chain.clone());
                let served = Served {
                    host: &host,
                    chain: chain.as_deref(),
                    dane_matched: target
                        .report
                        .dane
                        .as_ref()
                        .is_some_and(|d| d.state == DaneState::Matched),
                };
                let check = mta_sts::check(
                    &cached.policy,
                    &cached.id,
                    &served,
                    Arc::as_ref(verifier),
                    UnixTime::now(),
                );
                mta_sts::apply(target, check);
                changed = true;
            }
        }
        if let Some(view) = rpt_broken {
            if target.judged() {
                target.add_warning(WarningKind::TlsRptBroken, view.verdict.clone());
                changed = true;
            }
        }
    }
    if changed {
        refresh_top(report);
    }
    report.mta_sts_policy = found.sts.map(|r| Box::new(r.view));
    report.tls_rpt = found.tls_rpt;
}
