//! The HTTP probe: one request whose response rules inspect, then as many
//! more samples as latency or rate-limit checks asked for.

use super::evidence::{HttpObservation, Observation, ProbeResult, Sample};
use super::plan::{HttpRequest, PlannedProbe};
use super::tls::Trust;
use super::{Context, LiveError, LiveOptions, Target, human_duration};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::redirect::Policy;
use std::time::Duration;
use tokio::time::Instant;
use url::Url;

/// Redirects followed before calling it a loop.
const MAX_REDIRECTS: usize = 10;

/// Redirects within the target's host only, up to [`MAX_REDIRECTS`].
fn redirect_policy(follow: bool) -> Policy {
    if follow {
        Policy::custom(|attempt| {
            let origin_host = attempt
                .previous()
                .first()
                .and_then(|u| u.host_str().map(str::to_ascii_lowercase));
            if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error(format!(
                    "redirect loop: more than {MAX_REDIRECTS} redirects"
                ))
            } else if attempt.url().host_str().map(str::to_ascii_lowercase) != origin_host {
                // Only the user's targets are contacted: a redirect to
                // another host is reported as is, not followed.
                attempt.stop()
            } else {
                attempt.follow()
            }
        })
    } else {
        Policy::none()
    }
}

pub(crate) fn client(
    options: &LiveOptions,
    trust: &Trust,
    follow: bool,
) -> Result<reqwest::Client, LiveError> {
    let policy = redirect_policy(follow);
    let mut builder = reqwest::Client::builder();
    // A proxy cannot reach the auditor's own loopback: services on
    // localhost are always asked directly.
    if options.targets.iter().all(|t| is_loopback(t.host())) {
        builder = builder.no_proxy();
    }
    builder
        .user_agent(super::user_agent())
        .redirect(policy)
        .connect_timeout(options.timeout)
        .pool_max_idle_per_host(options.connections_per_host)
        .tls_backend_preconfigured(trust.client_config()?)
        .build()
        .map_err(|e| LiveError::Client(error_chain(&e)))
}

/// A client that never decompresses: the compression check must see the
/// `Content-Encoding` the server chose, which decoding would remove.
pub(crate) fn raw_client(
    options: &LiveOptions,
    trust: &Trust,
) -> Result<reqwest::Client, LiveError> {
    let mut builder = reqwest::Client::builder();
    if options.targets.iter().all(|t| is_loopback(t.host())) {
        builder = builder.no_proxy();
    }
    builder
        .user_agent(super::user_agent())
        .no_gzip()
        .no_deflate()
        .redirect(redirect_policy(true))
        .connect_timeout(options.timeout)
        .tls_backend_preconfigured(trust.client_config()?)
        .build()
        .map_err(|e| LiveError::Client(error_chain(&e)))
}

pub(crate) async fn probe(
    context: &Context,
    target: &Target,
    request: &HttpRequest,
    planned: &PlannedProbe,
) -> ProbeResult {
    let client = if request.follow_redirects {
        &context.follow
    } else {
        &context.no_follow
    };
    probe_with(context, client, target, request, planned).await
}

pub(crate) async fn probe_with(
    context: &Context,
    client: &reqwest::Client,
    target: &Target,
    request: &HttpRequest,
    planned: &PlannedProbe,
) -> ProbeResult {
    let url = target.join(&request.path, request.plain_http);
    let headers = headers(target, request)?;
    let method = reqwest::Method::from_bytes(request.method.as_bytes())
        .map_err(|_| format!("`{}` is not an HTTP method", request.method))?;

    let call = Call {
        context,
        client,
        method,
        url: url.clone(),
        headers,
    };
    let first = call.send(true).await?;
    let mut samples = vec![first.sample.clone()];

    // A path the service does not have (`/healthz` beside `/health`) has no
    // latency worth sampling; at scale those samples were most of the requests.
    let absent = matches!(first.status, 404 | 410);
    let more = if absent {
        0
    } else {
        planned.samples.saturating_sub(1) as usize
    };
    if more > 0 {
        use futures_util::stream::{self, StreamExt};
        let concurrency = (planned.concurrency as usize).max(1);
        let call = &call;
        let rest: Vec<Sample> = stream::iter(0..more)
            .map(|_| async move {
                match call.send(false).await {
                    Ok(response) => response.sample,
                    Err(error) => Sample {
                        latency: Duration::ZERO,
                        status: None,
                        rate_limit_headers: false,
                        error: Some(error),
                    },
                }
            })
            .buffer_unordered(concurrency)
            .collect()
            .await;
        samples.extend(rest);
    }

    Ok(Observation::Http(Box::new(HttpObservation {
        url: url.to_string(),
        final_url: first.final_url,
        status: first.status,
        headers: first.headers,
        body: first.body,
        samples,
    })))
}

/// The target's headers, then the check's (a check may add `Origin`, say).
fn headers(target: &Target, request: &HttpRequest) -> Result<HeaderMap, String> {
    let mut map = HeaderMap::new();
    for (name, value) in &target.headers {
        map.append(name.clone(), value.clone());
    }
    for (name, value) in &request.headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("`{name}` is not a header name"))?;
        let value =
            HeaderValue::from_str(value).map_err(|_| format!("bad value for header `{name}`"))?;
        map.insert(name, value);
    }
    Ok(map)
}

struct Call<'a> {
    context: &'a Context,
    client: &'a reqwest::Client,
    method: reqwest::Method,
    url: Url,
    headers: HeaderMap,
}

struct Response {
    final_url: String,
    status: u16,
    headers: Vec<(String, String)>,
    body: Result<Vec<u8>, String>,
    sample: Sample,
}

impl Call<'_> {
    /// One request. Errors only when no response arrived at all; a body that
    /// cannot be read is recorded on the response.
    async fn send(&self, keep_body: bool) -> Result<Response, String> {
        let context = self.context;
        let origin = format!(
            "{}:{}",
            self.url.host_str().unwrap_or_default(),
            self.url.port_or_known_default().unwrap_or(0)
        );
        let _permit = context.limits.acquire(&origin).await;
        let started = Instant::now();
        let timeout = context.timeout;
        let exchange = async {
            let mut response = self
                .client
                .request(self.method.clone(), self.url.clone())
                .headers(self.headers.clone())
                .send()
                .await
                .map_err(|e| describe_error(&e, timeout))?;
            let status = response.status().as_u16();
            let final_url = response.url().to_string();
            let headers: Vec<(String, String)> = response
                .headers()
                .iter()
                .map(|(name, value)| {
                    (
                        name.as_str().to_string(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let body = read_body(&mut response, context.max_body_bytes, keep_body, timeout).await;
            Ok::<_, String>((status, final_url, headers, body))
        };
        let (status, final_url, headers, body) = tokio::time::timeout(timeout, exchange)
            .await
            .map_err(|_| {
            format!(
                "{} {} timed out after {}",
                self.method,
                self.url,
                human_duration(timeout)
            )
        })??;
        let latency = started.elapsed();
        let rate_limit_headers = headers.iter().any(|(name, _)| {
            name.starts_with("ratelimit")
                || name.starts_with("x-ratelimit")
                || name == "retry-after"
        });
        Ok(Response {
            sample: Sample {
                latency,
                status: Some(status),
                rate_limit_headers,
                error: None,
            },
            final_url,
            status,
            headers,
            body,
        })
    }
}

/// Reads at most `limit` bytes (after decompression). Going over is an
/// error: an enormous body or a compression bomb is stopped, not buffered.
async fn read_body(
    response: &mut reqwest::Response,
    limit: u64,
    keep: bool,
    timeout: Duration,
) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    let mut read: u64 = 0;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                read += chunk.len() as u64;
                if read > limit {
                    return Err(format!(
                        "the response body is larger than the {limit}-byte limit (after decompression); not read further"
                    ));
                }
                if keep {
                    body.extend_from_slice(&chunk);
                }
            }
            Ok(None) => return Ok(body),
            Err(error) => {
                return Err(format!(
                    "the response body could not be read: {}",
                    describe_error(&error, timeout)
                ));
            }
        }
    }
}

/// A reqwest error as one line naming the cause (refused, timed out,
/// certificate…), not just "error sending request".
fn describe_error(error: &reqwest::Error, timeout: Duration) -> String {
    let chain = error_chain(error);
    if error.is_timeout() {
        format!("timed out after {}: {chain}", human_duration(timeout))
    } else if error.is_redirect() {
        chain
    } else if error.is_connect() {
        format!("cannot connect: {chain}")
    } else {
        chain
    }
}

/// The error and its sources joined with `: `, skipping repeats.
pub(crate) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = current {
        let text = error.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = error.source();
    }
    parts.join(": ")
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_matches(['[', ']']);
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
