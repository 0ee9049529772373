//! A check: one requirement of production readiness, with everything a
//! reader needs to act on it. Checks are data, declared in YAML packs; see
//! `docs/check-format.md` for the format and `checks/` for the built-in ones.

use crate::diagnostic::Position;
use crate::model::{Category, Role, RoleSet, Severity, Stage};
use crate::rules::{RuleSpec, Spanned};
use schemars::JsonSchema;
use serde::Deserialize;
use std::fmt;
use std::path::PathBuf;

/// One entry of a pack, as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckSpec {
    /// Stable dotted id, `<category-ish>.<name>`, e.g. `secrets.private-key`.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// What must be true, phrased as the healthy state ("Backups are scheduled").
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    /// The stage by which the check must pass.
    pub stage: Stage,
    /// What is checked and why it matters.
    pub description: String,
    /// How to fix a failure.
    pub remediation: String,
    /// Human estimate of the fix: `30m`, `4h`, `2d` (working days of 8h).
    #[schemars(with = "String")]
    pub effort: Spanned<String>,
    #[serde(default)]
    pub references: Vec<String>,
    /// Applicability: the check is skipped unless this rule passes.
    #[serde(default)]
    pub when: Option<RuleSpec>,
    pub rule: RuleSpec,
    /// Off unless `readyctl.toml` lists the id in `[checks] enable` (for
    /// checks that put load on a service, such as a rate-limit burst).
    #[serde(default)]
    pub opt_in: bool,
    /// When the check fails, its message heads the report as a notice
    /// (whatever the score): what a reviewer says first, such as a README
    /// that says the project is unmaintained.
    #[serde(default)]
    pub notice: bool,
    /// Checks whose findings take precedence: a finding of this check at a
    /// file and line that one of them also reports is dropped, and the check
    /// passes when nothing else is left. Exact ids, or `prefix.*` for a
    /// family. For generic detectors that overlap specific ones.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub defers_to: Vec<Spanned<String>>,
    /// The file roles the check reads (its `when:` too); files of other
    /// roles are invisible to it. Defaults by category: secrets read every
    /// role, infrastructure, monitoring and database checks production and
    /// packaging, the others everything but vendored, generated, fixture,
    /// example and i18n files. See `docs/check-format.md`.
    #[serde(default)]
    pub roles: Option<Vec<Role>>,
}

/// Where a pack came from. Repository packs are untrusted input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Embedded in the binary from `checks/`.
    Builtin,
    /// Named by the user with `--checks DIR`.
    User,
    /// Found in the audited repository under `.readyctl/checks/`.
    Repository,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackSource {
    pub origin: Origin,
    /// The name reports show: `builtin:secrets.yaml` or a file path.
    pub name: String,
    pub path: Option<PathBuf>,
}

impl fmt::Display for PackSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// A validated check, ready to plan.
#[derive(Debug)]
pub struct Check {
    pub id: String,
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    pub stage: Stage,
    pub description: String,
    pub remediation: String,
    pub effort: String,
    pub effort_minutes: u32,
    pub references: Vec<String>,
    pub when: Option<RuleSpec>,
    pub rule: RuleSpec,
    /// See [`CheckSpec::opt_in`].
    pub opt_in: bool,
    /// See [`CheckSpec::notice`].
    pub notice: bool,
    /// See [`CheckSpec::defers_to`].
    pub defers_to: Vec<String>,
    /// See [`CheckSpec::roles`]; `None` is the category's default.
    pub roles: Option<RoleSet>,
    pub source: PackSource,
    /// Where the check is declared in its pack.
    pub position: Position,
}
