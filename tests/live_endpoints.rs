//! Every built-in endpoint check, proven on loopback services: each passes
//! on a well-configured HTTPS service and fails on a badly configured one.

mod live_support;

use live_support::*;
use readyctl::live::Target;
use readyctl::model::Status;
use readyctl::{AuditOptions, Catalog, Config, Report};
use std::collections::BTreeMap;

fn audit(lab: &Lab, targets: Vec<Target>, config: &str) -> Report {
    let repo = tempfile::tempdir().unwrap();
    let catalog = Catalog::builtin().unwrap();
    let config = Config::parse("readyctl.toml", config).unwrap();
    let mut audit_options = AuditOptions::new("repo");
    audit_options.live = options(lab, targets);
    readyctl::audit(repo.path(), &catalog, &config, &audit_options).unwrap()
}

const ENABLE_RATE_LIMIT: &str = "[checks]\nenable = [\"endpoint.rate-limit\"]\n";

/// Status and message of every endpoint check on one target.
fn results(report: &Report, target: &str) -> BTreeMap<String, (Status, String)> {
    report
        .checks
        .iter()
        .filter(|c| c.target.as_deref() == Some(target))
        .map(|c| (c.id.clone(), (c.status, c.message.clone())))
        .collect()
}

/// The checks of the built-in pack that need nothing declared on the
/// target; those on `[targets.NAME] paths`, `static`… are proven in
/// `tests/live_declared.rs`.
fn endpoint_ids() -> Vec<String> {
    Catalog::builtin()
        .unwrap()
        .checks()
        .iter()
        .filter(|c| c.id.starts_with("endpoint."))
        .filter(|c| !format!("{:?}", c.rule).starts_with("Declared("))
        .map(|c| c.id.clone())
        .collect()
}

#[test]
fn every_endpoint_check_passes_on_a_well_configured_service() {
    let lab = Lab::new();
    let https = lab.https(lab.ca.leaf(365), good_handler());
    let http = lab.http(redirect_to(https));
    let closed = lab.closed_port();
    let redis = lab.redis(true);
    let good = target(
        "good",
        &url("https", https),
        Some(url("http", http)),
        &all_datastores_to(closed),
    );
    // The same service with its Redis reachable (and demanding a password).
    let with_redis = target(
        "good-redis",
        &url("https", https),
        None,
        &[(6379, redis.port())],
    );
    let report = audit(&lab, vec![good, with_redis], ENABLE_RATE_LIMIT);

    let good = results(&report, "good");
    let mut problems = Vec::new();
    for id in endpoint_ids() {
        let (status, message) = &good[&id];
        // With nothing on 6379 there is no Redis to check on `good`.
        let expected = if id == "endpoint.redis-auth" {
            Status::Skip
        } else {
            Status::Pass
        };
        if *status != expected {
            problems.push(format!(
                "{id}: expected {expected}, got {status}: {message}"
            ));
        }
    }
    let redis = &results(&report, "good-redis")["endpoint.redis-auth"];
    if redis.0 != Status::Pass {
        problems.push(format!("endpoint.redis-auth on good-redis: {redis:?}"));
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn every_endpoint_check_fails_on_a_badly_configured_service() {
    let lab = Lab::new();
    let https = lab.https(lab.ca.leaf(3), bad_handler());
    let http = lab.http(plain_content());
    let closed = lab.closed_port();
    let mut ports = all_datastores_to(closed);
    ports.retain(|(p, _)| *p != 5432 && *p != 6379);
    ports.push((5432, lab.open_port()));
    ports.push((6379, lab.redis(false).port()));
    let bad = target("bad", &url("https", https), Some(url("http", http)), &ports);
    // TLS 1.2 is all rustls speaks, so the only way to fail the protocol
    // check is a server that refuses it.
    let legacy = target("legacy", &url("https", lab.tls10_only()), None, &[]);
    let report = audit(&lab, vec![bad, legacy], ENABLE_RATE_LIMIT);

    let bad = results(&report, "bad");
    let legacy = results(&report, "legacy");
    let mut problems = Vec::new();
    for id in endpoint_ids() {
        let (status, message) = if id == "endpoint.tls-version" {
            // The bad service speaks TLS 1.3 (with a certificate that is
            // about to expire); the legacy endpoint refuses 1.2 and 1.3.
            assert_eq!(bad[&id].0, Status::Pass, "{:?}", bad[&id]);
            &legacy[&id]
        } else {
            &bad[&id]
        };
        if *status != Status::Fail {
            problems.push(format!("{id}: expected fail, got {status}: {message}"));
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));

    // The reasons name what is wrong.
    let says = |id: &str, text: &str| {
        let message = &bad[id].1;
        assert!(message.contains(text), "{id}: {message}");
    };
    says("endpoint.hsts", "300 is under the minimum 15552000");
    says("endpoint.version-disclosure", "nginx/1.18.0");
    says("endpoint.not-found", "a Python traceback");
    says(
        "endpoint.tls-certificate",
        "days left, at least 14 required",
    );
    says("endpoint.redis-auth", "without authentication");
    says("endpoint.datastores-not-exposed", "port");
    let tls = report
        .checks
        .iter()
        .find(|c| c.id == "endpoint.tls-certificate" && c.target.as_deref() == Some("bad"))
        .unwrap();
    let findings: Vec<&str> = tls.findings.iter().map(|f| f.message.as_str()).collect();
    assert!(
        findings
            .iter()
            .any(|f| f.contains("issuer") && f.contains("readyctl test CA")),
        "{findings:?}"
    );
    assert!(
        findings.iter().any(|f| f.starts_with("valid from")),
        "{findings:?}"
    );
}

#[test]
fn a_request_shared_by_many_checks_is_made_once_per_target() {
    let lab = Lab::new();
    let https = lab.https(lab.ca.leaf(365), good_handler());
    let good = target(
        "good",
        &url("https", https),
        None,
        &all_datastores_to(lab.closed_port()),
    );
    let report = audit(&lab, vec![good], "");

    let on_root: Vec<_> = lab
        .requests()
        .into_iter()
        .filter(|r| r.path == "/")
        .collect();
    // Nine checks read `GET /`; only the CORS check needs a different
    // request (with an Origin header).
    assert_eq!(on_root.len(), 2, "{on_root:?}");
    assert_eq!(
        on_root
            .iter()
            .filter(|r| r.header("origin").is_some())
            .count(),
        1
    );
    // The latency check samples `/health` and `/healthz`; the service has
    // only the first, so the second is asked once and not sampled.
    let count = |path: &str| lab.requests().iter().filter(|r| r.path == path).count();
    assert_eq!(count("/health"), 20);
    assert_eq!(count("/healthz"), 1);
    let user_agent = on_root[0].header("user-agent").unwrap();
    assert!(user_agent.starts_with("readyctl/"), "{user_agent}");
    // The rate-limit check is opt-in and stays off without [checks] enable.
    let rate = report
        .checks
        .iter()
        .find(|c| c.id == "endpoint.rate-limit")
        .unwrap();
    assert_eq!(rate.status, Status::Skip);
    assert!(rate.message.contains("opt-in"), "{}", rate.message);
}

#[test]
fn live_and_repository_results_are_scored_in_one_report() {
    let lab = Lab::new();
    let https = lab.https(lab.ca.leaf(365), good_handler());
    let good = target(
        "good",
        &url("https", https),
        None,
        &all_datastores_to(lab.closed_port()),
    );
    let report = audit(&lab, vec![good], "");

    assert!(
        report
            .checks
            .iter()
            .any(|c| c.target.is_none() && c.id.starts_with("docs."))
    );
    let live: Vec<_> = report
        .checks
        .iter()
        .filter(|c| c.target.is_some())
        .collect();
    // Every endpoint check (declared ones included, skipped here) but the
    // opt-in rate limit, which stays off.
    let endpoint_checks = Catalog::builtin()
        .unwrap()
        .checks()
        .iter()
        .filter(|c| c.id.starts_with("endpoint."))
        .count();
    assert_eq!(live.len(), endpoint_checks - 1);
    assert_eq!(report.summary.total, report.checks.len());

    assert_eq!(report.targets.len(), 1);
    let target = &report.targets[0];
    assert_eq!(target.name, "good");
    let health = target
        .probes
        .iter()
        .find(|p| p.probe.ends_with("/health"))
        .expect("the health probe is listed");
    let latency = health.latency_ms.as_ref().expect("latencies are reported");
    assert_eq!(latency.samples, 20);
    assert!(latency.min <= latency.p50 && latency.p50 <= latency.p95 && latency.p95 <= latency.max);

    let json: serde_json::Value = serde_json::from_str(&readyctl::render::render(
        &report,
        readyctl::render::Format::Json,
        Default::default(),
    ))
    .unwrap();
    assert!(json["targets"][0]["probes"].as_array().unwrap().len() > 5);
    let checks = json["checks"].as_array().unwrap();
    assert!(checks.iter().any(|c| c["target"] == "good"));
    assert!(
        checks
            .iter()
            .filter(|c| c["id"].as_str().unwrap().starts_with("docs."))
            .all(|c| c.get("target").is_none())
    );
    for format in [
        readyctl::render::Format::Table,
        readyctl::render::Format::Markdown,
    ] {
        let text = readyctl::render::render(&report, format, Default::default());
        assert!(text.contains("Live targets"), "{format}: {text}");
        assert!(text.contains("/health"), "{format}");
        assert!(text.contains("p95"), "{format}");
    }
}
