//! The CI model: what the repository's pipelines and commit hooks run.
//!
//! Built once per audit from files the single scan kept: [`CiPlan::plan`]
//! asks the walk to keep every pipeline file and every file a step may call
//! (Makefiles, package.json, scripts, …); [`CiPlan::build`] reads them with
//! one reader per CI system ([`readers`]), follows each step's commands
//! ([`resolve`], [`targets`]) and classifies them with the shared
//! [`vocabulary`]. Rules query the result (the `ci` rule kind); stack
//! detection takes its CI systems from it.

pub mod model;
pub mod readers;
pub mod resolve;
pub mod services;
pub mod shell;
pub mod targets;
pub mod vocabulary;

pub use model::{CiModel, Command, Event, Job, Link, Pipeline, Place, Step, Trigger};

use crate::scan::{Evidence, PlanBuilder, SelectorId, SelectorSpec};
use readers::Reader;
use resolve::{Files, Resolver};
use vocabulary::{Vocabulary, wildcard};

/// The CI model as the rules read it: built once per audit and attached to
/// the evidence by the engine, right after the scan.
pub trait CiFact {
    fn ci(&self) -> Option<&CiModel>;
}

impl CiFact for Evidence {
    fn ci(&self) -> Option<&CiModel> {
        self.fact::<CiModel>()
    }
}

/// Pipeline files, by CI system id (the ids stack detection reports).
pub const SYSTEMS: &[(&str, &[&str])] = &[
    (
        "github-actions",
        &[".github/workflows/*.yml", ".github/workflows/*.yaml"],
    ),
    ("gitlab-ci", &[".gitlab-ci.yml", ".gitlab-ci.yaml"]),
    (
        "circleci",
        &[".circleci/config.yml", ".circleci/config.yaml"],
    ),
    (
        "jenkins",
        &["Jenkinsfile", "**/Jenkinsfile", "Jenkinsfile.*"],
    ),
    (
        "azure-pipelines",
        &[
            "azure-pipelines.yml",
            "azure-pipelines.yaml",
            ".azure-pipelines/*.yml",
            ".azure-pipelines/*.yaml",
            ".azuredevops/*.yml",
        ],
    ),
    (
        "bitbucket-pipelines",
        &["bitbucket-pipelines.yml", "bitbucket-pipelines.yaml"],
    ),
    ("travis", &[".travis.yml", ".travis.yaml"]),
    (
        "buildkite",
        &[
            ".buildkite/*.yml",
            ".buildkite/*.yaml",
            "buildkite.yml",
            "buildkite.yaml",
        ],
    ),
    ("drone", &[".drone.yml", ".drone.yaml"]),
    (
        "woodpecker",
        &[
            ".woodpecker.yml",
            ".woodpecker.yaml",
            ".woodpecker/*.yml",
            ".woodpecker/*.yaml",
        ],
    ),
];

/// Hook configurations.
const HOOKS: &[&str] = &[
    ".pre-commit-config.yaml",
    ".pre-commit-config.yml",
    "lefthook.yml",
    "lefthook.yaml",
    ".lefthook.yml",
    ".lefthook.yaml",
    ".husky/pre-commit",
    ".husky/pre-push",
    ".husky/commit-msg",
];

/// Files a step may call: read only when a command reaches them.
const CALLED: &[&str] = &[
    "Makefile",
    "makefile",
    "GNUmakefile",
    "**/Makefile",
    "*.mk",
    "**/*.mk",
    "justfile",
    "Justfile",
    ".justfile",
    "**/justfile",
    "Taskfile.yml",
    "Taskfile.yaml",
    "taskfile.yml",
    "taskfile.yaml",
    "Taskfile.dist.yml",
    "**/Taskfile.yml",
    "package.json",
    "**/package.json",
    "**/*.sh",
    "**/*.bash",
    "scripts/*",
    "scripts/*/*",
    "script/*",
    "bin/*",
    "ci/*",
    ".ci/*",
    "hack/*",
    "tools/*",
    ".github/scripts/*",
    "*/scripts/*",
    "*/*/scripts/*",
    ".lintstagedrc",
    ".lintstagedrc.*",
    "lint-staged.config.*",
    "composer.json",
    "**/composer.json",
    "Pipfile",
    "**/Pipfile",
    "pyproject.toml",
    "**/pyproject.toml",
    "tox.ini",
    "**/tox.ini",
    "noxfile.py",
    "pom.xml",
    "**/pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "**/build.gradle",
    "**/build.gradle.kts",
    ".cargo/config.toml",
    ".cargo/config",
    "docker-compose.yml",
    "docker-compose.yaml",
    "compose.yml",
    "compose.yaml",
    "**/docker-compose*.yml",
    "**/docker-compose*.yaml",
    "**/compose*.yml",
    "**/compose*.yaml",
    ".github/actions/**/action.yml",
    ".github/actions/**/action.yaml",
    "**/action.yml",
    "**/action.yaml",
    ".gitlab/**/*.yml",
    ".gitlab/**/*.yaml",
    "ci/**/*.yml",
    ".ci/**/*.yml",
    "**/*.gitlab-ci.yml",
    // Trivy's configuration: which scanners a `trivy` command runs.
    "trivy.yaml",
    "trivy.yml",
    "**/trivy*.yaml",
    "**/trivy*.yml",
];

const NOT_THE_PROJECT: &[&str] = &[
    "**/node_modules/**",
    "**/vendor/**",
    "**/.venv/**",
    "**/venv/**",
    "**/testdata/**",
];

/// Planned reading: the pipeline and hook files (of the roles the caller
/// asks for: the project's own), and the files a step may call.
#[derive(Debug)]
pub struct CiPlan {
    pipelines: SelectorId,
    called: SelectorId,
}

impl CiPlan {
    pub fn plan(plan: &mut PlanBuilder) -> CiPlan {
        let mut include: Vec<&str> = SYSTEMS
            .iter()
            .flat_map(|(_, globs)| globs.iter().copied())
            .collect();
        include.extend_from_slice(HOOKS);
        let pipelines = plan.keep_contents(SelectorSpec::from_strs(&include, NOT_THE_PROJECT));
        // What the project's own pipeline calls runs, whatever its role: a
        // `make dist` that builds a front end the project marks
        // `linguist-vendored` still runs that front end's `prebuild` lint.
        let previous = plan.set_roles(crate::model::RoleSet::ALL);
        let called = plan.keep_contents(SelectorSpec::from_strs(CALLED, NOT_THE_PROJECT));
        plan.set_roles(previous);
        CiPlan { pipelines, called }
    }

    pub fn build(&self, evidence: &Evidence) -> CiModel {
        let mut files = Files::default();
        let mut pipelines = std::collections::BTreeSet::new();
        for file in evidence.kept(self.pipelines) {
            files.insert(&file.path, &file.text);
            pipelines.insert(file.path.as_str());
        }
        for file in evidence.kept(self.called) {
            files.insert(&file.path, &file.text);
        }
        build_from(
            &files,
            &|path| pipelines.contains(path),
            Vocabulary::builtin(),
        )
    }
}

/// The CI model of the repository at `root`, from a walk of its own: for
/// callers that want it without running checks (`readyctl facts`, tests).
/// The same reading an audit does.
pub fn read(
    root: &std::path::Path,
    options: &crate::scan::ScanOptions,
) -> Result<CiModel, crate::scan::ScanError> {
    let mut plan = PlanBuilder::new();
    let ci_plan = CiPlan::plan(&mut plan);
    let plan = plan.build().map_err(crate::scan::ScanError::Plan)?;
    let evidence = crate::scan::scan(root, &plan, options)?;
    Ok(ci_plan.build(&evidence))
}

fn system_of(path: &str) -> Option<&'static str> {
    SYSTEMS
        .iter()
        .find(|(_, globs)| globs.iter().any(|g| glob_matches(g, path)))
        .map(|(id, _)| *id)
}

/// The globs above only use `*` within one path segment and a leading
/// `**/`; matching them needs no glob engine.
fn glob_matches(glob: &str, path: &str) -> bool {
    match glob.strip_prefix("**/") {
        Some(rest) => {
            glob_matches(rest, path)
                || path
                    .match_indices('/')
                    .any(|(i, _)| glob_matches(rest, &path[i + 1..]))
        }
        None => glob.matches('/').count() == path.matches('/').count() && wildcard(glob, path),
    }
}

/// The model of the files in `files` (paths relative to the root).
pub fn build(files: &Files<'_>, vocabulary: &Vocabulary) -> CiModel {
    build_from(files, &|_| true, vocabulary)
}

/// [`build`], reading as pipelines and hooks only the files `is_pipeline`
/// accepts (the others are only followed when a step calls them).
fn build_from(
    files: &Files<'_>,
    is_pipeline: &dyn Fn(&str) -> bool,
    vocabulary: &Vocabulary,
) -> CiModel {
    let mut model = CiModel::default();
    let bare = Resolver {
        files,
        vocabulary,
        hooks: Vec::new(),
    };
    let reader = Reader { resolver: &bare };
    let mut hook_pipelines = Vec::new();
    for path in files.paths().filter(|p| is_pipeline(p)) {
        let Some(text) = files.get(path) else {
            continue;
        };
        let read = if path.starts_with(".pre-commit-config.") {
            readers::hooks::pre_commit(&reader, path, text)
        } else if path.starts_with("lefthook.") || path.starts_with(".lefthook.") {
            readers::hooks::lefthook(&reader, path, text)
        } else if HOOKS.contains(&path) && path.starts_with(".husky/") {
            Ok(readers::hooks::husky(&reader, path, text))
        } else {
            continue;
        };
        match read {
            Ok(pipeline) => hook_pipelines.push(pipeline),
            Err(problem) => model.problems.push(problem),
        }
    }
    // `pre-commit run` in CI runs what the pre-commit configuration lists.
    let hook_commands = hook_pipelines
        .iter()
        .filter(|p| p.system == "pre-commit")
        .flat_map(|p| {
            p.jobs
                .iter()
                .flat_map(|j| j.steps.iter().flat_map(|s| s.commands.iter().cloned()))
        })
        .collect();
    let resolver = Resolver {
        files,
        vocabulary,
        hooks: hook_commands,
    };
    let reader = Reader {
        resolver: &resolver,
    };
    let mut systems = std::collections::BTreeSet::new();
    for path in files.paths().filter(|p| is_pipeline(p)) {
        let Some(system) = system_of(path) else {
            continue;
        };
        let Some(text) = files.get(path) else {
            continue;
        };
        let read = match system {
            "github-actions" => readers::github::read(&reader, path, text),
            "gitlab-ci" => readers::gitlab::read(&reader, path, text),
            "circleci" => readers::others::circleci(&reader, path, text),
            "jenkins" => readers::jenkins::read(&reader, path, text),
            "azure-pipelines" => readers::others::azure(&reader, path, text),
            "bitbucket-pipelines" => readers::others::bitbucket(&reader, path, text),
            "travis" => readers::others::travis(&reader, path, text),
            "buildkite" => readers::others::buildkite(&reader, path, text),
            "drone" | "woodpecker" => {
                readers::others::woodpecker_or_drone(&reader, system, path, text)
            }
            _ => continue,
        };
        // A file that names the system is evidence of it even when broken.
        systems.insert(system.to_string());
        match read {
            Ok(pipeline) => model.pipelines.push(pipeline),
            Err(problem) => model.problems.push(problem),
        }
    }
    for pipeline in &mut model.pipelines {
        test_clusters(pipeline);
        mark_named_deploys(pipeline);
        generated_release_notes(pipeline);
        services::started_by_steps(pipeline, files);
    }
    model.pipelines.extend(hook_pipelines);
    model.systems = systems.into_iter().collect();
    model
}

/// Programs that act on whatever cluster the job's kubeconfig points at.
const CLUSTER_CLIENTS: &[&str] = &[
    "kubectl",
    "helm",
    "helmfile",
    "skaffold",
    "kustomize",
    "argocd",
    "kapp",
    "kubectl-argo-rollouts",
];

/// A job that starts a throw-away cluster (kind, minikube, k3d) and then
/// applies the manifests to it tests the manifests: it deploys nothing
/// anyone uses, so those commands are no deploy (nor rollback). Only what
/// runs after the cluster starts, and only cluster clients: a `flyctl
/// deploy` in the same job still deploys.
fn test_clusters(pipeline: &mut Pipeline) {
    for job in &mut pipeline.jobs {
        let mut started = false;
        for step in &mut job.steps {
            let client_action = step
                .uses
                .as_deref()
                .is_some_and(|uses| uses.starts_with("azure/k8s-") || uses.starts_with("helm/"));
            let mut changed = false;
            for command in &mut step.commands {
                if started && (client_action || runs_cluster_client(command)) {
                    let before = command.classes.len();
                    command.classes.retain(|c| c != "deploy" && c != "rollback");
                    changed |= command.classes.len() != before;
                }
                started |= command.classes.iter().any(|c| c == "test-cluster");
            }
            if changed {
                step.classify();
            }
            started |= step.classes.iter().any(|c| c == "test-cluster");
        }
    }
}

/// A release the job creates with notes an earlier command of the same job
/// wrote (`./scripts/notes.py > notes.md`, then `gh release create v1
/// --notes-file notes.md`) is described by the pipeline, the same way
/// whoever cuts it: release notes, as much as a named tool's. Notes read
/// from a file nothing in the job writes (a hand-kept `CHANGELOG.md`) are
/// not.
fn generated_release_notes(pipeline: &mut Pipeline) {
    for job in &mut pipeline.jobs {
        let mut written: Vec<String> = Vec::new();
        for step in &mut job.steps {
            let mut changed = false;
            for command in &mut step.commands {
                let Some(link) = command.chain.last() else {
                    continue;
                };
                let words: Vec<&str> = link.text.split_whitespace().collect();
                if let Some(notes) = release_notes_file(&words)
                    && written.iter().any(|w| same_file(w, notes))
                    && !command.classes.iter().any(|c| c == "release-notes")
                {
                    command.classes.push("release-notes".to_string());
                    command.classes.sort();
                    changed = true;
                }
                written.extend(redirect_targets(&words));
            }
            if changed {
                step.classify();
            }
        }
    }
}

/// The notes file of `gh release create … --notes-file F` (`-F F`,
/// `--notes-file=F`).
fn release_notes_file<'w>(words: &[&'w str]) -> Option<&'w str> {
    let gh = words
        .first()
        .is_some_and(|w| vocabulary::program_name(w) == "gh");
    if !gh || words.get(1) != Some(&"release") || words.get(2) != Some(&"create") {
        return None;
    }
    words.iter().enumerate().find_map(|(i, word)| {
        if *word == "--notes-file" || *word == "-F" {
            words.get(i + 1).copied()
        } else {
            word.strip_prefix("--notes-file=")
        }
    })
}

/// Files a command's output is written to: `> F`, `>> F`, `>F`, `tee F`.
fn redirect_targets(words: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut tee = false;
    for (i, word) in words.iter().enumerate() {
        if *word == ">" || *word == ">>" || *word == "1>" {
            if let Some(file) = words.get(i + 1) {
                out.push(file.to_string());
            }
        } else if let Some(file) = word.strip_prefix(">>").or_else(|| word.strip_prefix('>'))
            && !file.is_empty()
            && !file.starts_with('&')
        {
            out.push(file.to_string());
        } else if *word == "|" || vocabulary::program_name(word) == "tee" {
            tee = vocabulary::program_name(word) == "tee";
        } else if tee && !word.starts_with('-') {
            out.push(word.to_string());
        }
    }
    out
}

/// `./notes.md` and `notes.md` are one file.
fn same_file(a: &str, b: &str) -> bool {
    a.trim_start_matches("./") == b.trim_start_matches("./")
}

/// Whether the command a chain ends with is a cluster client.
fn runs_cluster_client(command: &Command) -> bool {
    let text = command.chain.last().map_or("", |l| l.text.as_str());
    let words = resolve::strip_wrappers(text.split_whitespace().map(str::to_string).collect());
    words
        .first()
        .is_some_and(|w| CLUSTER_CLIENTS.contains(&vocabulary::program_name(w).as_str()))
}

/// A job named as a deploy (`deploy-production`, a one-job workflow called
/// "Deploy to Production") deploys, even when how it does so (a `git push` to
/// a release branch, a webhook) names no deploy tool. Documentation sites are
/// not the product.
fn mark_named_deploys(pipeline: &mut Pipeline) {
    let names_deploy = |name: &str| {
        let lower = name.to_lowercase();
        // `notify_on_tag_deploy` tells people about a deploy.
        lower.contains("deploy")
            && !is_docs(&lower)
            && !lower.contains("preview")
            && !lower.contains("notif")
    };
    // A pipeline that publishes the documentation site deploys no product,
    // whatever its jobs are called or use (`actions/deploy-pages`).
    let docs = is_docs(&pipeline.name.to_lowercase()) || is_docs(&pipeline.path.to_lowercase());
    if docs {
        for job in &mut pipeline.jobs {
            for step in &mut job.steps {
                step.classes.retain(|c| c != "deploy");
                for command in &mut step.commands {
                    command.classes.retain(|c| c != "deploy");
                }
            }
        }
        return;
    }
    let single = pipeline.jobs.len() == 1 && names_deploy(&pipeline.name);
    for job in &mut pipeline.jobs {
        let deploys = job
            .steps
            .iter()
            .any(|s| s.classes.iter().any(|c| c == "deploy"));
        // `deploy-and-test-cluster` deploys to the cluster it starts.
        let test_cluster = job
            .steps
            .iter()
            .any(|s| s.classes.iter().any(|c| c == "test-cluster"));
        if deploys || test_cluster || job.steps.is_empty() || !(single || names_deploy(&job.id)) {
            continue;
        }
        let text = format!("job `{}` deploys, by its name", job.id);
        let command = Command {
            chain: vec![Link {
                path: job.path.clone(),
                line: job.line,
                text,
            }],
            classes: vec!["deploy".to_string()],
            ecosystems: vec!["any".to_string()],
            dir: String::new(),
            excluded: Vec::new(),
        };
        let step = readers::step(
            Some(job.id.clone()),
            &job.path,
            job.line,
            None,
            vec![command],
        );
        job.steps.push(step);
    }
}

/// A name about the documentation site (`docs`, `publish-github-pages`,
/// `storybook`); `docker` is not `doc`.
fn is_docs(lower: &str) -> bool {
    [
        "docs",
        "documentation",
        "pages",
        "storybook",
        "mkdocs",
        "sphinx",
    ]
    .iter()
    .any(|w| lower.contains(w))
        || lower
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| word == "doc")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documentation_pipelines_are_named_so() {
        assert!(is_docs("publish-github-pages"));
        assert!(is_docs(".github/workflows/ci-docs.yml"));
        assert!(is_docs("deploy doc site"));
        assert!(!is_docs(".github/workflows/deploy-docker-compose.yml"));
        assert!(!is_docs("deploy"));
    }

    #[test]
    fn pipeline_files_are_recognised_by_system() {
        assert_eq!(
            system_of(".github/workflows/ci.yml"),
            Some("github-actions")
        );
        assert_eq!(system_of(".woodpecker/test.yml"), Some("woodpecker"));
        assert_eq!(system_of("deploy/Jenkinsfile"), Some("jenkins"));
        assert_eq!(system_of(".github/workflows/sub/ci.yml"), None);
        assert_eq!(system_of("Makefile"), None);
    }
}
