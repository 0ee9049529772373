//! `--format table`: the terminal report. Laid out like the seeds' hand-made
//! score tables, then what blocks each stage and what to do about it.

use super::Renderer;
use super::text::{
    category_state, finding_marks, format_score, human_bytes, location, stack_lines, target_state,
    target_url, waiver_note,
};
use crate::model::{Status, Verdict};
use crate::report::{CheckResult, Report};
use anstyle::{AnsiColor, Style};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ContentArrangement, Table as Grid};
use std::fmt::Write;

/// Findings listed per check before "and N more".
const FINDINGS_SHOWN: usize = 10;

pub struct Table {
    pub color: bool,
}

impl Table {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }

    fn verdict_style(verdict: Option<Verdict>) -> Style {
        let color = match verdict {
            Some(Verdict::Ready) => AnsiColor::Green,
            Some(Verdict::ReadyWithCaveats) => AnsiColor::Yellow,
            Some(Verdict::NotReady) => AnsiColor::Red,
            None => AnsiColor::BrightBlack,
        };
        Style::new().fg_color(Some(color.into()))
    }

    fn categories(&self, report: &Report) -> String {
        let mut grid = Grid::new();
        grid.load_style(UTF8_FULL_CONDENSED.with_rounded_corners())
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(vec![
                "Category", "Score", "Status", "Passed", "Failed", "Skipped",
            ]);
        for category in &report.categories {
            let style = Self::verdict_style(category.verdict);
            grid.add_row(vec![
                category.title.clone(),
                self.paint(style, &format_score(category.score)),
                self.paint(style, &category_state(category)),
                category.passed.to_string(),
                (category.failed + category.errored).to_string(),
                category.skipped.to_string(),
            ]);
        }
        let summary = &report.summary;
        let style = Self::verdict_style(Some(summary.verdict)).bold();
        grid.add_row(vec![
            self.paint(Style::new().bold(), "OVERALL"),
            self.paint(style, &format_score(summary.score)),
            self.paint(style, summary.verdict.title()),
            summary.passed.to_string(),
            (summary.failed + summary.errored).to_string(),
            summary.skipped.to_string(),
        ]);
        for column in 1..6 {
            if column != 2
                && let Some(column) = grid.column_mut(column)
            {
                column.set_cell_alignment(CellAlignment::Right);
            }
        }
        grid.to_string()
    }

    fn unmet_check(&self, out: &mut String, check: &CheckResult) {
        let (mark, style) = match check.status {
            Status::Error => ("!", Style::new().fg_color(Some(AnsiColor::Yellow.into()))),
            _ => ("✗", Style::new().fg_color(Some(AnsiColor::Red.into()))),
        };
        let severity = format!("{:<8}", check.severity.id().to_uppercase());
        let _ = writeln!(
            out,
            "  {} {} {}  {}{}{}",
            self.paint(style, mark),
            self.paint(style.bold(), &severity),
            self.paint(Style::new().bold(), &check.id),
            check.title,
            check
                .target
                .as_deref()
                .map(|t| format!(" [{t}]"))
                .unwrap_or_default(),
            if check.baselined { " (baselined)" } else { "" },
        );
        let dim = Style::new().dimmed();
        if !check.message.is_empty() {
            let _ = writeln!(out, "      {}", self.paint(dim, &check.message));
        }
        for finding in check.findings.iter().take(FINDINGS_SHOWN) {
            match location(finding.path.as_deref(), finding.line) {
                Some(at) => {
                    let _ = writeln!(
                        out,
                        "      {}  {}{}",
                        self.paint(Style::new().underline(), &at),
                        finding.message,
                        finding_marks(finding)
                    );
                }
                None => {
                    let _ = writeln!(out, "      {}{}", finding.message, finding_marks(finding));
                }
            }
        }
        if check.findings.len() > FINDINGS_SHOWN {
            let _ = writeln!(
                out,
                "      … and {} more",
                check.findings.len() - FINDINGS_SHOWN
            );
        }
        if let Some(waiver) = &check.waiver {
            let _ = writeln!(out, "      waived in part: {}", waiver_note(waiver));
        }
        let _ = writeln!(
            out,
            "      {} {} {}",
            self.paint(Style::new().fg_color(Some(AnsiColor::Cyan.into())), "fix:"),
            check.remediation.trim(),
            self.paint(
                dim,
                &format!("(effort {}, {} stage)", check.effort, check.stage)
            ),
        );
    }
}

impl Table {
    /// Per target: what was probed, what answered, how fast.
    fn live_targets(&self, out: &mut String, report: &Report) {
        if report.targets.is_empty() {
            return;
        }
        let _ = writeln!(out, "\nLive targets ({}):", report.targets.len());
        let dim = Style::new().dimmed();
        for target in &report.targets {
            let state = target_state(target);
            let url = target_url(target)
                .map(|url| format!("  {url}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {}{url}  {}",
                self.paint(Style::new().bold(), &target.name),
                self.paint(dim, &state)
            );
            for probe in &target.probes {
                let _ = writeln!(out, "      {}", super::text::probe_line(probe));
            }
        }
    }
}

impl Table {
    /// Checks accepted by a waiver: not failures, but not forgotten either.
    fn waived(&self, out: &mut String, report: &Report) {
        let waived: Vec<&CheckResult> = report.with_status(Status::Waived).collect();
        if waived.is_empty() {
            return;
        }
        let _ = writeln!(out, "\nWaived ({}):", waived.len());
        let dim = Style::new().dimmed();
        for check in waived {
            let _ = writeln!(
                out,
                "  ~ {:<8} {}  {}",
                check.severity.id().to_uppercase(),
                self.paint(Style::new().bold(), &check.id),
                check.title
            );
            if let Some(waiver) = &check.waiver {
                let _ = writeln!(out, "      {}", self.paint(dim, &waiver_note(waiver)));
            }
        }
    }

    /// `--compare` and `--baseline`: how this run relates to earlier ones.
    fn history(&self, out: &mut String, report: &Report) {
        if let Some(comparison) = &report.comparison {
            let _ = writeln!(
                out,
                "\nScore changes since {} ({}):",
                comparison
                    .previous
                    .generated_at
                    .get(..10)
                    .unwrap_or(&comparison.previous.generated_at),
                comparison.previous.verdict.title()
            );
            for line in super::text::comparison_lines(comparison) {
                let _ = writeln!(out, "  {line}");
            }
        }
        if let Some(baseline) = &report.baseline {
            let _ = writeln!(out, "\nBaseline {}", super::text::baseline_line(baseline));
        }
    }

    /// Waivers that expired, expire soon or match nothing.
    fn waiver_warnings(&self, out: &mut String, report: &Report) {
        let warnings = super::text::waiver_warnings(report);
        if warnings.is_empty() {
            return;
        }
        let _ = writeln!(out, "\nWaiver warnings ({}):", warnings.len());
        let style = Style::new().fg_color(Some(AnsiColor::Yellow.into()));
        for warning in warnings {
            let _ = writeln!(out, "  {} {warning}", self.paint(style, "!"));
        }
    }
}

impl Renderer for Table {
    fn render(&self, report: &Report) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} {} · {} ({}) · {}\n",
            self.paint(Style::new().bold(), "readyctl"),
            report.tool.version,
            self.paint(Style::new().bold(), &report.target.name),
            report.target.path,
            report
                .generated_at
                .get(..10)
                .unwrap_or(&report.generated_at),
        );
        for (title, value) in stack_lines(&report.stack) {
            let _ = writeln!(out, "{:<18} {value}", format!("{title}:"));
        }
        out.push('\n');
        out.push_str(&self.categories(report));
        out.push('\n');

        let summary = &report.summary;
        let _ = writeln!(
            out,
            "\nVerdict: {} (score {}, {})",
            self.paint(
                Self::verdict_style(Some(summary.verdict)).bold(),
                summary.verdict.title()
            ),
            format_score(summary.score),
            super::text::check_counts(summary),
        );
        if !summary.verdict_reasons.is_empty() {
            let _ = writeln!(
                out,
                "  {:<16} {}",
                "Because:",
                summary.verdict_reasons.join("; ")
            );
        }
        for line in super::text::nothing_to_audit_lines(summary) {
            // The list of what was looked for sits under its heading.
            let indent = if line.starts_with("- ") { "    " } else { "  " };
            let _ = writeln!(out, "{indent}{line}");
        }
        if summary.waived > 0 {
            let _ = writeln!(
                out,
                "  {:<16} {} check(s), listed below",
                "Waived:", summary.waived
            );
        }
        for stage in &report.stages {
            let state = if stage.ready {
                self.paint(Self::verdict_style(Some(Verdict::Ready)), "ready")
            } else {
                format!(
                    "{} — {} blocker(s), about {} of work",
                    self.paint(Self::verdict_style(Some(Verdict::NotReady)), "not ready"),
                    stage.blockers,
                    stage.effort_left
                )
            };
            let _ = writeln!(out, "  {:<16} {state}", format!("{}:", stage.title));
        }

        let dim = Style::new().dimmed();
        let mut coverage = super::text::coverage_lines(report).into_iter();
        if let Some(first) = coverage.next() {
            let _ = writeln!(out, "\nCoverage: {first}");
        }
        for line in coverage {
            let _ = writeln!(out, "  {}", self.paint(dim, &line));
        }

        self.live_targets(&mut out, report);
        self.history(&mut out, report);
        self.waiver_warnings(&mut out, report);

        let unmet = report.unmet();
        if !unmet.is_empty() {
            let _ = writeln!(
                out,
                "\nWhat is missing ({}), most severe first:",
                unmet.len()
            );
            for check in unmet {
                self.unmet_check(&mut out, check);
            }
        }
        self.waived(&mut out, report);

        let stats = &report.stats;
        let _ = writeln!(
            out,
            "\nScanned {} of {} files ({}) in {} ms; skipped {} (binary {}, too large {}, unreadable {}); {} checks.",
            stats.files_scanned,
            stats.files_walked,
            human_bytes(stats.bytes_scanned),
            stats.duration_ms,
            stats.files_skipped,
            stats.skipped.binary,
            stats.skipped.too_large,
            stats.skipped.unreadable,
            stats.checks_loaded,
        );
        let gate = &report.gate;
        if gate.passed {
            let _ = writeln!(
                out,
                "Gate: {} ({})",
                self.paint(Self::verdict_style(Some(Verdict::Ready)), "passed"),
                gate.conditions.join("; ")
            );
        } else {
            let _ = writeln!(
                out,
                "Gate: {} — {}",
                self.paint(
                    Self::verdict_style(Some(Verdict::NotReady)).bold(),
                    "FAILED"
                ),
                gate.reasons.join("; ")
            );
        }
        out
    }
}
