//! Imports point down: a module of the library may use the modules of its
//! own layer and of the layers below it, never those above (the layers of
//! `../shared/STYLE.md`). Without a test the layering erodes one
//! convenient `use` at a time: thirteen modules once imported each other in
//! one cycle, so that no part could be read, tested or replaced alone.
//!
//! The test parses every library source file (`syn`), collects the
//! top-level modules each one names through `crate::…` (in `use` items,
//! paths and macro arguments; doc comments are not code), and fails on an
//! edge that points up, on a cycle between modules of one layer, and on a
//! top-level module no layer lists. Unit tests (`#[cfg(test)]`) may use the
//! whole crate and are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use syn::visit::Visit;

/// Bottom to top. A new top-level module goes in the lowest layer whose
/// modules are all it needs.
const LAYERS: &[(&str, &[&str])] = &[
    (
        // The vocabulary and parsers of single inputs; each imports at most
        // its neighbours here. `score` is arithmetic over the model's
        // severities, which configuration (weights, thresholds) names.
        "vocabulary",
        &[
            "model",
            "diagnostic",
            "escape",
            "effort",
            "user_file",
            "document",
            "dockerfile",
            "live",
            "tool_reports",
            "score",
            // Running a closure over items on every core.
            "parallel",
            // Which checks `--only` / `[checks] only` select.
            "select",
        ],
    ),
    ("user configuration", &["config"]),
    ("scan", &["scan"]),
    // Facts built once from the walk: file roles, projects, artefacts, the
    // CI model, the stack, whether there is an application at all.
    ("repository facts", &["repo", "stack", "application"]),
    ("rules", &["rules"]),
    // Loading a pack validates each check's rule, so packs sit on the rules.
    ("check packs", &["check", "pack", "reference", "schema"]),
    // The data every format renders, and the redactor applied to it.
    ("report", &["report", "redact"]),
    (
        "judge",
        &[
            "engine", "gate", "grade", "waiver", "baseline", "compare", "defer", "diff",
        ],
    ),
    ("render", &["render"]),
];

/// Modules of the binary, above everything, which reach the library by its
/// crate name: nothing to check here.
const BINARY: &[&str] = &["main", "cli"];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

/// Top-level modules named through `crate::` by one file.
#[derive(Default)]
struct Names {
    modules: BTreeSet<String>,
}

impl Names {
    fn path_segments<'a>(&mut self, mut segments: impl Iterator<Item = &'a syn::Ident>) {
        if segments.next().is_some_and(|s| s == "crate")
            && let Some(next) = segments.next()
        {
            self.modules.insert(next.to_string());
        }
    }

    fn tokens(&mut self, tokens: proc_macro2::TokenStream) {
        let mut previous: Vec<String> = Vec::new();
        for tree in tokens {
            match tree {
                proc_macro2::TokenTree::Group(group) => self.tokens(group.stream()),
                proc_macro2::TokenTree::Ident(ident) => {
                    // `crate : : name`: the two `:` are separate punctuation.
                    if previous.len() >= 3
                        && previous[previous.len() - 3] == "crate"
                        && previous[previous.len() - 2] == ":"
                        && previous[previous.len() - 1] == ":"
                    {
                        self.modules.insert(ident.to_string());
                    }
                    previous.push(ident.to_string());
                }
                proc_macro2::TokenTree::Punct(punct) => previous.push(punct.as_char().to_string()),
                proc_macro2::TokenTree::Literal(_) => previous.push(String::new()),
            }
        }
    }
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .parse_args::<syn::Meta>()
                .is_ok_and(|meta| meta.path().is_ident("test"))
    })
}

impl<'ast> Visit<'ast> for Names {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if !is_cfg_test(&item.attrs) {
            syn::visit::visit_item_mod(self, item);
        }
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        if !is_cfg_test(&item.attrs) {
            syn::visit::visit_item_fn(self, item);
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        if is_cfg_test(&item.attrs) {
            return;
        }
        if let syn::UseTree::Path(path) = &item.tree
            && path.ident == "crate"
        {
            let mut names = Vec::new();
            use_tree_heads(&path.tree, &mut names);
            self.modules.extend(names);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.path_segments(path.segments.iter().map(|s| &s.ident));
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.tokens(mac.tokens.clone());
    }
}

/// The first names under `crate::` of a `use` tree: `{a::X, b}` gives a, b.
fn use_tree_heads(tree: &syn::UseTree, out: &mut Vec<String>) {
    match tree {
        syn::UseTree::Path(path) => out.push(path.ident.to_string()),
        syn::UseTree::Name(name) => out.push(name.ident.to_string()),
        syn::UseTree::Rename(rename) => out.push(rename.ident.to_string()),
        syn::UseTree::Group(group) => group.items.iter().for_each(|t| use_tree_heads(t, out)),
        syn::UseTree::Glob(_) => {}
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Module → the other top-level modules it names, with one file that does.
fn edges(src: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(src).unwrap();
        let first = relative.components().next().unwrap();
        let module = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if module == "lib" || BINARY.contains(&module.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let syntax =
            syn::parse_file(&text).unwrap_or_else(|err| panic!("{}: {err}", relative.display()));
        let mut names = Names::default();
        names.visit_file(&syntax);
        let entry = edges.entry(module.clone()).or_default();
        for target in names.modules {
            if target != module && target != "self" && target != "super" {
                entry
                    .entry(target)
                    .or_insert_with(|| relative.display().to_string());
            }
        }
    }
    edges
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn every_library_module_has_a_layer() {
    let unlisted: Vec<String> = edges(&src())
        .into_keys()
        .filter(|m| layer_of(m).is_none())
        .collect();
    assert!(
        unlisted.is_empty(),
        "top-level modules in no layer of tests/layering.rs: {unlisted:?}"
    );
}

#[test]
fn imports_point_down() {
    let mut upward = Vec::new();
    for (module, targets) in edges(&src()) {
        let Some(from) = layer_of(&module) else {
            continue;
        };
        for (target, file) in targets {
            // Names that are no module of ours (e.g. a re-exported type at
            // the crate root) have no layer and cannot point up.
            if let Some(to) = layer_of(&target)
                && to > from
            {
                upward.push(format!(
                    "{file}: `{module}` ({}) uses `{target}` ({})",
                    LAYERS[from].0, LAYERS[to].0
                ));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports pointing up a layer:\n{}",
        upward.join("\n")
    );
}

#[test]
fn no_cycle_between_modules() {
    let edges = edges(&src());
    // Depth-first search; a back edge closes a cycle.
    fn visit(
        module: &str,
        edges: &BTreeMap<String, BTreeMap<String, String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        cycles: &mut Vec<String>,
    ) {
        if let Some(at) = stack.iter().position(|m| m == module) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(module.to_string());
            cycles.push(cycle.join(" → "));
            return;
        }
        if !done.insert(module.to_string()) {
            return;
        }
        stack.push(module.to_string());
        for target in edges.get(module).into_iter().flat_map(|t| t.keys()) {
            visit(target, edges, stack, done, cycles);
        }
        stack.pop();
    }
    let mut cycles = Vec::new();
    let mut done = BTreeSet::new();
    for module in edges.keys() {
        visit(module, &edges, &mut Vec::new(), &mut done, &mut cycles);
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

/// The test itself: an upward edge in a source it is given is found.
#[test]
fn an_upward_import_is_found() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("scan.rs"),
        "use crate::{model::Role, engine::AuditError};\n\
         fn f() { let _ = format!(\"{:?}\", crate::report::SCHEMA_VERSION); }\n\
         /// [`crate::render`] in a doc comment is not an import.\n\
         fn g() {}\n\
         #[cfg(test)]\nmod tests { use crate::cli::Args; }\n",
    )
    .unwrap();
    let found = edges(dir.path());
    let names: Vec<&str> = found["scan"].keys().map(String::as_str).collect();
    assert_eq!(names, ["engine", "model", "report"]);
}
