//! One probe of a mail domain: its MX set, then every MX host's addresses, each a target on
//! port 25 (DESIGN.md, "Several targets under one monitor"), the worst shown at the top.
//!
//! Per MX host at most one IPv4 and one IPv6 address are probed (the resolver's first of each):
//! a sending MTA tries one address of a family before it moves on, and with at most
//! [`MAX_MX_HOSTS`](super::mx::MAX_MX_HOSTS) hosts that keeps a domain to 20 targets.
//!
//! What the MX lookup says decides what there is to probe: NXDOMAIN or SERVFAIL is the
//! domain's problem (Failed, the reason says which); no answer in time is this side's (a DNS
//! timeout, which counts as network-level for offline detection); a null MX (RFC 7505) leaves
//! nothing to probe (Failed with kind `null_mx`, which the command line shows as UNKNOWN); no MX
//! record means the domain itself is the implicit MX. An MX host that is an alias (CNAME) is
//! probed, and its targets carry an amber `mx_alias` warning.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::task::JoinSet;
use tokio::time::{timeout_at, Instant};

use super::mx::MxSet;
use super::policies;
use super::resolver::{DnsResolver, HostAddresses, LookupError};
use crate::config::MailPolicy;
use crate::dane::{self, all_loopback, tlsa_name, Evidence, ServedChains, TlsaAnswer};
use crate::dnsbl::{self, DnsblLimiter, ListCheck, ListState};
use crate::failure::{Failure, FailureKind, Phase};
use crate::mta_sts::PolicyCache;
use crate::probe::report::TargetReport;
use crate::probe::{failed_report, with_targets, AddressFamily, ProbeReport, ProbeSpec, Prober};
use crate::verdict::{show, WarningKind};

/// Probes mail domains: the SMTP prober and the resolver they share. Cheap to clone.
#[derive(Debug, Clone)]
pub struct DomainProber {
    prober: Prober,
    resolver: DnsResolver,
    min_ttl: Duration,
    policy: MailPolicy,
    served: Arc<ServedChains>,
    sts_cache: Arc<Mutex<PolicyCache>>,
    listed: DnsblLimiter,
}

impl DomainProber {
    /// A domain prober using `resolver`, checking the mail policies `policy` turns on; MX
    /// answers are kept at least `min_ttl`.
    pub fn new(
        prober: Prober,
        resolver: DnsResolver,
        min_ttl: Duration,
        policy: MailPolicy,
    ) -> Self {
        Self {
            prober,
            resolver,
            min_ttl,
            policy,
            served: Arc::default(),
            sts_cache: Arc::default(),
            listed: DnsblLimiter::default(),
        }
    }

    /// Probes the mail domain `spec.host`: every address of every MX host as a target, with
    /// `spec`'s settings (port, TLS, thresholds) for each session; its MTA-STS and TLS-RPT
    /// records looked up meanwhile and applied to the targets.
    pub async fn probe(&self, spec: &ProbeSpec) -> ProbeReport {
        let domain = spec.host.trim_end_matches('.').to_ascii_lowercase();
        let deadline = Instant::now() + spec.deadline();
        let (mut report, found) = tokio::join!(
            self.probe_mx(spec),
            policies::look_up(
                &self.prober,
                &self.resolver,
                &self.sts_cache,
                &self.policy,
                &domain,
                deadline
            )
        );
        policies::apply(&self.prober, &self.policy, &mut report, found);
        report
    }

    /// The MX set and the sessions with every MX target.
    async fn probe_mx(&self, spec: &ProbeSpec) -> ProbeReport {
        let checked_at = Utc::now();
        let domain = spec.host.trim_end_matches('.').to_ascii_lowercase();
        let start = Instant::now();
        let deadline = start + spec.deadline();
        let answer = timeout_at(deadline, self.resolver.mx(&domain, self.min_ttl)).await;
        let dns = start.elapsed();
        let answer = match answer {
            Err(_) => {
                return self.unanswered(spec, checked_at, dns, &format!("the MX of {domain}"), None)
            }
            Ok(Err(LookupError::Unanswered(why))) => {
                let what = format!("the MX of {domain}");
                return self.unanswered(spec, checked_at, dns, &what, Some(&why));
            }
            Ok(Err(e)) => {
                let failure = lookup_failure(&e, &format!("MX lookup for {domain}"));
                return failed_report(spec, checked_at, Some(dns), failure);
            }
            Ok(Ok(answer)) => answer,
        };
        let mx_set = answer.set.clone();
        let hosts = match answer.set {
            MxSet::NullMx => {
                let failure = Failure::new(
                    Phase::Dns,
                    FailureKind::NullMx,
                    format!("{domain} takes no mail: it publishes a null MX (RFC 7505)"),
                );
                let mut report = failed_report(spec, checked_at, Some(dns), failure);
                report.mx_set = Some(mx_set);
                return report;
            }
            MxSet::Implicit => vec![domain.clone()],
            MxSet::Hosts(hosts) => hosts.into_iter().map(|mx| mx.host).collect(),
        };
        let mut lookups = JoinSet::new();
        for (index, host) in hosts.iter().cloned().enumerate() {
            let resolver = self.resolver.clone();
            lookups.spawn(async move {
                let found = timeout_at(deadline, resolver.addresses(&host)).await.ok();
                (index, found)
            });
        }
        let mut found: Vec<Option<Result<HostAddresses, LookupError>>> = vec![None; hosts.len()];
        while let Some(Ok((index, answer))) = lookups.join_next().await {
            found[index] = answer;
        }
        let dns = start.elapsed();
        let mut sessions = JoinSet::new();
        for (index, (host, answer)) in hosts.iter().zip(found).enumerate() {
            let mut host_spec = spec.clone();
            host_spec.host.clone_from(host);
            let this = self.clone();
            sessions.spawn(async move {
                let targets = match answer {
                    None => {
                        let what = format!("the addresses of MX host {}", host_spec.host);
                        vec![this.unanswered(&host_spec, checked_at, dns, &what, None)]
                            .into_iter()
                            .map(TargetReport::of)
                            .collect()
                    }
                    Some(Err(e)) => {
                        let what = format!("address lookup for MX host {}", host_spec.host);
                        let failure = lookup_failure(&e, &what);
                        vec![TargetReport::of(failed_report(
                            &host_spec,
                            checked_at,
                            Some(dns),
                            failure,
                        ))]
                    }
                    Some(Ok(addresses)) => {
                        this.probe_host(&host_spec, &addresses, checked_at, dns)
                            .await
                    }
                };
                (index, targets)
            });
        }
        let mut per_host: Vec<Vec<TargetReport>> = vec![Vec::new(); hosts.len()];
        while let Some(joined) = sessions.join_next().await {
            match joined {
                Ok((index, targets)) => per_host[index] = targets,
                Err(e) => {
                    tracing::error!(domain = %domain, "an MX host's probe ended abnormally: {e}");
                }
            }
        }
        let mut report = with_targets(spec, checked_at, named(&hosts, per_host));
        report.mx_set = Some(mx_set);
        report
    }

    /// The targets of one MX host: its first IPv4 and first IPv6 address (of the family the
    /// spec allows), each probed and checked for DANE; an alias marks each with a warning.
    async fn probe_host(
        &self,
        spec: &ProbeSpec,
        found: &HostAddresses,
        checked_at: DateTime<Utc>,
        dns: Duration,
    ) -> Vec<TargetReport> {
        let picked = pick_addresses(&found.addresses, spec.family);
        if picked.is_empty() {
            let family = match spec.family {
                AddressFamily::V4 => "no IPv4 address",
                AddressFamily::V6 => "no IPv6 address",
                AddressFamily::Any => "no address",
            };
            let failure = Failure::new(
                Phase::Dns,
                FailureKind::Dns,
                format!("MX host {} has {family}", spec.host),
            );
            return vec![TargetReport::of(failed_report(
                spec,
                checked_at,
                Some(dns),
                failure,
            ))];
        }
        let name = tlsa_name(&spec.host, spec.port);
        let (report, tlsa, listed) = tokio::join!(
            self.prober.probe_addresses(spec, &picked),
            self.tlsa(&name, spec.deadline()),
            self.blocklists(&picked, spec.deadline())
        );
        let mut targets = if report.targets.is_empty() {
            vec![TargetReport::of(report)]
        } else {
            report.targets
        };
        for target in &mut targets {
            target.report.phases.dns = Some(dns);
            if let Some(canonical) = &found.alias {
                let message = format!(
                    "MX host {} is an alias (CNAME) of {canonical}: an MX must name a host with its own address records (RFC 2181 §10.3, RFC 5321 §5.1)",
                    spec.host
                );
                target.add_warning(WarningKind::MxAlias, message);
            }
            self.check_dane(target, &name, &spec.host, tlsa.as_ref());
            apply_blocklists(target, &listed);
        }
        targets
    }

    /// Every address of `picked` checked against the configured blocklists, concurrently,
    /// within `wait`; nothing when no list is configured.
    async fn blocklists(&self, picked: &[IpAddr], wait: Duration) -> Vec<(IpAddr, Vec<ListCheck>)> {
        if self.policy.blocklists.is_empty() {
            return Vec::new();
        }
        let mut asked = JoinSet::new();
        for (index, address) in picked.iter().copied().enumerate() {
            let this = self.clone();
            asked.spawn(async move {
                let checks = dnsbl::check_address(
                    &this.resolver,
                    &this.listed,
                    address,
                    &this.policy.blocklists,
                    wait,
                )
                .await;
                (index, address, checks)
            });
        }
        let mut found = Vec::with_capacity(picked.len());
        while let Some(joined) = asked.join_next().await {
            if let Ok(one) = joined {
                found.push(one);
            }
        }
        found.sort_by_key(|(index, _, _)| *index);
        found.into_iter().map(|(_, a, c)| (a, c)).collect()
    }

    /// The TLSA answer for `name`, or why no answer can be trusted: a resolver that is not on
    /// loopback.
    async fn tlsa(&self, name: &str, wait: Duration) -> Result<TlsaAnswer, String> {
        if !self.policy.dane {
            return Err("DANE is off ([mail_policy] dane = false)".to_owned());
        }
        let servers = self.resolver.servers();
        if !all_loopback(servers) {
            return Err(format!(
                "no validating resolver: the resolver ({}) is not on loopback, where its DNSSEC \
                 validation (the AD bit) could be trusted",
                self.resolver.source()
            ));
        }
        Ok(dane::lookup(servers, name, wait).await)
    }

    /// Checks `target` for DANE, unless DANE is off or its session ended before it could have
    /// used TLS.
    fn check_dane(
        &self,
        target: &mut TargetReport,
        name: &str,
        host: &str,
        answer: Result<&TlsaAnswer, &String>,
    ) {
        if !self.policy.dane {
            return;
        }
        let served = target.report.tls.as_ref().map(|tls| tls.chain.clone());
        if served.is_none() && target.report.ehlo.is_none() {
            return;
        }
        let previous = served
            .as_deref()
            .and_then(|chain| self.served.served(&target.key(), chain));
        let check = dane::check(&Evidence {
            name,
            host,
            answer: answer.map_err(Clone::clone),
            served: served.as_deref(),
            previous: previous.as_deref(),
        });
        dane::apply(target, check);
    }

    /// The report of a lookup that got no answer: within the probe's DNS deadline, or at all
    /// (`why`, the resolver's error).
    fn unanswered(
        &self,
        spec: &ProbeSpec,
        checked_at: DateTime<Utc>,
        dns: Duration,
        what: &str,
        why: Option<&str>,
    ) -> ProbeReport {
        let source = self.resolver.source();
        let message = match why {
            Some(why) => format!("no answer from the resolver ({source}) for {what}: {why}"),
            None => format!(
                "no answer from the resolver ({source}) for {what} within 2×QoS ({})",
                show(spec.deadline())
            ),
        };
        let failure = Failure::new(Phase::Dns, FailureKind::Timeout, message);
        failed_report(spec, checked_at, Some(dns), failure)
    }
}

/// Puts the blocklist checks of `target`'s address on it; each listing makes it amber.
fn apply_blocklists(target: &mut TargetReport, listed: &[(IpAddr, Vec<ListCheck>)]) {
    let Some((_, checks)) = listed
        .iter()
        .find(|(address, _)| address.to_string() == target.address)
    else {
        return;
    };
    for check in checks.iter().filter(|c| c.state == ListState::Listed) {
        let message = dnsbl::warning_message(&target.address, check);
        target.add_warning(WarningKind::Blocklisted, message);
    }
    target.report.blocklists.clone_from(checks);
}

/// Every MX host's targets in preference order, each named by its host.
fn named(hosts: &[String], per_host: Vec<Vec<TargetReport>>) -> Vec<TargetReport> {
    hosts
        .iter()
        .zip(per_host)
        .flat_map(|(host, targets)| {
            targets.into_iter().map(move |mut t| {
                t.mx = Some(host.clone());
                t
            })
        })
        .collect()
}

/// The addresses of one MX host to probe: the first IPv4 and the first IPv6 address, of the
/// families `family` allows.
pub(crate) fn pick_addresses(addresses: &[IpAddr], family: AddressFamily) -> Vec<IpAddr> {
    let first = |v4: bool| addresses.iter().copied().find(|ip| ip.is_ipv4() == v4);
    match family {
        AddressFamily::V4 => first(true).into_iter().collect(),
        AddressFamily::V6 => first(false).into_iter().collect(),
        AddressFamily::Any => first(true).into_iter().chain(first(false)).collect(),
    }
}

/// A failed lookup as a probe failure: NXDOMAIN and SERVFAIL are the domain's (the resolver
/// answered: kinds `nx_domain`, `serv_fail`, never taken for this machine being offline), no
/// answer is this side's (a DNS timeout); any other resolver error is kind `dns`.
fn lookup_failure(e: &LookupError, what: &str) -> Failure {
    let kind = match e {
        LookupError::Unanswered(_) => FailureKind::Timeout,
        LookupError::NxDomain => FailureKind::NxDomain,
        LookupError::ServFail => FailureKind::ServFail,
        LookupError::Other(_) => FailureKind::Dns,
    };
    Failure::new(Phase::Dns, kind, format!("{what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::Verdict;

    #[test]
    fn one_address_of_each_family_per_mx_host() {
        let ips: Vec<IpAddr> = ["192.0.2.1", "2001:db8::1", "192.0.2.2", "2001:db8::2"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(pick_addresses(&ips, AddressFamily::Any), [ips[0], ips[1]]);
        assert_eq!(pick_addresses(&ips, AddressFamily::V4), [ips[0]]);
        assert_eq!(pick_addresses(&ips, AddressFamily::V6), [ips[1]]);
        assert!(pick_addresses(&ips[..1], AddressFamily::V6).is_empty());
    }

    #[test]
    fn nxdomain_and_servfail_are_theirs_no_answer_is_ours() {
        let nx = lookup_failure(&LookupError::NxDomain, "MX lookup for example.test");
        assert_eq!(nx.kind, FailureKind::NxDomain);
        assert!(
            !crate::connectivity::is_network_level(Some(&nx)),
            "the resolver answered"
        );
        assert_eq!(
            nx.message,
            "MX lookup for example.test: the name does not exist (NXDOMAIN)"
        );
        let servfail = lookup_failure(&LookupError::ServFail, "x");
        assert_eq!(servfail.message, "x: the resolver answered SERVFAIL");
        assert_eq!(servfail.kind, FailureKind::ServFail);
        assert!(!crate::connectivity::is_network_level(Some(&servfail)));
        let lost = lookup_failure(&LookupError::Unanswered("request timed out".into()), "x");
        assert_eq!((lost.phase, lost.kind), (Phase::Dns, FailureKind::Timeout));
        assert!(crate::connectivity::is_network_level(Some(&lost)));
    }

    #[test]
    fn an_alias_turns_a_success_amber_and_leaves_a_failure_red() {
        let spec = ProbeSpec::new("mx.example.test", 25);
        let mut ok = crate::probe::tests::blank_report(&spec);
        ok.status = Verdict::Success;
        ok.failure = None;
        ok.reason = None;
        let mut target = TargetReport::of(ok);
        target.mx = Some("mx.example.test".into());
        target.add_warning(WarningKind::MxAlias, "alias".into());
        assert_eq!(target.status, crate::status::Status::Warning);
        assert_eq!(target.report.reason.as_deref(), Some("alias"));
        assert_eq!(target.mx.as_deref(), Some("mx.example.test"));
        let mut failed = TargetReport::of(crate::probe::tests::blank_report(&spec));
        failed.add_warning(WarningKind::MxAlias, "alias".into());
        assert_eq!(target.report.warnings[0].kind, WarningKind::MxAlias);
        assert_eq!(failed.status, crate::status::Status::Failed);
    }

    #[test]
    fn a_listing_is_amber_and_a_refusal_or_unlisted_is_not() {
        use crate::dnsbl::ListCheck;
        let spec = ProbeSpec::new("mx.example.test", 25);
        let check = |state: ListState, codes: &[&str], reason: Option<&str>| ListCheck {
            list: "bl.test".into(),
            state,
            verdict: "v".into(),
            codes: codes.iter().map(|c| (*c).to_owned()).collect(),
            reason: reason.map(str::to_owned),
            checked_at: Utc::now(),
        };
        let green = || {
            let mut ok = crate::probe::tests::blank_report(&spec);
            ok.status = Verdict::Success;
            ok.failure = None;
            ok.reason = None;
            let mut t = TargetReport::of(ok);
            t.address = "192.0.2.10".into();
            t
        };
        let address: IpAddr = "192.0.2.10".parse().unwrap();
        for quiet in [
            check(ListState::NotListed, &[], None),
            check(ListState::Refused, &["127.255.255.254"], None),
            check(ListState::NotAnAnswer, &["127.0.0.1"], None),
            check(ListState::LookupFailed, &[], None),
        ] {
            let mut target = green();
            apply_blocklists(&mut target, &[(address, vec![quiet.clone()])]);
            assert_eq!(target.status, crate::status::Status::Success, "{quiet:?}");
            assert_eq!(target.report.blocklists, [quiet]);
        }
        let mut target = green();
        let listed = check(ListState::Listed, &["127.0.0.2"], Some("spam source"));
        apply_blocklists(&mut target, &[(address, vec![listed])]);
        assert_eq!(target.status, crate::status::Status::Warning);
        assert_eq!(target.report.warnings[0].kind, WarningKind::Blocklisted);
        assert_eq!(
            target.report.reason.as_deref(),
            Some("192.0.2.10 is listed on bl.test (127.0.0.2): spam source")
        );
    }
}
