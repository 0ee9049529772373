//! The CI gate: the one place that decides whether an audit "fails".
//!
//! With no condition set, the gate fails only on a `not_ready` verdict. A
//! folder with no application in it fails the gate whatever the conditions. Once
//! any condition is set (by flag or in `[gate]`), exactly the set conditions
//! apply, so a team can make the gate stricter *or* more lenient.
//!
//! With a baseline (`--baseline`), checks it already records are not held
//! against the gate: the default condition becomes "nothing fails beyond the
//! baseline", and `--fail-on` and `--stage` count only checks that are not
//! baselined. `--fail-under` still judges the whole score: a score has no
//! notion of old and new.

use crate::model::{Severity, Stage, Verdict};
use crate::report::{CheckResult, GateResult, Report};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gate {
    /// Fail when the overall score is below this.
    pub fail_under: Option<f64>,
    /// Fail when a check at or above this severity failed or errored.
    pub fail_on: Option<Severity>,
    /// Fail when this stage is not ready.
    pub stage: Option<Stage>,
    /// Fail when the overall or a category score dropped since the report
    /// given with `--compare`.
    pub fail_on_regression: bool,
}

impl Gate {
    pub fn is_default(&self) -> bool {
        *self == Gate::default()
    }

    /// Flags win over the config file, condition by condition.
    pub fn or(self, fallback: Gate) -> Gate {
        Gate {
            fail_under: self.fail_under.or(fallback.fail_under),
            fail_on: self.fail_on.or(fallback.fail_on),
            stage: self.stage.or(fallback.stage),
            fail_on_regression: self.fail_on_regression || fallback.fail_on_regression,
        }
    }

    pub fn evaluate(&self, report: &Report) -> GateResult {
        let mut conditions = Vec::new();
        let mut reasons = Vec::new();
        // Unmet and not already known from the baseline (without a baseline
        // nothing is baselined, so this is every unmet check).
        let new_unmet = || {
            report
                .checks
                .iter()
                .filter(|c| c.is_unmet() && !c.baselined)
        };
        let baselined = report.baseline.is_some();
        // Whatever the conditions, auditing a folder with no application in
        // it must not look like a success in CI (a wrong path, say).
        if let Some(nothing) = &report.summary.nothing_to_audit {
            conditions.push("an application is found".to_string());
            reasons.push(nothing.reason.clone());
        }
        if self.is_default() && baselined {
            conditions.push("nothing fails beyond the baseline".to_string());
            let new: Vec<&str> = new_unmet().map(|c| c.id.as_str()).collect();
            if !new.is_empty() {
                reasons.push(format!(
                    "{} check(s) fail beyond the baseline: {}",
                    new.len(),
                    new.join(", ")
                ));
            }
        } else if self.is_default() {
            conditions.push("verdict is ready or ready_with_caveats".to_string());
            if report.summary.verdict == Verdict::NotReady {
                reasons.push("verdict is not_ready".to_string());
            }
        }
        if let Some(minimum) = self.fail_under {
            conditions.push(format!("score is at least {minimum}"));
            let score = report.summary.score.unwrap_or(100.0);
            if score < minimum {
                reasons.push(format!("score {score} is under {minimum}"));
            }
        }
        let beyond = if baselined {
            " beyond the baseline"
        } else {
            ""
        };
        if let Some(severity) = self.fail_on {
            conditions.push(format!("no {severity} or more severe check fails{beyond}"));
            let unmet: Vec<&str> = new_unmet()
                .filter(|c| c.severity >= severity)
                .map(|c| c.id.as_str())
                .collect();
            if !unmet.is_empty() {
                reasons.push(format!(
                    "{} check(s) at {severity} or above failed{beyond}: {}",
                    unmet.len(),
                    unmet.join(", ")
                ));
            }
        }
        if let Some(stage) = self.stage {
            conditions.push(format!("stage {stage} is ready{beyond}"));
            // The same rule as the report's stage readiness, minus what the
            // baseline already records.
            let blockers: Vec<&CheckResult> = new_unmet()
                .filter(|c| c.stage <= stage && crate::score::blocks_stage(c.severity))
                .collect();
            if !blockers.is_empty() {
                let effort: u32 = blockers.iter().map(|c| c.effort_minutes).sum();
                reasons.push(format!(
                    "stage {stage} has {} blocker(s){beyond}, about {} of work",
                    blockers.len(),
                    crate::effort::format_minutes(effort)
                ));
            }
        }
        if self.fail_on_regression {
            conditions.push("no score dropped since the compared report".to_string());
            match &report.comparison {
                Some(comparison) if !comparison.regressions.is_empty() => reasons.push(format!(
                    "score dropped: {}",
                    comparison.regressions.join(", ")
                )),
                Some(_) => {}
                None => reasons.push(
                    "--fail-on-regression needs a previous report (--compare FILE)".to_string(),
                ),
            }
        }
        GateResult {
            passed: reasons.is_empty(),
            conditions,
            reasons,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::BaselineSummary;

    /// A not-ready report with one failing critical check and one failing
    /// low check.
    fn report() -> Report {
        let check = |id: &str, severity: &str| {
            serde_json::json!({
                "id": id, "title": "", "category": "secrets", "severity": severity,
                "stage": "beta", "status": "fail", "message": "", "description": "",
                "remediation": "", "effort": "1h", "effort_minutes": 60, "source": "test"
            })
        };
        serde_json::from_value(serde_json::json!({
            "schema_version": 1,
            "tool": { "name": "readyctl", "version": "0" },
            "target": { "path": ".", "name": "x" },
            "generated_at": "2026-01-01T00:00:00Z",
            "summary": { "score": 10.0, "verdict": "not_ready", "passed": 0, "failed": 2,
                         "skipped": 0, "errored": 0, "total": 2 },
            "gate": { "passed": true, "conditions": [], "reasons": [] },
            "stages": [], "categories": [],
            "checks": [check("a.critical", "critical"), check("a.low", "low")],
            "stats": { "checks_loaded": 2, "files_walked": 0, "files_scanned": 0,
                       "bytes_scanned": 0, "files_skipped": 0,
                       "skipped": { "binary": 0, "too_large": 0, "unreadable": 0 },
                       "non_utf8": 0, "duration_ms": 0 }
        }))
        .unwrap()
    }

    #[test]
    fn a_baseline_turns_the_default_gate_into_nothing_new() {
        let mut report = report();
        assert!(!Gate::default().evaluate(&report).passed);
        report.baseline = Some(BaselineSummary::default());
        report.checks[0].baselined = true;
        let result = Gate::default().evaluate(&report);
        assert_eq!(result.conditions, ["nothing fails beyond the baseline"]);
        assert_eq!(
            result.reasons,
            ["1 check(s) fail beyond the baseline: a.low"]
        );
        let strict = Gate {
            fail_on: Some(Severity::High),
            stage: Some(Stage::Production),
            ..Gate::default()
        };
        let result = strict.evaluate(&report);
        // The new failure is low: work to do, not a blocker of the stage.
        assert!(result.reasons.is_empty(), "{result:?}");
    }

    #[test]
    fn the_regression_condition_needs_a_comparison() {
        let gate = Gate {
            fail_on_regression: true,
            ..Gate::default()
        };
        let result = gate.evaluate(&report());
        assert!(result.reasons[0].contains("--compare"), "{result:?}");
        assert_eq!(result.conditions.len(), 1, "no default condition");
    }
}
