//! The JSON Schemas under schemas/ are generated from the parsing types;
//! these fail when the committed copies are stale, and prove the schemas
//! accept every file readyctl itself accepts (built-in packs, fixtures).

mod common;

use common::readyctl;
use readyctl::schema::{REGENERATE, check_pack, config};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn committed(name: &str) -> String {
    std::fs::read_to_string(root().join("schemas").join(name)).unwrap_or_default()
}

fn validator(text: &str) -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(text).unwrap();
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn problems(validator: &jsonschema::Validator, instance: &serde_json::Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .take(5)
        .collect()
}

#[test]
fn committed_schemas_are_up_to_date() {
    for (name, generated) in [
        ("check-pack.schema.json", check_pack()),
        ("readyctl-config.schema.json", config()),
    ] {
        assert!(
            committed(name) == generated,
            "schemas/{name} is out of date with the Rust types; regenerate with:\n\n    {REGENERATE}\n"
        );
    }
}

#[test]
fn the_cli_prints_the_same_schemas() {
    for (which, generated) in [("checks", check_pack()), ("config", config())] {
        let output = readyctl().args(["schema", which]).output().unwrap();
        assert!(output.status.success());
        assert_eq!(String::from_utf8(output.stdout).unwrap(), generated);
    }
}

#[test]
fn every_builtin_pack_validates() {
    let validator = validator(&check_pack());
    let mut packs = 0;
    for entry in std::fs::read_dir(root().join("checks")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let pack: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
        let found = problems(&validator, &pack);
        assert!(found.is_empty(), "{}: {found:#?}", path.display());
        packs += 1;
    }
    assert!(packs >= 10, "only {packs} packs found");
}

#[test]
fn the_pack_schema_rejects_what_the_loader_rejects() {
    let validator = validator(&check_pack());
    let pack: serde_json::Value = serde_saphyr::from_str(
        "- id: docs.x\n  title: T\n  category: secret\n  severity: low\n  stage: beta\n  description: d\n  remediation: r\n  effort: 1h\n  rule: { file_exists: { paths: [a] } }\n",
    )
    .unwrap();
    assert!(!problems(&validator, &pack).is_empty(), "unknown category");
}

fn configs(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            configs(&path, into);
        } else if path.file_name().is_some_and(|n| n == "readyctl.toml") {
            into.push(path);
        }
    }
}

#[test]
fn every_fixture_config_validates() {
    let validator = validator(&config());
    let mut files = vec![root().join("readyctl.toml")];
    configs(&root().join("fixtures"), &mut files);
    assert!(files.len() >= 2);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let value: serde_json::Value = toml::from_str(&text).unwrap();
        let found = problems(&validator, &value);
        assert!(found.is_empty(), "{}: {found:#?}", path.display());
    }
    let typo: serde_json::Value = toml::from_str("[gate]\nfail_undr = 3\n").unwrap();
    assert!(!problems(&validator, &typo).is_empty(), "unknown keys fail");
}
