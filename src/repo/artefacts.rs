//! Production artefacts: which Dockerfiles build the image that runs in
//! production, and which Compose files (merged in the order Compose merges
//! them) describe the production deployment, each with the reason.
//!
//! A repository often holds several of each: a Debian package builder under
//! `packaging/`, a Playwright runner `Dockerfile.playwright`, a
//! devcontainer, a one-shot `docker-compose.cypress.yml` for end-to-end
//! tests, and a base `docker-compose.yml` with a `docker-compose.prod.yml`
//! overlay. Runtime rules (non-root user, healthcheck, restart policy) are
//! about the image and the services that run in production only.

use crate::model::Role;
use std::collections::BTreeMap;

/// Every file name a Dockerfile goes by.
pub const DOCKERFILES: &[&str] = &[
    "Dockerfile",
    "**/Dockerfile",
    "**/*.Dockerfile",
    "**/*.dockerfile",
    "**/Dockerfile.*",
    "**/dockerfile",
    "**/dockerfile.*",
    "Containerfile",
    "**/Containerfile",
    "**/Containerfile.*",
];

/// Files whose name matches [`DOCKERFILES`] but that are no Dockerfile: the
/// code that reads Dockerfiles (`dockerfile.rs`, `dockerfile.go`), its
/// documentation and data, and `.dockerignore` files.
pub const NOT_DOCKERFILES: &[&str] = &[
    "**/*.dockerignore",
    "**/[Dd]ockerfile.{rs,go,py,pyi,js,mjs,cjs,ts,tsx,jsx,java,kt,rb,php,cs,swift,scala,ex,exs}",
    "**/[Dd]ockerfile.{md,mdx,rst,txt,adoc,html,json,yaml,yml,toml,snap}",
    "**/[Dd]ockerfile.{test,spec}.{js,ts}",
];

/// Dockerfiles for development, tests and examples are not what ships; the
/// default selection leaves them out.
pub const DOCKERFILES_NOT_SHIPPED: &[&str] = &[
    "**/Dockerfile.dev",
    "**/Dockerfile.development",
    "**/Dockerfile.local",
    "**/Dockerfile.test",
    "**/Dockerfile.ci",
    "**/*.dev.Dockerfile",
    "**/*.dev.dockerfile",
    "**/dev.Dockerfile",
    "**/test/**",
    "**/tests/**",
    "**/testdata/**",
    "**/example/**",
    "**/examples/**",
    "**/fixtures/**",
    "**/.devcontainer/**",
    "**/node_modules/**",
    "**/vendor/**",
];

/// Every file name a Compose file goes by ([`is_compose_file`] decides).
pub const COMPOSE_FILES: &[&str] = &[
    "**/docker-compose.y*ml",
    "**/docker-compose.*.y*ml",
    "**/docker-compose-*.y*ml",
    "**/docker_compose*.y*ml",
    "**/compose.y*ml",
    "**/compose.*.y*ml",
];

/// Why a Dockerfile does not build the runtime image, or `None` when it
/// may: from its role and the tag in its name (`Dockerfile.<tag>`,
/// `<tag>.Dockerfile`).
pub fn dockerfile_not_runtime(path: &str, role: Role) -> Option<String> {
    let reason = match role {
        Role::Production => None,
        // `packaging/docker/alpine/Dockerfile` is the image the project
        // publishes, packaged like its .deb and .rpm but run as the service.
        Role::Packaging if in_image_folder(path) => None,
        Role::Packaging => Some("builds distribution packages"),
        Role::Test | Role::Fixture => Some("test image"),
        Role::DevTooling => Some("development environment"),
        Role::Docs => Some("documentation"),
        Role::Example => Some("example"),
        Role::Ci => Some("CI image"),
        Role::Generated | Role::Vendored | Role::I18n => Some("not the project's own"),
    };
    if let Some(reason) = reason {
        return Some(format!("{reason} ({role} file)"));
    }
    if let Some(extension) = dockerfile_tag(path).and_then(|tag| tag.rsplit('.').next())
        && TEMPLATE_EXTENSIONS.contains(&extension.to_ascii_lowercase().as_str())
    {
        return Some(format!(
            "template for generating Dockerfiles (`.{extension}`)"
        ));
    }
    // `docker/development/Dockerfile` says what it is in its folder.
    let words: Vec<String> = dockerfile_tag(path)
        .unwrap_or_default()
        .split(['.', '-', '_'])
        .chain(parent_folder(path))
        .map(|w| w.to_ascii_lowercase())
        .collect();
    let hit = |list: &[&str]| words.iter().find(|w| list.contains(&w.as_str())).cloned();
    if let Some(word) = hit(TEST_TAGS) {
        Some(format!("test runner (`{word}`)"))
    } else if let Some(word) = hit(DEV_TAGS) {
        Some(format!("development image (`{word}`)"))
    } else {
        hit(&["docs", "doc", "documentation"]).map(|word| format!("documentation image (`{word}`)"))
    }
}

/// The name of the folder holding `path`, if any.
/// Whether a folder on `path` names container images (`docker/`,
/// `container/`, `oci/`): under `packaging/` that is the published image, not
/// a recipe for distribution packages.
fn in_image_folder(path: &str) -> bool {
    let Some((dirs, _)) = path.rsplit_once('/') else {
        return false;
    };
    dirs.split('/').any(|dir| {
        matches!(
            dir.to_ascii_lowercase().as_str(),
            "docker" | "container" | "containers" | "oci" | "image" | "images"
        )
    })
}

fn parent_folder(path: &str) -> Option<&str> {
    let (dirs, _) = path.rsplit_once('/')?;
    Some(dirs.rsplit('/').next().unwrap_or(dirs))
}

/// `Dockerfile.playwright` → `playwright`, `e2e.Dockerfile` → `e2e`,
/// `dockerfile.sales` → `sales`; `None` for a plain `Dockerfile`.
pub(crate) fn dockerfile_tag(path: &str) -> Option<&str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    for prefix in [
        "dockerfile.",
        "containerfile.",
        "dockerfile-",
        "dockerfile_",
    ] {
        if lower.starts_with(prefix) {
            return Some(&name[prefix.len()..]);
        }
    }
    for suffix in [".dockerfile", ".containerfile"] {
        if lower.ends_with(suffix) {
            return Some(&name[..name.len() - suffix.len()]);
        }
    }
    None
}

/// Extensions of templates that generate Dockerfiles (`Dockerfile.j2`):
/// not buildable themselves, and their `FROM {{ base }}` is no image.
const TEMPLATE_EXTENSIONS: &[&str] = &[
    "j2", "jinja", "jinja2", "tmpl", "tpl", "template", "in", "erb", "mustache", "hbs",
];

/// Tags of images that run tests, lint or CI jobs once and exit.
const TEST_TAGS: &[&str] = &[
    "test",
    "tests",
    "testing",
    "ci",
    "e2e",
    "integration",
    "playwright",
    "cypress",
    "selenium",
    "lint",
    "check",
    "bench",
    "benchmark",
];

/// Tags of images and Compose files for a developer's machine.
const DEV_TAGS: &[&str] = &[
    "dev",
    "develop",
    "development",
    "local",
    "debug",
    "devcontainer",
    "override",
    "hot",
    "watch",
];

/// Tags of Compose overlays that turn the base file into the production
/// deployment.
const PRODUCTION_TAGS: &[&str] = &[
    "prod",
    "production",
    "deploy",
    "deployment",
    "release",
    "live",
    "swarm",
    "selfhost",
    "selfhosted",
    "self-hosted",
    "hosting",
];

/// Whether a file name is a Compose file: `docker-compose.yml`,
/// `compose.prod.yaml`, `docker_compose.yaml`, `docker-compose-dev.yml`.
pub fn is_compose_file(path: &str) -> bool {
    compose_parts(path).is_some()
}

/// The Compose file's tag (`prod` in `compose.prod.yaml`), `Some("")` for a
/// base file, `None` for a file that is no Compose file.
fn compose_parts(path: &str) -> Option<&str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name
        .strip_suffix(".yml")
        .or_else(|| name.strip_suffix(".yaml"))?;
    for base in ["docker-compose", "docker_compose", "compose"] {
        if let Some(rest) = stem.strip_prefix(base) {
            if rest.is_empty() {
                return Some("");
            }
            if let Some(tag) = rest.strip_prefix(['.', '-', '_'])
                && !tag.is_empty()
            {
                return Some(tag);
            }
        }
    }
    None
}

/// What a production-path Compose file's tag or folder says it runs: a
/// one-shot test run (`docker-compose.ci-test.yml`) or a developer's
/// machine (`compose.dev.yaml`, `docker/development/compose.yml`), with the
/// word that says so. `None` for deployments and for no Compose file.
pub fn compose_use(path: &str) -> Option<(Role, String)> {
    let tag = compose_parts(path)?;
    let words: Vec<String> = tag
        .split(['.', '-', '_'])
        .chain(parent_folder(path))
        .map(|w| w.to_ascii_lowercase())
        .collect();
    let has = |list: &[&str]| words.iter().find(|w| list.contains(&w.as_str())).cloned();
    has(TEST_TAGS)
        .map(|word| (Role::Test, word))
        .or_else(|| has(DEV_TAGS).map(|word| (Role::DevTooling, word)))
}

/// One Compose deployment as `docker compose -f a -f b` would read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposeChain {
    /// The files in merge order: base first, overlays after.
    pub files: Vec<String>,
    /// Why this chain is judged.
    pub reason: String,
}

/// A Compose file that is not judged, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unjudged {
    pub path: String,
    pub reason: String,
}

/// The Compose files a runtime rule judges, from `candidates` (paths with
/// their roles), grouped into chains, and those it leaves alone.
///
/// Per folder: a production overlay (`compose.prod.yaml`,
/// `docker-compose.deploy.yml`, ...) is merged onto the base file
/// (`compose.yaml`, `compose.yml`, `docker-compose.yaml`,
/// `docker-compose.yml`, the first Compose finds), and the base is then not
/// judged alone. Files for tests and development (by role or tag) are not
/// judged. Other tagged files (`docker-compose.postgres.yml`,
/// `compose.example.yml`) are judged on their own: they are alternatives a
/// guide may tell users to run.
pub fn compose_chains(candidates: &[(String, Role)]) -> (Vec<ComposeChain>, Vec<Unjudged>) {
    let mut folders: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    let mut unjudged = Vec::new();
    for (path, role) in candidates {
        let Some(tag) = compose_parts(path) else {
            continue;
        };
        if *role != Role::Production && *role != Role::Packaging {
            unjudged.push(Unjudged {
                path: path.clone(),
                reason: format!("{role} file"),
            });
            continue;
        }
        // `docker/development/compose.yml` says what it is in its folder.
        match compose_use(path) {
            Some((Role::Test, word)) => {
                unjudged.push(Unjudged {
                    path: path.clone(),
                    reason: format!("one-shot test run (`{word}`)"),
                });
                continue;
            }
            Some((_, word)) => {
                unjudged.push(Unjudged {
                    path: path.clone(),
                    reason: format!("local development (`{word}`)"),
                });
                continue;
            }
            None => {}
        }
        let folder = path.rsplit_once('/').map_or("", |(dir, _)| dir);
        folders.entry(folder).or_default().push((path, tag));
    }
    let mut chains = Vec::new();
    for (_, mut files) in folders {
        files.sort();
        let base_order = [
            "compose.yaml",
            "compose.yml",
            "docker-compose.yaml",
            "docker-compose.yml",
        ];
        let base = files
            .iter()
            .filter(|(_, tag)| tag.is_empty())
            .min_by_key(|(path, _)| {
                let name = path.rsplit('/').next().unwrap_or(path);
                base_order
                    .iter()
                    .position(|b| *b == name)
                    .unwrap_or(base_order.len())
            })
            .map(|(path, _)| *path);
        let overlays: Vec<&str> = files
            .iter()
            .filter(|(_, tag)| {
                tag.split(['.', '-', '_'])
                    .any(|w| PRODUCTION_TAGS.contains(&w.to_ascii_lowercase().as_str()))
            })
            .map(|(path, _)| *path)
            .collect();
        for (path, tag) in &files {
            if Some(*path) == base || overlays.contains(path) {
                continue;
            }
            if tag.is_empty() {
                unjudged.push(Unjudged {
                    path: path.to_string(),
                    reason: format!("Compose reads `{}` first", base.unwrap_or_default()),
                });
                continue;
            }
            chains.push(ComposeChain {
                files: vec![path.to_string()],
                reason: format!("alternative deployment (`{tag}`)"),
            });
        }
        match (base, overlays.is_empty()) {
            (Some(base), true) => chains.push(ComposeChain {
                files: vec![base.to_string()],
                reason: "base Compose file".to_string(),
            }),
            (Some(base), false) => {
                let mut chain = vec![base.to_string()];
                chain.extend(overlays.iter().map(|p| p.to_string()));
                chains.push(ComposeChain {
                    reason: format!(
                        "base file with production overlay {}",
                        overlays
                            .iter()
                            .map(|p| format!("`{p}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    files: chain,
                });
            }
            (None, _) => {
                for overlay in overlays {
                    chains.push(ComposeChain {
                        files: vec![overlay.to_string()],
                        reason: "production Compose file".to_string(),
                    });
                }
            }
        }
    }
    chains.sort_by(|a, b| a.files.cmp(&b.files));
    unjudged.sort_by(|a, b| a.path.cmp(&b.path));
    (chains, unjudged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_published_image_under_packaging_is_a_runtime_dockerfile() {
        for path in [
            "packaging/docker/alpine/Dockerfile",
            "packaging/docker/distroless/Dockerfile",
            "build/package/container/Dockerfile",
        ] {
            assert_eq!(
                dockerfile_not_runtime(path, Role::Packaging),
                None,
                "{path}"
            );
        }
        for path in ["packaging/debian/Dockerfile", "packaging/rpm/Dockerfile"] {
            assert_eq!(
                dockerfile_not_runtime(path, Role::Packaging).as_deref(),
                Some("builds distribution packages (packaging file)"),
                "{path}"
            );
        }
    }

    #[test]
    fn code_and_docs_named_like_a_dockerfile_are_not_dockerfiles() {
        let set = |globs: &[&str]| {
            let mut builder = globset::GlobSetBuilder::new();
            for glob in globs {
                builder.add(globset::Glob::new(glob).unwrap());
            }
            builder.build().unwrap()
        };
        let (named, not) = (set(DOCKERFILES), set(NOT_DOCKERFILES));
        let is_dockerfile = |path: &str| named.is_match(path) && !not.is_match(path);
        for path in [
            "Dockerfile",
            "dockerfile.sales",
            "docker/Dockerfile.alpine",
            "deploy/api.dockerfile",
            "Dockerfile.prod",
        ] {
            assert!(is_dockerfile(path), "{path}");
        }
        for path in [
            "src/dockerfile.rs",
            "src/rules/dockerfile.rs",
            "pkg/lint/dockerfile.go",
            "docs/Dockerfile.md",
            "web/dockerfile.test.ts",
            "Dockerfile.dockerignore",
        ] {
            assert!(!is_dockerfile(path), "{path}");
        }
    }

    #[test]
    fn test_runners_packaging_and_devcontainers_are_not_runtime_images() {
        let cases = [
            ("Dockerfile", Role::Production, false),
            ("docker/Dockerfile.alpine", Role::Production, false),
            ("dockerfile.sales", Role::Production, false),
            ("Dockerfile.playwright", Role::Production, true),
            ("ci.Dockerfile", Role::Production, true),
            ("Dockerfile.dev", Role::Production, true),
            (
                "docker/development/Dockerfile.gotenberg",
                Role::Production,
                true,
            ),
            ("docker/production/Dockerfile", Role::Production, false),
            ("docker/Dockerfile.j2", Role::Production, true),
            ("packaging/debian/Dockerfile", Role::Packaging, true),
            ("integration-test/Dockerfile", Role::Test, true),
            (".devcontainer/Dockerfile", Role::DevTooling, true),
        ];
        for (path, role, excluded) in cases {
            assert_eq!(
                dockerfile_not_runtime(path, role).is_some(),
                excluded,
                "{path}"
            );
        }
        assert_eq!(
            dockerfile_not_runtime("Dockerfile.playwright", Role::Production).unwrap(),
            "test runner (`playwright`)"
        );
    }

    #[test]
    fn compose_names() {
        for name in [
            "docker-compose.yml",
            "compose.yaml",
            "docker_compose.yaml",
            "compose.prod.yml",
            "deploy/docker-compose-prod.yaml",
        ] {
            assert!(is_compose_file(name), "{name}");
        }
        for name in ["composer.json", "compose.json", "docker-compose.md"] {
            assert!(!is_compose_file(name), "{name}");
        }
    }

    fn production(paths: &[&str]) -> Vec<(String, Role)> {
        paths
            .iter()
            .map(|p| (p.to_string(), crate::repo::roles::conventional_role(p)))
            .collect()
    }

    #[test]
    fn a_production_overlay_is_merged_onto_its_base() {
        let (chains, unjudged) = compose_chains(&production(&[
            "docker-compose.yml",
            "docker-compose.prod.yml",
            "docker-compose.cypress.yml",
            "docker-compose.dev.yml",
            "tests/docker-compose.yml",
            "docker/development/compose.yml",
        ]));
        assert_eq!(chains.len(), 1, "{chains:?}");
        assert_eq!(
            chains[0].files,
            ["docker-compose.yml", "docker-compose.prod.yml"]
        );
        let skipped: Vec<&str> = unjudged.iter().map(|u| u.path.as_str()).collect();
        assert_eq!(
            skipped,
            [
                "docker-compose.cypress.yml",
                "docker-compose.dev.yml",
                "docker/development/compose.yml",
                "tests/docker-compose.yml"
            ]
        );
    }

    #[test]
    fn alternatives_and_lone_files_are_judged_alone() {
        let (chains, _) = compose_chains(&production(&[
            "compose.swarm.yml",
            "deploy/docker-compose.yaml",
            "deploy/docker-compose.postgres.yaml",
        ]));
        let files: Vec<Vec<String>> = chains.into_iter().map(|c| c.files).collect();
        assert_eq!(
            files,
            [
                vec!["compose.swarm.yml".to_string()],
                vec!["deploy/docker-compose.postgres.yaml".to_string()],
                vec!["deploy/docker-compose.yaml".to_string()],
            ]
        );
    }
}
