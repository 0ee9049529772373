//! The scan plan: every path selector and content pattern of every loaded
//! check, merged so that one walk and one read per file serve them all.

use super::Spanned;
use super::content_regex::ContentRegex;
use super::filter::HitFilter;
use super::globs::{GlobsBuilder, PathGlobs};
use super::key_span::KeySpan;
use super::prefilter::Prefilter;
use super::starts::{Starts, StartsCaches};
use crate::model::{Role, RoleSet};
use aho_corasick::packed;
use regex::bytes::{Regex, RegexBuilder};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Regexes larger than this (compiled) are rejected as pack errors rather than
/// being allowed to slow every scan.
const REGEX_SIZE_LIMIT: usize = 4 * 1024 * 1024;

/// Handle to a set of files chosen by globs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SelectorId(pub(crate) usize);

/// Handle to one content regex restricted to one selector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PatternId(pub(crate) usize);

/// Handle to the complete list of files one selector matched, optionally with
/// their contents: for rules that must see every file, not a sample (each
/// migration has its rollback) or parse a file whole (a coverage report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DocumentsId(pub(crate) usize);

/// Include and exclude globs, as written by a rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SelectorSpec {
    include: Vec<String>,
    exclude: Vec<String>,
    ignore_case: bool,
    /// Files of other roles are not selected. Set by the builder from the
    /// roles of the check being planned.
    roles: RoleSet,
}

impl SelectorSpec {
    /// An empty include list selects every file.
    pub fn new(
        include: &[Spanned<String>],
        exclude: &[Spanned<String>],
        ignore_case: bool,
    ) -> Self {
        let strings = |globs: &[Spanned<String>]| globs.iter().map(|g| g.value.clone()).collect();
        SelectorSpec {
            include: strings(include),
            exclude: strings(exclude),
            ignore_case,
            roles: RoleSet::ALL,
        }
    }

    pub fn from_strs(include: &[&str], exclude: &[&str]) -> Self {
        SelectorSpec {
            include: include.iter().map(|s| s.to_string()).collect(),
            exclude: exclude.iter().map(|s| s.to_string()).collect(),
            ignore_case: false,
            roles: RoleSet::ALL,
        }
    }
}

#[derive(Debug, Clone)]
pub struct PatternOptions {
    /// Hits are credentials; they are located but their text is never kept.
    pub secret: bool,
    /// The check the pattern belongs to, for `readyctl:allow <id>` comments.
    pub check_id: String,
    /// Tests on the hit's value (the `secret` group or the whole match); a
    /// hit that fails them is dropped in the scanner.
    pub filter: Option<Arc<HitFilter>>,
    /// Record the distinct values of the `key` group (or group 1), each with
    /// where it first occurs, e.g. the environment variables code reads.
    pub collect: bool,
    /// What a hit is, for findings made outside the rule that planned the
    /// pattern (history): its name in the pack, e.g. "AWS access key ID".
    pub label: String,
}

impl PatternOptions {
    pub fn new(check_id: &str) -> Self {
        PatternOptions {
            secret: false,
            check_id: check_id.to_string(),
            filter: None,
            collect: false,
            label: String::new(),
        }
    }

    /// Whether the scanner must run the capturing regex engine on this
    /// pattern's hits rather than only locating them.
    pub(crate) fn needs_captures(&self) -> bool {
        self.collect || self.filter.is_some()
    }
}

/// Literals one of which every match of a document request's regex holds
/// (see [`PlanBuilder::documents_containing_screened`]); empty for none.
pub type Screen = &'static [&'static str];

#[derive(Debug)]
pub struct PlanBuilder {
    /// The roles selectors registered from now on read.
    roles: RoleSet,
    selectors: Vec<SelectorSpec>,
    selector_ids: HashMap<SelectorSpec, SelectorId>,
    patterns: Vec<(SelectorId, String, PatternOptions)>,
    /// Document requests: selector, whether the text is kept, a regex the
    /// text must match to be kept (`if_contains`), and its screen (see
    /// [`PlanBuilder::documents_containing_screened`]).
    documents: Vec<(SelectorId, bool, Option<String>, Screen)>,
    /// Selectors whose files' contents are kept for structured rules.
    keep: Vec<bool>,
    /// Probes of live rules, planned alongside (see `crate::live`).
    live: crate::live::LivePlan,
}

impl Default for PlanBuilder {
    fn default() -> Self {
        PlanBuilder {
            roles: RoleSet::ALL,
            selectors: Vec::new(),
            selector_ids: HashMap::new(),
            patterns: Vec::new(),
            documents: Vec::new(),
            keep: Vec::new(),
            live: Default::default(),
        }
    }
}

impl PlanBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Selectors registered from now on (and the patterns, documents and
    /// kept files that hang off them) only see files of `roles`; returns
    /// the previous set so a caller can restore it. The engine sets each
    /// check's roles around planning it, so every rule kind honours them
    /// without knowing about roles.
    pub fn set_roles(&mut self, roles: RoleSet) -> RoleSet {
        std::mem::replace(&mut self.roles, roles)
    }

    /// Where live rules register their probes.
    pub fn live(&mut self) -> &mut crate::live::LivePlan {
        &mut self.live
    }

    /// Takes the live probes out before the scan plan is built.
    pub fn take_live(&mut self) -> crate::live::LivePlan {
        std::mem::take(&mut self.live)
    }

    /// Identical selectors share one handle, so the same globs are matched
    /// once per path however many rules use them.
    pub fn selector(&mut self, mut spec: SelectorSpec) -> SelectorId {
        spec.roles = self.roles;
        if let Some(id) = self.selector_ids.get(&spec) {
            return *id;
        }
        let id = SelectorId(self.selectors.len());
        self.selectors.push(spec.clone());
        self.selector_ids.insert(spec, id);
        self.keep.push(false);
        id
    }

    /// Like [`PlanBuilder::selector`], and the contents of the selected files
    /// (each at most `max_file_size`) are kept in the evidence, read in the
    /// same single walk. Structured rules (documents, Dockerfiles, stack
    /// detection) parse them once, after the walk.
    pub fn keep_contents(&mut self, spec: SelectorSpec) -> SelectorId {
        let id = self.selector(spec);
        self.keep[id.0] = true;
        id
    }

    /// Every content pattern planned so far, with the check it belongs to:
    /// what `readyctl checks patterns` exports.
    pub fn planned_patterns(&self) -> impl Iterator<Item = (&str, &str)> {
        self.patterns
            .iter()
            .map(|(_, regex, options)| (options.check_id.as_str(), regex.as_str()))
    }

    /// Every content pattern planned so far with the value tests its hits
    /// must pass (allow lists, length, entropy): what the report's redactor
    /// needs to mask only what the pattern's check would call a secret.
    pub fn planned_filters(&self) -> impl Iterator<Item = (&str, &str, Option<&Arc<HitFilter>>)> {
        self.patterns.iter().map(|(_, regex, options)| {
            (
                options.check_id.as_str(),
                regex.as_str(),
                options.filter.as_ref(),
            )
        })
    }

    pub fn pattern(
        &mut self,
        selector: SelectorId,
        regex: &str,
        options: PatternOptions,
    ) -> PatternId {
        let id = PatternId(self.patterns.len());
        self.patterns.push((selector, regex.to_string(), options));
        id
    }

    /// Asks the walk to keep every file `selector` matches (up to
    /// [`DOCUMENT_LIMIT`](super::DOCUMENT_LIMIT)), with its text when
    /// `content` is set. Identical requests share one handle.
    pub fn documents(&mut self, selector: SelectorId, content: bool) -> DocumentsId {
        self.document_request((selector, content, None, &[]))
    }

    /// Like [`documents`](Self::documents) with text, but the text is kept
    /// only for files that match `regex` (validated by the caller): a rule
    /// that looks only at files containing something must not hold every
    /// other file of a monorepo in memory until evaluation.
    pub fn documents_containing(&mut self, selector: SelectorId, regex: &str) -> DocumentsId {
        self.document_request((selector, true, Some(regex.to_string()), &[]))
    }

    /// [`documents_containing`](Self::documents_containing) for a `regex`
    /// every match of which holds one of the literals of `screen`: a text
    /// without any of them is not searched with the regex. For a regex
    /// whose own search has no literal to skip ahead by and reads every
    /// byte of the files it is asked about, while `screen` is short
    /// enough for a vectorised search.
    pub fn documents_containing_screened(
        &mut self,
        selector: SelectorId,
        regex: &str,
        screen: Screen,
    ) -> DocumentsId {
        self.document_request((selector, true, Some(regex.to_string()), screen))
    }

    fn document_request(
        &mut self,
        request: (SelectorId, bool, Option<String>, Screen),
    ) -> DocumentsId {
        if let Some(index) = self.documents.iter().position(|d| *d == request) {
            return DocumentsId(index);
        }
        self.documents.push(request);
        DocumentsId(self.documents.len() - 1)
    }

    /// Compiles the plan. Patterns and globs were validated when their packs
    /// loaded, so a failure here is a bug, reported rather than panicking.
    pub fn build(self) -> Result<ScanPlan, String> {
        let mut include = GlobsBuilder::default();
        let mut exclude = GlobsBuilder::default();
        let mut match_all = Vec::new();
        for (index, selector) in self.selectors.iter().enumerate() {
            if selector.include.is_empty() {
                match_all.push(index);
            }
            for glob in &selector.include {
                include.add(glob, selector.ignore_case, index)?;
            }
            for glob in &selector.exclude {
                exclude.add(glob, selector.ignore_case, index)?;
            }
        }
        let mut selector_patterns = vec![Vec::new(); self.selectors.len()];
        let mut options = Vec::with_capacity(self.patterns.len());
        let mut pattern_roles = Vec::with_capacity(self.patterns.len());
        for (index, (selector, _, opts)) in self.patterns.iter().enumerate() {
            selector_patterns[selector.0].push(index);
            options.push(opts.clone());
            pattern_roles.push(self.selectors[selector.0].roles);
        }
        let sources: Vec<&str> = self.patterns.iter().map(|(_, r, _)| r.as_str()).collect();
        // The path globs and the literal automaton are the two largest parts
        // of an audit's fixed cost and do not depend on each other: build
        // them side by side.
        let (globs, prefilter) = std::thread::scope(|scope| {
            let globs = scope.spawn(|| (include.build(), exclude.build()));
            let prefilter = Prefilter::new(&sources);
            (globs.join(), prefilter)
        });
        let (include, exclude) = globs.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let prefilter = prefilter?;
        let groups = prefilter.start_groups.members().len();
        let mut selector_documents = vec![Vec::new(); self.selectors.len()];
        for (index, (selector, content, _, _)) in self.documents.iter().enumerate() {
            selector_documents[selector.0].push((index, *content));
        }
        Ok(ScanPlan {
            selector_roles: self.selectors.iter().map(|s| s.roles).collect(),
            selector_count: self.selectors.len(),
            document_count: self.documents.len(),
            selector_documents,
            document_filters: self.documents.iter().map(|_| OnceLock::new()).collect(),
            document_screens: (self.documents.iter())
                .map(|(_, _, _, screen)| (*screen, OnceLock::new()))
                .collect(),
            document_sources: self.documents.into_iter().map(|(_, _, f, _)| f).collect(),
            keep: self.keep,
            include: include?,
            exclude: exclude?,
            match_all,
            selector_patterns,
            prefilter,
            regexes: self.patterns.iter().map(|_| OnceLock::new()).collect(),
            ascii_regexes: self.patterns.iter().map(|_| OnceLock::new()).collect(),
            starts: self.patterns.iter().map(|_| OnceLock::new()).collect(),
            ascii_starts: self.patterns.iter().map(|_| OnceLock::new()).collect(),
            starts_regexes: self.patterns.iter().map(|_| OnceLock::new()).collect(),
            ascii_group_starts: (0..groups).map(|_| OnceLock::new()).collect(),
            key_spans: self.patterns.iter().map(|_| OnceLock::new()).collect(),
            sources: self
                .patterns
                .into_iter()
                .map(|(_, regex, _)| regex)
                .collect(),
            options,
            pattern_roles,
        })
    }
}

/// Compiles a content regex the way the scanner will run it, so validation and
/// scanning can never disagree about what is valid. Word boundaries are
/// ASCII (see `boundary.rs` for why).
///
/// Compiled regexes are cached for the life of the process: validation, the
/// scan plan and hit filters ask for the same patterns (the secrets packs
/// share one `allow` list among dozens of patterns), and compiling is most of
/// an audit's fixed cost. A `Regex` clone shares the compiled program.
pub fn compile_regex(regex: &str) -> Result<Regex, String> {
    static CACHE: OnceLock<Mutex<HashMap<String, Result<Regex, String>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(regex) {
        return found.clone();
    }
    let compiled = compile_uncached(regex);
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(regex.to_string(), compiled.clone());
    compiled
}

/// `regex` compiled for the scan's searches (see [`ContentRegex`]), as
/// [`compile_regex`] compiles it when `unicode`, otherwise with Unicode
/// off: for text that is all ASCII, where it finds exactly the same matches
/// (with the same groups) at a fraction of the cost of compiling. Unicode
/// mode changes what classes (`\w`, `\s`, `\d`, `.`, negated classes),
/// `(?i)` and word boundaries match only at non-ASCII characters (the
/// Kelvin sign for `(?i)k`, U+00A0 for `\s`), the word boundaries are
/// ASCII either way, and the syntax and search options are otherwise the
/// same; so on a haystack of ASCII bytes the two regexes agree byte for
/// byte. Compiling `\w` or `(?i)` as Unicode classes was most of the ~4 M
/// instructions a content regex cost the first time a file needed it.
/// `None` when the pattern does not compile that way (`\p{L}` without
/// Unicode); cached for the process like [`compile_regex`]. The regex has a
/// prefilter only when the pattern is searched over whole files.
pub(crate) fn compile_content_regex(regex: &str, unicode: bool) -> Option<ContentRegex> {
    let cache = content_regexes();
    let key = (regex.to_string(), unicode);
    if let Some(found) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return found.clone();
    }
    let compiled = ContentRegex::new(
        &super::ascii_word_boundaries(regex),
        unicode,
        super::prefilter::prefilter_helps(regex),
        REGEX_SIZE_LIMIT,
    )
    .ok();
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, compiled.clone());
    compiled
}

/// The lazy DFA of `regex` for [`ScanPlan::starts_on_line`] (see
/// [`Starts::new`]), cached for the process like [`compile_content_regex`]:
/// checks that search for the same pattern (the built-in packs plan 385
/// content patterns, 347 of them distinct) share one.
fn compile_starts(regex: &str, unicode: bool) -> Option<Arc<Starts>> {
    type Compiled = HashMap<(String, bool), Option<Arc<Starts>>>;
    static CACHE: OnceLock<Mutex<Compiled>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (regex.to_string(), unicode);
    if let Some(found) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return found.clone();
    }
    let compiled = Starts::new(
        &super::ascii_word_boundaries(regex),
        unicode,
        REGEX_SIZE_LIMIT,
    )
    .map(Arc::new);
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, compiled.clone());
    compiled
}

/// What [`compile_content_regex`] has compiled so far: `None` when it has
/// not been asked for `regex` in that form (nothing is compiled here).
pub(crate) fn compiled_content_regex(regex: &str, unicode: bool) -> Option<Option<ContentRegex>> {
    content_regexes()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&(regex.to_string(), unicode))
        .cloned()
}

type ContentRegexes = Mutex<HashMap<(String, bool), Option<ContentRegex>>>;

/// The content regexes compiled in this process, by pattern and form.
fn content_regexes() -> &'static ContentRegexes {
    static CACHE: OnceLock<ContentRegexes> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

fn builder(regex: &str) -> RegexBuilder {
    let mut builder = RegexBuilder::new(&super::ascii_word_boundaries(regex));
    builder.size_limit(REGEX_SIZE_LIMIT);
    builder
}

fn compile_uncached(regex: &str) -> Result<Regex, String> {
    builder(regex).build().map_err(|e| match e {
        // The syntax error's last line says what is wrong; the lines above
        // repeat the pattern with a caret, which the caller already shows.
        regex::Error::Syntax(text) => text
            .lines()
            .last()
            .unwrap_or_default()
            .trim_start_matches("error: ")
            .to_string(),
        other => other.to_string(),
    })
}

/// A compiled plan, shared read-only by every walker thread.
#[derive(Debug)]
pub struct ScanPlan {
    pub(crate) selector_count: usize,
    /// Per selector: the roles of the files it selects.
    pub(crate) selector_roles: Vec<RoleSet>,
    pub(crate) document_count: usize,
    /// For each selector, the document requests it feeds and whether they
    /// want the text.
    pub(crate) selector_documents: Vec<Vec<(usize, bool)>>,
    /// Per document request: a regex the text must match to be kept.
    /// Compiled the first time a file of the request is read: most
    /// audits read none for most requests, and compiling them all while
    /// planning was main-thread work on every audit.
    document_filters: Vec<OnceLock<Regex>>,
    /// Per document request: the source of that regex, if it has one.
    document_sources: Vec<Option<String>>,
    /// Per document request: the literals one of which a text must hold
    /// for the regex to be asked (none: it is asked), and their searcher,
    /// built the first time it is needed: Teddy, a vectorised search (the
    /// automaton `AhoCorasick::new` chose for ten two-byte literals had no
    /// prefilter and cost five times the regex it screens). `None` where
    /// Teddy is not available: the regex is asked.
    document_screens: Vec<(Screen, OnceLock<Option<packed::Searcher>>)>,
    /// Per selector: whether its files' contents are kept.
    pub(crate) keep: Vec<bool>,
    include: PathGlobs,
    exclude: PathGlobs,
    match_all: Vec<usize>,
    /// For each selector, the patterns that search the files it selects.
    pub(crate) selector_patterns: Vec<Vec<usize>>,
    /// Says which patterns may match a file, in one pass over its bytes.
    pub(crate) prefilter: Prefilter,
    /// Each content pattern, compiled the first time a file needs it: most
    /// patterns never get past the prefilter in a given repository.
    regexes: Vec<OnceLock<ContentRegex>>,
    /// Each content pattern compiled for ASCII text (see
    /// [`compile_content_regex`]), the first time an ASCII file needs it.
    ascii_regexes: Vec<OnceLock<Option<ContentRegex>>>,
    /// Per pattern searched [`super::prefilter::LineMode::StartingOn`]: the lazy DFA that says
    /// whether a match starts on a given line (see [`Self::starts_on_line`]);
    /// `None` when it cannot be built (then [`Self::starts_regexes`]).
    starts: Vec<OnceLock<Option<Arc<Starts>>>>,
    /// [`Self::starts`] for ASCII text.
    ascii_starts: Vec<OnceLock<Option<Arc<Starts>>>>,
    /// [`Self::starts`] as whole regexes, for what a lazy DFA cannot say.
    starts_regexes: Vec<OnceLock<Regex>>,
    /// Per group of patterns checked per line (see
    /// [`super::start_groups`]): the lazy DFA of its members' checks at
    /// once, for ASCII text; `None` when it cannot be built.
    ascii_group_starts: Vec<OnceLock<Option<Arc<Starts>>>>,
    /// Per collecting pattern: where its `key` group lies in a match,
    /// when that follows from the match alone (see [`KeySpan`]); read the
    /// first time the pattern has a hit.
    key_spans: Vec<OnceLock<Option<KeySpan>>>,
    sources: Vec<String>,
    pub(crate) options: Vec<PatternOptions>,
    /// Per pattern: the roles of the files its selector reads.
    pub(crate) pattern_roles: Vec<RoleSet>,
}

impl ScanPlan {
    /// The options a pattern was planned with (its check, its name).
    pub fn pattern_options(&self, id: PatternId) -> &PatternOptions {
        &self.options[id.0]
    }

    /// Whether any pattern is a secret one: with none, history has nothing
    /// to be searched for.
    pub fn has_secret_patterns(&self) -> bool {
        self.options.iter().any(|o| o.secret)
    }

    pub fn pattern_count(&self) -> usize {
        self.regexes.len()
    }

    /// Whether `content` may be kept for document request `request`: it
    /// has no `if_contains` regex, or the regex matches. The regexes were
    /// validated by the rules that planned them.
    pub(crate) fn keeps_document(&self, request: usize, content: &[u8]) -> bool {
        let Some(source) = &self.document_sources[request] else {
            return true;
        };
        let (screen, searcher) = &self.document_screens[request];
        if !screen.is_empty()
            && let Some(searcher) =
                searcher.get_or_init(|| packed::Config::new().builder().extend(*screen).build())
            && searcher.find(content).is_none()
        {
            return false;
        }
        self.document_filters[request]
            .get_or_init(|| {
                compile_regex(source).unwrap_or_else(|e| panic!("document regex `{source}`: {e}"))
            })
            .is_match(content)
    }

    /// Content pattern `pattern`, compiled; in its Unicode-less form when
    /// the text it will search is `ascii` (the same matches, compiled for
    /// less) and its Unicode form has not been compiled yet (a pattern
    /// compiled once either way is not compiled again). A search from an
    /// offset needs only the bytes from that offset on to be ASCII: the
    /// byte before it is read by assertions only, and they are the same in
    /// both forms. Patterns were validated when their packs loaded
    /// (built-in ones by a test that compiles them all).
    pub(crate) fn regex(&self, pattern: usize, ascii: bool) -> &ContentRegex {
        if ascii
            && self.regexes[pattern].get().is_none()
            && let Some(regex) = self.ascii_regexes[pattern]
                .get_or_init(|| compile_content_regex(&self.sources[pattern], false))
        {
            return regex;
        }
        self.regexes[pattern].get_or_init(|| {
            compile_content_regex(&self.sources[pattern], true).unwrap_or_else(|| {
                let error = compile_regex(&self.sources[pattern])
                    .err()
                    .unwrap_or_default();
                panic!("content regex `{}`: {error}", self.sources[pattern])
            })
        })
    }

    /// How to find the `key` group of `pattern`'s matches without the
    /// capturing search, for a pattern whose hits are only collected (no
    /// filter, not a secret) and whose shape allows it (see [`KeySpan`]).
    pub(crate) fn key_span(&self, pattern: usize) -> Option<&KeySpan> {
        let options = &self.options[pattern];
        if !options.collect || options.filter.is_some() || options.secret {
            return None;
        }
        self.key_spans[pattern]
            .get_or_init(|| KeySpan::of(&self.sources[pattern]))
            .as_ref()
    }

    /// Whether a match of `pattern` in `content` starts at or after `at` and
    /// on the same line: one anchored search from `at` through that line,
    /// which goes on past it only as long as a match begun there may still
    /// complete. The search starts a character early so that assertions at
    /// `at` (`\b`, `^`) see what precedes it; a match starting at that
    /// character only makes the caller search where nothing is found.
    /// `content` is all ASCII from `ascii_from` on (see [`Self::regex`]);
    /// `caches` are the asking worker's lazy-DFA caches.
    ///
    /// A pattern whose every match starts at a line's start (`(?m)^\s*key`)
    /// is asked at the line's start only, without the lazy prefix that lets
    /// a match start anywhere on the line: the search then ends where the
    /// line stops looking like a match (a few bytes into `  const token =
    /// …` for `^\s*[a-z_]*token`) instead of at its end. On the monorepo
    /// profile six of the costliest patterns are such.
    ///
    /// At a line's start, a pattern of a group (see [`super::start_groups`])
    /// first hears its group's answer for the line, asked once per file.
    pub(crate) fn starts_on_line(
        &self,
        pattern: usize,
        content: &[u8],
        at: usize,
        ascii_from: usize,
        caches: &mut StartsCaches,
    ) -> bool {
        let line_start = self.prefilter.starts_lines(pattern);
        let at_line_start = at == 0 || content[at - 1] == b'\n';
        if line_start && !at_line_start {
            // After a match that ended within the line: the next one starts
            // on a later line.
            return false;
        }
        if at_line_start
            && let Some(group) = self.prefilter.start_groups.of(pattern)
            && caches.groups.worth_asking(group)
            && !self.group_starts_on_line(group, content, at, ascii_from, caches)
        {
            return false;
        }
        let mut from = at;
        if from > 0 && content[from - 1] != b'\n' {
            from -= 1;
            // A whole character: Unicode assertions read the one before.
            while from > 0 && content[from] & 0xC0 == 0x80 && content[from - 1] != b'\n' {
                from -= 1;
            }
        }
        let dfa = |unicode| compile_starts(&self.starts_source(pattern), unicode);
        let haystack = &content[from..];
        // Text outside ASCII follows: the ASCII form answers if it can
        // before reaching it (see `Starts::is_match_before_non_ascii`).
        if from < ascii_from
            && self.starts[pattern].get().is_none()
            && let Some(ascii) = self.ascii_starts[pattern].get_or_init(|| dfa(false))
            && let Some(found) = ascii.is_match_before_non_ascii((pattern, caches), haystack)
        {
            return found;
        }
        let ascii = (from >= ascii_from && self.starts[pattern].get().is_none())
            .then(|| {
                self.ascii_starts[pattern]
                    .get_or_init(|| dfa(false))
                    .as_ref()
            })
            .flatten();
        let starts = ascii
            .or_else(|| self.starts[pattern].get_or_init(|| dfa(true)).as_ref())
            .map(|starts| &**starts);
        if let Some(found) = starts.and_then(|starts| starts.is_match((pattern, caches), haystack))
        {
            return found;
        }
        let regex = self.starts_regexes[pattern].get_or_init(|| {
            compile_regex(&self.starts_source(pattern))
                .unwrap_or_else(|e| panic!("content regex `{}`: {e}", self.sources[pattern]))
        });
        regex.is_match(haystack)
    }

    /// The regex [`Self::starts_on_line`] asks of `pattern`, anchored at the
    /// start of the text. `^` without (?m) anchors at the start of the
    /// slice; the pattern's own flags stay inside its group; the lazy prefix
    /// reaches every position up to the line break.
    fn starts_source(&self, pattern: usize) -> String {
        match self.prefilter.starts_lines(pattern) {
            true => format!(r"^(?:{})", self.sources[pattern]),
            false => format!(r"^(?-u:[^\n])*?(?:{})", self.sources[pattern]),
        }
    }

    /// Whether a member of `group` may start a match on the line starting
    /// at `line`: "no" is exact (no member's check there says yes), "yes"
    /// only says that each member must ask its own. Asked once per line and
    /// file, of the alternation of the members' checks (see
    /// [`super::start_groups`]).
    fn group_starts_on_line(
        &self,
        group: usize,
        content: &[u8],
        line: usize,
        ascii_from: usize,
        caches: &mut StartsCaches,
    ) -> bool {
        if line < ascii_from {
            // Text outside ASCII follows: the Unicode form of a dozen
            // patterns' checks at once (Unicode `\w` and `\s` in each) had
            // more lazy-DFA states to build than it saved on trees smaller
            // than the monorepo profile. Each member asks its own.
            return true;
        }
        if let Some(any) = caches.groups.answer(group, line) {
            return any;
        }
        let any = self
            .group_starts(group)
            .and_then(|starts| {
                starts.is_match((self.regexes.len() + group, caches), &content[line..])
            })
            // The lazy DFA gave up: each member asks its own.
            .unwrap_or(true);
        caches.groups.record(group, line, any);
        any
    }

    /// The lazy DFA of `group`'s checks (see [`Self::group_starts_on_line`])
    /// for ASCII text; `None` when it cannot be built (then each member
    /// asks its own).
    pub(crate) fn group_starts(&self, group: usize) -> Option<&Starts> {
        self.ascii_group_starts[group]
            .get_or_init(|| {
                let mut branches: Vec<String> = self.prefilter.start_groups.members()[group]
                    .iter()
                    .map(|member| {
                        super::ascii_word_boundaries(&self.starts_source(*member)).into_owned()
                    })
                    .collect();
                branches.sort();
                branches.dedup();
                let branches: Vec<&str> = branches.iter().map(String::as_str).collect();
                Starts::any_of(&branches, false, REGEX_SIZE_LIMIT).map(Arc::new)
            })
            .as_deref()
    }

    /// How many patterns the literal prefilter screens, and how many have no
    /// usable literal and are searched in every file they apply to.
    pub fn prefilter_counts(&self) -> (usize, usize) {
        self.prefilter.counts()
    }

    /// The selectors a relative path of `role` belongs to, sorted and
    /// without repeats.
    pub fn selectors_for(&self, path: &str, role: Role, into: &mut Vec<usize>) {
        into.clear();
        into.extend_from_slice(&self.match_all);
        self.include.selectors_into(path, into);
        into.retain(|s| self.selector_roles[*s].contains(role));
        into.sort_unstable();
        into.dedup();
        if !into.is_empty() && !self.exclude.is_empty() {
            let mut excluded = Vec::new();
            self.exclude.selectors_into(path, &mut excluded);
            excluded.sort_unstable();
            into.retain(|s| excluded.binary_search(s).is_err());
        }
    }

    /// Drops the selectors that do not read files of `role` (for a file
    /// found generated once read).
    pub(crate) fn retain_role(&self, role: Role, selectors: &mut Vec<usize>) {
        selectors.retain(|s| self.selector_roles[*s].contains(role));
    }

    /// Whether any of `selectors` asks for the file's contents to be kept.
    pub fn keeps_any(&self, selectors: &[usize]) -> bool {
        selectors.iter().any(|s| self.keep[*s])
    }

    /// The content patterns to run on a file that belongs to `selectors`.
    pub fn patterns_for(&self, selectors: &[usize], into: &mut Vec<usize>) {
        into.clear();
        for selector in selectors {
            into.extend_from_slice(&self.selector_patterns[*selector]);
        }
        into.sort_unstable();
        into.dedup();
    }
}
