//! Following what a step calls, inside the repository only and without
//! running anything: `make richtest` becomes the recipe of `richtest` in the
//! Makefile, `npm run ci` the commands of its script, `./scripts/test` the
//! commands of that file, to a bounded depth.

use super::model::{Command, Link};
use super::shell::{self, ShellCommand};
use super::targets;
use super::vocabulary::{Vocabulary, program_name};
use crate::document::{Documents, Format};
use crate::repo::path::join;
use std::any::{Any, TypeId};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// How many calls deep a chain is followed.
const MAX_DEPTH: usize = 8;
/// Commands one step may expand to: a fan-out over a monorepo's packages
/// stays bounded.
const MAX_COMMANDS: usize = 400;
/// Text kept of a command in a chain.
const TEXT_LIMIT: usize = 120;

/// The repository files the resolver may read, by path.
#[derive(Default)]
pub struct Files<'a> {
    map: BTreeMap<&'a str, &'a str>,
    /// Each file parsed at most once per type. A monorepo's pipeline asks
    /// for the same manifests again and again: `turbo run test` reads every
    /// package.json, once per task and per step that runs it (medusa: 200
    /// manifests, most of the audit's time before this).
    parsed: Mutex<HashMap<(String, TypeId), Arc<dyn Any + Send + Sync>>>,
}

impl std::fmt::Debug for Files<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Files")
            .field("paths", &self.map.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl<'a> Files<'a> {
    pub fn insert(&mut self, path: &'a str, text: &'a str) {
        self.map.insert(path, text);
    }

    pub fn get(&self, path: &str) -> Option<&'a str> {
        self.map.get(path).copied()
    }

    pub fn paths(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.map.keys().copied()
    }

    /// The file at `path` parsed into a `T` by `parse`, which runs at most
    /// once per path and type. A caller must parse a given path the same
    /// way every time (its format follows from the path).
    pub fn parsed<T: Any + Send + Sync>(
        &self,
        path: &str,
        parse: impl FnOnce(&str) -> T,
    ) -> Option<Arc<T>> {
        let text = self.get(path)?;
        let key = (path.to_string(), TypeId::of::<T>());
        let mut cache = self.parsed.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(hit) = cache.get(&key) {
            return hit.clone().downcast::<T>().ok();
        }
        let value = Arc::new(parse(text));
        cache.insert(key, value.clone());
        Some(value)
    }

    /// The documents of the file at `path`, parsed once.
    pub fn documents(&self, path: &str, format: Format) -> Option<Arc<Documents>> {
        self.parsed(path, |text| Documents::parse(format, text))
    }
}

/// Where `cd target` goes: relative to the current directory, or to the
/// script's own folder for `cd "$(dirname "$0")/.."`.
fn cd_target(origin: &Origin<'_>, target: &str) -> Option<String> {
    if let Some(rest) = target.strip_prefix("$(dirname") {
        let (_, after) = rest.split_once(')')?;
        return join(parent(origin.path), after.trim_start_matches('/'));
    }
    // A variable, the home folder or the previous folder: unknown, so the
    // commands stay where they were.
    if target.contains('$') || target.starts_with(['~', '-']) {
        return None;
    }
    join(&origin.cwd, target)
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

pub struct Resolver<'a> {
    pub files: &'a Files<'a>,
    pub vocabulary: &'a Vocabulary,
    /// Commands the repository's hooks run, for `pre-commit run` in CI.
    pub hooks: Vec<Command>,
}

/// The state of one walk down a chain.
struct Walk<'w> {
    chain: Vec<Link>,
    depth: usize,
    out: &'w mut Vec<Command>,
}

/// Where a command was written, the directory it runs in and the
/// environment the pipeline sets for it (only what changes what a command
/// does: `TRIVY_SCANNERS`).
#[derive(Clone, Default)]
pub struct Origin<'o> {
    pub path: &'o str,
    pub cwd: String,
    pub env: Vec<(String, String)>,
}

impl Origin<'_> {
    /// The last value the pipeline or the script gave `name`.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Resolver<'_> {
    /// Every command a script (a `run:` block, a recipe) reaches.
    pub fn script(&self, text: &str, first_line: usize, origin: &Origin<'_>) -> Vec<Command> {
        let mut origin = origin.clone();
        self.script_continued(text, first_line, &mut origin)
    }

    /// [`Resolver::script`] for one of several lines run by one shell (a
    /// GitLab or Woodpecker `script:` list): where a `cd` or an `export`
    /// leaves `origin` is where the next line starts.
    pub fn script_continued(
        &self,
        text: &str,
        first_line: usize,
        origin: &mut Origin<'_>,
    ) -> Vec<Command> {
        let mut out = Vec::new();
        let mut walk = Walk {
            chain: Vec::new(),
            depth: 0,
            out: &mut out,
        };
        let end = self.script_in(text, first_line, origin, &mut walk);
        origin.cwd = end.cwd;
        origin.env = end.env;
        out
    }

    /// Commands a single command (as words) reaches, e.g. a hook's entry.
    /// `output_used`: something tests what it prints (a known hook's
    /// script that fails when `gofmt -l` lists a file).
    pub fn words(
        &self,
        words: Vec<String>,
        line: usize,
        origin: &Origin<'_>,
        output_used: bool,
    ) -> Vec<Command> {
        let mut out = Vec::new();
        let mut walk = Walk {
            chain: Vec::new(),
            depth: 0,
            out: &mut out,
        };
        let command = ShellCommand {
            line,
            words,
            output_used,
        };
        self.command(command, origin, &mut walk);
        out
    }

    /// Walks a script; returns where it ends (its directory, its exports).
    fn script_in<'o>(
        &self,
        text: &str,
        first_line: usize,
        origin: &Origin<'o>,
        walk: &mut Walk<'_>,
    ) -> Origin<'o> {
        let mut origin = origin.clone();
        for command in shell::commands(text, first_line) {
            let program = command.words.first().map(String::as_str);
            if program == Some("export") {
                for word in &command.words[1..] {
                    if let Some((name, value)) = word.split_once('=') {
                        origin.env.push((name.to_string(), value.to_string()));
                    }
                }
                continue;
            }
            if matches!(program, Some("cd" | "pushd")) {
                if let Some(dir) = command.words.get(1).and_then(|d| cd_target(&origin, d)) {
                    origin.cwd = dir;
                }
                continue;
            }
            self.command(command, &origin, walk);
        }
        origin
    }

    fn command(&self, command: ShellCommand, origin: &Origin<'_>, walk: &mut Walk<'_>) {
        if walk.out.len() >= MAX_COMMANDS {
            return;
        }
        let link = Link {
            path: origin.path.to_string(),
            line: command.line,
            text: shorten(&command.words.join(" ")),
        };
        walk.chain.push(link);
        let output_used = command.output_used;
        let mut children = Vec::new();
        // `pipenv run test` runs the Pipfile's `test` script, not a program
        // called `test`: looked up before the wrapper is removed.
        let script = walk.depth < MAX_DEPTH
            && targets::runner_script(self, &command.words, origin, &mut children);
        let mut words = match script {
            true => Vec::new(),
            false => strip_wrappers(command.words),
        };
        if words.first().is_some_and(|w| program_name(w) == "trivy") {
            trivy_scanners(self.files, &mut words, origin);
        }
        let resolved = script
            || (walk.depth < MAX_DEPTH
                && !words.is_empty()
                && targets::expand(self, &words, origin, &mut children));
        let classes = if words.is_empty() {
            Vec::new()
        } else {
            self.vocabulary.classify(&words, !resolved, output_used)
        };
        let mut ecosystems: Vec<String> = classes.iter().map(|c| c.ecosystem.clone()).collect();
        ecosystems.sort();
        ecosystems.dedup();
        let mut names: Vec<String> = classes.iter().map(|c| c.class.to_string()).collect();
        names.sort();
        names.dedup();
        walk.out.push(Command {
            chain: walk.chain.clone(),
            classes: names,
            ecosystems,
            dir: origin.cwd.clone(),
            excluded: Vec::new(),
        });
        walk.depth += 1;
        // An expansion with no line of its own (a command given on the
        // command line of `docker compose run`) is where its caller is.
        let here = walk.chain.last().map_or(1, |l| l.line);
        // What the caller exported is seen by the scripts it runs.
        let walk_env = origin.env.clone();
        let at = |line: usize| if line == 0 { here } else { line };
        for child in children {
            match child {
                Expansion::Script { path, line, text } => {
                    let origin = Origin {
                        path: &path,
                        cwd: parent(&path).to_string(),
                        env: walk_env.clone(),
                    };
                    self.script_in(&text, at(line), &origin, walk);
                }
                Expansion::ScriptIn {
                    path,
                    line,
                    text,
                    cwd,
                } => {
                    let origin = Origin {
                        path: &path,
                        cwd,
                        env: walk_env.clone(),
                    };
                    self.script_in(&text, at(line), &origin, walk);
                }
                Expansion::Words {
                    path,
                    line,
                    words,
                    cwd,
                } => {
                    let cwd = cwd.unwrap_or_else(|| parent(&path).to_string());
                    let origin = Origin {
                        path: &path,
                        cwd,
                        env: walk_env.clone(),
                    };
                    let line = at(line);
                    self.command(ShellCommand::new(line, words), &origin, walk);
                }
                Expansion::Staged { path, line, text } => {
                    let origin = Origin {
                        path: &path,
                        cwd: String::new(),
                        env: walk_env.clone(),
                    };
                    let start = walk.out.len();
                    self.script_in(&text, at(line), &origin, walk);
                    for command in &mut walk.out[start..] {
                        self.mark_staged_formatter(command);
                    }
                }
                Expansion::Known(commands) => {
                    for mut known in commands {
                        let mut chain = walk.chain.clone();
                        chain.append(&mut known.chain);
                        known.chain = chain;
                        walk.out.push(known);
                    }
                }
            }
        }
        walk.depth -= 1;
        walk.chain.pop();
    }
}

/// What a command expands to.
pub enum Expansion {
    /// Shell text written in a file, run from that file's directory.
    Script {
        path: String,
        line: usize,
        text: String,
    },
    /// Shell text run from a given directory (a package script, a recipe
    /// run with `make -C`).
    ScriptIn {
        path: String,
        line: usize,
        text: String,
        cwd: String,
    },
    /// One command, already in words, run from `cwd` (the file's own
    /// directory when `None`).
    Words {
        path: String,
        line: usize,
        words: Vec<String>,
        cwd: Option<String>,
    },
    /// Commands resolved elsewhere (the repository's hooks).
    Known(Vec<Command>),
    /// A command lint-staged runs on the staged files, from the root.
    Staged {
        path: String,
        line: usize,
        text: String,
    },
}

impl Resolver<'_> {
    /// A formatter lint-staged runs rewrites the staged files and stages the
    /// result: what is committed is formatted, as a format check ensures.
    fn mark_staged_formatter(&self, command: &mut Command) {
        let text = command.chain.last().map_or("", |l| l.text.as_str());
        let words = strip_wrappers(text.split_whitespace().map(str::to_string).collect());
        for class in self.vocabulary.classify_staged(&words) {
            command.classes.push(class.class.to_string());
            command.ecosystems.push(class.ecosystem);
        }
        command.classes.sort();
        command.classes.dedup();
        command.ecosystems.sort();
        command.ecosystems.dedup();
    }
}

/// Trivy scans with the scanners its command line names, else those of
/// `TRIVY_SCANNERS`, else those of its configuration file (`--config`,
/// `TRIVY_CONFIG`, or `trivy.yaml` where it runs: `scan: { scanners: [...] }`),
/// else its defaults. The command is given the `--scanners` it runs with, so
/// the vocabulary classifies what it really scans for.
fn trivy_scanners(files: &Files<'_>, words: &mut Vec<String>, origin: &Origin<'_>) {
    let named = |w: &String| {
        ["--scanners", "--security-checks"]
            .iter()
            .any(|flag| w == flag || w.starts_with(&format!("{flag}=")))
    };
    if words.iter().any(named) {
        return;
    }
    let from_env = origin
        .var("TRIVY_SCANNERS")
        .or_else(|| origin.var("TRIVY_SECURITY_CHECKS"))
        .map(str::to_string);
    let scanners = from_env.or_else(|| {
        let flag = words
            .iter()
            .position(|w| w == "--config" || w == "-c")
            .and_then(|i| words.get(i + 1).cloned())
            .or_else(|| {
                words
                    .iter()
                    .find_map(|w| w.strip_prefix("--config=").map(str::to_string))
            });
        let file = flag
            .or_else(|| origin.var("TRIVY_CONFIG").map(str::to_string))
            .unwrap_or_else(|| "trivy.yaml".to_string());
        let path = join(&origin.cwd, &file)?;
        let docs = files.documents(&path, Format::Yaml)?;
        let scan = docs.docs.first()?.get("scan")?;
        let list = scan
            .get("scanners")
            .or_else(|| scan.get("security-checks"))?;
        let names: Vec<String> = match &list.value {
            crate::document::Value::Seq(items) => {
                items.iter().filter_map(|i| i.scalar_text()).collect()
            }
            _ => list.scalar_text().into_iter().collect(),
        };
        (!names.is_empty()).then(|| names.join(","))
    });
    if let Some(scanners) = scanners {
        // Before the target, where a reader of the chain expects options.
        let at = words.len().min(2);
        words.insert(at, scanners.split_whitespace().collect());
        words.insert(at, "--scanners".to_string());
    }
}

fn shorten(text: &str) -> String {
    let single: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if single.chars().count() <= TEXT_LIMIT {
        return single;
    }
    let mut cut: String = single.chars().take(TEXT_LIMIT - 1).collect();
    cut.push('…');
    cut
}

/// Options of the wrappers below that take a value as the next word
/// (`uv run --python 3.12`, `npx -p pkg`, `poetry run -C dir`).
const WRAPPER_OPTIONS_WITH_VALUE: &[&str] = &[
    "--python",
    "--with",
    "--with-requirements",
    "--with-editable",
    "--group",
    "--only-group",
    "--no-group",
    "--extra",
    "--package",
    "--directory",
    "--project",
    "--env-file",
    "--index",
    "--index-url",
    "--extra-index-url",
    "--config-file",
    "--spec",
    "--signal",
    "--kill-after",
    "--name",
    "-n",
    "-p",
    "-C",
];

/// Removes what only runs the real command: `npx`, `uv run`, `bundle exec`,
/// `python -m`, `coverage run -m`, `cross-env A=b`, … The result's first
/// word is the program that does the work.
pub fn strip_wrappers(mut words: Vec<String>) -> Vec<String> {
    for _ in 0..6 {
        let Some(first) = words.first() else {
            return words;
        };
        let program = program_name(first);
        let second = words.get(1).map(String::as_str);
        // dotenv-cli and env-cmd take option values (`dotenv -e .env --
        // cmd`): the command is what follows `--`.
        if matches!(program.as_str(), "dotenv" | "dotenv-cli" | "env-cmd")
            && let Some(end) = words.iter().position(|w| w == "--")
        {
            words.drain(..=end);
            continue;
        }
        let skip = match (program.as_str(), second) {
            ("npx" | "bunx" | "pnpx", _) => 1,
            ("pnpm" | "yarn" | "npm", Some("exec" | "dlx")) => 2,
            ("bun", Some("x")) => 2,
            ("uv" | "poetry" | "pipenv" | "pdm" | "rye" | "hatch" | "conda", Some("run")) => 2,
            ("pipx", Some("run")) => 2,
            (
                "uvx" | "pipx" | "xvfb-run" | "nice" | "ionice" | "cross-env" | "dotenv"
                | "with-contenv",
                _,
            ) => 1,
            ("bundle" | "bundler", Some("exec")) => 2,
            ("timeout", _) => 2,
            ("coverage", Some("run")) => 2,
            ("go", Some("run")) if words.get(2).is_some_and(|w| w.contains('@')) => {
                // `go run tool@version args`: the tool is the program.
                let tool = words[2].split('@').next().unwrap_or_default().to_string();
                words.splice(0..3, [tool]);
                continue;
            }
            ("python", Some("-m")) => 2,
            ("python" | "node" | "ruby" | "perl" | "php", Some(script))
                if !script.starts_with('-') =>
            {
                1
            }
            _ => 0,
        };
        if skip == 0 {
            return words;
        }
        words.drain(..skip.min(words.len()));
        // Options of the wrapper (`uv run --frozen`, `npx -y`) and
        // assignments (`cross-env NODE_ENV=test`) before the program.
        while let Some(word) = words.first() {
            let is_option = word.starts_with('-') && word != "-m";
            let is_assignment = word.contains('=') && !word.starts_with('-');
            if WRAPPER_OPTIONS_WITH_VALUE.contains(&word.as_str()) {
                // `uv run --python 3.12 pytest`: the value is no program.
                words.drain(..2.min(words.len()));
            } else if word == "--" || is_option || is_assignment {
                words.remove(0);
            } else if word == "-m" {
                words.remove(0);
                break;
            } else {
                break;
            }
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(text: &str) -> String {
        strip_wrappers(text.split_whitespace().map(str::to_string).collect()).join(" ")
    }

    #[test]
    fn wrappers_are_removed() {
        assert_eq!(strip("uv run --frozen pytest -q"), "pytest -q");
        assert_eq!(
            strip("uv run --python ${PYTHON_VERSION} --dev --frozen pytest"),
            "pytest"
        );
        assert_eq!(strip("npx -p @biomejs/biome biome ci ."), "biome ci .");
        assert_eq!(strip("poetry run ./scripts/test"), "./scripts/test");
        assert_eq!(strip("bundle exec rspec"), "rspec");
        assert_eq!(strip("python -m pytest"), "pytest");
        assert_eq!(strip("python3 manage.py test"), "manage.py test");
        assert_eq!(strip("coverage run -m pytest"), "pytest");
        assert_eq!(strip("npx -y eslint ."), "eslint .");
        assert_eq!(strip("bunx playwright test"), "playwright test");
        assert_eq!(strip("cross-env NODE_ENV=test jest"), "jest");
        assert_eq!(
            strip("dotenv -e .env -e .env.local -- npm run migrate"),
            "npm run migrate"
        );
        assert_eq!(
            strip("go run golang.org/x/vuln/cmd/govulncheck@latest ./..."),
            "golang.org/x/vuln/cmd/govulncheck ./..."
        );
        assert_eq!(strip("go test ./..."), "go test ./...");
    }
}
