//! Port probes: is a TCP port open, and does a Redis on it demand a
//! password. Both connect to the target's host only, on the check's port
//! (or the port the target maps it to).

use super::evidence::{Observation, PortState, ProbeResult};
use super::{Context, Target, human_duration};
use std::io::ErrorKind;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The longest Redis reply line read; an answer to `PING` is a few bytes.
const REDIS_REPLY_LIMIT: usize = 512;

async fn connect(
    context: &Context,
    target: &Target,
    port: u16,
) -> Result<Result<TcpStream, PortState>, String> {
    let host = target.host().trim_matches(['[', ']']).to_string();
    let _permit = context.limits.acquire(&format!("{host}:{port}")).await;
    match tokio::time::timeout(context.timeout, TcpStream::connect((host.as_str(), port))).await {
        Err(_) => Ok(Err(PortState::Filtered)),
        Ok(Ok(stream)) => Ok(Ok(stream)),
        Ok(Err(error)) => match error.kind() {
            ErrorKind::ConnectionRefused => Ok(Err(PortState::Closed)),
            ErrorKind::HostUnreachable | ErrorKind::NetworkUnreachable | ErrorKind::TimedOut => {
                Ok(Err(PortState::Filtered))
            }
            _ => Err(format!("cannot connect to {host}:{port}: {error}")),
        },
    }
}

pub(crate) async fn tcp(context: &Context, target: &Target, port: u16) -> ProbeResult {
    let port = target.mapped_port(port);
    let state = match connect(context, target, port).await? {
        Ok(_) => PortState::Open,
        Err(state) => state,
    };
    Ok(Observation::Port { port, state })
}

pub(crate) async fn redis(context: &Context, target: &Target, port: u16) -> ProbeResult {
    let port = target.mapped_port(port);
    let mut stream = match connect(context, target, port).await? {
        Ok(stream) => stream,
        Err(state) => {
            return Ok(Observation::Redis {
                port,
                reply: None,
                state,
            });
        }
    };
    // RESP: an array of one bulk string.
    let exchange = async {
        stream.write_all(b"*1\r\n$4\r\nPING\r\n").await?;
        let mut reply = Vec::new();
        let mut buffer = [0u8; 128];
        while !reply.ends_with(b"\r\n") && reply.len() < REDIS_REPLY_LIMIT {
            let read = stream.read(&mut buffer).await?;
            if read == 0 {
                break;
            }
            reply.extend_from_slice(&buffer[..read]);
        }
        Ok::<_, std::io::Error>(reply)
    };
    let reply = tokio::time::timeout(context.timeout, exchange)
        .await
        .map_err(|_| {
            format!(
                "port {port} accepted a connection but did not answer PING within {}",
                human_duration(context.timeout)
            )
        })?
        .map_err(|e| format!("port {port}: {e}"))?;
    let line = String::from_utf8_lossy(&reply);
    let line = line.lines().next().unwrap_or_default().trim().to_string();
    Ok(Observation::Redis {
        port,
        reply: Some(line),
        state: PortState::Open,
    })
}
