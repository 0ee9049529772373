//! Searching one blob of git history with the same plan as the tree walk:
//! the path it had decides its role and which secret patterns apply (with
//! their `exclude` globs, hit filters and `readyctl:allow` comments), and
//! the same prefilter picks the patterns to run. Only `secret` patterns are
//! run: history is searched for credentials, not for everything a check
//! looks at in the working tree.

use super::evidence::Partial;
use super::walk::{BINARY_PROBE, Search};
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
    /// The path `patterns` and `role` were chosen for: successive versions
    /// of one file are searched one after another.
    selected: Option<(String, Role)>,
    search: Search,
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
            selected: None,
            search: Search::default(),
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
        if let Some((selected, role)) = &self.selected
            && selected == path
        {
            return *role;
        }
        let role = self
            .roles
            .as_ref()
            .map_or(Role::Production, |c| c.role_of(path));
        self.plan.selectors_for(path, role, &mut self.selectors);
        self.plan.patterns_for(&self.selectors, &mut self.patterns);
        let options = &self.plan.options;
        self.patterns.retain(|p| options[*p].secret);
        self.selected = Some((path.to_string(), role));
        role
    }

    /// Searches `content` as the file at `path`: all of it, or only
    /// `added`, the lines a commit added to an earlier version (whole lines,
    /// in order; see [`added_lines`]). Binary content (a NUL in its first
    /// 8 KiB, git's own rule) is not searched.
    pub fn scan(
        &mut self,
        path: &str,
        content: &[u8],
        added: Option<&[(usize, usize)]>,
    ) -> Vec<BlobHit> {
        if is_binary(content) {
            return Vec::new();
        }
        let role = self.select(path);
        let whole = [(0, content.len())];
        self.search.run(
            self.plan,
            &self.patterns,
            role,
            (content, path),
            added.unwrap_or(&whole),
            &mut self.partial,
        );
        std::mem::take(self.partial.blob_hits.as_mut().expect("set in new"))
    }
}

/// Git's own rule: a NUL in the first 8 KiB.
pub fn is_binary(content: &[u8]) -> bool {
    memchr::memchr(0, &content[..content.len().min(BINARY_PROBE)]).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::prefilter::{LineMode, Prefilter};
    use crate::scan::{PatternOptions, PlanBuilder, SelectorSpec};

    /// Patterns whose matches may run on past a line break after their
    /// literal, but start on its line or, the last three, on the blank lines
    /// above it (or the end of the line above those).
    const PATTERNS: [&str; 8] = [
        r#"(?i)\bkey\s*=\s*"?[a-z]+"#,
        r"[a-z_]*secret\s*[:=]\s*\w+",
        r"(?m)^[ \t]*key[ \t]*=\s*\S+",
        r"(?i)\bsecret\b(?:\s+\w+){1,3}",
        r"é?token\b\s*(?:=\s*)?\w*",
        r"(?im)^\s*(?P<key>[a-z_]*(?:secret|token))\s*[:=]\s*\w+",
        r"(?m)^\s*(?:export\s+)?key\s+\w+",
        r"\s+token\s*=\s*\w+",
    ];
    const WORDS: [&str; 19] = [
        "key", "KEY", " ", "\n", "\n", "=", "\"", "abc", "x_", "secret", "\t", "é", ":", "token",
        "9", "\n\n", "\u{a0}", "\r\n", "export ",
    ];

    /// Searching from the lines of the literals finds exactly what a search
    /// of the whole text finds, matches that span lines included.
    #[test]
    fn starting_on_literal_lines_finds_what_the_whole_text_does() {
        let prefilter = Prefilter::new(&PATTERNS).unwrap();
        let all: Vec<usize> = (0..PATTERNS.len()).collect();
        let (mut candidates, mut occurrences, mut lines) = Default::default();
        let mut plan = PlanBuilder::new();
        let selector = plan.selector(SelectorSpec::from_strs(&[], &[]));
        for regex in PATTERNS {
            let mut options = PatternOptions::new("test.pattern");
            options.secret = true;
            plan.pattern(selector, regex, options);
        }
        let plan = plan.build().unwrap();
        let mut scanner = BlobScanner::new(&plan, None);
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut by_start_line = 0;
        for _ in 0..3_000 {
            let mut text = String::new();
            for _ in 0..next() % 60 {
                let random = next();
                text.push_str(WORDS[(random % WORDS.len() as u64) as usize]);
                // Long stretches without a literal, as in real files.
                if random % 3 == 0 {
                    text.push_str(
                        "\nfiller line = plain text, with nothing to find on it at all\n",
                    );
                }
            }
            let content = text.as_bytes();
            let mut expected = Vec::new();
            for (p, regex) in PATTERNS.iter().enumerate() {
                let regex = crate::scan::compile_regex(regex).unwrap();
                for m in regex.find_iter(content) {
                    let line = 1 + memchr::memchr_iter(b'\n', &content[..m.start()]).count();
                    expected.push((p, line, m.as_bytes().to_vec()));
                }
            }
            let mut found: Vec<_> = scanner
                .scan("a.txt", content, None)
                .into_iter()
                .map(|hit| (hit.pattern.0, hit.line, hit.value.into_bytes()))
                .collect();
            expected.sort();
            found.sort();
            assert_eq!(found, expected, "{text:?}");
            prefilter.candidates(content, &all, &mut candidates, &mut occurrences);
            for p in all.iter().copied().filter(|p| candidates[*p]) {
                if prefilter.lines(p, content, &mut occurrences, &mut lines) == LineMode::StartingOn
                {
                    by_start_line += 1;
                }
            }
        }
        // The texts did exercise the search from literal lines.
        assert!(by_start_line > 1_000, "{by_start_line}");
    }
}
