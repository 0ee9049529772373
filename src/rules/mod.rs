//! Rule kinds: what a check can ask of a repository.
//!
//! Every kind lives in its own module and follows the same three steps, so a
//! new kind touches this file only to be listed in [`RuleSpec`] and [`Rule`]:
//!
//! 1. **validate** the spec as written in YAML (bad regexes, bad globs), with
//!    positions, so a pack author sees every mistake in one run;
//! 2. **plan**: register what the kind needs to see (path selectors, content
//!    patterns) with the [`PlanBuilder`], getting back handles. Every kind of
//!    every check shares one plan, so the tree is walked and read once;
//! 3. **evaluate** against the [`Evidence`] the scan gathered.

pub mod ci;
pub mod content;
pub mod coverage;
pub mod declared;
pub mod dockerfile;
pub mod document;
pub mod each_file;
pub mod git;
pub mod http;
pub mod keys;
pub mod migrations;
pub mod pairs;
pub mod paths;
pub mod ports;
pub mod projects;
pub mod report;
pub mod stack;
pub mod tls;
pub mod tooling;

use crate::diagnostic::{Diagnostics, Position, SourceFile};
use crate::live::TargetEvidence;
use crate::model::{Finding, Status};
use crate::scan::{Evidence, PlanBuilder};
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;

/// Positions in a pack are carried on the values that later validation may
/// reject, so errors can point at them.
pub type Spanned<T> = serde_saphyr::Spanned<T>;

/// A rule as written in a check pack: exactly one key naming the kind.
///
/// ```yaml
/// rule:
///   all:
///     - file_exists: { paths: ["Dockerfile", "**/Dockerfile"] }
///     - not: { content_match: { paths: ["**/Dockerfile"], pattern: "^FROM .*:latest" } }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleSpec {
    /// Passes when at least one file matches one of `paths`.
    FileExists(paths::PathsSpec),
    /// Passes when no file matches `paths`; every match is a finding.
    FileAbsent(paths::PathsSpec),
    /// Passes when at least `min` files match `paths` (e.g. test files).
    MinFiles(paths::MinFilesSpec),
    /// Passes when some file matching `paths` contains one of the patterns.
    ContentMatch(content::ContentSpec),
    /// Passes when no file matching `paths` contains any of the patterns;
    /// every hit is a finding with path and line.
    ContentAbsent(content::ContentSpec),
    /// Passes when every coverage report matching `paths` reaches `min`
    /// percent of lines covered (lcov, Go profiles, Cobertura, Clover, JaCoCo).
    Coverage(coverage::CoverageSpec),
    /// Judges the reports a team's tools wrote (Lighthouse, load tests, test
    /// results, SARIF, dependency audits), found anywhere by their content,
    /// against the targets in `[reports]` of `readyctl.toml`. See
    /// [`report::ReportSpec`] and `docs/tool-reports.md`.
    Report(report::ReportSpec),
    /// Passes when every file matching `paths` has its partner: the path with
    /// `suffix` replaced by `partner` (each `*.up.sql` its `*.down.sql`).
    FilePairs(pairs::PairsSpec),
    /// Passes when every selected file (with `if_contains`) contains
    /// `require` and does not contain `forbid`.
    EachFile(each_file::EachFileSpec),
    /// Passes when migration versions are unique within their directory and
    /// do not mix sequence numbers with timestamps.
    MigrationVersions(migrations::VersionsSpec),
    /// Passes when none of the `recent` highest-versioned migrations contains
    /// `pattern` (a destructive statement, say).
    RecentMigrations(migrations::RecentSpec),
    /// Queries YAML / JSON / TOML documents: selected nodes exist, are
    /// absent, or each meet conditions. See [`document::DocumentSpec`].
    Document(document::DocumentSpec),
    /// Asserts a property of every Dockerfile (multi-stage, non-root user,
    /// healthcheck, pinned base images). See [`dockerfile::DockerfileSpec`].
    Dockerfile(dockerfile::DockerfileSpec),
    /// Passes when the detected stack matches (for `when:`): languages,
    /// frameworks, CI, containers, databases, service or library. See
    /// [`stack::StackSpec`].
    Stack(stack::StackSpec),
    /// A rule per language; only detected languages are asked. See
    /// [`stack::ByLanguageSpec`].
    ByLanguage(stack::ByLanguageSpec),
    /// Asks the CI model what the pipelines (or commit hooks) run: a class
    /// of command (test, lint, deploy, …) on an event, gated by another job,
    /// or allowed to fail. See [`ci::CiSpec`].
    Ci(ci::CiSpec),
    /// Every project (manifest folder) of an ecosystem has a tool file or
    /// declares the tool in its manifest. See [`projects::EachProjectSpec`].
    EachProject(projects::EachProjectSpec),
    /// Every project's linter, formatter or type checker is configured, or
    /// enforced by CI or a commit hook. See [`tooling::ToolingSpec`].
    Tooling(tooling::ToolingSpec),
    /// Passes when every name the `used` patterns capture is also captured
    /// by the `documented` patterns (e.g. env vars read vs `.env.example`).
    KeysDocumented(keys::KeysSpec),
    /// Asks the repository's git data: semantic-version tags, a changelog
    /// naming the latest one, a clean working tree, tracked files that are
    /// ignored, the date of the last commit. See [`git::GitSpec`].
    Git(git::GitSpec),
    /// Live: a request to each target (see `docs/live-checks.md`).
    Http(Box<http::HttpSpec>),
    /// Live: each target's TLS certificate and protocol.
    Tls(tls::TlsSpec),
    /// Live: a port on each target's host must be open or closed.
    Tcp(ports::TcpSpec),
    /// Live: a Redis on each target's host must demand authentication.
    Redis(ports::RedisSpec),
    /// Live: what the user listed for each target (`[targets.NAME] paths`,
    /// `static`, `protected`, `allowed_ports`, `readiness`, `smoke`).
    Declared(declared::DeclaredSpec),
    /// Passes when every rule passes.
    All(Vec<RuleSpec>),
    /// Passes when at least one rule passes.
    Any(Vec<RuleSpec>),
    /// Passes when the rule fails.
    Not(Box<RuleSpec>),
}

/// Collects validation problems for one pack file.
pub struct Validator<'a> {
    pub file: &'a Arc<SourceFile>,
    /// Where the check being validated starts: the position for problems
    /// that no single value carries (a missing field, say).
    pub at: Position,
    pub diagnostics: &'a mut Diagnostics,
    /// A built-in pack: its content regexes, document regexes, other rules'
    /// regexes and path globs are known to compile (the test `builtin_packs_validate_in_full`
    /// compiles them all), so loading does not compile them; the scan
    /// compiles each the first time a file needs it. Compiling hundreds of
    /// patterns an audit may never run was most of its fixed cost, and
    /// parsing 3,200 globs a tenth of loading the packs.
    pub trusted: bool,
}

impl Validator<'_> {
    /// A content regex compiled as the scanner will run it, or the reason it
    /// does not compile; `Ok(None)` for a built-in pack's (see `trusted`).
    pub fn content_regex(&self, regex: &str) -> Result<Option<regex::bytes::Regex>, String> {
        if self.trusted {
            return Ok(None);
        }
        crate::scan::compile_regex(regex).map(Some)
    }

    pub fn error(&mut self, position: Position, message: impl Into<String>) {
        self.diagnostics.push(self.file, position, message);
    }

    pub fn error_at<T>(&mut self, spanned: &Spanned<T>, message: impl Into<String>) {
        self.error(Position::from_yaml(spanned.referenced), message);
    }
}

/// What a rule concluded, before the check wraps it with its metadata.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: Status,
    pub message: String,
    pub findings: Vec<Finding>,
}

impl Outcome {
    pub fn pass(message: impl Into<String>, findings: Vec<Finding>) -> Self {
        Outcome {
            status: Status::Pass,
            message: message.into(),
            findings,
        }
    }

    pub fn fail(message: impl Into<String>, findings: Vec<Finding>) -> Self {
        Outcome {
            status: Status::Fail,
            message: message.into(),
            findings,
        }
    }

    pub fn error(message: impl Into<String>) -> Self {
        Outcome {
            status: Status::Error,
            message: message.into(),
            findings: Vec::new(),
        }
    }

    pub fn skip(message: impl Into<String>) -> Self {
        Outcome {
            status: Status::Skip,
            message: message.into(),
            findings: Vec::new(),
        }
    }

    /// The rule found nothing to judge (no file selected, none read, no
    /// document matched): a skip, never a pass. No credit for nothing.
    pub fn nothing_to_judge(why: impl std::fmt::Display) -> Self {
        Outcome::skip(format!("nothing to judge: {why}"))
    }
}

/// Why a live rule is skipped when the audit has no target.
pub const NO_TARGET: &str = "no target: pass --url URL or --target NAME to probe a running service";

/// Context a rule is planned in: which check it belongs to, so content
/// patterns can honour `readyctl:allow <check-id>` comments.
#[derive(Debug, Clone, Copy)]
pub struct PlanContext<'a> {
    pub check_id: &'a str,
    /// Targets and the audit's moment, for `report` rules.
    pub reports: &'a crate::tool_reports::Settings,
}

impl RuleSpec {
    pub fn validate(&self, v: &mut Validator<'_>) {
        match self {
            RuleSpec::FileExists(spec) | RuleSpec::FileAbsent(spec) => spec.validate(v),
            RuleSpec::MinFiles(spec) => spec.validate(v),
            RuleSpec::ContentMatch(spec) | RuleSpec::ContentAbsent(spec) => spec.validate(v),
            RuleSpec::Coverage(spec) => spec.validate(v),
            RuleSpec::Report(spec) => spec.validate(v),
            RuleSpec::FilePairs(spec) => spec.validate(v),
            RuleSpec::EachFile(spec) => spec.validate(v),
            RuleSpec::MigrationVersions(spec) => spec.validate(v),
            RuleSpec::RecentMigrations(spec) => spec.validate(v),
            RuleSpec::Document(spec) => spec.validate(v),
            RuleSpec::Dockerfile(spec) => spec.validate(v),
            RuleSpec::Stack(spec) => spec.validate(v),
            RuleSpec::ByLanguage(spec) => spec.validate(v),
            RuleSpec::Ci(spec) => spec.validate(v),
            RuleSpec::EachProject(spec) => spec.validate(v),
            RuleSpec::Tooling(spec) => spec.validate(v),
            RuleSpec::KeysDocumented(spec) => spec.validate(v),
            RuleSpec::Git(spec) => spec.validate(v),
            RuleSpec::Http(spec) => spec.validate(v),
            RuleSpec::Tls(spec) => spec.validate(v),
            RuleSpec::Tcp(spec) => spec.validate(v),
            RuleSpec::Redis(spec) => spec.validate(v),
            RuleSpec::Declared(spec) => spec.validate(v),
            RuleSpec::All(rules) | RuleSpec::Any(rules) => {
                rules.iter().for_each(|rule| rule.validate(v))
            }
            RuleSpec::Not(rule) => rule.validate(v),
        }
    }

    /// The names of the content patterns in this rule, nested ones included,
    /// without repeats: what a check detects, for its documentation.
    pub fn pattern_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        self.collect_pattern_names(&mut names);
        names
    }

    fn collect_pattern_names(&self, names: &mut Vec<String>) {
        match self {
            RuleSpec::ContentMatch(spec) | RuleSpec::ContentAbsent(spec) => {
                for pattern in &spec.patterns {
                    if !names.contains(&pattern.name) {
                        names.push(pattern.name.clone());
                    }
                }
            }
            RuleSpec::All(rules) | RuleSpec::Any(rules) => {
                rules.iter().for_each(|r| r.collect_pattern_names(names))
            }
            RuleSpec::Not(rule) => rule.collect_pattern_names(names),
            RuleSpec::FileExists(_)
            | RuleSpec::FileAbsent(_)
            | RuleSpec::MinFiles(_)
            | RuleSpec::KeysDocumented(_)
            | RuleSpec::Git(_)
            | RuleSpec::Document(_)
            | RuleSpec::Dockerfile(_)
            | RuleSpec::Stack(_)
            | RuleSpec::Ci(_)
            | RuleSpec::EachProject(_)
            | RuleSpec::Tooling(_)
            | RuleSpec::Coverage(_)
            | RuleSpec::Report(_)
            | RuleSpec::FilePairs(_)
            | RuleSpec::EachFile(_)
            | RuleSpec::MigrationVersions(_)
            | RuleSpec::RecentMigrations(_)
            | RuleSpec::Http(_)
            | RuleSpec::Tls(_)
            | RuleSpec::Tcp(_)
            | RuleSpec::Redis(_)
            | RuleSpec::Declared(_) => {}
            RuleSpec::ByLanguage(spec) => spec
                .rules
                .iter()
                .for_each(|(_, rule)| rule.collect_pattern_names(names)),
        }
    }

    /// Whether this rule or one nested in it satisfies `f`: what the engine
    /// asks to plan only the work the selected checks need (the history
    /// search, the working tree's git status).
    pub fn any(&self, f: &dyn Fn(&RuleSpec) -> bool) -> bool {
        if f(self) {
            return true;
        }
        match self {
            RuleSpec::All(rules) | RuleSpec::Any(rules) => rules.iter().any(|r| r.any(f)),
            RuleSpec::Not(rule) => rule.any(f),
            RuleSpec::ByLanguage(spec) => spec.rules.iter().any(|(_, rule)| rule.any(f)),
            _ => false,
        }
    }

    /// A content rule whose hits are credentials: its patterns are what
    /// the history is searched for.
    pub fn is_secret_search(&self) -> bool {
        matches!(self, RuleSpec::ContentMatch(spec) | RuleSpec::ContentAbsent(spec) if spec.secret)
    }

    /// Whether the rule probes targets (and so yields one result per target).
    pub fn is_live(&self) -> bool {
        match self {
            RuleSpec::Http(_)
            | RuleSpec::Tls(_)
            | RuleSpec::Tcp(_)
            | RuleSpec::Redis(_)
            | RuleSpec::Declared(_) => true,
            RuleSpec::All(rules) | RuleSpec::Any(rules) => rules.iter().any(RuleSpec::is_live),
            RuleSpec::Not(rule) => rule.is_live(),
            _ => false,
        }
    }

    /// Registers what this rule needs with the plan. Only called on validated
    /// specs, so it cannot fail.
    pub fn plan(&self, plan: &mut PlanBuilder, cx: PlanContext<'_>) -> Rule {
        match self {
            RuleSpec::FileExists(spec) => Rule::FileExists(spec.plan(plan)),
            RuleSpec::FileAbsent(spec) => Rule::FileAbsent(spec.plan(plan)),
            RuleSpec::MinFiles(spec) => Rule::MinFiles(spec.plan(plan)),
            RuleSpec::ContentMatch(spec) => Rule::ContentMatch(spec.plan(plan, cx)),
            RuleSpec::ContentAbsent(spec) => Rule::ContentAbsent(spec.plan(plan, cx)),
            RuleSpec::Coverage(spec) => Rule::Coverage(Box::new(spec.plan(plan))),
            RuleSpec::Report(spec) => Rule::Report(Box::new(spec.plan(plan, cx.reports))),
            RuleSpec::FilePairs(spec) => Rule::FilePairs(Box::new(spec.plan(plan))),
            RuleSpec::EachFile(spec) => Rule::EachFile(Box::new(spec.plan(plan))),
            RuleSpec::MigrationVersions(spec) => Rule::MigrationVersions(Box::new(spec.plan(plan))),
            RuleSpec::RecentMigrations(spec) => {
                Rule::RecentMigrations(Box::new(spec.plan(plan, cx.check_id)))
            }
            RuleSpec::Document(spec) => Rule::Document(Box::new(spec.plan(plan))),
            RuleSpec::Dockerfile(spec) => Rule::Dockerfile(spec.plan(plan)),
            RuleSpec::Stack(spec) => Rule::Stack(spec.plan()),
            RuleSpec::Ci(spec) => Rule::Ci(Box::new(spec.plan_with(plan, cx.check_id))),
            RuleSpec::ByLanguage(spec) => Rule::ByLanguage(stack::ByLanguage {
                rules: spec
                    .rules
                    .iter()
                    .map(|(language, rule)| (language.value.clone(), rule.plan(plan, cx)))
                    .collect(),
            }),
            RuleSpec::KeysDocumented(spec) => Rule::KeysDocumented(spec.plan(plan, cx)),
            RuleSpec::EachProject(spec) => Rule::EachProject(Box::new(spec.plan(plan))),
            RuleSpec::Tooling(spec) => Rule::Tooling(spec.plan()),
            RuleSpec::Git(spec) => Rule::Git(Box::new(spec.plan(plan, cx.reports.now))),
            RuleSpec::Http(spec) => Rule::Http(Box::new(spec.plan(plan.live()))),
            RuleSpec::Tls(spec) => Rule::Tls(spec.plan(plan.live())),
            RuleSpec::Tcp(spec) => Rule::Tcp(spec.plan(plan.live())),
            RuleSpec::Redis(spec) => Rule::Redis(spec.plan(plan.live())),
            RuleSpec::Declared(spec) => Rule::Declared(spec.plan(plan.live())),
            RuleSpec::All(rules) => Rule::All(rules.iter().map(|r| r.plan(plan, cx)).collect()),
            RuleSpec::Any(rules) => Rule::Any(rules.iter().map(|r| r.plan(plan, cx)).collect()),
            RuleSpec::Not(rule) => Rule::Not(Box::new(rule.plan(plan, cx))),
        }
    }
}

/// A planned rule, holding handles into the scan's evidence.
#[derive(Debug)]
pub enum Rule {
    FileExists(paths::Selection),
    FileAbsent(paths::Selection),
    MinFiles(paths::MinFiles),
    ContentMatch(content::Patterns),
    ContentAbsent(content::Patterns),
    Coverage(Box<coverage::Coverage>),
    Report(Box<report::ReportRule>),
    FilePairs(Box<pairs::Pairs>),
    EachFile(Box<each_file::EachFile>),
    MigrationVersions(Box<migrations::Versions>),
    RecentMigrations(Box<migrations::Recent>),
    /// Boxed: a query is much larger than the other planned rules.
    Document(Box<document::Query>),
    Dockerfile(dockerfile::DockerfileRule),
    Stack(stack::StackRule),
    ByLanguage(stack::ByLanguage),
    Ci(Box<ci::CiRule>),
    EachProject(Box<projects::EachProject>),
    Tooling(tooling::ToolingRule),
    KeysDocumented(keys::Keys),
    Git(Box<git::GitRule>),
    Http(Box<http::HttpCheck>),
    Tls(tls::TlsCheck),
    Tcp(ports::TcpCheck),
    Redis(ports::RedisCheck),
    Declared(declared::DeclaredCheck),
    All(Vec<Rule>),
    Any(Vec<Rule>),
    Not(Box<Rule>),
}

impl Rule {
    /// The kept files this rule parses as YAML / JSON / TOML documents, so
    /// the engine can parse them on every core before rules are evaluated,
    /// and whether the rule reads them through the Kubernetes model (which
    /// parses only some of them: see
    /// [`crate::repo::kubernetes::ParsedByModel`]).
    pub fn document_selector(&self) -> Option<(crate::scan::SelectorId, bool)> {
        match self {
            Rule::Document(query) => Some((query.selector(), query.reads_kubernetes())),
            _ => None,
        }
    }

    pub fn evaluate(&self, evidence: &Evidence) -> Outcome {
        self.evaluate_with(evidence, None)
    }

    /// Secret values this rule finds that the scan's patterns did not see
    /// (a committed Kubernetes Secret's literal values, read as YAML), for
    /// the report's redactor.
    pub fn secret_values(&self, evidence: &Evidence) -> Vec<String> {
        match self {
            Rule::Document(query) => query.secret_values(evidence),
            _ => Vec::new(),
        }
    }

    /// Evaluates against the repository and, for live rules, what was
    /// observed on one target (`None`: no target, live rules skip).
    pub fn evaluate_with(&self, evidence: &Evidence, live: Option<&TargetEvidence>) -> Outcome {
        match self {
            Rule::FileExists(selection) => selection.evaluate_exists(evidence),
            Rule::FileAbsent(selection) => selection.evaluate_absent(evidence),
            Rule::MinFiles(rule) => rule.evaluate(evidence),
            Rule::ContentMatch(patterns) => patterns.evaluate_match(evidence),
            Rule::ContentAbsent(patterns) => patterns.evaluate_absent(evidence),
            Rule::Coverage(rule) => rule.evaluate(evidence),
            Rule::Report(rule) => rule.evaluate(evidence),
            Rule::FilePairs(rule) => rule.evaluate(evidence),
            Rule::EachFile(rule) => rule.evaluate(evidence),
            Rule::MigrationVersions(rule) => rule.evaluate(evidence),
            Rule::RecentMigrations(rule) => rule.evaluate(evidence),
            Rule::Document(query) => query.evaluate(evidence),
            Rule::Dockerfile(rule) => rule.evaluate(evidence),
            Rule::Stack(rule) => rule.evaluate(evidence),
            Rule::ByLanguage(rule) => rule.evaluate(evidence),
            Rule::Ci(rule) => rule.evaluate(evidence),
            Rule::EachProject(rule) => rule.evaluate(evidence),
            Rule::Tooling(rule) => rule.evaluate(evidence),
            Rule::KeysDocumented(keys) => keys.evaluate(evidence),
            Rule::Git(rule) => rule.evaluate(evidence),
            Rule::Http(check) => check.evaluate(live),
            Rule::Tls(check) => check.evaluate(live),
            Rule::Tcp(check) => check.evaluate(live),
            Rule::Redis(check) => check.evaluate(live),
            Rule::Declared(check) => check.evaluate(live),
            Rule::All(rules) => all(rules, evidence, live),
            Rule::Any(rules) => any(rules, evidence, live),
            Rule::Not(rule) => not(rule, evidence, live),
        }
    }
}

/// Evaluates the parts of a combination and keeps those that decide it: a
/// skipped part (a Redis that is not there) does not. When every part is
/// skipped, so is the combination (`Err` holds that outcome).
fn deciding_outcomes(
    rules: &[Rule],
    evidence: &Evidence,
    live: Option<&TargetEvidence>,
) -> Result<Vec<Outcome>, Outcome> {
    let outcomes: Vec<Outcome> = rules
        .iter()
        .map(|r| r.evaluate_with(evidence, live))
        .collect();
    if let Some(first) = outcomes.first()
        && outcomes.iter().all(|o| o.status == Status::Skip)
    {
        return Err(first.clone());
    }
    Ok(outcomes
        .into_iter()
        .filter(|o| o.status != Status::Skip)
        .collect())
}

fn all(rules: &[Rule], evidence: &Evidence, live: Option<&TargetEvidence>) -> Outcome {
    let outcomes = match deciding_outcomes(rules, evidence, live) {
        Ok(outcomes) => outcomes,
        Err(skipped) => return skipped,
    };
    let worst = outcomes
        .iter()
        .map(|o| o.status)
        .find(|s| *s == Status::Error)
        .or_else(|| {
            outcomes
                .iter()
                .map(|o| o.status)
                .find(|s| *s == Status::Fail)
        });
    match worst {
        None => Outcome::pass(join_messages(&outcomes), flatten_findings(&outcomes)),
        Some(status) => {
            let failing: Vec<Outcome> = outcomes
                .into_iter()
                .filter(|o| o.status != Status::Pass)
                .collect();
            Outcome {
                status,
                message: join_messages(&failing),
                findings: flatten_findings(&failing),
            }
        }
    }
}

fn any(rules: &[Rule], evidence: &Evidence, live: Option<&TargetEvidence>) -> Outcome {
    let outcomes = match deciding_outcomes(rules, evidence, live) {
        Ok(outcomes) => outcomes,
        Err(skipped) => return skipped,
    };
    if let Some(passing) = outcomes.iter().find(|o| o.status == Status::Pass) {
        return passing.clone();
    }
    let status = if outcomes.iter().any(|o| o.status == Status::Error) {
        Status::Error
    } else {
        Status::Fail
    };
    Outcome {
        status,
        message: distinct(outcomes.iter().map(|o| o.message.as_str())).join("; and "),
        findings: flatten_findings(&outcomes),
    }
}

fn not(rule: &Rule, evidence: &Evidence, live: Option<&TargetEvidence>) -> Outcome {
    let inner = rule.evaluate_with(evidence, live);
    match inner.status {
        // The inner rule's evidence is exactly why the negation fails, e.g.
        // `not: file_exists .env` lists the committed `.env` files.
        Status::Pass => Outcome::fail(inner.message, inner.findings),
        Status::Fail => Outcome::pass(inner.message, Vec::new()),
        _ => inner,
    }
}

fn join_messages(outcomes: &[Outcome]) -> String {
    distinct(
        outcomes
            .iter()
            .map(|o| o.message.as_str())
            .filter(|m| !m.is_empty()),
    )
    .join("; ")
}

/// Several live rules often inspect one response: say each thing once.
fn distinct<'a>(messages: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = Vec::new();
    for message in messages {
        if !seen.contains(&message) {
            seen.push(message);
        }
    }
    seen
}

fn flatten_findings(outcomes: &[Outcome]) -> Vec<Finding> {
    outcomes
        .iter()
        .flat_map(|o| o.findings.iter().cloned())
        .collect()
}
