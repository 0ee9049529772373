//! One reader per CI system (and one for commit hooks). Each turns its
//! files into [`Pipeline`]s; what the steps call is followed by the
//! [`Resolver`] the same way for all of them.

pub mod github;
pub mod gitlab;
pub mod hooks;
pub mod jenkins;
pub mod others;

use super::model::{Command, Event, Step, Trigger};
use super::resolve::{Origin, Resolver};
use crate::document::{Node, Value};

/// The first line of a script written as a YAML value on `key_line`: the
/// next line for a block scalar (`run: |`), else the key's own line.
pub fn script_line(text: &str, key_line: usize) -> usize {
    let line = text
        .lines()
        .nth(key_line.saturating_sub(1))
        .unwrap_or_default();
    let value = line.split_once(':').map_or(line, |(_, v)| v).trim();
    let value = value.trim_start_matches("- ").trim();
    let block = value.starts_with('|') || value.starts_with('>');
    if block { key_line + 1 } else { key_line }
}

/// What readers share: the file being read and the resolver.
pub struct Reader<'a> {
    pub resolver: &'a Resolver<'a>,
}

impl Reader<'_> {
    /// A step that runs a shell script written at `node` in `path`.
    pub fn run_step(
        &self,
        path: &str,
        text: &str,
        node: &Node,
        name: Option<String>,
        cwd: &str,
    ) -> Option<Step> {
        self.run_step_in(path, text, node, name, cwd, &[])
    }

    /// [`Reader::run_step`] with the environment the pipeline sets.
    pub fn run_step_in(
        &self,
        path: &str,
        text: &str,
        node: &Node,
        name: Option<String>,
        cwd: &str,
        env: &[(String, String)],
    ) -> Option<Step> {
        let script = script_text(node)?;
        let line = node.line().unwrap_or(1);
        let origin = Origin {
            path,
            cwd: cwd.to_string(),
            env: env.to_vec(),
        };
        let commands = self
            .resolver
            .script(&script, script_line(text, line), &origin);
        Some(step(name, path, line, None, commands))
    }

    /// A step made of several script lines (GitLab `script:` lists), run
    /// with the variables the pipeline sets (`env`).
    pub fn script_list(
        &self,
        path: &str,
        text: &str,
        node: &Node,
        name: Option<String>,
        env: &[(String, String)],
    ) -> Option<Step> {
        let mut origin = Origin {
            path,
            cwd: String::new(),
            env: env.to_vec(),
        };
        let mut commands = Vec::new();
        for item in flatten(node) {
            if let Some(script) = item.scalar_text() {
                let line = item.line().or(node.line()).unwrap_or(1);
                commands.extend(self.resolver.script_continued(
                    &script,
                    script_line(text, line),
                    &mut origin,
                ));
            }
        }
        if commands.is_empty() && flatten(node).is_empty() {
            return None;
        }
        Some(step(name, path, node.line().unwrap_or(1), None, commands))
    }

    /// A step that uses a named action or orb command, classified by name.
    pub fn uses_step(&self, path: &str, line: usize, uses: &str, name: Option<String>) -> Step {
        let classes = self.resolver.vocabulary.classify_action(uses);
        let command = Command {
            chain: vec![super::model::Link {
                path: path.to_string(),
                line,
                text: format!("uses {uses}"),
            }],
            classes: classes.iter().map(|c| c.class.to_string()).collect(),
            ecosystems: {
                let mut e: Vec<String> = classes.iter().map(|c| c.ecosystem.clone()).collect();
                e.sort();
                e.dedup();
                e
            },
            dir: String::new(),
            excluded: Vec::new(),
        };
        let mut step = step(name, path, line, Some(uses.to_string()), vec![command]);
        step.uses = Some(uses.to_string());
        step
    }
}

pub fn step(
    name: Option<String>,
    path: &str,
    line: usize,
    uses: Option<String>,
    commands: Vec<Command>,
) -> Step {
    let mut step = Step {
        name,
        path: path.to_string(),
        line,
        uses,
        allow_failure: false,
        commands,
        classes: Vec::new(),
    };
    step.classify();
    step
}

/// A script value: a string, or a list of strings joined by newlines.
pub fn script_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) => Some(s.to_string()),
        Value::Seq(items) => Some(
            items
                .iter()
                .filter_map(Node::scalar_text)
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        _ => None,
    }
}

/// Nested lists flattened (GitLab `!reference` and anchors produce them).
pub fn flatten(node: &Node) -> Vec<&Node> {
    match &node.value {
        Value::Seq(items) => items.iter().flat_map(flatten).collect(),
        Value::Null => Vec::new(),
        _ => vec![node],
    }
}

/// An `env:` / `variables:` map, as name and value; a GitLab variable
/// given as `{ value: …, description: … }` has its `value`.
pub fn env_of(node: Option<&Node>) -> Vec<(String, String)> {
    match node.map(|n| &n.value) {
        Some(Value::Map(entries)) => entries
            .iter()
            .filter_map(|(k, v)| {
                v.scalar_text()
                    .or_else(|| v.get("value").and_then(Node::scalar_text))
                    .map(|v| (k.to_string(), v))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Strings of a scalar-or-list value (`needs: a`, `needs: [a, b]`).
pub fn strings(node: Option<&Node>) -> Vec<String> {
    match node.map(|n| &n.value) {
        Some(Value::Seq(items)) => items
            .iter()
            .filter_map(|i| {
                i.scalar_text()
                    .or_else(|| i.get("job").and_then(Node::scalar_text))
            })
            .collect(),
        Some(_) => node.and_then(Node::scalar_text).into_iter().collect(),
        None => Vec::new(),
    }
}

/// `true`, `"true"`, `yes`: a literal truth; expressions are not evaluated.
pub fn is_true(node: Option<&Node>) -> bool {
    match node.map(|n| &n.value) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => matches!(s.trim(), "true" | "yes" | "${{ true }}"),
        _ => false,
    }
}

/// `false`, `${{ false }}`: a job or step that never runs.
pub fn is_false(node: Option<&Node>) -> bool {
    match node.map(|n| &n.value) {
        Some(Value::Bool(b)) => !*b,
        Some(Value::String(s)) => matches!(s.trim(), "false" | "${{ false }}" | "${{false}}"),
        _ => false,
    }
}

/// Branch filters of a trigger node (`branches: [main]`, `only: [main]`).
pub fn branches(node: Option<&Node>) -> Vec<String> {
    let Some(node) = node else { return Vec::new() };
    let mut found = strings(node.get("branches"));
    if let Some(include) = node.get("branches").and_then(|b| b.get("include")) {
        found.extend(strings(Some(include)));
    }
    found
}

/// Triggers most CI systems use when a file says nothing: every push and
/// every pull request.
pub fn default_triggers() -> Vec<Trigger> {
    vec![Trigger::on(Event::Push), Trigger::on(Event::PullRequest)]
}

/// The environment a deploy job's name or id points at, when it has no
/// `environment:` (`deploy-production`, `Deploy to staging`).
pub fn environment_in_name(name: &str) -> Option<String> {
    let lower = name.to_lowercase();
    [
        "production",
        "prod",
        "staging",
        "stage",
        "preview",
        "qa",
        "dev",
    ]
    .iter()
    .find(|env| {
        lower
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| w == **env)
    })
    .map(|env| match *env {
        "prod" => "production".to_string(),
        "stage" => "staging".to_string(),
        other => other.to_string(),
    })
}
