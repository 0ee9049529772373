//! Whether there is anything to audit at all.
//!
//! A folder holding only a README, notes or an empty tree has no
//! application: a readiness verdict on it would judge the checks that happen
//! to pass on nothing (no leaked key in an empty tree). The audit asks this
//! question first-hand, from the same walk as the checks, and the report
//! says what it looked for. An application is any of: a package manifest, a
//! source file in a known language, or a deployable artefact; the detected
//! stack (a language, a container tool) also counts, so the two never
//! disagree.

use crate::scan::{Evidence, PlanBuilder, SelectorId, SelectorSpec};
use crate::stack::Stack;
use serde::{Deserialize, Serialize};

/// Why there is nothing to audit, and what was looked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NothingToAudit {
    /// `no application found`.
    pub reason: String,
    /// What would have counted as an application.
    pub looked_for: Vec<String>,
}

/// The reason the verdict and the gate give.
pub const NO_APPLICATION: &str = "no application found";

/// Directories whose contents are not the audited project's own.
const NOT_THE_PROJECT: &[&str] = &[
    "**/node_modules/**",
    "**/vendor/**",
    "**/.venv/**",
    "**/venv/**",
    "**/third_party/**",
];

/// Package manifests and build files of the ecosystems people deploy.
const MANIFESTS: &[&str] = &[
    "**/package.json",
    "**/deno.json",
    "**/go.mod",
    "**/Cargo.toml",
    "**/pyproject.toml",
    "**/requirements*.txt",
    "**/setup.py",
    "**/setup.cfg",
    "**/Pipfile",
    "**/Gemfile",
    "**/*.gemspec",
    "**/pom.xml",
    "**/build.gradle",
    "**/build.gradle.kts",
    "**/composer.json",
    "**/*.csproj",
    "**/*.fsproj",
    "**/mix.exs",
    "**/Package.swift",
    "**/build.sbt",
    "**/CMakeLists.txt",
];

/// Source files of known languages.
const SOURCES: &[&str] = &[
    "**/*.go",
    "**/*.rs",
    "**/*.py",
    "**/*.js",
    "**/*.mjs",
    "**/*.cjs",
    "**/*.jsx",
    "**/*.ts",
    "**/*.tsx",
    "**/*.java",
    "**/*.kt",
    "**/*.rb",
    "**/*.php",
    "**/*.cs",
    "**/*.swift",
    "**/*.ex",
    "**/*.scala",
    "**/*.c",
    "**/*.cc",
    "**/*.cpp",
];

/// Tool configuration written in JavaScript (`commitlint.config.js`,
/// `.eslintrc.js`) is not an application.
const TOOL_CONFIG: &[&str] = &["**/*.config.*", "**/.*rc.*", "**/.*.js"];

/// What can be deployed without a manifest of its own.
const DEPLOYABLES: &[&str] = &[
    "**/Dockerfile",
    "**/Dockerfile.*",
    "**/*.Dockerfile",
    "**/Containerfile",
    "**/docker-compose*.yml",
    "**/docker-compose*.yaml",
    "**/compose.yml",
    "**/compose.yaml",
    "**/Chart.yaml",
    "**/kustomization.yaml",
    "**/Procfile",
    "**/fly.toml",
    "**/render.yaml",
    "**/vercel.json",
    "**/netlify.toml",
    "**/serverless.yml",
    // Infrastructure as code is what an infrastructure repository deploys.
    "**/*.tf",
];

/// What counts as an application, in words, for the report.
pub fn looked_for() -> Vec<String> {
    vec![
        "a package manifest (package.json, go.mod, Cargo.toml, pyproject.toml, requirements.txt, pom.xml, build.gradle, Gemfile, composer.json, *.csproj, …)".to_string(),
        "source code in a known language (.go, .rs, .py, .js, .ts, .java, .kt, .rb, .php, .cs, .swift, .ex, .scala, .c, .cpp)".to_string(),
        "a deployable artefact (Dockerfile, compose file, Helm chart, Kubernetes manifests, Procfile, fly.toml, render.yaml, vercel.json, netlify.toml, serverless.yml, Terraform)".to_string(),
    ]
}

/// Planned detection: handles into the evidence.
#[derive(Debug)]
pub struct ApplicationPlan {
    selectors: [SelectorId; 3],
}

impl ApplicationPlan {
    pub fn plan(plan: &mut PlanBuilder) -> ApplicationPlan {
        let mut source_exclude = NOT_THE_PROJECT.to_vec();
        source_exclude.extend_from_slice(TOOL_CONFIG);
        ApplicationPlan {
            selectors: [
                plan.selector(SelectorSpec::from_strs(MANIFESTS, NOT_THE_PROJECT)),
                plan.selector(SelectorSpec::from_strs(SOURCES, &source_exclude)),
                plan.selector(SelectorSpec::from_strs(DEPLOYABLES, NOT_THE_PROJECT)),
            ],
        }
    }

    /// `None` when an application was found; otherwise why there is
    /// nothing to audit.
    pub fn nothing_to_audit(&self, evidence: &Evidence, stack: &Stack) -> Option<NothingToAudit> {
        let found = self
            .selectors
            .iter()
            .any(|s| evidence.selector(*s).count > 0)
            || !stack.languages.is_empty()
            || !stack.containers.is_empty();
        (!found).then(|| NothingToAudit {
            reason: NO_APPLICATION.to_string(),
            looked_for: looked_for(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nothing(files: &[(&str, &str)]) -> Option<NothingToAudit> {
        let mut plan = PlanBuilder::new();
        let application = ApplicationPlan::plan(&mut plan);
        let plan = plan.build().unwrap();
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        let evidence = crate::scan::scan(dir.path(), &plan, &Default::default()).unwrap();
        application.nothing_to_audit(&evidence, &Stack::default())
    }

    #[test]
    fn a_readme_or_tool_configuration_is_no_application() {
        assert!(nothing(&[]).is_some());
        assert!(nothing(&[("README.md", "Nothing here yet")]).is_some());
        // Tool configuration and vendored code are not the project's own.
        assert!(
            nothing(&[
                ("commitlint.config.js", "module.exports = {}"),
                ("node_modules/x/index.js", "x"),
            ])
            .is_some()
        );
        let why = nothing(&[("notes.txt", "x")]).unwrap();
        assert_eq!(why.reason, NO_APPLICATION);
        assert_eq!(why.looked_for.len(), 3);
    }

    #[test]
    fn a_manifest_a_source_file_or_a_deployable_is_an_application() {
        for file in [
            "go.mod",
            "services/api/package.json",
            "main.py",
            "src/lib.rs",
            "Dockerfile",
            "deploy/docker-compose.yml",
            "infra/main.tf",
            "Procfile",
        ] {
            assert!(nothing(&[(file, "x")]).is_none(), "{file}");
        }
    }
}
