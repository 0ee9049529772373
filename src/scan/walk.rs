//! The single pass over the repository: a parallel, ignore-aware walk in
//! which each file is matched against every selector at once and, if any
//! content pattern wants it, read once and searched by all patterns together.

use super::content_regex::{ContentRegex, Locations};
use super::evidence::{Document, Hit, Kept, Partial};
use super::filter::{Judged, KEY_GROUP, SECRET_GROUP};
use super::literal::LazyTree;
use super::per_pattern::PerPattern;
use super::prefilter::{LineMode, Occurrences, join_near_lines};
use super::starts::StartsCaches;
use super::test_code;
use super::weak::is_public;
use super::{Evidence, ScanOptions, ScanPlan};
use crate::model::Role;
use ignore::overrides::OverrideBuilder;
use ignore::{DirEntry, WalkBuilder, WalkState};
use memchr::{memchr, memmem, memrchr};
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Git's own heuristic: a NUL byte in the first 8 KiB means binary.
pub(crate) const BINARY_PROBE: usize = 8 * 1024;
/// A regex that matches everywhere (an empty match, say) must not turn one
/// file into millions of hits.
const MATCHES_PER_FILE: usize = 1_000;
const ALLOW_MARKER: &[u8] = b"readyctl:allow";

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("cannot audit `{path}`: {reason}")]
    Root { path: String, reason: String },
    #[error("invalid scan exclude pattern `{pattern}`: {reason}")]
    Exclude { pattern: String, reason: String },
    /// A plan built by readyctl's own code did not compile: a bug, not a
    /// problem of the audited repository.
    #[error("internal error while planning the scan: {0}")]
    Plan(String),
}

pub fn scan(root: &Path, plan: &ScanPlan, options: &ScanOptions) -> Result<Evidence, ScanError> {
    let started = Instant::now();
    match std::fs::metadata(root) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(ScanError::Root {
                path: root.display().to_string(),
                reason: "not a directory".to_string(),
            });
        }
        Err(err) => {
            return Err(ScanError::Root {
                path: root.display().to_string(),
                reason: err.to_string(),
            });
        }
    }

    let mut builder = WalkBuilder::new(root);
    builder
        // Dotfiles are exactly what a readiness audit looks at (.env,
        // .github/, .dockerignore); ignore rules decide, not the leading dot.
        .hidden(false)
        // A fixture or an unpacked tarball has no .git but its .gitignore
        // still says what is not part of the project.
        .require_git(false)
        .git_global(false)
        .follow_links(false)
        .filter_entry(|entry| entry.file_name() != ".git");
    if options.threads > 0 {
        builder.threads(options.threads);
    }
    if !options.exclude.is_empty() {
        let mut overrides = OverrideBuilder::new(root);
        for pattern in &options.exclude {
            overrides
                .add(&format!("!{pattern}"))
                .map_err(|err| ScanError::Exclude {
                    pattern: pattern.clone(),
                    reason: err.to_string(),
                })?;
        }
        let overrides = overrides.build().map_err(|err| ScanError::Exclude {
            pattern: options.exclude.join(", "),
            reason: err.to_string(),
        })?;
        builder.overrides(overrides);
    }

    let include: Vec<String> = options
        .include
        .iter()
        .map(|p| p.trim_end_matches('/').to_string())
        .filter(|p| !p.is_empty())
        .collect();
    let walked_included = Mutex::new(HashSet::new());
    let finished: Mutex<Vec<Partial>> = Mutex::new(Vec::new());
    // One set of kept contents for every thread: bounded per thread, each
    // would hold up to the limit (8 MiB) until the walk's end.
    let kept = Mutex::new(Kept::default());
    let room = Arc::new(AtomicUsize::new(test_code::UNJUDGED_BYTES_LIMIT));
    let sink = (&finished, &kept, &room);
    builder.build_parallel().run(|| {
        let mut worker = Worker::new(root, plan, options, sink, &include, &walked_included);
        Box::new(move |entry| {
            worker.visit(entry);
            WalkState::Continue
        })
    });
    if !include.is_empty() {
        let walked = walked_included
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        let none = Mutex::new(HashSet::new());
        let mut worker = Worker::new(root, plan, options, sink, &[], &none);
        for path in &include {
            visit_included(&mut worker, root, path, &walked);
        }
    }

    let mut total = Partial::new(
        plan.selector_count,
        plan.pattern_count(),
        plan.document_count,
    );
    for partial in finished.into_inner().unwrap_or_else(|e| e.into_inner()) {
        total.absorb(partial);
    }
    total.kept = kept.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut evidence = total.finish(started.elapsed());
    evidence.set_classifier(options.roles.clone());
    Ok(evidence)
}

/// Reads what ignore rules hid under `include` (a file or a directory,
/// relative to the root): the files the walk did not reach, without any
/// ignore rule, `.git` still left out. A path that does not exist is a
/// problem in the scan statistics, not an error.
fn visit_included(worker: &mut Worker<'_>, root: &Path, include: &str, walked: &HashSet<String>) {
    let inside = Path::new(include).components().all(|c| {
        matches!(
            c,
            std::path::Component::Normal(_) | std::path::Component::CurDir
        )
    });
    if !inside {
        // A repository's readyctl.toml must not make the audit read, and
        // report on, files outside the folder it audits.
        if let Some(partial) = worker.partial.as_mut() {
            partial.stats.problem(format!(
                "{include}: included paths must be inside the audited folder"
            ));
        }
        return;
    }
    let path = root.join(include);
    if std::fs::symlink_metadata(&path).is_err() {
        if let Some(partial) = worker.partial.as_mut() {
            partial
                .stats
                .problem(format!("{include}: included path does not exist"));
        }
        return;
    }
    // A link on the way (the path itself or a folder above it) must not
    // lead the walk out of the root.
    let inside = match (std::fs::canonicalize(root), std::fs::canonicalize(&path)) {
        (Ok(root), Ok(real)) => real.starts_with(root),
        _ => false,
    };
    if !inside {
        if let Some(partial) = worker.partial.as_mut() {
            partial.stats.problem(format!(
                "{include}: included path leads outside the audited folder (a symbolic link); not read"
            ));
        }
        return;
    }
    let files = WalkBuilder::new(&path)
        .standard_filters(false)
        .follow_links(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .build();
    for entry in files {
        let Ok(entry) = entry else {
            worker.visit(entry);
            continue;
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let relative = relative_path(root, entry.path());
        if !walked.contains(&relative) {
            worker.visit_file(entry.path(), relative);
        }
    }
}

/// Whether `path` is `prefix` or inside the directory `prefix`.
fn is_under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Per-thread state. Its partial result is handed over when the walker drops
/// it, which happens once the thread has no more work.
struct Worker<'a> {
    root: &'a Path,
    plan: &'a ScanPlan,
    options: &'a ScanOptions,
    sink: &'a Mutex<Vec<Partial>>,
    /// The walk's kept contents, shared by its threads.
    kept: &'a Mutex<Kept>,
    /// `ScanOptions::include`, without trailing slashes.
    include: &'a [String],
    /// Files under `include` that the walk itself reached.
    walked_included: &'a Mutex<HashSet<String>>,
    partial: Option<Partial>,
    buffer: Vec<u8>,
    selectors: Vec<usize>,
    patterns: Vec<usize>,
    /// The patterns of each set of selectors seen so far (see
    /// [`Worker::wants`]).
    pattern_lists: HashMap<Vec<usize>, Vec<usize>>,
    search: Search,
    documents: Vec<(usize, bool)>,
}

/// Sets of selectors whose patterns a worker remembers; past it, their
/// patterns are gathered for each file again.
const PATTERN_LISTS_LIMIT: usize = 4096;

impl Drop for Worker<'_> {
    fn drop(&mut self) {
        if let Some(partial) = self.partial.take() {
            self.sink
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(partial);
        }
    }
}

impl<'a> Worker<'a> {
    fn new(
        root: &'a Path,
        plan: &'a ScanPlan,
        options: &'a ScanOptions,
        (sink, kept, room): (
            &'a Mutex<Vec<Partial>>,
            &'a Mutex<Kept>,
            &'a Arc<AtomicUsize>,
        ),
        include: &'a [String],
        walked_included: &'a Mutex<HashSet<String>>,
    ) -> Self {
        let mut partial = Partial::new(
            plan.selector_count,
            plan.pattern_count(),
            plan.document_count,
        );
        partial.unjudged.room = Some(Arc::clone(room));
        Worker {
            root,
            plan,
            options,
            sink,
            kept,
            include,
            walked_included,
            partial: Some(partial),
            buffer: Vec::new(),
            selectors: Vec::new(),
            patterns: Vec::new(),
            pattern_lists: HashMap::new(),
            search: Search::default(),
            documents: Vec::new(),
        }
    }

    fn visit(&mut self, entry: Result<DirEntry, ignore::Error>) {
        let Some(partial) = self.partial.as_mut() else {
            return;
        };
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                partial.stats.problem(err.to_string());
                return;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            return;
        }
        let relative = relative_path(self.root, entry.path());
        if self.include.iter().any(|i| is_under(&relative, i)) {
            self.walked_included
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(relative.clone());
        }
        self.visit_file(entry.path(), relative);
    }

    /// Everything the plan wants from one file: selectors, documents, kept
    /// contents and content patterns.
    fn partial_mut(&mut self) -> &mut Partial {
        self.partial
            .as_mut()
            .expect("a worker has its partial until it is dropped")
    }

    /// The patterns, document requests and kept contents the file's
    /// selectors ask for; whether any of them needs its text.
    ///
    /// A file's patterns depend only on its selectors, and most files share
    /// their selectors with many others (every Go file outside tests, say):
    /// gathering, sorting and deduplicating a few hundred pattern ids for
    /// each file cost 11 k instructions, a look-up a fraction of it.
    fn wants(&mut self) -> bool {
        match self.pattern_lists.get(&self.selectors) {
            Some(patterns) => {
                self.patterns.clear();
                self.patterns.extend_from_slice(patterns);
            }
            None => {
                self.plan.patterns_for(&self.selectors, &mut self.patterns);
                if self.pattern_lists.len() < PATTERN_LISTS_LIMIT {
                    self.pattern_lists
                        .insert(self.selectors.clone(), self.patterns.clone());
                }
            }
        }
        self.documents.clear();
        for selector in &self.selectors {
            self.documents
                .extend_from_slice(&self.plan.selector_documents[*selector]);
        }
        self.plan.keeps_any(&self.selectors) || self.documents.iter().any(|(_, content)| *content)
    }

    /// Counts the file under its role and in each of its selectors.
    fn record_selected(&mut self, role: Role, relative: &str) {
        let Some(partial) = self.partial.as_mut() else {
            return;
        };
        partial.walked(role, relative);
        for selector in &self.selectors {
            let sample = &mut partial.selectors[*selector];
            if sample.wants(relative) {
                sample.insert(relative.to_string());
            } else {
                sample.count_only();
            }
        }
    }

    fn visit_file(&mut self, path: &Path, relative: String) {
        let Some(partial) = self.partial.as_mut() else {
            return;
        };
        partial.stats.files_walked += 1;
        if let Some(progress) = &self.options.progress {
            progress.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }

        let mut role = self
            .options
            .roles
            .as_ref()
            .map_or(Role::Production, |c| c.role_of(&relative));
        self.plan
            .selectors_for(&relative, role, &mut self.selectors);
        let wants_text = self.wants();
        if self.patterns.is_empty() && !wants_text {
            // No rule reads the file: it is not opened, not even for a
            // generated-code header.
            self.record_selected(role, &relative);
            let partial = self.partial.as_mut().expect("checked above");
            for (request, _) in &self.documents {
                partial.documents[*request].insert(Document {
                    path: relative.clone(),
                    text: None,
                    modified: None,
                });
            }
            return;
        }
        let readable = match read_limited(path, self.options.max_file_size, &mut self.buffer) {
            Ok(()) => true,
            Err(ReadProblem::Binary) => {
                self.partial_mut().stats.skipped_binary += 1;
                false
            }
            Err(ReadProblem::TooLarge) => {
                self.partial_mut().stats.skipped_too_large += 1;
                false
            }
            Err(ReadProblem::Io(err)) => {
                self.partial_mut()
                    .stats
                    .problem(format!("{relative}: {err}"));
                false
            }
        };
        if readable
            && !matches!(role, Role::Generated | Role::Vendored)
            && super::is_generated_content(&self.buffer)
            && super::marker::header_decides_role(&relative)
        {
            // Known only now that the file is read: rules that do not read
            // generated code give it up before anything is recorded.
            role = Role::Generated;
            self.partial_mut().generated.insert(relative.clone());
            self.plan.retain_role(role, &mut self.selectors);
            self.wants();
        }
        if readable
            && role == Role::Production
            && (super::marker::is_dev_only_content(&relative, &self.buffer)
                || super::marker::is_not_for_production_config(&relative, &self.buffer)
                || super::marker::runs_from_source(&relative, &self.buffer))
        {
            // A compose file, Dockerfile or configuration file that says it
            // is for local development: its default passwords are the
            // developer's, not production's, and its image never ships.
            role = Role::DevTooling;
            self.partial_mut().dev_compose.insert(relative.clone());
            self.plan.retain_role(role, &mut self.selectors);
            self.wants();
        }
        if readable
            && matches!(role, Role::Production | Role::Packaging)
            && super::marker::is_docs_site_config(&relative, &self.buffer)
        {
            // The headers and redirects of a static documentation site say
            // nothing about the service's own responses.
            role = Role::Docs;
            self.partial_mut().docs_site.insert(relative.clone());
            self.plan.retain_role(role, &mut self.selectors);
            self.wants();
        }
        self.record_selected(role, &relative);
        let keep = self.plan.keeps_any(&self.selectors);
        let Some(partial) = self.partial.as_mut() else {
            return;
        };
        for (request, content) in &self.documents {
            let wanted = *content && readable && self.plan.keeps_document(*request, &self.buffer);
            let text = wanted.then(|| super::lossy::lossy(&self.buffer).into_owned());
            let modified = if text.is_some() {
                modified_seconds(path)
            } else {
                None
            };
            partial.documents[*request].insert(Document {
                path: relative.clone(),
                text,
                modified,
            });
        }
        if !readable {
            return;
        }
        for selector in &self.selectors {
            partial.selector_read[*selector] += 1;
        }
        let content = self.buffer.as_slice();
        partial.stats.files_scanned += 1;
        partial.stats.bytes_scanned += content.len() as u64;
        if !super::lossy::is_utf8(content) {
            partial.stats.non_utf8 += 1;
        }
        if keep {
            let kept: Vec<usize> = self
                .selectors
                .iter()
                .copied()
                .filter(|s| self.plan.keep[*s])
                .collect();
            self.kept
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(&relative, kept, content);
        }
        let whole = [(0, content.len())];
        self.search.run(
            self.plan,
            &self.patterns,
            role,
            (content, &relative),
            &whole,
            partial,
        );
    }
}

/// The content search of one file, shared by the tree walk and the history
/// search; its buffers are reused from file to file.
#[derive(Default)]
pub(crate) struct Search {
    /// Per pattern: whether the prefilter says it may match this file.
    candidates: Vec<bool>,
    /// Where the prefilter's literals occur in this file.
    occurrences: Occurrences,
    /// The lines one pattern is searched on.
    lines: Vec<(usize, usize)>,
    /// Capture positions, one per regex, reused from search to search.
    captures: CaptureCache,
    /// The lazy-DFA caches of the per-line "does a match start here" checks.
    starts: StartsCaches,
}

/// The capture [`Locations`] of each pattern's regex, made the first time a
/// search needs them and kept for the worker's later files: making them
/// allocates, and a pattern is searched hundreds of thousands of times in a
/// monorepo.
#[derive(Default)]
struct CaptureCache(PerPattern<Locations>);

impl CaptureCache {
    fn of(&mut self, pattern: usize, regex: &ContentRegex) -> &mut Locations {
        self.0.of(pattern, regex, ContentRegex::capture_locations)
    }
}

impl Search {
    /// Searches `regions` of `content` (ordered, whole lines; the whole
    /// file, or the lines a commit added to it) for `patterns`. One pass of
    /// the literal prefilter over the regions says which patterns may
    /// occur; only those are run, on the lines of their literals or on the
    /// regions, to find their lines. Line numbers count from the start of
    /// `content` whatever the regions.
    pub(crate) fn run(
        &mut self,
        plan: &ScanPlan,
        patterns: &[usize],
        role: Role,
        (content, path): (&[u8], &str),
        regions: &[(usize, usize)],
        partial: &mut Partial,
    ) {
        if patterns.is_empty() || regions.is_empty() {
            return;
        }
        let prefilter = &plan.prefilter;
        prefilter.candidates_in(
            content,
            regions,
            patterns,
            &mut self.candidates,
            &mut self.occurrences,
        );
        self.starts
            .groups
            .new_file(&prefilter.start_groups, patterns, &self.candidates);
        let mut tree = LazyTree::default();
        let mut inline = InlineTests::new(role, path, content);
        let mut marker = AllowMarker::default();
        let whole_file = regions == [(0, content.len())];
        // Where the file's last non-ASCII byte ends (0 when there is none):
        // the text from there on is searched as ASCII. Asked once per file,
        // when a pattern first runs on it.
        let mut ascii_from = None;
        for pattern in patterns {
            if !self.candidates[*pattern] {
                continue;
            }
            let ascii_from = *ascii_from.get_or_insert_with(|| match content.is_ascii() {
                true => 0,
                false => content
                    .iter()
                    .rposition(|b| !b.is_ascii())
                    .map_or(0, |i| i + 1),
            });
            let mode = prefilter.lines(*pattern, content, &mut self.occurrences, &mut self.lines);
            // Matches must stay within the regions: searching onwards from a
            // literal's line is for whole files only.
            let search = match mode {
                // A match at a line's start or nowhere on the line: asked of
                // each line's start (a few bytes of an anchored search where
                // the line does not match) rather than searched line by line.
                LineMode::Within if whole_file && prefilter.starts_lines(*pattern) => {
                    (LineMode::StartingOn, self.lines.as_slice())
                }
                LineMode::Within if whole_file => {
                    join_near_lines(&mut self.lines);
                    (LineMode::Within, self.lines.as_slice())
                }
                LineMode::Within => (LineMode::Within, self.lines.as_slice()),
                LineMode::StartingOn if whole_file => (mode, self.lines.as_slice()),
                _ => (LineMode::Within, regions),
            };
            locate(
                plan,
                *pattern,
                (content, path, ascii_from),
                search,
                partial,
                (&mut tree, &mut inline, &mut marker),
                (&mut self.captures, &mut self.starts),
            );
        }
        inline.finish((content, path), &mut tree, partial);
    }
}

/// The test items of a production Rust file, parsed on its first hit, or
/// the pytest tables of a `pyproject.toml`.
struct InlineTests {
    possible: bool,
    tables: bool,
    ranges: Option<Vec<(usize, usize)>>,
    /// Hits (line, offset) whose judgement only gives their line its role
    /// in the report, not judged yet (see [`test_code::Unjudged`]).
    unjudged: Vec<(usize, usize)>,
}

impl InlineTests {
    fn new(role: Role, path: &str, content: &[u8]) -> Self {
        let production = role == Role::Production;
        let tables = production && test_code::may_have_test_tables(path, content);
        InlineTests {
            possible: tables || (production && test_code::may_have_tests(path, content)),
            tables,
            ranges: None,
            unjudged: Vec::new(),
        }
    }

    fn contains(&mut self, content: &[u8], tree: &mut LazyTree, offset: usize) -> bool {
        if !self.possible {
            return false;
        }
        let tables = self.tables;
        let ranges = self.ranges.get_or_insert_with(|| {
            if tables {
                return test_code::pytest_table_ranges(content);
            }
            test_code::rust_test_ranges_of(content, tree)
        });
        ranges.iter().any(|(s, e)| (*s..*e).contains(&offset))
    }

    /// Whether judging a hit at `offset` can wait: the file is not parsed
    /// yet. Then it is remembered, on its `line`, for [`Self::finish`].
    fn put_off(&mut self, tree: &LazyTree, line: usize, offset: usize) -> bool {
        if !self.possible || self.tables || self.ranges.is_some() || tree.parsed() {
            return false;
        }
        self.unjudged.push((line, offset));
        true
    }

    /// After the file's last hit: the hits put off are judged now if the
    /// file was parsed for another hit after all, or if there is no room
    /// to keep its contents until a finding asks; else they wait.
    fn finish(
        &mut self,
        (content, path): (&[u8], &str),
        tree: &mut LazyTree,
        partial: &mut Partial,
    ) {
        if self.unjudged.is_empty() {
            return;
        }
        let hits = std::mem::take(&mut self.unjudged);
        if self.ranges.is_none()
            && !tree.parsed()
            && partial.unjudged.keep(path, content, hits.clone())
        {
            return;
        }
        for (line, offset) in hits {
            if self.contains(content, tree, offset) {
                partial.test_lines.insert((path.to_string(), line));
            }
        }
    }
}

/// Records the hits of `pattern` in `content`, searched as the prefilter
/// says: the whole file, each range on its own (the lines of its literals,
/// or the regions searched), or the whole file from the lines of its
/// literals only (the lines are in order).
fn locate(
    plan: &ScanPlan,
    pattern: usize,
    (content, path, ascii_from): (&[u8], &str, usize),
    (mode, lines): (LineMode, &[(usize, usize)]),
    partial: &mut Partial,
    (tree, inline, marker): (&mut LazyTree, &mut InlineTests, &mut AllowMarker),
    (locations, starts): (&mut CaptureCache, &mut StartsCaches),
) {
    let mut line = 1;
    let mut counted_to = 0;
    let mut found = 0;
    let mut search = |(from, to): (usize, usize), end: usize, once: bool, found: &mut usize| {
        // What the regex reads from `from` on is ASCII: the rest of the
        // file, or a line that is.
        let ascii = from >= ascii_from || (end == to && content[from..to].is_ascii());
        locate_in(
            plan,
            (pattern, ascii),
            content,
            (from, to, end, once),
            (&mut line, &mut counted_to, found),
            path,
            partial,
            (&mut *tree, &mut *inline, &mut *marker),
            &mut *locations,
        )
    };
    match mode {
        LineMode::Whole => {
            search((0, content.len()), content.len(), false, &mut found);
        }
        LineMode::Within => {
            for (from, to) in lines {
                if found >= MATCHES_PER_FILE {
                    break;
                }
                search((*from, *to), *to, false, &mut found);
            }
        }
        LineMode::StartingOn => {
            // Every match starts on one of these lines: ask each whether one
            // does before searching onwards from it, so the regex never runs
            // over the lines between.
            let mut at = 0;
            'lines: for (from, to) in lines {
                loop {
                    let start = at.max(*from);
                    if start > *to
                        || found >= MATCHES_PER_FILE
                        || !plan.starts_on_line(pattern, content, start, ascii_from, starts)
                    {
                        break;
                    }
                    match search((start, *to), content.len(), true, &mut found) {
                        Some(next) => at = next,
                        None => break 'lines,
                    }
                }
            }
        }
    }
}

/// One range of [`locate`]: matches starting from `from` up to `to`, in
/// `content[..end]` (only the first when `once`). The regex sees the text
/// before `from` as context (for `^` and word boundaries); `counters` are
/// the line number, the offset it was counted to and the matches so far.
/// Returns where the next search starts, or `None` when one found nothing.
#[allow(clippy::too_many_arguments)]
fn locate_in(
    plan: &ScanPlan,
    (pattern, ascii): (usize, bool),
    content: &[u8],
    (from, to, end, once): (usize, usize, usize, bool),
    (line, counted_to, found): (&mut usize, &mut usize, &mut usize),
    path: &str,
    partial: &mut Partial,
    (tree, inline, marker): (&mut LazyTree, &mut InlineTests, &mut AllowMarker),
    locations: &mut CaptureCache,
) -> Option<usize> {
    let options = &plan.options[pattern];
    let regex = plan.regex(pattern, ascii);
    let haystack = &content[..end];
    let locals = locations.of(pattern, regex);
    // A collector whose `key` group follows from its match reads it from
    // there: the capturing engines cost more than finding the match.
    let key_span = plan.key_span(pattern);
    let captures = options.needs_captures() && key_span.is_none();
    let mut at = from;
    let mut searched = false;
    while at <= to && *found < MATCHES_PER_FILE && !(once && searched) {
        searched = true;
        // Capture positions are only asked for when a filter or a collector
        // needs them: the plain search is several times faster.
        let (start, end) = if captures {
            match regex.captures_read_at(locals, haystack, at) {
                Some(m) => (m.start(), m.end()),
                None => return None,
            }
        } else {
            match regex.find_at(haystack, at) {
                Some(m) => (m.start(), m.end()),
                None => return None,
            }
        };
        // An empty match must still make progress.
        at = if end > start { end } else { end + 1 };
        *found += 1;
        // A finding sits on its value's line: a pattern that reads several
        // lines for context (`kind: Secret` … `data:` … the key) reports
        // where the value is, not where the context starts.
        let anchor = if captures {
            group(regex, locals, SECRET_GROUP).map_or(start, |(s, _)| s)
        } else {
            start
        };
        *line += memchr::memchr_iter(b'\n', &content[*counted_to..anchor]).count();
        *counted_to = anchor;
        let mut detail = None;
        if let Some(filter) = &options.filter {
            let span = group(regex, locals, SECRET_GROUP)
                .or_else(|| locals.get(0))
                .unwrap_or((start, end));
            let value = &content[span.0..span.1];
            if !filter.accepts(value) {
                continue;
            }
            if options.secret && is_public(&String::from_utf8_lossy(value)) {
                continue;
            }
            if filter.judges_in_context() {
                let key = group(regex, locals, KEY_GROUP)
                    .map(|(s, e)| String::from_utf8_lossy(&content[s..e]).into_owned());
                match filter.judge(path, content, span, key.as_deref(), tree) {
                    Judged::Dropped => continue,
                    Judged::Kept(why) => detail = why,
                    Judged::Test(why) => {
                        // Test-only value in any file (a test database's
                        // URL in a Makefile): as if its line were a test's.
                        if !plan.pattern_roles[pattern].contains(Role::Test) {
                            continue;
                        }
                        partial.test_lines.insert((path.to_string(), *line));
                        detail = why;
                    }
                }
            }
        }
        if super::manifest::on_indirect_requirement(path, content, start) {
            continue;
        }
        let reads_tests = plan.pattern_roles[pattern].contains(Role::Test);
        // A hit of a rule that reads test code stays whatever the answer:
        // the answer only gives its line the role "test" in the report,
        // which a secret's finding nearly always needs and other hits
        // seldom do.
        // A history blob's test lines are not read at all: only its hits.
        let waits = reads_tests
            && (partial.blob_hits.is_some()
                || (!options.secret && inline.put_off(tree, *line, anchor)));
        if !waits && inline.contains(content, tree, anchor) {
            // Test code in a production file: as if it were in a test file.
            if !reads_tests {
                continue;
            }
            partial.test_lines.insert((path.to_string(), *line));
        }
        if marker.silences(content, anchor, &options.check_id) {
            partial.suppressed[pattern] += 1;
            continue;
        }
        let mut fingerprint = None;
        if options.secret && partial.blob_hits.is_none() {
            // Remembered for the report's redactor: other checks may quote
            // the line this value is on.
            let value = secret_value(regex, locals, captures, haystack, start)
                .map_or(&content[start..end], |(s, e)| &content[s..e]);
            fingerprint = Some(super::evidence::fingerprint(value));
            if let Ok(value) = std::str::from_utf8(value) {
                partial.secrets.insert(value.to_string());
            }
        }
        if let Some(blob_hits) = &mut partial.blob_hits {
            // A history blob: the caller attributes the hit to its commit.
            let value = secret_value(regex, locals, captures, haystack, start)
                .map_or(&content[start..end], |(s, e)| &content[s..e]);
            blob_hits.push(super::blob::BlobHit {
                pattern: super::PatternId(pattern),
                line: *line,
                detail,
                value: String::from_utf8_lossy(value).into_owned(),
            });
            continue;
        }
        let hit = Hit {
            path: path.to_string(),
            line: *line,
            detail,
            fingerprint,
        };
        if options.collect {
            let value = match key_span {
                Some(span) => Some(span.key(haystack, start, end)),
                None => group(regex, locals, KEY_GROUP).or_else(|| locals.get(1)),
            };
            if let Some((s, e)) = value {
                partial.capture(pattern, &String::from_utf8_lossy(&content[s..e]), &hit);
            }
        }
        let hits = &mut partial.patterns[pattern];
        if hits.wants(&hit) {
            hits.insert(hit);
        } else {
            hits.count_only();
        }
    }
    Some(at)
}

/// The span of the `secret` group of the match at `start`, reading the
/// captures only when the search did not already.
fn secret_value(
    regex: &ContentRegex,
    locals: &mut Locations,
    captured: bool,
    content: &[u8],
    start: usize,
) -> Option<(usize, usize)> {
    let index = regex
        .capture_names()
        .position(|n| n == Some(SECRET_GROUP))?;
    if !captured {
        regex.captures_read_at(locals, content, start)?;
    }
    locals.get(index)
}

/// The span of a named group in the last match, if the regex has it and it
/// took part in the match.
fn group(regex: &ContentRegex, locals: &Locations, name: &str) -> Option<(usize, usize)> {
    let index = regex.capture_names().position(|n| n == Some(name))?;
    locals.get(index)
}

/// Whether the file being searched holds a `readyctl:allow` comment at
/// all, found the first time a hit asks: most files hold none, and
/// looking for one around each hit (a monorepo's collectors have 390 k
/// hits) cost more than searching the file once.
#[derive(Default)]
struct AllowMarker {
    present: Option<bool>,
}

impl AllowMarker {
    /// [`is_allowed`], without looking when the file holds no marker.
    fn silences(&mut self, content: &[u8], offset: usize, check_id: &str) -> bool {
        let present = *self
            .present
            .get_or_insert_with(|| memmem::find(content, ALLOW_MARKER).is_some());
        present && is_allowed(content, offset, check_id)
    }
}

/// Whether a `readyctl:allow` comment on the hit's line or the line above
/// silences it. `readyctl:allow` alone (or followed by a reason) silences any
/// check; `readyctl:allow <check-id> [reason]` only that check, and
/// `readyctl:allow <category>.*`-style prefixes such as `secrets.` a category.
pub(crate) fn is_allowed(content: &[u8], offset: usize, check_id: &str) -> bool {
    let line_start = memrchr(b'\n', &content[..offset]).map_or(0, |i| i + 1);
    let line_end = memchr(b'\n', &content[offset..]).map_or(content.len(), |i| offset + i);
    let region_start = if line_start == 0 {
        0
    } else {
        memrchr(b'\n', &content[..line_start - 1]).map_or(0, |i| i + 1)
    };
    let region = &content[region_start..line_end];
    // Building a searcher costs more than searching a line or two with it.
    static MARKER: std::sync::LazyLock<memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memmem::Finder::new(ALLOW_MARKER));
    MARKER.find_iter(region).any(|at| {
        let rest = &region[at + ALLOW_MARKER.len()..];
        allow_applies(rest, check_id)
    })
}

fn allow_applies(rest: &[u8], check_id: &str) -> bool {
    let rest = rest.strip_prefix(b":").unwrap_or(rest);
    let token: Vec<u8> = rest
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'*'))
        .copied()
        .collect();
    // Check ids are dotted; a word without a dot is the start of a reason.
    if !token.contains(&b'.') {
        return true;
    }
    let token = String::from_utf8_lossy(&token);
    let token = token.trim_end_matches('*');
    check_id == token.trim_end_matches('.') || (token.ends_with('.') && check_id.starts_with(token))
}

enum ReadProblem {
    TooLarge,
    Binary,
    Io(std::io::Error),
}

/// A file's modification time, in seconds since the epoch.
fn modified_seconds(path: &Path) -> Option<i64> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    jiff::Timestamp::try_from(modified)
        .ok()
        .map(|t| t.as_second())
}

/// Reads a file into `buffer`, refusing files over `limit` bytes even if
/// they grow between the size check and the read. The first
/// [`BINARY_PROBE`] bytes are read and judged before the rest: a binary file
/// (a NUL byte there) costs one small read, however large it is.
fn read_limited(path: &Path, limit: u64, buffer: &mut Vec<u8>) -> Result<(), ReadProblem> {
    buffer.clear();
    // The walk saw a regular file; one swapped for a FIFO since must not
    // block the thread, nor a link lead elsewhere.
    let file = crate::user_file::open(path, true).map_err(ReadProblem::Io)?;
    let meta = file.metadata().map_err(ReadProblem::Io)?;
    if !meta.is_file() {
        return Err(ReadProblem::Io(std::io::Error::other("not a regular file")));
    }
    let size = meta.len();
    if size > limit {
        return Err(ReadProblem::TooLarge);
    }
    // `limit` comes from the user; one past it must not wrap to zero.
    let cap = limit.saturating_add(1);
    let mut file = file.take(cap);
    let probe = (BINARY_PROBE as u64).min(cap);
    (&mut file)
        .take(probe)
        .read_to_end(buffer)
        .map_err(ReadProblem::Io)?;
    if memchr(0, buffer).is_some() {
        return Err(ReadProblem::Binary);
    }
    file.read_to_end(buffer).map_err(ReadProblem::Io)?;
    if buffer.len() as u64 > limit {
        buffer.clear();
        return Err(ReadProblem::TooLarge);
    }
    Ok(())
}

/// The path relative to the audited root, with `/` separators, as every
/// report shows it.
fn relative_path(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let mut text = String::new();
    for (i, part) in relative.components().enumerate() {
        if i > 0 {
            text.push('/');
        }
        text.push_str(&part.as_os_str().to_string_lossy());
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_comment_on_the_line_or_the_line_above() {
        let text = b"a = 1\n# readyctl:allow\nkey = SECRET\nother = SECRET\n";
        let first = memmem::find(text, b"SECRET").unwrap();
        let second = memmem::rfind(text, b"SECRET").unwrap();
        assert!(is_allowed(text, first, "secrets.x"));
        assert!(!is_allowed(text, second, "secrets.x"));
    }

    #[test]
    fn allow_with_a_check_id_only_silences_that_check() {
        let text = b"key = SECRET # readyctl:allow secrets.generic test fixture\n";
        let at = memmem::find(text, b"SECRET").unwrap();
        assert!(is_allowed(text, at, "secrets.generic"));
        assert!(!is_allowed(text, at, "secrets.aws"));
        let text = b"key = SECRET # readyctl:allow secrets.* fixtures\n";
        assert!(is_allowed(text, at, "secrets.aws"));
        assert!(!is_allowed(text, at, "security.cors"));
    }

    #[test]
    fn allow_with_only_a_reason_silences_any_check() {
        let text = b"key = SECRET // readyctl:allow documented example\n";
        let at = memmem::find(text, b"SECRET").unwrap();
        assert!(is_allowed(text, at, "secrets.anything"));
    }

    /// Whether a match starts on a line is answered exactly for the built-in
    /// patterns whose matches start at a line's start (asked without the
    /// lazy prefix, and never mid-line), and never wrongly "no" for the
    /// other patterns searched from their literals' lines; the same with
    /// the groups of patterns asked first (see `start_groups.rs`).
    #[test]
    fn starts_on_line_at_line_starts() {
        use super::super::plan::{PatternOptions, PlanBuilder, SelectorSpec};
        let text = "## Backups\nWe take nightly backups of the database.\n\
            \n  \n  api_key = Zx9Qw8Er7Ty6Ui5Op4As3DfGh\n\
            export SECRET_TOKEN=abcdefghijklmnopqrstuvwx12\n\
            x = 1; token = abcdefghijklmnopqrstuvwxyz0123\n\
            \tsecret := \"changeme-changeme\"\n\
            const jwtSecret = \"changeme\";\n\
            secret_key: str = \"not-a-real-secret\"\n\
            password: hunter2hunter2\n\
            - PASSWORD=hunter2 # local\n\
            \"strict\": true, \"license\": \"MIT\"\n  \"strict\": true\n\
            fail_under = 90\n  target: 95%\n\
            db := os.Getenv(\"DB_PASSWORD\"); v := getEnvOr(\"API_TOKEN\", \"x\")\n\
            const t = process.env.API_TOKEN || 'changeme-please-42';\n\
            aws_secret_access_key = \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY1\"\n";
        let patterns: Vec<&str> = crate::scan::literal_table::ANALYSES
            .iter()
            .filter(|entry| entry.mode == LineMode::StartingOn || entry.line_start)
            .map(|entry| entry.regex)
            .collect();
        let mut builder = PlanBuilder::new();
        let selector = builder.selector(SelectorSpec::from_strs(&[], &[]));
        for pattern in &patterns {
            builder.pattern(selector, pattern, PatternOptions::new("test.check"));
        }
        let plan = builder.build().unwrap();
        let content = text.as_bytes();
        let every: Vec<usize> = (0..patterns.len()).collect();
        let groups = &plan.prefilter.start_groups;
        assert!(groups.members().iter().any(|m| m.len() > 4), "{groups:?}");
        // Every group's lazy DFA builds: one that does not leaves its
        // members asking alone, as slow as before groups.
        for group in 0..groups.members().len() {
            assert!(plan.group_starts(group).is_some(), "{group}");
        }
        // Asked alone, and with each pattern's group asked first at a
        // line's start (as in a file where its members are searched).
        for grouped in [false, true] {
            let (mut anchored, mut matched) = (0, [0, 0]);
            let mut caches = StartsCaches::default();
            if grouped {
                caches
                    .groups
                    .new_file(groups, &every, &vec![true; patterns.len()]);
                caches.groups.warmed_up();
            }
            for (index, pattern) in patterns.iter().enumerate() {
                let line_start = plan.prefilter.starts_lines(index);
                anchored += usize::from(line_start);
                let regex = crate::scan::compile_regex(pattern).unwrap();
                for at in 0..=content.len() {
                    let line_end = memchr(b'\n', &content[at..]).map_or(content.len(), |i| at + i);
                    let expected = regex
                        .find_at(content, at)
                        .is_some_and(|m| m.start() <= line_end);
                    matched[usize::from(line_start)] += usize::from(expected);
                    let answer = plan.starts_on_line(index, content, at, 0, &mut caches);
                    match line_start {
                        true => assert_eq!(answer, expected, "{pattern} at {at}"),
                        false => assert!(answer || !expected, "{pattern} at {at}"),
                    }
                }
            }
            assert!(anchored > 10 && anchored < patterns.len(), "{anchored}");
            // Both kinds match somewhere in the text.
            assert!(matched[0] > 10 && matched[1] > 10, "{matched:?}");
        }
    }

    /// Hits of a rule that reads test code are judged inside or outside a
    /// test item only when a finding asks (the file kept until then), at
    /// once when the file was parsed for another hit or there is no room
    /// to keep it: the lines judged test are the same every way.
    #[test]
    fn test_lines_put_off_are_the_lines_judged_at_once() {
        use super::super::plan::{PatternOptions, PlanBuilder, SelectorSpec};
        use crate::model::RoleSet;
        use std::collections::BTreeSet;
        let rust = "pub fn serve() { let _ = \"MARK_1\"; }\n\
            #[cfg(test)]\n\
            mod tests {\n\
            \x20   #[test]\n\
            \x20   fn a() { let _ = \"MARK_2\"; }\n\
            }\n\
            fn more() { let _ = \"MARK_3\"; }\n";
        let mut builder = PlanBuilder::new();
        let every = builder.selector(SelectorSpec::from_strs(&[], &[]));
        builder.pattern(every, "MARK_[0-9]", PatternOptions::new("test.mark"));
        builder.set_roles(RoleSet::of(&[Role::Production]));
        let production = builder.selector(SelectorSpec::from_strs(&["**/*.rs"], &[]));
        builder.pattern(production, "PROD_[0-9]", PatternOptions::new("test.prod"));
        let mut literal = PatternOptions::new("test.literal");
        literal.filter = Some(Arc::new(super::super::filter::HitFilter {
            literal: true,
            ..Default::default()
        }));
        builder.pattern(production, "LIT_[0-9]", literal);
        let plan = builder.build().unwrap();
        // Test lines, and the files left to judge, of one search of `text`
        // with `room` bytes to keep files in (`None`: judged at once).
        let search = |text: &str, room: Option<usize>| {
            let mut partial = Partial::new(plan.selector_count, plan.pattern_count(), 0);
            partial.unjudged.room = room.map(|r| Arc::new(AtomicUsize::new(r)));
            let whole = [(0, text.len())];
            Search::default().run(
                &plan,
                &[0, 1, 2],
                Role::Production,
                (text.as_bytes(), "src/lib.rs"),
                &whole,
                &mut partial,
            );
            let every_line: Vec<(&str, usize)> = (1..=20).map(|l| ("src/lib.rs", l)).collect();
            let waiting = partial.unjudged.files.len();
            let judged = partial.unjudged.judge(&every_line.into_iter().collect(), 1);
            (partial.test_lines, judged, waiting)
        };
        let line_five: BTreeSet<(String, usize)> = [("src/lib.rs".to_string(), 5)].into();
        let (at_once, none, waiting) = search(rust, None);
        assert_eq!((&at_once, none.len(), waiting), (&line_five, 0, 0));
        // Room to keep the file: nothing is judged until asked.
        let (walk, later, waiting) = search(rust, Some(1 << 20));
        assert_eq!((walk.len(), waiting), (0, 1));
        assert_eq!(later.into_iter().collect::<BTreeSet<_>>(), line_five);
        // No room: judged at once.
        let (walk, later, waiting) = search(rust, Some(rust.len() - 1));
        assert_eq!((&walk, later.len(), waiting), (&line_five, 0, 0));
        // Parsed for another hit of the file (which is dropped, inside the
        // test item): the hits put off before it are judged with it.
        let with_prod = rust.replace("fn a() {", "fn a() { PROD_1;");
        let (walk, later, waiting) = search(&with_prod, Some(1 << 20));
        assert_eq!((&walk, later.len(), waiting), (&line_five, 0, 0));
        // Parsed for a hit its filter dropped (a name, not a literal).
        let with_name = rust.replace("fn more() {", "fn more() { LIT_1;");
        let (walk, later, waiting) = search(&with_name, Some(1 << 20));
        assert_eq!((&walk, later.len(), waiting), (&line_five, 0, 0));
    }

    /// Capture locations are kept per pattern and remade when the
    /// pattern's regex changes (its ASCII form, then its Unicode one).
    #[test]
    fn capture_locations_follow_the_regex() {
        let one = ContentRegex::new("(a)", true, false, 1 << 20).unwrap();
        let two = ContentRegex::new("(a)(b)", true, false, 1 << 20).unwrap();
        let mut cache = CaptureCache::default();
        let locations = cache.of(3, &one);
        one.captures_read_at(locations, b"ab", 0).unwrap();
        assert_eq!(locations.get(1), Some((0, 1)));
        let locations = cache.of(3, &two);
        two.captures_read_at(locations, b"ab", 0).unwrap();
        assert_eq!(locations.get(2), Some((1, 2)));
        let locations = cache.of(0, &one);
        one.captures_read_at(locations, b"ab", 0).unwrap();
        assert_eq!(locations.get(2), None);
    }

    #[test]
    fn relative_paths_use_forward_slashes() {
        let root = Path::new("/repo");
        assert_eq!(relative_path(root, Path::new("/repo/a/b.txt")), "a/b.txt");
    }
}
