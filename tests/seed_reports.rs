//! End-to-end markdown reports of the fixtures shaped like the seed reviews
//! in `/work/shared/seeds/`: Muse (Go + PostgreSQL + Redis), Music RAG
//! (Python FastAPI) and MySetlist (Next.js + Supabase + Redis).
//!
//! Each fixture is in the state its seed describes, so its category table
//! should read like the seed's own table would have, had it been honest.
//! The binary is run as a user runs it; the date is pinned and the scan
//! duration, the only other thing that varies between runs, is not in the
//! markdown output (a filter guards against it appearing later).

use assert_cmd::Command;
use std::path::Path;

fn markdown_report(fixture: &str, expected_exit: i32) -> String {
    let output = Command::cargo_bin("readyctl")
        .unwrap()
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .env("NO_COLOR", "1")
        .args([
            "audit",
            &format!("fixtures/{fixture}"),
            "--format",
            "markdown",
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(expected_exit),
        "{fixture}: stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn assert_report(name: &str, report: &str) {
    insta::with_settings!({
        filters => vec![(r"\b\d+(?:\.\d+)?\s?(?:ms|µs|s)\b", "[duration]")],
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(name, report);
    });
}

/// Row of the category table for `title`, as `| title | score | status |...`.
fn category_row<'a>(report: &'a str, title: &str) -> &'a str {
    report
        .lines()
        .find(|line| line.starts_with(&format!("| {title} |")))
        .unwrap_or_else(|| panic!("no `{title}` row in:\n{report}"))
}

#[test]
fn muse_api_report() {
    let report = markdown_report("muse-api", 1);
    // The launch plan's "Comprehensive Test Suite" holds for tests and CI,
    // not for coverage: its own numbers are below any sensible floor.
    assert!(report.contains("`testing.coverage-minimum`"));
    assert!(report.contains("6 of 14 statements covered (42.9%)"));
    // Everything the plan lists as a next step is missing.
    for missing in [
        "`database.connection-pool`",
        "`backups.job`",
        "`backups.redis-persistence`",
        "`monitoring.health-endpoint`",
        "`monitoring.metrics`",
        "`monitoring.structured-logging`",
        "`monitoring.alerting`",
    ] {
        assert!(report.contains(&format!("#### ❌ {missing}")), "{missing}");
    }
    assert_report("muse-api", &report);
}

#[test]
fn music_rag_report() {
    let report = markdown_report("music-rag", 1);
    // No SQL at all ("SQL injection prevention (N/A - no SQL)"): the database
    // category does not apply rather than failing.
    assert!(category_row(&report, "Database").contains("Not applicable"));
    // "Backup strategy documented" is true; "backup automation" is not.
    assert!(report.contains("✅ `backups.restore-documented`"));
    assert!(report.contains("#### ❌ `backups.job`"));
    assert_report("music-rag", &report);
}

#[test]
fn mysetlist_web_report() {
    let report = markdown_report("mysetlist-web", 1);
    // PgBouncer in compose is the connection pool; the newest Supabase
    // migration drops a column and is flagged.
    assert!(report.contains("✅ `database.connection-pool`"));
    assert!(report.contains("#### ❌ `database.destructive-migrations`"));
    assert!(report.contains(
        "20241010100000_consolidate_votes.sql:2` — destructive statement: \
         `ALTER TABLE votes DROP COLUMN legacy_score;`"
    ));
    assert_report("mysetlist-web", &report);
}
