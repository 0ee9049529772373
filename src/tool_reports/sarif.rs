//! SARIF 2.1.0 from any analyser (gosec, semgrep, CodeQL, bandit, Trivy,
//! ESLint's SARIF formatter): results by level and by `security-severity`,
//! per tool.
//!
//! Read as plain JSON rather than through strict types: tools write SARIF
//! loosely (missing `ruleIndex`, numbers as strings), and a reader that
//! rejects them would miss real findings.

use super::config::Severity;
use super::{Body, Detection, Family, malformed, number, parse_time, report};
use jiff::Timestamp;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SastSummary {
    /// One entry per run, in file order.
    pub runs: Vec<SastRun>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SastRun {
    pub tool: String,
    pub results: Vec<SastResult>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SastResult {
    pub rule: String,
    /// `error`, `warning`, `note` or `none`.
    pub level: String,
    /// From the rule's `security-severity` property, when it has one.
    pub security: Option<Severity>,
    pub location: Option<(String, Option<usize>)>,
}

pub fn read(sarif: &Value) -> Detection {
    let Some(runs) = sarif["runs"].as_array() else {
        return malformed(Family::Sast, "SARIF", "`runs` is not an array");
    };
    let mut summary = SastSummary::default();
    let mut date: Option<Timestamp> = None;
    for (index, run) in runs.iter().enumerate() {
        let driver = &run["tool"]["driver"];
        let Some(tool) = driver["name"].as_str() else {
            return malformed(
                Family::Sast,
                "SARIF",
                format!("run {}: no `tool.driver.name`", index + 1),
            );
        };
        for invocation in run["invocations"].as_array().into_iter().flatten() {
            let ts = ["endTimeUtc", "startTimeUtc"]
                .iter()
                .find_map(|k| invocation[*k].as_str().and_then(parse_time));
            if let Some(ts) = ts {
                date = Some(date.map_or(ts, |d: Timestamp| d.max(ts)));
            }
        }
        let rules = rules(driver, run);
        let mut results = Vec::new();
        for result in run["results"].as_array().into_iter().flatten() {
            if result["suppressions"]
                .as_array()
                .is_some_and(|s| !s.is_empty())
            {
                continue;
            }
            let rule_id = result["ruleId"]
                .as_str()
                .or_else(|| result["rule"]["id"].as_str())
                .map(str::to_string)
                .or_else(|| {
                    result["ruleIndex"]
                        .as_u64()
                        .and_then(|i| rules.by_index.get(i as usize).cloned())
                })
                .unwrap_or_else(|| "(no rule)".to_string());
            let rule = rules.by_id.get(&rule_id);
            // SARIF's defaulting: the result's level, else the rule's
            // default configuration, else `warning`.
            let level = result["level"]
                .as_str()
                .map(str::to_string)
                .or_else(|| rule.and_then(|r| r.level.clone()))
                .unwrap_or_else(|| "warning".to_string());
            let location = result["locations"][0]["physicalLocation"]
                .as_object()
                .and_then(|physical| {
                    let uri = physical.get("artifactLocation")?.get("uri")?.as_str()?;
                    let line = physical
                        .get("region")
                        .and_then(|r| r.get("startLine"))
                        .and_then(Value::as_u64)
                        .map(|l| l as usize);
                    Some((uri.trim_start_matches("file://").to_string(), line))
                });
            results.push(SastResult {
                rule: rule_id.clone(),
                level,
                security: rule.and_then(|r| r.security),
                location,
            });
        }
        summary.runs.push(SastRun {
            tool: tool.to_string(),
            results,
        });
    }
    let tools: Vec<&str> = summary.runs.iter().map(|r| r.tool.as_str()).collect();
    let tool = if tools.is_empty() {
        "SARIF".to_string()
    } else {
        tools.join(", ")
    };
    report(tool, date, Body::Sast(summary))
}

#[derive(Default)]
struct Rules {
    by_id: BTreeMap<String, RuleMeta>,
    by_index: Vec<String>,
}

struct RuleMeta {
    level: Option<String>,
    security: Option<Severity>,
}

/// The driver's rules (and any extensions'), with their default level and
/// `security-severity`.
fn rules(driver: &Value, run: &Value) -> Rules {
    let mut rules = Rules::default();
    let extensions = run["tool"]["extensions"].as_array().into_iter().flatten();
    for component in std::iter::once(driver).chain(extensions) {
        for rule in component["rules"].as_array().into_iter().flatten() {
            let Some(id) = rule["id"].as_str() else {
                continue;
            };
            if std::ptr::eq(component, driver) {
                rules.by_index.push(id.to_string());
            }
            let security = number(&rule["properties"]["security-severity"])
                .map(Severity::from_score)
                .filter(|s| *s != Severity::Unknown);
            rules.by_id.insert(
                id.to_string(),
                RuleMeta {
                    level: rule["defaultConfiguration"]["level"]
                        .as_str()
                        .map(str::to_string),
                    security,
                },
            );
        }
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_default_from_rules_and_suppressed_results_drop() {
        let sarif = serde_json::json!({
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "gosec", "rules": [
                    {"id": "G201", "defaultConfiguration": {"level": "error"},
                     "properties": {"security-severity": "7.5"}},
                    {"id": "G104", "properties": {}}
                ]}},
                "invocations": [{"endTimeUtc": "2026-11-30T10:00:00Z", "executionSuccessful": true}],
                "results": [
                    {"ruleId": "G201", "message": {"text": "x"},
                     "locations": [{"physicalLocation": {"artifactLocation": {"uri": "db/q.go"}, "region": {"startLine": 12}}}]},
                    {"ruleIndex": 1, "message": {"text": "y"}},
                    {"ruleId": "G201", "level": "error", "suppressions": [{"kind": "inSource"}]}
                ]
            }]
        });
        let Detection::Report(report) = read(&sarif) else {
            panic!()
        };
        let Body::Sast(summary) = &report.body else {
            panic!()
        };
        let results = &summary.runs[0].results;
        assert_eq!(results.len(), 2);
        assert_eq!(results[0].level, "error");
        assert_eq!(results[0].security, Some(Severity::High));
        assert_eq!(results[0].location, Some(("db/q.go".to_string(), Some(12))));
        assert_eq!(
            (results[1].rule.as_str(), results[1].level.as_str()),
            ("G104", "warning")
        );
        assert!(report.date.is_some());
    }
}
