//! Is a literal secret *weak*? Judged from the value and the name it is
//! assigned to: a well-known default (`changeme`, `minioadmin`,
//! `your-secret-here`), too short for its purpose (a JWT, session or signing
//! secret under 32 bytes), or too short or too uniform for any secret.
//!
//! The lists live in `data/`, one entry a line, so they can be maintained
//! without touching code.

use super::filter::shannon_entropy;
use regex::Regex;
use std::fmt;
use std::sync::LazyLock;

/// What a judged value may be flagged for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeakMode {
    /// Only well-known defaults and placeholders: for plain assignments,
    /// where a short literal may be a label rather than a secret.
    WellKnown,
    /// Well-known, too short for its purpose, or low entropy: for fallback
    /// values, which exist only to be used when the real secret is missing.
    Any,
}

/// Why a value is weak. Shown on findings: it never contains the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Weakness {
    /// On the well-known list: the value itself is public knowledge.
    WellKnown(String),
    /// Matches a placeholder family; the label names the family.
    Placeholder(String),
    /// Shorter than its purpose requires.
    TooShort {
        len: usize,
        purpose: &'static str,
        min: usize,
    },
    /// Short or uniform enough to guess.
    Guessable { len: usize },
}

impl fmt::Display for Weakness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Public knowledge, but still not shown: one rule (findings never
            // carry values) is simpler to trust, and the report's redactor
            // would mask the longer ones anyway.
            Weakness::WellKnown(_) => write!(f, "well-known default (on the public list)"),
            Weakness::Placeholder(label) => write!(f, "{label}"),
            Weakness::TooShort { len, purpose, min } => write!(
                f,
                "{len}-character literal, too short for {purpose} (< {min} bytes)"
            ),
            Weakness::Guessable { len } => write!(f, "guessable {len}-character literal"),
        }
    }
}

/// Signing secrets (HMAC keys for JWTs, sessions, cookies) must be at least
/// as long as the hash: RFC 7518 §3.2.
const SIGNING_MIN: usize = 32;
/// Below this, any literal secret is guessable.
const SECRET_MIN: usize = 12;
/// Bits per byte under which a literal is too uniform (`aaaa1111bbbb`).
const ENTROPY_MIN: f64 = 3.0;

struct List {
    exact: Vec<String>,
    families: Vec<(Regex, String)>,
}

fn parse_list(text: &str, whole: bool) -> List {
    let mut list = List {
        exact: Vec::new(),
        families: Vec::new(),
    };
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("~ ") {
            let (regex, label) = rest.split_once(" | ").unwrap_or((rest, ""));
            let source = if whole {
                format!("(?i)^(?:{})$", regex.trim())
            } else {
                regex.trim().to_string()
            };
            let regex = Regex::new(&source).expect("data lists hold valid regexes");
            list.families.push((regex, label.trim().to_string()));
        } else {
            list.exact.push(line.to_string());
        }
    }
    list
}

static WELL_KNOWN: LazyLock<List> =
    LazyLock::new(|| parse_list(include_str!("../../data/well-known-defaults.txt"), true));
static PUBLIC: LazyLock<List> =
    LazyLock::new(|| parse_list(include_str!("../../data/public-values.txt"), false));

/// Whether a vendor published `value` for documentation or local
/// development (`AKIAIOSFODNN7EXAMPLE`, Supabase's demo keys): never a
/// finding.
pub fn is_public(value: &str) -> bool {
    PUBLIC.exact.iter().any(|v| v == value)
        || PUBLIC.families.iter().any(|(r, _)| r.is_match(value))
}

/// Whether a name is about a secret rather than holding one:
/// `PASSWORD_MIN_LENGTH`, `JWT_EXPIRES_IN`, `TOKEN_HEADER`, `SECRET_FILE`.
pub fn names_metadata(key: &str) -> bool {
    const METADATA: &[&str] = &[
        "LENGTH",
        "LEN",
        "TTL",
        "EXPIRY",
        "EXPIRES",
        "EXPIRE",
        "EXPIRATION",
        "IN",
        "TIMEOUT",
        "ROUNDS",
        "COST",
        "ITERATIONS",
        "FILE",
        "PATH",
        "DIR",
        "HEADER",
        "NAME",
        "FIELD",
        "PARAM",
        "ALGORITHM",
        "ALG",
        "URL",
        "URI",
        "ENDPOINT",
        "ENABLED",
        "MIN",
        "MAX",
        "COUNT",
        "SIZE",
        "TYPE",
        "MODE",
        "LIFETIME",
        "AGE",
        "PREFIX",
        "ISSUER",
        "AUDIENCE",
        "USER",
        "USERNAME",
        "ID",
        "LABEL",
        "PLACEHOLDER",
        "HINT",
        "POLICY",
        "REGEX",
        "PATTERN",
        "KIND",
        "VERSION",
        "FORMAT",
        "DAYS",
        "HOURS",
        "MINUTES",
        "SECONDS",
        "MS",
        "LOCATION",
        "STRATEGY",
        // The name of a group that holds secrets (a regex capture group, a
        // vault or IAM group), not a secret.
        "GROUP",
        // How often a token may be used: `TOKEN_THROTTLE_RATE = "5/min"`.
        "RATE",
        "LIMIT",
        "QUOTA",
        "THROTTLE",
    ];
    // The last word of `SNAKE_CASE`, `kebab-case`, `dotted.names` or
    // `camelCase`.
    let last = key.rsplit(['_', '-', '.']).next().unwrap_or(key);
    let last = match last
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_ascii_uppercase())
    {
        Some((i, _)) if last.chars().any(|c| c.is_ascii_lowercase()) => &last[i..],
        _ => last,
    };
    METADATA.contains(&last.to_ascii_uppercase().as_str())
}

/// Whether a name is a variable the build publishes to every browser:
/// `NEXT_PUBLIC_…`, `VITE_…`, `REACT_APP_…` and their kin are inlined in
/// the client bundle by design, so their fallback is no secret (Algolia's
/// search-only key, a PostHog project key). Putting a real secret there
/// would leak it whatever its default.
pub fn names_public_variable(key: &str) -> bool {
    const PUBLIC_PREFIXES: &[&str] = &[
        "NEXT_PUBLIC_",
        "NUXT_PUBLIC_",
        "EXPO_PUBLIC_",
        "VITE_",
        "REACT_APP_",
        "VUE_APP_",
        "GATSBY_",
        "PUBLIC_",
    ];
    PUBLIC_PREFIXES.iter().any(|p| key.starts_with(p))
}

/// Whether a name is a field of a password-change or confirmation form:
/// `currentPassword`, `old_password`, `confirmPassword`. What is written
/// there is what a user types (or the documented default the setup page
/// replaces), not a credential the service is configured with.
pub fn names_user_input(key: &str) -> bool {
    const INPUT: &[&str] = &[
        "current",
        "old",
        "previous",
        "confirm",
        "confirmation",
        "repeat",
        "retype",
        "verify",
    ];
    let first = key
        .split(['_', '-', '.'])
        .find(|w| !w.is_empty())
        .unwrap_or(key);
    // The first word of `camelCase` (not of `UPPER_CASE`).
    let camel = first.chars().any(|c| c.is_ascii_lowercase());
    let first = match first
        .char_indices()
        .skip(1)
        .find(|(_, c)| c.is_ascii_uppercase())
    {
        Some((i, _)) if camel => &first[..i],
        _ => first,
    };
    INPUT.contains(&first.to_ascii_lowercase().as_str())
}

/// What purpose a secret's name says it has, when that purpose sets a
/// minimum length.
fn signing_purpose(key: &str) -> Option<&'static str> {
    let key = key.to_ascii_uppercase().replace(['-', '.'], "_");
    let has = |word: &str| key.contains(word);
    if has("JWT") {
        Some("a JWT signing secret")
    } else if has("REFRESH") && (has("SECRET") || has("KEY")) {
        Some("a refresh-token signing secret")
    } else if has("SESSION") || has("COOKIE") {
        Some("a session signing secret")
    } else if has("SIGNING") || has("HMAC") {
        Some("a signing secret")
    } else if key.ends_with("SECRET_KEY")
        || key.ends_with("SECRET_KEY_BASE")
        || key.ends_with("AUTH_SECRET")
        || key == "APP_KEY"
        || key == "APP_SECRET"
        || key == "SECRET"
    {
        Some("an application signing secret")
    } else {
        None
    }
}

/// `<your-key>`, `[password]`, `...`, `xxxx`, `******`: a slot in a
/// template or a masked value, for a human to fill in. Nothing ships with
/// it, so it is not a default.
fn is_template_slot(value: &str) -> bool {
    let bracketed = |open: char, close: char| value.starts_with(open) && value.ends_with(close);
    bracketed('<', '>')
        || bracketed('[', ']')
        || (!value.is_empty()
            && value
                .chars()
                .all(|c| matches!(c, 'x' | '*' | '.' | '#' | '-')))
}

/// Judges a literal assigned to `key` (when the pattern names it).
pub fn judge(key: Option<&str>, value: &str, mode: WeakMode) -> Option<Weakness> {
    let lower = value.trim().to_lowercase();
    // A slot (`xxxx`, `---`) is for a human to fill in a template, but a
    // signing key's fallback is used as written whenever the variable is
    // missing: Healthchecks signs sessions with `---`.
    let signs = mode == WeakMode::Any && key.and_then(signing_purpose).is_some();
    if is_template_slot(&lower) && !signs {
        return None;
    }
    // A switch (`getenv("ATHENA_OPTIONAL_CREDENTIALS", "true")`, a CORS
    // `ALLOW_CREDENTIALS` flag): its name mentions credentials, its value
    // is no secret.
    if matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off"
    ) {
        return None;
    }
    if let Some(known) = WELL_KNOWN.exact.iter().find(|v| **v == lower) {
        return Some(Weakness::WellKnown(known.clone()));
    }
    if let Some((_, label)) = WELL_KNOWN.families.iter().find(|(r, _)| r.is_match(&lower)) {
        return Some(Weakness::Placeholder(label.clone()));
    }
    if mode == WeakMode::WellKnown {
        return None;
    }
    let len = value.len();
    if let Some(purpose) = key.and_then(signing_purpose)
        && len < SIGNING_MIN
    {
        return Some(Weakness::TooShort {
            len,
            purpose,
            min: SIGNING_MIN,
        });
    }
    if len < SECRET_MIN || shannon_entropy(value.as_bytes()) < ENTROPY_MIN {
        return Some(Weakness::Guessable { len });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_values_and_placeholders_are_weak_and_named() {
        let judged = |v| judge(None, v, WeakMode::WellKnown).map(|w| w.to_string());
        assert_eq!(
            judge(None, "MinioAdmin", WeakMode::WellKnown),
            Some(Weakness::WellKnown("minioadmin".to_string()))
        );
        assert_eq!(
            judged("changeme").as_deref(),
            Some("well-known default (on the public list)")
        );
        for placeholder in [
            "your-secret-key-here",
            "replace-me-with-a-random-string",
            "your-secret-key-change-in-production",
            "dev-secret-for-billing",
            "django-insecure-3k$9x!abcdefghijklmnopqrstuvwxyz0123456789",
        ] {
            let shown = judged(placeholder).unwrap_or_else(|| panic!("{placeholder} is weak"));
            assert!(!shown.contains(placeholder), "{shown} shows the value");
        }
        assert_eq!(judged("q8Zr2VxN4pLk7TbW1mYc9HsD3fGj6KuE"), None);
        assert_eq!(judged("wagtail"), None, "short, but not a default");
    }

    #[test]
    fn length_is_judged_by_purpose() {
        let short = judge(
            Some("JWT_REFRESH_SECRET"),
            "q8Zr2VxN4pLk7TbW",
            WeakMode::Any,
        );
        assert!(matches!(short, Some(Weakness::TooShort { len: 16, .. })));
        let session = judge(
            Some("SESSION_SECRET"),
            "a8Zk2VxN4pLk7TbW1mYc",
            WeakMode::Any,
        );
        assert!(matches!(session, Some(Weakness::TooShort { .. })));
        assert_eq!(
            judge(Some("DB_PASSWORD"), "a8Zk2VxN4pLk7TbW1mYc", WeakMode::Any),
            None,
            "20 random characters are fine for a password"
        );
        assert!(
            matches!(
                judge(Some("SECRET_KEY"), "---", WeakMode::Any),
                Some(Weakness::TooShort { len: 3, .. })
            ),
            "a signing key's fallback is used as written, slot or not"
        );
        assert_eq!(judge(Some("SECRET_KEY"), "---", WeakMode::WellKnown), None);
        assert_eq!(judge(Some("DB_PASSWORD"), "xxxx", WeakMode::Any), None);
        assert_eq!(
            judge(Some("BASIC_AUTH_PASSWORD"), "wagtail", WeakMode::Any),
            Some(Weakness::Guessable { len: 7 })
        );
        assert_eq!(
            judge(
                Some("JWT_SECRET"),
                "q8Zr2VxN4pLk7TbW1mYc9HsD3fGj6KuE",
                WeakMode::Any
            ),
            None
        );
    }

    #[test]
    fn names_about_a_secret_are_not_secrets() {
        for key in [
            "PASSWORD_MIN_LENGTH",
            "JWT_EXPIRES_IN",
            "tokenHeader",
            "secret.file",
            "SECRET_GROUP",
            "PAPERLESS_TOKEN_THROTTLE_RATE",
            "apiTokenRateLimit",
        ] {
            assert!(names_metadata(key), "{key}");
        }
        for key in ["currentPassword", "old_password", "CONFIRM_PASSWORD"] {
            assert!(names_user_input(key), "{key}");
        }
        for key in [
            "password",
            "adminPassword",
            "DB_PASSWORD",
            "oldschoolSecret",
        ] {
            assert!(!names_user_input(key), "{key}");
        }
        for key in [
            "JWT_SECRET",
            "dbPassword",
            "api.key",
            "SECRET_KEY_BASE",
            "PASSWORD",
        ] {
            assert!(!names_metadata(key), "{key}");
        }
    }

    #[test]
    fn vendor_published_values_are_public() {
        assert!(is_public("AKIAIOSFODNN7EXAMPLE"));
        assert!(is_public(
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0"
        ));
        assert!(!is_public("AKIAQ3EGRV7NX5EXAMPL"));
        // Keys made to be public.
        assert!(is_public("phc_9CipPajQC22mSkk2wxe2TXsUA0Ysyupe8dt5KQQELqx"));
        assert!(is_public("pk_live_51HxYzAbCdEfGhIjKlMnOpQr"));
        assert!(is_public(
            "ZTQ3Yzc3MjEtM2M2ZS00MzRlLWI0OWItZjhmOWVhNWQ1MTM0fHJlYWQ="
        ));
        // A read-write Nx Cloud token and a Stripe secret key are secrets.
        assert!(!is_public(
            "ZTQ3Yzc3MjEtM2M2ZS00MzRlLWI0OWItZjhmOWVhNWQ1MTM0fHJlYWQtd3JpdGU="
        ));
        assert!(!is_public("sk_live_51HxYzAbCdEfGhIjKlMnOpQr"));
    }

    #[test]
    fn variables_inlined_in_the_client_bundle_are_public() {
        for key in [
            "NEXT_PUBLIC_ALGOLIA_API_KEY",
            "VITE_SUPABASE_ANON_KEY",
            "REACT_APP_TOKEN",
        ] {
            assert!(names_public_variable(key), "{key}");
        }
        for key in ["ALGOLIA_ADMIN_KEY", "APP_NEXT_PUBLIC_SECRET", "vite_secret"] {
            assert!(!names_public_variable(key), "{key}");
        }
    }
}
