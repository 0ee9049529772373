//! Dead and hostile endpoints: every one ends in `error` results with a
//! clear reason, within the timeouts, and the rest of the audit is reported.

mod live_support;

use live_support::*;
use readyctl::check::{Origin, PackSource};
use readyctl::live::Target;
use readyctl::model::Status;
use readyctl::{AuditOptions, Catalog, Config, PackLoader, Report};
use std::sync::Arc;
use std::time::Duration;

fn audit_with(options: readyctl::live::LiveOptions) -> Report {
    let repo = tempfile::tempdir().unwrap();
    let catalog = Catalog::builtin().unwrap();
    let mut audit_options = AuditOptions::new("repo");
    audit_options.live = options;
    readyctl::audit(repo.path(), &catalog, &Config::default(), &audit_options).unwrap()
}

fn check<'a>(report: &'a Report, id: &str) -> &'a readyctl::report::CheckResult {
    report
        .checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no result for {id}"))
}

fn assert_error(report: &Report, id: &str, reason: &str) {
    let result = check(report, id);
    assert_eq!(result.status, Status::Error, "{id}: {}", result.message);
    assert!(
        result.message.contains(reason),
        "{id}: `{}` should mention `{reason}`",
        result.message
    );
}

/// Repository checks are still evaluated and scored.
fn assert_repository_checks_reported(report: &Report) {
    assert!(
        report
            .checks
            .iter()
            .any(|c| c.target.is_none() && c.status != Status::Skip),
        "repository checks are missing"
    );
}

#[test]
fn a_target_that_refuses_connections_gives_errors_with_the_reason() {
    let lab = Lab::new();
    let down = format!("https://localhost:{}", lab.closed_port());
    let report = audit_with(options(&lab, vec![target("down", &down, None, &[])]));
    assert_error(&report, "endpoint.metrics", "cannot connect");
    assert_error(&report, "endpoint.tls-certificate", "cannot connect");
    assert_repository_checks_reported(&report);
    assert!(
        report.targets[0]
            .probes
            .iter()
            .all(|p| p.error.is_some() || p.kind == "tcp" || p.kind == "redis")
    );
}

#[test]
fn a_server_that_never_answers_times_out() {
    let lab = Lab::new();
    let silent = url("https", lab.silent());
    let mut live = options(&lab, vec![target("silent", &silent, None, &[])]);
    live.timeout = Duration::from_millis(300);
    let report = audit_with(live);
    assert_error(&report, "endpoint.metrics", "timed out");
    assert_error(&report, "endpoint.tls-certificate", "timed out");
    assert_repository_checks_reported(&report);
}

#[test]
fn the_overall_deadline_stops_what_is_still_running() {
    let lab = Lab::new();
    let silent = url("https", lab.silent());
    let mut live = options(&lab, vec![target("silent", &silent, None, &[])]);
    live.timeout = Duration::from_secs(30);
    live.deadline = Duration::from_millis(400);
    let report = audit_with(live);
    assert_error(&report, "endpoint.metrics", "overall deadline");
    assert_repository_checks_reported(&report);
}

#[test]
fn a_redirect_loop_is_reported_as_such() {
    let lab = Lab::new();
    let looping: Handler =
        Arc::new(|request: &Request| Reply::new(302, "").header("location", &request.path));
    let https = lab.https(lab.ca.leaf(365), looping);
    let report = audit_with(options(
        &lab,
        vec![target("loop", &url("https", https), None, &[])],
    ));
    assert_error(&report, "endpoint.metrics", "redirect loop");
}

#[test]
fn a_redirect_to_another_host_is_not_followed() {
    let lab = Lab::new();
    let away: Handler = Arc::new(|_: &Request| {
        Reply::new(302, "").header("location", "https://elsewhere.invalid/metrics")
    });
    let https = lab.https(lab.ca.leaf(365), away);
    let report = audit_with(options(
        &lab,
        vec![target("away", &url("https", https), None, &[])],
    ));
    let metrics = check(&report, "endpoint.metrics");
    assert_eq!(metrics.status, Status::Fail, "{}", metrics.message);
    assert!(
        metrics.message.contains("status 302"),
        "{}",
        metrics.message
    );
}

#[test]
fn enormous_and_compression_bomb_bodies_are_cut_off() {
    let lab = Lab::new();
    let bomb = Arc::new(gzip_bomb(16 * 1024 * 1024));
    let hostile: Handler = Arc::new(move |request: &Request| match request.path.as_str() {
        "/metrics" => Reply {
            status: 200,
            endless: true,
            ..Reply::default()
        },
        _ => Reply {
            status: 404,
            headers: vec![("content-encoding".into(), "gzip".into())],
            body: bomb.as_ref().clone(),
            ..Reply::default()
        },
    });
    let https = lab.https(lab.ca.leaf(365), hostile);
    let report = audit_with(options(
        &lab,
        vec![target("hostile", &url("https", https), None, &[])],
    ));
    assert_error(&report, "endpoint.metrics", "larger than");
    assert_error(&report, "endpoint.not-found", "larger than");
    // Header checks on the same response still work.
    assert_eq!(check(&report, "endpoint.nosniff").status, Status::Fail);
}

#[test]
fn an_untrusted_certificate_is_an_error_unless_insecure() {
    let lab = Lab::new();
    let https = lab.https(self_signed_leaf(), good_handler());
    let targets = || vec![target("self-signed", &url("https", https), None, &[])];

    let report = audit_with(options(&lab, targets()));
    assert_error(
        &report,
        "endpoint.tls-certificate",
        "not issued by a trusted CA",
    );
    assert_error(&report, "endpoint.health", "certificate");

    let mut insecure = options(&lab, targets());
    insecure.insecure = true;
    let report = audit_with(insecure);
    let tls = check(&report, "endpoint.tls-certificate");
    assert_eq!(tls.status, Status::Pass, "{}", tls.message);
    assert!(
        tls.findings
            .iter()
            .any(|f| f.message.contains("ignored by --insecure"))
    );
    assert_eq!(check(&report, "endpoint.health").status, Status::Pass);
}

#[test]
fn a_slow_service_reports_percentiles_and_fails_the_latency_check() {
    let lab = Lab::new();
    let slow: Handler = Arc::new(|request: &Request| match request.path.as_str() {
        "/health" => Reply::new(200, "ok").delay(Duration::from_millis(250)),
        _ => Reply::new(404, "no"),
    });
    let https = lab.https(lab.ca.leaf(365), slow);
    let report = audit_with(options(
        &lab,
        vec![target("slow", &url("https", https), None, &[])],
    ));
    assert_eq!(check(&report, "endpoint.health").status, Status::Pass);
    let latency = check(&report, "endpoint.health-latency");
    assert_eq!(latency.status, Status::Fail, "{}", latency.message);
    assert!(latency.message.contains("p95"), "{}", latency.message);
    let probe = report.targets[0]
        .probes
        .iter()
        .find(|p| p.probe.ends_with("/health"))
        .unwrap();
    let stats = probe.latency_ms.as_ref().unwrap();
    assert_eq!(stats.samples, 20);
    assert!(stats.min >= 250.0, "{stats:?}");
}

#[test]
fn offline_and_targetless_audits_skip_live_checks_with_the_reason() {
    let lab = Lab::new();
    let report = audit_with(options(&lab, Vec::new()));
    let health = check(&report, "endpoint.health");
    assert_eq!(health.status, Status::Skip);
    assert!(health.message.contains("no target"), "{}", health.message);
    assert!(health.target.is_none());
    assert!(report.targets.is_empty());

    // --offline with a target: nothing is contacted, not even a closed port.
    let never: Target = target("never", "https://localhost:9", None, &[]);
    let mut offline = options(&lab, vec![never]);
    offline.offline = true;
    let report = audit_with(offline);
    let health = check(&report, "endpoint.health");
    assert_eq!(health.status, Status::Skip);
    assert!(health.message.contains("offline"), "{}", health.message);
    assert_eq!(health.target.as_deref(), Some("never"));
    assert!(report.targets[0].skipped.is_some());
    assert!(lab.requests().is_empty());
}

fn load_pack(text: &str, origin: Origin) -> Result<Catalog, readyctl::LoadError> {
    let mut loader = PackLoader::new();
    loader.add_text(
        PackSource {
            origin,
            name: ".readyctl/checks/live.yaml".into(),
            path: None,
        },
        text,
    );
    loader.finish()
}

const PACK: &str = "\
- id: endpoint.custom
  title: A custom live check of the team
  category: monitoring
  severity: low
  stage: beta
  description: d
  remediation: r
  effort: 30m
  rule:
    http: { path: PATH, status: 200 }
";

#[test]
fn packs_cannot_name_hosts() {
    for path in [
        "https://evil.example/x",
        "//evil.example/x",
        "evil.example/x",
    ] {
        let pack = PACK.replace("PATH", &format!("\"{path}\""));
        let error = load_pack(&pack, Origin::Repository)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("live.yaml:10:19:") && error.contains("checks never name hosts"),
            "{path}: {error}"
        );
    }
    assert!(load_pack(&PACK.replace("PATH", "/status"), Origin::Repository).is_ok());
}

#[test]
fn a_repository_live_check_probes_only_the_given_target() {
    let lab = Lab::new();
    let https = lab.https(lab.ca.leaf(365), good_handler());
    let catalog = load_pack(&PACK.replace("PATH", "/ready"), Origin::Repository).unwrap();
    let repo = tempfile::tempdir().unwrap();
    let mut audit_options = AuditOptions::new("repo");
    audit_options.live = options(&lab, vec![target("t", &url("https", https), None, &[])]);
    let report =
        readyctl::audit(repo.path(), &catalog, &Config::default(), &audit_options).unwrap();
    assert_eq!(report.checks.len(), 1);
    assert_eq!(
        report.checks[0].status,
        Status::Pass,
        "{}",
        report.checks[0].message
    );
    assert_eq!(lab.requests().len(), 1);
    assert_eq!(lab.requests()[0].path, "/ready");
}
