//! Stack detection: which languages, frameworks, package managers, CI
//! systems, container tooling and databases a repository uses, and whether it
//! is a service or a library.
//!
//! Detection rides on the audit's single walk: it registers path selectors
//! (and asks for small manifests to be kept) in the same [`PlanBuilder`] as
//! the checks, then reads the [`Evidence`]. Checks use the result through the
//! `stack` rule kind in `when:`, so a Go service is not failed for lacking
//! `package.json` scripts, and neither a library nor a command-line tool is
//! failed for lacking a health endpoint or an on-call rota.

use crate::document::{Documents, Value};
use crate::scan::{
    Evidence, KeptFile, PatternId, PatternOptions, PlanBuilder, SelectorId, SelectorSpec,
};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::cell::OnceCell;
use std::collections::BTreeSet;

/// The detected stack as the rules read it: detected once per audit and
/// attached to the evidence by the engine, right after the scan.
pub trait StackFact {
    fn stack(&self) -> Option<&Stack>;
}

impl StackFact for Evidence {
    fn stack(&self) -> Option<&Stack> {
        self.fact::<Stack>()
    }
}

/// What the audited repository is built with. Every list holds ids (see
/// [`KNOWN`]), sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stack {
    pub languages: Vec<String>,
    pub frameworks: Vec<String>,
    pub package_managers: Vec<String>,
    /// Lockfiles found, as paths (at most a few, shallowest first).
    pub lockfiles: Vec<String>,
    pub ci: Vec<String>,
    pub containers: Vec<String>,
    pub databases: Vec<String>,
    pub kind: ProjectKind,
}

/// Whether the repository runs as a service (something that listens and is
/// deployed), is a command-line tool people run, or a library.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ProjectKind {
    Service,
    Library,
    /// Deployed as functions on a platform (Vercel, Netlify, Cloudflare
    /// Workers, AWS Lambda via Serverless/SAM): no image, no probes.
    Serverless,
    /// A command-line tool: an executable entry point (a Cargo binary, Go's
    /// `package main`, a Python console script, an npm `bin`) and no sign of
    /// serving. People run it; nobody operates it.
    Cli,
    #[default]
    Unknown,
}

impl ProjectKind {
    pub fn id(self) -> &'static str {
        match self {
            ProjectKind::Service => "service",
            ProjectKind::Library => "library",
            ProjectKind::Serverless => "serverless",
            ProjectKind::Cli => "cli",
            ProjectKind::Unknown => "unknown",
        }
    }
}

/// The categories of detection, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Facet {
    Languages,
    Frameworks,
    PackageManagers,
    Ci,
    Containers,
    Databases,
}

impl Facet {
    pub const ALL: [Facet; 6] = [
        Facet::Languages,
        Facet::Frameworks,
        Facet::PackageManagers,
        Facet::Ci,
        Facet::Containers,
        Facet::Databases,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Facet::Languages => "languages",
            Facet::Frameworks => "frameworks",
            Facet::PackageManagers => "package_managers",
            Facet::Ci => "ci",
            Facet::Containers => "containers",
            Facet::Databases => "databases",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Facet::Languages => "Languages",
            Facet::Frameworks => "Frameworks",
            Facet::PackageManagers => "Package managers",
            Facet::Ci => "CI",
            Facet::Containers => "Containers",
            Facet::Databases => "Databases",
        }
    }
}

/// Every id detection can report, per facet: what `when: { stack: … }`
/// accepts.
pub const KNOWN: &[(Facet, &[&str])] = &[
    (
        Facet::Languages,
        &[
            "go",
            "rust",
            "node",
            "typescript",
            "python",
            "java",
            "kotlin",
            "ruby",
        ],
    ),
    (
        Facet::Frameworks,
        &[
            "express",
            "nextjs",
            "nestjs",
            "fastify",
            "koa",
            "hono",
            "fastapi",
            "django",
            "flask",
            "gin",
            "echo",
            "fiber",
            "chi",
            "gorilla",
            "spring",
            "quarkus",
            "micronaut",
            "rails",
            "sinatra",
            "actix",
            "axum",
            "rocket",
            "warp",
        ],
    ),
    (
        Facet::PackageManagers,
        &[
            "go-modules",
            "cargo",
            "npm",
            "yarn",
            "pnpm",
            "bun",
            "pip",
            "poetry",
            "uv",
            "pipenv",
            "maven",
            "gradle",
            "bundler",
        ],
    ),
    (
        Facet::Ci,
        &[
            "github-actions",
            "gitlab-ci",
            "circleci",
            "jenkins",
            "azure-pipelines",
            "bitbucket-pipelines",
            "travis",
            "buildkite",
            "drone",
            "woodpecker",
        ],
    ),
    (
        Facet::Containers,
        &["docker", "compose", "kubernetes", "helm", "kustomize"],
    ),
    (
        Facet::Databases,
        &["postgresql", "mysql", "redis", "mongodb", "sqlite"],
    ),
];

impl Stack {
    pub fn facet(&self, facet: Facet) -> &[String] {
        match facet {
            Facet::Languages => &self.languages,
            Facet::Frameworks => &self.frameworks,
            Facet::PackageManagers => &self.package_managers,
            Facet::Ci => &self.ci,
            Facet::Containers => &self.containers,
            Facet::Databases => &self.databases,
        }
    }

    pub fn is_empty(&self) -> bool {
        Facet::ALL.iter().all(|f| self.facet(*f).is_empty())
    }
}

/// Directories whose contents say nothing about the project's own stack.
const NOT_THE_PROJECT: &[&str] = &[
    "**/node_modules/**",
    "**/vendor/**",
    "**/testdata/**",
    "**/fixtures/**",
    "**/examples/**",
    "**/example/**",
    "**/third_party/**",
    "**/.venv/**",
    "**/venv/**",
];

/// Files detection looks for: (id, globs). Presence is enough.
const PRESENCE: &[(&str, &[&str])] = &[
    ("go.mod", &["go.mod", "**/go.mod"]),
    ("go.src", &["**/*.go"]),
    ("go.main", &["main.go", "**/main.go", "cmd/**"]),
    ("cargo", &["Cargo.toml", "**/Cargo.toml"]),
    (
        "rust.main",
        &["src/main.rs", "**/src/main.rs", "src/bin/*.rs"],
    ),
    ("rust.lib", &["src/lib.rs", "**/src/lib.rs"]),
    ("package.json", &["package.json", "**/package.json"]),
    (
        "js.src",
        &[
            "**/*.js", "**/*.mjs", "**/*.cjs", "**/*.jsx", "**/*.ts", "**/*.tsx", "**/*.mts",
        ],
    ),
    (
        "ts",
        &["tsconfig.json", "**/tsconfig.json", "**/*.ts", "**/*.tsx"],
    ),
    (
        "python.manifest",
        &[
            "pyproject.toml",
            "**/pyproject.toml",
            "requirements*.txt",
            "**/requirements*.txt",
            "requirements/*.txt",
            "**/requirements/*.txt",
            "setup.py",
            "setup.cfg",
            "Pipfile",
        ],
    ),
    ("python.src", &["**/*.py"]),
    (
        "java.build",
        &[
            "pom.xml",
            "**/pom.xml",
            "build.gradle",
            "**/build.gradle",
            "build.gradle.kts",
            "**/build.gradle.kts",
        ],
    ),
    ("java.src", &["**/*.java"]),
    ("kotlin.src", &["**/*.kt", "**/*.kts"]),
    (
        "ruby",
        &[
            "Gemfile",
            "**/Gemfile",
            "*.gemspec",
            "Rakefile",
            "config.ru",
        ],
    ),
    ("ruby.src", &["**/*.rb"]),
    ("gemspec", &["*.gemspec"]),
    ("procfile", &["Procfile"]),
    // Functions platforms: the platform runs the code, not a container.
    (
        "serverless",
        &[
            "vercel.json",
            "netlify.toml",
            "wrangler.toml",
            "wrangler.json",
            "wrangler.jsonc",
            "serverless.yml",
            "serverless.yaml",
            "serverless.ts",
            "samconfig.toml",
        ],
    ),
    // Package managers, by lockfile or manifest.
    ("lock.go-modules", &["go.sum", "**/go.sum"]),
    ("lock.cargo", &["Cargo.lock", "**/Cargo.lock"]),
    (
        "lock.npm",
        &[
            "package-lock.json",
            "**/package-lock.json",
            "npm-shrinkwrap.json",
        ],
    ),
    ("lock.yarn", &["yarn.lock", "**/yarn.lock"]),
    ("lock.pnpm", &["pnpm-lock.yaml", "**/pnpm-lock.yaml"]),
    (
        "lock.bun",
        &["bun.lockb", "bun.lock", "**/bun.lockb", "**/bun.lock"],
    ),
    ("lock.poetry", &["poetry.lock", "**/poetry.lock"]),
    ("lock.uv", &["uv.lock", "**/uv.lock"]),
    ("lock.pipenv", &["Pipfile.lock", "**/Pipfile.lock"]),
    ("lock.bundler", &["Gemfile.lock", "**/Gemfile.lock"]),
    (
        "pm.pip",
        &[
            "requirements*.txt",
            "**/requirements*.txt",
            "requirements/*.txt",
            "**/requirements/*.txt",
        ],
    ),
    ("pm.maven", &["pom.xml", "**/pom.xml"]),
    (
        "pm.gradle",
        &[
            "build.gradle",
            "build.gradle.kts",
            "**/build.gradle",
            "**/build.gradle.kts",
        ],
    ),
    // Containers and orchestration.
    ("containers.helm", &["Chart.yaml", "**/Chart.yaml"]),
    (
        "containers.kustomize",
        &[
            "kustomization.yaml",
            "**/kustomization.yaml",
            "kustomization.yml",
            "**/kustomization.yml",
        ],
    ),
];

/// Manifests read for frameworks and database drivers.
const MANIFESTS: &[&str] = &[
    "package.json",
    "**/package.json",
    "go.mod",
    "**/go.mod",
    "Cargo.toml",
    "**/Cargo.toml",
    "pyproject.toml",
    "**/pyproject.toml",
    "requirements*.txt",
    "**/requirements*.txt",
    "requirements/*.txt",
    "**/requirements/*.txt",
    "Pipfile",
    "setup.py",
    "setup.cfg",
    "Gemfile",
    "**/Gemfile",
    "pom.xml",
    "**/pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "**/build.gradle",
    "**/build.gradle.kts",
    ".env.example",
    ".env.sample",
    ".env.template",
    "**/.env.example",
    "schema.prisma",
    "**/schema.prisma",
];

/// Compose files, also read for database images.
pub const COMPOSE_FILES: &[&str] = &[
    "docker-compose.yml",
    "docker-compose.yaml",
    "compose.yml",
    "compose.yaml",
    "**/docker-compose.yml",
    "**/docker-compose.yaml",
    "**/compose.yml",
    "**/compose.yaml",
    "docker-compose.*.yml",
    "docker-compose.*.yaml",
    "**/docker-compose.*.yml",
    "**/docker-compose.*.yaml",
    "**/docker-compose-*.y*ml",
    "**/docker_compose*.y*ml",
    "**/compose.*.y*ml",
];

/// YAML files that may be Kubernetes manifests: the repository model's
/// selection ([`crate::repo::kubernetes::FILES`] and `EXCLUDE`; tests, docs
/// and examples are left out by role, detection reads the stack's roles),
/// less what only counts once rendered or applied: chart templates, patches
/// and overlays.
pub const KUBERNETES_FILES: &[&str] = crate::repo::kubernetes::FILES;
const KUBERNETES_NOT_AS_WRITTEN: &[&str] = &[
    "**/templates/**",
    "**/*docker_compose*",
    "**/compose.*.y*ml",
    "**/*patch*",
    "**/overlays/**",
];

/// Kinds that make a YAML document a Kubernetes manifest.
const KUBERNETES_KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "Pod",
    "ReplicaSet",
    "Service",
    "Ingress",
    "ConfigMap",
    "Secret",
    "HorizontalPodAutoscaler",
    "PersistentVolumeClaim",
    "NetworkPolicy",
];

/// Source code that starts a network server (a service, not a library).
const LISTENS: &str = r"(?x)
    http\.ListenAndServe|\.ListenAndServe(TLS)?\(|\.Listen\(\s*[\x22']:|\br\.Run\(
  | \bapp\.listen\(|\bserver\.listen\(|\.listen\(\s*(PORT|port|process\.env)
  | uvicorn\.run\(|\bapp\.run\(|gunicorn
  | HttpServer::new|axum::serve|axum::Server|warp::serve|rocket::build|TcpListener::bind
  | SpringApplication\.run|@SpringBootApplication
";

/// Planned detection: handles into the evidence.
#[derive(Debug)]
pub struct StackPlan {
    presence: Vec<(&'static str, SelectorId)>,
    docker: SelectorId,
    compose: SelectorId,
    kubernetes: SelectorId,
    manifests: SelectorId,
    listens: PatternId,
}

fn selector(include: &[&str]) -> SelectorSpec {
    SelectorSpec::from_strs(include, NOT_THE_PROJECT)
}

impl StackPlan {
    /// The kept files detection parses as documents (Compose files and
    /// Kubernetes manifests).
    pub fn document_selectors(&self) -> [SelectorId; 2] {
        [self.compose, self.kubernetes]
    }

    pub fn plan(plan: &mut PlanBuilder) -> StackPlan {
        let presence = PRESENCE
            .iter()
            .map(|(id, globs)| {
                let spec = if *id == "js.src" {
                    // Tool configuration is JavaScript too, but a Go
                    // repository with `commitlint.config.js` is no Node project.
                    let mut exclude = NOT_THE_PROJECT.to_vec();
                    exclude.extend_from_slice(&["**/*.config.*", "**/.*rc.*", "**/.*.js"]);
                    SelectorSpec::from_strs(globs, &exclude)
                } else {
                    selector(globs)
                };
                (*id, plan.selector(spec))
            })
            .collect();
        let mut docker_exclude = crate::repo::artefacts::DOCKERFILES_NOT_SHIPPED.to_vec();
        docker_exclude.extend_from_slice(NOT_THE_PROJECT);
        docker_exclude.extend_from_slice(crate::repo::artefacts::NOT_DOCKERFILES);
        let docker = plan.keep_contents(SelectorSpec::from_strs(
            crate::repo::artefacts::DOCKERFILES,
            &docker_exclude,
        ));
        let compose = plan.keep_contents(selector(COMPOSE_FILES));
        let mut kubernetes_exclude = crate::repo::kubernetes::EXCLUDE.to_vec();
        kubernetes_exclude.extend_from_slice(KUBERNETES_NOT_AS_WRITTEN);
        let kubernetes = plan.keep_contents(SelectorSpec::from_strs(
            KUBERNETES_FILES,
            &kubernetes_exclude,
        ));
        let manifests = plan.keep_contents(selector(MANIFESTS));
        let sources = plan.selector(SelectorSpec::from_strs(
            &[
                "**/*.go",
                "**/*.js",
                "**/*.mjs",
                "**/*.ts",
                "**/*.py",
                "**/*.rs",
                "**/*.java",
                "**/*.kt",
                "**/*.rb",
            ],
            &[
                "**/node_modules/**",
                "**/vendor/**",
                "**/*_test.go",
                "**/test/**",
                "**/tests/**",
                "**/*.test.*",
                "**/*.spec.*",
                "**/testdata/**",
                "**/fixtures/**",
                "**/examples/**",
            ],
        ));
        // A server is started by code: the same words in a string or a
        // comment (a detector's patterns, a commented-out call) start none.
        let mut listen_options = PatternOptions::new("stack.detect");
        listen_options.filter = Some(std::sync::Arc::new(crate::scan::HitFilter {
            token: vec![crate::scan::Token::Code],
            ..Default::default()
        }));
        let listens = plan.pattern(sources, LISTENS, listen_options);
        StackPlan {
            presence,
            docker,
            compose,
            kubernetes,
            manifests,
            listens,
        }
    }

    fn count(&self, evidence: &Evidence, id: &str) -> usize {
        self.presence
            .iter()
            .find(|(name, _)| *name == id)
            .map_or(0, |(_, s)| evidence.selector(*s).count)
    }

    fn has(&self, evidence: &Evidence, id: &str) -> bool {
        self.count(evidence, id) > 0
    }

    pub fn detect(&self, evidence: &Evidence) -> Stack {
        let has = |id: &str| self.has(evidence, id);
        let count = |id: &str| self.count(evidence, id);
        let mut languages = BTreeSet::new();
        let mut frameworks = BTreeSet::new();
        let mut package_managers = BTreeSet::new();
        let mut containers = BTreeSet::new();
        let mut databases = BTreeSet::new();

        // A language counts when its manifest is there, or when there is
        // enough source code to be more than a helper script.
        if has("go.mod") || count("go.src") >= 5 {
            languages.insert("go");
        }
        if has("cargo") {
            languages.insert("rust");
        }
        // A package.json for tooling (commit hooks, say) does not make a Go
        // repository a Node project: it needs JavaScript or TypeScript code.
        let js_sources = count("js.src");
        if (has("package.json") && js_sources > 0) || js_sources >= 5 {
            languages.insert("node");
            if has("ts") {
                languages.insert("typescript");
            }
        }
        if has("python.manifest") || count("python.src") >= 5 {
            languages.insert("python");
        }
        if has("java.build") && (has("java.src") || !has("kotlin.src")) || count("java.src") >= 5 {
            languages.insert("java");
        }
        if has("kotlin.src") && (has("java.build") || count("kotlin.src") >= 5) {
            languages.insert("kotlin");
        }
        if has("ruby") || count("ruby.src") >= 5 {
            languages.insert("ruby");
        }

        for (id, _) in &self.presence {
            if let Some(tool) = id.strip_prefix("containers.")
                && has(id)
            {
                containers.insert(tool);
            }
            if let Some(manager) = id.strip_prefix("lock.").or(id.strip_prefix("pm."))
                && has(id)
            {
                package_managers.insert(manager);
            }
        }
        if languages.contains("go") {
            package_managers.insert("go-modules");
        }
        if languages.contains("rust") {
            package_managers.insert("cargo");
        }
        if languages.contains("node")
            && !["yarn", "pnpm", "bun"]
                .iter()
                .any(|m| package_managers.contains(m))
        {
            package_managers.insert("npm");
        }
        if languages.contains("python")
            && !["poetry", "uv", "pipenv"]
                .iter()
                .any(|m| package_managers.contains(m))
        {
            package_managers.insert("pip");
        }
        if languages.contains("ruby") && has("ruby") {
            package_managers.insert("bundler");
        }

        let mut dockerfile_exposes = false;
        if evidence.kept(self.docker).next().is_some() {
            containers.insert("docker");
            dockerfile_exposes = evidence.kept(self.docker).any(|f| {
                f.dockerfile()
                    .final_stage()
                    .is_some_and(|s| s.instructions.iter().any(|i| i.keyword == "EXPOSE"))
            });
        }

        let mut compose_builds = false;
        for file in evidence.kept(self.compose) {
            let docs = file.documents();
            for doc in &docs.docs {
                let Some(Value::Map(services)) = doc.get("services").map(|s| &s.value) else {
                    continue;
                };
                containers.insert("compose");
                for (_, service) in services {
                    if service.get("build").is_some() {
                        compose_builds = true;
                    }
                    if let Some(image) = service.get("image").and_then(|i| i.scalar_text()) {
                        databases.extend(databases_in_image(&image));
                    }
                }
            }
        }

        let mut deploys_workload = false;
        for file in evidence.kept(self.kubernetes) {
            let docs = file.documents();
            for doc in &docs.docs {
                let kind = doc.get("kind").and_then(|k| k.scalar_text());
                let is_kubernetes = doc.get("apiVersion").is_some()
                    && kind
                        .as_deref()
                        .is_some_and(|k| KUBERNETES_KINDS.contains(&k));
                if !is_kubernetes {
                    continue;
                }
                containers.insert("kubernetes");
                if matches!(
                    kind.as_deref(),
                    Some("Deployment" | "StatefulSet" | "Service")
                ) {
                    deploys_workload = true;
                }
                let images = doc_images(doc);
                for image in images {
                    databases.extend(databases_in_image(&image));
                }
            }
        }

        let matchers = Matchers::new();
        for file in evidence.kept(self.manifests) {
            let name = file.path.rsplit('/').next().unwrap_or(&file.path);
            let text = &file.text;
            if name.starts_with(".env") {
                databases.extend(matchers.env_databases(text));
                continue;
            }
            // What the project's dependencies need is not what it uses.
            let text = crate::repo::deps::direct_part(name, text);
            let kind = manifest_kind(&file.path);
            frameworks.extend(matchers.frameworks(kind, &text));
            databases.extend(matchers.driver_databases(kind, &text));
        }

        let mut lockfiles: Vec<String> = self
            .presence
            .iter()
            .filter(|(id, _)| id.starts_with("lock."))
            .flat_map(|(_, s)| evidence.selector(*s).sample.iter().cloned())
            .collect();
        lockfiles.sort_by_key(|p| (p.matches('/').count(), p.clone()));
        lockfiles.truncate(5);

        let server_framework = !frameworks.is_empty();
        let listens = evidence.pattern(self.listens).count > 0;
        let service = server_framework
            || listens
            || has("procfile")
            || dockerfile_exposes
            || deploys_workload
            || compose_builds;
        let library = has("rust.lib") && !has("rust.main")
            || (languages.contains("go") && !has("go.main"))
            || has("gemspec")
            || languages.iter().all(|l| *l == "node" || *l == "typescript")
                && !languages.is_empty()
                && self.node_library(evidence)
            || languages.len() == 1
                && languages.contains("python")
                && self.python_library(evidence);
        // A functions platform is a deployment of its own kind unless the
        // repository also ships a container or a long-running process.
        let containerised = evidence.kept(self.docker).next().is_some()
            || deploys_workload
            || compose_builds
            || has("procfile");
        let kind = if has("serverless") && !containerised {
            ProjectKind::Serverless
        } else if service {
            ProjectKind::Service
        } else if self.command_line(evidence, &languages) {
            ProjectKind::Cli
        } else if library {
            ProjectKind::Library
        } else {
            ProjectKind::Unknown
        };

        let strings = |set: BTreeSet<&str>| set.into_iter().map(str::to_string).collect();
        Stack {
            languages: strings(languages),
            frameworks: strings(frameworks),
            package_managers: strings(package_managers),
            lockfiles,
            // Filled from the CI model (`crate::repo::ci`) by the caller, so
            // the stack and the CI checks never disagree.
            ci: Vec::new(),
            containers: strings(containers),
            databases: strings(databases),
            kind,
        }
    }

    fn root_manifest(&self, evidence: &Evidence, name: &str) -> Option<std::sync::Arc<Documents>> {
        evidence
            .kept(self.manifests)
            .find(|f| f.path == name)
            .map(KeptFile::documents)
    }

    /// A package.json that publishes an entry point and has no start script.
    fn node_library(&self, evidence: &Evidence) -> bool {
        let Some(docs) = self.root_manifest(evidence, "package.json") else {
            return false;
        };
        let Some(root) = docs.docs.first() else {
            return false;
        };
        let publishes = ["main", "exports", "module", "types"]
            .iter()
            .any(|k| root.get(k).is_some());
        let starts = root.get("scripts").and_then(|s| s.get("start")).is_some();
        publishes
            && !starts
            && root
                .get("private")
                .is_none_or(|p| p.value != Value::Bool(true))
    }

    /// An executable entry point in a language the repository is written in:
    /// `src/main.rs`, `src/bin/` or `[[bin]]` for Rust, `main.go` or `cmd/`
    /// for Go, `[project.scripts]` (or Poetry's) for Python, `bin` in
    /// package.json for Node. Only asked once nothing says it serves.
    fn command_line(&self, evidence: &Evidence, languages: &BTreeSet<&str>) -> bool {
        let root_has = |manifest: &str, path: &[&str]| {
            self.root_manifest(evidence, manifest).is_some_and(|docs| {
                docs.docs.first().is_some_and(|root| {
                    path.iter()
                        .try_fold(root, |value, key| value.get(key))
                        .is_some()
                })
            })
        };
        languages.contains("rust")
            && (self.has(evidence, "rust.main") || root_has("Cargo.toml", &["bin"]))
            || languages.contains("go") && self.has(evidence, "go.main")
            || languages.contains("python")
                && (root_has("pyproject.toml", &["project", "scripts"])
                    || root_has("pyproject.toml", &["tool", "poetry", "scripts"]))
            || languages.contains("node") && root_has("package.json", &["bin"])
    }

    /// A pyproject.toml with a build backend and no console entry point.
    fn python_library(&self, evidence: &Evidence) -> bool {
        let Some(docs) = self.root_manifest(evidence, "pyproject.toml") else {
            return false;
        };
        let Some(root) = docs.docs.first() else {
            return false;
        };
        root.get("build-system").is_some()
            && root.get("project").and_then(|p| p.get("scripts")).is_none()
    }
}

/// The stack of the repository at `root`, from a walk of its own: for
/// callers that want the stack without running checks (`readyctl init`).
/// The same detection an audit does, so both always agree.
pub fn detect(
    root: &std::path::Path,
    options: &crate::scan::ScanOptions,
) -> Result<Stack, crate::scan::ScanError> {
    let mut plan = PlanBuilder::new();
    let stack_plan = StackPlan::plan(&mut plan);
    let ci_plan = crate::repo::ci::CiPlan::plan(&mut plan);
    let plan = plan.build().map_err(crate::scan::ScanError::Plan)?;
    let evidence = crate::scan::scan(root, &plan, options)?;
    let mut stack = stack_plan.detect(&evidence);
    stack.ci = ci_plan.build(&evidence).systems;
    Ok(stack)
}

/// Every `image:` under a document (containers of any workload shape).
fn doc_images(node: &crate::document::Node) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(node: &crate::document::Node, out: &mut Vec<String>) {
        match &node.value {
            Value::Map(entries) => {
                for (key, child) in entries {
                    if &**key == "image"
                        && let Some(text) = child.scalar_text()
                    {
                        out.push(text);
                    }
                    walk(child, out);
                }
            }
            Value::Seq(items) => items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    walk(node, &mut out);
    out
}

fn databases_in_image(image: &str) -> Vec<&'static str> {
    let name = image.split(['@', ':']).next().unwrap_or(image);
    let last = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    let found = match last.as_str() {
        n if n.starts_with("postgres") || n.contains("postgis") || n == "timescaledb" => {
            "postgresql"
        }
        n if n.starts_with("mysql") || n.starts_with("mariadb") => "mysql",
        n if n.starts_with("redis") || n.starts_with("valkey") => "redis",
        n if n.starts_with("mongo") => "mongodb",
        _ => return Vec::new(),
    };
    vec![found]
}

/// Regexes over manifest text, each compiled the first time a manifest of
/// its kind is read: compiling all ~60 up front was a twelfth of the
/// instructions an audit of an empty directory took, and a repository has
/// manifests of a few kinds only.
struct Matchers {
    frameworks: Vec<Matcher>,
    drivers: Vec<Matcher>,
    env: Vec<Matcher>,
}

/// One detection regex, compiled in the form the text needs: without
/// Unicode for text that is all ASCII (nearly every manifest), where it
/// matches exactly what the Unicode form matches (`\s`, `\w`, `\b` and
/// `(?i)` differ only at characters outside ASCII) and costs a third as
/// much to compile. These compiles run on one thread after the walk, a
/// node project's about 27 M instructions in their Unicode form.
#[derive(Default)]
struct Matcher {
    ascii: OnceCell<Option<regex::bytes::Regex>>,
    unicode: OnceCell<Regex>,
}

impl Matcher {
    fn is_match(&self, regex: &str, text: &str) -> bool {
        if text.is_ascii()
            && let Some(ascii) = self.ascii.get_or_init(|| {
                regex::bytes::RegexBuilder::new(regex)
                    .unicode(false)
                    .build()
                    .ok()
            })
        {
            return ascii.is_match(text.as_bytes());
        }
        self.unicode
            .get_or_init(|| Regex::new(regex).expect("built-in detection regexes are valid"))
            .is_match(text)
    }
}

/// (framework id, manifest file names it is declared in, dependency regex).
const FRAMEWORKS: &[(&str, &str, &str)] = &[
    ("express", "package.json", r#""express"\s*:"#),
    ("nextjs", "package.json", r#""next"\s*:"#),
    ("nestjs", "package.json", r#""@nestjs/core"\s*:"#),
    ("fastify", "package.json", r#""fastify"\s*:"#),
    ("koa", "package.json", r#""koa"\s*:"#),
    ("hono", "package.json", r#""hono"\s*:"#),
    ("fastapi", "python", r"(?im)^[\s\x22']*fastapi\b"),
    ("django", "python", r"(?im)^[\s\x22']*django\b"),
    ("flask", "python", r"(?im)^[\s\x22']*flask\b"),
    ("gin", "go.mod", r"github\.com/gin-gonic/gin\b"),
    ("echo", "go.mod", r"github\.com/labstack/echo\b"),
    ("fiber", "go.mod", r"github\.com/gofiber/fiber\b"),
    ("chi", "go.mod", r"github\.com/go-chi/chi\b"),
    ("gorilla", "go.mod", r"github\.com/gorilla/mux\b"),
    ("spring", "jvm", r"spring-boot"),
    ("quarkus", "jvm", r"io\.quarkus"),
    ("micronaut", "jvm", r"io\.micronaut"),
    ("rails", "Gemfile", r#"(?m)^\s*gem\s+["']rails["']"#),
    ("sinatra", "Gemfile", r#"(?m)^\s*gem\s+["']sinatra["']"#),
    ("actix", "Cargo.toml", r"(?m)^\s*actix-web\b"),
    ("axum", "Cargo.toml", r"(?m)^\s*axum\b"),
    ("rocket", "Cargo.toml", r"(?m)^\s*rocket\b"),
    ("warp", "Cargo.toml", r"(?m)^\s*warp\b"),
];

/// (database id, manifest kind, driver regex).
const DRIVERS: &[(&str, &str, &str)] = &[
    (
        "postgresql",
        "go.mod",
        r"jackc/pgx|lib/pq\b|gorm\.io/driver/postgres",
    ),
    (
        "mysql",
        "go.mod",
        r"go-sql-driver/mysql|gorm\.io/driver/mysql",
    ),
    (
        "redis",
        "go.mod",
        r"redis/go-redis|go-redis/redis|gomodule/redigo",
    ),
    ("mongodb", "go.mod", r"go\.mongodb\.org/mongo-driver"),
    ("sqlite", "go.mod", r"mattn/go-sqlite3|modernc\.org/sqlite"),
    (
        "postgresql",
        "package.json",
        r#""(pg|postgres|@neondatabase/serverless|pg-promise)"\s*:"#,
    ),
    ("mysql", "package.json", r#""(mysql|mysql2)"\s*:"#),
    (
        "redis",
        "package.json",
        r#""(redis|ioredis|@upstash/redis)"\s*:"#,
    ),
    ("mongodb", "package.json", r#""(mongodb|mongoose)"\s*:"#),
    (
        "sqlite",
        "package.json",
        r#""(sqlite3|better-sqlite3)"\s*:"#,
    ),
    (
        "postgresql",
        "python",
        r"(?i)\b(psycopg2?|psycopg2-binary|asyncpg|pg8000)\b",
    ),
    (
        "mysql",
        "python",
        r"(?i)\b(pymysql|mysqlclient|aiomysql|mysql-connector-python)\b",
    ),
    ("redis", "python", r#"(?im)^[\s\x22']*(redis|aioredis)\b"#),
    ("mongodb", "python", r"(?i)\b(pymongo|motor|mongoengine)\b"),
    ("postgresql", "Gemfile", r#"gem\s+["']pg["']"#),
    ("mysql", "Gemfile", r#"gem\s+["']mysql2["']"#),
    ("redis", "Gemfile", r#"gem\s+["'](redis|sidekiq)["']"#),
    ("mongodb", "Gemfile", r#"gem\s+["']mongoid["']"#),
    // A `[features]` entry that turns on an ORM's backend
    // (`postgresql = ["diesel/postgres"]`) is a database the service
    // supports, as much as a backend feature in the dependency itself.
    (
        "postgresql",
        "Cargo.toml",
        r#"(?m)^\s*(tokio-postgres|postgres|deadpool-postgres)\b|features\s*=\s*\[[^\]]*"postgres|"(?:diesel|sqlx|sea-orm)/postgres"#,
    ),
    (
        "mysql",
        "Cargo.toml",
        r#"(?m)^\s*mysql_async\b|features\s*=\s*\[[^\]]*"mysql|"(?:diesel|sqlx|sea-orm)/mysql"#,
    ),
    (
        "redis",
        "Cargo.toml",
        r"(?m)^\s*(redis|fred|deadpool-redis)\b",
    ),
    ("mongodb", "Cargo.toml", r"(?m)^\s*mongodb\b"),
    (
        "sqlite",
        "Cargo.toml",
        r#"(?m)^\s*rusqlite\b|features\s*=\s*\[[^\]]*"sqlite|"(?:diesel|sqlx|sea-orm)/sqlite"#,
    ),
    // The Prisma schema's datasource names the database the client talks to.
    (
        "postgresql",
        "prisma",
        r#"(?m)^\s*provider\s*=\s*"(?:postgresql|postgres|cockroachdb)""#,
    ),
    ("mysql", "prisma", r#"(?m)^\s*provider\s*=\s*"mysql""#),
    ("sqlite", "prisma", r#"(?m)^\s*provider\s*=\s*"sqlite""#),
    ("mongodb", "prisma", r#"(?m)^\s*provider\s*=\s*"mongodb""#),
    (
        "postgresql",
        "jvm",
        r"org\.postgresql|postgresql:postgresql",
    ),
    ("mysql", "jvm", r"mysql-connector|com\.mysql"),
    (
        "redis",
        "jvm",
        r"jedis|lettuce|spring-boot-starter-data-redis",
    ),
    (
        "mongodb",
        "jvm",
        r"mongodb-driver|spring-boot-starter-data-mongodb",
    ),
];

/// (database id, env regex) over `.env.example`-style files: variable names
/// and URL schemes, never values.
const ENV: &[(&str, &str)] = &[
    (
        "postgresql",
        r"(?im)^\s*(export\s+)?(POSTGRES_\w+|PG(HOST|USER|DATABASE)\b|\w+=postgres(ql)?://)",
    ),
    ("mysql", r"(?im)^\s*(export\s+)?(MYSQL_\w+|\w+=mysql://)"),
    ("redis", r"(?im)^\s*(export\s+)?(REDIS_\w+|\w+=rediss?://)"),
    (
        "mongodb",
        r"(?im)^\s*(export\s+)?(MONGO(DB)?_\w+|\w+=mongodb(\+srv)?://)",
    ),
];

/// The manifest family of the file at `path` (`requirements/base.txt` is a
/// pip requirements file by its folder, not its name).
fn manifest_kind(path: &str) -> &str {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    if (dir == "requirements" || dir.ends_with("/requirements")) && name.ends_with(".txt") {
        return "python";
    }
    match name {
        "package.json" | "go.mod" | "Cargo.toml" | "Gemfile" => name,
        "schema.prisma" => "prisma",
        "pom.xml" | "build.gradle" | "build.gradle.kts" => "jvm",
        n if n.starts_with("requirements")
            || n == "pyproject.toml"
            || n == "Pipfile"
            || n == "setup.py"
            || n == "setup.cfg" =>
        {
            "python"
        }
        _ => "",
    }
}

impl Matchers {
    fn new() -> Self {
        let cells = |n: usize| (0..n).map(|_| Matcher::default()).collect();
        Matchers {
            frameworks: cells(FRAMEWORKS.len()),
            drivers: cells(DRIVERS.len()),
            env: cells(ENV.len()),
        }
    }

    fn matches(cell: &Matcher, regex: &str, text: &str) -> bool {
        cell.is_match(regex, text)
    }

    fn frameworks(&self, kind: &str, text: &str) -> Vec<&'static str> {
        FRAMEWORKS
            .iter()
            .zip(&self.frameworks)
            .filter(|((_, k, r), cell)| *k == kind && Self::matches(cell, r, text))
            .map(|((id, _, _), _)| *id)
            .collect()
    }

    fn driver_databases(&self, kind: &str, text: &str) -> Vec<&'static str> {
        DRIVERS
            .iter()
            .zip(&self.drivers)
            .filter(|((_, k, r), cell)| *k == kind && Self::matches(cell, r, text))
            .map(|((id, _, _), _)| *id)
            .collect()
    }

    fn env_databases(&self, text: &str) -> Vec<&'static str> {
        ENV.iter()
            .zip(&self.env)
            .filter(|((_, r), cell)| Self::matches(cell, r, text))
            .map(|((id, _), _)| *id)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The detection regexes compile only when a manifest of their kind is
    /// read: each must compile.
    #[test]
    fn every_detection_regex_compiles() {
        let sources = FRAMEWORKS
            .iter()
            .chain(DRIVERS)
            .map(|(_, _, r)| *r)
            .chain(ENV.iter().map(|(_, r)| *r));
        for regex in sources {
            assert!(Regex::new(regex).is_ok(), "{regex}");
        }
    }

    /// A detection regex says the same in the form a text gets (ASCII
    /// without Unicode, the rest with it) as compiled with Unicode, on
    /// manifests that declare many of them and on near misses.
    #[test]
    fn the_ascii_form_matches_what_the_unicode_form_matches() {
        let texts = [
            "{\"dependencies\": {\"express\": \"^4\", \"next\" : \"14\", \"pg\": \"8\", \"ioredis\": \"5\", \"mongoose\": \"8\"}}",
            "{\"devDependencies\": {\"nextjs-helper\": \"1\", \"@nestjs/core\":\"10\", \"better-sqlite3\": \"9\"}}",
            "fastapi==0.110\nDjango>=4\n  'flask'\npsycopg2-binary\nredis\nPyMongo\nmysqlclient\n",
            "fastapi_utils\n# django\nflasky\n",
            "module x\nrequire (\n  github.com/gin-gonic/gin v1.9\n  github.com/jackc/pgx/v5 v5\n  github.com/redis/go-redis/v9 v9\n  github.com/gin-gonic/ginx v1\n)\n",
            "gem 'rails'\ngem \"pg\"\ngem 'sidekiq'\n  gem \"sinatra\"\n",
            "[dependencies]\naxum = \"0.7\"\ntokio-postgres = \"0.7\"\nsqlx = { version = \"0.7\", features = [\"runtime-tokio\", \"postgres\"] }\nredis = \"0.24\"\n",
            "datasource db {\n  provider = \"postgresql\"\n}\n",
            "<dependency><groupId>org.postgresql</groupId></dependency><artifactId>spring-boot-starter-data-redis</artifactId>",
            "export POSTGRES_USER=app\nREDIS_URL=rediss://cache:6379\nMONGO_URI=x\nDATABASE_URL=postgres://db/app\n",
            "POSTGRES_\u{e9}t\u{e9}=1\nDJANGO\u{212a}=1\n\u{a0}flask\n",
        ];
        let sources = FRAMEWORKS
            .iter()
            .chain(DRIVERS)
            .map(|(_, _, r)| *r)
            .chain(ENV.iter().map(|(_, r)| *r));
        let mut found = 0;
        for regex in sources {
            let matcher = Matcher::default();
            let unicode = Regex::new(regex).unwrap();
            for text in texts {
                let expected = unicode.is_match(text);
                assert_eq!(
                    matcher.is_match(regex, text),
                    expected,
                    "{regex} on {text:?}"
                );
                found += usize::from(expected);
            }
            assert!(matcher.ascii.get().is_some_and(Option::is_some), "{regex}");
        }
        assert!(found > 30, "{found}");
    }

    fn detect(files: &[(&str, &str)]) -> Stack {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        super::detect(dir.path(), &Default::default()).unwrap()
    }

    #[test]
    fn indirect_go_dependencies_make_no_framework_or_database() {
        let stack = detect(&[
            (
                "go.mod",
                "module x\n\nrequire (\n\tgithub.com/lib/pq v1.10.9\n\
                 \tgithub.com/go-chi/chi/v5 v5.0.12 // indirect\n\
                 \tgo.mongodb.org/mongo-driver v1.13.1 // indirect\n)\n",
            ),
            ("main.go", "package main\nfunc main() {}\n"),
        ]);
        assert!(stack.frameworks.is_empty(), "{:?}", stack.frameworks);
        assert_eq!(stack.databases, ["postgresql"]);
    }

    #[test]
    fn databases_from_orm_backend_features_and_the_prisma_datasource() {
        let rust = detect(&[
            (
                "Cargo.toml",
                "[package]\nname = \"vault\"\n\n[features]\ndefault = []\n\
                 mysql = [\"diesel/mysql\", \"diesel_migrations/mysql\"]\n\
                 postgresql = [\"diesel/postgres\"]\n\n[dependencies]\n\
                 diesel = { version = \"2\", features = [\"r2d2\"] }\n",
            ),
            ("src/main.rs", "fn main() {}\n"),
        ]);
        assert_eq!(rust.databases, ["mysql", "postgresql"]);
        let prisma = detect(&[
            (
                "package.json",
                "{ \"dependencies\": { \"@prisma/client\": \"5.0.0\" } }",
            ),
            (
                "src/prisma/schema.prisma",
                "generator client {\n  provider = \"prisma-client-js\"\n}\n\n\
                 datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}\n",
            ),
        ]);
        assert_eq!(prisma.databases, ["postgresql"]);
    }

    #[test]
    fn go_service_with_tooling_package_json_is_not_node() {
        let stack = detect(&[
            (
                "go.mod",
                "module x\n\nrequire github.com/gin-gonic/gin v1.10.0\nrequire github.com/jackc/pgx/v5 v5.6.0\n",
            ),
            (
                "cmd/api/main.go",
                "package main\nfunc main() { r.Run(\":8080\") }\n",
            ),
            (
                "package.json",
                "{ \"devDependencies\": { \"@commitlint/cli\": \"19.0.0\" } }",
            ),
            ("commitlint.config.js", "module.exports = {};\n"),
            (".github/workflows/ci.yml", "on: push\n"),
            (
                "docker-compose.yml",
                "services:\n  cache:\n    image: redis:7\n",
            ),
            (".env.example", "MONGO_URI=\n"),
        ]);
        assert_eq!(stack.languages, ["go"]);
        assert_eq!(stack.frameworks, ["gin"]);
        assert_eq!(stack.ci, ["github-actions"]);
        assert_eq!(stack.containers, ["compose"]);
        assert_eq!(stack.databases, ["mongodb", "postgresql", "redis"]);
        assert_eq!(stack.kind, ProjectKind::Service);
    }

    #[test]
    fn rust_crate_without_a_server_is_a_library() {
        let stack = detect(&[
            (
                "Cargo.toml",
                "[package]\nname = \"x\"\n[dependencies]\nserde = \"1\"\n",
            ),
            ("Cargo.lock", "version = 4\n"),
            ("src/lib.rs", "pub fn f() {}\n"),
        ]);
        assert_eq!(stack.languages, ["rust"]);
        assert_eq!(stack.package_managers, ["cargo"]);
        assert_eq!(stack.lockfiles, ["Cargo.lock"]);
        assert_eq!(stack.kind, ProjectKind::Library);
    }

    #[test]
    fn axum_binary_and_kubernetes_make_a_service() {
        let stack = detect(&[
            (
                "Cargo.toml",
                "[package]\nname = \"x\"\n[dependencies]\naxum = \"0.7\"\nsqlx = { version = \"0.8\", features = [\"postgres\"] }\n",
            ),
            ("src/main.rs", "fn main() {}\n"),
            (
                "deploy/app.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nspec: {}\n---\napiVersion: apps/v1\nkind: StatefulSet\nspec:\n  template:\n    spec:\n      containers: [{ image: bitnami/redis:7.2 }]\n",
            ),
            ("chart/Chart.yaml", "name: x\n"),
        ]);
        assert_eq!(stack.frameworks, ["axum"]);
        assert_eq!(stack.containers, ["helm", "kubernetes"]);
        assert_eq!(stack.databases, ["postgresql", "redis"]);
        assert_eq!(stack.kind, ProjectKind::Service);
    }

    #[test]
    fn node_typescript_package_managers_by_lockfile() {
        let stack = detect(&[
            (
                "package.json",
                "{ \"dependencies\": { \"next\": \"15.0.0\", \"ioredis\": \"5\" } }",
            ),
            ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
            ("tsconfig.json", "{}"),
            (
                "app/page.tsx",
                "export default function Page() { return null }\n",
            ),
        ]);
        assert_eq!(stack.languages, ["node", "typescript"]);
        assert_eq!(stack.frameworks, ["nextjs"]);
        assert_eq!(stack.package_managers, ["pnpm"]);
        assert_eq!(stack.databases, ["redis"]);
        assert_eq!(stack.kind, ProjectKind::Service);
    }

    #[test]
    fn pip_requirements_folder_is_a_python_manifest() {
        let stack = detect(&[
            ("requirements.txt", "-r requirements/production.txt\n"),
            (
                "requirements/base.txt",
                "Django>=6.0,<6.1\nwagtail>=7.4,<7.5\n",
            ),
            (
                "requirements/production.txt",
                "-r base.txt\npsycopg[binary]>=3.3.3,<3.4\n",
            ),
            ("manage.py", "import django\n"),
        ]);
        assert_eq!(stack.languages, ["python"]);
        assert_eq!(stack.frameworks, ["django"]);
        assert_eq!(stack.databases, ["postgresql"]);
        assert_eq!(stack.kind, ProjectKind::Service);
    }

    #[test]
    fn command_line_tools_are_cli_unless_they_serve() {
        let rust_tool = [
            (
                "Cargo.toml",
                "[package]\nname = \"x\"\n[dependencies]\nclap = \"4\"\n",
            ),
            ("src/lib.rs", "pub fn run() {}\n"),
            ("src/main.rs", "fn main() { x::run() }\n"),
            (
                "Dockerfile",
                "FROM scratch\nCOPY x /x\nENTRYPOINT [\"/x\"]\n",
            ),
        ];
        assert_eq!(detect(&rust_tool).kind, ProjectKind::Cli);
        let go_tool = [
            (
                "go.mod",
                "module x\n\nrequire github.com/spf13/cobra v1.8.0\n",
            ),
            (
                "cmd/x/main.go",
                "package main\nfunc main() { cmd.Execute() }\n",
            ),
        ];
        assert_eq!(detect(&go_tool).kind, ProjectKind::Cli);
        let python_tool = [(
            "pyproject.toml",
            "[build-system]\nrequires = [\"hatchling\"]\n[project]\nname = \"x\"\n[project.scripts]\nx = \"x.cli:main\"\n",
        )];
        assert_eq!(detect(&python_tool).kind, ProjectKind::Cli);
        let node_tool = [
            (
                "package.json",
                "{ \"name\": \"x\", \"bin\": { \"x\": \"cli.js\" } }",
            ),
            ("cli.js", "#!/usr/bin/env node\nconsole.log(process.argv)\n"),
        ];
        assert_eq!(detect(&node_tool).kind, ProjectKind::Cli);
        // The same entry points, serving: a service.
        let go_server = [
            ("go.mod", "module x\n"),
            (
                "cmd/api/main.go",
                "package main\nimport \"net/http\"\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n",
            ),
        ];
        assert_eq!(detect(&go_server).kind, ProjectKind::Service);
        let exposed = [
            ("Cargo.toml", "[package]\nname = \"x\"\n"),
            ("src/main.rs", "fn main() {}\n"),
            ("Dockerfile", "FROM scratch\nEXPOSE 8080\n"),
        ];
        assert_eq!(detect(&exposed).kind, ProjectKind::Service);
        // A Python package with no console script is a library still.
        let python_library = [(
            "pyproject.toml",
            "[build-system]\nrequires = [\"hatchling\"]\n[project]\nname = \"x\"\n",
        )];
        assert_eq!(detect(&python_library).kind, ProjectKind::Library);
    }

    #[test]
    fn nothing_detected_in_an_empty_tree() {
        let stack = detect(&[("notes.txt", "hello\n")]);
        assert!(stack.is_empty());
        assert_eq!(stack.kind, ProjectKind::Unknown);
    }
}
