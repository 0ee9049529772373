//! Structured documents (YAML, JSON, TOML) read from the audited repository,
//! in one tree shape with the line of every node where the format gives it.
//!
//! The audited repository is untrusted and often half-broken: parsing never
//! fails loudly. A file that does not parse yields no documents and an
//! [`Documents::error`] that rules turn into a "could not parse" finding.

mod block;
mod events;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

/// A key or string of a parsed document. Shared rather than owned: parsed
/// documents live until the audit ends, and a monorepo's manifests repeat
/// the same few hundred keys (`name`, `image`, `valueFrom`) hundreds of
/// thousands of times, each of which was its own allocation (see
/// [`intern`]).
pub type Text = Arc<str>;

/// One node of a parsed document.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    /// 1-based line of the node (for a mapping value: of its key), when the
    /// parser reports it. A `u32` (files are at most a few megabytes): with
    /// a `usize`, every node would be 8 bytes larger.
    pub line: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(Text),
    Seq(Vec<Node>),
    /// Entries in document order; keys are rendered as strings (`1`, `true`).
    Map(Vec<(Text, Node)>),
}

impl Node {
    fn new(value: Value) -> Self {
        Node { value, line: None }
    }

    /// A string node without a line.
    pub fn text(text: impl Into<Text>) -> Self {
        Node::new(Value::String(text.into()))
    }

    /// The line as an index into a file's lines (`line` is stored small).
    pub fn line(&self) -> Option<usize> {
        self.line.map(|line| line as usize)
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| &**k == key).map(|(_, v)| v),
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
            Value::String(s) => Some(s.to_string()),
            _ => None,
        }
    }

    /// The string, for a string node.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
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

/// serde-saphyr's options for the YAML of audited repositories.
fn yaml_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        // YAML 1.2 booleans only: with YAML 1.1's `on`/`n`/`yes`, a GitHub
        // Actions workflow's `on:` key would read as `true`.
        strict_booleans: true,
        // Loaders users know (Compose, kubectl) keep the last duplicate.
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins,
        leading_zero_numbers_as_strings: true,
    }
}

fn parse_yaml(text: &str) -> Documents {
    // The plainest YAML (most Kubernetes manifests) is read line by line;
    // the rest from the parser's events; what that reader leaves (anchors,
    // tags, errors) goes through serde-saphyr.
    if let Some(docs) = block::parse(text) {
        return Documents { docs, error: None };
    }
    parse_yaml_with_parser(text)
}

/// YAML read without the line-by-line reader.
fn parse_yaml_with_parser(text: &str) -> Documents {
    match events::parse(text) {
        Some(docs) => Documents { docs, error: None },
        None => parse_yaml_with_serde(text),
    }
}

fn parse_yaml_with_serde(text: &str) -> Documents {
    match serde_saphyr::from_multiple_with_options::<Option<Spanned>>(text, yaml_options()) {
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
        J::String(s) => Value::String(intern(&s)),
        J::Array(items) => Value::Seq(items.into_iter().map(from_json).collect()),
        J::Object(map) => Value::Map(
            map.into_iter()
                .map(|(k, v)| (intern(&k), from_json(v)))
                .collect(),
        ),
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
            let line = error.span().map(|s| lines.line(s.start) as usize);
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
                (intern(key.get_ref()), node)
            })
            .collect(),
    ))
}

fn from_toml(value: &toml::de::DeValue<'_>, lines: &LineIndex) -> Node {
    use toml::de::DeValue as T;
    match value {
        T::String(s) => Node::new(Value::String(intern(s))),
        T::Integer(i) => {
            let digits = i.as_str().replace('_', "");
            let n = i64::from_str_radix(&digits, i.radix()).map_or(f64::NAN, |n| n as f64);
            Node::new(Value::Number(n))
        }
        T::Float(f) => Node::new(Value::Number(
            f.as_str().replace('_', "").parse().unwrap_or(f64::NAN),
        )),
        T::Boolean(b) => Node::new(Value::Bool(*b)),
        T::Datetime(d) => Node::new(Value::String(d.to_string().into())),
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

/// Strings longer than this are not shared: a key or a short value
/// (`name`, `IfNotPresent`, `8080`) repeats across a repository's manifests;
/// a long one (a script, a description) seldom does.
const INTERN_MAX_BYTES: usize = 64;
/// Most strings one thread remembers for sharing. Bounds what an adversarial
/// file with millions of distinct keys can make the table hold; strings
/// past it are still parsed, just not shared.
const INTERN_MAX_STRINGS: usize = 16 * 1024;

thread_local! {
    /// The strings this thread's parses produced, for sharing. Per thread
    /// rather than one table behind a lock: documents are parsed on every
    /// core at once. The table goes when its thread ends (the parsing
    /// threads are scoped); the strings live as long as a node holds them.
    static INTERNED: RefCell<HashSet<Text, foldhash::fast::RandomState>> =
        RefCell::new(HashSet::default());
}

/// A mapping's entries in order as the line and event readers build them,
/// later keys winning (see `events::parse`): a repeated key's earlier
/// entry goes. Past [`INDEXED_FROM`] entries the
/// keys are also kept in a set, so that a new key (nearly every one) is
/// not compared with all the others: a `pnpm-lock.yaml` maps 1,300
/// packages, and comparing each with those before it was 14 M
/// instructions on paperless-ngx.
#[derive(Default)]
pub(crate) struct Entries {
    pub(crate) list: Vec<(Text, Node)>,
    keys: Option<HashSet<Text, foldhash::fast::RandomState>>,
}

/// The size from which a mapping's keys are kept in a set.
const INDEXED_FROM: usize = 32;

impl Entries {
    pub(crate) fn insert(&mut self, key: Text, node: Node) {
        let repeated = match &mut self.keys {
            Some(keys) => !keys.insert(key.clone()),
            None => self.list.iter().any(|(k, _)| *k == key),
        };
        if repeated {
            self.list.retain(|(k, _)| *k != key);
        }
        self.list.push((key, node));
        if self.keys.is_none() && self.list.len() >= INDEXED_FROM {
            self.keys = Some(self.list.iter().map(|(k, _)| k.clone()).collect());
        }
    }
}

/// `text` as a [`Text`], shared with an equal string this thread parsed
/// before when there is one.
fn intern(text: &str) -> Text {
    if text.len() > INTERN_MAX_BYTES {
        return Text::from(text);
    }
    INTERNED.with(|table| {
        let mut table = table.borrow_mut();
        if let Some(shared) = table.get(text) {
            return shared.clone();
        }
        let text = Text::from(text);
        if table.len() < INTERN_MAX_STRINGS {
            table.insert(text.clone());
        }
        text
    })
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

    fn line(&self, offset: usize) -> u32 {
        let line = self.starts.partition_point(|start| *start <= offset);
        u32::try_from(line).unwrap_or(u32::MAX)
    }
}

/// A node deserialized through serde-saphyr's `Spanned`, which is how the
/// YAML parser hands out positions.
struct Spanned(Node);

impl<'de> Deserialize<'de> for Spanned {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<Node>::deserialize(deserializer)?;
        let mut node = spanned.value;
        let line = spanned.referenced.line();
        node.line = u32::try_from(line).ok().filter(|line| *line > 0);
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
        Ok(Node::new(Value::String(intern(v))))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::new(Value::String(intern(&v))))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Node, E> {
        Ok(Node::new(Value::String(intern(&String::from_utf8_lossy(
            v,
        )))))
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
        let mut entries: Vec<(Text, Node)> = Vec::new();
        while let Some(Spanned(key)) = map.next_key()? {
            let Spanned(mut value) = map.next_value()?;
            // Findings point at the key: `resources:` rather than the line
            // its nested mapping starts on.
            if key.line.is_some() {
                value.line = key.line;
            }
            let key = match key.value {
                Value::String(text) => text,
                _ => intern(&key.scalar_text().unwrap_or_else(|| "~".to_string())),
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
    fn equal_short_strings_share_one_allocation() {
        let docs = yaml("name: web\nimage: nginx\n---\nname: web\nimage: nginx\n");
        let key = |doc: &Node| match &doc.value {
            Value::Map(entries) => entries[0].0.clone(),
            _ => unreachable!(),
        };
        let value = |doc: &Node| match &doc.get("image").unwrap().value {
            Value::String(s) => s.clone(),
            _ => unreachable!(),
        };
        let (first, second) = (&docs.docs[0], &docs.docs[1]);
        assert!(Arc::ptr_eq(&key(first), &key(second)));
        assert!(Arc::ptr_eq(&value(first), &value(second)));
        // A long string is its own.
        let long = "x".repeat(INTERN_MAX_BYTES + 1);
        let docs = yaml(&format!("a: {long}\nb: {long}\n"));
        let (a, b) = (
            docs.docs[0].get("a").unwrap(),
            docs.docs[0].get("b").unwrap(),
        );
        let (Value::String(a), Value::String(b)) = (&a.value, &b.value) else {
            unreachable!()
        };
        assert!(!Arc::ptr_eq(a, b));
    }

    #[test]
    fn the_sharing_table_is_bounded() {
        let text: String = (0..INTERN_MAX_STRINGS + 100)
            .map(|i| format!("k{i}: v\n"))
            .collect();
        let docs = yaml(&text);
        assert_eq!(docs.docs[0].get("k5").unwrap().as_str(), Some("v"));
        let last = format!("k{}", INTERN_MAX_STRINGS + 99);
        assert!(docs.docs[0].get(&last).is_some());
        INTERNED.with(|table| assert!(table.borrow().len() <= INTERN_MAX_STRINGS));
    }

    #[test]
    fn nodes_stay_small() {
        // Parsed documents live until the audit ends; a larger node is
        // megabytes more on a monorepo's manifests.
        assert!(std::mem::size_of::<Node>() <= 40);
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
