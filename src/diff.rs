//! `readyctl diff OLD.json NEW.json`: what changed between two audits of a
//! repository, for a pull request comment or a release note. Findings are
//! matched by the same line-independent fingerprint as baselines, so a
//! finding that only moved is not reported as both new and resolved.

use crate::compare::{CategoryChange, ScoreChange, compare};
use crate::model::{Severity, Status, Verdict};
use crate::report::{CheckResult, Report};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportDiff {
    pub old: Side,
    pub new: Side,
    pub overall: ScoreChange,
    pub categories: Vec<CategoryChange>,
    /// Why a score was not compared (see [`crate::compare::Comparison`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Unmet now, but not in the old report.
    pub newly_failing: Vec<CheckChange>,
    /// Unmet in the old report, but not now.
    pub fixed: Vec<CheckChange>,
    pub new_findings: Vec<FindingChange>,
    pub resolved_findings: Vec<FindingChange>,
}

/// One of the two reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Side {
    pub target: String,
    pub generated_at: String,
    pub verdict: Verdict,
    pub score: Option<f64>,
}

impl Side {
    fn of(report: &Report) -> Side {
        Side {
            target: report.target.path.clone(),
            generated_at: report.generated_at.clone(),
            verdict: report.summary.verdict,
            score: report.summary.score,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckChange {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    pub title: String,
    pub severity: Severity,
    /// `null` when the check was not in that report (added or removed).
    pub before: Option<Status>,
    pub after: Option<Status>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FindingChange {
    pub check: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub message: String,
}

type CheckKey<'a> = (&'a str, Option<&'a str>);

fn key(check: &CheckResult) -> CheckKey<'_> {
    (check.id.as_str(), check.target.as_deref())
}

/// Checks that are unmet in `from` but not in `to`.
fn unmet_only_in(from: &Report, to: &Report, from_is_new: bool) -> Vec<CheckChange> {
    let others: HashMap<CheckKey<'_>, &CheckResult> =
        to.checks.iter().map(|c| (key(c), c)).collect();
    from.checks
        .iter()
        .filter(|c| c.is_unmet())
        .filter_map(|check| {
            let other = others.get(&key(check)).copied();
            if other.is_some_and(|o| o.is_unmet()) {
                return None;
            }
            let (mine, theirs) = (Some(check.status), other.map(|o| o.status));
            let (before, after) = if from_is_new {
                (theirs, mine)
            } else {
                (mine, theirs)
            };
            Some(CheckChange {
                id: check.id.clone(),
                target: check.target.clone(),
                title: check.title.clone(),
                severity: check.severity,
                before,
                after,
            })
        })
        .collect()
}

/// Findings of unmet checks (waived ones are accepted, not open).
fn open_findings(report: &Report) -> Vec<(FindingChange, String)> {
    report
        .checks
        .iter()
        .filter(|c| c.is_unmet())
        .flat_map(|check| {
            check.findings.iter().filter(|f| !f.waived).map(|finding| {
                let change = FindingChange {
                    check: check.id.clone(),
                    target: check.target.clone(),
                    path: finding.path.clone(),
                    line: finding.line,
                    message: finding.message.clone(),
                };
                let fingerprint = format!(
                    "{}\0{}\0{}\0{}",
                    check.id,
                    check.target.as_deref().unwrap_or_default(),
                    finding.path.as_deref().unwrap_or_default(),
                    finding.message
                );
                (change, fingerprint)
            })
        })
        .collect()
}

/// Findings of `from` with no counterpart in `to` (as multisets: a second
/// copy of the same finding is a change too).
fn findings_only_in(from: &Report, to: &Report) -> Vec<FindingChange> {
    let mut theirs: HashMap<String, usize> = HashMap::new();
    for (_, fingerprint) in open_findings(to) {
        *theirs.entry(fingerprint).or_default() += 1;
    }
    open_findings(from)
        .into_iter()
        .filter_map(|(change, fingerprint)| match theirs.get_mut(&fingerprint) {
            Some(count) if *count > 0 => {
                *count -= 1;
                None
            }
            _ => Some(change),
        })
        .collect()
}

pub fn diff(old: &Report, new: &Report) -> ReportDiff {
    let scores = compare(old, new);
    // Most severe first, as in the reports; the sort is stable, so report
    // order (category, then id) decides within a severity.
    let by_severity = |mut checks: Vec<CheckChange>| {
        checks.sort_by_key(|c| std::cmp::Reverse(c.severity));
        checks
    };
    ReportDiff {
        old: Side::of(old),
        new: Side::of(new),
        overall: scores.overall,
        categories: scores.categories,
        notes: scores.notes,
        newly_failing: by_severity(unmet_only_in(new, old, true)),
        fixed: by_severity(unmet_only_in(old, new, false)),
        new_findings: findings_only_in(new, old),
        resolved_findings: findings_only_in(old, new),
    }
}
