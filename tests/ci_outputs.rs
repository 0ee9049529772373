//! The CI formats (SARIF, JUnit, GitHub workflow commands) and several
//! reports from one scan. Outputs are parsed back and checked for what CI
//! systems rely on: schema validity, counts, levels and locations.

mod common;

use common::{audit, audit_json, readyctl};
use std::path::PathBuf;

const FIXTURES: &[&str] = &[
    "far-from-ready",
    "close-to-ready",
    "secrets-zoo",
    "empty-repo",
    "stateless-api",
];

/// The official SARIF 2.1.0 schema lives in the shared folder beside the
/// repository (`../shared/schemas/`); worktrees sit one level deeper, so
/// look up the ancestors rather than assume one layout.
fn sarif_schema() -> serde_json::Value {
    let start = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let path = start
        .ancestors()
        .map(|dir| dir.join("shared/schemas/sarif-schema-2.1.0.json"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!(
                "shared/schemas/sarif-schema-2.1.0.json not found beside {}",
                start.display()
            )
        });
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn sarif(fixture: &str) -> serde_json::Value {
    let (_, out) = audit(fixture, &["--format", "sarif"]);
    serde_json::from_str(&out).expect("SARIF is JSON")
}

fn unmet(report: &serde_json::Value) -> Vec<&serde_json::Value> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail" || c["status"] == "error")
        .collect()
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&sarif_schema())
        .expect("the SARIF schema compiles");
    for fixture in FIXTURES {
        let log = sarif(fixture);
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .take(10)
            .collect();
        assert!(errors.is_empty(), "{fixture}: {errors:#?}");
    }
    // The validator does reject what the schema forbids.
    let mut broken = sarif("far-from-ready");
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&broken));
}

#[test]
fn sarif_has_a_rule_per_check_and_results_only_for_unmet_checks() {
    let (_, report) = audit_json("far-from-ready", &[]);
    let log = sarif("far-from-ready");
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), report["checks"].as_array().unwrap().len());
    let results = run["results"].as_array().unwrap();
    let unmet = unmet(&report);
    assert!(!unmet.is_empty());

    // Every unmet check has at least one result, and nothing else has any.
    let mut result_ids: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    result_ids.dedup();
    let mut unmet_ids: Vec<&str> = unmet.iter().map(|c| c["id"].as_str().unwrap()).collect();
    unmet_ids.sort();
    let mut sorted = result_ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, unmet_ids);

    for result in results {
        let id = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], id, "ruleIndex points at its rule");
        let check = unmet.iter().find(|c| c["id"] == id).unwrap();
        let expected = match check["severity"].as_str().unwrap() {
            "critical" | "high" => "error",
            "medium" => "warning",
            _ => "note",
        };
        assert_eq!(result["level"], expected, "{id}");
        let fingerprint = result["partialFingerprints"]["readyctl/v1"]
            .as_str()
            .unwrap();
        assert_eq!(fingerprint.len(), 16);
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(!uri.starts_with('/'), "relative URIs only: {uri}");
    }

    // Fingerprints tell results apart.
    let mut fingerprints: Vec<&str> = results
        .iter()
        .map(|r| r["partialFingerprints"]["readyctl/v1"].as_str().unwrap())
        .collect();
    let count = fingerprints.len();
    fingerprints.sort();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), count, "fingerprints are unique");
}

#[test]
fn sarif_rules_carry_help_and_properties() {
    let log = sarif("far-from-ready");
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let (_, report) = audit_json("far-from-ready", &[]);
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        let check = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap();
        assert_eq!(rule["shortDescription"]["text"], check["title"]);
        let help = rule["help"]["text"].as_str().unwrap();
        assert!(help.contains(check["remediation"].as_str().unwrap().trim()));
        assert!(help.contains(&format!("Effort: {}", check["effort"].as_str().unwrap())));
        assert_eq!(rule["properties"]["category"], check["category"]);
        assert_eq!(rule["properties"]["severity"], check["severity"]);
        assert_eq!(rule["properties"]["stage"], check["stage"]);
        if let Some(first) = check["references"].as_array().and_then(|r| r.first()) {
            assert_eq!(&rule["helpUri"], first);
        }
    }
}

#[test]
fn sarif_points_repository_failures_at_the_file_to_change() {
    let log = sarif("far-from-ready");
    let results = log["runs"][0]["results"].as_array().unwrap();
    let located = results
        .iter()
        .find(|r| r["properties"]["repositoryLevel"] == false)
        .expect("some finding has a file");
    assert!(located["locations"][0]["physicalLocation"]["region"]["startLine"].is_u64());
    let repository: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r["properties"]["repositoryLevel"] == true)
        .collect();
    assert!(!repository.is_empty(), "some failure is repository-level");
    let at = |id: &str| {
        let result = repository
            .iter()
            .find(|r| r["ruleId"] == id)
            .unwrap_or_else(|| panic!("{id} is repository-level"));
        let location = &result["locations"][0]["physicalLocation"];
        // Code scanning shows only results with a region.
        assert_eq!(location["region"]["startLine"], 1, "{id}");
        location["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // The Go manifest for a missing go.sum, the README for documentation,
    // the Dockerfile for container checks.
    assert_eq!(at("security.lockfile-go"), "go.mod");
    assert_eq!(at("backups.job"), "README.md");
    for result in &repository {
        assert!(
            result["message"]["text"]
                .as_str()
                .unwrap()
                .contains("repository-level")
        );
    }
    // Without any such file the repository root stands in, without a region.
    let log = sarif("empty-repo");
    for result in log["runs"][0]["results"].as_array().unwrap() {
        if result["properties"]["repositoryLevel"] == true {
            let location = &result["locations"][0]["physicalLocation"];
            assert_eq!(location["artifactLocation"]["uri"], ".");
            assert!(location.get("region").is_none());
        }
    }
}

#[test]
fn sarif_rates_security_rules_for_code_scanning() {
    let log = sarif("far-from-ready");
    let driver = &log["runs"][0]["tool"]["driver"];
    assert_eq!(
        driver["informationUri"],
        "https://github.com/readyctl/readyctl"
    );
    let rule = |id: &str| {
        driver["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()
            .clone()
    };
    let aws = rule("secrets.cloud-keys");
    assert_eq!(aws["properties"]["security-severity"], "9.5");
    let tags = aws["properties"]["tags"].as_array().unwrap();
    assert!(tags.contains(&"security".into()));
    assert_eq!(
        rule("security.rate-limiting")["properties"]["security-severity"],
        "8.0"
    );
    // Not a security rule: no security rating.
    assert!(
        rule("backups.job")["properties"]
            .get("security-severity")
            .is_none()
    );
    for result in log["runs"][0]["results"].as_array().unwrap() {
        let hash = result["partialFingerprints"]["primaryLocationLineHash"]
            .as_str()
            .unwrap();
        let (hex, occurrence) = hash.split_once(':').expect("hash:occurrence");
        assert_eq!(hex.len(), 16);
        assert!(occurrence.parse::<u32>().unwrap() >= 1);
    }
}

#[test]
fn junit_has_a_suite_per_category_and_a_case_per_check() {
    let (_, out) = audit("far-from-ready", &["--format", "junit"]);
    let junit = quick_junit::Report::deserialize_from_str(&out).expect("valid JUnit XML");
    let (_, report) = audit_json("far-from-ready", &[]);
    let checks = report["checks"].as_array().unwrap();

    let cases: usize = junit.test_suites.iter().map(|s| s.test_cases.len()).sum();
    assert_eq!(cases, checks.len());
    let categories = report["categories"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| checks.iter().any(|k| k["category"] == c["id"]))
        .count();
    assert_eq!(junit.test_suites.len(), categories);

    let count = |status: &str| checks.iter().filter(|c| c["status"] == status).count();
    let failures: usize = junit.test_suites.iter().map(|s| s.failures).sum();
    let errors: usize = junit.test_suites.iter().map(|s| s.errors).sum();
    let skipped = junit
        .test_suites
        .iter()
        .flat_map(|s| &s.test_cases)
        .filter(|c| matches!(c.status, quick_junit::TestCaseStatus::Skipped { .. }))
        .count();
    assert_eq!(failures, count("fail"));
    assert_eq!(errors, count("error"));
    assert_eq!(skipped, count("skip"));

    // A failure says what is wrong and how to fix it.
    let failed = checks.iter().find(|c| c["status"] == "fail").unwrap();
    let case = junit
        .test_suites
        .iter()
        .flat_map(|s| &s.test_cases)
        .find(|c| c.name.as_str() == failed["id"].as_str().unwrap())
        .unwrap();
    match &case.status {
        quick_junit::TestCaseStatus::NonSuccess {
            kind,
            message,
            description,
            ..
        } => {
            assert_eq!(*kind, quick_junit::NonSuccessKind::Failure);
            assert_eq!(
                message.as_ref().unwrap().as_str(),
                failed["message"].as_str().unwrap()
            );
            let body = description.as_ref().unwrap().as_str();
            assert!(body.contains("Fix: "), "{body}");
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn github_commands_follow_severity_and_escape_properties() {
    let (_, out) = audit("far-from-ready", &["--format", "github"]);
    let lines: Vec<&str> = out.lines().collect();
    // The summary comes first: it is what people read in the log.
    let summary = lines[0];
    assert!(summary.starts_with("::notice title=readyctl"), "{summary}");
    assert!(summary.contains("NOT READY"));
    let (_, report) = audit_json("far-from-ready", &[]);
    let annotations: Vec<&str> = lines[1..]
        .iter()
        .copied()
        .filter(|l| l.starts_with("::"))
        .collect();
    // GitHub shows 10 of each kind per step (the summary is a notice).
    for kind in ["::error ", "::warning ", "::notice "] {
        let count = lines.iter().filter(|l| l.starts_with(kind)).count();
        assert!(count <= 10, "{count} {kind} lines");
    }
    let errors = unmet(&report)
        .iter()
        .filter(|c| matches!(c["severity"].as_str(), Some("critical" | "high")))
        .count();
    assert!(errors > 10, "the fixture exceeds the cap");
    let closing = lines.last().unwrap();
    assert!(
        closing.starts_with("readyctl: ") && closing.contains("more annotation(s) left out"),
        "{closing}"
    );
    // Most severe first: no error after a warning, no warning after a notice.
    let rank = |l: &&str| match l.split(' ').next() {
        Some("::error") => 0,
        Some("::warning") => 1,
        _ => 2,
    };
    assert!(annotations.windows(2).all(|w| rank(&w[0]) <= rank(&w[1])));
    for line in &annotations {
        let (head, message) = line[2..].split_once("::").expect("::cmd props::message");
        assert!(!message.contains('\n') && !message.contains('\r'));
        let (command, properties) = head.split_once(' ').unwrap();
        assert!(["error", "warning", "notice"].contains(&command), "{line}");
        let title = properties
            .split(',')
            .find_map(|p| p.strip_prefix("title="))
            .unwrap();
        // Property values never hold a raw `:` or `,`.
        assert!(!title.contains(':'), "{line}");
        let id = title
            .trim_start_matches("readyctl ")
            .split(' ')
            .next()
            .unwrap();
        let check = unmet(&report)
            .into_iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("{id} is unmet"));
        let expected = match check["severity"].as_str().unwrap() {
            "critical" | "high" => "error",
            "medium" => "warning",
            _ => "notice",
        };
        assert_eq!(command, expected, "{line}");
    }
    assert!(
        annotations
            .iter()
            .any(|l| l.contains("file=") && l.contains(",line=")),
        "findings carry file and line"
    );
    assert!(
        annotations.iter().any(|l| !l.contains("file=")),
        "repository-level failures carry no file"
    );
}

#[test]
fn github_format_writes_the_job_summary() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    readyctl()
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["audit", "fixtures/far-from-ready", "--format", "github"])
        .assert()
        .code(1);
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        text.starts_with("earlier step\n# Production readiness"),
        "appended"
    );
    // Nothing is capped there: every unmet check is listed.
    let (_, report) = audit_json("far-from-ready", &[]);
    for check in unmet(&report) {
        assert!(text.contains(check["id"].as_str().unwrap()));
    }
}

#[test]
fn one_scan_writes_several_reports() {
    let dir = tempfile::tempdir().unwrap();
    let sarif_path = dir.path().join("results.sarif");
    let md_path = dir.path().join("READINESS.md");
    let junit_path = dir.path().join("junit.xml");
    let output = readyctl()
        .args(["audit", "fixtures/close-to-ready", "--format", "json"])
        .arg("--report")
        .arg(format!("sarif={}", sarif_path.display()))
        .arg("--report")
        .arg(format!("markdown={}", md_path.display()))
        .arg("--report")
        .arg(format!("junit={}", junit_path.display()))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).unwrap();
    assert_eq!(
        log["runs"][0]["results"].as_array().unwrap().len(),
        unmet(&report)
            .iter()
            .map(|c| c["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f.get("path").is_some())
                .count()
                .max(1))
            .sum::<usize>()
    );
    let markdown = std::fs::read_to_string(&md_path).unwrap();
    assert!(markdown.starts_with("# Production readiness: close-to-ready"));
    quick_junit::Report::deserialize_from_str(&std::fs::read_to_string(&junit_path).unwrap())
        .unwrap();
}

#[test]
fn unknown_report_formats_and_unwritable_files_exit_2() {
    let output = readyctl()
        .args([
            "audit",
            "fixtures/close-to-ready",
            "--report",
            "pdf=out.pdf",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown format `pdf`"), "{stderr}");

    let output = readyctl()
        .args([
            "audit",
            "fixtures/close-to-ready",
            "--report",
            "sarif=/nonexistent-dir/x.sarif",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot write `/nonexistent-dir/x.sarif`"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty(), "no report before the error");

    let output = readyctl()
        .args(["audit", "fixtures/close-to-ready", "--report", "sarif"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn markdown_summary_is_short() {
    let (_, full) = audit("far-from-ready", &["--format", "markdown"]);
    let (_, summary) = audit("far-from-ready", &["--format", "markdown", "--summary"]);
    assert!(summary.len() < full.len() / 2);
    assert!(summary.contains("NOT READY"));
    assert!(summary.contains("| Category |"));
    assert!(summary.contains("**Blockers ("));
    assert!(!summary.contains("<details>"));
}

#[test]
fn quiet_and_verbose_decide_what_goes_to_stderr() {
    let quiet = readyctl()
        .args(["audit", "fixtures/close-to-ready", "--quiet"])
        .output()
        .unwrap();
    assert!(quiet.stderr.is_empty());
    assert!(!quiet.stdout.is_empty());
    let verbose = readyctl()
        .args(["audit", "fixtures/close-to-ready", "--verbose"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&verbose.stderr);
    assert!(stderr.contains("builtin:secrets.yaml"), "{stderr}");
    assert!(stderr.contains("walked"), "{stderr}");
    assert!(stderr.contains("whole audit"), "{stderr}");
    // Not a terminal: no spinner characters in the captured stderr.
    assert!(!stderr.contains("files walked"), "{stderr}");
}

/// A refused loopback port: live checks cannot be evaluated, so they error.
#[test]
fn errored_checks_are_errors_in_junit_and_results_in_sarif() {
    let live = [
        "--url",
        "http://127.0.0.1:9",
        "--timeout",
        "1s",
        "--deadline",
        "10s",
    ];
    let (_, report) = audit_json("close-to-ready", &live);
    let errored: Vec<&serde_json::Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "error")
        .collect();
    assert!(!errored.is_empty(), "some live check errors");

    let mut args = vec!["--format", "sarif"];
    args.extend_from_slice(&live);
    let (_, out) = audit("close-to-ready", &args);
    let log: serde_json::Value = serde_json::from_str(&out).unwrap();
    let validator = jsonschema::validator_for(&sarif_schema()).unwrap();
    assert!(validator.is_valid(&log));
    let results = log["runs"][0]["results"].as_array().unwrap();
    let errors: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r["properties"]["status"] == "error")
        .collect();
    assert_eq!(errors.len(), errored.len(), "one result per errored check");
    for result in errors {
        let text = result["message"]["text"].as_str().unwrap();
        assert!(text.contains("could not be checked"), "{text}");
        assert!(text.contains("http://127.0.0.1:9"), "{text}");
        assert_eq!(result["properties"]["target"], "http://127.0.0.1:9");
    }

    let mut args = vec!["--format", "junit"];
    args.extend_from_slice(&live);
    let (_, out) = audit("close-to-ready", &args);
    let junit = quick_junit::Report::deserialize_from_str(&out).unwrap();
    let errors = junit
        .test_suites
        .iter()
        .flat_map(|s| &s.test_cases)
        .filter(|c| {
            matches!(
                c.status,
                quick_junit::TestCaseStatus::NonSuccess {
                    kind: quick_junit::NonSuccessKind::Error,
                    ..
                }
            )
        })
        .count();
    assert_eq!(errors, errored.len());
}

#[test]
fn gitlab_code_quality_lists_every_unmet_check_with_a_path() {
    for fixture in FIXTURES {
        let (_, out) = audit(fixture, &["--format", "gitlab"]);
        let issues: Vec<serde_json::Value> = serde_json::from_str(&out).expect("JSON array");
        // One issue per SARIF result: the same annotations.
        let log = sarif(fixture);
        assert_eq!(
            issues.len(),
            log["runs"][0]["results"].as_array().unwrap().len(),
            "{fixture}"
        );
        let mut fingerprints: Vec<&str> = Vec::new();
        for issue in &issues {
            assert!(
                issue["check_name"]
                    .as_str()
                    .unwrap()
                    .starts_with("readyctl/")
            );
            assert!(!issue["description"].as_str().unwrap().is_empty());
            assert!(
                ["info", "minor", "major", "critical", "blocker"]
                    .contains(&issue["severity"].as_str().unwrap())
            );
            let path = issue["location"]["path"].as_str().unwrap();
            assert!(!path.is_empty() && !path.starts_with('/'));
            assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
            fingerprints.push(issue["fingerprint"].as_str().unwrap());
        }
        let count = fingerprints.len();
        fingerprints.sort();
        fingerprints.dedup();
        assert_eq!(fingerprints.len(), count, "{fixture}: unique fingerprints");
    }
    let (_, out) = audit("far-from-ready", &["--format", "gitlab"]);
    let issues: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let aws = issues
        .iter()
        .find(|i| i["check_name"] == "readyctl/secrets.cloud-keys")
        .unwrap();
    assert_eq!(aws["severity"], "blocker");
    assert_eq!(aws["location"]["path"], "internal/config/config.go");
    assert_eq!(aws["location"]["lines"]["begin"], 14);
}
