//! The tooling model: for every project, whether its linter, formatter and
//! type checker are *configured* (a committed configuration, a dependency in
//! its manifest) and whether they are *enforced* (a CI job or a commit hook
//! runs them on the project), as two separate facts.
//!
//! A `.prettierrc` that nothing runs keeps no code formatted; a `ruff check`
//! in CI lints the Python service but not the Vue front end beside it. So
//! each project (every manifest folder, see [`super::projects`]) is asked on
//! its own: configuration is looked for in its folder and the folders above
//! it (`tooling.yaml` says what counts), and enforcement is a command of the
//! CI model ([`super::ci`]) of the right class and ecosystem that runs in
//! the project's folder or above it.

use super::ci::{CiModel, Command, Event, Place};
use super::projects;
use crate::model::Role;
use crate::scan::{Evidence, PlanBuilder, SelectorId, SelectorSpec};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// What a tool does for a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Lint,
    Format,
    TypeCheck,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Lint, Kind::Format, Kind::TypeCheck];

    pub fn id(self) -> &'static str {
        match self {
            Kind::Lint => "lint",
            Kind::Format => "format",
            Kind::TypeCheck => "type-check",
        }
    }

    pub fn from_id(id: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.id() == id)
    }

    /// What the tool is called in messages.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Lint => "linter",
            Kind::Format => "formatter",
            Kind::TypeCheck => "type checker",
        }
    }

    /// The CI vocabulary class of a command that enforces it.
    fn class(self) -> &'static str {
        match self {
            Kind::Lint => "lint",
            Kind::Format => "format-check",
            Kind::TypeCheck => "type-check",
        }
    }
}

/// Ecosystems the tooling model judges, as the CI vocabulary names them.
pub const ECOSYSTEMS: &[&str] = &["go", "rust", "node", "python", "ruby", "jvm"];

/// The tooling of every project.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Tooling {
    pub projects: Vec<ProjectTools>,
}

/// One project and its tools.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProjectTools {
    /// The folder (`.` for the root).
    pub dir: String,
    /// `go`, `rust`, `node`, `python`, `ruby` or `jvm`.
    pub ecosystem: &'static str,
    /// Its manifest; none when the stack found the language at the root
    /// without one (Python with only a requirements.txt).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
    pub tools: Vec<ToolFacts>,
}

/// The two facts about one kind of tool in one project.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ToolFacts {
    pub kind: Kind,
    /// Where it is configured (`web/biome.json`, `package.json: prettier`).
    pub configured: Vec<String>,
    /// What runs it on this project: the CI step or hook, with the chain
    /// (`ci.yml:23 make lint → Makefile:4 golangci-lint run`).
    pub enforced: Vec<String>,
}

impl ProjectTools {
    pub fn facts(&self, kind: Kind) -> Option<&ToolFacts> {
        self.tools.iter().find(|t| t.kind == kind)
    }

    /// `web` (node) or `.` (go).
    pub fn label(&self) -> String {
        format!("`{}` ({})", self.dir, self.ecosystem)
    }
}

/// Evidence lists stay short in messages and `readyctl facts`.
const SHOWN: usize = 3;

// --- the configuration table ------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    configs: Vec<ConfigEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigEntry {
    kind: Kind,
    ecosystem: String,
    #[serde(default)]
    files: Vec<String>,
    #[serde(default)]
    contains: Option<Contains>,
    #[serde(default)]
    manifest: Option<String>,
    #[serde(default)]
    checked_by: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Contains {
    files: Vec<String>,
    pattern: String,
}

/// One compiled way of configuring a tool.
#[derive(Debug)]
struct Config {
    kind: Kind,
    ecosystem: String,
    files: Vec<String>,
    pattern: Option<LazyRegex>,
    manifest: Option<LazyRegex>,
    checked_by: Vec<String>,
}

/// A regex of the table, checked when the table is read and compiled the
/// first time a file it reads is there: compiling the dozen up front cost
/// 8 M instructions before every walk (5% of an empty directory's audit),
/// for the few tools a repository configures.
#[derive(Debug)]
struct LazyRegex {
    source: String,
    compiled: OnceLock<Regex>,
}

impl LazyRegex {
    fn new(source: &str) -> Result<LazyRegex, String> {
        regex_syntax::Parser::new()
            .parse(source)
            .map_err(|e| e.to_string())?;
        Ok(LazyRegex {
            source: source.to_string(),
            compiled: OnceLock::new(),
        })
    }

    fn get(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            Regex::new(&self.source)
                .expect("the table's regexes compile (a unit test compiles them)")
        })
    }
}

fn table() -> &'static [Config] {
    static TABLE: OnceLock<Vec<Config>> = OnceLock::new();
    TABLE.get_or_init(|| {
        parse(include_str!("tooling.yaml")).expect("the built-in tooling table is valid")
    })
}

fn parse(text: &str) -> Result<Vec<Config>, String> {
    let table: Table = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
    let regex = LazyRegex::new;
    table
        .configs
        .into_iter()
        .map(|entry| {
            if !ECOSYSTEMS.contains(&entry.ecosystem.as_str()) {
                return Err(format!("unknown ecosystem `{}`", entry.ecosystem));
            }
            let (files, pattern) = match entry.contains {
                Some(c) if entry.files.is_empty() => (c.files, Some(regex(&c.pattern)?)),
                Some(_) => return Err("`files` and `contains` in one entry".to_string()),
                None => (entry.files, None),
            };
            Ok(Config {
                kind: entry.kind,
                ecosystem: entry.ecosystem,
                files,
                pattern,
                manifest: entry.manifest.as_deref().map(regex).transpose()?,
                checked_by: entry.checked_by,
            })
        })
        .collect()
}

/// The file names the table reads, for the walk to keep.
fn config_names() -> Vec<String> {
    let mut names: Vec<String> = table()
        .iter()
        .flat_map(|c| c.files.iter().cloned())
        .collect();
    names.sort();
    names.dedup();
    names
}

// --- building the model ------------------------------------------------------

/// The project ecosystem's name in the CI vocabulary (Maven and Gradle
/// projects are both `jvm`).
fn vocabulary_ecosystem(ecosystem: &str) -> Option<&'static str> {
    match ecosystem {
        "java" | "jvm" => Some("jvm"),
        other => ECOSYSTEMS.iter().copied().find(|e| *e == other),
    }
}

/// The ecosystem a stack language belongs to.
fn language_ecosystem(language: &str) -> Option<&'static str> {
    match language {
        "typescript" | "javascript" => Some("node"),
        "java" | "kotlin" => Some("jvm"),
        other => vocabulary_ecosystem(other),
    }
}

/// Planned reading: manifests and configuration files.
#[derive(Debug)]
pub struct ToolingPlan {
    manifests: SelectorId,
    configs: SelectorId,
}

impl ToolingPlan {
    pub fn plan(plan: &mut PlanBuilder) -> ToolingPlan {
        let manifests = projects::manifest_globs();
        let manifests: Vec<&str> = manifests.iter().map(String::as_str).collect();
        let configs: Vec<String> = config_names()
            .into_iter()
            .map(|name| format!("**/{name}"))
            .collect();
        let configs: Vec<&str> = configs.iter().map(String::as_str).collect();
        let exclude = ["**/node_modules/**", "**/vendor/**", "**/.venv/**"];
        ToolingPlan {
            manifests: plan.keep_contents(SelectorSpec::from_strs(&manifests, &exclude)),
            configs: plan.keep_contents(SelectorSpec::from_strs(&configs, &exclude)),
        }
    }

    /// The tooling of every production project, and of the root for each
    /// ecosystem no manifest declares (a language the stack finds
    /// without a manifest, Python with only a requirements.txt, is judged
    /// there; the rules ask only the stack's languages).
    pub fn build(&self, evidence: &Evidence, ci: &CiModel) -> Tooling {
        let manifests: Vec<(String, Role)> = evidence
            .kept(self.manifests)
            .map(|f| (f.path.clone(), evidence.role_of(&f.path)))
            .collect();
        let texts: std::collections::BTreeMap<&str, &str> = evidence
            .kept(self.manifests)
            .chain(evidence.kept(self.configs))
            .map(|f| (f.path.as_str(), f.text.as_str()))
            .collect();
        let mut found: Vec<(String, &'static str, Option<String>)> = Vec::new();
        let mut declared: Vec<&'static str> = Vec::new();
        for project in projects::projects(&manifests) {
            let Some(ecosystem) = vocabulary_ecosystem(project.ecosystem) else {
                continue;
            };
            declared.push(ecosystem);
            if project.role != Role::Production {
                continue;
            }
            let manifest = project.manifests[0].clone();
            if is_no_package(&manifest, texts.get(manifest.as_str()).copied()) {
                continue;
            }
            if !found
                .iter()
                .any(|(d, e, _)| *d == project.dir && *e == ecosystem)
            {
                found.push((project.dir, ecosystem, Some(manifest)));
            }
        }
        // A test suite's package.json or a CSS build's tool list declares
        // no project to judge, but it does say the language has a manifest.
        for ecosystem in ECOSYSTEMS {
            if !declared.contains(ecosystem) {
                found.push((".".to_string(), ecosystem, None));
            }
        }
        found.sort();
        let projects = found
            .into_iter()
            .map(|(dir, ecosystem, manifest)| project_tools(dir, ecosystem, manifest, &texts, ci))
            .collect();
        Tooling { projects }
    }
}

impl Tooling {
    /// Only the projects a manifest declares (what `readyctl facts` shows).
    pub fn with_manifests(mut self) -> Tooling {
        self.projects.retain(|p| p.manifest.is_some());
        self
    }
}

/// The ecosystems of the stack's `languages`, as the tooling model names
/// them.
pub fn ecosystems_of(languages: &[String]) -> Vec<&'static str> {
    let mut found: Vec<&'static str> = languages
        .iter()
        .filter_map(|l| language_ecosystem(l))
        .collect();
    found.sort();
    found.dedup();
    found
}

/// A workspace root only lists its packages (which are judged); a
/// package.json with neither a name nor scripts only installs tools (a CSS
/// build next to a Go service) and is no package.
fn is_no_package(manifest: &str, text: Option<&str>) -> bool {
    let Some(text) = text else {
        return false;
    };
    manifest.ends_with("package.json")
        && (text.contains("\"workspaces\"")
            || !(text.contains("\"name\"") || text.contains("\"scripts\"")))
}

/// Whether `dir` (a project's folder, `.` for the root) is `above` or under it.
fn under(dir: &str, above: &str) -> bool {
    let above = if above == "." { "" } else { above };
    let dir = if dir == "." { "" } else { dir };
    crate::repo::path::within(dir, above)
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or(".", |(d, _)| d)
}

fn project_tools(
    dir: String,
    ecosystem: &'static str,
    manifest: Option<String>,
    texts: &std::collections::BTreeMap<&str, &str>,
    ci: &CiModel,
) -> ProjectTools {
    let manifest_text = manifest
        .as_deref()
        .and_then(|m| texts.get(m).copied())
        .unwrap_or_default();
    let mut tools = Vec::new();
    for kind in Kind::ALL {
        let entries: Vec<&Config> = table()
            .iter()
            .filter(|c| c.kind == kind && c.ecosystem == ecosystem)
            .collect();
        if entries.is_empty() {
            continue;
        }
        let mut configured = Vec::new();
        let mut checked_by: Vec<&str> = Vec::new();
        for entry in &entries {
            let mut hit = false;
            for (path, text) in texts.iter() {
                let name = path.rsplit('/').next().unwrap_or(path);
                if !entry.files.iter().any(|f| f == name) || !under(&dir, parent(path)) {
                    continue;
                }
                if entry
                    .pattern
                    .as_ref()
                    .is_none_or(|p| p.get().is_match(text))
                {
                    configured.push(path.to_string());
                    hit = true;
                }
            }
            if let (Some(regex), Some(manifest)) = (&entry.manifest, &manifest)
                && regex.get().is_match(manifest_text)
            {
                let tool = regex
                    .get()
                    .find(manifest_text)
                    .map(|m| m.as_str().trim_end_matches([':', ' ']).replace('"', ""))
                    .unwrap_or_default();
                configured.push(format!("{manifest}: {tool}"));
                hit = true;
            }
            if hit {
                checked_by.extend(entry.checked_by.iter().map(String::as_str));
            }
        }
        configured.sort();
        configured.dedup();
        let enforced = enforcement(ci, &dir, ecosystem, kind, &checked_by);
        tools.push(ToolFacts {
            kind,
            configured,
            enforced,
        });
    }
    ProjectTools {
        dir,
        ecosystem,
        manifest,
        tools,
    }
}

/// Every CI step or hook that runs a `kind` tool of `ecosystem` on the
/// project in `dir`: a command of the kind's class (or one of `checked_by`,
/// a linter that also checks formatting as configured), in a job that runs
/// on pushes, pull requests or commits, whose failure fails the build, run
/// in the project's folder or one above it.
fn enforcement(
    ci: &CiModel,
    dir: &str,
    ecosystem: &str,
    kind: Kind,
    checked_by: &[&str],
) -> Vec<String> {
    let mut found = Vec::new();
    for pipeline in &ci.pipelines {
        if pipeline.called_only {
            continue;
        }
        for job in &pipeline.jobs {
            if job.disabled || job.allow_failure {
                continue;
            }
            let triggers = pipeline.job_triggers(job);
            let on_changes = triggers.is_empty()
                || triggers.iter().any(|t| {
                    matches!(
                        t.event,
                        Event::Push | Event::PullRequest | Event::Commit | Event::Pipeline
                    )
                });
            if !on_changes {
                continue;
            }
            for step in job.steps.iter().filter(|s| !s.allow_failure) {
                for command in &step.commands {
                    if !under(dir, &command.dir)
                        || command.excluded.iter().any(|e| under(dir, e))
                        || !for_ecosystem(command, ecosystem)
                    {
                        continue;
                    }
                    let runs = command.classes.iter().any(|c| c == kind.class())
                        || (command.classes.iter().any(|c| c == "lint")
                            && checked_by
                                .iter()
                                .any(|p| command.chain.last().is_some_and(|l| l.text.contains(p))));
                    if runs {
                        let place = match pipeline.place {
                            Place::Ci => "CI",
                            Place::Hook => "hook",
                        };
                        let text = format!("{place} {}", command.describe());
                        if !found.contains(&text) {
                            found.push(text);
                        }
                    }
                }
            }
        }
    }
    found
}

/// A command of the project's ecosystem, or a named target (`make lint`)
/// that could not be followed.
fn for_ecosystem(command: &Command, ecosystem: &str) -> bool {
    command.ecosystems.is_empty()
        || command
            .ecosystems
            .iter()
            .any(|e| e == ecosystem || e == "any")
}

/// `a, b, c and 2 more`.
pub fn shown(items: &[String]) -> String {
    let mut text = items
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if items.len() > SHOWN {
        text.push_str(&format!("; and {} more", items.len() - SHOWN));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_table_parses() {
        assert!(table().len() > 10);
        let regexes: Vec<&LazyRegex> = table()
            .iter()
            .flat_map(|c| c.pattern.iter().chain(&c.manifest))
            .collect();
        assert!(regexes.len() >= 10, "{}", regexes.len());
        for regex in regexes {
            regex.get();
        }
        assert!(config_names().contains(&".prettierrc".to_string()));
    }

    /// A regex that does not parse is refused when the table is read,
    /// not when a repository first has the file it reads.
    #[test]
    fn a_bad_regex_is_refused_when_the_table_is_read() {
        let good = "configs:\n  - { kind: lint, ecosystem: node, manifest: '\"eslint\"\\s*:' }\n";
        assert!(parse(good).is_ok());
        let bad = "configs:\n  - { kind: lint, ecosystem: node, manifest: '\"eslint(\"\\s*:' }\n";
        assert!(
            parse(bad).unwrap_err().contains("unclosed group"),
            "{:?}",
            parse(bad).err()
        );
        let bad = "configs:\n  - { kind: lint, ecosystem: rust, contains: { files: [Cargo.toml], pattern: '[lints' } }\n";
        assert!(parse(bad).is_err());
    }

    #[test]
    fn a_folder_is_under_itself_and_the_root() {
        assert!(under("web", ""));
        assert!(under("web", "."));
        assert!(under("web", "web"));
        assert!(under("web/app", "web"));
        assert!(!under("webapp", "web"));
        assert!(!under(".", "web"));
    }

    #[test]
    fn a_commented_out_prettier_plugin_configures_nothing() {
        let entry = table()
            .iter()
            .filter(|c| c.kind == Kind::Format && c.ecosystem == "node")
            .find_map(|c| c.pattern.as_ref())
            .unwrap()
            .get();
        assert!(entry.is_match("  extends: [\n    \"plugin:prettier/recommended\",\n"));
        assert!(!entry.is_match("  extends: [\n    // \"plugin:prettier/recommended\",\n"));
    }
}
