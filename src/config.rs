//! `readyctl.toml`: how a team tunes an audit of its repository.
//!
//! ```toml
//! [scan]
//! max_file_size = 2097152          # bytes; larger files are counted, not read
//! exclude = ["fixtures/", "*.min.js"]
//! include = ["coverage/lcov.info"]  # read although .gitignore hides it
//!
//! [checks]
//! only = ["secrets.*"]             # run these and no others (as --only)
//! disable = ["ci.dependency-updates", "backups.*"]
//! severity = { "docs.changelog" = "info" }
//! stage = { "testing.load-tests" = "production" }
//!
//! [scoring]
//! ready = 90       # score at or above which the verdict can be `ready`
//! caveats = 70     # below this the verdict is `not_ready`
//! weights = { critical = 10, high = 5, medium = 3, low = 1, info = 0 }
//! categories = { secrets = 2 }   # weight in the overall mean; 1 by default
//!
//! [gate]
//! fail_under = 80
//! fail_on = "high"
//! stage = "beta"
//!
//! [roles]                          # see crate::repo::roles
//! vendored = ["third_party/", "web/static/lib/**"]
//! test = ["qa/**"]
//! production = ["vendor/our-fork/**"]
//!
//! [[waivers]]                      # see crate::waiver
//! check = "backups.schedule"
//! reason = "Managed snapshots cover this until the migration"
//! expires = "2027-03-31"
//! ```

use crate::diagnostic::{Diagnostics, Position, SourceFile};
use crate::model::{Category, Role, Severity, Stage};
use crate::score::{CategoryWeights, Thresholds, Weights};
use crate::user_file::{self, MAX_CONFIG_BYTES, Scope};
use globset::{Glob, GlobSet, GlobSetBuilder};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;
use waivers::WaiverConfig;

pub mod limits;
pub mod waivers;

/// The file name looked for at the root of the audited repository.
pub const CONFIG_FILE: &str = "readyctl.toml";

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub scan: ScanConfig,
    pub checks: ChecksConfig,
    pub scoring: ScoringConfig,
    pub gate: GateConfig,
    /// Probing limits for live checks (see `docs/live-checks.md`).
    pub live: crate::live::config::LiveConfig,
    /// Targets tool reports are judged against, and when they are stale
    /// (see `docs/tool-reports.md`).
    pub reports: crate::tool_reports::ReportsConfig,
    /// Named services to probe, selected with `--target NAME`.
    pub targets: BTreeMap<String, crate::live::config::TargetConfig>,
    /// File roles by pattern, over the conventions readyctl knows (see
    /// `readyctl facts` for what it decided). A pattern ending in `/` is a
    /// folder, one without `/` matches a name at any depth; the longest
    /// matching pattern wins.
    pub roles: RolesConfig,
    /// Accepted failures, each with a reason and an expiry date.
    pub waivers: Vec<WaiverConfig>,
    /// The text the config was read from, so that problems found later
    /// (against the loaded checks) can point into it.
    #[serde(skip)]
    #[schemars(skip)]
    pub source: Option<Arc<SourceFile>>,
}

/// `[roles]`: patterns by the role they give (keys are role ids such as
/// `vendored` or `dev-tooling`), with positions for errors.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
pub struct RolesConfig {
    #[schemars(with = "Vec<String>")]
    pub production: Vec<Spanned<String>>,
    #[schemars(with = "Vec<String>")]
    pub test: Vec<Spanned<String>>,
    #[schemars(with = "Vec<String>")]
    pub fixture: Vec<Spanned<String>>,
    #[schemars(with = "Vec<String>")]
    pub example: Vec<Spanned<String>>,
    #[schemars(with = "Vec<String>")]
    pub docs: Vec<Spanned<String>>,
    #[schemars(with = "Vec<String>")]
    pub i18n: Vec<Spanned<String>>,
    #[schemars(with = "Vec<String>")]
    pub dev_tooling: Vec<Spanned<String>>,
    #[schemars(with = "Vec<String>")]
    pub ci: Vec<Spanned<String>>,
    #[schemars(with = "Vec<String>")]
    pub packaging: Vec<Spanned<String>>,
    #[schemars(with = "Vec<String>")]
    pub generated: Vec<Spanned<String>>,
    #[schemars(with = "Vec<String>")]
    pub vendored: Vec<Spanned<String>>,
}

impl RolesConfig {
    /// Every pattern with the role it gives.
    pub fn patterns(&self) -> impl Iterator<Item = (Role, &Spanned<String>)> {
        [
            (Role::Production, &self.production),
            (Role::Test, &self.test),
            (Role::Fixture, &self.fixture),
            (Role::Example, &self.example),
            (Role::Docs, &self.docs),
            (Role::I18n, &self.i18n),
            (Role::DevTooling, &self.dev_tooling),
            (Role::Ci, &self.ci),
            (Role::Packaging, &self.packaging),
            (Role::Generated, &self.generated),
            (Role::Vendored, &self.vendored),
        ]
        .into_iter()
        .flat_map(|(role, patterns)| patterns.iter().map(move |p| (role, p)))
    }
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ScanConfig {
    /// Files larger than this many bytes are not read by content checks
    /// (they are counted as skipped). Default 1 MiB.
    pub max_file_size: Option<u64>,
    /// Gitignore-style patterns to leave out of the audit, on top of
    /// `.gitignore` and `.ignore`.
    pub exclude: Vec<String>,
    /// Files or directories (relative to the audited folder) to read even
    /// though `.gitignore` hides them, such as `coverage/lcov.info` written
    /// by the test step before the audit.
    pub include: Vec<String>,
    /// Also search every blob of the git history for credentials, as
    /// `--history` does.
    pub history: bool,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ChecksConfig {
    /// Check ids, or globs over ids such as `secrets.*`, to run and no
    /// others (see [`crate::select`]); the others are reported as skipped,
    /// not selected. An entry that matches no loaded check is an error.
    /// `--only` on the command line replaces this list.
    #[schemars(with = "Vec<String>")]
    pub only: Vec<Spanned<String>>,
    /// Check ids, or globs over ids such as `backups.*`, to switch off. They
    /// are reported as skipped with the reason.
    #[schemars(with = "Vec<String>")]
    pub disable: Vec<Spanned<String>>,
    /// New severities by check id.
    #[schemars(with = "BTreeMap<String, Severity>")]
    pub severity: BTreeMap<Spanned<String>, Severity>,
    /// New stages by check id.
    #[schemars(with = "BTreeMap<String, Stage>")]
    pub stage: BTreeMap<Spanned<String>, Stage>,
    /// Opt-in checks (ids or globs) to run, e.g. `endpoint.rate-limit`.
    #[schemars(with = "Vec<String>")]
    pub enable: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ScoringConfig {
    /// Weight of a check by severity, inside its category.
    pub weights: Weights,
    /// Weight of each category in the overall score (the weighted mean of
    /// the category scores); 1 when not listed, 0 leaves a category out.
    /// Keys are category ids: secrets, security, testing, database, backups,
    /// monitoring, infrastructure, ci, documentation, code_quality.
    #[schemars(with = "BTreeMap<crate::model::Category, f64>")]
    pub categories: BTreeMap<Spanned<String>, Spanned<f64>>,
    /// Score at or above which the verdict may be `ready`.
    pub ready: f64,
    /// Score below which the verdict is `not_ready`.
    pub caveats: f64,
}

impl Default for ScoringConfig {
    fn default() -> Self {
        let thresholds = Thresholds::default();
        ScoringConfig {
            weights: Weights::default(),
            categories: BTreeMap::new(),
            ready: thresholds.ready,
            caveats: thresholds.caveats,
        }
    }
}

impl ScoringConfig {
    /// The configured category weights; entries that did not validate
    /// (unknown ids) are left out.
    pub fn category_weights(&self) -> CategoryWeights {
        CategoryWeights(
            self.categories
                .iter()
                .filter_map(|(id, weight)| {
                    Category::parse(id.get_ref()).map(|c| (c, *weight.get_ref()))
                })
                .collect(),
        )
    }

    pub fn thresholds(&self) -> Thresholds {
        Thresholds {
            ready: self.ready,
            caveats: self.caveats,
        }
    }
}

/// When `readyctl audit` exits 1. Command-line flags override these.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct GateConfig {
    pub fail_under: Option<f64>,
    pub fail_on: Option<Severity>,
    pub stage: Option<Stage>,
    /// Fail when the overall or a category score dropped since the report
    /// given with `--compare`. Without `--compare` there is nothing to
    /// compare with and it does not apply (the flag of the same name
    /// requires `--compare` instead).
    pub fail_on_regression: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Invalid(Diagnostics),
    #[error("{0}")]
    Read(user_file::ReadError),
    #[error("cannot read `{}`: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Config {
    /// Reads `path` if it exists; a missing file is the default config.
    /// `path` is trusted as to where it leads (see [`Config::load_from_repository`]).
    pub fn load_optional(path: &Path) -> Result<Config, ConfigError> {
        match user_file::read_text(path, Scope::Given, MAX_CONFIG_BYTES) {
            Ok(text) => Config::parse(&path.display().to_string(), &text),
            Err(error) if error.is_not_found() => Ok(Config::default()),
            Err(error) => Err(ConfigError::Read(error)),
        }
    }

    /// Reads `path`, which must exist (e.g. named by `--config`).
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = user_file::read_text(path, Scope::Given, MAX_CONFIG_BYTES)
            .map_err(ConfigError::Read)?;
        Config::parse(&path.display().to_string(), &text)
    }

    /// The audited repository's own [`CONFIG_FILE`], if it has one. It is
    /// untrusted: a link leading outside `root`, a FIFO, a device or a file
    /// over [`MAX_CONFIG_BYTES`] is an error and nothing is read.
    pub fn load_from_repository(root: &Path) -> Result<Config, ConfigError> {
        let path = root.join(CONFIG_FILE);
        if std::fs::symlink_metadata(&path).is_err() {
            return Ok(Config::default());
        }
        let canonical = user_file::canonical_root(root).map_err(|source| ConfigError::Io {
            path: root.to_path_buf(),
            source,
        })?;
        let text = user_file::read_text(&path, Scope::Inside(&canonical), MAX_CONFIG_BYTES)
            .map_err(ConfigError::Read)?;
        Config::parse(&path.display().to_string(), &text)
    }

    pub fn parse(name: &str, text: &str) -> Result<Config, ConfigError> {
        let file = Arc::new(SourceFile {
            name: name.to_string(),
            text: Arc::from(text),
        });
        let mut diagnostics = Diagnostics::default();
        let mut config: Config = match toml::from_str(text) {
            Ok(config) => config,
            Err(error) => {
                let position = error.span().map_or(Position::new(1, 1), |span| {
                    Position::from_offset(text, span.start)
                });
                diagnostics.push(&file, position, error.message().trim().to_string());
                return Err(ConfigError::Invalid(diagnostics));
            }
        };
        config.validate(&file, &mut diagnostics);
        diagnostics.into_result().map_err(ConfigError::Invalid)?;
        config.source = Some(file);
        Ok(config)
    }

    fn validate(&self, file: &Arc<SourceFile>, diagnostics: &mut Diagnostics) {
        let at = |span: std::ops::Range<usize>| Position::from_offset(&file.text, span.start);
        for pattern in &self.checks.disable {
            if let Err(err) = Glob::new(pattern.get_ref()) {
                diagnostics.push(
                    file,
                    at(pattern.span()),
                    format!("invalid pattern: {}", err.kind()),
                );
            }
        }
        for pattern in self.checks.enable.iter().chain(&self.checks.only) {
            if let Err(err) = Glob::new(pattern.get_ref()) {
                diagnostics.push(
                    file,
                    at(pattern.span()),
                    format!("invalid pattern: {}", err.kind()),
                );
            }
        }
        for duration in [&self.live.timeout, &self.live.deadline]
            .into_iter()
            .flatten()
        {
            if let Err(message) = crate::live::config::parse_duration(duration.get_ref()) {
                diagnostics.push(file, at(duration.span()), message);
            }
        }
        for (name, target) in &self.targets {
            for url in std::iter::once(&target.url).chain(&target.http_url) {
                if let Err(message) = crate::live::Target::from_url(url.get_ref()) {
                    diagnostics.push(file, at(url.span()), format!("target `{name}`: {message}"));
                }
            }
        }
        for (_, pattern) in self.roles.patterns() {
            // `dir/` and name-anywhere forms only add `**` around the
            // pattern, so the pattern itself decides whether they are valid.
            if let Err(err) = Glob::new(pattern.get_ref().trim_end_matches('/')) {
                diagnostics.push(
                    file,
                    at(pattern.span()),
                    format!("invalid role pattern: {}", err.kind()),
                );
            }
        }
        for waiver in &self.waivers {
            waiver.validate(file, diagnostics);
        }
        let scoring = &self.scoring;
        for (id, weight) in &scoring.categories {
            if Category::parse(id.get_ref()).is_none() {
                let known: Vec<&str> = Category::ALL.iter().map(|c| c.id()).collect();
                diagnostics.push(
                    file,
                    at(id.span()),
                    format!(
                        "unknown category `{}` (expected one of: {})",
                        id.get_ref(),
                        known.join(", ")
                    ),
                );
            }
            let value = *weight.get_ref();
            if !value.is_finite() || value < 0.0 {
                diagnostics.push(
                    file,
                    at(weight.span()),
                    format!("category weight must be a number of 0 or more, not {value}"),
                );
            }
        }
        let weights = scoring.category_weights();
        if Category::ALL.iter().all(|c| weights.of(*c) <= 0.0) {
            diagnostics.push(
                file,
                Position::new(1, 1),
                "every category weight is 0: nothing would count in the overall score",
            );
        }
        limits::validate(self, file, diagnostics);
    }

    /// Check-id references that name no loaded check: typos that would
    /// otherwise silently do nothing. Returned as warnings, with positions.
    pub fn unknown_check_ids<'a>(
        &'a self,
        known: &dyn Fn(&str) -> bool,
    ) -> Vec<(&'a str, std::ops::Range<usize>)> {
        let mut unknown = Vec::new();
        let keys = self.checks.severity.keys().chain(self.checks.stage.keys());
        for key in keys.chain(
            self.checks
                .disable
                .iter()
                .chain(&self.checks.enable)
                .filter(|p| !p.get_ref().contains('*')),
        ) {
            if !known(key.get_ref()) {
                unknown.push((key.get_ref().as_str(), key.span()));
            }
        }
        unknown
    }

    /// `[checks] only` entries that match no loaded check: errors (exit 2),
    /// unlike the warnings above, because the audit would run nothing of
    /// what was asked for and could pass on that.
    pub fn unmatched_only(&self, ids: &[&str]) -> Diagnostics {
        let mut diagnostics = Diagnostics::default();
        let Some(file) = &self.source else {
            return diagnostics;
        };
        for pattern in &self.checks.only {
            let wanted = pattern.get_ref();
            if !crate::select::matches_some(wanted, ids) {
                diagnostics.push(
                    file,
                    Position::from_offset(&file.text, pattern.span().start),
                    format!("`only` entry `{wanted}` matches no loaded check"),
                );
            }
        }
        diagnostics
    }

    /// The `[checks] only` list as given.
    pub fn only_patterns(&self) -> Vec<String> {
        self.checks
            .only
            .iter()
            .map(|p| p.get_ref().clone())
            .collect()
    }

    /// Waivers naming no loaded check: errors (exit 2), unlike the warnings
    /// above, because a waiver decides whether CI passes.
    pub fn unknown_waiver_checks(&self, known: &dyn Fn(&str) -> bool) -> Diagnostics {
        match &self.source {
            Some(file) => waivers::unknown_checks(&self.waivers, file, known),
            None => Diagnostics::default(),
        }
    }

    pub fn disabled_set(&self) -> GlobSet {
        let mut builder = GlobSetBuilder::new();
        for pattern in &self.checks.disable {
            if let Ok(glob) = Glob::new(pattern.get_ref()) {
                builder.add(glob);
            }
        }
        builder.build().unwrap_or_else(|_| GlobSet::empty())
    }

    /// Opt-in checks switched on by `[checks] enable`.
    pub fn enabled_set(&self) -> GlobSet {
        let mut builder = GlobSetBuilder::new();
        for pattern in &self.checks.enable {
            if let Ok(glob) = Glob::new(pattern.get_ref()) {
                builder.add(glob);
            }
        }
        builder.build().unwrap_or_else(|_| GlobSet::empty())
    }

    pub fn severity_for(&self, id: &str) -> Option<Severity> {
        self.checks
            .severity
            .iter()
            .find(|(key, _)| key.get_ref() == id)
            .map(|(_, severity)| *severity)
    }

    pub fn stage_for(&self, id: &str) -> Option<Stage> {
        self.checks
            .stage
            .iter()
            .find(|(key, _)| key.get_ref() == id)
            .map(|(_, stage)| *stage)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The diagnostics `readyctl.toml` text produces, as printed (shared
    /// with the limits tests).
    pub(super) fn errors(text: &str) -> Vec<String> {
        match Config::parse("readyctl.toml", text) {
            Err(ConfigError::Invalid(d)) => d.iter().map(|d| d.to_string()).collect(),
            other => panic!("expected diagnostics, got {other:?}"),
        }
    }

    #[test]
    fn empty_config_is_the_default() {
        let config = Config::parse("readyctl.toml", "").unwrap();
        assert_eq!(config.scoring.ready, 90.0);
        assert!(config.checks.disable.is_empty());
    }

    #[test]
    fn parses_a_complete_example() {
        let text = "[scan]\nmax_file_size = 4096\nexclude = [\"vendor/\"]\n\
            [checks]\ndisable = [\"backups.*\"]\nseverity = { \"docs.readme\" = \"info\" }\n\
            [scoring]\nready = 95\n[gate]\nfail_on = \"high\"\n";
        let config = Config::parse("readyctl.toml", text).unwrap();
        assert_eq!(config.scan.max_file_size, Some(4096));
        assert!(config.disabled_set().is_match("backups.schedule"));
        assert_eq!(config.severity_for("docs.readme"), Some(Severity::Info));
        assert_eq!(config.gate.fail_on, Some(Severity::High));
        assert_eq!(config.scoring.ready, 95.0);
    }

    #[test]
    fn unknown_keys_are_errors_with_positions() {
        let found = errors("[scan]\nmax_size = 3\n");
        assert!(found[0].starts_with("readyctl.toml:2:1:"), "{found:?}");
        assert!(found[0].contains("unknown field `max_size`"), "{found:?}");
    }

    #[test]
    fn bad_values_say_what_was_expected() {
        let found = errors("[gate]\nfail_on = \"severe\"\n");
        assert!(found[0].starts_with("readyctl.toml:2:11:"), "{found:?}");
        assert!(found[0].contains("critical"), "{found:?}");
    }

    #[test]
    fn parses_targets_and_live_limits() {
        let text = "[live]\ntimeout = \"2s\"\nconnections_per_host = 2\n\
            [targets.staging]\nurl = \"https://staging.example.com\"\n\
            headers = { Authorization = { env = \"STAGING_TOKEN\" }, X-Env = \"staging\" }\n\
            ports = { 6379 = 6380 }\n";
        let config = Config::parse("readyctl.toml", text).unwrap();
        let staging = &config.targets["staging"];
        assert_eq!(staging.ports.get(&6379), Some(&6380));
        assert_eq!(staging.headers.len(), 2);
        assert_eq!(config.live.connections_per_host, Some(2));
    }

    #[test]
    fn bad_targets_and_durations_have_positions() {
        let found = errors("[live]\ndeadline = \"soon\"\n[targets.x]\nurl = \"ftp://x\"\n");
        assert!(
            found.iter().any(|e| e.starts_with("readyctl.toml:2:12:")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|e| e.starts_with("readyctl.toml:4:7:") && e.contains("http")),
            "{found:?}"
        );
    }

    #[test]
    fn category_weights_are_read_and_validated_with_positions() {
        let config = Config::parse(
            "readyctl.toml",
            "[scoring]\ncategories = { secrets = 2, backups = 0.5 }\n",
        )
        .unwrap();
        let weights = config.scoring.category_weights();
        assert_eq!(weights.of(Category::Secrets), 2.0);
        assert_eq!(weights.of(Category::Backups), 0.5);
        assert_eq!(weights.of(Category::Ci), 1.0);

        let found = errors("[scoring]\ncategories = { secret = 2, ci = -1 }\n");
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].starts_with("readyctl.toml:2:16:")
                && found[0].contains("unknown category `secret`"),
            "{found:?}"
        );
        assert!(
            found[1].starts_with("readyctl.toml:2:33:") && found[1].contains("0 or more"),
            "{found:?}"
        );
    }

    #[test]
    fn role_patterns_and_names_are_validated_with_positions() {
        let found = errors("[roles]\nvendored = [\"ok/**\", \"bad[\"]\n");
        assert!(found[0].starts_with("readyctl.toml:2:22:"), "{found:?}");
        assert!(found[0].contains("invalid role pattern"), "{found:?}");
        let found = errors("[roles]\nthirdparty = [\"x/\"]\n");
        assert!(found[0].starts_with("readyctl.toml:2:1:"), "{found:?}");
        assert!(found[0].contains("vendored"), "{found:?}");
    }

    #[test]
    fn thresholds_must_be_ordered() {
        let found = errors("[scoring]\nready = 60\ncaveats = 80\n");
        assert!(found[0].contains("must not be above"), "{found:?}");
    }

    #[test]
    fn only_entries_matching_no_check_are_errors_with_positions() {
        let config = Config::parse(
            "readyctl.toml",
            "[checks]\nonly = [\"secrets.*\", \"nope\"]\n",
        )
        .unwrap();
        assert_eq!(config.only_patterns(), ["secrets.*", "nope"]);
        let ids = ["secrets.history", "docs.readme"];
        let unmatched = config.unmatched_only(&ids);
        let found: Vec<String> = unmatched.iter().map(|d| d.to_string()).collect();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("readyctl.toml:2:22:"), "{found:?}");
        assert!(found[0].contains("`nope`"), "{found:?}");
        let found = errors("[checks]\nonly = [\"secrets.[\"]\n");
        assert!(found[0].contains("invalid pattern"), "{found:?}");
    }

    #[test]
    fn reports_unknown_check_ids() {
        let config = Config::parse(
            "readyctl.toml",
            "[checks]\ndisable = [\"nope.x\", \"a.*\"]\n",
        )
        .unwrap();
        let unknown = config.unknown_check_ids(&|id| id == "a.b");
        assert_eq!(unknown.len(), 1);
        assert_eq!(unknown[0].0, "nope.x");
    }
}
