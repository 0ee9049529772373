//! `stack`: applicability by detected stack, for `when:`.

use super::{Outcome, Spanned, Validator};
use crate::scan::Evidence;
use crate::stack::{Facet, KNOWN, ProjectKind, Stack, StackFact};
use schemars::JsonSchema;
use serde::Deserialize;

/// Passes when the detected stack matches: every given facet must contain
/// at least one of the listed ids, and the detected kind must be `kind` (or
/// one of a list of kinds).
/// `any` matches an id in any facet.
///
/// ```yaml
/// when:
///   stack: { languages: [go] }          # a Go repository
/// when:
///   stack: { any: [node, python] }      # Node or Python
/// when:
///   stack: { kind: service, containers: [kubernetes] }
/// when:
///   not: { stack: { kind: [library, cli] } }   # something that is operated
/// ```
///
/// Ids are those `readyctl` reports under `"stack"` (see
/// [`crate::stack::KNOWN`]); an unknown id is a pack error, so a typo cannot
/// silently skip a check.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StackSpec {
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub any: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub languages: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub frameworks: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub package_managers: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub ci: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub containers: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub databases: Vec<Spanned<String>>,
    /// `service`, `serverless`, `cli`, `library` or `unknown`, or a list
    /// of them.
    #[serde(default)]
    pub kind: Option<Kinds>,
}

/// One project kind or several.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Kinds {
    One(ProjectKind),
    Many(Vec<ProjectKind>),
}

impl Kinds {
    pub fn list(&self) -> Vec<ProjectKind> {
        match self {
            Kinds::One(kind) => vec![*kind],
            Kinds::Many(kinds) => kinds.clone(),
        }
    }
}

impl StackSpec {
    fn facets(&self) -> [(Facet, &[Spanned<String>]); 6] {
        [
            (Facet::Languages, &self.languages),
            (Facet::Frameworks, &self.frameworks),
            (Facet::PackageManagers, &self.package_managers),
            (Facet::Ci, &self.ci),
            (Facet::Containers, &self.containers),
            (Facet::Databases, &self.databases),
        ]
    }

    pub fn validate(&self, v: &mut Validator<'_>) {
        let known = |facet: Option<Facet>, id: &str| {
            KNOWN
                .iter()
                .filter(|(f, _)| facet.is_none_or(|want| want == *f))
                .any(|(_, ids)| ids.contains(&id))
        };
        for (facet, ids) in self.facets() {
            for id in ids {
                if !known(Some(facet), &id.value) {
                    let expected = KNOWN
                        .iter()
                        .find(|(f, _)| *f == facet)
                        .map(|(_, ids)| ids.join(", "))
                        .unwrap_or_default();
                    v.error_at(
                        id,
                        format!("unknown {} `{}`; known: {expected}", facet.id(), id.value),
                    );
                }
            }
        }
        for id in &self.any {
            if !known(None, &id.value) {
                v.error_at(id, format!("unknown stack id `{}`", id.value));
            }
        }
        if matches!(&self.kind, Some(Kinds::Many(kinds)) if kinds.is_empty()) {
            v.error(
                v.at,
                "`kind: []` lists no kind; leave `kind` out to accept any",
            );
        }
        let empty = self.any.is_empty()
            && self.kind.is_none()
            && self.facets().iter().all(|(_, ids)| ids.is_empty());
        if empty {
            v.error(
                v.at,
                "a stack rule needs at least one of `any`, `kind` or a facet such as `languages`",
            );
        }
    }

    pub fn plan(&self) -> StackRule {
        let strings = |ids: &[Spanned<String>]| ids.iter().map(|s| s.value.clone()).collect();
        StackRule {
            any: strings(&self.any),
            facets: self
                .facets()
                .into_iter()
                .filter(|(_, ids)| !ids.is_empty())
                .map(|(facet, ids)| (facet, strings(ids)))
                .collect(),
            kinds: self.kind.as_ref().map(Kinds::list).unwrap_or_default(),
        }
    }
}

#[derive(Debug)]
pub struct StackRule {
    any: Vec<String>,
    facets: Vec<(Facet, Vec<String>)>,
    /// Empty: any kind.
    kinds: Vec<ProjectKind>,
}

impl StackRule {
    pub fn evaluate(&self, evidence: &Evidence) -> Outcome {
        let empty = Stack::default();
        let stack = evidence.stack().unwrap_or(&empty);
        self.matches(stack)
    }

    fn matches(&self, stack: &Stack) -> Outcome {
        let mut matched = Vec::new();
        if !self.any.is_empty() {
            let found: Vec<&String> = self
                .any
                .iter()
                .filter(|id| Facet::ALL.iter().any(|f| stack.facet(*f).contains(id)))
                .collect();
            if found.is_empty() {
                return Outcome::fail(
                    format!("the stack has none of {}", self.any.join(", ")),
                    Vec::new(),
                );
            }
            matched.push(join(&found));
        }
        for (facet, ids) in &self.facets {
            let detected = stack.facet(*facet);
            let found: Vec<&String> = ids.iter().filter(|id| detected.contains(id)).collect();
            if found.is_empty() {
                let seen = if detected.is_empty() {
                    "none detected".to_string()
                } else {
                    format!("detected: {}", detected.join(", "))
                };
                return Outcome::fail(
                    format!("{} has none of {} ({seen})", facet.title(), ids.join(", ")),
                    Vec::new(),
                );
            }
            matched.push(join(&found));
        }
        if !self.kinds.is_empty() {
            if !self.kinds.contains(&stack.kind) {
                let wanted: Vec<&str> = self.kinds.iter().map(|k| k.id()).collect();
                return Outcome::fail(
                    format!(
                        "the project is not a {} (detected: {})",
                        wanted.join(" or "),
                        stack.kind.id()
                    ),
                    Vec::new(),
                );
            }
            matched.push(stack.kind.id().to_string());
        }
        Outcome::pass(format!("stack: {}", matched.join(", ")), Vec::new())
    }
}

fn join(ids: &[&String]) -> String {
    ids.iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    fn rule(yaml: &str) -> StackRule {
        let spec: StackSpec = serde_saphyr::from_str(yaml).unwrap();
        spec.plan()
    }

    #[test]
    fn facets_kind_and_any() {
        let stack = Stack {
            languages: vec!["go".into()],
            databases: vec!["postgresql".into(), "redis".into()],
            kind: ProjectKind::Service,
            ..Stack::default()
        };
        let status = |yaml: &str| rule(yaml).matches(&stack).status;
        assert_eq!(status("{ languages: [go, rust] }"), Status::Pass);
        assert_eq!(status("{ languages: [node] }"), Status::Fail);
        assert_eq!(status("{ any: [node, redis] }"), Status::Pass);
        assert_eq!(
            status("{ kind: service, databases: [redis] }"),
            Status::Pass
        );
        assert_eq!(status("{ kind: library }"), Status::Fail);
        assert_eq!(status("{ kind: [library, cli] }"), Status::Fail);
        assert_eq!(status("{ kind: [cli, service] }"), Status::Pass);
        assert_eq!(
            rule("{ kind: [library, cli] }").matches(&stack).message,
            "the project is not a library or cli (detected: service)"
        );
        let message = rule("{ languages: [node] }").matches(&stack).message;
        assert_eq!(message, "Languages has none of node (detected: go)");
    }

    #[test]
    fn unknown_ids_are_pack_errors_with_positions() {
        let pack = "- id: infra.x
  title: Something is in place
  category: infrastructure
  severity: low
  stage: beta
  description: d
  remediation: r
  effort: 1h
  when:
    stack: { languages: [golang] }
  rule:
    by_language:
      pythn: { file_exists: { paths: [a] } }
      go:
        document: { paths: [x.yaml], each: [{ path: a, exists: true, equals: 1 }] }
";
        let mut loader = crate::pack::PackLoader::new();
        let source = crate::check::PackSource {
            origin: crate::check::Origin::User,
            name: "pack.yaml".into(),
            path: None,
        };
        loader.add_text(source, pack);
        let error = loader.finish().unwrap_err().to_string();
        assert!(error.contains("pack.yaml:10:"), "{error}");
        assert!(error.contains("unknown languages `golang`"), "{error}");
        assert!(error.contains("pack.yaml:13:"), "{error}");
        assert!(error.contains("unknown language `pythn`"), "{error}");
        assert!(error.contains("exactly one of"), "{error}");
    }
}

/// A rule per language: every *detected* language that has an entry must
/// pass its rule; languages that are not detected are not asked. Passes when
/// no listed language is detected (pair it with a `when` to skip instead).
///
/// ```yaml
/// rule:
///   by_language:
///     go: { file_exists: { paths: [".golangci.yml"] } }
///     python: { content_match: { paths: ["pyproject.toml"], pattern: '^\[tool\.ruff' } }
/// ```
#[derive(Debug, JsonSchema)]
#[schemars(transparent)]
pub struct ByLanguageSpec {
    #[schemars(with = "std::collections::BTreeMap<String, super::RuleSpec>")]
    pub rules: Vec<(Spanned<String>, super::RuleSpec)>,
}

/// A mapping in YAML, kept in order with the keys' positions (a derived
/// `BTreeMap` would lose both).
impl<'de> Deserialize<'de> for ByLanguageSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = ByLanguageSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a mapping from language to rule")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<ByLanguageSpec, A::Error> {
                let mut rules = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    rules.push((key, map.next_value::<super::RuleSpec>()?));
                }
                Ok(ByLanguageSpec { rules })
            }
        }
        deserializer.deserialize_map(Entries)
    }
}

impl ByLanguageSpec {
    pub fn validate(&self, v: &mut Validator<'_>) {
        let languages = KNOWN
            .iter()
            .find(|(f, _)| *f == Facet::Languages)
            .map(|(_, ids)| *ids)
            .unwrap_or_default();
        for (language, rule) in &self.rules {
            if !languages.contains(&language.value.as_str()) {
                v.error_at(
                    language,
                    format!(
                        "unknown language `{}`; known: {}",
                        language.value,
                        languages.join(", ")
                    ),
                );
            }
            rule.validate(v);
        }
    }
}

/// A planned `by_language` rule.
#[derive(Debug)]
pub struct ByLanguage {
    pub(super) rules: Vec<(String, super::Rule)>,
}

impl ByLanguage {
    pub fn evaluate(&self, evidence: &Evidence) -> Outcome {
        let empty = Stack::default();
        let stack = evidence.stack().unwrap_or(&empty);
        let mut passed = Vec::new();
        let mut failed = Vec::new();
        let mut skipped = Vec::new();
        for (language, rule) in &self.rules {
            if !stack.languages.contains(language) {
                continue;
            }
            let outcome = rule.evaluate(evidence);
            match outcome.status {
                crate::model::Status::Pass => passed.push((language, outcome)),
                crate::model::Status::Skip => skipped.push((language, outcome)),
                _ => failed.push((language, outcome)),
            }
        }
        let describe = |outcomes: &[(&String, Outcome)]| {
            outcomes
                .iter()
                .map(|(language, o)| format!("{language}: {}", o.message))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let findings = |outcomes: Vec<(&String, Outcome)>| {
            outcomes.into_iter().flat_map(|(_, o)| o.findings).collect()
        };
        if passed.is_empty() && failed.is_empty() && skipped.is_empty() {
            return Outcome::nothing_to_judge("no listed language is in use");
        }
        if passed.is_empty() && failed.is_empty() {
            // Every language in use found nothing to judge.
            return Outcome::skip(describe(&skipped));
        }
        if failed.is_empty() {
            return Outcome::pass(describe(&passed), findings(passed));
        }
        let status = if failed
            .iter()
            .any(|(_, o)| o.status == crate::model::Status::Error)
        {
            crate::model::Status::Error
        } else {
            crate::model::Status::Fail
        };
        Outcome {
            status,
            message: describe(&failed),
            findings: findings(failed),
        }
    }
}
