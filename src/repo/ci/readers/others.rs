//! The YAML CI systems that need no more than a page each: CircleCI,
//! Travis CI, Woodpecker, Drone, Azure Pipelines, Bitbucket Pipelines and
//! Buildkite.

use super::{Reader, branches, default_triggers, environment_in_name, is_true, step, strings};
use crate::document::{Documents, Format, Node, Value};
use crate::repo::ci::model::{Event, Job, Pipeline, Place, Step, Trigger};

fn parse(path: &str, text: &str) -> Result<Node, String> {
    let docs = Documents::parse(Format::Yaml, text);
    if let Some(error) = docs.error {
        return Err(format!("{path}: {}", error.message));
    }
    docs.docs
        .into_iter()
        .next()
        .ok_or_else(|| format!("{path}: empty"))
}

fn pipeline(
    system: &str,
    path: &str,
    name: &str,
    triggers: Vec<Trigger>,
    jobs: Vec<Job>,
) -> Pipeline {
    Pipeline {
        system: system.to_string(),
        place: Place::Ci,
        path: path.to_string(),
        name: name.to_string(),
        triggers,
        jobs,
        called_only: false,
        after_pipelines: Vec::new(),
    }
}

fn entries(node: Option<&Node>) -> Vec<(String, &Node)> {
    match node.map(|n| &n.value) {
        Some(Value::Map(items)) => items.iter().map(|(k, v)| (k.to_string(), v)).collect(),
        Some(Value::Seq(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let name = v
                    .get("name")
                    .and_then(Node::scalar_text)
                    .unwrap_or_else(|| format!("step {}", i + 1));
                (name, v)
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn service_images(node: Option<&Node>) -> Vec<String> {
    match node.map(|n| &n.value) {
        Some(Value::Seq(items)) => items
            .iter()
            .filter_map(|i| {
                i.scalar_text()
                    .or_else(|| i.get("image").and_then(Node::scalar_text))
                    .or_else(|| i.get("name").and_then(Node::scalar_text))
            })
            .collect(),
        Some(Value::Map(items)) => items
            .iter()
            .map(|(k, v)| {
                v.get("image")
                    .and_then(Node::scalar_text)
                    .unwrap_or_else(|| k.to_string())
            })
            .collect(),
        _ => Vec::new(),
    }
}

// --- CircleCI -----------------------------------------------------------------------

pub fn circleci(reader: &Reader<'_>, path: &str, text: &str) -> Result<Pipeline, String> {
    let root = parse(path, text)?;
    let mut jobs = Vec::new();
    for (id, node) in entries(root.get("jobs")) {
        let mut job = Job::new(id.clone(), path, node.line().unwrap_or(1));
        job.environment = environment_in_name(&id);
        if let Some(Value::Seq(images)) = node.get("docker").map(|d| &d.value) {
            job.services = images
                .iter()
                .skip(1)
                .filter_map(|i| i.get("image").and_then(Node::scalar_text))
                .collect();
        }
        job.steps = circleci_steps(reader, path, text, node.get("steps"));
        jobs.push(job);
    }
    // Workflows say which jobs need which, and orb jobs (`node/test`) run there.
    let mut triggers = Vec::new();
    for (_, workflow) in entries(root.get("workflows")) {
        if let Some(Value::Seq(trigger_list)) = workflow.get("triggers").map(|t| &t.value) {
            for t in trigger_list {
                if let Some(schedule) = t.get("schedule") {
                    let mut trigger = Trigger::on(Event::Schedule);
                    trigger.cron = schedule.get("cron").and_then(Node::scalar_text);
                    triggers.push(trigger);
                }
            }
        } else if !triggers.iter().any(|t: &Trigger| t.event == Event::Push) {
            triggers.extend(default_triggers());
        }
        let Some(Value::Seq(items)) = workflow.get("jobs").map(|j| &j.value) else {
            continue;
        };
        for item in items {
            let (name, config) = match &item.value {
                Value::String(s) => (s.clone(), None),
                Value::Map(m) if m.len() == 1 => (m[0].0.clone(), Some(&m[0].1)),
                _ => continue,
            };
            let requires = strings(config.and_then(|c| c.get("requires")));
            let environment = config
                .and_then(|c| c.get("context"))
                .and_then(Node::scalar_text);
            match jobs.iter_mut().find(|j: &&mut Job| *j.id == *name) {
                Some(job) => {
                    job.needs.extend(requires);
                    if job.environment.is_none() {
                        job.environment = environment.as_deref().and_then(environment_in_name);
                    }
                }
                None if name.contains('/') => {
                    let line = item.line().unwrap_or(1);
                    let mut job = Job::new(name.to_string(), path, line);
                    job.needs = requires;
                    job.steps.push(reader.uses_step(path, line, &name, None));
                    jobs.push(job);
                }
                None => {}
            }
        }
    }
    if triggers.is_empty() {
        triggers = default_triggers();
    }
    Ok(pipeline("circleci", path, "CircleCI", triggers, jobs))
}

fn circleci_steps(reader: &Reader<'_>, path: &str, text: &str, steps: Option<&Node>) -> Vec<Step> {
    let Some(Value::Seq(items)) = steps.map(|s| &s.value) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        match &item.value {
            Value::String(name) if name.contains('/') => {
                out.push(reader.uses_step(path, item.line().unwrap_or(1), name, None))
            }
            Value::Map(map) if map.len() == 1 => {
                let (key, value) = &map[0];
                if &**key == "run" {
                    let script = value.get("command").unwrap_or(value);
                    let name = value.get("name").and_then(Node::scalar_text);
                    out.extend(reader.run_step(path, text, script, name, ""));
                } else if key.contains('/') {
                    out.push(reader.uses_step(
                        path,
                        value.line().or(item.line()).unwrap_or(1),
                        key,
                        None,
                    ));
                }
            }
            _ => {}
        }
    }
    out
}

// --- Travis CI --------------------------------------------------------------------------

const TRAVIS_PHASES: &[&str] = &[
    "before_install",
    "install",
    "before_script",
    "script",
    "after_success",
    "before_deploy",
    "after_script",
];

pub fn travis(reader: &Reader<'_>, path: &str, text: &str) -> Result<Pipeline, String> {
    let root = parse(path, text)?;
    let mut jobs = Vec::new();
    let mut main = travis_job(reader, path, text, "build", &root);
    main.services = strings(root.get("services"));
    jobs.push(main);
    if let Some(Value::Seq(includes)) = root
        .get("jobs")
        .or(root.get("matrix"))
        .and_then(|j| j.get("include"))
        .map(|i| &i.value)
    {
        for (index, include) in includes.iter().enumerate() {
            let name = include
                .get("name")
                .or(include.get("stage"))
                .and_then(Node::scalar_text)
                .unwrap_or_else(|| format!("job {}", index + 1));
            if TRAVIS_PHASES.iter().any(|p| include.get(p).is_some())
                || include.get("deploy").is_some()
            {
                jobs.push(travis_job(reader, path, text, &name, include));
            }
        }
    }
    let mut triggers = default_triggers();
    let only = branches(Some(&root));
    if !only.is_empty() {
        triggers[0].branches = only;
    }
    Ok(pipeline("travis", path, "Travis CI", triggers, jobs))
}

fn travis_job(reader: &Reader<'_>, path: &str, text: &str, id: &str, node: &Node) -> Job {
    let mut job = Job::new(id, path, node.line().unwrap_or(1));
    for phase in TRAVIS_PHASES {
        if let Some(script) = node.get(phase) {
            job.steps
                .extend(reader.script_list(path, text, script, Some(phase.to_string()), &[]));
        }
    }
    if let Some(deploy) = node.get("deploy") {
        let providers: Vec<&Node> = match &deploy.value {
            Value::Seq(items) => items.iter().collect(),
            _ => vec![deploy],
        };
        for provider in providers {
            let name = provider
                .get("provider")
                .and_then(Node::scalar_text)
                .unwrap_or_else(|| "deploy".into());
            let line = provider.line().or(deploy.line()).unwrap_or(1);
            let mut s = step(
                Some(format!("deploy: {name}")),
                path,
                line,
                None,
                Vec::new(),
            );
            s.classes = vec!["deploy".to_string()];
            s.commands.push(crate::repo::ci::model::Command {
                chain: vec![crate::repo::ci::model::Link {
                    path: path.to_string(),
                    line,
                    text: format!("deploy provider {name}"),
                }],
                classes: vec!["deploy".to_string()],
                ecosystems: Vec::new(),
                dir: String::new(),
                excluded: Vec::new(),
            });
            job.steps.push(s);
        }
    }
    job
}

// --- Woodpecker and Drone ---------------------------------------------------------------

/// `when: { event: [push, pull_request] }` (Woodpecker) or
/// `trigger: { event: … }` (Drone).
fn event_triggers(node: Option<&Node>) -> Option<Vec<Trigger>> {
    let node = node?;
    let conditions: Vec<&Node> = match &node.value {
        Value::Seq(items) => items.iter().collect(),
        _ => vec![node],
    };
    let mut found = Vec::new();
    let mut any = false;
    for condition in conditions {
        let events = strings(condition.get("event"));
        let branch = strings(condition.get("branch"))
            .into_iter()
            .chain(branches(Some(condition)))
            .collect::<Vec<_>>();
        let branch = if branch.is_empty() {
            condition
                .get("branch")
                .and_then(|b| b.get("include"))
                .map(|i| strings(Some(i)))
                .unwrap_or_default()
        } else {
            branch
        };
        if events.is_empty() {
            if condition.get("cron").is_some() {
                found.push(Trigger::on(Event::Schedule));
                any = true;
            }
            continue;
        }
        any = true;
        for event in events {
            let kind = match event.as_str() {
                "push" => Event::Push,
                "pull_request" | "pull_request_closed" => Event::PullRequest,
                "tag" | "release" => Event::Tag,
                "cron" => Event::Schedule,
                "manual" | "deployment" | "promote" | "custom" => Event::Manual,
                _ => continue,
            };
            let mut trigger = Trigger::on(kind);
            if kind == Event::Push {
                trigger.branches = branch.clone();
            }
            found.push(trigger);
        }
    }
    any.then_some(found)
}

/// Woodpecker (`.woodpecker.yml`, `.woodpecker/*.yml`) and Drone
/// (`.drone.yml`): steps run in order, each in a container, with
/// `commands:`; `failure: ignore` lets one fail.
pub fn woodpecker_or_drone(
    reader: &Reader<'_>,
    system: &str,
    path: &str,
    text: &str,
) -> Result<Pipeline, String> {
    let docs = Documents::parse(Format::Yaml, text);
    if let Some(error) = docs.error {
        return Err(format!("{path}: {}", error.message));
    }
    let mut jobs: Vec<Job> = Vec::new();
    let mut triggers = None;
    for root in &docs.docs {
        if root
            .get("kind")
            .and_then(Node::scalar_text)
            .is_some_and(|k| k != "pipeline")
        {
            continue;
        }
        let own = event_triggers(root.get("when").or(root.get("trigger")));
        if triggers.is_none() {
            triggers = own.clone();
        }
        let services = service_images(root.get("services"));
        let steps = root.get("steps").or(root.get("pipeline"));
        let mut previous: Option<String> = None;
        for (name, node) in entries(steps) {
            let mut job = Job::new(name.clone(), path, node.line().unwrap_or(1));
            job.services = services.clone();
            job.allow_failure = node.get("failure").and_then(Node::scalar_text).as_deref()
                == Some("ignore")
                || is_true(node.get("allow_failure"));
            job.triggers = event_triggers(node.get("when")).or_else(|| own.clone());
            job.environment = node
                .get("when")
                .and_then(|w| w.get("environment"))
                .and_then(Node::scalar_text)
                .or_else(|| environment_in_name(&name));
            job.needs = match node.get("depends_on") {
                Some(deps) => strings(Some(deps)),
                None => previous.iter().cloned().collect(),
            };
            if let Some(commands) = node.get("commands").or(node.get("command")) {
                job.steps
                    .extend(reader.script_list(path, text, commands, Some(name.clone()), &[]));
            } else if let Some(image) = node.get("image").and_then(Node::scalar_text) {
                // A plugin step: what it does is its image's name.
                let plugin = image.split(':').next().unwrap_or(&image).to_string();
                job.steps.push(reader.uses_step(
                    path,
                    node.line().unwrap_or(1),
                    &plugin,
                    Some(name.clone()),
                ));
            }
            previous = Some(name);
            jobs.push(job);
        }
    }
    let name = if system == "drone" {
        "Drone"
    } else {
        "Woodpecker"
    };
    Ok(pipeline(
        system,
        path,
        name,
        triggers.unwrap_or_else(default_triggers),
        jobs,
    ))
}

// --- Azure Pipelines ----------------------------------------------------------------------

pub fn azure(reader: &Reader<'_>, path: &str, text: &str) -> Result<Pipeline, String> {
    let root = parse(path, text)?;
    let mut triggers = Vec::new();
    match root.get("trigger").map(|t| &t.value) {
        Some(Value::String(s)) if &**s == "none" => {}
        Some(_) => {
            let mut push = Trigger::on(Event::Push);
            push.branches = strings(root.get("trigger"))
                .into_iter()
                .chain(branches(root.get("trigger")))
                .collect();
            triggers.push(push);
        }
        None => triggers.push(Trigger::on(Event::Push)),
    }
    match root.get("pr").map(|t| &t.value) {
        Some(Value::String(s)) if &**s == "none" => {}
        _ => triggers.push(Trigger::on(Event::PullRequest)),
    }
    if let Some(Value::Seq(schedules)) = root.get("schedules").map(|s| &s.value) {
        for schedule in schedules {
            let mut trigger = Trigger::on(Event::Schedule);
            trigger.cron = schedule.get("cron").and_then(Node::scalar_text);
            triggers.push(trigger);
        }
    }
    let mut jobs = Vec::new();
    let stages: Vec<(String, Node)> = match root.get("stages").map(|s| &s.value) {
        Some(Value::Seq(items)) => items
            .iter()
            .map(|s| {
                (
                    s.get("stage")
                        .and_then(Node::scalar_text)
                        .unwrap_or_default(),
                    s.clone(),
                )
            })
            .collect(),
        _ => vec![(String::new(), root.clone())],
    };
    let mut earlier: Vec<String> = Vec::new();
    for (stage, node) in &stages {
        let mut in_stage = Vec::new();
        let stage_jobs: Vec<Node> = match node.get("jobs").map(|j| &j.value) {
            Some(Value::Seq(items)) => items.clone(),
            _ if node.get("steps").is_some() => vec![node.clone()],
            _ => Vec::new(),
        };
        for job_node in stage_jobs {
            let id = job_node
                .get("job")
                .or(job_node.get("deployment"))
                .and_then(Node::scalar_text)
                .unwrap_or_else(|| {
                    if stage.is_empty() {
                        "job".into()
                    } else {
                        stage.clone()
                    }
                });
            let mut job = Job::new(id.clone(), path, job_node.line().unwrap_or(1));
            job.needs = earlier.clone();
            job.allow_failure = is_true(job_node.get("continueOnError"));
            job.environment = job_node
                .get("environment")
                .and_then(|e| {
                    e.scalar_text()
                        .or_else(|| e.get("name").and_then(Node::scalar_text))
                })
                .or_else(|| environment_in_name(&id))
                .or_else(|| environment_in_name(stage));
            job.services = service_images(job_node.get("services"));
            let steps = job_node.get("steps").or_else(|| {
                job_node
                    .get("strategy")
                    .and_then(|s| s.get("runOnce"))
                    .and_then(|r| r.get("deploy"))
                    .and_then(|d| d.get("steps"))
            });
            if let Some(Value::Seq(items)) = steps.map(|s| &s.value) {
                for item in items {
                    let name = item.get("displayName").and_then(Node::scalar_text);
                    let mut found = None;
                    for key in ["script", "bash", "pwsh", "powershell"] {
                        if let Some(script) = item.get(key) {
                            found = reader.run_step(path, text, script, name.clone(), "");
                        }
                    }
                    if found.is_none()
                        && let Some(task) = item.get("task").and_then(Node::scalar_text)
                    {
                        found = Some(reader.uses_step(
                            path,
                            item.line().unwrap_or(1),
                            &task,
                            name.clone(),
                        ));
                    }
                    if let Some(mut s) = found {
                        s.allow_failure = is_true(item.get("continueOnError"));
                        job.steps.push(s);
                    }
                }
            }
            in_stage.push(id);
            jobs.push(job);
        }
        earlier.extend(in_stage);
    }
    Ok(pipeline(
        "azure-pipelines",
        path,
        "Azure Pipelines",
        triggers,
        jobs,
    ))
}

// --- Bitbucket Pipelines -------------------------------------------------------------------

pub fn bitbucket(reader: &Reader<'_>, path: &str, text: &str) -> Result<Pipeline, String> {
    let root = parse(path, text)?;
    let pipelines = root.get("pipelines");
    let mut jobs = Vec::new();
    let mut triggers = Vec::new();
    let add = |reader: &Reader<'_>,
               group: &str,
               trigger: Trigger,
               node: &Node,
               jobs: &mut Vec<Job>,
               triggers: &mut Vec<Trigger>| {
        triggers.push(trigger.clone());
        let mut previous: Option<String> = None;
        for (index, item) in flatten_steps(node).into_iter().enumerate() {
            let step_node = item.get("step").unwrap_or(item);
            let name = step_node
                .get("name")
                .and_then(Node::scalar_text)
                .unwrap_or_else(|| format!("{group} step {}", index + 1));
            let mut job = Job::new(format!("{group}: {name}"), path, item.line().unwrap_or(1));
            job.triggers = Some(vec![trigger.clone()]);
            job.needs = previous.iter().cloned().collect();
            job.services = strings(step_node.get("services"));
            job.environment = step_node
                .get("deployment")
                .and_then(Node::scalar_text)
                .or_else(|| environment_in_name(&name));
            if step_node
                .get("trigger")
                .and_then(Node::scalar_text)
                .as_deref()
                == Some("manual")
            {
                job.triggers = Some(vec![Trigger::on(Event::Manual)]);
            }
            if let Some(script) = step_node.get("script") {
                job.steps
                    .extend(reader.script_list(path, text, script, Some(name.clone()), &[]));
            }
            previous = Some(job.id.clone());
            jobs.push(job);
        }
    };
    for (key, event) in [
        ("default", Event::Push),
        ("pull-requests", Event::PullRequest),
        ("branches", Event::Push),
        ("tags", Event::Tag),
        ("custom", Event::Manual),
    ] {
        let Some(section) = pipelines.and_then(|p| p.get(key)) else {
            continue;
        };
        if key == "default" {
            add(
                reader,
                key,
                Trigger::on(event),
                section,
                &mut jobs,
                &mut triggers,
            );
            continue;
        }
        if let Value::Map(groups) = &section.value {
            for (pattern, node) in groups {
                let mut trigger = Trigger::on(event);
                if event == Event::Push {
                    trigger.branches = vec![pattern.to_string()];
                }
                add(
                    reader,
                    &format!("{key} {pattern}"),
                    trigger,
                    node,
                    &mut jobs,
                    &mut triggers,
                );
            }
        }
    }
    Ok(pipeline(
        "bitbucket-pipelines",
        path,
        "Bitbucket Pipelines",
        triggers,
        jobs,
    ))
}

/// Steps of a Bitbucket section, with `parallel:` groups opened.
fn flatten_steps(node: &Node) -> Vec<&Node> {
    match &node.value {
        Value::Seq(items) => items
            .iter()
            .flat_map(|item| match item.get("parallel") {
                Some(parallel) => {
                    let inner = parallel.get("steps").unwrap_or(parallel);
                    flatten_steps(inner)
                }
                None => vec![item],
            })
            .collect(),
        _ => Vec::new(),
    }
}

// --- Buildkite ----------------------------------------------------------------------------------

pub fn buildkite(reader: &Reader<'_>, path: &str, text: &str) -> Result<Pipeline, String> {
    let root = parse(path, text)?;
    let items: Vec<&Node> = match root.get("steps").map(|s| &s.value) {
        Some(Value::Seq(items)) => items.iter().collect(),
        _ => match &root.value {
            Value::Seq(items) => items.iter().collect(),
            _ => Vec::new(),
        },
    };
    let mut jobs = Vec::new();
    let mut before_wait: Vec<String> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        if item.scalar_text().as_deref() == Some("wait") || item.get("wait").is_some() {
            before_wait.append(&mut current);
            continue;
        }
        let label = item
            .get("label")
            .or(item.get("name"))
            .or(item.get("key"))
            .and_then(Node::scalar_text)
            .unwrap_or_else(|| format!("step {}", index + 1));
        let mut job = Job::new(label.clone(), path, item.line().unwrap_or(1));
        job.needs = match item.get("depends_on") {
            Some(deps) => strings(Some(deps)),
            None => before_wait.clone(),
        };
        job.allow_failure = item
            .get("soft_fail")
            .is_some_and(|s| !matches!(s.value, Value::Bool(false)));
        job.environment = environment_in_name(&label);
        if item.get("block").is_some() || item.get("input").is_some() {
            continue;
        }
        if let Some(commands) = item.get("commands").or(item.get("command")) {
            job.steps
                .extend(reader.script_list(path, text, commands, Some(label.clone()), &[]));
        }
        if let Some(Value::Seq(plugins)) = item.get("plugins").map(|p| &p.value) {
            for plugin in plugins {
                if let Value::Map(entries) = &plugin.value {
                    for (name, _) in entries {
                        job.steps.push(reader.uses_step(
                            path,
                            plugin.line().unwrap_or(1),
                            name,
                            None,
                        ));
                    }
                }
            }
        }
        current.push(job.id.clone());
        jobs.push(job);
    }
    Ok(pipeline(
        "buildkite",
        path,
        "Buildkite",
        default_triggers(),
        jobs,
    ))
}
