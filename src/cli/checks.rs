//! `readyctl checks list` and `readyctl checks explain`.

use super::args::{
    ChecksCommand, ExplainArgs, ListArgs, PatternLines, PatternsArgs, PatternsFormat,
};
use super::audit::load_catalog;
use super::{Failure, exit, output};
use comfy_table::Table;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use readyctl::Catalog;
use readyctl::check::Check;
use std::fmt::Write;

pub fn run(command: ChecksCommand) -> Result<u8, Failure> {
    match command {
        ChecksCommand::List(args) => list(args),
        ChecksCommand::Explain(args) => explain(args),
        ChecksCommand::Docs => docs(),
        ChecksCommand::Patterns(args) => patterns(args),
        ChecksCommand::Scoring => {
            output::write(readyctl::score::METHOD, None)?;
            Ok(exit::OK)
        }
    }
}

/// The content regexes of the loaded checks. The scanner compiles them with
/// the `regex` crate's bytes API in its default (Unicode) mode, which is what
/// ripgrep does too, so `rg -f` given this list searches for the same things
/// (see `readyctl::scan::rg_pattern` for the few rewrites).
fn patterns(args: PatternsArgs) -> Result<u8, Failure> {
    let catalog = load_catalog(&args.packs, &args.repo)?;
    let mut patterns = readyctl::engine::content_patterns(&catalog);
    if let Some(only) = args.only {
        let multiline = only == PatternLines::Multiline;
        patterns.retain(|(_, regex)| readyctl::scan::spans_lines(regex) == multiline);
    }
    let text = match args.format {
        PatternsFormat::Text => {
            // The same regex used by several checks is searched once.
            let mut seen = std::collections::HashSet::new();
            let mut text = String::new();
            for (_, regex) in &patterns {
                if seen.insert(regex.as_str()) {
                    text.push_str(&readyctl::scan::rg_pattern(regex));
                    text.push('\n');
                }
            }
            text
        }
        PatternsFormat::Json => {
            let rows: Vec<serde_json::Value> = patterns
                .iter()
                .map(|(check, regex)| {
                    let literals = readyctl::scan::required_literals(regex).map(|set| {
                        set.iter()
                            .map(|l| String::from_utf8_lossy(l).into_owned())
                            .collect::<Vec<_>>()
                    });
                    serde_json::json!({
                        "check": check,
                        "regex": regex,
                        "rg": readyctl::scan::rg_pattern(regex),
                        "literals": literals,
                        "multiline": readyctl::scan::spans_lines(regex),
                    })
                })
                .collect();
            serde_json::to_string_pretty(&rows)? + "\n"
        }
    };
    output::write(&text, None)?;
    Ok(exit::OK)
}

fn list(args: ListArgs) -> Result<u8, Failure> {
    let catalog = load_catalog(&args.packs, &args.repo)?;
    let text = if args.json {
        let rows: Vec<serde_json::Value> = catalog
            .checks()
            .iter()
            .map(|c| {
                serde_json::json!({
                    "id": c.id, "title": c.title, "category": c.category,
                    "severity": c.severity, "stage": c.stage, "effort": c.effort,
                    "source": c.source.name,
                })
            })
            .collect();
        serde_json::to_string_pretty(&rows)? + "\n"
    } else if args.wide {
        let mut table = Table::new();
        table
            .load_style(UTF8_FULL_CONDENSED.with_rounded_corners())
            .set_header(vec![
                "Id", "Category", "Severity", "Stage", "Effort", "Source", "Title",
            ]);
        for c in catalog.checks() {
            table.add_row(vec![
                c.id.as_str(),
                c.category.id(),
                c.severity.id(),
                c.stage.id(),
                c.effort.as_str(),
                c.source.name.as_str(),
                c.title.as_str(),
            ]);
        }
        format!("{table}\n{} checks\n", catalog.checks().len())
    } else {
        narrow_list(catalog.checks(), output::width())
    };
    output::write(&text, None)?;
    Ok(exit::OK)
}

/// `checks list` for a terminal: grouped by category, one line per check,
/// titles cut to the width; `--wide` has every column.
fn narrow_list(checks: &[Check], width: usize) -> String {
    let id_width = checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
    let mut categories: Vec<_> = checks.iter().map(|c| c.category).collect();
    categories.sort();
    categories.dedup();
    let mut text = String::new();
    for category in categories {
        let members: Vec<&Check> = checks.iter().filter(|c| c.category == category).collect();
        let _ = writeln!(text, "{} ({})", category.title(), members.len());
        for c in members {
            let line = format!(
                "  {:<id_width$}  {:<8}  {:<4}  {}",
                c.id,
                c.severity.id(),
                // Short, so the title keeps its room at 80 columns.
                match c.stage {
                    readyctl::model::Stage::Beta => "beta",
                    readyctl::model::Stage::Production => "prod",
                },
                c.title
            );
            let _ = writeln!(text, "{}", truncate(&line, width.max(40)));
        }
    }
    let _ = writeln!(
        text,
        "{} checks. `checks explain ID` tells more; --wide shows effort and source.",
        checks.len()
    );
    text
}

fn truncate(line: &str, width: usize) -> String {
    if line.chars().count() <= width {
        return line.to_string();
    }
    let mut cut: String = line.chars().take(width - 1).collect();
    cut.push('…');
    cut
}

fn docs() -> Result<u8, Failure> {
    // Built-in packs only: the reference documents what ships in the binary,
    // whatever directory it is run from.
    let catalog = Catalog::builtin().map_err(|e| Failure::Message(e.to_string()))?;
    output::write(&readyctl::reference::checks_markdown(&catalog), None)?;
    Ok(exit::OK)
}

fn explain(args: ExplainArgs) -> Result<u8, Failure> {
    let catalog = load_catalog(&args.packs, &args.repo)?;
    let Some(check) = catalog.get(&args.id) else {
        let hint = super::suggest::hint(&args.id, catalog.checks().iter().map(|c| c.id.as_str()));
        let hint = if hint.is_empty() {
            "; run `readyctl checks list` to see every id".to_string()
        } else {
            hint
        };
        return Err(Failure::Message(format!(
            "no check has the id `{}`{hint}",
            args.id
        )));
    };
    output::write(&describe(check), None)?;
    Ok(exit::OK)
}

fn describe(check: &Check) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}\n", check.id, check.title);
    let _ = writeln!(
        out,
        "Category: {} ({})\nSeverity: {}\nStage:    {}\nEffort:   {}\nSource:   {}:{}\n",
        check.category.title(),
        check.category.id(),
        check.severity,
        check.stage,
        check.effort,
        check.source.name,
        check.position.line,
    );
    if check.opt_in {
        let _ = writeln!(
            out,
            "Opt-in:   runs only when readyctl.toml has [checks] enable = [\"{}\"]\n",
            check.id
        );
    }
    if check.rule.is_live() {
        let _ = writeln!(
            out,
            "Live:     probes the targets given with --url or --target (skipped without)\n"
        );
    }
    let _ = writeln!(
        out,
        "What it checks and why:\n{}\n",
        indent(&check.description)
    );
    let _ = writeln!(out, "How to fix:\n{}\n", indent(&check.remediation));
    let detects = check.rule.pattern_names();
    if !detects.is_empty() {
        let _ = writeln!(out, "Detects:");
        for name in detects {
            let _ = writeln!(out, "  - {name}");
        }
        let _ = writeln!(out);
    }
    if !check.references.is_empty() {
        let _ = writeln!(out, "References:");
        for reference in &check.references {
            let _ = writeln!(out, "  {reference}");
        }
    }
    out
}

fn indent(text: &str) -> String {
    text.trim()
        .lines()
        .map(|line| format!("  {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}
