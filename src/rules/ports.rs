//! `tcp` and `redis`: services that must (not) answer on a target's host.
//!
//! ```yaml
//! rule:
//!   tcp: { port: 5432, expect: closed }
//! rule:
//!   redis: { port: 6379 }     # a PING without credentials must get NOAUTH
//! ```

use super::http::observed;
use super::{Outcome, Validator};
use crate::live::{LivePlan, Observation, PortState, Probe, ProbeId, TargetEvidence};
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PortExpectation {
    Open,
    Closed,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TcpSpec {
    pub port: u16,
    pub expect: PortExpectation,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedisSpec {
    /// 6379 when omitted.
    #[serde(default)]
    pub port: Option<u16>,
}

fn validate_port(v: &mut Validator<'_>, port: u16) {
    if port == 0 {
        v.error(v.at, "port 0 cannot be probed");
    }
}

impl TcpSpec {
    pub fn validate(&self, v: &mut Validator<'_>) {
        validate_port(v, self.port);
    }

    pub fn plan(&self, plan: &mut LivePlan) -> TcpCheck {
        TcpCheck {
            probe: plan.add(Probe::Tcp { port: self.port }, 1, 1),
            expect: self.expect,
        }
    }
}

impl RedisSpec {
    pub fn validate(&self, v: &mut Validator<'_>) {
        validate_port(v, self.port.unwrap_or(6379));
    }

    pub fn plan(&self, plan: &mut LivePlan) -> RedisCheck {
        RedisCheck {
            probe: plan.add(
                Probe::Redis {
                    port: self.port.unwrap_or(6379),
                },
                1,
                1,
            ),
        }
    }
}

#[derive(Debug)]
pub struct TcpCheck {
    probe: ProbeId,
    expect: PortExpectation,
}

impl TcpCheck {
    pub fn evaluate(&self, live: Option<&TargetEvidence>) -> Outcome {
        let (port, state) = match observed(live, self.probe) {
            Ok(Observation::Port { port, state }) => (*port, *state),
            Ok(_) => return Outcome::error("internal error: not a port observation"),
            Err(outcome) => return outcome,
        };
        let host = live.map(|t| t.described(self.probe)).unwrap_or_default();
        let message = format!("{host}: {}", state.describe());
        let open = state == PortState::Open;
        match (self.expect, open) {
            (PortExpectation::Open, true) | (PortExpectation::Closed, false) => {
                Outcome::pass(message, Vec::new())
            }
            (PortExpectation::Closed, true) => Outcome::fail(
                format!("port {port} answers: {message}"),
                vec![crate::model::Finding::note(format!(
                    "port {port} is reachable"
                ))],
            ),
            (PortExpectation::Open, false) => Outcome::fail(message, Vec::new()),
        }
    }
}

#[derive(Debug)]
pub struct RedisCheck {
    probe: ProbeId,
}

impl RedisCheck {
    pub fn evaluate(&self, live: Option<&TargetEvidence>) -> Outcome {
        let (port, reply, state) = match observed(live, self.probe) {
            Ok(Observation::Redis { port, reply, state }) => (*port, reply, *state),
            Ok(_) => return Outcome::error("internal error: not a Redis observation"),
            Err(outcome) => return outcome,
        };
        let Some(reply) = reply else {
            return Outcome::skip(format!(
                "no Redis to check: port {port} is {}",
                state.describe()
            ));
        };
        let upper = reply.to_ascii_uppercase();
        if upper.starts_with("-NOAUTH")
            || upper.starts_with("-WRONGPASS")
            || upper.contains("AUTH") && upper.starts_with('-')
        {
            Outcome::pass(
                format!("port {port}: PING without credentials was refused ({reply})"),
                Vec::new(),
            )
        } else if upper.starts_with("+PONG") {
            Outcome::fail(
                format!("port {port}: Redis answered PING without authentication"),
                vec![crate::model::Finding::note(format!(
                    "port {port}: anyone who can reach it can read and write every key"
                ))],
            )
        } else {
            Outcome::error(format!(
                "port {port}: unexpected answer to PING (not Redis?): {}",
                reply.chars().take(80).collect::<String>()
            ))
        }
    }
}
