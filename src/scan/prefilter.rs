//! Which content patterns can possibly match a file, decided by one
//! Aho-Corasick pass over its bytes.
//!
//! Most files match no content pattern at all, so the scanner's cost is the
//! pass that says so. For each pattern we derive *required literals*: a set
//! of strings at least one of which occurs in every match (`ghp_` for a
//! GitHub token, `-----BEGIN` … for a private key, `password`, `secret`, …
//! for generic assignments). All of them go into one automaton; a pattern's
//! regex runs on a file only when one of its literals occurs there, and then
//! on the whole file, exactly as before — the prefilter can only say "maybe",
//! never change what a regex finds.
//!
//! Patterns without a usable literal (a shape made only of character
//! classes, say) run on every file they apply to, as before.
//!
//! A pattern none of whose matches can contain a line break is run only on
//! the lines where one of its literals occurs: a match holds one of them, so
//! it lies on such a line. In a monorepo where `token` or `secret` is in most
//! files, that is a few lines per file instead of the whole of it.
//!
//! A pattern whose matches may go on past a line break (`secret\s*=\s*…`)
//! but cannot hold one *before* their literal (`\bapi_key`, `^[ \t]*const`)
//! starts every match on a line where one of its literals occurs. The scanner
//! asks of each such line, with an anchored search that ends where the line
//! and whatever match started on it end, whether a match starts there, and
//! runs the ordinary search of the whole file only from those lines: the same
//! matches, without running the regex over the lines between.
//!
//! Literals come from `regex-syntax`'s prefix extraction, applied to every
//! suffix of a concatenation (so `(?m)^\s*password\s*=` yields `password`).
//! ASCII case-insensitive letters (`(?i)`) are folded to one case first and
//! the automaton matches ASCII case-insensitively: without that a word such
//! as `password` expands to hundreds of case variants. Letters whose Unicode
//! case class is wider than upper and lower case (`k` also matches the Kelvin
//! sign) are left as classes, so nothing a regex could match is missed.

use super::literal_dfa::LiteralDfa;
use super::start_groups::StartGroups;
use aho_corasick::automaton::Automaton;
use aho_corasick::{Anchored, MatchKind, nfa};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Class, Hir, HirKind, Look};
use std::collections::HashMap;
use std::sync::Arc;

/// Literals shorter than this occur in nearly every file; a pattern whose
/// best literal is this short is treated as having none.
const MIN_LITERAL: usize = 3;
/// A pattern whose required set is larger than this is treated as having
/// none: the automaton would grow for little filtering.
const MAX_LITERALS: usize = 64;

/// The literals at least one of which occurs in every match of `regex`, or
/// `None` when no useful set can be derived (the pattern must always run).
pub fn required_literals(regex: &str) -> Option<Vec<Vec<u8>>> {
    analyse(regex).0
}

/// [`required_literals`]; what the part of a match before the occurrence of
/// its literal can hold (which says on which lines a match can start); and
/// whether no match can hold a line break at all ([`no_line_break`]). One
/// parse answers all three: parsing the ~300 built-in patterns is a good
/// part of an audit's fixed cost.
fn analyse_literals(regex: &str) -> Option<(Vec<Vec<u8>>, Before, bool, bool)> {
    let hir = regex_syntax::ParserBuilder::new()
        .utf8(false)
        .build()
        .parse(regex)
        .ok()?;
    // Word boundaries, which the scanner makes ASCII, are assertions either
    // way: whether a match may cross a line does not depend on their kind.
    let within = no_line_break(&hir);
    let line_start = starts_a_line(&hir);
    let mut unicode_folds = false;
    let folded = fold_ascii_case(&hir, &mut unicode_folds);
    let (mut literals, before) = required(&folded)?;
    for literal in &mut literals {
        literal.make_ascii_lowercase();
    }
    if unicode_folds {
        // `k` and `s` were folded although `(?i)` also lets them match the
        // Kelvin sign and the long s: a file with either is a candidate.
        literals.extend(NON_ASCII_FOLDS.iter().map(|c| c.as_bytes().to_vec()));
    }
    literals.sort();
    literals.dedup();
    // A literal that holds a line break (or, folded, its Kelvin sign after
    // one) would put the match's start on another line than the occurrence.
    let before = match literals.iter().any(|l| l.contains(&b'\n')) {
        true => Before::Anywhere,
        false => before,
    };
    Some((literals, before, within, line_start))
}

/// Whether every match of `hir` starts at the start of a line: after a line
/// break or at the start of the text (`(?m)^`, `\A`). `(?Rm)^` also holds
/// after a carriage return, which is not a line's start here.
fn starts_a_line(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Look(look) => matches!(look, Look::StartLF | Look::Start),
        HirKind::Capture(capture) => starts_a_line(&capture.sub),
        HirKind::Concat(items) => items.first().is_some_and(starts_a_line),
        HirKind::Alternation(branches) => branches.iter().all(starts_a_line),
        _ => false,
    }
}

/// The only non-ASCII characters that case-insensitively match ASCII
/// letters (`K` and `k`, `S` and `s`).
pub(super) const NON_ASCII_FOLDS: [&str; 2] = ["\u{212A}", "\u{17F}"];

/// How good a literal set is as a filter: the rarity of its commonest
/// literal first, then fewer literals.
fn quality(set: &[Vec<u8>]) -> (usize, std::cmp::Reverse<usize>) {
    let weakest = set.iter().map(|l| rarity(l)).min().unwrap_or(0);
    (weakest, std::cmp::Reverse(set.len()))
}

/// A rough measure of how seldom `literal` occurs in source text: longer is
/// rarer, and digits and punctuation are rarer than letters. Choosing by
/// length alone picked `from` over `"k6"` for a k6 import (`from` is in
/// every Python and TypeScript file), so the regex ran on a quarter of a
/// tree instead of on the files that import k6.
fn rarity(literal: &[u8]) -> usize {
    literal
        .iter()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b' ' => 2,
            b'0'..=b'9' => 3,
            _ => 4,
        })
        .sum()
}

/// What a match may hold before the occurrence of its required literal,
/// which says on which lines the match can start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Before {
    /// No line break: the match starts on the literal's line.
    SameLine,
    /// Line breaks only in whitespace that opens the match (`(?m)^\s*key`):
    /// it starts on the literal's line or on one of the blank lines just
    /// above it, or, unless `anchored` at a line's start, at the end of the
    /// line above those.
    Blank { anchored: bool },
    /// Anywhere before the literal.
    Anywhere,
}

impl Before {
    /// What comes before a literal found in an item that follows the
    /// leading `items` of a concatenation.
    fn after(items: &[Hir], inner: Before) -> Before {
        if items.is_empty() {
            return inner;
        }
        match (Before::of(items), inner) {
            (prefix, Before::SameLine) => prefix,
            // Whitespace that does not open the match: it starts on the
            // line above the blank ones.
            (Before::SameLine, Before::Blank { .. }) => Before::Blank { anchored: false },
            _ => Before::Anywhere,
        }
    }

    /// What comes before the literals of the leading `items` of a
    /// concatenation: whitespace (and assertions) first, then items without
    /// a line break, is [`Before::Blank`].
    fn of(items: &[Hir]) -> Before {
        if items.iter().all(no_line_break) {
            return Before::SameLine;
        }
        let blank = items.iter().take_while(|item| only_space(item)).count();
        if !items[blank..].iter().all(no_line_break) {
            return Before::Anywhere;
        }
        // After a line break, `^` in multi-line mode holds at a line's start
        // only; `\A` only at the text's.
        let anchored = matches!(
            items.first().map(Hir::kind),
            Some(HirKind::Look(Look::StartLF | Look::StartCRLF | Look::Start))
        );
        Before::Blank { anchored }
    }
}

/// A required literal set, and what a match holds before the occurrence of
/// one of them.
type Required = (Vec<Vec<u8>>, Before);

fn usable(set: Option<Vec<Vec<u8>>>) -> Option<Vec<Vec<u8>>> {
    set.filter(|s| {
        !s.is_empty() && s.len() <= MAX_LITERALS && s.iter().all(|l| l.len() >= MIN_LITERAL)
    })
}

fn best(a: Option<Required>, b: Option<Required>) -> Option<Required> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if quality(&b.0) > quality(&a.0) { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// Prefix literals of `hir`: every match of `hir` starts with one of them
/// (so nothing comes before them).
fn prefixes(hir: &Hir) -> Option<Required> {
    let seq = Extractor::new().kind(ExtractKind::Prefix).extract(hir);
    let literals = seq.literals()?;
    usable(Some(
        literals.iter().map(|l| l.as_bytes().to_vec()).collect(),
    ))
    .map(|set| (set, Before::SameLine))
}

fn required(hir: &Hir) -> Option<Required> {
    match hir.kind() {
        HirKind::Capture(capture) => required(&capture.sub),
        // Earlier repetitions come before the one that holds the literal.
        HirKind::Repetition(repetition) if repetition.min >= 1 => {
            required(&repetition.sub).map(|(set, before)| match no_line_break(&repetition.sub) {
                true => (set, before),
                false => (set, Before::Anywhere),
            })
        }
        HirKind::Repetition(_) => None,
        HirKind::Concat(items) => {
            // Every match of a concatenation contains a match of each item,
            // and starts a match of each suffix of it.
            let mut chosen = None;
            for (i, item) in items.iter().enumerate() {
                let before = Before::of(&items[..i]);
                chosen = best(
                    chosen,
                    required(item).map(|(set, inner)| (set, Before::after(&items[..i], inner))),
                );
                // A suffix starting with an assertion or an optional item
                // has no better prefixes than the next one.
                let skip = match item.kind() {
                    HirKind::Look(_) => true,
                    HirKind::Repetition(r) => r.min == 0,
                    _ => false,
                };
                if !skip {
                    chosen = best(
                        chosen,
                        prefixes(&Hir::concat(items[i..].to_vec())).map(|(set, _)| (set, before)),
                    );
                }
            }
            chosen
        }
        HirKind::Alternation(branches) => {
            let mut union = Vec::new();
            let mut before = Before::SameLine;
            for branch in branches {
                let (set, branch) = required(branch)?;
                union.extend(set);
                before = match (before, branch) {
                    (Before::Anywhere, _) | (_, Before::Anywhere) => Before::Anywhere,
                    (Before::Blank { anchored: a }, Before::Blank { anchored: b }) => {
                        Before::Blank { anchored: a && b }
                    }
                    (Before::SameLine, other) | (other, Before::SameLine) => other,
                };
            }
            union.sort();
            union.dedup();
            usable(Some(union)).map(|set| (set, before))
        }
        _ => prefixes(hir),
    }
}

/// `hir` with every class that is exactly an ASCII letter in both cases
/// (plus, for `k` and `s`, their non-ASCII case variants, which sets
/// `unicode_folds`) replaced by the lowercase letter, so `(?i)secret`
/// extracts as one literal rather than 64 case variants.
fn fold_ascii_case(hir: &Hir, unicode_folds: &mut bool) -> Hir {
    match hir.kind() {
        HirKind::Class(class) => match ascii_case_class(class) {
            Some((lower, unicode)) => {
                *unicode_folds |= unicode;
                Hir::literal(vec![lower])
            }
            None => hir.clone(),
        },
        HirKind::Repetition(repetition) => {
            let mut repetition = repetition.clone();
            repetition.sub = Box::new(fold_ascii_case(&repetition.sub, unicode_folds));
            Hir::repetition(repetition)
        }
        HirKind::Capture(capture) => {
            let mut capture = capture.clone();
            capture.sub = Box::new(fold_ascii_case(&capture.sub, unicode_folds));
            Hir::capture(capture)
        }
        HirKind::Concat(items) => Hir::concat(
            items
                .iter()
                .map(|h| fold_ascii_case(h, unicode_folds))
                .collect(),
        ),
        HirKind::Alternation(branches) => Hir::alternation(
            branches
                .iter()
                .map(|h| fold_ascii_case(h, unicode_folds))
                .collect(),
        ),
        _ => hir.clone(),
    }
}

/// The lowercase letter when `class` is exactly `[Xx]` for an ASCII letter,
/// or `[Kk\u{212A}]` / `[Ss\u{17F}]` (then with `true`).
fn ascii_case_class(class: &Class) -> Option<(u8, bool)> {
    // A class of single characters only: each range must be one point.
    fn points(ranges: impl Iterator<Item = (u32, u32)>) -> Option<Vec<u32>> {
        ranges
            .map(|(start, end)| (start == end).then_some(start))
            .collect()
    }
    let chars: Vec<u32> = match class {
        Class::Unicode(class) => points(
            class
                .ranges()
                .iter()
                .map(|r| (r.start() as u32, r.end() as u32)),
        )?,
        Class::Bytes(class) => points(
            class
                .ranges()
                .iter()
                .map(|r| (u32::from(r.start()), u32::from(r.end()))),
        )?,
    };
    let letter = |c: u32| (b'A' as u32..=b'Z' as u32).contains(&c);
    match chars.as_slice() {
        [upper, lower] if letter(*upper) && *lower == upper + 32 => Some((*lower as u8, false)),
        [0x4B, 0x6B, 0x212A] => Some((b'k', true)),
        [0x53, 0x73, 0x17F] => Some((b's', true)),
        _ => None,
    }
}

/// Whether no match of `hir` can contain a line break, so that searching
/// each line on its own, with the text before it as context, finds exactly
/// what searching the whole file does.
fn no_line_break(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Empty => true,
        HirKind::Literal(literal) => !literal.0.contains(&b'\n'),
        HirKind::Class(Class::Unicode(class)) => !class
            .ranges()
            .iter()
            .any(|r| r.start() <= '\n' && '\n' <= r.end()),
        HirKind::Class(Class::Bytes(class)) => !class
            .ranges()
            .iter()
            .any(|r| r.start() <= b'\n' && b'\n' <= r.end()),
        // A line searched on its own ends where the file may not: only the
        // assertions that hold at a line's end as they do at the text's
        // (`$` in multi-line mode) are allowed there.
        HirKind::Look(look) => !matches!(look, Look::End | Look::EndCRLF),
        HirKind::Repetition(repetition) => no_line_break(&repetition.sub),
        HirKind::Capture(capture) => no_line_break(&capture.sub),
        HirKind::Concat(items) | HirKind::Alternation(items) => items.iter().all(no_line_break),
    }
}

/// Whether `hir` matches only whitespace (`\s`, Unicode or not), if
/// anything: assertions match nothing.
fn only_space(hir: &Hir) -> bool {
    let space = |c: char| c.is_whitespace();
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(literal) => {
            std::str::from_utf8(&literal.0).is_ok_and(|text| text.chars().all(space))
        }
        // Ranges of whitespace are short (`\u{2000}-\u{200A}` the longest).
        HirKind::Class(Class::Unicode(class)) => class.ranges().iter().all(|r| {
            (r.end() as u32) - (r.start() as u32) < 64 && (r.start()..=r.end()).all(space)
        }),
        HirKind::Class(Class::Bytes(class)) => class
            .ranges()
            .iter()
            .all(|r| (r.start()..=r.end()).all(|b| matches!(b, b'\t'..=b'\r' | b' '))),
        HirKind::Repetition(repetition) => only_space(&repetition.sub),
        HirKind::Capture(capture) => only_space(&capture.sub),
        HirKind::Concat(items) | HirKind::Alternation(items) => items.iter().all(only_space),
    }
}

/// Whether `regex` turns on verbose mode (`(?x)`) anywhere: wrapped in a
/// group, its last comment would swallow the closing parenthesis.
fn is_verbose(regex: &str) -> bool {
    regex.match_indices("(?").any(|(at, _)| {
        regex[at + 2..]
            .chars()
            .take_while(|c| c.is_ascii_alphabetic() || *c == '-')
            .any(|c| c == 'x')
    })
}

/// How a pattern is searched once one of its literals occurs in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineMode {
    /// The regex runs over the whole file.
    Whole,
    /// Its matches lie within the lines of its literals (see
    /// [`no_line_break`]): each such line is searched on its own.
    Within,
    /// Its matches start on the lines of its literals and may go on past
    /// them: the whole file is searched, from those lines only (see
    /// [`crate::scan::plan::ScanPlan::starts_on_line`]).
    StartingOn,
}

/// The required literals of a pattern, how it is searched, for a
/// [`LineMode::StartingOn`] pattern whose matches may open with blank lines
/// whether they start at a line's start (see [`Before::Blank`]), and for a
/// pattern searched by line whether every match starts at a line's start
/// (see [`starts_a_line`]).
type Analysis = (Option<Vec<Vec<u8>>>, LineMode, Option<bool>, bool);

/// The [`Analysis`] of `regex`: precomputed for the built-in patterns
/// (see [`Precomputed`]), otherwise computed and remembered for the
/// process: the scan plan and the report's redactor analyse the same secret
/// patterns.
fn analyse(regex: &str) -> Analysis {
    type Analysed = HashMap<String, Analysis>;
    static CACHE: std::sync::OnceLock<std::sync::Mutex<Analysed>> = std::sync::OnceLock::new();
    if let Some(found) = Precomputed::find(regex) {
        return found;
    }
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(regex) {
        return found.clone();
    }
    let analysis = analyse_uncached(regex);
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(regex.to_string(), analysis.clone());
    analysis
}

/// Whether a search of `regex` may have stretches without a match to skip,
/// which its own literal prefilter speeds up (see
/// [`super::content_regex`]): it is searched over whole files wherever it
/// applies (it has no literal to screen files and lines by, or its matches
/// may start before its literals' lines), or over its literals' lines
/// joined into ranges ([`join_near_lines`]; on the monorepo profile a
/// `${…secret…}` pattern searches 120 MB of lines with `secret` for a `${`
/// that is not there). A search that starts where a match starts (the
/// [`LineMode::StartingOn`] patterns, and those whose matches start at a
/// line's start) has nothing to skip.
pub(crate) fn prefilter_helps(regex: &str) -> bool {
    match analyse(regex) {
        (_, LineMode::Whole, _, _) => true,
        (_, LineMode::Within, _, line_start) => !line_start,
        (_, LineMode::StartingOn, _, _) => false,
    }
}

/// The [`Analysis`] of a built-in pattern, computed when the table in
/// `literal_table.rs` was generated (`READYCTL_UPDATE_LITERALS=1 cargo test
/// --lib literal_table`). Parsing ~340 patterns with Unicode case folding
/// and extracting their literals was a fifth of an audit's fixed cost. A
/// pattern is found by its exact text, so a pattern missing from the table
/// (a user's, or a built-in one changed since) is analysed as before: the
/// table can make an audit slower when stale, never different. A unit test
/// keeps it in step with the built-in packs.
#[derive(Debug)]
pub(super) struct Precomputed {
    pub(super) regex: &'static str,
    pub(super) literals: Option<&'static [&'static [u8]]>,
    pub(super) mode: LineMode,
    pub(super) blank_above: Option<bool>,
    pub(super) line_start: bool,
}

impl Precomputed {
    fn find(regex: &str) -> Option<Analysis> {
        let table = super::literal_table::ANALYSES;
        let found = &table[table.binary_search_by(|e| e.regex.cmp(regex)).ok()?];
        let literals = found
            .literals
            .map(|set| set.iter().map(|literal| literal.to_vec()).collect());
        Some((literals, found.mode, found.blank_above, found.line_start))
    }
}

fn analyse_uncached(regex: &str) -> Analysis {
    let analysed = analyse_literals(regex);
    let (mode, blank_above) = match &analysed {
        None => (LineMode::Whole, None),
        Some((_, _, true, _)) => (LineMode::Within, None),
        Some((_, Before::SameLine, _, _)) if !is_verbose(regex) => (LineMode::StartingOn, None),
        Some((_, Before::Blank { anchored }, _, _)) if !is_verbose(regex) => {
            (LineMode::StartingOn, Some(*anchored))
        }
        Some(_) => (LineMode::Whole, None),
    };
    let line_start = mode != LineMode::Whole
        && analysed
            .as_ref()
            .is_some_and(|(_, _, _, line_start)| *line_start);
    let literals = analysed.map(|(literals, _, _, _)| literals);
    (literals, mode, blank_above, line_start)
}

/// The compiled prefilter for every pattern of a plan.

#[derive(Debug)]
pub(crate) struct Prefilter {
    /// Every distinct required literal, matched ASCII case-insensitively.
    automaton: Option<Arc<Literals>>,
    /// For each literal of the automaton, the patterns it stands for.
    owners: Vec<Vec<usize>>,
    /// Per pattern: the literals of the automaton that stand for it.
    literals: Vec<Vec<usize>>,
    /// Per pattern: whether it has no usable literal and runs on every file
    /// it applies to.
    pub(crate) always: Vec<bool>,
    /// Per pattern: how it is searched where its literals occur.
    by_line: Vec<LineMode>,
    /// Per pattern: whether its matches may also start on the blank lines
    /// above its literals' lines (`Some`), and then whether only at a line's
    /// start (`Some(true)`) or also at the end of the line above them.
    blank_above: Vec<Option<bool>>,
    /// Per pattern searched by line: whether every match starts at a
    /// line's start (`(?m)^…`).
    line_start: Vec<bool>,
    /// The patterns checked per line, grouped for checks of several at once.
    pub(crate) start_groups: StartGroups,
}

/// The end of a chain in [`Occurrences::next`].
const NONE: u32 = u32::MAX;

/// Where literals occurred in one file, reused from file to file.
#[derive(Debug, Default)]
pub(crate) struct Occurrences {
    /// (literal, start offset), in the automaton's order.
    found: Vec<(usize, usize)>,
    /// Per literal seen in this file: the index in `found` of its first
    /// occurrence; per occurrence: the index of the literal's first
    /// occurrence on a later line ([`NONE`] for none). A pattern reads the
    /// occurrences of its own literals only: `token` and `secret` are most
    /// of a monorepo's occurrences, and a pattern whose literal is
    /// `os.getenv(` need not step over them. One occurrence a line: the
    /// built-in literals occur about three times on each line they are
    /// on (`secret` in `jwt_secret`, `secret:`, `client_secret`), and each
    /// occurrence was marked and read again by every pattern of the
    /// literal.
    first: Vec<u32>,
    next: Vec<u32>,
    /// Scratch for [`Self::find_spans`]: per literal seen, the last
    /// occurrence in its chain.
    last: Vec<u32>,
    /// Scratch: one bit per occurrence, set for those of the pattern being
    /// placed.
    marks: Vec<u64>,
    /// Whether a literal was seen in this file at all.
    seen: Vec<bool>,
    /// The line (start and end offsets) of each of `found`, computed the
    /// first time a pattern asks for its lines in this file: the lines of a
    /// literal many patterns share (`secret`, `token`) are found once.
    spans: Vec<(usize, usize)>,
}

impl Occurrences {
    /// Fills [`Self::spans`], [`Self::first`] and [`Self::next`] for this
    /// file unless they are already.
    fn find_spans(&mut self, content: &[u8], literals: usize) {
        if self.spans.len() == self.found.len() {
            return;
        }
        // Entries of literals not seen in this file are stale: only those
        // of seen ones are read.
        self.first.resize(literals, NONE);
        self.last.resize(literals, NONE);
        for (literal, _) in &self.found {
            self.first[*literal] = NONE;
        }
        self.next.clear();
        self.next.resize(self.found.len(), NONE);
        self.spans.clear();
        let mut line = None;
        for (index, (literal, start)) in self.found.iter().enumerate() {
            // Occurrences come in the order they end: often several on one
            // line, one after another. Literals of patterns searched by line
            // hold no line break, so the lines come in the file's order too.
            let span = match line {
                Some((s, e)) if (s..=e).contains(start) => (s, e),
                _ => (
                    memchr::memrchr(b'\n', &content[..*start]).map_or(0, |i| i + 1),
                    memchr::memchr(b'\n', &content[*start..]).map_or(content.len(), |i| start + i),
                ),
            };
            line = Some(span);
            self.spans.push(span);
            let index = index as u32;
            match self.first[*literal] {
                NONE => self.first[*literal] = index,
                _ => {
                    let last = self.last[*literal];
                    if self.spans[last as usize] == span {
                        continue;
                    }
                    self.next[last as usize] = index;
                }
            }
            self.last[*literal] = index;
        }
    }
}

impl Prefilter {
    pub(crate) fn new(regexes: &[&str]) -> Result<Self, String> {
        Self::with_kind(regexes, false)
    }

    /// For short texts such as a report's strings: an automaton that is
    /// several times quicker to build and slower to run than the scanner's.
    pub(crate) fn for_short_texts(regexes: &[&str]) -> Result<Self, String> {
        Self::with_kind(regexes, true)
    }

    fn with_kind(regexes: &[&str], short_texts: bool) -> Result<Self, String> {
        let mut always = vec![false; regexes.len()];
        let mut sets = vec![Vec::new(); regexes.len()];
        let mut by_line = vec![LineMode::Whole; regexes.len()];
        let mut blank_above = vec![None; regexes.len()];
        let mut line_start = vec![false; regexes.len()];
        for (pattern, regex) in regexes.iter().enumerate() {
            // The same regex in several checks is analysed once.
            let (set, mode, above, at_line_start) = analyse(regex);
            match set {
                Some(set) => {
                    sets[pattern] = without_longer(set);
                    by_line[pattern] = mode;
                    blank_above[pattern] = above;
                    line_start[pattern] = at_line_start;
                }
                None => always[pattern] = true,
            }
        }
        let checked: Vec<Option<&[Vec<u8>]>> = (0..regexes.len())
            .map(|p| {
                let per_line = match by_line[p] {
                    LineMode::StartingOn => true,
                    LineMode::Within => line_start[p],
                    LineMode::Whole => false,
                };
                (per_line && !always[p]).then_some(sets[p].as_slice())
            })
            .collect();
        let start_groups = StartGroups::new(&checked);
        // The automaton built ahead (see `prebuilt.rs`) when it holds every
        // literal: the literals take its ids, and its others own nothing.
        let prebuilt = (!short_texts)
            .then(super::prebuilt::take)
            .flatten()
            .filter(|prebuilt| sets.iter().flatten().all(|l| prebuilt.ids.contains_key(l)));
        let mut literal_ids: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut owners: Vec<Vec<usize>> = match &prebuilt {
            Some(prebuilt) => vec![Vec::new(); prebuilt.ids.len()],
            None => Vec::new(),
        };
        let mut pattern_literals = vec![Vec::new(); regexes.len()];
        for (pattern, set) in sets.into_iter().enumerate() {
            for literal in set {
                let id = match &prebuilt {
                    Some(prebuilt) => prebuilt.ids[&literal],
                    None => *literal_ids.entry(literal.clone()).or_insert_with(|| {
                        literals.push(literal);
                        owners.push(Vec::new());
                        owners.len() - 1
                    }),
                };
                owners[id].push(pattern);
                pattern_literals[pattern].push(id);
            }
        }
        let automaton = match prebuilt {
            Some(prebuilt) if owners.iter().any(|o| !o.is_empty()) => {
                Some(prebuilt.automaton.clone())
            }
            _ if literals.is_empty() => None,
            _ => Some(Arc::new(
                Literals::build(&literals, short_texts).map_err(|e| e.to_string())?,
            )),
        };
        Ok(Prefilter {
            automaton,
            owners,
            literals: pattern_literals,
            always,
            by_line,
            blank_above,
            line_start,
            start_groups,
        })
    }

    /// Whether every match of `pattern`, searched by line, starts at a
    /// line's start.
    pub(crate) fn starts_lines(&self, pattern: usize) -> bool {
        self.line_start[pattern]
    }

    /// How many literals the automaton was built for.
    #[cfg(test)]
    pub(crate) fn literal_count(&self) -> usize {
        self.owners.len()
    }

    /// How many patterns have a literal and how many always run.
    pub(crate) fn counts(&self) -> (usize, usize) {
        let always = self.always.iter().filter(|a| **a).count();
        (self.always.len() - always, always)
    }

    /// Marks in `candidates` (one flag per pattern, cleared here) every
    /// pattern among `wanted` (those the file is searched for) that may
    /// match `content`, and records in `occurrences` where each literal is.
    pub(crate) fn candidates(
        &self,
        content: &[u8],
        wanted: &[usize],
        candidates: &mut Vec<bool>,
        occurrences: &mut Occurrences,
    ) {
        self.candidates_in(
            content,
            &[(0, content.len())],
            wanted,
            candidates,
            occurrences,
        );
    }

    /// [`Prefilter::candidates`] of the `regions` of `content` only (whole
    /// lines, in order): the lines a commit added to a file. Occurrences
    /// keep their offsets in `content`.
    pub(crate) fn candidates_in(
        &self,
        content: &[u8],
        regions: &[(usize, usize)],
        wanted: &[usize],
        candidates: &mut Vec<bool>,
        occurrences: &mut Occurrences,
    ) {
        candidates.clear();
        candidates.resize(self.always.len(), false);
        occurrences.found.clear();
        occurrences.spans.clear();
        if let Some(automaton) = &self.automaton {
            let seen = &mut occurrences.seen;
            seen.clear();
            seen.resize(self.owners.len(), false);
            for (from, to) in regions {
                automaton.each(&content[*from..*to], |id, start| {
                    occurrences.found.push((id, from + start));
                    if !seen[id] {
                        seen[id] = true;
                        for pattern in &self.owners[id] {
                            candidates[*pattern] = true;
                        }
                    }
                });
            }
        }
        // Patterns without a literal are candidates wherever they apply:
        // their own search is the test (the regex engine's inner-literal
        // and DFA searches are as fast as a shared set pass would be).
        for pattern in wanted {
            if self.always[*pattern] {
                candidates[*pattern] = true;
            }
        }
    }

    /// Fills `lines` with the lines (start and end offsets, the end before
    /// its line break) where `pattern`'s literals occur in this file, in
    /// order, and says how to search them; [`LineMode::Whole`] when it must
    /// search the whole file (its matches may start anywhere, or its
    /// literals are on so many lines that one search of the whole file is
    /// cheaper).
    pub(crate) fn lines(
        &self,
        pattern: usize,
        content: &[u8],
        occurrences: &mut Occurrences,
        lines: &mut Vec<(usize, usize)>,
    ) -> LineMode {
        let mode = self.by_line[pattern];
        if mode == LineMode::Whole {
            return mode;
        }
        lines.clear();
        occurrences.find_spans(content, self.owners.len());
        // The pattern's own occurrences, marked by following each of its
        // literals' chains, then read in the file's order: sorting them
        // instead cost more than stepping over the others did.
        let blank_above = self.blank_above[pattern];
        let mut bytes = 0;
        let mut add_line = |(line_start, line_end): (usize, usize)| {
            if let Some(anchored) = blank_above {
                bytes += blank_lines_above(content, line_start, anchored, lines);
            }
            // The literal's own line last: the test below reads it.
            bytes += line_end - line_start;
            lines.push((line_start, line_end));
        };
        let mut seen = self.literals[pattern]
            .iter()
            .filter(|literal| occurrences.seen[**literal]);
        match (seen.next(), seen.next()) {
            (None, _) => {}
            // One literal of the pattern in this file: its chain holds
            // each of its lines once, in order.
            (Some(literal), None) => {
                let mut index = occurrences.first[*literal];
                while index != NONE {
                    add_line(occurrences.spans[index as usize]);
                    index = occurrences.next[index as usize];
                }
            }
            // Several: their occurrences are marked, then read in the
            // file's order (sorting them instead cost more than stepping
            // over the others did), a line once for all of them.
            _ => {
                let marks = &mut occurrences.marks;
                marks.clear();
                marks.resize(occurrences.found.len().div_ceil(64), 0);
                for literal in &self.literals[pattern] {
                    if !occurrences.seen[*literal] {
                        continue;
                    }
                    let mut index = occurrences.first[*literal];
                    while index != NONE {
                        let at = index as usize;
                        marks[at / 64] |= 1 << (at % 64);
                        index = occurrences.next[at];
                    }
                }
                let mut last: Option<(usize, usize)> = None;
                for (word, bits) in marks.iter().enumerate() {
                    let mut bits = *bits;
                    while bits != 0 {
                        let at = word * 64 + bits.trailing_zeros() as usize;
                        bits &= bits - 1;
                        let span = occurrences.spans[at];
                        if last != Some(span) {
                            last = Some(span);
                            add_line(span);
                        }
                    }
                }
            }
        }
        if bytes > content.len() / 2 {
            return LineMode::Whole;
        }
        // In order and each once unless blank lines above were added.
        if !lines.is_sorted_by(|a, b| a < b) {
            lines.sort_unstable();
            lines.dedup();
        }
        mode
    }
}

/// Lines of a pattern searched line by line ([`LineMode::Within`]) that are
/// at most this many bytes apart are searched as one range.
const JOIN_GAP: usize = 256;

/// Joins the lines (in order, from [`Prefilter::lines`] on a whole file)
/// that are at most [`JOIN_GAP`] bytes apart into one range with the lines
/// between them. Every match holds a literal, and every line of the file
/// that holds one of the pattern's literals is in `lines`, so the lines
/// between hold no match: searching the range finds exactly the matches of
/// its lines, in the same order. Each search has a fixed cost (a thousand
/// instructions or more: the regex's cache, its start state, its own
/// prefilter) that a line of 60 bytes does not repay; in a monorepo where
/// `secret` or `token` is on every third line, most of a file's lines of a
/// pattern become a handful of ranges.
pub(crate) fn join_near_lines(lines: &mut Vec<(usize, usize)>) {
    let mut joined = 0;
    for index in 1..lines.len() {
        let (start, end) = lines[index];
        if start.saturating_sub(lines[joined].1) <= JOIN_GAP {
            lines[joined].1 = end;
        } else {
            joined += 1;
            lines[joined] = (start, end);
        }
    }
    lines.truncate((joined + 1).min(lines.len()));
}

/// The automaton of a plan's literals, run by [`Literals::each`].
#[derive(Debug)]
pub(super) enum Literals {
    /// The scanner's: a dense DFA, quick to run (see `literal_dfa.rs`).
    Dfa(LiteralDfa),
    /// For short texts (see [`Prefilter::for_short_texts`]), and for a set
    /// the DFA does not take (an empty literal, a table too large).
    Nfa(nfa::contiguous::NFA),
}

impl Literals {
    /// Literals matched ASCII case-insensitively, every occurrence reported
    /// (standard semantics, searched overlapping), with no prefilter: with a
    /// thousand literals none applies, and without one only match states
    /// (and the dead one) are special, which keeps [`each`](Self::each)'s
    /// loop to a table look-up a byte.
    pub(super) fn build(
        literals: &[Vec<u8>],
        short_texts: bool,
    ) -> Result<Self, aho_corasick::BuildError> {
        if !short_texts && let Some(dfa) = LiteralDfa::new(literals) {
            return Ok(Literals::Dfa(dfa));
        }
        Ok(Literals::Nfa(
            nfa::contiguous::Builder::new()
                .match_kind(MatchKind::Standard)
                .ascii_case_insensitive(true)
                .prefilter(false)
                .build(literals)?,
        ))
    }

    /// Calls `found(literal, start)` for every occurrence of every literal
    /// in `text`, overlapping ones included, in the order they end (those
    /// ending at the same byte in the automaton's order): what
    /// `AhoCorasick::find_overlapping_iter` yields, without its per-byte
    /// bookkeeping, which was most of the cost of the literal pass.
    pub(super) fn each(&self, text: &[u8], found: impl FnMut(usize, usize)) {
        match self {
            Literals::Dfa(automaton) => automaton.each(text, found),
            Literals::Nfa(automaton) => each_occurrence(automaton, text, found),
        }
    }
}

/// [`Literals::each`] for one kind of automaton.
#[inline(always)]
fn each_occurrence<A: Automaton>(automaton: &A, text: &[u8], mut found: impl FnMut(usize, usize)) {
    let Ok(mut state) = automaton.start_state(Anchored::No) else {
        return;
    };
    let mut at = 0;
    while let Some((end, matched)) = next_special(automaton, text, at, state) {
        state = matched;
        at = end;
        // Without a prefilter only the dead state and match states are
        // special; an unanchored search never reaches the dead one.
        if automaton.is_match(state) {
            for index in 0..automaton.match_len(state) {
                let literal = automaton.match_pattern(state, index);
                found(literal.as_usize(), end - automaton.pattern_len(literal));
            }
        }
    }
}

/// Runs `automaton` from `state` over `text[at..]` to the first special
/// (match) state: where it ends and the state. A function of its own so
/// that its loop keeps everything in registers: inlined into its caller's
/// bookkeeping, it took 19 instructions a byte. Four bytes a round, so
/// that the loop's own counting and end test are paid once for four
/// (11 instructions a byte before, most of them the transition itself).
#[inline(never)]
fn next_special<A: Automaton>(
    automaton: &A,
    text: &[u8],
    at: usize,
    mut state: aho_corasick::automaton::StateID,
) -> Option<(usize, aho_corasick::automaton::StateID)> {
    let rest = text.get(at..)?;
    let mut chunks = rest.chunks_exact(4);
    let mut offset = at;
    for chunk in &mut chunks {
        let [a, b, c, d] = [chunk[0], chunk[1], chunk[2], chunk[3]];
        state = automaton.next_state(Anchored::No, state, a);
        if automaton.is_special(state) {
            return Some((offset + 1, state));
        }
        state = automaton.next_state(Anchored::No, state, b);
        if automaton.is_special(state) {
            return Some((offset + 2, state));
        }
        state = automaton.next_state(Anchored::No, state, c);
        if automaton.is_special(state) {
            return Some((offset + 3, state));
        }
        state = automaton.next_state(Anchored::No, state, d);
        if automaton.is_special(state) {
            return Some((offset + 4, state));
        }
        offset += 4;
    }
    for byte in chunks.remainder() {
        state = automaton.next_state(Anchored::No, state, *byte);
        offset += 1;
        if automaton.is_special(state) {
            return Some((offset, state));
        }
    }
    None
}

/// The scan's literal automaton of `literals` (see [`Prefilter::new`]).
pub(super) fn scan_automaton(literals: &[Vec<u8>]) -> Result<Literals, aho_corasick::BuildError> {
    Literals::build(literals, false)
}

/// `set` without the literals that hold a shorter one of the set
/// (`"vault"` beside `vault`, `<artifactid>selenium-java</artifactid>`
/// beside `selenium`): wherever such a literal occurs, the shorter one
/// occurs too, on the same line (literals of patterns searched by line hold
/// no line break), so a pattern is a candidate in the same files and
/// searched from the same lines. A sixth of the automaton's literals were
/// such, and building it is the largest part of an audit's fixed cost.
pub(super) fn without_longer(set: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let holds_shorter = |literal: &Vec<u8>| {
        set.iter().any(|other| {
            other.len() < literal.len() && memchr::memmem::find(literal, other).is_some()
        })
    };
    set.iter().filter(|l| !holds_shorter(l)).cloned().collect()
}

/// Adds to `lines` the blank lines just above the line starting at
/// `line_start` and, unless `anchored`, the line above those, where a match
/// opening with whitespace may start ([`Before::Blank`]); returns their
/// length. A line with non-ASCII bytes may be Unicode whitespace (`\s`
/// matches U+00A0), so it counts as blank: one line too many is searched,
/// never one too few.
fn blank_lines_above(
    content: &[u8],
    mut line_start: usize,
    anchored: bool,
    lines: &mut Vec<(usize, usize)>,
) -> usize {
    let mut bytes = 0;
    while line_start > 0 {
        let end = line_start - 1;
        let start = memchr::memrchr(b'\n', &content[..end]).map_or(0, |i| i + 1);
        let blank = content[start..end]
            .iter()
            .all(|b| matches!(b, b'\t'..=b'\r' | b' ') || *b >= 0x80);
        if !blank && anchored {
            break;
        }
        bytes += end - start;
        lines.push((start, end));
        if !blank {
            break;
        }
        line_start = start;
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(regex: &str) -> Option<Vec<String>> {
        required_literals(regex).map(|set| {
            set.into_iter()
                .map(|l| String::from_utf8_lossy(&l).into_owned())
                .collect()
        })
    }

    #[test]
    fn prefixes_of_token_shapes() {
        assert_eq!(lits(r"\bghp_[A-Za-z0-9]{36}\b").unwrap(), ["ghp_"]);
        let aws = lits(r"\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b").unwrap();
        assert!(aws.contains(&"akia".to_string()), "{aws:?}");
    }

    #[test]
    fn literals_inside_a_concatenation_and_case_folding() {
        let set = lits(r#"(?im)^\s*(?:export\s+)?["']?[A-Z0-9_]*JWT_?SECRET\s*="#).unwrap();
        // The Kelvin sign and the long s stand in for the folded `k` and `s`.
        assert!(
            set.iter().all(|l| l.starts_with("jwt") || !l.is_ascii()),
            "{set:?}"
        );
        assert!(set.iter().any(|l| l == "jwt_secret"), "{set:?}");
        // `s` and `k` also match non-ASCII letters under (?i): kept as classes.
        let set = lits(r"(?i)\bapi_?key\s*=").unwrap();
        assert!(
            set.iter().any(|l| l.as_bytes().starts_with(b"api")),
            "{set:?}"
        );
    }

    #[test]
    fn rarer_literals_win_over_common_words() {
        // `from` is in every Python and TypeScript file; the quoted module
        // name is not.
        let set = lits(r#"from\s+['"]k6(?:/http)?['"]"#).unwrap();
        assert!(set.iter().all(|l| l.contains("k6")), "{set:?}");
        // ASCII digits give literals; Unicode `\d` has too many members.
        assert!(lits(r"[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}").is_some());
        assert!(lits(r"[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}").is_none());
    }

    #[test]
    fn which_patterns_stay_within_a_line() {
        let within_a_line = |regex: &str| analyse(regex).1 == LineMode::Within;
        assert!(within_a_line(r"\bghp_[A-Za-z0-9]{36}\b"));
        assert!(within_a_line(r"(?m)^[ \t]*password[ \t]*=[^\n]+$"));
        assert!(within_a_line(r"(?i)api_?key.{0,20}"));
        // `\s` and negated classes take in line breaks; `\z` only holds at
        // the end of the text, which a line is not.
        assert!(!within_a_line(r"password\s*=\s*\S+"));
        assert!(!within_a_line(r#"token = "[^"]+""#));
        assert!(!within_a_line(r"(?s)BEGIN.*END"));
        assert!(!within_a_line(r"secret\z"));
    }

    /// Searching only the lines the prefilter gives finds exactly the
    /// matches a search of the whole file finds.
    #[test]
    fn line_by_line_finds_what_the_whole_file_does() {
        let patterns = [
            r"(?i)\bapi_?key[ \t]*[:=][ \t]*[A-Za-z0-9]{8,}",
            r"(?m)^[ \t]*token[ \t]*=[^\n]*$",
            r"\bghp_[A-Za-z0-9]{6}\b",
            r"secret[a-z]*",
        ];
        let text = b"token = a\nx apikey: abcdefgh12 API_KEY=ZZZZZZZZZ\n  token=\nsecretsecretly ghp_abcdef\n\ntoken = last";
        let prefilter = Prefilter::new(&patterns).unwrap();
        let all: Vec<usize> = (0..patterns.len()).collect();
        let mut candidates = Vec::new();
        let mut occurrences = Occurrences::default();
        let mut lines = Vec::new();
        prefilter.candidates(text, &all, &mut candidates, &mut occurrences);
        for (p, pattern) in patterns.iter().enumerate() {
            let regex = regex::bytes::Regex::new(pattern).unwrap();
            let whole: Vec<(usize, usize)> = regex
                .find_iter(text)
                .map(|m| (m.start(), m.end()))
                .collect();
            assert!(!whole.is_empty(), "{pattern}");
            assert_eq!(
                prefilter.lines(p, text, &mut occurrences, &mut lines),
                LineMode::Within,
                "{pattern} runs line by line"
            );
            let mut by_line = Vec::new();
            for (from, to) in &lines {
                let mut at = *from;
                while let Some(m) = regex.find_at(&text[..*to], at) {
                    by_line.push((m.start(), m.end()));
                    at = m.end().max(at + 1);
                }
            }
            assert_eq!(by_line, whole, "{pattern}");
        }
    }

    /// A pattern's lines are each line where one of its literals occurs,
    /// once and in order, however often its literals occur there, with
    /// another pattern's literals between them, and with the blank lines
    /// above them for a pattern whose matches may open with blank lines.
    #[test]
    fn lines_of_a_pattern_each_once_in_order() {
        let patterns = [
            r"(?i)\btoken[ \t]*=[ \t]*[a-z]+",
            r"(?i)(?:secret|passwd)[ \t]*:[^\n]*",
            r"(?im)^\s*export\s+key\s*=",
            r"(?i)\bghp_[a-z0-9]{4}",
        ];
        let text = b"token=a token=b TOKEN=c\nnothing\nsecret: passwd: secret:\nghp_abcd token = d\n\n  \n\
                     export key = 1\npasswd: x\nSecret: y secret: z\n\nexport key=2";
        let prefilter = Prefilter::new(&patterns).unwrap();
        let all: Vec<usize> = (0..patterns.len()).collect();
        let (mut candidates, mut occurrences, mut lines) =
            (Vec::new(), Occurrences::default(), Vec::new());
        prefilter.candidates(text, &all, &mut candidates, &mut occurrences);
        let spans: Vec<(usize, usize)> = text
            .split(|b| *b == b'\n')
            .scan(0, |at, line| {
                let span = (*at, *at + line.len());
                *at += line.len() + 1;
                Some(span)
            })
            .collect();
        let expected = |numbers: &[usize]| -> Vec<(usize, usize)> {
            numbers.iter().map(|n| spans[*n]).collect()
        };
        // The third pattern's literal is `export`; the blank lines above its
        // lines are searched too (its matches may open with them).
        for (pattern, numbers) in [
            (0, &[0, 3][..]),
            (1, &[2, 7, 8][..]),
            (2, &[4, 5, 6, 9, 10][..]),
            (3, &[3][..]),
        ] {
            lines.clear();
            // Asked twice: the spans found for the first ask are reused.
            for _ in 0..2 {
                assert_eq!(
                    prefilter.lines(pattern, text, &mut occurrences, &mut lines),
                    if pattern == 2 {
                        LineMode::StartingOn
                    } else {
                        LineMode::Within
                    },
                    "{}",
                    patterns[pattern]
                );
                assert_eq!(lines, expected(numbers), "{}", patterns[pattern]);
            }
        }
    }

    /// Lines joined into ranges find what the lines searched one by one do.
    #[test]
    fn joined_lines_find_what_each_line_does() {
        let pattern = r"(?i)\btoken[ \t]*=[ \t]*[a-z]+";
        let filler = "x".repeat(JOIN_GAP + 1);
        let text = format!(
            "token = a\nnothing here\nTOKEN=b token=c\n{filler}\ntoken = d\n\nplain token = e"
        );
        let text = text.as_bytes();
        let prefilter = Prefilter::new(&[pattern]).unwrap();
        let mut candidates = Vec::new();
        let mut occurrences = Occurrences::default();
        let mut lines = Vec::new();
        prefilter.candidates(text, &[0], &mut candidates, &mut occurrences);
        assert_eq!(
            prefilter.lines(0, text, &mut occurrences, &mut lines),
            LineMode::Within
        );
        let regex = regex::bytes::Regex::new(pattern).unwrap();
        let search = |ranges: &[(usize, usize)]| {
            let mut found = Vec::new();
            for (from, to) in ranges {
                let mut at = *from;
                while let Some(m) = regex.find_at(&text[..*to], at) {
                    found.push((m.start(), m.end()));
                    at = m.end().max(at + 1);
                }
            }
            found
        };
        let each = search(&lines);
        assert_eq!(each.len(), 5, "{each:?}");
        let mut joined = lines.clone();
        join_near_lines(&mut joined);
        // The first two lines with the line between, then the two after
        // the filler with the blank line between.
        assert_eq!(joined.len(), 2, "{joined:?}");
        assert_eq!(joined[0], (lines[0].0, lines[1].1));
        assert_eq!(search(&joined), each);
        let mut none = Vec::new();
        join_near_lines(&mut none);
        assert!(none.is_empty());
    }

    #[test]
    fn which_patterns_start_on_the_line_of_their_literal() {
        let mode = |regex: &str| analyse(regex).1;
        assert_eq!(mode(r"(?i)\bapi_?key\s*=\s*\S+"), LineMode::StartingOn);
        assert_eq!(
            mode(r"(?m)^[ \t]*(?:const|let)[ \t]+\w*secret\w*\s*=\s*\S+"),
            LineMode::StartingOn
        );
        assert_eq!(
            mode(r"(?i)[a-z_]*(?:secret|token)\s*="),
            LineMode::StartingOn
        );
        // Before the literal a match may cross blank lines only: it starts
        // on the literal's line or on a blank line above.
        let (_, mode_of, blank_above, _) = analyse(r"(?im)^\s*password\s*=\s*\S+");
        assert_eq!((mode_of, blank_above), (LineMode::StartingOn, Some(true)));
        assert_eq!(analyse(r"\s+token\s*=\s*\S+").2, Some(false));
        // Before the literal a match may cross lines that are not blank: it
        // can start anywhere earlier.
        assert_eq!(mode(r"(?im)^\w*\s*password\s*=\s*\S+"), LineMode::Whole);
        assert_eq!(mode(r"\(\s*token\s*\)"), LineMode::Whole);
        assert_eq!(mode(r"(?:\w+\s)+password\s*=\s*x"), LineMode::Whole);
        // Verbose patterns keep whole-file search (comments end at a line
        // break, not at a closing parenthesis).
        assert_eq!(mode("(?x) password \\s* = # value\n"), LineMode::Whole);
        assert_eq!(mode(r"password[ \t]*=[^\n]*"), LineMode::Within);
    }

    #[test]
    fn which_patterns_start_at_a_line_start() {
        let line_start = |regex: &str| analyse_uncached(regex).3;
        assert!(line_start(r"(?im)^\s*password\s*=\s*\S+"));
        assert!(line_start(
            r"(?m)^[ \t]*(?P<key>\w*secret\w*)[ \t]*:=\s*\S+"
        ));
        assert!(line_start(r"(?m)^\s*token:\s*\S+|^\s*password:\s*\S+"));
        // Mid-line starts: a word boundary, one branch without `^`, `^`
        // after a carriage return too (CRLF mode), or `^` not first.
        assert!(!line_start(r"(?i)\bapi_?key\s*=\s*\S+"));
        assert!(!line_start(r"(?m)^\s*token:\s*\S+|password:\s*\S+"));
        assert!(!line_start(r"(?mR)^\s*password\s*=\s*\S+"));
        assert!(!line_start(r"(?m)\s*^password\s*=\s*\S+"));
        assert!(line_start(r"(?m)^password[ \t]*=[^\n]*"));
        // Only what is searched from its literals' lines is asked.
        assert!(!line_start(r"(?m)^\w*\s*password\s*=\s*\S+"));
    }

    /// The text of `literal_table.rs` for `regexes`, sorted for a binary
    /// search by text.
    fn render_table(regexes: &std::collections::BTreeSet<String>) -> String {
        fn bytes(literal: &[u8]) -> String {
            let mut out = String::from("b\"");
            for b in literal {
                match b {
                    b'"' | b'\\' => out.extend(['\\', char::from(*b)]),
                    b' '..=b'~' => out.push(char::from(*b)),
                    _ => out.push_str(&format!("\\x{b:02x}")),
                }
            }
            out.push('"');
            out
        }
        let mut out = String::from(
            "//! @generated by `READYCTL_UPDATE_LITERALS=1 cargo test --lib literal_table`:\n\
             //! the literal analysis of every built-in content pattern (see\n\
             //! `Precomputed` in `prefilter.rs`). Do not edit.\n\n\
             use super::prefilter::{LineMode, Precomputed};\n\n\
             pub(super) static ANALYSES: &[Precomputed] = &[\n",
        );
        for regex in regexes {
            let (literals, mode, blank_above, line_start) = analyse_uncached(regex);
            let literals = match literals {
                Some(set) => {
                    let set: Vec<String> = set.iter().map(|l| bytes(l)).collect();
                    format!("Some(&[{}])", set.join(", "))
                }
                None => "None".to_string(),
            };
            out.push_str(&format!(
                "    Precomputed {{\n        regex: {regex:?},\n        literals: {literals},\n        \
                 mode: LineMode::{mode:?},\n        blank_above: {blank_above:?},\n        \
                 line_start: {line_start:?},\n    }},\n"
            ));
        }
        out.push_str("];\n");
        out
    }

    /// The precomputed analyses are those of exactly the built-in packs'
    /// patterns, computed by the code above: a stale table costs an audit
    /// the analysis it was meant to save.
    #[test]
    fn literal_table_is_fresh() {
        let catalog = crate::pack::Catalog::builtin().unwrap();
        let regexes: std::collections::BTreeSet<String> = crate::pack::content_patterns(&catalog)
            .into_iter()
            .map(|(_, regex)| regex)
            .chain(crate::engine::fact_patterns())
            .collect();
        let expected = render_table(&regexes);
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/scan/literal_table.rs");
        if std::env::var_os("READYCTL_UPDATE_LITERALS").is_some() {
            std::fs::write(path, &expected).unwrap();
            return;
        }
        let current = std::fs::read_to_string(path).unwrap();
        assert!(
            current == expected,
            "src/scan/literal_table.rs is stale: run \
             READYCTL_UPDATE_LITERALS=1 cargo test --lib literal_table"
        );
        // And what the scan reads is what was written.
        for regex in &regexes {
            assert_eq!(Precomputed::find(regex), Some(analyse_uncached(regex)));
        }
    }

    #[test]
    fn literals_holding_a_shorter_one_of_their_set_are_left_out() {
        let set = |words: &[&str]| words.iter().map(|w| w.as_bytes().to_vec()).collect();
        assert_eq!(
            without_longer(set(&["\"vault\"", "vault", "vaultrs", "hvac", "'hvac-x"])),
            set(&["vault", "hvac"])
        );
        // The automaton still says which patterns may match: a pattern whose
        // longer literal was left out is a candidate where it occurs.
        // Another pattern keeps its own.
        let prefilter = Prefilter::new(&["\"vault\"|vault", "\"vault\""]).unwrap();
        let mut candidates = Vec::new();
        let mut occurrences = Occurrences::default();
        prefilter.candidates(b"a \"vault\" b", &[0, 1], &mut candidates, &mut occurrences);
        assert_eq!(candidates, [true, true]);
        prefilter.candidates(b"a vault b", &[0, 1], &mut candidates, &mut occurrences);
        assert_eq!(candidates, [true, false]);
    }

    /// The literal pass reports what `AhoCorasick::find_overlapping_iter`
    /// does, in the same order, for both kinds of automaton.
    #[test]
    fn every_overlapping_occurrence_in_order() {
        let literals: Vec<Vec<u8>> = ["pass", "password", "word", "sword", "ass", "token", "oke"]
            .iter()
            .map(|l| l.as_bytes().to_vec())
            .collect();
        let text = b"PassWord= swordsman tOKEN passpassword\n ass tokenoke";
        let reference = aho_corasick::AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(true)
            .build(&literals)
            .unwrap();
        let expected: Vec<(usize, usize)> = reference
            .find_overlapping_iter(&text[..])
            .map(|m| (m.pattern().as_usize(), m.start()))
            .collect();
        assert!(expected.len() > 10, "{expected:?}");
        for short_texts in [false, true] {
            let automaton = Literals::build(&literals, short_texts).unwrap();
            // From every offset: the pass reads four bytes a round, and the
            // rest one by one.
            for from in 0..text.len() {
                let mut found = Vec::new();
                automaton.each(&text[from..], |literal, start| found.push((literal, start)));
                let expected: Vec<(usize, usize)> = reference
                    .find_overlapping_iter(&text[from..])
                    .map(|m| (m.pattern().as_usize(), m.start()))
                    .collect();
                assert_eq!(found, expected, "short_texts: {short_texts}, from {from}");
            }
            let mut found = Vec::new();
            automaton.each(text, |literal, start| found.push((literal, start)));
            assert_eq!(found, expected, "short_texts: {short_texts}");
        }
    }

    #[test]
    fn shapes_without_a_literal_always_run() {
        assert_eq!(lits(r"[A-Za-z0-9]{40}"), None);
        assert_eq!(lits(r"a|[0-9]+"), None);
        assert_eq!(lits(r"(?:ab)?c"), None);
    }

    #[test]
    fn never_misses_a_match() {
        let patterns = [
            r"(?i)password\s*=\s*\S+",
            r"\bghp_[A-Za-z0-9]{36}\b",
            r"[0-9a-f]{32}-us\d{1,2}\b",
            r"(?i)\bkey\b",
        ];
        let texts: [&[u8]; 4] = [
            b"PassWord = hunter2",
            b"token ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            b"0123456789abcdef0123456789abcdef-us12",
            "\u{212A}EY".as_bytes(),
        ];
        let prefilter = Prefilter::new(&patterns).unwrap();
        let all: Vec<usize> = (0..patterns.len()).collect();
        let mut candidates = Vec::new();
        let mut occurrences = Occurrences::default();
        for text in texts {
            prefilter.candidates(text, &all, &mut candidates, &mut occurrences);
            for (p, regex) in patterns.iter().enumerate() {
                if regex::bytes::Regex::new(regex).unwrap().is_match(text) {
                    assert!(
                        candidates[p],
                        "{regex} on {:?}",
                        String::from_utf8_lossy(text)
                    );
                }
            }
        }
    }
}
