//! The kinds of setting — integer, yes/no, text, one of a few words, a list — and what an
//! integer setting checks: its range, with a message that names the value.

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
    pub const fn key(self) -> &'static str {
        match self {
            Self::Int(s) => s.key,
            Self::Flag(s) => s.key,
            Self::Text(s) => s.key,
            Self::Choice(s) => s.key,
            Self::List(s) => s.key,
        }
    }

    /// What it means.
    pub const fn doc(self) -> &'static str {
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
