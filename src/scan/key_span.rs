//! Where a collected name lies in a match, read from the match's own bytes
//! instead of asked of the capturing regex engines.
//!
//! The collectors of `docs.env-example` (`os.Getenv("X")`,
//! `process.env.X`, …) record the `key` group of every hit: on the
//! monorepo profile 390 k hits, each of which ran the one-pass DFA or the
//! bounded backtracker over its match after the lazy DFAs had found it
//! (about 2,300 instructions a hit, 0.9 G in all). Their patterns share a
//! shape that makes the group's place follow from the match alone:
//!
//! ```text
//! … P (?P<key> ASCII classes and literals, repeated or not) T
//! ```
//!
//! where `P`, the item just before the group, matches only bytes the group
//! cannot hold, and `T`, everything after it, always matches the same
//! number of bytes. The group then ends that many bytes before the match
//! does, and starts after the last byte before that end which the group
//! cannot hold: that byte is `P`'s. Patterns of any other shape keep the
//! capturing search.

use regex_syntax::hir::{Class, Hir, HirKind};

/// How to find the `key` group of a pattern's match (see the module
/// documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeySpan {
    /// The ASCII bytes the group can hold, as a bit set.
    bytes: u128,
    /// How many bytes follow the group in every match.
    tail: usize,
}

impl KeySpan {
    /// The shape of `regex`, if it is the one described above and `key` is
    /// its only group (no other group's span could be asked for). Parsed as
    /// with Unicode, which keeps every class that is ASCII-only in both of
    /// the pattern's compiled forms.
    pub(crate) fn of(regex: &str) -> Option<KeySpan> {
        let hir = regex_syntax::ParserBuilder::new()
            .utf8(false)
            .build()
            .parse(regex)
            .ok()?;
        if hir.properties().explicit_captures_len() != 1 {
            return None;
        }
        let HirKind::Concat(items) = hir.kind() else {
            return None;
        };
        let at = items.iter().position(
            |item| matches!(item.kind(), HirKind::Capture(c) if c.name.as_deref() == Some("key")),
        )?;
        let HirKind::Capture(group) = items[at].kind() else {
            return None;
        };
        let bytes = held(&group.sub)?;
        let before = items[..at].last().and_then(last_byte_set)?;
        if before & bytes != 0 {
            return None;
        }
        let tail = items[at + 1..]
            .iter()
            .map(fixed_width)
            .sum::<Option<usize>>()?;
        Some(KeySpan { bytes, tail })
    }

    /// The span of the group in the match `start..end` of `haystack`.
    pub(crate) fn key(&self, haystack: &[u8], start: usize, end: usize) -> (usize, usize) {
        let to = end - self.tail;
        let from = haystack[start..to]
            .iter()
            .rposition(|b| !holds(self.bytes, *b))
            .map_or(start, |i| start + i + 1);
        (from, to)
    }
}

fn holds(set: u128, byte: u8) -> bool {
    byte < 128 && set & (1 << byte) != 0
}

/// The ASCII bytes of a class, if it holds no other.
fn class_bytes(class: &Class) -> Option<u128> {
    let ranges: Vec<(u32, u32)> = match class {
        Class::Unicode(c) => c
            .ranges()
            .iter()
            .map(|r| (r.start() as u32, r.end() as u32))
            .collect(),
        Class::Bytes(c) => c
            .ranges()
            .iter()
            .map(|r| (u32::from(r.start()), u32::from(r.end())))
            .collect(),
    };
    ranges.iter().try_fold(0u128, |set, (from, to)| {
        (*to < 128).then(|| (*from..=*to).fold(set, |set, b| set | (1 << b)))
    })
}

/// The bytes a group's text can be made of: ASCII classes and literals,
/// concatenated or repeated; `None` for anything else.
fn held(hir: &Hir) -> Option<u128> {
    match hir.kind() {
        HirKind::Class(class) => class_bytes(class),
        HirKind::Literal(literal) => literal
            .0
            .iter()
            .try_fold(0u128, |set, b| (*b < 128).then(|| set | (1 << b))),
        HirKind::Repetition(repetition) => held(&repetition.sub),
        HirKind::Concat(items) => items
            .iter()
            .try_fold(0u128, |set, item| Some(set | held(item)?)),
        _ => None,
    }
}

/// The bytes the last byte matched by `hir` can be, when it always matches
/// at least one ASCII byte from a known set.
fn last_byte_set(hir: &Hir) -> Option<u128> {
    match hir.kind() {
        HirKind::Class(class) => class_bytes(class),
        HirKind::Literal(literal) => {
            let last = *literal.0.last()?;
            (last < 128).then(|| 1u128 << last)
        }
        _ => None,
    }
}

/// How many bytes `hir` always matches, if it is a fixed number.
fn fixed_width(hir: &Hir) -> Option<usize> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(0),
        HirKind::Literal(literal) => Some(literal.0.len()),
        HirKind::Class(class) => class_bytes(class).map(|_| 1),
        HirKind::Capture(capture) => fixed_width(&capture.sub),
        HirKind::Concat(items) => items.iter().map(fixed_width).sum(),
        HirKind::Repetition(repetition) if Some(repetition.min) == repetition.max => {
            Some(fixed_width(&repetition.sub)? * repetition.min as usize)
        }
        HirKind::Repetition(_) | HirKind::Alternation(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::KeySpan;
    use crate::scan::ContentRegex;

    const TEXT: &str = "\
db := os.Getenv(\"DB_PASSWORD\") + os.LookupEnv( \"X\")\n\
port := getEnvOrDefault(\"PORT_9\", 80); mustGetEnv(\"A\")\n\
type C struct { Url string `env:\"URL_2\" envconfig:\"Q\"` }\n\
const t = process.env.TOKEN_2 || process.env['SECRET'] + process.env[`x_y`];\n\
import.meta.env.VITE_API_URL; os.environ['HOME'] os.environ.get(\"A_B\") os.getenv('c')\n\
env.str(\"DJANGO_KEY\") env(\"B\") env::var(\"RUST_X\") env::var_os(\"Y\")\n\
System.getenv(\"JAVA_OPTS\") ENV['RAILS_ENV'] ENV.fetch(\"REDIS_URL\")\n\
${SPRING_DB:default} ${PLAIN}\n\
  # export FOO_BAR=1\nBAZ = 2\n\u{e9}process.env.\u{e9}T process.env.T\u{e9}\n";

    /// For every built-in collector, the span read from the match is the
    /// one the capturing search reports, at every match of a text holding
    /// each collector's forms (and both compiled forms of the pattern).
    #[test]
    fn finds_the_group_the_captures_find() {
        let mut shaped = 0;
        let mut compared = 0;
        for entry in crate::scan::literal_table::ANALYSES {
            if !entry.regex.contains("(?P<key>") {
                continue;
            }
            let Some(span) = KeySpan::of(entry.regex) else {
                continue;
            };
            shaped += 1;
            let pattern = crate::scan::ascii_word_boundaries(entry.regex);
            for unicode in [true, false] {
                let regex = ContentRegex::new(&pattern, unicode, false, 1 << 22).unwrap();
                let key = regex
                    .capture_names()
                    .position(|n| n == Some("key"))
                    .unwrap();
                let mut locations = regex.capture_locations();
                let text = TEXT.as_bytes();
                let mut at = 0;
                while let Some(m) = regex.captures_read_at(&mut locations, text, at) {
                    assert_eq!(
                        Some(span.key(text, m.start(), m.end())),
                        locations.get(key),
                        "{pattern} at {}",
                        m.start()
                    );
                    compared += 1;
                    at = m.end().max(m.start() + 1);
                }
            }
        }
        assert!(shaped >= 10, "{shaped}");
        assert!(compared >= 40, "{compared}");
    }

    #[test]
    fn reads_the_shape() {
        let span = |r| KeySpan::of(r).map(|s| (s.tail, s.bytes.count_ones()));
        assert_eq!(
            span(r#"\bprocess\.env\.(?P<key>[A-Za-z_][A-Za-z0-9_]*)"#),
            Some((0, 63))
        );
        assert_eq!(
            span(r#"\bos\.getenv\(\s*["'](?P<key>[A-Z_]+)["']\)\b"#),
            Some((2, 27))
        );
        // The tail's width varies.
        assert_eq!(span(r#"\$\{(?P<key>[A-Z_][A-Z0-9_]*)(?::[^}]*)?\}"#), None);
        // The byte before the group could be the group's.
        assert_eq!(span(r#"x_?(?P<key>[a-z_]+)"#), None);
        assert_eq!(span(r#"x(?P<key>[a-z_]+)"#), None);
        assert_eq!(span(r#"\s*(?P<key>[a-z_]+)"#), None);
        // Another group, a group that is not `key`, a group with non-ASCII.
        assert_eq!(span(r#"(?P<secret>a)=(?P<key>[A-Z]+)"#), None);
        assert_eq!(span(r#"=(?P<name>[A-Z]+)"#), None);
        assert_eq!(span(r#"=(?P<key>\w+)"#), None);
        // An alternation in the group is not read; a literal is.
        assert_eq!(span(r#"=(?P<key>AB|C)"#), None);
        assert_eq!(span(r#"=(?P<key>A[B-C]+)"#), Some((0, 3)));
    }

    #[test]
    fn reads_the_span_back_to_the_prefix() {
        let span = KeySpan::of(r#"\(\s*"(?P<key>[A-Z_][A-Z0-9_]*)""#).unwrap();
        let text = br#"f( "A_1") "#;
        assert_eq!(span.key(text, 1, 8), (4, 7));
        assert_eq!(&text[4..7], b"A_1");
    }
}
