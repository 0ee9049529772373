//! Report formats are part of the contract: these snapshots keep the
//! markdown and JSON shapes stable. Review any change to them as you would an
//! API change.

mod common;

use common::audit;

/// Durations vary run to run; nothing else in a report may.
fn stable(text: &str) -> String {
    let re = regex::Regex::new(r#""duration_ms": \d+"#).unwrap();
    let text = re.replace_all(text, r#""duration_ms": "[duration]""#);
    let re = regex::Regex::new(r"in \d+ ms").unwrap();
    re.replace_all(&text, "in [duration] ms").into_owned()
}

#[test]
fn markdown_far_from_ready() {
    let (_, out) = audit("far-from-ready", &["--format", "markdown"]);
    insta::assert_snapshot!(stable(&out));
}

#[test]
fn markdown_close_to_ready() {
    let (_, out) = audit("close-to-ready", &["--format", "markdown"]);
    insta::assert_snapshot!(stable(&out));
}

#[test]
fn json_close_to_ready() {
    let (_, out) = audit("close-to-ready", &["--format", "json"]);
    insta::assert_snapshot!(stable(&out));
}

/// The table at a given terminal width (`COLUMNS`), as a pipe sees it.
fn table_at(fixture: &str, columns: usize, args: &[&str]) -> String {
    let output = common::readyctl()
        .env("COLUMNS", columns.to_string())
        .arg("audit")
        .arg(format!("fixtures/{fixture}"))
        .args(["--format", "table"])
        .args(args)
        .output()
        .expect("readyctl runs");
    let text = String::from_utf8(output.stdout).expect("utf-8");
    for line in text.lines() {
        assert!(
            unicode_width::UnicodeWidthStr::width(line) <= columns,
            "line wider than {columns} columns: {line}"
        );
    }
    stable(&text)
}

#[test]
fn table_far_from_ready() {
    // Not a terminal: the compact report.
    insta::assert_snapshot!(table_at("far-from-ready", 80, &[]));
}

#[test]
fn table_far_from_ready_160() {
    insta::assert_snapshot!(table_at("far-from-ready", 160, &[]));
}

#[test]
fn table_details_far_from_ready_80() {
    insta::assert_snapshot!(table_at("far-from-ready", 80, &["--details"]));
}

#[test]
fn table_details_far_from_ready_160() {
    insta::assert_snapshot!(table_at("far-from-ready", 160, &["--details"]));
}

#[test]
fn table_details_close_to_ready_80() {
    insta::assert_snapshot!(table_at("close-to-ready", 80, &["--details"]));
}

#[test]
fn sarif_close_to_ready() {
    let (_, out) = audit("close-to-ready", &["--format", "sarif"]);
    insta::assert_snapshot!(stable(&out));
}

#[test]
fn junit_close_to_ready() {
    let (_, out) = audit("close-to-ready", &["--format", "junit"]);
    insta::assert_snapshot!(stable(&out));
}

#[test]
fn github_far_from_ready() {
    let (_, out) = audit("far-from-ready", &["--format", "github"]);
    insta::assert_snapshot!(stable(&out));
}

#[test]
fn markdown_summary_far_from_ready() {
    let (_, out) = audit("far-from-ready", &["--format", "markdown", "--summary"]);
    insta::assert_snapshot!(stable(&out));
}
