//! Settings in layers: the registry's defaults, then `[defaults]` and `[alerts]`, then each
//! monitor's own keys. A rule between two values (2×QoS shorter than the interval, critical
//! days not above warning days) is reported at the layer that set one of them, so a bad
//! `[defaults]` is reported once, not once per monitor.

use super::check::{Check, Got};
use super::file::{AlertsFile, DefaultsFile, MonitorFile};
use super::problem::{Field, Path};
use super::rules;
use super::schema::{Key, ALERTS};
use super::typed::{millis, secs, Defaults};
use crate::model::AlertPolicy;
use crate::probe::check_ehlo_name;
use crate::settings::{
    self, CERT_CRIT_DAYS, CERT_WARN_DAYS, FAILED_AFTER, INTERVAL_S, QOS_MS, REPEAT_EVERY_MIN,
    RETRY_S, WARNING_AFTER,
};

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
    pub(crate) fn from_defaults(d: &Defaults) -> Self {
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
    pub(crate) fn apply(
        &self,
        c: &mut Check<'_>,
        path: &Path,
        keys: &'static [Key],
        layer: Layer<'_>,
    ) -> Self {
        let at = |name: &'static str| Field::new(path, keys, name);
        let qos = c.int(&at(QOS_MS.key), layer.qos_ms, &QOS_MS);
        let interval = c.int(&at(INTERVAL_S.key), layer.interval_s, &INTERVAL_S);
        let retry = c.int(&at(RETRY_S.key), layer.retry_s, &RETRY_S);
        let ehlo = c.rule(&at("ehlo_name"), layer.ehlo_name, |n| check_ehlo_name(n));
        let warn = c.int(
            &at(CERT_WARN_DAYS.key),
            layer.cert_warn_days,
            &CERT_WARN_DAYS,
        );
        let crit = c.int(
            &at(CERT_CRIT_DAYS.key),
            layer.cert_crit_days,
            &CERT_CRIT_DAYS,
        );

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
            if !settings::cert_days_in_order(w, k) {
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
    pub(crate) fn typed(&self) -> Option<Defaults> {
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
    pub(crate) fn from_policy(p: &AlertPolicy) -> Self {
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
    pub(crate) fn apply(&self, c: &mut Check<'_>, path: &Path, file: Option<&AlertsFile>) -> Self {
        let empty = AlertsFile::default();
        let f = file.unwrap_or(&empty);
        let at = |name: &'static str| Field::new(path, ALERTS, name);
        Self {
            failed_after: c
                .int(&at(FAILED_AFTER.key), f.failed_after, &FAILED_AFTER)
                .or(self.failed_after),
            warning_after: c
                .int(&at(WARNING_AFTER.key), f.warning_after, &WARNING_AFTER)
                .or(self.warning_after),
            on_recovery: c
                .got(&at("on_recovery"), f.on_recovery.as_ref())
                .or(self.on_recovery),
            repeat_every_min: c
                .int(
                    &at(REPEAT_EVERY_MIN.key),
                    f.repeat_every_min,
                    &REPEAT_EVERY_MIN,
                )
                .or(self.repeat_every_min),
            every_failure: c
                .got(&at("every_failure"), f.every_failure.as_ref())
                .or(self.every_failure),
        }
    }

    /// The typed policy, when every value is usable.
    pub(crate) fn typed(&self) -> Option<AlertPolicy> {
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
