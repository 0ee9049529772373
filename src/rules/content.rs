//! `content_match` and `content_absent`: regexes over file contents.
//!
//! The patterns are not run here: they are handed to the scan plan, which runs
//! every pattern of every check together in one pass over each file. This
//! module only turns the hits into an outcome.

use super::paths::{describe_globs, validate_globs};
use super::{Outcome, PlanContext, Spanned, Validator};
use crate::model::Finding;
use crate::scan::{
    Evidence, Hit, HitFilter, PatternId, PatternOptions, PlanBuilder, SelectorId, SelectorSpec,
    Token, WeakMode,
};
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContentSpec {
    /// Globs of the files to search; every file when omitted.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub paths: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub exclude: Vec<Spanned<String>>,
    #[serde(default)]
    pub ignore_case: bool,
    /// One regex (Rust `regex` syntax; `(?i)` for case-insensitive, `(?m)^`
    /// for line starts).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub pattern: Option<Spanned<String>>,
    /// Several named regexes; a hit on any of them counts, and its name is
    /// what findings show (e.g. "AWS access key ID").
    #[serde(default)]
    pub patterns: Vec<NamedPattern>,
    /// The hits are credentials: findings show where and what kind, never the
    /// matched text.
    #[serde(default)]
    pub secret: bool,
    /// What a hit means, shown on each finding when the pattern has no name.
    #[serde(default)]
    pub message: Option<String>,
    /// Minimum Shannon entropy of the hit's value, in bits per byte (see
    /// [`FilterSpec`]).
    #[serde(default)]
    pub min_entropy: Option<f64>,
    /// Minimum length of the hit's value, in bytes.
    #[serde(default)]
    pub min_length: Option<usize>,
    /// Maximum length of the hit's value, in bytes.
    #[serde(default)]
    pub max_length: Option<usize>,
    /// Regexes of values that are never findings: documented example keys,
    /// placeholders such as `<your-key>` or `xxxx`, `${VAR}` references.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub allow: Vec<Spanned<String>>,
    /// The value must be a literal: a string literal in code (Go, Python,
    /// JS/TS, Rust, Java, Ruby and Vue/Svelte scripts are parsed;
    /// identifiers, types, comments and template substitutions are not
    /// literals), a scalar that is not an interpolation (`${VAR}`,
    /// `{{ .Values.x }}`, `%(x)s`) in configuration.
    #[serde(default)]
    pub literal: Option<bool>,
    /// The value must be this kind of code token, as the language's grammar
    /// parses it (Go, Python, JS/TS, Rust, Java, Ruby): `code` (not inside a
    /// string or a comment: an `except:` clause, a variable passed to a
    /// sink), `interpolated` (a string with a substitution: an f-string, a
    /// template string with `${…}`, Ruby `#{…}`) or `computed` (either: a
    /// value that is not written down as a constant).
    #[serde(default)]
    pub token: Option<TokenSpec>,
    /// The value must be weak: `well_known` (a public default such as
    /// `changeme` or a `your-…-here` placeholder) or `any` (also too short
    /// for its purpose, as judged from the `key` group's name, or
    /// guessable), or `off`. A pattern's own setting wins over the rule's.
    /// Findings say which, naming the `key`.
    #[serde(default)]
    pub weak: Option<WeakSpec>,
    /// The value is a connection URL, parsed as one: it counts only with an
    /// inline password (not a reference or placeholder) for a host that is
    /// not loopback or a one-label service name.
    #[serde(default)]
    pub url: bool,
    /// The hit counts only off the machine: a hit whose line names a
    /// loopback host (`localhost`, `127.0.0.1`, `[::1]`) is not a finding
    /// (a metrics exporter beside the database in its pod, reached over
    /// loopback with `sslmode=disable`).
    #[serde(default)]
    pub remote_only: bool,
    /// The hit is the header of a PEM block (`-----BEGIN … PRIVATE
    /// KEY-----`): it counts only with key material after it, a run of 40
    /// base64 characters within 2 KiB (and before the block's END line
    /// when one comes sooner). A form's placeholder, documentation's
    /// `-----BEGIN RSA PRIVATE KEY-----` / `...` / `-----END …` and a
    /// header mentioned alone are not keys.
    #[serde(default)]
    pub pem_body: bool,
    /// Regexes of the code around a hit that make it no finding: the
    /// innermost function or object literal holding it, with the key or
    /// variable it is assigned to (`setHeaders: (res) => {…}`, `const
    /// headers = {…}`), and for an object literal also what holds it up to
    /// the first function, with the function's name (`func (a *app)
    /// SetupDemo() {…}`), as the grammar parses it (Go, Python, JS/TS,
    /// Rust, Java, Ruby, and the `<script>` blocks of Vue and Svelte
    /// components). Any of them matching is enough. A hit at a file's top
    /// level or outside parsed code is judged without them.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub allow_scope: Vec<Spanned<String>>,
    /// The value is SQL text built from pieces (a template string, an
    /// f-string, a `+` chain, a `fmt.Sprintf` format): it counts only when
    /// a piece may carry input, that is unless every piece is a table name
    /// (after `FROM`, `INTO`, `UPDATE`, `JOIN`, `TABLE`, `ON`) written as a
    /// constant (`DEFAULT_TABLE`) or the object's own field
    /// (`this.table`, `self.table`, `@table`).
    #[serde(default)]
    pub sql_input: bool,
    /// Regexes of calls that make a hit no finding when the value it
    /// computes is handed to them within the file, directly or through up
    /// to two variables or function returns (`key = getKey(…)`, then
    /// `createCipheriv(alg, key, iv)`): a PBKDF2 output used as an
    /// encryption key is no stored password hash. Parsed code only.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub allow_flow: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NamedPattern {
    pub name: String,
    #[schemars(with = "String")]
    pub regex: Spanned<String>,
    // This pattern's own filter: its bounds override the rule's, its
    // `allow` list adds to the rule's.
    /// Minimum Shannon entropy of the hit's value, in bits per byte (see
    /// [`FilterSpec`]).
    #[serde(default)]
    pub min_entropy: Option<f64>,
    /// Minimum length of the hit's value, in bytes.
    #[serde(default)]
    pub min_length: Option<usize>,
    /// Maximum length of the hit's value, in bytes.
    #[serde(default)]
    pub max_length: Option<usize>,
    /// Regexes of values that are never findings: documented example keys,
    /// placeholders such as `<your-key>` or `xxxx`, `${VAR}` references.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub allow: Vec<Spanned<String>>,
    /// The value must be a literal: a string literal in code (Go, Python,
    /// JS/TS, Rust, Java, Ruby and Vue/Svelte scripts are parsed;
    /// identifiers, types, comments and template substitutions are not
    /// literals), a scalar that is not an interpolation (`${VAR}`,
    /// `{{ .Values.x }}`, `%(x)s`) in configuration.
    #[serde(default)]
    pub literal: Option<bool>,
    /// The value must be this kind of code token, as the language's grammar
    /// parses it (Go, Python, JS/TS, Rust, Java, Ruby): `code` (not inside a
    /// string or a comment: an `except:` clause, a variable passed to a
    /// sink), `interpolated` (a string with a substitution: an f-string, a
    /// template string with `${…}`, Ruby `#{…}`) or `computed` (either: a
    /// value that is not written down as a constant).
    #[serde(default)]
    pub token: Option<TokenSpec>,
    /// The value must be weak: `well_known` (a public default such as
    /// `changeme` or a `your-…-here` placeholder) or `any` (also too short
    /// for its purpose, as judged from the `key` group's name, or
    /// guessable), or `off`. A pattern's own setting wins over the rule's.
    /// Findings say which, naming the `key`.
    #[serde(default)]
    pub weak: Option<WeakSpec>,
    /// The value is a connection URL, parsed as one: it counts only with an
    /// inline password (not a reference or placeholder) for a host that is
    /// not loopback or a one-label service name.
    #[serde(default)]
    pub url: bool,
    /// The hit counts only off the machine: a hit whose line names a
    /// loopback host (`localhost`, `127.0.0.1`, `[::1]`) is not a finding
    /// (a metrics exporter beside the database in its pod, reached over
    /// loopback with `sslmode=disable`).
    #[serde(default)]
    pub remote_only: bool,
    /// The hit is the header of a PEM block (`-----BEGIN … PRIVATE
    /// KEY-----`): it counts only with key material after it, a run of 40
    /// base64 characters within 2 KiB (and before the block's END line
    /// when one comes sooner). A form's placeholder, documentation's
    /// `-----BEGIN RSA PRIVATE KEY-----` / `...` / `-----END …` and a
    /// header mentioned alone are not keys.
    #[serde(default)]
    pub pem_body: bool,
    /// Regexes of the code around a hit that make it no finding: the
    /// innermost function or object literal holding it, with the key or
    /// variable it is assigned to (`setHeaders: (res) => {…}`, `const
    /// headers = {…}`), and for an object literal also what holds it up to
    /// the first function, with the function's name (`func (a *app)
    /// SetupDemo() {…}`), as the grammar parses it (Go, Python, JS/TS,
    /// Rust, Java, Ruby, and the `<script>` blocks of Vue and Svelte
    /// components). Any of them matching is enough. A hit at a file's top
    /// level or outside parsed code is judged without them.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub allow_scope: Vec<Spanned<String>>,
    /// The value is SQL text built from pieces (a template string, an
    /// f-string, a `+` chain, a `fmt.Sprintf` format): it counts only when
    /// a piece may carry input, that is unless every piece is a table name
    /// (after `FROM`, `INTO`, `UPDATE`, `JOIN`, `TABLE`, `ON`) written as a
    /// constant (`DEFAULT_TABLE`) or the object's own field
    /// (`this.table`, `self.table`, `@table`).
    #[serde(default)]
    pub sql_input: bool,
    /// Regexes of calls that make a hit no finding when the value it
    /// computes is handed to them within the file, directly or through up
    /// to two variables or function returns (`key = getKey(…)`, then
    /// `createCipheriv(alg, key, iv)`): a PBKDF2 output used as an
    /// encryption key is no stored password hash. Parsed code only.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub allow_flow: Vec<Spanned<String>>,
}

/// The token a value must be (see [`ContentSpec::token`]).
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TokenSpec {
    Code,
    Interpolated,
    Computed,
}

impl TokenSpec {
    fn tokens(self) -> Vec<Token> {
        match self {
            TokenSpec::Code => vec![Token::Code],
            TokenSpec::Interpolated => vec![Token::Interpolation],
            TokenSpec::Computed => vec![Token::Code, Token::Interpolation],
        }
    }
}

/// How weak a value must be to count (see [`ContentSpec::weak`]).
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum WeakSpec {
    WellKnown,
    Any,
    Off,
}

impl WeakSpec {
    fn mode(self) -> Option<WeakMode> {
        match self {
            WeakSpec::WellKnown => Some(WeakMode::WellKnown),
            WeakSpec::Any => Some(WeakMode::Any),
            WeakSpec::Off => None,
        }
    }
}

/// Tests on the *value* of a hit: the text of the capture group named
/// `secret` when the regex has one, else the whole match. A hit whose value
/// fails them is not a hit. They run in the scanner, where the bytes are;
/// the value is never stored.
///
/// ```yaml
/// patterns:
///   - name: generic API key assignment
///     regex: '(?i)api_?key\s*[:=]\s*["'']?(?P<secret>[A-Za-z0-9_\-]{20,})'
///     min_entropy: 3.5      # bits per byte; random base64 is ~4.5+
///     allow: ['(?i)example', '^x+$']
/// ```
#[derive(Debug, Clone, Copy)]
pub(super) struct FilterSpec<'a> {
    min_entropy: Option<f64>,
    min_length: Option<usize>,
    max_length: Option<usize>,
    allow: &'a [Spanned<String>],
    literal: Option<bool>,
    token: Option<TokenSpec>,
    weak: Option<WeakSpec>,
    url: bool,
    pem_body: bool,
    remote_only: bool,
    allow_scope: &'a [Spanned<String>],
    sql_input: bool,
    allow_flow: &'a [Spanned<String>],
}

impl FilterSpec<'_> {
    pub(super) fn validate(&self, v: &mut Validator<'_>) {
        for regex in self
            .allow
            .iter()
            .chain(self.allow_scope)
            .chain(self.allow_flow)
        {
            if let Err(message) = v.content_regex(&regex.value) {
                v.error_at(regex, format!("invalid regex `{}`: {message}", regex.value));
            }
        }
        if self.min_entropy.is_some_and(|e| !(0.0..=8.0).contains(&e)) {
            v.error(v.at, "`min_entropy` is in bits per byte, between 0 and 8");
        }
        if let (Some(min), Some(max)) = (self.min_length, self.max_length)
            && min > max
        {
            v.error(v.at, "`min_length` is larger than `max_length`");
        }
    }

    /// The filter for one pattern: `own` bounds win over the rule's, and the
    /// two `allow` lists add up. `None` when there is nothing to test.
    pub(super) fn compile(
        rule: FilterSpec<'_>,
        own: Option<FilterSpec<'_>>,
    ) -> Option<Arc<HitFilter>> {
        let own_or = |f: fn(FilterSpec<'_>) -> Option<usize>| own.and_then(f).or(f(rule));
        let filter = HitFilter {
            min_entropy: own.and_then(|o| o.min_entropy).or(rule.min_entropy),
            min_length: own_or(|f| f.min_length),
            max_length: own_or(|f| f.max_length),
            allow: rule
                .allow
                .iter()
                .chain(own.iter().flat_map(|o| o.allow.iter()))
                // Validated when the pack loaded; compiled on first use.
                .map(|r| crate::scan::LazyRegex::new(&r.value))
                .collect(),
            literal: own
                .and_then(|o| o.literal)
                .or(rule.literal)
                .unwrap_or(false),
            token: own
                .and_then(|o| o.token)
                .or(rule.token)
                .map(TokenSpec::tokens)
                .unwrap_or_default(),
            weak: own
                .and_then(|o| o.weak)
                .or(rule.weak)
                .and_then(WeakSpec::mode),
            url: rule.url || own.is_some_and(|o| o.url),
            pem_body: rule.pem_body || own.is_some_and(|o| o.pem_body),
            remote_only: rule.remote_only || own.is_some_and(|o| o.remote_only),
            allow_scope: rule
                .allow_scope
                .iter()
                .chain(own.iter().flat_map(|o| o.allow_scope.iter()))
                // Validated when the pack loaded; compiled on first use.
                .map(|r| crate::scan::LazyRegex::new(&r.value))
                .collect(),
            sql_input: rule.sql_input || own.is_some_and(|o| o.sql_input),
            allow_flow: rule
                .allow_flow
                .iter()
                .chain(own.iter().flat_map(|o| o.allow_flow.iter()))
                // Validated when the pack loaded; compiled on first use.
                .map(|r| crate::scan::LazyRegex::new(&r.value))
                .collect(),
        };
        (!filter.is_empty()).then(|| Arc::new(filter))
    }
}

macro_rules! filter_of {
    ($t:ty) => {
        impl $t {
            pub(super) fn filter(&self) -> FilterSpec<'_> {
                FilterSpec {
                    min_entropy: self.min_entropy,
                    min_length: self.min_length,
                    max_length: self.max_length,
                    allow: &self.allow,
                    literal: self.literal,
                    token: self.token,
                    weak: self.weak,
                    url: self.url,
                    pem_body: self.pem_body,
                    remote_only: self.remote_only,
                    allow_scope: &self.allow_scope,
                    sql_input: self.sql_input,
                    allow_flow: &self.allow_flow,
                }
            }
        }
    };
}
filter_of!(ContentSpec);
filter_of!(NamedPattern);

impl ContentSpec {
    pub fn validate(&self, v: &mut Validator<'_>) {
        validate_globs(v, &self.paths, &self.exclude);
        if self.pattern.is_none() && self.patterns.is_empty() {
            v.error(v.at, "a content rule needs `pattern` or `patterns`");
        }
        let all = self
            .pattern
            .iter()
            .chain(self.patterns.iter().map(|p| &p.regex));
        for regex in all {
            if let Err(message) = v.content_regex(&regex.value) {
                v.error_at(regex, format!("invalid regex `{}`: {message}", regex.value));
            }
        }
        self.filter().validate(v);
        for named in &self.patterns {
            named.filter().validate(v);
        }
    }

    pub fn plan(&self, plan: &mut PlanBuilder, cx: PlanContext<'_>) -> Patterns {
        let selector = plan.selector(SelectorSpec::new(
            &self.paths,
            &self.exclude,
            self.ignore_case,
        ));
        let options = PatternOptions {
            secret: self.secret,
            ..PatternOptions::new(cx.check_id)
        };
        let default_label = self.message.clone();
        let mut planned = Vec::new();
        if let Some(pattern) = &self.pattern {
            let label = default_label
                .clone()
                .unwrap_or_else(|| format!("matches `{}`", pattern.value));
            let options = PatternOptions {
                filter: FilterSpec::compile(self.filter(), None),
                label: label.clone(),
                ..options.clone()
            };
            planned.push((plan.pattern(selector, &pattern.value, options), label));
        }
        for named in &self.patterns {
            let options = PatternOptions {
                filter: FilterSpec::compile(self.filter(), Some(named.filter())),
                label: named.name.clone(),
                ..options.clone()
            };
            let id = plan.pattern(selector, &named.regex.value, options);
            planned.push((id, named.name.clone()));
        }
        Patterns {
            planned,
            selector,
            secret: self.secret,
            describe_paths: if self.paths.is_empty() {
                "no file".to_string()
            } else {
                format!("no file matching {}", describe_globs(&self.paths))
            },
        }
    }
}

fn files_read(count: usize) -> String {
    if count == 1 {
        "1 file".to_string()
    } else {
        format!("{count} files")
    }
}

#[derive(Debug)]
pub struct Patterns {
    planned: Vec<(PatternId, String)>,
    /// The files searched: a rule that read none of them has nothing to judge.
    selector: SelectorId,
    secret: bool,
    /// "no file matching `**/*.go`", or "no file" when every file is searched.
    describe_paths: String,
}

impl Patterns {
    fn labels(&self) -> String {
        self.planned
            .iter()
            .map(|(_, label)| label.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn finding_message(&self, label: &str, hit: &Hit) -> String {
        let label = match &hit.detail {
            Some(detail) => format!("{label}: {detail}"),
            None => label.to_string(),
        };
        if self.secret {
            format!("{label} (value redacted)")
        } else {
            label
        }
    }

    pub fn evaluate_match(&self, evidence: &Evidence) -> Outcome {
        for (id, label) in &self.planned {
            if let Some(hit) = evidence.pattern(*id).hits.first() {
                return Outcome::pass(
                    format!("`{}` line {}: {}", hit.path, hit.line, label),
                    vec![Finding::at(
                        hit.path.clone(),
                        Some(hit.line),
                        self.finding_message(label, hit),
                    )],
                );
            }
        }
        // A required text in no file at all is missing, which is a failure
        // (no `.dockerignore` excludes `.env`); files that exist but could
        // not be read leave the question open.
        let selected = evidence.selector(self.selector);
        if selected.count > 0
            && let Some(nothing) = self.nothing_read(evidence)
        {
            return nothing;
        }
        Outcome::fail(
            format!("{} contains: {}", self.describe_paths, self.labels()),
            Vec::new(),
        )
    }

    /// A skip when no selected file was read: neither a match nor its
    /// absence can be claimed about files nobody looked at.
    fn nothing_read(&self, evidence: &Evidence) -> Option<Outcome> {
        let selected = evidence.selector(self.selector);
        if selected.read > 0 {
            return None;
        }
        Some(if selected.count == 0 {
            Outcome::nothing_to_judge(match self.describe_paths.as_str() {
                "no file" => "no file to search once exclusions are applied".to_string(),
                some => some.to_string(),
            })
        } else {
            Outcome::nothing_to_judge(format!(
                "none of the {} selected file(s) could be read (binary, too large or unreadable)",
                selected.count
            ))
        })
    }

    pub fn evaluate_absent(&self, evidence: &Evidence) -> Outcome {
        let mut findings = Vec::new();
        let mut total = 0;
        let mut silenced = 0;
        // A base settings value the production settings assign again is not
        // what production runs (see `crate::repo::settings`).
        let overrides = evidence.fact::<crate::repo::settings::SettingsOverrides>();
        let mut overridden = Vec::new();
        // A placeholder the service refuses at start-up fails closed: no
        // deployment runs with it (see `crate::repo::refused`).
        let refusals = evidence.fact::<crate::repo::refused::RefusedPlaceholders>();
        let mut refused = Vec::new();
        for (id, label) in &self.planned {
            let hits = evidence.pattern(*id);
            total += hits.count;
            silenced += hits.suppressed;
            for hit in &hits.hits {
                if let Some(production) =
                    overrides.and_then(|o| o.overridden_by(&hit.path, hit.line))
                {
                    total -= 1;
                    overridden.push(format!("`{}:{}` by `{production}`", hit.path, hit.line));
                    continue;
                }
                if let Some(at) = refusals
                    .zip(hit.fingerprint)
                    .and_then(|(r, f)| r.refused_at(f))
                {
                    total -= 1;
                    refused.push(format!("`{}:{}` (refused at `{at}`)", hit.path, hit.line));
                    continue;
                }
                findings.push(Finding::at(
                    hit.path.clone(),
                    Some(hit.line),
                    self.finding_message(label, hit),
                ));
            }
        }
        overridden.sort();
        overridden.dedup();
        refused.sort();
        refused.dedup();
        let mut overridden: Vec<Finding> = if overridden.is_empty() {
            Vec::new()
        } else {
            vec![Finding::note(format!(
                "not judged, overridden in production settings: {}",
                overridden.join(", ")
            ))]
        };
        if !refused.is_empty() {
            overridden.push(Finding::note(format!(
                "not judged, placeholders the application refuses to start with: {}",
                refused.join(", ")
            )));
        }
        // Silenced hits are not findings, but a reviewer should see that
        // someone chose to silence them.
        let silenced = if silenced > 0 {
            format!(" ({silenced} silenced by readyctl:allow comments)")
        } else {
            String::new()
        };
        if total == 0 {
            if let Some(nothing) = self.nothing_read(evidence) {
                return nothing;
            }
            // The files read are the evidence of absence.
            return Outcome::pass(
                format!(
                    "{} contains: {} ({} read){silenced}",
                    self.describe_paths,
                    self.labels(),
                    files_read(evidence.selector(self.selector).read),
                ),
                overridden,
            );
        }
        findings.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
        // Two patterns on one line (`"password": "pass"` is both a field and
        // a well-known default) are one thing to fix: the first pattern
        // declared names it.
        let before = findings.len();
        findings.dedup_by(|later, first| later.path == first.path && later.line == first.line);
        total -= before - findings.len();
        if total > findings.len() {
            findings.push(Finding::note(format!(
                "and {} more",
                total - findings.len()
            )));
        }
        findings.extend(overridden);
        Outcome::fail(format!("{total} occurrence(s) found{silenced}"), findings)
    }
}
