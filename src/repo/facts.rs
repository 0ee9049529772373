//! `readyctl facts`: the repository model as readyctl sees it, so a user can
//! see why a check applied (or did not) and correct it in `readyctl.toml`.

use super::artefacts::{self, COMPOSE_FILES, DOCKERFILES};
use super::projects::{self, Project};
use super::roles::RoleMap;
use crate::config::Config;
use crate::model::Role;
use crate::scan::{
    self, PatternOptions, PlanBuilder, RoleCount, ScanError, ScanOptions, SelectorSpec,
};
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;

/// A literal no file contains: a content pattern on every file makes the
/// walk read each one, as an audit does, so generated-code headers are
/// found and counted.
const READ_EVERY_FILE: &str = "readyctl-facts:\x01never";

#[derive(Debug, Clone, Serialize)]
pub struct Facts {
    /// Files walked per role, with the first few paths of each.
    pub roles: Vec<RoleCount>,
    pub projects: Vec<Project>,
    /// Every Dockerfile, and whether runtime rules judge it.
    pub dockerfiles: Vec<Choice>,
    /// Compose deployments runtime rules judge (files in merge order), then
    /// the Compose files they leave alone.
    pub compose: Vec<Choice>,
    /// Kubernetes manifests, kustomizations and Helm charts, and whether
    /// runtime rules judge their objects as production.
    pub kubernetes: Vec<Choice>,
    /// What the pipelines and commit hooks run: jobs, triggers and each
    /// step's commands with what they were classified as.
    pub ci: super::ci::CiModel,
    /// Per project: whether its linter, formatter and type checker are
    /// configured, and what enforces them.
    pub tooling: super::tooling::Tooling,
    /// HEAD, branches, tags, the working tree: what git records.
    pub git: super::git::Git,
}

/// One artefact and what readyctl makes of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// The files: one, or a base with its overlays in merge order.
    pub files: Vec<String>,
    pub role: Role,
    /// Judged by runtime rules as the production artefact.
    pub judged: bool,
    pub reason: String,
}

/// Walks the repository at `root` once and builds the model.
pub fn gather(root: &Path, config: &Config, options: &ScanOptions) -> Result<Facts, ScanError> {
    let roles = Arc::new(RoleMap::new(&config.roles, root));
    let mut options = options.clone();
    options.roles = Some(roles);
    let mut plan = PlanBuilder::new();
    let every = plan.selector(SelectorSpec::from_strs(&[], &[]));
    plan.pattern(
        every,
        &regex_literal(READ_EVERY_FILE),
        PatternOptions::new("facts"),
    );
    let manifest_globs = projects::manifest_globs();
    let manifest_globs: Vec<&str> = manifest_globs.iter().map(String::as_str).collect();
    let manifests = plan.selector(SelectorSpec::from_strs(&manifest_globs, &[]));
    let manifests = plan.documents(manifests, false);
    let dockerfiles = plan.selector(SelectorSpec::from_strs(
        DOCKERFILES,
        artefacts::NOT_DOCKERFILES,
    ));
    let dockerfiles = plan.documents(dockerfiles, false);
    let compose = plan.selector(SelectorSpec::from_strs(COMPOSE_FILES, &[]));
    let compose = plan.documents(compose, false);
    let kubernetes = plan.keep_contents(SelectorSpec::from_strs(
        super::kubernetes::FILES,
        super::kubernetes::EXCLUDE,
    ));
    let previous = plan.set_roles(super::roles::OWN);
    let ci_plan = super::ci::CiPlan::plan(&mut plan);
    let tooling_plan = super::tooling::ToolingPlan::plan(&mut plan);
    plan.set_roles(super::roles::OWN.without(Role::Docs));
    let builds_plan = super::builds::BuildsPlan::plan(&mut plan);
    plan.set_roles(previous);
    let plan = plan.build().map_err(ScanError::Plan)?;
    let evidence = scan::scan(root, &plan, &options)?;
    let with_roles = |id| -> Vec<(String, Role)> {
        evidence
            .documents(id)
            .files
            .iter()
            .map(|d| (d.path.clone(), evidence.role_of(&d.path)))
            .collect()
    };
    let builds = builds_plan.build(&evidence);
    let dockerfiles = with_roles(dockerfiles)
        .into_iter()
        .map(|(path, role)| {
            let not_runtime =
                artefacts::dockerfile_not_runtime(&path, role).or_else(|| builds.not_built(&path));
            Choice {
                files: vec![path],
                role,
                judged: not_runtime.is_none(),
                reason: not_runtime.unwrap_or_else(|| "may build the runtime image".to_string()),
            }
        })
        .collect();
    let compose_files = with_roles(compose);
    let role_of = |path: &str| evidence.role_of(path);
    let (chains, unjudged) = artefacts::compose_chains(&compose_files);
    let mut compose: Vec<Choice> = chains
        .into_iter()
        .map(|chain| Choice {
            role: role_of(&chain.files[0]),
            files: chain.files,
            judged: true,
            reason: chain.reason,
        })
        .collect();
    compose.extend(unjudged.into_iter().map(|u| Choice {
        role: role_of(&u.path),
        files: vec![u.path],
        judged: false,
        reason: u.reason,
    }));
    let kubernetes = kubernetes_choices(&evidence, kubernetes);
    let ci = ci_plan.build(&evidence);
    Ok(Facts {
        roles: evidence.role_counts().to_vec(),
        projects: projects::projects(&with_roles(manifests)),
        dockerfiles,
        compose,
        kubernetes,
        tooling: tooling_plan.build(&evidence, &ci).with_manifests(),
        ci,
        git: super::git::gather(root),
    })
}

/// Every Kubernetes artefact, with its origin, why it is (not) judged and
/// what static reading could not read or decide.
fn kubernetes_choices(evidence: &scan::Evidence, selector: scan::SelectorId) -> Vec<Choice> {
    super::kubernetes::kept_artefacts(evidence, selector)
        .iter()
        .map(|a| {
            let mut reason = format!("{}: {}", a.origin.name(), a.reason);
            if !a.notes.is_empty() {
                reason.push_str(&format!("; {}", a.notes.join("; ")));
            }
            let undecided: Vec<&str> = a
                .undecided
                .iter()
                .map(String::as_str)
                .filter(|r| !r.is_empty())
                .collect();
            if !undecided.is_empty() {
                reason.push_str(&format!(
                    "; cannot decide statically: {}",
                    undecided.join(", ")
                ));
            }
            Choice {
                files: vec![a.path.clone()],
                role: a.role,
                judged: a.judged,
                reason,
            }
        })
        .collect()
}

fn regex_literal(text: &str) -> String {
    regex::escape(text)
}
