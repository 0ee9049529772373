//! Trust (roots, `--insecure`) for every TLS connection, and the TLS probe:
//! one handshake that reports the protocol, the certificate and whether it
//! would be trusted, even when it would not (an expired certificate still has
//! an expiry date worth showing).

use super::evidence::{Observation, ProbeResult, TlsObservation};
use super::{Context, LiveError, LiveOptions, Target, human_duration};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use std::sync::{Arc, Mutex};

/// The roots and policy every TLS connection of a run uses, so that the HTTP
/// checks and the TLS checks agree on what "trusted" means.
pub(crate) struct Trust {
    provider: Arc<CryptoProvider>,
    verifier: Arc<WebPkiServerVerifier>,
    insecure: bool,
}

impl Trust {
    pub(crate) fn new(options: &LiveOptions) -> Result<Trust, LiveError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = RootCertStore::empty();
        // Unreadable system certificates are not fatal: the user may rely
        // on --ca-cert alone.
        let native = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(native.certs);
        for cert in &options.ca_certs {
            roots
                .add(cert.clone())
                .map_err(|e| LiveError::Tls(format!("a --ca-cert certificate is unusable: {e}")))?;
        }
        if roots.is_empty() {
            return Err(LiveError::Tls(
                "no trusted root certificates: install the system CA bundle or pass --ca-cert"
                    .to_string(),
            ));
        }
        let verifier =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
                .build()
                .map_err(|e| LiveError::Tls(e.to_string()))?;
        Ok(Trust {
            provider,
            verifier,
            insecure: options.insecure,
        })
    }

    /// The configuration the HTTP client uses: verifying, unless `--insecure`.
    pub(crate) fn client_config(&self) -> Result<ClientConfig, LiveError> {
        let verifier: Arc<dyn ServerCertVerifier> = if self.insecure {
            Arc::new(Recording::new(Arc::clone(&self.verifier)))
        } else {
            Arc::clone(&self.verifier) as Arc<dyn ServerCertVerifier>
        };
        let mut config = self.builder(verifier)?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(config)
    }

    fn builder(&self, verifier: Arc<dyn ServerCertVerifier>) -> Result<ClientConfig, LiveError> {
        Ok(
            ClientConfig::builder_with_provider(Arc::clone(&self.provider))
                .with_safe_default_protocol_versions()
                .map_err(|e| LiveError::Tls(e.to_string()))?
                .dangerous()
                .with_custom_certificate_verifier(verifier)
                .with_no_client_auth(),
        )
    }
}

/// Verifies like the real verifier but lets the handshake go on, keeping
/// the verdict, so the probe can report an untrusted certificate's details.
#[derive(Debug)]
struct Recording {
    inner: Arc<WebPkiServerVerifier>,
    verdict: Mutex<Option<rustls::Error>>,
}

impl Recording {
    fn new(inner: Arc<WebPkiServerVerifier>) -> Self {
        Recording {
            inner,
            verdict: Mutex::new(None),
        }
    }
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Err(error) = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            *self.verdict.lock().unwrap_or_else(|e| e.into_inner()) = Some(error);
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

pub(crate) async fn probe(context: &Context, target: &Target, port: Option<u16>) -> ProbeResult {
    if target.url.scheme() != "https" && port.is_none() {
        return Err(format!(
            "not served over TLS: the target URL is {}",
            target.url
        ));
    }
    let host = target.host().to_string();
    let port = port.or(target.url.port_or_known_default()).unwrap_or(443);
    let name = ServerName::try_from(host.trim_matches(['[', ']']).to_string())
        .map_err(|_| format!("`{host}` is not a name a certificate can be checked against"))?;

    let recording = Arc::new(Recording::new(Arc::clone(&context.tls.verifier)));
    let config = context
        .tls
        .builder(Arc::clone(&recording) as Arc<dyn ServerCertVerifier>)
        .map_err(|e| e.to_string())?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));

    let _permit = context.limits.acquire(&format!("{host}:{port}")).await;
    let handshake = async {
        let tcp = tokio::net::TcpStream::connect((host.trim_matches(['[', ']']), port))
            .await
            .map_err(|e| format!("cannot connect to {host}:{port}: {e}"))?;
        Ok::<_, String>(connector.connect(name.clone(), tcp).await)
    };
    let stream = tokio::time::timeout(context.timeout, handshake)
        .await
        .map_err(|_| {
            format!(
                "TLS handshake with {host}:{port} timed out after {}",
                human_duration(context.timeout)
            )
        })??;
    let stream = match stream {
        Ok(stream) => stream,
        Err(error) if is_version_refusal(&error) => {
            return Ok(Observation::TlsTooOld {
                host,
                port,
                reason: describe_handshake_error(&error),
            });
        }
        Err(error) => return Err(describe_handshake_error(&error)),
    };
    let (_, connection) = stream.get_ref();
    let protocol = match connection.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3".to_string(),
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2".to_string(),
        Some(other) => format!("{other:?}"),
        None => "unknown".to_string(),
    };
    let leaf = connection
        .peer_certificates()
        .and_then(|certs| certs.first())
        .ok_or_else(|| format!("{host}:{port} presented no certificate"))?;
    let parsed = certificate_details(leaf)?;
    let name_matches = webpki::EndEntityCert::try_from(leaf)
        .map(|cert| cert.verify_is_valid_for_subject_name(&name).is_ok())
        .unwrap_or(false);
    let trust_error = recording
        .verdict
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
        .map(|e| describe_certificate_error(&e, &host));
    Ok(Observation::Tls(Box::new(TlsObservation {
        host,
        port,
        protocol,
        subject: parsed.0,
        issuer: parsed.1,
        not_before: parsed.2,
        not_after: parsed.3,
        trust_error,
        name_matches,
        insecure: context.tls.insecure,
    })))
}

/// Subject, issuer and validity, read with x509-parser.
fn certificate_details(
    der: &CertificateDer<'_>,
) -> Result<(String, String, jiff::Timestamp, jiff::Timestamp), String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref())
        .map_err(|e| format!("the server's certificate cannot be parsed: {e}"))?;
    let time = |t: x509_parser::time::ASN1Time| {
        jiff::Timestamp::from_second(t.timestamp())
            .map_err(|e| format!("certificate date out of range: {e}"))
    };
    Ok((
        cert.subject().to_string(),
        cert.issuer().to_string(),
        time(cert.validity().not_before)?,
        time(cert.validity().not_after)?,
    ))
}

fn describe_certificate_error(error: &rustls::Error, host: &str) -> String {
    use rustls::CertificateError as E;
    match error {
        rustls::Error::InvalidCertificate(cert) => match cert {
            E::Expired | E::ExpiredContext { .. } => "the certificate has expired".to_string(),
            E::NotValidYet | E::NotValidYetContext { .. } => {
                "the certificate is not valid yet".to_string()
            }
            E::UnknownIssuer => {
                "the certificate is not issued by a trusted CA (unknown issuer; self-signed or private CA: pass --ca-cert)"
                    .to_string()
            }
            E::NotValidForName | E::NotValidForNameContext { .. } => {
                format!("the certificate is not valid for `{host}`")
            }
            E::Revoked => "the certificate has been revoked".to_string(),
            E::BadSignature => "the certificate's signature is invalid".to_string(),
            other => format!("the certificate is not trusted: {other:?}"),
        },
        other => format!("the certificate is not trusted: {other}"),
    }
}

/// The server answered, but not with a protocol version rustls accepts.
fn is_version_refusal(error: &std::io::Error) -> bool {
    matches!(
        error
            .get_ref()
            .and_then(|e| e.downcast_ref::<rustls::Error>()),
        Some(rustls::Error::AlertReceived(
            rustls::AlertDescription::ProtocolVersion
        )) | Some(rustls::Error::PeerIncompatible(_))
    )
}

/// Turns a failed handshake into a reason a person can act on.
fn describe_handshake_error(error: &std::io::Error) -> String {
    let inner = error
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>());
    match inner {
        Some(rustls::Error::AlertReceived(rustls::AlertDescription::ProtocolVersion))
        | Some(rustls::Error::PeerIncompatible(_)) => format!(
            "the server does not offer TLS 1.2 or 1.3 (handshake failed: {})",
            inner.map(ToString::to_string).unwrap_or_default()
        ),
        Some(other) => format!("TLS handshake failed: {other}"),
        None => format!("TLS handshake failed: {error}"),
    }
}
