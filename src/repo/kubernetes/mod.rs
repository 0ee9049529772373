//! Kubernetes objects as production artefacts: plain manifests, kustomize
//! overlays built the way `kubectl apply -k` builds them, and Helm charts
//! rendered with their own values (and a `values-prod*.yaml` beside them)
//! as far as static reading allows.
//!
//! A repository with `k8s/base` and `k8s/overlays/{dev,prod}` deploys the
//! production overlay: the base alone lacks what the overlay patches in
//! (probes, limits), and the dev overlay leaves out what production needs
//! on purpose. Judging the files one by one fails the base and the dev
//! overlay for things production has. Likewise a chart's templates are not
//! YAML until rendered, and what they render depends on `values.yaml`.
//!
//! Nothing outside the audited root is read because of a reference in it,
//! and nothing is fetched: a remote base is named as not read. Only the
//! files the caller hands in (the walk's kept files) are read.

pub mod helm;
pub mod kustomize;
pub mod patch;
pub mod template;

use crate::document::{Documents, Node};
use crate::model::Role;
use crate::scan::SelectorId;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, OnceLock};

/// The files the model reads: YAML outside CI configuration, dependencies
/// and Compose files. Tests, fixtures, examples and docs are told apart by
/// their role ([`crate::repo::roles`]), not by folder names here: the checks
/// that read Kubernetes objects do not select them, and the model says why
/// it does not judge one it is shown.
pub const FILES: &[&str] = &["**/*.yaml", "**/*.yml"];
pub const EXCLUDE: &[&str] = &[
    ".github/**",
    "**/node_modules/**",
    "**/vendor/**",
    "**/pnpm-lock.yaml",
    "**/*docker-compose*",
    "**/compose.y*ml",
];

/// A file the walk kept, with its role.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub path: &'a str,
    pub role: Role,
    pub text: &'a str,
}

/// The files the model may read, by path, with their parsed documents.
pub struct Files<'a> {
    by_path: BTreeMap<&'a str, Source<'a>>,
    parse: &'a (dyn Fn(&str) -> Arc<Documents> + Sync),
}

impl<'a> Files<'a> {
    pub fn new(sources: &[Source<'a>], parse: &'a (dyn Fn(&str) -> Arc<Documents> + Sync)) -> Self {
        Files {
            by_path: sources.iter().map(|s| (s.path, *s)).collect(),
            parse,
        }
    }

    fn get(&self, path: &str) -> Option<&Source<'a>> {
        self.by_path.get(path)
    }

    fn docs(&self, path: &str) -> Arc<Documents> {
        (self.parse)(path)
    }

    fn paths(&self) -> impl Iterator<Item = &&'a str> {
        self.by_path.keys()
    }
}

/// Where an artefact's objects come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    Manifest,
    Kustomize,
    Helm,
}

impl Origin {
    pub fn name(self) -> &'static str {
        match self {
            Origin::Manifest => "manifest",
            Origin::Kustomize => "kustomize",
            Origin::Helm => "helm",
        }
    }
}

/// One Kubernetes object and the file that declares it (the base file for
/// a patched object, the template for a rendered one).
#[derive(Debug, Clone)]
pub struct Object {
    pub file: String,
    node: ObjectNode,
}

/// An object's tree. Most objects are a manifest's documents as parsed:
/// they share the tree the file's parse cache holds rather than copying it
/// (copies were a fifth of a monorepo audit's peak memory). An object a
/// patch, a transformer or a chart's rendering made or changed owns its
/// own.
#[derive(Debug, Clone)]
enum ObjectNode {
    Parsed(Arc<Documents>, usize),
    Own(Node),
}

impl Object {
    pub fn owned(file: String, node: Node) -> Object {
        Object {
            file,
            node: ObjectNode::Own(node),
        }
    }

    /// The objects among a file's parsed documents, sharing their trees.
    pub fn all_parsed(file: &str, docs: &Arc<Documents>) -> Vec<Object> {
        docs.docs
            .iter()
            .enumerate()
            .filter(|(_, d)| is_object(d))
            .map(|(i, _)| Object {
                file: file.to_string(),
                node: ObjectNode::Parsed(docs.clone(), i),
            })
            .collect()
    }

    pub fn node(&self) -> &Node {
        match &self.node {
            ObjectNode::Parsed(docs, i) => &docs.docs[*i],
            ObjectNode::Own(node) => node,
        }
    }

    /// The tree to change: a shared one is copied first.
    pub fn node_mut(&mut self) -> &mut Node {
        if let ObjectNode::Parsed(docs, i) = &self.node {
            self.node = ObjectNode::Own(docs.docs[*i].clone());
        }
        match &mut self.node {
            ObjectNode::Own(node) => node,
            ObjectNode::Parsed(..) => unreachable!("copied just above"),
        }
    }
}

/// A manifest file, kustomization or chart, and what readyctl makes of it.
#[derive(Debug, Clone)]
pub struct Artefact {
    pub origin: Origin,
    /// The manifest file, the kustomization's folder or the chart's folder.
    pub path: String,
    pub role: Role,
    /// Judged by runtime rules as production.
    pub judged: bool,
    pub reason: String,
    /// The objects it deploys (read only when judged).
    pub objects: Vec<Object>,
    /// What could not be read: remote bases, patches that did not apply,
    /// templates that could not be read statically.
    pub notes: Vec<String>,
    /// Why each undecided marker (see [`template::MARKER`]) in the objects
    /// could not be decided, by marker number.
    pub undecided: Vec<String>,
}

/// Words in a folder or file name that say an artefact is not production.
const NOT_PRODUCTION: &[&str] = &[
    "dev",
    "develop",
    "development",
    "local",
    "test",
    "tests",
    "testing",
    "e2e",
    "ci",
    "staging",
    "stage",
    "qa",
    "sandbox",
    "preview",
    "minikube",
    "kind",
    "debug",
    "demo",
];

/// Words that name the production overlay.
const PRODUCTION: &[&str] = &["prod", "production", "prd", "live"];

fn words(path: &str) -> Vec<String> {
    path.split(['/', '.', '-', '_'])
        .map(str::to_ascii_lowercase)
        .collect()
}

fn tagged(path: &str, list: &[&str]) -> Option<String> {
    words(path).into_iter().find(|w| list.contains(&w.as_str()))
}

pub(crate) fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn is_object(node: &Node) -> bool {
    node.get("apiVersion").is_some()
        && node
            .get("kind")
            .and_then(Node::scalar_text)
            .is_some_and(|k| !matches!(k.as_str(), "Kustomization" | "Component"))
}

/// The artefacts of the kept files, built at most once per audit and
/// selector: every `kubernetes: true` rule judges the same objects, and
/// each building its own (rendering charts, applying overlays) on the
/// evaluation threads at once held several copies of every object. The
/// engine attaches one to the evidence before checks are evaluated.
#[derive(Default)]
pub struct Built(Mutex<Vec<(SelectorId, Cell)>>);

/// One selector's artefacts, built by the first caller.
type Cell = Arc<OnceLock<Arc<Vec<Artefact>>>>;

impl Built {
    fn cell(&self, selector: SelectorId) -> Cell {
        let mut cells = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, cell)) = cells.iter().find(|(s, _)| *s == selector) {
            return cell.clone();
        }
        let cell = Arc::new(OnceLock::new());
        cells.push((selector, cell.clone()));
        cell
    }
}

/// The artefacts among the files the scan kept for `selector`: what
/// `readyctl facts` shows and the `kubernetes: true` document rule judges.
/// Built once when the evidence carries a [`Built`] (a second caller waits
/// for the first), else on each call.
pub fn kept_artefacts(
    evidence: &crate::scan::Evidence,
    selector: SelectorId,
) -> Arc<Vec<Artefact>> {
    match evidence.fact::<Built>() {
        Some(built) => built
            .cell(selector)
            .get_or_init(|| Arc::new(build_kept(evidence, selector)))
            .clone(),
        None => Arc::new(build_kept(evidence, selector)),
    }
}

fn build_kept(evidence: &crate::scan::Evidence, selector: SelectorId) -> Vec<Artefact> {
    let kept: BTreeMap<&str, &crate::scan::KeptFile> = evidence
        .kept(selector)
        .map(|f| (f.path.as_str(), f))
        .collect();
    let sources: Vec<Source<'_>> = kept
        .values()
        .map(|f| Source {
            path: &f.path,
            role: evidence.role_of(&f.path),
            text: &f.text,
        })
        .collect();
    let parse = |path: &str| kept.get(path).map(|f| f.documents()).unwrap_or_default();
    artefacts(&Files::new(&sources, &parse))
}

/// Which of a selector's files building its artefacts parses as documents,
/// so the engine parses those (and only those) on every core beforehand: a
/// chart's templates are rendered from their text, and a repository of
/// charts spent a tenth of its audit parsing templates nobody read. A file
/// this leaves out that the model does parse after all is parsed then
/// (slower, never different).
pub struct ParsedByModel {
    chart_dirs: Vec<String>,
}

impl ParsedByModel {
    /// From the paths of the selector's files.
    pub fn new<'a>(paths: impl IntoIterator<Item = &'a str>) -> Self {
        ParsedByModel {
            chart_dirs: paths
                .into_iter()
                .filter(|p| p.rsplit('/').next() == Some("Chart.yaml"))
                .map(|p| dir_of(p).to_string())
                .collect(),
        }
    }

    /// Whether the model reads `path` as documents: everything outside a
    /// chart, and in a chart its `Chart.yaml` and values files (see
    /// [`helm::render`]) and kustomizations (see [`kustomize::graph`]).
    pub fn parses(&self, path: &str) -> bool {
        let name = path.rsplit('/').next().unwrap_or(path);
        if kustomize::NAMES.contains(&name) {
            return true;
        }
        self.chart_dirs.iter().all(|dir| {
            let inside = if dir.is_empty() {
                Some(path)
            } else {
                path.strip_prefix(dir.as_str())
                    .and_then(|rest| rest.strip_prefix('/'))
            };
            inside.is_none_or(|rest| {
                !rest.contains('/')
                    && (rest == "Chart.yaml" || rest.to_ascii_lowercase().starts_with("values"))
            })
        })
    }
}

/// Every manifest, kustomization and chart among `sources`, which of them
/// are the production deployment, and the objects of those.
pub fn artefacts(files: &Files<'_>) -> Vec<Artefact> {
    let mut out = Vec::new();
    let charts: Vec<&str> = files
        .paths()
        .copied()
        .filter(|p| p.rsplit('/').next() == Some("Chart.yaml"))
        .collect();
    let chart_dirs: Vec<&str> = charts.iter().map(|c| dir_of(c)).collect();
    let in_chart = |path: &str| {
        chart_dirs
            .iter()
            .any(|d| d.is_empty() || path.starts_with(&format!("{d}/")))
    };
    // Charts render on every core: a repository of charts (bitnami/charts,
    // 100+) spent most of its audit rendering them one after another.
    let rendered = crate::parallel::in_parallel(&charts, 0, |chart| {
        let dir = dir_of(chart);
        let role = files.get(chart).map_or(Role::Production, |s| s.role);
        let parent = chart_dirs
            .iter()
            .find(|d| **d != dir && (d.is_empty() || dir.starts_with(&format!("{d}/charts/"))));
        let not = if let Some(parent) = parent {
            Some(format!("subchart of `{}`", shown(parent)))
        } else {
            not_production(dir, role)
        };
        match not {
            Some(reason) => unjudged(Origin::Helm, dir, role, reason),
            None => {
                let chart = helm::render(files, chart);
                Artefact {
                    origin: Origin::Helm,
                    path: shown(dir).to_string(),
                    role,
                    judged: true,
                    reason: chart.reason,
                    objects: chart.objects,
                    notes: chart.notes,
                    undecided: chart.undecided,
                }
            }
        }
    });
    out.extend(rendered);

    let graph = kustomize::graph(files);
    let used: BTreeSet<&str> = graph
        .values()
        .flat_map(|k| k.uses.iter().map(String::as_str))
        .collect();
    let consumed: BTreeSet<&str> = graph
        .values()
        .flat_map(|k| k.reads.iter().map(String::as_str))
        .collect();
    let roots: Vec<&kustomize::Kustomization> = graph
        .values()
        .filter(|k| !used.contains(k.dir.as_str()) && !in_chart(&k.file))
        .collect();
    let role_of =
        |k: &kustomize::Kustomization| files.get(&k.file).map_or(Role::Production, |s| s.role);
    let production_roots: Vec<&str> = roots
        .iter()
        .filter(|k| {
            not_production(&k.dir, role_of(k)).is_none() && tagged(&k.dir, PRODUCTION).is_some()
        })
        .map(|k| k.dir.as_str())
        .collect();
    let mut judged_roots = Vec::new();
    for k in &roots {
        let role = role_of(k);
        let reason = if let Some(reason) = not_production(&k.dir, role) {
            Err(reason)
        } else if let Some(word) = tagged(&k.dir, PRODUCTION) {
            Ok(format!("production overlay (`{word}`)"))
        } else if let Some(sibling) = production_roots
            .iter()
            .find(|p| dir_of(p) == dir_of(&k.dir))
        {
            // `overlays/default` beside `overlays/prod`: an alternative
            // overlay of the same application. A root elsewhere is a
            // deployment of its own.
            Err(format!(
                "not the production overlay (`{}` is)",
                shown(sibling)
            ))
        } else {
            Ok("kustomization".to_string())
        };
        out.push(match reason {
            Err(reason) => unjudged(Origin::Kustomize, &k.dir, role, reason),
            Ok(reason) => {
                judged_roots.push(k.dir.as_str());
                let built = kustomize::build(files, &graph, &k.dir);
                Artefact {
                    origin: Origin::Kustomize,
                    path: shown(&k.dir).to_string(),
                    role,
                    judged: true,
                    reason,
                    objects: built.objects,
                    notes: built.notes,
                    undecided: Vec::new(),
                }
            }
        });
    }
    // Bases: judged through the overlays that use them, never alone.
    for k in graph.values().filter(|k| used.contains(k.dir.as_str())) {
        let users = kustomize::roots_using(&graph, &k.dir);
        let judged_by: Vec<&str> = users
            .iter()
            .filter(|u| judged_roots.contains(&u.as_str()))
            .map(String::as_str)
            .collect();
        let reason = match judged_by.first() {
            Some(root) => format!("base, judged through `{}`", shown(root)),
            None => format!(
                "base of {} only (not production)",
                users
                    .iter()
                    .map(|u| format!("`{}`", shown(u)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        out.push(unjudged(Origin::Kustomize, &k.dir, role_of(k), reason));
    }

    for path in files.paths().copied() {
        if in_chart(path) || consumed.contains(path) || graph.values().any(|k| k.file == path) {
            continue;
        }
        let objects = Object::all_parsed(path, &files.docs(path));
        if objects.is_empty() {
            continue;
        }
        let role = files.get(path).map_or(Role::Production, |s| s.role);
        let not = not_production(path, role).or_else(|| {
            tagged(path.rsplit('/').next().unwrap_or(path), &["patch"])
                .map(|_| "kustomize patch no kustomization uses".to_string())
        });
        out.push(match not {
            Some(reason) => unjudged(Origin::Manifest, path, role, reason),
            None => Artefact {
                origin: Origin::Manifest,
                path: path.to_string(),
                role,
                judged: true,
                reason: "Kubernetes manifest".to_string(),
                objects,
                notes: Vec::new(),
                undecided: Vec::new(),
            },
        });
    }
    out.sort_by(|a, b| {
        a.path
            .cmp(&b.path)
            .then(a.origin.name().cmp(b.origin.name()))
    });
    out
}

fn shown(dir: &str) -> &str {
    if dir.is_empty() { "." } else { dir }
}

fn unjudged(origin: Origin, path: &str, role: Role, reason: String) -> Artefact {
    Artefact {
        origin,
        path: shown(path).to_string(),
        role,
        judged: false,
        reason,
        objects: Vec::new(),
        notes: Vec::new(),
        undecided: Vec::new(),
    }
}

/// Why an artefact at `path` is not production, from its role and the
/// words of its path (`overlays/dev`, `k8s/staging/app.yaml`).
fn not_production(path: &str, role: Role) -> Option<String> {
    if role != Role::Production && role != Role::Packaging {
        return Some(format!("{role} file"));
    }
    tagged(path, NOT_PRODUCTION).map(|word| format!("not production (`{word}`)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each `(path, text)` as a production file.
    fn production_sources<'a>(files: &'a [(&'a str, &'a str)]) -> Vec<Source<'a>> {
        files
            .iter()
            .map(|(path, text)| Source {
                path,
                role: Role::Production,
                text,
            })
            .collect()
    }

    fn choose(files: &[(&str, &str)]) -> Vec<(String, bool, String)> {
        let sources = production_sources(files);
        let parse = |path: &str| {
            let text = files
                .iter()
                .find(|(p, _)| *p == path)
                .map_or("", |(_, t)| t);
            Arc::new(Documents::parse(crate::document::Format::Yaml, text))
        };
        artefacts(&Files::new(&sources, &parse))
            .into_iter()
            .map(|a| (a.path, a.judged, a.reason))
            .collect()
    }

    #[test]
    fn the_files_the_model_parses_are_the_ones_it_says_it_parses() {
        let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: api }\n";
        let template =
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n";
        let files: &[(&str, &str)] = &[
            (
                "chart/Chart.yaml",
                "apiVersion: v2\nname: app\nversion: 1.0.0\n",
            ),
            ("chart/values.yaml", "replicas: 2\n"),
            ("chart/values-prod.yaml", "replicas: 3\n"),
            ("chart/templates/deployment.yaml", template),
            ("chart/crds/crd.yaml", deployment),
            ("chart/charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\n"),
            ("chart/charts/sub/values.yaml", "a: 1\n"),
            ("chart/charts/sub/templates/pod.yaml", template),
            ("k8s/deployment.yaml", deployment),
            ("app/kustomization.yaml", "resources: [deployment.yaml]\n"),
            ("app/deployment.yaml", deployment),
        ];
        let sources = production_sources(files);
        let parsed = Mutex::new(BTreeSet::new());
        let parse = |path: &str| {
            parsed.lock().unwrap().insert(path.to_string());
            let text = files
                .iter()
                .find(|(p, _)| *p == path)
                .map_or("", |(_, t)| t);
            Arc::new(Documents::parse(crate::document::Format::Yaml, text))
        };
        let artefacts = artefacts(&Files::new(&sources, &parse));
        assert!(
            artefacts
                .iter()
                .any(|a| a.origin == Origin::Helm && a.judged)
        );
        let parsed = parsed.into_inner().unwrap();
        let says = ParsedByModel::new(files.iter().map(|(p, _)| *p));
        for path in &parsed {
            assert!(says.parses(path), "{path} is parsed");
        }
        let skipped: Vec<&str> = files
            .iter()
            .map(|(p, _)| *p)
            .filter(|p| !says.parses(p))
            .collect();
        assert_eq!(
            skipped,
            [
                "chart/templates/deployment.yaml",
                "chart/crds/crd.yaml",
                "chart/charts/sub/Chart.yaml",
                "chart/charts/sub/values.yaml",
                "chart/charts/sub/templates/pod.yaml",
            ]
        );
    }

    #[test]
    fn the_production_overlay_is_judged_and_its_siblings_and_bases_are_not() {
        let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: api }\n";
        let chosen = choose(&[
            (
                "app/base/kustomization.yaml",
                "resources: [deployment.yaml]\n",
            ),
            ("app/base/deployment.yaml", deployment),
            (
                "app/overlays/default/kustomization.yaml",
                "resources: [../../base]\n",
            ),
            (
                "app/overlays/prod/kustomization.yaml",
                "resources: [../../base]\ntransformers: [labels.yaml]\n",
            ),
            (
                "app/overlays/prod/labels.yaml",
                "apiVersion: builtin\nkind: LabelTransformer\nmetadata: { name: labels }\n",
            ),
            ("install/kustomization.yaml", "resources: [app.yaml]\n"),
            ("install/app.yaml", deployment),
        ]);
        let judged: Vec<&str> = chosen
            .iter()
            .filter(|c| c.1)
            .map(|c| c.0.as_str())
            .collect();
        assert_eq!(judged, ["app/overlays/prod", "install"], "{chosen:?}");
        let reason = |path: &str| chosen.iter().find(|c| c.0 == path).unwrap().2.clone();
        assert_eq!(
            reason("app/overlays/default"),
            "not the production overlay (`app/overlays/prod` is)"
        );
        assert_eq!(
            reason("app/base"),
            "base, judged through `app/overlays/prod`"
        );
    }
}
