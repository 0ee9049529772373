//! What the probes saw, per target. Rules evaluate against this,
//! synchronously, after every probe of every target has finished.

use super::plan::ProbeId;
use std::time::Duration;

/// One response, as far as rules care: status, headers, a capped body, and
/// the timings of every sample.
#[derive(Debug, Clone)]
pub struct HttpObservation {
    /// The URL requested (after joining the path to the target).
    pub url: String,
    /// The URL that answered, after any redirects that were followed.
    pub final_url: String,
    pub status: u16,
    /// Header names lower-cased; repeated headers (`Set-Cookie`) keep every value.
    pub headers: Vec<(String, String)>,
    /// The body (decompressed), or why it could not be read in full.
    pub body: Result<Vec<u8>, String>,
    /// Every request made for this probe, the first one included.
    pub samples: Vec<Sample>,
}

impl HttpObservation {
    /// Every value of a header, in the order received.
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Latency statistics over the samples that got a response.
    pub fn latency(&self) -> Option<Latency> {
        Latency::of(self.answered())
    }

    /// Latencies of the samples that got a response, sorted, in milliseconds.
    pub fn latencies_ms(&self) -> Vec<f64> {
        let mut ms: Vec<f64> = self.answered().map(|d| d.as_secs_f64() * 1000.0).collect();
        ms.sort_by(f64::total_cmp);
        ms
    }

    fn answered(&self) -> impl Iterator<Item = Duration> + '_ {
        self.samples
            .iter()
            .filter_map(|s| s.status.map(|_| s.latency))
    }

    pub fn failed_samples(&self) -> impl Iterator<Item = &Sample> {
        self.samples.iter().filter(|s| s.error.is_some())
    }
}

/// One request of a probe.
#[derive(Debug, Clone)]
pub struct Sample {
    pub latency: Duration,
    pub status: Option<u16>,
    /// The response carried a rate-limit header (`RateLimit-*`,
    /// `X-RateLimit-*`, `Retry-After`).
    pub rate_limit_headers: bool,
    pub error: Option<String>,
}

/// Latency percentiles in milliseconds (nearest-rank).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Latency {
    pub samples: usize,
    pub min: f64,
    pub p50: f64,
    pub p95: f64,
    pub max: f64,
}

impl Latency {
    pub fn of(latencies: impl Iterator<Item = Duration>) -> Option<Latency> {
        let mut ms: Vec<f64> = latencies.map(|d| d.as_secs_f64() * 1000.0).collect();
        if ms.is_empty() {
            return None;
        }
        ms.sort_by(f64::total_cmp);
        Some(Latency {
            samples: ms.len(),
            min: ms[0],
            p50: percentile(&ms, 50.0),
            p95: percentile(&ms, 95.0),
            max: ms[ms.len() - 1],
        })
    }
}

/// Nearest-rank percentile of sorted values: the smallest value such that at
/// least `p` percent of the values are at or below it.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The certificate and session a TLS handshake produced.
#[derive(Debug, Clone)]
pub struct TlsObservation {
    pub host: String,
    pub port: u16,
    /// `TLSv1.3` or `TLSv1.2` (rustls speaks nothing older).
    pub protocol: String,
    pub subject: String,
    pub issuer: String,
    pub not_before: jiff::Timestamp,
    pub not_after: jiff::Timestamp,
    /// Why the chain is not trusted (expired, unknown issuer, wrong name…),
    /// `None` when it is.
    pub trust_error: Option<String>,
    /// Whether the certificate names the host that was asked for.
    pub name_matches: bool,
    /// `--insecure` was given: an untrusted chain is reported, not an error.
    pub insecure: bool,
}

/// Whether a TCP port answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortState {
    /// A connection was accepted.
    Open,
    /// The host refused the connection.
    Closed,
    /// No answer within the timeout, or the network said unreachable.
    Filtered,
}

impl PortState {
    pub fn describe(self) -> &'static str {
        match self {
            PortState::Open => "open",
            PortState::Closed => "closed (connection refused)",
            PortState::Filtered => "not reachable (no answer)",
        }
    }
}

#[derive(Debug, Clone)]
pub enum Observation {
    Http(Box<HttpObservation>),
    Tls(Box<TlsObservation>),
    /// The server would not negotiate TLS 1.2 or 1.3.
    TlsTooOld {
        host: String,
        port: u16,
        reason: String,
    },
    Port {
        port: u16,
        state: PortState,
    },
    /// One result per item a target declared (a path, a port), in order.
    Declared(Vec<DeclaredItem>),
    /// The first line a Redis server answered to an unauthenticated `PING`,
    /// or `None` when nothing listened.
    Redis {
        port: u16,
        reply: Option<String>,
        state: PortState,
    },
}

/// One declared path or port and what it gave.
#[derive(Debug, Clone)]
pub struct DeclaredItem {
    /// What was asked, e.g. `/api/search?q=a` or `port 5432`.
    pub item: String,
    /// What the user said the answer must be, for the rule to judge.
    pub expect: Expect,
    pub result: ProbeResult,
}

/// The user's expectation for one declared item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// The check decides (latency limits, compression, cache headers…).
    Check,
    /// A readiness dependency: the JSON pointer to its status.
    Pointer(String),
    /// A smoke probe's status and a text its body contains.
    Response { status: u16, body: Option<String> },
    /// A port, and whether it is on the allow-list.
    Port { allowed: bool },
}

/// A probe's result: what was seen, or why nothing could be (refused,
/// timed out, TLS failed…). The reason is shown to the user as is.
pub type ProbeResult = Result<Observation, String>;

/// Everything observed on one target.
#[derive(Debug, Clone)]
pub struct TargetEvidence {
    /// The target's name: its key in `readyctl.toml`, or the URL given with `--url`.
    pub name: String,
    pub url: String,
    /// Per probe, in plan order.
    pub probes: Vec<ProbeRecord>,
    pub duration: Duration,
}

/// One probe made on a target.
#[derive(Debug, Clone)]
pub struct ProbeRecord {
    /// `http`, `tls`, `tcp` or `redis`.
    pub kind: &'static str,
    /// What was done, e.g. `GET https://x/health`.
    pub described: String,
    pub result: ProbeResult,
}

impl TargetEvidence {
    pub fn result(&self, id: ProbeId) -> &ProbeResult {
        &self.probes[id.0].result
    }

    pub fn described(&self, id: ProbeId) -> &str {
        &self.probes[id.0].described
    }
}

/// Everything observed on every target, in the order targets were given.
#[derive(Debug, Clone, Default)]
pub struct LiveEvidence {
    pub targets: Vec<TargetEvidence>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let values: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(percentile(&values, 50.0), 10.0);
        assert_eq!(percentile(&values, 95.0), 19.0);
        assert_eq!(percentile(&values, 100.0), 20.0);
        assert_eq!(percentile(&[7.0], 95.0), 7.0);
    }

    #[test]
    fn latency_summarises_samples() {
        let latency = Latency::of([30, 10, 20].into_iter().map(Duration::from_millis)).unwrap();
        assert_eq!((latency.min, latency.p50, latency.max), (10.0, 20.0, 30.0));
        assert_eq!(latency.samples, 3);
        assert!(Latency::of(std::iter::empty()).is_none());
    }
}
