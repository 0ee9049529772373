//! Running an audit: plan every enabled check, scan once, evaluate, score.

use crate::application::ApplicationPlan;
use crate::check::Check;
use crate::config::Config;
use crate::gate::Gate;
use crate::live::{LiveEvidence, LiveOptions, Observation, TargetEvidence};
use crate::model::{Category, RoleSet, SkipReason, Status};
use crate::pack::Catalog;
use crate::repo::RoleMap;
use crate::report::{
    CategoryScore, CheckResult, NotAssessed, NothingToAudit, Report, SCHEMA_VERSION, SkippedFiles,
    Stats, Summary, Target, Tool,
};
use crate::report::{LatencyReport, LiveTarget, ProbeReport};
use crate::rules::git::GitSpec;
use crate::rules::{Outcome, PlanContext, Rule, RuleSpec};
use crate::scan::{self, Evidence, PlanBuilder, ScanError, ScanOptions};
use crate::score::{self, Scored};
use crate::select::{self, Selection};
use crate::stack::{Stack, StackPlan};
use std::path::Path;
use std::sync::Arc;

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
    /// The audit runs in CI (the `CI` variable): checks of a developer's
    /// working tree do not apply to a fresh checkout.
    pub in_ci: bool,
    /// The audit runs inside a commit hook (`PRE_COMMIT`, git's
    /// `GIT_INDEX_FILE`): the change being committed is not committed yet.
    pub in_commit_hook: bool,
    /// `--history`: search every blob of the git history for credentials.
    pub history: Option<crate::repo::history::HistoryOptions>,
    /// `--only`: the check ids or globs to run, and no others; replaces
    /// `[checks] only` of the config when not empty (see [`crate::select`]).
    pub only: Vec<String>,
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
            in_ci: false,
            in_commit_hook: false,
            history: None,
            only: Vec::new(),
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
    #[error("{0}")]
    Selection(String),
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
    Disabled(&'a Check, &'static str, SkipReason),
}

pub use crate::pack::content_patterns;

pub fn audit(
    root: &Path,
    catalog: &Catalog,
    config: &Config,
    options: &AuditOptions,
) -> Result<Report, AuditError> {
    let disabled = config.disabled_set();
    let enabled = config.enabled_set();
    let roles = Arc::new(RoleMap::new(&config.roles, root));
    let mut scan_options = options.scan.clone();
    scan_options.roles = Some(roles);
    let mut plan = PlanBuilder::new();
    // Stack detection shares the walk; checks' `when: { stack: … }` read it.
    // It reads what ships and how it is built: a Python script under
    // `docs/`, a compose file for the tests or a vendored SDK say nothing
    // about the stack.
    let previous = plan.set_roles(crate::repo::roles::STACK);
    let stack_plan = StackPlan::plan(&mut plan);
    plan.set_roles(previous);
    let application_plan = ApplicationPlan::plan(&mut plan);
    // The CI model reads the project's own pipelines and what they call, not
    // those of vendored code or fixtures.
    let previous = plan.set_roles(crate::repo::roles::OWN);
    let ci_plan = crate::repo::ci::CiPlan::plan(&mut plan);
    // Which Dockerfiles are built is said by the project's own build files;
    // a guide in `docs/` that mentions one builds nothing.
    plan.set_roles(crate::repo::roles::OWN.without(crate::model::Role::Docs));
    let builds_plan = crate::repo::builds::BuildsPlan::plan(&mut plan);
    // Tool configuration lives in dotfiles of the project's own folders.
    plan.set_roles(crate::repo::roles::OWN);
    let tooling_plan = crate::repo::tooling::ToolingPlan::plan(&mut plan);
    plan.set_roles(previous);
    let settings_plan = crate::repo::settings::SettingsPlan::plan(&mut plan);
    // What the service refuses to start with is said by its own code.
    let previous = plan.set_roles(crate::model::RoleSet::of(&[crate::model::Role::Production]));
    let refused_plan = crate::repo::refused::RefusedPlan::plan(&mut plan);
    plan.set_roles(previous);
    let readers_plan = crate::repo::readers::ReadersPlan::plan(&mut plan);
    let reports = crate::tool_reports::Settings {
        targets: config.reports.clone(),
        now: options.now,
    };
    let selection = if options.only.is_empty() {
        Selection::new(&config.only_patterns(), select::Source::Config)
    } else {
        Selection::new(&options.only, select::Source::CommandLine)
    }
    .map_err(AuditError::Selection)?;
    let selected = |check: &Check| selection.as_ref().is_none_or(|s| s.contains(&check.id));
    let switched_off = |check: &Check| -> Option<&'static str> {
        if disabled.is_match(&check.id) {
            return Some("disabled in readyctl.toml");
        }
        if check.opt_in && !enabled.is_match(&check.id) {
            return Some("opt-in: list it under [checks] enable in readyctl.toml to run it");
        }
        None
    };
    let ran_rules = || {
        catalog
            .checks()
            .iter()
            .filter(|c| selected(c) && switched_off(c).is_none())
            .flat_map(|c| c.when.iter().chain([&c.rule]))
    };
    let asks = |wanted: &dyn Fn(&GitSpec) -> bool| {
        ran_rules().any(|rule| rule.any(&|r| matches!(r, RuleSpec::Git(git) if wanted(git))))
    };
    let searches_history = asks(&|git| matches!(git, GitSpec::NoSecretsInHistory(_)));
    let reads_git = asks(&|_| true);
    let reads_status = asks(&|git| matches!(git, GitSpec::CleanWorktree(_)));
    let planned: Vec<Planned<'_>> = catalog
        .checks()
        .iter()
        .map(|check| {
            if let Some(selection) = selection.as_ref().filter(|_| !selected(check)) {
                // The history is searched with the secret patterns of every
                // check not switched off: selecting the history check alone
                // still searches for all of them, in the history and (to
                // say whether a value is still there) in the working tree,
                // and reports only the history.
                if searches_history
                    && switched_off(check).is_none()
                    && check.rule.any(&RuleSpec::is_secret_search)
                {
                    let cx = PlanContext {
                        check_id: &check.id,
                        reports: &reports,
                    };
                    let previous = plan.set_roles(check_roles(check));
                    let _ = check.rule.plan(&mut plan, cx);
                    plan.set_roles(previous);
                }
                return Planned::Disabled(check, selection.reason(), SkipReason::NotSelected);
            }
            if let Some(reason) = switched_off(check) {
                return Planned::Disabled(check, reason, SkipReason::Disabled);
            }
            let cx = PlanContext {
                check_id: &check.id,
                reports: &reports,
            };
            let previous = plan.set_roles(check_roles(check));
            let planned = Planned::Run {
                check,
                when: check.when.as_ref().map(|w| w.plan(&mut plan, cx)),
                rule: check.rule.plan(&mut plan, cx),
                live: check.rule.is_live() || check.when.as_ref().is_some_and(|w| w.is_live()),
            };
            plan.set_roles(previous);
            planned
        })
        .collect();
    let live_plan = plan.take_live();
    let plan = Arc::new(plan.build().map_err(AuditError::Plan)?);
    // History is searched with the same plan, beside the working tree's
    // scan and the facts built from it, and joined before the checks run
    // (whether a value found there is still in the working tree is read
    // from the tree scan's secret values then): on two cores each one's
    // single-threaded stretches leave the other a core.
    // Only when a selected check reads it.
    let history = options
        .history
        .as_ref()
        .filter(|_| searches_history)
        .map(|history| {
            let history = crate::repo::history::HistoryOptions {
                max_blob_size: scan_options.max_file_size,
                threads: scan_options.threads,
                ..history.clone()
            };
            let (root, plan, roles) = (
                root.to_path_buf(),
                Arc::clone(&plan),
                scan_options.roles.clone(),
            );
            std::thread::spawn(move || crate::repo::history::search(&root, &plan, roles, &history))
        });
    let live_options = &options.live;
    let probe = !live_plan.is_empty() && !live_options.offline && !live_options.targets.is_empty();
    // The repository scan and the live probes wait on different things
    // (disk and CPU, the network): run them side by side.
    // Committed files that a `.gitignore` lists are part of the project
    // all the same: the walk, which honours ignore rules, reads them too.
    let tracked_ignored = crate::repo::git::tracked_ignored_files(root);
    if let Some(files) = &tracked_ignored {
        scan_options.include.extend(
            files
                .iter()
                .filter(|path| root.join(path).is_file())
                .cloned(),
        );
    }
    let (evidence, live, git) = std::thread::scope(|scope| {
        let probing =
            probe.then(|| scope.spawn(|| crate::live::gather_blocking(&live_plan, live_options)));
        // Reading refs and comparing the working tree with the index is
        // mostly waiting on the disk too.
        let git = reads_git.then(|| {
            scope.spawn(|| crate::repo::git::gather_knowing(root, tracked_ignored, reads_status))
        });
        let evidence = scan::scan(root, &plan, &scan_options);
        let live = probing.map(|thread| thread.join().expect("the live probing thread panicked"));
        let git = git.map(|thread| thread.join().expect("the git thread panicked"));
        (evidence, live, git)
    });
    let mut evidence = evidence?;
    // Nothing reads the plan after the searches: its automata, compiled
    // regexes and their per-thread caches (a tenth of a monorepo audit's
    // peak memory) go before documents are parsed (the history's thread
    // lets go of its share when it ends).
    drop(plan);
    let mut parsed: Vec<(crate::scan::SelectorId, bool)> = stack_plan
        .document_selectors()
        .into_iter()
        .map(|selector| (selector, false))
        .collect();
    for planned in &planned {
        if let Planned::Run { when, rule, .. } = planned {
            parsed.extend(
                when.iter()
                    .chain([rule])
                    .filter_map(Rule::document_selector),
            );
        }
    }
    // The CI model and the tooling facts read only the kept texts, so they
    // are built beside the document parsing and stack detection rather than
    // after them (a monorepo's pipelines resolve thousands of commands).
    let (ci, tooling, mut stack) = std::thread::scope(|scope| {
        let pipelines = scope.spawn(|| {
            let ci = ci_plan.build(&evidence);
            let tooling = tooling_plan.build(&evidence, &ci);
            (ci, tooling)
        });
        parse_documents(&evidence, &parsed, options.scan.threads);
        let stack = stack_plan.detect(&evidence);
        let (ci, tooling) = pipelines
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (Arc::new(ci), tooling, stack)
    });
    stack.ci = ci.systems.clone();
    let nothing_to_audit = application_plan.nothing_to_audit(&evidence, &stack);
    evidence.attach(Arc::new(tooling));
    evidence.attach(Arc::new(stack.clone()));
    evidence.attach(ci);
    evidence.attach(Arc::new(builds_plan.build(&evidence)));
    evidence.attach(Arc::new(settings_plan.build(&evidence)));
    evidence.attach(Arc::new(refused_plan.build(&evidence)));
    // Last: the facts above were built on the roles the walk gave.
    evidence.attach(Arc::new(readers_plan.build(&evidence)));
    evidence.attach(Arc::new(crate::repo::kubernetes::Built::default()));
    let history = history.map(|thread| thread.join().expect("the history thread panicked"));
    if let Some(git) = git {
        evidence.attach(Arc::new(crate::repo::git::GitContext {
            git,
            in_ci: options.in_ci,
            in_commit_hook: options.in_commit_hook,
            history,
        }));
    }
    let live = live.transpose()?;

    // Checks are independent once the evidence is gathered: evaluate them
    // on every core (a monorepo's document rules walk thousands of parsed
    // manifests), keeping the catalogue's order.
    let per_check = crate::parallel::in_parallel(&planned, options.scan.threads, |planned| {
        let mut results = Vec::new();
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
                    // A check whose `when` did not hold stays not applicable.
                    if result.skip_reason != Some(SkipReason::NotApplicable) {
                        result.status = Status::Skip;
                        result.skip_reason = Some(SkipReason::NoTarget);
                        result.message = reason.to_string();
                        result.findings.clear();
                    }
                    result.target = name;
                    results.push(result);
                }
            }
            _ => results.push(evaluate(planned, &evidence, None, config)),
        }
        // The values a secret query documents, for the redactor: read here,
        // on the evaluation threads, rather than by a second pass over
        // every kept document on one thread after them.
        let documented = match planned {
            Planned::Run { rule, .. } => rule.secret_values(&evidence),
            Planned::Disabled(..) => Vec::new(),
        };
        (results, documented)
    });
    let (per_check, documented): (Vec<Vec<CheckResult>>, Vec<Vec<String>>) =
        per_check.into_iter().unzip();
    let mut results: Vec<CheckResult> = per_check.into_iter().flatten().collect();
    // Only findings' lines have a role: the hits on them the walk did not
    // judge are judged now.
    evidence.judge_test_lines(
        results
            .iter()
            .flat_map(|r| &r.findings)
            .filter_map(|f| Some((f.path.as_deref()?, f.line?))),
        options.scan.threads,
    );
    for finding in results.iter_mut().flat_map(|r| r.findings.iter_mut()) {
        finding.role = finding
            .path
            .as_deref()
            .map(|path| evidence.role_at(path, finding.line));
    }
    hide_derived_roles(&mut results, catalog);
    crate::grade::apply(&mut results);
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
    let notices: std::collections::HashSet<&str> = catalog
        .checks()
        .iter()
        .filter(|c| c.notice)
        .map(|c| c.id.as_str())
        .collect();
    let mut report = build_report(
        root,
        results,
        &evidence,
        config,
        options,
        (nothing_to_audit, &notices),
    );
    report.waivers = waivers;
    report.stack = stack;
    report.targets = live_targets(live.as_ref(), live_options);
    let redactor =
        redactor(&evidence, live_options, catalog).with_values(documented.into_iter().flatten());
    // Freeing the evidence (every parsed document, kept text and hit: a
    // tenth of a second on a 20,000-file monorepo) runs beside the
    // redaction instead of on one thread after it.
    std::thread::scope(|scope| {
        scope.spawn(move || drop(evidence));
        Ok(redactor.apply(&report))
    })
}

/// The content patterns the facts planned in [`audit`] search for beside
/// the checks' and stack detection's (which `content_patterns` lists):
/// the precomputed literal table holds them too, so that an audit neither
/// analyses them nor builds its own literal automaton for them (see
/// `src/scan/prebuilt.rs`). A fact added to [`audit`] and not here makes
/// audits slower, never different.
#[cfg(test)]
pub(crate) fn fact_patterns() -> Vec<String> {
    let mut plan = PlanBuilder::new();
    let _ = ApplicationPlan::plan(&mut plan);
    let _ = crate::repo::builds::BuildsPlan::plan(&mut plan);
    let _ = crate::repo::tooling::ToolingPlan::plan(&mut plan);
    let _ = crate::repo::settings::SettingsPlan::plan(&mut plan);
    let _ = crate::repo::refused::RefusedPlan::plan(&mut plan);
    let _ = crate::repo::readers::ReadersPlan::plan(&mut plan);
    plan.planned_patterns()
        .map(|(_, regex)| regex.to_string())
        .collect()
}

/// Parses, on every core, the kept files that stack detection and document
/// rules query. Each parse lands in its file's cache, so what follows (one
/// check after another) finds it there instead of parsing every manifest of
/// a monorepo on one thread. Of a selector read through the Kubernetes
/// model (`true` beside it), only the files the model parses.
fn parse_documents(
    evidence: &Evidence,
    selectors: &[(crate::scan::SelectorId, bool)],
    threads: usize,
) {
    let mut seen = std::collections::HashSet::new();
    let mut files: Vec<&crate::scan::KeptFile> = Vec::new();
    for (selector, kubernetes) in selectors {
        let model = kubernetes.then(|| {
            crate::repo::kubernetes::ParsedByModel::new(
                evidence.kept(*selector).map(|f| f.path.as_str()),
            )
        });
        files.extend(
            evidence
                .kept(*selector)
                .filter(|file| model.as_ref().is_none_or(|m| m.parses(&file.path)))
                .filter(|file| seen.insert(file.path.as_str())),
        );
    }
    crate::parallel::in_parallel(&files, threads, |file| {
        crate::rules::document::documents(file);
    });
}

/// Masks what the scan found to be secret, the shapes of secrets, and the
/// credentials the user gave for targets, wherever a check quotes them.
/// (The literal values of committed Kubernetes Secrets, which rules read
/// as documents, are added by the caller.)
fn redactor(evidence: &Evidence, live: &LiveOptions, catalog: &Catalog) -> crate::redact::Redactor {
    let credentials = live
        .targets
        .iter()
        .flat_map(|t| &t.headers)
        .filter_map(|(_, value)| value.to_str().ok().map(str::to_string));
    let history = evidence
        .fact::<crate::repo::git::GitContext>()
        .and_then(|git| git.history.as_ref())
        .and_then(|history| history.as_ref().ok())
        .into_iter()
        .flat_map(|history| history.secrets.iter().map(|s| s.value.clone()));
    crate::redact::Redactor::new(evidence.secret_values().iter())
        .with_values(credentials)
        .with_values(history)
        .with_builtin_patterns_of(catalog)
}

/// The walk showed each check the files of its roles as the conventions
/// gave them; the readers (`repo::readers`) learn some roles only after it
/// (a config only a test run mounts). A finding in a file whose final role
/// the check does not read is dropped, and a check failed only by such
/// findings passes. Graded checks (secrets) read every role and grade
/// instead.
fn hide_derived_roles(results: &mut [CheckResult], catalog: &Catalog) {
    for result in results.iter_mut().filter(|r| r.status == Status::Fail) {
        if crate::grade::graded(result.category) {
            continue;
        }
        let Some(check) = catalog.get(&result.id) else {
            continue;
        };
        let roles = check_roles(check);
        let before = result.findings.len();
        let mut hidden: Vec<String> = Vec::new();
        result.findings.retain(|f| match (&f.path, f.role) {
            (Some(path), Some(role)) if !roles.contains(role) => {
                hidden.push(format!("`{path}` ({role})", role = role.id()));
                false
            }
            _ => true,
        });
        if hidden.is_empty() {
            continue;
        }
        hidden.dedup();
        if result.findings.is_empty() && before > 0 {
            result.status = Status::Pass;
            result.message = format!(
                "found only in files this check does not judge: {}",
                hidden.join(", ")
            );
        }
    }
}

/// The roles a check reads: its own `roles:`, or its category's default.
pub fn check_roles(check: &Check) -> RoleSet {
    check
        .roles
        .unwrap_or_else(|| crate::repo::roles::default_roles(check.category))
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
    let (check, outcome, skip_reason) = match planned {
        Planned::Disabled(check, reason, why) => {
            (*check, Outcome::skip(reason.to_string()), Some(*why))
        }
        Planned::Run {
            check,
            when,
            rule,
            live: is_live,
        } => {
            let applicable = when.as_ref().map(|w| w.evaluate_with(evidence, live));
            match applicable {
                Some(when) if when.status != Status::Pass => (
                    *check,
                    Outcome::skip(format!("not applicable: {}", when.message)),
                    Some(SkipReason::NotApplicable),
                ),
                _ => {
                    let outcome = rule.evaluate_with(evidence, live);
                    // A live check without a target is skipped for want of
                    // one; any other skip is a rule that found nothing.
                    let why =
                        (outcome.status == Status::Skip).then_some(if *is_live && live.is_none() {
                            SkipReason::NoTarget
                        } else {
                            SkipReason::NothingToJudge
                        });
                    (*check, outcome, why)
                }
            }
        }
    };
    CheckResult {
        id: check.id.clone(),
        title: check.title.clone(),
        category: check.category,
        severity: config.severity_for(&check.id).unwrap_or(check.severity),
        stage: config.stage_for(&check.id).unwrap_or(check.stage),
        status: outcome.status,
        skip_reason,
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
            category: r.category,
            severity: r.severity,
            stage: r.stage,
            status: r.status,
            skip: r.skip_reason,
            effort_minutes: r.effort_minutes,
        })
        .collect()
}

fn count(results: &[&CheckResult], status: Status) -> usize {
    results.iter().filter(|r| r.status == status).count()
}

fn count_skipped(results: &[&CheckResult], why: SkipReason) -> usize {
    results
        .iter()
        .filter(|r| r.status == Status::Skip && r.skip_reason == Some(why))
        .count()
}

/// Why no check of a category was assessed, from what happened to them:
/// "2 live check(s) need a target; 3 check(s) did not apply".
fn not_assessed_reason(mine: &[&CheckResult]) -> String {
    if mine.is_empty() {
        return "no check in this category".to_string();
    }
    let mut parts = Vec::new();
    let no_target = count_skipped(mine, SkipReason::NoTarget);
    if no_target > 0 {
        parts.push(format!(
            "{no_target} live check(s) need a target (--url or --target)"
        ));
    }
    let errored = count(mine, Status::Error);
    if errored > 0 {
        parts.push(format!("{errored} check(s) errored"));
    }
    let nothing = count_skipped(mine, SkipReason::NothingToJudge);
    if nothing > 0 {
        parts.push(format!("{nothing} check(s) found nothing to judge"));
    }
    let not_applicable = count_skipped(mine, SkipReason::NotApplicable);
    if not_applicable > 0 {
        parts.push(format!(
            "{not_applicable} check(s) do not apply to this repository"
        ));
    }
    let disabled = count_skipped(mine, SkipReason::Disabled);
    if disabled > 0 {
        parts.push(format!("{disabled} check(s) disabled"));
    }
    let not_selected = count_skipped(mine, SkipReason::NotSelected);
    if not_selected > 0 {
        parts.push(format!("{not_selected} check(s) not selected"));
    }
    if parts.is_empty() {
        // Only informational checks, which weigh nothing.
        parts.push("only informational checks".to_string());
    }
    parts.join("; ")
}

fn build_report(
    root: &Path,
    checks: Vec<CheckResult>,
    evidence: &Evidence,
    config: &Config,
    options: &AuditOptions,
    (nothing_to_audit, notices): (Option<NothingToAudit>, &std::collections::HashSet<&str>),
) -> Report {
    let weights = &config.scoring.weights;
    let category_weights = config.scoring.category_weights();
    let thresholds = config.scoring.thresholds();
    let all: Vec<&CheckResult> = checks.iter().collect();
    let all_scored = scored(&all);
    let overall = score::overall(&all_scored, weights, &category_weights);

    let categories: Vec<CategoryScore> = Category::ALL
        .into_iter()
        .map(|category| {
            let mine: Vec<&CheckResult> = all
                .iter()
                .copied()
                .filter(|r| r.category == category)
                .collect();
            let mine_scored = scored(&mine);
            let category_score = score::score(&mine_scored, weights);
            let coverage = score::coverage(&mine_scored, weights);
            let assessed = mine_scored.iter().any(Scored::is_assessed);
            CategoryScore {
                id: category,
                title: category.title().to_string(),
                score: category_score,
                verdict: category_score.map(|s| score::verdict(Some(s), &mine_scored, &thresholds)),
                weight: category_weights.of(category),
                assessed,
                assessed_weight: coverage.assessed_weight,
                applicable_weight: coverage.applicable_weight,
                not_assessed: (!assessed).then(|| not_assessed_reason(&mine)),
                passed: count(&mine, Status::Pass),
                failed: count(&mine, Status::Fail),
                skipped: count(&mine, Status::Skip),
                errored: count(&mine, Status::Error),
                waived: count(&mine, Status::Waived),
                not_selected: count_skipped(&mine, SkipReason::NotSelected),
            }
        })
        .collect();

    let coverage = score::coverage(&all_scored, weights);
    let judgement = score::judge(
        overall,
        &all_scored,
        &thresholds,
        nothing_to_audit.as_ref().map(|n| n.reason.as_str()),
    );
    let ids = |keep: &dyn Fn(&CheckResult) -> bool| -> Vec<String> {
        let mut ids: Vec<String> = all
            .iter()
            .filter(|r| keep(r))
            .map(|r| r.id.clone())
            .collect();
        ids.dedup();
        ids
    };
    let not_assessed = NotAssessed {
        no_target: ids(&|r| {
            r.status == Status::Skip && r.skip_reason == Some(SkipReason::NoTarget)
        }),
        errored: ids(&|r| r.status == Status::Error),
        categories: categories
            .iter()
            .filter(|c| !c.assessed)
            .map(|c| c.id)
            .collect(),
    };
    let summary = Summary {
        score: overall,
        score_method: score::SCORE_METHOD.to_string(),
        verdict: judgement.verdict,
        verdict_reasons: judgement.reasons,
        nothing_to_audit,
        notices: all
            .iter()
            .filter(|r| r.status == Status::Fail && notices.contains(r.id.as_str()))
            .map(|r| format!("{}: {}", r.id, r.message))
            .collect(),
        assessed_weight: coverage.assessed_weight,
        applicable_weight: coverage.applicable_weight,
        not_assessed,
        passed: count(&all, Status::Pass),
        failed: count(&all, Status::Fail),
        skipped: count(&all, Status::Skip),
        errored: count(&all, Status::Error),
        waived: count(&all, Status::Waived),
        not_selected: count_skipped(&all, SkipReason::NotSelected),
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
