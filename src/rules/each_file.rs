//! `each_file`: every selected file (optionally only those containing a
//! marker) must contain one regex and must not contain another. Findings name
//! each file that falls short, which a repository-wide `content_match` cannot:
//! one Alembic revision with a real `downgrade()` says nothing of the others.

use super::paths::{describe_globs, validate_globs};
use super::{Outcome, Spanned, Validator};
use crate::model::Finding;
use crate::scan::{DocumentsId, Evidence, LazyRegex, PlanBuilder, SelectorSpec, compile_regex};
use schemars::JsonSchema;
use serde::Deserialize;

/// ```yaml
/// each_file:
///   paths: ["**/alembic/versions/*.py"]
///   require: '(?m)^def downgrade\('
///   forbid: '(?m)^def downgrade\([^)]*\)[^:]*:\s*\n\s+pass\s*$'
///   message: has no working downgrade()
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EachFileSpec {
    #[schemars(with = "Vec<String>")]
    pub paths: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub exclude: Vec<Spanned<String>>,
    /// Only files containing this regex are held to the rule (goose files
    /// among plain `.sql` files, say).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub if_contains: Option<Spanned<String>>,
    /// A regex every file must contain.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub require: Option<Spanned<String>>,
    /// A regex no file may contain.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub forbid: Option<Spanned<String>>,
    /// What a failing file lacks, for findings.
    pub message: String,
}

impl EachFileSpec {
    pub fn validate(&self, v: &mut Validator<'_>) {
        validate_globs(v, &self.paths, &self.exclude);
        if self.paths.is_empty() {
            v.error(v.at, "`each_file` needs `paths`");
        }
        if self.require.is_none() && self.forbid.is_none() {
            v.error(v.at, "`each_file` needs `require` or `forbid`");
        }
        // A built-in pack's are compiled by the plan (see `trusted`).
        let trusted = v.trusted;
        for regex in [&self.if_contains, &self.require, &self.forbid]
            .into_iter()
            .flatten()
            .filter(|_| !trusted)
        {
            if let Err(message) = compile_regex(&regex.value) {
                v.error_at(regex, format!("invalid regex `{}`: {message}", regex.value));
            }
        }
    }

    pub fn plan(&self, plan: &mut PlanBuilder) -> EachFile {
        let selector = plan.selector(SelectorSpec::new(&self.paths, &self.exclude, false));
        // Validated when the pack loaded; compiled when a file is judged (an
        // audit that finds no such file never needs them).
        let compile = |r: &Option<Spanned<String>>| r.as_ref().map(|r| LazyRegex::new(&r.value));
        // Files without `if_contains` are not looked at, so their text is
        // not kept (on a monorepo: every `*.ts` for a TypeORM migration rule).
        let files = match &self.if_contains {
            Some(regex) => plan.documents_containing(selector, &regex.value),
            None => plan.documents(selector, true),
        };
        EachFile {
            files,
            if_contains: compile(&self.if_contains),
            require: compile(&self.require),
            forbid: compile(&self.forbid),
            message: self.message.clone(),
            describe: describe_globs(&self.paths),
        }
    }
}

#[derive(Debug)]
pub struct EachFile {
    files: DocumentsId,
    if_contains: Option<LazyRegex>,
    require: Option<LazyRegex>,
    forbid: Option<LazyRegex>,
    message: String,
    describe: String,
}

impl EachFile {
    pub fn evaluate(&self, evidence: &Evidence) -> Outcome {
        let files = evidence.documents(self.files);
        let mut held = 0;
        let mut findings = Vec::new();
        for file in &files.files {
            let Some(text) = &file.text else { continue };
            let bytes = text.as_bytes();
            if self
                .if_contains
                .as_ref()
                .and_then(LazyRegex::get)
                .is_some_and(|r| !r.is_match(bytes))
            {
                continue;
            }
            held += 1;
            let missing = (self.require.as_ref())
                .and_then(LazyRegex::get)
                .is_some_and(|r| !r.is_match(bytes));
            let forbidden = (self.forbid.as_ref())
                .and_then(LazyRegex::get)
                .and_then(|r| r.find(bytes));
            if missing {
                findings.push(Finding::at(file.path.clone(), None, self.message.clone()));
            } else if let Some(found) = forbidden {
                let line = 1 + memchr::memchr_iter(b'\n', &bytes[..found.start()]).count();
                findings.push(Finding::at(
                    file.path.clone(),
                    Some(line),
                    self.message.clone(),
                ));
            }
        }
        if held == 0 {
            // As for `file_pairs`: a skipped part does not decide an `all`
            // over several tools, so only the tools in use are reported.
            return Outcome::nothing_to_judge(format!(
                "no file matching {} to check",
                self.describe
            ));
        }
        if findings.is_empty() {
            Outcome::pass(
                format!("all {held} file(s) matching {} are fine", self.describe),
                Vec::new(),
            )
        } else {
            Outcome::fail(
                format!(
                    "{} of {held} file(s) matching {}: {}",
                    findings.len(),
                    self.describe,
                    self.message
                ),
                findings,
            )
        }
    }
}
