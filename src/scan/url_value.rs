//! Connection strings read as URLs (the `url` crate, WHATWG parsing), so a
//! password containing `@` (`postgres://app:p@ss@db.internal/app`) is split
//! where the host really starts, and loopback or compose-service hosts are
//! recognised for what they are.

use super::literal::is_interpolation;
use url::{Host, Url};

/// Why a URL with a password is not a leaked credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Benign {
    /// No password, or one that is a reference or a placeholder.
    NoPassword,
    /// Loopback, `host.docker.internal`, or a one-label name (a compose or
    /// CI service container: `db`, `postgres`, `redis`).
    LocalHost,
    /// Not parseable as a URL at all.
    NotAUrl,
}

/// `Ok(host)` when `text` carries an inline password for a remote host.
pub fn remote_password(text: &str) -> Result<String, Benign> {
    // Trailing punctuation a regex may have taken from the surrounding text.
    let text = text.trim_end_matches([',', ';', ')', ']', '}', '.', '>']);
    let url = Url::parse(text).map_err(|_| Benign::NotAUrl)?;
    let password = url.password().ok_or(Benign::NoPassword)?;
    let decoded = percent_decoded(password);
    if decoded.is_empty() || is_placeholder(&decoded) {
        return Err(Benign::NoPassword);
    }
    match url.host() {
        None => Err(Benign::LocalHost),
        Some(Host::Ipv4(ip)) if ip.is_loopback() || ip.is_unspecified() => Err(Benign::LocalHost),
        Some(Host::Ipv6(ip)) if ip.is_loopback() || ip.is_unspecified() => Err(Benign::LocalHost),
        Some(Host::Domain(domain)) => {
            let domain = percent_decoded(domain).to_ascii_lowercase();
            // Non-special schemes (postgres://) leave IP hosts as text.
            let ip = domain
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>();
            if ip.is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified())
                || domain == "localhost"
                || domain.ends_with(".localhost")
                || domain == "host.docker.internal"
                || !domain.contains('.')
                || is_placeholder(&domain)
            {
                Err(Benign::LocalHost)
            } else {
                Ok(domain)
            }
        }
        Some(host) => Ok(host.to_string()),
    }
}

/// Whether the rest of a connection URL after its password
/// (`@localhost/miniflux_test?sslmode=disable`) names a test database:
/// `app_test`, `test_app`, `app-testing`. Test suites create and drop such
/// databases; no deployment connects to one.
pub fn names_test_database(rest: &[u8]) -> bool {
    let Some(rest) = rest.strip_prefix(b"@") else {
        return false;
    };
    let end = rest
        .iter()
        .position(|b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'`' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let Some(slash) = rest[..end].iter().position(|b| *b == b'/') else {
        return false;
    };
    let database = String::from_utf8_lossy(&rest[slash + 1..end]).to_ascii_lowercase();
    database
        .split(['_', '-', '.'])
        .any(|word| matches!(word, "test" | "tests" | "testing"))
}

fn percent_decoded(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={text}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| text.to_string())
}

fn is_placeholder(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    is_interpolation(text.as_bytes())
        || text.starts_with('<')
        || text.starts_with('[')
        || text.starts_with('%')
        || text.chars().all(|c| c == 'x' || c == '*' || c == '.')
        || [
            "password", "passwd", "pass", "pwd", "secret", "changeme", "your", "xxx", "example",
        ]
        .iter()
        .any(|word| lower.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_starts_after_the_last_at_sign() {
        assert_eq!(
            remote_password("postgres://app:p@ss@db.internal.acme.io/app"),
            Ok("db.internal.acme.io".to_string())
        );
        assert_eq!(
            remote_password("postgres://user:p@ss@localhost:5432/app"),
            Err(Benign::LocalHost)
        );
    }

    #[test]
    fn local_hosts_references_and_placeholders_are_benign() {
        for (url, why) in [
            (
                "postgres://lemmy:password@localhost/lemmy",
                Benign::NoPassword,
            ),
            ("postgres://app:Tq9x2@127.0.0.1/app", Benign::LocalHost),
            ("postgres://app:Tq9x2@db:5432/app", Benign::LocalHost),
            ("mysql://shiori:shiori@(mariadb)/shiori", Benign::LocalHost),
            (
                "redis://:${REDIS_PASSWORD}@cache.example.net:6379/0",
                Benign::NoPassword,
            ),
            (
                "postgres://u:<password>@db.example.net/app",
                Benign::NoPassword,
            ),
            ("postgres://db.example.net/app", Benign::NoPassword),
        ] {
            assert_eq!(remote_password(url), Err(why), "{url}");
        }
    }

    #[test]
    fn test_databases_by_name() {
        assert!(names_test_database(
            b"@localhost/miniflux_test?sslmode=disable"
        ));
        assert!(names_test_database(b"@db:5432/test_app\""));
        assert!(names_test_database(b"@127.0.0.1/app-testing"));
        assert!(!names_test_database(b"@localhost/app"));
        assert!(!names_test_database(b"@localhost/contest"));
        assert!(
            !names_test_database(b"@test.internal/app"),
            "the host is no database"
        );
        assert!(
            !names_test_database(b"localhost/app_test"),
            "no password before it"
        );
    }
}
