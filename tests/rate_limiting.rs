//! `fixtures/rate-limits`: `security.rate-limiting` passes on a framework's
//! throttle *applied* — Laravel's `throttle` route middleware, Django REST
//! framework's `throttle_classes` or `DEFAULT_THROTTLE_CLASSES`, Rails'
//! `rate_limit` in a controller — and fails where the same names are only
//! defined, imported, aliased, commented out or set to nothing. Each case is
//! a repository of its own: one piece of evidence passes the whole check.

use readyctl::model::Status;
use readyctl::{AuditOptions, Catalog, Config, audit};
use std::path::PathBuf;

/// The check's status and its located evidence on one case.
fn rate_limiting(case: &str) -> (Status, Vec<(String, usize)>, String) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/rate-limits")
        .join(case);
    let report = audit(
        &dir,
        &Catalog::builtin().unwrap(),
        &Config::default(),
        &AuditOptions::new(case.to_string()),
    )
    .unwrap();
    let check = report
        .checks
        .iter()
        .find(|c| c.id == "security.rate-limiting")
        .unwrap();
    let evidence = check
        .findings
        .iter()
        .filter_map(|f| Some((f.path.clone()?, f.line?)))
        .collect();
    (check.status, evidence, check.message.clone())
}

fn at(path: &str, line: usize) -> (String, usize) {
    (path.to_string(), line)
}

#[test]
fn laravel_throttle_middleware_on_routes_or_a_group_is_rate_limiting() {
    // A group's `Route::middleware([…, 'throttle:api'])` over several
    // lines (the first evidence is shown).
    let (status, evidence, message) = rate_limiting("laravel-routes");
    assert_eq!(status, Status::Pass, "{message}");
    assert_eq!(evidence, [at("routes/api.php", 7)], "{message}");
    // `->middleware('embeds.enabled', 'signed', 'throttle:10,1')` (koel).
    let (status, evidence, message) = rate_limiting("laravel-route-arguments");
    assert_eq!(status, Status::Pass, "{message}");
    assert_eq!(evidence, [at("routes/web.php", 7)], "{message}");
    let (status, evidence, message) = rate_limiting("laravel-kernel");
    assert_eq!(status, Status::Pass, "{message}");
    assert_eq!(evidence, [at("app/Http/Kernel.php", 12)], "{message}");
}

#[test]
fn a_laravel_limiter_only_defined_or_aliased_is_not() {
    // `RateLimiter::for('api', …)`, the `'throttle' =>` alias, a
    // `withoutMiddleware('throttle:api')` and the translation of the
    // throttle message.
    let (status, evidence, message) = rate_limiting("laravel-defined");
    assert_eq!(status, Status::Fail, "{message}");
    assert!(evidence.is_empty(), "{evidence:?}");
}

#[test]
fn drf_throttle_classes_on_a_view_or_by_default_are_rate_limiting() {
    let (status, evidence, message) = rate_limiting("drf-view");
    assert_eq!(status, Status::Pass, "{message}");
    assert_eq!(evidence, [at("app/views.py", 6)], "{message}");
    let (status, evidence, message) = rate_limiting("drf-settings");
    assert_eq!(status, Status::Pass, "{message}");
    assert_eq!(evidence, [at("config/settings.py", 9)], "{message}");
}

#[test]
fn drf_rates_or_a_throttle_class_defined_are_not() {
    // `DEFAULT_THROTTLE_RATES` with no classes, `DEFAULT_THROTTLE_CLASSES:
    // []`, a `ScopedRateThrottle` subclass no view lists and a view's
    // `throttle_classes = []`.
    let (status, evidence, message) = rate_limiting("drf-defined");
    assert_eq!(status, Status::Fail, "{message}");
    assert!(evidence.is_empty(), "{evidence:?}");
}

#[test]
fn rails_rate_limit_in_a_controller_is_rate_limiting_a_helper_or_comment_is_not() {
    let (status, evidence, message) = rate_limiting("rails-controller");
    assert_eq!(status, Status::Pass, "{message}");
    assert_eq!(
        evidence,
        [at("app/controllers/sessions_controller.rb", 3)],
        "{message}"
    );
    let (status, evidence, message) = rate_limiting("rails-defined");
    assert_eq!(status, Status::Fail, "{message}");
    assert!(evidence.is_empty(), "{evidence:?}");
}

#[test]
fn bucket4j_filters_in_the_application_configuration_are_rate_limiting() {
    let (status, evidence, message) = rate_limiting("bucket4j-yaml");
    assert_eq!(status, Status::Pass, "{message}");
    assert_eq!(
        evidence,
        [at("src/main/resources/application.yml", 6)],
        "{message}"
    );
    let (status, evidence, message) = rate_limiting("bucket4j-properties");
    assert_eq!(status, Status::Pass, "{message}");
    assert_eq!(
        evidence,
        [at("src/main/resources/application.properties", 5)],
        "{message}"
    );
}

#[test]
fn the_bucket4j_starter_without_filters_in_a_dev_profile_or_disabled_is_not() {
    // The starter in pom.xml, `filters: []`, a `gateway:` block's filters
    // and filters in `application-dev.yml` only.
    let (status, evidence, message) = rate_limiting("bucket4j-unconfigured");
    assert_eq!(status, Status::Fail, "{message}");
    assert!(evidence.is_empty(), "{evidence:?}");
    // Filters configured under `bucket4j: enabled: false`.
    let (status, evidence, message) = rate_limiting("bucket4j-disabled");
    assert_eq!(status, Status::Fail, "{message}");
    assert!(evidence.is_empty(), "{evidence:?}");
}
