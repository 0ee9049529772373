//! What one scan of a repository found, in the shape rules ask for it.
//!
//! Walker threads each fill a [`Partial`]; partials are merged at the end, so
//! threads never contend on shared state while walking. Lists are bounded
//! (the smallest paths are kept, so output is the same whatever the thread
//! timing), which keeps memory flat however large the tree is.

use super::{DocumentsId, PatternId, SelectorId};
use serde::Serialize;
use std::collections::BTreeSet;
use std::time::Duration;

/// Paths kept per selector; counts stay exact beyond it.
pub const SAMPLE_LIMIT: usize = 100;
/// Hits kept per pattern; counts stay exact beyond it.
pub const HIT_LIMIT: usize = 200;
/// Files kept per document request. Requests come from narrow selectors
/// (migration directories, coverage reports), so this is a safety net rather
/// than a sample size.
pub const DOCUMENT_LIMIT: usize = 10_000;
/// Unreadable-file reasons kept for the report.
const PROBLEM_LIMIT: usize = 20;

#[derive(Debug, Clone, Default)]
pub struct SelectorHits {
    pub count: usize,
    /// The first paths in sorted order, at most [`SAMPLE_LIMIT`].
    pub sample: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    pub path: String,
    pub line: usize,
}

#[derive(Debug, Clone, Default)]
pub struct PatternHits {
    /// Every hit that was not suppressed, including those not kept.
    pub count: usize,
    /// Hits silenced by a `readyctl:allow` comment.
    pub suppressed: usize,
    pub hits: Vec<Hit>,
}

/// One file kept whole for a rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Document {
    pub path: String,
    /// The text (lossily decoded), when it was asked for and could be read;
    /// `None` for binary, too large or unreadable files.
    pub text: Option<String>,
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

    /// Whether `item` would be kept; lets callers skip building it otherwise.
    pub(crate) fn wants(&self, item: &T) -> bool {
        self.kept.len() < self.limit || self.kept.last().is_some_and(|last| item < last)
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

    fn absorb(&mut self, other: Bounded<T>) {
        self.count += other.count;
        for item in other.kept {
            self.keep(item);
        }
    }
}

/// One walker thread's findings.
#[derive(Debug)]
pub(crate) struct Partial {
    pub(crate) selectors: Vec<Bounded<String>>,
    pub(crate) patterns: Vec<Bounded<Hit>>,
    pub(crate) documents: Vec<Bounded<Document>>,
    pub(crate) suppressed: Vec<usize>,
    pub(crate) stats: ScanStats,
}

impl Partial {
    pub(crate) fn new(selectors: usize, patterns: usize, documents: usize) -> Self {
        Partial {
            documents: (0..documents)
                .map(|_| Bounded::new(DOCUMENT_LIMIT))
                .collect(),
            selectors: (0..selectors).map(|_| Bounded::new(SAMPLE_LIMIT)).collect(),
            patterns: (0..patterns).map(|_| Bounded::new(HIT_LIMIT)).collect(),
            suppressed: vec![0; patterns],
            stats: ScanStats::default(),
        }
    }

    pub(crate) fn absorb(&mut self, other: Partial) {
        for (mine, theirs) in self.selectors.iter_mut().zip(other.selectors) {
            mine.absorb(theirs);
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
        self.stats.absorb(other.stats);
    }

    pub(crate) fn finish(self, duration: Duration) -> Evidence {
        let mut stats = self.stats;
        stats.duration = duration;
        Evidence {
            selectors: self
                .selectors
                .into_iter()
                .map(|b| SelectorHits {
                    count: b.count,
                    sample: b.kept.into_iter().collect(),
                })
                .collect(),
            patterns: self
                .patterns
                .into_iter()
                .zip(self.suppressed)
                .map(|(b, suppressed)| PatternHits {
                    count: b.count,
                    suppressed,
                    hits: b.kept.into_iter().collect(),
                })
                .collect(),
            documents: self
                .documents
                .into_iter()
                .map(|b| Documents {
                    count: b.count,
                    files: b.kept.into_iter().collect(),
                })
                .collect(),
            stats,
        }
    }
}

/// Everything the scan saw, indexed by the handles the plan gave out.
#[derive(Debug, Default)]
pub struct Evidence {
    selectors: Vec<SelectorHits>,
    patterns: Vec<PatternHits>,
    documents: Vec<Documents>,
    pub stats: ScanStats,
}

impl Evidence {
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
