//! `ci`: questions about what the repository's pipelines run, answered from
//! the CI model ([`crate::repo::ci`]) rather than by searching pipeline
//! files for text. Evidence is the step that runs the command, with the
//! chain that led to it (`ci.yml:23 make richtest → Makefile:2 richgo test`).

use super::{Outcome, Spanned, Validator};
use crate::model::Finding;
use crate::model::{Role, RoleSet};
use crate::repo::ci::vocabulary::{CLASSES, expand_class};
use crate::repo::ci::{CiFact, CiModel, Event, Job, Pipeline, Place, Step};
use crate::scan::{Evidence, Hit, PatternId, PatternOptions, PlanBuilder, SelectorSpec};
use schemars::JsonSchema;
use serde::Deserialize;

/// Steps whose evidence a finding list shows at most.
const SHOWN: usize = 10;

/// Passes when a CI job (or, with `place`, a commit hook) runs a command of
/// one of the `runs` classes, on one of the `on` events; with no `runs`,
/// when such a job exists at all.
///
/// ```yaml
/// rule:
///   ci: { runs: [test], on: [pull_request] }
/// rule:   # every production deploy waits for a job that runs the tests
///   ci: { runs: [deploy], environment: production, gated_by: { runs: [test] } }
/// rule:   # no test or scan step may fail without failing the build
///   ci: { runs: [test, security-scan], allowed_to_fail: true, expect: none }
/// ```
///
/// Classes: test, lint, format-check, type-check, build, sast,
/// dependency-audit, secret-scan, image-scan, migration-check, migrate,
/// deploy, release, release-notes, rollback, test-cluster, housekeeping, and
/// `security-scan` for any of the four scans. With no `runs`, a job that
/// only manages issues and pull requests (every step a `housekeeping`
/// action, or a `uses:` step that does nothing else, such as a checkout)
/// does not count: a stale-issue bot on a schedule is no scheduled job of
/// the project. Events: push,
/// pull_request, schedule, tag, manual, pipeline, commit.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CiSpec {
    /// Command classes; a step matches when one of its commands has one.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub runs: Vec<Spanned<String>>,
    /// Events; a job matches when it runs on one of them.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub on: Vec<Spanned<String>>,
    /// Ecosystems of the matching command (`go`, `rust`, `node`, `python`,
    /// `jvm`, `ruby`, `docker`); a name-only match (`make test`) is `any`
    /// and always counts.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub ecosystem: Vec<Spanned<String>>,
    /// `ci` (default): pipelines on the CI server; `hook`: commit hooks;
    /// `any`: either.
    #[serde(default)]
    pub place: PlaceSpec,
    /// Only jobs whose environment (or name) contains this, e.g. `production`.
    #[serde(default)]
    pub environment: Option<String>,
    /// Leaves out jobs whose environment (or name) contains one of these,
    /// e.g. `demo`, `preview`: a redeploy of a public demo is no delivery
    /// of production.
    #[serde(default)]
    pub not_environment: Vec<String>,
    /// Only jobs with a service container whose image is one of these
    /// (`postgres` matches `postgres:16`, `docker.io/library/postgres`,
    /// `bitnami/postgresql`), e.g. tests that run against a real database.
    #[serde(default)]
    pub with_service: Vec<String>,
    /// Match only steps whose failure is ignored (`continue-on-error`,
    /// `allow_failure`); by default those steps do not count.
    #[serde(default)]
    pub allowed_to_fail: bool,
    /// Every matching job must wait for a job that runs these classes (or
    /// deploys to this environment); jobs that do not are findings.
    #[serde(default)]
    pub gated_by: Option<GateSpec>,
    /// Only test steps whose test code contains this regex: the files of
    /// the test role under the directory the command runs in and the paths
    /// it names (`go test ./store/test/...`), e.g. a call that applies the
    /// project's migrations to the database the tests start.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub tests_containing: Option<Spanned<String>>,
    /// What a hit of `tests_containing` shows, said of the tests in the
    /// message and the evidence (`start their databases with
    /// Testcontainers`); by default, that they apply the migrations.
    #[serde(default)]
    pub tests_evidence: Option<String>,
    /// `found` (default): passes when something matches. `none`: every
    /// match is a finding.
    #[serde(default)]
    pub expect: Expect,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlaceSpec {
    #[default]
    Ci,
    Hook,
    Any,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    #[default]
    Found,
    None,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GateSpec {
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub runs: Vec<Spanned<String>>,
    #[serde(default)]
    pub environment: Option<String>,
}

fn validate_classes(v: &mut Validator<'_>, classes: &[Spanned<String>]) {
    for class in classes {
        if expand_class(&class.value).is_empty() {
            v.error_at(
                class,
                format!(
                    "unknown class `{}`; known: {}, security-scan",
                    class.value,
                    CLASSES.join(", ")
                ),
            );
        }
    }
}

impl CiSpec {
    pub fn validate(&self, v: &mut Validator<'_>) {
        validate_classes(v, &self.runs);
        for event in &self.on {
            if Event::from_id(&event.value).is_none() {
                let known: Vec<&str> = Event::ALL.iter().map(|e| e.id()).collect();
                v.error_at(
                    event,
                    format!(
                        "unknown event `{}`; known: {}",
                        event.value,
                        known.join(", ")
                    ),
                );
            }
        }
        for ecosystem in &self.ecosystem {
            if !crate::repo::ci::vocabulary::ECOSYSTEMS.contains(&ecosystem.value.as_str()) {
                v.error_at(
                    ecosystem,
                    format!("unknown ecosystem `{}`", ecosystem.value),
                );
            }
        }
        if let Some(regex) = &self.tests_containing
            && !v.trusted
            && let Err(message) = crate::scan::compile_regex(&regex.value)
        {
            v.error_at(regex, format!("invalid regex: {message}"));
        }
        if let Some(gate) = &self.gated_by {
            validate_classes(v, &gate.runs);
            if gate.runs.is_empty() && gate.environment.is_none() {
                v.error(v.at, "`gated_by` needs `runs` or `environment`");
            }
        }
    }

    /// The rule, with the search for `tests_containing` in the test code
    /// planned on the walk.
    pub fn plan_with(&self, plan: &mut PlanBuilder, check_id: &str) -> CiRule {
        let mut rule = self.plan();
        if let Some(regex) = &self.tests_containing {
            let previous = plan.set_roles(RoleSet::EMPTY.with(Role::Test));
            let selector = plan.selector(SelectorSpec::from_strs(
                &[],
                &["**/node_modules/**", "**/vendor/**"],
            ));
            rule.tests_containing =
                Some(plan.pattern(selector, &regex.value, PatternOptions::new(check_id)));
            plan.set_roles(previous);
        }
        rule
    }

    pub fn plan(&self) -> CiRule {
        let classes = |list: &[Spanned<String>]| -> Vec<&'static str> {
            list.iter().flat_map(|c| expand_class(&c.value)).collect()
        };
        CiRule {
            runs: classes(&self.runs),
            on: self
                .on
                .iter()
                .filter_map(|e| Event::from_id(&e.value))
                .collect(),
            ecosystem: self.ecosystem.iter().map(|e| e.value.clone()).collect(),
            place: self.place,
            environment: self.environment.as_ref().map(|e| e.to_lowercase()),
            not_environment: self
                .not_environment
                .iter()
                .map(|e| e.to_lowercase())
                .collect(),
            with_service: self.with_service.iter().map(|s| s.to_lowercase()).collect(),
            allowed_to_fail: self.allowed_to_fail,
            gate: self.gated_by.as_ref().map(|g| {
                (
                    classes(&g.runs),
                    g.environment.as_ref().map(|e| e.to_lowercase()),
                )
            }),
            expect: self.expect,
            tests_containing: None,
            tests_evidence: self
                .tests_evidence
                .clone()
                .unwrap_or_else(|| "apply the migrations".to_string()),
            describe: describe(self),
        }
    }
}

fn describe(spec: &CiSpec) -> String {
    let mut text = match spec.runs.is_empty() {
        true => "a job".to_string(),
        false => format!(
            "a step that runs {}",
            spec.runs
                .iter()
                .map(|r| r.value.as_str())
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    };
    if !spec.on.is_empty() {
        text.push_str(&format!(
            " on {}",
            spec.on
                .iter()
                .map(|r| r.value.as_str())
                .collect::<Vec<_>>()
                .join(" or ")
        ));
    }
    if let Some(environment) = &spec.environment {
        text.push_str(&format!(" for {environment}"));
    }
    if !spec.with_service.is_empty() {
        // A long list of images reads better cut short.
        let shown = spec.with_service.len().min(4);
        let more = spec.with_service.len() - shown;
        text.push_str(&format!(
            " in a job with a {} service",
            spec.with_service[..shown].join(" or ")
        ));
        if more > 0 {
            text.push_str(&format!(" (or one of {more} more)"));
        }
    }
    if spec.allowed_to_fail {
        text.push_str(" with its failure ignored");
    }
    if spec.tests_containing.is_some() {
        match &spec.tests_evidence {
            Some(evidence) => text.push_str(&format!(" whose tests {evidence}")),
            None => text.push_str(" whose test code applies the migrations"),
        }
    }
    text
}

/// Whether a job works on the environment `wanted` (lowercase): the
/// environment it declares, or, when it declares none, what it or its
/// pipeline is called (`deploy-production`, a workflow named `Deploy to
/// Production`).
///
/// A job that names no environment at all is taken for production when
/// production is asked for: a project's only deploy (`deploy` on every push
/// to main) ships to its users.
fn targets_environment(pipeline: &Pipeline, job: &Job, wanted: &str) -> bool {
    match &job.environment {
        Some(environment) => environment.to_lowercase().contains(wanted),
        None => {
            let id = job.id.to_lowercase();
            let name = pipeline.name.to_lowercase();
            let short_for_production = |text: &str| {
                text.split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|word| word == "prod" || word == "live")
            };
            id.contains(wanted)
                || name.contains(wanted)
                || (wanted == "production"
                    && (short_for_production(&id)
                        || short_for_production(&name)
                        || (!names_an_environment(&id) && !names_an_environment(&name))))
        }
    }
}

/// Whether a job or pipeline name says which environment it works on
/// (`deploy-staging`, `Deploy nightly`, `deploy_prod`).
fn names_an_environment(name: &str) -> bool {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| {
            matches!(
                word,
                "prod"
                    | "production"
                    | "live"
                    | "staging"
                    | "stage"
                    | "stg"
                    | "dev"
                    | "develop"
                    | "development"
                    | "test"
                    | "testing"
                    | "qa"
                    | "uat"
                    | "preview"
                    | "demo"
                    | "sandbox"
                    | "nightly"
                    | "review"
                    | "canary"
                    | "beta"
                    | "docs"
            )
        })
}

/// Whether a service image (`postgres:16`, `docker.io/bitnami/mysql:8`) is
/// one of `names`, judged on its last path segment without tag or digest;
/// `postgres` also matches `postgresql`, `postgis/postgis` and the like.
fn service_is(image: &str, names: &[String]) -> bool {
    let image = image.to_lowercase();
    let name = image.split(['@', ':']).next().unwrap_or_default();
    let last = name.rsplit('/').next().unwrap_or_default();
    names.iter().any(|wanted| last.starts_with(wanted.as_str()))
}

#[derive(Debug)]
pub struct CiRule {
    runs: Vec<&'static str>,
    on: Vec<Event>,
    ecosystem: Vec<String>,
    place: PlaceSpec,
    environment: Option<String>,
    not_environment: Vec<String>,
    with_service: Vec<String>,
    allowed_to_fail: bool,
    gate: Option<(Vec<&'static str>, Option<String>)>,
    expect: Expect,
    /// The hits of `tests_containing` in the test code.
    tests_containing: Option<PatternId>,
    /// What a hit of `tests_containing` shows (`apply the migrations`).
    tests_evidence: String,
    describe: String,
}

/// A step that matched, with its job and pipeline.
struct Match<'m> {
    pipeline: &'m Pipeline,
    job: &'m Job,
    step: Option<&'m Step>,
}

/// A job whose steps only manage issues and pull requests (`actions/stale`),
/// besides actions that do nothing on their own (checkout, setup).
fn only_housekeeping(job: &Job) -> bool {
    let housekeeping = |s: &Step| s.classes.iter().any(|c| c == "housekeeping");
    job.steps.iter().any(housekeeping)
        && job
            .steps
            .iter()
            .all(|s| housekeeping(s) || (s.uses.is_some() && s.classes.is_empty()))
}

/// What a test command runs: the directory it runs in, narrowed to the
/// paths it names (`go test ./store/test/...`, `pytest tests/db`).
fn test_scope(command: &crate::repo::ci::Command) -> Vec<String> {
    let text = command.chain.last().map_or("", |l| l.text.as_str());
    let mut scopes: Vec<String> = text
        .split_whitespace()
        .skip(1)
        .filter(|w| !w.starts_with('-') && !w.contains("://") && !w.contains('='))
        .filter(|w| w.contains('/') || *w == ".")
        .filter_map(|w| {
            let w = w.trim_end_matches("/...").trim_end_matches('/');
            crate::repo::path::join(&command.dir, w)
        })
        .collect();
    if scopes.is_empty() {
        scopes.push(command.dir.clone());
    }
    scopes
}

fn in_scope(path: &str, scopes: &[String]) -> bool {
    scopes.iter().any(|s| crate::repo::path::within(path, s))
}

impl CiRule {
    pub fn evaluate(&self, evidence: &Evidence) -> Outcome {
        let empty = CiModel::default();
        let tests = self
            .tests_containing
            .map(|id| evidence.pattern(id).hits.as_slice());
        self.evaluate_in(evidence.ci().unwrap_or(&empty), tests)
    }

    fn place_matches(&self, place: Place) -> bool {
        match self.place {
            PlaceSpec::Ci => place == Place::Ci,
            PlaceSpec::Hook => place == Place::Hook,
            PlaceSpec::Any => true,
        }
    }

    fn job_matches(&self, pipeline: &Pipeline, job: &Job) -> bool {
        if job.disabled || pipeline.called_only && self.place != PlaceSpec::Hook {
            return false;
        }
        if !self.on.is_empty()
            && !pipeline
                .job_triggers(job)
                .iter()
                .any(|t| self.on.contains(&t.event))
        {
            return false;
        }
        if let Some(wanted) = &self.environment
            && !targets_environment(pipeline, job, wanted)
        {
            return false;
        }
        if self
            .not_environment
            .iter()
            .any(|unwanted| targets_environment(pipeline, job, unwanted))
        {
            return false;
        }
        if !self.with_service.is_empty()
            && !job
                .services
                .iter()
                .any(|image| service_is(image, &self.with_service))
        {
            return false;
        }
        true
    }

    fn step_matches(&self, job: &Job, step: &Step, tests: Option<&[Hit]>) -> bool {
        let ignored = job.allow_failure || step.allow_failure;
        if ignored != self.allowed_to_fail {
            return false;
        }
        step.commands
            .iter()
            .any(|c| self.command_matches(c) && tests_hit(c, tests).is_some())
    }

    fn command_matches(&self, command: &crate::repo::ci::Command) -> bool {
        command
            .classes
            .iter()
            .any(|c| self.runs.contains(&c.as_str()))
            && (self.ecosystem.is_empty()
                || command.ecosystems.is_empty()
                || command
                    .ecosystems
                    .iter()
                    .any(|e| e == "any" || self.ecosystem.contains(e)))
    }

    fn matches<'m>(&self, model: &'m CiModel, tests: Option<&[Hit]>) -> Vec<Match<'m>> {
        let mut found = Vec::new();
        for pipeline in model
            .pipelines
            .iter()
            .filter(|p| self.place_matches(p.place))
        {
            for job in pipeline
                .jobs
                .iter()
                .filter(|j| self.job_matches(pipeline, j))
            {
                if self.runs.is_empty() {
                    if only_housekeeping(job) {
                        continue;
                    }
                    found.push(Match {
                        pipeline,
                        job,
                        step: None,
                    });
                    continue;
                }
                for step in job
                    .steps
                    .iter()
                    .filter(|s| self.step_matches(job, s, tests))
                {
                    found.push(Match {
                        pipeline,
                        job,
                        step: Some(step),
                    });
                }
            }
        }
        found
    }

    fn finding(&self, m: &Match<'_>, tests: Option<&[Hit]>) -> Finding {
        match m.step {
            Some(step) => {
                let command = step
                    .commands
                    .iter()
                    .find_map(|c| {
                        let hit = tests_hit(c, tests)?;
                        (self.command_matches(c)).then(|| match hit {
                            Some(hit) => format!(
                                "{}; its tests {} ({}:{})",
                                c.describe(),
                                self.tests_evidence,
                                hit.path,
                                hit.line
                            ),
                            None => c.describe(),
                        })
                    })
                    .unwrap_or_default();
                Finding::at(
                    &step.path,
                    Some(step.line),
                    match self.with_service.is_empty() {
                        true => format!("job `{}`: {command}", m.job.id),
                        // The services that made the job match.
                        false => format!(
                            "job `{}` (services: {}): {command}",
                            m.job.id,
                            m.job
                                .services
                                .iter()
                                .filter(|image| service_is(image, &self.with_service))
                                .map(String::as_str)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    },
                )
            }
            None => Finding::at(
                &m.job.path,
                Some(m.job.line),
                format!(
                    "{} job `{}` ({})",
                    m.pipeline.system,
                    m.job.id,
                    triggers(m.pipeline, m.job)
                ),
            ),
        }
    }

    pub fn evaluate_model(&self, model: &CiModel) -> Outcome {
        self.evaluate_in(model, None)
    }

    /// `tests`: the hits of `tests_containing`, when the rule has it.
    fn evaluate_in(&self, model: &CiModel, tests: Option<&[Hit]>) -> Outcome {
        let matches = self.matches(model, tests);
        if let Some((classes, environment)) = &self.gate {
            return self.evaluate_gate(model, &matches, classes, environment.as_deref());
        }
        let read = model
            .pipelines
            .iter()
            .filter(|p| self.place_matches(p.place))
            .count();
        let mut findings: Vec<Finding> = Vec::new();
        for m in &matches {
            let finding = self.finding(m, tests);
            if !findings.contains(&finding) {
                findings.push(finding);
            }
        }
        findings.truncate(SHOWN);
        match (self.expect, matches.is_empty()) {
            (Expect::Found, false) => Outcome::pass(
                format!("{} found in {} place(s)", self.describe, matches.len()),
                findings,
            ),
            (Expect::Found, true) if read == 0 => Outcome::fail(
                match self.place {
                    PlaceSpec::Hook => "no commit hook configuration found",
                    PlaceSpec::Any => "no CI pipeline or commit hook found",
                    PlaceSpec::Ci => "no CI pipeline found",
                },
                Vec::new(),
            ),
            (Expect::Found, true) => Outcome::fail(
                format!(
                    "no {} in the {read} pipeline(s) read",
                    self.describe.trim_start_matches("a ")
                ),
                Vec::new(),
            ),
            (Expect::None, true) => Outcome::pass(
                format!("no {} ", self.describe.trim_start_matches("a "))
                    .trim_end()
                    .to_string(),
                Vec::new(),
            ),
            (Expect::None, false) => Outcome::fail(
                format!("{} found in {} place(s)", self.describe, matches.len()),
                findings,
            ),
        }
    }

    /// Each matching job must (transitively) need a job that runs the gate's
    /// classes or deploys to its environment, or run the gate's classes in
    /// an earlier step of its own.
    fn evaluate_gate(
        &self,
        model: &CiModel,
        matches: &[Match<'_>],
        classes: &[&'static str],
        environment: Option<&str>,
    ) -> Outcome {
        if matches.is_empty() {
            return Outcome::skip(format!("no {}", self.describe.trim_start_matches("a ")));
        }
        let gate = |job: &Job| -> bool {
            let runs = !classes.is_empty()
                && job.steps.iter().any(|s| {
                    !s.allow_failure
                        && s.commands
                            .iter()
                            .any(|c| c.classes.iter().any(|k| classes.contains(&k.as_str())))
                });
            let deploys_to = environment.is_some_and(|wanted| {
                job.environment
                    .as_ref()
                    .is_some_and(|e| e.to_lowercase().contains(wanted))
            });
            (runs || deploys_to) && !job.allow_failure && !job.disabled
        };
        let mut ungated = Vec::new();
        let mut gated = 0;
        let mut seen_jobs: Vec<(&str, &str)> = Vec::new();
        for m in matches {
            if seen_jobs.contains(&(m.pipeline.path.as_str(), m.job.id.as_str())) {
                continue;
            }
            seen_jobs.push((&m.pipeline.path, &m.job.id));
            let earlier_step = m.step.is_some_and(|step| {
                m.job
                    .steps
                    .iter()
                    .take_while(|s| !std::ptr::eq(*s, step))
                    .any(|s| {
                        !s.allow_failure
                            && s.commands
                                .iter()
                                .any(|c| c.classes.iter().any(|k| classes.contains(&k.as_str())))
                    })
            });
            let upstream = needed(m.pipeline, m.job).into_iter().any(gate);
            let after = m.pipeline.after_pipelines.iter().any(|name| {
                model
                    .ci_pipelines()
                    .filter(|p| p.name == *name || p.path.ends_with(&format!("/{name}")))
                    .any(|p| p.jobs.iter().any(gate))
            });
            if earlier_step || upstream || after {
                gated += 1;
            } else {
                ungated.push(self.finding(m, None));
            }
        }
        let what = match (classes.is_empty(), environment) {
            (false, _) => format!("a job that runs {}", classes.join(" or ")),
            (true, Some(env)) => format!("a {env} deploy"),
            (true, None) => "another job".to_string(),
        };
        if ungated.is_empty() {
            Outcome::pass(format!("{gated} job(s) wait for {what}"), Vec::new())
        } else {
            ungated.truncate(SHOWN);
            Outcome::fail(
                format!("{} job(s) do not wait for {what}", ungated.len()),
                ungated,
            )
        }
    }
}

/// Whether a command's tests qualify: `Some(None)` when the rule asks
/// nothing of the test code, `Some(Some(hit))` with the first hit of the
/// test code the command runs, `None` when it runs none of it.
fn tests_hit<'h>(
    command: &crate::repo::ci::Command,
    tests: Option<&'h [Hit]>,
) -> Option<Option<&'h Hit>> {
    let Some(hits) = tests else {
        return Some(None);
    };
    if !command.classes.iter().any(|c| c == "test") {
        return None;
    }
    let scopes = test_scope(command);
    hits.iter()
        .find(|hit| in_scope(&hit.path, &scopes))
        .map(Some)
}

/// Every job `job` waits for, directly or through others.
fn needed<'p>(pipeline: &'p Pipeline, job: &Job) -> Vec<&'p Job> {
    let mut found: Vec<&Job> = Vec::new();
    let mut queue: Vec<String> = job.needs.clone();
    while let Some(id) = queue.pop() {
        if found.iter().any(|j| j.id == id) {
            continue;
        }
        if let Some(other) = pipeline.jobs.iter().find(|j| j.id == id) {
            queue.extend(other.needs.iter().cloned());
            found.push(other);
        }
    }
    found
}

fn triggers(pipeline: &Pipeline, job: &Job) -> String {
    let mut events: Vec<&str> = pipeline
        .job_triggers(job)
        .iter()
        .map(|t| t.event.id())
        .collect();
    events.dedup();
    if events.is_empty() {
        "no trigger".to_string()
    } else {
        format!("on {}", events.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;
    use crate::repo::ci::resolve::Files;
    use crate::repo::ci::vocabulary::Vocabulary;

    fn rule(yaml: &str) -> CiRule {
        let spec: CiSpec = serde_saphyr::from_str(yaml).unwrap();
        spec.plan()
    }

    fn model(files: &[(&str, &str)]) -> CiModel {
        let mut index = Files::default();
        for (path, text) in files {
            index.insert(path, text);
        }
        crate::repo::ci::build(&index, Vocabulary::builtin())
    }

    #[test]
    fn jobs_with_a_database_service() {
        let ci = model(&[(
            ".github/workflows/ci.yml",
            "on: [push]
jobs:
  unit:
    runs-on: ubuntu-latest
    steps:
      - run: go test ./...
  db:
    runs-on: ubuntu-latest
    services:
      pg:
        image: docker.io/library/postgres:16.4
    steps:
      - run: go test ./...
",
        )]);
        let outcome = rule("{ runs: [test], with_service: [postgres, mysql] }").evaluate_model(&ci);
        assert_eq!(outcome.status, Status::Pass, "{}", outcome.message);
        assert!(
            outcome
                .findings
                .iter()
                .all(|f| f.message.contains("job `db`"))
        );
        let outcome = rule("{ runs: [test], with_service: [mysql] }").evaluate_model(&ci);
        assert_eq!(outcome.status, Status::Fail, "{}", outcome.message);
        assert!(service_is("bitnami/postgresql:16", &["postgres".into()]));
        assert!(!service_is("redis:7", &["postgres".into()]));
    }

    #[test]
    fn test_code_counts_only_where_the_test_step_runs_it() {
        let ci = model(&[(
            ".github/workflows/ci.yml",
            "on: [pull_request]
jobs:
  api:
    runs-on: x
    steps:
      - run: go test ./api/...
      # go test ./store/...
      - run: echo go test ./store/...
",
        )]);
        let hits = [Hit {
            path: "store/test/migrator_test.go".to_string(),
            line: 12,
            detail: None,
            fingerprint: None,
        }];
        let rule = rule("{ runs: [test], tests_containing: 'Migrate\\(' }");
        let outcome = rule.evaluate_in(&ci, Some(&hits));
        assert_eq!(outcome.status, Status::Fail, "{}", outcome.message);
        let covered = ci_with("go test -run TestMigrate ./store/...");
        let outcome = rule.evaluate_in(&covered, Some(&hits));
        assert_eq!(outcome.status, Status::Pass, "{}", outcome.message);
        assert!(
            outcome.findings[0]
                .message
                .ends_with("its tests apply the migrations (store/test/migrator_test.go:12)"),
            "{:?}",
            outcome.findings
        );
        // Run from the root without paths, or from the store's folder.
        assert_eq!(
            rule.evaluate_in(&ci_with("go test ./..."), Some(&hits))
                .status,
            Status::Pass
        );
        assert_eq!(
            rule.evaluate_in(&ci_with("cd store && go test ./..."), Some(&hits))
                .status,
            Status::Pass
        );
        assert_eq!(
            rule.evaluate_in(&ci_with("cd web && npm test"), Some(&hits))
                .status,
            Status::Fail
        );
    }

    fn ci_with(run: &str) -> CiModel {
        let workflow =
            format!("on: [push]\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: {run}\n");
        model(&[(".github/workflows/ci.yml", workflow.as_str())])
    }

    #[test]
    fn unknown_classes_and_events_are_pack_errors_with_positions() {
        let pack = "- id: ci.x
  title: Something runs
  category: ci
  severity: low
  stage: beta
  description: d
  remediation: r
  effort: 1h
  rule:
    ci: { runs: [tests], on: [pr] }
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
        assert!(error.contains("unknown class `tests`"), "{error}");
        assert!(error.contains("unknown event `pr`"), "{error}");
    }

    #[test]
    fn deploys_are_judged_by_what_they_wait_for() {
        let workflow = "on: [push]
jobs:
  test:
    runs-on: x
    steps:
      - run: cargo test
  deploy:
    needs: test
    runs-on: x
    steps:
      - run: kubectl apply -f k8s
  hotfix-deploy:
    runs-on: x
    steps:
      - run: helm upgrade app chart
";
        let model = model(&[(".github/workflows/ci.yml", workflow)]);
        let outcome = rule("{ runs: [deploy], gated_by: { runs: [test] } }").evaluate_model(&model);
        assert_eq!(outcome.status, Status::Fail, "{}", outcome.message);
        assert_eq!(outcome.findings.len(), 1);
        assert!(
            outcome.findings[0].message.contains("hotfix-deploy"),
            "{:?}",
            outcome.findings
        );
        // Deploys that name no environment ship to production; a job that
        // names another one (`deploy-nightly`) does not.
        let staging =
            rule("{ runs: [deploy], environment: production, gated_by: { environment: staging } }");
        let unnamed = staging.evaluate_model(&model);
        assert_eq!(unnamed.status, Status::Fail, "{}", unnamed.message);
        assert_eq!(unnamed.findings.len(), 2);
        let nightly = workflow
            .replace("  deploy:", "  deploy-nightly:")
            .replace("hotfix-deploy", "hotfix-deploy-staging");
        let nightly = self::model(&[(".github/workflows/ci.yml", nightly.as_str())]);
        assert_eq!(staging.evaluate_model(&nightly).status, Status::Skip);
        let on_pr = rule("{ runs: [test], on: [pull_request] }").evaluate_model(&model);
        assert_eq!(on_pr.status, Status::Fail);
        assert_eq!(
            on_pr.message,
            "no step that runs test on pull_request in the 1 pipeline(s) read"
        );
    }

    #[test]
    fn a_production_deploy_is_known_by_its_workflow_name() {
        let workflow = "name: Deploy to Production
on:
  push:
    tags: ['*']
jobs:
  deploy:
    runs-on: x
    steps:
      - run: kubectl apply -f k8s
";
        let model = model(&[(".github/workflows/deploy.yml", workflow)]);
        let staging =
            rule("{ runs: [deploy], environment: production, gated_by: { environment: staging } }");
        let outcome = staging.evaluate_model(&model);
        assert_eq!(outcome.status, Status::Fail, "{}", outcome.message);
        // A job that declares another environment is not production,
        // whatever its workflow is called.
        let declared = workflow.replace("runs-on: x", "runs-on: x\n    environment: preview");
        let model = self::model(&[(".github/workflows/deploy.yml", declared.as_str())]);
        assert_eq!(staging.evaluate_model(&model).status, Status::Skip);
    }

    #[test]
    fn a_demo_redeploy_is_left_out_when_asked() {
        let workflow = "name: Demo Deploy
on:
  workflow_dispatch:
jobs:
  deploy-demo:
    runs-on: x
    steps:
      - run: flyctl deploy
";
        let model = model(&[(".github/workflows/demo.yml", workflow)]);
        let gated = |extra: &str| {
            rule(&format!(
                "{{ runs: [deploy], {extra}gated_by: {{ runs: [test] }} }}"
            ))
            .evaluate_model(&model)
            .status
        };
        assert_eq!(gated(""), Status::Fail);
        assert_eq!(gated("not_environment: [demo, preview], "), Status::Skip);
    }
}
