//! The `readyctl audit` command line with live targets: `--url`,
//! `--target` with headers from the environment, `--offline`, `--ca-cert`.

mod live_support;

use assert_cmd::Command;
use live_support::*;
use std::sync::Arc;

const TOKEN: &str = "s3cret-token-4f1c9a";

fn readyctl() -> Command {
    let mut command = Command::cargo_bin("readyctl").unwrap();
    command
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .env("NO_COLOR", "1");
    command
}

/// A repository whose readyctl.toml names a target with an auth header.
fn repo_with_target(lab: &Lab, https: std::net::SocketAddr) -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    std::fs::write(repo.path().join("README.md"), "# Service\n").unwrap();
    let ca = lab.ca.write_pem(repo.path());
    let closed = lab.closed_port();
    std::fs::write(
        repo.path().join("readyctl.toml"),
        format!(
            "[live]\ntimeout = \"2s\"\nca_cert = \"{}\"\n\n[targets.staging]\nurl = \"{}\"\n\
             headers = {{ Authorization = {{ env = \"READYCTL_TEST_TOKEN\" }} }}\n\
             ports = {{ 5432 = {closed}, 3306 = {closed}, 6379 = {closed}, 27017 = {closed}, 9200 = {closed} }}\n",
            ca.file_name().unwrap().to_string_lossy(),
            url("https", https)
        ),
    )
    .unwrap();
    repo
}

#[test]
fn a_named_target_is_probed_with_its_secret_header_kept_out_of_every_report() {
    let lab = Lab::new();
    let https = lab.https(lab.ca.leaf(365), good_handler());
    let repo = repo_with_target(&lab, https);

    for format in ["json", "table", "markdown"] {
        let output = readyctl()
            .arg("audit")
            .arg(repo.path())
            .args(["--target", "staging", "--format", format, "--exit-zero"])
            // The table's full listing: live targets and their probes.
            .arg("--details")
            .env("READYCTL_TEST_TOKEN", TOKEN)
            .output()
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(output.status.success(), "{format}: {stderr}");
        assert!(
            !stdout.contains(TOKEN) && !stderr.contains(TOKEN),
            "{format} leaks the token"
        );
        assert!(stdout.contains("/health"), "{format}: {stdout}");
        if format == "json" {
            let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
            assert_eq!(json["targets"][0]["name"], "staging");
            let health = json["checks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"] == "endpoint.health")
                .unwrap();
            assert_eq!(health["status"], "pass", "{health}");
            assert_eq!(health["target"], "staging");
        }
    }
    let requests = lab.requests();
    assert!(!requests.is_empty());
    let expected = TOKEN.to_string();
    assert!(
        requests
            .iter()
            .all(|r| r.header("authorization") == Some(expected.as_str())),
        "every request carries the target's header"
    );
}

#[test]
fn a_missing_environment_variable_is_a_usage_error() {
    let lab = Lab::new();
    let https = lab.https(lab.ca.leaf(365), good_handler());
    let repo = repo_with_target(&lab, https);
    readyctl()
        .arg("audit")
        .arg(repo.path())
        .args(["--target", "staging"])
        .env_remove("READYCTL_TEST_TOKEN")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("READYCTL_TEST_TOKEN"));
    readyctl()
        .arg("audit")
        .arg(repo.path())
        .args(["--target", "production"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("known: staging"));
    assert!(lab.requests().is_empty());
}

#[test]
fn url_flag_table_shows_targets_probes_and_latencies() {
    let lab = Lab::new();
    let https = lab.https(lab.ca.leaf(365), good_handler());
    let repo = tempfile::tempdir().unwrap();
    let ca = lab.ca.write_pem(repo.path());
    let output = readyctl()
        .arg("audit")
        .arg(repo.path())
        .args(["--url", &url("https", https), "--ca-cert"])
        .arg(&ca)
        .args(["--timeout", "2s", "--exit-zero", "--details"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("Live targets (1):"), "{stdout}");
    assert!(
        stdout.contains(&format!("GET {}/health → 200", url("https", https))),
        "{stdout}"
    );
    assert!(stdout.contains("p95"), "{stdout}");
    assert!(stdout.contains("TLS localhost:"), "{stdout}");
}

#[test]
fn offline_contacts_nothing() {
    let lab = Lab::new();
    let counted: Handler = Arc::new(|_: &Request| Reply::new(200, "ok"));
    let http = lab.http(counted);
    let repo = tempfile::tempdir().unwrap();
    let output = readyctl()
        .arg("audit")
        .arg(repo.path())
        .args([
            "--url",
            &url("http", http),
            "--offline",
            "--format",
            "json",
            "--exit-zero",
        ])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let live: Vec<&serde_json::Value> = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"].as_str().unwrap().starts_with("endpoint."))
        .collect();
    assert!(!live.is_empty());
    assert!(live.iter().all(|c| c["status"] == "skip"));
    assert!(lab.requests().is_empty());
}

#[test]
fn a_bad_url_is_a_usage_error() {
    readyctl()
        .args(["audit", ".", "--url", "ftp://example.com"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("only http:// and https://"));
}

/// A live check's `when` reads the repository: an endpoint only some
/// services have is probed only where the code says it exists.
#[test]
fn a_live_check_with_when_is_probed_only_where_it_applies() {
    let lab = Lab::new();
    let packs = tempfile::tempdir().unwrap();
    std::fs::write(
        packs.path().join("metrics.yaml"),
        "- id: endpoint.custom-metrics\n  title: Metrics are exposed\n  category: monitoring\n  \
         severity: medium\n  stage: production\n  description: d\n  remediation: r\n  effort: 1h\n  \
         when:\n    content_match: { paths: ['**/*.go'], pattern: prometheus }\n  \
         rule:\n    http: { path: /metrics, status: 200 }\n",
    )
    .unwrap();
    let target = format!("http://127.0.0.1:{}", lab.closed_port());
    let status = |repo: &std::path::Path| -> (String, String) {
        let output = readyctl()
            .arg("audit")
            .arg(repo)
            .arg("--checks")
            .arg(packs.path())
            .args([
                "--url",
                &target,
                "--timeout",
                "2s",
                "--format",
                "json",
                "--exit-zero",
            ])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let check = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "endpoint.custom-metrics")
            .unwrap()
            .clone();
        (
            check["status"].as_str().unwrap().to_string(),
            check["message"].as_str().unwrap().to_string(),
        )
    };

    let without = tempfile::tempdir().unwrap();
    let (state, message) = status(without.path());
    assert_eq!(state, "skip", "{message}");
    assert!(message.starts_with("not applicable"), "{message}");

    let with = tempfile::tempdir().unwrap();
    std::fs::write(
        with.path().join("main.go"),
        "import \"github.com/prometheus/client_golang/prometheus\"\n",
    )
    .unwrap();
    // Probed: the port is closed, so the probe is an error with the reason.
    let (state, message) = status(with.path());
    assert_eq!(state, "error", "{message}");
    assert!(message.contains("/metrics"), "{message}");
}
