//! The registry of settings: every value a person can set — in the agent's file, the desktop's
//! store or on the command line — with its key, type, default, range and meaning, once. The file
//! schema, the validator, the command line's argument parsing and the window's generated limits
//! all read these entries, so a setting cannot have two defaults or two ranges. Adding a setting
//! is one entry here plus its use.
//!
//! Ranges are the same at every front door. The QoS ceiling is RFC 5321 §4.5.3.2's five-minute
//! greeting timeout: a server slower than that has failed by any client's measure.

use std::ops::RangeInclusive;

/// An integer setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Int {
    /// The key in a file (`qos_ms`); the command line's flag is `--qos-ms`.
    pub key: &'static str,
    /// The value when none is set.
    pub default: i64,
    /// The smallest value accepted.
    pub min: i64,
    /// The largest value accepted.
    pub max: i64,
    /// The unit, as people write it (`ms`, `s`, `min`, `days`); empty for a count.
    pub unit: &'static str,
    /// What a value of this setting is, when out-of-range values are better named than
    /// bounded (`a port`: `70000 is not a port (1–65535)`).
    pub noun: Option<&'static str>,
    /// What it means.
    pub doc: &'static str,
}

/// A yes/no setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag {
    /// The key in a file.
    pub key: &'static str,
    /// The value when none is set.
    pub default: bool,
    /// What it means.
    pub doc: &'static str,
}

/// A text setting, checked by its own rule where it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    /// The key in a file.
    pub key: &'static str,
    /// What it means.
    pub doc: &'static str,
}

/// A setting that is one of a few words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// The key in a file.
    pub key: &'static str,
    /// The words it accepts; the first is the default.
    pub words: &'static [&'static str],
    /// What it means.
    pub doc: &'static str,
}

/// A list of words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct List {
    /// The key in a file.
    pub key: &'static str,
    /// What it means.
    pub doc: &'static str,
}

/// Any entry of the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// An integer.
    Int(&'static Int),
    /// Yes or no.
    Flag(&'static Flag),
    /// Free text with a rule of its own.
    Text(&'static Text),
    /// One of a few words.
    Choice(&'static Choice),
    /// A list of words.
    List(&'static List),
}

impl Setting {
    /// The key in a file.
    pub fn key(self) -> &'static str {
        match self {
            Self::Int(s) => s.key,
            Self::Flag(s) => s.key,
            Self::Text(s) => s.key,
            Self::Choice(s) => s.key,
            Self::List(s) => s.key,
        }
    }

    /// What it means.
    pub fn doc(self) -> &'static str {
        match self {
            Self::Int(s) => s.doc,
            Self::Flag(s) => s.doc,
            Self::Text(s) => s.doc,
            Self::Choice(s) => s.doc,
            Self::List(s) => s.doc,
        }
    }
}

impl Int {
    /// The accepted values.
    pub fn range(&self) -> RangeInclusive<i64> {
        self.min..=self.max
    }

    /// The value if it is in range, else what is wrong with it, naming the value:
    /// `0 must be at least 1`, `70000 is not a port (1–65535)`.
    pub fn check(&self, value: i64) -> Result<i64, String> {
        if self.range().contains(&value) {
            return Ok(value);
        }
        Err(match self.noun {
            Some(noun) => format!("{value} is not {noun} ({}–{})", self.min, self.max),
            None if value < self.min => format!("{value} must be at least {}", self.min),
            None => format!("{value} must be at most {}", self.max),
        })
    }

    /// Text typed on a command line, as a checked value.
    pub fn parse(&self, text: &str) -> Result<i64, String> {
        let value = text.trim().parse::<i64>().map_err(|_| match self.noun {
            Some(noun) => format!("{text} is not {noun} ({}–{})", self.min, self.max),
            None => format!("{text} is not a whole number"),
        })?;
        self.check(value)
    }

    /// The command-line flag of this setting: `--qos-ms` for `qos_ms`.
    pub fn flag(&self) -> String {
        flag(self.key)
    }
}

/// The command-line flag of a key: `--` and the key with `-` for `_`.
pub fn flag(key: &str) -> String {
    format!("--{}", key.replace('_', "-"))
}

/// `qos_ms`.
pub const QOS_MS: Int = Int {
    key: "qos_ms",
    default: 1000,
    min: 1,
    max: 300_000,
    unit: "ms",
    noun: None,
    doc: "QoS in milliseconds: a 250 later than this is a warning, later than twice this a failure",
};

/// `interval_s`.
pub const INTERVAL_S: Int = Int {
    key: "interval_s",
    default: 60,
    min: 1,
    max: 86_400,
    unit: "s",
    noun: None,
    doc: "Seconds between probes; longer than twice the QoS",
};

/// `retry_s`.
pub const RETRY_S: Int = Int {
    key: "retry_s",
    default: 10,
    min: 1,
    max: 86_400,
    unit: "s",
    noun: None,
    doc: "Seconds before the confirmation re-probe after a failed probe (never more than the interval)",
};

/// `cert_warn_days`.
pub const CERT_WARN_DAYS: Int = Int {
    key: "cert_warn_days",
    default: 14,
    min: 0,
    max: 3_650,
    unit: "days",
    noun: None,
    doc: "Fewer days left on the server's certificate than this is a warning",
};

/// `cert_crit_days`.
pub const CERT_CRIT_DAYS: Int = Int {
    key: "cert_crit_days",
    default: 3,
    min: 0,
    max: 3_650,
    unit: "days",
    noun: None,
    doc: "Fewer days left on the server's certificate than this is a failure; not above cert_warn_days",
};

/// `port`: its default depends on the TLS mode ([`default_port`]).
#[allow(clippy::cast_lossless)]
pub const PORT: Int = Int {
    key: "port",
    // `i64::from` is not const; the cast widens.
    default: SMTP_PORT as i64,
    min: 1,
    max: 65_535,
    unit: "",
    noun: Some("a port"),
    doc: "TCP port: 25, or 465 for implicit TLS, unless set",
};

/// `failed_after`.
pub const FAILED_AFTER: Int = Int {
    key: "failed_after",
    default: 2,
    min: 1,
    max: 1_000,
    unit: "",
    noun: None,
    doc: "Consecutive failed probes before a Failed alert",
};

/// `warning_after`.
pub const WARNING_AFTER: Int = Int {
    key: "warning_after",
    default: 2,
    min: 1,
    max: 1_000,
    unit: "",
    noun: None,
    doc: "Consecutive QoS warnings before a Warning alert",
};

/// `repeat_every_min`.
pub const REPEAT_EVERY_MIN: Int = Int {
    key: "repeat_every_min",
    default: 0,
    min: 0,
    max: 10_080,
    unit: "min",
    noun: None,
    doc: "Remind every this many minutes while a monitor stays Failed; 0 for never",
};

/// `retention_days`.
pub const RETENTION_DAYS: Int = Int {
    key: "retention_days",
    default: 30,
    min: 1,
    max: 3_650,
    unit: "days",
    noun: None,
    doc: "Days of raw results the history keeps",
};

/// `on_recovery`.
pub const ON_RECOVERY: Flag = Flag {
    key: "on_recovery",
    default: true,
    doc: "Alert when a monitor recovers",
};

/// `every_failure`.
pub const EVERY_FAILURE: Flag = Flag {
    key: "every_failure",
    default: false,
    doc: "Alert on every failed probe, confirmations or not",
};

/// `insecure`.
pub const INSECURE: Flag = Flag {
    key: "insecure",
    default: false,
    doc: "Skip certificate verification (the report still says whether it would verify)",
};

/// `enabled`.
pub const ENABLED: Flag = Flag {
    key: "enabled",
    default: true,
    doc: "Probe this monitor",
};

/// `tls`.
pub const TLS: Choice = Choice {
    key: "tls",
    words: &["none", "starttls", "implicit"],
    doc: "none, starttls (RFC 3207) or implicit (TLS from the first byte, RFC 8314)",
};

/// `family`.
pub const FAMILY: Choice = Choice {
    key: "family",
    words: &["any", "ipv4", "ipv6"],
    doc: "The address family to connect over",
};

/// `id`.
pub const ID: Text = Text {
    key: "id",
    doc: "A stable identity kept across renames; the name when not set",
};

/// `name`.
pub const NAME: Text = Text {
    key: "name",
    doc: "Unique; the label in metrics, toasts and the tray. Required",
};

/// `host`.
pub const HOST: Text = Text {
    key: "host",
    doc: "Host name or IP address (IPv6 with or without brackets). Required",
};

/// `ehlo_name`.
pub const EHLO_NAME: Text = Text {
    key: "ehlo_name",
    doc: "The name sent with EHLO; this machine's FQDN, else its address literal, when not set",
};

/// `ca_file`.
pub const CA_FILE: Text = Text {
    key: "ca_file",
    doc: "A PEM file of CA certificates trusted beside the system's",
};

/// `require_ext`.
pub const REQUIRE_EXT: List = List {
    key: "require_ext",
    doc: "EHLO keywords the server must advertise (RFC 5321 ehlo-keyword), e.g. STARTTLS SIZE",
};

/// Every setting, in the documented order.
pub const ALL: &[Setting] = &[
    Setting::Int(&QOS_MS),
    Setting::Int(&INTERVAL_S),
    Setting::Int(&RETRY_S),
    Setting::Int(&CERT_WARN_DAYS),
    Setting::Int(&CERT_CRIT_DAYS),
    Setting::Int(&PORT),
    Setting::Int(&FAILED_AFTER),
    Setting::Int(&WARNING_AFTER),
    Setting::Int(&REPEAT_EVERY_MIN),
    Setting::Int(&RETENTION_DAYS),
    Setting::Flag(&ON_RECOVERY),
    Setting::Flag(&EVERY_FAILURE),
    Setting::Flag(&INSECURE),
    Setting::Flag(&ENABLED),
    Setting::Choice(&TLS),
    Setting::Choice(&FAMILY),
    Setting::Text(&ID),
    Setting::Text(&NAME),
    Setting::Text(&HOST),
    Setting::Text(&EHLO_NAME),
    Setting::Text(&CA_FILE),
    Setting::List(&REQUIRE_EXT),
];

/// SMTP's port (RFC 5321 §4.5.4), the default.
pub const SMTP_PORT: u16 = 25;
/// Message submission over implicit TLS (RFC 8314 §3.3).
pub const IMPLICIT_TLS_PORT: u16 = 465;

/// The port a monitor uses when none is set: 465 for implicit TLS, else 25.
pub fn default_port(implicit_tls: bool) -> u16 {
    if implicit_tls {
        IMPLICIT_TLS_PORT
    } else {
        SMTP_PORT
    }
}

/// The rule between the two certificate thresholds: the critical one is not above the warning
/// one.
pub fn cert_days_in_order(warn: i64, crit: i64) -> bool {
    crit <= warn
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_say_what_is_wrong_with_the_value() {
        assert_eq!(QOS_MS.check(0), Err("0 must be at least 1".into()));
        assert_eq!(
            QOS_MS.check(300_001),
            Err("300001 must be at most 300000".into())
        );
        assert_eq!(QOS_MS.check(300_000), Ok(300_000));
        assert_eq!(PORT.check(0), Err("0 is not a port (1–65535)".into()));
        assert_eq!(
            PORT.parse("smtp"),
            Err("smtp is not a port (1–65535)".into())
        );
        assert_eq!(
            QOS_MS.parse("fast"),
            Err("fast is not a whole number".into())
        );
        assert_eq!(
            CERT_WARN_DAYS.parse("-1"),
            Err("-1 must be at least 0".into())
        );
    }

    #[test]
    fn keys_are_unique_and_flags_follow_them() {
        let mut keys: Vec<&str> = ALL.iter().map(|s| s.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), ALL.len());
        assert_eq!(QOS_MS.flag(), "--qos-ms");
        assert_eq!(flag("require_ext"), "--require-ext");
    }

    #[test]
    fn every_default_is_in_its_range() {
        for setting in ALL {
            if let Setting::Int(s) = setting {
                assert_eq!(s.check(s.default), Ok(s.default), "{}", s.key);
            }
        }
    }

    #[test]
    fn the_default_port_follows_the_tls_mode() {
        assert_eq!(default_port(true), 465);
        assert_eq!(default_port(false), 25);
    }
}
