//! `declared`: live checks on what the user listed for each target in
//! `[targets.NAME]` — API paths, static assets, protected paths, the port
//! allow-list, the readiness endpoint and smoke probes.
//!
//! ```yaml
//! rule:
//!   declared: { probe: latency, p95_ms: 200, p99_ms: 500 }
//! ```
//!
//! A target that lists nothing for the probe skips the check, saying which
//! key to add.

use super::http::observed;
use super::{Outcome, Validator};
use crate::live::{
    DeclaredItem, DeclaredProbe, Expect, HttpObservation, LivePlan, Observation, PortState, Probe,
    ProbeId, TargetEvidence, percentile,
};
use crate::model::Finding;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

/// Default samples per latency path.
const LATENCY_SAMPLES: u32 = 20;
/// Bodies smaller than this are not worth compressing (nginx's
/// `gzip_min_length` style): they are not judged.
const COMPRESSIBLE_BYTES: usize = 1024;
/// A static asset's `max-age` must be at least a day.
const MIN_STATIC_MAX_AGE: u64 = 86_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeclaredKind {
    /// `paths`: mean, p95 and p99 latency under the limits.
    Latency,
    /// `static` and `paths` answer compressed to `Accept-Encoding: gzip, br`.
    Compression,
    /// `static` assets carry a long-lived `Cache-Control`.
    StaticCache,
    /// `protected` paths answer 401 or 403 without credentials.
    Protected,
    /// Only `allowed_ports` accept connections.
    Ports,
    /// `readiness`: every dependency's JSON pointer reports it up.
    Readiness,
    /// `smoke`: every probe gets its status and body.
    Smoke,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclaredSpec {
    pub probe: DeclaredKind,
    /// Latency limits in milliseconds (latency only).
    #[serde(default)]
    pub p95_ms: Option<f64>,
    #[serde(default)]
    pub p99_ms: Option<f64>,
    #[serde(default)]
    pub mean_ms: Option<f64>,
    /// Requests per path (latency only; default 20).
    #[serde(default)]
    pub samples: Option<u32>,
}

impl DeclaredSpec {
    pub fn validate(&self, v: &mut Validator<'_>) {
        let has_limits = self.p95_ms.is_some() || self.p99_ms.is_some() || self.mean_ms.is_some();
        if self.probe == DeclaredKind::Latency && !has_limits {
            v.error(
                v.at,
                "a latency probe needs at least one of p95_ms, p99_ms, mean_ms",
            );
        }
        if self.probe != DeclaredKind::Latency && (has_limits || self.samples.is_some()) {
            v.error(
                v.at,
                "latency limits and samples apply to `probe: latency` only",
            );
        }
        if self.samples.is_some_and(|s| s == 0 || s > 1000) {
            v.error(v.at, "`samples` must be between 1 and 1000");
        }
    }

    pub fn plan(&self, plan: &mut LivePlan) -> DeclaredCheck {
        let which = match self.probe {
            DeclaredKind::Latency => DeclaredProbe::Latency,
            DeclaredKind::Compression => DeclaredProbe::Compression,
            DeclaredKind::StaticCache => DeclaredProbe::StaticCache,
            DeclaredKind::Protected => DeclaredProbe::Protected,
            DeclaredKind::Ports => DeclaredProbe::Ports,
            DeclaredKind::Readiness => DeclaredProbe::Readiness,
            DeclaredKind::Smoke => DeclaredProbe::Smoke,
        };
        let samples = if self.probe == DeclaredKind::Latency {
            self.samples.unwrap_or(LATENCY_SAMPLES)
        } else {
            1
        };
        DeclaredCheck {
            probe: plan.add(Probe::Declared(which), samples, 4),
            kind: self.probe,
            p95_ms: self.p95_ms,
            p99_ms: self.p99_ms,
            mean_ms: self.mean_ms,
        }
    }
}

#[derive(Debug)]
pub struct DeclaredCheck {
    probe: ProbeId,
    kind: DeclaredKind,
    p95_ms: Option<f64>,
    p99_ms: Option<f64>,
    mean_ms: Option<f64>,
}

/// One item's verdict: `Ok` meets the check, `Err` misses it; `None` is
/// not judged (too small to compress, say).
type Verdict = Option<Result<String, String>>;

impl DeclaredCheck {
    pub fn evaluate(&self, live: Option<&TargetEvidence>) -> Outcome {
        let items = match observed(live, self.probe) {
            Ok(Observation::Declared(items)) => items,
            Ok(_) => return Outcome::error("internal error: not a declared observation"),
            Err(outcome) => return outcome,
        };
        let name = live.map(|t| t.name.as_str()).unwrap_or_default();
        if items.is_empty() {
            let key = match self.kind {
                DeclaredKind::Latency => "paths = [\"/api/…\"]",
                DeclaredKind::Compression => {
                    "paths = [\"/api/…\"] or static = [\"/assets/app.js\"]"
                }
                DeclaredKind::StaticCache => "static = [\"/assets/app.js\"]",
                DeclaredKind::Protected => "protected = [\"/admin\"]",
                DeclaredKind::Ports => "allowed_ports = [443]",
                DeclaredKind::Readiness => {
                    "readiness = { path = \"/ready\", dependencies = { db = \"/checks/db\" } }"
                }
                DeclaredKind::Smoke => "smoke = [{ name = …, path = …, status = 200 }]",
            };
            return Outcome::skip(format!(
                "nothing declared: add {key} to [targets.{name}] in readyctl.toml"
            ));
        }
        let mut findings = Vec::new();
        let mut misses = Vec::new();
        let mut meets = Vec::new();
        for item in items {
            let verdict = match &item.result {
                Err(reason) => Some(Err(format!("{}: {reason}", item.item))),
                Ok(observation) => self.judge(item, observation),
            };
            match verdict {
                Some(Ok(text)) => {
                    meets.push(text.clone());
                    findings.push(Finding::note(text));
                }
                Some(Err(text)) => {
                    misses.push(text.clone());
                    findings.push(Finding::note(text));
                }
                None => {}
            }
        }
        if let Some(latency) = self.latency_measured(items) {
            findings.extend(latency);
        }
        if misses.is_empty() {
            if meets.is_empty() {
                return Outcome::skip(format!(
                    "nothing to judge: every response was under {COMPRESSIBLE_BYTES} bytes; list larger pages and assets in paths or static of [targets.{name}]"
                ));
            }
            Outcome::pass(meets.join("; "), findings)
        } else {
            Outcome::fail(misses.join("; "), findings)
        }
    }

    fn judge(&self, item: &DeclaredItem, observation: &Observation) -> Verdict {
        match (&item.expect, observation) {
            (Expect::Port { allowed }, Observation::Port { port, state }) => {
                let open = *state == PortState::Open;
                match (allowed, open) {
                    (false, true) => Some(Err(format!(
                        "port {port} accepts connections but is not in allowed_ports"
                    ))),
                    (true, true) => Some(Ok(format!("port {port} open (allowed)"))),
                    // Closed ports are the norm; only the exceptions are listed.
                    (false, false) => None,
                    (true, false) => Some(Ok(format!("port {port} allowed, {}", state.describe()))),
                }
            }
            (Expect::Pointer(pointer), Observation::Http(http)) => {
                Some(judge_readiness(&item.item, pointer, http))
            }
            (Expect::Response { status, body }, Observation::Http(http)) => {
                Some(judge_smoke(&item.item, *status, body.as_deref(), http))
            }
            (Expect::Check, Observation::Http(http)) => {
                let verdict = self.judge_http(&item.item, http);
                // A small response meets nothing and misses nothing.
                if self.kind == DeclaredKind::Compression
                    && verdict
                        .as_ref()
                        .is_ok_and(|t| t.ends_with("too small to need compression"))
                {
                    return None;
                }
                Some(verdict)
            }
            _ => Some(Err(format!("{}: unexpected observation", item.item))),
        }
    }

    fn judge_http(&self, item: &str, http: &HttpObservation) -> Result<String, String> {
        let status = http.status;
        match self.kind {
            DeclaredKind::Latency => {
                if !(200..400).contains(&status) {
                    return Err(format!("{item}: answered {status}, not a success"));
                }
                let ms = http.latencies_ms();
                let mean = ms.iter().sum::<f64>() / ms.len().max(1) as f64;
                let p95 = percentile(&ms, 95.0);
                let p99 = percentile(&ms, 99.0);
                let mut over = Vec::new();
                for (name, value, limit) in [
                    ("mean", mean, self.mean_ms),
                    ("p95", p95, self.p95_ms),
                    ("p99", p99, self.p99_ms),
                ] {
                    if let Some(limit) = limit
                        && value > limit
                    {
                        over.push(format!("{name} {} ms > {} ms", round(value), round(limit)));
                    }
                }
                let seen = format!(
                    "{item}: mean {} ms, p95 {} ms, p99 {} ms over {} requests",
                    round(mean),
                    round(p95),
                    round(p99),
                    ms.len()
                );
                if over.is_empty() {
                    Ok(seen)
                } else {
                    Err(format!(
                        "{item}: {} ({} requests)",
                        over.join(", "),
                        ms.len()
                    ))
                }
            }
            DeclaredKind::Compression => {
                if status != 200 {
                    return Err(format!("{item}: answered {status}"));
                }
                let encoding = http.header_values("content-encoding").next();
                match encoding {
                    Some(encoding) => Ok(format!("{item}: content-encoding {encoding}")),
                    None => {
                        let size = http.body.as_ref().map_or(0, Vec::len);
                        if size < COMPRESSIBLE_BYTES {
                            Ok(format!(
                                "{item}: {size} bytes, too small to need compression"
                            ))
                        } else {
                            Err(format!(
                                "{item}: {size} bytes sent uncompressed to `Accept-Encoding: gzip, br`"
                            ))
                        }
                    }
                }
            }
            DeclaredKind::StaticCache => {
                if status != 200 {
                    return Err(format!("{item}: answered {status}"));
                }
                let cache = http
                    .header_values("cache-control")
                    .collect::<Vec<_>>()
                    .join(", ");
                let directives: Vec<String> = cache
                    .split(',')
                    .map(|d| d.trim().to_ascii_lowercase())
                    .collect();
                let max_age = directives.iter().find_map(|d| {
                    d.strip_prefix("max-age=")
                        .or_else(|| d.strip_prefix("s-maxage="))
                        .and_then(|v| v.trim_matches('"').parse::<u64>().ok())
                });
                let forbids = directives
                    .iter()
                    .any(|d| d == "no-store" || d == "no-cache");
                if cache.is_empty() {
                    Err(format!("{item}: no Cache-Control header"))
                } else if forbids || max_age.is_none_or(|age| age < MIN_STATIC_MAX_AGE) {
                    Err(format!(
                        "{item}: `Cache-Control: {cache}` (want max-age of at least {MIN_STATIC_MAX_AGE} s, ideally `immutable` with hashed names)"
                    ))
                } else {
                    Ok(format!("{item}: `Cache-Control: {cache}`"))
                }
            }
            DeclaredKind::Protected => match status {
                401 | 403 => Ok(format!("{item}: {status} without credentials")),
                300..=399
                    if http
                        .header_values("location")
                        .next()
                        .is_some_and(|l| l.to_ascii_lowercase().contains("login")) =>
                {
                    Ok(format!("{item}: {status}, redirected to the login page"))
                }
                _ => Err(format!(
                    "{item}: answered {status} without credentials (want 401 or 403)"
                )),
            },
            DeclaredKind::Readiness => Err(format!("{item}: judged by the readiness rule")),
            DeclaredKind::Smoke => Err(format!("{item}: judged by the smoke rule")),
            DeclaredKind::Ports => Err(format!("{item}: not a port")),
        }
    }

    fn latency_measured(&self, items: &[DeclaredItem]) -> Option<Vec<Finding>> {
        if self.kind != DeclaredKind::Latency {
            return None;
        }
        let findings = items
            .iter()
            .filter_map(|item| match &item.result {
                Ok(Observation::Http(http)) => {
                    let ms = http.latencies_ms();
                    if ms.is_empty() {
                        return None;
                    }
                    let mut finding = Finding::note(format!("{} measured", item.item));
                    finding.measured.insert("path".into(), json!(item.item));
                    finding.measured.insert("samples".into(), json!(ms.len()));
                    finding.measured.insert(
                        "mean_ms".into(),
                        json!(round(ms.iter().sum::<f64>() / ms.len() as f64)),
                    );
                    finding
                        .measured
                        .insert("p95_ms".into(), json!(round(percentile(&ms, 95.0))));
                    finding
                        .measured
                        .insert("p99_ms".into(), json!(round(percentile(&ms, 99.0))));
                    Some(finding)
                }
                _ => None,
            })
            .collect();
        Some(findings)
    }
}

fn round(ms: f64) -> f64 {
    (ms * 10.0).round() / 10.0
}

/// A dependency is up when its pointer leads to `true` or a word for up.
fn judge_readiness(item: &str, pointer: &str, http: &HttpObservation) -> Result<String, String> {
    let body = http.body.as_ref().map_err(|e| format!("{item}: {e}"))?;
    let json: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| format!("{item}: the readiness response is not JSON ({e})"))?;
    let Some(value) = json.pointer(pointer) else {
        return Err(format!("{item}: the readiness JSON does not report it"));
    };
    let up = match value {
        serde_json::Value::Bool(b) => *b,
        serde_json::Value::String(s) => matches!(
            s.to_ascii_lowercase().as_str(),
            "ok" | "up" | "healthy" | "pass" | "passing" | "ready" | "green"
        ),
        serde_json::Value::Object(o) => o.get("status").is_some_and(|s| {
            s.as_str().is_some_and(|s| {
                matches!(
                    s.to_ascii_lowercase().as_str(),
                    "ok" | "up" | "healthy" | "pass"
                )
            })
        }),
        _ => false,
    };
    let shown: String = value.to_string().chars().take(60).collect();
    if up {
        Ok(format!("{item}: {shown}"))
    } else {
        Err(format!("{item}: reported {shown} (HTTP {})", http.status))
    }
}

fn judge_smoke(
    item: &str,
    status: u16,
    body: Option<&str>,
    http: &HttpObservation,
) -> Result<String, String> {
    if http.status != status {
        return Err(format!(
            "{item}: answered {}, expected {status}",
            http.status
        ));
    }
    if let Some(expected) = body {
        let text = http
            .body
            .as_ref()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .map_err(|e| format!("{item}: {e}"))?;
        if !text.contains(expected) {
            return Err(format!("{item}: {status}, but the body lacks `{expected}`"));
        }
    }
    Ok(format!("{item}: {status} as expected"))
}
