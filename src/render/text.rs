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
    format!(
        "{} passed, {} failed, {} errored, {} not applicable",
        summary.passed, summary.failed, summary.errored, summary.skipped
    )
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

/// What sets a finding apart from a plain failure: ` (waived)`, ` (baselined)`.
pub fn finding_marks(finding: &Finding) -> &'static str {
    match (finding.waived, finding.baselined) {
        (true, _) => " (waived)",
        (false, true) => " (baselined)",
        (false, false) => "",
    }
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
