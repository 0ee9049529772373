//! Searching one blob of git history with the same plan as the tree walk:
//! the path it had decides its role and which secret patterns apply (with
//! their `exclude` globs, hit filters and `readyctl:allow` comments), and
//! the same prefilter picks the patterns to run. Only `secret` patterns are
//! run: history is searched for credentials, not for everything a check
//! looks at in the working tree.

use super::evidence::Partial;
use super::literal::LazyTree;
use super::prefilter::Occurrences;
use super::walk::{BINARY_PROBE, InlineTests, locate};
use super::{Classify, PatternId, ScanPlan};
use crate::model::Role;
use std::sync::Arc;

/// One hit in a blob. `value` is the credential itself: it is compared with
/// the values the working tree holds (to say whether it is still there) and
/// handed to the redactor, never shown.
#[derive(Clone)]
pub struct BlobHit {
    pub pattern: PatternId,
    pub line: usize,
    /// Why the hit counts, when its filter judged the context.
    pub detail: Option<String>,
    pub value: String,
}

impl std::fmt::Debug for BlobHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobHit")
            .field("pattern", &self.pattern)
            .field("line", &self.line)
            .finish_non_exhaustive()
    }
}

/// A searcher for one thread: reuses its buffers from blob to blob.
pub struct BlobScanner<'a> {
    plan: &'a ScanPlan,
    roles: Option<Arc<dyn Classify>>,
    partial: Partial,
    selectors: Vec<usize>,
    patterns: Vec<usize>,
    candidates: Vec<bool>,
    occurrences: Occurrences,
    lines: Vec<(usize, usize)>,
}

impl<'a> BlobScanner<'a> {
    pub fn new(plan: &'a ScanPlan, roles: Option<Arc<dyn Classify>>) -> Self {
        let mut partial = Partial::new(0, plan.pattern_count(), 0);
        partial.blob_hits = Some(Vec::new());
        BlobScanner {
            plan,
            roles,
            partial,
            selectors: Vec::new(),
            patterns: Vec::new(),
            candidates: Vec::new(),
            occurrences: Occurrences::default(),
            lines: Vec::new(),
        }
    }

    /// Whether any secret pattern applies to a file at `path`: when none
    /// does, the blob need not even be read.
    pub fn wants(&mut self, path: &str) -> bool {
        self.select(path);
        !self.patterns.is_empty()
    }

    /// Chooses the patterns for `path` and returns its role.
    fn select(&mut self, path: &str) -> Role {
        let role = self
            .roles
            .as_ref()
            .map_or(Role::Production, |c| c.role_of(path));
        self.plan.selectors_for(path, role, &mut self.selectors);
        self.plan.patterns_for(&self.selectors, &mut self.patterns);
        let options = &self.plan.options;
        self.patterns.retain(|p| options[*p].secret);
        role
    }

    /// Searches `content` as the file at `path`. Binary content (a NUL in
    /// its first 8 KiB, git's own rule) is not searched.
    pub fn scan(&mut self, path: &str, content: &[u8]) -> Vec<BlobHit> {
        let probe = &content[..content.len().min(BINARY_PROBE)];
        if memchr::memchr(0, probe).is_some() {
            return Vec::new();
        }
        let role = self.select(path);
        if self.patterns.is_empty() {
            return Vec::new();
        }
        let prefilter = &self.plan.prefilter;
        prefilter.candidates(
            content,
            &self.patterns,
            &mut self.candidates,
            &mut self.occurrences,
        );
        let mut tree = LazyTree::default();
        let mut inline = InlineTests::new(role, path, content);
        let whole = [(0, content.len())];
        for pattern in &self.patterns {
            if !self.candidates[*pattern] {
                continue;
            }
            let by_line =
                prefilter.lines(*pattern, content, &mut self.occurrences, &mut self.lines);
            let ranges = if by_line {
                self.lines.as_slice()
            } else {
                &whole
            };
            locate(
                self.plan,
                *pattern,
                (content, path),
                ranges,
                &mut self.partial,
                &mut tree,
                &mut inline,
            );
        }
        std::mem::take(self.partial.blob_hits.as_mut().expect("set in new"))
    }
}
