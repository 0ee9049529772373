//! `keys_documented`: every name the code uses is listed where people look.
//!
//! The canonical case is configuration: each environment variable the code
//! reads (with `os.Getenv`, `process.env`, `os.environ`, ...) must
//! appear in `.env.example`, or the next person deploying the service finds
//! out about it from a crash. The kind is general: `used` sources collect
//! names from some files, `documented` sources from others, both via the
//! capture group named `key` (or the first group), and every used name
//! missing from the documented ones is a finding at the place it is first
//! used. Each side is a list of sources, so that a pattern only runs on the
//! files it is written for (Spring placeholders in `application.yml`, not in
//! JavaScript template literals).
//!
//! ```yaml
//! rule:
//!   keys_documented:
//!     subject: environment variable
//!     used:
//!       - paths: ["**/*.go"]
//!         patterns:
//!           - name: os.Getenv
//!             regex: 'os\.(?:Getenv|LookupEnv)\("(?P<key>[A-Z][A-Z0-9_]*)"'
//!     documented:
//!       - paths: [".env.example", "**/.env.example"]
//!         patterns:
//!           - name: assignment
//!             regex: '(?m)^\s*(?:export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*='
//!     ignore: [PORT, HOME]
//! ```

use super::content::NamedPattern;
use super::paths::{describe_globs, validate_globs};
use super::{Outcome, PlanContext, Spanned, Validator};
use crate::model::Finding;
use crate::scan::SelectorSpec;
use crate::scan::{Evidence, Hit, KEY_GROUP, PatternId, PatternOptions, PlanBuilder, SelectorId};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Findings listed before the rest are summarised as "and N more".
const FINDINGS_SHOWN: usize = 50;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeysSpec {
    /// What the names are, for messages: "environment variable".
    #[serde(default = "default_subject")]
    pub subject: String,
    /// Where names are used, e.g. source files reading the environment.
    pub used: Vec<KeySource>,
    /// Where names must be listed, e.g. `.env.example`.
    pub documented: Vec<KeySource>,
    /// Names that never need documenting (set by the platform: `PORT`,
    /// `HOME`, `CI`...). Exact, case-sensitive.
    #[serde(default)]
    pub ignore: Vec<String>,
}

fn default_subject() -> String {
    "name".to_string()
}

/// Files, and the patterns whose `key` group is a name.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeySource {
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub paths: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub exclude: Vec<Spanned<String>>,
    #[serde(default)]
    pub ignore_case: bool,
    pub patterns: Vec<NamedPattern>,
}

impl KeySource {
    fn validate(&self, v: &mut Validator<'_>, what: &str) {
        validate_globs(v, &self.paths, &self.exclude);
        if self.patterns.is_empty() {
            v.error(v.at, format!("`keys_documented.{what}` needs `patterns`"));
        }
        for pattern in &self.patterns {
            pattern.filter().validate(v);
            match v.content_regex(&pattern.regex.value) {
                Err(message) => v.error_at(
                    &pattern.regex,
                    format!("invalid regex `{}`: {message}", pattern.regex.value),
                ),
                Ok(Some(regex)) if regex.captures_len() < 2 => v.error_at(
                    &pattern.regex,
                    format!(
                        "`{}` captures nothing: put the name in a group `(?P<{KEY_GROUP}>...)`",
                        pattern.regex.value
                    ),
                ),
                Ok(_) => {}
            }
        }
    }

    fn plan(&self, plan: &mut PlanBuilder, cx: PlanContext<'_>) -> Source {
        let selector = plan.selector(SelectorSpec::new(
            &self.paths,
            &self.exclude,
            self.ignore_case,
        ));
        let patterns = self
            .patterns
            .iter()
            .map(|p| {
                let options = PatternOptions {
                    collect: true,
                    filter: super::content::FilterSpec::compile(p.filter(), None),
                    ..PatternOptions::new(cx.check_id)
                };
                plan.pattern(selector, &p.regex.value, options)
            })
            .collect();
        Source {
            selector,
            patterns,
            describe: describe_globs(&self.paths),
        }
    }
}

impl KeysSpec {
    pub fn validate(&self, v: &mut Validator<'_>) {
        for (what, sources) in [("used", &self.used), ("documented", &self.documented)] {
            if sources.is_empty() {
                v.error(
                    v.at,
                    format!("`keys_documented.{what}` needs at least one source"),
                );
            }
            sources.iter().for_each(|s| s.validate(v, what));
        }
    }

    pub fn plan(&self, plan: &mut PlanBuilder, cx: PlanContext<'_>) -> Keys {
        Keys {
            subject: self.subject.clone(),
            used: Sources(self.used.iter().map(|s| s.plan(plan, cx)).collect()),
            documented: Sources(self.documented.iter().map(|s| s.plan(plan, cx)).collect()),
            ignore: self.ignore.clone(),
        }
    }
}

#[derive(Debug)]
struct Source {
    selector: SelectorId,
    patterns: Vec<PatternId>,
    describe: String,
}

/// The sources of one side of the comparison.
#[derive(Debug)]
struct Sources(Vec<Source>);

impl Sources {
    /// Every collected name with its first occurrence.
    fn names(&self, evidence: &Evidence) -> BTreeMap<String, Hit> {
        let mut names: BTreeMap<String, Hit> = BTreeMap::new();
        for id in self.0.iter().flat_map(|s| &s.patterns) {
            for (name, hit) in &evidence.pattern(*id).captures {
                match names.get_mut(name) {
                    Some(first) if hit < first => *first = hit.clone(),
                    Some(_) => {}
                    None => {
                        names.insert(name.clone(), hit.clone());
                    }
                }
            }
        }
        names
    }
}

#[derive(Debug)]
pub struct Keys {
    subject: String,
    used: Sources,
    documented: Sources,
    ignore: Vec<String>,
}

impl Sources {
    /// The first file any source selects, if one exists.
    fn first_file(&self, evidence: &Evidence) -> Option<String> {
        self.0
            .iter()
            .filter_map(|s| evidence.selector(s.selector).sample.first())
            .min()
            .cloned()
    }

    fn describe(&self) -> String {
        self.0
            .iter()
            .map(|s| s.describe.as_str())
            .collect::<Vec<_>>()
            .join(" or ")
    }
}

impl Keys {
    pub fn evaluate(&self, evidence: &Evidence) -> Outcome {
        let subject = &self.subject;
        let mut used = self.used.names(evidence);
        used.retain(|name, _| !self.ignore.contains(name));
        if used.is_empty() {
            return Outcome::nothing_to_judge(format!(
                "no {subject} is used in {}",
                self.used.describe()
            ));
        }
        let documented = self.documented.names(evidence);
        let mut missing: Vec<(&String, &Hit)> = used
            .iter()
            .filter(|(name, _)| !documented.contains_key(*name))
            .collect();
        // In reading order, as someone fixing them would go through the code.
        missing.sort_by(|a, b| (a.1, a.0).cmp(&(b.1, b.0)));
        let where_ = self
            .documented
            .first_file(evidence)
            .map(|p| format!("`{p}`"));
        if missing.is_empty() {
            return Outcome::pass(
                format!(
                    "all {} {subject}(s) used are listed in {}",
                    used.len(),
                    where_.unwrap_or_else(|| self.documented.describe())
                ),
                Vec::new(),
            );
        }
        let target = where_.clone().unwrap_or_else(|| self.documented.describe());
        let mut findings: Vec<Finding> = missing
            .iter()
            .take(FINDINGS_SHOWN)
            .map(|(name, hit)| {
                Finding::at(
                    hit.path.clone(),
                    Some(hit.line),
                    format!("`{name}` is used here but not listed in {target}"),
                )
            })
            .collect();
        if missing.len() > FINDINGS_SHOWN {
            findings.push(Finding::note(format!(
                "and {} more",
                missing.len() - FINDINGS_SHOWN
            )));
        }
        let message = match where_ {
            Some(file) => format!(
                "{} of {} {subject}(s) used are missing from {file}",
                missing.len(),
                used.len()
            ),
            None => format!(
                "{} {subject}(s) are used but no file matches {}",
                used.len(),
                self.documented.describe()
            ),
        };
        Outcome::fail(message, findings)
    }
}
