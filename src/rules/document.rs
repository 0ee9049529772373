//! `document`: queries over structured files — YAML (including multi-document
//! streams such as Kubernetes manifests), JSON and TOML.
//!
//! A query selects nodes with a small path language and asserts something
//! about them. Files are read in the scan's single walk (the selector asks
//! the plan to keep their contents) and each file is parsed once, however
//! many checks query it.
//!
//! ## Paths
//!
//! JSON-pointer-like: `/spec/template/spec/containers/*`. Segments are keys
//! (or list indexes); `*` is every key of a mapping or item of a list; `..`
//! goes up one level; `~1` stands for `/` and `~0` for `~` inside a key.
//! `select` paths start at each document's root. Condition paths are relative
//! to the selected node unless they start with `/`, in which case they start
//! at the document's root: `/kind` is the workload kind of the container
//! being checked.

use super::paths::{describe_globs, validate_globs};
use super::{Outcome, Spanned, Validator};
use crate::document::{Documents, Format, Node, Value, format_number};
use crate::model::Finding;
use crate::scan::{Evidence, KeptFile, PlanBuilder, SelectorId, SelectorSpec};
use regex::Regex;
use schemars::JsonSchema;
use serde::Deserialize;
use std::fmt;
use std::sync::Arc;

/// Findings listed per check before "and N more".
const FINDINGS_LIMIT: usize = 50;

/// Selects nodes in structured files and asserts on them. Exactly one of
/// `expect` and `each` is given.
///
/// ```yaml
/// # Every container of every Kubernetes workload sets resource limits.
/// document:
///   paths: ["**/*.yaml", "**/*.yml"]
///   select:
///     - /spec/template/spec/containers/*
///     - /spec/jobTemplate/spec/template/spec/containers/*
///   where:
///     - { path: /kind, in: [Deployment, StatefulSet, DaemonSet, Job, CronJob] }
///   each:
///     - { path: resources/limits, exists: true }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentSpec {
    /// Globs of the files to read. `.json` files are read as JSON, `.toml`
    /// as TOML, everything else as YAML.
    #[schemars(with = "Vec<String>")]
    pub paths: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub exclude: Vec<Spanned<String>>,
    #[serde(default)]
    pub ignore_case: bool,
    /// One path or a list of paths of the nodes to check; the document root
    /// (`/`) when omitted.
    #[serde(default)]
    pub select: Option<OneOrMany>,
    /// Only nodes meeting every condition are selected.
    #[serde(default, rename = "where")]
    pub filter: Vec<Condition>,
    /// `exists`: passes when at least one node is selected; `absent`: passes
    /// when none is, and every selected node is a finding.
    #[serde(default)]
    pub expect: Option<Expect>,
    /// Every selected node must meet every condition; each one that does not
    /// is a finding. Passes when nothing is selected.
    #[serde(default)]
    pub each: Vec<Condition>,
    /// What a finding says instead of the generated description.
    #[serde(default)]
    pub message: Option<String>,
    /// The selected nodes are credentials (`expect: absent` only): each
    /// finding names the node's key and what kind of value it holds
    /// (`4-character literal`), never the value.
    #[serde(default)]
    pub secret: bool,
    /// Read the files as Compose deployments: only what the repository
    /// model chooses as production is judged, overlays (`compose.prod.yaml`)
    /// merged onto their base in Compose's order; files for tests and local
    /// development are left out and the message names them. Findings point
    /// at the first file of each deployment.
    #[serde(default)]
    pub compose: bool,
    /// Read the files as Kubernetes deployments: only the objects the
    /// repository model chooses as production are judged: plain manifests,
    /// the production kustomize overlay built with its bases and patches
    /// (bases alone and development overlays are left out), and Helm charts
    /// rendered statically with `values.yaml` (and `values-prod*.yaml`).
    /// A node that depends on what static reading cannot decide (the
    /// cluster's capabilities, an unknown template function) is not passed
    /// or failed: the check says so. Findings point at the file declaring
    /// each object (the base file, the chart template).
    #[serde(default)]
    pub kubernetes: bool,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn items(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(one) => vec![one.as_str()],
            OneOrMany::Many(many) => many.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    Exists,
    Absent,
}

/// One test on the nodes at `path`. Give exactly one of the tests.
///
/// Positive tests (`equals`, `in`, `matches`) need the path to exist and
/// hold for every node it reaches; negative ones (`not_equals`, `not_in`,
/// `not_matches`) hold when the path is absent.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// Relative to the selected node (`resources/limits`, `../../securityContext`),
    /// or to the document root when it starts with `/`. The node itself when
    /// omitted.
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub exists: Option<bool>,
    #[serde(default)]
    pub equals: Option<Scalar>,
    #[serde(default)]
    pub not_equals: Option<Scalar>,
    #[serde(default, rename = "in")]
    pub one_of: Option<Vec<Scalar>>,
    #[serde(default)]
    pub not_in: Option<Vec<Scalar>>,
    /// A regex the scalar must match (numbers and booleans are matched as
    /// their text).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub matches: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub not_matches: Option<Spanned<String>>,
    /// A regex at least one node at `path` must match; the others may be
    /// anything. For "the list names one of these": `path:
    /// parameters/*/name, any_matches: '^(limit|cursor)$'` (where `matches`
    /// would ask every parameter to be one).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub any_matches: Option<Spanned<String>>,
    /// A regex the key of the selected node must match (`data/*` selects
    /// every entry: `key_matches` keeps those named like a password). Takes
    /// no `path`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub key_matches: Option<Spanned<String>>,
    /// A regex the key of the selected node must not match. Takes no `path`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub key_not_matches: Option<Spanned<String>>,
    /// Holds when at least one of the conditions holds.
    #[serde(default)]
    pub any: Option<Vec<Condition>>,
    /// Holds when every condition holds.
    #[serde(default)]
    pub all: Option<Vec<Condition>>,
    /// What a node failing this condition is told.
    #[serde(default)]
    pub message: Option<String>,
}

/// A scalar to compare with: `true`, `3`, `Always`.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Scalar {
    Bool(bool),
    Number(f64),
    String(String),
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::Number(n) => f.write_str(&format_number(*n)),
            Scalar::String(s) => f.write_str(s),
        }
    }
}

impl Scalar {
    fn matches(&self, node: &Node) -> bool {
        match (self, &node.value) {
            (Scalar::Bool(a), Value::Bool(b)) => a == b,
            (Scalar::Number(a), Value::Number(b)) => a == b,
            (Scalar::String(a), Value::String(b)) => **a == **b,
            // `"1"` in a pack and `1` in a document mean the same to a reader.
            (Scalar::String(a), Value::Number(_)) => node.scalar_text().as_deref() == Some(a),
            (Scalar::Number(a), Value::String(b)) => b.parse::<f64>().is_ok_and(|b| b == *a),
            _ => false,
        }
    }
}

impl DocumentSpec {
    pub fn validate(&self, v: &mut Validator<'_>) {
        validate_globs(v, &self.paths, &self.exclude);
        if self.paths.is_empty() {
            v.error(v.at, "a document rule needs `paths`");
        }
        match (self.expect, self.each.is_empty()) {
            (Some(_), false) => v.error(v.at, "give either `expect` or `each`, not both"),
            (None, true) => v.error(v.at, "a document rule needs `expect` or `each`"),
            _ => {}
        }
        for select in self.select.iter().flat_map(OneOrMany::items) {
            match Path::parse(select) {
                Ok(path) if path.segments.contains(&Segment::Parent) => {
                    v.error(v.at, format!("select path `{select}` cannot contain `..`"))
                }
                Ok(_) => {}
                Err(message) => v.error(v.at, message),
            }
        }
        for condition in self.filter.iter().chain(&self.each) {
            condition.validate(v);
        }
        if self.compose && self.kubernetes {
            v.error(v.at, "give either `compose` or `kubernetes`, not both");
        }
        if self.secret && self.expect != Some(Expect::Absent) {
            v.error(v.at, "`secret` needs `expect: absent`");
        }
    }

    pub fn plan(&self, plan: &mut PlanBuilder) -> Query {
        let selector = plan.keep_contents(SelectorSpec::new(
            &self.paths,
            &self.exclude,
            self.ignore_case,
        ));
        let selects: Vec<Path> = match &self.select {
            None => vec![Path::root()],
            Some(select) => select
                .items()
                .into_iter()
                .map(|s| Path::parse(s).unwrap_or_else(|_| Path::root()))
                .collect(),
        };
        Query {
            selector,
            describe_select: selects
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", "),
            selects,
            filter: self.filter.iter().map(Condition::compile).collect(),
            mode: match self.expect {
                Some(Expect::Exists) => Mode::Exists,
                Some(Expect::Absent) => Mode::Absent,
                None => Mode::Each(self.each.iter().map(Condition::compile).collect()),
            },
            message: self.message.clone(),
            secret: self.secret,
            describe_paths: describe_globs(&self.paths),
            compose: self.compose,
            dockerfiles: self.compose.then(|| {
                plan.keep_contents(SelectorSpec::from_strs(
                    crate::repo::artefacts::DOCKERFILES,
                    crate::repo::artefacts::NOT_DOCKERFILES,
                ))
            }),
            kubernetes: self.kubernetes,
        }
    }
}

impl Condition {
    fn tests(&self) -> usize {
        [
            self.exists.is_some(),
            self.equals.is_some(),
            self.not_equals.is_some(),
            self.one_of.is_some(),
            self.not_in.is_some(),
            self.matches.is_some(),
            self.not_matches.is_some(),
            self.any_matches.is_some(),
            self.key_matches.is_some(),
            self.key_not_matches.is_some(),
            self.any.is_some(),
            self.all.is_some(),
        ]
        .into_iter()
        .filter(|t| *t)
        .count()
    }

    fn validate(&self, v: &mut Validator<'_>) {
        if self.tests() != 1 {
            v.error(
                v.at,
                "a condition needs exactly one of `exists`, `equals`, `not_equals`, `in`, \
                 `not_in`, `matches`, `not_matches`, `any_matches`, `key_matches`, \
                 `key_not_matches`, `any`, `all`",
            );
        }
        if let Some(path) = &self.path
            && let Err(message) = Path::parse(path)
        {
            v.error(v.at, message);
        }
        if (self.any.is_some() || self.all.is_some()) && self.path.is_some() {
            v.error(
                v.at,
                "`any` and `all` take no `path`: give it to the inner conditions",
            );
        }
        if (self.key_matches.is_some() || self.key_not_matches.is_some()) && self.path.is_some() {
            v.error(
                v.at,
                "`key_matches` and `key_not_matches` test the selected node's key and take no `path`",
            );
        }
        let trusted = v.trusted;
        for regex in self
            .matches
            .iter()
            .chain(&self.not_matches)
            .chain(&self.any_matches)
            .chain(&self.key_matches)
            .chain(&self.key_not_matches)
            // A built-in pack's compile (see `Validator::trusted`).
            .filter(|_| !trusted)
        {
            if let Err(err) = Regex::new(&regex.value) {
                let message = match err {
                    regex::Error::Syntax(text) => text.lines().last().unwrap_or_default().into(),
                    other => other.to_string(),
                };
                v.error_at(regex, format!("invalid regex `{}`: {message}", regex.value));
            }
        }
        for inner in self.any.iter().chain(&self.all).flatten() {
            inner.validate(v);
        }
    }

    /// Only called on validated conditions.
    fn compile(&self) -> Cond {
        if let Some(any) = &self.any {
            return Cond::Any(
                any.iter().map(Condition::compile).collect(),
                self.message.clone(),
            );
        }
        if let Some(all) = &self.all {
            return Cond::All(
                all.iter().map(Condition::compile).collect(),
                self.message.clone(),
            );
        }
        let regex = |r: &Spanned<String>| Regex::new(&r.value).unwrap_or_else(|_| never());
        let test = if let Some(exists) = self.exists {
            Test::Exists(exists)
        } else if let Some(value) = &self.equals {
            Test::Equals(value.clone())
        } else if let Some(value) = &self.not_equals {
            Test::NotEquals(value.clone())
        } else if let Some(values) = &self.one_of {
            Test::In(values.clone())
        } else if let Some(values) = &self.not_in {
            Test::NotIn(values.clone())
        } else if let Some(r) = &self.matches {
            Test::Matches(regex(r))
        } else if let Some(r) = &self.not_matches {
            Test::NotMatches(regex(r))
        } else if let Some(r) = &self.any_matches {
            Test::AnyMatches(regex(r))
        } else if let Some(r) = &self.key_matches {
            Test::KeyMatches(regex(r))
        } else if let Some(r) = &self.key_not_matches {
            Test::KeyNotMatches(regex(r))
        } else {
            Test::Exists(true)
        };
        Cond::Test {
            path: self
                .path
                .as_deref()
                .and_then(|p| Path::parse(p).ok())
                .unwrap_or_else(Path::relative_self),
            test,
            message: self.message.clone(),
        }
    }
}

/// What a credential node holds, without showing it: `12-character
/// literal`, or its kind for anything but a scalar.
fn value_kind(node: &Node) -> String {
    match node.scalar_text() {
        Some(text) => format!("{}-character literal", text.chars().count()),
        None => node.kind().to_string(),
    }
}

/// Standard or URL-safe base64, padded or not, as Kubernetes `data`
/// values are written (whitespace ignored). `None` when the text is not
/// base64.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let digits = digits
        .strip_suffix(b"==")
        .or_else(|| digits.strip_suffix(b"="))
        .unwrap_or(&digits);
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for byte in digits {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // A single leftover digit is no byte: not base64.
    (bits < 6 && !digits.is_empty()).then_some(out)
}

/// A regex that matches nothing, for the impossible case of a validated
/// regex failing to compile.
fn never() -> Regex {
    Regex::new("[^\\s\\S]").expect("a valid regex")
}

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Key(String),
    Any,
    Parent,
}

#[derive(Debug, Clone, PartialEq)]
struct Path {
    absolute: bool,
    segments: Vec<Segment>,
}

impl Path {
    fn root() -> Path {
        Path {
            absolute: true,
            segments: Vec::new(),
        }
    }

    fn relative_self() -> Path {
        Path {
            absolute: false,
            segments: Vec::new(),
        }
    }

    fn parse(text: &str) -> Result<Path, String> {
        let text = text.trim();
        let (absolute, rest) = match text.strip_prefix('/') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let mut segments = Vec::new();
        for part in rest.split('/') {
            match part {
                "" | "." => {}
                "*" => segments.push(Segment::Any),
                ".." => segments.push(Segment::Parent),
                key if key.contains('*') => {
                    return Err(format!(
                        "invalid path `{text}`: `*` must be a whole segment"
                    ));
                }
                key => segments.push(Segment::Key(key.replace("~1", "/").replace("~0", "~"))),
            }
        }
        Ok(Path { absolute, segments })
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .segments
            .iter()
            .map(|s| match s {
                Segment::Key(k) => k.replace('~', "~0").replace('/', "~1"),
                Segment::Any => "*".to_string(),
                Segment::Parent => "..".to_string(),
            })
            .collect();
        if self.absolute {
            write!(f, "/{}", parts.join("/"))
        } else if parts.is_empty() {
            f.write_str(".")
        } else {
            f.write_str(&parts.join("/"))
        }
    }
}

/// Where a node is: the concrete keys and indexes from the document root.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// Renders `spec.template.spec.containers[0]`; the root is `(document)`.
fn location(steps: &[Step]) -> String {
    let mut text = String::new();
    for step in steps {
        match step {
            Step::Key(key) => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(key);
            }
            Step::Index(i) => text.push_str(&format!("[{i}]")),
        }
    }
    if text.is_empty() {
        "(document)".to_string()
    } else {
        text
    }
}

/// Every node `segments` reaches from `node`, with its location.
fn resolve<'a>(
    node: &'a Node,
    at: &mut Vec<Step>,
    segments: &[Segment],
    out: &mut Vec<(Vec<Step>, &'a Node)>,
) {
    let Some((first, rest)) = segments.split_first() else {
        out.push((at.clone(), node));
        return;
    };
    match (first, &node.value) {
        (Segment::Any, Value::Map(entries)) => {
            for (key, child) in entries {
                at.push(Step::Key(key.to_string()));
                resolve(child, at, rest, out);
                at.pop();
            }
        }
        (Segment::Any, Value::Seq(items)) => {
            for (i, child) in items.iter().enumerate() {
                at.push(Step::Index(i));
                resolve(child, at, rest, out);
                at.pop();
            }
        }
        (Segment::Key(key), Value::Map(entries)) => {
            if let Some((_, child)) = entries.iter().find(|(k, _)| **k == **key) {
                at.push(Step::Key(key.clone()));
                resolve(child, at, rest, out);
                at.pop();
            }
        }
        (Segment::Key(key), Value::Seq(items)) => {
            if let Some((i, child)) = key
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get(i).map(|c| (i, c)))
            {
                at.push(Step::Index(i));
                resolve(child, at, rest, out);
                at.pop();
            }
        }
        _ => {}
    }
}

/// Every node `segments` reaches from `node`, in [`resolve`]'s order,
/// without their locations: a condition reads only the nodes, and making
/// each location (a `String` per key stepped through, the list cloned per
/// node reached) was most of what resolving a condition's path cost.
fn resolve_nodes<'a>(node: &'a Node, segments: &[Segment], out: &mut Vec<&'a Node>) {
    let Some((first, rest)) = segments.split_first() else {
        out.push(node);
        return;
    };
    match (first, &node.value) {
        (Segment::Any, Value::Map(entries)) => {
            for (_, child) in entries {
                resolve_nodes(child, rest, out);
            }
        }
        (Segment::Any, Value::Seq(items)) => {
            for child in items {
                resolve_nodes(child, rest, out);
            }
        }
        (Segment::Key(key), Value::Map(entries)) => {
            if let Some((_, child)) = entries.iter().find(|(k, _)| **k == **key) {
                resolve_nodes(child, rest, out);
            }
        }
        (Segment::Key(key), Value::Seq(items)) => {
            if let Some(child) = key.parse::<usize>().ok().and_then(|i| items.get(i)) {
                resolve_nodes(child, rest, out);
            }
        }
        _ => {}
    }
}

/// The node at `at` (which was found in `root`).
fn node_at<'a>(root: &'a Node, at: &[Step]) -> Option<&'a Node> {
    at.iter()
        .try_fold(root, |node, step| match (step, &node.value) {
            (Step::Key(key), Value::Map(entries)) => entries
                .iter()
                .find(|(k, _)| **k == **key)
                .map(|(_, child)| child),
            (Step::Index(i), Value::Seq(items)) => items.get(*i),
            _ => None,
        })
}

/// The nodes a condition path reaches from the node at `at`.
fn resolve_from<'a>(root: &'a Node, at: &[Step], path: &Path) -> Vec<&'a Node> {
    if !path.absolute && !path.segments.contains(&Segment::Parent) {
        // A path below the node: from the node, found by following `at`,
        // rather than from the root by `at` made segments again (a
        // monorepo's manifests ask this 160 k times, and each step was a
        // string made and resolved anew).
        let mut out = Vec::new();
        if let Some(node) = node_at(root, at) {
            resolve_nodes(node, &path.segments, &mut out);
        }
        return out;
    }
    let mut segments: Vec<Segment> = if path.absolute {
        Vec::new()
    } else {
        at.iter()
            .map(|s| match s {
                Step::Key(k) => Segment::Key(k.clone()),
                Step::Index(i) => Segment::Key(i.to_string()),
            })
            .collect()
    };
    for segment in &path.segments {
        match segment {
            Segment::Parent => {
                segments.pop();
            }
            other => segments.push(other.clone()),
        }
    }
    let mut out = Vec::new();
    resolve_nodes(root, &segments, &mut out);
    out
}

#[derive(Debug)]
enum Test {
    Exists(bool),
    Equals(Scalar),
    NotEquals(Scalar),
    In(Vec<Scalar>),
    NotIn(Vec<Scalar>),
    Matches(Regex),
    NotMatches(Regex),
    AnyMatches(Regex),
    KeyMatches(Regex),
    KeyNotMatches(Regex),
}

#[derive(Debug)]
enum Cond {
    Test {
        path: Path,
        test: Test,
        message: Option<String>,
    },
    Any(Vec<Cond>, Option<String>),
    All(Vec<Cond>, Option<String>),
}

fn shown(node: &Node) -> String {
    match node.scalar_text() {
        Some(text) => format!("`{text}`"),
        None => node.kind().to_string(),
    }
}

fn list(values: &[Scalar]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Cond {
    /// Every node the condition's paths reach from the node at `at`.
    fn nodes<'a>(&self, root: &'a Node, at: &[Step]) -> Vec<&'a Node> {
        match self {
            Cond::Any(conds, _) | Cond::All(conds, _) => {
                conds.iter().flat_map(|c| c.nodes(root, at)).collect()
            }
            Cond::Test { path, .. } => resolve_from(root, at, path),
        }
    }

    /// `None` when the condition holds; otherwise what is wrong.
    fn violation(&self, root: &Node, at: &[Step]) -> Option<String> {
        match self {
            Cond::Any(conds, message) => {
                let reasons: Vec<String> = conds
                    .iter()
                    .map(|c| c.violation(root, at))
                    .collect::<Option<Vec<_>>>()?;
                Some(message.clone().unwrap_or_else(|| reasons.join(" and ")))
            }
            Cond::All(conds, message) => {
                let reasons: Vec<String> =
                    conds.iter().filter_map(|c| c.violation(root, at)).collect();
                if reasons.is_empty() {
                    None
                } else {
                    Some(message.clone().unwrap_or_else(|| reasons.join("; ")))
                }
            }
            Cond::Test {
                path,
                test,
                message,
            } => {
                let reason = match test {
                    Test::KeyMatches(regex) | Test::KeyNotMatches(regex) => {
                        key_violation(test, regex, at)?
                    }
                    _ => {
                        let nodes = resolve_from(root, at, path);
                        describe(test, path, test_failure(test, &nodes)?)
                    }
                };
                Some(message.clone().unwrap_or(reason))
            }
        }
    }

    /// Whether the condition holds: [`Self::violation`] is `None`, without
    /// writing what is wrong. A `where` filter fails on most of the nodes
    /// a monorepo's manifests offer it, and each message written was
    /// thrown away.
    fn holds(&self, root: &Node, at: &[Step]) -> bool {
        match self {
            Cond::Any(conds, _) => conds.iter().any(|c| c.holds(root, at)),
            Cond::All(conds, _) => conds.iter().all(|c| c.holds(root, at)),
            Cond::Test { path, test, .. } => match test {
                Test::KeyMatches(regex) | Test::KeyNotMatches(regex) => {
                    key_holds(test, regex, at).0
                }
                _ => test_failure(test, &resolve_from(root, at, path)).is_none(),
            },
        }
    }
}

/// Whether the key of the node at `at` passes a key test, and the key; a
/// list item or the document root has no key and passes only a negative
/// test.
fn key_holds<'a>(test: &Test, regex: &Regex, at: &'a [Step]) -> (bool, Option<&'a str>) {
    let key = match at.last() {
        Some(Step::Key(key)) => Some(key.as_str()),
        _ => None,
    };
    let matched = key.is_some_and(|k| regex.is_match(k));
    let holds = match test {
        Test::KeyMatches(_) => matched,
        Test::KeyNotMatches(_) => !matched,
        _ => true,
    };
    (holds, key)
}

/// [`key_holds`], and what is wrong when it does not.
fn key_violation(test: &Test, regex: &Regex, at: &[Step]) -> Option<String> {
    let (holds, key) = key_holds(test, regex, at);
    if holds {
        return None;
    }
    Some(match test {
        Test::KeyMatches(_) => match key {
            Some(key) => format!("key `{key}` does not match `{}`", regex.as_str()),
            None => "the node has no key".to_string(),
        },
        _ => format!(
            "key `{}` matches `{}`",
            key.unwrap_or_default(),
            regex.as_str()
        ),
    })
}

/// How a test of the nodes a path reached fails (see [`describe`]).
enum Failure<'a> {
    /// The path reached nothing.
    Missing,
    /// The path reached something it should not have.
    Present,
    /// This node is not what the test expects.
    Unexpected(&'a Node),
    /// This node is what the test forbids.
    Forbidden(&'a Node),
    /// No node matches the test's regex.
    NoMatch,
}

/// How `test` fails on `nodes`, or `None` when it passes. What was
/// expected is written only by [`describe`], for a failure: a monorepo's
/// manifests pass these tests 160 k times.
fn test_failure<'a>(test: &Test, nodes: &[&'a Node]) -> Option<Failure<'a>> {
    let text_matches =
        |regex: &Regex, n: &Node| n.scalar_text().is_some_and(|t| regex.is_match(&t));
    // The first node that fails `ok`.
    let first_bad = |ok: &dyn Fn(&Node) -> bool| match nodes.is_empty() {
        true => Some(Failure::Missing),
        false => nodes
            .iter()
            .find(|n| !ok(n))
            .map(|n| Failure::Unexpected(n)),
    };
    match test {
        Test::Exists(true) => nodes.is_empty().then_some(Failure::Missing),
        Test::Exists(false) => (!nodes.is_empty()).then_some(Failure::Present),
        Test::Equals(value) => first_bad(&|n| value.matches(n)),
        Test::In(values) => first_bad(&|n| values.iter().any(|v| v.matches(n))),
        Test::Matches(regex) => first_bad(&|n| text_matches(regex, n)),
        Test::NotEquals(value) => nodes
            .iter()
            .find(|n| value.matches(n))
            .map(|n| Failure::Forbidden(n)),
        Test::NotIn(values) => nodes
            .iter()
            .find(|n| values.iter().any(|v| v.matches(n)))
            .map(|n| Failure::Forbidden(n)),
        Test::NotMatches(regex) => nodes
            .iter()
            .find(|n| text_matches(regex, n))
            .map(|n| Failure::Forbidden(n)),
        Test::AnyMatches(regex) => match nodes.is_empty() {
            true => Some(Failure::Missing),
            false => (!nodes.iter().any(|n| text_matches(regex, n))).then_some(Failure::NoMatch),
        },
        Test::KeyMatches(_) | Test::KeyNotMatches(_) => None,
    }
}

/// What is wrong, for a [`test_failure`] of `test` on the nodes of `path`.
fn describe(test: &Test, path: &Path, failure: Failure<'_>) -> String {
    match (failure, test) {
        (Failure::Missing, _) => format!("`{path}` is missing"),
        (Failure::Present, _) => format!("`{path}` is present"),
        (Failure::NoMatch, Test::AnyMatches(regex)) => {
            format!("no `{path}` matches `{}`", regex.as_str())
        }
        (Failure::Forbidden(_), Test::NotEquals(value)) => format!("`{path}` is `{value}`"),
        (Failure::Forbidden(n), _) => format!("`{path}` is {}", shown(n)),
        (Failure::Unexpected(n), test) => {
            let expected = match test {
                Test::Equals(value) => format!("`{value}`"),
                Test::In(values) => format!("one of {}", list(values)),
                Test::Matches(regex) => format!("a match for `{}`", regex.as_str()),
                _ => String::new(),
            };
            format!("`{path}` is {}, expected {expected}", shown(n))
        }
        (Failure::NoMatch, _) => String::new(),
    }
}

#[derive(Debug)]
enum Mode {
    Exists,
    Absent,
    Each(Vec<Cond>),
}

/// A planned `document` rule.
#[derive(Debug)]
pub struct Query {
    selector: SelectorId,
    selects: Vec<Path>,
    describe_select: String,
    filter: Vec<Cond>,
    mode: Mode,
    message: Option<String>,
    secret: bool,
    describe_paths: String,
    compose: bool,
    /// The Dockerfiles Compose services may build (compose mode only): a
    /// service inherits its image's `HEALTHCHECK`.
    dockerfiles: Option<SelectorId>,
    kubernetes: bool,
}

/// The parsed documents of a kept file, cached on the file.
pub fn documents(file: &KeptFile) -> std::sync::Arc<Documents> {
    file.documents()
}

/// One file's documents as a query judges them: a parsed file's, or the
/// objects the Kubernetes model chose in it, borrowed rather than copied
/// (the model's objects are shared by every rule that reads them).
struct FileDocs<'a> {
    path: &'a str,
    docs: Vec<&'a Node>,
    error: Option<&'a crate::document::ParseError>,
}

impl<'a> FileDocs<'a> {
    fn of(path: &'a str, documents: &'a Documents) -> Self {
        FileDocs {
            path,
            docs: documents.docs.iter().collect(),
            error: documents.error.as_ref(),
        }
    }
}

struct Selected<'a> {
    file: &'a str,
    root: &'a Node,
    at: Vec<Step>,
    node: &'a Node,
    /// Position of the document in its stream, when there are several.
    document: Option<usize>,
    /// Why each undecided marker in a statically rendered Helm object could
    /// not be decided; `None` for documents read as they are.
    undecided: Option<&'a [String]>,
}

impl Selected<'_> {
    /// Why this node cannot be judged, if it rests on something static
    /// reading could not decide: a failure is claimed only on an object
    /// with nothing undecided, a pass only when the nodes the conditions
    /// read are all decided.
    fn undecided_because(&self, conds: &[Cond], failing: bool) -> Option<String> {
        let table = self.undecided?;
        let mut marks = Vec::new();
        if failing {
            crate::repo::kubernetes::helm::markers(self.root, &mut marks);
        } else {
            for cond in conds {
                for node in cond.nodes(self.root, &self.at) {
                    crate::repo::kubernetes::helm::markers(node, &mut marks);
                }
            }
        }
        let first = marks.first()?;
        Some(
            table
                .get(*first)
                .cloned()
                .unwrap_or_else(|| "a value".to_string()),
        )
    }

    fn finding(&self, message: &str) -> Finding {
        let mut text = if self.at.is_empty() {
            message.to_string()
        } else {
            format!("{}: {message}", location(&self.at))
        };
        if let (Some(i), None) = (self.document, self.node.line()) {
            text = format!("document {}, {text}", i + 1);
        }
        Finding::at(self.file, self.node.line(), text)
    }
}

impl Query {
    /// The kept files this query parses as documents.
    pub fn selector(&self) -> SelectorId {
        self.selector
    }

    /// Whether the query judges the Kubernetes model's objects rather than
    /// the files' documents.
    pub fn reads_kubernetes(&self) -> bool {
        self.kubernetes
    }

    /// Runs `f` on the selected files' parsed documents (kept files only).
    fn with_kept_documents<R>(
        &self,
        evidence: &Evidence,
        f: impl FnOnce(&[FileDocs<'_>]) -> R,
    ) -> R {
        let parsed: Vec<(&str, Arc<Documents>)> = evidence
            .kept(self.selector)
            .map(|file| (file.path.as_str(), documents(file)))
            .collect();
        let files: Vec<FileDocs<'_>> = parsed
            .iter()
            .map(|(path, docs)| FileDocs::of(path, docs))
            .collect();
        f(&files)
    }

    pub fn evaluate(&self, evidence: &Evidence) -> Outcome {
        if self.kubernetes {
            return self.evaluate_kubernetes(evidence);
        }
        if !self.compose {
            return self.with_kept_documents(evidence, |files| self.evaluate_files(files, &[]));
        }
        let kept: Vec<&KeptFile> = evidence.kept(self.selector).collect();
        let candidates: Vec<(String, crate::model::Role)> = kept
            .iter()
            .map(|f| (f.path.clone(), evidence.role_of(&f.path)))
            .collect();
        let (chains, unjudged) = crate::repo::artefacts::compose_chains(&candidates);
        let aside = if unjudged.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = unjudged
                .iter()
                .map(|u| format!("`{}` ({})", u.path, u.reason))
                .collect();
            format!("; not judged: {}", names.join(", "))
        };
        if chains.is_empty() && !unjudged.is_empty() {
            return Outcome::skip(format!("no production Compose file{aside}"));
        }
        let parsed: Vec<(&str, Arc<crate::dockerfile::Dockerfile>)> = self
            .dockerfiles
            .into_iter()
            .flat_map(|id| evidence.kept(id))
            .map(|f| (f.path.as_str(), f.dockerfile()))
            .collect();
        let dockerfiles: Vec<(&str, &crate::dockerfile::Dockerfile)> =
            parsed.iter().map(|(p, d)| (*p, d.as_ref())).collect();
        let files: Vec<(String, Arc<Documents>)> = chains
            .iter()
            .map(|chain| {
                let parts: Vec<Arc<Documents>> = chain
                    .files
                    .iter()
                    .filter_map(|path| kept.iter().find(|f| f.path == *path))
                    .map(|file| documents(file))
                    .collect();
                let mut merged = merge_overlays(&parts);
                // Relative paths of every file resolve from the first one's
                // folder, as Compose resolves them.
                if let Some(root) = merged.docs.first_mut() {
                    crate::repo::compose_build::inherit_image_healthchecks(
                        &chain.files[0],
                        root,
                        &dockerfiles,
                    );
                }
                (chain.files[0].clone(), Arc::new(merged))
            })
            .collect();
        let views: Vec<FileDocs<'_>> = files
            .iter()
            .map(|(path, docs)| FileDocs::of(path, docs))
            .collect();
        let mut outcome = self.evaluate_files(&views, &[]);
        let merged: Vec<String> = chains
            .iter()
            .filter(|c| c.files.len() > 1)
            .map(|c| c.files.join(" + "))
            .collect();
        if !merged.is_empty() {
            outcome
                .message
                .push_str(&format!("; merged {}", merged.join(", ")));
        }
        outcome.message.push_str(&aside);
        outcome
    }

    /// The production Kubernetes objects the repository model chooses
    /// (see [`crate::repo::kubernetes`]), judged per object.
    fn evaluate_kubernetes(&self, evidence: &Evidence) -> Outcome {
        use crate::repo::kubernetes::{Origin, kept_artefacts};
        let artefacts = kept_artefacts(evidence, self.selector);
        let mut files = Vec::new();
        let mut reasons = Vec::new();
        let mut judged = Vec::new();
        let mut aside = Vec::new();
        let mut notes = Vec::new();
        for artefact in artefacts.iter() {
            if !artefact.judged {
                aside.push(format!("`{}` ({})", artefact.path, artefact.reason));
                continue;
            }
            if artefact.origin != Origin::Manifest {
                judged.push(format!("`{}` ({})", artefact.path, artefact.reason));
            }
            notes.extend(artefact.notes.iter().cloned());
            let mut by_file: Vec<FileDocs<'_>> = Vec::new();
            for object in &artefact.objects {
                match by_file.iter_mut().find(|f| f.path == object.file) {
                    Some(file) => file.docs.push(object.node()),
                    None => by_file.push(FileDocs {
                        path: &object.file,
                        docs: vec![object.node()],
                        error: None,
                    }),
                }
            }
            for file in by_file {
                files.push(file);
                reasons.push(artefact.undecided.clone());
            }
        }
        let mut outcome = if files.is_empty() && !aside.is_empty() {
            Outcome::skip("no production Kubernetes objects")
        } else {
            self.evaluate_files(&files, &reasons)
        };
        if !judged.is_empty() {
            outcome
                .message
                .push_str(&format!("; rendered {}", judged.join(", ")));
        }
        if !aside.is_empty() {
            outcome
                .message
                .push_str(&format!("; not judged: {}", aside.join(", ")));
        }
        if !notes.is_empty() {
            outcome.message.push_str(&format!("; {}", notes.join("; ")));
        }
        outcome
    }

    /// The nodes the query selects in `files` that pass its filter.
    fn select<'a>(
        &self,
        files: &'a [FileDocs<'a>],
        undecided: &'a [Vec<String>],
    ) -> Vec<Selected<'a>> {
        let mut selected = Vec::new();
        for (index, FileDocs { path, docs, .. }) in files.iter().enumerate() {
            let several = docs.len() > 1;
            for (i, root) in docs.iter().copied().enumerate() {
                for select in &self.selects {
                    let mut reached = Vec::new();
                    resolve(root, &mut Vec::new(), &select.segments, &mut reached);
                    for (at, node) in reached {
                        if self.filter.iter().all(|c| c.holds(root, &at)) {
                            selected.push(Selected {
                                file: path,
                                root,
                                at,
                                node,
                                document: several.then_some(i),
                                undecided: undecided.get(index).map(Vec::as_slice),
                            });
                        }
                    }
                }
            }
        }
        selected
    }

    /// The literal values a `secret` query reports (a committed
    /// Kubernetes Secret's `data` and `stringData`), and for base64 `data`
    /// the decoded text too: the report's redactor masks them wherever any
    /// other check quotes them. Empty for other queries, and for
    /// Compose and Kubernetes-model queries (no secret query reads them).
    pub fn secret_values(&self, evidence: &Evidence) -> Vec<String> {
        if !self.secret || self.compose || self.kubernetes || !matches!(self.mode, Mode::Absent) {
            return Vec::new();
        }
        self.with_kept_documents(evidence, |files| self.secret_values_in(files))
    }

    fn secret_values_in(&self, files: &[FileDocs<'_>]) -> Vec<String> {
        let mut values = Vec::new();
        for selected in self.select(files, &[]) {
            let Some(text) = selected.node.scalar_text() else {
                continue;
            };
            let under_data = selected
                .at
                .first()
                .is_some_and(|step| matches!(step, Step::Key(k) if k == "data"));
            if under_data
                && let Some(decoded) = decode_base64(&text).and_then(|b| String::from_utf8(b).ok())
            {
                values.push(decoded);
            }
            values.push(text);
        }
        values
    }

    /// Judges `files`; `undecided[i]`, when given, holds the reasons of the
    /// undecided markers in `files[i]` (a statically rendered Helm chart).
    fn evaluate_files(&self, files: &[FileDocs<'_>], undecided: &[Vec<String>]) -> Outcome {
        let mut notes = Vec::new();
        for FileDocs { path, error, .. } in files {
            if let Some(error) = error {
                notes.push(Finding::at(
                    path.to_string(),
                    error.line,
                    format!(
                        "could not parse as {}: {}",
                        Format::for_path(path).name(),
                        error.message
                    ),
                ));
            }
        }
        let selected = self.select(files, undecided);
        let parsed = files.iter().filter(|f| f.error.is_none()).count();
        let unparsed = if notes.is_empty() {
            String::new()
        } else {
            format!(" ({} file(s) could not be parsed)", notes.len())
        };
        // Neither absence nor compliance can be claimed about documents
        // that are not there or could not be read, nor presence about
        // documents that could not be read. A required node in no document
        // at all is missing: `exists` fails below.
        let required = matches!(self.mode, Mode::Exists);
        if parsed == 0 && !(required && files.is_empty()) {
            let what = if files.is_empty() {
                "no file"
            } else {
                "no parsable file"
            };
            let mut outcome = Outcome::nothing_to_judge(format!(
                "{what} matches {}{unparsed}",
                self.describe_paths
            ));
            outcome.findings = notes;
            return outcome;
        }
        match &self.mode {
            Mode::Exists => match selected.first() {
                Some(first) => Outcome::pass(
                    format!("`{}`: found {}", first.file, location(&first.at)),
                    vec![first.finding("present")],
                ),
                None => Outcome::fail(
                    format!(
                        "no {} in {} file(s) matching {}{unparsed}",
                        self.describe_select, parsed, self.describe_paths
                    ),
                    notes,
                ),
            },
            Mode::Absent => {
                if selected.is_empty() {
                    return Outcome::pass(
                        format!(
                            "no {} in {} file(s) matching {}{unparsed}",
                            self.describe_select, parsed, self.describe_paths
                        ),
                        notes,
                    );
                }
                let message = self.message.as_deref().unwrap_or("should not be present");
                // Only the findings the report lists are written.
                let findings = selected
                    .iter()
                    .take(FINDINGS_LIMIT)
                    .map(|s| {
                        if self.secret {
                            s.finding(&format!("{message} ({})", value_kind(s.node)))
                        } else {
                            s.finding(message)
                        }
                    })
                    .collect();
                Outcome::fail(
                    format!("{} item(s) found{unparsed}", selected.len()),
                    capped(findings, selected.len(), notes),
                )
            }
            Mode::Each(conds) => {
                let mut findings = Vec::new();
                // Failing items past the listed ones are only counted: their
                // messages would be capped away.
                let mut failing = 0;
                let mut unknown = Vec::new();
                for s in &selected {
                    let fails = !conds.iter().all(|c| c.holds(s.root, &s.at));
                    if let Some(why) = s.undecided_because(conds, fails) {
                        unknown.push(s.finding(&format!("cannot be judged statically: {why}")));
                        continue;
                    }
                    if !fails {
                        continue;
                    }
                    failing += 1;
                    if findings.len() < FINDINGS_LIMIT {
                        let reasons: Vec<String> = conds
                            .iter()
                            .filter_map(|c| c.violation(s.root, &s.at))
                            .collect();
                        let message = match &self.message {
                            Some(message) => format!("{message} ({})", reasons.join("; ")),
                            None => reasons.join("; "),
                        };
                        findings.push(s.finding(&message));
                    }
                }
                if selected.is_empty() {
                    let mut outcome = Outcome::nothing_to_judge(format!(
                        "no {} in {} file(s) matching {}{unparsed}",
                        self.describe_select, parsed, self.describe_paths
                    ));
                    outcome.findings = notes;
                    return outcome;
                }
                let undecided_note = if unknown.is_empty() {
                    String::new()
                } else {
                    format!("; {} item(s) cannot be judged statically", unknown.len())
                };
                if failing == 0 && !unknown.is_empty() {
                    let total = unknown.len();
                    return Outcome {
                        status: crate::model::Status::Skip,
                        message: format!(
                            "{} of {} item(s) cannot be judged statically{unparsed}",
                            unknown.len(),
                            selected.len()
                        ),
                        findings: capped(unknown, total, notes),
                    };
                }
                notes.extend(unknown);
                if failing == 0 {
                    return Outcome::pass(
                        format!(
                            "all {} item(s) in {} file(s) comply{unparsed}",
                            selected.len(),
                            parsed
                        ),
                        notes,
                    );
                }
                Outcome::fail(
                    format!(
                        "{} of {} item(s) do not comply{unparsed}{undecided_note}",
                        failing,
                        selected.len()
                    ),
                    capped(findings, failing, notes),
                )
            }
        }
    }
}

/// A Compose file with its overlays merged in order, as Compose merges
/// them: mappings key by key, anything else replaced by the later file.
/// Lines stay those of the first file where a key appears. A file that
/// does not parse makes the whole deployment unparsable.
fn merge_overlays(parts: &[Arc<Documents>]) -> Documents {
    if let Some(broken) = parts.iter().find(|d| d.error.is_some()) {
        return Documents::clone(broken);
    }
    let mut roots = parts.iter().filter_map(|d| d.docs.first().cloned());
    let Some(mut merged) = roots.next() else {
        return Documents::default();
    };
    for overlay in roots {
        merge_node(&mut merged, overlay);
    }
    Documents {
        docs: vec![merged],
        error: None,
    }
}

fn merge_node(base: &mut Node, overlay: Node) {
    match (&mut base.value, overlay.value) {
        (Value::Map(entries), Value::Map(more)) => {
            for (key, node) in more {
                match entries.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, existing)) => merge_node(existing, node),
                    None => entries.push((key, node)),
                }
            }
        }
        (value, other) => *value = other,
    }
}

/// The first [`FINDINGS_LIMIT`] of `findings`, the first of `total`
/// (those past the limit need not have been written), "and N more" for
/// the rest, then `notes`.
fn capped(mut findings: Vec<Finding>, total: usize, notes: Vec<Finding>) -> Vec<Finding> {
    findings.truncate(FINDINGS_LIMIT);
    if total > FINDINGS_LIMIT {
        findings.push(Finding::note(format!(
            "and {} more",
            total - FINDINGS_LIMIT
        )));
    }
    findings.extend(notes);
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_values_decode_and_other_text_does_not() {
        assert_eq!(
            decode_base64("cGFzc3dvcmQxMjM=").as_deref(),
            Some(&b"password123"[..])
        );
        assert_eq!(decode_base64("YWI").as_deref(), Some(&b"ab"[..]));
        assert_eq!(decode_base64("a-b_").map(|b| b.len()), Some(3));
        assert_eq!(decode_base64("not base64!"), None);
        assert_eq!(decode_base64("abcde"), None, "one digit left over");
    }
    use crate::model::Status;

    fn node(yaml: &str) -> Node {
        let docs = Documents::parse(Format::Yaml, yaml);
        assert!(docs.error.is_none(), "{:?}", docs.error);
        docs.docs.into_iter().next().unwrap()
    }

    fn cond(yaml: &str) -> Cond {
        let c: Condition = serde_saphyr::from_str(yaml).unwrap();
        c.compile()
    }

    fn select(root: &Node, path: &str) -> Vec<Vec<Step>> {
        let mut out = Vec::new();
        let path = Path::parse(path).unwrap();
        resolve(root, &mut Vec::new(), &path.segments, &mut out);
        out.into_iter().map(|(at, _)| at).collect()
    }

    const DEPLOYMENT: &str = "kind: Deployment
spec:
  template:
    spec:
      securityContext: { runAsNonRoot: true }
      containers:
        - name: api
          image: api:1.2
          resources: { limits: { memory: 256Mi } }
        - name: sidecar
          image: proxy:latest
";

    #[test]
    fn wildcards_select_every_item_with_its_location() {
        let root = node(DEPLOYMENT);
        let found = select(&root, "/spec/template/spec/containers/*");
        assert_eq!(found.len(), 2);
        assert_eq!(location(&found[1]), "spec.template.spec.containers[1]");
        assert_eq!(
            select(&root, "/spec/template/spec/containers/0/name").len(),
            1
        );
        assert!(select(&root, "/spec/nothing/*").is_empty());
    }

    #[test]
    fn conditions_resolve_relative_parent_and_absolute_paths() {
        let root = node(DEPLOYMENT);
        let sidecar = &select(&root, "/spec/template/spec/containers/*")[1];
        assert_eq!(
            cond("{ path: resources/limits, exists: true }").violation(&root, sidecar),
            Some("`resources/limits` is missing".into())
        );
        assert_eq!(
            cond("{ path: /kind, in: [Deployment, Job] }").violation(&root, sidecar),
            None
        );
        let non_root = "{ any: [ { path: securityContext/runAsNonRoot, equals: true }, \
                        { path: ../../securityContext/runAsNonRoot, equals: true } ] }";
        assert_eq!(cond(non_root).violation(&root, sidecar), None);
        assert_eq!(
            cond("{ path: image, not_matches: ':latest$' }").violation(&root, sidecar),
            Some("`image` is `proxy:latest`".into())
        );
        assert_eq!(
            cond("{ path: image, matches: '^api:' }").violation(&root, sidecar),
            Some("`image` is `proxy:latest`, expected a match for `^api:`".into())
        );
        assert_eq!(
            cond("{ path: privileged, not_equals: true }").violation(&root, sidecar),
            None
        );
    }

    /// `holds` says what `violation` says without writing a message, and
    /// the nodes a path reaches are `resolve`'s, in its order, for every
    /// kind of test and combination, at every node of a document.
    #[test]
    fn holds_is_violation_without_the_message() {
        let root = node(DEPLOYMENT);
        let conds = [
            "{ path: resources/limits, exists: true }",
            "{ path: resources/limits, exists: false }",
            "{ path: /kind, equals: Deployment }",
            "{ path: /kind, not_equals: Deployment }",
            "{ path: image, in: ['api:1.2', 'proxy:latest'] }",
            "{ path: image, not_in: ['api:1.2'] }",
            "{ path: image, matches: '^api:' }",
            "{ path: image, not_matches: ':latest$' }",
            "{ path: '*', any_matches: '^proxy' }",
            "{ path: ../*/name, any_matches: '^api$' }",
            "{ key_matches: '^c' }",
            "{ key_not_matches: '^c' }",
            "{ any: [ { path: image, matches: '^api:' }, { path: name, equals: proxy } ] }",
            "{ all: [ { path: image, matches: '^api:' }, { path: name, equals: proxy } ] }",
        ];
        let mut locations: Vec<Vec<Step>> = vec![Vec::new()];
        for depth in 1..8 {
            let mut reached = Vec::new();
            resolve(
                &root,
                &mut Vec::new(),
                &vec![Segment::Any; depth],
                &mut reached,
            );
            locations.extend(reached.into_iter().map(|(at, _)| at));
        }
        assert!(locations.len() > 10, "{}", locations.len());
        let (mut held, mut failed) = (0, 0);
        for text in conds {
            let cond = cond(text);
            for at in &locations {
                let holds = cond.violation(&root, at).is_none();
                assert_eq!(cond.holds(&root, at), holds, "{text} at {}", location(at));
                held += usize::from(holds);
                failed += usize::from(!holds);
            }
        }
        assert!(held > 50 && failed > 50, "{held} {failed}");
        for path in [
            "*/*",
            "spec/*/spec/containers/*/image",
            "spec/template/spec/containers/1",
        ] {
            let segments = Path::parse(path).unwrap().segments;
            let mut with_locations = Vec::new();
            resolve(&root, &mut Vec::new(), &segments, &mut with_locations);
            let mut nodes = Vec::new();
            resolve_nodes(&root, &segments, &mut nodes);
            assert!(!nodes.is_empty(), "{path}");
            assert!(
                nodes
                    .iter()
                    .map(|n| std::ptr::from_ref(*n))
                    .eq(with_locations.iter().map(|(_, n)| std::ptr::from_ref(*n))),
                "{path}"
            );
        }
    }

    #[test]
    fn any_reports_every_alternative_when_none_holds() {
        let root = node("services:\n  db:\n    image: postgres\n");
        let db = &select(&root, "/services/*")[0];
        let limits = cond(
            "{ any: [ { path: deploy/resources/limits, exists: true }, { path: mem_limit, exists: true } ] }",
        );
        assert_eq!(
            limits.violation(&root, db),
            Some("`deploy/resources/limits` is missing and `mem_limit` is missing".into())
        );
    }

    #[test]
    fn any_matches_needs_one_matching_node_not_every_one() {
        let root = node(
            "paths:\n  /pets:\n    get:\n      parameters:\n        - name: tag\n        - name: limit\n  \
             /owners:\n    get:\n      parameters:\n        - name: tag\n  /tags:\n    get: {}\n",
        );
        let gets = select(&root, "/paths/*/get");
        let paged = cond("{ path: parameters/*/name, any_matches: '^(limit|cursor)$' }");
        assert_eq!(paged.violation(&root, &gets[0]), None);
        assert_eq!(
            paged.violation(&root, &gets[1]),
            Some("no `parameters/*/name` matches `^(limit|cursor)$`".into())
        );
        assert_eq!(
            paged.violation(&root, &gets[2]),
            Some("`parameters/*/name` is missing".into())
        );
        // `matches` asks the same of every node, so `tag` alone fails it.
        let every = cond("{ path: parameters/*/name, matches: '^(limit|cursor)$' }");
        assert!(every.violation(&root, &gets[0]).is_some());
    }

    #[test]
    fn paths_parse_escapes_and_reject_partial_wildcards() {
        let path = Path::parse("/metadata/labels/app.kubernetes.io~1name").unwrap();
        assert_eq!(
            path.segments,
            vec![
                Segment::Key("metadata".into()),
                Segment::Key("labels".into()),
                Segment::Key("app.kubernetes.io/name".into())
            ]
        );
        assert!(Path::parse("/jobs/build*").is_err());
    }

    fn query(spec: &str, files: &[(&str, &str)]) -> Outcome {
        let spec: DocumentSpec = serde_saphyr::from_str(spec).unwrap();
        let mut plan = PlanBuilder::new();
        let query = spec.plan(&mut plan);
        let plan = plan.build().unwrap();
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        let evidence = crate::scan::scan(dir.path(), &plan, &Default::default()).unwrap();
        query.evaluate(&evidence)
    }

    const PINNED: &str = r#"
paths: [".github/workflows/*.yml"]
select: /jobs/*/steps/*
where: [{ path: uses, exists: true }]
each:
  - { path: uses, matches: '^(\./|docker://|[^@]+@[0-9a-f]{40}$)' }
"#;

    #[test]
    fn each_reports_offending_nodes_with_lines() {
        let workflow = "on: push\njobs:\n  test:\n    steps:\n      - uses: actions/checkout@v4\n      - run: make\n      - uses: ./local\n";
        let outcome = query(PINNED, &[(".github/workflows/ci.yml", workflow)]);
        assert_eq!(outcome.status, Status::Fail, "{}", outcome.message);
        assert_eq!(outcome.findings.len(), 1);
        let finding = &outcome.findings[0];
        assert_eq!(finding.path.as_deref(), Some(".github/workflows/ci.yml"));
        assert_eq!(finding.line, Some(5));
        assert!(
            finding.message.contains("jobs.test.steps[0]"),
            "{}",
            finding.message
        );
        assert!(
            finding.message.contains("actions/checkout@v4"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn nothing_selected_is_nothing_to_judge_not_a_pass() {
        // No step uses an action: pinning cannot be judged.
        let outcome = query(
            PINNED,
            &[(
                ".github/workflows/ok.yml",
                "jobs:\n  a:\n    steps:\n      - run: make\n",
            )],
        );
        assert_eq!(outcome.status, Status::Skip, "{}", outcome.message);
        assert!(
            outcome.message.starts_with("nothing to judge"),
            "{}",
            outcome.message
        );
        // No workflow at all.
        let outcome = query(PINNED, &[("README.md", "hi\n")]);
        assert_eq!(outcome.status, Status::Skip, "{}", outcome.message);
    }

    #[test]
    fn malformed_files_are_notes_not_errors() {
        let outcome = query(
            PINNED,
            &[
                (".github/workflows/broken.yml", "jobs: [\n"),
                (
                    ".github/workflows/ok.yml",
                    "jobs:\n  a:\n    steps:\n      - uses: actions/checkout@0123456789abcdef0123456789abcdef01234567\n",
                ),
            ],
        );
        assert_eq!(outcome.status, Status::Pass, "{}", outcome.message);
        assert!(
            outcome.message.contains("could not be parsed"),
            "{}",
            outcome.message
        );
        assert!(
            outcome.findings[0]
                .message
                .starts_with("could not parse as YAML")
        );
    }

    #[test]
    fn exists_and_absent_over_json_and_toml() {
        let scripts = "paths: [package.json]\nselect: /scripts/test\nexpect: exists\n";
        let pass = query(
            scripts,
            &[("package.json", "{\"scripts\": {\"test\": \"jest\"}}")],
        );
        assert_eq!(pass.status, Status::Pass, "{}", pass.message);
        let fail = query(scripts, &[("package.json", "{\"scripts\": {}}")]);
        assert_eq!(fail.status, Status::Fail);
        let ruff = "paths: [pyproject.toml]\nselect: /tool/ruff\nexpect: absent\n";
        let found = query(
            ruff,
            &[("pyproject.toml", "[tool.ruff]\nline-length = 99\n")],
        );
        assert_eq!(found.status, Status::Fail);
        assert_eq!(found.findings[0].line, Some(1));
    }

    #[test]
    fn chart_values_static_reading_cannot_decide_are_neither_passed_nor_failed() {
        const LIMITS: &str = "paths: [\"**/*.yaml\"]
kubernetes: true
select: /spec/template/spec/containers/*
where: [{ path: /kind, in: [Deployment] }]
each: [{ path: resources/limits, exists: true }]
";
        let template = |resources: &str| {
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: app:1.0\n          resources:\n            {{{{- {resources} | nindent 12 }}}}\n"
            )
        };
        let chart = |resources: &str, values: &str| {
            query(
                LIMITS,
                &[
                    (
                        "chart/Chart.yaml",
                        "apiVersion: v2\nname: app\nversion: 1.0.0\n",
                    ),
                    ("chart/values.yaml", values),
                    ("chart/templates/deployment.yaml", &template(resources)),
                ],
            )
        };
        let decided = chart(
            "toYaml .Values.resources",
            "resources: { limits: { memory: 1Gi } }\n",
        );
        assert_eq!(decided.status, Status::Pass, "{}", decided.message);
        let empty = chart("toYaml .Values.resources", "resources: {}\n");
        assert_eq!(empty.status, Status::Fail, "{}", empty.message);
        assert_eq!(
            empty.findings[0].path.as_deref(),
            Some("chart/templates/deployment.yaml")
        );
        assert_eq!(empty.findings[0].line, Some(9));
        let unknown = chart(
            "include \"common.tplvalues.render\" (dict \"value\" .Values.resources)",
            "resources: {}\n",
        );
        assert_eq!(unknown.status, Status::Skip, "{}", unknown.message);
        assert!(
            unknown.findings[0]
                .message
                .contains("cannot be judged statically: `chart/templates/deployment.yaml`: the named template `common.tplvalues.render`"),
            "{:?}",
            unknown.findings
        );
    }

    #[test]
    fn one_read_and_one_parse_serve_every_rule() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("compose.yaml"),
            "services:\n  db:\n    image: postgres:16\n",
        )
        .unwrap();
        let mut plan = PlanBuilder::new();
        let spec: DocumentSpec =
            serde_saphyr::from_str("paths: [compose.yaml]\nselect: /services/*\nexpect: exists\n")
                .unwrap();
        let query = spec.plan(&mut plan);
        let same = spec.plan(&mut plan);
        let text = plan.selector(SelectorSpec::from_strs(&["*.yaml"], &[]));
        let pattern = plan.pattern(text, "postgres", crate::scan::PatternOptions::new("x.y"));
        let plan = plan.build().unwrap();
        let evidence = crate::scan::scan(dir.path(), &plan, &Default::default()).unwrap();
        assert_eq!(evidence.stats.files_scanned, 1);
        assert_eq!(evidence.pattern(pattern).count, 1);
        assert_eq!(query.evaluate(&evidence).status, Status::Pass);
        assert_eq!(same.evaluate(&evidence).status, Status::Pass);
        let file = evidence.kept(query.selector).next().unwrap();
        assert!(std::sync::Arc::ptr_eq(&documents(file), &documents(file)));
    }
}
