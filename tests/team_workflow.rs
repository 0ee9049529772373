//! readyctl in a team's workflow: waivers, allow comments, baselines, the
//! score ratchet and `readyctl diff`, end to end on fixture repositories.
//! The clock is pinned to 2026-01-01 (see `common::EPOCH`), so expiry dates
//! below are relative to that day.

mod common;

use common::readyctl;
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

/// Audits a fixture with extra arguments; returns (exit code, stdout, stderr).
fn run(fixture: &str, args: &[&dyn AsRef<std::ffi::OsStr>]) -> (i32, String, String) {
    let mut cmd = readyctl();
    // --details: the table's full listing (findings, waived checks).
    cmd.arg("audit")
        .arg(format!("fixtures/{fixture}"))
        .arg("--details");
    for arg in args {
        cmd.arg(arg);
    }
    let output = cmd.output().expect("readyctl runs");
    (
        output.status.code().expect("exited"),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// Audits `fixture` with `config` as its readyctl.toml, as JSON.
fn audit_with_config(fixture: &str, config: &str, args: &[&str]) -> (i32, Value) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("readyctl.toml");
    std::fs::write(&path, config).unwrap();
    let mut all: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"--config", &path, &"--format", &"json"];
    for arg in args {
        all.push(arg);
    }
    let (code, out, err) = run(fixture, &all);
    assert!(code != 2, "readyctl failed: {err}");
    (code, serde_json::from_str(&out).expect("valid JSON"))
}

fn table_with_config(fixture: &str, config: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("readyctl.toml");
    std::fs::write(&path, config).unwrap();
    run(fixture, &[&"--config", &path]).1
}

fn waiver(check: &str, extra: &str, expires: &str) -> String {
    format!(
        "[[waivers]]\ncheck = \"{check}\"\n{extra}reason = \"Managed snapshots cover this\"\nowner = \"platform-team\"\nexpires = \"{expires}\"\n"
    )
}

#[test]
fn an_active_waiver_accepts_a_failing_check_in_every_format() {
    let (_, before) = audit_with_config("close-to-ready", "", &[]);
    assert_eq!(
        check(&before, "backups.restore-documented")["status"],
        "fail"
    );
    let config = waiver("backups.restore-documented", "", "2027-03-31");
    let (_, report) = audit_with_config("close-to-ready", &config, &[]);
    let waived = check(&report, "backups.restore-documented");
    assert_eq!(waived["status"], "waived");
    assert_eq!(waived["waiver"]["owner"], "platform-team");
    assert_eq!(waived["waiver"]["expires"], "2027-03-31");
    assert_eq!(report["summary"]["waived"], 1);
    assert_eq!(report["waivers"][0]["state"], "active");
    assert_eq!(report["waivers"][0]["days_left"], 454);
    // Left out of the score: a failing high check no longer weighs on it.
    let score = |r: &Value| r["summary"]["score"].as_f64().unwrap();
    assert!(score(&report) > score(&before));
    assert!(
        report["gate"]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| !r.as_str().unwrap().contains("backups.restore-documented"))
    );

    let table = table_with_config("close-to-ready", &config);
    assert!(table.contains("Waived (1):"), "{table}");
    assert!(
        table.contains("Managed snapshots cover this (owner platform-team, until 2027-03-31)"),
        "{table}"
    );
    assert!(!table.contains("Waiver warnings"), "{table}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("readyctl.toml");
    std::fs::write(&path, &config).unwrap();
    let (_, markdown, _) = run(
        "close-to-ready",
        &[&"--config", &path, &"--format", &"markdown"],
    );
    assert!(markdown.contains("## Waived (1)"), "{markdown}");
    assert!(
        markdown.contains("`backups.restore-documented`"),
        "{markdown}"
    );
}

#[test]
fn a_path_scoped_waiver_waives_only_the_findings_under_it() {
    // infra.base-image-digest fails on Dockerfile lines 1 and 8; a waiver for
    // another path leaves it failing, one for the Dockerfile waives it.
    let config = waiver(
        "infra.base-image-digest",
        "paths = [\"Dockerfile\"]\n",
        "2027-03-31",
    );
    let (_, report) = audit_with_config("close-to-ready", &config, &[]);
    let digest = check(&report, "infra.base-image-digest");
    assert_eq!(digest["status"], "waived");
    assert!(
        digest["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["waived"] == true)
    );
    assert_eq!(report["waivers"][0]["findings_waived"], 2);

    // Two checks fail on the same k8s file and one on the Dockerfile: a
    // waiver over deploy/** waives the k8s check's finding only.
    let config = waiver(
        "infra.k8s-resources",
        "paths = [\"deploy/**\"]\n",
        "2027-03-31",
    );
    let (_, report) = audit_with_config("close-to-ready", &config, &[]);
    assert_eq!(check(&report, "infra.k8s-resources")["status"], "waived");
    assert_eq!(
        check(&report, "infra.k8s-run-as-non-root")["status"],
        "fail"
    );
}

#[test]
fn a_partial_waiver_leaves_the_check_failing_and_marks_the_waived_findings() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("legacy")).unwrap();
    std::fs::create_dir_all(root.join("src")).unwrap();
    // readyctl:allow secrets.private-key a fake key for this test
    let key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----\n";
    std::fs::write(root.join("legacy/old.pem"), key).unwrap();
    std::fs::write(root.join("src/new.pem"), key).unwrap();
    let audit = |config: &str| -> Value {
        std::fs::write(root.join("readyctl.toml"), config).unwrap();
        let out = readyctl()
            .args(["audit", "--format", "json"])
            .arg(root)
            .output()
            .unwrap();
        assert_ne!(
            out.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let report = audit("");
    let failing: Vec<&Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["status"] == "fail"
                && c["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f["path"] == "legacy/old.pem")
        })
        .collect();
    let id = failing[0]["id"]
        .as_str()
        .expect("a check finds the key")
        .to_string();

    let report = audit(&waiver(&id, "paths = [\"legacy/**\"]\n", "2027-03-31"));
    let partial = check(&report, &id);
    assert_eq!(partial["status"], "fail", "src/new.pem is not waived");
    assert!(partial["waiver"].is_object());
    for finding in partial["findings"].as_array().unwrap() {
        let legacy = finding["path"] == "legacy/old.pem";
        assert_eq!(finding.get("waived").is_some(), legacy, "{finding}");
    }
    assert_eq!(report["waivers"][0]["state"], "active");

    std::fs::write(
        root.join("readyctl.toml"),
        waiver(&id, "paths = [\"legacy/**\"]\n", "2027-03-31"),
    )
    .unwrap();
    let table = readyctl()
        .arg("audit")
        .arg(root)
        .arg("--details")
        .output()
        .unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(table.contains("legacy/old.pem:1"), "{table}");
    assert!(table.contains("(waived)"), "{table}");
    assert!(
        table.contains("waived in part: Managed snapshots"),
        "{table}"
    );
}

#[test]
fn an_expired_waiver_no_longer_applies_and_is_reported() {
    let config = waiver("backups.restore-documented", "", "2025-12-31");
    let (_, report) = audit_with_config("close-to-ready", &config, &[]);
    assert_eq!(
        check(&report, "backups.restore-documented")["status"],
        "fail"
    );
    assert_eq!(report["waivers"][0]["state"], "expired");
    assert_eq!(report["waivers"][0]["days_left"], -1);
    let table = table_with_config("close-to-ready", &config);
    assert!(table.contains("Waiver warnings (1):"), "{table}");
    assert!(
        table.contains("waiver for backups.restore-documented expired on 2025-12-31"),
        "{table}"
    );
}

#[test]
fn a_waiver_expiring_within_two_weeks_applies_with_a_warning() {
    let config = waiver("backups.restore-documented", "", "2026-01-10");
    let (_, report) = audit_with_config("close-to-ready", &config, &[]);
    assert_eq!(
        check(&report, "backups.restore-documented")["status"],
        "waived"
    );
    assert_eq!(report["waivers"][0]["state"], "expiring");
    assert_eq!(report["waivers"][0]["days_left"], 9);
    let table = table_with_config("close-to-ready", &config);
    assert!(
        table.contains("expires on 2026-01-10 (in 9 day(s))"),
        "{table}"
    );
}

#[test]
fn a_waiver_that_matches_nothing_is_stale() {
    let (_, report) = audit_with_config("close-to-ready", "", &[]);
    let passing = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == "pass")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let config = waiver(&passing, "", "2027-03-31")
        + &waiver(
            "infra.base-image-digest",
            "paths = [\"legacy/**\"]\n",
            "2027-03-31",
        );
    let (_, report) = audit_with_config("close-to-ready", &config, &[]);
    assert_eq!(report["waivers"][0]["state"], "stale");
    assert_eq!(report["waivers"][1]["state"], "stale");
    assert_eq!(check(&report, "infra.base-image-digest")["status"], "fail");
    let table = table_with_config("close-to-ready", &config);
    assert!(
        table.contains("is stale: the check does not fail"),
        "{table}"
    );
    assert!(
        table.contains("no failing finding is under its paths"),
        "{table}"
    );
}

#[test]
fn a_waiver_for_an_unknown_check_is_a_config_error_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("readyctl.toml");
    std::fs::write(&path, waiver("backups.shedule", "", "2027-03-31")).unwrap();
    readyctl()
        .args(["audit", "fixtures/close-to-ready", "--config"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("readyctl.toml:2:9:"))
        .stderr(predicate::str::contains("unknown check `backups.shedule`"));
    std::fs::write(
        &path,
        "[[waivers]]\ncheck = \"backups.schedule\"\nreason = \"r\"\nexpires = \"soon\"\n",
    )
    .unwrap();
    readyctl()
        .args(["audit", "fixtures/close-to-ready", "--config"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("readyctl.toml:4:11:"));
}

#[test]
fn allow_comments_silence_a_hit_on_the_line_or_the_line_above_and_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let key = "AKIAQYLPMN5HFIQR7XZB"; // readyctl:allow secrets.* planted fake for this test
    let audit = |text: &str| -> Value {
        std::fs::write(root.join("config.py"), text).unwrap();
        let out = readyctl()
            .args(["audit", "--format", "json"])
            .arg(root)
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let report = audit(&format!("KEY = \"{key}\"\n"));
    let cloud = check(&report, "secrets.cloud-keys");
    assert_eq!(cloud["status"], "fail");
    for text in [
        format!(
            "KEY = \"{key}\"  # readyctl:allow secrets.cloud-keys sample key from the AWS docs\n"
        ),
        format!(
            "# readyctl:allow secrets.cloud-keys sample key from the AWS docs\nKEY = \"{key}\"\n"
        ),
    ] {
        let report = audit(&text);
        let cloud = check(&report, "secrets.cloud-keys");
        assert_eq!(cloud["status"], "pass", "{text}");
        let message = cloud["message"].as_str().unwrap();
        assert!(
            message.contains("1 silenced by readyctl:allow"),
            "{message}"
        );
    }
    // Two lines above is too far.
    let report = audit(&format!(
        "# readyctl:allow secrets.cloud-keys\n\nKEY = \"{key}\"\n"
    ));
    assert_eq!(check(&report, "secrets.cloud-keys")["status"], "fail");
}

fn write_baseline(dir: &Path, fixture: &str, args: &[&str]) -> std::path::PathBuf {
    let path = dir.join("baseline.json");
    let mut cmd = readyctl();
    cmd.arg("audit")
        .arg(format!("fixtures/{fixture}"))
        .arg("--write-baseline")
        .arg(&path)
        .args(args);
    let out = cmd.output().unwrap();
    assert_ne!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrote baseline"));
    path
}

#[test]
fn a_baseline_gates_only_on_new_failures_and_findings() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = write_baseline(dir.path(), "far-from-ready", &[]);
    let text = std::fs::read_to_string(&baseline).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(file["version"], 1);
    assert!(!text.contains("AKIAQYLPMN5HFIQR7XZB"), "no secret values"); // readyctl:allow secrets.* the planted fake
    assert!(!text.contains("\"line\""), "no line numbers");
    assert!(file["findings"].as_array().unwrap().len() > 5);

    // Same repository: everything is known, the gate passes, the report
    // still lists the failures, marked.
    let (code, out, _) = run(
        "far-from-ready",
        &[&"--baseline", &baseline, &"--format", &"json"],
    );
    assert_eq!(code, 0, "{out}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let cloud = check(&report, "secrets.cloud-keys");
    assert_eq!(cloud["status"], "fail");
    assert_eq!(cloud["baselined"], true);
    assert_eq!(cloud["findings"][0]["baselined"], true);
    assert_eq!(report["baseline"]["new_checks"], 0);
    assert_eq!(
        report["gate"]["conditions"][0],
        "nothing fails beyond the baseline"
    );
    let (_, table, _) = run("far-from-ready", &[&"--baseline", &baseline]);
    assert!(table.contains("(baselined)"), "{table}");
    assert!(table.contains("0 check(s) and 0 finding(s) new"), "{table}");

    // A baseline without one finding: that finding, and its check, are new.
    let mut edited = file.clone();
    let findings = edited["findings"].as_array_mut().unwrap();
    let at = findings
        .iter()
        .position(|f| f["check"] == "secrets.cloud-keys")
        .unwrap();
    findings.remove(at);
    let partial = dir.path().join("partial.json");
    std::fs::write(&partial, serde_json::to_string(&edited).unwrap()).unwrap();
    let (code, out, _) = run(
        "far-from-ready",
        &[&"--baseline", &partial, &"--format", &"json"],
    );
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["baseline"]["new_findings"], 1);
    // SARIF tells code scanning the same: one new result, the rest unchanged.
    let (_, sarif, _) = run(
        "far-from-ready",
        &[&"--baseline", &partial, &"--format", &"sarif"],
    );
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let new: Vec<&Value> = results
        .iter()
        .filter(|r| r["baselineState"] == "new")
        .collect();
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(new[0]["ruleId"], "secrets.cloud-keys");
    assert!(
        results
            .iter()
            .all(|r| r["baselineState"] == "new" || r["baselineState"] == "unchanged")
    );
    let reason = report["gate"]["reasons"][0].as_str().unwrap();
    assert_eq!(
        reason,
        "1 check(s) fail beyond the baseline: secrets.cloud-keys"
    );

    // A check that was off when the baseline was written is new when it fails.
    let config = dir.path().join("readyctl.toml");
    std::fs::write(&config, "[checks]\ndisable = [\"docs.license\"]\n").unwrap();
    let without = write_baseline(
        dir.path(),
        "far-from-ready",
        &["--config", config.to_str().unwrap()],
    );
    let (code, out, _) = run("far-from-ready", &[&"--baseline", &without]);
    assert_eq!(code, 1);
    assert!(
        out.contains("fail beyond the baseline: docs.license"),
        "{out}"
    );
    // --fail-on counts only what is new: docs.license is low.
    let (code, _, _) = run(
        "far-from-ready",
        &[&"--baseline", &without, &"--fail-on", &"high"],
    );
    assert_eq!(code, 0);
}

#[test]
fn a_bad_baseline_is_exit_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("baseline.json");
    for (text, expected) in [
        ("not json", "is not a readyctl baseline"),
        (r#"{"version": 2, "checks": []}"#, "format version 2"),
        (r#"{"version": 1}"#, "missing field"),
    ] {
        std::fs::write(&path, text).unwrap();
        readyctl()
            .args(["audit", "fixtures/close-to-ready", "--baseline"])
            .arg(&path)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("baseline.json"))
            .stderr(predicate::str::contains(expected));
    }
    readyctl()
        .args([
            "audit",
            "fixtures/close-to-ready",
            "--baseline",
            "no/such/file.json",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read baseline"));
}

fn json_report(dir: &Path, fixture: &str, name: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    let (_, out, _) = run(fixture, &[&"--format", &"json"]);
    std::fs::write(&path, out).unwrap();
    path
}

/// A report from before `score_method` averaged checks, not categories: its
/// overall score is not a baseline, so upgrading is no regression.
#[test]
fn an_overall_score_computed_another_way_is_not_compared() {
    let dir = tempfile::tempdir().unwrap();
    let path = json_report(dir.path(), "close-to-ready", "old.json");
    let mut old: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let summary = old["summary"].as_object_mut().unwrap();
    summary.remove("score_method");
    summary.insert("score".to_string(), Value::from(99.0));
    std::fs::write(&path, old.to_string()).unwrap();
    let (code, out, _) = run(
        "close-to-ready",
        &[
            &"--compare",
            &path,
            &"--fail-on-regression",
            &"--format",
            &"json",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let comparison = &report["comparison"];
    assert_eq!(comparison["overall"]["change"], Value::Null);
    assert!(comparison["regressions"].as_array().unwrap().is_empty());
    assert!(
        comparison["notes"][0]
            .as_str()
            .unwrap()
            .starts_with("overall score not compared")
    );
}

#[test]
fn compare_shows_score_changes_and_the_ratchet_fails_on_a_drop() {
    let dir = tempfile::tempdir().unwrap();
    let good = json_report(dir.path(), "close-to-ready", "good.json");
    let bad = json_report(dir.path(), "far-from-ready", "bad.json");

    // Against itself: nothing moved, the ratchet holds.
    let (code, out, _) = run(
        "close-to-ready",
        &[
            &"--compare",
            &good,
            &"--fail-on-regression",
            &"--format",
            &"json",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["comparison"]["overall"]["change"], 0.0);
    assert!(
        report["comparison"]["regressions"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // far-from-ready against close-to-ready: scores dropped.
    let (code, out, _) = run(
        "far-from-ready",
        &[
            &"--compare",
            &good,
            &"--fail-on-regression",
            &"--format",
            &"json",
        ],
    );
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&out).unwrap();
    let comparison = &report["comparison"];
    assert!(comparison["overall"]["change"].as_f64().unwrap() < 0.0);
    assert_eq!(comparison["categories"].as_array().unwrap().len(), 10);
    assert!(
        comparison["regressions"][0]
            .as_str()
            .unwrap()
            .starts_with("overall ")
    );
    assert!(
        report["gate"]["reasons"][0]
            .as_str()
            .unwrap()
            .starts_with("score dropped: overall")
    );

    // The other way round it improved; without the flag nothing gates on it.
    let (code, out, _) = run(
        "close-to-ready",
        &[&"--compare", &bad, &"--fail-on-regression"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Score changes since 2026-01-01 (NOT READY):"),
        "{out}"
    );
    let before: Value = serde_json::from_str(&std::fs::read_to_string(&bad).unwrap()).unwrap();
    let before = before["summary"]["score"].as_f64().unwrap().round();
    assert!(out.contains(&format!("Overall: {before}% →")), "{out}");
    let (_, markdown, _) = run(
        "close-to-ready",
        &[&"--compare", &bad, &"--format", &"markdown"],
    );
    assert!(markdown.contains("## Score changes"), "{markdown}");

    readyctl()
        .args(["audit", "fixtures/close-to-ready", "--compare"])
        .arg(dir.path().join("missing.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read report"));
    readyctl()
        .args(["audit", "fixtures/close-to-ready", "--fail-on-regression"])
        .assert()
        .code(2);
}

#[test]
fn diff_lists_what_changed_between_two_reports() {
    let dir = tempfile::tempdir().unwrap();
    let good = json_report(dir.path(), "close-to-ready", "good.json");
    let bad = json_report(dir.path(), "far-from-ready", "bad.json");

    let out = readyctl()
        .arg("diff")
        .args([&good, &bad])
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let diff: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(diff["old"]["verdict"], "ready_with_caveats");
    assert_eq!(diff["new"]["verdict"], "not_ready");
    assert!(diff["overall"]["change"].as_f64().unwrap() < 0.0);
    let ids = |key: &str| -> Vec<String> {
        diff[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(ids("newly_failing").contains(&"secrets.cloud-keys".to_string()));
    let cloud = diff["newly_failing"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "secrets.cloud-keys")
        .unwrap();
    assert_eq!(
        (&cloud["before"], &cloud["after"]),
        (&Value::from("pass"), &Value::from("fail"))
    );
    assert!(
        diff["new_findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"] == "internal/config/config.go" && f["check"] == "secrets.cloud-keys")
    );
    // Checks unmet in both reports are neither new nor fixed.
    assert!(!ids("newly_failing").contains(&"backups.restore-documented".to_string()));
    assert!(!ids("fixed").contains(&"backups.restore-documented".to_string()));

    // Reversed: what was newly failing is fixed, new findings are resolved.
    let out = readyctl()
        .arg("diff")
        .args([&bad, &good])
        .args(["-f", "json"])
        .output()
        .unwrap();
    let reverse: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        reverse["fixed"].as_array().unwrap().len(),
        diff["newly_failing"].as_array().unwrap().len()
    );
    assert_eq!(reverse["resolved_findings"], diff["new_findings"]);

    readyctl()
        .arg("diff")
        .args([&good, &bad])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "Verdict: READY WITH CAVEATS → NOT READY",
        ))
        .stdout(predicate::str::contains("Newly failing ("))
        .stdout(predicate::str::contains("CRITICAL secrets.cloud-keys"))
        .stdout(predicate::str::contains("Secrets Management"));
    readyctl()
        .arg("diff")
        .args([&good, &good])
        .args(["--format", "markdown"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("## Readiness changes"))
        .stdout(predicate::str::contains("### ❌ Newly failing (0)"));
    readyctl()
        .arg("diff")
        .arg(&good)
        .arg(dir.path().join("nope.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope.json"));
}

#[test]
fn baselined_findings_survive_edits_above_them_but_not_a_second_copy() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    std::fs::create_dir_all(&root).unwrap();
    let key = "AKIAQYLPMN5HFIQR7XZB"; // readyctl:allow secrets.* planted fake for this test
    let baseline = dir.path().join("baseline.json");
    let audit = |text: &str, extra: &[&str]| -> (i32, Value) {
        std::fs::write(root.join("config.py"), text).unwrap();
        let out = readyctl()
            .args(["audit", "--format", "json", "--fail-on", "critical"])
            .args(extra)
            .arg(&root)
            .output()
            .unwrap();
        let report = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code().unwrap(), report)
    };
    let original = format!("KEY = \"{key}\"\n");
    let write = [
        "--write-baseline",
        baseline.to_str().unwrap(),
        "--exit-zero",
    ];
    audit(&original, &write);
    let with_baseline = ["--baseline", baseline.to_str().unwrap()];

    // Lines added above move the finding; it is still the known one.
    let (code, report) = audit(&format!("# settings\n\n\n{original}"), &with_baseline);
    assert_eq!(code, 0, "{}", report["gate"]);
    let cloud = check(&report, "secrets.cloud-keys");
    assert_eq!(cloud["findings"][0]["line"], 4);
    assert_eq!(cloud["findings"][0]["baselined"], true);

    // A second copy of the same key is new, and fails the critical gate.
    let (code, report) = audit(&format!("{original}OTHER = \"{key}\"\n"), &with_baseline);
    assert_eq!(code, 1);
    assert_eq!(report["baseline"]["new_findings"], 1);
    assert_eq!(
        report["gate"]["reasons"][0],
        "1 check(s) at critical or above failed beyond the baseline: secrets.cloud-keys"
    );
}

/// `[gate] fail_on_regression = true` is the ratchet without the flag: it
/// applies when a previous report is given with --compare, and a run without
/// one is gated as usual rather than failing for lack of a comparison.
#[test]
fn the_ratchet_can_be_set_in_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let same = json_report(dir.path(), "close-to-ready", "same.json");
    // A previous report that scored higher than today's.
    let mut better: Value = serde_json::from_str(&std::fs::read_to_string(&same).unwrap()).unwrap();
    better["summary"]["score"] = serde_json::json!(99.0);
    let better_path = dir.path().join("better.json");
    std::fs::write(&better_path, better.to_string()).unwrap();
    let config = "[gate]\nfail_on_regression = true\n";
    let compare = |previous: &Path| {
        audit_with_config(
            "close-to-ready",
            config,
            &["--compare", previous.to_str().unwrap()],
        )
    };

    let (code, report) = compare(&better_path);
    assert_eq!(code, 1, "{}", report["gate"]);
    assert!(
        report["gate"]["reasons"][0]
            .as_str()
            .unwrap()
            .starts_with("score dropped: overall"),
        "{}",
        report["gate"]
    );
    let (code, report) = compare(&same);
    assert_eq!(code, 0, "{}", report["gate"]);

    // Without --compare the setting has nothing to work on: the default
    // gate decides (close-to-ready passes it).
    let (code, report) = audit_with_config("close-to-ready", config, &[]);
    assert_eq!(code, 0, "{}", report["gate"]);
}
