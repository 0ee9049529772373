//! `readyctl init`: a starting `readyctl.toml`, commented so a team can read
//! what each knob does, and optionally a CI job that gates on the audit and
//! uploads SARIF. Stack detection is the library's (the audit's own), so the
//! comments name what the audit will see.

use super::args::{CiArg, InitArgs};
use super::{Failure, exit, output};
use readyctl::config::CONFIG_FILE;
use readyctl::render::stack_lines;
use readyctl::scan::ScanOptions;
use readyctl::stack::{self, Stack};
use std::path::{Path, PathBuf};

const GITHUB_WORKFLOW: &str = ".github/workflows/readyctl.yml";
const GITLAB_JOB: &str = ".gitlab/readyctl.gitlab-ci.yml";

pub fn run(args: InitArgs) -> Result<u8, Failure> {
    if !args.path.is_dir() {
        return Err(Failure::Message(format!(
            "`{}` is not a directory",
            args.path.display()
        )));
    }
    let stack = stack::detect(&args.path, &ScanOptions::default())?;
    let mut files: Vec<(PathBuf, String)> = vec![(args.path.join(CONFIG_FILE), config(&stack))];
    for ci in ci_systems(&args) {
        files.push(match ci {
            CiArg::Github => (args.path.join(GITHUB_WORKFLOW), github_workflow()),
            CiArg::Gitlab => (args.path.join(GITLAB_JOB), gitlab_job()),
        });
    }
    // All or nothing: refuse before writing anything, naming every file.
    let existing: Vec<String> = files
        .iter()
        .filter(|(path, _)| path.exists())
        .map(|(path, _)| format!("`{}`", path.display()))
        .collect();
    if !existing.is_empty() && !args.force {
        return Err(Failure::Message(format!(
            "{} already exist{}; use --force to replace",
            existing.join(", "),
            if existing.len() == 1 { "s" } else { "" }
        )));
    }
    for (path, text) in &files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
        }
        output::write(text, Some(path))?;
        println!("wrote {}", path.display());
    }
    if files.iter().any(|(p, _)| p.ends_with(GITLAB_JOB)) {
        println!("add to .gitlab-ci.yml:  include: [{{ local: {GITLAB_JOB} }}]");
    }
    Ok(exit::OK)
}

/// `--ci`, else what the repository already uses.
fn ci_systems(args: &InitArgs) -> Vec<CiArg> {
    if let Some(ci) = args.ci {
        return vec![ci];
    }
    let root: &Path = &args.path;
    let mut found = Vec::new();
    if root.join(".github").is_dir() {
        found.push(CiArg::Github);
    }
    if root.join(".gitlab-ci.yml").is_file() {
        found.push(CiArg::Gitlab);
    }
    found
}

fn config(stack: &Stack) -> String {
    let mut detected = String::new();
    for (title, value) in stack_lines(stack) {
        detected.push_str(&format!("#   {title}: {value}\n"));
    }
    format!(
        r#"# readyctl.toml: how `readyctl audit` judges this repository.
# Every key is optional: delete what you do not need. Reference: the README's
# "Configuration" section; JSON Schema: `readyctl schema config`.
#
# Detected stack (checks that do not apply to it are skipped):
{detected}
[scan]
# Files larger than this many bytes are counted as skipped, not read.
max_file_size = 1048576
# Gitignore-style patterns to leave out, on top of .gitignore and .ignore,
# e.g. test data with planted secrets: ["testdata/", "*.min.js"]
exclude = []

[checks]
# Check ids or globs to switch off; reported as skipped, with the reason.
disable = []
# Change how much a check matters, or by which stage it must pass:
# severity = {{ "docs.changelog" = "info" }}
# stage = {{ "testing.load-tests" = "production" }}

[scoring]
# At or above `ready` the verdict can be READY; below `caveats` it is NOT READY.
ready = 90
caveats = 70
# The overall score is the mean of the category scores; weigh a category
# more, less, or not at all (0). Every category weighs 1 by default.
# categories = {{ secrets = 2, backups = 0.5 }}

[gate]
# When `readyctl audit` exits 1. With nothing set, it fails on a NOT READY
# verdict; once any is set, exactly those conditions apply.
# fail_under = 80
# fail_on = "critical"
# stage = "beta"

# A running service, probed with `readyctl audit --target staging`
# (see docs/live-checks.md):
# [targets.staging]
# url = "https://staging.example.com"

# Accept a known gap for a while, with an owner and an end date
# (`paths = ["legacy/**"]` would waive only findings there; see docs/waivers.md):
# [[waivers]]
# check = "backups.restore-documented"
# reason = "restore runbook in progress, see OPS-123"
# owner = "platform-team"
# expires = "2026-12-31"
"#
    )
}

fn install_line() -> String {
    format!(
        "cargo install --locked readyctl --version {}",
        env!("CARGO_PKG_VERSION")
    )
}

fn github_workflow() -> String {
    format!(
        r#"# Production-readiness gate: fails the build when readyctl's gate fails,
# and uploads the findings to GitHub code scanning (Security > Code scanning)
# even then, so they show on the pull request.
name: readyctl
on:
  push:
    branches: [main]
  pull_request:

permissions:
  contents: read
  security-events: write

jobs:
  readiness:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Install readyctl
        run: {install}
      - name: Audit (the gate)
        run: readyctl audit --report sarif=readyctl.sarif --summary --report markdown="$GITHUB_STEP_SUMMARY"
      - name: Upload SARIF to code scanning
        if: always()
        uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: readyctl.sarif
          category: readyctl
"#,
        install = install_line()
    )
}

fn gitlab_job() -> String {
    format!(
        r#"# Production-readiness gate: include it from .gitlab-ci.yml with
#   include: [{{ local: {GITLAB_JOB} }}]
# The job fails when readyctl's gate fails; the JUnit report shows every
# check in the merge request, and the SARIF file is kept as an artifact.
readyctl:
  stage: test
  image: rust:1
  script:
    - {install}
    - readyctl audit --report sarif=readyctl.sarif --report junit=readyctl-junit.xml
  artifacts:
    when: always
    paths: [readyctl.sarif]
    reports:
      junit: readyctl-junit.xml
"#,
        install = install_line()
    )
}
