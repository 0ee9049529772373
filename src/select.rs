//! Which checks an audit runs: `--only` on the command line, or `[checks]
//! only` in readyctl.toml, narrows the catalogue to check ids or globs over
//! them (`secrets.*` in a pre-commit hook, `secrets.history` in a CI job
//! that searches the history). The command line's list replaces the
//! config's. A check left out is reported as skipped, and is not planned:
//! it asks the scan for nothing.

use globset::{Glob, GlobSet, GlobSetBuilder};

/// Where a selection was given, for the reason shown on what it left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    CommandLine,
    Config,
}

/// A non-empty list of ids or globs; checks matching none of them are not
/// run.
#[derive(Debug, Clone)]
pub struct Selection {
    patterns: Vec<String>,
    set: GlobSet,
    source: Source,
}

impl Selection {
    /// `None` for an empty list (every check is selected); an error names
    /// the first pattern that is not a valid glob.
    pub fn new(patterns: &[String], source: Source) -> Result<Option<Selection>, String> {
        if patterns.is_empty() {
            return Ok(None);
        }
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            builder.add(glob(pattern)?);
        }
        let set = builder
            .build()
            .map_err(|e| format!("invalid check selection: {e}"))?;
        Ok(Some(Selection {
            patterns: patterns.to_vec(),
            set,
            source,
        }))
    }

    pub fn contains(&self, id: &str) -> bool {
        self.set.is_match(id)
    }

    /// The patterns that match none of `ids`: a typo would otherwise
    /// select nothing and pass silently.
    pub fn unmatched<'a>(&'a self, ids: &[&str]) -> Vec<&'a str> {
        self.patterns
            .iter()
            .filter(|pattern| !matches_some(pattern, ids))
            .map(String::as_str)
            .collect()
    }

    /// Why a check it leaves out is skipped.
    pub fn reason(&self) -> &'static str {
        match self.source {
            Source::CommandLine => "not selected (--only)",
            Source::Config => "not selected ([checks] only in readyctl.toml)",
        }
    }
}

/// Whether `pattern` (an id or a glob) matches one of `ids`; an invalid
/// glob matches nothing.
pub fn matches_some(pattern: &str, ids: &[&str]) -> bool {
    Glob::new(pattern).is_ok_and(|glob| {
        let matcher = glob.compile_matcher();
        ids.iter().any(|id| matcher.is_match(id))
    })
}

fn glob(pattern: &str) -> Result<Glob, String> {
    Glob::new(pattern).map_err(|e| format!("invalid check pattern `{pattern}`: {}", e.kind()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn select(patterns: &[&str]) -> Selection {
        let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
        Selection::new(&patterns, Source::CommandLine)
            .unwrap()
            .unwrap()
    }

    #[test]
    fn ids_and_globs_select_checks() {
        let selection = select(&["secrets.*", "docs.readme"]);
        assert!(selection.contains("secrets.history"));
        assert!(selection.contains("secrets.cloud-keys"));
        assert!(selection.contains("docs.readme"));
        assert!(!selection.contains("docs.readme-usage"));
        assert!(!selection.contains("ci.pipeline"));
    }

    #[test]
    fn an_empty_list_selects_everything() {
        assert!(Selection::new(&[], Source::Config).unwrap().is_none());
    }

    #[test]
    fn patterns_matching_no_check_are_named() {
        let selection = select(&["secrets.*", "docs.readmee", "nope.*"]);
        let ids = ["secrets.history", "docs.readme"];
        assert_eq!(selection.unmatched(&ids), ["docs.readmee", "nope.*"]);
    }

    #[test]
    fn an_invalid_glob_is_an_error() {
        let error = Selection::new(&["secrets.[".to_string()], Source::CommandLine).unwrap_err();
        assert!(error.contains("secrets.["), "{error}");
    }
}
