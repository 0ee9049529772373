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

fn exported(extra: &[&str]) -> Vec<String> {
    let output = readyctl()
        .args(["checks", "patterns"])
        .args(extra)
        .output()
        .expect("runs");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout)
        .expect("utf-8")
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn line_and_multiline_halves_partition_the_export() {
    let all = exported(&[]);
    let line = exported(&["--only", "line"]);
    let multi = exported(&["--only", "multiline"]);
    assert!(
        !multi.is_empty(),
        "the built-in packs have multi-line patterns"
    );
    assert_eq!(line.len() + multi.len(), all.len());
    let mut joined: Vec<&String> = line.iter().chain(&multi).collect();
    joined.sort();
    let mut sorted: Vec<&String> = all.iter().collect();
    sorted.sort();
    assert_eq!(joined, sorted);
    // ripgrep refuses a pattern with a literal newline unless -U is given;
    // those, and only those, are in the multi-line half.
    for pattern in &multi {
        let hir = regex_syntax::Parser::new().parse(pattern).expect("parses");
        assert!(format!("{hir:?}").contains("\\n"), "{pattern}");
    }
    assert!(
        line.iter().any(|p| p.contains("AKIA")),
        "single-line secrets"
    );
    assert!(
        multi
            .iter()
            .any(|p| p.contains("pg_dump") && p.contains("cron")),
        "the cron-then-backup pattern spans lines"
    );
}
