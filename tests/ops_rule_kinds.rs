//! The rule kinds behind the testing and database packs (`coverage`,
//! `file_pairs`, `each_file`, `migration_versions`, `recent_migrations`),
//! run end to end: a pack from text, a repository in a temporary directory,
//! one audit.

use readyctl::check::{Origin, PackSource};
use readyctl::model::Status;
use readyctl::report::CheckResult;
use readyctl::{AuditOptions, Config, LoadError, PackLoader, audit};
use std::path::Path;
use tempfile::TempDir;

fn repo(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn source() -> PackSource {
    PackSource {
        origin: Origin::User,
        name: "test.yaml".to_string(),
        path: None,
    }
}

/// A pack with one check whose `rule:` is `rule` (indented YAML).
fn pack(rule: &str) -> String {
    format!(
        "- id: testing.example\n  title: An example check\n  category: testing\n  \
         severity: medium\n  stage: production\n  \
         description: Exercises one rule kind from end to end in a test.\n  \
         remediation: Nothing to fix; this is a test.\n  effort: 1h\n  rule:\n{rule}"
    )
}

fn run(rule: &str, files: &[(&str, &str)]) -> CheckResult {
    let mut loader = PackLoader::new();
    loader.add_text(source(), &pack(rule));
    let catalog = match loader.finish() {
        Ok(catalog) => catalog,
        Err(LoadError::Invalid(diagnostics)) => panic!("{diagnostics}"),
        Err(other) => panic!("{other}"),
    };
    let dir = repo(files);
    let report = audit(
        dir.path(),
        &catalog,
        &Config::default(),
        &AuditOptions::new("repo"),
    )
    .unwrap();
    report.checks.into_iter().next().unwrap()
}

fn load_errors(rule: &str) -> String {
    let mut loader = PackLoader::new();
    loader.add_text(source(), &pack(rule));
    match loader.finish() {
        Err(LoadError::Invalid(diagnostics)) => diagnostics.to_string(),
        other => panic!("expected load errors, got {other:?}"),
    }
}

fn finding_texts(result: &CheckResult) -> Vec<String> {
    result
        .findings
        .iter()
        .map(|f| {
            format!(
                "{}:{} {}",
                f.path.as_deref().unwrap_or("-"),
                f.line.map_or("-".to_string(), |l| l.to_string()),
                f.message
            )
        })
        .collect()
}

const COVERAGE: &str = "    coverage:\n      paths: [\"**/lcov.info\", \"**/coverage.out\", \"**/jacoco.xml\"]\n      min: 75\n";

#[test]
fn coverage_passes_when_every_report_reaches_the_minimum() {
    let lcov = "SF:a.js\nLF:4\nLH:4\nend_of_record\n";
    let go = "mode: set\nx.go:1.1,2.2 3 1\nx.go:3.1,4.2 1 0\n";
    let result = run(
        COVERAGE,
        &[("web/coverage/lcov.info", lcov), ("coverage.out", go)],
    );
    assert_eq!(result.status, Status::Pass, "{}", result.message);
    assert_eq!(result.message, "2 report(s) at or above 75% (lowest 75%)");
}

#[test]
fn coverage_fails_naming_each_report_below_the_minimum() {
    let jacoco = r#"<report name="svc"><counter type="LINE" missed="60" covered="40"/></report>"#;
    let lcov = "SF:a.js\nDA:1,1\nDA:2,1\nend_of_record\n";
    let result = run(
        COVERAGE,
        &[("build/jacoco.xml", jacoco), ("lcov.info", lcov)],
    );
    assert_eq!(result.status, Status::Fail);
    assert_eq!(result.message, "1 of 2 report(s) below 75% (lowest 40%)");
    assert_eq!(
        finding_texts(&result),
        [
            "build/jacoco.xml:- JaCoCo: 40 of 100 lines covered (40%), below the 75% minimum",
            "lcov.info:- lcov: 2 of 2 lines covered (100%), meets the 75% minimum",
        ]
    );
}

#[test]
fn coverage_without_reports_has_nothing_to_judge_and_with_only_unreadable_ones_errors() {
    let none = run(COVERAGE, &[("README.md", "hi")]);
    assert_eq!(none.status, Status::Skip, "{}", none.message);
    assert!(
        none.message.starts_with("nothing to judge"),
        "{}",
        none.message
    );
    let garbage = run(
        COVERAGE,
        &[("coverage.out", "mode: set\nnot a profile line\n")],
    );
    assert_eq!(garbage.status, Status::Error);
    assert!(finding_texts(&garbage)[0].contains("malformed profile line"));
}

#[test]
fn coverage_reports_that_cannot_be_read_are_named() {
    let binary = "SF:a.js\0\0\0LF:1\nLH:1\nend_of_record\n";
    let lcov = "SF:a.js\nLF:1\nLH:1\nend_of_record\n";
    let result = run(COVERAGE, &[("a/lcov.info", binary), ("b/lcov.info", lcov)]);
    assert_eq!(result.status, Status::Pass, "{}", result.message);
    assert_eq!(
        finding_texts(&result)[0],
        "a/lcov.info:- not read (binary, too large, unreadable or over the in-memory limit; see the scan problems)"
    );
}

#[test]
fn coverage_min_must_be_a_percentage() {
    let errors = load_errors("    coverage:\n      paths: [\"lcov.info\"]\n      min: 120\n");
    assert!(errors.contains("`min` is a percentage"), "{errors}");
}

#[test]
fn file_pairs_names_each_file_missing_its_partner() {
    let rule = "    file_pairs: { paths: [\"**/*.up.sql\"], suffix: \".up.sql\", partner: \".down.sql\" }\n";
    let result = run(
        rule,
        &[
            ("db/1_a.up.sql", ""),
            ("db/1_a.down.sql", ""),
            ("db/2_b.up.sql", ""),
            ("other/3_c.up.sql", ""),
            ("db/3_c.down.sql", ""),
        ],
    );
    assert_eq!(result.status, Status::Fail);
    assert_eq!(
        finding_texts(&result),
        [
            "db/2_b.up.sql:- has no `db/2_b.down.sql`",
            "other/3_c.up.sql:- has no `other/3_c.down.sql`",
        ]
    );
    let errors = load_errors(
        "    file_pairs: { paths: [\"**/*.sql\"], suffix: \".up.sql\", partner: \".down.sql\" }\n",
    );
    assert!(errors.contains("does not end with the suffix"), "{errors}");
}

#[test]
fn each_file_holds_only_marked_files_to_the_rule() {
    let rule = "    each_file:\n      paths: [\"**/*.sql\"]\n      if_contains: '(?m)^-- \\+goose Up'\n      require: '(?m)^-- \\+goose Down'\n      message: no Down section\n";
    let result = run(
        rule,
        &[
            (
                "m/1.sql",
                "-- +goose Up\nCREATE TABLE a();\n-- +goose Down\nDROP TABLE a;\n",
            ),
            ("m/2.sql", "-- +goose Up\nCREATE TABLE b();\n"),
            ("seed.sql", "INSERT INTO a VALUES (1);\n"),
        ],
    );
    assert_eq!(result.status, Status::Fail);
    assert_eq!(finding_texts(&result), ["m/2.sql:- no Down section"]);
}

const VERSIONS: &str = "    migration_versions:\n      paths: [\"**/migrations/*.sql\", \"**/migrations/*/migration.sql\"]\n      exclude: [\"**/*.down.sql\"]\n";

#[test]
fn migration_versions_are_unique_per_directory() {
    let result = run(
        VERSIONS,
        &[
            ("a/migrations/000001_x.up.sql", ""),
            ("a/migrations/000001_x.down.sql", ""),
            ("b/migrations/000001_y.up.sql", ""),
            ("prisma/migrations/20240101000000_init/migration.sql", ""),
            ("prisma/migrations/20240202000000_users/migration.sql", ""),
        ],
    );
    assert_eq!(result.status, Status::Pass, "{:?}", finding_texts(&result));
    let duplicate = run(
        VERSIONS,
        &[("migrations/0002_a.sql", ""), ("migrations/2_b.sql", "")],
    );
    assert_eq!(duplicate.status, Status::Fail);
    assert_eq!(duplicate.findings.len(), 2);
    assert!(
        duplicate.findings[0]
            .message
            .starts_with("version 0002 is used by 2 migrations")
    );
}

#[test]
fn migration_versions_flag_mixed_sequence_and_timestamp_numbering() {
    let result = run(
        VERSIONS,
        &[
            ("migrations/000012_a.sql", ""),
            ("migrations/20240101120000_b.sql", ""),
        ],
    );
    assert_eq!(result.status, Status::Fail);
    assert_eq!(
        finding_texts(&result),
        [
            "migrations:- mixes sequence numbers (000012_a.sql) and timestamps (20240101120000_b.sql): a new sequence-numbered migration would run before every timestamped one"
        ]
    );
}

const RECENT: &str = "    recent_migrations:\n      paths: [\"**/migrations/*.sql\"]\n      recent: 2\n      message: destructive statement\n      pattern: '(?i)\\bdrop\\s+(?:table|column)\\b'\n      stop_at: '(?m)^-- \\+goose Down'\n";

#[test]
fn recent_migrations_look_at_the_newest_forward_steps_only() {
    let result = run(
        RECENT,
        &[
            // Old: shipped long ago, not judged.
            ("migrations/1_old.sql", "DROP TABLE legacy;\n"),
            // Its Down section may drop what Up created.
            (
                "migrations/2_add.sql",
                "-- +goose Up\nCREATE TABLE t();\n-- +goose Down\nDROP TABLE t;\n",
            ),
            (
                "migrations/10_drop.sql",
                "-- +goose Up\nALTER TABLE t\n  DROP COLUMN c;\n",
            ),
        ],
    );
    assert_eq!(result.status, Status::Fail);
    assert_eq!(
        finding_texts(&result),
        ["migrations/10_drop.sql:3 destructive statement: `DROP COLUMN c;`"]
    );
}

#[test]
fn recent_migrations_honour_allow_comments() {
    let reviewed = "-- readyctl:allow testing.example column unused since v2.3\nALTER TABLE t DROP COLUMN c;\n";
    let result = run(RECENT, &[("migrations/3_drop.sql", reviewed)]);
    assert_eq!(result.status, Status::Pass, "{:?}", finding_texts(&result));
}

/// The YAML examples in `docs/check-format.md` for these kinds must load.
#[test]
fn documented_examples_are_valid() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/check-format.md"))
            .unwrap();
    let section = doc
        .split("## Rule kinds: coverage and migrations")
        .nth(1)
        .expect("the section exists");
    let section = section.split("\n## ").next().unwrap();
    let blocks: Vec<&str> = section
        .split("```yaml\n")
        .skip(1)
        .map(|block| block.split("```").next().unwrap())
        .collect();
    assert_eq!(blocks.len(), 5);
    for block in blocks {
        let text = if block.starts_with("- id:") {
            block.to_string()
        } else {
            // A bare `rule:` fragment: indent it into a check.
            let body = block
                .strip_prefix("rule:\n")
                .expect("fragments start with `rule:`");
            pack(&body.lines().map(|l| format!("  {l}\n")).collect::<String>())
        };
        let mut loader = PackLoader::new();
        loader.add_text(source(), &text);
        if let Err(err) = loader.finish() {
            panic!("example does not load:\n{block}\n{err}");
        }
    }
}

/// The examples of the `ci` rule kind in `docs/check-format.md` load, so
/// the documentation cannot drift from the options the code accepts.
#[test]
fn documented_ci_examples_are_valid() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/check-format.md"))
            .unwrap();
    let section = doc
        .split("\n### `ci`\n")
        .nth(1)
        .expect("the section exists");
    let section = section.split("\n## ").next().unwrap();
    let blocks: Vec<&str> = section
        .split("```yaml\n")
        .skip(1)
        .map(|block| block.split("```").next().unwrap())
        .collect();
    assert_eq!(blocks.len(), 4);
    for block in blocks {
        let body = block
            .strip_prefix("rule:\n")
            .expect("fragments start with `rule:`");
        let text = pack(&body.lines().map(|l| format!("  {l}\n")).collect::<String>());
        let mut loader = PackLoader::new();
        loader.add_text(source(), &text);
        if let Err(err) = loader.finish() {
            panic!("example does not load:\n{block}\n{err}");
        }
    }
}

/// Files of a test repository: (path, contents).
type Files<'a> = &'a [(&'a str, &'a str)];

/// No credit for nothing: every rule kind that reads the repository skips,
/// with a reason starting "nothing to judge", when it found nothing to judge,
/// and never passes.
#[test]
fn every_rule_kind_skips_when_it_found_nothing_to_judge() {
    let readme: &[(&str, &str)] = &[("README.md", "Nothing here yet\n")];
    let cases: &[(&str, &str, Files)] = &[
        (
            "file_absent on an empty folder",
            "    file_absent: { paths: [\".env\"] }\n",
            &[],
        ),
        (
            "content_match with only binary files",
            "    content_match: { pattern: 'http\\.Server' }\n",
            &[("logo.png", "\u{0}\u{0}PNG")],
        ),
        (
            "content_absent with no file selected",
            "    content_absent: { paths: [\"**/*.go\"], pattern: 'panic\\(' }\n",
            readme,
        ),
        (
            "content_absent with only binary files",
            "    content_absent: { pattern: 'AKIA' }\n",
            &[("logo.png", "\u{0}\u{0}PNG")],
        ),
        ("coverage with no report", COVERAGE, readme),
        (
            "file_pairs with nothing to pair",
            "    file_pairs: { paths: [\"**/*.up.sql\"], suffix: \".up.sql\", partner: \".down.sql\" }\n",
            readme,
        ),
        (
            "each_file with no file holding the marker",
            "    each_file:\n      paths: [\"**/*.sql\"]\n      if_contains: 'goose Up'\n      require: 'goose Down'\n      message: no Down section\n",
            &[("seed.sql", "INSERT INTO a VALUES (1);\n")],
        ),
        ("migration_versions with no migration", VERSIONS, readme),
        ("recent_migrations with no migration", RECENT, readme),
        (
            "document exists with only unparsable documents",
            "    document: { paths: [\"**/*.yaml\"], select: /kind, expect: exists }\n",
            &[("a.yaml", "key: [\n")],
        ),
        (
            "document absent with only unparsable documents",
            "    document: { paths: [\"**/*.yaml\"], select: /kind, expect: absent }\n",
            &[("a.yaml", "key: [\n")],
        ),
        (
            "document each with no node selected",
            "    document:\n      paths: [\"**/*.yaml\"]\n      select: /jobs/*\n      each: [{ path: permissions, exists: true }]\n",
            &[("a.yaml", "name: x\n")],
        ),
        (
            "dockerfile with no Dockerfile",
            "    dockerfile: { assert: non_root_user }\n",
            readme,
        ),
        (
            "by_language with no listed language",
            "    by_language:\n      go: { file_exists: { paths: [\".golangci.yml\"] } }\n",
            readme,
        ),
        (
            "keys_documented with no key used",
            "    keys_documented:\n      subject: environment variable\n      used:\n        - paths: [\"**/*.go\"]\n          patterns: [{ name: getenv, regex: 'os\\.Getenv\\(\"(?P<key>[A-Z_]+)\"\\)' }]\n      documented:\n        - paths: [\".env.example\"]\n          patterns: [{ name: line, regex: '(?m)^(?P<key>[A-Z_]+)=' }]\n",
            readme,
        ),
    ];
    let mut problems = Vec::new();
    for (name, rule, files) in cases {
        let result = run(rule, files);
        if result.status != Status::Skip || !result.message.starts_with("nothing to judge") {
            problems.push(format!("{name}: {} — {}", result.status, result.message));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Presence rules judge absence too: a required file, text or node that is
/// nowhere is missing, a failure, not "nothing to judge".
#[test]
fn presence_rules_fail_when_what_they_require_is_nowhere() {
    let readme: &[(&str, &str)] = &[("README.md", "Nothing here yet\n")];
    for rule in [
        "    file_exists: { paths: [\".dockerignore\"] }\n",
        "    min_files: { paths: [\"**/*_test.go\"], min: 1 }\n",
        "    content_match: { paths: [\".dockerignore\"], pattern: '\\.env' }\n",
        "    document: { paths: [\"**/*.yaml\"], select: /kind, expect: exists }\n",
    ] {
        let result = run(rule, readme);
        assert_eq!(result.status, Status::Fail, "{rule}: {}", result.message);
    }
}

#[test]
fn absent_rules_pass_on_the_files_they_read_and_say_how_many() {
    let result = run(
        "    content_absent: { pattern: 'AKIA[A-Z0-9]{16}' }\n",
        &[("a.txt", "hello\n"), ("b.txt", "world\n")],
    );
    assert_eq!(result.status, Status::Pass, "{}", result.message);
    assert!(
        result.message.contains("(2 files read)"),
        "{}",
        result.message
    );
    let result = run(
        "    file_absent: { paths: [\".env\"] }\n",
        &[("a.txt", "x")],
    );
    assert_eq!(result.status, Status::Pass, "{}", result.message);
}

/// The combinators' truth table with a skipped part, as docs/check-format.md
/// states it: a skipped part does not decide; all parts skipped is a skip.
#[test]
fn combinators_leave_skipped_parts_out() {
    const PASS: &str = "{ file_exists: { paths: [\"a.txt\"] } }";
    const FAIL: &str = "{ file_exists: { paths: [\"missing.txt\"] } }";
    const SKIP: &str = "{ content_absent: { paths: [\"**/*.go\"], pattern: x } }";
    let files: &[(&str, &str)] = &[("a.txt", "x")];
    let status = |rule: String| run(&format!("    {rule}\n"), files).status;
    let cases = [
        (format!("all: [{PASS}, {SKIP}]"), Status::Pass),
        (format!("all: [{FAIL}, {SKIP}]"), Status::Fail),
        (format!("all: [{SKIP}, {SKIP}]"), Status::Skip),
        (format!("any: [{FAIL}, {SKIP}]"), Status::Fail),
        (format!("any: [{PASS}, {SKIP}]"), Status::Pass),
        (format!("any: [{SKIP}, {SKIP}]"), Status::Skip),
        (format!("not: {SKIP}"), Status::Skip),
        (format!("not: {FAIL}"), Status::Pass),
        (format!("not: {PASS}"), Status::Fail),
    ];
    for (rule, expected) in cases {
        assert_eq!(status(rule.clone()), expected, "{rule}");
    }
}
