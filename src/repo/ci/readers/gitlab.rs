//! GitLab CI: `.gitlab-ci.yml` with its local `include:` files, hidden
//! templates merged through `extends:`, YAML anchors (resolved by the
//! parser), stages in order, `rules:`/`only:` as triggers, and the jobs
//! GitLab's security templates add (`include: - template: …`).

use super::{Reader, default_triggers, env_of, environment_in_name, is_true, strings};
use crate::document::{Documents, Format, Node, Value};
use crate::repo::ci::model::{Event, Job, Pipeline, Place, Trigger};

const KEYWORDS: &[&str] = &[
    "stages",
    "variables",
    "image",
    "services",
    "before_script",
    "after_script",
    "cache",
    "default",
    "include",
    "workflow",
    "types",
];
const DEFAULT_STAGES: &[&str] = &[".pre", "build", "test", "deploy", ".post"];
const MAX_INCLUDES: usize = 30;

/// A top-level entry with the file and text it came from (includes keep
/// their own lines).
struct Entry<'a> {
    key: String,
    node: Node,
    path: String,
    text: &'a str,
}

pub fn read(reader: &Reader<'_>, path: &str, text: &str) -> Result<Pipeline, String> {
    let mut entries: Vec<Entry<'_>> = Vec::new();
    let mut problems = Vec::new();
    load(reader, path, text, &mut entries, &mut problems, &mut 0);
    if entries.is_empty()
        && let Some(problem) = problems.first()
    {
        return Err(problem.clone());
    }
    let get = |key: &str| entries.iter().rev().find(|e| e.key == key);
    let stages: Vec<String> = get("stages")
        .map(|e| strings(Some(&e.node)))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| DEFAULT_STAGES.iter().map(|s| s.to_string()).collect());
    let default = get("default").map(|e| e.node.clone());
    let top_before = get("before_script").map(|e| e.node.clone());
    let top_services = get("services").map(|e| e.node.clone());
    // Global `variables:` reach every job; a job's own override them
    // (`TRIVY_SCANNERS` decides what `trivy` scans for).
    let top_variables = env_of(get("variables").map(|e| &e.node));
    let triggers = get("workflow")
        .and_then(|w| w.node.get("rules").map(rule_triggers))
        .unwrap_or_else(default_triggers);

    let mut jobs: Vec<(Job, usize, bool)> = Vec::new();
    for entry in &entries {
        // A keyword is a job only when it reads as one (a job named `image`
        // is invalid in GitLab, but its author meant a job).
        let keyword = KEYWORDS.contains(&entry.key.as_str()) && entry.node.get("script").is_none();
        if keyword || !matches!(entry.node.value, Value::Map(_)) {
            continue;
        }
        let node = extended(&entry.node, &entries, 0);
        if node.get("script").is_none() && node.get("trigger").is_none() {
            continue;
        }
        if jobs.iter().any(|(j, _, _)| j.id == entry.key) {
            jobs.retain(|(j, _, _)| j.id != entry.key);
        }
        let mut job = Job::new(
            entry.key.clone(),
            &entry.path,
            entry.node.line().unwrap_or(1),
        );
        job.disabled = entry.key.starts_with('.');
        let stage = node
            .get("stage")
            .and_then(Node::scalar_text)
            .unwrap_or_else(|| "test".to_string());
        let stage_index = stages.iter().position(|s| *s == stage).unwrap_or(0);
        job.allow_failure = is_true(node.get("allow_failure"))
            || node
                .get("allow_failure")
                .is_some_and(|a| a.get("exit_codes").is_some());
        job.environment = node
            .get("environment")
            .and_then(|e| {
                e.scalar_text()
                    .or_else(|| e.get("name").and_then(Node::scalar_text))
            })
            .or_else(|| environment_in_name(&entry.key));
        job.services = strings(
            node.get("services")
                .or(top_services.as_ref())
                .or(default.as_ref().and_then(|d| d.get("services"))),
        )
        .into_iter()
        .chain(match node.get("services").map(|s| &s.value) {
            Some(Value::Seq(items)) => items
                .iter()
                .filter_map(|i| i.get("name").and_then(Node::scalar_text))
                .collect(),
            _ => Vec::new(),
        })
        .collect();
        let explicit_needs = node.get("needs").is_some();
        job.needs = strings(node.get("needs"));
        match node.get("when").and_then(Node::scalar_text).as_deref() {
            Some("manual") => job.triggers = Some(vec![Trigger::on(Event::Manual)]),
            Some("never") => job.disabled = true,
            _ => {}
        }
        if let Some(rules) = node.get("rules") {
            let found = rule_triggers(rules);
            if found.is_empty() {
                job.disabled = true;
            }
            job.triggers = Some(found);
        } else if let Some(only) = node.get("only") {
            job.triggers = Some(only_triggers(only));
        }
        let before = node
            .get("before_script")
            .cloned()
            .or_else(|| {
                default
                    .as_ref()
                    .and_then(|d| d.get("before_script"))
                    .cloned()
            })
            .or_else(|| top_before.clone());
        let mut variables = top_variables.clone();
        variables.extend(env_of(node.get("variables")));
        for (key, script) in [
            ("before_script", before.as_ref()),
            ("script", node.get("script")),
            ("after_script", node.get("after_script")),
        ] {
            if let Some(script) = script
                && let Some(step) = reader.script_list(
                    &entry.path,
                    entry.text,
                    script,
                    Some(key.to_string()),
                    &variables,
                )
            {
                job.steps.push(step);
            }
        }
        jobs.push((job, stage_index, explicit_needs));
    }
    // GitLab's security templates add a job each (`container_scanning`,
    // `semgrep-sast`, …) in the `test` stage; the job a project writes
    // under the same name only tunes it, unless it switches it off.
    let test_stage = stages.iter().position(|s| s == "test").unwrap_or(0);
    for entry in entries.iter().filter(|e| e.key == "include") {
        for (template, line) in template_includes(&entry.node) {
            let Some(id) = template_job(&template) else {
                continue;
            };
            if jobs.iter().any(|(j, _, _)| j.id == id) {
                continue;
            }
            let mut job = Job::new(id, &entry.path, line);
            if let Some(own) = get(id).map(|e| &e.node) {
                job.disabled = own.get("when").and_then(Node::scalar_text).as_deref()
                    == Some("never")
                    || own
                        .get("rules")
                        .is_some_and(|r| rule_triggers(r).is_empty());
                job.allow_failure = own
                    .get("allow_failure")
                    .is_some_and(|a| a.scalar_text().as_deref() == Some("true"));
            }
            job.steps.push(reader.uses_step(
                &entry.path,
                line,
                &format!("template {template}"),
                None,
            ));
            jobs.push((job, test_stage, false));
        }
    }
    // Without `needs:`, a job waits for every job of the earlier stages.
    let all: Vec<(String, usize)> = jobs.iter().map(|(j, i, _)| (j.id.clone(), *i)).collect();
    for (job, index, explicit) in &mut jobs {
        if !*explicit {
            job.needs = all
                .iter()
                .filter(|(_, other)| other < index)
                .map(|(id, _)| id.clone())
                .collect();
        }
    }
    Ok(Pipeline {
        system: "gitlab-ci".to_string(),
        place: Place::Ci,
        path: path.to_string(),
        name: "GitLab CI".to_string(),
        triggers,
        jobs: jobs.into_iter().map(|(j, _, _)| j).collect(),
        called_only: false,
        after_pipelines: Vec::new(),
    })
}

fn load<'a>(
    reader: &Reader<'a>,
    path: &str,
    text: &'a str,
    entries: &mut Vec<Entry<'a>>,
    problems: &mut Vec<String>,
    count: &mut usize,
) {
    *count += 1;
    if *count > MAX_INCLUDES {
        return;
    }
    let docs = Documents::parse(Format::Yaml, text);
    if let Some(error) = docs.error {
        problems.push(format!("{path}: {}", error.message));
        return;
    }
    let Some(Value::Map(map)) = docs.docs.into_iter().next().map(|d| d.value) else {
        return;
    };
    for (key, node) in map {
        if &*key == "include" {
            for include in local_includes(&node) {
                let include = include.trim_start_matches('/').to_string();
                match reader.resolver.files.get(&include) {
                    Some(included) => load(reader, &include, included, entries, problems, count),
                    None if include.contains('*') => {
                        let matching: Vec<&str> = reader
                            .resolver
                            .files
                            .paths()
                            .filter(|p| crate::repo::ci::vocabulary::wildcard(&include, p))
                            .collect();
                        for p in matching {
                            if let Some(t) = reader.resolver.files.get(p) {
                                load(reader, p, t, entries, problems, count);
                            }
                        }
                    }
                    None => problems.push(format!("{path}: included file {include} was not read")),
                }
            }
            // Kept for its `template:` includes (GitLab's own security jobs).
            entries.push(Entry {
                key: key.to_string(),
                node,
                path: path.to_string(),
                text,
            });
            continue;
        }
        entries.push(Entry {
            key: key.to_string(),
            node,
            path: path.to_string(),
            text,
        });
    }
}

/// `include: [{ template: Jobs/Container-Scanning.gitlab-ci.yml }]`: the
/// template names, with their lines.
fn template_includes(node: &Node) -> Vec<(String, usize)> {
    let line = node.line().unwrap_or(1);
    match &node.value {
        Value::Seq(items) => items.iter().flat_map(template_includes).collect(),
        Value::Map(_) => node
            .get("template")
            .and_then(Node::scalar_text)
            .map(|t| (t, node.line().unwrap_or(line)))
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// The job a GitLab security template adds, for the templates readyctl
/// knows (what they run is in the vocabulary's `template …` actions).
fn template_job(template: &str) -> Option<&'static str> {
    let name = template.rsplit('/').next().unwrap_or(template);
    let name = name.trim_end_matches(".gitlab-ci.yml");
    let name = name.strip_suffix(".latest").unwrap_or(name);
    Some(match name {
        "Container-Scanning" => "container_scanning",
        "SAST" => "sast",
        "SAST-IaC" => "iac-sast",
        "Secret-Detection" => "secret_detection",
        "Dependency-Scanning" => "dependency_scanning",
        _ => return None,
    })
}

/// `include: a.yml`, `include: [{ local: a.yml }, …]`; remote, project and
/// template includes are outside the repository.
fn local_includes(node: &Node) -> Vec<String> {
    match &node.value {
        Value::String(s) if !s.starts_with("http") => vec![s.to_string()],
        Value::Seq(items) => items.iter().flat_map(local_includes).collect(),
        Value::Map(_) => node
            .get("local")
            .and_then(Node::scalar_text)
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// The job with what it `extends:` merged in (its own keys win; mappings
/// merge one level deep, as GitLab does for `variables`).
fn extended(node: &Node, entries: &[Entry<'_>], depth: usize) -> Node {
    let parents = strings(node.get("extends"));
    if parents.is_empty() || depth > 10 {
        return node.clone();
    }
    let mut merged: Vec<(crate::document::Text, Node)> = Vec::new();
    for parent in parents {
        if let Some(entry) = entries.iter().rev().find(|e| e.key == parent) {
            let base = extended(&entry.node, entries, depth + 1);
            if let Value::Map(items) = base.value {
                for (key, value) in items {
                    merged.retain(|(k, _)| *k != key);
                    merged.push((key, value));
                }
            }
        }
    }
    if let Value::Map(own) = &node.value {
        for (key, value) in own {
            if &**key == "extends" {
                continue;
            }
            merged.retain(|(k, _)| *k != *key);
            merged.push((key.clone(), value.clone()));
        }
    }
    Node {
        value: Value::Map(merged),
        line: node.line,
    }
}

/// Events named by `rules: - if:` expressions; rules that say `when: never`
/// exclude nothing we can see, so they are left out.
fn rule_triggers(rules: &Node) -> Vec<Trigger> {
    let Value::Seq(items) = &rules.value else {
        return default_triggers();
    };
    let mut found: Vec<Trigger> = Vec::new();
    let add = |event: Event, found: &mut Vec<Trigger>| {
        if !found.iter().any(|t| t.event == event) {
            found.push(Trigger::on(event));
        }
    };
    for rule in items {
        let when = rule.get("when").and_then(Node::scalar_text);
        if when.as_deref() == Some("never") {
            continue;
        }
        if when.as_deref() == Some("manual") {
            add(Event::Manual, &mut found);
            continue;
        }
        let condition = rule
            .get("if")
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        let mut named = false;
        for (needle, event) in [
            ("merge_request_event", Event::PullRequest),
            ("CI_MERGE_REQUEST", Event::PullRequest),
            ("\"schedule\"", Event::Schedule),
            ("'schedule'", Event::Schedule),
            ("CI_COMMIT_TAG", Event::Tag),
            ("\"web\"", Event::Manual),
            ("CI_COMMIT_BRANCH", Event::Push),
            ("\"push\"", Event::Push),
        ] {
            if condition.contains(needle) && !condition.contains(&format!("{needle} == null")) {
                add(event, &mut found);
                named = true;
            }
        }
        if !named {
            add(Event::Push, &mut found);
            add(Event::PullRequest, &mut found);
        }
    }
    found
}

fn only_triggers(only: &Node) -> Vec<Trigger> {
    let refs = match only.get("refs") {
        Some(refs) => strings(Some(refs)),
        None => strings(Some(only)),
    };
    let mut found = Vec::new();
    let mut branches = Vec::new();
    for r in refs {
        match r.as_str() {
            "merge_requests" => found.push(Trigger::on(Event::PullRequest)),
            "schedules" => found.push(Trigger::on(Event::Schedule)),
            "tags" => found.push(Trigger::on(Event::Tag)),
            "web" | "api" | "triggers" => found.push(Trigger::on(Event::Manual)),
            "branches" | "pushes" => found.push(Trigger::on(Event::Push)),
            other => branches.push(other.to_string()),
        }
    }
    if !branches.is_empty() {
        let mut push = Trigger::on(Event::Push);
        push.branches = branches;
        found.push(push);
    }
    found
}
