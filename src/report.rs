//! The readiness report: the one data structure every output format renders.
//!
//! Its serde form *is* the JSON output (`--format json`), documented in
//! `docs/json-report.md` and versioned by [`SCHEMA_VERSION`]: fields may be
//! added within a version, never renamed or removed.

use crate::model::{Category, Finding, Severity, SkipReason, Stage, Status, Verdict};
use crate::score::StageReadiness;
use crate::stack::Stack;
use serde::{Deserialize, Serialize};

pub mod baseline;
pub mod comparison;
pub mod waivers;

pub use crate::application::NothingToAudit;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub target: Target,
    /// RFC 3339 timestamp of the audit.
    pub generated_at: String,
    /// What the repository is built with, as detected; checks use it to
    /// decide whether they apply.
    #[serde(default)]
    pub stack: Stack,
    pub summary: Summary,
    pub gate: GateResult,
    pub stages: Vec<StageSummary>,
    pub categories: Vec<CategoryScore>,
    pub checks: Vec<CheckResult>,
    pub stats: Stats,
    /// The running services probed by live checks: what was asked of each
    /// and what it answered. Absent when no target was given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<LiveTarget>,
    /// Every waiver in `readyctl.toml` and what became of it. Absent when
    /// there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<waivers::WaiverReport>,
    /// With `--baseline`: what is old and what is new.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<baseline::BaselineSummary>,
    /// With `--compare`: score changes since the previous report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<comparison::Comparison>,
}

/// One probed service.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LiveTarget {
    /// Its name in `readyctl.toml`, or the URL given with `--url`.
    pub name: String,
    pub url: String,
    /// Why it was not probed (`--offline`); absent when it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// Wall time of all its probes together.
    pub duration_ms: u64,
    pub probes: Vec<ProbeReport>,
}

/// One request, handshake or connection made to a target.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProbeReport {
    /// `http`, `tls`, `tcp` or `redis`.
    pub kind: String,
    /// What was done, e.g. `GET https://api.example.com/health`.
    pub probe: String,
    /// What came back, e.g. `200`, `TLSv1.3, expires 2027-01-01`, `closed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// Why nothing usable came back (refused, timed out, TLS failed…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Response times, for HTTP probes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<LatencyReport>,
}

/// Milliseconds over the samples that got a response.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LatencyReport {
    pub samples: usize,
    pub min: f64,
    pub p50: f64,
    pub p95: f64,
    pub max: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Target {
    /// The audited path as the user gave it.
    pub path: String,
    /// The repository's name (its directory name).
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    /// 0–100 with one decimal; `null` when no category has a score. See
    /// `score_method`.
    pub score: Option<f64>,
    /// How `score` was computed: `weighted_category_mean` (the mean of the
    /// category scores, weighted by `[scoring] categories`; see
    /// `readyctl checks scoring`).
    #[serde(default)]
    pub score_method: String,
    pub verdict: Verdict,
    /// Why the verdict is what it is: each rule that decided it.
    #[serde(default)]
    pub verdict_reasons: Vec<String>,
    /// Set when the audited folder holds no application: the verdict is then
    /// `not_ready` and the gate fails, whatever the checks say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nothing_to_audit: Option<NothingToAudit>,
    /// What a reviewer says first, whatever the score: the informational
    /// checks that fail, such as a README that says the project is
    /// unmaintained. Each is `check id: message`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<String>,
    /// Severity weight of the checks assessed: passed, failed or waived.
    #[serde(default)]
    pub assessed_weight: u64,
    /// Severity weight of the checks that apply: those assessed, those that
    /// errored and live checks waiting for a target.
    #[serde(default)]
    pub applicable_weight: u64,
    /// What applies but was not assessed, and why.
    #[serde(default)]
    pub not_assessed: NotAssessed,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub errored: usize,
    /// Failed checks accepted by a waiver; not in the score.
    #[serde(default)]
    pub waived: usize,
    /// Of `skipped`, the checks `--only` / `[checks] only` left out: the
    /// score and verdict judge the other `total - not_selected` alone.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub not_selected: usize,
    pub total: usize,
}

/// The applicable checks that were not assessed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotAssessed {
    /// Live checks that apply but had no target to probe (ids).
    pub no_target: Vec<String>,
    /// Checks that could not be evaluated (ids).
    pub errored: Vec<String>,
    /// Categories in which no check was assessed.
    pub categories: Vec<Category>,
}

/// Whether the CI gate passed, and why not.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GateResult {
    pub passed: bool,
    /// The conditions the gate applied, e.g. `verdict is ready or ready_with_caveats`.
    pub conditions: Vec<String>,
    /// The conditions that failed; empty when the gate passed.
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StageSummary {
    pub id: Stage,
    pub title: String,
    pub ready: bool,
    /// Unmet critical and high checks of this stage or an earlier one.
    pub blockers: usize,
    /// Unmet medium and low checks: work left that does not block.
    #[serde(default)]
    pub to_do: usize,
    pub effort_left_minutes: u32,
    pub effort_left: String,
}

impl From<StageReadiness> for StageSummary {
    fn from(stage: StageReadiness) -> Self {
        StageSummary {
            id: stage.id,
            title: stage.title.to_string(),
            ready: stage.ready,
            blockers: stage.blockers,
            to_do: stage.to_do,
            effort_left_minutes: stage.effort_left_minutes,
            effort_left: stage.effort_left,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CategoryScore {
    pub id: Category,
    pub title: String,
    /// `null` when no check of the category applied.
    pub score: Option<f64>,
    /// The same verdict rules applied to this category alone.
    pub verdict: Option<Verdict>,
    /// How much the category counts in the overall score (`[scoring]
    /// categories`, 1 by default).
    #[serde(default = "one")]
    pub weight: f64,
    /// At least one of its checks was assessed (passed, failed or waived).
    #[serde(default)]
    pub assessed: bool,
    #[serde(default)]
    pub assessed_weight: u64,
    #[serde(default)]
    pub applicable_weight: u64,
    /// Why nothing was assessed, when `assessed` is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_assessed: Option<String>,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub errored: usize,
    #[serde(default)]
    pub waived: usize,
    /// Of `skipped`, the checks `--only` / `[checks] only` left out.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub not_selected: usize,
}

fn one() -> f64 {
    1.0
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckResult {
    pub id: String,
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    pub stage: Stage,
    pub status: Status,
    /// For a skipped check: why (see [`SkipReason`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<SkipReason>,
    /// What the rule saw: why it passed, failed, was skipped or errored.
    pub message: String,
    pub description: String,
    pub remediation: String,
    pub effort: String,
    pub effort_minutes: u32,
    #[serde(default)]
    pub references: Vec<String>,
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// The pack that declared the check.
    pub source: String,
    /// For live checks: the target (see [`Report::targets`]) this result is
    /// about. Absent for repository checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The waiver that accepts this check (status `waived`) or some of its
    /// findings (those marked `waived`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<AppliedWaiver>,
    /// Unmet, but recorded in the `--baseline` with all its findings: not new.
    #[serde(default, skip_serializing_if = "crate::model::is_false")]
    pub baselined: bool,
}

impl CheckResult {
    /// Failed or could not be verified (a waived check is neither).
    pub fn is_unmet(&self) -> bool {
        matches!(self.status, Status::Fail | Status::Error)
    }
}

/// Why a check's failure is accepted, as written in `readyctl.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedWaiver {
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// `YYYY-MM-DD`; the waiver applies up to and including this day.
    pub expires: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Stats {
    pub checks_loaded: usize,
    pub files_walked: u64,
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    /// Files content checks wanted but did not read (sum of `skipped`).
    pub files_skipped: u64,
    pub skipped: SkippedFiles,
    /// Files searched as bytes because they are not valid UTF-8.
    pub non_utf8: u64,
    /// The first few unreadable paths and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SkippedFiles {
    pub binary: u64,
    pub too_large: u64,
    pub unreadable: u64,
}

impl Report {
    /// Checks that failed or errored, most severe first.
    pub fn unmet(&self) -> Vec<&CheckResult> {
        let mut unmet: Vec<&CheckResult> = self.checks.iter().filter(|c| c.is_unmet()).collect();
        unmet.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.category.cmp(&b.category))
                .then(a.id.cmp(&b.id))
        });
        unmet
    }

    /// Unmet checks that block a stage (critical, high), most severe first:
    /// the list every format leads with, and what a reader acts on first.
    pub fn blockers(&self) -> Vec<&CheckResult> {
        self.unmet()
            .into_iter()
            .filter(|c| crate::score::blocks_stage(c.severity))
            .collect()
    }

    pub fn with_status(&self, status: Status) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(move |c| c.status == status)
    }
}
