//! Loading check packs: the built-in ones embedded from `checks/`, the user's
//! (`--checks DIR`) and the repository's own (`.readyctl/checks/`).
//!
//! Loading is two-staged, after cargo-deny: parse into specs that keep source
//! positions, then validate into [`Check`]s, collecting *every* problem with
//! its position rather than stopping at the first.

use crate::check::{Check, CheckSpec, Origin, PackSource};
use crate::diagnostic::{Diagnostics, Position, SourceFile, yaml_error_message};
use crate::effort;
use crate::model::RoleSet;
use crate::rules::{Spanned, Validator};
use crate::user_file::{self, MAX_PACK_BYTES, Scope};
use include_dir::{Dir, include_dir};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

static BUILTIN_PACKS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/checks");

/// The built-in packs as JSON, converted from their YAML when readyctl was
/// built (`build/catalogue.rs`): `(file name, JSON)`, for the packs that
/// converted. Parsing their YAML was a third of an empty audit's
/// instructions, all before the walk could start.
static BUILTIN_JSON: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_checks.rs"));

/// Where repository-provided packs live, relative to the audited root.
pub const REPOSITORY_PACK_DIR: &str = ".readyctl/checks";

/// Every loaded check, in load order (built-in packs first, sorted by file).
#[derive(Debug, Default)]
pub struct Catalog {
    checks: Vec<Check>,
}

impl Catalog {
    pub fn checks(&self) -> &[Check] {
        &self.checks
    }

    pub fn get(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// Just the built-in packs.
    pub fn builtin() -> Result<Catalog, LoadError> {
        let mut loader = PackLoader::new();
        loader.add_builtin();
        loader.finish()
    }

    /// One built-in pack, by file name (`secrets.yaml`).
    pub fn builtin_pack(name: &str) -> Result<Catalog, LoadError> {
        let mut loader = PackLoader::new();
        loader.add_builtin_matching(|path| path.file_name().is_some_and(|n| n == name));
        loader.finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{0}")]
    Invalid(Diagnostics),
    #[error("{0}")]
    Read(crate::user_file::ReadError),
    #[error("cannot read check pack `{}`: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Accumulates packs; [`PackLoader::finish`] reports every problem at once.
#[derive(Debug, Default)]
pub struct PackLoader {
    checks: Vec<Check>,
    diagnostics: Diagnostics,
    io_error: Option<LoadError>,
    seen: HashMap<String, (String, Position)>,
    /// Validate built-in packs as thoroughly as users' (compiling every
    /// regex), which the run-time loader skips.
    validate_builtin_fully: bool,
}

impl PackLoader {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add_builtin(&mut self) {
        self.add_builtin_matching(|_| true);
    }

    fn add_builtin_matching(&mut self, wanted: impl Fn(&Path) -> bool) {
        let mut files: Vec<_> = BUILTIN_PACKS
            .files()
            .filter(|f| is_pack_file(f.path()) && wanted(f.path()))
            .collect();
        files.sort_by_key(|f| f.path());
        let packs: Vec<PackToParse> = files
            .into_iter()
            .map(|file| {
                let source = PackSource {
                    origin: Origin::Builtin,
                    name: format!("builtin:{}", file.path().display()),
                    path: None,
                };
                let text = String::from_utf8_lossy(file.contents());
                let file = Arc::new(SourceFile {
                    name: source.name.clone(),
                    text: Arc::from(text.as_ref()),
                });
                // Full validation reports positions inside checks, which
                // only the YAML has.
                let json = BUILTIN_JSON
                    .iter()
                    .find(|(name, _)| file_name_is(&source.name, name))
                    .filter(|_| !self.validate_builtin_fully)
                    .map(|(_, json)| *json);
                (source, file, json)
            })
            .collect();
        // The packs are parsed on two threads, then added in their order.
        for (source, file, specs, diagnostics) in parse_in_parallel(packs) {
            self.diagnostics.extend(diagnostics);
            for (position, spec) in specs {
                self.add_spec(&file, &source, position, spec);
            }
        }
    }

    /// Loads every `*.yaml` / `*.yml` file under `dir`, recursively, in path
    /// order: the user's own packs (`--checks DIR`), trusted as to where
    /// their links lead. A directory that does not exist is an error.
    pub fn add_dir(&mut self, dir: &Path, origin: Origin) {
        let mut files = Vec::new();
        if let Err(source) = collect_pack_files(dir, &mut files, true) {
            self.io_error.get_or_insert(LoadError::Io {
                path: dir.to_path_buf(),
                source,
            });
            return;
        }
        self.add_files(files, origin, Scope::Given);
    }

    /// Loads the audited repository's own packs from
    /// [`REPOSITORY_PACK_DIR`] under `root`, if there are any. They are
    /// untrusted: nothing they link to outside the root is read (an error
    /// says which link), symbolic links to directories are not followed,
    /// and only regular files of at most [`MAX_PACK_BYTES`] are read.
    pub fn add_repository(&mut self, root: &Path) {
        let dir = root.join(REPOSITORY_PACK_DIR);
        if std::fs::symlink_metadata(&dir).is_err() {
            return;
        }
        let io = |path: &Path, source| LoadError::Io {
            path: path.to_path_buf(),
            source,
        };
        let root = match user_file::canonical_root(root) {
            Ok(root) => root,
            Err(source) => {
                self.io_error.get_or_insert(io(root, source));
                return;
            }
        };
        let real = match user_file::contained(&dir, &root) {
            Ok(real) => real,
            Err(error) => {
                self.io_error.get_or_insert(LoadError::Read(error));
                return;
            }
        };
        let mut files = Vec::new();
        if let Err(source) = collect_pack_files(&real, &mut files, false) {
            self.io_error.get_or_insert(io(&dir, source));
            return;
        }
        // Names as the user knows them: under the root as given.
        let shown: Vec<PathBuf> = files
            .into_iter()
            .map(|path| match path.strip_prefix(&real) {
                Ok(rest) => dir.join(rest),
                Err(_) => path,
            })
            .collect();
        self.add_files(shown, Origin::Repository, Scope::Inside(&root));
    }

    fn add_files(&mut self, mut files: Vec<PathBuf>, origin: Origin, scope: Scope<'_>) {
        files.sort();
        for path in files {
            match user_file::read_text(&path, scope, MAX_PACK_BYTES) {
                Ok(text) => {
                    let source = PackSource {
                        origin: origin.clone(),
                        name: path.display().to_string(),
                        path: Some(path.clone()),
                    };
                    self.add_text(source, &text);
                }
                Err(error) => {
                    self.io_error.get_or_insert(LoadError::Read(error));
                }
            }
        }
    }

    /// Parses and validates one pack's text.
    pub fn add_text(&mut self, source: PackSource, text: &str) {
        let file = Arc::new(SourceFile {
            name: source.name.clone(),
            text: Arc::from(text),
        });
        for (position, spec) in parse_pack(&file, &mut self.diagnostics) {
            self.add_spec(&file, &source, position, spec);
        }
    }

    fn add_spec(
        &mut self,
        file: &Arc<SourceFile>,
        source: &PackSource,
        at: Position,
        spec: CheckSpec,
    ) {
        let mut v = Validator {
            file,
            at,
            diagnostics: &mut self.diagnostics,
            trusted: source.origin == Origin::Builtin && !self.validate_builtin_fully,
        };
        let id = &spec.id.value;
        if !is_valid_id(id) {
            v.error_at(
                &spec.id,
                format!("invalid check id `{id}`: expected lowercase dotted words such as `secrets.private-key`"),
            );
        }
        let effort_minutes = effort::parse_minutes(&spec.effort.value).unwrap_or_else(|message| {
            v.error_at(&spec.effort, message);
            0
        });
        if let Some(when) = &spec.when {
            when.validate(&mut v);
        }
        spec.rule.validate(&mut v);
        for pattern in &spec.defers_to {
            if !is_valid_defers_pattern(&pattern.value) {
                v.error_at(
                    pattern,
                    format!(
                        "invalid `defers_to` entry `{}`: expected a check id such as `secrets.cloud-keys` or a family such as `secrets.*`",
                        pattern.value
                    ),
                );
            }
        }
        if spec.roles.as_ref().is_some_and(Vec::is_empty) {
            v.error(
                at,
                "`roles` is empty: the check would read no file; leave it out for the category's default",
            );
        }
        let id_position = Position::from_yaml(spec.id.referenced);
        if let Some((other_file, other)) = self.seen.get(id) {
            self.diagnostics.push(
                file,
                id_position,
                format!(
                    "duplicate check id `{id}`: already defined at {other_file}:{}:{}",
                    other.line, other.column
                ),
            );
            return;
        }
        self.seen
            .insert(id.clone(), (file.name.clone(), id_position));
        self.checks.push(Check {
            id: id.clone(),
            title: spec.title,
            category: spec.category,
            severity: spec.severity,
            stage: spec.stage,
            description: spec.description,
            remediation: spec.remediation,
            effort: spec.effort.value,
            effort_minutes,
            references: spec.references,
            when: spec.when,
            rule: spec.rule,
            opt_in: spec.opt_in,
            notice: spec.notice,
            defers_to: spec.defers_to.into_iter().map(|p| p.value).collect(),
            roles: spec.roles.as_deref().map(RoleSet::of),
            source: source.clone(),
            position: at,
        });
    }

    pub fn finish(self) -> Result<Catalog, LoadError> {
        if let Some(error) = self.io_error {
            return Err(error);
        }
        self.diagnostics.into_result().map_err(LoadError::Invalid)?;
        Ok(Catalog {
            checks: self.checks,
        })
    }
}

fn is_pack_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

/// Pack files under `dir`. Links to directories are followed only for the
/// user's own directories: in a repository they could loop or lead out.
fn collect_pack_files(dir: &Path, into: &mut Vec<PathBuf>, follow: bool) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        let is_dir = kind.is_dir() || (follow && kind.is_symlink() && path.is_dir());
        if is_dir {
            collect_pack_files(&path, into, follow)?;
        } else if is_pack_file(&path) {
            // Anything else with a pack's name (a FIFO, a link) is refused
            // with a reason when it is read.
            into.push(path);
        }
    }
    Ok(())
}

/// Every content regex the checks of `catalog` search files for, with the id
/// of the check that uses it (`stack` for stack detection), in plan order,
/// without repeats: what an audit runs over every file it reads, so that
/// other tools (`rg -f`) can be measured on the same work.
pub fn content_patterns(catalog: &Catalog) -> Vec<(String, String)> {
    let plan = planned(catalog);
    let mut seen = std::collections::HashSet::new();
    plan.planned_patterns()
        .map(|(id, regex)| (id.to_string(), regex.to_string()))
        .filter(|(id, regex)| seen.insert((id.clone(), regex.clone())))
        .collect()
}

/// A content regex of a check with the tests its hits' values must pass.
pub type FilteredPattern = (
    String,
    String,
    Option<std::sync::Arc<crate::scan::HitFilter>>,
);

/// Like [`content_patterns`], with each pattern's value tests: a shape of a
/// secret is what its check would report, not every match of its regex.
pub fn filtered_patterns(catalog: &Catalog) -> Vec<FilteredPattern> {
    filtered(planned(catalog))
}

/// [`filtered_patterns`] of some checks alone (no stack detection or CI
/// model patterns).
pub fn filtered_patterns_of<'c>(
    checks: impl IntoIterator<Item = &'c Check>,
) -> Vec<FilteredPattern> {
    let mut plan = crate::scan::PlanBuilder::new();
    plan_checks(&mut plan, checks);
    filtered(plan)
}

fn filtered(plan: crate::scan::PlanBuilder) -> Vec<FilteredPattern> {
    let mut seen = std::collections::HashSet::new();
    plan.planned_filters()
        .filter(|(id, regex, _)| seen.insert((id.to_string(), regex.to_string())))
        .map(|(id, regex, filter)| (id.to_string(), regex.to_string(), filter.cloned()))
        .collect()
}

fn planned(catalog: &Catalog) -> crate::scan::PlanBuilder {
    let mut plan = crate::scan::PlanBuilder::new();
    let _ = crate::stack::StackPlan::plan(&mut plan);
    let _ = crate::repo::ci::CiPlan::plan(&mut plan);
    plan_checks(&mut plan, catalog.checks());
    plan
}

fn plan_checks<'c>(
    plan: &mut crate::scan::PlanBuilder,
    checks: impl IntoIterator<Item = &'c Check>,
) {
    let reports = crate::tool_reports::Settings::default();
    for check in checks {
        let cx = crate::rules::PlanContext {
            check_id: &check.id,
            reports: &reports,
        };
        if let Some(when) = &check.when {
            let _ = when.plan(plan, cx);
        }
        let _ = check.rule.plan(plan, cx);
    }
}

/// Whether `pattern` is a valid `defers_to` entry: a check id, or a family
/// `prefix.*` (every id under `prefix.`).
pub fn is_valid_defers_pattern(pattern: &str) -> bool {
    match pattern.strip_suffix(".*") {
        // A family is a valid id with its last word left open.
        Some(prefix) => is_valid_id(&format!("{prefix}.x")),
        None => is_valid_id(pattern),
    }
}

pub(crate) fn is_valid_id(id: &str) -> bool {
    let mut parts = id.split('.');
    let first = parts.next().unwrap_or_default();
    let word = |w: &str| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    };
    word(first) && id.contains('.') && parts.all(word)
}

/// A parsed pack: where it came from, its text, its specs and the problems
/// parsing found.
type ParsedPack = (
    PackSource,
    Arc<SourceFile>,
    Vec<(Position, CheckSpec)>,
    Diagnostics,
);

/// A pack to parse: where it came from, its text and, for a built-in pack,
/// the same checks as JSON.
type PackToParse = (PackSource, Arc<SourceFile>, Option<&'static str>);

/// Whether the built-in pack named `source_name` (`builtin:NAME`) is the
/// file `name`.
fn file_name_is(source_name: &str, name: &str) -> bool {
    source_name.strip_prefix("builtin:") == Some(name)
}

/// Each pack parsed from its JSON when it has one, else [`parse_pack`] of
/// its YAML, on two threads (the packs taken in turn by whichever is free),
/// in the packs' order.
fn parse_in_parallel(packs: Vec<PackToParse>) -> Vec<ParsedPack> {
    let parse = |(source, file, json): PackToParse| {
        let mut diagnostics = Diagnostics::default();
        let specs = json
            .and_then(parse_json)
            .unwrap_or_else(|| parse_pack(&file, &mut diagnostics));
        (source, file, specs, diagnostics)
    };
    if packs.len() < 2 {
        return packs.into_iter().map(parse).collect();
    }
    let queue = std::sync::Mutex::new(packs.into_iter().enumerate());
    let next = || queue.lock().unwrap_or_else(|e| e.into_inner()).next();
    let work = || {
        let mut mine = Vec::new();
        while let Some((index, pack)) = next() {
            mine.push((index, parse(pack)));
        }
        mine
    };
    let mut parsed = std::thread::scope(|scope| {
        let other = scope.spawn(work);
        let mut parsed = work();
        parsed.extend(
            other
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        );
        parsed
    });
    parsed.sort_unstable_by_key(|(index, _)| *index);
    parsed.into_iter().map(|(_, pack)| pack).collect()
}

/// A built-in pack converted to JSON by `build/catalogue.rs`.
#[derive(serde::Deserialize)]
struct JsonPack {
    checks: Vec<CheckSpec>,
    positions: Vec<JsonPositions>,
}

/// Where a built-in check's list entry and its `id` are in the YAML.
#[derive(serde::Deserialize)]
struct JsonPositions {
    entry: serde_saphyr::Location,
    id: serde_saphyr::Location,
}

/// The specs of a built-in pack's JSON, with their positions in its YAML;
/// `None` if they do not read as specs (the YAML is parsed instead, and
/// says why). Spans inside a spec are unknown: only validation errors read
/// them, and the built-in packs have none (`builtin_packs_validate_fully`).
fn parse_json(json: &str) -> Option<Vec<(Position, CheckSpec)>> {
    let pack: JsonPack = serde_json::from_str(json).ok()?;
    (pack.checks.len() == pack.positions.len()).then(|| {
        pack.checks
            .into_iter()
            .zip(pack.positions)
            .map(|(mut spec, at)| {
                spec.id.referenced = at.id;
                spec.id.defined = at.id;
                (Position::from_yaml(at.entry), spec)
            })
            .collect()
    })
}

/// Parses a pack into specs with their positions. When the whole file does
/// not parse, each entry is parsed on its own so that every broken entry is
/// reported, not just the first.
fn parse_pack(file: &Arc<SourceFile>, diagnostics: &mut Diagnostics) -> Vec<(Position, CheckSpec)> {
    let text = &file.text;
    if text.trim().is_empty() {
        return Vec::new();
    }
    let first_error = match serde_saphyr::from_str::<Vec<Spanned<CheckSpec>>>(text) {
        Ok(items) => {
            return items
                .into_iter()
                .map(|item| (Position::from_yaml(item.referenced), item.value))
                .collect();
        }
        Err(error) => error,
    };
    let report_first = |diagnostics: &mut Diagnostics| {
        let position = first_error
            .location()
            .map(Position::from_yaml)
            .unwrap_or(Position::new(1, 1));
        let mut message = yaml_error_message(&first_error);
        if message.contains("sequence") {
            message.push_str(" (a check pack is a YAML list of checks)");
        }
        diagnostics.push(file, position, message);
    };

    let Ok(items) = serde_saphyr::from_str::<Vec<Spanned<serde::de::IgnoredAny>>>(text) else {
        // Not even a well-formed list: the parser's first error is all we know.
        report_first(diagnostics);
        return Vec::new();
    };
    let starts: Vec<Position> = items
        .iter()
        .map(|item| Position::from_yaml(item.referenced))
        .collect();
    if starts.windows(2).any(|w| w[0].line == w[1].line) {
        // Entries share lines (flow style); they cannot be separated by line.
        report_first(diagnostics);
        return Vec::new();
    }
    let before = diagnostics.len();
    let mut specs = Vec::new();
    for (i, start) in starts.iter().enumerate() {
        let end_line = starts.get(i + 1).map(|p| p.line);
        let isolated = isolate_entry(text, *start, end_line);
        match serde_saphyr::from_str::<CheckSpec>(&isolated) {
            Ok(spec) => specs.push((*start, spec)),
            Err(error) => {
                let position = error.location().map(Position::from_yaml).unwrap_or(*start);
                diagnostics.push(file, position, yaml_error_message(&error));
            }
        }
    }
    if diagnostics.len() == before {
        report_first(diagnostics);
    }
    specs
}

/// The text of one list entry, blanked around so that it parses as a mapping
/// on its own while every line and column stays where it was in the file.
fn isolate_entry(text: &str, start: Position, end_line: Option<usize>) -> String {
    let mut out = String::with_capacity(text.len());
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if number < start.line {
            out.push('\n');
            continue;
        }
        if end_line.is_some_and(|end| number >= end) {
            break;
        }
        if number == start.line {
            let prefix = line.chars().take(start.column - 1).count();
            out.extend(std::iter::repeat_n(' ', prefix));
            out.extend(line.chars().skip(start.column - 1));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Catalog, LoadError> {
        let mut loader = PackLoader::new();
        loader.add_text(
            PackSource {
                origin: Origin::User,
                name: "pack.yaml".to_string(),
                path: None,
            },
            text,
        );
        loader.finish()
    }

    fn errors(text: &str) -> Vec<String> {
        match load(text) {
            Err(LoadError::Invalid(d)) => d.iter().map(|d| d.to_string()).collect(),
            other => panic!("expected diagnostics, got {other:?}"),
        }
    }

    /// What a spec's `Debug` says without the positions inside it (unknown
    /// in the JSON).
    fn without_spans(spec: &CheckSpec) -> String {
        let location = regex::Regex::new(r"Location \{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}").unwrap();
        location.replace_all(&format!("{spec:?}"), "_").into_owned()
    }

    #[test]
    fn builtin_json_holds_the_same_checks_as_the_yaml() {
        let files: Vec<_> = BUILTIN_PACKS
            .files()
            .filter(|f| is_pack_file(f.path()))
            .collect();
        assert_eq!(
            BUILTIN_JSON.len(),
            files.len(),
            "every built-in pack converts to JSON"
        );
        let mut checks = 0;
        for file in files {
            let name = file.path().display().to_string();
            let text = file.contents_utf8().expect("packs are UTF-8");
            let source = Arc::new(SourceFile {
                name: name.clone(),
                text: Arc::from(text),
            });
            let mut diagnostics = Diagnostics::default();
            let from_yaml = parse_pack(&source, &mut diagnostics);
            assert!(diagnostics.is_empty(), "{name}: {diagnostics}");
            let json = BUILTIN_JSON
                .iter()
                .find(|(n, _)| *n == name)
                .unwrap_or_else(|| panic!("{name} has no JSON"))
                .1;
            let from_json =
                parse_json(json).unwrap_or_else(|| panic!("{name}: JSON does not read"));
            assert_eq!(from_json.len(), from_yaml.len(), "{name}");
            for ((at_json, json), (at_yaml, yaml)) in from_json.iter().zip(&from_yaml) {
                assert_eq!(at_json, at_yaml, "{name}: {}", yaml.id.value);
                assert_eq!(
                    Position::from_yaml(json.id.referenced),
                    Position::from_yaml(yaml.id.referenced),
                    "{name}: {}",
                    yaml.id.value
                );
                assert_eq!(without_spans(json), without_spans(yaml), "{name}");
                checks += 1;
            }
        }
        assert!(checks > 100, "{checks} checks compared");
    }

    #[test]
    fn builtin_packs_validate_in_full() {
        // The audit trusts built-in regexes and compiles them only when a
        // file needs them; this is where they are proven to compile.
        let mut loader = PackLoader::new();
        loader.validate_builtin_fully = true;
        loader.add_builtin();
        let catalog = loader.finish().expect("the built-in packs are valid");
        for (id, regex) in content_patterns(&catalog) {
            if let Err(message) = crate::scan::compile_regex(&regex) {
                panic!("{id}: `{regex}` does not compile: {message}");
            }
        }
    }

    const GOOD: &str = "\
- id: docs.readme
  title: A README exists
  category: documentation
  severity: low
  stage: beta
  description: d
  remediation: r
  effort: 30m
  rule:
    file_exists: { paths: [README.md] }
";

    #[test]
    fn loads_a_valid_pack() {
        let catalog = load(GOOD).unwrap();
        assert_eq!(catalog.checks().len(), 1);
        let check = &catalog.checks()[0];
        assert_eq!(check.id, "docs.readme");
        assert_eq!(check.effort_minutes, 30);
        assert_eq!(check.position, Position::new(1, 3));
    }

    #[test]
    fn defers_to_entries_are_ids_or_families() {
        let good = GOOD.replace(
            "  rule:",
            "  defers_to: [docs.*, security.headers]\n  rule:",
        );
        let catalog = load(&good).unwrap();
        assert_eq!(
            catalog.checks()[0].defers_to,
            ["docs.*", "security.headers"]
        );
        let bad = GOOD.replace("  rule:", "  defers_to: [docs.readme, \"Docs\"]\n  rule:");
        let found = errors(&bad);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].contains("invalid `defers_to` entry `Docs`"),
            "{found:?}"
        );
        assert!(found[0].contains("pack.yaml:9:"), "{found:?}");
    }

    #[test]
    fn reports_every_broken_entry_with_positions() {
        let text = format!(
            "{GOOD}{}{}",
            GOOD.replace("docs.readme", "docs.a")
                .replace("category: documentation", "category: docs"),
            GOOD.replace("docs.readme", "docs.b")
                .replace("file_exists", "file_exist"),
        );
        let found = errors(&text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].starts_with("pack.yaml:13:13: unknown variant `docs`"),
            "{found:?}"
        );
        assert!(
            found[0].contains("documentation"),
            "names what was expected: {found:?}"
        );
        assert!(
            found[1].starts_with("pack.yaml:30:5: unknown variant `file_exist`"),
            "{found:?}"
        );
    }

    #[test]
    fn reports_semantic_problems_together() {
        let text = format!(
            "{GOOD}{}",
            GOOD.replace("effort: 30m", "effort: soon")
                .replace("[README.md]", "['[oops']")
                .replace(
                    "file_exists: { paths: ['[oops'] }",
                    "content_match: { pattern: '(unclosed' }"
                )
        );
        let found = errors(&text);
        assert!(
            found
                .iter()
                .any(|e| e.contains("duplicate check id `docs.readme`")
                    && e.contains("pack.yaml:1:7")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|e| e.starts_with("pack.yaml:18:11:") && e.contains("not an effort estimate")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|e| e.starts_with("pack.yaml:20:31:") && e.contains("invalid regex")),
            "{found:?}"
        );
    }

    #[test]
    fn a_mapping_instead_of_a_list_says_what_a_pack_is() {
        let found = errors("id: x\n");
        assert!(
            found[0].contains("a check pack is a YAML list of checks"),
            "{found:?}"
        );
    }

    #[test]
    fn syntax_errors_have_positions() {
        let found = errors("- id: [unclosed\n");
        assert!(found[0].starts_with("pack.yaml:1:"), "{found:?}");
    }

    #[test]
    fn ids_are_dotted_lowercase_words() {
        assert!(is_valid_id("secrets.private-key"));
        assert!(is_valid_id("code_quality.lint"));
        assert!(!is_valid_id("Secrets.Key"));
        assert!(!is_valid_id("nodot"));
        assert!(!is_valid_id("a..b"));
    }

    #[test]
    fn builtin_packs_load_cleanly() {
        let catalog = Catalog::builtin().expect("built-in packs are valid");
        assert!(!catalog.checks().is_empty());
    }
}
