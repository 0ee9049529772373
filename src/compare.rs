//! The ratchet: how scores moved since a previous JSON report
//! (`--compare PREVIOUS.json`), so that CI can refuse to let readiness slip
//! (`--fail-on-regression`) even while it is still below the bar.

use crate::report::{Report, SCHEMA_VERSION};

pub use crate::report::comparison::{CategoryChange, Comparison, PreviousReport, ScoreChange};

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
