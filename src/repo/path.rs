//! Repository-relative paths. A pipeline, a Compose file or a kustomization
//! names other files relative to itself; following such a reference must
//! never leave the audited root, because everything inside the repository
//! is hostile input.

/// `dir` joined with the relative `path`, `.` and `..` resolved; `None` when
/// the result would leave the repository (too many `..`) or `path` is
/// absolute.
pub fn join(dir: &str, path: &str) -> Option<String> {
    if path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// Whether `path` is the folder `dir` or inside it; every path is inside
/// the root, `""`. Allocation-free: monorepo audits ask it millions of
/// times.
pub fn within(path: &str, dir: &str) -> bool {
    dir.is_empty()
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::{join, within};

    #[test]
    fn within_means_the_folder_or_below_it() {
        assert!(within("web/src/a.ts", "web"));
        assert!(within("web", "web"));
        assert!(within("anything", ""));
        assert!(!within("website/a.ts", "web"));
        assert!(!within("web", "web/src"));
    }

    #[test]
    fn joins_stay_inside_the_repository() {
        assert_eq!(
            join("web", "./scripts/t.sh").as_deref(),
            Some("web/scripts/t.sh")
        );
        assert_eq!(join("web", "../Makefile").as_deref(), Some("Makefile"));
        assert_eq!(
            join("k8s/overlays/prod", "../../base").as_deref(),
            Some("k8s/base")
        );
        assert_eq!(join("", "deploy.yaml").as_deref(), Some("deploy.yaml"));
        assert_eq!(join("", "../x"), None);
        assert_eq!(join("k8s", "../../etc/passwd"), None);
        assert_eq!(join("", "/etc/passwd"), None);
        assert_eq!(join("a//b/", "c").as_deref(), Some("a/b/c"));
    }
}
