//! What a command that names a target expands to: Makefile, justfile and
//! Taskfile targets, package.json scripts, shell scripts, tox and nox
//! sessions, cargo aliases, Compose services, pre-commit hooks, and the
//! plugins a Maven or Gradle build runs in its phases.

use super::resolve::{Expansion, Files, Origin, Resolver};
use super::vocabulary::program_name;
use crate::document::{Format, Node, Value};
use crate::repo::path::join;
use regex::Regex;
use std::sync::OnceLock;

/// Adds what `words` (wrappers removed) expands to; `false` when it names no
/// target the repository defines.
pub fn expand(
    resolver: &Resolver<'_>,
    words: &[String],
    origin: &Origin<'_>,
    out: &mut Vec<Expansion>,
) -> bool {
    let program = program_name(&words[0]);
    let args = &words[1..];
    let before = out.len();
    match program.as_str() {
        "make" | "gmake" | "$(MAKE)" | "${MAKE}" => make(resolver, args, origin, out),
        "just" => just(resolver, args, origin, out),
        "task" | "go-task" => taskfile(resolver, args, origin, out),
        "npm" | "pnpm" | "yarn" | "bun" => package_script(resolver, &program, args, origin, out),
        "turbo" | "lerna" | "nx" => monorepo_task(resolver, &program, args, out),
        "npm-run-all" | "npm-run-all2" | "run-s" | "run-p" => run_all(resolver, args, origin, out),
        "concurrently" => {
            for arg in args.iter().filter(|a| !a.starts_with('-')) {
                let command = match arg.strip_prefix("npm:") {
                    Some(script) => format!("npm run {script}"),
                    None => arg.clone(),
                };
                out.push(script_in(origin.path, 0, command, &origin.cwd));
            }
        }
        "bash" | "sh" | "zsh" | "dash" => match args.first().map(String::as_str) {
            Some("-c" | "-ec" | "-ce" | "-exc" | "-xec") => {
                if let Some(text) = args.get(1) {
                    out.push(script_in(origin.path, 0, text.clone(), &origin.cwd));
                }
            }
            _ => {
                if let Some(file) = args.iter().find(|a| !a.starts_with('-')) {
                    shell_file(resolver, file, origin, out);
                }
            }
        },
        "composer" => composer_script(resolver, args, origin, out, 0),
        "tox" => tox(resolver, args, origin, out),
        "nox" => nox(resolver, args, origin, out),
        "cargo" => cargo_alias(resolver, args, origin, out),
        "docker" | "podman" if args.first().is_some_and(|a| a == "compose") => {
            compose_run(resolver, &args[1..], origin, out)
        }
        "docker-compose" => compose_run(resolver, args, origin, out),
        "pre-commit" | "prek" if args.first().is_some_and(|a| a == "run") || args.is_empty() => {
            hooks(resolver, args, out)
        }
        "lint-staged" => lint_staged(resolver, out),
        "mvn" | "gradle" => build_plugins(resolver, &program, args, origin, out),
        _ => {
            let word = &words[0];
            if word.contains('/') || word.ends_with(".sh") || word.ends_with(".bash") {
                shell_file(resolver, word, origin, out);
            }
        }
    }
    out.len() > before
}

/// `pipenv run NAME` and `pdm run NAME` where NAME is a script of the
/// Pipfile's `[scripts]` or pyproject.toml's `[tool.pdm.scripts]`: that
/// script's command. `false` when NAME is a program instead.
pub fn runner_script(
    resolver: &Resolver<'_>,
    words: &[String],
    origin: &Origin<'_>,
    out: &mut Vec<Expansion>,
) -> bool {
    let (Some(first), Some("run")) = (words.first(), words.get(1).map(String::as_str)) else {
        return false;
    };
    let (manifests, table): (&[&str], &[&str]) = match program_name(first).as_str() {
        "pipenv" => (&["Pipfile"], &["scripts"]),
        "pdm" => (&["pyproject.toml"], &["tool", "pdm", "scripts"]),
        _ => return false,
    };
    let Some(name) = words[2..].iter().find(|w| !w.starts_with('-')) else {
        return false;
    };
    let Some((path, docs)) = documents_in_parents(resolver, &origin.cwd, manifests, Format::Toml)
    else {
        return false;
    };
    let mut node = docs.docs.first();
    for key in table {
        node = node.and_then(|n| n.get(key));
    }
    let Some(script) = node.and_then(|n| n.get(name)) else {
        return false;
    };
    // pdm also writes `{ cmd = "…" }` and `{ shell = "…" }`.
    let command = script.scalar_text().or_else(|| {
        script
            .get("cmd")
            .or_else(|| script.get("shell"))
            .and_then(Node::scalar_text)
    });
    let Some(mut command) = command else {
        return false;
    };
    // Arguments after the script's name are appended to its command.
    let rest: Vec<&str> = words
        .iter()
        .skip_while(|w| *w != name)
        .skip(1)
        .map(String::as_str)
        .collect();
    if !rest.is_empty() {
        command = format!("{command} {}", rest.join(" "));
    }
    out.push(script_in(
        &path,
        script.line().unwrap_or(1),
        command,
        &origin.cwd,
    ));
    true
}

fn script_in(path: &str, line: usize, text: String, cwd: &str) -> Expansion {
    Expansion::ScriptIn {
        path: path.to_string(),
        line,
        text,
        cwd: cwd.to_string(),
    }
}

/// Shells whose scripts are read as commands.
const SHELLS: &[&str] = &["sh", "bash", "zsh", "dash", "ksh"];

/// Reads a shell script in the repository; other interpreters' files
/// (a `#!/usr/bin/env python` script, `python scripts/release.py`) are not
/// shell and are left alone: their lines are code, not commands.
fn shell_file(resolver: &Resolver<'_>, file: &str, origin: &Origin<'_>, out: &mut Vec<Expansion>) {
    let Some(path) = join(&origin.cwd, file) else {
        return;
    };
    let Some(text) = resolver.files.get(&path) else {
        return;
    };
    let first = text.lines().next().unwrap_or_default();
    let shell_shebang = first.starts_with("#!")
        && SHELLS
            .iter()
            .any(|s| first.split(['/', ' ']).any(|word| word == *s));
    if first.starts_with("#!") && !shell_shebang {
        return;
    }
    // Without a shell shebang, the extension says what the file is: no
    // extension (`scripts/test`), a shell's or a Windows script's is a
    // script; `.py`, `.js`, `.rb`, … is another language's source.
    let name = path.rsplit('/').next().unwrap_or(&path);
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase());
    let script = |ext: &str| SHELLS.contains(&ext) || ["ps1", "cmd", "bat"].contains(&ext);
    if !shell_shebang && extension.is_some_and(|ext| !script(&ext)) {
        return;
    }
    // A script runs in its caller's directory, not its own: `prettier
    // --check .` in `scripts/check.sh` checks the root project.
    out.push(Expansion::ScriptIn {
        path,
        line: 1,
        text: text.to_string(),
        cwd: origin.cwd.clone(),
    });
}

/// The first of `names` in `cwd` or a folder above it, parsed (once per
/// audit) as `format`.
fn documents_in_parents(
    resolver: &Resolver<'_>,
    cwd: &str,
    names: &[&str],
    format: Format,
) -> Option<(String, std::sync::Arc<crate::document::Documents>)> {
    let (path, _) = find_in_parents(resolver, cwd, names)?;
    let docs = resolver.files.documents(&path, format)?;
    Some((path, docs))
}

fn find_in_parents<'a>(
    resolver: &Resolver<'a>,
    cwd: &str,
    names: &[&str],
) -> Option<(String, &'a str)> {
    let mut dir = cwd.to_string();
    loop {
        for name in names {
            let path = join(&dir, name)?;
            if let Some(text) = resolver.files.get(&path) {
                return Some((path, text));
            }
        }
        if dir.is_empty() {
            return None;
        }
        dir = dir
            .rsplit_once('/')
            .map_or(String::new(), |(d, _)| d.to_string());
    }
}

// --- make ------------------------------------------------------------------

/// A Makefile read for its targets: prerequisites and recipe lines.
struct Makefile {
    rules: Vec<MakeRule>,
    variables: Vec<(String, String)>,
}

struct MakeRule {
    targets: Vec<String>,
    prerequisites: Vec<String>,
    recipe: Vec<(usize, String)>,
}

fn target_line() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^([A-Za-z0-9_./%$(){}-][^:=#]*?)\s*::?\s*([^=].*)?$").expect("valid regex")
    })
}

fn variable_line() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^(?:export\s+|override\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(?:\?|:|::|\+)?=\s*(.*)$",
        )
        .expect("valid regex")
    })
}

fn parse_makefile(text: &str) -> Makefile {
    let mut rules: Vec<MakeRule> = Vec::new();
    let mut variables = Vec::new();
    let mut in_recipe = false;
    let lines: Vec<&str> = text.lines().collect();
    let mut index = 0;
    while index < lines.len() {
        let number = index + 1;
        let mut line = lines[index].to_string();
        index += 1;
        while line.ends_with('\\') && index < lines.len() {
            line.pop();
            line.push(' ');
            line.push_str(lines[index].trim_start_matches('\t'));
            index += 1;
        }
        if let Some(recipe) = line.strip_prefix('\t') {
            if in_recipe && let Some(rule) = rules.last_mut() {
                let recipe = recipe.trim_start_matches(['@', '-', '+', ' ']);
                rule.recipe.push((number, recipe.to_string()));
            }
            continue;
        }
        let trimmed = line.trim_end();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(captures) = variable_line().captures(trimmed) {
            variables.push((captures[1].to_string(), captures[2].trim().to_string()));
            in_recipe = false;
            continue;
        }
        if let Some(captures) = target_line().captures(trimmed) {
            let targets: Vec<String> = captures[1].split_whitespace().map(str::to_string).collect();
            let rest = captures.get(2).map_or("", |m| m.as_str());
            let (prerequisites, inline) = match rest.split_once(';') {
                Some((pre, recipe)) => (pre, Some(recipe.trim().to_string())),
                None => (rest, None),
            };
            let prerequisites = prerequisites
                .split('|')
                .next()
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_string)
                .collect();
            let mut rule = MakeRule {
                targets,
                prerequisites,
                recipe: Vec::new(),
            };
            if let Some(recipe) = inline {
                rule.recipe.push((number, recipe));
            }
            rules.push(rule);
            in_recipe = true;
            continue;
        }
        in_recipe = false;
    }
    Makefile { rules, variables }
}

impl Makefile {
    /// `$(VAR)` and `${VAR}` replaced by simple variable values, so
    /// `$(GO) test` reads as `go test`.
    fn expand_variables(&self, text: &str) -> String {
        let mut text = text.replace("$(MAKE)", "make").replace("${MAKE}", "make");
        for _ in 0..3 {
            let mut changed = false;
            for (name, value) in self.variables.iter().rev() {
                for form in [format!("$({name})"), format!("${{{name}}}")] {
                    if text.contains(&form) {
                        text = text.replace(&form, value);
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        // `BASH ?= $(shell command -v bash)`: the program it finds.
        static SHELL: OnceLock<Regex> = OnceLock::new();
        let shell = SHELL.get_or_init(|| {
            Regex::new(r"\$\(shell (?:command -v|which) ([A-Za-z0-9_.-]+)[^)]*\)")
                .expect("valid regex")
        });
        make_references(&shell.replace_all(&text, "$1"))
    }

    fn default_target(&self) -> Option<&str> {
        self.rules
            .iter()
            .flat_map(|r| r.targets.iter())
            .find(|t| !t.starts_with('.') && !t.contains('%'))
            .map(String::as_str)
    }
}

/// A recipe line as the shell receives it: make runs `$(shell cmd)` (read
/// as the substitution `$(cmd)`), turns `$$` into `$`, and replaces every
/// other `$(…)` / `${…}` (a variable or function left unexpanded) with a
/// value the shell never runs (`$_`), so `$(VERSION)` is no command.
fn make_references(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let open = rest[1..].chars().next();
        let close = match open {
            Some('$') => {
                out.push('$');
                rest = &rest[2..];
                continue;
            }
            Some('(') => ')',
            Some('{') => '}',
            _ => {
                out.push('$');
                rest = &rest[1..];
                continue;
            }
        };
        let open = if close == ')' { '(' } else { '{' };
        let mut level = 0;
        let end = rest[2..].char_indices().find_map(|(i, c)| {
            if c == open {
                level += 1;
            } else if c == close {
                if level == 0 {
                    return Some(i + 2);
                }
                level -= 1;
            }
            None
        });
        let Some(end) = end else {
            out.push_str(rest);
            return out;
        };
        let inner = &rest[2..end];
        match inner.strip_prefix("shell ") {
            Some(command) => {
                out.push_str("$(");
                out.push_str(&make_references(command));
                out.push(')');
            }
            None => out.push_str("$_"),
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

fn make(resolver: &Resolver<'_>, args: &[String], origin: &Origin<'_>, out: &mut Vec<Expansion>) {
    let mut cwd = origin.cwd.clone();
    let mut file = None;
    let mut goals = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "-C" | "--directory" => {
                if let Some(dir) = iter.next().and_then(|d| join(&cwd, d)) {
                    cwd = dir;
                }
            }
            "-f" | "--file" | "--makefile" => file = iter.next().cloned(),
            "-j" | "-l" | "-o" | "-W" | "-I" => {
                iter.next();
            }
            a if a.starts_with("-C") && a.len() > 2 => {
                if let Some(dir) = join(&cwd, &a[2..]) {
                    cwd = dir;
                }
            }
            a if a.starts_with('-') || a.contains('=') => {}
            a => goals.push(a.to_string()),
        }
    }
    let found = match &file {
        Some(file) => join(&cwd, file).and_then(|p| resolver.files.get(&p).map(|t| (p, t))),
        None => ["GNUmakefile", "makefile", "Makefile"]
            .iter()
            .find_map(|n| join(&cwd, n).and_then(|p| resolver.files.get(&p).map(|t| (p, t)))),
    };
    let Some((path, _)) = found else {
        return;
    };
    let Some(makefile) = resolver.files.parsed(&path, parse_makefile) else {
        return;
    };
    if goals.is_empty()
        && let Some(default) = makefile.default_target()
    {
        goals.push(default.to_string());
    }
    let mut seen = Vec::new();
    for goal in goals {
        make_target(&makefile, &goal, &path, &cwd, &mut seen, out);
    }
}

fn make_target(
    makefile: &Makefile,
    goal: &str,
    path: &str,
    cwd: &str,
    seen: &mut Vec<String>,
    out: &mut Vec<Expansion>,
) {
    if seen.iter().any(|s| s == goal) || seen.len() > 50 {
        return;
    }
    seen.push(goal.to_string());
    for rule in makefile
        .rules
        .iter()
        .filter(|r| r.targets.iter().any(|t| t == goal))
    {
        for prerequisite in &rule.prerequisites {
            make_target(makefile, prerequisite, path, cwd, seen, out);
        }
        for (line, recipe) in &rule.recipe {
            out.push(script_in(
                path,
                *line,
                makefile.expand_variables(recipe),
                cwd,
            ));
        }
    }
}

// --- just --------------------------------------------------------------------

fn just(resolver: &Resolver<'_>, args: &[String], origin: &Origin<'_>, out: &mut Vec<Expansion>) {
    let Some((path, text)) = find_in_parents(
        resolver,
        &origin.cwd,
        &["justfile", "Justfile", ".justfile"],
    ) else {
        return;
    };
    let recipes = parse_justfile(text);
    let mut goals: Vec<String> = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .take(1)
        .cloned()
        .collect();
    if goals.is_empty()
        && let Some((name, _, _)) = recipes.first()
    {
        goals.push(name.clone());
    }
    let mut seen = Vec::new();
    for goal in goals {
        just_recipe(&recipes, &goal, &path, &mut seen, out);
    }
}

type JustRecipe = (String, Vec<String>, Vec<(usize, String)>);

fn parse_justfile(text: &str) -> Vec<JustRecipe> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let header = RE.get_or_init(|| {
        Regex::new(r"^@?([A-Za-z_][A-Za-z0-9_-]*)(?:\s+[^:]*)?:\s*([^=].*)?$").expect("valid regex")
    });
    let mut recipes: Vec<JustRecipe> = Vec::new();
    let mut open = false;
    for (index, line) in text.lines().enumerate() {
        if line.starts_with([' ', '\t']) {
            if open && let Some(recipe) = recipes.last_mut() {
                let body = line.trim().trim_start_matches(['@', '-']);
                recipe.2.push((index + 1, body.to_string()));
            }
            continue;
        }
        open = false;
        if line.contains(":=") || line.starts_with('#') || line.starts_with('[') {
            continue;
        }
        if let Some(captures) = header.captures(line) {
            let dependencies = captures
                .get(2)
                .map_or("", |m| m.as_str())
                .split('#')
                .next()
                .unwrap_or_default()
                .split_whitespace()
                .filter(|d| !d.starts_with("&&"))
                .map(|d| d.trim_start_matches('(').to_string())
                .filter(|d| {
                    d.chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
                })
                .collect();
            recipes.push((captures[1].to_string(), dependencies, Vec::new()));
            open = true;
        }
    }
    recipes
}

fn just_recipe(
    recipes: &[JustRecipe],
    goal: &str,
    path: &str,
    seen: &mut Vec<String>,
    out: &mut Vec<Expansion>,
) {
    if seen.iter().any(|s| s == goal) {
        return;
    }
    seen.push(goal.to_string());
    let Some((_, dependencies, body)) = recipes.iter().find(|(name, _, _)| name == goal) else {
        return;
    };
    for dependency in dependencies {
        just_recipe(recipes, dependency, path, seen, out);
    }
    for (line, text) in body {
        out.push(Expansion::Script {
            path: path.to_string(),
            line: *line,
            text: text.clone(),
        });
    }
}

// --- Taskfile ------------------------------------------------------------------

fn taskfile(
    resolver: &Resolver<'_>,
    args: &[String],
    origin: &Origin<'_>,
    out: &mut Vec<Expansion>,
) {
    let names = [
        "Taskfile.yml",
        "Taskfile.yaml",
        "taskfile.yml",
        "taskfile.yaml",
        "Taskfile.dist.yml",
    ];
    let Some((path, text)) = find_in_parents(resolver, &origin.cwd, &names) else {
        return;
    };
    let Some(docs) = resolver.files.documents(&path, Format::Yaml) else {
        return;
    };
    let Some(tasks) = docs.docs.first().and_then(|d| d.get("tasks")) else {
        return;
    };
    let mut goals: Vec<String> = args
        .iter()
        .filter(|a| !a.starts_with('-') && !a.contains('='))
        .cloned()
        .collect();
    if goals.is_empty() {
        goals.push("default".to_string());
    }
    let mut seen = Vec::new();
    for goal in goals {
        task(tasks, &goal, &path, text, &mut seen, out);
    }
}

fn task(
    tasks: &Node,
    goal: &str,
    path: &str,
    text: &str,
    seen: &mut Vec<String>,
    out: &mut Vec<Expansion>,
) {
    if seen.iter().any(|s| s == goal) || seen.len() > 50 {
        return;
    }
    seen.push(goal.to_string());
    let Some(node) = tasks.get(goal) else { return };
    let task_ref = |n: &Node| {
        n.scalar_text()
            .or_else(|| n.get("task").and_then(Node::scalar_text))
    };
    if let Some(Value::Seq(deps)) = node.get("deps").map(|d| &d.value) {
        for dep in deps {
            if let Some(name) = task_ref(dep) {
                task(tasks, &name, path, text, seen, out);
            }
        }
    }
    let commands: Vec<&Node> = match &node.value {
        Value::Seq(items) => items.iter().collect(),
        Value::String(_) => vec![node],
        _ => match node.get("cmds").map(|c| &c.value) {
            Some(Value::Seq(items)) => items.iter().collect(),
            _ => node.get("cmd").into_iter().collect(),
        },
    };
    for command in commands {
        if let Some(name) = command.get("task").and_then(Node::scalar_text) {
            task(tasks, &name, path, text, seen, out);
        } else if let Some(script) = command
            .scalar_text()
            .or_else(|| command.get("cmd").and_then(Node::scalar_text))
        {
            let line = command.line().unwrap_or(1);
            out.push(Expansion::Script {
                path: path.to_string(),
                line: super::readers::script_line(text, line),
                text: script,
            });
        }
    }
}

// --- package.json scripts --------------------------------------------------------

/// `npm test`, `npm run lint`, `pnpm lint`, `yarn build`, `bun run x`, with
/// workspace fan-out (`pnpm -r`, `--filter`, `--workspaces`).
fn package_script(
    resolver: &Resolver<'_>,
    manager: &str,
    args: &[String],
    origin: &Origin<'_>,
    out: &mut Vec<Expansion>,
) {
    let mut fan_out = false;
    // `-w @acme/db`, `--filter web`: only the workspace package so named.
    let mut workspace: Option<String> = None;
    let mut cwd = origin.cwd.clone();
    let mut positional = Vec::new();
    // `npm run with:env -- npm run migrate`: what follows `--` is appended
    // to the script's command line.
    let mut passed: Vec<String> = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "-r" | "--recursive" | "-ws" | "--workspaces" | "workspaces" | "foreach" | "-A"
            | "--all" => fan_out = true,
            "--filter" | "-F" | "-w" | "--workspace" => {
                fan_out = true;
                workspace = iter.next().cloned();
            }
            "--prefix" | "-C" | "--cwd" | "--dir" => {
                if let Some(dir) = iter.next().and_then(|d| join(&origin.cwd, d)) {
                    cwd = dir;
                }
            }
            "--" => {
                passed = iter.cloned().collect();
                break;
            }
            a if a.starts_with("--filter=") || a.starts_with("--workspace=") => {
                fan_out = true;
                workspace = a.split_once('=').map(|(_, w)| w.to_string());
            }
            a if a.starts_with('-') => {}
            a => positional.push(a.to_string()),
        }
    }
    let script = match positional.first().map(String::as_str) {
        Some("run" | "run-script" | "rum" | "urn") => positional.get(1).cloned(),
        Some("test" | "t" | "tst") => Some("test".to_string()),
        Some("start" | "stop" | "restart") => positional.first().cloned(),
        Some(
            "install" | "i" | "ci" | "add" | "exec" | "dlx" | "x" | "publish" | "audit"
            | "outdated" | "link" | "version" | "pack" | "config" | "cache" | "init" | "create"
            | "remove" | "update" | "upgrade",
        ) => None,
        // pnpm, yarn and bun run scripts by name; npm does not.
        Some(name) if manager != "npm" => Some(name.to_string()),
        _ => None,
    };
    let Some(script) = script else { return };
    let manifests: Vec<String> = if fan_out {
        let all: Vec<&str> = resolver
            .files
            .paths()
            .filter(|p| {
                (*p == "package.json" || p.ends_with("/package.json"))
                    && !p.contains("node_modules/")
            })
            .collect();
        let named: Vec<&str> = workspace
            .as_deref()
            .map(|name| {
                all.iter()
                    .copied()
                    .filter(|manifest| {
                        package_name(resolver.files, manifest).as_deref() == Some(name)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let chosen = if named.is_empty() { all } else { named };
        chosen.into_iter().map(str::to_string).collect()
    } else {
        join(&cwd, "package.json").into_iter().collect()
    };
    for manifest in manifests {
        package_json_script_with(resolver.files, &manifest, &script, &passed, out);
    }
}

/// `composer test`, `composer run-script lint`: the `scripts` entry of
/// composer.json. An entry is a command, a list of them, `@php …` (PHP
/// running a file), `@other` (another script) or a PHP callback
/// (`Vendor\\Class::method`, which runs no command).
fn composer_script(
    resolver: &Resolver<'_>,
    args: &[String],
    origin: &Origin<'_>,
    out: &mut Vec<Expansion>,
    depth: usize,
) {
    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let name = match positional.first().map(|a| a.as_str()) {
        Some("run-script" | "run") => positional.get(1),
        Some(
            "install" | "update" | "require" | "remove" | "dump-autoload" | "validate" | "audit"
            | "outdated" | "show" | "config" | "global" | "exec" | "create-project" | "self-update",
        ) => None,
        Some(_) => positional.first(),
        None => None,
    };
    let Some(name) = name else { return };
    let Some((path, docs)) =
        documents_in_parents(resolver, &origin.cwd, &["composer.json"], Format::Json)
    else {
        return;
    };
    let Some(entry) = docs
        .docs
        .first()
        .and_then(|d| d.get("scripts"))
        .and_then(|s| s.get(name))
    else {
        return;
    };
    let commands: Vec<(String, usize)> = match &entry.value {
        Value::String(command) => vec![(command.to_string(), entry.line().unwrap_or(1))],
        Value::Seq(items) => items
            .iter()
            .filter_map(|i| Some((i.scalar_text()?, i.line().or(entry.line()).unwrap_or(1))))
            .collect(),
        _ => Vec::new(),
    };
    for (command, line) in commands {
        let command = match command.strip_prefix('@') {
            Some(rest) if rest.starts_with("php ") || rest.starts_with("composer ") => {
                rest.to_string()
            }
            // `@putenv X=1` sets a variable; `@other` runs another script.
            Some(rest) if rest.starts_with("putenv ") => continue,
            Some(rest) if depth < 5 => format!("composer {rest}"),
            Some(_) => continue,
            None if command.contains("::") && !command.contains(' ') => continue,
            None => command,
        };
        // Composer runs scripts from the project's root.
        let cwd = path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
        out.push(script_in(&path, line, command, &cwd));
    }
}

/// The `name` of a package.json.
fn package_name(files: &Files<'_>, manifest: &str) -> Option<String> {
    let docs = files.documents(manifest, Format::Json)?;
    docs.docs.first()?.get("name")?.scalar_text()
}

fn package_json_script(files: &Files<'_>, manifest: &str, script: &str, out: &mut Vec<Expansion>) {
    package_json_script_with(files, manifest, script, &[], out);
}

/// The script `script` of a package.json with its `pre`/`post` scripts;
/// `passed` (what followed `--`) goes at the end of the script itself.
fn package_json_script_with(
    files: &Files<'_>,
    manifest: &str,
    script: &str,
    passed: &[String],
    out: &mut Vec<Expansion>,
) {
    let Some(docs) = files.documents(manifest, Format::Json) else {
        return;
    };
    let Some(scripts) = docs.docs.first().and_then(|d| d.get("scripts")) else {
        return;
    };
    let cwd = manifest
        .rsplit_once('/')
        .map_or(String::new(), |(d, _)| d.to_string());
    for name in [
        format!("pre{script}"),
        script.to_string(),
        format!("post{script}"),
    ] {
        if let Some(node) = scripts.get(&name)
            && let Some(mut body) = node.scalar_text()
        {
            if name == script && !passed.is_empty() {
                body.push(' ');
                body.push_str(&passed.join(" "));
            }
            out.push(script_in(manifest, node.line().unwrap_or(1), body, &cwd));
        }
    }
}

/// `npm-run-all lint test`, `run-s "lint:*"`, `npm-run-all --parallel a b`.
fn run_all(
    resolver: &Resolver<'_>,
    args: &[String],
    origin: &Origin<'_>,
    out: &mut Vec<Expansion>,
) {
    let Some(manifest) = join(&origin.cwd, "package.json") else {
        return;
    };
    let Some(docs) = resolver.files.documents(&manifest, Format::Json) else {
        return;
    };
    let Some(Value::Map(scripts)) = docs
        .docs
        .first()
        .and_then(|d| d.get("scripts"))
        .map(|s| &s.value)
    else {
        return;
    };
    for pattern in args.iter().filter(|a| !a.starts_with('-')) {
        let pattern = pattern.replace("**", "*");
        for (name, _) in scripts {
            if super::vocabulary::wildcard(&pattern, name) {
                package_json_script(resolver.files, &manifest, name, out);
            }
        }
    }
}

/// `turbo run test`, `lerna run lint`, `nx run-many -t test`: the script in
/// every workspace package that has it.
fn monorepo_task(
    resolver: &Resolver<'_>,
    program: &str,
    args: &[String],
    out: &mut Vec<Expansion>,
) {
    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let tasks: Vec<String> = match (program, positional.first().map(|s| s.as_str())) {
        ("nx", Some("run-many" | "affected")) => {
            let mut found = Vec::new();
            let mut iter = args.iter();
            while let Some(arg) = iter.next() {
                if arg == "-t" || arg == "--target" || arg == "--targets" {
                    if let Some(t) = iter.next() {
                        found.extend(t.split(',').map(str::to_string));
                    }
                } else if let Some(t) = arg
                    .strip_prefix("--target=")
                    .or(arg.strip_prefix("--targets="))
                {
                    found.extend(t.split(',').map(str::to_string));
                }
            }
            found
        }
        (_, Some("run")) => positional.iter().skip(1).map(|s| s.to_string()).collect(),
        ("turbo", Some(_)) => positional.iter().map(|s| s.to_string()).collect(),
        _ => Vec::new(),
    };
    let manifests: Vec<&str> = resolver
        .files
        .paths()
        .filter(|p| {
            (*p == "package.json" || p.ends_with("/package.json")) && !p.contains("node_modules/")
        })
        .collect();
    for task in tasks {
        for manifest in &manifests {
            package_json_script(resolver.files, manifest, &task, out);
        }
    }
}

// --- lint-staged -----------------------------------------------------------------

/// Where lint-staged finds its configuration, after the `lint-staged` key
/// of `package.json`: data files, then JavaScript modules.
pub const LINT_STAGED_FILES: &[&str] = &[
    ".lintstagedrc",
    ".lintstagedrc.json",
    ".lintstagedrc.yaml",
    ".lintstagedrc.yml",
    ".lintstagedrc.js",
    ".lintstagedrc.cjs",
    ".lintstagedrc.mjs",
    "lint-staged.config.js",
    "lint-staged.config.cjs",
    "lint-staged.config.mjs",
];

fn lint_staged(resolver: &Resolver<'_>, out: &mut Vec<Expansion>) {
    let from_manifest = resolver
        .files
        .documents("package.json", Format::Json)
        .and_then(|docs| {
            docs.docs.first()?.get("lint-staged")?;
            Some(("package.json", docs))
        });
    let (path, docs) = match from_manifest {
        Some(found) => found,
        None => {
            // The first configuration file lint-staged would read.
            let Some((path, text)) = LINT_STAGED_FILES
                .iter()
                .find_map(|path| Some((*path, resolver.files.get(path)?)))
            else {
                return;
            };
            if path.ends_with("js") {
                lint_staged_module(path, text, out);
                return;
            }
            let format = if path.ends_with(".json") || text.trim_start().starts_with('{') {
                Format::Json
            } else {
                Format::Yaml
            };
            let Some(docs) = resolver.files.documents(path, format) else {
                return;
            };
            (path, docs)
        }
    };
    let root = docs.docs.first();
    let globs = match root.and_then(|d| d.get("lint-staged")) {
        Some(node) => Some(node),
        None => root,
    };
    let Some(Value::Map(globs)) = globs.map(|s| &s.value) else {
        return;
    };
    for (_, commands) in globs {
        let list: Vec<&Node> = match &commands.value {
            Value::Seq(items) => items.iter().collect(),
            _ => vec![commands],
        };
        for command in list {
            if let Some(text) = command.scalar_text() {
                out.push(Expansion::Staged {
                    path: path.to_string(),
                    line: command.line().unwrap_or(1),
                    text,
                });
            }
        }
    }
}

/// The commands of a JavaScript lint-staged config (`module.exports = {
/// '*.ts': 'npm run lint:staged' }`, also `['a', 'b']` lists): the string
/// values of its glob keys, read as text. A command a function builds from
/// a template (`(files) => \`oxfmt ${files.join(" ")}\``) is read without
/// its placeholders: the files lint-staged passes.
fn lint_staged_module(path: &str, text: &str, out: &mut Vec<Expansion>) {
    static ENTRY: OnceLock<Regex> = OnceLock::new();
    static STRING: OnceLock<Regex> = OnceLock::new();
    let entry = ENTRY.get_or_init(|| {
        Regex::new(r#"(?m)^[ \t]*['"`][^'"`\n]+['"`][ \t]*:[ \t]*(\[[^\]]*\]|'[^'\n]*'|"[^"\n]*"|`[^`\n]*`)"#)
            .expect("valid lint-staged entry regex")
    });
    let string = STRING.get_or_init(|| {
        Regex::new(r#"'([^'\n]*)'|"([^"\n]*)"|`([^`\n]*)`"#).expect("valid string regex")
    });
    for captures in entry.captures_iter(text) {
        let value = captures.get(1).expect("group 1 always matches");
        let line = 1 + text[..value.start()].matches('\n').count();
        for literal in string.captures_iter(value.as_str()) {
            if let Some(command) = literal.iter().skip(1).flatten().next() {
                let text = placeholder().replace_all(command.as_str(), "");
                out.push(Expansion::Staged {
                    path: path.to_string(),
                    line,
                    text: text.trim().to_string(),
                });
            }
        }
    }
}

/// `${...}` in a template literal.
fn placeholder() -> &'static Regex {
    static PLACEHOLDER: OnceLock<Regex> = OnceLock::new();
    PLACEHOLDER.get_or_init(|| Regex::new(r"\$\{[^}]*\}").expect("valid placeholder regex"))
}

// --- tox, nox --------------------------------------------------------------------

fn tox(resolver: &Resolver<'_>, args: &[String], origin: &Origin<'_>, out: &mut Vec<Expansion>) {
    let Some((path, text)) = find_in_parents(resolver, &origin.cwd, &["tox.ini"]) else {
        return;
    };
    let sections = ini_sections(text);
    let mut envs: Vec<String> = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "-e" || arg == "--env" {
            if let Some(list) = iter.next() {
                envs.extend(list.split(',').map(|e| e.trim().to_string()));
            }
        } else if let Some(list) = arg.strip_prefix("-e") {
            envs.extend(
                list.split(',')
                    .filter(|e| !e.is_empty())
                    .map(str::to_string),
            );
        }
    }
    if envs.is_empty() {
        envs.push(String::new());
    }
    for env in envs {
        let wanted = if env.is_empty() {
            "testenv".to_string()
        } else {
            format!("testenv:{env}")
        };
        let section = sections
            .iter()
            .find(|(name, _)| *name == wanted)
            .or_else(|| sections.iter().find(|(name, _)| name == "testenv"));
        let Some((_, keys)) = section else { continue };
        for (key, line, value) in keys {
            if key == "commands" || key == "commands_pre" {
                for (offset, command) in value.lines().enumerate() {
                    let command = command.trim().trim_start_matches('-').trim();
                    if !command.is_empty() {
                        out.push(Expansion::Script {
                            path: path.clone(),
                            line: line + offset,
                            text: command
                                .replace("{posargs}", "")
                                .replace("{envpython}", "python"),
                        });
                    }
                }
            }
        }
    }
}

type IniSection = (String, Vec<(String, usize, String)>);

/// INI sections with their keys, the line of each value, and continuation
/// lines joined by newlines.
fn ini_sections(text: &str) -> Vec<IniSection> {
    let mut sections: Vec<IniSection> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            sections.push((name.trim().to_string(), Vec::new()));
            continue;
        }
        let Some((_, keys)) = sections.last_mut() else {
            continue;
        };
        if line.starts_with([' ', '\t']) {
            if let Some((_, _, value)) = keys.last_mut() {
                value.push('\n');
                value.push_str(trimmed);
            }
        } else if let Some((key, value)) = trimmed.split_once('=') {
            let value = value.trim();
            let line = if value.is_empty() {
                index + 2
            } else {
                index + 1
            };
            keys.push((key.trim().to_string(), line, value.to_string()));
        }
    }
    sections
}

/// `nox [-s session…]`: the `session.run(…)` calls of the sessions chosen
/// (`-s`/`-e`/`--session`/`--sessions`, else `nox.options.sessions`, else
/// every session) in `noxfile.py`.
fn nox(resolver: &Resolver<'_>, args: &[String], origin: &Origin<'_>, out: &mut Vec<Expansion>) {
    static RUN: OnceLock<Regex> = OnceLock::new();
    let call = RUN.get_or_init(|| {
        Regex::new(
            r#"session\.run\(\s*((?:(?:"[^"\n]*"|'[^'\n]*')\s*,\s*)*(?:"[^"\n]*"|'[^'\n]*'))"#,
        )
        .expect("valid regex")
    });
    let Some((path, text)) = find_in_parents(resolver, &origin.cwd, &["noxfile.py"]) else {
        return;
    };
    let sessions = nox_sessions(text);
    let mut chosen = nox_chosen(args);
    if chosen.is_empty() {
        chosen = nox_default_sessions(text);
    }
    for session in sessions
        .iter()
        .filter(|s| chosen.is_empty() || chosen.iter().any(|c| nox_names(c, &s.name)))
    {
        let body = &text[session.body.clone()];
        let first = text[..session.body.start].matches('\n').count() + 1;
        for captures in call.captures_iter(body) {
            let whole = captures.get(0).expect("group 0");
            let line = first + body[..whole.start()].matches('\n').count();
            let words: Vec<String> = captures[1]
                .split(',')
                .map(|w| w.trim().trim_matches(['"', '\'']).to_string())
                .filter(|w| !w.is_empty())
                .collect();
            out.push(Expansion::Words {
                path: path.clone(),
                line,
                words,
                cwd: None,
            });
        }
    }
}

/// A `@nox.session` function: its name (the decorator's `name=`, else the
/// function's) and the byte range of its body.
struct NoxSession {
    name: String,
    body: std::ops::Range<usize>,
}

fn nox_sessions(text: &str) -> Vec<NoxSession> {
    static DEF: OnceLock<Regex> = OnceLock::new();
    let def = DEF.get_or_init(|| {
        Regex::new(
            r#"(?m)^@(?:nox\.)?session\b(?:\((?P<args>[^)]*)\))?[^\n]*\n(?:@[^\n]*\n)*def\s+(?P<fn>\w+)\s*\([^\n]*\n"#,
        )
        .expect("valid regex")
    });
    static NAME: OnceLock<Regex> = OnceLock::new();
    let name =
        NAME.get_or_init(|| Regex::new(r#"\bname\s*=\s*["']([^"']+)["']"#).expect("valid regex"));
    let mut sessions = Vec::new();
    for captures in def.captures_iter(text) {
        let whole = captures.get(0).expect("group 0");
        // The body ends at the next line that is not indented.
        let start = whole.end();
        let end = text[start..]
            .match_indices('\n')
            .map(|(i, _)| start + i + 1)
            .find(|&i| {
                text[i..]
                    .chars()
                    .next()
                    .is_some_and(|c| !c.is_whitespace() && c != '#')
            })
            .unwrap_or(text.len());
        let session_name = captures
            .name("args")
            .and_then(|a| name.captures(a.as_str()))
            .map(|c| c[1].to_string())
            .unwrap_or_else(|| captures["fn"].to_string());
        sessions.push(NoxSession {
            name: session_name,
            body: start..end,
        });
    }
    sessions
}

/// Whether `chosen` names `session`, or one of its Python versions or
/// parameters (`tests-3.12`, `tests(django='5.0')`).
fn nox_names(chosen: &str, session: &str) -> bool {
    chosen
        .strip_prefix(session)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['-', '(']))
}

/// The sessions named on the command line.
fn nox_chosen(args: &[String]) -> Vec<String> {
    let mut chosen = Vec::new();
    let mut taking = false;
    for arg in args {
        match arg.as_str() {
            "-s" | "-e" | "--session" | "--sessions" => taking = true,
            a if a.starts_with('-') => {
                taking = false;
                if let Some(list) = a
                    .strip_prefix("--session=")
                    .or_else(|| a.strip_prefix("--sessions="))
                {
                    chosen.extend(list.split(',').map(str::to_string));
                }
            }
            a if taking => chosen.push(a.to_string()),
            _ => {}
        }
    }
    chosen
}

/// `nox.options.sessions = ["tests", "lint"]`: what a bare `nox` runs.
fn nox_default_sessions(text: &str) -> Vec<String> {
    static OPTIONS: OnceLock<Regex> = OnceLock::new();
    let options = OPTIONS.get_or_init(|| {
        Regex::new(r#"(?m)^nox\.options\.sessions\s*=\s*[\[(]([^\])]*)[\])]"#).expect("valid regex")
    });
    options
        .captures(text)
        .map(|c| {
            c[1].split(',')
                .map(|w| w.trim().trim_matches(['"', '\'']).to_string())
                .filter(|w| !w.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

// --- cargo aliases, compose, hooks ------------------------------------------------

fn cargo_alias(
    resolver: &Resolver<'_>,
    args: &[String],
    origin: &Origin<'_>,
    out: &mut Vec<Expansion>,
) {
    let Some(name) = args
        .iter()
        .find(|a| !a.starts_with('-') && !a.starts_with('+'))
    else {
        return;
    };
    let Some((path, docs)) = documents_in_parents(
        resolver,
        &origin.cwd,
        &[".cargo/config.toml", ".cargo/config"],
        Format::Toml,
    ) else {
        return;
    };
    let Some(alias) = docs
        .docs
        .first()
        .and_then(|d| d.get("alias"))
        .and_then(|a| a.get(name))
    else {
        return;
    };
    let mut words = vec!["cargo".to_string()];
    match &alias.value {
        Value::String(s) => words.extend(s.split_whitespace().map(str::to_string)),
        Value::Seq(items) => words.extend(items.iter().filter_map(Node::scalar_text)),
        _ => return,
    }
    words.extend(args.iter().skip_while(|a| *a != name).skip(1).cloned());
    // An alias runs where cargo was called, not in `.cargo/`.
    out.push(Expansion::Words {
        path,
        line: alias.line().unwrap_or(1),
        words,
        cwd: Some(origin.cwd.clone()),
    });
}

/// `docker compose run [options] service [command]`: the command given, or
/// the service's own `command:`.
fn compose_run(
    resolver: &Resolver<'_>,
    args: &[String],
    origin: &Origin<'_>,
    out: &mut Vec<Expansion>,
) {
    let mut files = Vec::new();
    let mut iter = args.iter().peekable();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "-f" | "--file" => files.extend(iter.next().and_then(|f| join(&origin.cwd, f))),
            "-p" | "--project-name" | "--env-file" | "--profile" => {
                iter.next();
            }
            "run" | "exec" => break,
            _ => return,
        }
    }
    let mut service = None;
    let mut command = Vec::new();
    while let Some(arg) = iter.next() {
        if service.is_none() {
            match arg.as_str() {
                "-e" | "--env" | "-w" | "--workdir" | "-u" | "--user" | "--name"
                | "--entrypoint" | "-v" | "--volume" | "-p" | "--publish" | "-l" | "--label" => {
                    iter.next();
                }
                a if a.starts_with('-') => {}
                a => service = Some(a.to_string()),
            }
        } else {
            command.push(arg.clone());
        }
    }
    let Some(service) = service else { return };
    if !command.is_empty() {
        out.push(Expansion::Words {
            path: origin.path.to_string(),
            line: 0,
            words: command,
            cwd: Some(origin.cwd.clone()),
        });
        return;
    }
    if files.is_empty() {
        files = [
            "compose.yaml",
            "compose.yml",
            "docker-compose.yml",
            "docker-compose.yaml",
        ]
        .iter()
        .filter_map(|n| join(&origin.cwd, n))
        .collect();
    }
    for file in files {
        let Some(docs) = resolver.files.documents(&file, Format::Yaml) else {
            continue;
        };
        let Some(node) = docs
            .docs
            .first()
            .and_then(|d| d.get("services"))
            .and_then(|s| s.get(&service))
            .and_then(|s| s.get("command"))
        else {
            continue;
        };
        let line = node.line().unwrap_or(1);
        match &node.value {
            // The container's command sees the project mounted where the
            // caller runs.
            Value::String(text) => out.push(Expansion::ScriptIn {
                path: file.clone(),
                line,
                text: text.to_string(),
                cwd: origin.cwd.clone(),
            }),
            Value::Seq(items) => out.push(Expansion::Words {
                path: file.clone(),
                line,
                words: items.iter().filter_map(Node::scalar_text).collect(),
                cwd: Some(origin.cwd.clone()),
            }),
            _ => {}
        }
    }
}

/// `pre-commit run [--all-files] [hook]`: what the repository's hooks run.
fn hooks(resolver: &Resolver<'_>, args: &[String], out: &mut Vec<Expansion>) {
    let only: Option<&String> = args.iter().skip(1).find(|a| !a.starts_with('-'));
    let commands: Vec<_> = resolver
        .hooks
        .iter()
        .filter(|c| {
            only.is_none_or(|id| {
                c.chain
                    .first()
                    .is_some_and(|l| l.text.split_whitespace().nth(1) == Some(id.as_str()))
            })
        })
        .cloned()
        .collect();
    if !commands.is_empty() {
        out.push(Expansion::Known(commands));
    }
}

// --- Maven and Gradle plugins -------------------------------------------------------

/// Plugins a build declares that run in the lifecycle, with what they do.
const MAVEN_PLUGINS: &[(&str, &str)] = &[
    ("maven-checkstyle-plugin", "checkstyle"),
    ("spotbugs-maven-plugin", "spotbugs"),
    ("maven-pmd-plugin", "pmd"),
    ("spotless-maven-plugin", "mvn spotless:check"),
    ("fmt-maven-plugin", "mvn fmt:check"),
    ("dependency-check-maven", "dependency-check"),
    ("ktlint-maven-plugin", "ktlint"),
    ("detekt-maven-plugin", "detekt"),
    (
        "spring-javaformat-maven-plugin",
        "mvn spring-javaformat:validate",
    ),
];

const GRADLE_PLUGINS: &[(&str, &str)] = &[
    ("checkstyle", "checkstyle"),
    ("pmd", "pmd"),
    ("com.github.spotbugs", "spotbugs"),
    ("io.gitlab.arturbosch.detekt", "detekt"),
    ("org.jlleitschuh.gradle.ktlint", "ktlint"),
    ("com.diffplug.spotless", "gradle spotlessCheck"),
    // Adds `checkFormat` to `check`.
    ("io.spring.javaformat", "gradle checkFormat"),
];

/// Maven's default lifecycle, in order: a run of one phase runs the
/// phases before it.
const MAVEN_PHASES: &[&str] = &[
    "validate",
    "initialize",
    "generate-sources",
    "process-sources",
    "generate-resources",
    "process-resources",
    "compile",
    "process-classes",
    "generate-test-sources",
    "process-test-sources",
    "generate-test-resources",
    "process-test-resources",
    "test-compile",
    "process-test-classes",
    "test",
    "prepare-package",
    "package",
    "pre-integration-test",
    "integration-test",
    "post-integration-test",
    "verify",
    "install",
    "deploy",
];

/// A lifecycle run (`mvn verify`, `./gradlew check`) also runs the
/// plugins the build binds to it: Checkstyle in `validate`, Spotless in
/// `verify`, detekt in `check`.
fn build_plugins(
    resolver: &Resolver<'_>,
    program: &str,
    args: &[String],
    origin: &Origin<'_>,
    out: &mut Vec<Expansion>,
) {
    let (files, plugins, phases): (&[&str], &[(&str, &str)], &[&str]) = if program == "mvn" {
        (&["pom.xml"], MAVEN_PLUGINS, MAVEN_PHASES)
    } else {
        (
            &["build.gradle.kts", "build.gradle"],
            GRADLE_PLUGINS,
            &["check", "build"],
        )
    };
    if !args.iter().any(|a| phases.contains(&a.as_str())) {
        return;
    }
    let Some((path, text)) = find_in_parents(resolver, &origin.cwd, files) else {
        return;
    };
    let requested = args
        .iter()
        .filter_map(|a| phases.iter().position(|p| p == a))
        .max()
        .unwrap_or(0);
    for (plugin, command) in plugins {
        let found = if program == "mvn" {
            maven_plugin_runs(text, plugin, phases, requested)
        } else {
            gradle_plugin_line(text, plugin)
        };
        if let Some(index) = found {
            out.push(Expansion::Words {
                path: path.clone(),
                line: index + 1,
                words: command.split_whitespace().map(str::to_string).collect(),
                cwd: None,
            });
        }
    }
}

/// The line (0-based) of a Gradle plugin applied in the build.
fn gradle_plugin_line(text: &str, plugin: &str) -> Option<usize> {
    text.lines().position(|line| {
        let line = line.trim();
        !line.starts_with("//")
            && line.contains(plugin)
            && (line.contains("id")
                || line.starts_with(plugin)
                || line.contains(&format!("\"{plugin}\""))
                || line.contains(&format!("'{plugin}'"))
                || line.contains(&format!("`{plugin}`")))
    })
}

/// The line (0-based) of a Maven plugin that runs up to the `requested`
/// phase (an index into `phases`): declared in `<build><plugins>` (not only
/// in `<pluginManagement>`, which configures without running), with an
/// `<execution>` binding a goal, to a phase no later than the one asked for
/// (a goal without `<phase>` runs in its own default phase, taken to run).
fn maven_plugin_runs(text: &str, plugin: &str, phases: &[&str], requested: usize) -> Option<usize> {
    let needle = format!("<artifactId>{plugin}</artifactId>");
    let lines: Vec<&str> = text.lines().collect();
    let mut managed = 0usize;
    for (index, line) in lines.iter().enumerate() {
        let line = line.trim();
        managed += line.matches("<pluginManagement>").count();
        managed = managed.saturating_sub(line.matches("</pluginManagement>").count());
        if managed > 0 || line.starts_with("<!--") || !line.contains(&needle) {
            continue;
        }
        // The rest of this `<plugin>` element.
        let rest = lines[index..].join("\n");
        let block = rest.split("</plugin>").next().unwrap_or_default();
        if !block.contains("<goal>") {
            continue;
        }
        let bound = tag_values(block, "phase");
        let runs = bound.is_empty()
            || bound.iter().any(|phase| {
                phases
                    .iter()
                    .position(|p| p == phase)
                    .is_none_or(|at| at <= requested)
            });
        if runs {
            return Some(index);
        }
    }
    None
}

/// The text of every `<tag>…</tag>` in `xml`, trimmed.
fn tag_values<'x>(xml: &'x str, tag: &str) -> Vec<&'x str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    xml.split(open.as_str())
        .skip(1)
        .filter_map(|rest| rest.split(close.as_str()).next())
        .map(str::trim)
        .collect()
}
