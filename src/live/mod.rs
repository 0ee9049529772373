//! Live endpoint probing: the running service, checked in the same report
//! as its repository.
//!
//! The flow mirrors the repository scan. Rules register the probes they need
//! in a [`LivePlan`] (identical requests are made once and shared); [`gather`]
//! runs every probe on every [`Target`] concurrently on tokio, with a bounded
//! number of connections per host, a per-request timeout and an overall
//! deadline; the rules then evaluate synchronously against the resulting
//! [`LiveEvidence`]. A probe that fails (refused, timed out, bad TLS, a
//! redirect loop, an enormous body) records why, and only the checks that
//! needed it become `error`; everything else is still reported.
//!
//! Only this module and its children speak to the network. Rule specs
//! (`rules::http` and friends) never see a socket.

pub mod config;
mod declared;
mod evidence;
mod http;
mod net;
mod plan;
mod target;
mod tls;

pub use declared::COMMON_PORTS;
pub use evidence::{
    DeclaredItem, Expect, HttpObservation, Latency, LiveEvidence, Observation, PortState,
    ProbeRecord, ProbeResult, Sample, TargetEvidence, TlsObservation, percentile,
};
pub use plan::{DeclaredProbe, HttpRequest, LivePlan, PlannedProbe, Probe, ProbeId};
pub use target::{Declared, Target};

use rustls_pki_types::CertificateDer;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// Default per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default deadline for all probes together.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);
pub const DEFAULT_CONNECTIONS_PER_HOST: usize = 4;
/// Bodies are read up to this many bytes (after decompression); a larger
/// one is an error, which also defuses compression bombs.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 1024 * 1024;

/// How to probe, and what.
#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// The services to probe. Empty: every live check is skipped.
    pub targets: Vec<Target>,
    /// Skip every live check, saying so, even when targets are given.
    pub offline: bool,
    pub timeout: Duration,
    pub deadline: Duration,
    /// Concurrent connections to one host and port.
    pub connections_per_host: usize,
    pub max_body_bytes: u64,
    /// Accept certificates that do not verify (staging with self-signed
    /// certificates). TLS checks still report expiry and names.
    pub insecure: bool,
    /// Extra trusted roots, on top of the system's.
    pub ca_certs: Vec<CertificateDer<'static>>,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            targets: Vec::new(),
            offline: false,
            timeout: DEFAULT_TIMEOUT,
            deadline: DEFAULT_DEADLINE,
            connections_per_host: DEFAULT_CONNECTIONS_PER_HOST,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            insecure: false,
            ca_certs: Vec::new(),
        }
    }
}

/// Problems that stop probing altogether (as opposed to a target that
/// misbehaves, which is a result).
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("cannot set up TLS: {0}")]
    Tls(String),
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}

/// Reads CA certificates from a PEM file (for `--ca-cert`).
pub fn load_ca_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    use rustls_pki_types::pem::PemObject;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("`{}` is not a PEM certificate file: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("`{}` contains no PEM certificate", path.display()));
    }
    Ok(certs)
}

/// The `User-Agent` of every request.
pub fn user_agent() -> String {
    format!(
        "readyctl/{} (+production-readiness audit)",
        env!("CARGO_PKG_VERSION")
    )
}

/// Limits concurrent connections per host and port (one server), across
/// every probe kind.
#[derive(Debug)]
pub(crate) struct HostLimits {
    per_host: usize,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl HostLimits {
    fn new(per_host: usize) -> Self {
        HostLimits {
            per_host: per_host.max(1),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) async fn acquire(&self, host: &str) -> tokio::sync::OwnedSemaphorePermit {
        let semaphore = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(
                hosts
                    .entry(host.to_ascii_lowercase())
                    .or_insert_with(|| Arc::new(Semaphore::new(self.per_host))),
            )
        };
        semaphore
            .acquire_owned()
            .await
            .expect("host semaphores are never closed")
    }
}

/// What every probe shares: clients, TLS roots, limits.
pub(crate) struct Context {
    pub follow: reqwest::Client,
    pub no_follow: reqwest::Client,
    /// Follows redirects and leaves bodies compressed, so the response's
    /// `Content-Encoding` is what the server sent.
    pub raw: reqwest::Client,
    pub tls: tls::Trust,
    pub limits: HostLimits,
    pub timeout: Duration,
    pub max_body_bytes: u64,
}

/// Runs every planned probe against every target, concurrently, and returns
/// what was observed. Never fails because of a target; see [`LiveError`].
pub async fn gather(plan: &LivePlan, options: &LiveOptions) -> Result<LiveEvidence, LiveError> {
    let trust = tls::Trust::new(options)?;
    let context = Arc::new(Context {
        follow: http::client(options, &trust, true)?,
        no_follow: http::client(options, &trust, false)?,
        raw: http::raw_client(options, &trust)?,
        tls: trust,
        limits: HostLimits::new(options.connections_per_host),
        timeout: options.timeout,
        max_body_bytes: options.max_body_bytes,
    });
    let deadline = Instant::now() + options.deadline;
    let probes: Arc<Vec<PlannedProbe>> = Arc::new(plan.probes().to_vec());
    let started = Instant::now();

    let mut tasks = tokio::task::JoinSet::new();
    for (t, target) in options.targets.iter().enumerate() {
        let target = Arc::new(target.clone());
        for p in 0..probes.len() {
            let (context, target, probes) = (
                Arc::clone(&context),
                Arc::clone(&target),
                Arc::clone(&probes),
            );
            tasks.spawn(async move {
                let planned = &probes[p];
                let result =
                    tokio::time::timeout_at(deadline, run_probe(&context, &target, planned))
                        .await
                        .unwrap_or_else(|_| {
                            Err(format!(
                                "not finished before the overall deadline ({})",
                                human_duration(deadline - started)
                            ))
                        });
                (t, p, result, started.elapsed())
            });
        }
    }

    let mut targets: Vec<TargetEvidence> = options
        .targets
        .iter()
        .map(|target| TargetEvidence {
            name: target.name.clone(),
            url: target.url.to_string(),
            probes: probes
                .iter()
                .map(|planned| ProbeRecord {
                    kind: planned.probe.kind(),
                    described: describe(target, &planned.probe),
                    result: Err("not run".to_string()),
                })
                .collect(),
            duration: Duration::ZERO,
        })
        .collect();
    while let Some(joined) = tasks.join_next().await {
        // A panicking probe is a bug, but it must not take the audit down.
        let Ok((t, p, result, finished)) = joined else {
            continue;
        };
        targets[t].probes[p].result = result;
        targets[t].duration = targets[t].duration.max(finished);
    }
    Ok(LiveEvidence { targets })
}

/// [`gather`] on a runtime of its own, for callers without one.
pub fn gather_blocking(plan: &LivePlan, options: &LiveOptions) -> Result<LiveEvidence, LiveError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(LiveError::Runtime)?;
    runtime.block_on(gather(plan, options))
}

async fn run_probe(context: &Context, target: &Target, planned: &PlannedProbe) -> ProbeResult {
    match &planned.probe {
        Probe::Http(request) => http::probe(context, target, request, planned).await,
        Probe::Tls { port } => tls::probe(context, target, *port).await,
        Probe::Tcp { port } => net::tcp(context, target, *port).await,
        Probe::Redis { port } => net::redis(context, target, *port).await,
        Probe::Declared(which) => declared::probe(context, target, *which, planned).await,
    }
}

/// What a probe does, for reports: `GET https://x/health`, `TLS x:443`.
pub fn describe(target: &Target, probe: &Probe) -> String {
    match probe {
        Probe::Http(request) => {
            let mut text = format!(
                "{} {}",
                request.method,
                target.join(&request.path, request.plain_http)
            );
            if !request.follow_redirects {
                text.push_str(" (no redirects)");
            }
            for (name, _) in &request.headers {
                text.push_str(&format!(" +{name}"));
            }
            text
        }
        Probe::Tls { port } => format!(
            "TLS {}:{}",
            target.host(),
            port.or(target.url.port_or_known_default()).unwrap_or(443)
        ),
        Probe::Tcp { port } => format!("TCP {}:{}", target.host(), target.mapped_port(*port)),
        Probe::Redis { port } => {
            format!("Redis PING {}:{}", target.host(), target.mapped_port(*port))
        }
        Probe::Declared(which) => declared::describe(target, *which),
    }
}

pub(crate) fn human_duration(duration: Duration) -> String {
    if duration < Duration::from_secs(1) {
        format!("{} ms", duration.as_millis())
    } else {
        format!("{:.1} s", duration.as_secs_f64())
    }
}
