//! `content_match` and `content_absent`: regexes over file contents.
//!
//! The patterns are not run here: they are handed to the scan plan, which runs
//! every pattern of every check together in one pass over each file. This
//! module only turns the hits into an outcome.

use super::paths::{describe_globs, validate_globs};
use super::{Outcome, PlanContext, Spanned, Validator};
use crate::model::Finding;
use crate::scan::{Evidence, PatternId, PatternOptions, PlanBuilder, SelectorSpec};
use schemars::JsonSchema;
use serde::Deserialize;

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
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NamedPattern {
    pub name: String,
    #[schemars(with = "String")]
    pub regex: Spanned<String>,
}

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
            if let Err(message) = crate::scan::compile_regex(&regex.value) {
                v.error_at(regex, format!("invalid regex `{}`: {message}", regex.value));
            }
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
            check_id: cx.check_id.to_string(),
        };
        let default_label = self.message.clone();
        let mut planned = Vec::new();
        if let Some(pattern) = &self.pattern {
            let label = default_label
                .clone()
                .unwrap_or_else(|| format!("matches `{}`", pattern.value));
            planned.push((
                plan.pattern(selector, &pattern.value, options.clone()),
                label,
            ));
        }
        for named in &self.patterns {
            let id = plan.pattern(selector, &named.regex.value, options.clone());
            planned.push((id, named.name.clone()));
        }
        Patterns {
            planned,
            secret: self.secret,
            describe_paths: if self.paths.is_empty() {
                "no file".to_string()
            } else {
                format!("no file matching {}", describe_globs(&self.paths))
            },
        }
    }
}

#[derive(Debug)]
pub struct Patterns {
    planned: Vec<(PatternId, String)>,
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

    fn finding_message(&self, label: &str) -> String {
        if self.secret {
            format!("{label} (value redacted)")
        } else {
            label.to_string()
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
                        self.finding_message(label),
                    )],
                );
            }
        }
        Outcome::fail(
            format!("{} contains: {}", self.describe_paths, self.labels()),
            Vec::new(),
        )
    }

    pub fn evaluate_absent(&self, evidence: &Evidence) -> Outcome {
        let mut findings = Vec::new();
        let mut total = 0;
        for (id, label) in &self.planned {
            let hits = evidence.pattern(*id);
            total += hits.count;
            let message = self.finding_message(label);
            findings.extend(
                hits.hits
                    .iter()
                    .map(|hit| Finding::at(hit.path.clone(), Some(hit.line), message.clone())),
            );
        }
        if total == 0 {
            return Outcome::pass(
                format!("{} contains: {}", self.describe_paths, self.labels()),
                Vec::new(),
            );
        }
        findings.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
        if total > findings.len() {
            findings.push(Finding::note(format!(
                "and {} more",
                total - findings.len()
            )));
        }
        Outcome::fail(format!("{total} occurrence(s) found"), findings)
    }
}
