//! How scores moved since a previous report, as the report shows it
//! (computed by [`crate::compare`]).

use crate::model::{Category, Verdict};
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
