//! Commit hooks, the second place checks run: pre-commit and prek
//! (`.pre-commit-config.yaml`), lefthook (`lefthook.yml`) and husky
//! (`.husky/<hook>` scripts). Each file is one pipeline on the `commit`
//! event with one job per hook.

use super::{Reader, step};
use crate::document::{Documents, Format, Node, Value};
use crate::repo::ci::model::{Event, Job, Pipeline, Place, Trigger};
use crate::repo::ci::resolve::Origin;

fn hook_pipeline(system: &str, path: &str, jobs: Vec<Job>) -> Pipeline {
    Pipeline {
        system: system.to_string(),
        place: Place::Hook,
        path: path.to_string(),
        name: system.to_string(),
        triggers: vec![Trigger::on(Event::Commit)],
        jobs,
        called_only: false,
        after_pipelines: Vec::new(),
    }
}

/// `.pre-commit-config.yaml`: remote hooks by id (what the vocabulary says
/// each amounts to), local hooks by their `entry`.
pub fn pre_commit(reader: &Reader<'_>, path: &str, text: &str) -> Result<Pipeline, String> {
    let docs = Documents::parse(Format::Yaml, text);
    if let Some(error) = docs.error {
        return Err(format!("{path}: {}", error.message));
    }
    let mut job = Job::new("hooks", path, 1);
    let Some(Value::Seq(repos)) = docs
        .docs
        .first()
        .and_then(|d| d.get("repos"))
        .map(|r| &r.value)
    else {
        return Ok(hook_pipeline("pre-commit", path, Vec::new()));
    };
    let origin = Origin {
        path,
        cwd: String::new(),
        env: Vec::new(),
    };
    // A top-level `files:` / `exclude:` applies to every hook, beside the
    // hook's own.
    let top = docs.docs.first();
    let folder = |node: Option<&Node>, key: &str| {
        node.and_then(|n| n.get(key))
            .and_then(Node::scalar_text)
            .and_then(|r| folder_of_regex(&r))
    };
    for repo in repos {
        let local = matches!(
            repo.get("repo").and_then(Node::scalar_text).as_deref(),
            Some("local" | "meta")
        );
        let Some(Value::Seq(hooks)) = repo.get("hooks").map(|h| &h.value) else {
            continue;
        };
        for hook in hooks {
            let Some(id) = hook.get("id").and_then(Node::scalar_text) else {
                continue;
            };
            let line = hook.line().unwrap_or(1);
            let stages = super::strings(hook.get("stages"));
            if stages.iter().any(|s| s == "manual") {
                continue;
            }
            let command = if local {
                hook.get("entry").and_then(Node::scalar_text)
            } else {
                reader
                    .resolver
                    .vocabulary
                    .hook_command(&id)
                    .map(str::to_string)
            };
            let Some(command) = command else { continue };
            let mut words = shlex::split(&command).unwrap_or_default();
            words.extend(super::strings(hook.get("args")));
            // A known remote hook's script fails on what `gofmt -l` lists; a
            // local `entry: gofmt -l` passes whatever it prints.
            let inner = reader.resolver.words(words, line, &origin, !local);
            // `files: ^web/` runs the hook on the `web` folder only;
            // `exclude: ^web/` on everything but it.
            let only = folder(Some(hook), "files").or_else(|| folder(top, "files"));
            let excluded: Vec<String> = [folder(Some(hook), "exclude"), folder(top, "exclude")]
                .into_iter()
                .flatten()
                .collect();
            // The chain starts at the hook: `hook ruff-format → ruff format --check`.
            let mut commands = Vec::new();
            for mut command in inner {
                if let Some(only) = &only
                    && (command.dir.is_empty() || only.starts_with(&format!("{}/", command.dir)))
                {
                    command.dir = only.clone();
                }
                command.excluded.extend(excluded.iter().cloned());
                command.chain.insert(
                    0,
                    crate::repo::ci::model::Link {
                        path: path.to_string(),
                        line,
                        text: format!("hook {id}"),
                    },
                );
                commands.push(command);
            }
            job.steps.push(step(Some(id), path, line, None, commands));
        }
    }
    Ok(hook_pipeline("pre-commit", path, vec![job]))
}

/// The folder a pre-commit `files:` / `exclude:` regex stands for, when it
/// is one: an anchored literal path ending in `/` (`^frontend/`,
/// `^src/web/.*\.ts$`, `^\.github\/workflows\/`). Alternatives,
/// character classes and unanchored patterns stand for no single folder.
fn folder_of_regex(regex: &str) -> Option<String> {
    let rest = regex.strip_prefix('^')?;
    if rest.contains('|') {
        return None;
    }
    let mut literal = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped @ ('.' | '/' | '-' | '_')) => literal.push(escaped),
                _ => break,
            },
            '.' | '*' | '+' | '?' | '[' | '(' | '{' | '$' | ')' => break,
            other => literal.push(other),
        }
    }
    let (folder, _) = literal.rsplit_once('/')?;
    (!folder.is_empty()).then(|| folder.to_string())
}

/// `lefthook.yml`: `pre-commit: { commands: { name: { run: … } } }`, and
/// `jobs:` lists.
pub fn lefthook(reader: &Reader<'_>, path: &str, text: &str) -> Result<Pipeline, String> {
    let docs = Documents::parse(Format::Yaml, text);
    if let Some(error) = docs.error {
        return Err(format!("{path}: {}", error.message));
    }
    let mut jobs = Vec::new();
    let Some(Value::Map(hooks)) = docs.docs.first().map(|d| &d.value) else {
        return Ok(hook_pipeline("lefthook", path, jobs));
    };
    for (hook, node) in hooks {
        if !hook.starts_with("pre-") && !hook.starts_with("commit-") {
            continue;
        }
        let mut job = Job::new(hook.to_string(), path, node.line().unwrap_or(1));
        let mut runs: Vec<(String, &Node)> = Vec::new();
        if let Some(Value::Map(commands)) = node.get("commands").map(|c| &c.value) {
            runs.extend(
                commands
                    .iter()
                    .filter_map(|(name, c)| c.get("run").map(|r| (name.to_string(), r))),
            );
        }
        if let Some(Value::Seq(items)) = node.get("jobs").map(|c| &c.value) {
            runs.extend(items.iter().filter_map(|c| {
                let name = c
                    .get("name")
                    .and_then(Node::scalar_text)
                    .unwrap_or_else(|| "job".into());
                c.get("run").map(|r| (name, r))
            }));
        }
        for (name, run) in runs {
            let cleaned = run.scalar_text().map(|s| {
                s.replace("{staged_files}", "")
                    .replace("{all_files}", "")
                    .replace("{push_files}", "")
            });
            if let Some(script) = cleaned {
                let node = Node {
                    value: Value::String(script.into()),
                    line: run.line,
                };
                job.steps
                    .extend(reader.run_step(path, text, &node, Some(name), ""));
            }
        }
        jobs.push(job);
    }
    Ok(hook_pipeline("lefthook", path, jobs))
}

/// `.husky/pre-commit` and friends: shell scripts.
pub fn husky(reader: &Reader<'_>, path: &str, text: &str) -> Pipeline {
    let hook = path.rsplit('/').next().unwrap_or(path);
    let origin = Origin {
        path,
        cwd: String::new(),
        env: Vec::new(),
    };
    let commands = reader.resolver.script(text, 1, &origin);
    let mut job = Job::new(hook, path, 1);
    job.steps
        .push(step(Some(hook.to_string()), path, 1, None, commands));
    hook_pipeline("husky", path, vec![job])
}

#[cfg(test)]
mod tests {
    use super::folder_of_regex;

    #[test]
    fn hook_file_patterns_name_a_folder_when_literal() {
        assert_eq!(folder_of_regex("^frontend/").as_deref(), Some("frontend"));
        assert_eq!(
            folder_of_regex(r"^src/web/.*\.ts$").as_deref(),
            Some("src/web")
        );
        assert_eq!(
            folder_of_regex(r"^\.github\/workflows\/").as_deref(),
            Some(".github/workflows")
        );
        assert_eq!(folder_of_regex(r"\.py$"), None);
        assert_eq!(folder_of_regex("^(web|api)/"), None);
        assert_eq!(folder_of_regex("^backend/app/.*|^uv\\.lock$"), None);
        assert_eq!(folder_of_regex("^README.md$"), None);
    }
}
