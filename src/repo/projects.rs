//! Sub-projects: every manifest (`package.json`, `go.mod`, `pyproject.toml`,
//! `Cargo.toml`, `pom.xml`, `build.gradle*`, `Gemfile`, ...) is a project
//! with its own directory, ecosystem and tooling. A monorepo is many of
//! them; a linter configured in `frontend/biome.json` belongs to the
//! `frontend` project.

use crate::model::Role;
use serde::Serialize;

/// Manifest file names and the ecosystem they declare.
pub const MANIFESTS: &[(&str, &str)] = &[
    ("package.json", "node"),
    ("go.mod", "go"),
    ("pyproject.toml", "python"),
    ("setup.py", "python"),
    ("Pipfile", "python"),
    ("Cargo.toml", "rust"),
    ("pom.xml", "java"),
    ("build.gradle", "jvm"),
    ("build.gradle.kts", "jvm"),
    ("Gemfile", "ruby"),
    ("composer.json", "php"),
];

/// Globs that select every manifest of [`MANIFESTS`].
pub fn manifest_globs() -> Vec<String> {
    MANIFESTS
        .iter()
        .map(|(name, _)| format!("**/{name}"))
        .collect()
}

/// One project of the repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Project {
    /// The folder, relative to the root (`.` for the root itself).
    pub dir: String,
    pub ecosystem: &'static str,
    /// The manifests that declare it, by path.
    pub manifests: Vec<String>,
    /// The role of its folder: a `package.json` of an end-to-end test suite
    /// is a test project.
    pub role: Role,
}

/// The projects declared by `manifests` (paths with their roles), one per
/// folder and ecosystem, sorted by folder. Manifests of third-party,
/// generated, fixture and example code declare no project of this
/// repository and are left out.
pub fn projects(manifests: &[(String, Role)]) -> Vec<Project> {
    let mut found: Vec<Project> = Vec::new();
    for (path, role) in manifests {
        if matches!(
            role,
            Role::Vendored | Role::Generated | Role::Fixture | Role::Example
        ) {
            continue;
        }
        let (dir, name) = match path.rsplit_once('/') {
            Some((dir, name)) => (dir, name),
            None => (".", path.as_str()),
        };
        let Some((_, ecosystem)) = MANIFESTS.iter().find(|(m, _)| *m == name) else {
            continue;
        };
        match found
            .iter_mut()
            .find(|p| p.dir == dir && p.ecosystem == *ecosystem)
        {
            Some(project) => project.manifests.push(path.clone()),
            None => found.push(Project {
                dir: dir.to_string(),
                ecosystem,
                manifests: vec![path.clone()],
                role: *role,
            }),
        }
    }
    for project in &mut found {
        project.manifests.sort();
    }
    found.sort_by(|a, b| a.dir.cmp(&b.dir).then(a.ecosystem.cmp(b.ecosystem)));
    found
}

/// The project a path belongs to: the one with the deepest folder that
/// contains it.
pub fn project_of<'a>(projects: &'a [Project], path: &str) -> Option<&'a Project> {
    projects
        .iter()
        .filter(|p| p.dir == "." || path.starts_with(&format!("{}/", p.dir)))
        .max_by_key(|p| if p.dir == "." { 0 } else { p.dir.len() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::roles::conventional_role;

    fn with_roles(paths: &[&str]) -> Vec<(String, Role)> {
        paths
            .iter()
            .map(|p| (p.to_string(), conventional_role(p)))
            .collect()
    }

    #[test]
    fn each_manifest_folder_is_a_project() {
        let found = projects(&with_roles(&[
            "go.mod",
            "frontend/package.json",
            "api/pyproject.toml",
            "api/setup.py",
            "e2e/package.json",
            "vendor/github.com/x/y/go.mod",
            "web/node_modules/left-pad/package.json",
            "testdata/app/package.json",
        ]));
        let summary: Vec<(&str, &str, Role)> = found
            .iter()
            .map(|p| (p.dir.as_str(), p.ecosystem, p.role))
            .collect();
        assert_eq!(
            summary,
            [
                (".", "go", Role::Production),
                ("api", "python", Role::Production),
                ("e2e", "node", Role::Test),
                ("frontend", "node", Role::Production),
            ]
        );
        assert_eq!(found[1].manifests, ["api/pyproject.toml", "api/setup.py"]);
    }

    #[test]
    fn a_path_belongs_to_the_deepest_project() {
        let found = projects(&with_roles(&["package.json", "apps/web/package.json"]));
        assert_eq!(
            project_of(&found, "apps/web/biome.json").unwrap().dir,
            "apps/web"
        );
        assert_eq!(project_of(&found, "apps/webby/x.ts").unwrap().dir, ".");
    }
}
