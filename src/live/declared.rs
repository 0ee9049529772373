//! Probes on what the user listed for a target (`[targets.NAME] paths`,
//! `static`, `protected`, `allowed_ports`, `readiness`, `smoke`). Packs
//! cannot know a service's API paths; the user can, and these lists differ
//! per target, so one planned probe expands into one request (or
//! connection) per listed item when it runs.

use super::evidence::{DeclaredItem, Expect, Observation, ProbeResult};
use super::plan::{DeclaredProbe, HttpRequest, PlannedProbe, Probe};
use super::{Context, Target, http, net};

/// Ports probed for the allow-list when the target names none: remote
/// access, mail, databases, caches, queues, search, admin consoles and
/// common development servers.
pub const COMMON_PORTS: &[u16] = &[
    21, 22, 23, 25, 80, 443, 445, 1433, 1521, 2375, 2379, 3000, 3306, 3389, 5000, 5432, 5601, 5672,
    5984, 6379, 8000, 8080, 8443, 9000, 9090, 9200, 9300, 11211, 15672, 27017,
];

fn get(path: &str, headers: Vec<(String, String)>) -> HttpRequest {
    request("GET", path, headers, true)
}

fn request(
    method: &str,
    path: &str,
    headers: Vec<(String, String)>,
    follow_redirects: bool,
) -> HttpRequest {
    HttpRequest {
        method: method.to_ascii_uppercase(),
        plain_http: false,
        path: path.to_string(),
        headers,
        follow_redirects,
    }
}

/// The paths the compression check asks for: every listed asset and API
/// path, each once.
pub fn compression_paths(target: &Target) -> Vec<String> {
    let mut paths: Vec<String> = Vec::new();
    for path in target
        .declared
        .static_assets
        .iter()
        .chain(&target.declared.paths)
    {
        if !paths.contains(path) {
            paths.push(path.clone());
        }
    }
    paths
}

pub(crate) async fn probe(
    context: &Context,
    target: &Target,
    which: DeclaredProbe,
    planned: &PlannedProbe,
) -> ProbeResult {
    let declared = &target.declared;
    let once = |request: HttpRequest| PlannedProbe {
        probe: Probe::Http(request),
        samples: 1,
        concurrency: 1,
    };
    let mut items = Vec::new();
    match which {
        DeclaredProbe::Latency => {
            for path in &declared.paths {
                let request = get(path, Vec::new());
                let sampled = PlannedProbe {
                    probe: Probe::Http(request.clone()),
                    samples: planned.samples,
                    concurrency: planned.concurrency,
                };
                let result = http::probe(context, target, &request, &sampled).await;
                items.push(DeclaredItem {
                    item: path.clone(),
                    expect: Expect::Check,
                    result,
                });
            }
        }
        DeclaredProbe::Compression => {
            for path in compression_paths(target) {
                let request = get(
                    &path,
                    vec![("accept-encoding".to_string(), "gzip, br".to_string())],
                );
                let result = http::probe_with(
                    context,
                    &context.raw,
                    target,
                    &request,
                    &once(request.clone()),
                )
                .await;
                items.push(DeclaredItem {
                    item: path,
                    expect: Expect::Check,
                    result,
                });
            }
        }
        DeclaredProbe::StaticCache => {
            for path in &declared.static_assets {
                let request = get(path, Vec::new());
                let result = http::probe(context, target, &request, &once(request.clone())).await;
                items.push(DeclaredItem {
                    item: path.clone(),
                    expect: Expect::Check,
                    result,
                });
            }
        }
        DeclaredProbe::Protected => {
            // Without the target's headers: they usually carry the very
            // credentials whose absence is being tested.
            let mut anonymous = target.clone();
            anonymous.headers.clear();
            for path in &declared.protected {
                let request = request("GET", path, Vec::new(), false);
                let result =
                    http::probe(context, &anonymous, &request, &once(request.clone())).await;
                items.push(DeclaredItem {
                    item: path.clone(),
                    expect: Expect::Check,
                    result,
                });
            }
        }
        DeclaredProbe::Ports => {
            if let Some(allowed) = &declared.allowed_ports {
                let mut ports: Vec<u16> = declared
                    .scan_ports
                    .clone()
                    .unwrap_or_else(|| COMMON_PORTS.to_vec());
                ports.extend(allowed);
                ports.sort_unstable();
                ports.dedup();
                for port in ports {
                    items.push(DeclaredItem {
                        item: format!("port {port}"),
                        expect: Expect::Port {
                            allowed: allowed.contains(&port),
                        },
                        result: net::tcp(context, target, port).await,
                    });
                }
            }
        }
        DeclaredProbe::Readiness => {
            if let Some(readiness) = &declared.readiness {
                let request = get(&readiness.path, Vec::new());
                let result = http::probe(context, target, &request, &once(request.clone())).await;
                for (name, pointer) in &readiness.dependencies {
                    items.push(DeclaredItem {
                        item: format!("{name} ({}{pointer})", readiness.path),
                        expect: Expect::Pointer(pointer.clone()),
                        result: result.clone(),
                    });
                }
            }
        }
        DeclaredProbe::Smoke => {
            for smoke in &declared.smoke {
                let request = request(&smoke.method, &smoke.path, Vec::new(), true);
                let result = http::probe(context, target, &request, &once(request.clone())).await;
                items.push(DeclaredItem {
                    item: format!("{} ({} {})", smoke.name, smoke.method, smoke.path),
                    expect: Expect::Response {
                        status: smoke.status,
                        body: smoke.body.clone(),
                    },
                    result,
                });
            }
        }
    }
    Ok(Observation::Declared(items))
}

/// For reports: what the probe covers on this target.
pub fn describe(target: &Target, which: DeclaredProbe) -> String {
    let declared = &target.declared;
    let base = target.url.as_str().trim_end_matches('/');
    match which {
        DeclaredProbe::Latency => format!("GET {base} paths: {}", declared.paths.join(", ")),
        DeclaredProbe::Compression => format!(
            "GET {base} +accept-encoding: {}",
            compression_paths(target).join(", ")
        ),
        DeclaredProbe::StaticCache => {
            format!("GET {base} static: {}", declared.static_assets.join(", "))
        }
        DeclaredProbe::Protected => format!(
            "GET {base} without credentials: {}",
            declared.protected.join(", ")
        ),
        DeclaredProbe::Ports => format!("TCP {} port allow-list", target.host()),
        DeclaredProbe::Readiness => format!(
            "GET {base}{}",
            declared
                .readiness
                .as_ref()
                .map_or("(no readiness path)", |r| r.path.as_str())
        ),
        DeclaredProbe::Smoke => format!("{} smoke probe(s) on {base}", declared.smoke.len()),
    }
}
