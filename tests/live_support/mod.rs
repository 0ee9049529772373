//! Loopback servers for the live-check tests: well and badly configured
//! HTTPS services, a slow one, a redirect loop, one that never answers, a
//! compression bomb, a TLS-1.0-only endpoint and fake Redis servers.
//!
//! Every server listens on 127.0.0.1 on an ephemeral port and stops when the
//! test's [`Lab`] is dropped. Nothing here reaches beyond loopback.

#![allow(dead_code)]

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use readyctl::live::{LiveOptions, Target};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::collections::BTreeMap;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

/// One HTTP request as a test server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What a test server answers.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
    /// Send zeros forever (an enormous body).
    pub endless: bool,
}

impl Reply {
    pub fn new(status: u16, body: &str) -> Reply {
        Reply {
            status,
            body: body.as_bytes().to_vec(),
            ..Reply::default()
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn delay(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

pub type Handler = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

/// A certificate authority made for one test, and leaf certificates for
/// `localhost` / `127.0.0.1` that it signs.
pub struct Ca {
    params: CertificateParams,
    key: KeyPair,
    pub der: CertificateDer<'static>,
    pub pem: String,
}

impl Ca {
    pub fn new() -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "readyctl test CA");
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        Ca {
            der: cert.der().clone(),
            pem: cert.pem(),
            params,
            key,
        }
    }

    /// A server certificate valid for `days` more days.
    pub fn leaf(&self, days: i64) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
        let mut params =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        let yesterday = date_in(-1);
        params.not_before = rcgen::date_time_ymd(yesterday.0, yesterday.1, yesterday.2);
        let end = date_in(days);
        params.not_after = rcgen::date_time_ymd(end.0, end.1, end.2);
        let key = KeyPair::generate().unwrap();
        let issuer = Issuer::from_params(&self.params, &self.key);
        let cert = params.signed_by(&key, &issuer).unwrap();
        (
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
    }

    /// Writes the CA certificate where `--ca-cert` can read it.
    pub fn write_pem(&self, dir: &std::path::Path) -> std::path::PathBuf {
        let path = dir.join("test-ca.pem");
        std::fs::write(&path, &self.pem).unwrap();
        path
    }
}

/// A self-signed certificate no test CA vouches for.
pub fn self_signed_leaf() -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
    let params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    (
        vec![cert.der().clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
}

fn date_in(days: i64) -> (i32, u8, u8) {
    let date = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .checked_add(jiff::Span::new().days(days))
        .unwrap();
    (i32::from(date.year()), date.month() as u8, date.day() as u8)
}

/// Owns the runtime the servers run on; dropping it stops them all.
pub struct Lab {
    pub runtime: Runtime,
    pub ca: Ca,
    /// Every HTTP request any server of this lab received.
    pub seen: Arc<Mutex<Vec<Request>>>,
}

impl Lab {
    pub fn new() -> Lab {
        Lab {
            runtime: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap(),
            ca: Ca::new(),
            seen: Arc::new(Mutex::new(Vec::new())),
        }
    }

    fn listen(&self) -> (TcpListener, SocketAddr) {
        let listener = self
            .runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        (listener, addr)
    }

    /// A plain-HTTP server.
    pub fn http(&self, handler: Handler) -> SocketAddr {
        let (listener, addr) = self.listen();
        let seen = Arc::clone(&self.seen);
        self.runtime.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (handler, seen) = (Arc::clone(&handler), Arc::clone(&seen));
                tokio::spawn(async move {
                    let _ = serve(stream, handler, seen).await;
                });
            }
        });
        addr
    }

    /// An HTTPS server with the given certificate chain.
    pub fn https(
        &self,
        chain: (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>),
        handler: Handler,
    ) -> SocketAddr {
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain.0, chain.1)
        .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let (listener, addr) = self.listen();
        let seen = Arc::clone(&self.seen);
        self.runtime.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (handler, seen, acceptor) =
                    (Arc::clone(&handler), Arc::clone(&seen), acceptor.clone());
                tokio::spawn(async move {
                    if let Ok(tls) = acceptor.accept(stream).await {
                        let _ = serve(tls, handler, seen).await;
                    }
                });
            }
        });
        addr
    }

    /// Accepts connections and never answers.
    pub fn silent(&self) -> SocketAddr {
        let (listener, addr) = self.listen();
        self.runtime.spawn(async move {
            let mut held = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                held.push(stream);
            }
        });
        addr
    }

    /// Answers any TLS ClientHello with a `protocol_version` alert, as a
    /// server that only speaks TLS 1.0 does.
    pub fn tls10_only(&self) -> SocketAddr {
        let (listener, addr) = self.listen();
        self.runtime.spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buffer = [0u8; 1024];
                    let _ = stream.read(&mut buffer).await;
                    // Alert record, TLS 1.0, fatal protocol_version (70).
                    let _ = stream
                        .write_all(&[0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46])
                        .await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        addr
    }

    /// A fake Redis: answers PING with PONG, or NOAUTH when `password`.
    pub fn redis(&self, password: bool) -> SocketAddr {
        let (listener, addr) = self.listen();
        self.runtime.spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buffer = [0u8; 1024];
                    let mut request = Vec::new();
                    while !request.ends_with(b"PING\r\n") {
                        match stream.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buffer[..n]),
                        }
                    }
                    let reply: &[u8] = if password {
                        b"-NOAUTH Authentication required.\r\n"
                    } else {
                        b"+PONG\r\n"
                    };
                    let _ = stream.write_all(reply).await;
                });
            }
        });
        addr
    }

    /// A port that was just free and has nothing listening: connections are refused.
    pub fn closed_port(&self) -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }

    /// A listener that accepts and holds connections (an exposed database).
    pub fn open_port(&self) -> u16 {
        self.silent().port()
    }

    pub fn requests(&self) -> Vec<Request> {
        self.seen.lock().unwrap().clone()
    }
}

async fn serve<S>(
    mut stream: S,
    handler: Handler,
    seen: Arc<Mutex<Vec<Request>>>,
) -> std::io::Result<()>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut head = Vec::new();
    let mut buffer = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buffer).await?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buffer[..n]);
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut lines = text.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let request = Request {
        method: first.next().unwrap_or_default().to_string(),
        path: first.next().unwrap_or_default().to_string(),
        headers: lines
            .take_while(|l| !l.is_empty())
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect(),
    };
    seen.lock().unwrap().push(request.clone());
    let reply = handler(&request);
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let mut out = format!(
        "HTTP/1.1 {} Whatever\r\nconnection: close\r\n",
        reply.status
    );
    for (name, value) in &reply.headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    if reply.endless {
        out.push_str("\r\n");
        stream.write_all(out.as_bytes()).await?;
        let chunk = vec![0u8; 64 * 1024];
        loop {
            stream.write_all(&chunk).await?;
        }
    }
    out.push_str(&format!("content-length: {}\r\n\r\n", reply.body.len()));
    stream.write_all(out.as_bytes()).await?;
    stream.write_all(&reply.body).await?;
    stream.shutdown().await?;
    Ok(())
}

/// `size` zero bytes, gzipped: a few KiB that inflate enormously.
pub fn gzip_bomb(size: usize) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![0u8; 1024 * 1024];
    let mut left = size;
    while left > 0 {
        let n = left.min(chunk.len());
        encoder.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    encoder.finish().unwrap()
}

pub const PROMETHEUS: &str = "# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\nhttp_requests_total{code=\"200\"} 1027\n# TYPE up gauge\nup 1\n";

/// A service that does everything the built-in endpoint pack asks.
pub fn good_handler() -> Handler {
    Arc::new(|request: &Request| match request.path.as_str() {
        "/" => Reply::new(200, "<!doctype html><title>ok</title>")
            .header(
                "strict-transport-security",
                "max-age=31536000; includeSubDomains",
            )
            .header(
                "content-security-policy",
                "default-src 'self'; script-src 'self'; frame-ancestors 'none'",
            )
            .header("x-content-type-options", "nosniff")
            .header("x-frame-options", "DENY")
            .header("referrer-policy", "strict-origin-when-cross-origin")
            .header(
                "set-cookie",
                "session=abc; Path=/; Secure; HttpOnly; SameSite=Lax",
            )
            .header(
                "set-cookie",
                "theme=dark; Path=/; Secure; HttpOnly; SameSite=Strict",
            )
            .header("server", "frontend")
            .header("ratelimit-limit", "100")
            .header("access-control-allow-origin", "https://app.example.com"),
        "/health" => {
            Reply::new(200, "{\"status\":\"ok\"}").header("content-type", "application/json")
        }
        "/ready" => Reply::new(200, "ready"),
        "/metrics" => {
            Reply::new(200, PROMETHEUS).header("content-type", "text/plain; version=0.0.4")
        }
        _ => Reply::new(404, "Not found"),
    })
}

/// A service that gets everything wrong.
pub fn bad_handler() -> Handler {
    Arc::new(|request: &Request| {
        let origin = request.header("origin").unwrap_or("*").to_string();
        match request.path.as_str() {
            "/" => Reply::new(200, "<html>hello</html>")
                .header("strict-transport-security", "max-age=300")
                .header(
                    "content-security-policy",
                    "default-src 'self'; script-src 'self' 'unsafe-inline'",
                )
                .header("set-cookie", "session=abc; Path=/")
                .header("server", "nginx/1.18.0 (Ubuntu)")
                .header("x-powered-by", "Express")
                .header("access-control-allow-origin", &origin)
                .header("access-control-allow-credentials", "true"),
            "/health" | "/healthz" => {
                Reply::new(503, "unhealthy").delay(Duration::from_millis(250))
            }
            "/metrics" => Reply::new(200, "<html><body>Metrics dashboard</body></html>"),
            _ => Reply::new(
                500,
                "Traceback (most recent call last):\n  File \"/app/views.py\", line 12, in get\nKeyError: 'x'\n",
            ),
        }
    })
}

/// Plain HTTP that redirects to the HTTPS address.
pub fn redirect_to(https: SocketAddr) -> Handler {
    Arc::new(move |request: &Request| {
        Reply::new(301, "").header(
            "location",
            &format!("https://localhost:{}{}", https.port(), request.path),
        )
    })
}

/// Plain HTTP that serves content instead of redirecting.
pub fn plain_content() -> Handler {
    Arc::new(|_: &Request| Reply::new(200, "welcome over plain http"))
}

pub fn url(scheme: &str, addr: SocketAddr) -> String {
    format!("{scheme}://localhost:{}", addr.port())
}

/// A target with port remapping, like `[targets.NAME]` with `ports`.
pub fn target(name: &str, url: &str, http_url: Option<String>, ports: &[(u16, u16)]) -> Target {
    let mut target = Target::from_url(url).unwrap();
    target.name = name.to_string();
    target.http_url = http_url.map(|u| u.parse().unwrap());
    target.ports = ports.iter().copied().collect::<BTreeMap<_, _>>();
    target
}

/// Live options for tests: the lab's CA trusted, short timeouts.
pub fn options(lab: &Lab, targets: Vec<Target>) -> LiveOptions {
    LiveOptions {
        targets,
        timeout: Duration::from_secs(2),
        deadline: Duration::from_secs(20),
        ca_certs: vec![lab.ca.der.clone()],
        ..LiveOptions::default()
    }
}

/// The data-store ports of the built-in pack, each mapped to `port`.
pub fn all_datastores_to(port: u16) -> Vec<(u16, u16)> {
    [5432, 3306, 6379, 27017, 9200]
        .into_iter()
        .map(|p| (p, port))
        .collect()
}

/// Keeps the compiler quiet about the unused stream type in some tests.
pub type Stream = TcpStream;
