//! `tooling`: asks every project whether its linter, formatter or type
//! checker is configured and whether CI or a commit hook enforces it, from
//! the tooling model ([`crate::repo::tooling`]). Both facts are in every
//! message, whichever one the check requires.

use super::{Outcome, Spanned, Validator};
use crate::model::Finding;
use crate::repo::tooling::{self, Kind, ProjectTools, ToolFacts, Tooling};
use crate::scan::Evidence;
use schemars::JsonSchema;
use serde::Deserialize;

/// Passes when, in every production project of the detected languages
/// (each manifest folder; a language without a manifest is judged at the
/// root), each of `kinds` is `configured` (a committed configuration or a
/// dependency, or it is run) or `enforced` (a CI job on pushes or pull
/// requests, or a commit hook, runs it on the project's folder). Each
/// project that falls short is a finding at its manifest. Projects of an
/// ecosystem with no such tool (`type-check` in Go) are not asked.
///
/// ```yaml
/// rule:
///   tooling: { kinds: [format], require: enforced }
/// rule:
///   tooling: { kinds: [lint], require: configured, ecosystems: [go, node] }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolingSpec {
    /// `lint`, `format`, `type-check`.
    #[schemars(with = "Vec<String>")]
    pub kinds: Vec<Spanned<String>>,
    /// `configured` (configured or run) or `enforced` (run in CI or a hook).
    pub require: Require,
    /// Only projects of these ecosystems (`go`, `rust`, `node`, `python`,
    /// `ruby`, `jvm`); all when empty.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub ecosystems: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Require {
    Configured,
    Enforced,
}

impl ToolingSpec {
    pub fn validate(&self, v: &mut Validator<'_>) {
        for kind in &self.kinds {
            if Kind::from_id(&kind.value).is_none() {
                v.error_at(
                    kind,
                    format!(
                        "unknown kind `{}`; known: lint, format, type-check",
                        kind.value
                    ),
                );
            }
        }
        if self.kinds.is_empty() {
            v.error(v.at, "`tooling` needs at least one kind");
        }
        for ecosystem in &self.ecosystems {
            if !tooling::ECOSYSTEMS.contains(&ecosystem.value.as_str()) {
                v.error_at(
                    ecosystem,
                    format!(
                        "unknown ecosystem `{}`; known: {}",
                        ecosystem.value,
                        tooling::ECOSYSTEMS.join(", ")
                    ),
                );
            }
        }
    }

    pub fn plan(&self) -> ToolingRule {
        ToolingRule {
            kinds: self
                .kinds
                .iter()
                .filter_map(|k| Kind::from_id(&k.value))
                .collect(),
            require: self.require,
            ecosystems: self.ecosystems.iter().map(|e| e.value.clone()).collect(),
        }
    }
}

/// Projects a passing message names at most.
const SHOWN: usize = 4;

#[derive(Debug)]
pub struct ToolingRule {
    kinds: Vec<Kind>,
    require: Require,
    ecosystems: Vec<String>,
}

/// `formatter configured (web/.prettierrc), not enforced in CI or a hook`.
pub fn describe(facts: &ToolFacts) -> String {
    let configured = match facts.configured.is_empty() {
        true => "not configured".to_string(),
        false => format!("configured ({})", tooling::shown(&facts.configured)),
    };
    let enforced = match facts.enforced.is_empty() {
        true => "not enforced in CI or a hook".to_string(),
        false => format!("enforced by {}", tooling::shown(&facts.enforced)),
    };
    format!("{} {configured}, {enforced}", facts.kind.noun())
}

impl ToolingRule {
    pub fn evaluate(&self, evidence: &Evidence) -> Outcome {
        let languages = evidence
            .fact::<crate::stack::Stack>()
            .map(|s| tooling::ecosystems_of(&s.languages))
            .unwrap_or_default();
        match evidence.fact::<Tooling>() {
            Some(model) => self.evaluate_model(model, &languages),
            None => Outcome::skip("no project to judge"),
        }
    }

    fn holds(&self, facts: &ToolFacts) -> bool {
        match self.require {
            Require::Configured => !facts.configured.is_empty() || !facts.enforced.is_empty(),
            Require::Enforced => !facts.enforced.is_empty(),
        }
    }

    /// Judges the projects of `languages` (ecosystems, see
    /// [`tooling::ecosystems_of`]).
    pub fn evaluate_model(&self, model: &Tooling, languages: &[&str]) -> Outcome {
        let asked: Vec<(&ProjectTools, &ToolFacts)> = model
            .projects
            .iter()
            .filter(|p| languages.contains(&p.ecosystem))
            .filter(|p| {
                self.ecosystems.is_empty() || self.ecosystems.iter().any(|e| e == p.ecosystem)
            })
            .flat_map(|p| {
                self.kinds
                    .iter()
                    .filter_map(move |k| p.facts(*k).map(|f| (p, f)))
            })
            .collect();
        if asked.is_empty() {
            return Outcome::skip("no project of the detected languages has such a tool to judge");
        }
        let mut good = Vec::new();
        let mut findings = Vec::new();
        for (project, facts) in &asked {
            let text = format!("{}: {}", project.label(), describe(facts));
            if self.holds(facts) {
                good.push(text);
            } else {
                findings.push(Finding::at(
                    project.manifest.clone().unwrap_or_else(|| ".".to_string()),
                    None,
                    format!("project {text}"),
                ));
            }
        }
        let wanted = match self.require {
            Require::Configured => "configured",
            Require::Enforced => "enforced",
        };
        let nouns = self
            .kinds
            .iter()
            .map(|k| k.noun())
            .collect::<Vec<_>>()
            .join(" and ");
        if findings.is_empty() {
            let mut shown = good
                .iter()
                .take(SHOWN)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ");
            if good.len() > SHOWN {
                shown.push_str(&format!("; and {} more", good.len() - SHOWN));
            }
            return Outcome::pass(
                format!("{nouns} {wanted} in every project: {shown}"),
                Vec::new(),
            );
        }
        Outcome::fail(
            format!(
                "{} of {} project {nouns}(s) not {wanted}",
                findings.len(),
                asked.len()
            ),
            findings,
        )
    }
}
