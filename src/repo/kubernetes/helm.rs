//! A Helm chart's objects: its templates read statically (see
//! [`super::template`]) with `values.yaml`, and a production values file
//! beside it (`values-prod.yaml`, `values.production.yaml`) merged on top
//! as `helm install -f` would.

use super::template::{self, marker_index};
use super::{Files, Object, dir_of, is_object};
use crate::document::{Documents, Format, Node, Value};

/// A chart read statically.
#[derive(Debug, Default)]
pub struct Chart {
    pub reason: String,
    pub objects: Vec<Object>,
    pub notes: Vec<String>,
    pub undecided: Vec<String>,
}

fn map(entries: Vec<(&str, Node)>) -> Node {
    Node {
        value: Value::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect()),
        line: None,
    }
}

fn text(s: &str) -> Node {
    Node {
        value: Value::String(s.into()),
        line: None,
    }
}

/// What the templates may not know: the cluster, the chart's other files.
fn unknowable(what: &str) -> Node {
    map(vec![("readyctl:undecided", text(what))])
}

/// Values merged as Helm coalesces them: mappings key by key, anything
/// else replaced by the later file.
fn merge(base: &mut Node, overlay: &Node) {
    match (&mut base.value, &overlay.value) {
        (Value::Map(entries), Value::Map(more)) => {
            for (key, node) in more {
                match entries.iter_mut().find(|(k, _)| k == key) {
                    Some((_, existing)) => merge(existing, node),
                    None => entries.push((key.clone(), node.clone())),
                }
            }
        }
        _ => *base = overlay.clone(),
    }
}

/// Whether a file next to `Chart.yaml` is a production values file.
fn production_values(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let Some(stem) = lower
        .strip_suffix(".yaml")
        .or_else(|| lower.strip_suffix(".yml"))
    else {
        return false;
    };
    let Some(rest) = stem
        .strip_prefix("values")
        .and_then(|r| r.strip_prefix(['-', '.', '_']))
    else {
        return false;
    };
    rest.split(['-', '.', '_'])
        .any(|w| matches!(w, "prod" | "production" | "prd" | "live"))
}

pub fn render(files: &Files<'_>, chart_file: &str) -> Chart {
    let dir = dir_of(chart_file);
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    let mut chart = Chart::default();
    let chart_node = files
        .docs(chart_file)
        .docs
        .first()
        .cloned()
        .unwrap_or_else(|| map(Vec::new()));
    let mut values = map(Vec::new());
    let mut used = Vec::new();
    let mut candidates: Vec<&str> = files
        .paths()
        .copied()
        .filter(|p| {
            p.strip_prefix(&prefix).is_some_and(|name| {
                !name.contains('/')
                    && (name == "values.yaml" || name == "values.yml" || production_values(name))
            })
        })
        .collect();
    // `values.yaml` first, then the production files in name order.
    candidates.sort_by_key(|p| {
        (
            !p.ends_with("/values.yaml") && *p != "values.yaml",
            p.to_string(),
        )
    });
    for path in candidates {
        if let Some(doc) = files.docs(path).docs.first() {
            merge(&mut values, doc);
            used.push(path.rsplit('/').next().unwrap_or(path).to_string());
        }
    }
    chart.reason = if used.is_empty() {
        "Helm chart (no values file)".to_string()
    } else {
        format!("Helm chart with {}", used.join(" + "))
    };
    // `.Chart.appVersion` is read as `.Chart.AppVersion`.
    let chart_fields: Vec<(crate::document::Text, Node)> = match &chart_node.value {
        Value::Map(entries) => entries
            .iter()
            .map(|(k, v)| {
                let mut key = k.to_string();
                if let Some(first) = key.get_mut(..1) {
                    first.make_ascii_uppercase();
                }
                (key.into(), v.clone())
            })
            .collect(),
        _ => Vec::new(),
    };
    // Shared with every template's dot and `$` (see `template::Val::Node`).
    let root = std::sync::Arc::new(map(vec![
        ("Values", values),
        (
            "Chart",
            Node {
                value: Value::Map(chart_fields),
                line: None,
            },
        ),
        (
            "Release",
            map(vec![
                ("Name", text("release-name")),
                ("Namespace", text("default")),
                ("Service", text("Helm")),
                (
                    "IsInstall",
                    Node {
                        value: Value::Bool(true),
                        line: None,
                    },
                ),
                (
                    "IsUpgrade",
                    Node {
                        value: Value::Bool(false),
                        line: None,
                    },
                ),
                (
                    "Revision",
                    Node {
                        value: Value::Number(1.0),
                        line: None,
                    },
                ),
            ]),
        ),
        (
            "Capabilities",
            unknowable(".Capabilities (the cluster's versions)"),
        ),
        ("Files", unknowable(".Files (the chart's other files)")),
        (
            "Template",
            map(vec![("BasePath", text(&format!("{prefix}templates")))]),
        ),
    ]));
    let templates = format!("{prefix}templates/");
    let mut used_markers = std::collections::BTreeSet::new();
    for path in files.paths().copied() {
        let Some(name) = path.strip_prefix(&templates) else {
            continue;
        };
        let file = name.rsplit('/').next().unwrap_or(name);
        // Helm renders neither partials (`_helpers.tpl`) nor, on install,
        // the test hooks under `templates/tests/`.
        if file.starts_with('_') || name.starts_with("tests/") {
            continue;
        }
        let Some(source) = files.get(path) else {
            continue;
        };
        let rendered = match template::render(source.text, path, &root, &mut chart.undecided) {
            Ok(r) => r,
            Err(e) => {
                chart
                    .notes
                    .push(format!("`{path}` cannot be read statically: {e}"));
                continue;
            }
        };
        used_markers.extend(
            rendered
                .text
                .split(template::MARKER)
                .skip(1)
                .filter_map(|rest| rest.split("__").next()?.parse::<usize>().ok()),
        );
        let mut docs = Documents::parse(Format::Yaml, &rendered.text);
        if let Some(error) = &docs.error {
            chart.notes.push(format!(
                "`{path}` cannot be read statically: its rendered text is not YAML ({})",
                error.message.lines().next().unwrap_or_default()
            ));
            continue;
        }
        for doc in docs.docs.iter_mut() {
            remap(doc, &rendered.origins);
        }
        chart.objects.extend(
            docs.docs
                .into_iter()
                .filter(is_object)
                .map(|node| Object::owned(path.to_string(), node)),
        );
    }
    // A reason whose value ended where it did not matter (hashed into a
    // checksum annotation) is no reason: blank it, keeping the numbering.
    for (i, reason) in chart.undecided.iter_mut().enumerate() {
        if !used_markers.contains(&i) {
            reason.clear();
        }
    }
    chart
}

/// Output lines back to template lines.
fn remap(node: &mut Node, origins: &[usize]) {
    if let Some(line) = node.line() {
        node.line = origins
            .get(line - 1)
            .copied()
            .or(Some(line))
            .and_then(|l| u32::try_from(l).ok());
    }
    match &mut node.value {
        Value::Map(entries) => entries.iter_mut().for_each(|(_, v)| remap(v, origins)),
        Value::Seq(items) => items.iter_mut().for_each(|v| remap(v, origins)),
        _ => {}
    }
}

/// The reasons of the undecided markers in `node`'s subtree, by number.
pub fn markers(node: &Node, out: &mut Vec<usize>) {
    match &node.value {
        Value::String(s) => out.extend(marker_index(s)),
        Value::Map(entries) => {
            for (key, child) in entries {
                out.extend(marker_index(key));
                markers(child, out);
            }
        }
        Value::Seq(items) => items.iter().for_each(|i| markers(i, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_values_files() {
        for name in [
            "values-prod.yaml",
            "values.production.yaml",
            "values_prd.yml",
            "values-prod-eu.yaml",
        ] {
            assert!(production_values(name), "{name}");
        }
        for name in [
            "values.yaml",
            "values-dev.yaml",
            "values.schema.json",
            "valuesprod.yaml",
        ] {
            assert!(!production_values(name), "{name}");
        }
    }
}
