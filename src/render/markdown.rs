//! `--format markdown`: a self-contained report to commit (READINESS.md) or
//! paste into a pull request. GitHub-flavoured: tables and `<details>`.

use super::Renderer;
use super::text::{
    category_state, finding_marks, format_score, location, stack_lines, status_icon, target_state,
    target_url, verdict_icon, waiver_note,
};
use crate::model::{Category, SkipReason, Status};
use crate::report::{CheckResult, Report};
use std::fmt::Write;

pub struct Markdown {
    /// Only the verdict, the category table and the blockers: a pull-request
    /// comment, where the full report would drown the discussion.
    pub summary: bool,
}

/// Escapes text for a table cell or an inline position: pipes would split
/// cells, newlines would end the row, a leading `#` or `-` would start a
/// block and HTML would render.
fn cell(text: &str) -> String {
    crate::escape::markdown_inline(text)
}

fn code(text: &str) -> String {
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

fn header(out: &mut String, report: &Report) {
    let summary = &report.summary;
    let _ = writeln!(out, "# Production readiness: {}\n", report.target.name);
    let _ = writeln!(
        out,
        "> {} **{}** — overall score **{}** ({})  ",
        verdict_icon(summary.verdict),
        summary.verdict.title(),
        format_score(summary.score),
        super::text::check_counts(summary),
    );
    if !summary.verdict_reasons.is_empty() {
        let _ = writeln!(
            out,
            "> Because: {}  ",
            cell(&summary.verdict_reasons.join("; "))
        );
    }
    if summary.waived > 0 {
        let _ = writeln!(out, "> {} check(s) waived (see below)  ", summary.waived);
    }
    let _ = writeln!(
        out,
        "> Audited {} on {} by readyctl {}\n",
        code(&report.target.path),
        report
            .generated_at
            .get(..10)
            .unwrap_or(&report.generated_at),
        report.tool.version,
    );
}

fn stack(out: &mut String, report: &Report) {
    let _ = writeln!(out, "**Detected stack**\n");
    for (title, value) in stack_lines(&report.stack) {
        let _ = writeln!(out, "- {title}: {}", cell(&value));
    }
    out.push('\n');
}

fn category_table(out: &mut String, report: &Report) {
    let _ = writeln!(out, "| Category | Score | Status | Passed | Failed | N/A |");
    let _ = writeln!(out, "|---|---:|---|---:|---:|---:|");
    for category in &report.categories {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            category.title,
            format_score(category.score),
            category_state(category),
            category.passed,
            category.failed + category.errored,
            category.skipped,
        );
    }
    let summary = &report.summary;
    let _ = writeln!(
        out,
        "| **OVERALL** | **{}** | {} **{}** | {} | {} | {} |\n",
        format_score(summary.score),
        verdict_icon(summary.verdict),
        summary.verdict.title(),
        summary.passed,
        summary.failed + summary.errored,
        summary.skipped,
    );
}

/// What there was to judge and how much of it was judged.
fn coverage(out: &mut String, report: &Report) {
    for line in super::text::notice_lines(&report.summary) {
        let _ = writeln!(out, "> **{}**\n", cell(&line));
    }
    let nothing = super::text::nothing_to_audit_lines(&report.summary);
    if let Some((first, rest)) = nothing.split_first() {
        let _ = writeln!(out, "**{}**\n", cell(first));
        for line in rest {
            let _ = writeln!(out, "{}", cell(line));
        }
        out.push('\n');
    }
    let lines = super::text::coverage_lines(report);
    if let Some((first, rest)) = lines.split_first() {
        let _ = writeln!(out, "**Coverage:** {}\n", cell(first));
        for line in rest {
            let _ = writeln!(out, "- {}", cell(line));
        }
        if !rest.is_empty() {
            out.push('\n');
        }
    }
}

fn stages(out: &mut String, report: &Report) {
    let _ = writeln!(out, "## Stage readiness\n");
    let _ = writeln!(out, "| Stage | Ready | Blockers | To do | Effort left |");
    let _ = writeln!(out, "|---|---|---:|---:|---:|");
    for stage in &report.stages {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            stage.title,
            if stage.ready { "✅ Yes" } else { "❌ No" },
            stage.blockers,
            stage.to_do,
            if stage.effort_left_minutes == 0 {
                "—"
            } else {
                stage.effort_left.as_str()
            },
        );
    }
    out.push('\n');
}

fn unmet_check(out: &mut String, check: &CheckResult) {
    let _ = writeln!(
        out,
        "#### {} {} — {}{}{}\n",
        status_icon(check.status),
        code(&check.id),
        cell(&check.title),
        target_suffix(check),
        if check.baselined {
            " _(baselined)_"
        } else {
            ""
        },
    );
    let _ = writeln!(
        out,
        "**Severity:** {} · **Stage:** {} · **Effort:** {}{}\n",
        check.severity,
        check.stage,
        check.effort,
        if check.status == Status::Error {
            " · **could not be checked**"
        } else {
            ""
        },
    );
    if !check.message.is_empty() {
        let _ = writeln!(out, "{}\n", cell(&check.message));
    }
    for finding in &check.findings {
        match location(finding.path.as_deref(), finding.line) {
            Some(at) => {
                let _ = writeln!(
                    out,
                    "- {} — {}{}",
                    code(&at),
                    cell(&finding.message),
                    finding_marks(finding)
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "- {}{}",
                    cell(&finding.message),
                    finding_marks(finding)
                );
            }
        }
    }
    if !check.findings.is_empty() {
        out.push('\n');
    }
    if let Some(waiver) = &check.waiver {
        let _ = writeln!(out, "**Waived in part:** {}\n", cell(&waiver_note(waiver)));
    }
    let _ = writeln!(out, "**Fix:** {}\n", check.remediation.trim());
    if !check.references.is_empty() {
        let links: Vec<String> = check.references.iter().map(|r| format!("<{r}>")).collect();
        let _ = writeln!(out, "References: {}\n", links.join(", "));
    }
}

/// Per target: what was probed, what answered, how fast.
fn live_targets(out: &mut String, report: &Report) {
    if report.targets.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Live targets\n");
    for target in &report.targets {
        let state = target_state(target);
        let heading = match target_url(target) {
            None => code(&target.name),
            Some(url) => format!("{} — {}", cell(&target.name), code(url)),
        };
        let _ = writeln!(out, "### {heading}\n\n{state}\n");
        if target.probes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "| Probe | Result | Latency (ms) |");
        let _ = writeln!(out, "|---|---|---|");
        for probe in &target.probes {
            let result = match (&probe.result, &probe.error) {
                (_, Some(error)) => format!("⚠️ {}", cell(error)),
                (Some(result), None) => cell(result),
                (None, None) => String::new(),
            };
            let latency = probe
                .latency_ms
                .as_ref()
                .map(|l| {
                    if l.samples > 1 {
                        format!(
                            "min {:.0} · p50 {:.0} · p95 {:.0} · max {:.0} ({} samples)",
                            l.min, l.p50, l.p95, l.max, l.samples
                        )
                    } else {
                        format!("{:.0}", l.max)
                    }
                })
                .unwrap_or_default();
            let _ = writeln!(out, "| {} | {result} | {latency} |", code(&probe.probe));
        }
        out.push('\n');
    }
}

fn unmet(out: &mut String, report: &Report) {
    let unmet = report.unmet();
    if unmet.is_empty() {
        let _ = writeln!(
            out,
            "## What is missing\n\nNothing: every applicable check passed{}.\n",
            if report.summary.waived > 0 {
                " or is waived"
            } else {
                ""
            }
        );
        return;
    }
    let _ = writeln!(out, "## What is missing ({})\n", unmet.len());
    for category in Category::ALL {
        let mine: Vec<&&CheckResult> = unmet.iter().filter(|c| c.category == category).collect();
        if mine.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {}\n", category.title());
        for check in mine {
            unmet_check(out, check);
        }
    }
}

/// Checks accepted by a waiver, with why and until when.
fn waived(out: &mut String, report: &Report) {
    let waived: Vec<&CheckResult> = report.with_status(Status::Waived).collect();
    if waived.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Waived ({})\n", waived.len());
    for check in waived {
        let note = check.waiver.as_ref().map(waiver_note).unwrap_or_default();
        let _ = writeln!(
            out,
            "- {} {} — {} ({}): {}",
            status_icon(check.status),
            code(&check.id),
            cell(&check.title),
            check.severity,
            cell(&note),
        );
    }
    out.push('\n');
}

/// `--compare` and `--baseline`: how this run relates to earlier ones.
fn history(out: &mut String, report: &Report) {
    if let Some(comparison) = &report.comparison {
        let previous = &comparison.previous;
        let _ = writeln!(
            out,
            "## Score changes\n\nSince the report of {} ({}):\n",
            previous
                .generated_at
                .get(..10)
                .unwrap_or(&previous.generated_at),
            previous.verdict.title()
        );
        for line in super::text::comparison_lines(comparison) {
            let _ = writeln!(out, "- {}", cell(&line));
        }
        out.push('\n');
    }
    if let Some(baseline) = &report.baseline {
        let _ = writeln!(
            out,
            "## Baseline\n\n{}\n",
            cell(&super::text::baseline_line(baseline))
        );
    }
}

/// Waivers that expired, expire soon or match nothing.
fn waiver_warnings(out: &mut String, report: &Report) {
    let warnings = super::text::waiver_warnings(report);
    if warnings.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Waiver warnings ({})\n", warnings.len());
    for warning in warnings {
        let _ = writeln!(out, "- ⚠️ {}", cell(&warning));
    }
    out.push('\n');
}

fn collapsed(out: &mut String, summary: &str, checks: &[&CheckResult]) {
    if checks.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<details>\n<summary>{summary} ({})</summary>\n",
        checks.len()
    );
    for check in checks {
        let _ = writeln!(
            out,
            "- {} {}{} — {} <sub>{}</sub>",
            status_icon(check.status),
            code(&check.id),
            target_suffix(check),
            cell(&check.title),
            cell(&check.message),
        );
    }
    let _ = writeln!(out, "\n</details>\n");
}

fn footer(out: &mut String, report: &Report) {
    let stats = &report.stats;
    let gate = &report.gate;
    let verdict = if gate.passed {
        format!("passed ({})", gate.conditions.join("; "))
    } else {
        format!("**failed**: {}", gate.reasons.join("; "))
    };
    let _ = writeln!(out, "---\n");
    let _ = writeln!(
        out,
        "CI gate {verdict}. {} checks; {} of {} files read, {} skipped (binary {}, too large {}, unreadable {}).",
        stats.checks_loaded,
        stats.files_scanned,
        stats.files_walked,
        stats.files_skipped,
        stats.skipped.binary,
        stats.skipped.too_large,
        stats.skipped.unreadable,
    );
}

/// One line per unmet check, most severe first: what a reviewer must know
/// before merging, with the full report a link or an artifact away. Blockers
/// (critical, high) and the rest ("to do") are told apart, as everywhere.
fn blockers(out: &mut String, report: &Report) {
    let unmet = report.unmet();
    if unmet.is_empty() {
        let _ = writeln!(out, "**Blockers:** none, every applicable check passed.\n");
        return;
    }
    let (blocking, to_do): (Vec<&CheckResult>, Vec<&CheckResult>) =
        unmet.into_iter().partition(|c| super::text::is_blocker(c));
    if blocking.is_empty() {
        let _ = writeln!(out, "**Blockers:** none.\n");
    } else {
        let _ = writeln!(out, "**Blockers ({})**\n", blocking.len());
        unmet_lines(out, &blocking);
    }
    if !to_do.is_empty() {
        let _ = writeln!(out, "**To do ({})**\n", to_do.len());
        unmet_lines(out, &to_do);
    }
}

fn unmet_lines(out: &mut String, checks: &[&CheckResult]) {
    for check in checks {
        let _ = writeln!(
            out,
            "- {} **{}** {}{} — {} ({} stage, effort {})",
            status_icon(check.status),
            check.severity.id().to_uppercase(),
            code(&check.id),
            target_suffix(check),
            cell(&check.title),
            check.stage,
            check.effort,
        );
    }
    out.push('\n');
}

fn gate_line(out: &mut String, report: &Report) {
    let gate = &report.gate;
    if gate.passed {
        let _ = writeln!(out, "CI gate passed ({}).", gate.conditions.join("; "));
    } else {
        let _ = writeln!(out, "CI gate **failed**: {}.", gate.reasons.join("; "));
    }
}

impl Renderer for Markdown {
    fn render(&self, report: &Report) -> String {
        let mut out = String::new();
        if self.summary {
            header(&mut out, report);
            category_table(&mut out, report);
            coverage(&mut out, report);
            blockers(&mut out, report);
            gate_line(&mut out, report);
            return out;
        }
        header(&mut out, report);
        stack(&mut out, report);
        category_table(&mut out, report);
        coverage(&mut out, report);
        stages(&mut out, report);
        live_targets(&mut out, report);
        history(&mut out, report);
        waiver_warnings(&mut out, report);
        unmet(&mut out, report);
        waived(&mut out, report);
        let passed: Vec<&CheckResult> = report.with_status(Status::Pass).collect();
        // Live checks skipped for want of a target are one fact, not twenty:
        // listing each would bury the repository's own not-applicable checks.
        let (not_probed, skipped): (Vec<&CheckResult>, Vec<&CheckResult>) = report
            .with_status(Status::Skip)
            .partition(|check| check.skip_reason == Some(SkipReason::NoTarget));
        collapsed(&mut out, "Passing checks", &passed);
        collapsed(&mut out, "Not applicable", &skipped);
        if !not_probed.is_empty() {
            let _ = writeln!(
                out,
                "_{} live checks were not run: no target. Pass `--url URL` or `--target NAME` to probe a running service._\n",
                not_probed.len()
            );
        }
        footer(&mut out, report);
        out
    }
}

/// ` (`target`)` after a live check's id; nothing for a repository check.
fn target_suffix(check: &CheckResult) -> String {
    check
        .target
        .as_deref()
        .map(|t| format!(" ({})", code(t)))
        .unwrap_or_default()
}
