//! The command vocabulary: which commands test, lint, build, scan or deploy,
//! per ecosystem. The table is data (`vocabulary.yaml`, embedded in the
//! binary) so every check shares one list instead of its own regex.

use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// Every class a command can have, in the order reports list them.
pub const CLASSES: &[&str] = &[
    "test",
    "lint",
    "format-check",
    "type-check",
    "build",
    "sast",
    "dependency-audit",
    "secret-scan",
    "image-scan",
    "migration-check",
    "migrate",
    "deploy",
    "release",
    "release-notes",
    "rollback",
    "test-cluster",
    "housekeeping",
];

/// Classes a rule may name besides [`CLASSES`]: `security-scan` is any scan.
pub fn expand_class(class: &str) -> Vec<&'static str> {
    if class == "security-scan" {
        return vec!["sast", "dependency-audit", "secret-scan", "image-scan"];
    }
    CLASSES.iter().copied().filter(|c| *c == class).collect()
}

/// Ecosystems the table knows; `jvm` covers Java and Kotlin.
pub const ECOSYSTEMS: &[&str] = &[
    "go", "rust", "node", "python", "jvm", "ruby", "php", "docker", "other", "any",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    commands: Vec<CommandEntry>,
    staged_formatters: Vec<CommandEntry>,
    actions: Vec<ActionEntry>,
    hooks: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CommandEntry {
    class: String,
    ecosystem: String,
    #[serde(default)]
    fallback: bool,
    /// Counts only when the command's output is tested (`gofmt -l` exits 0
    /// whatever it lists).
    #[serde(default)]
    output_tested: bool,
    run: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionEntry {
    class: String,
    #[serde(default = "any_ecosystem")]
    ecosystem: String,
    uses: Vec<String>,
}

fn any_ecosystem() -> String {
    "any".to_string()
}

/// One compiled pattern: program, then argument words.
#[derive(Debug)]
struct Pattern {
    class: &'static str,
    ecosystem: String,
    fallback: bool,
    output_tested: bool,
    program: Vec<String>,
    words: Vec<Vec<String>>,
    forbidden: Vec<String>,
}

#[derive(Debug)]
pub struct Vocabulary {
    patterns: Vec<Pattern>,
    /// The patterns a program can match, by its name (patterns whose
    /// program is a wildcard are in `wild_programs`): a monorepo's pipeline
    /// classifies tens of thousands of commands against ~600 patterns.
    by_program: HashMap<String, Vec<usize>>,
    wild_programs: Vec<usize>,
    staged: Vec<Pattern>,
    actions: Vec<(&'static str, String, String)>,
    hooks: BTreeMap<String, String>,
}

/// A class a command or action was found to have, and the ecosystem of the
/// entry that said so.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Class {
    pub class: &'static str,
    pub ecosystem: String,
}

fn class_id(name: &str) -> Result<&'static str, String> {
    CLASSES
        .iter()
        .copied()
        .find(|c| *c == name)
        .ok_or_else(|| format!("unknown class `{name}`"))
}

impl Vocabulary {
    /// The built-in table. It is part of the binary and tested, so a broken
    /// table is a bug caught by `cargo test`, not a user error.
    pub fn builtin() -> &'static Vocabulary {
        static VOCABULARY: OnceLock<Vocabulary> = OnceLock::new();
        VOCABULARY.get_or_init(|| {
            Vocabulary::parse(include_str!("vocabulary.yaml"))
                .expect("the built-in command vocabulary is valid")
        })
    }

    pub fn parse(text: &str) -> Result<Vocabulary, String> {
        let table: Table = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
        let patterns = compile(table.commands)?;
        let staged = compile(table.staged_formatters)?;
        let mut actions = Vec::new();
        for entry in table.actions {
            let class = class_id(&entry.class)?;
            if !ECOSYSTEMS.contains(&entry.ecosystem.as_str()) {
                return Err(format!("unknown ecosystem `{}`", entry.ecosystem));
            }
            let ecosystem = entry.ecosystem;
            actions.extend(
                entry
                    .uses
                    .into_iter()
                    .map(|u| (class, u.to_lowercase(), ecosystem.clone())),
            );
        }
        let mut by_program: HashMap<String, Vec<usize>> = HashMap::new();
        let mut wild_programs = Vec::new();
        for (index, pattern) in patterns.iter().enumerate() {
            if pattern.program.iter().any(|name| name.contains('*')) {
                wild_programs.push(index);
            } else {
                for name in &pattern.program {
                    by_program.entry(name.clone()).or_default().push(index);
                }
            }
        }
        Ok(Vocabulary {
            patterns,
            by_program,
            wild_programs,
            staged,
            actions,
            hooks: table.hooks,
        })
    }
}

/// Compiles command entries into patterns: program, then argument words.
fn compile(entries: Vec<CommandEntry>) -> Result<Vec<Pattern>, String> {
    let mut patterns = Vec::new();
    for entry in entries {
        let class = class_id(&entry.class)?;
        if !ECOSYSTEMS.contains(&entry.ecosystem.as_str()) {
            return Err(format!("unknown ecosystem `{}`", entry.ecosystem));
        }
        for run in entry.run {
            let mut parts = run.split_whitespace();
            let program = parts
                .next()
                .ok_or_else(|| "an empty command pattern".to_string())?;
            let mut words = Vec::new();
            let mut forbidden = Vec::new();
            for part in parts {
                match part.strip_prefix('!') {
                    Some(word) => forbidden.push(word.to_string()),
                    None => words.push(part.split('|').map(str::to_string).collect()),
                }
            }
            patterns.push(Pattern {
                class,
                ecosystem: entry.ecosystem.clone(),
                fallback: entry.fallback,
                output_tested: entry.output_tested,
                program: program.split('|').map(str::to_string).collect(),
                words,
                forbidden,
            });
        }
    }
    Ok(patterns)
}

impl Vocabulary {
    /// Classes a command has when lint-staged runs it on the staged files:
    /// a formatter that rewrites them keeps what is committed formatted.
    pub fn classify_staged(&self, words: &[String]) -> Vec<Class> {
        let Some(first) = words.first() else {
            return Vec::new();
        };
        let program = program_name(first);
        self.staged
            .iter()
            .filter(|p| p.program.iter().any(|name| wildcard(name, &program)))
            .filter(|p| p.matches(&words[1..]))
            .map(|p| Class {
                class: p.class,
                ecosystem: p.ecosystem.clone(),
            })
            .collect()
    }

    /// Classes of a command given as words (wrappers already removed).
    /// `fallback` entries (a `make test` whose Makefile is not there) are
    /// asked only when `unresolved`; `output_tested` ones only when
    /// `output_used`.
    pub fn classify(&self, words: &[String], unresolved: bool, output_used: bool) -> Vec<Class> {
        let Some(first) = words.first() else {
            return Vec::new();
        };
        let program = program_name(first);
        let args = &words[1..];
        let named = self.by_program.get(&program).map_or(&[][..], Vec::as_slice);
        let mut found: Vec<Class> = named
            .iter()
            .chain(&self.wild_programs)
            .map(|&index| &self.patterns[index])
            .filter(|p| unresolved || !p.fallback)
            .filter(|p| output_used || !p.output_tested)
            .filter(|p| p.program.iter().any(|name| wildcard(name, &program)))
            .filter(|p| p.matches(args))
            .map(|p| Class {
                class: p.class,
                ecosystem: p.ecosystem.clone(),
            })
            .collect();
        found.sort();
        found.dedup();
        found
    }

    /// Classes of an action or orb command (`owner/repo/path@ref`).
    pub fn classify_action(&self, uses: &str) -> Vec<Class> {
        let name = uses.split('@').next().unwrap_or(uses).to_lowercase();
        let mut found: Vec<Class> = self
            .actions
            .iter()
            .filter(|(_, pattern, _)| wildcard(pattern, &name))
            .map(|(class, _, ecosystem)| Class {
                class,
                ecosystem: ecosystem.clone(),
            })
            .collect();
        found.sort();
        found.dedup();
        found
    }

    /// The command a remote pre-commit hook id amounts to.
    pub fn hook_command(&self, id: &str) -> Option<&str> {
        self.hooks.get(id).map(String::as_str)
    }
}

impl Pattern {
    fn matches(&self, args: &[String]) -> bool {
        if self
            .forbidden
            .iter()
            .any(|f| args.iter().any(|a| word_matches(f, a)))
        {
            return false;
        }
        let mut rest = args.iter();
        self.words
            .iter()
            .all(|choices| rest.any(|arg| choices.iter().any(|c| word_matches(c, arg))))
    }
}

fn word_matches(pattern: &str, arg: &str) -> bool {
    if wildcard(pattern, arg) {
        return true;
    }
    // `--check` also matches `--check=true`; `-c` does not match `-cov`.
    pattern.starts_with("--")
        && arg
            .strip_prefix(pattern)
            .is_some_and(|rest| rest.starts_with('='))
}

/// The program a command word names: its file name, with wrapper scripts
/// and versioned interpreters read as the tool (`./mvnw` is `mvn`).
pub fn program_name(word: &str) -> String {
    let base = word.rsplit(['/', '\\']).next().unwrap_or(word);
    let base = base
        .strip_suffix(".exe")
        .or_else(|| base.strip_suffix(".cmd"))
        .or_else(|| base.strip_suffix(".bat"))
        .unwrap_or(base);
    match base {
        "mvnw" => "mvn".to_string(),
        "gradlew" => "gradle".to_string(),
        _ if base.starts_with("python")
            && base[6..].chars().all(|c| c.is_ascii_digit() || c == '.') =>
        {
            "python".to_string()
        }
        _ => base.to_string(),
    }
}

/// `*` matches any run of characters (including none); everything else is
/// literal.
pub fn wildcard(pattern: &str, text: &str) -> bool {
    let Some((first, tail)) = pattern.split_once('*') else {
        return pattern == text;
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let mut parts = tail.split('*').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(command: &str) -> Vec<&'static str> {
        let words: Vec<String> = command.split_whitespace().map(str::to_string).collect();
        let mut found: Vec<&str> = Vocabulary::builtin()
            .classify(&words, true, true)
            .into_iter()
            .map(|c| c.class)
            .collect();
        found.dedup();
        found
    }

    #[test]
    fn the_builtin_table_loads_and_classifies_per_ecosystem() {
        assert_eq!(classes("./mvnw -B -ntp verify"), ["build", "test"]);
        assert_eq!(classes("./gradlew build"), ["build", "test"]);
        assert_eq!(classes("go test ./..."), ["build", "test"]);
        assert_eq!(classes("richgo test ./..."), ["build", "test"]);
        assert_eq!(
            classes("go install golang.org/x/tools/cmd/goimports@latest"),
            Vec::<&str>::new()
        );
        assert_eq!(classes("ruff check ."), ["lint"]);
        assert_eq!(classes("ruff format --check ."), ["format-check"]);
        assert_eq!(classes("ruff format ."), Vec::<&str>::new());
        assert_eq!(classes("prettier --write ."), Vec::<&str>::new());
        assert_eq!(classes("cargo fmt --all -- --check"), ["format-check"]);
        assert_eq!(classes("tsc --noEmit"), ["type-check"]);
        assert_eq!(
            classes("python3 manage.py makemigrations --check"),
            Vec::<&str>::new()
        );
        assert_eq!(
            classes("manage.py makemigrations --check"),
            ["migration-check"]
        );
        assert_eq!(classes("npm run test:unit"), ["test"]);
        assert_eq!(classes("alembic upgrade head"), ["migrate"]);
        assert_eq!(classes("manage.py migrate --check"), ["migration-check"]);
        assert_eq!(
            classes("migrate -path db/migrations -database $DB up"),
            ["migrate", "migration-check"]
        );
        assert_eq!(classes("prisma migrate deploy"), ["migrate"]);
        assert_eq!(classes("npm ci"), Vec::<&str>::new());
        // Trivy scans images for secrets too unless `--scanners` says otherwise.
        assert_eq!(
            classes("trivy image app:latest"),
            ["image-scan", "secret-scan"]
        );
        assert_eq!(
            classes("trivy image --scanners vuln app:latest"),
            ["image-scan"]
        );
        // Secrets are scanned only when the scanner list names them.
        assert_eq!(classes("trivy fs --scanners vuln ."), ["dependency-audit"]);
        assert_eq!(
            classes("trivy fs --scanners vuln,secret,misconfig ."),
            ["dependency-audit", "secret-scan"]
        );
        assert_eq!(classes("trivy fs --scanners=secret ."), ["secret-scan"]);
        assert_eq!(
            classes("trivy repo --security-checks vuln,config ."),
            ["dependency-audit"]
        );
        assert_eq!(
            classes("trivy fs --scanners misconfig --secret-config s.yaml ."),
            Vec::<&str>::new()
        );
        assert_eq!(classes("trivy fs ."), ["dependency-audit", "secret-scan"]);
        // Grype scans an image unless it is given a directory.
        assert_eq!(classes("grype ghcr.io/acme/app:1.0"), ["image-scan"]);
        assert_eq!(classes("grype dir:backend"), ["dependency-audit"]);
        assert_eq!(classes("grype ."), ["dependency-audit"]);
        assert_eq!(classes("docker scout cves app:1.0"), ["image-scan"]);
        assert_eq!(classes("snyk container test app:1.0"), ["image-scan"]);
        assert_eq!(classes("snyk test"), ["dependency-audit"]);
        assert_eq!(classes("artisan test --parallel"), ["test"]);
        assert_eq!(classes("mago format --check"), ["format-check"]);
        assert_eq!(classes("mago format"), Vec::<&str>::new());
        assert_eq!(classes("vp test --run"), ["test"]);
        assert_eq!(classes("helm upgrade --install app ./chart"), ["deploy"]);
        assert_eq!(
            classes("helm upgrade --install --atomic app ./chart"),
            ["deploy", "rollback"]
        );
        assert_eq!(
            classes("semantic-release --branches main"),
            ["release", "release-notes"]
        );
        // readyctl's own gate runs the secrets checks; its other commands do not.
        assert_eq!(
            classes("target/release/readyctl audit . --color never"),
            ["secret-scan"]
        );
        assert_eq!(classes("readyctl checks docs"), Vec::<&str>::new());
        // A deploy webhook is a URL; a notification that says "deployed" is not.
        assert_eq!(
            classes("curl -X POST https://api.render.com/deploy/srv-1?key=k"),
            ["deploy"]
        );
        assert_eq!(
            classes("curl -HTitle: app deployed -d done https://ntfy.sh/team"),
            Vec::<&str>::new()
        );
        assert_eq!(classes("curl -X POST $DEPLOY_HOOK"), ["deploy"]);
        assert_eq!(classes("fastapi deploy"), ["deploy"]);
        assert_eq!(classes("oxfmt --check src"), ["format-check"]);
        assert_eq!(classes("oxfmt src"), Vec::<&str>::new());
        assert_eq!(classes("kind create cluster --name ci"), ["test-cluster"]);
        assert_eq!(classes("mvn spring-javaformat:validate"), ["format-check"]);
    }

    #[test]
    fn staged_formatters() {
        let staged = |command: &str| -> Vec<&str> {
            let words: Vec<String> = command.split_whitespace().map(str::to_string).collect();
            Vocabulary::builtin()
                .classify_staged(&words)
                .into_iter()
                .map(|c| c.class)
                .collect()
        };
        assert_eq!(staged("prettier --write a.ts"), ["format-check"]);
        assert_eq!(staged("ruff format"), ["format-check"]);
        assert_eq!(staged("eslint --fix a.ts"), Vec::<&str>::new());
    }

    #[test]
    fn actions_and_hooks() {
        let vocabulary = Vocabulary::builtin();
        let action = |uses: &str| -> Vec<&str> {
            vocabulary
                .classify_action(uses)
                .into_iter()
                .map(|c| c.class)
                .collect()
        };
        assert_eq!(action("github/codeql-action/analyze@v3"), ["sast"]);
        assert_eq!(action("actions/checkout@v4"), Vec::<&str>::new());
        assert_eq!(action("gitleaks/gitleaks-action@v2"), ["secret-scan"]);
        assert_eq!(action("readyctl/readyctl@0123abcd"), ["secret-scan"]);
        assert_eq!(action("useblacksmith/build-push-action@v2"), ["build"]);
        assert_eq!(action("woodpeckerci/plugin-docker-buildx"), ["build"]);
        assert_eq!(action("actions/stale@v9"), ["housekeeping"]);
        assert_eq!(action("helm/kind-action@v1"), ["test-cluster"]);
        assert_eq!(
            action("googleapis/release-please-action@v4"),
            ["release", "release-notes"]
        );
        assert_eq!(
            vocabulary.hook_command("ruff-format"),
            Some("ruff format --check")
        );
    }

    #[test]
    fn wildcards() {
        assert!(wildcard("test:*", "test:unit"));
        assert!(wildcard("*/deploy-*", "acme/deploy-app"));
        assert!(!wildcard("*/deploy-*", "acme/redeploy"));
        assert!(wildcard(
            "github/codeql-action/*",
            "github/codeql-action/init"
        ));
    }
}
