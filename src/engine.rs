//! Running an audit: plan every enabled check, scan once, evaluate, score.

use crate::check::Check;
use crate::config::Config;
use crate::gate::Gate;
use crate::live::{LiveEvidence, LiveOptions, Observation, TargetEvidence};
use crate::model::{Category, Status};
use crate::pack::Catalog;
use crate::report::{
    CategoryScore, CheckResult, Report, SCHEMA_VERSION, SkippedFiles, Stats, Summary, Target, Tool,
};
use crate::report::{LatencyReport, LiveTarget, ProbeReport};
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
    /// Targets and limits for live checks; none by default.
    pub live: LiveOptions,
    /// Known failures (`--baseline`): the gate fails only on new ones.
    pub baseline: Option<crate::baseline::Baseline>,
    /// A previous report (`--compare`) to show score changes against.
    pub previous: Option<Box<Report>>,
}

impl AuditOptions {
    pub fn new(display_path: impl Into<String>) -> Self {
        AuditOptions {
            scan: ScanOptions::default(),
            gate: Gate::default(),
            display_path: display_path.into(),
            now: jiff::Timestamp::now(),
            live: LiveOptions::default(),
            baseline: None,
            previous: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Scan(#[from] ScanError),
    #[error("internal error while planning the scan: {0}")]
    Plan(String),
    #[error(transparent)]
    Live(#[from] crate::live::LiveError),
}

/// A check with its planned rules, or the reason it will not run.
enum Planned<'a> {
    Run {
        check: &'a Check,
        when: Option<Rule>,
        rule: Rule,
        /// Probes targets: one result per target.
        live: bool,
    },
    Disabled(&'a Check, &'static str),
}

/// Every content regex the checks of `catalog` search files for, with the id
/// of the check that uses it (`stack` for stack detection), in plan order,
/// without repeats: what an audit runs over every file it reads, so that
/// other tools (`rg -f`) can be measured on the same work.
pub fn content_patterns(catalog: &Catalog) -> Vec<(String, String)> {
    let mut plan = PlanBuilder::new();
    let _ = StackPlan::plan(&mut plan);
    let reports = crate::tool_reports::Settings::default();
    for check in catalog.checks() {
        let cx = PlanContext {
            check_id: &check.id,
            reports: &reports,
        };
        if let Some(when) = &check.when {
            let _ = when.plan(&mut plan, cx);
        }
        let _ = check.rule.plan(&mut plan, cx);
    }
    let mut seen = std::collections::HashSet::new();
    plan.planned_patterns()
        .map(|(id, regex)| (id.to_string(), regex.to_string()))
        .filter(|(id, regex)| seen.insert((id.clone(), regex.clone())))
        .collect()
}

pub fn audit(
    root: &Path,
    catalog: &Catalog,
    config: &Config,
    options: &AuditOptions,
) -> Result<Report, AuditError> {
    let disabled = config.disabled_set();
    let enabled = config.enabled_set();
    let mut plan = PlanBuilder::new();
    // Stack detection shares the walk; checks' `when: { stack: … }` read it.
    let stack_plan = StackPlan::plan(&mut plan);
    let reports = crate::tool_reports::Settings {
        targets: config.reports.clone(),
        now: options.now,
    };
    let planned: Vec<Planned<'_>> = catalog
        .checks()
        .iter()
        .map(|check| {
            if disabled.is_match(&check.id) {
                return Planned::Disabled(check, "disabled in readyctl.toml");
            }
            if check.opt_in && !enabled.is_match(&check.id) {
                return Planned::Disabled(
                    check,
                    "opt-in: list it under [checks] enable in readyctl.toml to run it",
                );
            }
            let cx = PlanContext {
                check_id: &check.id,
                reports: &reports,
            };
            Planned::Run {
                check,
                when: check.when.as_ref().map(|w| w.plan(&mut plan, cx)),
                rule: check.rule.plan(&mut plan, cx),
                live: check.rule.is_live() || check.when.as_ref().is_some_and(|w| w.is_live()),
            }
        })
        .collect();
    let live_plan = plan.take_live();
    let plan = plan.build().map_err(AuditError::Plan)?;
    let live_options = &options.live;
    let probe = !live_plan.is_empty() && !live_options.offline && !live_options.targets.is_empty();
    // The repository scan and the live probes wait on different things
    // (disk and CPU, the network): run them side by side.
    let (evidence, live) = std::thread::scope(|scope| {
        let probing =
            probe.then(|| scope.spawn(|| crate::live::gather_blocking(&live_plan, live_options)));
        let evidence = scan::scan(root, &plan, &options.scan);
        let live = probing.map(|thread| thread.join().expect("the live probing thread panicked"));
        (evidence, live)
    });
    let mut evidence = evidence?;
    let stack = stack_plan.detect(&evidence);
    evidence.set_stack(stack.clone());
    let live = live.transpose()?;

    let mut results: Vec<CheckResult> = Vec::new();
    for planned in &planned {
        match (planned, &live) {
            (Planned::Run { live: true, .. }, Some(live)) => {
                for target in &live.targets {
                    let mut result = evaluate(planned, &evidence, Some(target), config);
                    result.target = Some(target.name.clone());
                    results.push(result);
                }
            }
            (Planned::Run { live: true, .. }, None) if live_options.offline => {
                let reason = "offline: live checks were not run (--offline)";
                for name in target_names(live_options) {
                    let mut result = evaluate(planned, &evidence, None, config);
                    result.status = Status::Skip;
                    result.message = reason.to_string();
                    result.findings.clear();
                    result.target = name;
                    results.push(result);
                }
            }
            _ => results.push(evaluate(planned, &evidence, None, config)),
        }
    }
    results.sort_by(|a, b| {
        a.category
            .cmp(&b.category)
            .then(b.severity.cmp(&a.severity))
            .then(a.id.cmp(&b.id))
            .then(a.target.cmp(&b.target))
    });
    let defers_to = catalog
        .checks()
        .iter()
        .filter(|c| !c.defers_to.is_empty())
        .map(|c| (c.id.as_str(), c.defers_to.as_slice()))
        .collect();
    crate::defer::apply(&mut results, &defers_to);
    // Waivers change statuses, so they go before anything is scored.
    let today = options.now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let waivers = crate::waiver::apply(&mut results, &config.waivers, today);
    let mut report = build_report(root, results, &evidence, config, options);
    report.waivers = waivers;
    report.stack = stack;
    report.targets = live_targets(live.as_ref(), live_options);
    Ok(report)
}

/// Targets by name, or one unnamed slot when there are none.
fn target_names(options: &LiveOptions) -> Vec<Option<String>> {
    if options.targets.is_empty() {
        vec![None]
    } else {
        options
            .targets
            .iter()
            .map(|t| Some(t.name.clone()))
            .collect()
    }
}

/// The report's view of what was probed.
fn live_targets(live: Option<&LiveEvidence>, options: &LiveOptions) -> Vec<LiveTarget> {
    let Some(live) = live else {
        return options
            .targets
            .iter()
            .map(|target| LiveTarget {
                name: target.name.clone(),
                url: target.url.to_string(),
                skipped: Some(if options.offline {
                    "offline (--offline)".to_string()
                } else {
                    "no live check to run".to_string()
                }),
                duration_ms: 0,
                probes: Vec::new(),
            })
            .collect();
    };
    live.targets.iter().map(live_target).collect()
}

fn live_target(target: &TargetEvidence) -> LiveTarget {
    let probes = target
        .probes
        .iter()
        // A probe on declared paths of a target that declares none made no
        // request: nothing to list.
        .filter(|record| !matches!(&record.result, Ok(Observation::Declared(items)) if items.is_empty()))
        .map(|record| {
            let (result, latency) = match &record.result {
                Ok(Observation::Http(http)) => (
                    if http.final_url != http.url {
                        format!("{} (from {})", http.status, http.final_url)
                    } else {
                        http.status.to_string()
                    },
                    http.latency().map(|l| LatencyReport {
                        samples: l.samples,
                        min: round(l.min),
                        p50: round(l.p50),
                        p95: round(l.p95),
                        max: round(l.max),
                    }),
                ),
                Ok(Observation::Tls(tls)) => (
                    format!(
                        "{}, certificate valid until {}",
                        tls.protocol,
                        tls.not_after.strftime("%Y-%m-%d")
                    ),
                    None,
                ),
                Ok(Observation::TlsTooOld { reason, .. }) => (reason.clone(), None),
                Ok(Observation::Port { state, .. }) => (state.describe().to_string(), None),
                Ok(Observation::Declared(items)) => (
                    format!(
                        "{} item(s), {} answered",
                        items.len(),
                        items.iter().filter(|i| i.result.is_ok()).count()
                    ),
                    None,
                ),
                Ok(Observation::Redis { reply, state, .. }) => (
                    reply
                        .clone()
                        .unwrap_or_else(|| state.describe().to_string()),
                    None,
                ),
                Err(error) => {
                    return ProbeReport {
                        kind: record.kind.to_string(),
                        probe: record.described.clone(),
                        result: None,
                        error: Some(error.clone()),
                        latency_ms: None,
                    };
                }
            };
            ProbeReport {
                kind: record.kind.to_string(),
                probe: record.described.clone(),
                result: Some(result),
                error: None,
                latency_ms: latency,
            }
        })
        .collect();
    LiveTarget {
        name: target.name.clone(),
        url: target.url.clone(),
        skipped: None,
        duration_ms: target.duration.as_millis() as u64,
        probes,
    }
}

fn round(ms: f64) -> f64 {
    (ms * 10.0).round() / 10.0
}

fn evaluate(
    planned: &Planned<'_>,
    evidence: &Evidence,
    live: Option<&TargetEvidence>,
    config: &Config,
) -> CheckResult {
    let (check, outcome) = match planned {
        Planned::Disabled(check, reason) => (
            *check,
            Outcome {
                status: Status::Skip,
                message: reason.to_string(),
                findings: Vec::new(),
            },
        ),
        Planned::Run {
            check, when, rule, ..
        } => {
            let applicable = when.as_ref().map(|w| w.evaluate_with(evidence, live));
            let outcome = match applicable {
                Some(when) if when.status != Status::Pass => Outcome {
                    status: Status::Skip,
                    message: format!("not applicable: {}", when.message),
                    findings: Vec::new(),
                },
                _ => rule.evaluate_with(evidence, live),
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
        target: None,
        waiver: None,
        baselined: false,
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
                waived: count(&mine, Status::Waived),
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
        waived: count(&all, Status::Waived),
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
        targets: Vec::new(),
        waivers: Vec::new(),
        baseline: None,
        comparison: None,
    };
    // Both feed the gate, so they come before it.
    if let Some(baseline) = &options.baseline {
        report.baseline = Some(baseline.mark(&mut report));
    }
    if let Some(previous) = &options.previous {
        report.comparison = Some(crate::compare::compare(previous, &report));
    }
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
