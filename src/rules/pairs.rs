//! `file_pairs`: every file of one kind has its partner beside it, such as
//! the `*.down.sql` that undoes each `*.up.sql`.

use super::paths::{describe_globs, validate_globs};
use super::{Outcome, Spanned, Validator};
use crate::model::Finding;
use crate::scan::{DocumentsId, Evidence, PlanBuilder, SelectorSpec};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeSet;

/// ```yaml
/// file_pairs:
///   paths: ["**/migrations/*.up.sql"]
///   suffix: ".up.sql"
///   partner: ".down.sql"
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PairsSpec {
    /// Globs of the files that need a partner; each must end with `suffix`.
    #[schemars(with = "Vec<String>")]
    pub paths: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub exclude: Vec<Spanned<String>>,
    /// The end of each selected path that is replaced to name its partner
    /// (`.up.sql`, or `/up.sql` for Diesel's one-directory-per-migration).
    #[schemars(with = "String")]
    pub suffix: Spanned<String>,
    /// What replaces `suffix` (`.down.sql`, `/down.sql`).
    #[schemars(with = "String")]
    pub partner: Spanned<String>,
}

impl PairsSpec {
    pub fn validate(&self, v: &mut Validator<'_>) {
        validate_globs(v, &self.paths, &self.exclude);
        if self.paths.is_empty() {
            v.error(v.at, "`file_pairs` needs `paths`");
        }
        if self.suffix.value.is_empty() {
            v.error_at(&self.suffix, "`suffix` must not be empty");
        }
        if self.partner.value == self.suffix.value {
            v.error_at(&self.partner, "`partner` must differ from `suffix`");
        }
        for glob in &self.paths {
            if !glob.value.ends_with(&self.suffix.value) {
                v.error_at(
                    glob,
                    format!(
                        "`{}` does not end with the suffix `{}`, so its partner cannot be named",
                        glob.value, self.suffix.value
                    ),
                );
            }
        }
    }

    pub fn plan(&self, plan: &mut PlanBuilder) -> Pairs {
        let files = plan.selector(SelectorSpec::new(&self.paths, &self.exclude, false));
        // The partners are found by the same globs with the suffix swapped,
        // so the walk lists them too without listing every file.
        let partner_globs: Vec<Spanned<String>> = self
            .paths
            .iter()
            .map(|glob| Spanned {
                value: swap_suffix(&glob.value, &self.suffix.value, &self.partner.value),
                referenced: glob.referenced,
                defined: glob.defined,
            })
            .collect();
        let partners = plan.selector(SelectorSpec::new(&partner_globs, &[], false));
        Pairs {
            files: plan.documents(files, false),
            partners: plan.documents(partners, false),
            suffix: self.suffix.value.clone(),
            partner: self.partner.value.clone(),
            describe: describe_globs(&self.paths),
        }
    }
}

fn swap_suffix(path: &str, suffix: &str, partner: &str) -> String {
    let stem = path.strip_suffix(suffix).unwrap_or(path);
    format!("{stem}{partner}")
}

#[derive(Debug)]
pub struct Pairs {
    files: DocumentsId,
    partners: DocumentsId,
    suffix: String,
    partner: String,
    describe: String,
}

impl Pairs {
    pub fn evaluate(&self, evidence: &Evidence) -> Outcome {
        let files = evidence.documents(self.files);
        let partners: BTreeSet<&str> = evidence
            .documents(self.partners)
            .files
            .iter()
            .map(|d| d.path.as_str())
            .collect();
        if files.count == 0 {
            // Nothing to pair. A skipped part does not decide an `all` that
            // covers several tools, so only the tools in use are reported.
            return Outcome::nothing_to_judge(format!("no file matches {}", self.describe));
        }
        let findings: Vec<Finding> = files
            .files
            .iter()
            .filter_map(|file| {
                let wanted = swap_suffix(&file.path, &self.suffix, &self.partner);
                (!partners.contains(wanted.as_str()))
                    .then(|| Finding::at(file.path.clone(), None, format!("has no `{wanted}`")))
            })
            .collect();
        if findings.is_empty() {
            Outcome::pass(
                format!(
                    "all {} file(s) matching {} have their `{}` partner",
                    files.count, self.describe, self.partner
                ),
                Vec::new(),
            )
        } else {
            Outcome::fail(
                format!(
                    "{} of {} file(s) matching {} lack their `{}` partner",
                    findings.len(),
                    files.count,
                    self.describe,
                    self.partner
                ),
                findings,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::swap_suffix;

    #[test]
    fn partners_are_named_by_swapping_the_suffix() {
        assert_eq!(
            swap_suffix("db/migrations/0001_init.up.sql", ".up.sql", ".down.sql"),
            "db/migrations/0001_init.down.sql"
        );
        assert_eq!(
            swap_suffix(
                "migrations/2020-01-01-000000_users/up.sql",
                "/up.sql",
                "/down.sql"
            ),
            "migrations/2020-01-01-000000_users/down.sql"
        );
    }
}
