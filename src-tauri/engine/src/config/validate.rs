//! The second pass: from the serde form to the typed [`Config`], checking every value and the
//! rules between values through the layers (built-in defaults, `[defaults]` and `[alerts]`,
//! each monitor) and the rule across monitors (unique names and ids).

use super::check::{Check, Got};
use super::file::{ConfigFile, MonitorFile};
use super::layers::{Alerts, Layer, Settings};
use super::monitor::{self, Identity, Seen};
use super::problem::{Field, Path, Problems};
use super::rules;
use super::schema::{CONTROL, DEFAULTS, DNS, HISTORY, ROOT};
use super::typed::{days, Config, Control, Defaults, Dns, History, MonitorConfig};
use crate::domain::parse_resolver;
use crate::model::AlertPolicy;
use crate::settings::{
    CONTROL_HOSTS, DNS_MIN_TTL_S, DNS_RESOLVER, MAX_CONTROL_HOSTS, MAX_DNS_RESOLVERS,
    RETENTION_DAYS,
};
use std::time::Duration;

/// Validates a whole file into a typed config, reporting every problem to `problems`.
pub(crate) fn config(file: &ConfigFile, problems: &mut Problems) -> Option<Config> {
    let mut c = Check { problems };
    let root = Path::root();
    let builtin = Settings::from_defaults(&Defaults::default());
    let defaults = builtin.apply(
        &mut c,
        &root.key(ROOT, "defaults"),
        DEFAULTS,
        Layer::from(&file.defaults),
    );
    let alerts = Alerts::from_policy(&AlertPolicy::default()).apply(
        &mut c,
        &root.key(ROOT, "alerts"),
        Some(&file.alerts),
    );
    let history = root.key(ROOT, "history");
    let retention_days = Field::new(&history, HISTORY, RETENTION_DAYS.key);
    let retention = c
        .int(
            &retention_days,
            file.history.retention_days,
            &RETENTION_DAYS,
        )
        .or(Some(RETENTION_DAYS.default));

    let control = root.key(ROOT, "control");
    let hosts_at = Field::new(&control, CONTROL, CONTROL_HOSTS.key);
    let hosts = match c.got(&hosts_at, file.control.hosts.as_ref()) {
        Got::Set(list) if list.len() > MAX_CONTROL_HOSTS => {
            c.problems.add(
                &hosts_at.path(),
                format!(
                    "{} hosts given; at most {MAX_CONTROL_HOSTS} control hosts",
                    list.len()
                ),
            );
            None
        }
        Got::Set(list) => monitor::each(&mut c, &hosts_at.path(), list, rules::check_host).or(None),
        other => other.or(Some(Vec::new())),
    };

    let dns = root.key(ROOT, "dns");
    let min_ttl = c
        .int(
            &Field::new(&dns, DNS, DNS_MIN_TTL_S.key),
            file.dns.min_ttl_s,
            &DNS_MIN_TTL_S,
        )
        .or(Some(DNS_MIN_TTL_S.default));
    let resolver_at = Field::new(&dns, DNS, DNS_RESOLVER.key);
    let resolvers = match c.got(&resolver_at, file.dns.resolver.as_ref()) {
        Got::Set(list) if list.len() > MAX_DNS_RESOLVERS => {
            c.problems.add(
                &resolver_at.path(),
                format!(
                    "{} servers given; at most {MAX_DNS_RESOLVERS} resolvers",
                    list.len()
                ),
            );
            None
        }
        Got::Set(list) => monitor::each(&mut c, &resolver_at.path(), list, |text| {
            parse_resolver(text).map(|_| ())
        })
        .or(None),
        other => other.or(Some(Vec::new())),
    };

    let list = root.key(ROOT, "monitor");
    let mut seen = Seen::default();
    let mut monitors = Vec::with_capacity(file.monitors.len());
    for (index, m) in file.monitors.iter().enumerate() {
        let path = list.index(index);
        let (checked, identity) = monitor::check(&mut c, &defaults, &alerts, m, &path);
        seen.check(&mut c, &list, index, identity);
        monitors.push(checked);
    }
    if !c.problems.is_empty() {
        return None;
    }
    Some(Config {
        defaults: defaults.typed()?,
        alerts: alerts.typed()?,
        history: History {
            retention: days(retention?),
        },
        control: Control { hosts: hosts? },
        dns: Dns {
            resolvers: resolvers?
                .iter()
                .filter_map(|text| parse_resolver(text).ok())
                .collect(),
            min_ttl: Duration::from_secs(min_ttl?.unsigned_abs()),
        },
        monitors: monitors.into_iter().collect::<Option<Vec<_>>>()?,
    })
}

/// Validates one monitor of a running config (the desktop saving one form), including that its
/// name and id are not used by another monitor; `index` is its place in the list (the length
/// of the list for a new one).
pub(crate) fn one_monitor(
    config: &Config,
    file: &MonitorFile,
    index: usize,
) -> (Option<MonitorConfig>, Problems) {
    let mut problems = Problems::default();
    let mut c = Check {
        problems: &mut problems,
    };
    let list = Path::root().key(ROOT, "monitor");
    let mut seen = Seen::default();
    for (i, other) in config
        .monitors
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != index)
    {
        seen.insert(i, Identity::of(other));
    }
    let base = Settings::from_defaults(&config.defaults);
    let alerts = Alerts::from_policy(&config.alerts);
    let (checked, identity) = monitor::check(&mut c, &base, &alerts, file, &list.index(index));
    seen.check(&mut c, &list, index, identity);
    (checked, problems)
}
