//! Scores, verdicts and stage readiness.
//!
//! A score is the share of weight that passed: 100 × passed weight / weight
//! of every check that passed, failed or errored (skipped and waived checks
//! do not count; errored ones do, because an unverified requirement is not
//! met).
//! Weights come from severity, so one missing backup outweighs ten missing
//! badges.

use crate::model::{Severity, Stage, Status, Verdict};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Weights {
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
    pub info: u32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            critical: 10,
            high: 5,
            medium: 3,
            low: 1,
            info: 0,
        }
    }
}

impl Weights {
    pub fn of(&self, severity: Severity) -> u32 {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// At or above: `ready` (unless a high check fails).
    pub ready: f64,
    /// Below: `not_ready`.
    pub caveats: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            ready: 90.0,
            caveats: 70.0,
        }
    }
}

/// The facts about one check result that scoring needs.
#[derive(Debug, Clone, Copy)]
pub struct Scored {
    pub severity: Severity,
    pub stage: Stage,
    pub status: Status,
    pub effort_minutes: u32,
}

impl Scored {
    /// Failed or could not be verified.
    pub fn is_unmet(&self) -> bool {
        matches!(self.status, Status::Fail | Status::Error)
    }
}

/// `None` when nothing with weight applied: there is nothing to score.
pub fn score(results: &[Scored], weights: &Weights) -> Option<f64> {
    let mut passed = 0u64;
    let mut counted = 0u64;
    for result in results {
        let weight = u64::from(weights.of(result.severity));
        match result.status {
            Status::Pass => {
                passed += weight;
                counted += weight;
            }
            Status::Fail | Status::Error => counted += weight,
            // A waiver accepts a risk; it neither earns nor costs weight.
            Status::Skip | Status::Waived => {}
        }
    }
    (counted > 0).then(|| round1(100.0 * passed as f64 / counted as f64))
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// `not_ready` when a critical check is unmet or the score is under the
/// caveats threshold; `ready_with_caveats` when under the ready threshold or
/// a high check is unmet; `ready` otherwise.
pub fn verdict(score: Option<f64>, results: &[Scored], thresholds: &Thresholds) -> Verdict {
    let unmet = |severity| {
        results
            .iter()
            .any(|r| r.severity == severity && r.is_unmet())
    };
    let score = score.unwrap_or(100.0);
    if unmet(Severity::Critical) || score < thresholds.caveats {
        Verdict::NotReady
    } else if score < thresholds.ready || unmet(Severity::High) {
        Verdict::ReadyWithCaveats
    } else {
        Verdict::Ready
    }
}

/// Whether a stage can be entered: every non-informational check due by that
/// stage passes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageReadiness {
    pub id: Stage,
    pub title: &'static str,
    pub ready: bool,
    pub blockers: usize,
    /// Unmet medium and low checks of the stage: work, not blockers.
    pub to_do: usize,
    pub effort_left_minutes: u32,
    pub effort_left: String,
}

/// Whether an unmet check of this severity keeps its stage from being ready
/// (a blocker); lower severities are "to do".
pub fn blocks_stage(severity: Severity) -> bool {
    severity >= Severity::High
}

pub fn stage_readiness(results: &[Scored]) -> Vec<StageReadiness> {
    Stage::ALL
        .into_iter()
        .map(|stage| {
            let open: Vec<&Scored> = results
                .iter()
                .filter(|r| r.stage <= stage && r.severity != Severity::Info && r.is_unmet())
                .collect();
            let blockers = open.iter().filter(|r| blocks_stage(r.severity)).count();
            // Effort left is for everything open: the to-dos are work too.
            let effort: u32 = open.iter().map(|r| r.effort_minutes).sum();
            StageReadiness {
                id: stage,
                title: stage.title(),
                ready: blockers == 0,
                blockers,
                to_do: open.len() - blockers,
                effort_left_minutes: effort,
                effort_left: crate::effort::format_minutes(effort),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(severity: Severity, status: Status) -> Scored {
        Scored {
            severity,
            stage: Stage::Beta,
            status,
            effort_minutes: 60,
        }
    }

    #[test]
    fn score_is_the_passed_share_of_weight() {
        let results = [
            r(Severity::Critical, Status::Pass), // 10
            r(Severity::High, Status::Fail),     // 5
            r(Severity::Medium, Status::Error),  // 3
            r(Severity::Low, Status::Skip),      // not counted
            r(Severity::Info, Status::Fail),     // weight 0
            r(Severity::High, Status::Waived),   // not counted
        ];
        assert_eq!(score(&results, &Weights::default()), Some(55.6));
    }

    #[test]
    fn nothing_applicable_has_no_score() {
        assert_eq!(
            score(&[r(Severity::High, Status::Skip)], &Weights::default()),
            None
        );
        assert_eq!(score(&[], &Weights::default()), None);
    }

    #[test]
    fn custom_weights_change_the_score() {
        let weights = Weights {
            high: 1,
            ..Weights::default()
        };
        let results = [
            r(Severity::Critical, Status::Pass),
            r(Severity::High, Status::Fail),
        ];
        assert_eq!(score(&results, &weights), Some(90.9));
    }

    #[test]
    fn verdict_follows_the_documented_rules() {
        let t = Thresholds::default();
        let crit_fail = [r(Severity::Critical, Status::Fail)];
        assert_eq!(verdict(Some(95.0), &crit_fail, &t), Verdict::NotReady);
        assert_eq!(verdict(Some(69.9), &[], &t), Verdict::NotReady);
        assert_eq!(verdict(Some(70.0), &[], &t), Verdict::ReadyWithCaveats);
        assert_eq!(verdict(Some(89.9), &[], &t), Verdict::ReadyWithCaveats);
        let high_fail = [r(Severity::High, Status::Fail)];
        assert_eq!(
            verdict(Some(95.0), &high_fail, &t),
            Verdict::ReadyWithCaveats
        );
        assert_eq!(verdict(Some(90.0), &[], &t), Verdict::Ready);
        let crit_error = [r(Severity::Critical, Status::Error)];
        assert_eq!(verdict(Some(99.0), &crit_error, &t), Verdict::NotReady);
    }

    #[test]
    fn stages_accumulate_blockers_and_effort() {
        let mut prod = r(Severity::High, Status::Fail);
        prod.stage = Stage::Production;
        prod.effort_minutes = 240;
        let results = [
            r(Severity::Critical, Status::Fail),
            prod,
            r(Severity::Info, Status::Fail),
            r(Severity::Low, Status::Pass),
        ];
        let stages = stage_readiness(&results);
        assert_eq!(stages[0].id, Stage::Beta);
        assert_eq!(
            (
                stages[0].ready,
                stages[0].blockers,
                stages[0].effort_left_minutes
            ),
            (false, 1, 60)
        );
        assert_eq!(
            (
                stages[1].ready,
                stages[1].blockers,
                stages[1].effort_left_minutes
            ),
            (false, 2, 300)
        );
        assert_eq!(stages[1].effort_left, "5h");
    }

    #[test]
    fn low_and_medium_checks_are_to_do_not_blockers() {
        let mut low = r(Severity::Low, Status::Fail);
        low.effort_minutes = 30;
        let results = [low, r(Severity::Medium, Status::Fail)];
        let stages = stage_readiness(&results);
        assert!(stages[0].ready);
        assert_eq!((stages[0].blockers, stages[0].to_do), (0, 2));
        assert_eq!(stages[0].effort_left_minutes, 90);
    }
}
