//! GitHub Actions: `.github/workflows/*.yml`, with local composite actions
//! (`uses: ./.github/actions/x`) and reusable workflows of the same
//! repository (`uses: ./.github/workflows/y.yml`) read where they are used.

use super::{
    Reader, branches, env_of, environment_in_name, is_false, is_true, script_text, step, strings,
};
use crate::document::{Documents, Format, Node, Value};
use crate::repo::ci::model::{Command, Event, Job, Link, Pipeline, Place, Step, Trigger};
use crate::repo::ci::resolve::Origin;
use crate::repo::path::join;

/// Local actions and workflows calling each other are followed this deep.
const MAX_NESTING: usize = 4;

pub fn read(reader: &Reader<'_>, path: &str, text: &str) -> Result<Pipeline, String> {
    let docs = Documents::parse(Format::Yaml, text);
    if let Some(error) = docs.error {
        return Err(format!("{path}: {}", error.message));
    }
    let root = docs.docs.first().ok_or_else(|| format!("{path}: empty"))?;
    let (triggers, after_pipelines) = triggers(root.get("on"));
    let called_only = !triggers.is_empty()
        && triggers.iter().all(|t| t.event == Event::Pipeline)
        && after_pipelines.is_empty();
    let name = root
        .get("name")
        .and_then(Node::scalar_text)
        .unwrap_or_else(|| path.rsplit('/').next().unwrap_or(path).to_string());
    let jobs = jobs(reader, path, text, root, 0);
    Ok(Pipeline {
        system: "github-actions".to_string(),
        place: Place::Ci,
        path: path.to_string(),
        name,
        triggers,
        jobs,
        called_only,
        after_pipelines,
    })
}

fn triggers(on: Option<&Node>) -> (Vec<Trigger>, Vec<String>) {
    let mut found = Vec::new();
    let mut after = Vec::new();
    let Some(on) = on else { return (found, after) };
    let entries: Vec<(String, Option<&Node>)> = match &on.value {
        Value::String(s) => vec![(s.to_string(), None)],
        Value::Seq(items) => items
            .iter()
            .filter_map(Node::scalar_text)
            .map(|s| (s, None))
            .collect(),
        Value::Map(entries) => entries
            .iter()
            .map(|(k, v)| (k.to_string(), Some(v)))
            .collect(),
        _ => Vec::new(),
    };
    for (event, config) in entries {
        match event.as_str() {
            "push" => {
                let tags = config.and_then(|c| c.get("tags")).is_some();
                let has_branches = config.and_then(|c| c.get("branches")).is_some();
                if tags {
                    let mut tag = Trigger::on(Event::Tag);
                    tag.branches = strings(config.and_then(|c| c.get("tags")));
                    found.push(tag);
                }
                if has_branches || !tags {
                    let mut push = Trigger::on(Event::Push);
                    push.branches = branches(config);
                    found.push(push);
                }
            }
            "pull_request" | "pull_request_target" | "merge_group" => {
                let mut pr = Trigger::on(Event::PullRequest);
                pr.branches = branches(config);
                found.push(pr);
            }
            "schedule" => {
                let crons: Vec<String> = match config.map(|c| &c.value) {
                    Some(Value::Seq(items)) => items
                        .iter()
                        .filter_map(|i| i.get("cron").and_then(Node::scalar_text))
                        .collect(),
                    _ => Vec::new(),
                };
                if crons.is_empty() {
                    found.push(Trigger::on(Event::Schedule));
                }
                for cron in crons {
                    let mut trigger = Trigger::on(Event::Schedule);
                    trigger.cron = Some(cron);
                    found.push(trigger);
                }
            }
            "workflow_dispatch" | "repository_dispatch" => found.push(Trigger::on(Event::Manual)),
            "release" | "create" => found.push(Trigger::on(Event::Tag)),
            "workflow_call" => found.push(Trigger::on(Event::Pipeline)),
            "workflow_run" => {
                found.push(Trigger::on(Event::Pipeline));
                after.extend(strings(config.and_then(|c| c.get("workflows"))));
            }
            _ => {}
        }
    }
    (found, after)
}

fn jobs(reader: &Reader<'_>, path: &str, text: &str, root: &Node, nesting: usize) -> Vec<Job> {
    let Some(Value::Map(entries)) = root.get("jobs").map(|j| &j.value) else {
        return Vec::new();
    };
    let workflow_env = env_of(root.get("env"));
    let default_cwd = root
        .get("defaults")
        .and_then(|d| d.get("run"))
        .and_then(|r| r.get("working-directory"))
        .and_then(Node::scalar_text);
    entries
        .iter()
        .map(|(id, node)| {
            let mut job = Job::new(id.to_string(), path, node.line().unwrap_or(1));
            job.needs = strings(node.get("needs"));
            job.disabled = is_false(node.get("if"));
            job.allow_failure = is_true(node.get("continue-on-error"));
            job.environment = node
                .get("environment")
                .and_then(|e| {
                    e.scalar_text()
                        .or_else(|| e.get("name").and_then(Node::scalar_text))
                })
                .or_else(|| {
                    let name = node
                        .get("name")
                        .and_then(Node::scalar_text)
                        .unwrap_or_else(|| id.to_string());
                    environment_in_name(&name)
                });
            if let Some(Value::Map(services)) = node.get("services").map(|s| &s.value) {
                job.services = services
                    .iter()
                    .map(|(name, s)| {
                        s.get("image")
                            .and_then(Node::scalar_text)
                            .or_else(|| s.scalar_text())
                            .unwrap_or_else(|| name.to_string())
                    })
                    .collect();
            }
            let cwd = node
                .get("defaults")
                .and_then(|d| d.get("run"))
                .and_then(|r| r.get("working-directory"))
                .and_then(Node::scalar_text)
                .or_else(|| default_cwd.clone())
                .unwrap_or_default();
            if let Some(uses) = node.get("uses").and_then(Node::scalar_text) {
                let (steps, services) = called_workflow(reader, path, node, &uses, nesting);
                job.steps = steps;
                job.services.extend(services);
            } else if let Some(steps) = node.get("steps") {
                let mut env = workflow_env.clone();
                env.extend(env_of(node.get("env")));
                job.steps = steps_of(reader, path, text, steps, &cwd, &env, nesting);
            }
            job
        })
        .collect()
}

/// A job that calls a reusable workflow: the called workflow's steps (and
/// its jobs' service containers) when it is in this repository, else a step
/// classified by its name.
fn called_workflow(
    reader: &Reader<'_>,
    path: &str,
    node: &Node,
    uses: &str,
    nesting: usize,
) -> (Vec<Step>, Vec<String>) {
    let line = node
        .get("uses")
        .and_then(Node::line)
        .or(node.line())
        .unwrap_or(1);
    if let Some(local) = uses.strip_prefix("./")
        && nesting < MAX_NESTING
        && let Some(called) = reader.resolver.files.get(local)
    {
        let docs = Documents::parse(Format::Yaml, called);
        if let Some(root) = docs.docs.first() {
            let called: Vec<Job> = jobs(reader, local, called, root, nesting + 1)
                .into_iter()
                .filter(|j| !j.disabled)
                .collect();
            let services = called.iter().flat_map(|j| j.services.clone()).collect();
            return (called.into_iter().flat_map(|j| j.steps).collect(), services);
        }
    }
    (vec![reader.uses_step(path, line, uses, None)], Vec::new())
}

fn steps_of(
    reader: &Reader<'_>,
    path: &str,
    text: &str,
    steps: &Node,
    cwd: &str,
    env: &[(String, String)],
    nesting: usize,
) -> Vec<Step> {
    let Value::Seq(items) = &steps.value else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        if is_false(item.get("if")) {
            continue;
        }
        let name = item.get("name").and_then(Node::scalar_text);
        let allow_failure = is_true(item.get("continue-on-error"));
        let step_cwd = item
            .get("working-directory")
            .and_then(Node::scalar_text)
            .and_then(|d| join(cwd, &d))
            .unwrap_or_else(|| cwd.to_string());
        let mut step_env = env.to_vec();
        step_env.extend(env_of(item.get("env")));
        let mut found: Vec<Step> = Vec::new();
        if let Some(run) = item.get("run") {
            found.extend(reader.run_step_in(path, text, run, name.clone(), &step_cwd, &step_env));
        } else if let Some(uses) = item.get("uses").and_then(Node::scalar_text) {
            let line = item
                .get("uses")
                .and_then(Node::line)
                .or(item.line())
                .unwrap_or(1);
            found.push(uses_step(
                reader,
                path,
                text,
                line,
                &uses,
                item,
                name.clone(),
                &step_cwd,
                &step_env,
                nesting,
            ));
        }
        for mut step in found {
            step.allow_failure = allow_failure;
            out.push(step);
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn uses_step(
    reader: &Reader<'_>,
    path: &str,
    text: &str,
    line: usize,
    uses: &str,
    item: &Node,
    name: Option<String>,
    cwd: &str,
    env: &[(String, String)],
    nesting: usize,
) -> Step {
    // A local composite action: its own steps, as if written here.
    if let Some(local) = uses.strip_prefix("./")
        && nesting < MAX_NESTING
    {
        let dir = local.trim_end_matches('/');
        for file in ["action.yml", "action.yaml"] {
            let action_path = format!("{dir}/{file}");
            if let Some(action) = reader.resolver.files.get(&action_path) {
                let docs = Documents::parse(Format::Yaml, action);
                let steps = docs
                    .docs
                    .first()
                    .and_then(|d| d.get("runs"))
                    .and_then(|r| r.get("steps"))
                    .map(|s| steps_of(reader, &action_path, action, s, cwd, env, nesting + 1))
                    .unwrap_or_default();
                let mut commands = reader.uses_step(path, line, uses, name.clone()).commands;
                for inner in steps {
                    for mut command in inner.commands {
                        command.chain.insert(0, commands[0].chain[0].clone());
                        commands.push(command);
                    }
                }
                return step(name, path, line, Some(uses.to_string()), commands);
            }
        }
    }
    let mut result = reader.uses_step(path, line, uses, name.clone());
    // An action runs in the step's directory unless its own
    // `working-directory` input says otherwise (golangci-lint-action).
    let cwd = item
        .get("with")
        .and_then(|w| w.get("working-directory"))
        .and_then(Node::scalar_text)
        .and_then(|d| join(cwd, &d))
        .unwrap_or_else(|| cwd.to_string());
    for command in &mut result.commands {
        command.dir = cwd.clone();
    }
    // Actions that run the repository's hooks, or a command given as input.
    let action = uses.split('@').next().unwrap_or(uses).to_lowercase();
    let origin = Origin {
        path,
        cwd: cwd.clone(),
        env: env.to_vec(),
    };
    if action == "pre-commit/action"
        || action == "j178/prek-action"
        || action.ends_with("/pre-commit-action")
    {
        let commands = reader.resolver.words(
            vec!["pre-commit".into(), "run".into()],
            line,
            &origin,
            false,
        );
        result.commands.extend(commands);
    }
    // Trivy's action runs `trivy <scan-type> --scanners <scanners>`: an
    // image by default, the dependencies for `fs`/`repo`, configuration for
    // `config`; its scanners are Trivy's defaults (vuln and secret) unless
    // the `scanners` input lists them.
    if action == "aquasecurity/trivy-action" {
        let input = |key: &str| {
            item.get("with")
                .and_then(|w| w.get(key))
                .and_then(Node::scalar_text)
        };
        let mut words = vec![
            "trivy".to_string(),
            input("scan-type").unwrap_or_else(|| "image".to_string()),
        ];
        if let Some(scanners) = input("scanners") {
            words.push("--scanners".to_string());
            words.push(scanners.split_whitespace().collect());
        }
        if let Some(config) = input("trivy-config") {
            words.push("--config".to_string());
            words.push(config);
        }
        let uses_link = result.commands[0].chain[0].clone();
        result
            .commands
            .extend(action_commands(reader, words, line, &origin, &uses_link));
    }
    // Anchore's action runs Grype on what its inputs name: an image, a
    // directory (`path`) or an SBOM; only the image is an image scan.
    if action == "anchore/scan-action" {
        let input = |key: &str| {
            item.get("with")
                .and_then(|w| w.get(key))
                .and_then(Node::scalar_text)
        };
        let target = match (input("image"), input("path"), input("sbom")) {
            (Some(image), _, _) => image,
            (None, Some(path), _) => format!("dir:{path}"),
            (None, None, Some(sbom)) => format!("sbom:{sbom}"),
            (None, None, None) => "dir:.".to_string(),
        };
        let uses_link = result.commands[0].chain[0].clone();
        result.commands.extend(action_commands(
            reader,
            vec!["grype".to_string(), target],
            line,
            &origin,
            &uses_link,
        ));
    }
    if let Some(with) = item.get("with") {
        for key in [
            "run",
            "command",
            "script",
            "cmd",
            "test-command",
            "build-command",
        ] {
            if let Some(node) = with.get(key)
                && let Some(script) = script_text(node)
            {
                let first = super::script_line(text, node.line().unwrap_or(line));
                result
                    .commands
                    .extend(reader.resolver.script(&script, first, &origin));
            }
        }
    }
    result.classify();
    result
}

/// The command an action runs for its inputs, reached through the `uses`
/// line: `ci.yml:12 uses aquasecurity/trivy-action@0.28.0 → ci.yml:12 trivy
/// image --scanners vuln`.
fn action_commands(
    reader: &Reader<'_>,
    words: Vec<String>,
    line: usize,
    origin: &Origin<'_>,
    uses_link: &Link,
) -> Vec<Command> {
    let mut commands = reader.resolver.words(words, line, origin, false);
    for command in &mut commands {
        command.chain.insert(0, uses_link.clone());
    }
    commands
}
