//! `each_project`: asks every project of one ecosystem (every folder with a
//! `package.json`, say) for its own tooling. In a monorepo a linter
//! configured in `frontend/biome.json` counts for the `frontend` project,
//! and a project without one is named, rather than one root file deciding
//! for all.

use super::paths::validate_globs;
use super::{Outcome, Spanned, Validator};
use crate::model::{Finding, Role};
use crate::repo::projects::MANIFESTS;
use crate::scan::{DocumentsId, Evidence, PlanBuilder, SelectorId, SelectorSpec, compile_regex};
use regex::Regex;
use schemars::JsonSchema;
use serde::Deserialize;

/// Passes when every production project of `ecosystem` has one of `files`
/// in its folder or a folder above it (a root config covers the projects
/// under it), or its manifest matches `manifest_contains`. Each project
/// that has neither is a finding at its manifest. Skipped when the
/// repository has no such project.
///
/// ```yaml
/// each_project:
///   ecosystem: node
///   files: ["eslint.config.*", ".eslintrc*", "biome.json", "biome.jsonc"]
///   manifest_contains: '"(?:eslint|@biomejs/biome)"\s*:'
///   message: a linter
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EachProjectSpec {
    /// `node`, `go`, `python`, `rust`, `java`, `jvm`, `ruby` or `php`: the
    /// projects whose manifests declare it.
    #[schemars(with = "String")]
    pub ecosystem: Spanned<String>,
    /// File names or globs relative to a project's folder (no `/` needed).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub files: Vec<Spanned<String>>,
    /// A regex the project's manifest may match instead.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub manifest_contains: Option<Spanned<String>>,
    /// What each project must have, for messages ("a linter").
    pub message: String,
}

impl EachProjectSpec {
    pub fn validate(&self, v: &mut Validator<'_>) {
        if !MANIFESTS.iter().any(|(_, e)| *e == self.ecosystem.value) {
            let mut known: Vec<&str> = MANIFESTS.iter().map(|(_, e)| *e).collect();
            known.dedup();
            v.error_at(
                &self.ecosystem,
                format!(
                    "unknown ecosystem `{}`; known: {}",
                    self.ecosystem.value,
                    known.join(", ")
                ),
            );
        }
        validate_globs(v, &self.files, &[]);
        if let Some(regex) = &self.manifest_contains
            && !v.trusted
            && let Err(message) = compile_regex(&regex.value)
        {
            v.error_at(regex, format!("invalid regex: {message}"));
        }
        if self.files.is_empty() && self.manifest_contains.is_none() {
            v.error(v.at, "each_project needs `files` or `manifest_contains`");
        }
    }

    pub fn plan(&self, plan: &mut PlanBuilder) -> EachProject {
        let manifests: Vec<String> = MANIFESTS
            .iter()
            .filter(|(_, e)| *e == self.ecosystem.value)
            .map(|(name, _)| format!("**/{name}"))
            .collect();
        let manifests: Vec<&str> = manifests.iter().map(String::as_str).collect();
        let manifests = plan.keep_contents(SelectorSpec::from_strs(&manifests, &[]));
        let files: Vec<String> = self
            .files
            .iter()
            .flat_map(|g| [g.value.clone(), format!("**/{}", g.value)])
            .collect();
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        let tools = plan.selector(SelectorSpec::from_strs(&files, &[]));
        EachProject {
            manifests,
            tools: plan.documents(tools, false),
            manifest_contains: self
                .manifest_contains
                .as_ref()
                .and_then(|r| compile_regex(&r.value).ok())
                .map(|r| Regex::new(r.as_str()).expect("validated")),
            ecosystem: self.ecosystem.value.clone(),
            message: self.message.clone(),
        }
    }
}

/// A planned `each_project` rule.
#[derive(Debug)]
pub struct EachProject {
    manifests: SelectorId,
    tools: DocumentsId,
    manifest_contains: Option<Regex>,
    ecosystem: String,
    message: String,
}

impl EachProject {
    pub fn evaluate(&self, evidence: &Evidence) -> Outcome {
        let tools: Vec<&str> = evidence
            .documents(self.tools)
            .files
            .iter()
            .map(|d| d.path.as_str())
            .collect();
        let mut with = Vec::new();
        let mut without = Vec::new();
        for manifest in evidence.kept(self.manifests) {
            // A test suite's or a packaging helper's own package.json is not
            // a deliverable that needs its own tooling.
            if evidence.role_of(&manifest.path) != Role::Production {
                continue;
            }
            // A workspace root only lists its packages, which are asked; a
            // package.json with neither a name nor scripts only installs
            // tools (a CSS build next to a Go service) and is no package.
            let text = &manifest.text;
            if manifest.path.ends_with("package.json")
                && (text.contains("\"workspaces\"")
                    || !(text.contains("\"name\"") || text.contains("\"scripts\"")))
            {
                continue;
            }
            let dir = manifest.path.rsplit_once('/').map_or("", |(d, _)| d);
            let tool = tools.iter().find(|t| {
                let tool_dir = t.rsplit_once('/').map_or("", |(d, _)| d);
                crate::repo::path::within(dir, tool_dir)
            });
            let declared = self
                .manifest_contains
                .as_ref()
                .is_some_and(|r| r.is_match(&manifest.text));
            let shown = if dir.is_empty() { "." } else { dir };
            match (tool, declared) {
                (Some(tool), _) => with.push(format!("`{shown}` ({tool})")),
                (None, true) => with.push(format!("`{shown}` ({})", manifest.path)),
                (None, false) => without.push(Finding::at(
                    manifest.path.clone(),
                    None,
                    format!("project `{shown}` has no {}", self.message),
                )),
            }
        }
        if with.is_empty() && without.is_empty() {
            return Outcome::skip(format!("no {} project", self.ecosystem));
        }
        if without.is_empty() {
            return Outcome::pass(
                format!(
                    "every {} project has a {}: {}",
                    self.ecosystem,
                    self.message,
                    with.join(", ")
                ),
                Vec::new(),
            );
        }
        Outcome::fail(
            format!(
                "{} of {} {} project(s) have no {}",
                without.len(),
                without.len() + with.len(),
                self.ecosystem,
                self.message
            ),
            without,
        )
    }
}
