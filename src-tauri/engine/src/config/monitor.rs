//! One `[[monitor]]` checked and merged over the defaults into a [`MonitorConfig`], and the
//! rule across monitors: names unique, ids (explicit, or the name) unique.

use std::collections::HashMap;
use std::path::PathBuf;

use super::check::{Check, Got};
use super::file::MonitorFile;
use super::layers::{Alerts, Layer, Settings};
use super::problem::{Field, Path};
use super::rules;
use super::schema::MONITOR;
use super::typed::{millis, secs, MonitorConfig};
use super::walk::quote;
use crate::model::MonitorId;
use crate::probe::{AddressFamily, Addresses, ProbeSpec, TlsMode};
use crate::settings::{ENABLED, INSECURE};
use crate::tls::TlsTrust;
use crate::verdict::Thresholds;

/// Checks monitor `m` at `path` over the inherited settings and alert policy. Returns it typed
/// when nothing in it is wrong, and what identifies it for the uniqueness rule.
pub(crate) fn check(
    c: &mut Check<'_>,
    base: &Settings,
    alerts: &Alerts,
    m: &MonitorFile,
    path: &Path,
) -> (Option<MonitorConfig>, Identity) {
    let at = |name: &'static str| Field::new(path, MONITOR, name);
    let id = c.rule(&at("id"), m.id.as_ref(), |v| {
        rules::label(v).map(|()| v.clone())
    });
    let name = required(c, &at("name"), m.name.as_ref(), rules::label);
    let (host, domain) = target(c, &at, m);
    let tls = c.rule(&at("tls"), m.tls.as_ref(), |v| v.parse::<TlsMode>());
    let port = c.rule(&at("port"), m.port.as_ref(), |v| rules::port(*v));
    let settings = base.apply(c, path, MONITOR, Layer::from(m));
    let ca_file = c.rule(&at("ca_file"), m.ca_file.as_ref(), |v| rules::ca_file(v));
    let insecure = c.got(&at("insecure"), m.insecure.as_ref());
    let require_ext = c.got(&at("require_ext"), m.require_ext.as_ref());
    let require_ext = match require_ext {
        Got::Set(list) => each(
            c,
            &at("require_ext").path(),
            list,
            rules::check_ehlo_keyword,
        ),
        other => other,
    };
    let family = c.rule(&at("family"), m.family.as_ref(), |v| rules::family(v));
    let family = match (&host, family) {
        (Some(host), Got::Set(family)) => c.rule(&at("family"), m.family.as_ref(), |_| {
            rules::check_family(host, family).map(|()| family)
        }),
        (_, other) => other,
    };
    let addresses = c.rule(&at("addresses"), m.addresses.as_ref(), |v| {
        v.parse::<Addresses>()
    });
    let enabled = c.got(&at("enabled"), m.enabled.as_ref());
    let alerts = alerts.apply(c, &at("alerts").path(), m.alerts.as_ref());

    let identity = Identity {
        name: name.clone(),
        id: match id {
            Got::Set(id) => Some((id, true)),
            Got::Unset => name.clone().map(|n| (n, false)),
            Got::Invalid => None,
        },
    };
    let typed = Parts {
        domain,
        name,
        id: identity.id.clone().map(|(id, _)| id),
        host,
        port,
        tls,
        family,
        addresses,
        settings,
        ca_file,
        insecure,
        require_ext,
        enabled,
        alerts,
    }
    .typed();
    (typed, identity)
}

/// A monitor's checked values, before they are known to be all usable.
struct Parts {
    domain: bool,
    name: Option<String>,
    id: Option<String>,
    host: Option<String>,
    port: Got<u16>,
    tls: Got<TlsMode>,
    family: Got<AddressFamily>,
    addresses: Got<Addresses>,
    settings: Settings,
    ca_file: Got<PathBuf>,
    insecure: Got<bool>,
    require_ext: Got<Vec<String>>,
    enabled: Got<bool>,
    alerts: Alerts,
}

impl Parts {
    /// The typed monitor, defaults filled in; `None` when any value is unusable.
    fn typed(self) -> Option<MonitorConfig> {
        // A mail domain is probed as a sending MTA would: STARTTLS when offered.
        let default_tls = if self.domain {
            TlsMode::Starttls
        } else {
            TlsMode::None
        };
        let tls = self.tls.or(Some(default_tls))?;
        let s = self.settings;
        let interval = secs(s.interval_s?);
        let spec = ProbeSpec {
            host: self.host?,
            port: self.port.or(Some(tls.default_port()))?,
            tls,
            family: self.family.or(Some(AddressFamily::Any))?,
            addresses: self.addresses.or(Some(Addresses::All))?,
            ehlo_name: s.ehlo_name.into_option()?,
            trust: TlsTrust {
                ca_file: self.ca_file.into_option()?,
                insecure: self.insecure.or(Some(INSECURE.default))?,
            },
            thresholds: Thresholds {
                qos: millis(s.qos_ms?),
                cert_warn_days: s.cert_warn_days?,
                cert_crit_days: s.cert_crit_days?,
                required_extensions: self.require_ext.or(Some(Vec::new()))?,
            },
            opportunistic: self.domain,
            mail_domain: self.domain,
        };
        Some(MonitorConfig {
            id: MonitorId(self.id?),
            name: self.name?,
            spec,
            interval,
            retry: secs(s.retry_s?).min(interval),
            enabled: self.enabled.or(Some(ENABLED.default))?,
            alerts: self.alerts.typed()?,
        })
    }
}

/// What the monitor probes: its `host`, or its mail `domain` (`true`) — exactly one of them.
/// A domain's MX hosts are probed on port 25 with opportunistic TLS, so `port`, `tls`,
/// `insecure`, `ca_file` and `addresses` are a host's only.
fn target<'a>(
    c: &mut Check<'_>,
    at: &dyn Fn(&'static str) -> Field<'a>,
    m: &MonitorFile,
) -> (Option<String>, bool) {
    let Some(domain) = m.domain.as_ref() else {
        return (
            required(c, &at("host"), m.host.as_ref(), rules::check_host),
            false,
        );
    };
    if m.host.is_some() {
        c.problems.add(
            &at("domain").path(),
            "a monitor names a host or a domain, not both",
        );
        return (None, true);
    }
    let host_only = [
        ("port", m.port.is_some()),
        ("tls", m.tls.is_some()),
        ("insecure", m.insecure.is_some()),
        ("ca_file", m.ca_file.is_some()),
        ("addresses", m.addresses.is_some()),
    ];
    let mut ok = true;
    for (key, set) in host_only {
        if set {
            c.problems.add(
                &at(key).path(),
                "applies to a host only; a domain's MX hosts are probed on port 25 with opportunistic STARTTLS",
            );
            ok = false;
        }
    }
    let checked = required(c, &at("domain"), Some(domain), rules::check_domain);
    (checked.filter(|_| ok), true)
}

/// A value that must be there and pass `rule`; `None` when missing or wrong.
fn required(
    c: &mut Check<'_>,
    field: &Field<'_>,
    value: Option<&String>,
    rule: fn(&str) -> Result<(), String>,
) -> Option<String> {
    match c.rule(field, value, |v| rule(v).map(|()| v.clone())) {
        Got::Set(v) => Some(v),
        Got::Unset => {
            c.problems.add(&field.path(), "is required");
            None
        }
        Got::Invalid => None,
    }
}

/// Checks each required extension keyword, reporting each bad one at its index.
/// A list whose every item must pass `rule`; each wrong one is reported at its index.
pub(crate) fn each(
    c: &mut Check<'_>,
    path: &Path,
    list: Vec<String>,
    rule: fn(&str) -> Result<(), String>,
) -> Got<Vec<String>> {
    let mut ok = true;
    for (i, item) in list.iter().enumerate() {
        if let Err(message) = rule(item) {
            c.problems.add(&path.index(i), message);
            ok = false;
        }
    }
    if ok {
        Got::Set(list)
    } else {
        Got::Invalid
    }
}

/// What makes a monitor unique: its name, and its id with whether it was given or taken from
/// the name. `None` where missing or wrong.
#[derive(Debug, Clone, Default)]
pub(crate) struct Identity {
    name: Option<String>,
    id: Option<(String, bool)>,
}

impl Identity {
    /// The identity of a monitor already validated; an id differing from the name was given.
    pub(crate) fn of(m: &MonitorConfig) -> Self {
        let explicit = m.id.0 != m.name;
        Self {
            name: Some(m.name.clone()),
            id: Some((m.id.0.clone(), explicit)),
        }
    }
}

/// The names and ids met so far, with the index of the monitor holding each.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    names: HashMap<String, usize>,
    ids: HashMap<String, (usize, bool)>,
}

impl Seen {
    /// Remembers monitor `index` without checking it.
    pub(crate) fn insert(&mut self, index: usize, identity: Identity) {
        if let Some(name) = identity.name {
            self.names.entry(name).or_insert(index);
        }
        if let Some((id, explicit)) = identity.id {
            self.ids.entry(id).or_insert((index, explicit));
        }
    }

    /// Reports monitor `index` (in the list at `list`) if its name or id is taken, then
    /// remembers it.
    pub(crate) fn check(
        &mut self,
        c: &mut Check<'_>,
        list: &Path,
        index: usize,
        identity: Identity,
    ) {
        let at = |name: &str| list.index(index).key(MONITOR, name);
        let mut name_taken = false;
        if let Some(name) = &identity.name {
            if let Some(other) = self.names.get(name) {
                c.problems.add(
                    &at("name"),
                    format!("{} is used by monitor[{other}] too", quote(name)),
                );
                name_taken = true;
            }
        }
        if let Some((id, explicit)) = &identity.id {
            match self.ids.get(id) {
                Some((other, _)) if *explicit => {
                    c.problems.add(
                        &at("id"),
                        format!("{} is used by monitor[{other}] too", quote(id)),
                    );
                }
                Some((other, true)) if !name_taken => c.problems.add(
                    &at("name"),
                    format!(
                        "{} is the id of monitor[{other}]; give this monitor an id of its own",
                        quote(id)
                    ),
                ),
                _ => {}
            }
        }
        self.insert(index, identity);
    }
}
