//! The `[reports]` table of `readyctl.toml`: the targets tool reports are
//! judged against. Every key is optional; the defaults are the numbers the
//! readiness reviews quote.
//!
//! ```toml
//! [reports]
//! max_age_days = 30            # older reports are stale: a finding, not a pass
//!
//! [reports.web]                # Lighthouse (median of the runs per URL)
//! performance = 90
//! fcp_ms = 1800
//! lcp_ms = 2500
//! tbt_ms = 200
//! tti_ms = 3800
//! cls = 0.1
//! speed_index_ms = 3400
//!
//! [reports.load]               # k6, Locust, Artillery, JMeter, Gatling
//! p95_ms = 200
//! p99_ms = 500
//! error_rate = 0.1             # percent of requests
//! # mean_ms = 100, min_rps = 50, min_vus = 1000 (off unless set)
//!
//! [reports.tests]
//! max_failed = 0               # failed + errored
//!
//! [reports.sast]
//! max_errors = 0               # SARIF results at level `error`
//! security_severity = "high"   # and results with security-severity at or above
//!
//! [reports.dependencies]
//! fail_on = "high"             # advisories at or above this severity fail
//! unknown_fails = true         # pip-audit, govulncheck, cargo-audit give none
//! ```

use schemars::JsonSchema;
use serde::Deserialize;

/// Default age after which a report is stale.
pub const DEFAULT_MAX_AGE_DAYS: u32 = 30;

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ReportsConfig {
    /// Reports older than this many days are stale (default 30).
    pub max_age_days: Option<u32>,
    pub web: WebTargets,
    pub load: LoadTargets,
    pub tests: TestTargets,
    pub sast: SastTargets,
    pub dependencies: DependencyTargets,
}

impl ReportsConfig {
    pub fn max_age_days(&self) -> u32 {
        self.max_age_days.unwrap_or(DEFAULT_MAX_AGE_DAYS)
    }
}

/// Lighthouse targets; each Web Vital is checked against its limit.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct WebTargets {
    /// Minimum performance score, 0–100.
    pub performance: f64,
    pub fcp_ms: f64,
    pub lcp_ms: f64,
    pub tbt_ms: f64,
    pub tti_ms: f64,
    pub cls: f64,
    pub speed_index_ms: f64,
}

impl Default for WebTargets {
    fn default() -> Self {
        WebTargets {
            performance: 90.0,
            fcp_ms: 1800.0,
            lcp_ms: 2500.0,
            tbt_ms: 200.0,
            tti_ms: 3800.0,
            cls: 0.1,
            speed_index_ms: 3400.0,
        }
    }
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LoadTargets {
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub mean_ms: Option<f64>,
    /// Maximum share of failed requests, in percent.
    pub error_rate: Option<f64>,
    /// Minimum throughput, requests per second.
    pub min_rps: Option<f64>,
    /// Minimum peak of concurrent virtual users the test reached.
    pub min_vus: Option<f64>,
}

impl Default for LoadTargets {
    fn default() -> Self {
        LoadTargets {
            p95_ms: Some(200.0),
            p99_ms: Some(500.0),
            mean_ms: None,
            error_rate: Some(0.1),
            min_rps: None,
            min_vus: None,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TestTargets {
    /// Failed plus errored tests allowed.
    pub max_failed: u64,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SastTargets {
    /// SARIF results at level `error` allowed.
    pub max_errors: u64,
    /// Results whose rule has a `security-severity` at or above this level
    /// count as errors too, whatever their level.
    pub security_severity: Option<Severity>,
}

impl Default for SastTargets {
    fn default() -> Self {
        SastTargets {
            max_errors: 0,
            security_severity: Some(Severity::High),
        }
    }
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DependencyTargets {
    /// Advisories at or above this severity fail the check.
    pub fail_on: Severity,
    /// Whether advisories without a severity (pip-audit, govulncheck and
    /// cargo-audit report none) fail the check.
    pub unknown_fails: bool,
}

impl Default for DependencyTargets {
    fn default() -> Self {
        DependencyTargets {
            fail_on: Severity::High,
            unknown_fails: true,
        }
    }
}

/// Advisory and finding severities, as the tools grade them (npm's
/// `moderate` is `medium`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Unknown,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Unknown => "unknown",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// A tool's word for a severity.
    pub fn parse(text: &str) -> Severity {
        match text.trim().to_ascii_lowercase().as_str() {
            "critical" => Severity::Critical,
            "high" | "error" => Severity::High,
            "moderate" | "medium" => Severity::Medium,
            "low" | "info" | "informational" | "negligible" => Severity::Low,
            _ => Severity::Unknown,
        }
    }

    /// A CVSS base score in the bands of CVSS v3 (and of GitHub's
    /// `security-severity`).
    pub fn from_score(score: f64) -> Severity {
        if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else if score > 0.0 {
            Severity::Low
        } else {
            Severity::Unknown
        }
    }
}

/// What `report` rules are judged with: the user's targets and the moment
/// of the audit (reports are dated against it).
#[derive(Debug, Clone)]
pub struct Settings {
    pub targets: ReportsConfig,
    pub now: jiff::Timestamp,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            targets: ReportsConfig::default(),
            now: jiff::Timestamp::now(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_seeds_numbers() {
        let config = ReportsConfig::default();
        assert_eq!(config.max_age_days(), 30);
        assert_eq!(config.web.lcp_ms, 2500.0);
        assert_eq!(config.load.p95_ms, Some(200.0));
        assert_eq!(config.dependencies.fail_on, Severity::High);
    }

    #[test]
    fn partial_tables_keep_the_other_defaults() {
        let config: ReportsConfig =
            toml::from_str("max_age_days = 7\n[load]\np95_ms = 300\n").unwrap();
        assert_eq!(config.max_age_days(), 7);
        assert_eq!(config.load.p95_ms, Some(300.0));
        assert_eq!(config.load.p99_ms, Some(500.0));
        assert!(toml::from_str::<ReportsConfig>("[load]\np96 = 1\n").is_err());
    }

    #[test]
    fn severities_from_words_and_scores() {
        assert_eq!(Severity::parse("MODERATE"), Severity::Medium);
        assert_eq!(Severity::from_score(9.8), Severity::Critical);
        assert_eq!(Severity::from_score(7.5), Severity::High);
        assert!(Severity::Critical > Severity::High);
    }
}
