//! `readyctl facts`: the repository model, as a table or JSON.

use super::args::FactsArgs;
use super::{Failure, diagnostics, exit};
use readyctl::config::{CONFIG_FILE, Config, ConfigError};
use readyctl::repo::facts::{self, Choice, Facts};
use readyctl::scan::ScanOptions;
use std::fmt::Write;

pub fn run(args: FactsArgs) -> Result<u8, Failure> {
    let loaded = match &args.config {
        Some(path) => Config::load(path),
        None => Config::load_optional(&args.path.join(CONFIG_FILE)),
    };
    let config = loaded.map_err(|error| match error {
        ConfigError::Invalid(found) => {
            diagnostics::print(&found);
            Failure::Reported
        }
        other => Failure::from(other),
    })?;
    let mut options = ScanOptions::default();
    if let Some(size) = config.scan.max_file_size {
        options.max_file_size = size;
    }
    options.exclude = config.scan.exclude.clone();
    options.include = config.scan.include.clone();
    let facts = facts::gather(&args.path, &config, &options)?;
    let text = if args.json {
        let mut json = serde_json::to_string_pretty(&facts)?;
        json.push('\n');
        json
    } else {
        table(&facts)
    };
    super::output::write(&text, None)?;
    Ok(exit::OK)
}

fn table(facts: &Facts) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Projects");
    if facts.projects.is_empty() {
        let _ = writeln!(out, "  (no manifest found)");
    }
    for project in &facts.projects {
        let _ = writeln!(
            out,
            "  {:<28} {:<7} {:<11} {}",
            project.dir,
            project.ecosystem,
            project.role.id(),
            project.manifests.join(", ")
        );
    }
    let _ = writeln!(out, "\nFile roles");
    for count in facts.roles.iter().filter(|c| c.count > 0) {
        let more = if count.count > count.examples.len() {
            ", ..."
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {:<12} {:>6}  {}{more}",
            count.role.id(),
            count.count,
            count.examples.join(", ")
        );
    }
    for (title, choices) in [
        ("Dockerfiles", &facts.dockerfiles),
        ("Compose", &facts.compose),
        ("Kubernetes", &facts.kubernetes),
    ] {
        let _ = writeln!(out, "\n{title}");
        if choices.is_empty() {
            let _ = writeln!(out, "  (none)");
        }
        for choice in choices {
            let _ = writeln!(out, "  {}", line(choice));
        }
    }
    ci_section(&mut out, &facts.ci);
    tooling_section(&mut out, &facts.tooling);
    git_section(&mut out, &facts.git);
    out.push_str(
        "\nCorrect a role with [roles] in readyctl.toml, e.g. vendored = [\"third_party/\"].\n",
    );
    out
}

/// HEAD, tags and the working tree.
fn git_section(out: &mut String, git: &readyctl::repo::git::Git) {
    use readyctl::repo::git::{Git, Worktree};
    let _ = writeln!(out, "\nGit");
    let facts = match git {
        Git::NotARepository => {
            let _ = writeln!(out, "  (not a git repository)");
            return;
        }
        Git::Unreadable { reason } => {
            let _ = writeln!(out, "  not read: {reason}");
            return;
        }
        Git::Repository(facts) => facts,
    };
    let head = facts
        .head
        .as_deref()
        .map_or("(no commit)", |h| &h[..h.len().min(12)]);
    let branch = facts.branch.as_deref().unwrap_or("detached");
    let _ = writeln!(out, "  HEAD {head} on {branch}");
    if let Some(last) = facts.last_commit {
        let _ = writeln!(out, "  last commit {}", last.strftime("%Y-%m-%d"));
    }
    if let Some(default) = &facts.default_branch {
        let _ = writeln!(out, "  default branch {default}");
    }
    let _ = writeln!(
        out,
        "  {} branch(es), {} tag(s)",
        facts.branches.len(),
        facts.tags.len()
    );
    if let Some(latest) = facts.tags.first() {
        let date = latest
            .date
            .map(|d| d.strftime("%Y-%m-%d").to_string())
            .unwrap_or_default();
        let _ = writeln!(out, "  newest tag {} {date}", latest.name);
    }
    if let Some(why) = facts.history_unavailable() {
        let _ = writeln!(out, "  {why}");
    }
    match &facts.worktree {
        Worktree::Bare => {}
        Worktree::Unchecked { reason } => {
            let _ = writeln!(out, "  working tree not checked: {reason}");
        }
        Worktree::Checked { changed, untracked } => {
            let _ = writeln!(
                out,
                "  working tree: {} changed, {} untracked",
                changed.len(),
                untracked.len()
            );
        }
    }
    if !facts.tracked_ignored.is_empty() {
        let _ = writeln!(
            out,
            "  {} tracked file(s) ignored by .gitignore",
            facts.tracked_ignored.len()
        );
    }
}

/// Pipelines, their triggers and jobs, and what each step was found to run.
/// Per project: each tool configured where, enforced by what.
fn tooling_section(out: &mut String, tooling: &readyctl::repo::tooling::Tooling) {
    let _ = writeln!(
        out,
        "\nLinters, formatters, type checkers (configured / enforced)"
    );
    if tooling.projects.is_empty() {
        let _ = writeln!(out, "  (no project)");
    }
    for project in &tooling.projects {
        let _ = writeln!(out, "  {} ({})", project.dir, project.ecosystem);
        for tool in &project.tools {
            let list = |items: &[String]| match items.is_empty() {
                true => "-".to_string(),
                false => readyctl::repo::tooling::shown(items),
            };
            let _ = writeln!(
                out,
                "    {:<10} configured: {}",
                tool.kind.id(),
                list(&tool.configured)
            );
            let _ = writeln!(out, "    {:<10} enforced:   {}", "", list(&tool.enforced));
        }
    }
}

fn ci_section(out: &mut String, model: &readyctl::repo::ci::CiModel) {
    let _ = writeln!(out, "\nCI and hooks");
    if model.pipelines.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    for pipeline in &model.pipelines {
        let mut events: Vec<&str> = pipeline.triggers.iter().map(|t| t.event.id()).collect();
        events.dedup();
        let called = if pipeline.called_only {
            ", called by other workflows"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {} ({}, on {}{called})",
            pipeline.path,
            pipeline.system,
            events.join(", ")
        );
        for job in &pipeline.jobs {
            let mut flags = Vec::new();
            if job.disabled {
                flags.push("disabled".to_string());
            }
            if job.allow_failure {
                flags.push("may fail".to_string());
            }
            if let Some(environment) = &job.environment {
                flags.push(format!("environment {environment}"));
            }
            if !job.needs.is_empty() {
                flags.push(format!("needs {}", job.needs.join(", ")));
            }
            if !job.services.is_empty() {
                flags.push(format!("services {}", job.services.join(", ")));
            }
            let flags = if flags.is_empty() {
                String::new()
            } else {
                format!(" [{}]", flags.join("; "))
            };
            let _ = writeln!(out, "    job {}{flags}", job.id);
            for step in job.steps.iter().filter(|s| !s.classes.is_empty()) {
                let may_fail = if step.allow_failure {
                    " (may fail)"
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "      {}:{} {}{may_fail}",
                    step.path,
                    step.line,
                    step.classes.join(", ")
                );
            }
        }
    }
    for problem in &model.problems {
        let _ = writeln!(out, "  not read: {problem}");
    }
}

fn line(choice: &Choice) -> String {
    format!(
        "{} {}  ({})",
        if choice.judged {
            "judged    "
        } else {
            "not judged"
        },
        choice.files.join(" + "),
        choice.reason
    )
}
