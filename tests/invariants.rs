//! No contradictions: facts that must hold across checks in every report.
//!
//! Each check judges one thing, but a reviewer reads the report as a whole:
//! "CI detected" next to "no CI pipeline", or a compose file in the stack
//! next to compose checks with nothing to check, makes the whole report
//! untrustworthy. [`INVARIANTS`] lists every such fact in one place with the
//! reason it must hold; the tests audit every fixture (and, when unpacked
//! copies are at hand, the real repositories of
//! `../shared/real-repos/README.md`) and assert all of them.
//!
//! The real repositories are the archives of `shared/real-repos` and
//! `shared/precision-repos` in the nearest folder above the repository (or
//! `$READYCTL_REAL_REPOS` / `$READYCTL_PRECISION_REPOS`), unpacked once into
//! the target dir as `tests/real_repos.rs` does. A missing set is said on
//! stderr and skipped.

use readyctl::model::{SkipReason, Status, Verdict};
use readyctl::report::{CheckResult, Report};
use readyctl::rules::RuleSpec;
use readyctl::stack::ProjectKind;
use readyctl::{AuditOptions, Catalog, Config, audit};
use std::path::{Path, PathBuf};

#[path = "real_support/archive.rs"]
mod archive;

/// One fact about a report, and why it must hold.
struct Invariant {
    name: &'static str,
    reason: &'static str,
    holds: fn(&Audited) -> Result<(), String>,
}

/// A report with the catalogue that produced it.
struct Audited<'a> {
    report: Report,
    catalog: &'a Catalog,
}

impl Audited<'_> {
    fn check(&self, id: &str) -> Option<&CheckResult> {
        self.report.checks.iter().find(|c| c.id == id)
    }
}

const INVARIANTS: &[Invariant] = &[
    Invariant {
        name: "a CI system in the stack implies ci.pipeline passes",
        reason: "stack detection and the pipeline check look for the same CI files; \
                 \"CI: travis\" above \"no CI pipeline\" contradicts itself",
        holds: ci_in_stack_implies_pipeline,
    },
    Invariant {
        name: "a compose file in the stack implies the compose checks judge it",
        reason: "if detection saw services in a compose file, the compose checks must \
                 not report that there is nothing to check",
        holds: compose_in_stack_implies_compose_checks_judge,
    },
    Invariant {
        name: "a Dockerfile in the stack implies the Dockerfile checks judge it",
        reason: "the same Dockerfiles make the stack say `docker` and feed the \
                 Dockerfile checks",
        holds: docker_in_stack_implies_dockerfile_checks_judge,
    },
    Invariant {
        name: "service or library is one verdict for every check that asks",
        reason: "a check that applies only to services must apply exactly when the \
                 report's stack says `service`",
        holds: project_kind_is_one_verdict,
    },
    Invariant {
        name: "a password-hash call found implies the hashing check applies",
        reason: "security.password-hash-cost judging bcrypt or PBKDF2 calls means the \
                 code hashes passwords, which is when security.password-hashing applies",
        holds: hash_call_implies_hashing_check_applies,
    },
    Invariant {
        name: "no credit for nothing",
        reason: "a pass must say what it saw, and a skip why nothing was judged",
        holds: passes_and_skips_say_why,
    },
    Invariant {
        name: "nothing to audit is not ready and fails the gate",
        reason: "a folder with no application must never look like a success in CI",
        holds: nothing_to_audit_fails,
    },
    Invariant {
        name: "the overall score is the weighted mean of the category scores",
        reason: "the summary must read like the category table above it",
        holds: overall_is_the_category_mean,
    },
    Invariant {
        name: "coverage adds up",
        reason: "assessed weight is part of the applicable weight, category by category, \
                 and a category is assessed exactly when one of its checks was",
        holds: coverage_adds_up,
    },
    Invariant {
        name: "an unmet critical check means not ready",
        reason: "the documented verdict rule, whatever the score",
        holds: critical_unmet_is_not_ready,
    },
];

fn ci_in_stack_implies_pipeline(a: &Audited) -> Result<(), String> {
    if a.report.stack.ci.is_empty() {
        return Ok(());
    }
    match a.check("ci.pipeline") {
        Some(c) if c.status == Status::Pass || c.skip_reason == Some(SkipReason::Disabled) => {
            Ok(())
        }
        Some(c) => Err(format!(
            "stack CI {:?} but ci.pipeline is {}: {}",
            a.report.stack.ci, c.status, c.message
        )),
        None => Ok(()),
    }
}

/// The checks among `ids` that judged nothing, with their messages.
///
/// A skip that names the files it set aside and why ("not judged:
/// `docker/docker-compose.yml` (dev-tooling file)") is consistent with the
/// stack seeing them: the reader is told both.
fn nothing_to_judge(a: &Audited, ids: &dyn Fn(&str) -> bool) -> Vec<String> {
    a.report
        .checks
        .iter()
        .filter(|c| ids(&c.id) && c.skip_reason == Some(SkipReason::NothingToJudge))
        .filter(|c| !c.message.contains("not judged: "))
        .map(|c| format!("{}: {}", c.id, c.message))
        .collect()
}

fn compose_in_stack_implies_compose_checks_judge(a: &Audited) -> Result<(), String> {
    if !a.report.stack.containers.iter().any(|c| c == "compose") {
        return Ok(());
    }
    let idle = nothing_to_judge(a, &|id| id.starts_with("infra.compose-"));
    if idle.is_empty() {
        Ok(())
    } else {
        Err(format!("compose detected, yet {}", idle.join("; ")))
    }
}

/// Checks whose rule is (or contains) a `dockerfile` rule.
fn is_dockerfile_check(a: &Audited, id: &str) -> bool {
    fn has(rule: &RuleSpec) -> bool {
        match rule {
            RuleSpec::Dockerfile(_) => true,
            RuleSpec::All(rules) | RuleSpec::Any(rules) => rules.iter().any(has),
            RuleSpec::Not(rule) => has(rule),
            _ => false,
        }
    }
    a.catalog
        .checks()
        .iter()
        .any(|c| c.id == id && has(&c.rule))
}

fn docker_in_stack_implies_dockerfile_checks_judge(a: &Audited) -> Result<(), String> {
    if !a.report.stack.containers.iter().any(|c| c == "docker") {
        return Ok(());
    }
    let idle = nothing_to_judge(a, &|id| is_dockerfile_check(a, id));
    if idle.is_empty() {
        Ok(())
    } else {
        Err(format!("docker detected, yet {}", idle.join("; ")))
    }
}

/// The project kinds a check's `when:` asks for, when it asks only that.
fn required_kind(when: &RuleSpec) -> Option<Vec<ProjectKind>> {
    match when {
        RuleSpec::Stack(spec)
            if spec.any.is_empty()
                && spec.languages.is_empty()
                && spec.frameworks.is_empty()
                && spec.package_managers.is_empty()
                && spec.ci.is_empty()
                && spec.containers.is_empty()
                && spec.databases.is_empty() =>
        {
            spec.kind.as_ref().map(|kinds| kinds.list())
        }
        _ => None,
    }
}

fn project_kind_is_one_verdict(a: &Audited) -> Result<(), String> {
    let kind = a.report.stack.kind;
    let mut wrong = Vec::new();
    for check in a.catalog.checks() {
        let Some(wanted) = check.when.as_ref().and_then(required_kind) else {
            continue;
        };
        for result in a.report.checks.iter().filter(|r| r.id == check.id) {
            let skipped_as_not_applicable = result.skip_reason == Some(SkipReason::NotApplicable);
            if skipped_as_not_applicable == wanted.contains(&kind) {
                let wanted: Vec<&str> = wanted.iter().map(|k| k.id()).collect();
                wrong.push(format!(
                    "{} wants a {} and the stack says {}, yet it is {}",
                    check.id,
                    wanted.join(" or "),
                    kind.id(),
                    result.status
                ));
            }
        }
    }
    // Every message that names the detected kind names the same one.
    for result in &a.report.checks {
        if let Some(at) = result.message.find("(detected: ") {
            let said = &result.message[at + 11..];
            let said = said.split(')').next().unwrap_or_default();
            let kinds = ["service", "serverless", "cli", "library", "unknown"];
            if kinds.contains(&said) && said != kind.id() {
                wrong.push(format!(
                    "{} says the project is {said}, the stack says {}",
                    result.id,
                    kind.id()
                ));
            }
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("; "))
    }
}

fn hash_call_implies_hashing_check_applies(a: &Audited) -> Result<(), String> {
    let (Some(cost), Some(hashing)) = (
        a.check("security.password-hash-cost"),
        a.check("security.password-hashing"),
    ) else {
        return Ok(());
    };
    let judged = matches!(cost.status, Status::Pass | Status::Fail | Status::Waived);
    if judged && hashing.skip_reason == Some(SkipReason::NotApplicable) {
        return Err(format!(
            "password-hash-cost judged hashing calls ({}), but password-hashing is not applicable: {}",
            cost.message, hashing.message
        ));
    }
    Ok(())
}

fn passes_and_skips_say_why(a: &Audited) -> Result<(), String> {
    let mut wrong = Vec::new();
    for check in &a.report.checks {
        match check.status {
            Status::Pass if check.message.trim().is_empty() => {
                wrong.push(format!("{} passes without saying on what", check.id))
            }
            Status::Skip if check.skip_reason.is_none() || check.message.trim().is_empty() => {
                wrong.push(format!("{} is skipped without a reason", check.id))
            }
            _ => {}
        }
        if check.status != Status::Skip && check.skip_reason.is_some() {
            wrong.push(format!(
                "{} is {} with a skip reason",
                check.id, check.status
            ));
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("; "))
    }
}

fn nothing_to_audit_fails(a: &Audited) -> Result<(), String> {
    let summary = &a.report.summary;
    if summary.nothing_to_audit.is_none() {
        return Ok(());
    }
    if summary.verdict != Verdict::NotReady || a.report.gate.passed {
        return Err(format!(
            "nothing to audit, yet verdict {} and gate passed = {}",
            summary.verdict, a.report.gate.passed
        ));
    }
    Ok(())
}

fn overall_is_the_category_mean(a: &Audited) -> Result<(), String> {
    let mut total = 0.0;
    let mut weight = 0.0;
    for category in &a.report.categories {
        if let Some(score) = category.score
            && category.weight > 0.0
        {
            total += category.weight * score;
            weight += category.weight;
        }
    }
    let expected = (weight > 0.0).then(|| total / weight);
    match (expected, a.report.summary.score) {
        (None, None) => Ok(()),
        // Category scores are rounded to one decimal; the overall is not
        // computed from the rounded values.
        (Some(expected), Some(actual)) if (expected - actual).abs() <= 0.1 => Ok(()),
        (expected, actual) => Err(format!(
            "overall {actual:?}, mean of the categories {expected:?}"
        )),
    }
}

fn coverage_adds_up(a: &Audited) -> Result<(), String> {
    let summary = &a.report.summary;
    let mut wrong = Vec::new();
    if summary.assessed_weight > summary.applicable_weight {
        wrong.push("assessed weight above applicable weight".to_string());
    }
    let sum = |f: fn(&readyctl::report::CategoryScore) -> u64| -> u64 {
        a.report.categories.iter().map(f).sum()
    };
    if sum(|c| c.assessed_weight) != summary.assessed_weight
        || sum(|c| c.applicable_weight) != summary.applicable_weight
    {
        wrong.push("category weights do not add up to the summary's".to_string());
    }
    for category in &a.report.categories {
        let judged = category.passed + category.failed + category.waived > 0;
        if judged != category.assessed {
            wrong.push(format!(
                "{}: assessed = {} with {} judged check(s)",
                category.id,
                category.assessed,
                category.passed + category.failed + category.waived
            ));
        }
        if category.assessed == summary.not_assessed.categories.contains(&category.id) {
            wrong.push(format!(
                "{}: not_assessed.categories disagrees with assessed",
                category.id
            ));
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("; "))
    }
}

fn critical_unmet_is_not_ready(a: &Audited) -> Result<(), String> {
    let critical = a
        .report
        .checks
        .iter()
        .any(|c| c.severity == readyctl::model::Severity::Critical && c.is_unmet());
    if critical && a.report.summary.verdict != Verdict::NotReady {
        return Err(format!(
            "a critical check is unmet, yet the verdict is {}",
            a.report.summary.verdict
        ));
    }
    Ok(())
}

fn audit_folder(path: &Path, catalog: &Catalog) -> Report {
    let config = Config::load_optional(&path.join("readyctl.toml")).expect("config loads");
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    audit(path, catalog, &config, &AuditOptions::new(name))
        .unwrap_or_else(|e| panic!("auditing {}: {e}", path.display()))
}

/// Audits every folder and returns every broken invariant, by folder.
fn broken(folders: &[PathBuf]) -> Vec<String> {
    let catalog = Catalog::builtin().expect("built-in packs load");
    let mut problems = Vec::new();
    for folder in folders {
        let audited = Audited {
            report: audit_folder(folder, &catalog),
            catalog: &catalog,
        };
        for invariant in INVARIANTS {
            if let Err(problem) = (invariant.holds)(&audited) {
                problems.push(format!(
                    "{}: {} ({}): {problem}",
                    folder.file_name().unwrap().to_string_lossy(),
                    invariant.name,
                    invariant.reason
                ));
            }
        }
    }
    problems
}

fn subfolders(dir: &Path) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    folders.sort();
    folders
}

#[test]
fn every_fixture_holds_every_invariant() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut folders = subfolders(&root.join("fixtures"));
    // The two smallest things people point readyctl at by mistake.
    let empty = tempfile::tempdir().unwrap();
    let readme_only = tempfile::tempdir().unwrap();
    std::fs::write(readme_only.path().join("README.md"), "Nothing here yet\n").unwrap();
    folders.push(empty.path().to_path_buf());
    folders.push(readme_only.path().to_path_buf());
    let problems = broken(&folders);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every archive of the real-repository sets that are present, unpacked.
fn real_repositories() -> Vec<PathBuf> {
    let mut folders = Vec::new();
    for (env, set) in [
        ("READYCTL_REAL_REPOS", "real-repos"),
        ("READYCTL_PRECISION_REPOS", "precision-repos"),
    ] {
        let Some(archives) = archive::shared_dir(env, set) else {
            eprintln!("invariants: no shared/{set} folder (set {env}): skipped");
            continue;
        };
        let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(set);
        std::fs::create_dir_all(&cache).unwrap();
        let mut names: Vec<String> = std::fs::read_dir(&archives)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.strip_suffix(".tar.zst").map(str::to_owned)
            })
            .collect();
        names.sort();
        for stem in names {
            let archive = archives.join(format!("{stem}.tar.zst"));
            folders.push(archive::unpacked(&archive, &cache, &stem));
        }
    }
    folders
}

#[test]
fn real_repositories_hold_every_invariant() {
    let folders = real_repositories();
    let problems = broken(&folders);
    eprintln!("invariants: {} real repositories audited", folders.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn each_invariant_has_a_reason_and_a_unique_name() {
    let mut names: Vec<&str> = INVARIANTS.iter().map(|i| i.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), INVARIANTS.len());
    assert!(INVARIANTS.iter().all(|i| i.reason.len() > 20));
}

/// The invariants are not vacuous: contradictions planted in a real report
/// are caught.
#[test]
fn planted_contradictions_are_caught() {
    let catalog = Catalog::builtin().expect("built-in packs load");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let fresh = || Audited {
        report: audit_folder(&root.join("fixtures/empty-repo"), &catalog),
        catalog: &catalog,
    };

    let mut a = fresh();
    a.report.stack.ci = vec!["travis".to_string()];
    assert!(ci_in_stack_implies_pipeline(&a).is_err());

    let mut a = fresh();
    a.report.summary.verdict = Verdict::Ready;
    assert!(nothing_to_audit_fails(&a).is_err());

    let mut a = fresh();
    a.report.summary.score = Some(99.0);
    assert!(overall_is_the_category_mean(&a).is_err());

    let mut a = fresh();
    a.report.stack.kind = ProjectKind::Service;
    assert!(project_kind_is_one_verdict(&a).is_err());

    let mut a = fresh();
    let pass = a
        .report
        .checks
        .iter_mut()
        .find(|c| c.status == Status::Pass)
        .unwrap();
    pass.message.clear();
    assert!(passes_and_skips_say_why(&a).is_err());
}
