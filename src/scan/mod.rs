//! Gathering evidence from a repository on disk in one pass.
//!
//! Rules never touch the file system themselves: they register what they
//! need in a [`PlanBuilder`], [`scan`] walks the tree once for all of them,
//! and they read their answers from the resulting [`Evidence`].

mod added;
mod around;
mod blob;
mod boundary;
mod content_regex;
mod evidence;
mod export;
mod filter;
mod globs;
mod key_span;
mod literal;
mod literal_dfa;
mod lossy;
mod manifest;
mod marker;
mod per_pattern;
mod plan;
#[rustfmt::skip]
mod literal_table;
mod prebuilt;
mod prefilter;
mod start_groups;
mod starts;
mod test_code;
mod url_value;
mod walk;
mod weak;

pub use added::added_lines;
pub(crate) use added::{common_prefix, common_suffix};
pub use blob::{BlobHit, BlobScanner, is_binary};
pub use boundary::ascii_word_boundaries;
pub(crate) use content_regex::ContentRegex;
pub use evidence::{
    CAPTURE_LIMIT, DOCUMENT_LIMIT, DerivedRoles, Document, Documents, Evidence, HIT_LIMIT, Hit,
    KEEP_BYTES_LIMIT, KEEP_LIMIT, KeptFile, PatternHits, ROLE_EXAMPLES, RoleCount, SAMPLE_LIMIT,
    SECRET_VALUE_BYTES_LIMIT, SECRET_VALUES_LIMIT, ScanStats, SecretValues, SelectorHits,
    fingerprint,
};
pub use export::{rg_pattern, spans_lines};
pub use filter::{HitFilter, Judged, KEY_GROUP, LazyRegex, SECRET_GROUP, shannon_entropy};
pub use literal::{LazyTree, Token, token_at};
pub use manifest::is_go_indirect_line;
pub use marker::is_generated_content;
pub use plan::{
    DocumentsId, PatternId, PatternOptions, PlanBuilder, ScanPlan, SelectorId, SelectorSpec,
    compile_regex,
};
pub(crate) use plan::{compile_content_regex, compiled_content_regex};
pub use prebuilt::start as prebuild_automaton;
pub(crate) use prefilter::Prefilter;
pub use prefilter::required_literals;
pub use url_value::{Benign, remote_password};
pub(crate) use walk::is_allowed;
pub use walk::{ScanError, scan};
pub use weak::{WeakMode, Weakness, is_public, judge as judge_weakness};

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

pub(crate) type Spanned<T> = serde_saphyr::Spanned<T>;

/// Decides the role of a path from the path alone. The repository model
/// implements it (`crate::repo::RoleMap`); the scan only applies it, so that
/// each rule sees only the files of the roles it reads.
pub trait Classify: Send + Sync + std::fmt::Debug {
    fn role_of(&self, rel_path: &str) -> crate::model::Role;
}

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
    /// Gives each path its role; selectors only see the roles they read.
    /// Without it every file is production.
    pub roles: Option<Arc<dyn Classify>>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            exclude: Vec::new(),
            include: Vec::new(),
            threads: 0,
            progress: None,
            roles: None,
        }
    }
}
