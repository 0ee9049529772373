//! Wording shared by the human-readable formats, so the table and the
//! markdown report say the same thing the same way.

use crate::model::{Finding, Status, Verdict};
use crate::report::{AppliedWaiver, LiveTarget, ProbeReport};
use crate::stack::{Facet, Stack};

/// Whole percent, as people write readiness scores; `n/a` when nothing applied.
pub fn format_score(score: Option<f64>) -> String {
    match score {
        Some(score) => format!("{}%", score.round() as i64),
        None => "n/a".to_string(),
    }
}

/// How the checks came out, as every format's verdict line says it.
pub(crate) fn check_counts(summary: &crate::report::Summary) -> String {
    let counts = format!(
        "{} passed, {} failed, {} errored, {} not applicable",
        summary.passed,
        summary.failed,
        summary.errored,
        summary.skipped - summary.not_selected
    );
    if summary.not_selected > 0 {
        format!("{counts}, {} not selected", summary.not_selected)
    } else {
        counts
    }
}

/// A blocker is an unmet critical or high check: what stands between a
/// stage and "ready". Lower ones are "to do" — every format says so.
pub fn is_blocker(check: &crate::report::CheckResult) -> bool {
    check.is_unmet() && crate::score::blocks_stage(check.severity)
}

/// `3 blockers, 5 to do` for a stage that is not ready.
pub fn stage_counts(stage: &crate::report::StageSummary) -> String {
    let blockers = super::plain::plurals(&format!("{} blocker(s)", stage.blockers));
    if stage.to_do > 0 {
        format!("{blockers}, {} to do", stage.to_do)
    } else {
        blockers
    }
}

/// A score change in points: `+2.5`, `-3.1`, `0`, or `n/a`.
pub fn format_change(change: Option<f64>) -> String {
    match change {
        Some(change) if change > 0.0 => format!("+{change}"),
        Some(change) if change < 0.0 => change.to_string(),
        Some(_) => "0".to_string(),
        None => "n/a".to_string(),
    }
}

/// `Score changes since …`: the overall line, then every category that
/// moved, for the human formats' comparison section.
pub fn comparison_lines(comparison: &crate::compare::Comparison) -> Vec<String> {
    let line = |name: &str, change: &crate::compare::ScoreChange| {
        format!(
            "{name}: {} → {} ({}){}",
            format_score(change.before),
            format_score(change.after),
            format_change(change.change),
            if change.dropped() {
                " ▼ regression"
            } else {
                ""
            }
        )
    };
    std::iter::once(line("Overall", &comparison.overall))
        .chain(
            comparison
                .categories
                .iter()
                .filter(|c| {
                    c.change.change.is_some_and(|d| d != 0.0)
                        || c.change.before.is_some() != c.change.after.is_some()
                })
                .map(|c| line(&c.title, &c.change)),
        )
        .chain(comparison.notes.iter().cloned())
        .collect()
}

/// What a `--baseline` run found old and new, in one sentence.
pub fn baseline_line(summary: &crate::baseline::BaselineSummary) -> String {
    format!(
        "{}: {} unmet check(s) and {} finding(s) already known; {} check(s) and {} finding(s) new",
        summary.file,
        summary.baselined_checks,
        summary.baselined_findings,
        summary.new_checks,
        summary.new_findings
    )
}

pub fn verdict_icon(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Ready => "✅",
        Verdict::ReadyWithCaveats => "🟡",
        Verdict::NotReady => "❌",
    }
}

/// How much of the judgement was made, and what was not, as sentences: the
/// assessed share of the applicable weight, live checks without a target,
/// errored checks, then each category with nothing assessed.
pub fn coverage_lines(report: &crate::report::Report) -> Vec<String> {
    let summary = &report.summary;
    let share = if summary.applicable_weight == 0 {
        "nothing applicable".to_string()
    } else {
        format!(
            "{}%",
            (100.0 * summary.assessed_weight as f64 / summary.applicable_weight as f64).round()
                as i64
        )
    };
    let mut lines = vec![format!(
        "Assessed {} of {} applicable weight ({share})",
        summary.assessed_weight, summary.applicable_weight
    )];
    if summary.not_selected > 0 {
        // A selection's verdict is about the selected checks alone: said
        // first, so a "ready" of the secrets checks is not read as the
        // repository's.
        lines.insert(
            0,
            format!(
                "Selected {} of {} checks: the verdict judges these alone",
                summary.total - summary.not_selected,
                summary.total
            ),
        );
    }
    let missing = &summary.not_assessed;
    if !missing.no_target.is_empty() {
        lines.push(format!(
            "{} live check(s) not run: no target (pass --url URL or --target NAME)",
            missing.no_target.len()
        ));
    }
    if !missing.errored.is_empty() {
        lines.push(format!(
            "{} check(s) errored: {}",
            missing.errored.len(),
            missing.errored.join(", ")
        ));
    }
    for category in report.categories.iter().filter(|c| !c.assessed) {
        lines.push(format!(
            "{}: not assessed — {}",
            category.title,
            category
                .not_assessed
                .as_deref()
                .unwrap_or("nothing evaluated")
        ));
    }
    lines
}

/// The informational notices that head a report (a project that says it
/// is unmaintained), one line each.
pub fn notice_lines(summary: &crate::report::Summary) -> Vec<String> {
    summary
        .notices
        .iter()
        .map(|notice| format!("Notice: {notice}"))
        .collect()
}

/// Why there is nothing to audit and what was looked for, as sentences.
pub fn nothing_to_audit_lines(summary: &crate::report::Summary) -> Vec<String> {
    let Some(nothing) = &summary.nothing_to_audit else {
        return Vec::new();
    };
    std::iter::once(format!("Nothing to audit: {}. Looked for:", nothing.reason))
        .chain(nothing.looked_for.iter().map(|l| format!("- {l}")))
        .collect()
}

/// The status column of a category row: its verdict, or why it has none.
pub fn category_state(category: &crate::report::CategoryScore) -> String {
    match category.verdict {
        Some(verdict) => category_status(Some(verdict)),
        None if category.applicable_weight > 0 => "— Not assessed".to_string(),
        None if category.not_selected > 0 && category.not_selected == category.skipped => {
            "— Not selected".to_string()
        }
        None => category_status(None),
    }
}

/// The status column of a category row.
pub fn category_status(verdict: Option<Verdict>) -> String {
    match verdict {
        Some(Verdict::Ready) => "✅ Ready".to_string(),
        Some(Verdict::ReadyWithCaveats) => "🟡 Caveats".to_string(),
        Some(Verdict::NotReady) => "❌ Not ready".to_string(),
        None => "— Not applicable".to_string(),
    }
}

pub fn status_icon(status: Status) -> &'static str {
    match status {
        Status::Pass => "✅",
        Status::Fail => "❌",
        Status::Skip => "⏭️",
        Status::Error => "⚠️",
        Status::Waived => "🔕",
    }
}

pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// What happened to a live target: `17 probes in 240 ms`, or why it was not probed.
pub fn target_state(target: &LiveTarget) -> String {
    match &target.skipped {
        Some(reason) => format!("not probed: {reason}"),
        None => format!(
            "{} probes in {} ms",
            target.probes.len(),
            target.duration_ms
        ),
    }
}

/// The target's URL when its name does not already say it (`--url` targets
/// are named by their URL).
pub fn target_url(target: &LiveTarget) -> Option<&str> {
    (target.url.trim_end_matches('/') != target.name.trim_end_matches('/'))
        .then_some(target.url.as_str())
}

/// One probe of a live target: `GET https://x/health → 200 · p50 3 ms, p95 9 ms (20 samples)`.
pub fn probe_line(probe: &ProbeReport) -> String {
    let mut line = match (&probe.result, &probe.error) {
        (_, Some(error)) => format!("{} → error: {error}", probe.probe),
        (Some(result), None) => format!("{} → {result}", probe.probe),
        (None, None) => probe.probe.clone(),
    };
    if let Some(latency) = &probe.latency_ms {
        if latency.samples > 1 {
            line.push_str(&format!(
                " · min {:.0} / p50 {:.0} / p95 {:.0} / max {:.0} ms ({} samples)",
                latency.min, latency.p50, latency.p95, latency.max, latency.samples
            ));
        } else {
            line.push_str(&format!(" · {:.0} ms", latency.max));
        }
    }
    line
}

/// Waivers that expired, expire soon or match nothing, as sentences.
pub fn waiver_warnings(report: &crate::report::Report) -> Vec<String> {
    report
        .waivers
        .iter()
        .filter(|w| w.needs_attention())
        .map(|w| w.warning())
        .collect()
}

/// Why a failure is accepted: `reason (owner platform, until 2027-03-31)`.
pub fn waiver_note(waiver: &AppliedWaiver) -> String {
    match &waiver.owner {
        Some(owner) => format!(
            "{} (owner {owner}, until {})",
            waiver.reason, waiver.expires
        ),
        None => format!("{} (until {})", waiver.reason, waiver.expires),
    }
}

/// What sets a finding apart from a plain failure in production code: the
/// role of its file when that is not production (` [test]`), then
/// ` (waived)` or ` (baselined)`. CI files are left unmarked: checks about
/// CI read nothing else, and a mark on each of their findings says nothing.
pub fn finding_marks(finding: &Finding) -> String {
    use crate::model::Role;
    let role = match finding.role {
        Some(role) if !matches!(role, Role::Production | Role::Ci) => format!(" [{role}]"),
        _ => String::new(),
    };
    let state = match (finding.waived, finding.baselined) {
        (true, _) => " (waived)",
        (false, true) => " (baselined)",
        (false, false) => "",
    };
    format!("{role}{state}")
}

/// `path:line`, `path`, or nothing, for a finding's location.
pub fn location(path: Option<&str>, line: Option<usize>) -> Option<String> {
    match (path, line) {
        (Some(path), Some(line)) => Some(format!("{path}:{line}")),
        (Some(path), None) => Some(path.to_string()),
        _ => None,
    }
}

/// The detected stack, one `(title, value)` line per detection category
/// that found something, then the project kind.
pub fn stack_lines(stack: &Stack) -> Vec<(&'static str, String)> {
    let mut lines: Vec<(&'static str, String)> = Facet::ALL
        .iter()
        .filter(|facet| !stack.facet(**facet).is_empty())
        .map(|facet| (facet.title(), stack.facet(*facet).join(", ")))
        .collect();
    if !stack.lockfiles.is_empty() {
        lines.push(("Lockfiles", stack.lockfiles.join(", ")));
    }
    lines.push(("Kind", stack.kind.id().to_string()));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_whole_percents() {
        assert_eq!(format_score(Some(89.6)), "90%");
        assert_eq!(format_score(Some(0.0)), "0%");
        assert_eq!(format_score(None), "n/a");
    }

    #[test]
    fn bytes_are_human() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
    }
}
