//! The agent's `/metrics` in the Prometheus/OpenMetrics text format, with the official
//! `prometheus-client` crate. Gauges describe the current snapshot as shown at scrape time
//! ([`Snapshot::at`]: stale and paused monitors), so a removed monitor's series disappear and a
//! stalled engine's monitors turn `stale`; counters and the latency histogram are fed by every
//! probe result. `ehlowatch_state` has one series per monitor, labelled with its current state:
//! its cardinality is the number of monitors, and a state change ends the old series.
//! `ehlowatch_target_status` has one series per target of each monitor's last probe (at most
//! 8 per host, 20 per mail domain — 10 MX hosts × 2 families — each labelled with its MX host
//! too): an address that leaves the host's DNS, or an MX host that leaves the domain's, leaves
//! the exposition with it. `ehlowatch_dane` has one series per MX target whose DANE was
//! checked, labelled with its state; `ehlowatch_mta_sts` likewise for MTA-STS, and
//! `ehlowatch_mta_sts_mode` one per mail domain with a policy in force; `ehlowatch_blocklisted`
//! one per MX target and blocklist that said listed (1) or not listed (0).

use std::sync::Arc;

use chrono::Utc;
use ehlowatch_engine::EngineEvent;
use ehlowatch_engine::ListState;
use ehlowatch_engine::WarningKind;
use ehlowatch_engine::{MonitorView, Snapshot, TargetReport, MAX_MX_HOSTS, MAX_TARGETS};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::info::Info;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::{Registry, Unit};
use tokio::sync::watch;

type Labels = Vec<(&'static str, String)>;

/// The labels of a probe counted: its monitor and its verdict.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProbeLabels {
    monitor: String,
    verdict: &'static str,
}

/// The label of a series per monitor.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MonitorLabel {
    monitor: String,
}

/// Latency buckets in seconds: 5 ms to 10 s.
const LATENCY_BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0,
];

/// Schedule lag buckets in seconds: 1 ms to 30 s.
const LAG_BUCKETS: [f64; 10] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0];

/// The agent's registry and the metrics fed by events.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    probes: Family<ProbeLabels, Counter>,
    latency: Family<MonitorLabel, Histogram>,
    lag: Histogram,
}

impl Metrics {
    /// Registers every metric; `snapshot` is read at each scrape.
    pub fn new(snapshot: watch::Receiver<Arc<Snapshot>>) -> Self {
        let mut registry = Registry::with_prefix("ehlowatch");
        let probes = Family::<ProbeLabels, Counter>::default();
        registry.register(
            "probes",
            "Probes run, by monitor and verdict",
            probes.clone(),
        );
        let latency = Family::<MonitorLabel, Histogram>::new_with_constructor(|| {
            Histogram::new(LATENCY_BUCKETS)
        });
        registry.register_with_unit(
            "probe_latency",
            "Connect start to the final line of the EHLO reply, for probes answered 250",
            Unit::Seconds,
            latency.clone(),
        );
        let lag = Histogram::new(LAG_BUCKETS);
        registry.register_with_unit(
            "schedule_lag",
            "How late probes start against their schedule (a busy semaphore or CPU shows here)",
            Unit::Seconds,
            lag.clone(),
        );
        registry.register(
            "build",
            "The running version",
            Info::new(vec![("version", env!("CARGO_PKG_VERSION").to_owned())]),
        );
        registry.register_collector(Box::new(SnapshotCollector(snapshot)));
        Self {
            registry,
            probes,
            latency,
            lag,
        }
    }

    /// Counts a probe result.
    pub fn observe(&self, event: &EngineEvent) {
        if let EngineEvent::Result {
            name, report, lag, ..
        } = event
        {
            self.lag.observe(lag.as_secs_f64());
            let labels = ProbeLabels {
                monitor: name.clone(),
                verdict: report.status.as_str(),
            };
            self.probes.get_or_create(&labels).inc();
            if let Some(latency) = report.latency {
                self.latency
                    .get_or_create(&MonitorLabel {
                        monitor: labels.monitor,
                    })
                    .observe(latency.as_secs_f64());
            }
        }
    }

    /// The exposition text.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// Gauges read from the latest snapshot at each scrape.
#[derive(Debug)]
struct SnapshotCollector(watch::Receiver<Arc<Snapshot>>);

impl Collector for SnapshotCollector {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> Result<(), std::fmt::Error> {
        let snapshot = self.0.borrow().at(Utc::now());

        per_monitor(
            &mut encoder,
            "status",
            "Status as shown now: 0 Success (5510), 1 QoS Warning (5511), 2 Failed (5509), 3 any grey state (ehlowatch_state names it)",
            None,
            &snapshot,
            |m| Some(m.shown.metric_value()),
        )?;

        let mut states = encoder.encode_descriptor(
            "state",
            "1, labelled with the state each monitor is shown in now: success, warning, failed, unknown, offline, blocked, stale, no_route, unreachable, paused (one series per monitor)",
            None,
            MetricType::Gauge,
        )?;
        for m in snapshot.monitors.iter().filter(|m| m.enabled) {
            let labels = vec![
                ("monitor", m.name.clone()),
                ("state", m.shown.as_str().to_owned()),
            ];
            ConstGauge::new(1_i64).encode(states.encode_family(&labels)?)?;
        }

        per_target(&mut encoder, &snapshot)?;
        mta_sts(&mut encoder, &snapshot)?;
        blocklisted(&mut encoder, &snapshot)?;

        let mut warnings = encoder.encode_descriptor(
            "warning",
            "1 for each kind of QoS Warning the last probe found (slow: a 250 after QoS; certificate_expiring: fewer days left than cert_warn_days), else 0",
            None,
            MetricType::Gauge,
        )?;
        for m in snapshot.monitors.iter().filter(|m| m.enabled) {
            let Some(report) = &m.last else { continue };
            for kind in WarningKind::ALL {
                let found = report.warnings.iter().any(|w| w.kind == kind);
                let labels = vec![
                    ("monitor", m.name.clone()),
                    ("kind", kind.as_str().to_owned()),
                ];
                ConstGauge::new(i64::from(found)).encode(warnings.encode_family(&labels)?)?;
            }
        }

        per_monitor(
            &mut encoder,
            "latency",
            "Latency of the last probe that got a 250",
            Some(&Unit::Seconds),
            &snapshot,
            |m| m.last.as_ref()?.latency.map(|l| l.as_secs_f64()),
        )?;

        let mut phases = encoder.encode_descriptor(
            "phase",
            "Time spent in each phase of the last probe",
            Some(&Unit::Seconds),
            MetricType::Gauge,
        )?;
        for m in snapshot.monitors.iter().filter(|m| m.enabled) {
            let Some(report) = &m.last else { continue };
            for (phase, took) in report.phases.measured() {
                let labels = vec![("monitor", m.name.clone()), ("phase", phase.to_owned())];
                ConstGauge::new(took.as_secs_f64()).encode(phases.encode_family(&labels)?)?;
            }
        }

        per_monitor(
            &mut encoder,
            "cert_not_after",
            "notAfter of the server certificate seen by the last TLS probe, as a Unix time",
            Some(&Unit::Seconds),
            &snapshot,
            |m| Some(m.last.as_ref()?.tls.as_ref()?.not_after.timestamp()),
        )?;
        per_monitor(
            &mut encoder,
            "last_check",
            "When the last probe started, as a Unix time",
            Some(&Unit::Seconds),
            &snapshot,
            |m| Some(m.last.as_ref()?.checked_at.timestamp()),
        )?;

        let offline = encoder.encode_descriptor(
            "offline",
            "1 while this machine seems to have no network (every monitor unreachable)",
            None,
            MetricType::Gauge,
        )?;
        ConstGauge::new(i64::from(snapshot.offline)).encode(offline)?;

        let blocked = encoder.encode_descriptor(
            "port25_blocked",
            "1 while outbound port 25 seems blocked on this network (its port-25 monitors are blocked, not failed)",
            None,
            MetricType::Gauge,
        )?;
        ConstGauge::new(i64::from(snapshot.blocked)).encode(blocked)?;
        Ok(())
    }
}

/// One gauge family labelled by monitor: a sample for each enabled monitor `value` has one for.
fn per_monitor<'e, V>(
    encoder: &'e mut DescriptorEncoder<'_>,
    name: &'e str,
    help: &str,
    unit: Option<&'e Unit>,
    snapshot: &Snapshot,
    value: impl Fn(&MonitorView) -> Option<V>,
) -> Result<(), std::fmt::Error>
where
    ConstGauge<V>: EncodeMetric,
{
    let mut family = encoder.encode_descriptor(name, help, unit, MetricType::Gauge)?;
    for m in snapshot.monitors.iter().filter(|m| m.enabled) {
        if let Some(v) = value(m) {
            let labels: Labels = vec![("monitor", m.name.clone())];
            ConstGauge::new(v).encode(family.encode_family(&labels)?)?;
        }
    }
    Ok(())
}

/// The targets of each enabled monitor's last probe (at most 8 per host, 20 per domain), with
/// their labels: the monitor, the MX host for a mail domain, the address.
fn last_targets(snapshot: &Snapshot) -> impl Iterator<Item = (Labels, &TargetReport)> {
    snapshot
        .monitors
        .iter()
        .filter(|m| m.enabled)
        .filter_map(|m| Some((m, m.last.as_ref()?)))
        .flat_map(|(m, report)| {
            report
                .targets
                .iter()
                .take(MAX_TARGETS.max(2 * MAX_MX_HOSTS))
                .map(move |target| {
                    let mut labels = vec![("monitor", m.name.clone())];
                    if let Some(mx) = &target.mx {
                        labels.push(("mx", mx.clone()));
                    }
                    labels.push(("target", target.address.clone()));
                    (labels, target)
                })
        })
}

/// `ehlowatch_target_status`: a sample per target of each enabled monitor's last probe;
/// `ehlowatch_dane`: one per MX target whose DANE was checked, labelled with its state.
fn per_target(
    encoder: &mut DescriptorEncoder<'_>,
    snapshot: &Snapshot,
) -> Result<(), std::fmt::Error> {
    let mut targets = encoder.encode_descriptor(
            "target_status",
            "Status of each target (address; for a mail domain, MX host and address) of a monitor in its last probe: 0 Success, 1 QoS Warning, 2 Failed, 3 no_route (its address family has no route from here); only the targets of the last probe, at most 8 per host and 20 per domain",
            None,
            MetricType::Gauge,
        )?;
    for (labels, target) in last_targets(snapshot) {
        ConstGauge::new(target.status.metric_value()).encode(targets.encode_family(&labels)?)?;
    }
    let mut dane = encoder.encode_descriptor(
            "dane",
            "1 for each MX target of a mail domain's last probe, labelled with its DANE state (RFC 7672): matched; no_match, tlsa_not_updated, no_starttls, lookup_failed (DANE senders refuse it: the target is Failed); no_records, not_usable (senders ignore the records); not_checked (no validating resolver on loopback)",
            None,
            MetricType::Gauge,
        )?;
    for (mut labels, target) in last_targets(snapshot) {
        if let Some(check) = &target.report.dane {
            labels.push(("state", check.state.as_str().to_owned()));
            ConstGauge::new(1_i64).encode(dane.encode_family(&labels)?)?;
        }
    }
    Ok(())
}

/// `ehlowatch_mta_sts`: one per MX target checked against its domain's MTA-STS policy,
/// labelled with its state; `ehlowatch_mta_sts_mode`: one per mail domain with a policy in
/// force, labelled with its mode.
fn mta_sts(
    encoder: &mut DescriptorEncoder<'_>,
    snapshot: &Snapshot,
) -> Result<(), std::fmt::Error> {
    let mut checks = encoder.encode_descriptor(
        "mta_sts",
        "1 for each MX target of a mail domain's last probe checked against the domain's MTA-STS policy (RFC 8461), labelled with its state: valid; mx_not_covered, no_starttls, certificate_refused (senders applying the policy refuse it: Failed under enforce, amber under testing); dane_precedence (its DANE records match, MTA-STS not applied)",
        None,
        MetricType::Gauge,
    )?;
    for (mut labels, target) in last_targets(snapshot) {
        if let Some(check) = &target.report.mta_sts {
            labels.push(("state", check.state.as_str().to_owned()));
            ConstGauge::new(1_i64).encode(checks.encode_family(&labels)?)?;
        }
    }
    let mut modes = encoder.encode_descriptor(
        "mta_sts_mode",
        "1 for each mail domain whose last probe found an MTA-STS policy in force, labelled with its mode: enforce, testing, none",
        None,
        MetricType::Gauge,
    )?;
    for m in snapshot.monitors.iter().filter(|m| m.enabled) {
        let mode = m
            .last
            .as_ref()
            .and_then(|r| r.mta_sts_policy.as_ref())
            .and_then(|p| p.mode);
        if let Some(mode) = mode {
            let labels = vec![
                ("monitor", m.name.clone()),
                ("mode", mode.as_str().to_owned()),
            ];
            ConstGauge::new(1_i64).encode(modes.encode_family(&labels)?)?;
        }
    }
    Ok(())
}

/// `ehlowatch_blocklisted`: per MX target and blocklist of each mail domain's last probe, 1
/// listed, 0 not listed; no sample when the list refused the query, gave no blocklist answer,
/// or the lookup failed.
fn blocklisted(
    encoder: &mut DescriptorEncoder<'_>,
    snapshot: &Snapshot,
) -> Result<(), std::fmt::Error> {
    let mut listed = encoder.encode_descriptor(
            "blocklisted",
            "Per MX target of a mail domain's last probe and DNS blocklist it is checked against (RFC 5782, [mail_policy] blocklists): 1 listed, 0 not listed; no sample when the list refused the query (127.255.255.252-255), gave no blocklist answer, or the lookup failed",
            None,
            MetricType::Gauge,
        )?;
    for (labels, target) in last_targets(snapshot) {
        for check in &target.report.blocklists {
            let value = match check.state {
                ListState::Listed => 1_i64,
                ListState::NotListed => 0,
                _ => continue,
            };
            let mut labels = labels.clone();
            labels.push(("list", check.list.clone()));
            ConstGauge::new(value).encode(listed.encode_family(&labels)?)?;
        }
    }
    Ok(())
}
