//! Scores, verdicts and stage readiness.
//!
//! Scoring reads like a reviewer's table: one row per category, and the
//! overall score is the (weighted) mean of the rows, so a category with many
//! checks (thirteen kinds of leaked secret) counts as much as one with few
//! (a backup schedule). Inside a category, severities weight the checks, so
//! one missing backup outweighs ten missing badges. [`METHOD`] is the text
//! `readyctl checks scoring` prints and the README repeats.

use crate::model::{Category, Severity, SkipReason, Stage, Status, Verdict};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The id of the formula, in JSON `summary.score_method`, so that consumers
/// comparing scores across versions know which one produced them.
pub const SCORE_METHOD: &str = "weighted_category_mean";

/// How a score is computed, for people: printed by `readyctl checks scoring`.
pub const METHOD: &str = "\
How readyctl scores a repository (score_method: weighted_category_mean)

1. Each check has a weight from its severity: critical 10, high 5, medium 3,
   low 1, info 0 ([scoring] weights in readyctl.toml).
2. A category's score is 100 x passed weight / weight of its checks that
   passed, failed or errored. Errored checks count as unmet: a requirement
   that could not be verified is not met. Skipped checks (the check does not
   apply, found nothing to judge, needs a live target, or is disabled) and
   waived checks do not count. A category with no such weighted check has no
   score (n/a).
3. The overall score is the weighted mean of the category scores, over the
   categories that have a score. Every category weighs 1 unless
   [scoring] categories = { secrets = 2, backups = 0.5 } says otherwise; a
   weight of 0 leaves a category out of the overall score.
4. The verdict: not_ready when no application was found (no manifest, no
   source in a known language, no deployable artefact), when a critical check
   is unmet, or when the score is under 70 ([scoring] caveats);
   ready_with_caveats when the score is under 90 ([scoring] ready) or a high
   check is unmet; ready otherwise. Each category gets a verdict by the same
   score and severity rules.
5. Coverage: the report says how much of the applicable weight was assessed
   (passed, failed or waived) and what was not: live checks without a target,
   checks that errored, categories with nothing assessed.

A check passes only on positive evidence: a rule that found nothing to judge
(no file selected, no document matched, no file read) is skipped with the
reason, never passed.
";

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

/// How much each category counts in the overall score (`[scoring]
/// categories`); 1 unless configured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CategoryWeights(pub BTreeMap<Category, f64>);

impl CategoryWeights {
    pub fn of(&self, category: Category) -> f64 {
        self.0.get(&category).copied().unwrap_or(1.0)
    }
}

/// The facts about one check result that scoring needs.
#[derive(Debug, Clone, Copy)]
pub struct Scored {
    pub category: Category,
    pub severity: Severity,
    pub stage: Stage,
    pub status: Status,
    /// Why it was skipped, for skipped checks.
    pub skip: Option<SkipReason>,
    pub effort_minutes: u32,
}

impl Scored {
    /// Failed or could not be verified.
    pub fn is_unmet(&self) -> bool {
        matches!(self.status, Status::Fail | Status::Error)
    }

    /// Judged on evidence: passed, failed, or failed and waived.
    pub fn is_assessed(&self) -> bool {
        matches!(self.status, Status::Pass | Status::Fail | Status::Waived)
    }

    /// Part of the judgement this repository calls for: assessed, or left
    /// unjudged for want of a target or because it errored. A check that
    /// does not apply, found nothing to judge or was switched off is not.
    pub fn is_applicable(&self) -> bool {
        match self.status {
            Status::Skip => self.skip == Some(SkipReason::NoTarget),
            _ => true,
        }
    }
}

/// The passed share of weight in percent, unrounded; `None` when nothing
/// with weight passed, failed or errored.
fn share(results: &[Scored], weights: &Weights) -> Option<f64> {
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
    (counted > 0).then(|| 100.0 * passed as f64 / counted as f64)
}

/// A category's score: the passed share of the weight of its checks that
/// passed, failed or errored. `None` when nothing with weight applied.
pub fn score(results: &[Scored], weights: &Weights) -> Option<f64> {
    share(results, weights).map(round1)
}

/// The overall score: the mean of the category scores weighted by
/// `categories`, over the categories that have a score and a weight above
/// zero. `None` when there is none.
pub fn overall(results: &[Scored], weights: &Weights, categories: &CategoryWeights) -> Option<f64> {
    let mut total = 0.0;
    let mut weight = 0.0;
    for category in Category::ALL {
        let mine: Vec<Scored> = results
            .iter()
            .filter(|r| r.category == category)
            .copied()
            .collect();
        let w = categories.of(category);
        if let Some(share) = share(&mine, weights)
            && w > 0.0
        {
            total += w * share;
            weight += w;
        }
    }
    (weight > 0.0).then(|| round1(total / weight))
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// How much of the judgement was made: severity weight assessed (passed,
/// failed or waived) out of the weight that applies (assessed, errored, or
/// waiting for a live target).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Coverage {
    pub assessed_weight: u64,
    pub applicable_weight: u64,
}

pub fn coverage(results: &[Scored], weights: &Weights) -> Coverage {
    let mut coverage = Coverage::default();
    for result in results.iter().filter(|r| r.is_applicable()) {
        let weight = u64::from(weights.of(result.severity));
        coverage.applicable_weight += weight;
        if result.is_assessed() {
            coverage.assessed_weight += weight;
        }
    }
    coverage
}

/// A verdict and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub verdict: Verdict,
    /// Each rule that decided it, most decisive first.
    pub reasons: Vec<String>,
}

/// `not_ready` when a critical check is unmet or the score is under the
/// caveats threshold; `ready_with_caveats` when under the ready threshold or
/// a high check is unmet; `ready` otherwise.
pub fn verdict(score: Option<f64>, results: &[Scored], thresholds: &Thresholds) -> Verdict {
    judge(score, results, thresholds, None).verdict
}

/// [`verdict`] with its reasons, and `not_ready` whatever the checks say when
/// `nothing_to_audit` gives a reason (no application was found).
pub fn judge(
    score: Option<f64>,
    results: &[Scored],
    thresholds: &Thresholds,
    nothing_to_audit: Option<&str>,
) -> Judgement {
    let unmet = |severity| {
        results
            .iter()
            .filter(|r| r.severity == severity && r.is_unmet())
            .count()
    };
    let (critical, high) = (unmet(Severity::Critical), unmet(Severity::High));
    let mut not_ready = Vec::new();
    if let Some(reason) = nothing_to_audit {
        not_ready.push(reason.to_string());
    }
    if critical > 0 {
        not_ready.push(format!("{critical} critical check(s) unmet"));
    }
    let shown = score.map_or_else(|| "n/a".to_string(), |s| s.to_string());
    if let Some(score) = score
        && score < thresholds.caveats
    {
        not_ready.push(format!("score {score} is under {}", thresholds.caveats));
    }
    if !not_ready.is_empty() {
        return Judgement {
            verdict: Verdict::NotReady,
            reasons: not_ready,
        };
    }
    let mut caveats = Vec::new();
    if let Some(score) = score
        && score < thresholds.ready
    {
        caveats.push(format!("score {score} is under {}", thresholds.ready));
    }
    if high > 0 {
        caveats.push(format!("{high} high check(s) unmet"));
    }
    if !caveats.is_empty() {
        return Judgement {
            verdict: Verdict::ReadyWithCaveats,
            reasons: caveats,
        };
    }
    Judgement {
        verdict: Verdict::Ready,
        reasons: vec![format!("score {shown}, no critical or high check unmet")],
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
        in_category(Category::Security, severity, status)
    }

    fn in_category(category: Category, severity: Severity, status: Status) -> Scored {
        Scored {
            category,
            severity,
            stage: Stage::Beta,
            status,
            skip: None,
            effort_minutes: 60,
        }
    }

    fn skipped(category: Category, severity: Severity, why: SkipReason) -> Scored {
        Scored {
            skip: Some(why),
            ..in_category(category, severity, Status::Skip)
        }
    }

    #[test]
    fn overall_is_the_mean_of_category_scores_not_of_checks() {
        use Category::{Backups, Monitoring, Secrets};
        // Thirteen passing critical secrets checks and one failing backup
        // check: by weight of checks the score would be 130/135 = 96%; a
        // reviewer's table has two rows, 100% and 0%.
        let mut results: Vec<Scored> = (0..13)
            .map(|_| in_category(Secrets, Severity::Critical, Status::Pass))
            .collect();
        results.push(in_category(Backups, Severity::High, Status::Fail));
        // A category with nothing evaluated is left out, not counted as 0.
        results.push(skipped(Monitoring, Severity::High, SkipReason::NoTarget));
        results.push(skipped(
            Monitoring,
            Severity::High,
            SkipReason::NothingToJudge,
        ));
        let weights = Weights::default();
        assert_eq!(
            overall(&results, &weights, &CategoryWeights::default()),
            Some(50.0)
        );
        // Configured category weights: secrets counts three times.
        let heavy_secrets = CategoryWeights([(Secrets, 3.0)].into_iter().collect());
        assert_eq!(overall(&results, &weights, &heavy_secrets), Some(75.0));
        // Weight 0 leaves a category out of the overall score.
        let no_backups = CategoryWeights([(Backups, 0.0)].into_iter().collect());
        assert_eq!(overall(&results, &weights, &no_backups), Some(100.0));
        // Severities still weight checks inside a category.
        results.push(in_category(Backups, Severity::Low, Status::Pass));
        assert_eq!(
            overall(&results, &weights, &CategoryWeights::default()),
            Some(58.3)
        );
    }

    #[test]
    fn no_category_with_a_score_means_no_overall_score() {
        let results = [skipped(
            Category::Monitoring,
            Severity::High,
            SkipReason::NotApplicable,
        )];
        assert_eq!(
            overall(&results, &Weights::default(), &CategoryWeights::default()),
            None
        );
        assert_eq!(
            overall(&[], &Weights::default(), &CategoryWeights::default()),
            None
        );
    }

    #[test]
    fn coverage_counts_applicable_weight_and_what_was_assessed() {
        let results = [
            r(Severity::Critical, Status::Pass), // 10 assessed
            r(Severity::High, Status::Waived),   // 5 assessed
            r(Severity::Medium, Status::Error),  // 3 applicable
            skipped(Category::Monitoring, Severity::High, SkipReason::NoTarget), // 5 applicable
            skipped(
                Category::Monitoring,
                Severity::High,
                SkipReason::NotApplicable,
            ),
            skipped(
                Category::Secrets,
                Severity::Critical,
                SkipReason::NothingToJudge,
            ),
            skipped(Category::Ci, Severity::High, SkipReason::Disabled),
        ];
        assert_eq!(
            coverage(&results, &Weights::default()),
            Coverage {
                assessed_weight: 15,
                applicable_weight: 23
            }
        );
    }

    #[test]
    fn nothing_to_audit_is_not_ready_whatever_the_score() {
        let t = Thresholds::default();
        let passing = [r(Severity::Critical, Status::Pass)];
        let judged = judge(Some(100.0), &passing, &t, Some("no application found"));
        assert_eq!(judged.verdict, Verdict::NotReady);
        assert_eq!(judged.reasons, ["no application found"]);
        let judged = judge(Some(100.0), &passing, &t, None);
        assert_eq!(judged.verdict, Verdict::Ready);
    }

    #[test]
    fn reasons_name_every_rule_that_decided() {
        let t = Thresholds::default();
        let results = [
            r(Severity::Critical, Status::Fail),
            r(Severity::High, Status::Error),
        ];
        let judged = judge(Some(60.0), &results, &t, None);
        assert_eq!(
            judged.reasons,
            ["1 critical check(s) unmet", "score 60 is under 70"]
        );
        let judged = judge(Some(95.0), &results[1..], &t, None);
        assert_eq!(judged.verdict, Verdict::ReadyWithCaveats);
        assert_eq!(judged.reasons, ["1 high check(s) unmet"]);
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
