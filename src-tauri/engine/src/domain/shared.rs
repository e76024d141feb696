//! The domain prober every monitor task shares, rebuilt when the `[dns]` settings change (a
//! reload); each probe takes the current one, so a change reaches every task's next probe.
//! A resolver that cannot be set up (the system's configuration unreadable) fails each mail
//! domain's probe with that error, naming it, until the `[dns]` settings change.

use std::sync::{PoisonError, RwLock};

use chrono::Utc;

use super::probe::DomainProber;
use super::resolver::DnsResolver;
use crate::config::{Config, Dns, MailPolicy};
use crate::failure::{Failure, FailureKind, Phase};
use crate::probe::{failed_report, ProbeReport, ProbeSpec, Prober};

/// The `[dns]` and `[mail_policy]` settings a prober was built for, and the prober (or why
/// there is none).
type Current = Option<((Dns, MailPolicy), Result<DomainProber, String>)>;

/// The shared domain prober.
#[derive(Debug, Default)]
pub(crate) struct SharedDomainProber {
    current: RwLock<Current>,
}

impl SharedDomainProber {
    fn built(&self) -> Option<Result<DomainProber, String>> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|(_, built)| built.clone())
    }

    /// Uses the `[dns]` settings `dns` (no resolver: the system's configuration) and the
    /// `[mail_policy]` settings `policy` from now on; keeps the current prober (and its caches)
    /// when they are unchanged. Call inside a Tokio runtime.
    pub(crate) fn configure(&self, prober: &Prober, dns: &Dns, policy: &MailPolicy) {
        let key = (dns.clone(), policy.clone());
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        if current.as_ref().is_some_and(|(had, _)| *had == key) {
            return;
        }
        let built = DnsResolver::new(&dns.resolvers, dns.min_ttl)
            .map(|resolver| {
                DomainProber::new(prober.clone(), resolver, dns.min_ttl, policy.clone())
            })
            .map_err(|e| e.to_string());
        if let Err(e) = &built {
            tracing::warn!("mail domains cannot be resolved: {e}");
        }
        *current = Some((key, built));
    }

    /// Probes a monitor: a mail domain through [`Self::probe`], a host through `prober`.
    pub(crate) async fn probe_monitor(&self, prober: &Prober, spec: &ProbeSpec) -> ProbeReport {
        if spec.mail_domain {
            self.probe(prober, spec).await
        } else {
            prober.probe(spec).await
        }
    }

    /// Probes the mail domain `spec.host` with the current prober (the system's configuration
    /// when none was configured).
    pub(crate) async fn probe(&self, prober: &Prober, spec: &ProbeSpec) -> ProbeReport {
        if self.built().is_none() {
            self.configure(prober, &Dns::default(), &MailPolicy::default());
        }
        let built = self
            .built()
            .unwrap_or_else(|| Err("no resolver configured".to_owned()));
        match built {
            Ok(domains) => domains.probe(spec).await,
            Err(why) => {
                let failure = Failure::new(Phase::Dns, FailureKind::Dns, why);
                failed_report(spec, Utc::now(), None, failure)
            }
        }
    }
}

/// One probe of a monitor as its task would run it, outside a running engine (a window's "Test
/// now"): a mail domain through a resolver made for `config`'s `[dns]`, with its
/// `[mail_policy]`; a host through `prober`.
pub async fn probe_once(prober: &Prober, config: &Config, spec: &ProbeSpec) -> ProbeReport {
    if !spec.mail_domain {
        return prober.probe(spec).await;
    }
    let domains = SharedDomainProber::default();
    domains.configure(prober, &config.dns, &config.mail_policy);
    domains.probe(prober, spec).await
}
