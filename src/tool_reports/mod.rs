//! Reports a team's tools already write — Lighthouse runs, load-test
//! summaries, test results, SARIF, dependency audits — read and summarised so
//! rules can judge them.
//!
//! CI names these files freely and often writes them to gitignored folders,
//! so they are recognised by their content, not their name: [`CANDIDATES`]
//! selects the files worth opening (by extension), [`SIGNATURES`] keeps the
//! text of those that carry a tool's fingerprint, and [`read`] decides what
//! each one is. One reader per tool family lives in its own module; each
//! turns the tool's format into one of the summaries of [`Body`], the shape
//! the `report` rule judges.
//!
//! A file that carries a tool's fingerprint but cannot be read is
//! [`Detection::Malformed`], naming what was wrong, so a truncated artefact
//! is an error rather than a silent pass.

pub mod audit;
pub mod config;
pub mod lighthouse;
pub mod load;
pub mod sarif;
pub mod tests;

pub use config::{ReportsConfig, Settings};

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

/// Files worth opening: the extensions tools write reports with. Coverage
/// reports are read by the `coverage` rule from the same walk.
pub const CANDIDATES: &[&str] = &[
    "**/*.json",
    "**/*.jsonl",
    "**/*.ndjson",
    "**/*.sarif",
    "**/*.xml",
    "**/*.trx",
    "**/*.csv",
    "**/*.jtl",
    "**/*.log",
];

/// Where coverage reports are looked for by content (the `coverage` rule's
/// `discover`): the report candidates plus the extensions lcov and Go
/// profiles are written with.
pub const COVERAGE_CANDIDATES: &[&str] = &[
    "**/*.xml",
    "**/*.info",
    "**/*.lcov",
    "**/*.out",
    "**/*.coverprofile",
    "**/*.txt",
];

/// What lcov, Go cover profiles, Cobertura, Clover and JaCoCo write.
pub const COVERAGE_SIGNATURES: &str =
    r"end_of_record|(?m:^mode: (?:set|count|atomic)\s*$)|<coverage[\s>]|<report[\s>]";

/// Dependency trees and build output hold other projects' files.
pub const NOT_CANDIDATES: &[&str] = &[
    "**/node_modules/**",
    "**/vendor/**",
    "**/.venv/**",
    "**/target/debug/**",
    "**/target/release/**",
];

/// A file's text is kept only when it contains one of these: a token each
/// supported format writes. Anything else (package.json, a tsconfig, data
/// files) is walked past without being held in memory, and cannot crowd real
/// reports out of the text budget. SARIF is recognised by its `$schema`
/// (every common producer writes one), not by `"runs"`, which data files use.
pub const SIGNATURES: &str = concat!(
    r#""lighthouseVersion"|"http_req_duration"|Request Count,Failure Count|"#,
    r#""vusers\.created"|"http\.response_time"|timeStamp,elapsed|"numberOfRequests"|"#,
    r#"<testsuites?[\s>]|<TestRun[\s>]|"Action"\s*:|(?i:sarif)|"auditReportVersion"|"#,
    r#""advisories"\s*:|"auditAdvisory"|"auditSummary"|"vulns"\s*:|"skip_reason"|"#,
    r#""scanner_name"|"lockfile"\s*:|"experimental_config"|"#,
    r#""packages"\s*:\s*\[\s*\{\s*"package"|"ArtifactName"\s*:|"children"\s*:"#,
);

/// The kinds of reports, one per question the checks ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Lighthouse runs: category scores and Web Vitals, per URL.
    WebPerformance,
    /// k6, Locust, Artillery, JMeter and Gatling summaries.
    LoadTest,
    /// JUnit XML, `go test -json`, TRX.
    TestResults,
    /// SARIF 2.1.0 from any static analyser.
    Sast,
    /// npm/pnpm/yarn audit, pip-audit, govulncheck, cargo-audit,
    /// osv-scanner, Trivy.
    DependencyAudit,
}

impl Family {
    pub fn noun(self) -> &'static str {
        match self {
            Family::WebPerformance => "Lighthouse report",
            Family::LoadTest => "load-test report",
            Family::TestResults => "test-results report",
            Family::Sast => "SARIF report",
            Family::DependencyAudit => "dependency-audit report",
        }
    }
}

/// One tool report, read.
#[derive(Debug, Clone)]
pub struct ToolReport {
    /// The tool, as reports name it: `Lighthouse 12.2.0`, `k6`, `gosec`.
    pub tool: String,
    /// The report's own timestamp, when it has one.
    pub date: Option<Timestamp>,
    pub body: Body,
}

impl ToolReport {
    pub fn family(&self) -> Family {
        match self.body {
            Body::Web(_) => Family::WebPerformance,
            Body::Load(_) => Family::LoadTest,
            Body::Tests(_) => Family::TestResults,
            Body::Sast(_) => Family::Sast,
            Body::Audit(_) => Family::DependencyAudit,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Body {
    Web(lighthouse::WebRun),
    Load(load::LoadSummary),
    Tests(tests::TestSummary),
    Sast(sarif::SastSummary),
    Audit(audit::AuditSummary),
}

/// What a candidate file turned out to be.
#[derive(Debug, Clone)]
pub enum Detection {
    /// No supported tool wrote it.
    NotAReport,
    Report(Box<ToolReport>),
    /// It carries a tool's fingerprint but cannot be read.
    Malformed {
        family: Family,
        format: &'static str,
        reason: String,
    },
}

fn malformed(family: Family, format: &'static str, reason: impl Into<String>) -> Detection {
    Detection::Malformed {
        family,
        format,
        reason: reason.into(),
    }
}

fn report(tool: impl Into<String>, date: Option<Timestamp>, body: Body) -> Detection {
    Detection::Report(Box::new(ToolReport {
        tool: tool.into(),
        date,
        body,
    }))
}

/// Recognises a report by its content and reads it.
pub fn read(text: &str) -> Detection {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('<') {
        return tests::read_xml(text);
    }
    if text.starts_with('{') || text.starts_with('[') {
        return read_json(text);
    }
    let first_line = text.lines().next().unwrap_or_default();
    if first_line.contains("Request Count,Failure Count") {
        return load::read_locust(text);
    }
    if first_line.starts_with("timeStamp,elapsed") {
        return load::read_jmeter(text);
    }
    Detection::NotAReport
}

fn read_json(text: &str) -> Detection {
    match serde_json::from_str::<Value>(text) {
        Ok(value) => classify_json(&value),
        // Several values: a JSON stream (`go test -json`, yarn's audit,
        // govulncheck's pretty-printed messages).
        Err(error) if error.to_string().starts_with("trailing characters") => {
            read_stream(text, &error)
        }
        Err(error) => match json_fingerprint(text) {
            Some((family, format)) => malformed(family, format, format!("invalid JSON: {error}")),
            None => Detection::NotAReport,
        },
    }
}

fn read_stream(text: &str, whole: &serde_json::Error) -> Detection {
    let mut values = Vec::new();
    for value in serde_json::Deserializer::from_str(text).into_iter::<Value>() {
        match value {
            Ok(value) => values.push(value),
            Err(error) => {
                return match json_fingerprint(text) {
                    Some((family, format)) => {
                        malformed(family, format, format!("invalid JSON: {error}"))
                    }
                    None => Detection::NotAReport,
                };
            }
        }
    }
    let Some(Value::Object(first)) = values.first() else {
        return Detection::NotAReport;
    };
    if first.contains_key("Action") {
        return tests::read_go_test(&values);
    }
    if first.contains_key("config")
        && first["config"].get("scanner_name").and_then(Value::as_str) == Some("govulncheck")
    {
        return audit::read_govulncheck(&values);
    }
    if values
        .iter()
        .any(|v| matches!(v["type"].as_str(), Some("auditAdvisory" | "auditSummary")))
    {
        return audit::read_yarn_classic(&values);
    }
    if first.contains_key("value") && first.get("children").is_some_and(Value::is_object) {
        return audit::read_yarn_berry(&values);
    }
    match json_fingerprint(text) {
        Some((family, format)) => malformed(family, format, format!("invalid JSON: {whole}")),
        None => Detection::NotAReport,
    }
}

fn classify_json(value: &Value) -> Detection {
    let Some(object) = value.as_object() else {
        return Detection::NotAReport;
    };
    let has = |key: &str| object.contains_key(key);
    if has("lighthouseVersion") {
        return lighthouse::read(value);
    }
    if object
        .get("metrics")
        .is_some_and(|m| m.get("http_req_duration").is_some())
    {
        return load::read_k6(value);
    }
    if object
        .get("aggregate")
        .is_some_and(|a| a.get("counters").is_some() || a.get("summaries").is_some())
    {
        return load::read_artillery(value);
    }
    if object
        .get("stats")
        .is_some_and(|s| s.get("numberOfRequests").is_some())
    {
        return load::read_gatling(value);
    }
    if has("runs")
        && (object.get("version").and_then(Value::as_str) == Some("2.1.0")
            || object
                .get("$schema")
                .and_then(Value::as_str)
                .is_some_and(|s| s.contains("sarif")))
    {
        return sarif::read(value);
    }
    if has("auditReportVersion") {
        return audit::read_npm(value);
    }
    if has("advisories") && has("metadata") {
        return audit::read_npm_legacy(value);
    }
    // pip-audit: dependencies with their `vulns`, or a `skip_reason` when a
    // package could not be audited.
    if has("fixes")
        && object.get("dependencies").is_some_and(|d| {
            d.as_array().is_some_and(|deps| {
                deps.iter()
                    .all(|d| d.get("vulns").is_some() || d.get("skip_reason").is_some())
            })
        })
    {
        return audit::read_pip_audit(value);
    }
    if has("lockfile") && has("vulnerabilities") {
        return audit::read_cargo_audit(value);
    }
    if has("SchemaVersion") && (has("ArtifactName") || has("Results")) {
        return audit::read_trivy(value);
    }
    if object.get("results").is_some_and(|r| {
        r.as_array().is_some_and(|results| {
            results
                .iter()
                .all(|r| r.get("source").is_some() && r.get("packages").is_some())
        })
    }) && (has("experimental_config")
        || object["results"].as_array().is_some_and(|r| !r.is_empty()))
    {
        return audit::read_osv_scanner(value);
    }
    Detection::NotAReport
}

/// For a file that is not valid JSON: which tool's report it was meant to
/// be, from a token only that tool writes.
fn json_fingerprint(text: &str) -> Option<(Family, &'static str)> {
    let head = &text[..text.len().min(64 * 1024)];
    [
        (
            "\"lighthouseVersion\"",
            Family::WebPerformance,
            "Lighthouse",
        ),
        ("\"http_req_duration\"", Family::LoadTest, "k6 summary"),
        ("\"vusers.created\"", Family::LoadTest, "Artillery"),
        ("\"numberOfRequests\"", Family::LoadTest, "Gatling stats"),
        ("\"Action\"", Family::TestResults, "go test -json"),
        ("sarif", Family::Sast, "SARIF"),
        (
            "\"auditReportVersion\"",
            Family::DependencyAudit,
            "npm audit",
        ),
        ("\"auditAdvisory\"", Family::DependencyAudit, "yarn audit"),
        ("\"vulns\"", Family::DependencyAudit, "pip-audit"),
        ("\"scanner_name\"", Family::DependencyAudit, "govulncheck"),
        ("\"ArtifactName\"", Family::DependencyAudit, "Trivy"),
    ]
    .into_iter()
    .find(|(token, _, _)| head.contains(token))
    .map(|(_, family, format)| (family, format))
}

/// Parses the timestamps tools write: RFC 3339, or a civil date-time without
/// an offset (JUnit's `timestamp`), taken as UTC.
pub fn parse_time(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Some(ts);
    }
    text.parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|dt| dt.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map(|z| z.timestamp())
}

/// Milliseconds since the epoch (JMeter, Artillery).
pub fn from_millis(ms: f64) -> Option<Timestamp> {
    if !ms.is_finite() || ms <= 0.0 {
        return None;
    }
    Timestamp::from_millisecond(ms as i64).ok()
}

/// A number that some tools write as a string (`"12.5"`) and others as a
/// number.
pub fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Formats milliseconds as the seeds do: `640 ms`, `4.2 s`.
pub fn format_ms(ms: f64) -> String {
    if ms >= 1000.0 {
        let text = format!("{:.1}", ms / 1000.0);
        format!("{} s", text.strip_suffix(".0").unwrap_or(&text))
    } else {
        format!("{} ms", ms.round() as i64)
    }
}

/// Formats a plain number without a trailing `.0`, at most `digits` decimals.
pub fn format_number(value: f64, digits: usize) -> String {
    let text = format!("{value:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// Median of unsorted values (the mean of the middle two for even counts).
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    })
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn durations_print_like_the_seeds() {
        assert_eq!(format_ms(4200.0), "4.2 s");
        assert_eq!(format_ms(2000.0), "2 s");
        assert_eq!(format_ms(640.4), "640 ms");
        assert_eq!(format_number(0.25, 3), "0.25");
        assert_eq!(format_number(90.0, 1), "90");
    }

    #[test]
    fn times_with_and_without_offsets() {
        let a = parse_time("2026-11-20T10:00:00Z").unwrap();
        let b = parse_time("2026-11-20T10:00:00").unwrap();
        assert_eq!(a, b);
        assert!(parse_time("yesterday").is_none());
    }

    #[test]
    fn median_of_odd_and_even_runs() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
    }

    #[test]
    fn other_files_are_not_reports() {
        assert!(matches!(read("{\"name\":\"x\"}"), Detection::NotAReport));
        assert!(matches!(read("a,b,c\n1,2,3\n"), Detection::NotAReport));
        assert!(matches!(read("<project/>"), Detection::NotAReport));
    }

    #[test]
    fn a_truncated_report_is_malformed_and_says_where() {
        match read("{\"lighthouseVersion\": \"12.2.0\", \"audits\": {") {
            Detection::Malformed { family, reason, .. } => {
                assert_eq!(family, Family::WebPerformance);
                assert!(reason.contains("line 1"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }
}
