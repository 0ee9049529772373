//! Helpers shared by the end-to-end tests.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::PathBuf;

/// A fixed date (2026-01-01) so reports are reproducible.
pub const EPOCH: &str = "1767225600";

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// `readyctl` with a pinned clock, no colour, and no ambient config.
pub fn readyctl() -> Command {
    let mut cmd = Command::cargo_bin("readyctl").expect("binary built");
    cmd.env("SOURCE_DATE_EPOCH", EPOCH)
        .env("NO_COLOR", "1")
        .env_remove("READYCTL_CONFIG")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Runs an audit of a fixture and returns (exit code, stdout).
pub fn audit(fixture_name: &str, args: &[&str]) -> (i32, String) {
    let output = readyctl()
        .arg("audit")
        .arg(format!("fixtures/{fixture_name}"))
        .args(args)
        .output()
        .expect("readyctl runs");
    (
        output.status.code().expect("exited"),
        String::from_utf8(output.stdout).expect("utf-8 output"),
    )
}

pub fn audit_json(fixture_name: &str, args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let (code, out) = audit(fixture_name, &all);
    (code, serde_json::from_str(&out).expect("valid JSON"))
}
