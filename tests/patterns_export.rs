//! `readyctl checks patterns`: the content regexes, ready for `rg -f`.

mod common;

use common::readyctl;
use serde_json::Value;

#[test]
fn text_export_is_one_valid_scoped_regex_per_line() {
    let output = readyctl()
        .args(["checks", "patterns"])
        .output()
        .expect("runs");
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() > 100, "{} patterns", lines.len());
    for line in &lines {
        assert!(line.starts_with("(?:") && line.ends_with(')'), "{line}");
        assert!(!line.contains("(?P<"), "named group left in {line}");
        regex::bytes::Regex::new(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    }
    // ripgrep joins the lines with `|`: the whole file must still be one regex.
    regex::bytes::RegexBuilder::new(&lines.join("|"))
        .size_limit(256 << 20)
        .build()
        .expect("joined patterns compile");
}

#[test]
fn json_export_names_the_checks_and_literals() {
    let output = readyctl()
        .args(["checks", "patterns", "--format", "json"])
        .output()
        .expect("runs");
    assert!(output.status.success());
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout).expect("json");
    let aws = rows
        .iter()
        .find(|r| r["regex"].as_str().is_some_and(|r| r.contains("AKIA")))
        .expect("the AWS key pattern");
    assert_eq!(aws["check"], "secrets.cloud-keys");
    let literals: Vec<&str> = aws["literals"]
        .as_array()
        .expect("literals")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(literals.contains(&"akia"), "{literals:?}");
}
