//! The CI gate: the one place that decides whether an audit "fails".
//!
//! With no condition set, the gate fails only on a `not_ready` verdict. Once
//! any condition is set (by flag or in `[gate]`), exactly the set conditions
//! apply, so a team can make the gate stricter *or* more lenient.

use crate::model::{Severity, Stage, Status, Verdict};
use crate::report::{GateResult, Report};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gate {
    /// Fail when the overall score is below this.
    pub fail_under: Option<f64>,
    /// Fail when a check at or above this severity failed or errored.
    pub fail_on: Option<Severity>,
    /// Fail when this stage is not ready.
    pub stage: Option<Stage>,
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
        }
    }

    pub fn evaluate(&self, report: &Report) -> GateResult {
        let mut conditions = Vec::new();
        let mut reasons = Vec::new();
        if self.is_default() {
            conditions.push("verdict is not not_ready".to_string());
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
        if let Some(severity) = self.fail_on {
            conditions.push(format!("no {severity} or more severe check fails"));
            let unmet: Vec<&str> = report
                .checks
                .iter()
                .filter(|c| {
                    c.severity >= severity && matches!(c.status, Status::Fail | Status::Error)
                })
                .map(|c| c.id.as_str())
                .collect();
            if !unmet.is_empty() {
                reasons.push(format!(
                    "{} check(s) at {severity} or above failed: {}",
                    unmet.len(),
                    unmet.join(", ")
                ));
            }
        }
        if let Some(stage) = self.stage {
            conditions.push(format!("stage {stage} is ready"));
            if let Some(summary) = report.stages.iter().find(|s| s.id == stage)
                && !summary.ready
            {
                reasons.push(format!(
                    "stage {stage} has {} blocker(s), about {} of work",
                    summary.blockers, summary.effort_left
                ));
            }
        }
        GateResult {
            passed: reasons.is_empty(),
            conditions,
            reasons,
        }
    }
}
