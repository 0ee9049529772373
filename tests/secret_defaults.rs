//! `fixtures/secret-defaults`: every fallback idiom is found at its line and
//! named by key and kind, and nothing else is reported as failing: not the
//! identifiers, labels, interpolations, comments, template slots, demo keys
//! and metadata names planted beside them, nor the same defaults in docs,
//! test and dev-tooling files (those are informational, with their role).

use readyctl::model::{Role, Status};
use readyctl::{AuditOptions, Catalog, Config, audit};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn report() -> readyctl::report::Report {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/secret-defaults");
    audit(
        &dir,
        &Catalog::builtin().unwrap(),
        &Config::default(),
        &AuditOptions::new("secret-defaults".to_string()),
    )
    .unwrap()
}

/// (check, path, line) of every production finding of the failing secrets
/// checks (the others are informational).
fn failing(report: &readyctl::report::Report) -> BTreeSet<(String, String, usize)> {
    report
        .checks
        .iter()
        .filter(|c| c.id.starts_with("secrets.") && c.status == Status::Fail)
        .flat_map(|c| {
            c.findings
                .iter()
                .filter(|f| f.role == Some(Role::Production))
                .filter_map(|f| Some((c.id.clone(), f.path.clone()?, f.line?)))
        })
        .collect()
}

#[test]
fn every_fallback_idiom_is_found_and_nothing_else_fails() {
    let report = report();
    let expected: BTreeSet<(String, String, usize)> = [
        ("secrets.dev-defaults", "app/env_helpers.py", 8),
        ("secrets.dev-defaults", "app/legacy_settings.py", 1),
        ("secrets.dev-defaults", "app/settings.py", 6),
        ("secrets.dev-defaults", "app/settings.py", 14),
        ("secrets.dev-defaults", "app/settings.py", 15),
        ("secrets.dev-defaults", "config/config.go", 6),
        ("secrets.dev-defaults", "config/config.go", 7),
        ("secrets.dev-defaults", "config/config.go", 15),
        ("secrets.dev-defaults", "config/database.yml", 2),
        // A YAML alias to an anchored default.
        ("secrets.dev-defaults", "config/replica.yml", 5),
        // A password equal to the user name beside it, in production
        // configuration (not in a task runner's file, a compose of backing
        // services only or for an engine the block does not select:
        // fixtures/secret-lookalikes).
        ("secrets.dev-defaults", "config/reporting.yml", 4),
        ("secrets.dev-defaults", "docker-compose.yml", 14),
        ("secrets.dev-defaults", "docker-compose.yml", 5),
        ("secrets.dev-defaults", "internal/auth/jwt.go", 4),
        ("secrets.dev-defaults", "internal/bootstrap/owner.go", 13),
        ("secrets.dev-defaults", "internal/server/server.go", 4),
        ("secrets.dev-defaults", "docker-compose.yml", 6),
        ("secrets.dev-defaults", "lib/config.rb", 2),
        ("secrets.dev-defaults", "lib/config.rb", 3),
        ("secrets.dev-defaults", "src/main.rs", 8),
        (
            "secrets.dev-defaults",
            "src/main/java/acme/Security.java",
            4,
        ),
        (
            "secrets.dev-defaults",
            "src/main/resources/application.properties",
            2,
        ),
        ("secrets.dev-defaults", "web/server.js", 1),
        ("secrets.dev-defaults", "web/server.js", 2),
        ("secrets.jwt-secret-strength", "config/config.go", 15),
        (
            "secrets.jwt-secret-strength",
            "internal/server/server.go",
            4,
        ),
        ("secrets.jwt-secret-strength", "web/server.js", 1),
        ("secrets.database-urls", "config/database.yml", 4),
    ]
    .into_iter()
    .map(|(c, p, l)| (c.to_string(), p.to_string(), l))
    .collect();
    let found = failing(&report);
    let missed: Vec<_> = expected.difference(&found).collect();
    let extra: Vec<_> = found.difference(&expected).collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "missed {missed:#?}\nunexpected {extra:#?}"
    );
}

#[test]
fn findings_name_the_key_and_the_kind_never_the_value() {
    let report = report();
    let defaults = report
        .checks
        .iter()
        .find(|c| c.id == "secrets.dev-defaults")
        .unwrap();
    let message = |path: &str, line: usize| {
        defaults
            .findings
            .iter()
            .find(|f| f.path.as_deref() == Some(path) && f.line == Some(line))
            .map(|f| f.message.clone())
            .unwrap_or_else(|| panic!("no finding at {path}:{line}"))
    };
    let spring = message("src/main/resources/application.properties", 2);
    assert!(spring.contains("`POSTGRES_PASS`"), "{spring}");
    assert!(spring.contains("9-character literal"), "{spring}");
    assert!(!spring.contains("petclinic"), "{spring}");
    let refresh = message("app/settings.py", 14);
    assert!(refresh.contains("`jwt_refresh_secret`"), "{refresh}");
    assert!(
        refresh.contains("too short for a JWT signing secret"),
        "{refresh}"
    );
    assert!(!refresh.contains("short-refresh"), "{refresh}");
    let django = message("app/settings.py", 6);
    assert!(django.contains("django-insecure-"), "{django}");
    assert!(!django.contains("q8zr2vxn4plk7tbw"), "{django}");
    let tag = message("config/config.go", 6);
    assert!(
        tag.contains("`DBPassword`") && tag.contains("well-known default"),
        "{tag}"
    );
    assert!(!tag.contains("postgres"), "{tag}");
    let constant = message("internal/auth/jwt.go", 4);
    assert!(
        constant.contains("`JWTSigningSecret`") && constant.contains("hard-coded 40-character"),
        "{constant}"
    );
    assert!(!constant.contains("Very Strong"), "{constant}");
    let helper = message("app/env_helpers.py", 8);
    assert!(
        helper.contains("`SECRET_KEY`") && helper.contains("too short"),
        "{helper}"
    );
    let owner = message("internal/bootstrap/owner.go", 13);
    assert!(
        owner.contains("`Password`") && !owner.contains("gopher"),
        "{owner}"
    );
    let shell = message("docker-compose.yml", 6);
    assert!(shell.contains("`API_TOKEN`"), "{shell}");
    let url = report
        .checks
        .iter()
        .find(|c| c.id == "secrets.database-urls")
        .unwrap();
    let remote = &url.findings[0].message;
    assert!(remote.contains("reports.acme-internal.io"), "{remote}");
    assert!(!remote.contains("Tq9x2Lm7"), "{remote}");
}

#[test]
fn non_production_defaults_are_informational_with_their_role() {
    let report = report();
    let defaults = report
        .checks
        .iter()
        .find(|c| c.id == "secrets.dev-defaults")
        .unwrap();
    // The docs and the dev compose file are counted apart from the failures.
    assert!(
        defaults.message.contains("docs 2") && defaults.message.contains("dev-tooling 1"),
        "{}",
        defaults.message
    );
    // Production findings come first; the informational ones follow, each
    // with its role.
    let roles: Vec<Option<Role>> = defaults.findings.iter().map(|f| f.role).collect();
    let first_other = roles
        .iter()
        .position(|r| *r != Some(Role::Production))
        .expect("informational findings are listed");
    assert!(
        roles[first_other..]
            .iter()
            .all(|r| matches!(r, Some(Role::Docs | Role::DevTooling))),
        "{roles:?}"
    );
}

#[test]
fn a_check_with_only_non_production_findings_passes_and_lists_them() {
    let report = report();
    let keys = report
        .checks
        .iter()
        .find(|c| c.id == "secrets.private-key")
        .unwrap();
    assert_eq!(keys.status, Status::Pass, "{}", keys.message);
    assert!(keys.message.contains("informational"), "{}", keys.message);
    let located: Vec<_> = keys
        .findings
        .iter()
        .map(|f| (f.path.as_deref(), f.line, f.role))
        .collect();
    assert_eq!(
        located,
        vec![(Some("docs/install.mdx"), Some(11), Some(Role::Docs))]
    );
}

/// `fixtures/secret-lookalikes`: what real repositories showed a reviewer
/// would not sign (issue 12). Exactly the planted production defaults fail;
/// the look-alikes are informational with their role, or not reported.
#[test]
fn look_alikes_do_not_fail_and_say_what_they_are() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/secret-lookalikes");
    let report = audit(
        &dir,
        &Catalog::builtin().unwrap(),
        &Config::default(),
        &AuditOptions::new("secret-lookalikes".to_string()),
    )
    .unwrap();
    let expected: BTreeSet<(String, String, usize)> = [
        ("secrets.database-urls", "worker.Dockerfile", 2),
        ("secrets.dev-defaults", "deploy/app.env", 2),
        ("secrets.dev-defaults", "docker-compose.yml", 7),
        ("secrets.dev-defaults", "k8s/db.yml", 14),
        ("secrets.dev-defaults", "worker.Dockerfile", 2),
        // A Vue component's script (parsed in place: the file's own line)
        // creating a first administrator with a well-known password.
        ("secrets.dev-defaults", "web/components/FirstRun.vue", 12),
        // An account built in `SetupAdmin`, beside the demo account built
        // in `SetupDemo` (homebox), which is not reported.
        ("secrets.dev-defaults", "internal/server/accounts.go", 18),
        // The binding's password; its `type`, `host`, `port`, `database`
        // and `username` are connection metadata.
        ("secrets.k8s-secret-literal", "k8s/db.yml", 14),
    ]
    .into_iter()
    .map(|(c, p, l)| (c.to_string(), p.to_string(), l))
    .collect();
    assert_eq!(failing(&report), expected);

    let defaults = report
        .checks
        .iter()
        .find(|c| c.id == "secrets.dev-defaults")
        .unwrap();
    let located: Vec<(&str, usize, Role)> = defaults
        .findings
        .iter()
        .filter_map(|f| Some((f.path.as_deref()?, f.line?, f.role?)))
        .collect();
    // A `.env` that sets a secret is committed; one with only the API's
    // URL is not reported.
    let env_files: Vec<(Option<&str>, Status)> = report
        .checks
        .iter()
        .filter(|c| c.id == "secrets.env-file")
        .flat_map(|c| {
            c.findings
                .iter()
                .map(move |f| (f.path.as_deref(), c.status))
        })
        .collect();
    assert_eq!(env_files, [(Some("api/.env"), Status::Fail)]);
    // The placeholder the application refuses to start with is no default
    // production runs with: a note says where it is refused.
    let refused: Vec<&str> = defaults
        .findings
        .iter()
        .filter(|f| f.path.is_none())
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(
        refused,
        [
            "not judged, placeholders the application refuses to start with: `deploy/app.env:1` (refused at `app/config.py:4`)"
        ],
        "{refused:?}"
    );
    // Two patterns match `password: "pass"`; it is one thing to fix.
    assert_eq!(
        located
            .iter()
            .filter(|(p, l, _)| *p == "k8s/db.yml" && *l == 14)
            .count(),
        1,
        "{located:?}"
    );
    let informational: BTreeSet<(&str, usize, Role)> = located
        .iter()
        .copied()
        .filter(|(_, _, role)| *role != Role::Production)
        .collect();
    let expected_informational: BTreeSet<(&str, usize, Role)> = [
        (".env.development", 2, Role::DevTooling),
        (".env.test", 2, Role::Test),
        ("api_tests/run.sh", 3, Role::Test),
        ("docker/dev.hjson", 5, Role::DevTooling),
        // Roles from what uses them: the compose mounts the dev config, a
        // test script names the federation config (and its compose mounts
        // it), the script that runs `cargo run` sources db-init.sh.
        ("docker/docker-compose.yml", 10, Role::DevTooling),
        ("docker/federation/alpha.hjson", 4, Role::Test),
        ("docker/federation/docker-compose.yml", 10, Role::Test),
        ("scripts/db-init.sh", 2, Role::DevTooling),
        ("pyproject.toml", 6, Role::Test),
        ("Makefile", 1, Role::Test),
        ("conf/app.conf.example", 3, Role::Example),
        ("contrib/bruno/Create a user.bru", 13, Role::Example),
        ("contrib/docker-compose/basic.yml", 6, Role::Example),
        ("scripts/start_dev_db.sh", 3, Role::DevTooling),
        // devenv.sh's development shell.
        ("devenv.nix", 4, Role::DevTooling),
        // Modules of a settings package named for CI and local runs (wger).
        ("app/settings/ci.py", 3, Role::Ci),
        ("app/settings/local_dev.py", 8, Role::DevTooling),
        // A connection only CI selects, CI configuration by its name, and
        // the listing a dev script writes from the program.
        ("config/database.php", 16, Role::Test),
        ("config/database.ci.yml", 4, Role::Ci),
        ("config/defaults.hjson", 5, Role::Generated),
    ]
    .into_iter()
    .collect();
    assert_eq!(informational, expected_informational);
    // Found on novu, hoppscotch, argo-cd, medusa, bitnami/charts, redash and
    // wiki.js: not
    // secrets at all, so not reported in any role by any secrets check.
    let never: Vec<(&str, &str, Option<usize>)> = report
        .checks
        .iter()
        .filter(|c| c.id.starts_with("secrets."))
        .flat_map(|c| {
            c.findings
                .iter()
                .filter_map(move |f| Some((c.id.as_str(), f.path.as_deref()?, f.line)))
        })
        .filter(|(_, path, _)| {
            [
                // An environment template named `.example.env`.
                "api/.example.env",
                // Variable names: a constant holding one, an enum naming
                // itself, a public build variable's fallback, keys made
                // to be public (PostHog project key, Nx Cloud read-only
                // token).
                "web/src/config.ts",
                "nx.json",
                // A Go constant naming a Secret's field, and ent's
                // generated column names (homebox).
                "internal/db/secret_keys.go",
                "internal/db/user_fields.go",
                // PEM blocks with `...` or a sentence for a body.
                "web/components/KeyField.vue",
                "charts/app/values.yaml",
                // A PEM header alone, in a prefix test.
                "internal/tls/keys.go",
                // A switch whose name mentions credentials (redash), and
                // two fields of a GraphQL type (wiki.js).
                "app/flags.py",
                "schema/auth.graphql",
            ]
            .contains(path)
        })
        .collect();
    assert!(never.is_empty(), "{never:#?}");
    // The OpenAPI document's example token is documentation: reported with
    // its role at most, never failing (the exact failing set is above).
    let jwt = report
        .checks
        .iter()
        .find(|c| c.id == "secrets.jwt-tokens")
        .unwrap();
    let example_tokens: Vec<(Option<&str>, Option<Role>)> = jwt
        .findings
        .iter()
        .map(|f| (f.path.as_deref(), f.role))
        .collect();
    assert_eq!(
        example_tokens,
        [(Some("server/openapi.yaml"), Some(Role::Docs))],
        "{example_tokens:?}"
    );
    // The environment template, the typed field, the throttle rate, the
    // form field, the translation label, the build stage's dummy URL and
    // the loopback-only database stack and the public demo account of a
    // login form's component are in no secrets finding.
    for check in report
        .checks
        .iter()
        .filter(|c| c.id.starts_with("secrets."))
    {
        for finding in &check.findings {
            let path = finding.path.as_deref().unwrap_or_default();
            assert!(
                ![
                    "Dockerfile",
                    "backing/docker-compose.yml",
                    "podman/env.sample",
                    "server/models/User.ts",
                    "app/throttle.py",
                    "web/setup.ts",
                    "web/locales/de.json",
                    "web/components/LoginForm.vue",
                ]
                .contains(&path),
                "{}: {path}:{:?} {}",
                check.id,
                finding.line,
                finding.message
            );
        }
    }
}

/// Go's `bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)`: the
/// cost is read past the first argument's own parentheses (missed on
/// shiori and memos before).
#[test]
fn bcrypt_cost_is_read_past_nested_calls() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/secret-lookalikes");
    let config = Config::parse(
        "readyctl.toml",
        "[checks]\nenable = [\"security.password-hash-cost-strict\"]\n",
    )
    .unwrap();
    let report = audit(
        &dir,
        &Catalog::builtin().unwrap(),
        &config,
        &AuditOptions::new("secret-lookalikes".to_string()),
    )
    .unwrap();
    let status = |id: &str| {
        let check = report.checks.iter().find(|c| c.id == id).unwrap();
        let at: Vec<_> = check
            .findings
            .iter()
            .filter_map(|f| Some((f.path.clone()?, f.line?)))
            .collect();
        (check.status, at)
    };
    assert_eq!(
        status("security.password-hash-cost-strict"),
        (Status::Fail, vec![("internal/auth/hash.go".to_string(), 7)])
    );
    assert_eq!(status("security.password-hash-cost").0, Status::Pass);
}
