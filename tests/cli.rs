//! End-to-end behaviour of the `readyctl` binary on fixture repositories:
//! statuses, scores, verdicts, exit codes, redaction and error reporting.

mod common;

use common::{audit, audit_json, fixture, readyctl};
use predicates::prelude::*;
use serde_json::Value;

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

#[test]
fn far_from_ready_is_not_ready_and_fails_the_gate() {
    let (code, report) = audit_json("far-from-ready", &[]);
    assert_eq!(code, 1, "the default gate fails on not_ready");
    assert_eq!(report["summary"]["verdict"], "not_ready");
    assert!(report["summary"]["score"].as_f64().unwrap() < 50.0);
    assert_eq!(report["gate"]["passed"], false);
    assert_eq!(check(&report, "secrets.private-key")["status"], "fail");
    assert_eq!(check(&report, "backups.job")["status"], "fail");
    let stages = report["stages"].as_array().unwrap();
    assert_eq!(stages[0]["id"], "beta");
    assert_eq!(stages[0]["ready"], false);
    assert!(stages[0]["effort_left_minutes"].as_u64().unwrap() > 0);
}

#[test]
fn close_to_ready_passes_the_default_gate_with_caveats() {
    let (code, report) = audit_json("close-to-ready", &[]);
    assert_eq!(code, 0);
    assert_eq!(report["summary"]["verdict"], "ready_with_caveats");
    assert_eq!(report["stages"][0]["ready"], true, "beta is ready");
    assert_eq!(report["stages"][1]["ready"], false, "production is not");
}

/// Nothing to audit: an empty folder and a folder holding only a README
/// are not ready, with the reason and what was looked for, and the gate
/// fails by default and under an explicit lenient condition alike.
#[test]
fn folders_without_an_application_are_not_ready_and_fail_the_gate() {
    let empty = tempfile::tempdir().unwrap();
    let readme_only = tempfile::tempdir().unwrap();
    std::fs::write(readme_only.path().join("README.md"), "Nothing here yet\n").unwrap();
    let folders = [
        fixture("empty-repo"),
        empty.path().to_path_buf(),
        readme_only.path().to_path_buf(),
    ];
    for folder in &folders {
        let run = |args: &[&str]| {
            let output = readyctl()
                .arg("audit")
                .arg(folder)
                .args(args)
                .output()
                .unwrap();
            (output.status.code().unwrap(), output.stdout)
        };
        let (code, json) = run(&["--format", "json"]);
        assert_eq!(code, 1, "{}", folder.display());
        let report: Value = serde_json::from_slice(&json).unwrap();
        let summary = &report["summary"];
        assert_eq!(summary["verdict"], "not_ready");
        assert_eq!(summary["verdict_reasons"][0], "no application found");
        assert_eq!(
            summary["nothing_to_audit"]["reason"],
            "no application found"
        );
        let looked_for = summary["nothing_to_audit"]["looked_for"].to_string();
        for what in ["package.json", ".py", "Dockerfile"] {
            assert!(looked_for.contains(what), "{looked_for}");
        }
        assert!(
            report["gate"]["reasons"]
                .as_array()
                .unwrap()
                .contains(&Value::from("no application found"))
        );
        // A lenient explicit gate does not let an empty folder through.
        assert_eq!(run(&["--fail-under", "0"]).0, 1);
        let (_, table) = run(&[]);
        let table = String::from_utf8(table).unwrap();
        assert!(
            table.contains("Nothing to audit: no application found. Looked for:"),
            "{table}"
        );
    }
}

/// `[scoring] categories` weights move the overall score; the score is the
/// weighted mean of the category scores the report lists.
#[test]
fn category_weights_from_readyctl_toml_weight_the_overall_score() {
    let (_, plain) = audit_json("close-to-ready", &[]);
    let categories = plain["categories"].as_array().unwrap();
    let secrets = categories[0]["score"].as_f64().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("readyctl.toml");
    // Everything but secrets weighs nothing: the overall is the secrets score.
    let zero: Vec<String> = categories[1..]
        .iter()
        .map(|c| format!("{} = 0", c["id"].as_str().unwrap()))
        .collect();
    std::fs::write(
        &config,
        format!("[scoring]\ncategories = {{ {} }}\n", zero.join(", ")),
    )
    .unwrap();
    let (_, weighted) = audit_json("close-to-ready", &["--config", config.to_str().unwrap()]);
    assert_eq!(weighted["summary"]["score"].as_f64().unwrap(), secrets);
    assert_eq!(
        weighted["summary"]["score_method"],
        "weighted_category_mean"
    );
    assert_eq!(weighted["categories"][1]["weight"], 0.0);
}

#[test]
fn json_report_has_the_documented_shape() {
    let (_, report) = audit_json("close-to-ready", &[]);
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["tool"]["name"], "readyctl");
    assert_eq!(report["target"]["path"], "fixtures/close-to-ready");
    assert_eq!(report["generated_at"], "2026-01-01T00:00:00Z");
    for key in [
        "score",
        "score_method",
        "verdict",
        "verdict_reasons",
        "assessed_weight",
        "applicable_weight",
        "not_assessed",
        "passed",
        "failed",
        "skipped",
        "errored",
    ] {
        assert!(report["summary"].get(key).is_some(), "summary.{key}");
    }
    assert!(
        report["summary"]["assessed_weight"].as_u64().unwrap()
            <= report["summary"]["applicable_weight"].as_u64().unwrap()
    );
    let categories = report["categories"].as_array().unwrap();
    assert_eq!(categories.len(), 10);
    assert_eq!(categories[0]["id"], "secrets");
    assert_eq!(categories[0]["title"], "Secrets Management");
    for key in ["weight", "assessed", "assessed_weight", "applicable_weight"] {
        assert!(categories[0].get(key).is_some(), "categories[].{key}");
    }
    let first = &report["checks"][0];
    for key in [
        "id",
        "title",
        "category",
        "severity",
        "stage",
        "status",
        "message",
        "remediation",
        "findings",
    ] {
        assert!(first.get(key).is_some(), "checks[].{key}");
    }
    for key in [
        "files_scanned",
        "bytes_scanned",
        "files_skipped",
        "duration_ms",
    ] {
        assert!(report["stats"].get(key).is_some(), "stats.{key}");
    }
}

#[test]
fn findings_carry_relative_paths_and_lines() {
    let (_, report) = audit_json("far-from-ready", &[]);
    let findings = &check(&report, "secrets.cloud-keys")["findings"];
    assert_eq!(findings[0]["path"], "internal/config/config.go");
    assert_eq!(findings[0]["line"], 14);
}

/// The (fake) secrets planted in fixtures/far-from-ready.
const PLANTED: [&str; 4] = [
    "AKIAQYLPMN5HFIQR7XZB", // readyctl:allow secrets.* planted fake for the redaction test
    "dev-secret-change-me",
    "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun",
    "postgres:postgres@",
];

#[test]
fn secrets_are_never_printed_in_any_format() {
    for format in ["table", "markdown", "json"] {
        // --details: the table's full listing, findings included.
        let (_, out) = audit("far-from-ready", &["--format", format, "--details"]);
        for secret in PLANTED {
            assert!(!out.contains(secret), "{format} output leaks {secret}");
        }
        assert!(
            out.contains("AWS access key ID"),
            "{format} names the kind of secret"
        );
        assert!(
            out.contains("internal/config/config.go"),
            "{format} says where"
        );
    }
}

#[test]
fn fail_on_severity_gates_on_unmet_checks() {
    // close-to-ready's only unmet checks are high and medium.
    let (code, _) = audit("close-to-ready", &["--fail-on", "critical"]);
    assert_eq!(code, 0);
    let (code, report) = audit_json("close-to-ready", &["--fail-on", "high"]);
    assert_eq!(code, 1);
    let reason = report["gate"]["reasons"][0].as_str().unwrap();
    assert!(reason.contains("backups.restore-documented"), "{reason}");
}

#[test]
fn stage_and_score_gates() {
    assert_eq!(audit("close-to-ready", &["--stage", "beta"]).0, 0);
    assert_eq!(audit("close-to-ready", &["--stage", "production"]).0, 1);
    // Relative to the fixture's own score, so adding checks to the packs
    // does not break the gate's test.
    let (_, report) = audit_json("close-to-ready", &[]);
    let score = report["summary"]["score"].as_f64().unwrap();
    let below = format!("{}", (score - 1.0).floor());
    let above = format!("{}", (score + 1.0).ceil());
    assert_eq!(audit("close-to-ready", &["--fail-under", &below]).0, 0);
    assert_eq!(audit("close-to-ready", &["--fail-under", &above]).0, 1);
    // An explicit lenient gate replaces the default verdict gate.
    assert_eq!(audit("far-from-ready", &["--fail-under", "5"]).0, 0);
    assert_eq!(audit("far-from-ready", &["--exit-zero"]).0, 0);
}

#[test]
fn output_format_follows_the_file_extension() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("READINESS.md");
    readyctl()
        .args(["audit", "fixtures/close-to-ready", "--output"])
        .arg(&md)
        .assert()
        .success()
        .stdout("");
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(
        text.starts_with("# Production readiness: close-to-ready"),
        "{text}"
    );
    let json = dir.path().join("report.json");
    readyctl()
        .args(["audit", "fixtures/close-to-ready", "-o"])
        .arg(&json)
        .assert()
        .success();
    let parsed: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(parsed["schema_version"], 1);
}

#[test]
fn malformed_pack_is_exit_2_with_every_problem_located() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("broken.yaml"),
        "- id: custom.one\n  title: One\n  category: secret\n  severity: high\n  stage: beta\n  description: d\n  remediation: r\n  effort: 1h\n  rule: { file_exists: { paths: [x] } }\n\
         - id: custom.two\n  title: Two\n  category: ci\n  severity: high\n  stage: beta\n  description: d\n  remediation: r\n  effort: 1h\n  rule: { content_match: { pattern: '([' } }\n",
    )
    .unwrap();
    readyctl()
        .args(["audit", "fixtures/empty-repo", "--checks"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "broken.yaml:3:13: unknown variant `secret`",
        ))
        .stderr(predicate::str::contains("expected one of secrets"))
        .stderr(predicate::str::contains("broken.yaml:18:37: invalid regex"))
        .stderr(predicate::str::contains("2 problems"));
}

#[test]
fn duplicate_ids_across_packs_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("dup.yaml"),
        "- id: docs.readme\n  title: Again\n  category: documentation\n  severity: low\n  stage: beta\n  description: d\n  remediation: r\n  effort: 1h\n  rule: { file_exists: { paths: [x] } }\n",
    )
    .unwrap();
    readyctl()
        .args(["audit", "fixtures/empty-repo", "--checks"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "duplicate check id `docs.readme`: already defined at builtin:documentation.yaml",
        ));
}

#[test]
fn user_packs_add_checks_to_the_report() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("team.yaml"),
        "- id: docs.adr\n  title: Architecture decisions are recorded\n  category: documentation\n  severity: low\n  stage: production\n  description: Decisions without records get relitigated.\n  remediation: Add docs/adr/.\n  effort: 1h\n  rule: { file_exists: { paths: ['docs/adr/**'] } }\n",
    )
    .unwrap();
    let output = readyctl()
        .args([
            "audit",
            "fixtures/close-to-ready",
            "--format",
            "json",
            "--checks",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let adr = check(&report, "docs.adr");
    assert_eq!(adr["status"], "fail");
    assert!(adr["source"].as_str().unwrap().ends_with("team.yaml"));
}

#[test]
fn repository_packs_and_config_are_read_from_the_audited_root() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".readyctl/checks")).unwrap();
    std::fs::write(root.join("README.md"), "# x\n").unwrap();
    std::fs::write(
        root.join(".readyctl/checks/own.yaml"),
        "- id: docs.owners\n  title: Code owners are declared\n  category: documentation\n  severity: low\n  stage: beta\n  description: Reviews need owners for every path of the code.\n  remediation: Add a CODEOWNERS file.\n  effort: 30m\n  rule: { file_exists: { paths: [CODEOWNERS] } }\n",
    )
    .unwrap();
    std::fs::write(
        root.join("readyctl.toml"),
        "[checks]\ndisable = [\"backups.*\"]\nseverity = { \"docs.owners\" = \"critical\" }\n",
    )
    .unwrap();
    let output = readyctl()
        .args(["audit", "--format", "json"])
        .arg(root)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let owners = check(&report, "docs.owners");
    assert_eq!(owners["severity"], "critical");
    assert_eq!(owners["status"], "fail");
    assert_eq!(check(&report, "backups.job")["status"], "skip");
    assert_eq!(
        check(&report, "backups.job")["message"],
        "disabled in readyctl.toml"
    );
    // A critical failure makes it not ready.
    assert_eq!(output.status.code(), Some(1));

    let ignored = readyctl()
        .args(["audit", "--format", "json", "--no-repo-checks"])
        .arg(root)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&ignored.stdout).unwrap();
    assert!(
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"] != "docs.owners")
    );
}

#[test]
fn invalid_config_is_exit_2_with_its_position() {
    audit_with_config("[gate]\nfail_on = \"severe\"\n")
        .code(2)
        .stderr(predicate::str::contains("readyctl.toml:2:11:"))
        .stderr(predicate::str::contains("critical"));
}

#[test]
fn config_can_come_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("ci.toml");
    std::fs::write(&config, "[gate]\nfail_under = 99\n").unwrap();
    readyctl()
        .args(["audit", "fixtures/close-to-ready"])
        .env("READYCTL_CONFIG", &config)
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("score 93 is under 99")
                .or(predicate::str::contains("is under 99")),
        );
}

/// `--only` runs the selected checks and reports every other one as
/// skipped, not selected; it asks the scan for nothing of theirs.
#[test]
fn only_runs_the_selected_checks_and_skips_the_others() {
    let (_, full) = audit_json("far-from-ready", &[]);
    let (code, report) = audit_json("far-from-ready", &["--only", "secrets.*"]);
    assert_eq!(code, 1, "the private key still fails the gate");
    let checks = report["checks"].as_array().unwrap();
    assert_eq!(checks.len(), full["checks"].as_array().unwrap().len());
    for result in checks {
        let id = result["id"].as_str().unwrap();
        if id.starts_with("secrets.") {
            assert_ne!(result["message"], "not selected (--only)", "{id}");
        } else {
            assert_eq!(result["status"], "skip", "{id}");
            assert_eq!(result["skip_reason"], "not_selected", "{id}");
            assert_eq!(result["message"], "not selected (--only)", "{id}");
        }
    }
    assert_eq!(check(&report, "secrets.private-key")["status"], "fail");
    assert_eq!(
        check(&report, "secrets.private-key")["findings"],
        check(&full, "secrets.private-key")["findings"]
    );
    // The report says what it judged: the counts of what was left out,
    // overall and per category, which are not "not applicable".
    let not_selected = checks
        .iter()
        .filter(|c| !c["id"].as_str().unwrap().starts_with("secrets."))
        .count();
    assert_eq!(report["summary"]["not_selected"], not_selected);
    assert!(full["summary"].get("not_selected").is_none());
    let security = &report["categories"][1];
    assert_eq!(security["id"], "security");
    assert_eq!(security["not_selected"], security["skipped"]);
    assert_eq!(
        security["not_assessed"],
        format!("{} check(s) not selected", security["skipped"])
    );
    // Repeatable; ids and globs mix.
    let (_, report) = audit_json(
        "far-from-ready",
        &["--only", "backups.job", "--only", "docs.read*"],
    );
    assert_eq!(check(&report, "backups.job")["status"], "fail");
    assert_ne!(
        check(&report, "docs.readme")["message"],
        "not selected (--only)"
    );
    assert_eq!(
        check(&report, "secrets.private-key")["message"],
        "not selected (--only)"
    );
    // The unselected checks' patterns are not searched: fewer bytes read
    // than by the whole audit (what is still read, the facts of the report
    // read: its stack, the application it found).
    let scanned = |report: &Value| report["stats"]["bytes_scanned"].as_u64().unwrap();
    assert!(
        scanned(&report) < scanned(&full),
        "{} of {}",
        scanned(&report),
        scanned(&full)
    );
}

/// `[checks] only` selects as `--only` does; `--only` replaces it.
#[test]
fn only_in_the_config_selects_checks_and_the_command_line_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("only.toml");
    std::fs::write(&config, "[checks]\nonly = [\"docs.*\"]\n").unwrap();
    let config = config.to_str().unwrap();
    let (_, report) = audit_json("far-from-ready", &["--config", config]);
    assert_eq!(
        check(&report, "secrets.private-key")["message"],
        "not selected ([checks] only in readyctl.toml)"
    );
    assert_eq!(check(&report, "docs.readme")["skip_reason"], Value::Null);
    let (_, report) = audit_json(
        "far-from-ready",
        &["--config", config, "--only", "secrets.private-key"],
    );
    assert_eq!(check(&report, "secrets.private-key")["status"], "fail");
    assert_eq!(
        check(&report, "docs.readme")["message"],
        "not selected (--only)"
    );
}

/// A selection's table says that its verdict judges the selected checks
/// alone, and calls the categories it left out not selected, never "not
/// applicable": "READY" after `--only 'secrets.*'` is the secrets' verdict.
#[test]
fn only_says_the_verdict_judges_the_selection_alone() {
    let output = readyctl()
        .args(["audit", "fixtures/close-to-ready", "--only", "secrets.*"])
        .args(["--color", "never"])
        .env("COLUMNS", "80")
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let (_, report) = audit_json("close-to-ready", &["--only", "secrets.*"]);
    let summary = &report["summary"];
    let (total, left_out) = (
        summary["total"].as_u64().unwrap(),
        summary["not_selected"].as_u64().unwrap(),
    );
    let selected = format!(
        "Coverage: Selected {} of {total} checks: the verdict judges these alone",
        total - left_out
    );
    assert!(text.contains(&selected), "{text}");
    let not_applicable = summary["skipped"].as_u64().unwrap() - left_out;
    assert!(
        text.contains(&format!("{not_applicable} not applicable, {left_out} not")),
        "{text}"
    );
    let security = text.lines().find(|l| l.contains("Security")).unwrap();
    assert!(security.contains("— Not selected"), "{security}");
    assert!(!text.contains("Not applicable"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
    // Without a selection none of it is said.
    let output = readyctl()
        .args(["audit", "fixtures/close-to-ready", "--color", "never"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        !text.contains("Selected") && !text.contains("not selected"),
        "{text}"
    );
}

/// A selection that matches no check is an error, not an audit of
/// nothing that passes.
#[test]
fn only_matching_no_check_is_an_error() {
    readyctl()
        .args(["audit", "fixtures/close-to-ready", "--only", "secrets.*"])
        .args(["--only", "secrets.histroy"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "--only `secrets.histroy` matches no loaded check (did you mean `secrets.history`",
        ));
    readyctl()
        .args(["audit", "fixtures/close-to-ready", "--only", "secrets.["])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "invalid check pattern `secrets.[`",
        ));
    audit_with_config("[checks]\nonly = [\"secrets.*\", \"nope.*\"]\n")
        .code(2)
        .stderr(predicate::str::contains(
            "readyctl.toml:2:22: `only` entry `nope.*` matches no loaded check",
        ));
}

#[test]
fn unknown_check_ids_in_config_are_warned_about() {
    audit_with_config("[checks]\ndisable = [\"docs.readmee\"]\n").stderr(predicate::str::contains(
        "readyctl.toml:2:12: no loaded check has the id `docs.readmee`",
    ));
}

#[test]
fn usage_errors_are_exit_2() {
    readyctl()
        .args(["audit", "--format", "yaml"])
        .assert()
        .code(2);
    readyctl()
        .args(["audit", "no/such/dir"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a directory"));
    readyctl()
        .args(["audit", ".", "--fail-under", "120"])
        .assert()
        .code(2);
    readyctl().args(["frobnicate"]).assert().code(2);
}

#[test]
fn help_documents_exit_codes() {
    readyctl()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes:"))
        .stdout(predicate::str::contains("the gate failed"));
}

#[test]
fn checks_list_and_explain() {
    let narrow = readyctl()
        .env("COLUMNS", "80")
        .args(["checks", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("secrets.private-key"))
        .get_output()
        .stdout
        .clone();
    let narrow = String::from_utf8(narrow).unwrap();
    let widest = narrow.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(widest <= 80, "checks list is {widest} columns wide");
    readyctl()
        .args(["checks", "list", "--wide"])
        .assert()
        .success()
        .stdout(predicate::str::contains("builtin:secrets.yaml"));
    readyctl()
        .args(["checks", "explain", "backups.schedule"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Backups run on a schedule"))
        .stdout(predicate::str::contains("How to fix:"))
        .stdout(predicate::str::contains("Effort:"));
    readyctl()
        .args(["checks", "explain", "backups.nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no check has the id"));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    // `readyctl audit | head -1`: the reader goes away early.
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{} audit {} | head -c 10 >/dev/null; echo ${{PIPESTATUS:-0}}",
            assert_cmd::cargo::cargo_bin("readyctl").display(),
            fixture("far-from-ready").display()
        ))
        .output()
        .unwrap();
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A coverage report CI generated is usually gitignored: `--include` (or
/// `[scan] include`) reads it anyway, once, and never a path outside the
/// audited folder.
#[test]
fn include_reads_what_gitignore_hides() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join(".gitignore"), "coverage/\n").unwrap();
    std::fs::create_dir_all(root.join("coverage")).unwrap();
    std::fs::write(
        root.join("coverage/lcov.info"),
        "SF:src/a.go\nDA:1,1\nDA:2,0\nDA:3,0\nDA:4,0\nLF:4\nLH:1\nend_of_record\n",
    )
    .unwrap();
    let run = |args: &[&str]| -> Value {
        let output = readyctl()
            .arg("audit")
            .arg(root)
            .args(["--format", "json", "--exit-zero"])
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        serde_json::from_slice(&output.stdout).unwrap()
    };

    let hidden = run(&[]);
    assert_eq!(check(&hidden, "testing.coverage-minimum")["status"], "skip");
    let walked = hidden["stats"]["files_walked"].as_u64().unwrap();

    for include in ["coverage/lcov.info", "coverage/", "coverage"] {
        let report = run(&["--include", include]);
        let coverage = check(&report, "testing.coverage-minimum");
        assert_eq!(coverage["status"], "fail", "{include}: {coverage}");
        assert!(
            coverage["message"].as_str().unwrap().contains("25"),
            "{coverage}"
        );
        assert_eq!(
            report["stats"]["files_walked"].as_u64().unwrap(),
            walked + 1
        );
    }

    // A path the walk reaches anyway is not read twice.
    let report = run(&["--include", ".gitignore"]);
    assert_eq!(report["stats"]["files_walked"].as_u64().unwrap(), walked);

    // Outside the audited folder: refused and said so, nothing read.
    let report = run(&["--include", "../outside", "--include", "missing.txt"]);
    assert_eq!(report["stats"]["files_walked"].as_u64().unwrap(), walked);
    let problems = report["stats"]["problems"].to_string();
    assert!(problems.contains("inside the audited folder"), "{problems}");
    assert!(
        problems.contains("missing.txt: included path does not exist"),
        "{problems}"
    );
}

#[test]
fn checks_scoring_explains_the_formula_the_reports_name() {
    let output = readyctl().args(["checks", "scoring"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    let (_, report) = audit_json("close-to-ready", &[]);
    let method = report["summary"]["score_method"].as_str().unwrap();
    assert!(text.contains(method), "{text}");
    for rule in [
        "weighted mean of the category scores",
        "no application",
        "Coverage",
    ] {
        assert!(text.contains(rule), "{rule}: {text}");
    }
}

#[test]
fn a_report_written_to_a_file_says_so_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("READINESS.md");
    let out = readyctl()
        .args(["audit", "fixtures/far-from-ready", "-o"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    let (_, report) = audit_json("far-from-ready", &[]);
    let score = report["summary"]["score"].as_f64().unwrap().round();
    assert_eq!(
        stderr.trim_end(),
        format!(
            "wrote {} — NOT READY ({score}%), gate failed",
            file.display()
        )
    );
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .starts_with("# Production readiness")
    );
}

#[test]
fn writing_a_baseline_alone_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("baseline.json");
    readyctl()
        .args(["audit", "fixtures/far-from-ready", "--write-baseline"])
        .arg(&file)
        .assert()
        .code(0)
        .stdout("");
    assert!(file.is_file());
}

#[test]
fn date_flag_pins_the_report_date() {
    let (_, out) = audit("empty-repo", &["--format", "json", "--date", "2031-05-06"]);
    assert!(
        out.contains("\"generated_at\": \"2031-05-06T00:00:00Z\""),
        "{out}"
    );
    readyctl()
        .args(["audit", "fixtures/empty-repo", "--date", "May 6"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("YYYY-MM-DD"));
}

#[test]
fn audit_in_a_subfolder_audits_the_enclosing_repository() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::create_dir_all(root.join("src/deep")).unwrap();
    std::fs::write(root.join("readyctl.toml"), "[gate]\nfail_under = 100\n").unwrap();
    let out = readyctl()
        .current_dir(root.join("src/deep"))
        .env("READYCTL_FORMAT", "json")
        .arg("audit")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("auditing the repository at"), "{stderr}");
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("READYCTL_FORMAT=json");
    let name = root.file_name().unwrap().to_str().unwrap();
    assert_eq!(report["target"]["name"], name);
    // The root's readyctl.toml applied.
    let has_root_gate = |report: &serde_json::Value| {
        report["gate"]["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c.as_str().unwrap().contains("100"))
    };
    assert!(has_root_gate(&report), "{}", report["gate"]);

    // A path given explicitly is audited as given; the config is still found
    // up to the repository root.
    let out = readyctl()
        .current_dir(root)
        .args(["audit", "src/deep", "--format", "json"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("auditing the repository"));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["target"]["name"], "deep");
    assert!(has_root_gate(&report), "{}", report["gate"]);
}

#[test]
fn unknown_check_ids_get_suggestions() {
    readyctl()
        .args(["checks", "explain", "secrets.privat-key"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "did you mean `secrets.private-key`",
        ));
}

#[test]
fn man_pages_and_completions_cover_subcommands_and_check_ids() {
    readyctl()
        .args(["man", "audit"])
        .assert()
        .success()
        .stdout(predicate::str::contains("readyctl-audit"))
        .stdout(predicate::str::contains("fail\\-under"));
    let dir = tempfile::tempdir().unwrap();
    readyctl()
        .args(["man", "--out-dir"])
        .arg(dir.path())
        .assert()
        .success();
    for page in [
        "readyctl.1",
        "readyctl-audit.1",
        "readyctl-checks-explain.1",
    ] {
        assert!(dir.path().join(page).is_file(), "{page}");
    }
    readyctl()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("secrets.private-key"));
}

/// `readyctl audit` of an otherwise empty folder whose `readyctl.toml` is
/// `config`.
fn audit_with_config(config: &str) -> assert_cmd::assert::Assert {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("readyctl.toml"), config).unwrap();
    readyctl().arg("audit").arg(dir.path()).assert()
}
