//! The first pass over a parsed file: walk the generic TOML or JSON value against the schema,
//! report every unknown key and every value of the wrong type with its path, and keep only what
//! fits — so that serde, which stops at the first error, always succeeds on what is left and
//! the validator can go on to find the rest.

use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::problem::{Path, Problems};
use super::schema::{unknown_key, Key, Shape, ROOT};

/// Which syntax the file was in, for naming things as its readers know them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// The agent's file: tables.
    Toml,
    /// The desktop's store: objects.
    Json,
}

/// A parsed value of either syntax.
#[derive(Debug)]
pub(crate) enum Node {
    /// JSON `null`: treated as not set.
    Null,
    Bool(bool),
    Int(i64),
    /// An integer beyond `i64` (JSON only).
    Huge(String),
    Float(f64),
    Str(String),
    /// A TOML date or time.
    Datetime(String),
    Array(Vec<Node>),
    Table(Vec<(String, Node)>),
}

impl From<toml::Value> for Node {
    fn from(value: toml::Value) -> Self {
        match value {
            toml::Value::String(s) => Self::Str(s),
            toml::Value::Integer(i) => Self::Int(i),
            toml::Value::Float(f) => Self::Float(f),
            toml::Value::Boolean(b) => Self::Bool(b),
            toml::Value::Datetime(d) => Self::Datetime(d.to_string()),
            toml::Value::Array(items) => Self::Array(items.into_iter().map(Self::from).collect()),
            toml::Value::Table(table) => Self::from(table),
        }
    }
}

impl From<toml::Table> for Node {
    fn from(table: toml::Table) -> Self {
        Self::Table(table.into_iter().map(|(k, v)| (k, Self::from(v))).collect())
    }
}

impl From<Value> for Node {
    fn from(value: Value) -> Self {
        match value {
            Value::Null => Self::Null,
            Value::Bool(b) => Self::Bool(b),
            Value::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => Self::Int(i),
                (None, _) if n.is_u64() => Self::Huge(n.to_string()),
                (None, f) => Self::Float(f.unwrap_or(f64::NAN)),
            },
            Value::String(s) => Self::Str(s),
            Value::Array(items) => Self::Array(items.into_iter().map(Self::from).collect()),
            Value::Object(map) => {
                Self::Table(map.into_iter().map(|(k, v)| (k, Self::from(v))).collect())
            }
        }
    }
}

impl Node {
    /// The value as it would appear in a message: `"25"`, `1.5`, `true`, `a table`.
    fn shown(&self, format: Format) -> String {
        match self {
            Self::Null => "null".to_owned(),
            Self::Bool(b) => b.to_string(),
            Self::Int(i) => i.to_string(),
            Self::Huge(s) | Self::Datetime(s) => s.clone(),
            Self::Float(f) => format!("{f:?}"),
            Self::Str(s) => quote(s),
            Self::Array(_) => "an array".to_owned(),
            Self::Table(_) => table_word(format, "a").to_owned(),
        }
    }
}

/// A string value as shown in messages: quoted, and cut short when long.
pub(crate) fn quote(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        format!("{s:?}")
    } else {
        let cut: String = s.chars().take(MAX).collect();
        format!("{cut:?}…")
    }
}

fn table_word(format: Format, article: &str) -> &'static str {
    match (format, article) {
        (Format::Toml, "a") => "a table",
        (Format::Json, "a") => "an object",
        (Format::Toml, _) => "tables",
        (Format::Json, _) => "objects",
    }
}

fn expected(shape: Shape, format: Format) -> String {
    match shape {
        Shape::Int => "an integer".to_owned(),
        Shape::Bool => "true or false".to_owned(),
        Shape::Str => "a string".to_owned(),
        Shape::StrList => "an array of strings".to_owned(),
        Shape::Table(_) => table_word(format, "a").to_owned(),
        Shape::TableList(_) => format!("an array of {}", table_word(format, "of")),
    }
}

/// Walks `root` against the schema: every problem goes to `problems`, and what fits comes back
/// as a JSON value that deserializes into a `ConfigFile`.
pub(crate) fn walk(root: Node, format: Format, problems: &mut Problems) -> Value {
    let mut walker = Walker { format, problems };
    match root {
        Node::Table(entries) => Value::Object(walker.table(&Path::root(), ROOT, entries)),
        other => {
            let what = other.shown(format);
            walker.problems.add_whole(format!(
                "{what} is not a configuration; expected {}",
                expected(Shape::Table(ROOT), format)
            ));
            Value::Object(Map::new())
        }
    }
}

struct Walker<'a> {
    format: Format,
    problems: &'a mut Problems,
}

impl Walker<'_> {
    fn table(
        &mut self,
        path: &Path,
        keys: &'static [Key],
        entries: Vec<(String, Node)>,
    ) -> Map<String, Value> {
        let mut out = Map::new();
        for (name, node) in entries {
            let here = path.key(keys, &name);
            let Some(key) = keys.iter().find(|k| k.name == name) else {
                self.problems.add(&here, unknown_key(keys, &name));
                continue;
            };
            if matches!(node, Node::Null) {
                continue;
            }
            match self.value(&here, key.shape, node) {
                Some(value) => {
                    out.insert(name, value);
                }
                None => self.problems.malformed(&here),
            }
        }
        out
    }

    fn value(&mut self, path: &Path, shape: Shape, node: Node) -> Option<Value> {
        match (shape, node) {
            (Shape::Int, Node::Int(i)) => Some(Value::from(i)),
            (Shape::Bool, Node::Bool(b)) => Some(Value::from(b)),
            (Shape::Str, Node::Str(s)) => Some(Value::from(s)),
            (Shape::Int, Node::Huge(s)) => {
                self.problems.add(path, format!("{s} is too large"));
                None
            }
            (Shape::StrList, Node::Array(items)) => {
                let mut strings = Vec::with_capacity(items.len());
                let mut fits = true;
                for (i, item) in items.into_iter().enumerate() {
                    match item {
                        Node::Str(s) => strings.push(Value::from(s)),
                        other => {
                            self.mismatch(&path.index(i), Shape::Str, &other);
                            fits = false;
                        }
                    }
                }
                fits.then_some(Value::Array(strings))
            }
            (Shape::Table(keys), Node::Table(entries)) => {
                Some(Value::Object(self.table(path, keys, entries)))
            }
            (Shape::TableList(keys), Node::Array(items)) => {
                let tables = items.into_iter().enumerate().map(|(i, item)| {
                    let here = path.index(i);
                    match item {
                        Node::Table(entries) => Value::Object(self.table(&here, keys, entries)),
                        other => {
                            self.mismatch(&here, Shape::Table(keys), &other);
                            self.problems.malformed(&here);
                            Value::Object(Map::new())
                        }
                    }
                });
                Some(Value::Array(tables.collect()))
            }
            (shape, other) => {
                self.mismatch(path, shape, &other);
                None
            }
        }
    }

    fn mismatch(&mut self, path: &Path, shape: Shape, node: &Node) {
        let mut message = format!(
            "{} is not {}",
            node.shown(self.format),
            expected(shape, self.format)
        );
        if let (Shape::TableList(_), Node::Table(_), Format::Toml) = (shape, node, self.format) {
            let _ = write!(message, "; write [[{}]] for each", path.text());
        }
        self.problems.add(path, message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk_toml(text: &str) -> (Value, Vec<String>) {
        let mut problems = Problems::default();
        let value = walk(
            Node::from(text.parse::<toml::Table>().unwrap()),
            Format::Toml,
            &mut problems,
        );
        let shown = match problems.into_result() {
            Ok(()) => vec![],
            Err(e) => e.problems.iter().map(ToString::to_string).collect(),
        };
        (value, shown)
    }

    #[test]
    fn keeps_what_fits_and_names_the_rest() {
        let (value, problems) = walk_toml(
            "[defaults]\nqos_ms = \"fast\"\ninterval_s = 30\n[[monitor]]\nname = \"a\"\nrequire_ext = [\"SIZE\", 8]\n",
        );
        assert_eq!(
            value,
            serde_json::json!({"defaults": {"interval_s": 30}, "monitor": [{"name": "a"}]})
        );
        assert_eq!(
            problems,
            [
                "defaults.qos_ms: \"fast\" is not an integer",
                "monitor[0].require_ext[1]: 8 is not a string"
            ]
        );
    }

    #[test]
    fn a_single_monitor_table_gets_a_hint() {
        let (_, problems) = walk_toml("[monitor]\nname = \"a\"\n");
        assert_eq!(
            problems,
            ["monitor: a table is not an array of tables; write [[monitor]] for each"]
        );
    }

    #[test]
    fn json_words_and_nulls() {
        let mut problems = Problems::default();
        let json: Value = serde_json::from_str(
            r#"{"defaults": null, "monitor": [3, {"name": null, "port": 1.5}], "alerts": [] }"#,
        )
        .unwrap();
        let value = walk(Node::from(json), Format::Json, &mut problems);
        assert_eq!(value, serde_json::json!({"monitor": [{}, {}]}));
        let shown: Vec<String> = problems
            .into_result()
            .unwrap_err()
            .problems
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            shown,
            [
                "alerts: an array is not an object",
                "monitor[0]: 3 is not an object",
                "monitor[1].port: 1.5 is not an integer"
            ]
        );
    }
}
