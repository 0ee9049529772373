//! readyctl measured against a reviewer's judgement of real repositories.
//!
//! `../shared/real-repos/` (beside the repository; CI has it) holds source
//! snapshots of public projects, one `<owner>+<name>.tar.zst` each. For every
//! `tests/real/<owner>+<name>.toml` this test unpacks the archive once into the
//! target dir, audits it with the built-in catalog and `Config::default()`, and
//! compares each check with what a reviewer said after reading the files.
//! Without the archives it says it skipped and passes.
//!
//! Judgement file format (see also `tests/real/README.md`):
//!
//! ```toml
//! # owner/name at <commit>: one line on what the project is
//! [checks]
//! "secrets.dev-defaults" = { expect = "fail", why = "settings.py:12 SECRET_KEY fallback 'abc' used in production", today = "fail" }
//! "infra.compose-restart-policy" = { expect = "skip", why = "no production compose file", today = "pass", gap = "compose checks pass on nothing (issue 15)" }
//! ```
//!
//! - `expect`: `pass`, `fail` or `skip` (not applicable, or nothing to judge;
//!   readyctl's skip and not-applicable both count as skip).
//! - `why`: one line of evidence, `file:line` where possible.
//! - `today`: what readyctl said when the judgement was written, so the
//!   agreement before later fixes stays computable.
//! - `gap`: a known disagreement with readyctl. It is tolerated and printed;
//!   once readyctl agrees the test fails until the `gap` is removed, so fixed
//!   gaps cannot come back unnoticed.
//!
//! Any other disagreement fails the test with a table. Run with
//! `cargo test --test real_repos -- --nocapture` for the agreement summary.
//! The archives are found at `$READYCTL_REAL_REPOS`, else at
//! `shared/real-repos/` in the nearest folder above the repository.

use readyctl::model::Severity;
use readyctl::report::CheckResult;
use readyctl::{AuditOptions, Catalog, Config, audit};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;

#[path = "real_support/archive.rs"]
mod archive;
use archive::{root, unpacked};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Judgements {
    checks: BTreeMap<String, Judgement>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Judgement {
    expect: Verdict,
    why: String,
    #[serde(default)]
    today: Option<Verdict>,
    #[serde(default)]
    gap: Option<String>,
}

/// A status as the reviewer states it; readyctl's statuses fold into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Verdict {
    Pass,
    Fail,
    Skip,
    /// readyctl could not evaluate the check; a reviewer never says this.
    Error,
}

impl Verdict {
    fn of(result: &CheckResult) -> Verdict {
        // By name, so a future not-applicable status folds into skip too.
        match result.status.id() {
            "pass" => Verdict::Pass,
            "fail" => Verdict::Fail,
            "skip" | "not_applicable" | "not-applicable" | "na" => Verdict::Skip,
            _ => Verdict::Error,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Skip => "skip",
            Verdict::Error => "error",
        })
    }
}

fn archives_dir() -> Option<PathBuf> {
    archive::shared_dir("READYCTL_REAL_REPOS", "real-repos")
}

fn judgement_files() -> Vec<(String, Judgements)> {
    judgement_files_in("tests/real")
}

/// Judgements of the CI-related checks on the precision repositories
/// (`tests/real/ci/`), whose archives are in `shared/precision-repos`.
fn ci_judgement_files() -> Vec<(String, Judgements)> {
    judgement_files_in("tests/real/ci")
}

/// Judgements of the checks that lead the precision repositories' reports
/// (`tests/real/blockers/`): the first blockers a reader sees must be true.
fn blocker_judgement_files() -> Vec<(String, Judgements)> {
    judgement_files_in("tests/real/blockers")
}

/// The precision repositories' judgements, CI rows and first-blocker rows
/// together, one set per repository. A check judged in both files is an error.
fn precision_judgement_files() -> Vec<(String, Judgements)> {
    let mut merged: BTreeMap<String, Judgements> = BTreeMap::new();
    for (stem, judged) in ci_judgement_files()
        .into_iter()
        .chain(blocker_judgement_files())
    {
        let into = merged.entry(stem.clone()).or_insert_with(|| Judgements {
            checks: BTreeMap::new(),
        });
        for (id, judgement) in judged.checks {
            assert!(
                !into.checks.contains_key(&id),
                "{stem}: `{id}` is judged in both tests/real/ci and tests/real/blockers"
            );
            into.checks.insert(id, judgement);
        }
    }
    merged.into_iter().collect()
}

fn judgement_files_in(dir: &str) -> Vec<(String, Judgements)> {
    let dir = root().join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/real exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            let parsed: Judgements =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (stem, parsed)
        })
        .collect()
}

struct Outcome {
    repo: String,
    judged: usize,
    agreed_now: usize,
    agreed_before: usize,
    with_today: usize,
    gaps: Vec<String>,
    problems: Vec<String>,
    false_blockers: Vec<String>,
    missed_blockers: Vec<String>,
    unjudged: Vec<String>,
    /// The report's first blockers, as `id (verdict)`.
    first_blockers: Vec<String>,
    /// First blockers the reviewer calls false, tolerated as known gaps.
    false_first_blockers: Vec<String>,
}

/// How many of a report's blockers must be judged true: the ones on the
/// first screen, which a reader acts on before reading further.
const FIRST_BLOCKERS: usize = 3;

fn one_line(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        format!("{}…", flat.chars().take(max).collect::<String>())
    }
}

fn compare(repo: &str, judged: &Judgements, checks: &[CheckResult]) -> Outcome {
    let by_id: BTreeMap<&str, &CheckResult> = checks.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut out = Outcome {
        repo: repo.to_string(),
        judged: 0,
        agreed_now: 0,
        agreed_before: 0,
        with_today: 0,
        gaps: Vec::new(),
        problems: Vec::new(),
        false_blockers: Vec::new(),
        missed_blockers: Vec::new(),
        unjudged: Vec::new(),
        first_blockers: Vec::new(),
        false_first_blockers: Vec::new(),
    };
    for (id, judgement) in &judged.checks {
        let Some(result) = by_id.get(id.as_str()) else {
            out.problems
                .push(format!("`{id}` is judged but is not a built-in check"));
            continue;
        };
        if judgement.expect == Verdict::Error {
            out.problems
                .push(format!("`{id}`: expect must be pass, fail or skip"));
            continue;
        }
        out.judged += 1;
        let now = Verdict::of(result);
        if let Some(today) = judgement.today {
            out.with_today += 1;
            out.agreed_before += usize::from(today == judgement.expect);
        }
        let agrees = now == judgement.expect;
        out.agreed_now += usize::from(agrees);
        let blocker = matches!(result.severity, Severity::Critical | Severity::High)
            && now == Verdict::Fail
            && judgement.expect != Verdict::Fail;
        if blocker {
            out.false_blockers.push(format!(
                "{id} ({}): reviewer {}, readyctl fail{}",
                result.severity.id(),
                judgement.expect,
                if judgement.gap.is_some() {
                    " [gap]"
                } else {
                    ""
                }
            ));
        }
        let row = format!(
            "| {id} | {} | {now} | {} | {} |",
            judgement.expect,
            one_line(&judgement.why, 90),
            one_line(&result.message, 140)
        );
        match (&judgement.gap, agrees) {
            (Some(gap), false) => out.gaps.push(format!("{row} gap: {}", one_line(gap, 80))),
            (Some(_), true) => out.problems.push(format!(
                "{row} readyctl now agrees: remove the `gap` (keep `today`)"
            )),
            (None, false) => out.problems.push(row),
            (None, true) => {}
        }
    }
    out.unjudged = checks
        .iter()
        .filter(|c| !c.id.starts_with("endpoint.") && !judged.checks.contains_key(&c.id))
        .map(|c| c.id.clone())
        .collect();
    out
}

/// Each of the report's first blockers must be judged, and judged a real
/// failure: a false one at the top costs the reader's trust in the rest.
fn judge_first_blockers(out: &mut Outcome, judged: &Judgements, blockers: &[&CheckResult]) {
    for check in blockers.iter().take(FIRST_BLOCKERS) {
        let verdict = judged.checks.get(&check.id).map(|j| j.expect);
        out.first_blockers.push(match verdict {
            Some(verdict) => format!("{} ({verdict})", check.id),
            None => format!("{} (not judged)", check.id),
        });
        match verdict {
            Some(Verdict::Fail) => {}
            // A disagreement is already a problem, or a known gap whose
            // reason the row gives; a gap at the top is printed apart.
            Some(_) if judged.checks[&check.id].gap.is_some() => {
                out.false_first_blockers.push(format!(
                    "{} (reviewer {}): {}",
                    check.id,
                    judged.checks[&check.id].expect,
                    one_line(
                        judged.checks[&check.id].gap.as_deref().unwrap_or_default(),
                        100
                    )
                ));
            }
            Some(_) => {}
            None => out.problems.push(format!(
                "`{}` is among the first {FIRST_BLOCKERS} blockers but nobody judged it: \
                 read the evidence and add a row ({})",
                check.id,
                one_line(&check.message, 120)
            )),
        }
    }
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "-".to_string()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / whole as f64)
    }
}

/// Judgements name only repository checks that exist, so a renamed check is
/// noticed even where the archives are absent.
#[test]
fn judgements_name_builtin_repository_checks() {
    let catalog = Catalog::builtin().expect("built-in packs load");
    let known: BTreeSet<&str> = catalog
        .checks()
        .iter()
        .map(|c| c.id.as_str())
        .filter(|id| !id.starts_with("endpoint."))
        .collect();
    let mut problems = Vec::new();
    for (stem, judged) in judgement_files()
        .into_iter()
        .chain(ci_judgement_files())
        .chain(blocker_judgement_files())
    {
        for (id, judgement) in &judged.checks {
            if !known.contains(id.as_str()) {
                problems.push(format!("{stem}: `{id}` is not a built-in repository check"));
            }
            if judgement.expect == Verdict::Error {
                problems.push(format!("{stem}: `{id}`: expect must be pass, fail or skip"));
            }
            if judgement.why.trim().is_empty() {
                problems.push(format!("{stem}: `{id}` has no evidence (`why`)"));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn readyctl_agrees_with_the_reviewer_on_real_repositories() {
    let Some(archives) = archives_dir() else {
        println!(
            "real_repos: skipped, no shared/real-repos folder above {} (set READYCTL_REAL_REPOS)",
            root().display()
        );
        return;
    };
    judge(judgement_files(), archives, "real-repos");
}

/// The precision repositories: the CI-related checks (pipelines, tests,
/// lint, scans, deploys, the formatter and linter) judged after reading every
/// workflow (`tests/real/ci/<owner>+<name>.toml`), and the checks that lead
/// each report (`tests/real/blockers/`), same format. The first
/// [`FIRST_BLOCKERS`] blockers of every report must be judged real failures.
/// A judgement whose archive is absent is skipped.
#[test]
fn readyctl_agrees_with_the_reviewer_on_precision_repositories() {
    let Some(archives) = archive::shared_dir("READYCTL_PRECISION_REPOS", "precision-repos") else {
        println!(
            "real_repos: CI judgements skipped, no shared/precision-repos folder above {} (set READYCTL_PRECISION_REPOS)",
            root().display()
        );
        return;
    };
    let files: Vec<(String, Judgements)> = precision_judgement_files()
        .into_iter()
        .filter(|(stem, _)| {
            let present = archives.join(format!("{stem}.tar.zst")).is_file();
            if !present {
                println!("real_repos: {stem}: no archive, CI judgements skipped");
            }
            present
        })
        .collect();
    judge(files, archives, "precision-repos");
}

fn judge(files: Vec<(String, Judgements)>, archives: PathBuf, set: &str) {
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(set);
    std::fs::create_dir_all(&cache).unwrap();
    let catalog = Catalog::builtin().expect("built-in packs load");
    let config = Config::default();

    let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .iter()
            .map(|(stem, judged)| {
                let (archives, cache, catalog, config) = (&archives, &cache, &catalog, &config);
                scope.spawn(move || {
                    let archive = archives.join(format!("{stem}.tar.zst"));
                    assert!(
                        archive.is_file(),
                        "tests/real/{stem}.toml has no {}",
                        archive.display()
                    );
                    let path = unpacked(&archive, cache, stem);
                    let report = audit(&path, catalog, config, &AuditOptions::new(stem.clone()))
                        .unwrap_or_else(|e| panic!("auditing {stem}: {e}"));
                    let mut outcome = compare(stem, judged, &report.checks);
                    judge_first_blockers(&mut outcome, judged, &report.blockers());
                    outcome
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });

    let mut total = (0, 0, 0, 0);
    println!("\n{set}: readyctl vs reviewer (before = `today` in the files)");
    println!("| repository | judged | before | now |");
    println!("|---|---|---|---|");
    for o in &outcomes {
        println!(
            "| {} | {} | {}/{} {} | {}/{} {} |",
            o.repo,
            o.judged,
            o.agreed_before,
            o.with_today,
            percent(o.agreed_before, o.with_today),
            o.agreed_now,
            o.judged,
            percent(o.agreed_now, o.judged)
        );
        total.0 += o.judged;
        total.1 += o.agreed_now;
        total.2 += o.agreed_before;
        total.3 += o.with_today;
    }
    println!(
        "| overall | {} | {}/{} {} | {}/{} {} |",
        total.0,
        total.2,
        total.3,
        percent(total.2, total.3),
        total.1,
        total.0,
        percent(total.1, total.0)
    );

    let mut problems = Vec::new();
    for o in &outcomes {
        if !o.gaps.is_empty() {
            println!("\n{}: known gaps ({})", o.repo, o.gaps.len());
            println!("| check | expected | actual | why | readyctl says |");
            println!("|---|---|---|---|---|");
            for gap in &o.gaps {
                println!("{gap}");
            }
        }
        if !o.false_blockers.is_empty() {
            println!("\n{}: critical/high checks failed falsely", o.repo);
            for blocker in &o.false_blockers {
                println!("- {blocker}");
            }
        }
        if !o.missed_blockers.is_empty() {
            println!("\n{}: critical/high failures readyctl misses", o.repo);
            for missed in &o.missed_blockers {
                println!("- {missed}");
            }
        }
        if !o.unjudged.is_empty() {
            println!("\n{}: not judged yet: {}", o.repo, o.unjudged.join(", "));
        }
        println!(
            "\n{}: first blockers: {}",
            o.repo,
            o.first_blockers.join(", ")
        );
        for known in &o.false_first_blockers {
            println!("  known false first blocker: {known}");
        }
        problems.extend(o.problems.iter().map(|p| format!("{}: {p}", o.repo)));
    }
    let count = |f: fn(&Outcome) -> usize| outcomes.iter().map(f).sum::<usize>();
    let shown = count(|o| o.first_blockers.len());
    let judged_true = count(|o| {
        o.first_blockers
            .iter()
            .filter(|b| b.ends_with("(fail)"))
            .count()
    });
    let known_false = count(|o| o.false_first_blockers.len());
    println!(
        "\nfirst {FIRST_BLOCKERS} blockers: {judged_true} of {shown} judged true, {known_false} known false"
    );
    println!("judged repositories: {}", outcomes.len());
    assert!(
        problems.is_empty(),
        "\nreadyctl disagrees with the reviewer (mark known disagreements with `gap`):\n\
         | check | expected | actual | why | readyctl says |\n{}\n",
        problems.join("\n")
    );
}

/// The comparison itself, on made-up results, so its rules hold even where
/// the archives are absent.
#[test]
fn comparison_fails_on_unmarked_disagreements_and_on_fixed_gaps() {
    let result = |id: &str, severity: &str, status: &str| -> CheckResult {
        serde_json::from_value(serde_json::json!({
            "id": id, "title": "t", "category": "ci", "severity": severity,
            "stage": "beta", "status": status, "message": format!("{id} said {status}"),
            "description": "d", "remediation": "r", "effort": "30m",
            "effort_minutes": 30, "source": "test"
        }))
        .expect("a check result")
    };
    let checks = vec![
        result("ci.agrees", "medium", "skip"),
        result("ci.differs", "high", "fail"),
        result("ci.known", "medium", "pass"),
        result("ci.fixed", "medium", "fail"),
        result("ci.unjudged", "low", "pass"),
        result("endpoint.live", "high", "skip"),
    ];
    let judged: Judgements = toml::from_str(
        r#"[checks]
"ci.agrees" = { expect = "skip", why = "nothing to judge", today = "skip" }
"ci.differs" = { expect = "pass", why = "ci.yml:3 make test", today = "fail" }
"ci.known" = { expect = "fail", why = "no lint", today = "pass", gap = "issue 11" }
"ci.fixed" = { expect = "fail", why = "no build", today = "pass", gap = "issue 11" }
"ci.gone" = { expect = "pass", why = "renamed", today = "pass" }
"#,
    )
    .unwrap();
    let out = compare("repo", &judged, &checks);

    assert_eq!((out.judged, out.agreed_now), (4, 2));
    assert_eq!((out.agreed_before, out.with_today), (1, 4));
    assert_eq!(out.gaps.len(), 1);
    assert!(out.gaps[0].contains("ci.known"));
    assert_eq!(out.problems.len(), 3, "{:#?}", out.problems);
    assert!(out.problems[0].contains("ci.differs"));
    assert!(out.problems[1].contains("ci.fixed") && out.problems[1].contains("remove the `gap`"));
    assert!(out.problems[2].contains("ci.gone"));
    assert_eq!(out.false_blockers.len(), 1);
    assert!(out.false_blockers[0].starts_with("ci.differs (high)"));
    assert_eq!(out.unjudged, vec!["ci.unjudged".to_string()]);
}

/// The first-blockers rule on made-up results: an unjudged first blocker is
/// a problem, one the reviewer calls a known gap is listed apart, a true one
/// is neither; blockers after the first few are not looked at.
#[test]
fn first_blockers_must_be_judged_real_failures() {
    let result = |id: &str| -> CheckResult {
        serde_json::from_value(serde_json::json!({
            "id": id, "title": "t", "category": "backups", "severity": "high",
            "stage": "beta", "status": "fail", "message": format!("{id} failed"),
            "description": "d", "remediation": "r", "effort": "30m",
            "effort_minutes": 30, "source": "test"
        }))
        .expect("a check result")
    };
    let checks = [
        result("backups.true"),
        result("backups.unjudged"),
        result("backups.gap"),
        result("backups.fourth"),
    ];
    let judged: Judgements = toml::from_str(
        r#"[checks]
"backups.true" = { expect = "fail", why = "no backup job", today = "fail" }
"backups.gap" = { expect = "pass", why = "docs/restore.md", today = "fail", gap = "prose" }
"#,
    )
    .unwrap();
    let blockers: Vec<&CheckResult> = checks.iter().collect();
    let mut out = compare("repo", &judged, &checks);
    let before = out.problems.len();
    judge_first_blockers(&mut out, &judged, &blockers);
    let added = &out.problems[before..];
    assert_eq!(added.len(), 1, "{added:#?}");
    assert!(added[0].contains("backups.unjudged") && added[0].contains("nobody judged"));
    assert_eq!(
        out.false_first_blockers,
        ["backups.gap (reviewer pass): prose"]
    );
    assert_eq!(
        out.first_blockers,
        [
            "backups.true (fail)",
            "backups.unjudged (not judged)",
            "backups.gap (pass)"
        ]
    );
}
