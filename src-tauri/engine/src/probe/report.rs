//! The probe outcome as a value: what was measured, what the server said, and the verdict. A 421
//! or a timeout is a result like any other — nothing here is an `Err`.
//!
//! The serialised form is the JSON contract of `ehlowatch check --json` (DESIGN.md §2): durations
//! are milliseconds as numbers, absent measurements are `null`.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, Serializer};

use super::spec::TlsMode;
use crate::dane::DaneCheck;
use crate::dnsbl::ListCheck;
use crate::domain::MxSet;
use crate::failure::{Failure, FailureKind, Phase};
use crate::mta_sts::{StsCheck, StsPolicyView};
use crate::smtp::{EhloInfo, Reply};
use crate::status::Status;
use crate::tls::TlsFacts;
use crate::tls_rpt::TlsRptView;
use crate::verdict::{Verdict, Warning, WarningKind};

/// Time spent in each phase; the phases after `dns` add up to the latency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Phases {
    /// Name resolution (not part of the latency).
    #[serde(serialize_with = "opt_ms")]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub dns: Option<Duration>,
    /// TCP connect, failed attempts at other addresses included.
    #[serde(serialize_with = "opt_ms")]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub connect: Option<Duration>,
    /// TLS handshake.
    #[serde(serialize_with = "opt_ms")]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub tls: Option<Duration>,
    /// From connected (or TLS up, for implicit TLS) to the greeting's final line.
    #[serde(serialize_with = "opt_ms")]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub greeting: Option<Duration>,
    /// STARTTLS mode: the first EHLO and the STARTTLS command, up to its 220.
    #[serde(serialize_with = "opt_ms")]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub starttls: Option<Duration>,
    /// The judged EHLO: sent, to its reply's final line.
    #[serde(serialize_with = "opt_ms")]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub ehlo: Option<Duration>,
}

impl Phases {
    /// The phases that were measured, by name, in the order they happen.
    pub fn measured(&self) -> impl Iterator<Item = (&'static str, Duration)> {
        [
            ("dns", self.dns),
            ("connect", self.connect),
            ("tls", self.tls),
            ("greeting", self.greeting),
            ("starttls", self.starttls),
            ("ehlo", self.ehlo),
        ]
        .into_iter()
        .filter_map(|(name, took)| Some((name, took?)))
    }
}

/// The judged EHLO reply: the raw reply and what it advertises.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EhloReply {
    /// The reply as received.
    #[serde(flatten)]
    pub reply: Reply,
    /// Domain and extensions (meaningful for a 250).
    #[serde(flatten)]
    pub info: EhloInfo,
}

/// Who a transcript line is from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Sent by us.
    Client,
    /// Received from the server.
    Server,
    /// Something the probe noticed (connected, TLS up, time-out …).
    Note,
}

/// One line of the session transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TranscriptLine {
    /// Milliseconds since the connect started.
    #[serde(serialize_with = "ms")]
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub at: Duration,
    /// Who said it.
    pub dir: Direction,
    /// What was said.
    pub text: String,
}

/// Everything one probe found out.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProbeReport {
    /// Success, QoS Warning or Failed.
    pub status: Verdict,
    /// The event id of the verdict: 5510, 5511 or 5509.
    pub event_id: u16,
    /// Connect start to the final line of the judged EHLO reply; `None` when no 250 came.
    #[serde(rename = "latency_ms", serialize_with = "opt_ms")]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub latency: Option<Duration>,
    /// The QoS threshold the latency was judged against.
    #[serde(rename = "qos_ms", serialize_with = "ms")]
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub qos: Duration,
    /// The host as given.
    pub host: String,
    /// The port probed.
    pub port: u16,
    /// The address actually connected to (the last one tried when none answered).
    pub address: Option<IpAddr>,
    /// The TLS mode of the probe.
    pub tls_mode: TlsMode,
    /// The name sent with EHLO.
    pub ehlo_name: Option<String>,
    /// Wall-clock time the probe started.
    pub checked_at: DateTime<Utc>,
    /// Time per phase.
    #[serde(rename = "phases_ms")]
    pub phases: Phases,
    // What the server said (greeting, EHLO reply, transcript) is shared, not copied, between
    // a report and the target it is the worst of.
    /// The greeting, when one was read.
    #[cfg_attr(feature = "ts", ts(as = "Option<Reply>"))]
    pub greeting: Option<Arc<Reply>>,
    /// The judged EHLO reply, when one was read.
    #[cfg_attr(feature = "ts", ts(as = "Option<EhloReply>"))]
    pub ehlo: Option<Arc<EhloReply>>,
    /// TLS facts, when TLS was used.
    pub tls: Option<Box<TlsFacts>>,
    /// Why the verdict is not Success (failure or warning), for people.
    pub reason: Option<String>,
    /// The failure, for a Failed verdict.
    pub failure: Option<Failure>,
    /// Why a Warning verdict is one, each with its kind; empty for Success and Failed.
    pub warnings: Vec<Warning>,
    /// The session as it went, capped in length.
    #[cfg_attr(feature = "ts", ts(as = "Vec<TranscriptLine>"))]
    pub transcript: Arc<[TranscriptLine]>,
    /// Every target probed — each address of the host, in the resolver's order, at most 8 —
    /// with its own status and report; the fields above are the worst judged target's. Empty when no address was probed (the host did not
    /// resolve), and in a target's own report.
    pub targets: Vec<TargetReport>,
    /// For a mail domain, the MX set its lookup answered (absent when the lookup failed, and
    /// for a host).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub mx_set: Option<MxSet>,
    /// For an MX target, its DANE check (RFC 7672): the TLSA records against the certificate
    /// served; absent when not checked (a host monitor).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub dane: Option<DaneCheck>,
    /// For an MX target, its MTA-STS check (RFC 8461); absent when the domain has no policy in
    /// force or the check is off.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub mta_sts: Option<StsCheck>,
    /// For a mail domain, its MTA-STS record and policy as this probe found them; absent for a
    /// host, in a target's own report, and when the check is off.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub mta_sts_policy: Option<Box<StsPolicyView>>,
    /// For a mail domain, its TLS-RPT record (RFC 8460) when it publishes one; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub tls_rpt: Option<TlsRptView>,
    /// For an MX target, its DNS blocklist checks (RFC 5782), one per configured list; empty
    /// (absent) when no list is configured, and for a host.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<ListCheck>>", optional))]
    pub blocklists: Vec<ListCheck>,
}

impl ProbeReport {
    /// Adds a soft finding: a Success becomes a Warning (amber) with it as the reason, a Warning
    /// keeps its reason with this one beside it, a Failed verdict keeps its own.
    pub(crate) fn add_warning(&mut self, kind: WarningKind, message: String) {
        self.warnings.push(Warning::new(kind, message.clone()));
        match self.status {
            Verdict::Success => {
                self.status = Verdict::Warning;
                self.event_id = Verdict::Warning.event_id();
                self.reason = Some(message);
            }
            Verdict::Warning => {
                self.reason = Some(match self.reason.take() {
                    Some(reason) => format!("{reason}; {message}"),
                    None => message,
                });
            }
            Verdict::Failed => {}
        }
    }

    /// Fails the probe for `failure` unless it failed already (its own failure stays): the
    /// warnings go, as a Failed verdict carries none.
    pub(crate) fn fail(&mut self, failure: Failure) {
        if self.status == Verdict::Failed {
            return;
        }
        self.status = Verdict::Failed;
        self.event_id = Verdict::Failed.event_id();
        self.reason = Some(failure.message.clone());
        self.failure = Some(failure);
        self.warnings.clear();
    }

    /// The last reply code the judged EHLO got, or the greeting's when EHLO never got one.
    pub fn last_code(&self) -> Option<u16> {
        self.last_code_here()
    }

    /// True when the probe had targets and none had a route from here: nothing was judged, the
    /// monitor cannot be told from here (`no_route`).
    pub fn no_route(&self) -> bool {
        !self.targets.is_empty() && !self.targets.iter().any(TargetReport::judged)
    }

    /// What this probe saw of the network, for telling a local cause (offline, port 25
    /// blocked here) from broken servers: the failure of the first target that got past its
    /// connect (`None` when it succeeded) — an address that answered proves the network carries
    /// traffic there, however the worst target failed — else the top-level failure.
    pub(crate) fn network_failure(&self) -> Option<&Failure> {
        self.targets
            .iter()
            .map(|t| t.report.failure.as_ref())
            .find(|f| f.is_none_or(|f| !matches!(f.phase, Phase::Dns | Phase::Connect)))
            .unwrap_or(self.failure.as_ref())
    }

    /// How many targets were judged, and how many of those are not Success: `(2, 1)` for one
    /// of two addresses failing. For a mail domain, MX hosts are counted instead: a host fails
    /// when any of its judged addresses does.
    pub fn targets_failing(&self) -> (usize, usize) {
        let judged = self.targets.iter().filter(|t| t.judged());
        if self.targets.iter().any(|t| t.mx.is_some()) {
            let mut hosts: Vec<(&str, bool)> = Vec::new();
            for t in judged {
                let mx = t.mx.as_deref().unwrap_or_default();
                let failing = t.status != Status::Success;
                match hosts.iter_mut().find(|(h, _)| *h == mx) {
                    Some((_, f)) => *f |= failing,
                    None => hosts.push((mx, failing)),
                }
            }
            return (hosts.len(), hosts.iter().filter(|(_, f)| *f).count());
        }
        let failing = judged.clone().filter(|t| t.status != Status::Success);
        (judged.count(), failing.count())
    }

    /// When some but not all targets fail, how many: `1 of 2 addresses failing`, or for a mail
    /// domain `1 of 2 MX hosts failing`; `None` when all or none do.
    pub fn failing_split(&self) -> Option<String> {
        let (judged, failing) = self.targets_failing();
        let what = if self.targets.iter().any(|t| t.mx.is_some()) {
            "MX hosts"
        } else {
            "addresses"
        };
        (failing > 0 && failing < judged).then(|| format!("{failing} of {judged} {what} failing"))
    }

    fn last_code_here(&self) -> Option<u16> {
        self.ehlo
            .as_ref()
            .map(|e| e.reply.code.value())
            .or_else(|| self.greeting.as_ref().map(|g| g.code.value()))
    }
}

/// One target of a probe: an address (of an MX host, for a domain) and its own result.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TargetReport {
    /// The MX host this address belongs to, for a mail-domain monitor; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub mx: Option<String>,
    /// The address probed.
    pub address: String,
    /// Its status: `success`, `warning`, `failed`, or `no_route` (grey: its address family has
    /// no route from here).
    pub status: Status,
    /// Its own probe report (its `targets` empty).
    pub report: ProbeReport,
}

impl TargetReport {
    /// The target of one session's report.
    pub(crate) fn of(report: ProbeReport) -> Self {
        Self {
            mx: None,
            address: report.address.map(|a| a.to_string()).unwrap_or_default(),
            status: status_of(&report),
            report,
        }
    }

    /// Adds a soft finding to this target's report (see [`ProbeReport::add_warning`]).
    pub(crate) fn add_warning(&mut self, kind: WarningKind, message: String) {
        self.report.add_warning(kind, message);
        self.status = status_of(&self.report);
    }

    /// Fails this target's report (see [`ProbeReport::fail`]).
    pub(crate) fn fail(&mut self, failure: Failure) {
        self.report.fail(failure);
        self.status = status_of(&self.report);
    }

    /// The target's name in events and baselines: `mx1.example.com 192.0.2.1`, or the address
    /// alone outside a mail domain.
    pub fn key(&self) -> String {
        match &self.mx {
            Some(mx) => format!("{mx} {}", self.address),
            None => self.address.clone(),
        }
    }

    /// True when the target was judged from here (it is not `no_route`).
    pub fn judged(&self) -> bool {
        self.status != Status::NoRoute
    }
}

/// The status of one session's report: `no_route` when the network said so, else the verdict.
pub(crate) fn status_of(report: &ProbeReport) -> Status {
    match &report.failure {
        Some(f) if f.kind == FailureKind::NetworkUnreachable => Status::NoRoute,
        _ => Status::from(report.status),
    }
}

/// Serialises a duration as fractional milliseconds.
pub(crate) fn ms<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(round_us(*d))
}

/// Serialises an optional duration as fractional milliseconds or `null`.
#[allow(clippy::ref_option)]
pub(crate) fn opt_ms<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_f64(round_us(*d)),
        None => s.serialize_none(),
    }
}

/// Milliseconds rounded to the microsecond (no false precision in JSON).
fn round_us(d: Duration) -> f64 {
    d.as_micros() as f64 / 1000.0
}
