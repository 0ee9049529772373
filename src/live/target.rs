//! Targets: the running services a user named, and nothing else.
//!
//! A target comes from `--url URL` or from a `[targets.NAME]` table in
//! `readyctl.toml` selected with `--target NAME`. Check packs never name
//! hosts; every probe is relative to one of these.

use super::config::{HeaderSource, ReadinessConfig, SmokeConfig, TargetConfig};
use reqwest::header::{HeaderName, HeaderValue};
use std::collections::BTreeMap;
use std::fmt;
use url::Url;

/// A service to probe.
#[derive(Clone)]
pub struct Target {
    /// How reports name it: the key in `readyctl.toml`, or the URL itself.
    pub name: String,
    /// `http://` or `https://`; paths of HTTP checks are joined to it.
    pub url: Url,
    /// Where plain-HTTP checks (the HTTPS redirect) go; by default the URL
    /// with `http://` and the default port.
    pub http_url: Option<Url>,
    /// Sent with every HTTP request to this target. Values are marked
    /// sensitive and never appear in a report or in `Debug` output.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Port remapping for port probes: a check asking about 6379 probes
    /// the mapped port instead (a Redis on 6380, a tunnelled database).
    pub ports: BTreeMap<u16, u16>,
    /// What the user listed for this target (API paths, static assets,
    /// protected paths, allowed ports, readiness, smoke probes).
    pub declared: Declared,
}

/// Paths and ports a user named for one target; see `[targets.NAME]`.
#[derive(Debug, Clone, Default)]
pub struct Declared {
    pub paths: Vec<String>,
    pub static_assets: Vec<String>,
    pub protected: Vec<String>,
    pub allowed_ports: Option<Vec<u16>>,
    pub scan_ports: Option<Vec<u16>>,
    pub readiness: Option<ReadinessConfig>,
    pub smoke: Vec<SmokeConfig>,
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("Target")
            .field("name", &self.name)
            .field("url", &self.url.as_str())
            .field("http_url", &self.http_url.as_ref().map(Url::as_str))
            .field("headers", &header_names)
            .field("ports", &self.ports)
            .field("declared", &self.declared)
            .finish()
    }
}

impl Target {
    /// A target from `--url`: named by its URL.
    pub fn from_url(text: &str) -> Result<Target, String> {
        let url = parse_target_url(text)?;
        Ok(Target {
            name: url.as_str().trim_end_matches('/').to_string(),
            url,
            http_url: None,
            headers: Vec::new(),
            ports: BTreeMap::new(),
            declared: Declared::default(),
        })
    }

    /// A target from `[targets.NAME]`, reading header values from the
    /// environment variables the config names.
    pub fn from_config(name: &str, config: &TargetConfig) -> Result<Target, String> {
        let url =
            parse_target_url(config.url.get_ref()).map_err(|e| format!("target `{name}`: {e}"))?;
        let http_url = match &config.http_url {
            Some(text) => Some(
                parse_target_url(text.get_ref()).map_err(|e| format!("target `{name}`: {e}"))?,
            ),
            None => None,
        };
        let listed = config
            .paths
            .iter()
            .chain(&config.static_assets)
            .chain(&config.protected)
            .chain(config.readiness.iter().map(|r| &r.path))
            .chain(config.smoke.iter().map(|s| &s.path));
        for path in listed {
            if !path.starts_with('/') {
                return Err(format!(
                    "target `{name}`: `{path}` must be a path starting with `/`"
                ));
            }
        }
        let mut headers = Vec::new();
        for (header, source) in &config.headers {
            let header_name = HeaderName::from_bytes(header.as_bytes())
                .map_err(|_| format!("target `{name}`: `{header}` is not a valid header name"))?;
            let text = match source {
                HeaderSource::Value(value) => value.clone(),
                HeaderSource::Env { env } => std::env::var(env).map_err(|_| {
                    format!(
                        "target `{name}`: header `{header}` reads the environment variable `{env}`, which is not set"
                    )
                })?,
            };
            let mut value = HeaderValue::from_str(&text).map_err(|_| {
                format!(
                    "target `{name}`: the value of header `{header}` is not a valid header value"
                )
            })?;
            value.set_sensitive(true);
            headers.push((header_name, value));
        }
        Ok(Target {
            name: name.to_string(),
            url,
            http_url,
            headers,
            ports: config.ports.clone(),
            declared: Declared {
                paths: config.paths.clone(),
                static_assets: config.static_assets.clone(),
                protected: config.protected.clone(),
                allowed_ports: config.allowed_ports.clone(),
                scan_ports: config.scan_ports.clone(),
                readiness: config.readiness.clone(),
                smoke: config.smoke.clone(),
            },
        })
    }

    pub fn host(&self) -> &str {
        self.url.host_str().unwrap_or_default()
    }

    /// The port a port probe for `port` really connects to.
    pub fn mapped_port(&self, port: u16) -> u16 {
        self.ports.get(&port).copied().unwrap_or(port)
    }

    /// The plain-HTTP address: `http_url`, the URL itself when it is
    /// `http://`, else the URL with `http://` on the default port.
    pub fn plain_http_url(&self) -> Url {
        if let Some(url) = &self.http_url {
            return url.clone();
        }
        let mut url = self.url.clone();
        if url.scheme() != "http" {
            let _ = url.set_port(None);
            let _ = url.set_scheme("http");
        }
        url
    }

    /// Joins a check's path (and query) to the target's URL. The host and
    /// port always stay the target's: the path is set, never resolved as a
    /// reference, so `//elsewhere/x` cannot leave the target.
    pub fn join(&self, path: &str, plain_http: bool) -> Url {
        let mut url = if plain_http {
            self.plain_http_url()
        } else {
            self.url.clone()
        };
        let (path, query) = match path.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path, None),
        };
        let base = url.path().trim_end_matches('/').to_string();
        url.set_path(&format!("{base}{path}"));
        url.set_query(query);
        url.set_fragment(None);
        url
    }
}

fn parse_target_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("`{text}` is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "`{text}`: only http:// and https:// targets can be probed"
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{text}` has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "`{}`: put credentials in a header read from the environment, not in the URL",
            url.host_str().unwrap_or_default()
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_to_the_target_and_never_change_the_host() {
        let target = Target::from_url("https://api.example.com/v1/").unwrap();
        assert_eq!(
            target.join("/health?full=1", false).as_str(),
            "https://api.example.com/v1/health?full=1"
        );
        let sneaky = target.join("//evil.example/x", false);
        assert_eq!(sneaky.host_str(), Some("api.example.com"));
        assert_eq!(
            target.join("/", true).as_str(),
            "http://api.example.com/v1/"
        );
    }

    #[test]
    fn plain_http_drops_a_custom_https_port() {
        let target = Target::from_url("https://127.0.0.1:8443").unwrap();
        assert_eq!(target.plain_http_url().as_str(), "http://127.0.0.1/");
    }

    #[test]
    fn rejects_what_cannot_be_probed() {
        assert!(Target::from_url("ftp://x").is_err());
        assert!(Target::from_url("not a url").is_err());
        let err = Target::from_url("https://user:pw@x.example").unwrap_err();
        assert!(!err.contains("pw"), "{err}");
    }

    #[test]
    fn header_values_stay_out_of_debug_output() {
        let config: TargetConfig = toml::from_str(
            "url = \"https://x.example\"\nheaders = { Authorization = \"Bearer s3cret\" }\n",
        )
        .unwrap();
        let target = Target::from_config("staging", &config).unwrap();
        let debug = format!("{target:?}");
        assert!(debug.contains("authorization"), "{debug}");
        assert!(!debug.contains("s3cret"), "{debug}");
    }
}
