//! Kustomize overlays built as `kubectl apply -k` builds them: resources
//! and bases (folders with their own kustomization, or manifest files),
//! then the overlay's patches (strategic merge and JSON 6902), `images`
//! and `replicas`.
//!
//! References are followed inside the audited root only, to a bounded
//! depth, and never fetched: a remote base (`github.com/…`, `https://…`)
//! is named as not read.

use super::patch;
use super::{Files, Object, dir_of};
use crate::document::{Documents, Format, Node, Value};
use crate::repo::path::join;
use regex::Regex;
use std::collections::BTreeMap;

/// File names kustomize reads in a folder, in its order.
pub const NAMES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Bases nested deeper than this are not read.
const MAX_DEPTH: usize = 8;

/// One kustomization: its folder, its file, the kustomization folders it
/// uses and every file it reads.
#[derive(Debug, Clone)]
pub struct Kustomization {
    pub dir: String,
    pub file: String,
    pub uses: Vec<String>,
    pub reads: Vec<String>,
}

/// Every kustomization among the files, by folder.
pub fn graph(files: &Files<'_>) -> BTreeMap<String, Kustomization> {
    let mut graph = BTreeMap::new();
    for path in files.paths().copied() {
        let name = path.rsplit('/').next().unwrap_or(path);
        if !NAMES.contains(&name) {
            continue;
        }
        let dir = dir_of(path).to_string();
        if graph.contains_key(&dir) {
            continue;
        }
        let docs = files.docs(path);
        let mut k = Kustomization {
            dir: dir.clone(),
            file: path.to_string(),
            uses: Vec::new(),
            reads: Vec::new(),
        };
        if let Some(root) = docs.docs.first() {
            for reference in references(root) {
                let Some(target) = local(&dir, &reference) else {
                    continue;
                };
                if let Some(file) = kustomization_in(files, &target) {
                    k.uses.push(target);
                    k.reads.push(file);
                } else {
                    k.reads.push(target);
                }
            }
            // Transformer and generator configurations are read by
            // kustomize, not deployed.
            let configs = [
                "transformers",
                "generators",
                "validators",
                "configurations",
                "crds",
            ]
            .iter()
            .flat_map(|key| strings(root.get(key)));
            for patch in patch_files(root).into_iter().chain(configs) {
                if let Some(target) = local(&dir, &patch) {
                    k.reads.push(target);
                }
            }
        }
        graph.insert(dir, k);
    }
    graph
}

/// The roots (kustomizations nobody uses) that use `dir`, directly or
/// through other bases.
pub fn roots_using(graph: &BTreeMap<String, Kustomization>, dir: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_string()];
    let mut seen = Vec::new();
    while let Some(current) = todo.pop() {
        if seen.contains(&current) {
            continue;
        }
        seen.push(current.clone());
        let users: Vec<&Kustomization> = graph
            .values()
            .filter(|k| k.uses.contains(&current))
            .collect();
        if users.is_empty() && current != dir {
            found.push(current);
        }
        todo.extend(users.into_iter().map(|k| k.dir.clone()));
    }
    found.sort();
    found
}

fn kustomization_in(files: &Files<'_>, dir: &str) -> Option<String> {
    NAMES
        .iter()
        .map(|n| {
            if dir.is_empty() {
                n.to_string()
            } else {
                format!("{dir}/{n}")
            }
        })
        .find(|p| files.get(p).is_some())
}

fn is_remote(reference: &str) -> bool {
    reference.contains("://")
        || reference.starts_with("github.com/")
        || reference.starts_with("gitlab.com/")
        || reference.starts_with("bitbucket.org/")
        || reference.starts_with("git@")
        || reference.contains("?ref=")
}

fn local(dir: &str, reference: &str) -> Option<String> {
    if is_remote(reference) {
        return None;
    }
    join(dir, reference)
}

fn strings(node: Option<&Node>) -> Vec<String> {
    match node.map(|n| &n.value) {
        Some(Value::Seq(items)) => items.iter().filter_map(Node::scalar_text).collect(),
        _ => Vec::new(),
    }
}

/// `resources`, `bases` and `components` entries.
fn references(root: &Node) -> Vec<String> {
    ["resources", "bases", "components"]
        .iter()
        .flat_map(|key| strings(root.get(key)))
        .collect()
}

/// Files the patches of a kustomization name.
fn patch_files(root: &Node) -> Vec<String> {
    let mut found: Vec<String> = strings(root.get("patchesStrategicMerge"))
        .into_iter()
        .filter(|p| !p.contains('\n') && !p.contains(": "))
        .collect();
    for key in ["patches", "patchesJson6902"] {
        if let Some(Value::Seq(items)) = root.get(key).map(|n| &n.value) {
            found.extend(
                items
                    .iter()
                    .filter_map(|i| i.get("path"))
                    .filter_map(Node::scalar_text),
            );
        }
    }
    found
}

/// The objects an overlay deploys, and what could not be read.
#[derive(Debug, Default)]
pub struct Built {
    pub objects: Vec<Object>,
    pub notes: Vec<String>,
}

pub fn build(files: &Files<'_>, graph: &BTreeMap<String, Kustomization>, dir: &str) -> Built {
    let mut built = Built::default();
    let mut stack = Vec::new();
    built.objects = build_in(files, graph, dir, &mut stack, &mut built.notes);
    built
}

fn build_in(
    files: &Files<'_>,
    graph: &BTreeMap<String, Kustomization>,
    dir: &str,
    stack: &mut Vec<String>,
    notes: &mut Vec<String>,
) -> Vec<Object> {
    let Some(k) = graph.get(dir) else {
        return Vec::new();
    };
    if stack.len() >= MAX_DEPTH || stack.iter().any(|d| d == dir) {
        notes.push(format!(
            "`{}` not read again (a cycle, or bases nested too deep)",
            k.file
        ));
        return Vec::new();
    }
    stack.push(dir.to_string());
    let docs = files.docs(&k.file);
    let Some(root) = docs.docs.first().cloned() else {
        stack.pop();
        return Vec::new();
    };
    let mut objects = Vec::new();
    for reference in references(&root) {
        if is_remote(&reference) {
            notes.push(format!("remote base `{reference}` not read"));
            continue;
        }
        let Some(target) = join(dir, &reference) else {
            notes.push(format!(
                "`{reference}` is outside the audited root, not read"
            ));
            continue;
        };
        if graph.contains_key(&target) {
            objects.extend(build_in(files, graph, &target, stack, notes));
        } else if files.get(&target).is_some() {
            objects.extend(Object::all_parsed(&target, &files.docs(&target)));
        } else {
            notes.push(format!(
                "`{reference}` (from `{}`) not found or not read",
                k.file
            ));
        }
    }
    apply_patches(files, dir, &root, &mut objects, notes);
    apply_images(&root, &mut objects);
    apply_replicas(&root, &mut objects);
    stack.pop();
    objects
}

/// A patch's documents: from its file, or written inline.
fn patch_docs(files: &Files<'_>, dir: &str, entry: &Node, notes: &mut Vec<String>) -> Vec<Node> {
    if let Some(path) = entry.get("path").and_then(Node::scalar_text) {
        return match join(dir, &path).filter(|p| files.get(p).is_some()) {
            Some(p) => files.docs(&p).docs.clone(),
            None => {
                notes.push(format!("patch `{path}` not found or not read"));
                Vec::new()
            }
        };
    }
    match entry.get("patch").and_then(Node::scalar_text) {
        Some(inline) => Documents::parse(Format::Yaml, &inline).docs,
        None => Vec::new(),
    }
}

fn apply_patches(
    files: &Files<'_>,
    dir: &str,
    root: &Node,
    objects: &mut [Object],
    notes: &mut Vec<String>,
) {
    let mut patches: Vec<(Vec<Node>, Option<Node>)> = Vec::new();
    for entry in strings(root.get("patchesStrategicMerge")) {
        if entry.contains('\n') || entry.contains(": ") {
            patches.push((Documents::parse(Format::Yaml, &entry).docs, None));
        } else {
            let path = Node {
                value: Value::Map(vec![(
                    "path".into(),
                    Node {
                        value: Value::String(entry.into()),
                        line: None,
                    },
                )]),
                line: None,
            };
            patches.push((patch_docs(files, dir, &path, notes), None));
        }
    }
    for key in ["patches", "patchesJson6902"] {
        if let Some(Value::Seq(items)) = root.get(key).map(|n| &n.value) {
            for item in items {
                patches.push((
                    patch_docs(files, dir, item, notes),
                    item.get("target").cloned(),
                ));
            }
        }
    }
    for (docs, target) in patches {
        for doc in docs {
            let matched: Vec<usize> = objects
                .iter()
                .enumerate()
                .filter(|(_, o)| match &target {
                    Some(target) => targets(o.node(), target),
                    None => same_object(o.node(), &doc),
                })
                .map(|(i, _)| i)
                .collect();
            if matched.is_empty() {
                let what = target.as_ref().unwrap_or(&doc);
                notes.push(format!(
                    "a patch for {} `{}` matches no object",
                    what.get("kind")
                        .and_then(Node::scalar_text)
                        .unwrap_or_default(),
                    name_of(what).unwrap_or_default()
                ));
            }
            for i in matched {
                match &doc.value {
                    Value::Seq(_) => notes.extend(patch::json6902(objects[i].node_mut(), &doc)),
                    _ => patch::strategic_merge(objects[i].node_mut(), &doc),
                }
            }
        }
    }
}

fn name_of(node: &Node) -> Option<String> {
    node.get("metadata")
        .and_then(|m| m.get("name"))
        .or_else(|| node.get("name"))
        .and_then(Node::scalar_text)
}

fn kind_of(node: &Node) -> Option<String> {
    node.get("kind").and_then(Node::scalar_text)
}

fn same_object(object: &Node, patch: &Node) -> bool {
    kind_of(object) == kind_of(patch) && name_of(object) == name_of(patch)
}

/// Whether `object` is what a patch `target` selects (kind and name, the
/// name read as an anchored regex as kustomize does).
fn targets(object: &Node, target: &Node) -> bool {
    let kind_ok = match target.get("kind").and_then(Node::scalar_text) {
        Some(kind) => kind_of(object).as_deref() == Some(kind.as_str()),
        None => true,
    };
    let name_ok = match target.get("name").and_then(Node::scalar_text) {
        Some(name) => {
            let actual = name_of(object).unwrap_or_default();
            match Regex::new(&format!("^(?:{name})$")) {
                Ok(re) => re.is_match(&actual),
                Err(_) => actual == name,
            }
        }
        None => true,
    };
    kind_ok && name_ok
}

/// Where each workload kind keeps its container lists.
const CONTAINER_LISTS: &[&[&str]] = &[
    &["spec", "containers"],
    &["spec", "initContainers"],
    &["spec", "template", "spec", "containers"],
    &["spec", "template", "spec", "initContainers"],
    &[
        "spec",
        "jobTemplate",
        "spec",
        "template",
        "spec",
        "containers",
    ],
    &[
        "spec",
        "jobTemplate",
        "spec",
        "template",
        "spec",
        "initContainers",
    ],
];

fn for_each_container(node: &mut Node, f: &mut dyn FnMut(&mut Node)) {
    for path in CONTAINER_LISTS {
        if let Some(Node {
            value: Value::Seq(items),
            ..
        }) = get_path_mut(node, path)
        {
            items.iter_mut().for_each(&mut *f);
        }
    }
}

fn get_path_mut<'a>(node: &'a mut Node, path: &[&str]) -> Option<&'a mut Node> {
    let mut current = node;
    for key in path {
        current = match &mut current.value {
            Value::Map(entries) => entries
                .iter_mut()
                .find(|(k, _)| &**k == *key)
                .map(|(_, v)| v)?,
            _ => return None,
        };
    }
    Some(current)
}

/// `images:` entries: a new name, tag or digest for every container whose
/// image has the entry's name.
fn apply_images(root: &Node, objects: &mut [Object]) {
    let Some(Value::Seq(entries)) = root.get("images").map(|n| &n.value) else {
        return;
    };
    // Only objects with containers are changed (and so copied: see
    // `Object::node_mut`).
    let has_containers = |node: &Node| {
        CONTAINER_LISTS.iter().any(|path| {
            path.iter()
                .try_fold(node, |current, key| current.get(key))
                .is_some_and(|list| matches!(list.value, Value::Seq(_)))
        })
    };
    for object in objects.iter_mut().filter(|o| has_containers(o.node())) {
        for_each_container(object.node_mut(), &mut |container| {
            let Value::Map(fields) = &mut container.value else {
                return;
            };
            let Some((_, image)) = fields.iter_mut().find(|(k, _)| &**k == "image") else {
                return;
            };
            let Some(current) = image.scalar_text() else {
                return;
            };
            let (name, tag) = split_image(&current);
            for entry in entries {
                if entry.get("name").and_then(Node::scalar_text).as_deref() != Some(name) {
                    continue;
                }
                let new_name = entry
                    .get("newName")
                    .and_then(Node::scalar_text)
                    .unwrap_or_else(|| name.to_string());
                let suffix = if let Some(digest) = entry.get("digest").and_then(Node::scalar_text) {
                    format!("@{digest}")
                } else if let Some(tag) = entry.get("newTag").and_then(Node::scalar_text) {
                    format!(":{tag}")
                } else {
                    tag.to_string()
                };
                image.value = Value::String(format!("{new_name}{suffix}").into());
            }
        });
    }
}

/// `app:1.2` → (`app`, `:1.2`); `registry:5000/app@sha256:…` → (`registry:5000/app`, `@sha256:…`).
fn split_image(image: &str) -> (&str, &str) {
    if let Some(at) = image.find('@') {
        return (&image[..at], &image[at..]);
    }
    let slash = image.rfind('/').map_or(0, |i| i + 1);
    match image[slash..].rfind(':') {
        Some(colon) => (&image[..slash + colon], &image[slash + colon..]),
        None => (image, ""),
    }
}

/// `replicas:` entries set `spec.replicas` of the named workloads.
fn apply_replicas(root: &Node, objects: &mut [Object]) {
    let Some(Value::Seq(entries)) = root.get("replicas").map(|n| &n.value) else {
        return;
    };
    for entry in entries {
        let (Some(name), Some(count)) = (
            entry.get("name").and_then(Node::scalar_text),
            entry.get("count"),
        ) else {
            continue;
        };
        for object in objects
            .iter_mut()
            .filter(|o| name_of(o.node()).as_deref() == Some(&name))
        {
            let replicas = Node {
                value: count.value.clone(),
                line: None,
            };
            patch::strategic_merge(
                object.node_mut(),
                &Node {
                    value: Value::Map(vec![(
                        "spec".into(),
                        Node {
                            value: Value::Map(vec![("replicas".into(), replicas)]),
                            line: None,
                        },
                    )]),
                    line: None,
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_split_from_tags_and_digests() {
        assert_eq!(split_image("app:1.2"), ("app", ":1.2"));
        assert_eq!(split_image("registry:5000/app"), ("registry:5000/app", ""));
        assert_eq!(
            split_image("ghcr.io/x/app@sha256:ab"),
            ("ghcr.io/x/app", "@sha256:ab")
        );
    }

    #[test]
    fn remote_references_are_recognised() {
        for r in [
            "github.com/org/repo//deploy?ref=v1",
            "https://example.com/base.yaml",
            "git@github.com:org/repo.git",
        ] {
            assert!(is_remote(r), "{r}");
        }
        assert!(!is_remote("../../base"));
    }
}
