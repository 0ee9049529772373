//! `http`: a request to a path of each target, and what its response must
//! look like. The request itself is made by `live`; this module only plans
//! it and judges the observation.
//!
//! ```yaml
//! rule:
//!   http:
//!     path: /health
//!     status: [200]
//!     response_headers:
//!       - { name: strict-transport-security, min_number: { pattern: 'max-age=(\d+)', min: 15552000 } }
//!     json: [{ pointer: /status, equals: ok }]
//!     samples: 20
//!     latency: { percentile: 95, under_ms: 200 }
//! ```

use super::content::NamedPattern;
use super::{Outcome, Spanned, Validator};
use crate::live::{HttpObservation, HttpRequest, Observation, Probe, ProbeId};
use crate::live::{LivePlan, TargetEvidence, percentile};
use crate::model::Finding;
use regex::Regex;
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Most samples one rule may ask for: enough for a p99, not a load test.
pub const MAX_SAMPLES: u32 = 200;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpSpec {
    /// HTTP method; `GET` when omitted.
    #[serde(default)]
    pub method: Option<String>,
    /// Path (and query) joined to the target's URL; must start with `/`.
    /// Never a full URL: checks only ever reach the targets the user named.
    #[schemars(with = "String")]
    pub path: Spanned<String>,
    /// Request the target's plain-HTTP address (for the HTTPS redirect).
    #[serde(default)]
    pub plain_http: bool,
    /// Extra request headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Follow redirects (to the same host only); `true` when omitted.
    #[serde(default)]
    pub follow_redirects: Option<bool>,
    /// Accepted statuses: codes, classes (`2xx`) or ranges (`200-299`).
    #[serde(default)]
    pub status: Option<StatusSet>,
    #[serde(default)]
    pub response_headers: Vec<HeaderExpectation>,
    /// The body must match this regex.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub body_matches: Option<Spanned<String>>,
    /// The body must match none of these (stack traces, debug pages…).
    #[serde(default)]
    pub body_absent: Vec<NamedPattern>,
    #[serde(default)]
    pub json: Vec<JsonExpectation>,
    /// The body must be in this format.
    #[serde(default)]
    pub body_format: Option<BodyFormat>,
    /// The body must not be larger than this.
    #[serde(default)]
    pub max_body_bytes: Option<u64>,
    /// Requests to make (for latency and rate limits); 1 when omitted.
    #[serde(default)]
    pub samples: Option<u32>,
    /// Samples in flight at once; 1 when omitted. The per-host connection
    /// limit applies on top.
    #[serde(default)]
    pub concurrency: Option<u32>,
    #[serde(default)]
    pub latency: Option<LatencySpec>,
    /// Some sample must be answered `429` or carry rate-limit headers.
    #[serde(default)]
    pub rate_limited: bool,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum StatusSet {
    One(StatusItem),
    Many(Vec<StatusItem>),
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum StatusItem {
    Code(u16),
    /// `2xx`, or a range such as `200-299`.
    Pattern(String),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HeaderExpectation {
    /// Header name (any case).
    pub name: String,
    /// The header must not be sent at all.
    #[serde(default)]
    pub absent: bool,
    /// Conditions apply only when the header is sent (`Set-Cookie` flags).
    #[serde(default)]
    pub optional: bool,
    /// Every value equals this (case-insensitive, trimmed).
    #[serde(default)]
    pub equals: Option<String>,
    /// Every value matches this regex.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub matches: Option<Spanned<String>>,
    /// No value matches this regex.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub not_matches: Option<Spanned<String>>,
    /// A number captured from the value is at least `min`
    /// (e.g. HSTS `max-age=(\d+)`).
    #[serde(default)]
    pub min_number: Option<MinNumber>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MinNumber {
    /// A regex whose first group captures the number.
    #[schemars(with = "String")]
    pub pattern: Spanned<String>,
    pub min: f64,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonExpectation {
    /// RFC 6901 JSON pointer, e.g. `/status`.
    pub pointer: String,
    /// The value there must equal this.
    #[serde(default)]
    pub equals: Option<serde_json::Value>,
    /// The value must be there (`true`) or not (`false`).
    #[serde(default)]
    pub exists: Option<bool>,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BodyFormat {
    /// Prometheus text exposition format.
    Prometheus,
    Json,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LatencySpec {
    /// Which percentile must be under the limit; 95 when omitted.
    #[serde(default)]
    pub percentile: Option<f64>,
    pub under_ms: f64,
}

fn compile(regex: &str) -> Result<Regex, String> {
    regex::RegexBuilder::new(regex)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| e.to_string())
}

fn parse_status(item: &StatusItem) -> Result<(u16, u16), String> {
    match item {
        StatusItem::Code(code) if (100..=599).contains(code) => Ok((*code, *code)),
        StatusItem::Code(code) => Err(format!("`{code}` is not an HTTP status")),
        StatusItem::Pattern(text) => {
            let t = text.trim().to_ascii_lowercase();
            if let Some(class) = t.strip_suffix("xx")
                && let Ok(digit) = class.parse::<u16>()
                && (1..=5).contains(&digit)
            {
                return Ok((digit * 100, digit * 100 + 99));
            }
            if let Some((low, high)) = t.split_once('-')
                && let (Ok(low), Ok(high)) = (low.trim().parse::<u16>(), high.trim().parse::<u16>())
                && (100..=599).contains(&low)
                && low <= high
                && high <= 599
            {
                return Ok((low, high));
            }
            if let Ok(code) = t.parse::<u16>() {
                return parse_status(&StatusItem::Code(code));
            }
            Err(format!(
                "`{text}` is not a status: use a code (200), a class (2xx) or a range (200-299)"
            ))
        }
    }
}

fn status_items(set: &StatusSet) -> Vec<&StatusItem> {
    match set {
        StatusSet::One(item) => vec![item],
        StatusSet::Many(items) => items.iter().collect(),
    }
}

/// Validation shared with other kinds: a path relative to a target.
pub fn validate_path(v: &mut Validator<'_>, path: &Spanned<String>) {
    let text = &path.value;
    if !text.starts_with('/') || text.starts_with("//") {
        v.error_at(
            path,
            format!(
                "`{text}` must be a path starting with `/`: checks never name hosts, they probe the targets given with --url or --target"
            ),
        );
    } else if text.contains('#') || text.chars().any(char::is_whitespace) {
        v.error_at(path, format!("`{text}` must not contain spaces or `#`"));
    }
}

impl HttpSpec {
    pub fn validate(&self, v: &mut Validator<'_>) {
        validate_path(v, &self.path);
        if let Some(method) = &self.method
            && reqwest::Method::from_bytes(method.as_bytes()).is_err()
        {
            v.error(v.at, format!("`{method}` is not an HTTP method"));
        }
        for (name, value) in &self.headers {
            if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err()
                || reqwest::header::HeaderValue::from_str(value).is_err()
            {
                v.error(v.at, format!("invalid request header `{name}`"));
            }
        }
        if let Some(set) = &self.status {
            for item in status_items(set) {
                if let Err(message) = parse_status(item) {
                    v.error(v.at, message);
                }
            }
        }
        let mut regexes: Vec<&Spanned<String>> = Vec::new();
        regexes.extend(&self.body_matches);
        regexes.extend(self.body_absent.iter().map(|p| &p.regex));
        for expectation in &self.response_headers {
            regexes.extend(&expectation.matches);
            regexes.extend(&expectation.not_matches);
            regexes.extend(expectation.min_number.as_ref().map(|m| &m.pattern));
            if reqwest::header::HeaderName::from_bytes(expectation.name.as_bytes()).is_err() {
                v.error(v.at, format!("`{}` is not a header name", expectation.name));
            }
        }
        // Built-in packs' regexes are compiled by a test, not at every load.
        let trusted = v.trusted;
        for regex in regexes.into_iter().filter(|_| !trusted) {
            if let Err(message) = compile(&regex.value) {
                v.error_at(regex, format!("invalid regex `{}`: {message}", regex.value));
            }
        }
        for json in &self.json {
            if !json.pointer.is_empty() && !json.pointer.starts_with('/') {
                v.error(
                    v.at,
                    format!(
                        "JSON pointer `{}` must be empty or start with `/`",
                        json.pointer
                    ),
                );
            }
        }
        let samples = self.samples.unwrap_or(1);
        if !(1..=MAX_SAMPLES).contains(&samples) {
            v.error(v.at, format!("samples must be from 1 to {MAX_SAMPLES}"));
        }
        if self.concurrency == Some(0) {
            v.error(v.at, "concurrency must be at least 1");
        }
        if let Some(latency) = &self.latency {
            let p = latency.percentile.unwrap_or(95.0);
            if !(p > 0.0 && p <= 100.0) || latency.under_ms <= 0.0 {
                v.error(
                    v.at,
                    "latency needs a percentile in (0, 100] and a positive under_ms",
                );
            }
        }
    }

    pub fn plan(&self, plan: &mut LivePlan) -> HttpCheck {
        let request = HttpRequest {
            method: self.method.as_deref().unwrap_or("GET").to_ascii_uppercase(),
            plain_http: self.plain_http,
            path: self.path.value.clone(),
            headers: self
                .headers
                .iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
                .collect(),
            follow_redirects: self.follow_redirects.unwrap_or(true),
        };
        let probe = plan.add(
            Probe::Http(request),
            self.samples.unwrap_or(1),
            self.concurrency.unwrap_or(1),
        );
        let regex = |s: &Spanned<String>| LazyRegex {
            source: s.value.clone(),
            compiled: OnceLock::new(),
        };
        HttpCheck {
            probe,
            status: self.status.as_ref().map(|set| {
                status_items(set)
                    .into_iter()
                    .filter_map(|i| parse_status(i).ok())
                    .collect()
            }),
            headers: self
                .response_headers
                .iter()
                .map(|h| HeaderCheck {
                    name: h.name.to_ascii_lowercase(),
                    absent: h.absent,
                    optional: h.optional,
                    equals: h.equals.clone(),
                    matches: h.matches.as_ref().map(regex),
                    not_matches: h.not_matches.as_ref().map(regex),
                    min_number: h.min_number.as_ref().map(|m| (regex(&m.pattern), m.min)),
                })
                .collect(),
            body_matches: self.body_matches.as_ref().map(regex),
            body_absent: self
                .body_absent
                .iter()
                .map(|p| (p.name.clone(), regex(&p.regex)))
                .collect(),
            json: self
                .json
                .iter()
                .map(|j| (j.pointer.clone(), j.equals.clone(), j.exists))
                .collect(),
            body_format: self.body_format,
            max_body_bytes: self.max_body_bytes,
            latency: self
                .latency
                .as_ref()
                .map(|l| (l.percentile.unwrap_or(95.0), l.under_ms)),
            rate_limited: self.rate_limited,
            samples: self.samples.unwrap_or(1),
        }
    }
}

#[derive(Debug)]
struct HeaderCheck {
    name: String,
    absent: bool,
    optional: bool,
    equals: Option<String>,
    matches: Option<LazyRegex>,
    not_matches: Option<LazyRegex>,
    min_number: Option<(LazyRegex, f64)>,
}

/// A regex compiled the first time a response is checked against it: most
/// audits probe no target, and compiling every live check's regexes was a
/// tenth of an audit's fixed cost.
#[derive(Debug)]
struct LazyRegex {
    source: String,
    compiled: OnceLock<Regex>,
}

impl std::ops::Deref for LazyRegex {
    type Target = Regex;

    fn deref(&self) -> &Regex {
        // Validated when the pack loaded (built-in packs by a test).
        self.compiled
            .get_or_init(|| compile(&self.source).expect("validated when the pack loaded"))
    }
}

/// A planned `http` rule.
#[derive(Debug)]
pub struct HttpCheck {
    probe: ProbeId,
    status: Option<Vec<(u16, u16)>>,
    headers: Vec<HeaderCheck>,
    body_matches: Option<LazyRegex>,
    body_absent: Vec<(String, LazyRegex)>,
    json: Vec<(String, Option<serde_json::Value>, Option<bool>)>,
    body_format: Option<BodyFormat>,
    max_body_bytes: Option<u64>,
    latency: Option<(f64, f64)>,
    rate_limited: bool,
    samples: u32,
}

/// The observation a live rule needs, or the outcome to give instead: skip
/// without a target, error when the probe failed.
pub(crate) fn observed(
    live: Option<&TargetEvidence>,
    probe: ProbeId,
) -> Result<&Observation, Outcome> {
    let Some(target) = live else {
        return Err(Outcome::skip(super::NO_TARGET));
    };
    target
        .result(probe)
        .as_ref()
        .map_err(|reason| Outcome::error(format!("{}: {reason}", target.described(probe))))
}

fn show(text: &str) -> String {
    const LIMIT: usize = 120;
    let text = text.trim();
    if text.chars().count() > LIMIT {
        format!("`{}…`", text.chars().take(LIMIT).collect::<String>())
    } else {
        format!("`{text}`")
    }
}

impl HttpCheck {
    pub fn evaluate(&self, live: Option<&TargetEvidence>) -> Outcome {
        let observation = match observed(live, self.probe) {
            Ok(Observation::Http(observation)) => observation,
            Ok(_) => return Outcome::error("internal error: not an HTTP observation"),
            Err(outcome) => return outcome,
        };
        let described = live.map(|t| t.described(self.probe)).unwrap_or_default();
        let mut problems: Vec<String> = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        let mut errors: Vec<String> = Vec::new();
        let o: &HttpObservation = observation;

        if let Some(ranges) = &self.status
            && !ranges
                .iter()
                .any(|(lo, hi)| (*lo..=*hi).contains(&o.status))
        {
            let wanted: Vec<String> = ranges
                .iter()
                .map(|(lo, hi)| {
                    if lo == hi {
                        lo.to_string()
                    } else {
                        format!("{lo}-{hi}")
                    }
                })
                .collect();
            problems.push(format!(
                "status {} (expected {})",
                o.status,
                wanted.join(" or ")
            ));
        }
        for header in &self.headers {
            self.check_header(o, header, &mut problems);
        }
        let status_ok = problems.is_empty();
        self.check_body(o, status_ok, &mut problems, &mut errors);
        self.check_samples(o, &mut problems, &mut notes, &mut errors);

        let summary = format!("{described} → {}", o.status);
        // Problems and errors are in the message; findings carry what
        // else was measured (latencies, rate-limit evidence).
        let findings: Vec<Finding> = notes.iter().map(Finding::note).collect();
        if !errors.is_empty() && problems.is_empty() {
            return Outcome {
                status: crate::model::Status::Error,
                message: format!("{summary}: {}", errors.join("; ")),
                findings,
            };
        }
        if problems.is_empty() {
            let extra = notes.first().map(|n| format!("; {n}")).unwrap_or_default();
            Outcome::pass(format!("{summary}{extra}"), findings)
        } else {
            Outcome::fail(format!("{summary}: {}", problems.join("; ")), findings)
        }
    }

    fn check_header(&self, o: &HttpObservation, header: &HeaderCheck, problems: &mut Vec<String>) {
        let values: Vec<&str> = o.header_values(&header.name).collect();
        let name = &header.name;
        if header.absent {
            if let Some(value) = values.first() {
                problems.push(format!(
                    "header `{name}` is sent ({}) but should not be",
                    show(value)
                ));
            }
            return;
        }
        if values.is_empty() {
            if !header.optional {
                problems.push(format!("header `{name}` is missing"));
            }
            return;
        }
        for value in &values {
            if let Some(expected) = &header.equals
                && !value.trim().eq_ignore_ascii_case(expected.trim())
            {
                problems.push(format!(
                    "header `{name}` is {} (expected `{expected}`)",
                    show(value)
                ));
            }
            if let Some(regex) = &header.matches
                && !regex.is_match(value)
            {
                problems.push(format!(
                    "header `{name}` {} does not match `{}`",
                    show(value),
                    regex.as_str()
                ));
            }
            if let Some(regex) = &header.not_matches
                && regex.is_match(value)
            {
                problems.push(format!(
                    "header `{name}` {} matches `{}`",
                    show(value),
                    regex.as_str()
                ));
            }
            if let Some((regex, min)) = &header.min_number {
                let number = regex
                    .captures(value)
                    .and_then(|c| c.get(1))
                    .and_then(|m| m.as_str().parse::<f64>().ok());
                match number {
                    Some(n) if n >= *min => {}
                    Some(n) => problems.push(format!(
                        "header `{name}` {}: {n} is under the minimum {min}",
                        show(value)
                    )),
                    None => problems.push(format!(
                        "header `{name}` {} has no number matching `{}`",
                        show(value),
                        regex.as_str()
                    )),
                }
            }
        }
    }

    fn needs_body(&self) -> bool {
        self.body_matches.is_some()
            || !self.body_absent.is_empty()
            || !self.json.is_empty()
            || self.body_format.is_some()
            || self.max_body_bytes.is_some()
    }

    fn check_body(
        &self,
        o: &HttpObservation,
        status_ok: bool,
        problems: &mut Vec<String>,
        errors: &mut Vec<String>,
    ) {
        if !self.needs_body() {
            return;
        }
        let body = match &o.body {
            Ok(body) => body,
            Err(reason) => {
                errors.push(reason.clone());
                return;
            }
        };
        if let Some(max) = self.max_body_bytes
            && body.len() as u64 > max
        {
            problems.push(format!(
                "body is {} bytes (at most {max} allowed)",
                body.len()
            ));
        }
        let text = String::from_utf8_lossy(body);
        if let Some(regex) = &self.body_matches
            && !regex.is_match(&text)
        {
            problems.push(format!("body does not match `{}`", regex.as_str()));
        }
        for (name, regex) in &self.body_absent {
            if regex.is_match(&text) {
                problems.push(format!("body shows {name}"));
            }
        }
        // The format of an error page says nothing about the body the check
        // expects (a 404 page is not Prometheus text): judge it only when
        // the status was right. Stack traces count on any status.
        if !status_ok {
            return;
        }
        let needs_json =
            !self.json.is_empty() || matches!(self.body_format, Some(BodyFormat::Json));
        let parsed = needs_json.then(|| serde_json::from_slice::<serde_json::Value>(body));
        if let Some(Err(error)) = &parsed {
            problems.push(format!("body is not JSON: {error}"));
        }
        if let Some(Ok(value)) = &parsed {
            for (pointer, equals, exists) in &self.json {
                let found = value.pointer(pointer);
                if let Some(expected) = equals {
                    match found {
                        Some(actual) if actual == expected => {}
                        Some(actual) => problems.push(format!(
                            "JSON `{pointer}` is {actual} (expected {expected})"
                        )),
                        None => problems.push(format!("JSON `{pointer}` is missing")),
                    }
                }
                match (exists, found) {
                    (Some(true), None) => problems.push(format!("JSON `{pointer}` is missing")),
                    (Some(false), Some(_)) => {
                        problems.push(format!("JSON `{pointer}` is present but should not be"))
                    }
                    _ => {}
                }
            }
        }
        if let Some(BodyFormat::Prometheus) = self.body_format
            && let Err(problem) = prometheus_text(&text)
        {
            problems.push(format!("not Prometheus text format: {problem}"));
        }
    }

    fn check_samples(
        &self,
        o: &HttpObservation,
        problems: &mut Vec<String>,
        notes: &mut Vec<String>,
        errors: &mut Vec<String>,
    ) {
        if self.latency.is_none() && !self.rate_limited {
            return;
        }
        let failed: Vec<&str> = o
            .failed_samples()
            .filter_map(|s| s.error.as_deref())
            .collect();
        if let Some((p, under)) = self.latency {
            let ms = o.latencies_ms();
            if let Some(stats) = o.latency() {
                let value = percentile(&ms, p);
                let line = format!(
                    "p{p} {value:.0} ms over {} samples (min {:.0}, p50 {:.0}, p95 {:.0}, max {:.0} ms)",
                    stats.samples, stats.min, stats.p50, stats.p95, stats.max
                );
                if value >= under {
                    problems.push(format!("{line}; limit {under} ms"));
                } else {
                    notes.push(line);
                }
            }
            if let Some(first) = failed.first() {
                errors.push(format!(
                    "{} of {} samples failed: {first}",
                    failed.len(),
                    o.samples.len()
                ));
            }
        }
        if self.rate_limited {
            let limited = o
                .samples
                .iter()
                .filter(|s| s.status == Some(429) || s.rate_limit_headers)
                .count();
            if limited == 0 {
                problems.push(format!(
                    "no sign of rate limiting in {} requests (no 429, no RateLimit/Retry-After headers)",
                    o.samples.len().max(self.samples as usize)
                ));
            } else {
                notes.push(format!(
                    "{limited} of {} responses were rate limited or carried rate-limit headers",
                    o.samples.len()
                ));
            }
        }
    }
}

/// Checks a body against the Prometheus text exposition format, line by
/// line, with prometheus-parse's grammar: every line must be a comment, a
/// HELP/TYPE line or a sample with a numeric value, and there must be at
/// least one sample.
fn prometheus_text(text: &str) -> Result<(), String> {
    use prometheus_parse::LineInfo;
    let mut samples = 0;
    for (index, line) in text.lines().enumerate() {
        match LineInfo::parse(line) {
            LineInfo::Empty | LineInfo::Doc { .. } | LineInfo::Type { .. } => {}
            LineInfo::Sample { value, .. } => {
                let numeric =
                    matches!(value, "+Inf" | "-Inf" | "NaN") || value.parse::<f64>().is_ok();
                if !numeric {
                    return Err(format!("line {}: `{value}` is not a number", index + 1));
                }
                samples += 1;
            }
            LineInfo::Ignored if line.trim_start().starts_with('#') => {}
            LineInfo::Ignored => {
                return Err(format!(
                    "line {} is not a metric: {}",
                    index + 1,
                    show(line)
                ));
            }
        }
    }
    if samples == 0 {
        return Err("no samples".to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_accept_codes_classes_and_ranges() {
        assert_eq!(parse_status(&StatusItem::Code(200)), Ok((200, 200)));
        assert_eq!(
            parse_status(&StatusItem::Pattern("2xx".into())),
            Ok((200, 299))
        );
        assert_eq!(
            parse_status(&StatusItem::Pattern("301-308".into())),
            Ok((301, 308))
        );
        assert!(parse_status(&StatusItem::Pattern("6xx".into())).is_err());
        assert!(parse_status(&StatusItem::Code(42)).is_err());
    }

    #[test]
    fn prometheus_text_is_validated() {
        let good = "# HELP up Whether up.\n# TYPE up gauge\nup 1\nhttp_requests_total{code=\"200\"} 1027 1395066363000\n";
        assert_eq!(prometheus_text(good), Ok(()));
        assert!(prometheus_text("<html><body>Not found</body></html>").is_err());
        assert!(prometheus_text("# only comments\n").is_err());
    }
}
