//! Which table holds which setting of the registry ([`crate::settings`]), in the documented
//! order — the same list as the serde form in `file.rs`. The walker checks files against it,
//! problems are sorted by it, and unknown keys get a "did you mean" from it.

use crate::settings::{self as s, Setting};

/// What a key holds.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shape {
    /// An integer.
    Int,
    /// `true` or `false`.
    Bool,
    /// A string.
    Str,
    /// An array of strings.
    StrList,
    /// A table with these keys.
    Table(&'static [Key]),
    /// An array of tables with these keys.
    TableList(&'static [Key]),
}

/// One key of a table.
#[derive(Debug)]
pub(crate) struct Key {
    pub name: &'static str,
    pub shape: Shape,
}

const fn table(name: &'static str, keys: &'static [Key]) -> Key {
    Key {
        name,
        shape: Shape::Table(keys),
    }
}

/// The key of a registry setting, its shape following the setting's type.
const fn setting(s: Setting) -> Key {
    let shape = match s {
        Setting::Int(_) => Shape::Int,
        Setting::Flag(_) => Shape::Bool,
        Setting::Text(_) | Setting::Choice(_) => Shape::Str,
        Setting::List(_) => Shape::StrList,
    };
    Key {
        name: s.key(),
        shape,
    }
}

/// The top level of a file.
pub(crate) const ROOT: &[Key] = &[
    table("defaults", DEFAULTS),
    table("alerts", ALERTS),
    table("history", HISTORY),
    table("control", CONTROL),
    table("dns", DNS),
    table("mail_policy", MAIL_POLICY),
    Key {
        name: "monitor",
        shape: Shape::TableList(MONITOR),
    },
];

/// `[defaults]`.
pub(crate) const DEFAULTS: &[Key] = &[
    setting(Setting::Int(&s::QOS_MS)),
    setting(Setting::Int(&s::INTERVAL_S)),
    setting(Setting::Int(&s::RETRY_S)),
    setting(Setting::Text(&s::EHLO_NAME)),
    setting(Setting::Int(&s::CERT_WARN_DAYS)),
    setting(Setting::Int(&s::CERT_CRIT_DAYS)),
];

/// `[alerts]` and a monitor's `alerts`.
pub(crate) const ALERTS: &[Key] = &[
    setting(Setting::Int(&s::FAILED_AFTER)),
    setting(Setting::Int(&s::WARNING_AFTER)),
    setting(Setting::Flag(&s::ON_RECOVERY)),
    setting(Setting::Int(&s::REPEAT_EVERY_MIN)),
    setting(Setting::Flag(&s::EVERY_FAILURE)),
];

/// `[history]`.
pub(crate) const HISTORY: &[Key] = &[setting(Setting::Int(&s::RETENTION_DAYS))];

/// `[control]`.
pub(crate) const CONTROL: &[Key] = &[setting(Setting::List(&s::CONTROL_HOSTS))];

/// `[dns]`.
pub(crate) const DNS: &[Key] = &[
    setting(Setting::List(&s::DNS_RESOLVER)),
    setting(Setting::Int(&s::DNS_MIN_TTL_S)),
];

/// `[mail_policy]`.
pub(crate) const MAIL_POLICY: &[Key] = &[
    setting(Setting::Flag(&s::POLICY_DANE)),
    setting(Setting::Flag(&s::POLICY_MTA_STS)),
    setting(Setting::Flag(&s::POLICY_TLS_RPT)),
    setting(Setting::List(&s::POLICY_BLOCKLISTS)),
    setting(Setting::Text(&s::POLICY_CA_FILE)),
];

/// `[[monitor]]`.
pub(crate) const MONITOR: &[Key] = &[
    setting(Setting::Text(&s::ID)),
    setting(Setting::Text(&s::NAME)),
    setting(Setting::Text(&s::HOST)),
    setting(Setting::Text(&s::DOMAIN)),
    setting(Setting::Int(&s::PORT)),
    setting(Setting::Choice(&s::TLS)),
    setting(Setting::Int(&s::QOS_MS)),
    setting(Setting::Int(&s::INTERVAL_S)),
    setting(Setting::Int(&s::RETRY_S)),
    setting(Setting::Text(&s::EHLO_NAME)),
    setting(Setting::Text(&s::CA_FILE)),
    setting(Setting::Flag(&s::INSECURE)),
    setting(Setting::Int(&s::CERT_WARN_DAYS)),
    setting(Setting::Int(&s::CERT_CRIT_DAYS)),
    setting(Setting::List(&s::REQUIRE_EXT)),
    setting(Setting::Choice(&s::FAMILY)),
    setting(Setting::Choice(&s::ADDRESSES)),
    setting(Setting::Flag(&s::ENABLED)),
    table("alerts", ALERTS),
];

/// Where each table's keys live, for "belongs in" hints.
const HOMES: &[(&str, &[Key])] = &[
    ("defaults", DEFAULTS),
    ("alerts", ALERTS),
    ("history", HISTORY),
    ("control", CONTROL),
    ("dns", DNS),
    ("mail_policy", MAIL_POLICY),
    ("monitor", MONITOR),
];

/// The tables a setting can be given in (`["defaults", "monitor"]` for `qos_ms`), the monitor's
/// `alerts` table left out: it takes the keys of `alerts`.
pub fn tables_of(key: &str) -> Vec<&'static str> {
    HOMES
        .iter()
        .filter(|(_, keys)| keys.iter().any(|k| k.name == key))
        .map(|(table, _)| *table)
        .collect()
}

/// Position of `name` in `table`, or `table.len()` for a key it does not have.
pub(crate) fn rank(table: &[Key], name: &str) -> usize {
    table
        .iter()
        .position(|k| k.name == name)
        .unwrap_or(table.len())
}

/// The message for a key `table` does not have: `unknown key`, with a hint when one is likely.
pub(crate) fn unknown_key(table: &'static [Key], name: &str) -> String {
    if let Some(near) = nearest(table, name) {
        return format!("unknown key (did you mean {near:?}?)");
    }
    let home = HOMES
        .iter()
        .find(|(_, keys)| !std::ptr::eq(*keys, table) && keys.iter().any(|k| k.name == name));
    match home {
        Some(("monitor", _)) => format!("unknown key ({name} is set on each monitor)"),
        Some((home, _)) => format!("unknown key ({name} belongs in {home})"),
        None => "unknown key".to_owned(),
    }
}

/// The key of `table` that `name` most likely misspells: same letters in another case, a unit
/// suffix left off (`qos` → `qos_ms`), or at most one edit per three characters.
fn nearest(table: &[Key], name: &str) -> Option<&'static str> {
    if let Some(k) = table.iter().find(|k| k.name.eq_ignore_ascii_case(name)) {
        return Some(k.name);
    }
    let prefix = format!("{name}_");
    if let Some(k) = table.iter().find(|k| k.name.starts_with(&prefix)) {
        return Some(k.name);
    }
    let limit = (name.chars().count().max(3)) / 3;
    table
        .iter()
        .map(|k| (edit_distance(&name.to_ascii_lowercase(), k.name), k.name))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

/// Optimal string alignment distance: insertions, deletions, substitutions and transpositions
/// of neighbours each cost one (`prot` → `port` is one edit).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("prot", "port"), 1);
        assert_eq!(edit_distance("port", "port"), 0);
        assert_eq!(edit_distance("hots", "host"), 1);
        assert_eq!(edit_distance("", "tls"), 3);
        assert_eq!(edit_distance("intervl_s", "interval_s"), 1);
    }

    #[test]
    fn unknown_key_hints() {
        let cases = [
            (MONITOR, "prot", "unknown key (did you mean \"port\"?)"),
            (MONITOR, "Host", "unknown key (did you mean \"host\"?)"),
            (MONITOR, "qos", "unknown key (did you mean \"qos_ms\"?)"),
            (
                MONITOR,
                "interval",
                "unknown key (did you mean \"interval_s\"?)",
            ),
            (ROOT, "monitors", "unknown key (did you mean \"monitor\"?)"),
            (ROOT, "unknwon_table", "unknown key"),
            (
                DEFAULTS,
                "port",
                "unknown key (port is set on each monitor)",
            ),
            (
                DEFAULTS,
                "failed_after",
                "unknown key (failed_after belongs in alerts)",
            ),
            (
                ROOT,
                "retention_days",
                "unknown key (retention_days belongs in history)",
            ),
            (
                MONITOR,
                "retention_days",
                "unknown key (retention_days belongs in history)",
            ),
            (MONITOR, "xyz", "unknown key"),
            (DEFAULTS, "hosts", "unknown key (hosts belongs in control)"),
        ];
        for (table, name, want) in cases {
            assert_eq!(unknown_key(table, name), want, "{name}");
        }
    }

    #[test]
    fn ranks_follow_the_documented_order() {
        assert_eq!(rank(ROOT, "defaults"), 0);
        assert_eq!(rank(ROOT, "control"), 3);
        assert_eq!(rank(ROOT, "dns"), 4);
        assert_eq!(rank(ROOT, "mail_policy"), 5);
        assert_eq!(rank(ROOT, "monitor"), 6);
        assert_eq!(rank(ROOT, "nope"), ROOT.len());
        assert_eq!(rank(MONITOR, "name"), 1);
    }
}
