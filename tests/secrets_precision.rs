//! Precision of the secrets and security findings on real repositories, as a
//! reviewer judged them one by one in `tests/real/precision/findings.toml`.
//!
//! Every finding in front of a user is judged: the located findings of
//! secrets checks in production or packaging files (what fails a secrets
//! check; the others are informational) and the located findings of failing
//! security checks. The test audits each repository the file names (archives
//! in `../shared/real-repos` and `../shared/precision-repos`; an absent one
//! is skipped), and fails when
//! - a finding has no verdict (judge it: add a row),
//! - a finding judged `real` is gone (a recall loss),
//! - a finding marked `fixed` is back,
//! - secrets precision of a set of archives falls under its floor ([`SETS`]).
//!
//! `cargo test --test secrets_precision -- --nocapture` prints precision
//! before (rows without `new`) and now (rows without `fixed`).

use readyctl::model::{Category, Role, Status};
use readyctl::report::CheckResult;
use readyctl::{AuditOptions, Catalog, Config, audit};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

#[path = "real_support/archive.rs"]
mod archive;
use archive::{root, shared_dir, unpacked};

/// Secrets precision each set of archives must keep: the target on
/// the reviewed set; on the wider set, what was reached (raise it as
/// precision improves).
const SETS: [(&str, &str, f64); 2] = [
    ("real-repos", "READYCTL_REAL_REPOS", 0.95),
    ("precision-repos", "READYCTL_PRECISION_REPOS", 0.95),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Verdicts {
    finding: Vec<Row>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    repo: String,
    check: String,
    at: String,
    #[serde(default = "one")]
    count: usize,
    verdict: Verdict,
    why: String,
    /// How many readyctl gives today, when it changed.
    #[serde(default)]
    now: Option<usize>,
    #[serde(default)]
    fixed: Option<String>,
    #[serde(default)]
    new: bool,
}

fn one() -> usize {
    1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Verdict {
    Real,
    NotSecret,
    Placeholder,
    Example,
    Docs,
    TestOnly,
    DevOnly,
    Public,
}

fn verdicts() -> Verdicts {
    let path = root().join("tests/real/precision/findings.toml");
    let text = std::fs::read_to_string(&path).expect("findings.toml exists");
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The findings a user is shown as failing, `check|path:line` with counts.
fn shown(checks: &[CheckResult]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for check in checks.iter().filter(|c| c.status == Status::Fail) {
        let graded = match check.category {
            Category::Secrets => true,
            Category::Security => false,
            _ => continue,
        };
        for finding in &check.findings {
            let Some(path) = &finding.path else { continue };
            if graded && !matches!(finding.role, Some(Role::Production | Role::Packaging)) {
                continue;
            }
            let key = format!("{}|{}:{}", check.id, path, finding.line.unwrap_or(0));
            *out.entry(key).or_default() += 1;
        }
    }
    out
}

fn category(check: &str) -> &str {
    check.split('.').next().unwrap_or(check)
}

#[test]
fn rows_are_well_formed() {
    let rows = verdicts().finding;
    let mut keys = BTreeSet::new();
    for row in &rows {
        let key = format!("{}|{}|{}", row.repo, row.check, row.at);
        assert!(keys.insert(key.clone()), "{key} is judged twice");
        assert!(!row.why.trim().is_empty(), "{key} has no reason");
        assert!(
            !(row.verdict == Verdict::Real && (row.fixed.is_some() || row.now == Some(0))),
            "{key}: a real finding cannot be fixed away"
        );
        assert!(
            matches!(category(&row.check), "secrets" | "security"),
            "{key}: only secrets and security findings are judged here"
        );
    }
}

#[test]
fn secrets_findings_on_real_repositories_are_what_a_reviewer_signs() {
    let rows = verdicts().finding;
    let repos: BTreeSet<&str> = rows.iter().map(|r| r.repo.as_str()).collect();
    let dirs: Vec<(&str, f64, PathBuf)> = SETS
        .iter()
        .filter_map(|(name, env, floor)| shared_dir(env, name).map(|d| (*name, *floor, d)))
        .collect();
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("real-repos");
    std::fs::create_dir_all(&cache).unwrap();
    let catalog = Catalog::builtin().expect("built-in packs load");
    let config = Config::default();

    type Audited<'a> = (String, &'a str, f64, BTreeMap<String, usize>);
    let audited: Vec<Audited<'_>> = std::thread::scope(|scope| {
        let handles: Vec<_> = repos
            .iter()
            .filter_map(|repo| {
                let found = dirs.iter().find_map(|(set, floor, dir)| {
                    let archive = dir.join(format!("{repo}.tar.zst"));
                    archive.is_file().then_some((*set, *floor, archive))
                });
                if found.is_none() {
                    println!("secrets_precision: {repo} skipped, no archive");
                }
                found.map(|(set, floor, archive)| (repo.to_string(), set, floor, archive))
            })
            .map(|(repo, set, floor, archive)| {
                let (cache, catalog, config) = (&cache, &catalog, &config);
                scope.spawn(move || {
                    let path = unpacked(&archive, cache, &repo);
                    let report = audit(&path, catalog, config, &AuditOptions::new(repo.clone()))
                        .unwrap_or_else(|e| panic!("auditing {repo}: {e}"));
                    (repo, set, floor, shown(&report.checks))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    if audited.is_empty() {
        println!("secrets_precision: skipped, no archives found");
        return;
    }

    let mut problems = Vec::new();
    // (real, all) per set of archives and category, before and now.
    let mut before: BTreeMap<(&str, &str), (usize, usize)> = BTreeMap::new();
    let mut now: BTreeMap<(&str, &str), (usize, usize)> = BTreeMap::new();
    let mut floors: BTreeMap<&str, f64> = BTreeMap::new();
    for (repo, set, floor, mut found) in audited {
        floors.insert(set, floor);
        for row in rows.iter().filter(|r| r.repo == repo) {
            let key = format!("{}|{}", row.check, row.at);
            let real = usize::from(row.verdict == Verdict::Real);
            let cat = (set, category(&row.check));
            if !row.new {
                let b = before.entry(cat).or_default();
                b.0 += real * row.count;
                b.1 += row.count;
            }
            let present = found.remove(&key).unwrap_or(0);
            let expected = if row.fixed.is_some() {
                0
            } else {
                row.now.unwrap_or(row.count)
            };
            if present == expected {
                let c = now.entry(cat).or_default();
                c.0 += real * present;
                c.1 += present;
            } else if let Some(fixed) = &row.fixed {
                problems.push(format!(
                    "{repo} {key}: marked fixed ({fixed}) but shown {present} time(s) again"
                ));
            } else {
                problems.push(format!(
                    "{repo} {key}: judged {:?}, expected {expected} finding(s), readyctl shows {present}{}",
                    row.verdict,
                    if real == 1 && present == 0 {
                        " (a real finding was lost)"
                    } else {
                        ""
                    }
                ));
            }
        }
        for (key, n) in found {
            problems.push(format!(
                "{repo} {key}: not judged (x{n}): add a row to tests/real/precision/findings.toml"
            ));
        }
    }

    let percent = |(real, all): (usize, usize)| {
        if all == 0 {
            "-".to_string()
        } else {
            format!("{real}/{all} = {:.1}%", 100.0 * real as f64 / all as f64)
        }
    };
    println!("\nprecision of shown findings (real / all), before -> now:");
    for set in floors.keys() {
        for cat in ["secrets", "security"] {
            println!(
                "  {set} {cat}: {} -> {}",
                percent(before.get(&(*set, cat)).copied().unwrap_or_default()),
                percent(now.get(&(*set, cat)).copied().unwrap_or_default())
            );
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
    for (set, floor) in floors {
        let (real, all) = now.get(&(set, "secrets")).copied().unwrap_or_default();
        if all > 0 {
            assert!(
                real as f64 / all as f64 >= floor,
                "{set}: secrets precision {} is under the floor {floor}",
                percent((real, all))
            );
        }
    }
}
