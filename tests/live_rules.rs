//! Rule kinds beyond what the built-in pack uses: JSON pointers, body
//! regexes, status ranges, open ports, TLS 1.3, request headers.

mod live_support;

use live_support::*;
use readyctl::check::{Origin, PackSource};
use readyctl::model::Status;
use readyctl::{AuditOptions, Config, PackLoader};
use std::collections::BTreeMap;
use std::sync::Arc;

fn check(id: &str, rule: &str) -> String {
    format!(
        "- id: {id}\n  title: A check written for this test\n  category: monitoring\n  severity: low\n  stage: beta\n  description: d\n  remediation: r\n  effort: 30m\n  rule:\n    {rule}\n"
    )
}

fn run(rules: &[(&str, &str)]) -> BTreeMap<String, (Status, String)> {
    let lab = Lab::new();
    let api: Handler = Arc::new(|request: &Request| match request.path.as_str() {
        "/health" => Reply::new(200, "{\"status\":\"ok\",\"checks\":{\"db\":\"up\"}}")
            .header("content-type", "application/json"),
        "/echo" => Reply::new(
            200,
            &format!("token={}", request.header("x-probe").unwrap_or("none")),
        ),
        "/created" if request.method == "POST" => Reply::new(201, "made"),
        _ => Reply::new(404, "no"),
    });
    let https = lab.https(lab.ca.leaf(365), api);
    let open = lab.open_port();
    let text: String = rules.iter().map(|(id, rule)| check(id, rule)).collect();
    let mut loader = PackLoader::new();
    loader.add_text(
        PackSource {
            origin: Origin::User,
            name: "rules.yaml".into(),
            path: None,
        },
        &text,
    );
    let catalog = loader.finish().unwrap_or_else(|e| panic!("{e}"));
    let repo = tempfile::tempdir().unwrap();
    let mut audit_options = AuditOptions::new("repo");
    audit_options.live = options(
        &lab,
        vec![target("api", &url("https", https), None, &[(15432, open)])],
    );
    let report =
        readyctl::audit(repo.path(), &catalog, &Config::default(), &audit_options).unwrap();
    report
        .checks
        .into_iter()
        .map(|c| (c.id, (c.status, c.message)))
        .collect()
}

#[test]
fn rule_kinds_judge_what_they_see() {
    let results = run(&[
        (
            "t.json-equals",
            "http: { path: /health, json: [{ pointer: /status, equals: ok }] }",
        ),
        (
            "t.json-wrong",
            "http: { path: /health, json: [{ pointer: /status, equals: down }] }",
        ),
        (
            "t.json-exists",
            "http: { path: /health, json: [{ pointer: /checks/db, exists: true }, { pointer: /debug, exists: false }] }",
        ),
        (
            "t.json-missing",
            "http: { path: /health, json: [{ pointer: /checks/cache, exists: true }] }",
        ),
        (
            "t.body",
            "http: { path: /health, body_matches: '\"db\":\\s*\"up\"' }",
        ),
        ("t.status-range", "http: { path: /nope, status: 4xx }"),
        (
            "t.status-wrong",
            "http: { path: /nope, status: [200, 204] }",
        ),
        (
            "t.post",
            "http: { path: /created, method: post, status: 201 }",
        ),
        (
            "t.header-sent",
            "http: { path: /echo, headers: { X-Probe: abc }, body_matches: 'token=abc' }",
        ),
        ("t.body-cap", "http: { path: /health, max_body_bytes: 10 }"),
        ("t.port-open", "tcp: { port: 15432, expect: open }"),
        (
            "t.port-closed-wrong",
            "tcp: { port: 15432, expect: closed }",
        ),
        ("t.tls13", "tls: { min_version: \"1.3\" }"),
    ]);
    let expect = |id: &str, status: Status| {
        let (got, message) = &results[id];
        assert_eq!(*got, status, "{id}: {message}");
    };
    expect("t.json-equals", Status::Pass);
    expect("t.json-wrong", Status::Fail);
    assert!(
        results["t.json-wrong"]
            .1
            .contains("JSON `/status` is \"ok\" (expected \"down\")")
    );
    expect("t.json-exists", Status::Pass);
    expect("t.json-missing", Status::Fail);
    expect("t.body", Status::Pass);
    expect("t.status-range", Status::Pass);
    expect("t.status-wrong", Status::Fail);
    assert!(results["t.status-wrong"].1.contains("expected 200 or 204"));
    expect("t.post", Status::Pass);
    expect("t.header-sent", Status::Pass);
    expect("t.body-cap", Status::Fail);
    expect("t.port-open", Status::Pass);
    expect("t.port-closed-wrong", Status::Fail);
    expect("t.tls13", Status::Pass);
}

#[test]
fn invalid_live_rules_are_pack_errors_with_positions() {
    let text = [
        check("t.a", "http: { path: /x, status: 6xx }"),
        check("t.b", "http: { path: /x, body_matches: '(unclosed' }"),
        check("t.c", "tls: { min_version: \"1.0\" }"),
        check("t.d", "http: { path: /x, samples: 5000 }"),
    ]
    .concat();
    let mut loader = PackLoader::new();
    loader.add_text(
        PackSource {
            origin: Origin::User,
            name: "rules.yaml".into(),
            path: None,
        },
        &text,
    );
    let error = loader.finish().unwrap_err().to_string();
    for expected in [
        "6xx",
        "invalid regex",
        "min_version `1.0`",
        "samples must be",
    ] {
        assert!(
            error.contains(expected),
            "missing `{expected}` in:\n{error}"
        );
    }
    assert!(error.contains("rules.yaml:20:"), "{error}");
}
