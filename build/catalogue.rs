//! The built-in check packs (`checks/*.yaml`), converted to JSON when
//! readyctl is built. Parsing their YAML was a third of an empty audit's
//! instructions, paid before the walk could start; JSON of the same values
//! parses in a fraction of that (see `src/pack.rs`, which still parses the
//! YAML of a pack this did not convert, and reports its errors).
//!
//! Each check keeps the two positions the loader reports from built-in
//! packs: where its list entry starts (`readyctl checks` shows it) and
//! where its `id` is (a user's pack repeating the id is told where it is
//! defined). Positions inside a check are only read by validation errors,
//! which the built-in packs do not have (a test validates them fully).

use serde::Deserialize;
use serde_saphyr::{Location, Spanned};
use std::fs;
use std::path::Path;

/// Just the `id` of a list entry, with its position.
#[derive(Deserialize)]
struct IdOnly {
    id: Spanned<String>,
}

/// Writes each pack that converts as `checks-json/NAME.json`
/// (`{"checks": [...], "positions": [...]}`) into `out_dir`, and
/// `builtin_checks.rs`, the list of `(file name, JSON)` that `src/pack.rs`
/// includes, in file-name order.
pub fn write(manifest: &Path, out_dir: &Path) {
    let dir = manifest.join("checks");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|name| name.ends_with(".yaml") || name.ends_with(".yml"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let json_dir = out_dir.join("checks-json");
    fs::create_dir_all(&json_dir).expect("OUT_DIR is writable");
    let mut list = String::from("&[\n");
    for name in &names {
        let Some((checks, positions)) = fs::read_to_string(dir.join(name))
            .ok()
            .and_then(|text| convert(&text))
        else {
            continue;
        };
        let json = serde_json::json!({ "checks": checks, "positions": positions });
        let path = json_dir.join(format!("{name}.json"));
        fs::write(&path, json.to_string()).expect("OUT_DIR is writable");
        list.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    list.push_str("]\n");
    fs::write(out_dir.join("builtin_checks.rs"), list).expect("OUT_DIR is writable");
}

/// A pack's entries as JSON values and, per entry, where the entry and its
/// `id` are; `None` when the pack does not parse (the loader then parses
/// its YAML at run time and reports why).
fn convert(text: &str) -> Option<(Vec<serde_json::Value>, Vec<serde_json::Value>)> {
    if text.trim().is_empty() {
        return Some((Vec::new(), Vec::new()));
    }
    let entries: Vec<Spanned<serde_json::Value>> = serde_saphyr::from_str(text).ok()?;
    let ids: Vec<IdOnly> = serde_saphyr::from_str(text).ok()?;
    if ids.len() != entries.len() {
        return None;
    }
    let at = |l: Location| serde_json::json!({ "line": l.line(), "column": l.column() });
    let positions = entries
        .iter()
        .zip(&ids)
        .map(|(entry, id)| serde_json::json!({ "entry": at(entry.referenced), "id": at(id.id.referenced) }))
        .collect();
    Some((entries.into_iter().map(|e| e.value).collect(), positions))
}
