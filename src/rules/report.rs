//! `report`: judge the output a team's tools already wrote — Lighthouse,
//! load tests, test results, SARIF, dependency audits — against targets.
//!
//! ```yaml
//! rule:
//!   report: { kind: load_test }
//! ```
//!
//! Reports are found anywhere in the walked tree (and under `--include` /
//! `[scan] include`) by their content (see [`crate::tool_reports`]). Targets
//! and the age after which a report is stale come from `[reports]` in
//! `readyctl.toml`, defaulting to the readiness reviews' numbers. No report:
//! `skip`, saying which command writes one for the detected stack. A stale
//! report: `fail`, whatever its numbers. A report that cannot be read:
//! `error`, naming the file and what was wrong.

use super::{Outcome, Validator};
use crate::model::{Finding, Status};
use crate::scan::{DocumentsId, Evidence, PlanBuilder, SelectorSpec};
use crate::stack::StackFact;
use crate::tool_reports::audit::AuditSummary;
use crate::tool_reports::config::{ReportsConfig, Severity};
use crate::tool_reports::lighthouse::WebRun;
use crate::tool_reports::load::LoadSummary;
use crate::tool_reports::sarif::SastSummary;
use crate::tool_reports::tests::TestSummary;
use crate::tool_reports::{
    self, Body, Detection, Family, Settings, ToolReport, format_ms, format_number, median,
};
use jiff::Timestamp;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// SARIF locations listed per report; the counts stay exact.
const LOCATIONS_LISTED: usize = 20;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportSpec {
    /// Which reports to judge.
    pub kind: Family,
}

impl ReportSpec {
    pub fn validate(&self, _v: &mut Validator<'_>) {}

    pub fn plan(&self, plan: &mut PlanBuilder, settings: &Settings) -> ReportRule {
        let selector = plan.selector(SelectorSpec::from_strs(
            tool_reports::CANDIDATES,
            tool_reports::NOT_CANDIDATES,
        ));
        ReportRule {
            family: self.kind,
            documents: plan.documents_containing(selector, tool_reports::SIGNATURES),
            targets: settings.targets.clone(),
            now: settings.now,
        }
    }
}

#[derive(Debug)]
pub struct ReportRule {
    family: Family,
    documents: DocumentsId,
    targets: ReportsConfig,
    now: Timestamp,
}

/// One report found, with where it is and when it was written.
struct Found {
    path: String,
    report: ToolReport,
    date: Option<Timestamp>,
    /// `report` (its own timestamp) or `file` (its modification time).
    dated_by: &'static str,
}

/// One judged report (or group of Lighthouse runs).
struct Judged {
    path: String,
    /// Shortfalls against the targets, as the seeds write them.
    misses: Vec<String>,
    /// What was measured, in words, for a report that meets the targets.
    summary: String,
    measured: BTreeMap<String, Value>,
    date: Option<Timestamp>,
    dated_by: &'static str,
    /// Further findings (SARIF locations, advisories).
    details: Vec<Finding>,
}

impl ReportRule {
    pub fn evaluate(&self, evidence: &Evidence) -> Outcome {
        let documents = evidence.documents(self.documents);
        let mut found = Vec::new();
        let mut malformed = Vec::new();
        for document in &documents.files {
            let Some(text) = &document.text else {
                continue;
            };
            match tool_reports::read(text) {
                Detection::Report(report) if report.family() == self.family => {
                    let (date, dated_by) = match report.date {
                        Some(date) => (Some(date), "report"),
                        None => (
                            document
                                .modified
                                .and_then(|s| Timestamp::from_second(s).ok()),
                            "file",
                        ),
                    };
                    found.push(Found {
                        path: document.path.clone(),
                        report: *report,
                        date,
                        dated_by,
                    });
                }
                Detection::Malformed {
                    family,
                    format,
                    reason,
                } if family == self.family => malformed.push(Finding::at(
                    document.path.clone(),
                    None,
                    format!("{format} report that cannot be read: {reason}"),
                )),
                _ => {}
            }
        }
        if found.is_empty() && malformed.is_empty() {
            return Outcome::skip(format!(
                "no {} found — run {} and pass its output with --include",
                self.family.noun(),
                hint(self.family, evidence)
            ));
        }
        let judged = match self.family {
            Family::WebPerformance => self.judge_web(&found),
            _ => found.iter().map(|f| self.judge(f)).collect(),
        };
        self.conclude(judged, malformed)
    }

    fn conclude(&self, judged: Vec<Judged>, malformed: Vec<Finding>) -> Outcome {
        let max_age = self.targets.max_age_days();
        let mut findings = Vec::new();
        let mut failing = Vec::new();
        let mut passing = Vec::new();
        for report in judged {
            let age = report.date.map(|d| age_days(self.now, d));
            let stale = age.is_some_and(|days| days > i64::from(max_age));
            let dated = match (report.date, age) {
                (Some(date), Some(age)) => format!(
                    "{}, {} day{} old",
                    date.strftime("%Y-%m-%d"),
                    age,
                    if age == 1 { "" } else { "s" }
                ),
                _ => "undated".to_string(),
            };
            let mut measured = report.measured;
            if let Some(date) = report.date {
                measured.insert("date".into(), json!(date.to_string()));
                measured.insert("dated_by".into(), json!(report.dated_by));
            }
            measured.insert("stale".into(), json!(stale));
            let mut message = if report.misses.is_empty() {
                report.summary.clone()
            } else {
                report.misses.join(", ")
            };
            if stale {
                message = format!(
                    "stale: dated {dated}, older than {max_age} days — re-run the tool ({message})"
                );
            }
            let mut finding =
                Finding::at(report.path.clone(), None, format!("{message} ({dated})"));
            finding.measured = measured;
            findings.push(finding);
            findings.extend(report.details);
            let short = format!("{message} ({}, {dated})", report.path);
            if stale || !report.misses.is_empty() {
                failing.push(short);
            } else {
                passing.push(short);
            }
        }
        let unreadable = malformed.len();
        let unreadable_paths: Vec<String> =
            malformed.iter().filter_map(|f| f.path.clone()).collect();
        findings.extend(malformed);
        if unreadable > 0 {
            return Outcome {
                status: Status::Error,
                message: format!(
                    "{unreadable} {} could not be read: {}{}",
                    self.family.noun(),
                    unreadable_paths.join(", "),
                    if failing.is_empty() {
                        String::new()
                    } else {
                        format!("; {}", failing.join("; "))
                    }
                ),
                findings,
            };
        }
        if failing.is_empty() {
            Outcome::pass(passing.join("; "), findings)
        } else {
            Outcome::fail(failing.join("; "), findings)
        }
    }

    fn judge(&self, found: &Found) -> Judged {
        let (misses, summary, measured, details) = match &found.report.body {
            Body::Load(load) => self.judge_load(&found.report.tool, load),
            Body::Tests(tests) => {
                judge_tests(&found.report.tool, tests, self.targets.tests.max_failed)
            }
            Body::Sast(sast) => self.judge_sast(sast),
            Body::Audit(audit) => self.judge_audit(&found.report.tool, audit, &found.path),
            Body::Web(_) => unreachable!("Lighthouse runs are judged per URL"),
        };
        Judged {
            path: found.path.clone(),
            misses,
            summary,
            measured,
            date: found.date,
            dated_by: found.dated_by,
            details,
        }
    }

    /// Runs of the same URL are one measurement: the median of each number,
    /// as LHCI asserts on.
    fn judge_web(&self, found: &[Found]) -> Vec<Judged> {
        let mut by_url: BTreeMap<&str, Vec<&Found>> = BTreeMap::new();
        for f in found {
            if let Body::Web(run) = &f.report.body {
                by_url.entry(run.url.as_str()).or_default().push(f);
            }
        }
        let targets = &self.targets.web;
        let limits: [(&str, &str, f64); 6] = [
            ("FCP", "fcp_ms", targets.fcp_ms),
            ("LCP", "lcp_ms", targets.lcp_ms),
            ("TBT", "tbt_ms", targets.tbt_ms),
            ("TTI", "tti_ms", targets.tti_ms),
            ("CLS", "cls", targets.cls),
            ("Speed Index", "speed_index_ms", targets.speed_index_ms),
        ];
        by_url
            .into_iter()
            .map(|(url, runs)| {
                let web: Vec<&WebRun> = runs
                    .iter()
                    .filter_map(|f| match &f.report.body {
                        Body::Web(run) => Some(run),
                        _ => None,
                    })
                    .collect();
                let mut measured = BTreeMap::new();
                measured.insert("url".into(), json!(url));
                measured.insert("runs".into(), json!(web.len()));
                let mut misses = Vec::new();
                let mut seen = Vec::new();
                let score = median(
                    &mut web
                        .iter()
                        .filter_map(|r| r.categories.get("performance").copied())
                        .collect::<Vec<_>>(),
                );
                match score {
                    Some(score) => {
                        measured.insert("performance".into(), json!(round(score)));
                        let shown = format_number(score, 0);
                        if score + 1e-9 < targets.performance {
                            misses.push(format!(
                                "performance {shown} < {}",
                                format_number(targets.performance, 0)
                            ));
                        } else {
                            seen.push(format!("performance {shown}"));
                        }
                    }
                    None => misses.push("no performance score in the report".to_string()),
                }
                for (name, key, limit) in limits {
                    let Some(value) = median(
                        &mut web
                            .iter()
                            .filter_map(|r| r.vitals.get(name).copied())
                            .collect::<Vec<_>>(),
                    ) else {
                        continue;
                    };
                    measured.insert(key.into(), json!(round(value)));
                    let show = |v: f64| {
                        if name == "CLS" {
                            format_number(v, 3)
                        } else {
                            format_ms(v)
                        }
                    };
                    if value > limit {
                        misses.push(format!("{name} {} > {}", show(value), show(limit)));
                    } else {
                        seen.push(format!("{name} {}", show(value)));
                    }
                }
                let runs_text = if web.len() == 1 {
                    String::new()
                } else {
                    format!(" (median of {} runs)", web.len())
                };
                let newest = runs
                    .iter()
                    .max_by_key(|f| f.date)
                    .expect("a URL has at least one run");
                let misses = misses
                    .into_iter()
                    .enumerate()
                    .map(|(i, m)| {
                        if i == 0 {
                            format!("{url}{runs_text}: {m}")
                        } else {
                            m
                        }
                    })
                    .collect();
                Judged {
                    path: newest.path.clone(),
                    misses,
                    summary: format!("{url}{runs_text}: {}", seen.join(", ")),
                    measured,
                    date: newest.date,
                    dated_by: newest.dated_by,
                    details: Vec::new(),
                }
            })
            .collect()
    }

    fn judge_load(
        &self,
        tool: &str,
        load: &LoadSummary,
    ) -> (Vec<String>, String, BTreeMap<String, Value>, Vec<Finding>) {
        let targets = &self.targets.load;
        let mut measured = BTreeMap::new();
        measured.insert("tool".into(), json!(tool));
        measured.insert("requests".into(), json!(load.requests));
        measured.insert("failed".into(), json!(load.failed));
        let error_rate = load.error_rate();
        measured.insert("error_rate".into(), json!(round(error_rate)));
        let mut misses = Vec::new();
        let mut seen = vec![format!("{tool}: {} requests", load.requests)];
        let latencies = [
            ("p95", "p95_ms", load.p95_ms, targets.p95_ms),
            ("p99", "p99_ms", load.p99_ms, targets.p99_ms),
            ("mean", "mean_ms", load.mean_ms, targets.mean_ms),
        ];
        for (name, key, value, limit) in latencies {
            if let Some(value) = value {
                measured.insert(key.into(), json!(round(value)));
            }
            match (value, limit) {
                (Some(value), Some(limit)) if value > limit => misses.push(format!(
                    "{name} {} > {}",
                    format_ms(value),
                    format_ms(limit)
                )),
                (Some(value), _) => seen.push(format!("{name} {}", format_ms(value))),
                (None, Some(_)) => seen.push(format!("{name} not in the report")),
                (None, None) => {}
            }
        }
        let rate = format!("{}%", format_number(error_rate, 2));
        match targets.error_rate {
            Some(limit) if error_rate > limit + 1e-12 => misses.push(format!(
                "error rate {rate} > {}% ({} of {} requests failed)",
                format_number(limit, 2),
                load.failed,
                load.requests
            )),
            _ => seen.push(format!("error rate {rate}")),
        }
        if let Some(rps) = load.rps {
            measured.insert("rps".into(), json!(round(rps)));
        }
        match (load.rps, targets.min_rps) {
            (Some(rps), Some(min)) if rps < min => misses.push(format!(
                "throughput {} req/s < {}",
                format_number(rps, 1),
                format_number(min, 1)
            )),
            (None, Some(_)) => misses.push("throughput not in the report".to_string()),
            (Some(rps), _) => seen.push(format!("{} req/s", format_number(rps, 1))),
            (None, None) => {}
        }
        if let Some(vus) = load.vus_max {
            measured.insert("vus_max".into(), json!(vus));
        }
        match (load.vus_max, targets.min_vus) {
            (Some(vus), Some(min)) if vus < min => misses.push(format!(
                "peak {} virtual users < {}",
                format_number(vus, 0),
                format_number(min, 0)
            )),
            (None, Some(_)) => misses.push("peak virtual users not in the report".to_string()),
            (Some(vus), _) => seen.push(format!("peak {} virtual users", format_number(vus, 0))),
            (None, None) => {}
        }
        if !misses.is_empty() {
            let first = misses.remove(0);
            misses.insert(0, format!("{tool}: {first}"));
        }
        (misses, seen.join(", "), measured, Vec::new())
    }

    fn judge_sast(
        &self,
        sast: &SastSummary,
    ) -> (Vec<String>, String, BTreeMap<String, Value>, Vec<Finding>) {
        let targets = &self.targets.sast;
        let mut misses = Vec::new();
        let mut seen = Vec::new();
        let mut details = Vec::new();
        let mut per_tool = serde_json::Map::new();
        for run in &sast.runs {
            let counts_as_error = |r: &&tool_reports::sarif::SastResult| {
                r.level == "error"
                    || targets
                        .security_severity
                        .is_some_and(|min| r.security.is_some_and(|s| s >= min))
            };
            let errors: Vec<_> = run.results.iter().filter(counts_as_error).collect();
            let warnings = run.results.iter().filter(|r| r.level == "warning").count();
            let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
            for e in &errors {
                *by_rule.entry(e.rule.as_str()).or_default() += 1;
            }
            let mut rules: Vec<(&str, usize)> = by_rule.into_iter().collect();
            rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let rules_text: Vec<String> = rules
                .iter()
                .map(|(rule, n)| {
                    if *n > 1 {
                        format!("{rule} ×{n}")
                    } else {
                        rule.to_string()
                    }
                })
                .collect();
            per_tool.insert(
                run.tool.clone(),
                json!({
                    "results": run.results.len(),
                    "errors": errors.len(),
                    "warnings": warnings,
                    "by_rule": rules.iter().map(|(r, n)| (r.to_string(), json!(n))).collect::<serde_json::Map<_, _>>(),
                }),
            );
            let plural = if errors.len() == 1 { "" } else { "s" };
            if errors.len() as u64 > targets.max_errors {
                misses.push(format!(
                    "{} {} error{plural}: {}",
                    errors.len(),
                    run.tool,
                    rules_text.join(", ")
                ));
            } else {
                seen.push(format!(
                    "{}: {} error{plural}, {warnings} warning{}",
                    run.tool,
                    errors.len(),
                    if warnings == 1 { "" } else { "s" }
                ));
            }
            for error in errors.iter().take(LOCATIONS_LISTED) {
                let severity = error
                    .security
                    .map(|s| format!(", security-severity {}", s.name()))
                    .unwrap_or_default();
                let text = format!("{} {} ({}{severity})", run.tool, error.rule, error.level);
                details.push(match &error.location {
                    Some((path, line)) => Finding::at(path.clone(), *line, text),
                    None => Finding::note(text),
                });
            }
        }
        let mut measured = BTreeMap::new();
        measured.insert("tools".into(), Value::Object(per_tool));
        (misses, seen.join("; "), measured, details)
    }

    fn judge_audit(
        &self,
        tool: &str,
        audit: &AuditSummary,
        path: &str,
    ) -> (Vec<String>, String, BTreeMap<String, Value>, Vec<Finding>) {
        let targets = &self.targets.dependencies;
        let fails = |s: Severity| {
            if s == Severity::Unknown {
                targets.unknown_fails
            } else {
                s >= targets.fail_on
            }
        };
        let mut counts: BTreeMap<Severity, usize> = BTreeMap::new();
        for advisory in &audit.advisories {
            *counts.entry(advisory.severity).or_default() += 1;
        }
        let counts_text: Vec<String> = counts
            .iter()
            .rev()
            .map(|(s, n)| format!("{} {n}", s.name()))
            .collect();
        let failing: Vec<_> = audit
            .advisories
            .iter()
            .filter(|a| fails(a.severity))
            .collect();
        let mut measured = BTreeMap::new();
        measured.insert("tool".into(), json!(tool));
        measured.insert("advisories".into(), json!(audit.advisories.len()));
        measured.insert(
            "by_severity".into(),
            json!(
                counts
                    .iter()
                    .map(|(s, n)| (s.name().to_string(), json!(n)))
                    .collect::<serde_json::Map<_, _>>()
            ),
        );
        let details = failing
            .iter()
            .take(LOCATIONS_LISTED)
            .map(|a| {
                Finding::at(
                    path,
                    None,
                    format!(
                        "{}{}: {} ({})",
                        a.package,
                        a.version
                            .as_deref()
                            .map(|v| format!(" {v}"))
                            .unwrap_or_default(),
                        a.id,
                        a.severity.name()
                    ),
                )
            })
            .collect();
        let misses = if failing.is_empty() {
            Vec::new()
        } else {
            let threshold = if targets.unknown_fails {
                format!("at or above {} (or ungraded)", targets.fail_on.name())
            } else {
                format!("at or above {}", targets.fail_on.name())
            };
            let named: Vec<String> = failing
                .iter()
                .take(3)
                .map(|a| format!("{} {}", a.package, a.id))
                .collect();
            vec![format!(
                "{tool}: {} known vulnerabilit{} {threshold} ({}): {}{}",
                failing.len(),
                if failing.len() == 1 { "y" } else { "ies" },
                counts_text.join(", "),
                named.join(", "),
                if failing.len() > 3 { ", …" } else { "" }
            )]
        };
        let summary = if audit.advisories.is_empty() {
            format!("{tool}: no known vulnerabilities")
        } else {
            format!(
                "{tool}: {} advisor{} below the {} threshold ({})",
                audit.advisories.len(),
                if audit.advisories.len() == 1 {
                    "y"
                } else {
                    "ies"
                },
                targets.fail_on.name(),
                counts_text.join(", ")
            )
        };
        (misses, summary, measured, details)
    }
}

fn judge_tests(
    tool: &str,
    tests: &TestSummary,
    max_failed: u64,
) -> (Vec<String>, String, BTreeMap<String, Value>, Vec<Finding>) {
    let broken = tests.failed + tests.errored;
    let executed = tests.total.saturating_sub(tests.skipped);
    let pass_rate = if executed == 0 {
        0.0
    } else {
        tests.passed() as f64 * 100.0 / executed as f64
    };
    let mut measured = BTreeMap::new();
    measured.insert("tool".into(), json!(tool));
    measured.insert("total".into(), json!(tests.total));
    measured.insert("failed".into(), json!(tests.failed));
    measured.insert("errored".into(), json!(tests.errored));
    measured.insert("skipped".into(), json!(tests.skipped));
    measured.insert("pass_rate".into(), json!(round(pass_rate)));
    let skipped = if tests.skipped > 0 {
        format!(", {} skipped", tests.skipped)
    } else {
        String::new()
    };
    let mut misses = Vec::new();
    if executed == 0 {
        misses.push(format!("{tool}: no test ran"));
    } else if broken > max_failed {
        let errored = if tests.errored > 0 {
            format!(" ({} errored)", tests.errored)
        } else {
            String::new()
        };
        misses.push(format!(
            "{tool}: {broken} of {} tests failed{errored}, {}% passing{skipped}",
            tests.total,
            format_number(pass_rate, 1)
        ));
    }
    let details = tests
        .failing
        .iter()
        .map(|name| Finding::note(format!("failed: {name}")))
        .collect();
    let summary = format!(
        "{tool}: {} of {} tests passed{skipped}",
        tests.passed(),
        tests.total
    );
    (misses, summary, measured, details)
}

fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// Whole days from `date` to `now`; a date in the future is 0 days old.
fn age_days(now: Timestamp, date: Timestamp) -> i64 {
    (now.as_second() - date.as_second()).max(0) / 86_400
}

/// The command that writes the report, for each language the audit
/// detected (a FastAPI backend with a Nuxt front end gets both).
fn hint(family: Family, evidence: &Evidence) -> String {
    let languages: Vec<&str> = evidence
        .stack()
        .map(|s| s.languages.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let per_language: &[(&[&str], &str)] = match family {
        Family::WebPerformance => &[],
        Family::LoadTest => &[],
        Family::TestResults => &[
            (&["go"], "`go test -json ./... > go-test.json`"),
            (&["python"], "`pytest --junitxml=junit.xml`"),
            (
                &["node", "typescript"],
                "the test runner with a JUnit reporter (`vitest run --reporter=junit --outputFile=junit.xml`, or jest-junit)",
            ),
            (
                &["rust"],
                "`cargo nextest run` with a JUnit profile (`[profile.default.junit] path = \"junit.xml\"`)",
            ),
            (
                &["java", "kotlin"],
                "the build's tests (Surefire and Gradle write JUnit XML under target/ or build/)",
            ),
        ],
        Family::Sast => &[
            (&["go"], "`gosec -fmt sarif -out gosec.sarif ./...`"),
            (&["python"], "`bandit -r . -f sarif -o bandit.sarif`"),
            (
                &["node", "typescript"],
                "`eslint -f @microsoft/eslint-formatter-sarif -o eslint.sarif .`",
            ),
        ],
        Family::DependencyAudit => &[
            (&["go"], "`govulncheck -json ./... > govulncheck.json`"),
            (&["python"], "`pip-audit -f json -o pip-audit.json`"),
            (
                &["node", "typescript"],
                "`npm audit --json > npm-audit.json` (or `pnpm audit --json`, `yarn audit --json`)",
            ),
            (&["rust"], "`cargo audit --json > cargo-audit.json`"),
        ],
    };
    let commands: Vec<&str> = per_language
        .iter()
        .filter(|(names, _)| names.iter().any(|n| languages.contains(n)))
        .map(|(_, command)| *command)
        .collect();
    if !commands.is_empty() {
        return commands.join(" or ");
    }
    match family {
        Family::WebPerformance => "`lhci autorun` (LHCI writes .lighthouseci/lhr-*.json) or `lighthouse URL --output json --output-path lhr.json`",
        Family::LoadTest => "`k6 run --summary-export k6-summary.json script.js` (or `locust --headless --csv results`, `artillery run --output report.json`, `jmeter -n -t plan.jmx -l results.jtl`)",
        Family::TestResults => "the tests with a JUnit XML reporter",
        Family::Sast => "`semgrep scan --sarif -o semgrep.sarif` (or CodeQL, which writes SARIF)",
        Family::DependencyAudit => "`osv-scanner --format json -r . > osv.json` or `trivy fs --format json -o trivy.json .`",
    }
    .to_string()
}
