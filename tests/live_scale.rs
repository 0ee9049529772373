//! Measurement, not a test of behaviour: an audit with the built-in endpoint
//! pack against many loopback HTTPS targets (100 unless `READYCTL_SCALE_TARGETS`
//! says otherwise). Run it in release mode:
//!
//! ```sh
//! cargo test --release --test live_scale -- --ignored --nocapture
//! ```
//!
//! It prints the wall time; it asserts only that every target was probed
//! (timing goals belong in benchmarks, not in tests).

mod live_support;

use live_support::*;
use readyctl::model::Status;
use readyctl::{AuditOptions, Catalog, Config};
use std::time::Instant;

#[test]
#[ignore = "measurement; run with --release --ignored --nocapture"]
fn many_loopback_targets() {
    let count: usize = std::env::var("READYCTL_SCALE_TARGETS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100);
    let lab = Lab::new();
    let closed = lab.closed_port();
    let targets: Vec<_> = (0..count)
        .map(|i| {
            let https = lab.https(lab.ca.leaf(365), good_handler());
            let http = lab.http(redirect_to(https));
            target(
                &format!("svc-{i:02}"),
                &url("https", https),
                Some(url("http", http)),
                &all_datastores_to(closed),
            )
        })
        .collect();
    let repo = tempfile::tempdir().unwrap();
    let catalog = Catalog::builtin().unwrap();
    let mut options = AuditOptions::new("repo");
    options.live = live_support::options(&lab, targets);

    let started = Instant::now();
    let report = readyctl::audit(repo.path(), &catalog, &Config::default(), &options).unwrap();
    let elapsed = started.elapsed();

    let probes: usize = report.targets.iter().map(|t| t.probes.len()).sum();
    let live: Vec<_> = report
        .checks
        .iter()
        .filter(|c| c.target.is_some())
        .collect();
    let passed = live.iter().filter(|c| c.status == Status::Pass).count();
    println!(
        "{count} targets, {probes} probes, {} requests, {} live results ({passed} pass): {:.0} ms",
        lab.requests().len(),
        live.len(),
        elapsed.as_secs_f64() * 1000.0
    );
    let mut not_passing: Vec<String> = live
        .iter()
        .filter(|c| c.status != Status::Pass)
        .map(|c| format!("{} {}", c.id, c.status))
        .collect();
    not_passing.sort();
    not_passing.dedup();
    println!("not passing (any target): {not_passing:?}");
    assert_eq!(report.targets.len(), count);
    assert!(report.targets.iter().all(|t| t.skipped.is_none()));
}
