//! The ratchet: how scores moved since a previous JSON report
//! (`--compare PREVIOUS.json`), so that CI can refuse to let readiness slip
//! (`--fail-on-regression`) even while it is still below the bar.

use crate::model::{Category, Verdict};
use crate::report::{Report, SCHEMA_VERSION};
use serde::{Deserialize, Serialize};

/// Score changes against a previous report (`comparison` in the JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Comparison {
    pub previous: PreviousReport,
    pub overall: ScoreChange,
    /// Every category, in report order.
    pub categories: Vec<CategoryChange>,
    /// What dropped, e.g. `overall 93.2 → 90.1`; empty when nothing did.
    pub regressions: Vec<String>,
    /// Why a score was not compared (the previous report computed it
    /// another way); absent when every score was.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Which report the scores are compared with.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PreviousReport {
    pub generated_at: String,
    pub verdict: Verdict,
    pub score: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScoreChange {
    pub before: Option<f64>,
    pub after: Option<f64>,
    /// `after − before`, one decimal; `null` unless both have a score.
    pub change: Option<f64>,
}

impl ScoreChange {
    pub fn new(before: Option<f64>, after: Option<f64>) -> Self {
        let change = before
            .zip(after)
            .map(|(b, a)| ((a - b) * 10.0).round() / 10.0);
        ScoreChange {
            before,
            after,
            change,
        }
    }

    /// Dropped: a score that had a value became lower. A category that
    /// stopped applying (no score) is not a regression.
    pub fn dropped(&self) -> bool {
        self.change.is_some_and(|c| c < 0.0)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CategoryChange {
    pub id: Category,
    pub title: String,
    #[serde(flatten)]
    pub change: ScoreChange,
}

/// Overall and per-category score changes from `previous` to `current`.
pub fn compare(previous: &Report, current: &Report) -> Comparison {
    let mut notes = Vec::new();
    let mut overall = ScoreChange::new(previous.summary.score, current.summary.score);
    // An overall score from another formula (reports before
    // `score_method` averaged checks, not categories) is not a baseline:
    // upgrading readyctl must not read as a regression.
    if previous.summary.score_method != current.summary.score_method {
        overall.change = None;
        notes.push(format!(
            "overall score not compared: the previous report computed it as `{}`, this one as `{}`",
            if previous.summary.score_method.is_empty() {
                "weighted check mean (before score_method)"
            } else {
                &previous.summary.score_method
            },
            current.summary.score_method
        ));
    }
    let categories: Vec<CategoryChange> = current
        .categories
        .iter()
        .map(|now| {
            let before = previous
                .categories
                .iter()
                .find(|c| c.id == now.id)
                .and_then(|c| c.score);
            CategoryChange {
                id: now.id,
                title: now.title.clone(),
                change: ScoreChange::new(before, now.score),
            }
        })
        .collect();
    let describe = |name: &str, change: &ScoreChange| {
        format!(
            "{name} {} → {}",
            change.before.unwrap_or_default(),
            change.after.unwrap_or_default()
        )
    };
    let mut regressions = Vec::new();
    if overall.dropped() {
        regressions.push(describe("overall", &overall));
    }
    for category in categories.iter().filter(|c| c.change.dropped()) {
        regressions.push(describe(category.id.id(), &category.change));
    }
    Comparison {
        previous: PreviousReport {
            generated_at: previous.generated_at.clone(),
            verdict: previous.summary.verdict,
            score: previous.summary.score,
        },
        overall,
        categories,
        regressions,
        notes,
    }
}

/// Reads a report written by `readyctl audit --format json`.
pub fn load_report(path: &std::path::Path) -> Result<Report, String> {
    let name = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|err| format!("cannot read report `{name}`: {err}"))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|err| format!("`{name}` is not a JSON report: {err}"))?;
    match value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64)
    {
        Some(version) if version == u64::from(SCHEMA_VERSION) => {}
        Some(version) => {
            return Err(format!(
                "`{name}` is a version {version} report; this readyctl reads version {SCHEMA_VERSION}"
            ));
        }
        None => {
            return Err(format!(
                "`{name}` is not a readyctl JSON report (no `schema_version`); write one with `readyctl audit --format json`"
            ));
        }
    }
    serde_json::from_value(value)
        .map_err(|err| format!("`{name}` is not a readyctl JSON report: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_rounded_and_drops_detected() {
        let change = ScoreChange::new(Some(93.2), Some(90.1));
        assert_eq!(change.change, Some(-3.1));
        assert!(change.dropped());
        assert!(!ScoreChange::new(Some(50.0), None).dropped());
        assert!(!ScoreChange::new(Some(50.0), Some(50.0)).dropped());
    }
}
