//! `readyctl init`: a starting `readyctl.toml`, commented so a team can read
//! what each knob does, and optionally a CI job that gates on the audit and
//! uploads SARIF. Stack detection is the library's (the audit's own), so the
//! comments name what the audit will see.

use super::args::{CiArg, InitArgs};
use super::templates;
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
    let config_path = args.path.join(CONFIG_FILE);
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    // With --ci, an existing (probably edited) config is kept: the user asked
    // for a CI job, not for a new config.
    let keep_config = config_path.exists() && args.ci.is_some() && !args.force;
    if !keep_config {
        files.push((config_path.clone(), config(&stack)));
    }
    let branch = default_branch(&args.path);
    for ci in ci_systems(&args) {
        files.push(match ci {
            CiArg::Github => (
                args.path.join(GITHUB_WORKFLOW),
                templates::github_workflow(&branch),
            ),
            CiArg::Gitlab => (args.path.join(GITLAB_JOB), templates::gitlab_job()),
        });
    }
    // All or nothing: refuse before writing anything, naming every file.
    let existing: Vec<String> = files
        .iter()
        .filter(|(path, _)| path.exists())
        .map(|(path, _)| format!("`{}`", path.display()))
        .collect();
    if !existing.is_empty() && !args.force {
        let hint = if args.ci.is_none() {
            "; use --force to replace, or --ci github|gitlab to add only a CI job"
        } else {
            "; use --force to replace"
        };
        return Err(Failure::Message(format!(
            "{} already exist{}{hint}",
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
    if keep_config {
        println!("kept {} (already there)", config_path.display());
    }
    if files.iter().any(|(p, _)| p.ends_with(GITHUB_WORKFLOW)) {
        println!(
            "the workflow runs on pushes to `{branch}` and on pull requests{}",
            if templates::ACTION_COMMIT.is_none() {
                "; pin `uses: readyctl/readyctl@` to the release's commit SHA \
                 (this build does not know its commit)"
            } else {
                ""
            }
        );
    }
    if files.iter().any(|(p, _)| p.ends_with(GITLAB_JOB)) {
        println!("add to .gitlab-ci.yml:  include: [{{ local: {GITLAB_JOB} }}]");
    }
    println!(
        "next: readyctl audit {}",
        shell_quote(&args.path.display().to_string())
    );
    Ok(exit::OK)
}

/// The branch pushes are gated on: the remote's default branch when the
/// clone knows it, else the checked-out branch, else `main`. Read from the
/// files git keeps (nothing is run); a name with unexpected characters is
/// ignored rather than written into YAML.
fn default_branch(root: &Path) -> String {
    let git = root.join(".git");
    let read_ref = |path: PathBuf, prefix: &str| -> Option<String> {
        let text = std::fs::read_to_string(path).ok()?;
        let name = text
            .trim()
            .strip_prefix("ref:")?
            .trim()
            .strip_prefix(prefix)?;
        let plain = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b));
        plain.then(|| name.to_string())
    };
    read_ref(git.join("refs/remotes/origin/HEAD"), "refs/remotes/origin/")
        .or_else(|| read_ref(git.join("HEAD"), "refs/heads/"))
        .unwrap_or_else(|| "main".to_string())
}

fn shell_quote(path: &str) -> String {
    if path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b))
    {
        path.to_string()
    } else {
        format!("'{}'", path.replace('\'', r"'\''"))
    }
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
