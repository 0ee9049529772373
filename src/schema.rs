//! JSON Schemas of the two files users write by hand, check packs and
//! `readyctl.toml`, generated from the very types that parse them so they
//! cannot disagree. Editors use them for completion and validation (a
//! `yaml-language-server` modeline, Taplo, VS Code's `json.schemas`); copies
//! are committed under `schemas/` and a test keeps them current.

use crate::check::CheckSpec;
use crate::config::Config;
use schemars::Schema;

/// How to refresh the committed copies after changing a type.
pub const REGENERATE: &str = "cargo run -q -- schema checks > schemas/check-pack.schema.json && cargo run -q -- schema config > schemas/readyctl-config.schema.json";

/// A pack is a YAML list of checks.
pub fn check_pack() -> String {
    let mut schema = schemars::schema_for!(Vec<CheckSpec>);
    describe(
        &mut schema,
        "readyctl check pack",
        "A list of readiness checks (checks/*.yaml, .readyctl/checks/*.yaml). See docs/check-format.md.",
    );
    text(&schema)
}

pub fn config() -> String {
    let mut schema = schemars::schema_for!(Config);
    describe(
        &mut schema,
        "readyctl.toml",
        "How readyctl audits a repository: scan limits, checks, scoring, gate, live targets.",
    );
    text(&schema)
}

fn describe(schema: &mut Schema, title: &str, description: &str) {
    schema.insert("title".to_string(), title.into());
    schema.insert("description".to_string(), description.into());
}

fn text(schema: &Schema) -> String {
    let mut text = serde_json::to_string_pretty(schema).expect("a schema is plain JSON");
    text.push('\n');
    text
}
