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

#[test]
fn table_far_from_ready() {
    let (_, out) = audit("far-from-ready", &["--format", "table"]);
    insta::assert_snapshot!(stable(&out));
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
