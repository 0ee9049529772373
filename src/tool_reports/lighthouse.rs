//! Lighthouse results (LHR JSON): what `lighthouse --output json` and
//! LHCI's `.lighthouseci/lhr-*.json` contain. One file is one run of one
//! URL; the rule takes the median of the runs per URL, as LHCI does.

use super::{Body, Detection, Family, number, parse_time, report};
use serde_json::Value;
use std::collections::BTreeMap;

/// The Web Vitals read, by LHR audit id, with how the seeds name them.
pub const VITALS: [(&str, &str); 6] = [
    ("first-contentful-paint", "FCP"),
    ("largest-contentful-paint", "LCP"),
    ("total-blocking-time", "TBT"),
    ("interactive", "TTI"),
    ("cumulative-layout-shift", "CLS"),
    ("speed-index", "Speed Index"),
];

/// One Lighthouse run of one URL.
#[derive(Debug, Clone, PartialEq)]
pub struct WebRun {
    pub url: String,
    /// Category scores, 0–100, by category id (`performance`, …).
    pub categories: BTreeMap<String, f64>,
    /// Web Vitals by their short name (`LCP`): milliseconds, CLS unitless.
    pub vitals: BTreeMap<&'static str, f64>,
}

pub fn read(lhr: &Value) -> Detection {
    let version = lhr["lighthouseVersion"].as_str().unwrap_or("?");
    let tool = format!("Lighthouse {version}");
    if let Some(error) = lhr.get("runtimeError").filter(|e| !e.is_null()) {
        let code = error["code"].as_str().unwrap_or("unknown");
        if code != "NO_ERROR" {
            return super::malformed(
                Family::WebPerformance,
                "Lighthouse",
                format!(
                    "the run failed ({code}): {}",
                    error["message"].as_str().unwrap_or("no message")
                ),
            );
        }
    }
    let url = [
        "finalDisplayedUrl",
        "finalUrl",
        "requestedUrl",
        "mainDocumentUrl",
    ]
    .iter()
    .find_map(|key| lhr[*key].as_str())
    .unwrap_or("(no URL)")
    .to_string();
    let Some(categories) = lhr["categories"].as_object() else {
        return super::malformed(
            Family::WebPerformance,
            "Lighthouse",
            "no `categories` object",
        );
    };
    let categories = categories
        .iter()
        .filter_map(|(id, category)| number(&category["score"]).map(|s| (id.clone(), s * 100.0)))
        .collect();
    let audits = &lhr["audits"];
    let vitals = VITALS
        .iter()
        .filter_map(|(id, name)| number(&audits[*id]["numericValue"]).map(|v| (*name, v)))
        .collect();
    report(
        tool,
        lhr["fetchTime"].as_str().and_then(parse_time),
        Body::Web(WebRun {
            url,
            categories,
            vitals,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_scores_and_vitals() {
        let lhr = serde_json::json!({
            "lighthouseVersion": "12.2.1",
            "requestedUrl": "http://localhost:3000/",
            "finalDisplayedUrl": "http://localhost:3000/",
            "fetchTime": "2026-11-28T09:00:00.000Z",
            "categories": {"performance": {"score": 0.72}, "accessibility": {"score": null}},
            "audits": {
                "largest-contentful-paint": {"numericValue": 4210.5},
                "cumulative-layout-shift": {"numericValue": 0.02}
            }
        });
        let Detection::Report(report) = read(&lhr) else {
            panic!()
        };
        let Body::Web(run) = &report.body else {
            panic!()
        };
        assert_eq!(report.tool, "Lighthouse 12.2.1");
        assert!((run.categories["performance"] - 72.0).abs() < 1e-9);
        assert!(!run.categories.contains_key("accessibility"));
        assert_eq!(run.vitals["LCP"], 4210.5);
        assert!(report.date.is_some());
    }

    #[test]
    fn a_failed_run_is_malformed() {
        let lhr = serde_json::json!({
            "lighthouseVersion": "12.2.1",
            "runtimeError": {"code": "NO_FCP", "message": "The page did not paint any content."},
            "categories": {}
        });
        assert!(matches!(read(&lhr), Detection::Malformed { .. }));
    }
}
