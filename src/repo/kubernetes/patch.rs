//! Kustomize's two patch forms, applied to parsed objects: strategic merge
//! patches (Kubernetes' merge by list keys, for the fields the checks read:
//! containers by `name`, ports by `containerPort`, mounts by `mountPath`)
//! and JSON 6902 operations (`add`, `replace`, `remove`).
//!
//! Nodes a patch adds lose their line: it would be a line of the patch
//! file, and findings point at the object's own file.

use crate::document::{Node, Value};

/// The key Kubernetes merges the items of a list field by; other lists
/// are replaced whole.
fn merge_key(field: &str) -> Option<&'static str> {
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "volumes"
        | "env"
        | "imagePullSecrets" => "name",
        "ports" => "containerPort",
        "volumeMounts" | "volumeDevices" => "mountPath",
        "hostAliases" => "ip",
        _ => return None,
    })
}

/// Applies a strategic merge patch to `base`.
pub fn strategic_merge(base: &mut Node, patch: &Node) {
    merge(base, patch, None);
}

fn merge(base: &mut Node, patch: &Node, field: Option<&str>) {
    match (&mut base.value, &patch.value) {
        (Value::Map(entries), Value::Map(more)) => {
            if more
                .iter()
                .any(|(k, v)| &**k == "$patch" && v.scalar_text().as_deref() == Some("replace"))
            {
                *base = unlined(patch);
                return;
            }
            for (key, node) in more {
                if key.starts_with('$') {
                    continue;
                }
                let deleted = matches!(node.value, Value::Null)
                    || node.get("$patch").and_then(Node::scalar_text).as_deref() == Some("delete");
                match entries.iter().position(|(k, _)| k == key) {
                    Some(i) if deleted => {
                        entries.remove(i);
                    }
                    Some(i) => merge(&mut entries[i].1, node, Some(key)),
                    None if deleted => {}
                    None => entries.push((key.clone(), unlined(node))),
                }
            }
        }
        (Value::Seq(items), Value::Seq(more)) => match field.and_then(merge_key) {
            Some(key) => {
                for item in more {
                    let id = item.get(key).and_then(Node::scalar_text);
                    let position = id.as_ref().and_then(|id| {
                        items.iter().position(|i| {
                            i.get(key).and_then(Node::scalar_text).as_ref() == Some(id)
                        })
                    });
                    let delete =
                        item.get("$patch").and_then(Node::scalar_text).as_deref() == Some("delete");
                    match (position, delete) {
                        (Some(i), true) => {
                            items.remove(i);
                        }
                        (Some(i), false) => merge(&mut items[i], item, None),
                        (None, true) => {}
                        (None, false) => items.push(unlined(item)),
                    }
                }
            }
            None => *base = unlined(patch),
        },
        _ => *base = unlined(patch),
    }
}

/// A copy of `node` with no lines.
fn unlined(node: &Node) -> Node {
    let value = match &node.value {
        Value::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), unlined(v)))
                .collect(),
        ),
        Value::Seq(items) => Value::Seq(items.iter().map(unlined).collect()),
        other => other.clone(),
    };
    Node { value, line: None }
}

/// Applies JSON 6902 operations; returns what could not be applied.
pub fn json6902(base: &mut Node, ops: &Node) -> Vec<String> {
    let mut problems = Vec::new();
    let Value::Seq(ops) = &ops.value else {
        return vec!["a JSON 6902 patch is a list of operations".into()];
    };
    for op in ops {
        let kind = op.get("op").and_then(Node::scalar_text).unwrap_or_default();
        let Some(path) = op.get("path").and_then(Node::scalar_text) else {
            problems.push(format!("`{kind}` without a path"));
            continue;
        };
        let segments: Vec<String> = path
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        let Some((last, parents)) = segments.split_last() else {
            problems.push(format!("`{kind}` of the whole object"));
            continue;
        };
        let Some(parent) = walk(base, parents) else {
            problems.push(format!("`{path}` does not exist"));
            continue;
        };
        let value = op.get("value").map(unlined);
        let applied = match (kind.as_str(), &mut parent.value, value) {
            ("add" | "replace", Value::Map(entries), Some(value)) => {
                match entries.iter_mut().find(|(k, _)| **k == **last) {
                    Some((_, slot)) => {
                        *slot = value;
                        true
                    }
                    None if kind == "add" => {
                        entries.push((last.as_str().into(), value));
                        true
                    }
                    None => false,
                }
            }
            ("add", Value::Seq(items), Some(value)) => {
                if last == "-" {
                    items.push(value);
                    true
                } else if let Some(i) = last.parse::<usize>().ok().filter(|i| *i <= items.len()) {
                    items.insert(i, value);
                    true
                } else {
                    false
                }
            }
            ("replace", Value::Seq(items), Some(value)) => {
                match last.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                    Some(slot) => {
                        *slot = value;
                        true
                    }
                    None => false,
                }
            }
            ("remove", Value::Map(entries), _) => {
                let before = entries.len();
                entries.retain(|(k, _)| **k != **last);
                entries.len() < before
            }
            ("remove", Value::Seq(items), _) => {
                match last.parse::<usize>().ok().filter(|i| *i < items.len()) {
                    Some(i) => {
                        items.remove(i);
                        true
                    }
                    None => false,
                }
            }
            _ => false,
        };
        if !applied {
            problems.push(format!("`{kind} {path}` not applied"));
        }
    }
    problems
}

fn walk<'a>(node: &'a mut Node, path: &[String]) -> Option<&'a mut Node> {
    let Some((first, rest)) = path.split_first() else {
        return Some(node);
    };
    let next = match &mut node.value {
        Value::Map(entries) => entries
            .iter_mut()
            .find(|(k, _)| **k == **first)
            .map(|(_, v)| v),
        Value::Seq(items) => first.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
        _ => None,
    }?;
    walk(next, rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Documents, Format};

    fn node(yaml: &str) -> Node {
        Documents::parse(Format::Yaml, yaml).docs.remove(0)
    }

    const BASE: &str = "spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: api
          image: api:1.0
          ports: [{ containerPort: 8080 }]
        - name: proxy
          image: envoy:1.30
";

    /// The containers of a Deployment-shaped node.
    fn containers(object: &Node) -> &[Node] {
        let containers = ["spec", "template", "spec", "containers"]
            .iter()
            .try_fold(object, |node, key| node.get(key))
            .expect("spec/template/spec/containers");
        let Value::Seq(items) = &containers.value else {
            panic!("containers is not a list")
        };
        items
    }

    #[test]
    fn strategic_merge_merges_containers_by_name() {
        let mut base = node(BASE);
        strategic_merge(
            &mut base,
            &node(
                "spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: api
          readinessProbe: { httpGet: { path: /ready, port: 8080 } }
        - name: proxy
          $patch: delete
",
            ),
        );
        let items = containers(&base);
        assert_eq!(items.len(), 1);
        assert_eq!(
            items[0].get("image").unwrap().scalar_text().unwrap(),
            "api:1.0"
        );
        assert!(items[0].get("readinessProbe").unwrap().line.is_none());
        assert!(items[0].get("image").unwrap().line.is_some());
        assert_eq!(
            base.get("spec")
                .unwrap()
                .get("replicas")
                .unwrap()
                .scalar_text()
                .unwrap(),
            "3"
        );
    }

    #[test]
    fn json6902_adds_replaces_and_removes() {
        let mut base = node(BASE);
        let problems = json6902(
            &mut base,
            &node(
                "- { op: add, path: /spec/template/spec/containers/0/resources, value: { limits: { memory: 1Gi } } }
- { op: replace, path: /spec/replicas, value: 2 }
- { op: remove, path: /spec/template/spec/containers/1 }
- { op: remove, path: /spec/nothing/here }
",
            ),
        );
        assert_eq!(problems, ["`/spec/nothing/here` does not exist"]);
        let spec = base.get("spec").unwrap();
        assert_eq!(spec.get("replicas").unwrap().scalar_text().unwrap(), "2");
        let items = containers(&base);
        assert_eq!(items.len(), 1);
        assert!(items[0].get("resources").is_some());
    }
}
