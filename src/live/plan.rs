//! The live plan: every probe that the live checks need, made once per target.
//!
//! Rules register what they want to see (a request, a handshake, a port) and
//! get a [`ProbeId`] back. Identical probes share one id, so ten header checks
//! on `GET /` cost one request per target, not ten.

use std::collections::HashMap;

/// Handle to one planned probe; the same for every target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProbeId(pub(crate) usize);

/// One HTTP request, relative to a target. It never names a host: the target
/// supplies scheme, host and port, so a pack cannot send traffic elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HttpRequest {
    pub method: String,
    /// Request the target's plain-HTTP address instead of its URL.
    pub plain_http: bool,
    /// Path and optional query, always starting with `/`.
    pub path: String,
    /// Extra request headers, sorted by name so equal requests compare equal.
    pub headers: Vec<(String, String)>,
    pub follow_redirects: bool,
}

/// What to observe on a target.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Probe {
    Http(HttpRequest),
    /// A TLS handshake; `None` is the target URL's own port.
    Tls {
        port: Option<u16>,
    },
    /// Whether a TCP port on the target's host accepts connections.
    Tcp {
        port: u16,
    },
    /// A `PING` without credentials.
    Redis {
        port: u16,
    },
    /// Requests or connections on what the user listed for each target
    /// (`[targets.NAME] paths`, `static`, …): the list differs per target.
    Declared(DeclaredProbe),
}

/// Which of a target's declared lists to probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeclaredProbe {
    /// GET each of `paths`, sampled for latency.
    Latency,
    /// GET `static` and `paths` with `Accept-Encoding: gzip, br`,
    /// the response left compressed.
    Compression,
    /// GET each of `static`.
    StaticCache,
    /// GET each of `protected` without the target's headers.
    Protected,
    /// Connect to each of `scan_ports` (or the common service ports).
    Ports,
    /// GET the readiness path.
    Readiness,
    /// Each smoke probe's request.
    Smoke,
}

impl Probe {
    pub fn kind(&self) -> &'static str {
        match self {
            Probe::Http(_) => "http",
            Probe::Tls { .. } => "tls",
            Probe::Tcp { .. } => "tcp",
            Probe::Redis { .. } => "redis",
            Probe::Declared(DeclaredProbe::Ports) => "tcp",
            Probe::Declared(_) => "http",
        }
    }
}

/// A probe with how often to repeat it (HTTP only: latency samples and
/// rate-limit bursts).
#[derive(Debug, Clone)]
pub struct PlannedProbe {
    pub probe: Probe,
    /// Requests to make in total; the first one's response is the one
    /// rules inspect, the others only add timings and statuses.
    pub samples: u32,
    /// How many of the samples may be in flight at once (further bounded
    /// by the per-host connection limit).
    pub concurrency: u32,
}

#[derive(Debug, Default)]
pub struct LivePlan {
    probes: Vec<PlannedProbe>,
    index: HashMap<Probe, ProbeId>,
}

impl LivePlan {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a probe, merging it with an identical one: the merged probe
    /// makes as many samples as the most demanding rule asked for.
    pub fn add(&mut self, probe: Probe, samples: u32, concurrency: u32) -> ProbeId {
        if let Some(id) = self.index.get(&probe) {
            let planned = &mut self.probes[id.0];
            planned.samples = planned.samples.max(samples);
            planned.concurrency = planned.concurrency.max(concurrency);
            return *id;
        }
        let id = ProbeId(self.probes.len());
        self.index.insert(probe.clone(), id);
        self.probes.push(PlannedProbe {
            probe,
            samples: samples.max(1),
            concurrency: concurrency.max(1),
        });
        id
    }

    pub fn is_empty(&self) -> bool {
        self.probes.is_empty()
    }

    pub fn probes(&self) -> &[PlannedProbe] {
        &self.probes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str) -> Probe {
        Probe::Http(HttpRequest {
            method: "GET".into(),
            plain_http: false,
            path: path.into(),
            headers: Vec::new(),
            follow_redirects: true,
        })
    }

    #[test]
    fn identical_probes_are_planned_once_with_the_most_samples() {
        let mut plan = LivePlan::new();
        let a = plan.add(get("/health"), 1, 1);
        let b = plan.add(get("/health"), 20, 4);
        let c = plan.add(get("/ready"), 1, 1);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(plan.probes().len(), 2);
        assert_eq!(plan.probes()[0].samples, 20);
        assert_eq!(plan.probes()[0].concurrency, 4);
    }
}
