//! Configuration problems. Each names the field it is about with the file's own keys
//! (`monitor[2].port`, 0-based indexes) and the value that is wrong, so the agent can log every
//! one and the settings UI can show each beside its field. Problems come out in the documented
//! order of the keys (defaults, alerts, history, then each monitor), not in the order found.

use std::collections::BTreeSet;
use std::fmt::{self, Write as _};

use serde::{Deserialize, Serialize};

use super::schema::{rank, Key};

/// One thing wrong with a configuration.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Problem {
    /// Where: `monitor[0].tls`, `defaults.qos_ms`; empty for the file as a whole (syntax).
    pub path: String,
    /// What, naming the value: `"ssl" is not a TLS mode (none, starttls, implicit)`.
    pub message: String,
}

impl Problem {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// A configuration that cannot be used, with every problem found in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[error("{}", lines(.problems))]
pub struct ConfigError {
    /// Every problem, in the documented order of the keys; never empty.
    pub problems: Vec<Problem>,
}

impl ConfigError {
    /// An error of one problem.
    pub fn single(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            problems: vec![Problem::new(path, message)],
        }
    }
}

fn lines(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A field's path as shown (`monitor[2].alerts.failed_after`) and its place in the schema's
/// order, for sorting.
#[derive(Debug, Clone, Default)]
pub(crate) struct Path {
    text: String,
    order: Vec<usize>,
}

impl Path {
    /// The top of the file.
    pub(crate) fn root() -> Self {
        Self::default()
    }

    /// The key `name` of the table described by `table`.
    pub(crate) fn key(&self, table: &[Key], name: &str) -> Self {
        let mut text = self.text.clone();
        if !text.is_empty() {
            text.push('.');
        }
        if !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            text.push_str(name);
        } else {
            let _ = write!(text, "{name:?}");
        }
        let mut order = self.order.clone();
        order.push(rank(table, name));
        Self { text, order }
    }

    /// Element `index` of the array here.
    pub(crate) fn index(&self, index: usize) -> Self {
        let mut order = self.order.clone();
        order.push(index);
        Self {
            text: format!("{}[{index}]", self.text),
            order,
        }
    }

    /// The path as shown.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }
}

/// A key of a table, made into a [`Path`] only when something is wrong with it (validating
/// thousands of monitors should not build thousands of path strings).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field<'a> {
    table: &'a Path,
    keys: &'static [Key],
    name: &'static str,
}

impl<'a> Field<'a> {
    /// The key `name` of the table described by `keys` at `table`.
    pub(crate) fn new(table: &'a Path, keys: &'static [Key], name: &'static str) -> Self {
        Self { table, keys, name }
    }

    /// The full path.
    pub(crate) fn path(&self) -> Path {
        self.table.key(self.keys, self.name)
    }
}

/// Collects problems; a field already reported as malformed is not reported again.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    found: Vec<(Vec<usize>, Problem)>,
    malformed: BTreeSet<String>,
}

impl Problems {
    /// Records a problem at `path`, unless `path` or a table holding it is malformed.
    pub(crate) fn add(&mut self, path: &Path, message: impl Into<String>) {
        if !self.is_malformed(path) {
            self.found
                .push((path.order.clone(), Problem::new(path.text.clone(), message)));
        }
    }

    /// Records a problem with no field (a syntax error, an unreadable file).
    pub(crate) fn add_whole(&mut self, message: impl Into<String>) {
        self.found.push((Vec::new(), Problem::new("", message)));
    }

    /// Marks `path` as reported malformed and left out: later checks treat it as unusable.
    pub(crate) fn malformed(&mut self, path: &Path) {
        self.malformed.insert(path.text.clone());
    }

    /// Whether `field`, or a table or array holding it, was left out as malformed.
    pub(crate) fn is_malformed_field(&self, field: &Field<'_>) -> bool {
        !self.malformed.is_empty() && self.is_malformed(&field.path())
    }

    /// Whether `path`, or a table or array holding it, was left out as malformed.
    pub(crate) fn is_malformed(&self, path: &Path) -> bool {
        let text = path.text();
        self.malformed.iter().any(|bad| {
            text.strip_prefix(bad.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
        })
    }

    /// True when nothing is wrong.
    pub(crate) fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    /// The problems in schema order, as an error if there are any.
    pub(crate) fn into_result(mut self) -> Result<(), ConfigError> {
        if self.found.is_empty() {
            return Ok(());
        }
        self.found.sort_by(|a, b| a.0.cmp(&b.0));
        Err(ConfigError {
            problems: self.found.into_iter().map(|(_, p)| p).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::schema::{MONITOR, ROOT};
    use super::*;

    #[test]
    fn paths_read_like_the_file() {
        let m = Path::root().key(ROOT, "monitor").index(2);
        assert_eq!(m.key(MONITOR, "port").text(), "monitor[2].port");
        assert_eq!(
            m.key(MONITOR, "require_ext").index(1).text(),
            "monitor[2].require_ext[1]"
        );
        assert_eq!(Path::root().key(ROOT, "a b").text(), "\"a b\"");
    }

    #[test]
    fn problems_are_sorted_by_schema_order_and_malformed_fields_stay_quiet() {
        let m = |i| Path::root().key(ROOT, "monitor").index(i);
        let mut p = Problems::default();
        p.add(&m(1).key(MONITOR, "host"), "b");
        p.add(&Path::root().key(ROOT, "zzz"), "unknown");
        p.add(&m(0).key(MONITOR, "port"), "a2");
        p.add(&m(0).key(MONITOR, "name"), "a1");
        p.malformed(&m(3));
        p.add(&m(3).key(MONITOR, "name"), "quiet");
        p.add(&m(30).key(MONITOR, "name"), "loud");
        let shown: Vec<String> = p
            .into_result()
            .unwrap_err()
            .problems
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            shown,
            [
                "monitor[0].name: a1",
                "monitor[0].port: a2",
                "monitor[1].host: b",
                "monitor[30].name: loud",
                "zzz: unknown"
            ]
        );
    }
}
