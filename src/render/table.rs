//! `--format table`: the terminal report. Laid out like the seeds' hand-made
//! score tables, then what blocks each stage and what to do about it.

use super::Renderer;
use super::layout;
use super::text::{
    category_state, finding_marks, format_score, human_bytes, location, stack_lines, target_state,
    target_url, waiver_note,
};
use crate::model::{Status, Verdict};
use crate::report::{CheckResult, Report};
use crate::rules::NO_TARGET;
use anstyle::{AnsiColor, Style};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ContentArrangement, Table as Grid};
use std::fmt::Write;

/// Findings listed per check before "and N more".
const FINDINGS_SHOWN: usize = 10;
/// Blockers listed one line each in the compact report.
const BLOCKERS_SHOWN: usize = 10;
/// Indent of everything under an unmet check's first line.
const INDENT: usize = 6;

pub struct Table {
    pub color: bool,
    /// Columns to fit (0: the default, 80).
    pub width: usize,
    /// The compact report: verdict, categories, blockers one line each.
    pub compact: bool,
    /// Rule messages as the rules wrote them (globs and patterns included).
    pub verbose: bool,
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
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(layout::effective(self.width) as u16)
            .set_header(vec![
                "Category", "Score", "Status", "Passed", "Failed", "N/A",
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

    fn width(&self) -> usize {
        layout::effective(self.width)
    }

    /// The rule's message as people read it, or as the rule wrote it (`-v`).
    fn message(&self, raw: &str) -> String {
        if self.verbose {
            raw.to_string()
        } else {
            super::plain::message(raw)
        }
    }

    /// `  ✗ CRITICAL id  ` and its width, the start of an unmet check's line.
    fn check_prefix(&self, check: &CheckResult) -> (String, usize) {
        let (mark, style) = match check.status {
            Status::Error => ("!", Style::new().fg_color(Some(AnsiColor::Yellow.into()))),
            _ => ("✗", Style::new().fg_color(Some(AnsiColor::Red.into()))),
        };
        let severity = format!("{:<8}", check.severity.id().to_uppercase());
        let plain = format!("  {mark} {severity} {}  ", check.id);
        let painted = format!(
            "  {} {} {}  ",
            self.paint(style, mark),
            self.paint(style.bold(), &severity),
            self.paint(Style::new().bold(), &check.id),
        );
        (painted, layout::columns(&plain))
    }

    /// Writes `prefix` then `text` wrapped under it at [`INDENT`].
    fn wrapped_after(&self, out: &mut String, prefix: &str, prefix_width: usize, text: &str) {
        let lines = layout::wrap_after(text, prefix_width, INDENT, self.width());
        let mut lines = lines.into_iter();
        let _ = writeln!(out, "{prefix}{}", lines.next().unwrap_or_default());
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
    }

    fn wrapped(&self, out: &mut String, text: &str, style: Style) {
        for line in layout::wrap_indented(text, INDENT, self.width()) {
            let _ = writeln!(out, "{}", self.paint(style, &line));
        }
    }

    fn unmet_check(&self, out: &mut String, check: &CheckResult) {
        let (prefix, prefix_width) = self.check_prefix(check);
        let title = format!(
            "{}{}{}",
            check.title,
            check
                .target
                .as_deref()
                .map(|t| format!(" [{t}]"))
                .unwrap_or_default(),
            if check.baselined { " (baselined)" } else { "" },
        );
        self.wrapped_after(out, &prefix, prefix_width, &title);
        let dim = Style::new().dimmed();
        if !check.message.is_empty() {
            self.wrapped(out, &self.message(&check.message), dim);
        }
        // Paths get at most half the line; the message wraps under it.
        let path_room = (self.width() / 2).max(24);
        for finding in check.findings.iter().take(FINDINGS_SHOWN) {
            let text = format!("{}{}", finding.message, finding_marks(finding));
            match location(finding.path.as_deref(), finding.line) {
                Some(at) => {
                    let at = layout::truncate_middle(&at, path_room);
                    let prefix = format!(
                        "{}{}  ",
                        " ".repeat(INDENT),
                        self.paint(Style::new().underline(), &at)
                    );
                    let width = INDENT + layout::columns(&at) + 2;
                    self.wrapped_after(out, &prefix, width, &text);
                }
                None => self.wrapped(out, &text, Style::new()),
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
            self.wrapped(
                out,
                &format!("waived in part: {}", waiver_note(waiver)),
                Style::new(),
            );
        }
        let fix = format!(
            "{} (effort {}, {} stage)",
            check.remediation.trim(),
            check.effort,
            check.stage
        );
        let prefix = format!(
            "      {} ",
            self.paint(Style::new().fg_color(Some(AnsiColor::Cyan.into())), "fix:")
        );
        self.wrapped_after(out, &prefix, INDENT + 5, &fix);
    }

    /// One line per blocker, cut to the width: the compact report's list.
    fn blocker_line(&self, out: &mut String, check: &CheckResult) {
        let (prefix, prefix_width) = self.check_prefix(check);
        let room = self.width().saturating_sub(prefix_width).max(10);
        let first_place = check
            .findings
            .iter()
            .find_map(|f| location(f.path.as_deref(), f.line));
        // The title says what is missing; the place comes when there is room.
        let mut text = layout::truncate_end(&check.title, room);
        let remaining = room.saturating_sub(layout::columns(&text) + 3);
        if let Some(at) = first_place
            && remaining >= 20
        {
            text.push_str(" · ");
            text.push_str(&layout::truncate_middle(&at, remaining));
        }
        let _ = writeln!(out, "{prefix}{text}");
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

impl Table {
    fn header(&self, out: &mut String, report: &Report) {
        let date = report
            .generated_at
            .get(..10)
            .unwrap_or(&report.generated_at);
        let fixed = format!(
            "readyctl {} · {} () · {date}",
            report.tool.version, report.target.name
        );
        let room = self.width().saturating_sub(layout::columns(&fixed)).max(12);
        let _ = writeln!(
            out,
            "{} {} · {} ({}) · {date}\n",
            self.paint(Style::new().bold(), "readyctl"),
            report.tool.version,
            self.paint(Style::new().bold(), &report.target.name),
            layout::truncate_middle(&report.target.path, room),
        );
    }

    fn stack(&self, out: &mut String, report: &Report) {
        for (title, value) in stack_lines(&report.stack) {
            let prefix = format!("{:<18} ", format!("{title}:"));
            for (i, line) in layout::wrap_after(&value, 19, 19, self.width())
                .into_iter()
                .enumerate()
            {
                if i == 0 {
                    let _ = writeln!(out, "{prefix}{line}");
                } else {
                    let _ = writeln!(out, "{line}");
                }
            }
        }
        out.push('\n');
    }

    fn verdict(&self, out: &mut String, report: &Report) {
        let summary = &report.summary;
        let _ = writeln!(
            out,
            "Verdict: {}, score {}",
            self.paint(
                Self::verdict_style(Some(summary.verdict)).bold(),
                summary.verdict.title()
            ),
            format_score(summary.score),
        );
        // Wrapped: with "N not selected" the counts outgrow 80 columns.
        let prefix = format!("  {:<16} ", "Checks:");
        self.wrapped_after(
            out,
            &prefix,
            prefix.len(),
            &super::text::check_counts(summary),
        );
        if !summary.verdict_reasons.is_empty() {
            let _ = writeln!(
                out,
                "  {:<16} {}",
                "Because:",
                summary.verdict_reasons.join("; ")
            );
        }
        for line in super::text::notice_lines(summary) {
            let _ = writeln!(out, "  {line}");
        }
        for line in super::text::nothing_to_audit_lines(summary) {
            // The list of what was looked for sits under its heading.
            let indent = if line.starts_with("- ") { "    " } else { "  " };
            let _ = writeln!(out, "{indent}{line}");
        }
        if summary.waived > 0 {
            let _ = writeln!(
                out,
                "  {:<16} {}, listed below",
                "Waived:",
                super::plain::plurals(&format!("{} check(s)", summary.waived))
            );
        }
        for stage in &report.stages {
            let state = if stage.ready {
                let mut ready = self.paint(Self::verdict_style(Some(Verdict::Ready)), "ready");
                if stage.to_do > 0 {
                    ready.push_str(&format!(
                        " — {} to do, about {} of work",
                        stage.to_do, stage.effort_left
                    ));
                }
                ready
            } else {
                format!(
                    "{} — {}, about {} of work",
                    self.paint(Self::verdict_style(Some(Verdict::NotReady)), "not ready"),
                    super::text::stage_counts(stage),
                    stage.effort_left
                )
            };
            let _ = writeln!(out, "  {:<16} {state}", format!("{}:", stage.title));
        }
    }

    /// The compact report's list: blockers one line each, then how much more
    /// `--details` would show.
    fn blockers(&self, out: &mut String, report: &Report) {
        let unmet = report.unmet();
        let blockers = report.blockers();
        if !blockers.is_empty() {
            let _ = writeln!(out, "\nBlockers ({}), most severe first:", blockers.len());
            for check in blockers.iter().take(BLOCKERS_SHOWN) {
                self.blocker_line(out, check);
            }
        }
        let shown = blockers.len().min(BLOCKERS_SHOWN);
        let more = unmet.len() - shown;
        if more > 0 {
            let what = if shown == 0 {
                super::plain::plurals(&format!("\n{more} check(s) to do"))
            } else {
                format!("  {more} more")
            };
            let _ = writeln!(
                out,
                "{what}: run with --details for every check, finding and fix."
            );
        }
    }

    /// How much of the applicable weight was judged, and what was not.
    fn coverage(&self, out: &mut String, report: &Report) {
        let dim = Style::new().dimmed();
        let mut lines = super::text::coverage_lines(report).into_iter();
        if let Some(first) = lines.next() {
            out.push('\n');
            for line in layout::wrap_indented(&format!("Coverage: {first}"), 0, self.width()) {
                let _ = writeln!(out, "{line}");
            }
        }
        for line in lines {
            for line in layout::wrap_indented(&format!("  {line}"), 4, self.width()) {
                let _ = writeln!(out, "{}", self.paint(dim, &line));
            }
        }
    }

    fn footer(&self, out: &mut String, report: &Report) {
        if !self.compact {
            let stats = &report.stats;
            let line = format!(
                "Scanned {} of {} files ({}) in {} ms; skipped {} (binary {}, too large {}, unreadable {}); {} checks.",
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
            out.push('\n');
            for line in layout::wrap_indented(&line, 0, self.width()) {
                let _ = writeln!(out, "{line}");
            }
        } else {
            out.push('\n');
        }
        let not_probed = report
            .with_status(Status::Skip)
            .filter(|check| check.message == NO_TARGET)
            .count();
        if not_probed > 0 {
            let line = format!(
                "{not_probed} live checks not run: no target (pass --url URL or --target NAME)."
            );
            for line in layout::wrap_indented(&line, 0, self.width()) {
                let _ = writeln!(out, "{line}");
            }
        }
        let gate = &report.gate;
        let (prefix, width, rest) = if gate.passed {
            (
                format!(
                    "Gate: {} ",
                    self.paint(Self::verdict_style(Some(Verdict::Ready)), "passed")
                ),
                13,
                format!("({})", gate.conditions.join("; ")),
            )
        } else {
            (
                format!(
                    "Gate: {} — ",
                    self.paint(
                        Self::verdict_style(Some(Verdict::NotReady)).bold(),
                        "FAILED"
                    )
                ),
                15,
                gate.reasons.join("; "),
            )
        };
        self.wrapped_after(out, &prefix, width, &rest);
    }
}

impl Renderer for Table {
    fn render(&self, report: &Report) -> String {
        let mut out = String::new();
        self.header(&mut out, report);
        if !self.compact {
            self.stack(&mut out, report);
        }
        out.push_str(&self.categories(report));
        out.push('\n');
        out.push('\n');
        self.verdict(&mut out, report);
        self.coverage(&mut out, report);
        if self.compact {
            // Live targets, one line each: what was probed, not every probe.
            if !report.targets.is_empty() {
                let _ = writeln!(out, "\nLive targets ({}):", report.targets.len());
                for target in &report.targets {
                    let line = format!("  {}  {}", target.name, target_state(target));
                    let _ = writeln!(out, "{}", layout::truncate_end(&line, self.width()));
                }
            }
            self.history(&mut out, report);
            self.waiver_warnings(&mut out, report);
            self.blockers(&mut out, report);
        } else {
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
        }
        self.footer(&mut out, report);
        out
    }
}
