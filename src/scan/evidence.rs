//! What one scan of a repository found, in the shape rules ask for it.
//!
//! Walker threads each fill a [`Partial`]; partials are merged at the end, so
//! threads never contend on shared state while walking. Lists are bounded
//! (the smallest paths are kept, so output is the same whatever the thread
//! timing), which keeps memory flat however large the tree is.

use super::test_code::Unjudged;
use super::{Classify, DocumentsId, PatternId, SelectorId};
use crate::model::Role;
use serde::Serialize;
use std::any::Any;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Paths kept per selector; counts stay exact beyond it.
pub const SAMPLE_LIMIT: usize = 100;
/// Hits kept per pattern; counts stay exact beyond it.
pub const HIT_LIMIT: usize = 200;
/// Files kept per document request. Requests come from narrow selectors
/// (migration directories, coverage reports), so this is a safety net rather
/// than a sample size.
pub const DOCUMENT_LIMIT: usize = 10_000;
/// Bytes of text kept per document request. Past it, the largest paths keep
/// their place in the request but lose their text (rules report them as not
/// read), so a repository with thousands of large migrations cannot make an
/// audit hold them all.
pub const DOCUMENT_TEXT_BYTES_LIMIT: usize = 32 * 1024 * 1024;
/// Files whose contents are kept for structured rules (the smallest paths
/// win, so the choice does not depend on thread timing). Each is at most
/// `max_file_size`; manifests and configuration files are small, and this
/// bounds memory on a repository with thousands of YAML files.
pub const KEEP_LIMIT: usize = 5_000;
/// Total bytes of kept contents, for the same reason: a monorepo with
/// thousands of YAML files must not hold (and parse) all of them. Files past
/// it are dropped like those past [`KEEP_LIMIT`], the largest paths first,
/// and counted in [`Evidence::kept_dropped`].
pub const KEEP_BYTES_LIMIT: usize = 8 * 1024 * 1024;
/// Distinct values a collecting pattern keeps; the smallest are kept so the
/// result does not depend on thread timing.
pub const CAPTURE_LIMIT: usize = 2_000;
/// Unreadable-file reasons kept for the report.
const PROBLEM_LIMIT: usize = 20;
/// Example paths kept per file role, for `readyctl facts`.
pub const ROLE_EXAMPLES: usize = 5;

#[derive(Debug, Clone, Default)]
pub struct SelectorHits {
    pub count: usize,
    /// Of those, the files whose contents were read (text, within the size
    /// limit, readable). Exact for selections content patterns search, which
    /// read every file they select; others read only what some rule keeps.
    /// An "absent" rule passes only when it read something.
    pub read: usize,
    /// The first paths in sorted order, at most [`SAMPLE_LIMIT`].
    pub sample: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    pub path: String,
    pub line: usize,
    /// Why the hit counts, when its pattern judged the value in context
    /// (the name it is assigned to, what kind of value): never the value.
    pub detail: Option<String>,
    /// For secret patterns, a digest of the value ([`fingerprint`]): facts
    /// built after the walk (a placeholder the application refuses) are
    /// matched against it without the value being kept.
    pub fingerprint: Option<u64>,
}

/// Roles the repository model gives files after the walk, from how other
/// files use them (a configuration only a test script names): production
/// paths only. Attached as a fact; [`Evidence::role_of`] reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DerivedRoles(pub BTreeMap<String, Role>);

/// A digest of a matched value, the same for the same bytes within one
/// run. Not a protection of the value (a weak value is easy to guess from
/// it): it only lets a hit be compared with a value found elsewhere.
pub fn fingerprint(value: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

#[derive(Debug, Clone, Default)]
pub struct PatternHits {
    /// Every hit that was not suppressed, including those not kept.
    pub count: usize,
    /// Hits silenced by a `readyctl:allow` comment.
    pub suppressed: usize,
    pub hits: Vec<Hit>,
    /// For collecting patterns: each distinct captured value with the first
    /// place (by path, then line) it occurs, sorted by value.
    pub captures: Vec<(String, Hit)>,
}

/// One file kept whole for a rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Document {
    pub path: String,
    /// The text (lossily decoded), when it was asked for and could be read;
    /// `None` for binary, too large or unreadable files.
    pub text: Option<String>,
    /// When the file was last modified (seconds since the epoch), for files
    /// whose text was kept: tool reports without a date of their own are
    /// dated by it.
    pub modified: Option<i64>,
}

/// Every file of one document request, sorted by path.
#[derive(Debug, Clone, Default)]
pub struct Documents {
    /// All matching files, including any beyond [`DOCUMENT_LIMIT`].
    pub count: usize,
    pub files: Vec<Document>,
}

/// Counters describing the scan itself, for the report's `stats`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ScanStats {
    /// Files the walk visited (after ignore rules).
    pub files_walked: u64,
    /// Files whose contents were read for content checks.
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    /// Files a content check wanted but that were not read, by reason.
    pub skipped_binary: u64,
    pub skipped_too_large: u64,
    pub skipped_unreadable: u64,
    /// Files read as bytes because they are not valid UTF-8.
    pub non_utf8: u64,
    /// The first few unreadable paths with the reason.
    pub problems: Vec<String>,
    #[serde(skip)]
    pub duration: Duration,
}

impl ScanStats {
    pub fn files_skipped(&self) -> u64 {
        self.skipped_binary + self.skipped_too_large + self.skipped_unreadable
    }

    pub(crate) fn problem(&mut self, text: String) {
        self.skipped_unreadable += 1;
        if self.problems.len() < PROBLEM_LIMIT {
            self.problems.push(text);
        }
    }

    fn absorb(&mut self, other: ScanStats) {
        self.files_walked += other.files_walked;
        self.files_scanned += other.files_scanned;
        self.bytes_scanned += other.bytes_scanned;
        self.skipped_binary += other.skipped_binary;
        self.skipped_too_large += other.skipped_too_large;
        self.skipped_unreadable += other.skipped_unreadable;
        self.non_utf8 += other.non_utf8;
        self.problems.extend(other.problems);
        self.problems.sort();
        self.problems.truncate(PROBLEM_LIMIT);
    }
}

/// One document request's files: at most [`DOCUMENT_LIMIT`] paths, with at
/// most [`DOCUMENT_TEXT_BYTES_LIMIT`] of text among them. The texts kept are
/// those of the longest run of smallest paths that fits, so the choice does
/// not depend on thread timing: every walker thread's cut is at or after the
/// global one (its own run holds fewer bytes), and the merge cuts again.
#[derive(Debug)]
pub(crate) struct DocumentSet {
    files: Bounded<Document>,
    text_bytes: usize,
    budget: usize,
    /// Paths from here on keep no text (the budget ran out before them).
    cut: Option<String>,
}

impl Default for DocumentSet {
    fn default() -> Self {
        DocumentSet::with_budget(DOCUMENT_TEXT_BYTES_LIMIT)
    }
}

fn text_len(document: &Document) -> usize {
    document.text.as_ref().map_or(0, String::len)
}

impl DocumentSet {
    fn with_budget(budget: usize) -> Self {
        DocumentSet {
            files: Bounded::new(DOCUMENT_LIMIT),
            text_bytes: 0,
            budget,
            cut: None,
        }
    }

    pub(crate) fn insert(&mut self, document: Document) {
        self.files.count_only();
        self.keep(document);
    }

    fn keep(&mut self, mut document: Document) {
        if self.cut.as_ref().is_some_and(|cut| document.path >= *cut) {
            document.text = None;
        }
        self.text_bytes += text_len(&document);
        self.files.kept.insert(document);
        if self.files.kept.len() > self.files.limit
            && let Some(last) = self.files.kept.pop_last()
        {
            self.text_bytes -= text_len(&last);
        }
        self.enforce_budget();
    }

    /// Takes texts away from the largest paths until the rest fits, and
    /// moves the cut to the smallest path that lost its text.
    fn enforce_budget(&mut self) {
        while self.text_bytes > self.budget {
            let Some(last) = self
                .files
                .kept
                .iter()
                .rev()
                .find(|d| d.text.is_some())
                .cloned()
            else {
                break;
            };
            self.files.kept.remove(&last);
            self.text_bytes -= text_len(&last);
            if self.cut.as_ref().is_none_or(|cut| last.path < *cut) {
                self.cut = Some(last.path.clone());
            }
            self.files.kept.insert(Document {
                path: last.path,
                text: None,
                modified: last.modified,
            });
        }
    }

    fn absorb(&mut self, other: DocumentSet) {
        self.files.count += other.files.count;
        if let Some(theirs) = other.cut
            && self.cut.as_ref().is_none_or(|mine| theirs < *mine)
        {
            self.cut = Some(theirs);
        }
        // Texts past the new cut go before anything is added.
        if let Some(cut) = self.cut.clone() {
            let past: Vec<Document> = self
                .files
                .kept
                .range(
                    Document {
                        path: cut,
                        text: None,
                        modified: None,
                    }..,
                )
                .filter(|d| d.text.is_some())
                .cloned()
                .collect();
            for document in past {
                self.files.kept.remove(&document);
                self.text_bytes -= text_len(&document);
                self.files.kept.insert(Document {
                    path: document.path,
                    text: None,
                    modified: document.modified,
                });
            }
        }
        for document in other.files.kept {
            self.keep(document);
        }
    }
}

/// The smallest `limit` items seen, plus an exact count of all of them.
#[derive(Debug, Clone)]
pub(crate) struct Bounded<T: Ord> {
    count: usize,
    kept: BTreeSet<T>,
    limit: usize,
}

impl<T: Ord> Bounded<T> {
    fn new(limit: usize) -> Self {
        Bounded {
            count: 0,
            kept: BTreeSet::new(),
            limit,
        }
    }

    /// Whether `item` would be kept; lets callers skip building it
    /// otherwise (a path is asked as `&str`: the walk asks for each file
    /// and each of its few dozen selectors).
    pub(crate) fn wants<Q: Ord + ?Sized>(&self, item: &Q) -> bool
    where
        T: std::borrow::Borrow<Q>,
    {
        self.kept.len() < self.limit || self.kept.last().is_some_and(|last| item < last.borrow())
    }

    pub(crate) fn count_only(&mut self) {
        self.count += 1;
    }

    pub(crate) fn insert(&mut self, item: T) {
        self.count += 1;
        self.keep(item);
    }

    fn keep(&mut self, item: T) {
        self.kept.insert(item);
        if self.kept.len() > self.limit {
            self.kept.pop_last();
        }
    }

    /// Adds another partial count and its kept items: the smallest
    /// `limit` of both. One merge of the two sorted sets rather than an
    /// insertion of each item: the main thread absorbs every walker's
    /// samples and hits after the walk (documenso: 885 sets, 11 M
    /// instructions inserting one by one).
    fn absorb(&mut self, mut other: Bounded<T>) {
        self.count += other.count;
        self.kept.append(&mut other.kept);
        while self.kept.len() > self.limit {
            self.kept.pop_last();
        }
    }
}

/// File contents a structured rule asked to keep, with the keeping
/// selectors, bounded by [`KEEP_LIMIT`] and [`KEEP_BYTES_LIMIT`]: the
/// longest run of smallest paths that fits, whatever order the files
/// arrive in and however the walk's threads share them.
#[derive(Debug, Default)]
pub(crate) struct Kept {
    files: BTreeMap<String, (Vec<usize>, String)>,
    bytes: usize,
    dropped: usize,
    /// The smallest path given up so far. The paths before it that were
    /// seen then already filled the limits, so neither it nor any path
    /// after it is kept, whatever arrives later: without it, a file given
    /// up made room that a larger path then took, and which files were
    /// kept depended on the order they came in.
    cutoff: Option<String>,
}

impl Kept {
    pub(crate) fn insert(&mut self, path: &str, selectors: Vec<usize>, content: &[u8]) {
        if self.cutoff.as_deref().is_some_and(|cutoff| path >= cutoff) {
            self.dropped += 1;
            return;
        }
        let full = self.files.len() >= KEEP_LIMIT || self.bytes + content.len() > KEEP_BYTES_LIMIT;
        if full
            && self
                .files
                .last_key_value()
                .is_some_and(|(last, _)| last.as_str() < path)
        {
            self.dropped += 1;
            self.cut(path);
            return;
        }
        let text = super::lossy::lossy(content).into_owned();
        self.bytes += text.len();
        if let Some((_, old)) = self.files.insert(path.to_string(), (selectors, text)) {
            self.bytes -= old.len();
        }
        self.trim();
    }

    fn cut(&mut self, path: &str) {
        if self.cutoff.as_deref().is_none_or(|cutoff| path < cutoff) {
            self.cutoff = Some(path.to_string());
        }
    }

    fn trim(&mut self) {
        if let Some(cutoff) = &self.cutoff {
            for (_, (_, text)) in self.files.split_off(cutoff.as_str()) {
                self.bytes -= text.len();
                self.dropped += 1;
            }
        }
        while self.files.len() > KEEP_LIMIT
            || (self.bytes > KEEP_BYTES_LIMIT && self.files.len() > 1)
        {
            if let Some((path, (_, text))) = self.files.pop_last() {
                self.bytes -= text.len();
                self.cut(&path);
            }
            self.dropped += 1;
        }
    }

    fn absorb(&mut self, other: Kept) {
        self.dropped += other.dropped;
        if let Some(cutoff) = &other.cutoff {
            self.cut(cutoff);
        }
        for (path, (selectors, text)) in other.files {
            self.bytes += text.len();
            if let Some((_, old)) = self.files.insert(path, (selectors, text)) {
                self.bytes -= old.len();
            }
        }
        self.trim();
    }
}

/// One walker thread's findings.
#[derive(Debug)]
pub(crate) struct Partial {
    pub(crate) selectors: Vec<Bounded<String>>,
    /// Per selector: files read (see [`SelectorHits::read`]).
    pub(crate) selector_read: Vec<usize>,
    pub(crate) patterns: Vec<Bounded<Hit>>,
    pub(crate) documents: Vec<DocumentSet>,
    pub(crate) suppressed: Vec<usize>,
    pub(crate) kept: Kept,
    pub(crate) captures: Vec<BTreeMap<String, Hit>>,
    pub(crate) secrets: SecretValues,
    pub(crate) stats: ScanStats,
    /// Files walked, by role (indexed like [`Role::ALL`]).
    pub(crate) roles: Vec<Bounded<String>>,
    /// Files whose header says they are generated.
    pub(crate) generated: BTreeSet<String>,
    /// Compose files whose contents say they are for local development,
    /// and configuration files whose header says they are not for
    /// production (see `marker`).
    pub(crate) dev_compose: BTreeSet<String>,
    /// Hits (path, line) inside test items of production files.
    pub(crate) test_lines: BTreeSet<(String, usize)>,
    /// Static-hosting configs (netlify.toml, vercel.json) that build the
    /// documentation site.
    pub(crate) docs_site: BTreeSet<String>,
    /// Hits in production Rust files whose lines are judged test or not
    /// only if a finding lands on one.
    pub(crate) unjudged: Unjudged,
    /// Set when searching history blobs: hits go here, with their values,
    /// instead of into `patterns`.
    pub(crate) blob_hits: Option<Vec<super::blob::BlobHit>>,
}

impl Partial {
    pub(crate) fn new(selectors: usize, patterns: usize, documents: usize) -> Self {
        Partial {
            documents: (0..documents).map(|_| DocumentSet::default()).collect(),
            selectors: (0..selectors).map(|_| Bounded::new(SAMPLE_LIMIT)).collect(),
            selector_read: vec![0; selectors],
            patterns: (0..patterns).map(|_| Bounded::new(HIT_LIMIT)).collect(),
            suppressed: vec![0; patterns],
            kept: Kept::default(),
            captures: vec![BTreeMap::new(); patterns],
            secrets: SecretValues::default(),
            stats: ScanStats::default(),
            roles: (0..Role::ALL.len())
                .map(|_| Bounded::new(ROLE_EXAMPLES))
                .collect(),
            generated: BTreeSet::new(),
            dev_compose: BTreeSet::new(),
            test_lines: BTreeSet::new(),
            docs_site: BTreeSet::new(),
            unjudged: Unjudged::default(),
            blob_hits: None,
        }
    }

    /// Counts a walked file under its role.
    pub(crate) fn walked(&mut self, role: Role, path: &str) {
        let seen = &mut self.roles[role as usize];
        if seen.wants(path) {
            seen.insert(path.to_string());
        } else {
            seen.count_only();
        }
    }

    pub(crate) fn absorb(&mut self, other: Partial) {
        for (mine, theirs) in self.selectors.iter_mut().zip(other.selectors) {
            mine.absorb(theirs);
        }
        for (mine, theirs) in self.selector_read.iter_mut().zip(other.selector_read) {
            *mine += theirs;
        }
        for (mine, theirs) in self.patterns.iter_mut().zip(other.patterns) {
            mine.absorb(theirs);
        }
        for (mine, theirs) in self.documents.iter_mut().zip(other.documents) {
            mine.absorb(theirs);
        }
        for (mine, theirs) in self.suppressed.iter_mut().zip(other.suppressed) {
            *mine += theirs;
        }
        self.kept.absorb(other.kept);
        for (pattern, theirs) in other.captures.into_iter().enumerate() {
            for (value, hit) in theirs {
                self.capture(pattern, &value, &hit);
            }
        }
        for value in other.secrets.0 {
            self.secrets.insert(value);
        }
        self.stats.absorb(other.stats);
        for (mine, theirs) in self.roles.iter_mut().zip(other.roles) {
            mine.absorb(theirs);
        }
        self.generated.extend(other.generated);
        self.dev_compose.extend(other.dev_compose);
        self.test_lines.extend(other.test_lines);
        self.docs_site.extend(other.docs_site);
        self.unjudged.absorb(other.unjudged);
    }

    /// Records a captured value, keeping its earliest occurrence.
    /// Records `value` of collecting `pattern`, found at `hit`, if it is new
    /// or found earlier than before. Nothing is copied for a value already
    /// recorded at an earlier hit, as most of a monorepo's are.
    pub(crate) fn capture(&mut self, pattern: usize, value: &str, hit: &Hit) {
        let values = &mut self.captures[pattern];
        match values.get_mut(value) {
            Some(first) if *hit < *first => *first = hit.clone(),
            Some(_) => {}
            None => {
                values.insert(value.to_string(), hit.clone());
                if values.len() > CAPTURE_LIMIT {
                    values.pop_last();
                }
            }
        }
    }

    pub(crate) fn finish(self, duration: Duration) -> Evidence {
        let mut stats = self.stats;
        stats.duration = duration;
        // Rules see these files without text, as if unreadable; the report
        // says why.
        for cut in self.documents.iter().filter_map(|set| set.cut.as_ref()) {
            if stats.problems.len() < PROBLEM_LIMIT {
                stats.problems.push(format!(
                    "{cut} and later paths of the same rule were not kept in memory: over the {} MiB limit per rule",
                    DOCUMENT_TEXT_BYTES_LIMIT >> 20
                ));
            }
        }
        let mut kept_by_selector = vec![Vec::new(); self.selectors.len()];
        let mut files = BTreeMap::new();
        for (path, (selectors, text)) in self.kept.files {
            for selector in selectors {
                kept_by_selector[selector].push(path.clone());
            }
            files.insert(path.clone(), KeptFile::new(path, text));
        }
        Evidence {
            files,
            kept_by_selector,
            kept_dropped: self.kept.dropped,
            secrets: self.secrets,
            facts: Facts::default(),
            roles: Role::ALL
                .into_iter()
                .zip(self.roles)
                .map(|(role, seen)| RoleCount {
                    role,
                    count: seen.count,
                    examples: seen.kept.into_iter().collect(),
                })
                .collect(),
            generated: self.generated,
            dev_compose: self.dev_compose,
            test_lines: self.test_lines,
            unjudged: self.unjudged,
            docs_site: self.docs_site,
            classify: None,
            selectors: self
                .selectors
                .into_iter()
                .zip(self.selector_read)
                .map(|(b, read)| SelectorHits {
                    count: b.count,
                    read,
                    sample: b.kept.into_iter().collect(),
                })
                .collect(),
            patterns: self
                .patterns
                .into_iter()
                .zip(self.suppressed)
                .zip(self.captures)
                .map(|((b, suppressed), captures)| PatternHits {
                    count: b.count,
                    suppressed,
                    hits: b.kept.into_iter().collect(),
                    captures: captures.into_iter().collect(),
                })
                .collect(),
            documents: self
                .documents
                .into_iter()
                .map(|set| Documents {
                    count: set.files.count,
                    files: set.files.kept.into_iter().collect(),
                })
                .collect(),
            stats,
        }
    }
}

/// The contents of a file some structured rule asked to keep, with a cache
/// of what has been parsed from it, so a Kubernetes manifest queried by five
/// checks is parsed once.
pub struct KeptFile {
    pub path: String,
    /// The contents, lossily decoded when not UTF-8.
    pub text: String,
    parsed: Mutex<Vec<Arc<dyn Any + Send + Sync>>>,
}

impl std::fmt::Debug for KeptFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeptFile")
            .field("path", &self.path)
            .field("bytes", &self.text.len())
            .finish_non_exhaustive()
    }
}

impl KeptFile {
    pub fn new(path: String, text: String) -> Self {
        KeptFile {
            path,
            text,
            parsed: Mutex::new(Vec::new()),
        }
    }

    /// The file parsed into a `T` by `parse`, which runs at most once per file
    /// and type whatever the number of rules asking.
    pub fn parsed<T: Any + Send + Sync>(&self, parse: impl FnOnce(&str) -> T) -> Arc<T> {
        let mut cache = self.parsed.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(hit) = cache.iter().find_map(|p| p.clone().downcast::<T>().ok()) {
            return hit;
        }
        let value = Arc::new(parse(&self.text));
        cache.push(value.clone());
        value
    }

    /// The file read as YAML, JSON or TOML documents (by its name), parsed
    /// once however many rules and facts ask.
    pub fn documents(&self) -> Arc<crate::document::Documents> {
        use crate::document::{Documents, Format};
        self.parsed(|text| Documents::parse(Format::for_path(&self.path), text))
    }

    /// The file read as a Dockerfile, parsed once.
    pub fn dockerfile(&self) -> Arc<crate::dockerfile::Dockerfile> {
        self.parsed(crate::dockerfile::Dockerfile::parse)
    }
}

/// Everything the scan saw, indexed by the handles the plan gave out.
#[derive(Debug, Default)]
pub struct Evidence {
    selectors: Vec<SelectorHits>,
    patterns: Vec<PatternHits>,
    documents: Vec<Documents>,
    files: BTreeMap<String, KeptFile>,
    kept_by_selector: Vec<Vec<String>>,
    kept_dropped: usize,
    secrets: SecretValues,
    facts: Facts,
    roles: Vec<RoleCount>,
    generated: BTreeSet<String>,
    dev_compose: BTreeSet<String>,
    test_lines: BTreeSet<(String, usize)>,
    unjudged: Unjudged,
    docs_site: BTreeSet<String>,
    classify: Option<Arc<dyn Classify>>,
    pub stats: ScanStats,
}

/// Facts attached to the evidence, one per type.
#[derive(Default)]
struct Facts(Vec<Arc<dyn Any + Send + Sync>>);

impl std::fmt::Debug for Facts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Facts({} attached)", self.0.len())
    }
}

/// How many walked files have one role, with the first few paths.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleCount {
    pub role: Role,
    pub count: usize,
    pub examples: Vec<String>,
}

/// Most distinct secret values remembered for redaction.
pub const SECRET_VALUES_LIMIT: usize = 10_000;
/// Longer values are not remembered: no credential is this long, and a
/// pattern that matched a whole line would mask too much.
pub const SECRET_VALUE_BYTES_LIMIT: usize = 1024;

/// The values secret patterns matched, for the report's redactor. Never
/// shown: `Debug` prints only how many there are.
#[derive(Default, Clone)]
pub struct SecretValues(std::collections::BTreeSet<String>);

impl SecretValues {
    pub(crate) fn insert(&mut self, value: String) {
        if value.len() <= SECRET_VALUE_BYTES_LIMIT && self.0.len() < SECRET_VALUES_LIMIT {
            self.0.insert(value);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for SecretValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretValues({} values)", self.0.len())
    }
}

impl Evidence {
    /// The kept files a `keep_contents` selector matched, in path order.
    pub fn kept(&self, id: SelectorId) -> impl Iterator<Item = &KeptFile> {
        self.kept_by_selector
            .get(id.0)
            .into_iter()
            .flatten()
            .filter_map(|path| self.files.get(path))
    }

    /// Files that would have been kept but exceeded [`KEEP_LIMIT`].
    pub fn kept_dropped(&self) -> usize {
        self.kept_dropped
    }

    /// The fact of type `T` attached after the scan (the stack, the CI
    /// model: see [`Evidence::attach`]).
    pub fn fact<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.facts.0.iter().find_map(|f| f.downcast_ref::<T>())
    }

    /// Attaches a fact derived from this evidence, replacing any earlier
    /// one of the same type. The layers above the scan (the repository
    /// model) build facts from the evidence and hand them to the rules
    /// through it; the scan stores them by type without knowing what they
    /// are, so it imports nothing from those layers.
    pub fn attach<T: Any + Send + Sync>(&mut self, fact: Arc<T>) {
        self.facts.0.retain(|f| !f.is::<T>());
        self.facts.0.push(fact);
    }

    /// Every value a secret pattern matched (and its filter accepted), for
    /// masking wherever another check quotes it.
    pub fn secret_values(&self) -> &SecretValues {
        &self.secrets
    }

    /// The role of a walked path: what the classifier the scan ran with
    /// says, unless the file's header marked it generated. Production when
    /// the scan ran without a classifier.
    pub fn role_of(&self, path: &str) -> Role {
        if self.generated.contains(path) {
            return Role::Generated;
        }
        if self.dev_compose.contains(path) {
            return Role::DevTooling;
        }
        if self.docs_site.contains(path) {
            return Role::Docs;
        }
        if let Some(role) = self
            .fact::<DerivedRoles>()
            .and_then(|derived| derived.0.get(path))
        {
            return *role;
        }
        self.classify
            .as_ref()
            .map_or(Role::Production, |c| c.role_of(path))
    }

    /// Judges the hits the walk left unjudged (see `scan::test_code`) on
    /// the lines of `wanted` (path, line), the lines the report gives a
    /// role, on `threads` threads; lets go of the contents kept for them.
    /// [`Evidence::role_at`] is exact for those lines from then on.
    pub fn judge_test_lines<'a>(
        &mut self,
        wanted: impl IntoIterator<Item = (&'a str, usize)>,
        threads: usize,
    ) {
        if self.unjudged.files.is_empty() {
            return;
        }
        let wanted: BTreeSet<(&str, usize)> = wanted.into_iter().collect();
        let judged = self.unjudged.judge(&wanted, threads);
        self.test_lines.extend(judged);
    }

    /// The role of one line of a walked path: test inside a test item of a
    /// production file (see `scan::test_code`), else the file's role.
    /// Only lines where a pattern hit are known, and of those only the
    /// ones [`Evidence::judge_test_lines`] was asked about when the hit's
    /// rule reads test code too.
    pub fn role_at(&self, path: &str, line: Option<usize>) -> Role {
        match line {
            Some(line) if self.test_lines.contains(&(path.to_string(), line)) => Role::Test,
            _ => self.role_of(path),
        }
    }

    /// Files walked per role, in [`Role::ALL`] order (roles with no file
    /// included, with a count of 0).
    pub fn role_counts(&self) -> &[RoleCount] {
        &self.roles
    }

    /// Files the scan found a generated-code header in.
    pub fn generated_by_header(&self) -> &BTreeSet<String> {
        &self.generated
    }

    pub(crate) fn set_classifier(&mut self, classify: Option<Arc<dyn Classify>>) {
        self.classify = classify;
    }

    pub fn selector(&self, id: SelectorId) -> &SelectorHits {
        &self.selectors[id.0]
    }

    pub fn pattern(&self, id: PatternId) -> &PatternHits {
        &self.patterns[id.0]
    }

    pub fn documents(&self, id: DocumentsId) -> &Documents {
        &self.documents[id.0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Absorbing keeps the smallest items of both sides and adds the
    /// counts, as inserting the other side's items one by one does.
    #[test]
    fn absorbing_keeps_the_smallest_of_both() {
        let items = |from: u32, step: u32, n: u32| (0..n).map(move |i| (from + i * step) % 97);
        for limit in [1, 3, 10, 200] {
            for (a, b) in [
                (items(0, 7, 40), items(3, 11, 30)),
                (items(5, 2, 0), items(1, 13, 60)),
            ] {
                let (mut mine, mut theirs, mut one_by_one) = (
                    Bounded::new(limit),
                    Bounded::new(limit),
                    Bounded::new(limit),
                );
                for item in a {
                    mine.insert(item);
                    one_by_one.insert(item);
                }
                for item in b {
                    theirs.insert(item);
                    one_by_one.insert(item);
                }
                mine.absorb(theirs);
                assert_eq!(mine.count, one_by_one.count);
                assert_eq!(mine.kept, one_by_one.kept, "limit {limit}");
            }
        }
    }

    fn document(path: &str, bytes: usize) -> Document {
        Document {
            path: path.to_string(),
            modified: None,
            text: Some("x".repeat(bytes)),
        }
    }

    /// Paths with text, in order.
    fn with_text(set: &DocumentSet) -> Vec<&str> {
        set.files
            .kept
            .iter()
            .filter(|d| d.text.is_some())
            .map(|d| d.path.as_str())
            .collect()
    }

    #[test]
    fn texts_past_the_budget_are_dropped_the_same_way_in_any_order_and_split() {
        let docs = [
            document("a", 10),
            document("b", 100),
            document("c", 10),
            document("d", 5),
        ];
        // The longest run of smallest paths that fits in 25 bytes: `a`
        // (a + b would not fit, and nothing after b may keep text).
        let orders: [&[usize]; 3] = [&[0, 1, 2, 3], &[3, 2, 1, 0], &[2, 0, 3, 1]];
        for order in orders {
            let mut one = DocumentSet::with_budget(25);
            for i in order {
                one.insert(docs[*i].clone());
            }
            assert_eq!(with_text(&one), ["a"], "{order:?}");
            assert_eq!(one.files.kept.len(), 4, "paths stay, only texts go");
            assert_eq!(one.text_bytes, 10);

            // Split between two walker threads, then merged.
            let (mut left, mut right) =
                (DocumentSet::with_budget(25), DocumentSet::with_budget(25));
            for (n, i) in order.iter().enumerate() {
                if n % 2 == 0 { &mut left } else { &mut right }.insert(docs[*i].clone());
            }
            left.absorb(right);
            assert_eq!(with_text(&left), ["a"], "{order:?} split");
            assert_eq!(left.files.count, 4);
        }

        // Everything fits: nothing is dropped.
        let mut all = DocumentSet::with_budget(1000);
        docs.iter().cloned().for_each(|d| all.insert(d));
        assert_eq!(with_text(&all), ["a", "b", "c", "d"]);
    }

    /// The walk's threads share one `Kept` (so that they hold the limit
    /// together, not each): which files it keeps must not depend on the
    /// order they arrive in.
    #[test]
    fn kept_contents_are_the_smallest_paths_in_any_order() {
        let third = vec![b'x'; KEEP_BYTES_LIMIT / 3 + 1];
        let paths = ["a", "b", "c", "d"];
        let orders: [&[usize]; 4] = [&[0, 1, 2, 3], &[3, 2, 1, 0], &[2, 0, 3, 1], &[1, 3, 0, 2]];
        for order in orders {
            let mut kept = Kept::default();
            for i in order {
                kept.insert(paths[*i], vec![0], &third);
            }
            // a + b fit; a + b + c would not.
            let names: Vec<&str> = kept.files.keys().map(String::as_str).collect();
            assert_eq!(names, ["a", "b"], "{order:?}");
            assert_eq!(kept.dropped, 2, "{order:?}");
            assert_eq!(kept.bytes, 2 * third.len());
        }
    }

    /// A file given up leaves room that a larger path must not take: `c`
    /// goes because `a + c` is over the limit, and `d` after it must not
    /// be kept when `b` (a smaller path than `c`) is then given up too.
    #[test]
    fn a_path_past_one_given_up_is_never_kept() {
        let mb = |n: usize| vec![b'x'; n * KEEP_BYTES_LIMIT / 10];
        // In arrival order: a 6, c 5 (a + c > 10: c goes), b 5 (a + b > 10:
        // b goes, and it is smaller than c), d 1 (a + d fits, but b and c,
        // smaller paths, were given up: d goes too).
        let files = [("a", mb(6)), ("c", mb(5)), ("b", mb(5)), ("d", mb(1))];
        let mut kept = Kept::default();
        for (path, content) in &files {
            kept.insert(path, vec![0], content);
        }
        let names: Vec<&str> = kept.files.keys().map(String::as_str).collect();
        assert_eq!(names, ["a"]);
        assert_eq!(kept.dropped, 3);
        // The same split between two threads and merged.
        let (mut left, mut right) = (Kept::default(), Kept::default());
        for (n, (path, content)) in files.iter().enumerate() {
            if n % 2 == 0 { &mut left } else { &mut right }.insert(path, vec![0], content);
        }
        left.absorb(right);
        let names: Vec<&str> = left.files.keys().map(String::as_str).collect();
        assert_eq!(names, ["a"]);
        assert_eq!(left.dropped, 3);
    }
}
