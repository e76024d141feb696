//! The second pass: from the serde form to the typed [`Config`], checking every value and the
//! rules between values (2×QoS shorter than the interval, critical days not above warning days,
//! unique names and ids). Settings are layered: built-in defaults, then `[defaults]` and
//! `[alerts]`, then each monitor's own keys. A rule between two values is reported at the layer
//! that set one of them, so a bad `[defaults]` is reported once, not once per monitor.

use std::time::Duration;

use super::file::{AlertsFile, ConfigFile, DefaultsFile, MonitorFile};
use super::monitor::{self, Identity, Seen};
use super::problem::{Field, Path, Problems};
use super::rules::{self, CERT_DAYS, CONFIRMATIONS, QOS_MS, REPEAT_MIN, RETENTION_DAYS, SECONDS};
use super::schema::{Key, ALERTS, DEFAULTS, HISTORY, ROOT};
use super::{Config, Defaults, History, MonitorConfig};
use crate::model::AlertPolicy;
use crate::probe::check_ehlo_name;

/// A value as one layer gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Got<T> {
    /// Not given here: inherited.
    Unset,
    /// Given but wrong (already reported).
    Invalid,
    /// Given and right.
    Set(T),
}

impl<T> Got<T> {
    /// This layer's value over the inherited one; `None` when unusable.
    pub fn or(self, inherited: Option<T>) -> Option<T> {
        match self {
            Self::Set(v) => Some(v),
            Self::Unset => inherited,
            Self::Invalid => None,
        }
    }

    /// For a setting that may stay unset: `Some(None)` when unset, `None` when unusable.
    #[allow(clippy::option_option)] // the three cases are exactly what `?` needs here
    pub fn into_option(self) -> Option<Option<T>> {
        match self {
            Self::Set(v) => Some(Some(v)),
            Self::Unset => Some(None),
            Self::Invalid => None,
        }
    }

    /// Whether this layer gave a usable value.
    pub fn is_set(&self) -> bool {
        matches!(self, Self::Set(_))
    }
}

/// Reads values at paths, reporting what is wrong.
#[derive(Debug)]
pub(crate) struct Check<'a> {
    pub problems: &'a mut Problems,
}

impl Check<'_> {
    /// A value with no rule of its own; `Invalid` when the walker left it out.
    pub fn got<T: Clone>(&self, field: &Field<'_>, value: Option<&T>) -> Got<T> {
        match value {
            Some(v) => Got::Set(v.clone()),
            None if self.problems.is_malformed_field(field) => Got::Invalid,
            None => Got::Unset,
        }
    }

    /// A value that must pass `rule`, which may also convert it.
    pub fn rule<T: ?Sized, U>(
        &mut self,
        field: &Field<'_>,
        value: Option<&T>,
        rule: impl FnOnce(&T) -> Result<U, String>,
    ) -> Got<U> {
        match value.map(rule) {
            Some(Ok(u)) => Got::Set(u),
            Some(Err(message)) => {
                self.problems.add(&field.path(), message);
                Got::Invalid
            }
            None if self.problems.is_malformed_field(field) => Got::Invalid,
            None => Got::Unset,
        }
    }

    /// An integer within `range`.
    pub fn int(
        &mut self,
        field: &Field<'_>,
        value: Option<i64>,
        range: &std::ops::RangeInclusive<i64>,
    ) -> Got<i64> {
        self.rule(field, value.as_ref(), |v| {
            rules::in_range(*v, range).map(|()| *v)
        })
    }
}

/// Probe settings after a layer; `None` where unusable. Units as in the file.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub qos_ms: Option<i64>,
    pub interval_s: Option<i64>,
    pub retry_s: Option<i64>,
    /// `Unset` for the automatic name.
    pub ehlo_name: Got<String>,
    pub cert_warn_days: Option<i64>,
    pub cert_crit_days: Option<i64>,
}

/// The probe-setting keys of one layer, borrowed from `[defaults]` or a monitor.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layer<'a> {
    pub qos_ms: Option<i64>,
    pub interval_s: Option<i64>,
    pub retry_s: Option<i64>,
    pub ehlo_name: Option<&'a String>,
    pub cert_warn_days: Option<i64>,
    pub cert_crit_days: Option<i64>,
}

impl Settings {
    /// The typed defaults as a base for monitors.
    pub fn from_defaults(d: &Defaults) -> Self {
        let whole = |n: u128| Some(i64::try_from(n).unwrap_or(i64::MAX));
        Self {
            qos_ms: whole(d.qos.as_millis()),
            interval_s: whole(d.interval.as_secs().into()),
            retry_s: whole(d.retry.as_secs().into()),
            ehlo_name: d.ehlo_name.clone().map_or(Got::Unset, Got::Set),
            cert_warn_days: Some(d.cert_warn_days),
            cert_crit_days: Some(d.cert_crit_days),
        }
    }

    /// Applies `layer` (the keys of table `keys` at `path`) over these settings.
    pub fn apply(
        &self,
        c: &mut Check<'_>,
        path: &Path,
        keys: &'static [Key],
        layer: Layer<'_>,
    ) -> Self {
        let at = |name: &'static str| Field::new(path, keys, name);
        let qos = c.int(&at("qos_ms"), layer.qos_ms, &QOS_MS);
        let interval = c.int(&at("interval_s"), layer.interval_s, &SECONDS);
        let retry = c.int(&at("retry_s"), layer.retry_s, &SECONDS);
        let ehlo = c.rule(&at("ehlo_name"), layer.ehlo_name, |n| {
            check_ehlo_name(n).map(|()| n.clone())
        });
        let warn = c.int(&at("cert_warn_days"), layer.cert_warn_days, &CERT_DAYS);
        let crit = c.int(&at("cert_crit_days"), layer.cert_crit_days, &CERT_DAYS);

        let (qos_set, interval_set) = (qos.is_set(), interval.is_set());
        let (warn_set, crit_set) = (warn.is_set(), crit.is_set());
        let merged = Self {
            qos_ms: qos.or(self.qos_ms),
            interval_s: interval.or(self.interval_s),
            retry_s: retry.or(self.retry_s),
            ehlo_name: match ehlo {
                Got::Unset => self.ehlo_name.clone(),
                given => given,
            },
            cert_warn_days: warn.or(self.cert_warn_days),
            cert_crit_days: crit.or(self.cert_crit_days),
        };
        if let (Some(q), Some(i)) = (merged.qos_ms, merged.interval_s) {
            if i * 1000 <= 2 * q {
                let double = rules::seconds(2 * q);
                if interval_set {
                    c.problems.add(
                        &at("interval_s").path(),
                        format!("{i} must be longer than 2×qos_ms ({double})"),
                    );
                } else if qos_set {
                    c.problems.add(
                        &at("qos_ms").path(),
                        format!("{q} is too long for interval_s {i}: 2×qos_ms ({double}) must be shorter"),
                    );
                }
            }
        }
        if let (Some(w), Some(k)) = (merged.cert_warn_days, merged.cert_crit_days) {
            if k > w {
                if crit_set {
                    c.problems.add(
                        &at("cert_crit_days").path(),
                        format!("{k} is above cert_warn_days {w}"),
                    );
                } else if warn_set {
                    c.problems.add(
                        &at("cert_warn_days").path(),
                        format!("{w} is below cert_crit_days {k}"),
                    );
                }
            }
        }
        merged
    }

    /// The typed defaults, when every value is usable.
    fn typed(&self) -> Option<Defaults> {
        Some(Defaults {
            qos: millis(self.qos_ms?),
            interval: secs(self.interval_s?),
            retry: secs(self.retry_s?),
            ehlo_name: self.ehlo_name.clone().into_option()?,
            cert_warn_days: self.cert_warn_days?,
            cert_crit_days: self.cert_crit_days?,
        })
    }
}

impl<'a> From<&'a DefaultsFile> for Layer<'a> {
    fn from(d: &'a DefaultsFile) -> Self {
        Self {
            qos_ms: d.qos_ms,
            interval_s: d.interval_s,
            retry_s: d.retry_s,
            ehlo_name: d.ehlo_name.as_ref(),
            cert_warn_days: d.cert_warn_days,
            cert_crit_days: d.cert_crit_days,
        }
    }
}

impl<'a> From<&'a MonitorFile> for Layer<'a> {
    fn from(m: &'a MonitorFile) -> Self {
        Self {
            qos_ms: m.qos_ms,
            interval_s: m.interval_s,
            retry_s: m.retry_s,
            ehlo_name: m.ehlo_name.as_ref(),
            cert_warn_days: m.cert_warn_days,
            cert_crit_days: m.cert_crit_days,
        }
    }
}

/// An alert policy after a layer; `None` where unusable.
#[derive(Debug, Clone)]
pub(crate) struct Alerts {
    failed_after: Option<i64>,
    warning_after: Option<i64>,
    on_recovery: Option<bool>,
    repeat_every_min: Option<i64>,
    every_failure: Option<bool>,
}

impl Alerts {
    /// A typed policy as a base for monitors.
    pub fn from_policy(p: &AlertPolicy) -> Self {
        Self {
            failed_after: Some(p.failed_after.into()),
            warning_after: Some(p.warning_after.into()),
            on_recovery: Some(p.on_recovery),
            repeat_every_min: Some(
                p.repeat_every
                    .map_or(0, |d| i64::try_from(d.as_secs() / 60).unwrap_or(i64::MAX)),
            ),
            every_failure: Some(p.every_failure),
        }
    }

    /// Applies the alerts table at `path` (absent: nothing overridden) over this policy.
    pub fn apply(&self, c: &mut Check<'_>, path: &Path, file: Option<&AlertsFile>) -> Self {
        let empty = AlertsFile::default();
        let f = file.unwrap_or(&empty);
        let at = |name: &'static str| Field::new(path, ALERTS, name);
        Self {
            failed_after: c
                .int(&at("failed_after"), f.failed_after, &CONFIRMATIONS)
                .or(self.failed_after),
            warning_after: c
                .int(&at("warning_after"), f.warning_after, &CONFIRMATIONS)
                .or(self.warning_after),
            on_recovery: c
                .got(&at("on_recovery"), f.on_recovery.as_ref())
                .or(self.on_recovery),
            repeat_every_min: c
                .int(&at("repeat_every_min"), f.repeat_every_min, &REPEAT_MIN)
                .or(self.repeat_every_min),
            every_failure: c
                .got(&at("every_failure"), f.every_failure.as_ref())
                .or(self.every_failure),
        }
    }

    /// The typed policy, when every value is usable.
    pub fn typed(&self) -> Option<AlertPolicy> {
        let minutes = self.repeat_every_min?;
        Some(AlertPolicy {
            failed_after: u32::try_from(self.failed_after?).ok()?,
            warning_after: u32::try_from(self.warning_after?).ok()?,
            on_recovery: self.on_recovery?,
            repeat_every: (minutes > 0).then(|| secs(minutes * 60)),
            every_failure: self.every_failure?,
        })
    }
}

/// Whole milliseconds of an already range-checked value.
pub(crate) fn millis(ms: i64) -> Duration {
    Duration::from_millis(ms.unsigned_abs())
}

/// Whole seconds of an already range-checked value.
pub(crate) fn secs(s: i64) -> Duration {
    Duration::from_secs(s.unsigned_abs())
}

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
    let retention_days = Field::new(&history, HISTORY, "retention_days");
    let retention = c
        .int(
            &retention_days,
            file.history.retention_days,
            &RETENTION_DAYS,
        )
        .or(Some(History::RETENTION_DAYS));

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
            retention: secs(retention? * 86_400),
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
