//! The tooling model on fixtures: for every project, whether its linter,
//! formatter and type checker are configured, and what enforces them (a CI
//! step in its folder, a commit hook), as two facts.

use readyctl::config::Config;
use readyctl::model::Status;
use readyctl::repo::facts::gather;
use readyctl::repo::tooling::{Kind, Tooling};
use readyctl::{AuditOptions, Catalog, audit};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn tooling(name: &str) -> Tooling {
    gather(&fixture(name), &Config::default(), &Default::default())
        .expect("the fixture reads")
        .tooling
}

/// (configured, enforced) of one tool of one project.
fn facts(tooling: &Tooling, dir: &str, kind: Kind) -> (Vec<String>, Vec<String>) {
    let project = tooling
        .projects
        .iter()
        .find(|p| p.dir == dir)
        .unwrap_or_else(|| panic!("no project `{dir}` in {tooling:#?}"));
    let tool = project
        .facts(kind)
        .unwrap_or_else(|| panic!("no {kind:?} facts for `{dir}`"));
    (tool.configured.clone(), tool.enforced.clone())
}

#[test]
fn configured_and_enforced_are_separate_facts_per_project() {
    let model = tooling("tooling-enforcement");
    let dirs: Vec<(&str, &str)> = model
        .projects
        .iter()
        .map(|p| (p.dir.as_str(), p.ecosystem))
        .collect();
    assert_eq!(
        dirs,
        [
            (".", "go"),
            ("admin", "node"),
            ("web", "node"),
            ("worker", "python")
        ]
    );

    // Enforced by CI: golangci-lint at the root lints, and checks formatting
    // because .golangci.yml enables gofmt.
    let run = vec!["CI ci.yml:12 golangci-lint run ./...".to_string()];
    assert_eq!(
        facts(&model, ".", Kind::Lint),
        (vec![".golangci.yml".to_string()], run.clone())
    );
    assert_eq!(
        facts(&model, ".", Kind::Format),
        (vec![".golangci.yml".to_string()], run)
    );

    // Enforced in one sub-project only: `npm run lint` runs in web/ (the
    // job's working directory); its Prettier is configured only, because the
    // check that may fail and the scheduled one enforce nothing.
    assert_eq!(
        facts(&model, "web", Kind::Lint).1,
        ["CI ci.yml:21 npm run lint → package.json:5 eslint ."]
    );
    let (configured, enforced) = facts(&model, "web", Kind::Format);
    assert_eq!(
        configured,
        ["web/.prettierrc", "web/package.json: prettier"]
    );
    assert!(enforced.is_empty(), "{enforced:?}");

    // Configured only: admin's ESLint configuration is never run, and the
    // lint in web/ does not reach it.
    assert_eq!(
        facts(&model, "admin", Kind::Lint),
        (vec!["admin/.eslintrc.json".to_string()], Vec::new())
    );
    assert_eq!(
        facts(&model, "admin", Kind::Format),
        (Vec::new(), Vec::new())
    );

    // Enforced by a hook: pre-commit's ruff and ruff-format hooks.
    assert_eq!(
        facts(&model, "worker", Kind::Lint),
        (
            vec!["worker/pyproject.toml".to_string()],
            vec![
                "hook .pre-commit-config.yaml:5 hook ruff → .pre-commit-config.yaml:5 ruff check"
                    .to_string()
            ]
        )
    );
    assert_eq!(
        facts(&model, "worker", Kind::Format).1,
        [
            "hook .pre-commit-config.yaml:6 hook ruff-format → .pre-commit-config.yaml:6 ruff format --check"
        ]
    );
}

#[test]
fn the_checks_name_the_projects_and_say_both_facts() {
    let report = audit(
        &fixture("tooling-enforcement"),
        &Catalog::builtin().expect("the built-in checks load"),
        &Config::default(),
        &AuditOptions::new("tooling-enforcement".to_string()),
    )
    .expect("the audit runs");
    let check = |id: &str| {
        report
            .checks
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("no {id}"))
    };
    let formatter = check("code_quality.formatter");
    assert_eq!(formatter.status, Status::Fail, "{}", formatter.message);
    let findings: Vec<(Option<&str>, &str)> = formatter
        .findings
        .iter()
        .map(|f| (f.path.as_deref(), f.message.as_str()))
        .collect();
    assert_eq!(
        findings,
        [
            (
                Some("admin/package.json"),
                "project `admin` (node): formatter not configured, not enforced in CI or a hook"
            ),
            (
                Some("web/package.json"),
                "project `web` (node): formatter configured (web/.prettierrc; web/package.json: prettier), not enforced in CI or a hook"
            ),
        ]
    );
    let linter = check("code_quality.linter");
    assert_eq!(linter.status, Status::Pass, "{}", linter.message);
    assert!(
        linter.message.contains(
            "`admin` (node): linter configured (admin/.eslintrc.json), not enforced in CI or a hook"
        ),
        "{}",
        linter.message
    );
    let enforced = check("code_quality.tools-enforced");
    assert_eq!(enforced.status, Status::Fail);
    let paths: Vec<&str> = enforced
        .findings
        .iter()
        .filter_map(|f| f.path.as_deref())
        .collect();
    assert_eq!(
        paths,
        [
            "admin/package.json",
            "admin/package.json",
            "web/package.json"
        ]
    );
}
