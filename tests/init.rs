//! `readyctl init`, `completions` and `man`: what a team runs once to adopt
//! readyctl, checked on throwaway repositories.

mod common;

use common::readyctl;
use std::fs;
use std::path::Path;

fn init(dir: &Path, args: &[&str]) -> std::process::Output {
    readyctl().arg("init").arg(dir).args(args).output().unwrap()
}

fn go_service(dir: &Path) {
    fs::write(dir.join("go.mod"), "module example.com/api\n\ngo 1.22\n").unwrap();
    fs::write(
        dir.join("main.go"),
        "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n",
    )
    .unwrap();
}

#[test]
fn init_writes_a_commented_config_that_readyctl_loads() {
    let dir = tempfile::tempdir().unwrap();
    go_service(dir.path());
    let output = init(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = fs::read_to_string(dir.path().join("readyctl.toml")).unwrap();
    assert!(text.contains("#   Languages: go"), "{text}");
    assert!(text.contains("#   Kind: service"), "{text}");
    assert!(text.contains("# [[waivers]]"));
    assert!(text.contains("# expires = \""));
    assert!(text.contains("# [targets.staging]"));
    assert!(text.contains("ready = 90"));
    // No CI system detected: no CI file.
    assert!(!dir.path().join(".github").exists());

    // The written file is a config readyctl accepts, and matches the schema.
    let audit = readyctl()
        .arg("audit")
        .arg(dir.path())
        .args(["--format", "json", "--exit-zero"])
        .output()
        .unwrap();
    assert_eq!(audit.status.code(), Some(0), "{audit:?}");
    let schema: serde_json::Value = serde_json::from_str(&readyctl::schema::config()).unwrap();
    let value: serde_json::Value = toml::from_str(&text).unwrap();
    assert!(jsonschema::is_valid(&schema, &value));
}

#[test]
fn init_never_overwrites_without_force() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("readyctl.toml"), "# mine\n").unwrap();
    let output = init(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("already exists") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("readyctl.toml")).unwrap(),
        "# mine\n"
    );

    let output = init(dir.path(), &["--force"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        fs::read_to_string(dir.path().join("readyctl.toml"))
            .unwrap()
            .contains("[gate]")
    );
}

#[test]
fn init_writes_a_github_workflow_that_gates_and_uploads_sarif() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join(".github")).unwrap();
    let output = init(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = fs::read_to_string(dir.path().join(".github/workflows/readyctl.yml")).unwrap();
    // The readyctl Action runs the audit and uploads SARIF even when the
    // gate fails (tests/adoption.rs covers the Action itself).
    assert!(text.contains("uses: readyctl/readyctl@"), "{text}");
    assert!(text.contains("upload-sarif: true"));
    assert!(text.contains("security-events: write"));
    let workflow: serde_json::Value = serde_saphyr::from_str(&text).expect("valid YAML");
    assert!(workflow["jobs"]["readiness"]["steps"].is_array());

    // Existing workflow: refused, and the config is not half-written.
    let again = tempfile::tempdir().unwrap();
    fs::create_dir_all(again.path().join(".github/workflows")).unwrap();
    fs::write(again.path().join(".github/workflows/readyctl.yml"), "x").unwrap();
    assert_eq!(init(again.path(), &[]).status.code(), Some(2));
    assert!(!again.path().join("readyctl.toml").exists());
}

#[test]
fn init_writes_a_gitlab_job_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let output = init(dir.path(), &["--ci", "gitlab"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = fs::read_to_string(dir.path().join(".gitlab/readyctl.gitlab-ci.yml")).unwrap();
    let job: serde_json::Value = serde_saphyr::from_str(&text).expect("valid YAML");
    let script = job["readyctl"]["script"].to_string();
    assert!(script.contains("--report sarif=readyctl.sarif"), "{script}");
    assert!(
        script.contains("sha256sum -c"),
        "the download is verified: {script}"
    );
    assert!(!script.contains("cargo install"), "{script}");
    assert_eq!(
        job["readyctl"]["artifacts"]["reports"]["junit"],
        "readyctl-junit.xml"
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("include:"));
}

#[test]
fn completions_and_man_page_come_from_the_cli_definition() {
    let output = readyctl().args(["completions", "bash"]).output().unwrap();
    assert!(output.status.success());
    let script = String::from_utf8(output.stdout).unwrap();
    assert!(script.contains("readyctl") && script.contains("--report"));

    let output = readyctl().args(["completions", "zsh"]).output().unwrap();
    assert!(output.status.success());

    let output = readyctl().arg("man").output().unwrap();
    assert!(output.status.success());
    let page = String::from_utf8(output.stdout).unwrap();
    assert!(
        page.starts_with(".ie") || page.contains(".TH readyctl"),
        "{page}"
    );
    assert!(page.contains("audit"));
}
