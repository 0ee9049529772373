//! The `report` rule end to end: tool reports found by content at any path
//! (and in gitignored folders named with --include), dated, judged against
//! `[reports]` targets, stale or malformed reports reported as such.

use readyctl::model::{Finding, Status};
use readyctl::report::CheckResult;
use readyctl::scan::ScanOptions;
use readyctl::{AuditOptions, Catalog, Config};
use std::path::Path;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn write(root: &Path, path: &str, text: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, text).unwrap();
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(from, to).unwrap();
}

struct Run {
    config: String,
    include: Vec<String>,
    now: Option<jiff::Timestamp>,
}

impl Run {
    fn new() -> Run {
        Run {
            config: String::new(),
            include: Vec::new(),
            now: None,
        }
    }

    fn audit(&self, root: &Path, id: &str) -> CheckResult {
        let catalog = Catalog::builtin().unwrap();
        let config = Config::parse("readyctl.toml", &self.config).unwrap_or_else(|e| panic!("{e}"));
        let mut options = AuditOptions::new("repo");
        options.scan = ScanOptions {
            include: self.include.clone(),
            ..ScanOptions::default()
        };
        if let Some(now) = self.now {
            options.now = now;
        }
        let report = readyctl::audit(root, &catalog, &config, &options).unwrap();
        report
            .checks
            .into_iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("no result for {id}"))
    }
}

fn at(text: &str) -> jiff::Timestamp {
    text.parse().unwrap()
}

fn report_finding<'a>(result: &'a CheckResult, path: &str) -> &'a Finding {
    result
        .findings
        .iter()
        .find(|f| f.path.as_deref() == Some(path))
        .unwrap_or_else(|| panic!("no finding for {path}: {:?}", result.findings))
}

const K6_SLOW: &str = r#"{"root_group": {"name": "", "path": "", "id": "d41d8cd98f00b204e9800998ecf8427e", "groups": {}, "checks": {}},
 "options": {"summaryTrendStats": ["avg", "min", "med", "max", "p(90)", "p(95)"]},
 "metrics": {"http_req_duration": {"avg": 180.4, "min": 3.0, "med": 150.0, "max": 2100.0, "p(90)": 420.0, "p(95)": 640.0},
             "http_req_failed": {"passes": 0, "fails": 5000, "value": 0},
             "http_reqs": {"count": 5000, "rate": 83.3},
             "vus_max": {"value": 50, "min": 50, "max": 50}}}"#;

#[test]
fn reports_are_found_by_content_at_any_path_and_judged_with_numbers() {
    let repo = tempfile::tempdir().unwrap();
    // Nothing in the name says "k6" or "load test".
    write(repo.path(), "ops/nightly/artefact-7.json", K6_SLOW);
    let result = Run::new().audit(repo.path(), "testing.load-test-results");
    assert_eq!(result.status, Status::Fail, "{}", result.message);
    assert!(
        result.message.contains("k6: p95 640 ms > 200 ms"),
        "{}",
        result.message
    );
    assert!(
        result.message.contains("ops/nightly/artefact-7.json"),
        "{}",
        result.message
    );
    // p99 is not in this summary (summaryTrendStats): said, not failed on.
    let finding = report_finding(&result, "ops/nightly/artefact-7.json");
    assert_eq!(finding.measured["p95_ms"], serde_json::json!(640.0));
    assert_eq!(finding.measured["dated_by"], serde_json::json!("file"));
    assert_eq!(finding.measured["stale"], serde_json::json!(false));
}

#[test]
fn targets_come_from_readyctl_toml() {
    let repo = tempfile::tempdir().unwrap();
    write(repo.path(), "load.json", K6_SLOW);
    let mut run = Run::new();
    run.config = "[reports.load]\np95_ms = 700\np99_ms = 1000\n".into();
    let result = run.audit(repo.path(), "testing.load-test-results");
    assert_eq!(result.status, Status::Pass, "{}", result.message);
    run.config = "[reports.load]\np95_ms = 700\nmin_vus = 1000\n".into();
    let result = run.audit(repo.path(), "testing.load-test-results");
    assert_eq!(result.status, Status::Fail, "{}", result.message);
    assert!(
        result.message.contains("peak 50 virtual users < 1000"),
        "{}",
        result.message
    );
}

#[test]
fn a_gitignored_report_is_read_only_when_included() {
    let repo = tempfile::tempdir().unwrap();
    write(repo.path(), ".gitignore", "ci-output/\n");
    copy(
        &fixture("tool-reports-bad/build/reports/junit.xml"),
        &repo.path().join("ci-output/junit/results.xml"),
    );
    let result = Run::new().audit(repo.path(), "testing.tests-pass");
    assert_eq!(result.status, Status::Skip, "{}", result.message);
    assert!(
        result.message.contains("pass its output with --include"),
        "{}",
        result.message
    );
    let mut run = Run::new();
    run.include = vec!["ci-output".into()];
    let result = run.audit(repo.path(), "testing.tests-pass");
    assert_eq!(result.status, Status::Fail, "{}", result.message);
    assert!(
        result.message.contains("2 of 20 tests failed"),
        "{}",
        result.message
    );
    let names: Vec<&str> = result.findings.iter().map(|f| f.message.as_str()).collect();
    assert!(
        names.contains(&"failed: shop.CheckoutTest.test_4"),
        "{names:?}"
    );
}

#[test]
fn a_report_older_than_max_age_is_a_stale_finding_not_a_pass() {
    let good = fixture("tool-reports-good");
    let repo = tempfile::tempdir().unwrap();
    // Dated by its own `timestamp`: 2026-11-28.
    copy(
        &good.join("out/test-results/TEST-api.xml"),
        &repo.path().join("TEST-api.xml"),
    );
    let mut run = Run::new();
    run.now = Some(at("2026-12-10T00:00:00Z"));
    assert_eq!(
        run.audit(repo.path(), "testing.tests-pass").status,
        Status::Pass
    );
    run.now = Some(at("2027-01-15T00:00:00Z"));
    let result = run.audit(repo.path(), "testing.tests-pass");
    assert_eq!(result.status, Status::Fail, "{}", result.message);
    assert!(
        result
            .message
            .contains("stale: dated 2026-11-28, 47 days old, older than 30 days"),
        "{}",
        result.message
    );
    assert_eq!(
        report_finding(&result, "TEST-api.xml").measured["stale"],
        serde_json::json!(true)
    );
    run.config = "[reports]\nmax_age_days = 60\n".into();
    assert_eq!(
        run.audit(repo.path(), "testing.tests-pass").status,
        Status::Pass
    );
}

#[test]
fn an_undated_report_is_dated_by_its_modification_time() {
    let repo = tempfile::tempdir().unwrap();
    write(
        repo.path(),
        "npm-audit.json",
        r#"{"auditReportVersion": 2, "vulnerabilities": {}, "metadata": {"vulnerabilities": {"total": 0}}}"#,
    );
    let file = std::fs::File::options()
        .write(true)
        .open(repo.path().join("npm-audit.json"))
        .unwrap();
    let ninety_days = std::time::Duration::from_secs(90 * 86_400);
    file.set_modified(std::time::SystemTime::now() - ninety_days)
        .unwrap();
    let result = Run::new().audit(repo.path(), "security.vulnerable-dependencies");
    assert_eq!(result.status, Status::Fail, "{}", result.message);
    assert!(result.message.contains("stale"), "{}", result.message);
    assert!(result.message.contains("90 days old"), "{}", result.message);
}

#[test]
fn a_malformed_report_is_an_error_naming_the_file_and_the_problem() {
    let repo = tempfile::tempdir().unwrap();
    let lhr = std::fs::read_to_string(fixture(
        "tool-reports-bad/.lighthouseci/lhr-1764310000000.json",
    ))
    .unwrap();
    // Cut off mid-way, as an interrupted upload leaves it.
    write(repo.path(), "perf/lhr.json", &lhr[..lhr.len() / 2]);
    let result = Run::new().audit(repo.path(), "testing.web-performance");
    assert_eq!(result.status, Status::Error, "{}", result.message);
    assert!(
        result.message.contains("perf/lhr.json"),
        "{}",
        result.message
    );
    let finding = report_finding(&result, "perf/lhr.json");
    assert!(
        finding
            .message
            .contains("Lighthouse report that cannot be read: invalid JSON"),
        "{}",
        finding.message
    );
    assert!(finding.message.contains("line"), "{}", finding.message);

    write(
        repo.path(),
        "results.xml",
        "<testsuite name=\"a\"><testcase name=\"x\"></testsuite>",
    );
    let result = Run::new().audit(repo.path(), "testing.tests-pass");
    assert_eq!(result.status, Status::Error, "{}", result.message);
    assert!(
        result.findings[0].message.contains("invalid XML"),
        "{:?}",
        result.findings
    );
}

#[test]
fn lighthouse_runs_of_one_url_are_judged_on_their_median() {
    let bad = fixture("tool-reports-bad/.lighthouseci");
    let repo = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&bad).unwrap() {
        let path = entry.unwrap().path();
        copy(
            &path,
            &repo.path().join("lhci").join(path.file_name().unwrap()),
        );
    }
    let result = Run::new().audit(repo.path(), "testing.web-performance");
    assert_eq!(result.status, Status::Fail, "{}", result.message);
    // Runs: LCP 4.2 s, 4.5 s, 3.9 s -> median 4.2 s; score 62, 58, 66 -> 62.
    assert!(
        result.message.contains("(median of 3 runs)"),
        "{}",
        result.message
    );
    assert!(
        result.message.contains("performance 62 < 90"),
        "{}",
        result.message
    );
    assert!(
        result.message.contains("LCP 4.2 s > 2.5 s"),
        "{}",
        result.message
    );
    assert!(
        result.message.contains("CLS 0.25 > 0.1"),
        "{}",
        result.message
    );
    let mut run = Run::new();
    run.config = "[reports.web]\nperformance = 50\nfcp_ms = 3000\nlcp_ms = 5000\ntbt_ms = 800\ntti_ms = 7000\ncls = 0.3\nspeed_index_ms = 5000\n".into();
    let result = run.audit(repo.path(), "testing.web-performance");
    assert_eq!(result.status, Status::Pass, "{}", result.message);
}

#[test]
fn sast_errors_are_counted_per_rule_and_located() {
    let result = Run::new().audit(&fixture("tool-reports-bad"), "security.sast-results");
    assert_eq!(result.status, Status::Fail);
    assert!(
        result.message.contains("3 gosec errors: G201 ×2, G115"),
        "{}",
        result.message
    );
    assert!(
        result
            .findings
            .iter()
            .any(|f| f.path.as_deref() == Some("internal/store/orders.go") && f.line == Some(88)),
        "{:?}",
        result.findings
    );
}

#[test]
fn without_a_report_the_skip_names_the_command_for_the_stack() {
    let repo = tempfile::tempdir().unwrap();
    write(repo.path(), "go.mod", "module example.com/x\n\ngo 1.23\n");
    write(repo.path(), "main.go", "package main\n\nfunc main() {}\n");
    let result = Run::new().audit(repo.path(), "security.vulnerable-dependencies");
    assert_eq!(result.status, Status::Skip);
    assert!(
        result
            .message
            .starts_with("no dependency-audit report found — run `govulncheck -json"),
        "{}",
        result.message
    );
    let result = Run::new().audit(repo.path(), "security.sast-results");
    assert!(
        result.message.contains("gosec -fmt sarif"),
        "{}",
        result.message
    );
}

#[test]
fn ordinary_json_and_xml_files_are_not_mistaken_for_reports() {
    let repo = tempfile::tempdir().unwrap();
    write(
        repo.path(),
        "package.json",
        r#"{"name": "x", "scripts": {"test": "vitest"}}"#,
    );
    write(
        repo.path(),
        "data/results.json",
        r#"{"results": [{"id": 1}], "runs": 3}"#,
    );
    write(
        repo.path(),
        "pom.xml",
        "<project><modelVersion>4.0.0</modelVersion></project>",
    );
    for id in [
        "testing.load-test-results",
        "testing.tests-pass",
        "security.sast-results",
        "security.vulnerable-dependencies",
        "testing.web-performance",
    ] {
        let result = Run::new().audit(repo.path(), id);
        assert_eq!(result.status, Status::Skip, "{id}: {}", result.message);
    }
}

/// The signature filter decides which files are parsed at all: every report
/// a reader recognises must pass it, or it would never be seen.
#[test]
fn every_fixture_report_carries_a_signature() {
    let signatures = readyctl::scan::compile_regex(readyctl::tool_reports::SIGNATURES).unwrap();
    let mut recognised = 0;
    for fixture in ["tool-reports-good", "tool-reports-bad"] {
        let mut stack = vec![fixture_dir(fixture)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                if let readyctl::tool_reports::Detection::Report(_) =
                    readyctl::tool_reports::read(&text)
                {
                    recognised += 1;
                    assert!(
                        signatures.is_match(text.as_bytes()),
                        "{} has no signature",
                        path.display()
                    );
                }
            }
        }
    }
    // 19 reports in the good fixture, 10 in the bad one.
    assert!(recognised >= 29, "{recognised}");
}

fn fixture_dir(name: &str) -> std::path::PathBuf {
    fixture(name)
}

/// Coverage shares the discovery: a report CI named freely is read.
#[test]
fn coverage_reports_are_found_by_content_too() {
    let repo = tempfile::tempdir().unwrap();
    write(
        repo.path(),
        "artifacts/unit.cov.xml",
        r#"<?xml version="1.0" ?>
<coverage version="7.6.1" timestamp="1764320400000" lines-valid="200" lines-covered="90" line-rate="0.45" branches-covered="0" branches-valid="0" branch-rate="0" complexity="0">
  <sources><source>/app</source></sources>
  <packages/>
</coverage>
"#,
    );
    let result = Run::new().audit(repo.path(), "testing.coverage-minimum");
    assert_eq!(result.status, Status::Fail, "{}", result.message);
    assert!(result.message.contains("below 70%"), "{}", result.message);
    assert!(
        result.findings[0]
            .message
            .contains("90 of 200 lines covered (45%)"),
        "{:?}",
        result.findings
    );
    // Something that only looks like one at first sight is not judged.
    let repo = tempfile::tempdir().unwrap();
    write(
        repo.path(),
        "notes/report.xml",
        "<report>\n<package name=\"x\"/></report>\n",
    );
    let result = Run::new().audit(repo.path(), "testing.coverage-minimum");
    assert_eq!(result.status, Status::Skip, "{}", result.message);
}
