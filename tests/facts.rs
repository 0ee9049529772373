//! `readyctl facts`: the repository model as a user sees it, on fixtures
//! built for each class of file the model tells apart.

mod common;

use common::readyctl;

fn facts(fixture: &str, json: bool) -> String {
    let mut cmd = readyctl();
    cmd.arg("facts").arg(format!("fixtures/{fixture}"));
    if json {
        cmd.arg("--json");
    }
    let output = cmd.output().expect("readyctl runs");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).expect("utf-8 output")
}

#[test]
fn vendored_and_generated_files() {
    insta::assert_snapshot!(facts("vendored-tree", false));
}

#[test]
fn runtime_dockerfile_among_packaging_test_and_dev_images() {
    insta::assert_snapshot!(facts("dockerfile-roles", false));
}

#[test]
fn compose_base_with_production_overlay() {
    insta::assert_snapshot!(facts("compose-overlays", false));
}

#[test]
fn kustomize_production_overlay_and_helm_chart() {
    insta::assert_snapshot!(facts("helm-kustomize", false));
}

#[test]
fn translation_catalogues() {
    insta::assert_snapshot!(facts("translation-catalogue", false));
}

#[test]
fn json_names_roles_projects_and_choices() {
    let json: serde_json::Value =
        serde_json::from_str(&facts("compose-overlays", true)).expect("valid JSON");
    insta::assert_json_snapshot!(json);
}

#[test]
fn roles_in_readyctl_toml_override_conventions() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("lib/acme")).unwrap();
    std::fs::write(dir.path().join("lib/acme/acme.js"), "export {}\n").unwrap();
    std::fs::write(dir.path().join("package.json"), "{}\n").unwrap();
    std::fs::write(
        dir.path().join("readyctl.toml"),
        "[roles]\nvendored = [\"lib/\"]\n",
    )
    .unwrap();
    let output = readyctl()
        .args(["facts", "--json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let vendored = json["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["role"] == "vendored")
        .unwrap();
    assert_eq!(vendored["examples"][0], "lib/acme/acme.js");
}

#[test]
fn ci_pipelines_jobs_triggers_and_step_classes() {
    let text = facts("ci-github", false);
    let ci = &text[text.find("CI and hooks").expect("a CI section")..];
    assert!(
        ci.contains(".github/workflows/ci.yml (github-actions, on pull_request, push)"),
        "{ci}"
    );
    assert!(
        ci.contains("job deploy-production [environment production; needs deploy-staging]"),
        "{ci}"
    );
    assert!(
        ci.contains(".github/workflows/ci.yml:18 build, test"),
        "{ci}"
    );
    let json: serde_json::Value = serde_json::from_str(&facts("ci-github", true)).unwrap();
    assert_eq!(json["ci"]["systems"], serde_json::json!(["github-actions"]));
}

/// The CI section whole: pipelines with their triggers, jobs with their
/// flags (disabled, may fail, services) and what each step was found to do.
#[test]
fn ci_section_with_services_ignored_failures_and_disabled_jobs() {
    let ci_section = |fixture: &str| {
        let text = facts(fixture, false);
        let start = text.find("CI and hooks").expect("a CI section");
        let rest = &text[start..];
        // The section ends at the next heading (a line without indentation).
        let end = rest[1..].find("\n\n").map_or(rest.len(), |i| i + 1);
        rest[..end].to_string()
    };
    insta::assert_snapshot!(format!(
        "{}\n{}\n{}",
        ci_section("ci-github"),
        ci_section("ci-services-missing"),
        ci_section("ci-compose-services")
    ));
}
