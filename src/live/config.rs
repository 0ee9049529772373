//! The `[live]` and `[targets.NAME]` tables of `readyctl.toml`.
//!
//! ```toml
//! [live]
//! timeout = "10s"              # per request
//! deadline = "60s"             # for all probes of all targets together
//! connections_per_host = 4
//! max_body_bytes = 1048576     # larger bodies are an error, not read on
//! ca_cert = "certs/staging-ca.pem"
//!
//! [targets.staging]
//! url = "https://staging.example.com"
//! http_url = "http://staging.example.com:8080"   # optional
//! headers = { Authorization = { env = "STAGING_TOKEN" } }
//! ports = { 6379 = 6380 }      # probe 6380 where checks ask about 6379
//! paths = ["/api/search?q=a"]  # API paths sampled for latency (mean, p95, p99)
//! static = ["/assets/app.js"]  # static assets: long-lived cache headers
//! protected = ["/admin"]       # must answer 401/403 without credentials
//! allowed_ports = [443]        # every other common port must be closed
//! readiness = { path = "/ready", dependencies = { db = "/checks/db" } }
//! smoke = [{ name = "search", path = "/api/search?q=a", status = 200, body = "results" }]
//! ```

use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;
use toml::Spanned;

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LiveConfig {
    /// Per-request timeout, e.g. `5s` or `500ms`.
    #[schemars(with = "Option<String>")]
    pub timeout: Option<Spanned<String>>,
    /// Overall deadline for every probe of every target.
    #[schemars(with = "Option<String>")]
    pub deadline: Option<Spanned<String>>,
    pub connections_per_host: Option<usize>,
    pub max_body_bytes: Option<u64>,
    /// A PEM file of extra trusted CA certificates (private staging CAs),
    /// relative to the config file's directory.
    pub ca_cert: Option<String>,
    /// Do not verify certificates (expiry and names are still reported).
    pub insecure: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    #[schemars(with = "String")]
    pub url: Spanned<String>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub http_url: Option<Spanned<String>>,
    /// Request headers sent to this target only. Values are never written
    /// into reports; read secrets from the environment with `{ env = "VAR" }`.
    #[serde(default)]
    pub headers: BTreeMap<String, HeaderSource>,
    #[serde(default)]
    pub ports: BTreeMap<u16, u16>,
    /// API paths (with query) whose latency is sampled: mean, p95, p99.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Static assets that must be served with long-lived cache headers.
    #[serde(default, rename = "static")]
    pub static_assets: Vec<String>,
    /// Paths that must refuse a request without credentials (401 or 403).
    /// The target's headers are not sent to them.
    #[serde(default)]
    pub protected: Vec<String>,
    /// The only ports that may accept connections on the target's host; the
    /// other `scan_ports` must be closed.
    #[serde(default)]
    pub allowed_ports: Option<Vec<u16>>,
    /// Ports probed for the allow-list; by default common service ports.
    #[serde(default)]
    pub scan_ports: Option<Vec<u16>>,
    /// A readiness endpoint whose JSON reports each dependency.
    #[serde(default)]
    pub readiness: Option<ReadinessConfig>,
    /// Requests that must work in production: method, path, expected status
    /// and a text the body contains.
    #[serde(default)]
    pub smoke: Vec<SmokeConfig>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadinessConfig {
    pub path: String,
    /// Dependency name → JSON pointer (RFC 6901) to its status in the body.
    pub dependencies: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SmokeConfig {
    pub name: String,
    #[serde(default = "default_method")]
    pub method: String,
    pub path: String,
    #[serde(default = "default_status")]
    pub status: u16,
    /// Text the response body must contain.
    #[serde(default)]
    pub body: Option<String>,
}

fn default_method() -> String {
    "GET".to_string()
}

fn default_status() -> u16 {
    200
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum HeaderSource {
    Value(String),
    Env { env: String },
}

/// Longest timeout or deadline accepted.
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 60 * 60);

/// Parses `5s`, `500ms`, `1m 30s` (jiff's friendly durations).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let span: jiff::SignedDuration = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a duration; expected e.g. `5s` or `500ms`"))?;
    let duration = Duration::try_from(span).map_err(|_| format!("`{text}` must be positive"))?;
    if duration.is_zero() {
        return Err(format!("`{text}` must be longer than zero"));
    }
    // Deadlines are added to the clock; a century would overflow it.
    if duration > MAX_DURATION {
        return Err(format!("`{text}` is too long: at most 24h"));
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_friendly() {
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("0s").is_err());
        assert_eq!(
            parse_duration("200000h"),
            Err("`200000h` is too long: at most 24h".to_string())
        );
    }
}
