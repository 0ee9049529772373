//! Running an audit: plan every enabled check, scan once, evaluate, score.

use crate::check::Check;
use crate::config::Config;
use crate::gate::Gate;
use crate::model::{Category, Status};
use crate::pack::Catalog;
use crate::report::{
    CategoryScore, CheckResult, Report, SCHEMA_VERSION, SkippedFiles, Stats, Summary, Target, Tool,
};
use crate::rules::{Outcome, PlanContext, Rule};
use crate::scan::{self, Evidence, PlanBuilder, ScanError, ScanOptions};
use crate::score::{self, Scored};
use crate::stack::{Stack, StackPlan};
use std::path::Path;

/// Everything about a run that is not a check or the config file.
#[derive(Debug, Clone)]
pub struct AuditOptions {
    pub scan: ScanOptions,
    pub gate: Gate,
    /// The path as the user wrote it, for the report.
    pub display_path: String,
    /// When the audit happened (fixed in tests and reproducible builds).
    pub now: jiff::Timestamp,
}

impl AuditOptions {
    pub fn new(display_path: impl Into<String>) -> Self {
        AuditOptions {
            scan: ScanOptions::default(),
            gate: Gate::default(),
            display_path: display_path.into(),
            now: jiff::Timestamp::now(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Scan(#[from] ScanError),
    #[error("internal error while planning the scan: {0}")]
    Plan(String),
}

/// A check with its planned rules, or the reason it will not run.
enum Planned<'a> {
    Run {
        check: &'a Check,
        when: Option<Rule>,
        rule: Rule,
    },
    Disabled(&'a Check),
}

pub fn audit(
    root: &Path,
    catalog: &Catalog,
    config: &Config,
    options: &AuditOptions,
) -> Result<Report, AuditError> {
    let disabled = config.disabled_set();
    let mut plan = PlanBuilder::new();
    // Stack detection shares the walk; checks' `when: { stack: … }` read it.
    let stack_plan = StackPlan::plan(&mut plan);
    let planned: Vec<Planned<'_>> = catalog
        .checks()
        .iter()
        .map(|check| {
            if disabled.is_match(&check.id) {
                return Planned::Disabled(check);
            }
            let cx = PlanContext {
                check_id: &check.id,
            };
            Planned::Run {
                check,
                when: check.when.as_ref().map(|w| w.plan(&mut plan, cx)),
                rule: check.rule.plan(&mut plan, cx),
            }
        })
        .collect();
    let plan = plan.build().map_err(AuditError::Plan)?;
    let mut evidence = scan::scan(root, &plan, &options.scan)?;
    let stack = stack_plan.detect(&evidence);
    evidence.set_stack(stack.clone());

    let mut results: Vec<CheckResult> = planned
        .iter()
        .map(|planned| evaluate(planned, &evidence, config))
        .collect();
    results.sort_by(|a, b| {
        a.category
            .cmp(&b.category)
            .then(b.severity.cmp(&a.severity))
            .then(a.id.cmp(&b.id))
    });
    let mut report = build_report(root, results, &evidence, config, options);
    report.stack = stack;
    Ok(report)
}

fn evaluate(planned: &Planned<'_>, evidence: &Evidence, config: &Config) -> CheckResult {
    let (check, outcome) = match planned {
        Planned::Disabled(check) => (
            *check,
            Outcome {
                status: Status::Skip,
                message: "disabled in readyctl.toml".to_string(),
                findings: Vec::new(),
            },
        ),
        Planned::Run { check, when, rule } => {
            let applicable = when.as_ref().map(|w| w.evaluate(evidence));
            let outcome = match applicable {
                Some(when) if when.status != Status::Pass => Outcome {
                    status: Status::Skip,
                    message: format!("not applicable: {}", when.message),
                    findings: Vec::new(),
                },
                _ => rule.evaluate(evidence),
            };
            (*check, outcome)
        }
    };
    CheckResult {
        id: check.id.clone(),
        title: check.title.clone(),
        category: check.category,
        severity: config.severity_for(&check.id).unwrap_or(check.severity),
        stage: config.stage_for(&check.id).unwrap_or(check.stage),
        status: outcome.status,
        message: outcome.message,
        description: check.description.clone(),
        remediation: check.remediation.clone(),
        effort: check.effort.clone(),
        effort_minutes: check.effort_minutes,
        references: check.references.clone(),
        findings: outcome.findings,
        source: check.source.name.clone(),
    }
}

fn scored(results: &[&CheckResult]) -> Vec<Scored> {
    results
        .iter()
        .map(|r| Scored {
            severity: r.severity,
            stage: r.stage,
            status: r.status,
            effort_minutes: r.effort_minutes,
        })
        .collect()
}

fn count(results: &[&CheckResult], status: Status) -> usize {
    results.iter().filter(|r| r.status == status).count()
}

fn build_report(
    root: &Path,
    checks: Vec<CheckResult>,
    evidence: &Evidence,
    config: &Config,
    options: &AuditOptions,
) -> Report {
    let weights = &config.scoring.weights;
    let thresholds = config.scoring.thresholds();
    let all: Vec<&CheckResult> = checks.iter().collect();
    let all_scored = scored(&all);
    let overall = score::score(&all_scored, weights);

    let categories = Category::ALL
        .into_iter()
        .map(|category| {
            let mine: Vec<&CheckResult> = all
                .iter()
                .copied()
                .filter(|r| r.category == category)
                .collect();
            let mine_scored = scored(&mine);
            let category_score = score::score(&mine_scored, weights);
            CategoryScore {
                id: category,
                title: category.title().to_string(),
                score: category_score,
                verdict: category_score.map(|s| score::verdict(Some(s), &mine_scored, &thresholds)),
                passed: count(&mine, Status::Pass),
                failed: count(&mine, Status::Fail),
                skipped: count(&mine, Status::Skip),
                errored: count(&mine, Status::Error),
            }
        })
        .collect();

    let summary = Summary {
        score: overall,
        verdict: score::verdict(overall, &all_scored, &thresholds),
        passed: count(&all, Status::Pass),
        failed: count(&all, Status::Fail),
        skipped: count(&all, Status::Skip),
        errored: count(&all, Status::Error),
        total: all.len(),
    };
    let stages = score::stage_readiness(&all_scored)
        .into_iter()
        .map(Into::into)
        .collect();
    let scan_stats = &evidence.stats;
    let stats = Stats {
        checks_loaded: checks.len(),
        files_walked: scan_stats.files_walked,
        files_scanned: scan_stats.files_scanned,
        bytes_scanned: scan_stats.bytes_scanned,
        files_skipped: scan_stats.files_skipped(),
        skipped: SkippedFiles {
            binary: scan_stats.skipped_binary,
            too_large: scan_stats.skipped_too_large,
            unreadable: scan_stats.skipped_unreadable,
        },
        non_utf8: scan_stats.non_utf8,
        problems: scan_stats.problems.clone(),
        duration_ms: scan_stats.duration.as_millis() as u64,
    };
    let mut report = Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool::default(),
        target: Target {
            path: options.display_path.clone(),
            name: repository_name(root),
        },
        generated_at: options.now.to_string(),
        stack: Stack::default(),
        summary,
        gate: crate::report::GateResult {
            passed: true,
            conditions: Vec::new(),
            reasons: Vec::new(),
        },
        stages,
        categories,
        checks,
        stats,
    };
    report.gate = options.gate.evaluate(&report);
    report
}

fn repository_name(root: &Path) -> String {
    let absolute = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    absolute
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| absolute.display().to_string())
}
