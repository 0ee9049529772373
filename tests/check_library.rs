//! Every built-in check is proven on fixture repositories.
//!
//! `tests/expectations/<fixture>.toml` lists, for `fixtures/<fixture>/`, which
//! checks must pass, fail or be skipped. This test audits each fixture with
//! the built-in packs and asserts those statuses, then demands that every
//! built-in repository check has been seen passing somewhere and failing (or
//! skipped) somewhere else: a check nobody has watched fail is not proven.

use readyctl::model::Status;
use readyctl::{AuditOptions, Catalog, Config, audit};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expectations {
    #[serde(default)]
    pass: Vec<String>,
    #[serde(default)]
    fail: Vec<String>,
    #[serde(default)]
    skip: Vec<String>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn expectation_files() -> Vec<(String, Expectations)> {
    let dir = root().join("tests/expectations");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/expectations exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            let parsed: Expectations =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (name, parsed)
        })
        .collect()
}

/// Checks of git data, proven on repositories `tests/git.rs` builds (a
/// fixture folder cannot hold a `.git` of its own).
const PROVEN_IN_GIT_TESTS: &[&str] = &[
    "ci.release-tags",
    "code_quality.clean-worktree",
    "code_quality.tracked-ignored",
    "docs.changelog-latest-tag",
    "docs.project-status",
    "secrets.history",
];

/// Live endpoint checks are proven against loopback servers instead.
fn needs_a_fixture(id: &str) -> bool {
    !id.starts_with("endpoint.") && !PROVEN_IN_GIT_TESTS.contains(&id)
}

#[test]
fn fixtures_meet_their_expectations_and_every_check_is_proven() {
    let catalog = Catalog::builtin().expect("built-in packs load");
    let known: BTreeSet<&str> = catalog.checks().iter().map(|c| c.id.as_str()).collect();
    let mut seen_pass = BTreeSet::new();
    let mut seen_not_pass = BTreeSet::new();
    let mut problems = Vec::new();

    for (fixture, expected) in expectation_files() {
        let path = root().join("fixtures").join(&fixture);
        assert!(
            path.is_dir(),
            "tests/expectations/{fixture}.toml has no fixtures/{fixture}/"
        );
        let config =
            Config::load_optional(&path.join("readyctl.toml")).expect("fixture config loads");
        let report = audit(
            &path,
            &catalog,
            &config,
            &AuditOptions::new(fixture.clone()),
        )
        .unwrap_or_else(|e| panic!("auditing {fixture}: {e}"));
        let statuses: BTreeMap<&str, Status> = report
            .checks
            .iter()
            .map(|c| (c.id.as_str(), c.status))
            .collect();
        let groups = [
            (Status::Pass, &expected.pass),
            (Status::Fail, &expected.fail),
            (Status::Skip, &expected.skip),
        ];
        for (want, ids) in groups {
            for id in ids {
                if !known.contains(id.as_str()) {
                    problems.push(format!("{fixture}: `{id}` is not a built-in check"));
                    continue;
                }
                let got = statuses[id.as_str()];
                if got != want {
                    let message = report
                        .checks
                        .iter()
                        .find(|c| &c.id == id)
                        .map(|c| c.message.clone());
                    problems.push(format!(
                        "{fixture}: `{id}` expected {want}, got {got}: {}",
                        message.unwrap_or_default()
                    ));
                }
                if want == Status::Pass {
                    seen_pass.insert(id.clone());
                } else {
                    seen_not_pass.insert(id.clone());
                }
            }
        }
    }

    for check in catalog.checks().iter().filter(|c| needs_a_fixture(&c.id)) {
        if !seen_pass.contains(&check.id) {
            problems.push(format!("`{}` has no fixture on which it passes", check.id));
        }
        if !seen_not_pass.contains(&check.id) {
            problems.push(format!(
                "`{}` has no fixture on which it fails or is skipped",
                check.id
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn every_builtin_check_is_documented() {
    let catalog = Catalog::builtin().unwrap();
    for check in catalog.checks() {
        let where_ = format!("{} ({})", check.id, check.source);
        assert!(check.title.len() > 10, "{where_}: title too short");
        assert!(
            check.description.split_whitespace().count() >= 8,
            "{where_}: description should say what and why"
        );
        assert!(
            check.remediation.split_whitespace().count() >= 5,
            "{where_}: remediation should say how to fix"
        );
        let prefix = check.id.split('.').next().unwrap_or_default();
        let category = check.category.id();
        // Short forms keep ids readable: `docs.readme`, `infra.non-root-user`;
        // live checks share the `endpoint.` prefix whatever their category.
        let prefix_ok = category.starts_with(prefix)
            || (prefix == "docs" && category == "documentation")
            || prefix == "endpoint";
        assert!(
            prefix_ok,
            "{where_}: id should start with its category (`{category}`)"
        );
    }
}
