//! `tls`: the certificate and protocol of each target's TLS endpoint.
//!
//! ```yaml
//! rule:
//!   tls: { min_days: 14 }          # also: port, min_version ("1.2"/"1.3"), hostname
//! ```
//!
//! An expired or untrusted certificate is an `error` (the check cannot be
//! met until it is replaced), with the reason; `--insecure` turns an
//! untrusted chain into a finding only.

use super::http::observed;
use super::{Outcome, Validator};
use crate::live::{LivePlan, Observation, Probe, ProbeId, TargetEvidence};
use crate::model::{Finding, Status};
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TlsSpec {
    /// Port to handshake with; the target URL's port when omitted.
    #[serde(default)]
    pub port: Option<u16>,
    /// Fail when the certificate expires in fewer days than this.
    #[serde(default)]
    pub min_days: Option<u32>,
    /// Lowest acceptable protocol: `"1.2"` (the default) or `"1.3"`.
    #[serde(default)]
    pub min_version: Option<String>,
    /// The certificate must name the target's host; `true` when omitted.
    #[serde(default)]
    pub hostname: Option<bool>,
}

impl TlsSpec {
    pub fn validate(&self, v: &mut Validator<'_>) {
        if let Some(version) = &self.min_version
            && !matches!(version.as_str(), "1.2" | "1.3")
        {
            v.error(
                v.at,
                format!("min_version `{version}`: expected \"1.2\" or \"1.3\" (older versions are never acceptable)"),
            );
        }
        if self.port == Some(0) {
            v.error(v.at, "port 0 cannot be probed");
        }
    }

    pub fn plan(&self, plan: &mut LivePlan) -> TlsCheck {
        TlsCheck {
            probe: plan.add(Probe::Tls { port: self.port }, 1, 1),
            min_days: self.min_days,
            min_13: self.min_version.as_deref() == Some("1.3"),
            version_check: self.min_version.is_some(),
            hostname: self.hostname.unwrap_or(true),
        }
    }
}

#[derive(Debug)]
pub struct TlsCheck {
    probe: ProbeId,
    min_days: Option<u32>,
    min_13: bool,
    version_check: bool,
    hostname: bool,
}

impl TlsCheck {
    pub fn evaluate(&self, live: Option<&TargetEvidence>) -> Outcome {
        // Real time, not the report's (possibly pinned) date: certificates
        // expire in the real world.
        let now = jiff::Timestamp::now();
        let tls = match observed(live, self.probe) {
            Ok(Observation::Tls(tls)) => tls,
            Ok(Observation::TlsTooOld { host, port, reason }) => {
                let message = format!("{host}:{port}: {reason}");
                // Only a check that is about the protocol version fails on
                // it; for the others the certificate could not be seen.
                return if self.version_check {
                    Outcome::fail(message, Vec::new())
                } else {
                    Outcome::error(message)
                };
            }
            Ok(_) => return Outcome::error("internal error: not a TLS observation"),
            Err(outcome) => return outcome,
        };
        let days_left = (tls.not_after.as_second() - now.as_second()).div_euclid(86_400);
        let date = |t: jiff::Timestamp| t.strftime("%Y-%m-%d").to_string();
        let mut findings = vec![
            Finding::note(format!("subject: {}", tls.subject)),
            Finding::note(format!("issuer: {}", tls.issuer)),
            Finding::note(format!(
                "valid from {} to {} ({days_left} days left)",
                date(tls.not_before),
                date(tls.not_after)
            )),
            Finding::note(format!("protocol: {}", tls.protocol)),
        ];
        let at = format!("{}:{}", tls.host, tls.port);
        if let Some(reason) = &tls.trust_error {
            if !tls.insecure {
                return Outcome {
                    status: Status::Error,
                    message: format!("{at}: {reason}"),
                    findings,
                };
            }
            findings.push(Finding::note(format!(
                "not trusted (ignored by --insecure): {reason}"
            )));
        }
        let mut problems = Vec::new();
        if self.hostname && !tls.name_matches {
            problems.push(format!("the certificate does not name `{}`", tls.host));
        }
        if let Some(min) = self.min_days
            && days_left < i64::from(min)
        {
            problems.push(format!(
                "the certificate expires on {} — {days_left} days left, at least {min} required",
                date(tls.not_after)
            ));
        }
        if self.min_13 && tls.protocol != "TLSv1.3" {
            problems.push(format!("negotiated {} (TLS 1.3 required)", tls.protocol));
        }
        if problems.is_empty() {
            Outcome::pass(
                format!(
                    "{at}: {}, certificate valid until {} ({days_left} days)",
                    tls.protocol,
                    date(tls.not_after)
                ),
                findings,
            )
        } else {
            Outcome::fail(format!("{at}: {}", problems.join("; ")), findings)
        }
    }
}
