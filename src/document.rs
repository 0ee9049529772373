//! Structured documents (YAML, JSON, TOML) read from the audited repository,
//! in one tree shape with the line of every node where the format gives it.
//!
//! The audited repository is untrusted and often half-broken: parsing never
//! fails loudly. A file that does not parse yields no documents and an
//! [`Documents::error`] that rules turn into a "could not parse" finding.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// One node of a parsed document.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    /// 1-based line of the node (for a mapping value: of its key), when the
    /// parser reports it.
    pub line: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Seq(Vec<Node>),
    /// Entries in document order; keys are rendered as strings (`1`, `true`).
    Map(Vec<(String, Node)>),
}

impl Node {
    fn new(value: Value) -> Self {
        Node { value, line: None }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            Value::Seq(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        }
    }

    /// The scalar as text (`true`, `3`, `node:20`); `None` for null,
    /// sequences and mappings.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(format_number(*n)),
            Value::String(s) => Some(s.clone()),
            _ => None,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// The formats a structured rule can read, chosen by file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
    Toml,
}

impl Format {
    /// `.toml` is TOML, `.json` JSON; anything else is read as YAML, which
    /// also covers extension-less files such as `.prettierrc`.
    pub fn for_path(path: &str) -> Format {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".toml") {
            Format::Toml
        } else if lower.ends_with(".json") {
            Format::Json
        } else {
            Format::Yaml
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Yaml => "YAML",
            Format::Json => "JSON",
            Format::Toml => "TOML",
        }
    }
}

/// Everything parsed from one file: YAML streams hold several documents.
#[derive(Debug, Clone, Default)]
pub struct Documents {
    pub docs: Vec<Node>,
    /// Why the file could not be parsed, with the line when known.
    pub error: Option<ParseError>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub line: Option<usize>,
    pub message: String,
}

impl Documents {
    pub fn parse(format: Format, text: &str) -> Documents {
        match format {
            Format::Yaml => parse_yaml(text),
            Format::Json => parse_json(text),
            Format::Toml => parse_toml(text),
        }
    }

    fn failed(line: Option<usize>, message: impl Into<String>) -> Documents {
        Documents {
            docs: Vec::new(),
            error: Some(ParseError {
                line,
                message: message.into(),
            }),
        }
    }
}

fn parse_yaml(text: &str) -> Documents {
    let options = serde_saphyr::options! {
        // YAML 1.2 booleans only: with YAML 1.1's `on`/`n`/`yes`, a GitHub
        // Actions workflow's `on:` key would read as `true`.
        strict_booleans: true,
        // Loaders users know (Compose, kubectl) keep the last duplicate.
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins,
        leading_zero_numbers_as_strings: true,
    };
    match serde_saphyr::from_multiple_with_options::<Option<Spanned>>(text, options) {
        Ok(docs) => Documents {
            docs: docs.into_iter().flatten().map(|d| d.0).collect(),
            error: None,
        },
        Err(error) => {
            let line = error
                .location()
                .map(|l| l.line() as usize)
                .filter(|l| *l > 0);
            Documents::failed(line, crate::diagnostic::yaml_error_message(&error))
        }
    }
}

/// JSON is read by the YAML parser first, because it reports lines; JSON
/// that YAML rejects (tabs in odd places, say) falls back to serde_json,
/// whose tree has no lines.
fn parse_json(text: &str) -> Documents {
    let yaml = parse_yaml(text);
    if yaml.error.is_none() {
        return yaml;
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value) => Documents {
            docs: vec![from_json(value)],
            error: None,
        },
        Err(error) => Documents::failed(Some(error.line()), error.to_string()),
    }
}

fn from_json(value: serde_json::Value) -> Node {
    use serde_json::Value as J;
    Node::new(match value {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(b),
        J::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
        J::String(s) => Value::String(s),
        J::Array(items) => Value::Seq(items.into_iter().map(from_json).collect()),
        J::Object(map) => Value::Map(map.into_iter().map(|(k, v)| (k, from_json(v))).collect()),
    })
}

fn parse_toml(text: &str) -> Documents {
    let lines = LineIndex::new(text);
    match toml::de::DeTable::parse(text) {
        Ok(table) => {
            let line = lines.line(table.span().start);
            let mut root = from_toml_table(table.get_ref(), &lines);
            root.line = Some(line);
            Documents {
                docs: vec![root],
                error: None,
            }
        }
        Err(error) => {
            let line = error.span().map(|s| lines.line(s.start));
            let message = error.message().to_string();
            Documents::failed(line, message)
        }
    }
}

fn from_toml_table(table: &toml::de::DeTable<'_>, lines: &LineIndex) -> Node {
    Node::new(Value::Map(
        table
            .iter()
            .map(|(key, value)| {
                let mut node = from_toml(value.get_ref(), lines);
                node.line = Some(lines.line(key.span().start));
                (key.get_ref().to_string(), node)
            })
            .collect(),
    ))
}

fn from_toml(value: &toml::de::DeValue<'_>, lines: &LineIndex) -> Node {
    use toml::de::DeValue as T;
    match value {
        T::String(s) => Node::new(Value::String(s.to_string())),
        T::Integer(i) => {
            let digits = i.as_str().replace('_', "");
            let n = i64::from_str_radix(&digits, i.radix()).map_or(f64::NAN, |n| n as f64);
            Node::new(Value::Number(n))
        }
        T::Float(f) => Node::new(Value::Number(
            f.as_str().replace('_', "").parse().unwrap_or(f64::NAN),
        )),
        T::Boolean(b) => Node::new(Value::Bool(*b)),
        T::Datetime(d) => Node::new(Value::String(d.to_string())),
        T::Array(items) => Node::new(Value::Seq(
            items
                .iter()
                .map(|item| {
                    let mut node = from_toml(item.get_ref(), lines);
                    node.line = Some(lines.line(item.span().start));
                    node
                })
                .collect(),
        )),
        T::Table(table) => from_toml_table(table, lines),
    }
}

/// Byte offset to 1-based line.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|start| *start <= offset)
    }
}

/// A node deserialized through serde-saphyr's `Spanned`, which is how the
/// YAML parser hands out positions.
struct Spanned(Node);

impl<'de> Deserialize<'de> for Spanned {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<Node>::deserialize(deserializer)?;
        let mut node = spanned.value;
        let line = spanned.referenced.line() as usize;
        node.line = (line > 0).then_some(line);
        Ok(Spanned(node))
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::new(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::new(Value::Number(v as f64)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::new(Value::Number(v as f64)))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Node, E> {
        Ok(Node::new(Value::Number(v as f64)))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Node, E> {
        Ok(Node::new(Value::Number(v as f64)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::new(Value::Number(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::new(Value::String(v.to_string())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::new(Value::String(v)))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Node, E> {
        Ok(Node::new(Value::String(
            String::from_utf8_lossy(v).into_owned(),
        )))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::new(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::new(Value::Null))
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        Node::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(Spanned(item)) = seq.next_element()? {
            items.push(item);
        }
        // Parsed documents live until the audit ends: a monorepo's
        // manifests are tens of megabytes of nodes, and growth by
        // doubling leaves a third of each list unused.
        items.shrink_to_fit();
        Ok(Node::new(Value::Seq(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries: Vec<(String, Node)> = Vec::new();
        while let Some(Spanned(key)) = map.next_key()? {
            let Spanned(mut value) = map.next_value()?;
            // Findings point at the key: `resources:` rather than the line
            // its nested mapping starts on.
            if key.line.is_some() {
                value.line = key.line;
            }
            let key = match key.value {
                Value::String(text) => text,
                _ => key.scalar_text().unwrap_or_else(|| "~".to_string()),
            };
            // Later keys win, as in every YAML loader users know.
            entries.retain(|(k, _)| *k != key);
            entries.push((key, value));
        }
        entries.shrink_to_fit();
        Ok(Node::new(Value::Map(entries)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Documents {
        Documents::parse(Format::Yaml, text)
    }

    #[test]
    fn yaml_streams_keep_every_document_with_lines() {
        let docs = yaml("kind: Service\n---\nkind: Deployment\nspec:\n  replicas: 2\n");
        assert!(docs.error.is_none(), "{:?}", docs.error);
        assert_eq!(docs.docs.len(), 2);
        let deployment = &docs.docs[1];
        assert_eq!(
            deployment.get("kind").unwrap().value,
            Value::String("Deployment".into())
        );
        let replicas = deployment.get("spec").unwrap().get("replicas").unwrap();
        assert_eq!(replicas.value, Value::Number(2.0));
        assert_eq!(replicas.line, Some(5));
        assert_eq!(deployment.get("spec").unwrap().line, Some(4));
    }

    #[test]
    fn sequence_items_carry_their_lines() {
        let docs = yaml("steps:\n  - uses: a@v1\n  - run: make\n");
        let steps = docs.docs[0].get("steps").unwrap();
        assert_eq!(steps.get("1").unwrap().line, Some(3));
    }

    #[test]
    fn scalars_are_typed_and_merge_keys_resolve() {
        let text = "base: &b\n  restart: always\n  n: 3\nsvc:\n  <<: *b\n  on: true\n";
        let docs = yaml(text);
        assert!(docs.error.is_none(), "{:?}", docs.error);
        let svc = docs.docs[0].get("svc").unwrap();
        assert_eq!(
            svc.get("restart").unwrap().value,
            Value::String("always".into())
        );
        assert_eq!(svc.get("n").unwrap().value, Value::Number(3.0));
        assert_eq!(svc.get("on").unwrap().value, Value::Bool(true));
        let words = yaml("on: [push]\nn: yes\n");
        assert!(words.docs[0].get("on").is_some());
        assert_eq!(
            words.docs[0].get("n").unwrap().value,
            Value::String("yes".into())
        );
    }

    #[test]
    fn broken_yaml_is_an_error_not_a_panic() {
        let docs = yaml("a: [1, 2\nb: {\n");
        assert!(docs.docs.is_empty());
        assert!(docs.error.is_some());
    }

    #[test]
    fn json_has_lines_and_tolerates_tabs() {
        let docs = Documents::parse(
            Format::Json,
            "{\n  \"scripts\": {\n    \"test\": \"jest\"\n  }\n}\n",
        );
        let test = docs.docs[0].get("scripts").unwrap().get("test").unwrap();
        assert_eq!(test.value, Value::String("jest".into()));
        assert_eq!(test.line, Some(3));
        let tabbed = Documents::parse(Format::Json, "{\n\t\"a\":\t{\"b\": 1}\n}");
        assert!(tabbed.error.is_none(), "{:?}", tabbed.error);
        let broken = Documents::parse(Format::Json, "{\"a\": ");
        assert!(broken.error.is_some());
    }

    #[test]
    fn toml_tables_have_lines() {
        let docs = Documents::parse(
            Format::Toml,
            "[package]\nname = \"x\"\n\n[tool.ruff]\nline-length = 100\n",
        );
        assert!(docs.error.is_none(), "{:?}", docs.error);
        let ruff = docs.docs[0].get("tool").unwrap().get("ruff").unwrap();
        let length = ruff.get("line-length").unwrap();
        assert_eq!(length.value, Value::Number(100.0));
        assert_eq!(length.line, Some(5));
        let broken = Documents::parse(Format::Toml, "[a\nb = ");
        assert!(broken.error.is_some());
    }
}
