//! The vocabulary every other module shares: severities, stages, categories
//! and statuses. These ids appear in every output format and in user files, so
//! they are part of the public contract: rename one and reports break.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How much a failing check matters. Also decides its weight in the score.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.id() == text)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The release stage by which a check must pass. Stages are ordered: a check
/// that must pass for `beta` must also pass for `production`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Beta,
    Production,
}

impl Stage {
    pub const ALL: [Stage; 2] = [Stage::Beta, Stage::Production];

    pub fn id(self) -> &'static str {
        match self {
            Stage::Beta => "beta",
            Stage::Production => "production",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Stage::Beta => "Beta / staging",
            Stage::Production => "Production",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The areas a readiness review covers, in the order reports list them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Secrets,
    Security,
    Testing,
    Database,
    Backups,
    Monitoring,
    Infrastructure,
    Ci,
    Documentation,
    CodeQuality,
}

impl Category {
    pub const ALL: [Category; 10] = [
        Category::Secrets,
        Category::Security,
        Category::Testing,
        Category::Database,
        Category::Backups,
        Category::Monitoring,
        Category::Infrastructure,
        Category::Ci,
        Category::Documentation,
        Category::CodeQuality,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Category::Secrets => "secrets",
            Category::Security => "security",
            Category::Testing => "testing",
            Category::Database => "database",
            Category::Backups => "backups",
            Category::Monitoring => "monitoring",
            Category::Infrastructure => "infrastructure",
            Category::Ci => "ci",
            Category::Documentation => "documentation",
            Category::CodeQuality => "code_quality",
        }
    }

    /// The heading a human reviewer would use, as in the seeds' score tables.
    pub fn title(self) -> &'static str {
        match self {
            Category::Secrets => "Secrets Management",
            Category::Security => "Security",
            Category::Testing => "Testing",
            Category::Database => "Database",
            Category::Backups => "Backup Strategy",
            Category::Monitoring => "Monitoring",
            Category::Infrastructure => "Infrastructure",
            Category::Ci => "CI/CD",
            Category::Documentation => "Documentation",
            Category::CodeQuality => "Code Quality",
        }
    }

    pub fn parse(text: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.id() == text)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    /// Not applicable to this repository (its `when` did not hold), or switched off.
    Skip,
    /// Could not be evaluated; the message says why. Counts against the score,
    /// because an unverifiable requirement is not a met one.
    Error,
    /// Failed, but a waiver in `readyctl.toml` accepts it until a date. Left
    /// out of the score like a skipped check: a waiver is an accepted risk,
    /// not a met requirement, so it must not raise the score as a pass would,
    /// and it must not keep counting as a failure, or waiving would be moot.
    Waived,
}

impl Status {
    pub fn id(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Skip => "skip",
            Status::Error => "error",
            Status::Waived => "waived",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Why a check was skipped. Only a check waiting for a live target still
/// belongs to the judgement (it applies, but was not assessed); the others do
/// not apply to this repository as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Its `when` did not hold (a backup check on a library, say).
    NotApplicable,
    /// Its rule found nothing to judge: no file selected, no document
    /// matched, no file read. Never a pass: no credit for nothing.
    NothingToJudge,
    /// A live check with no target to probe (none given, or `--offline`).
    NoTarget,
    /// Switched off in `readyctl.toml`, opt-in and not switched on, or
    /// left out by `--only` / `[checks] only`.
    Disabled,
}

impl SkipReason {
    pub fn id(self) -> &'static str {
        match self {
            SkipReason::NotApplicable => "not_applicable",
            SkipReason::NothingToJudge => "nothing_to_judge",
            SkipReason::NoTarget => "no_target",
            SkipReason::Disabled => "disabled",
        }
    }
}

/// The overall judgement, mirroring the words reviewers use by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Ready,
    ReadyWithCaveats,
    NotReady,
}

impl Verdict {
    pub fn id(self) -> &'static str {
        match self {
            Verdict::Ready => "ready",
            Verdict::ReadyWithCaveats => "ready_with_caveats",
            Verdict::NotReady => "not_ready",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Verdict::Ready => "READY",
            Verdict::ReadyWithCaveats => "READY WITH CAVEATS",
            Verdict::NotReady => "NOT READY",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One concrete piece of evidence behind a check's result: usually a place in
/// the repository. For secret findings `message` names the kind of secret and
/// never holds the matched text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub message: String,
    /// Accepted by a waiver in `readyctl.toml` (see [`crate::waiver`]).
    #[serde(default, skip_serializing_if = "is_false")]
    pub waived: bool,
    /// Already recorded in the baseline given with `--baseline`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub baselined: bool,
    /// The role of the file at `path` (see [`Role`]), set by the engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// Numbers the finding is about, by name (`p95_ms`, `failed`, the
    /// report's `date`…), for machine consumers of the JSON report.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub measured: std::collections::BTreeMap<String, serde_json::Value>,
}

/// For `skip_serializing_if`: flags that are usually off stay out of the JSON.
pub(crate) fn is_false(flag: &bool) -> bool {
    !flag
}

impl Finding {
    pub fn at(path: impl Into<String>, line: Option<usize>, message: impl Into<String>) -> Self {
        Finding {
            path: Some(path.into()),
            line,
            message: message.into(),
            waived: false,
            baselined: false,
            role: None,
            measured: Default::default(),
        }
    }

    pub fn note(message: impl Into<String>) -> Self {
        Finding {
            path: None,
            line: None,
            message: message.into(),
            waived: false,
            baselined: false,
            role: None,
            measured: Default::default(),
        }
    }
}

/// What a file is to the project: its own production code, or something
/// around it (tests, docs, third-party code...). Every path the walk sees
/// has exactly one; [`crate::repo::roles`] decides which. Checks read only
/// the roles they concern, so a test password or a vendored `.env` is not
/// judged as the project's own production code, and every finding says the
/// role of its file.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The project's own code and configuration that ships (the default).
    Production,
    /// Tests and the helpers and configuration only tests use.
    Test,
    /// Data tests read: `testdata/`, `fixtures/`, snapshots, mocks.
    Fixture,
    /// Examples and samples for users, Postman collections.
    Example,
    /// Documentation: `docs/`, Markdown and other prose.
    Docs,
    /// Translation catalogues: `locales/`, `i18n/`, `*.po`.
    I18n,
    /// Local development only: devcontainers, editor settings, dev compose.
    DevTooling,
    /// Continuous integration: `.github/`, `.gitlab-ci.yml`, `.circleci/`.
    Ci,
    /// Building distribution packages: `packaging/`, `debian/`, goreleaser.
    Packaging,
    /// Generated code: `*.pb.go`, `*_generated.*`, files marked generated.
    Generated,
    /// Third-party code kept in the tree: `vendor/`, `node_modules/`.
    Vendored,
}

impl Role {
    pub const ALL: [Role; 11] = [
        Role::Production,
        Role::Test,
        Role::Fixture,
        Role::Example,
        Role::Docs,
        Role::I18n,
        Role::DevTooling,
        Role::Ci,
        Role::Packaging,
        Role::Generated,
        Role::Vendored,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Role::Production => "production",
            Role::Test => "test",
            Role::Fixture => "fixture",
            Role::Example => "example",
            Role::Docs => "docs",
            Role::I18n => "i18n",
            Role::DevTooling => "dev-tooling",
            Role::Ci => "ci",
            Role::Packaging => "packaging",
            Role::Generated => "generated",
            Role::Vendored => "vendored",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.id() == text)
    }

    const fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A set of [`Role`]s: which files a check reads.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RoleSet(u16);

impl RoleSet {
    pub const EMPTY: RoleSet = RoleSet(0);
    pub const ALL: RoleSet = RoleSet((1 << Role::ALL.len()) - 1);

    pub fn of(roles: &[Role]) -> RoleSet {
        RoleSet(roles.iter().fold(0, |bits, role| bits | role.bit()))
    }

    pub const fn contains(self, role: Role) -> bool {
        self.0 & role.bit() != 0
    }

    pub const fn with(self, role: Role) -> RoleSet {
        RoleSet(self.0 | role.bit())
    }

    pub const fn without(self, role: Role) -> RoleSet {
        RoleSet(self.0 & !role.bit())
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Role> {
        Role::ALL.into_iter().filter(move |r| self.contains(*r))
    }
}

impl fmt::Debug for RoleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl fmt::Display for RoleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == RoleSet::ALL {
            return f.write_str("all roles");
        }
        let ids: Vec<&str> = self.iter().map(Role::id).collect();
        f.write_str(&ids.join(", "))
    }
}
