//! Gathering evidence from a repository on disk in one pass.
//!
//! Rules never touch the file system themselves: they register what they
//! need in a [`PlanBuilder`], [`scan`] walks the tree once for all of them,
//! and they read their answers from the resulting [`Evidence`].

mod boundary;
mod evidence;
mod export;
mod filter;
mod plan;
mod prefilter;
mod walk;

pub use boundary::ascii_word_boundaries;
pub use evidence::{
    CAPTURE_LIMIT, DOCUMENT_LIMIT, Document, Documents, Evidence, HIT_LIMIT, Hit, KEEP_BYTES_LIMIT,
    KEEP_LIMIT, KeptFile, PatternHits, SAMPLE_LIMIT, SECRET_VALUE_BYTES_LIMIT, SECRET_VALUES_LIMIT,
    ScanStats, SecretValues, SelectorHits,
};
pub use export::{rg_pattern, spans_lines};
pub use filter::{HitFilter, KEY_GROUP, SECRET_GROUP, shannon_entropy};
pub use plan::{
    DocumentsId, PatternId, PatternOptions, PlanBuilder, ScanPlan, SelectorId, SelectorSpec,
    compile_regex,
};
pub use prefilter::required_literals;
pub(crate) use walk::is_allowed;
pub use walk::{ScanError, scan};

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

pub(crate) type Spanned<T> = serde_saphyr::Spanned<T>;

/// Default limit on the size of a file that content checks read.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 1024 * 1024;

/// How to walk: limits and exclusions that come from the user, not the checks.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Files larger than this are not read (they are counted as skipped).
    pub max_file_size: u64,
    /// Extra gitignore-style patterns to leave out of the walk.
    pub exclude: Vec<String>,
    /// Files or directories (relative to the root) to read even though
    /// ignore rules hide them: generated reports such as `coverage/lcov.info`
    /// that CI writes before the audit runs.
    pub include: Vec<String>,
    /// Walker threads; 0 picks one per core.
    pub threads: usize,
    /// Counts files as they are walked, for a progress indicator in the
    /// caller (the library itself never prints).
    pub progress: Option<Arc<AtomicU64>>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            exclude: Vec::new(),
            include: Vec::new(),
            threads: 0,
            progress: None,
        }
    }
}
