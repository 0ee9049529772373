//! The CI model read from fixture repositories: every CI system, every
//! indirection, and the negatives (a test command in a comment, an `echo`,
//! a disabled job, a step allowed to fail).

use readyctl::repo::ci::{CiModel, Place, read};
use std::path::PathBuf;

fn model(fixture: &str) -> CiModel {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(fixture);
    read(&root, &Default::default()).expect("the fixture reads")
}

/// Every command chain (as `ci.yml:23 make x → Makefile:2 y`) of the steps
/// that have `class`, in the pipelines at `place`.
fn chains(model: &CiModel, class: &str, place: Place) -> Vec<String> {
    let mut found = Vec::new();
    for pipeline in model.pipelines.iter().filter(|p| p.place == place) {
        for job in pipeline.jobs.iter().filter(|j| !j.disabled) {
            for step in &job.steps {
                for command in step
                    .commands
                    .iter()
                    .filter(|c| c.classes.iter().any(|k| k == class))
                {
                    found.push(command.describe());
                }
            }
        }
    }
    found
}

#[test]
#[ignore = "prints the model of $CI_DUMP for inspection"]
fn dump() {
    let path = std::env::var("CI_DUMP").unwrap();
    let model = read(std::path::Path::new(&path), &Default::default()).unwrap();
    println!("{}", serde_json::to_string_pretty(&model).unwrap());
}

#[test]
fn github_actions_through_make_scripts_composite_actions_and_reusable_workflows() {
    let model = model("ci-github");
    assert_eq!(model.systems, ["github-actions"]);
    assert_eq!(
        chains(&model, "test", Place::Ci),
        ["ci.yml:18 make richtest → Makefile:5 richgo test ./..."]
    );
    let lint = chains(&model, "lint", Place::Ci);
    assert_eq!(
        lint,
        ["ci.yml:19 ./scripts/lint → lint:4 golangci-lint run ./..."]
    );
    // A comment in the script naming golangci-lint is not a second command;
    // `test -z "$(gofmt -l .)"` runs gofmt.
    assert_eq!(
        chains(&model, "format-check", Place::Ci),
        ["ci.yml:19 ./scripts/lint → lint:5 gofmt -l ."]
    );
    assert!(
        chains(&model, "build", Place::Ci).contains(
            &"ci.yml:16 uses ./.github/actions/setup → action.yml:7 make build → Makefile:11 go build -o bin/shop .".to_string()
        )
    );
    // The reusable workflow is counted where it is called (the `scan` job
    // and the nightly schedule), not on its own.
    let ci = model
        .pipelines
        .iter()
        .find(|p| p.path.ends_with("ci.yml"))
        .unwrap();
    let scan = ci.jobs.iter().find(|j| j.id == "scan").unwrap();
    assert_eq!(scan.steps[0].classes, ["secret-scan"]);
    assert!(
        model
            .pipelines
            .iter()
            .any(|p| p.path.ends_with("_scan.yml") && p.called_only)
    );
    let test = ci.jobs.iter().find(|j| j.id == "test").unwrap();
    assert_eq!(test.services, ["postgres:16"]);
    let production = ci
        .jobs
        .iter()
        .find(|j| j.id == "deploy-production")
        .unwrap();
    assert_eq!(production.environment.as_deref(), Some("production"));
    assert_eq!(production.needs, ["deploy-staging"]);
}

#[test]
fn comments_echo_disabled_jobs_and_ignored_failures_are_not_tests_that_count() {
    let model = model("ci-negatives");
    let ci = &model.pipelines[0];
    let check = ci.jobs.iter().find(|j| j.id == "check").unwrap();
    // The commented-out step and the `run:` block with a comment, an echo and
    // a printf yield only the `go install`, which is no build; the Python
    // script is not read as shell (its docstring names `go test`).
    let texts: Vec<String> = check
        .steps
        .iter()
        .flat_map(|s| s.commands.iter().map(|c| c.describe()))
        .collect();
    assert_eq!(
        texts,
        [
            "ci.yml:9 uses actions/checkout@v4",
            "ci.yml:15 go install golang.org/x/tools/cmd/goimports@latest",
            "ci.yml:17 go test ./...",
            "ci.yml:20 govulncheck ./...",
            "ci.yml:22 python scripts/notes.py",
        ]
    );
    assert!(check.steps[1].classes.is_empty());
    assert!(check.steps[2].allow_failure && check.steps[3].allow_failure);
    assert!(
        ci.jobs
            .iter()
            .find(|j| j.id == "old-tests")
            .unwrap()
            .disabled
    );
}

#[test]
fn gitlab_includes_extends_anchors_and_stages() {
    let model = model("ci-gitlab");
    let gitlab = &model.pipelines[0];
    let ids: Vec<&str> = gitlab.jobs.iter().map(|j| j.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "test",
            "lint",
            "audit",
            "weekly-audit",
            "deploy-staging",
            "deploy-production"
        ]
    );
    assert_eq!(
        chains(&model, "test", Place::Ci),
        ["templates.yml:12 tox → tox.ini:8 pytest -q"]
    );
    assert_eq!(
        chains(&model, "format-check", Place::Ci),
        [".gitlab-ci.yml:12 tox -e lint → tox.ini:13 ruff format --check ."]
    );
    let test = &gitlab.jobs[0];
    // `extends: .python` brings the template's before_script.
    assert_eq!(
        test.steps[0].commands[0].describe(),
        "templates.yml:4 pip install tox"
    );
    assert_eq!(test.services, ["postgres:16"]);
    assert!(gitlab.jobs[2].allow_failure);
    let production = &gitlab.jobs[5];
    assert!(production.needs.contains(&"deploy-staging".to_string()));
    let events: Vec<&str> = gitlab
        .job_triggers(&gitlab.jobs[3])
        .iter()
        .map(|t| t.event.id())
        .collect();
    assert_eq!(events, ["schedule"]);
}

#[test]
fn every_other_ci_system_is_read() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "ci-woodpecker",
            "woodpecker",
            &["test.yml:12 pnpm test → package.json:6 vitest run"],
        ),
        (
            "ci-circleci",
            "circleci",
            &[
                "config.yml:15 bunx playwright test",
                "config.yml:19 uses node/test",
            ],
        ),
        (
            "ci-travis",
            "travis",
            &[
                ".travis.yml:7 bash ./scripts/coverage.sh → coverage.sh:4 go test -coverprofile=profile.out $d",
            ],
        ),
        (
            "ci-drone",
            "drone",
            &[".drone.yml:8 just test → justfile:7 cargo nextest run"],
        ),
        ("ci-jenkins", "jenkins", &["Jenkinsfile:8 ./mvnw -B verify"]),
        (
            "ci-azure",
            "azure-pipelines",
            &["azure-pipelines.yml:15 ./gradlew check"],
        ),
        (
            "ci-bitbucket",
            "bitbucket-pipelines",
            &[
                "bitbucket-pipelines.yml:9 docker compose run --rm tests → docker-compose.yml:4 pytest -q",
            ],
        ),
        (
            "ci-buildkite",
            "buildkite",
            &["pipeline.yml:3 task test → Taskfile.yml:6 go test ./..."],
        ),
    ];
    for (fixture, system, tests) in cases {
        let model = model(fixture);
        assert_eq!(model.systems, [*system], "{fixture}");
        assert!(model.problems.is_empty(), "{fixture}: {:?}", model.problems);
        assert_eq!(chains(&model, "test", Place::Ci), *tests, "{fixture}");
    }
}

#[test]
fn build_plugins_npm_chains_and_cargo_aliases_are_followed() {
    let jenkins = model("ci-jenkins");
    assert_eq!(
        chains(&jenkins, "lint", Place::Ci),
        ["Jenkinsfile:8 ./mvnw -B verify → pom.xml:10 checkstyle"]
    );
    let azure = model("ci-azure");
    assert_eq!(
        chains(&azure, "lint", Place::Ci),
        ["azure-pipelines.yml:15 ./gradlew check → build.gradle.kts:3 detekt"]
    );
    let circle = model("ci-circleci");
    assert_eq!(
        chains(&circle, "type-check", Place::Ci),
        [
            "config.yml:14 npm run ci → package.json:5 npm run typecheck → package.json:6 tsc --noEmit"
        ]
    );
    let drone = model("ci-drone");
    assert_eq!(
        chains(&drone, "lint", Place::Ci),
        [".drone.yml:12 cargo lint → config.toml:2 cargo clippy --all-targets -- -D warnings"]
    );
    let woodpecker = model("ci-woodpecker");
    assert_eq!(
        chains(&woodpecker, "format-check", Place::Ci),
        [
            "test.yml:15 pnpm lint → package.json:7 npm-run-all lint:* → package.json:9 prettier --check ."
        ]
    );
}

#[test]
fn commit_hooks_are_a_second_place_checks_run() {
    let model = model("ci-hooks");
    assert!(model.systems.is_empty());
    assert_eq!(
        chains(&model, "format-check", Place::Hook),
        [
            ".pre-commit-config.yaml:6 hook ruff-format → .pre-commit-config.yaml:6 ruff format --check"
        ]
    );
    assert_eq!(
        chains(&model, "type-check", Place::Hook),
        [".pre-commit-config.yaml:9 hook types → .pre-commit-config.yaml:9 uv run mypy hooked"]
    );
    assert_eq!(
        chains(&model, "test", Place::Hook),
        ["lefthook.yml:4 uv run pytest -q"]
    );
    let husky = model_of_woodpecker_hooks();
    assert_eq!(
        husky,
        ["pre-commit:1 npx lint-staged → package.json:12 eslint --fix"]
    );
}

#[test]
fn lint_staged_configs_dotenv_and_named_workspaces_are_followed() {
    let model = model("ci-node-wrappers");
    assert_eq!(
        chains(&model, "lint", Place::Hook),
        [
            "pre-commit:1 npx lint-staged → lint-staged.config.cjs:3 npm run lint:staged → package.json:7 biome check --write --no-errors-on-unmatched",
            "pre-commit:1 npx lint-staged → lint-staged.config.cjs:4 npm run lint:staged → package.json:7 biome check --write --no-errors-on-unmatched",
        ]
    );
    // `npm run x -- args` appends the args to x; dotenv's own options end
    // at `--`; `-w @acme/db` is that workspace only.
    assert_eq!(
        chains(&model, "migrate", Place::Ci),
        [
            "e2e.yml:10 npm run e2e:prepare → package.json:8 npm run with:env -- npm run migrate -w @acme/db → package.json:9 dotenv -e .env -e .env.local -- npm run migrate -w @acme/db → package.json:5 prisma migrate deploy"
        ]
    );
}

fn model_of_woodpecker_hooks() -> Vec<String> {
    chains(&model("ci-woodpecker"), "lint", Place::Hook)
}

#[test]
fn trivy_scans_for_secrets_only_when_its_scanners_say_so() {
    let model = model("ci-trivy");
    // Each step's classes, disabled jobs included: `all-scanners.yml` holds
    // the cases that do scan for secrets. In `configured.yml` the scanners
    // come from TRIVY_SCANNERS (the job's env, an `export`) and from the
    // `scan.scanners` of a configuration file (`--config`, `trivy-config`).
    let mut steps = Vec::new();
    for pipeline in &model.pipelines {
        for job in &pipeline.jobs {
            for step in &job.steps {
                if step.uses.as_deref().is_some_and(|u| u.contains("trivy"))
                    || step.commands.iter().any(|c| c.describe().contains("trivy"))
                {
                    let short = pipeline.path.rsplit('/').next().unwrap_or_default();
                    steps.push(format!("{short}:{} {:?}", step.line, step.classes));
                }
            }
        }
    }
    steps.sort();
    assert_eq!(
        steps,
        [
            r#"all-scanners.yml:13 ["dependency-audit", "secret-scan"]"#,
            r#"all-scanners.yml:17 ["image-scan", "secret-scan"]"#,
            r#"all-scanners.yml:20 ["dependency-audit", "secret-scan"]"#,
            r#"configured.yml:15 ["dependency-audit"]"#,
            r#"configured.yml:20 ["dependency-audit"]"#,
            r#"configured.yml:21 ["dependency-audit"]"#,
            r#"configured.yml:25 ["image-scan"]"#,
            r#"scan.yml:12 ["dependency-audit"]"#,
            r#"scan.yml:18 ["image-scan"]"#,
        ]
    );
}

#[test]
fn script_lists_are_one_shell_and_documentation_sites_are_no_deploys() {
    let model = model("ci-woodpecker");
    let docs = model
        .pipelines
        .iter()
        .find(|p| p.path == ".woodpecker/docs.yml")
        .expect("the docs pipeline is read");
    let commands: Vec<(&str, &str, &[String])> = docs
        .jobs
        .iter()
        .flat_map(|j| j.steps.iter().flat_map(|s| s.commands.iter()))
        .map(|c| {
            (
                c.chain.last().unwrap().text.as_str(),
                c.dir.as_str(),
                c.classes.as_slice(),
            )
        })
        .collect();
    // `cd docs` in one line of the list moves the lines after it.
    assert!(
        commands
            .iter()
            .any(|(text, dir, _)| *text == "npx vitepress build" && *dir == "docs"),
        "{commands:?}"
    );
    // Publishing the documentation site deploys no product.
    assert!(
        commands
            .iter()
            .all(|(_, _, classes)| !classes.iter().any(|c| c == "deploy")),
        "{commands:?}"
    );
}

#[test]
fn manifests_applied_to_a_throwaway_cluster_are_no_deploy() {
    let cluster = model("ci-test-cluster");
    // Both jobs start a cluster (the kind action; `kind create cluster`)
    // before applying to it.
    assert_eq!(chains(&cluster, "test-cluster", Place::Ci).len(), 2);
    assert_eq!(chains(&cluster, "deploy", Place::Ci), Vec::<String>::new());
    assert_eq!(
        chains(&cluster, "rollback", Place::Ci),
        Vec::<String>::new()
    );
    // A kubectl apply with no cluster started in its job still deploys.
    let negatives = model("ci-negatives");
    assert_eq!(
        chains(&negatives, "deploy", Place::Ci),
        ["ci.yml:32 kubectl apply -f k8s/"]
    );
}

#[test]
fn maven_plugins_run_only_when_bound_to_a_phase_the_build_reaches() {
    let model = model("ci-test-cluster");
    assert_eq!(
        chains(&model, "format-check", Place::Ci),
        [
            "build.yml:11 ./mvnw -B package → pom.xml:19 mvn spring-javaformat:validate",
            "build.yml:16 ./gradlew check → build.gradle:4 gradle checkFormat",
        ]
    );
    // Checkstyle is only managed; SpotBugs runs in `verify`, after `package`.
    assert_eq!(chains(&model, "lint", Place::Ci), Vec::<String>::new());
}

#[test]
fn lint_staged_formatters_enforce_and_notifications_do_not_deploy() {
    let model = model("ci-staged-formatter");
    // A formatter built by a lint-staged function rewrites and stages the
    // committed files; the linter beside it is no format check.
    assert_eq!(
        chains(&model, "format-check", Place::Hook),
        ["pre-commit:1 npx lint-staged → lint-staged.config.mjs:3 oxfmt"]
    );
    assert_eq!(
        chains(&model, "deploy", Place::Ci),
        ["ci.yml:20 npx fly deploy --remote-only"]
    );
}

#[test]
fn gitlab_variables_configure_the_tools_jobs_run() {
    let model = model("ci-gitlab-variables");
    let pipeline = &model.pipelines[0];
    let classes = |id: &str| -> Vec<String> {
        let job = pipeline.jobs.iter().find(|j| j.id == id).unwrap();
        job.steps.iter().flat_map(|s| s.classes.clone()).collect()
    };
    // Global `TRIVY_SCANNERS: vuln`; the job's own variable wins.
    assert_eq!(classes("dependencies"), ["dependency-audit"]);
    assert_eq!(classes("secrets"), ["secret-scan"]);
}

#[test]
fn pre_commit_files_and_exclude_narrow_the_folders_a_hook_checks() {
    let model = model("hooks-narrowed");
    let commands: Vec<_> = model
        .pipelines
        .iter()
        .flat_map(|p| &p.jobs)
        .flat_map(|j| &j.steps)
        .flat_map(|s| &s.commands)
        .collect();
    let prettier = commands
        .iter()
        .find(|c| c.describe().contains("prettier"))
        .unwrap();
    assert_eq!(prettier.dir, "web");
    let ruff = commands
        .iter()
        .find(|c| c.describe().contains("ruff format"))
        .unwrap();
    assert_eq!(
        (ruff.dir.as_str(), ruff.excluded.as_slice()),
        ("", &["web".to_string()][..])
    );
}

#[test]
fn a_release_with_notes_the_job_wrote_is_release_automation() {
    let script = model("ci-release-script");
    assert_eq!(
        chains(&script, "release-notes", Place::Ci),
        [
            "release.yml:17 gh release create $GITHUB_REF_NAME --title $GITHUB_REF_NAME --notes-file ./dist/notes.md"
        ]
    );
    // Notes from a file nothing in the job writes are hand-kept.
    let negatives = model("ci-negatives");
    assert!(chains(&negatives, "release-notes", Place::Ci).is_empty());
    assert_eq!(chains(&negatives, "release", Place::Ci).len(), 1);
}

#[test]
fn gofmt_checks_only_when_its_output_is_tested() {
    let tested = model("ci-gofmt");
    assert_eq!(
        chains(&tested, "format-check", Place::Ci),
        [
            "ci.yml:9 make fmt-check → Makefile:8 gofmt -l .",
            "ci.yml:12 goimports -l .",
            "ci.yml:16 gofumpt -d .",
        ]
    );
    // make's `$(shell …)` runs its command (here through `$(VERSION)`);
    // an unset `$(GOFLAGS)` runs nothing.
    let build: Vec<String> = tested.pipelines[0].jobs[0].steps[1]
        .commands
        .iter()
        .map(|c| c.describe())
        .collect();
    assert_eq!(
        build,
        [
            "ci.yml:8 make build",
            "ci.yml:8 make build → Makefile:5 git describe --tags --always",
            "ci.yml:8 make build → Makefile:5 date -u +%Y-%m-%d",
            "ci.yml:8 make build → Makefile:5 go build $_ -ldflags -X main.version=$(git describe --tags --always) -X main.date=$(date -u +%Y-%m-%d) -o bin/app .",
        ]
    );
    let untested = model("ci-gofmt-untested");
    assert!(chains(&untested, "format-check", Place::Ci).is_empty());
    assert!(chains(&untested, "format-check", Place::Hook).is_empty());
}

#[test]
fn triggers_say_which_event_and_branches_start_a_pipeline() {
    let triggers = |fixture: &str, file: &str| -> Vec<(String, Vec<String>)> {
        model(fixture)
            .pipelines
            .iter()
            .find(|p| p.path.ends_with(file))
            .expect("the pipeline")
            .triggers
            .iter()
            .map(|t| (t.event.id().to_string(), t.branches.clone()))
            .collect()
    };
    let on = |event: &str, branches: &[&str]| {
        (
            event.to_string(),
            branches.iter().map(|b| b.to_string()).collect::<Vec<_>>(),
        )
    };
    assert_eq!(triggers("ci-negatives", "ci.yml"), [on("push", &["main"])]);
    assert_eq!(
        triggers("ci-release-script", "release.yml"),
        [on("tag", &["v*"])]
    );
    assert_eq!(
        triggers("ci-trivy", "all-scanners.yml"),
        [on("manual", &[])]
    );
}

/// Service containers, whichever system declares them, and the datastores
/// a job's steps start themselves: every one is a service of the job.
#[test]
fn service_containers_of_every_system_and_those_steps_start() {
    let services = |fixture: &str, system: &str| -> Vec<String> {
        model(fixture)
            .pipelines
            .iter()
            .filter(|p| p.system == system)
            .flat_map(|p| p.jobs.iter().flat_map(|j| j.services.clone()))
            .collect()
    };
    assert_eq!(services("ci-services", "github-actions"), ["postgres:16"]);
    assert_eq!(services("ci-services", "woodpecker"), ["redis:7"]);
    assert_eq!(services("ci-services", "drone"), ["mysql:8"]);
    assert_eq!(services("ci-gitlab", "gitlab-ci"), ["postgres:16"]);
    // CircleCI: the images after the first.
    assert_eq!(services("ci-circleci", "circleci"), ["cimg/postgres:16.0"]);
    // `docker compose up -d --wait db`.
    assert_eq!(
        services("ci-compose-services", "github-actions"),
        ["postgres:16"]
    );
    // `docker compose run --rm tests` starts what `tests` depends on.
    assert_eq!(
        services("ci-bitbucket", "bitbucket-pipelines"),
        ["docker", "postgres:16"]
    );
}

/// Anchore's action scans the image it is given, and audits the
/// dependencies of a path; the trivy action's image-ref is an image scan.
#[test]
fn image_scans_are_told_from_directory_scans() {
    let scanned = model("ci-image-scan");
    assert_eq!(
        chains(&scanned, "image-scan", Place::Ci),
        [
            "image.yml:13 uses aquasecurity/trivy-action@0.28.0 → image.yml:13 trivy image --scanners vuln",
            "weekly.yml:10 uses anchore/scan-action@v6 → weekly.yml:10 grype ghcr.io/example/imagescan:latest",
        ]
    );
    let missing = model("ci-image-scan-missing");
    assert_eq!(
        chains(&missing, "dependency-audit", Place::Ci),
        [
            "ci.yml:13 grype dir:. --fail-on high",
            "ci.yml:14 uses anchore/scan-action@v6 → ci.yml:14 grype dir:.",
        ]
    );
    // Still read, though allowed to fail or run by hand: the check decides.
    assert_eq!(
        chains(&missing, "image-scan", Place::Ci),
        [
            "ci.yml:18 trivy image --exit-code 1 app:ci",
            "manual.yml:9 docker scout cves ghcr.io/example/noimagescan:latest",
        ]
    );
}

/// Jenkins `bat` steps are scripts like `sh`; `nox -s` runs the sessions it
/// names (a Python version suffix included) and a bare `nox` those of
/// `nox.options.sessions`, not every session of the noxfile.
#[test]
fn jenkins_bat_steps_and_the_nox_sessions_they_choose() {
    let model = model("ci-jenkins-windows");
    assert_eq!(model.systems, ["jenkins"]);
    assert_eq!(
        chains(&model, "test", Place::Ci),
        [
            "Jenkinsfile:7 nox -s tests-3.12 → noxfile.py:11 pytest -q tests",
            "Jenkinsfile:17 nox → noxfile.py:11 pytest -q tests",
        ]
    );
    // The lint and type-check sessions are never chosen; the `echo` and
    // `REM` lines and the commented-out step name ruff but run nothing.
    assert!(chains(&model, "lint", Place::Ci).is_empty());
    assert!(chains(&model, "type-check", Place::Ci).is_empty());
}

/// `poetry run`, `pipenv run`, `uv run`, `bundle exec` and `uvx` only run
/// the command after them, unless it names a Pipfile script (`pipenv run
/// lint`); `prek run` runs the pre-commit hooks.
#[test]
fn python_and_ruby_runners_are_wrappers() {
    let model = model("ci-wrappers");
    assert_eq!(
        chains(&model, "test", Place::Ci),
        ["ci.yml:9 poetry run ./scripts/test → test:4 pytest -q --cov=app tests"]
    );
    assert_eq!(
        chains(&model, "lint", Place::Ci),
        [
            "ci.yml:10 pipenv run flake8 src",
            "ci.yml:12 bundle exec rubocop",
            "ci.yml:14 pipenv run lint --statistics → Pipfile:7 flake8 src --statistics",
        ]
    );
    assert_eq!(
        chains(&model, "type-check", Place::Ci),
        ["ci.yml:11 uv run --frozen mypy src"]
    );
    assert_eq!(
        chains(&model, "format-check", Place::Ci),
        [
            "ci.yml:12 bundle exec rubocop",
            "ci.yml:13 uvx prek run --all-files → .pre-commit-config.yaml:5 hook ruff-format → .pre-commit-config.yaml:5 ruff format --check",
        ]
    );
}

/// `include: - template: Jobs/Container-Scanning.gitlab-ci.yml` adds the
/// template's job; a job the project writes under its name tunes it or, with
/// `when: never`, switches it off.
#[test]
fn gitlab_security_templates_add_their_jobs() {
    let model = model("ci-gitlab-templates");
    let gitlab = &model.pipelines[0];
    let jobs: Vec<(&str, bool)> = gitlab
        .jobs
        .iter()
        .map(|j| (j.id.as_str(), j.disabled))
        .collect();
    assert_eq!(
        jobs,
        [
            ("build", false),
            ("test", false),
            ("container_scanning", false),
            ("sast", false),
            ("secret_detection", true),
        ]
    );
    assert_eq!(
        chains(&model, "image-scan", Place::Ci),
        [".gitlab-ci.yml:2 uses template Jobs/Container-Scanning.gitlab-ci.yml"]
    );
    // The template jobs run in the `test` stage, after the build.
    assert_eq!(gitlab.jobs[2].needs, ["build"]);
}

/// `composer ci` runs composer.json's script list: `@cs` and `@test` are
/// other scripts, `@php x` runs PHP on a file, `@putenv` and a PHP callback
/// run no command; `composer run-script dev` serves and tests nothing.
#[test]
fn composer_scripts_are_followed() {
    let model = model("ci-composer");
    assert_eq!(
        chains(&model, "test", Place::Ci),
        [
            "ci.yml:10 composer ci → composer.json:24 composer test → composer.json:18 php vendor/bin/phpunit"
        ]
    );
    assert_eq!(
        chains(&model, "format-check", Place::Ci),
        ["ci.yml:10 composer ci → composer.json:24 composer cs → composer.json:19 pint --test"]
    );
    assert_eq!(
        chains(&model, "lint", Place::Ci),
        [
            "ci.yml:10 composer ci → composer.json:24 composer analyse → composer.json:22 phpstan analyse --memory-limit 1G"
        ]
    );
}
