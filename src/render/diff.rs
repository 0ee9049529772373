//! `readyctl diff` output: the changes between two reports as a terminal
//! summary, a markdown section for a pull request, or JSON.

use super::text::{format_change, format_score, location};
use crate::diff::{CheckChange, FindingChange, ReportDiff};
use std::fmt::Write;

/// Formats `readyctl diff` can print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffFormat {
    Table,
    Markdown,
    Json,
}

pub fn render_diff(diff: &ReportDiff, format: DiffFormat) -> String {
    match format {
        DiffFormat::Json => {
            let mut text = serde_json::to_string_pretty(diff).expect("strings and numbers only");
            text.push('\n');
            text
        }
        DiffFormat::Table => table(diff),
        DiffFormat::Markdown => markdown(diff),
    }
}

fn status(status: Option<crate::model::Status>) -> &'static str {
    status.map_or("absent", |s| s.id())
}

fn check_line(check: &CheckChange) -> String {
    format!(
        "{:<8} {}{}  {} ({} → {})",
        check.severity.id().to_uppercase(),
        check.id,
        check
            .target
            .as_deref()
            .map(|t| format!(" [{t}]"))
            .unwrap_or_default(),
        check.title,
        status(check.before),
        status(check.after),
    )
}

fn finding_line(finding: &FindingChange) -> String {
    let at = location(finding.path.as_deref(), finding.line)
        .map(|at| format!("{at}  "))
        .unwrap_or_default();
    format!("{}  {at}{}", finding.check, finding.message)
}

fn table(diff: &ReportDiff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "readyctl diff · {} ({}) → {} ({})\n",
        diff.old.target,
        day(&diff.old.generated_at),
        diff.new.target,
        day(&diff.new.generated_at),
    );
    let _ = writeln!(
        out,
        "Verdict: {} → {}",
        diff.old.verdict.title(),
        diff.new.verdict.title()
    );
    let _ = writeln!(
        out,
        "Overall: {} → {} ({})",
        format_score(diff.overall.before),
        format_score(diff.overall.after),
        format_change(diff.overall.change),
    );
    for note in &diff.notes {
        let _ = writeln!(out, "  {note}");
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "{:<20} {:>6} {:>6} {:>7}",
        "Category", "Before", "After", "Change"
    );
    for category in &diff.categories {
        let change = &category.change;
        let _ = writeln!(
            out,
            "{:<20} {:>6} {:>6} {:>7}",
            category.title,
            format_score(change.before),
            format_score(change.after),
            format_change(change.change),
        );
    }
    let sections: [(&str, Vec<String>); 4] = [
        (
            "Newly failing",
            diff.newly_failing.iter().map(check_line).collect(),
        ),
        ("Fixed", diff.fixed.iter().map(check_line).collect()),
        (
            "New findings",
            diff.new_findings.iter().map(finding_line).collect(),
        ),
        (
            "Resolved findings",
            diff.resolved_findings.iter().map(finding_line).collect(),
        ),
    ];
    for (title, lines) in sections {
        let _ = writeln!(out, "\n{title} ({}):", lines.len());
        if lines.is_empty() {
            let _ = writeln!(out, "  none");
        }
        for line in lines {
            let _ = writeln!(out, "  {line}");
        }
    }
    out
}

fn day(timestamp: &str) -> &str {
    timestamp.get(..10).unwrap_or(timestamp)
}

/// Text from a report file, which may have been tampered with, placed
/// inline in markdown.
fn inline(text: &str) -> String {
    crate::escape::markdown_inline(text)
}

/// Ids and paths in a code span, unless they could close it or split a
/// table, in which case they are escaped text instead.
fn code(text: &str) -> String {
    if text.contains(['`', '|']) || text.chars().any(crate::escape::is_unsafe) {
        inline(text)
    } else {
        format!("`{text}`")
    }
}

fn markdown(diff: &ReportDiff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Readiness changes\n");
    let _ = writeln!(
        out,
        "**Verdict:** {} → {} · **Overall:** {} → {} ({})\n",
        diff.old.verdict.title(),
        diff.new.verdict.title(),
        format_score(diff.overall.before),
        format_score(diff.overall.after),
        format_change(diff.overall.change),
    );
    for note in &diff.notes {
        let _ = writeln!(out, "_{note}_\n");
    }
    let _ = writeln!(
        out,
        "Compared {} ({}) with {} ({}).\n",
        code(&diff.old.target),
        inline(day(&diff.old.generated_at)),
        code(&diff.new.target),
        inline(day(&diff.new.generated_at))
    );
    let _ = writeln!(out, "| Category | Before | After | Change |");
    let _ = writeln!(out, "|---|---:|---:|---:|");
    for category in &diff.categories {
        let change = &category.change;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            inline(&category.title),
            format_score(change.before),
            format_score(change.after),
            format_change(change.change),
        );
    }
    out.push('\n');
    let check = |c: &CheckChange| {
        format!(
            "{}{} — {} ({}, {} → {})",
            code(&c.id),
            c.target
                .as_deref()
                .map(|t| format!(" ({})", code(t)))
                .unwrap_or_default(),
            inline(&c.title),
            c.severity,
            status(c.before),
            status(c.after)
        )
    };
    let finding = |f: &FindingChange| {
        let at = location(f.path.as_deref(), f.line)
            .map(|at| format!("{} — ", code(&at)))
            .unwrap_or_default();
        format!("{}: {at}{}", code(&f.check), inline(&f.message))
    };
    let sections: [(&str, Vec<String>); 4] = [
        (
            "❌ Newly failing",
            diff.newly_failing.iter().map(check).collect(),
        ),
        ("✅ Fixed", diff.fixed.iter().map(check).collect()),
        (
            "New findings",
            diff.new_findings.iter().map(finding).collect(),
        ),
        (
            "Resolved findings",
            diff.resolved_findings.iter().map(finding).collect(),
        ),
    ];
    for (title, lines) in sections {
        let _ = writeln!(out, "### {title} ({})\n", lines.len());
        if lines.is_empty() {
            let _ = writeln!(out, "None.\n");
            continue;
        }
        for line in lines {
            let _ = writeln!(out, "- {line}");
        }
        out.push('\n');
    }
    out
}
