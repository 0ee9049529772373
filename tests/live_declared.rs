//! Live checks on what a user lists for a target in `readyctl.toml`: API
//! latency, compression, static cache headers, port allow-list, protected
//! paths, readiness dependencies and smoke probes, against loopback servers
//! that get each right and wrong.

mod live_support;

use live_support::*;
use readyctl::live::Target;
use readyctl::model::Status;
use readyctl::{AuditOptions, Catalog, Config};
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

const IDS: [&str; 7] = [
    "endpoint.api-latency",
    "endpoint.compression",
    "endpoint.static-cache",
    "endpoint.port-allowlist",
    "endpoint.protected-paths",
    "endpoint.readiness-dependencies",
    "endpoint.smoke",
];

fn script() -> String {
    "console.log('ready');\n".repeat(200)
}

fn gzip(text: &str) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(text.as_bytes()).unwrap();
    encoder.finish().unwrap()
}

fn good() -> Handler {
    Arc::new(|request: &Request| match request.path.as_str() {
        "/api/search?q=a" => Reply::new(200, "{\"results\":[]}"),
        "/assets/app.js" => {
            let accepts = request
                .header("accept-encoding")
                .is_some_and(|e| e.contains("gzip"));
            let mut reply = Reply::new(200, "")
                .header("cache-control", "public, max-age=31536000, immutable")
                .header("content-type", "application/javascript");
            if accepts {
                reply.body = gzip(&script());
                reply = reply.header("content-encoding", "gzip");
            } else {
                reply.body = script().into_bytes();
            }
            reply
        }
        "/admin" if request.header("authorization").is_none() => Reply::new(401, "login"),
        "/admin" => Reply::new(200, "admin"),
        "/ready" => Reply::new(
            200,
            "{\"status\":\"ok\",\"checks\":{\"db\":{\"status\":\"up\"},\"redis\":\"ok\"}}",
        ),
        "/api/orders" if request.method == "POST" => Reply::new(201, "{\"order\":\"created\"}"),
        _ => Reply::new(200, "<html>home</html>"),
    })
}

fn bad() -> Handler {
    Arc::new(|request: &Request| match request.path.as_str() {
        "/api/search?q=a" => Reply::new(200, "{}").delay(Duration::from_millis(260)),
        "/assets/app.js" => Reply::new(200, &script()).header("cache-control", "no-cache"),
        "/admin" => Reply::new(200, "admin for everyone"),
        "/ready" => Reply::new(503, "{\"checks\":{\"db\":{\"status\":\"down\"}}}"),
        "/api/orders" => Reply::new(500, "oops"),
        _ => Reply::new(200, "<html>home</html>"),
    })
}

/// A target from a `[targets.NAME]` table, as users write it.
fn configured(name: &str, url: &str, ports: &[u16], scan: &[u16]) -> Target {
    let text = format!(
        "[targets.{name}]\nurl = \"{url}\"\n\
         headers = {{ Authorization = \"Bearer not-for-protected-paths\" }}\n\
         paths = [\"/api/search?q=a\"]\n\
         static = [\"/assets/app.js\"]\n\
         protected = [\"/admin\"]\n\
         allowed_ports = {ports:?}\n\
         scan_ports = {scan:?}\n\
         readiness = {{ path = \"/ready\", dependencies = {{ database = \"/checks/db\", redis = \"/checks/redis\" }} }}\n\
         smoke = [{{ name = \"place order\", method = \"POST\", path = \"/api/orders\", status = 201, body = \"created\" }}]\n"
    );
    let config = Config::parse("readyctl.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    Target::from_config(name, &config.targets[name]).unwrap()
}

fn audit(lab: &Lab, target: Target) -> BTreeMap<String, (Status, String)> {
    let catalog = Catalog::builtin().unwrap();
    let repo = tempfile::tempdir().unwrap();
    let mut options = AuditOptions::new("repo");
    options.live = options_for(lab, target);
    let report = readyctl::audit(repo.path(), &catalog, &Config::default(), &options).unwrap();
    report
        .checks
        .into_iter()
        .filter(|c| IDS.contains(&c.id.as_str()))
        .map(|c| (c.id, (c.status, c.message)))
        .collect()
}

fn options_for(lab: &Lab, target: Target) -> readyctl::live::LiveOptions {
    let mut options = options(lab, vec![target]);
    options.deadline = Duration::from_secs(30);
    options
}

#[test]
fn a_service_that_meets_what_the_user_declared_passes() {
    let lab = Lab::new();
    let addr = lab.http(good());
    let closed = lab.closed_port();
    let results = audit(
        &lab,
        configured("prod", &url("http", addr), &[addr.port()], &[closed]),
    );
    for id in IDS {
        let (status, message) = &results[id];
        assert_eq!(*status, Status::Pass, "{id}: {message}");
    }
    assert!(
        results["endpoint.compression"]
            .1
            .contains("content-encoding gzip"),
        "{:?}",
        results["endpoint.compression"]
    );
    // The target's Authorization header goes to the API, never to the
    // paths that must refuse anonymous requests.
    let requests = lab.requests();
    assert!(
        requests
            .iter()
            .filter(|r| r.path == "/admin")
            .all(|r| r.header("authorization").is_none())
    );
    assert!(
        requests
            .iter()
            .any(|r| r.path == "/api/orders" && r.header("authorization").is_some())
    );
    let latency_samples = requests
        .iter()
        .filter(|r| r.path == "/api/search?q=a")
        .count();
    assert!(latency_samples >= 20, "{latency_samples}");
}

#[test]
fn a_service_that_misses_them_fails_with_the_numbers() {
    let lab = Lab::new();
    let addr = lab.http(bad());
    let exposed = lab.open_port();
    let results = audit(
        &lab,
        configured("prod", &url("http", addr), &[addr.port()], &[exposed]),
    );
    for id in IDS {
        let (status, message) = &results[id];
        assert_eq!(*status, Status::Fail, "{id}: {message}");
    }
    let message = |id: &str| results[id].1.clone();
    assert!(
        message("endpoint.api-latency").contains("p95"),
        "{}",
        message("endpoint.api-latency")
    );
    assert!(message("endpoint.api-latency").contains("> 200 ms"));
    assert!(message("endpoint.compression").contains("uncompressed"));
    assert!(message("endpoint.static-cache").contains("no-cache"));
    assert!(message("endpoint.port-allowlist").contains(&format!("port {exposed}")));
    assert!(message("endpoint.protected-paths").contains("answered 200"));
    let readiness = message("endpoint.readiness-dependencies");
    assert!(
        readiness.contains("database") && readiness.contains("down"),
        "{readiness}"
    );
    assert!(
        readiness.contains("redis") && readiness.contains("does not report it"),
        "{readiness}"
    );
    assert!(message("endpoint.smoke").contains("answered 500, expected 201"));
}

#[test]
fn a_target_that_declares_nothing_skips_and_says_what_to_add() {
    let lab = Lab::new();
    let addr = lab.http(good());
    let results = audit(&lab, target("bare", &url("http", addr), None, &[]));
    for id in IDS {
        let (status, message) = &results[id];
        assert_eq!(*status, Status::Skip, "{id}: {message}");
        assert!(message.contains("[targets.bare]"), "{id}: {message}");
    }
}

#[test]
fn declared_paths_must_be_paths() {
    let config = Config::parse(
        "readyctl.toml",
        "[targets.x]\nurl = \"https://x.example\"\npaths = [\"https://elsewhere.example/\"]\n",
    )
    .unwrap();
    let error = Target::from_config("x", &config.targets["x"]).unwrap_err();
    assert!(error.contains("must be a path"), "{error}");
}
