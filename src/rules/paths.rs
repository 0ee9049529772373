//! `file_exists`, `file_absent` and `min_files`: questions about which paths
//! exist, answered from the walk alone (no file is read for them).

use super::{Outcome, Spanned, Validator};
use crate::model::Finding;
use crate::scan::{DocumentsId, Evidence, PlanBuilder, SelectorId, SelectorSpec};
use schemars::JsonSchema;
use serde::Deserialize;

/// Which files a rule looks at. Globs match the whole path relative to the
/// audited root with `/` separators: `Dockerfile` is the root one only,
/// `**/Dockerfile` any of them; `*` never crosses a `/`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PathsSpec {
    /// Globs; a file matching any of them is selected.
    #[schemars(with = "Vec<String>")]
    pub paths: Vec<Spanned<String>>,
    /// Globs of files to leave out even when `paths` selects them.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub exclude: Vec<Spanned<String>>,
    /// Match case-insensitively (`README*` also finds `readme.md`).
    #[serde(default)]
    pub ignore_case: bool,
    /// Only files whose text matches this regex count: a `.env` that sets
    /// a secret, not one that only names the compose project.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub containing: Option<Spanned<String>>,
}

impl PathsSpec {
    pub fn validate(&self, v: &mut Validator<'_>) {
        validate_globs(v, &self.paths, &self.exclude);
        if let Some(regex) = &self.containing
            && let Err(message) = v.content_regex(&regex.value)
        {
            v.error_at(regex, format!("invalid regex `{}`: {message}", regex.value));
        }
    }

    pub fn plan(&self, plan: &mut PlanBuilder) -> Selection {
        let selector = plan.selector(self.selector_spec());
        Selection {
            selector,
            containing: self
                .containing
                .as_ref()
                .map(|regex| plan.documents_containing(selector, &regex.value)),
            describe: describe_globs(&self.paths),
        }
    }

    pub fn selector_spec(&self) -> SelectorSpec {
        SelectorSpec::new(&self.paths, &self.exclude, self.ignore_case)
    }
}

/// Checks that `paths` is not empty and that every glob parses.
pub fn validate_globs(
    v: &mut Validator<'_>,
    paths: &[Spanned<String>],
    exclude: &[Spanned<String>],
) {
    // A built-in pack's globs are known to compile (see `Validator::trusted`).
    let trusted = v.trusted;
    for glob in paths.iter().chain(exclude).filter(|_| !trusted) {
        if let Err(err) = globset::Glob::new(&glob.value) {
            v.error_at(
                glob,
                format!("invalid glob `{}`: {}", glob.value, err.kind()),
            );
        }
    }
}

/// A short description of a glob list for messages: long lists are cut, as
/// the full list is in the check definition (`readyctl checks explain`).
pub fn describe_globs(paths: &[Spanned<String>]) -> String {
    const SHOWN: usize = 3;
    if paths.is_empty() {
        return "any file".to_string();
    }
    let mut text = paths
        .iter()
        .take(SHOWN)
        .map(|p| format!("`{}`", p.value))
        .collect::<Vec<_>>()
        .join(", ");
    if paths.len() > SHOWN {
        text.push_str(&format!(" (+{} more patterns)", paths.len() - SHOWN));
    }
    text
}

#[derive(Debug)]
pub struct Selection {
    selector: SelectorId,
    /// With `containing`: the selected files, with their text when it
    /// matches.
    containing: Option<DocumentsId>,
    describe: String,
}

impl Selection {
    /// The matching files: (how many, the first of them in path order).
    fn matching(&self, evidence: &Evidence) -> (usize, Vec<String>) {
        match self.containing {
            Some(id) => {
                let files: Vec<String> = evidence
                    .documents(id)
                    .files
                    .iter()
                    .filter(|d| d.text.is_some())
                    .map(|d| d.path.clone())
                    .collect();
                (files.len(), files)
            }
            None => {
                let hits = evidence.selector(self.selector);
                (hits.count, hits.sample.clone())
            }
        }
    }

    pub fn evaluate_exists(&self, evidence: &Evidence) -> Outcome {
        let (_, sample) = self.matching(evidence);
        match sample.first() {
            Some(first) => Outcome::pass(
                format!("found `{first}`"),
                vec![Finding::at(first.clone(), None, "present")],
            ),
            None => Outcome::fail(format!("no file matches {}", self.describe), Vec::new()),
        }
    }

    pub fn evaluate_absent(&self, evidence: &Evidence) -> Outcome {
        let (count, sample) = self.matching(evidence);
        if count == 0 {
            // The evidence of absence is the walk: it must have seen files.
            if evidence.stats.files_walked == 0 {
                return Outcome::nothing_to_judge("the audited folder has no files");
            }
            return Outcome::pass(
                format!(
                    "no file matches {} among {} file(s)",
                    self.describe, evidence.stats.files_walked
                ),
                Vec::new(),
            );
        }
        let mut findings: Vec<Finding> = sample
            .iter()
            .map(|path| Finding::at(path.clone(), None, "should not be in the repository"))
            .collect();
        if count > sample.len() {
            findings.push(Finding::note(format!("and {} more", count - sample.len())));
        }
        Outcome::fail(format!("{count} file(s) match {}", self.describe), findings)
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MinFilesSpec {
    #[schemars(with = "Vec<String>")]
    pub paths: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub exclude: Vec<Spanned<String>>,
    #[serde(default)]
    pub ignore_case: bool,
    /// How many files must match.
    pub min: usize,
}

impl MinFilesSpec {
    pub fn validate(&self, v: &mut Validator<'_>) {
        validate_globs(v, &self.paths, &self.exclude);
    }

    pub fn plan(&self, plan: &mut PlanBuilder) -> MinFiles {
        MinFiles {
            selector: plan.selector(SelectorSpec::new(
                &self.paths,
                &self.exclude,
                self.ignore_case,
            )),
            describe: describe_globs(&self.paths),
            min: self.min,
        }
    }
}

#[derive(Debug)]
pub struct MinFiles {
    selector: SelectorId,
    describe: String,
    min: usize,
}

impl MinFiles {
    pub fn evaluate(&self, evidence: &Evidence) -> Outcome {
        let count = evidence.selector(self.selector).count;
        let message = format!(
            "{count} file(s) match {} (at least {} required)",
            self.describe, self.min
        );
        if count >= self.min {
            Outcome::pass(message, Vec::new())
        } else {
            Outcome::fail(message, Vec::new())
        }
    }
}
