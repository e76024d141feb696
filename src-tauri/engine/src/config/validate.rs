//! The second pass: from the serde form to the typed [`Config`], checking every value and the
//! rules between values through the layers (built-in defaults, `[defaults]` and `[alerts]`,
//! each monitor) and the rule across monitors (unique names and ids).

use super::check::{Check, Got};
use super::file::{ConfigFile, MailPolicyFile, MonitorFile};
use super::layers::{Alerts, Layer, Settings};
use super::monitor::{self, Identity, Seen};
use super::problem::{Field, Path, Problems};
use super::rules;
use super::schema::{CONTROL, DEFAULTS, DNS, HISTORY, MAIL_POLICY, ROOT};
use super::typed::{days, Config, Control, Defaults, Dns, History, MailPolicy, MonitorConfig};
use crate::domain::parse_resolver;
use crate::model::AlertPolicy;
use crate::settings::{
    Flag, CONTROL_HOSTS, DNS_MIN_TTL_S, DNS_RESOLVER, MAX_BLOCKLISTS, MAX_CONTROL_HOSTS,
    MAX_DNS_RESOLVERS, POLICY_BLOCKLISTS, POLICY_CA_FILE, POLICY_DANE, POLICY_MTA_STS,
    POLICY_TLS_RPT, RETENTION_DAYS,
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
    let hosts = bounded_list(
        &mut c,
        &Field::new(&control, CONTROL, CONTROL_HOSTS.key),
        file.control.hosts.as_ref(),
        (MAX_CONTROL_HOSTS, "hosts", "control hosts"),
        rules::check_host,
    );

    let dns = root.key(ROOT, "dns");
    let min_ttl = c
        .int(
            &Field::new(&dns, DNS, DNS_MIN_TTL_S.key),
            file.dns.min_ttl_s,
            &DNS_MIN_TTL_S,
        )
        .or(Some(DNS_MIN_TTL_S.default));
    let resolvers = bounded_list(
        &mut c,
        &Field::new(&dns, DNS, DNS_RESOLVER.key),
        file.dns.resolver.as_ref(),
        (MAX_DNS_RESOLVERS, "servers", "resolvers"),
        |text| parse_resolver(text).map(|_| ()),
    );

    let mail_policy = mail_policy(&mut c, &root, &file.mail_policy);

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
        mail_policy: mail_policy?,
        monitors: monitors.into_iter().collect::<Option<Vec<_>>>()?,
    })
}

/// `[mail_policy]`, its problems reported; `None` when one of its values is unusable.
fn mail_policy(c: &mut Check<'_>, root: &Path, mp: &MailPolicyFile) -> Option<MailPolicy> {
    let policy = root.key(ROOT, "mail_policy");
    let at = |key| Field::new(&policy, MAIL_POLICY, key);
    let flag = |c: &mut Check<'_>, setting: &Flag, value: Option<&bool>| {
        c.got(&at(setting.key), value).or(Some(setting.default))
    };
    let dane = flag(c, &POLICY_DANE, mp.dane.as_ref());
    let mta_sts = flag(c, &POLICY_MTA_STS, mp.mta_sts.as_ref());
    let tls_rpt = flag(c, &POLICY_TLS_RPT, mp.tls_rpt.as_ref());
    let blocklists = bounded_list(
        c,
        &at(POLICY_BLOCKLISTS.key),
        mp.blocklists.as_ref(),
        (MAX_BLOCKLISTS, "lists", "blocklists"),
        rules::check_domain,
    );
    let ca_file = c
        .rule(&at(POLICY_CA_FILE.key), mp.mta_sts_ca_file.as_ref(), |v| {
            rules::ca_file(v)
        })
        .into_option();
    Some(MailPolicy {
        dane: dane?,
        mta_sts: mta_sts?,
        tls_rpt: tls_rpt?,
        blocklists: blocklists?
            .iter()
            .map(|zone| zone.trim_end_matches('.').to_ascii_lowercase())
            .collect(),
        mta_sts_ca_file: ca_file?,
    })
}

/// A list setting at `at` of at most `max` items, each passing `rule`; `given` and `most` name
/// the items in the message for too many (`9 hosts given; at most 8 control hosts`).
fn bounded_list(
    c: &mut Check<'_>,
    at: &Field<'_>,
    value: Option<&Vec<String>>,
    (max, given, most): (usize, &str, &str),
    rule: fn(&str) -> Result<(), String>,
) -> Option<Vec<String>> {
    match c.got(at, value) {
        Got::Set(list) if list.len() > max => {
            c.problems.add(
                &at.path(),
                format!("{} {given} given; at most {max} {most}", list.len()),
            );
            None
        }
        Got::Set(list) => monitor::each(c, &at.path(), list, rule).or(None),
        other => other.or(Some(Vec::new())),
    }
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
