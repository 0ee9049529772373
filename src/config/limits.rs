//! Ranges of the numbers and patterns in `readyctl.toml`, checked with the
//! position of the offending value.
//!
//! Unchecked, a repository's own config could switch the audit off while
//! looking valid: `max_file_size = 18446744073709551615` overflowed the
//! reader and every file read as empty, `fail_under = nan` made the gate
//! always pass. Every number that reaches arithmetic has a range here.

use crate::config::Config;
use crate::diagnostic::{Diagnostics, Position, SourceFile};
use std::sync::Arc;
use toml::de::{DeTable, DeValue};

/// Smallest `[scan] max_file_size`: below it, the size limit would only
/// serve to skip every file's content checks.
pub const MIN_FILE_SIZE: u64 = 1024;
/// Largest `[scan] max_file_size` (and `--max-file-size`): each walker
/// thread holds up to one file of this size.
pub const MAX_FILE_SIZE: u64 = 1024 * 1024 * 1024;
pub const MAX_CONNECTIONS_PER_HOST: usize = 256;
pub const MAX_BODY_BYTES: u64 = 1024 * 1024 * 1024;
/// Scores multiply weights by check counts; beyond this they stop meaning
/// anything and may overflow.
pub const MAX_WEIGHT: u32 = 1000;

/// One step of a path into the TOML document.
enum Key<'a> {
    Name(&'a str),
    Index(usize),
}

/// Where the value at `path` starts, when the text has it.
fn locate(text: &str, path: &[Key<'_>]) -> Option<Position> {
    let root = DeTable::parse(text).ok()?;
    let mut value: Option<(&DeValue<'_>, std::ops::Range<usize>)> = None;
    let mut table: Option<&DeTable<'_>> = Some(root.get_ref());
    for key in path {
        let next = match (key, table, value.as_ref().map(|(v, _)| *v)) {
            (Key::Name(name), Some(t), _) => t
                .iter()
                .find(|(k, _)| k.get_ref() == name)
                .map(|(_, v)| (v.get_ref(), v.span())),
            (Key::Index(i), _, Some(DeValue::Array(items))) => {
                items.get(*i).map(|v| (v.get_ref(), v.span()))
            }
            _ => None,
        }?;
        table = match next.0 {
            DeValue::Table(t) => Some(t),
            _ => None,
        };
        value = Some(next);
    }
    value.map(|(_, span)| Position::from_offset(text, span.start))
}

struct Check<'a> {
    file: &'a Arc<SourceFile>,
    diagnostics: &'a mut Diagnostics,
}

impl Check<'_> {
    fn error(&mut self, path: &[Key<'_>], message: String) {
        let at = locate(&self.file.text, path).unwrap_or(Position::new(1, 1));
        self.diagnostics.push(self.file, at, message);
    }
}

fn percent(value: f64) -> bool {
    value.is_finite() && (0.0..=100.0).contains(&value)
}

pub(crate) fn validate(config: &Config, file: &Arc<SourceFile>, diagnostics: &mut Diagnostics) {
    use Key::{Index, Name};
    let mut c = Check { file, diagnostics };

    if let Some(size) = config.scan.max_file_size
        && !(MIN_FILE_SIZE..=MAX_FILE_SIZE).contains(&size)
    {
        c.error(
            &[Name("scan"), Name("max_file_size")],
            format!(
                "max_file_size must be from {MIN_FILE_SIZE} (1 KiB) to {MAX_FILE_SIZE} (1 GiB) bytes, not {size}"
            ),
        );
    }
    for (i, pattern) in config.scan.exclude.iter().enumerate() {
        if let Err(reason) = exclude_pattern(pattern) {
            c.error(
                &[Name("scan"), Name("exclude"), Index(i)],
                format!("invalid exclude pattern `{pattern}`: {reason}"),
            );
        }
    }

    let scoring = &config.scoring;
    for (name, value) in [("ready", scoring.ready), ("caveats", scoring.caveats)] {
        if !percent(value) {
            c.error(
                &[Name("scoring"), Name(name)],
                format!("scoring.{name} must be a score from 0 to 100, not {value}"),
            );
        }
    }
    if percent(scoring.ready) && percent(scoring.caveats) && scoring.caveats > scoring.ready {
        c.error(
            &[Name("scoring"), Name("caveats")],
            format!(
                "scoring.caveats ({}) must not be above scoring.ready ({})",
                scoring.caveats, scoring.ready
            ),
        );
    }
    let weights = &scoring.weights;
    for (name, weight) in [
        ("critical", weights.critical),
        ("high", weights.high),
        ("medium", weights.medium),
        ("low", weights.low),
        ("info", weights.info),
    ] {
        if weight > MAX_WEIGHT {
            c.error(
                &[Name("scoring"), Name("weights"), Name(name)],
                format!("weight `{name}` must be from 0 to {MAX_WEIGHT}, not {weight}"),
            );
        }
    }
    if let Some(score) = config.gate.fail_under
        && !percent(score)
    {
        c.error(
            &[Name("gate"), Name("fail_under")],
            format!("fail_under must be a score from 0 to 100, not {score}"),
        );
    }

    let live = &config.live;
    if let Some(n) = live.connections_per_host
        && !(1..=MAX_CONNECTIONS_PER_HOST).contains(&n)
    {
        c.error(
            &[Name("live"), Name("connections_per_host")],
            format!("connections_per_host must be from 1 to {MAX_CONNECTIONS_PER_HOST}, not {n}"),
        );
    }
    if let Some(n) = live.max_body_bytes
        && !(1..=MAX_BODY_BYTES).contains(&n)
    {
        c.error(
            &[Name("live"), Name("max_body_bytes")],
            format!("max_body_bytes must be from 1 to {MAX_BODY_BYTES} (1 GiB), not {n}"),
        );
    }
    for (name, target) in &config.targets {
        for (header, source) in &target.headers {
            let at = [Name("targets"), Name(name), Name("headers"), Name(header)];
            if reqwest::header::HeaderName::from_bytes(header.as_bytes()).is_err() {
                c.error(
                    &at,
                    format!("target `{name}`: `{header}` is not a valid header name"),
                );
            }
            if let crate::live::config::HeaderSource::Value(value) = source
                && reqwest::header::HeaderValue::from_str(value).is_err()
            {
                // Never quote the value: it is often a credential.
                c.error(
                    &at,
                    format!(
                        "target `{name}`: the value of header `{header}` has a line break or another control character; header values are one line of text"
                    ),
                );
            }
        }
        for (from, to) in &target.ports {
            if *from == 0 || *to == 0 {
                c.error(
                    &[Name("targets"), Name(name), Name("ports")],
                    format!("target `{name}`: ports are from 1 to 65535, not 0"),
                );
            }
        }
    }
}

/// Whether `pattern` is a gitignore-style glob the walk can use.
pub fn exclude_pattern(pattern: &str) -> Result<(), String> {
    let mut builder = ignore::overrides::OverrideBuilder::new("/");
    builder
        .add(&format!("!{pattern}"))
        .map(|_| ())
        .map_err(|e| match e {
            ignore::Error::Glob { err, .. } => err,
            other => other.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::config::tests::errors;

    #[test]
    fn max_file_size_has_a_range() {
        assert_eq!(
            errors("[scan]\nmax_file_size = 18446744073709551615\n"),
            [
                "readyctl.toml:2:17: max_file_size must be from 1024 (1 KiB) to 1073741824 (1 GiB) bytes, not 18446744073709551615"
            ]
        );
        assert_eq!(
            errors("[scan]\nmax_file_size = 0\n"),
            [
                "readyctl.toml:2:17: max_file_size must be from 1024 (1 KiB) to 1073741824 (1 GiB) bytes, not 0"
            ]
        );
        assert!(Config::parse("x", "[scan]\nmax_file_size = 1073741824\n").is_ok());
    }

    #[test]
    fn gate_and_scores_are_percentages() {
        assert_eq!(
            errors("[gate]\nfail_under = nan\n"),
            ["readyctl.toml:2:14: fail_under must be a score from 0 to 100, not NaN"]
        );
        assert_eq!(
            errors("[gate]\nfail_under = 999\n"),
            ["readyctl.toml:2:14: fail_under must be a score from 0 to 100, not 999"]
        );
        assert_eq!(
            errors("[scoring]\nready = inf\n"),
            ["readyctl.toml:2:9: scoring.ready must be a score from 0 to 100, not inf"]
        );
        assert_eq!(
            errors("[scoring]\nready = 60\ncaveats = 80\n"),
            ["readyctl.toml:3:11: scoring.caveats (80) must not be above scoring.ready (60)"]
        );
        assert_eq!(
            errors("[scoring.weights]\ncritical = 4294967295\n"),
            ["readyctl.toml:2:12: weight `critical` must be from 0 to 1000, not 4294967295"]
        );
    }

    #[test]
    fn live_limits_and_headers_have_positions() {
        assert_eq!(
            errors("[live]\nconnections_per_host = 0\n"),
            ["readyctl.toml:2:24: connections_per_host must be from 1 to 256, not 0"]
        );
        let found = errors(
            "[targets.s]\nurl = \"https://x.example\"\nheaders = { X-A = \"ok\\r\\nHost: evil\" }\nports = { 0 = 1 }\n",
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].starts_with(
                "readyctl.toml:3:19: target `s`: the value of header `X-A` has a line break"
            ),
            "{found:?}"
        );
        assert!(!found[0].contains("evil"), "{found:?}");
        assert!(
            found[1].starts_with("readyctl.toml:4:9: target `s`: ports"),
            "{found:?}"
        );
    }

    #[test]
    fn exclude_globs_are_checked_where_written() {
        assert_eq!(
            errors("[scan]\nexclude = [\"ok/\", \"a[b\"]\n"),
            [
                "readyctl.toml:2:19: invalid exclude pattern `a[b`: unclosed character class; missing ']'"
            ]
        );
    }
}
