//! docs/checks.md is generated from the packs; this fails when someone edits
//! a pack without regenerating it, and says how to.

use readyctl::Catalog;
use readyctl::reference::{REGENERATE, checks_markdown};
use std::path::PathBuf;

#[test]
fn committed_check_reference_is_up_to_date() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/checks.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = checks_markdown(&Catalog::builtin().unwrap());
    assert!(
        committed == generated,
        "docs/checks.md is out of date with checks/*.yaml; regenerate it with:\n\n    {REGENERATE}\n"
    );
}

#[test]
fn the_cli_prints_the_same_reference() {
    let output = assert_cmd::Command::cargo_bin("readyctl")
        .unwrap()
        .args(["checks", "docs"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let generated = checks_markdown(&Catalog::builtin().unwrap());
    assert_eq!(String::from_utf8(output.stdout).unwrap(), generated);
}
