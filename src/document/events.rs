//! YAML read straight from the parser's events into [`Node`]s, for the
//! plain YAML most repositories hold: mappings, lists and untagged scalars.
//!
//! serde-saphyr hands a node's line out only through its `Spanned` wrapper,
//! which deserializes every node as a three-field struct (the value, then
//! two locations, each a struct of its own) and records each mapping's
//! entries before replaying them: four fifths of the instructions of a
//! parse went there, the parser itself the rest, and parsing was a quarter
//! of a monorepo audit. Here the same parser (with serde-saphyr's options)
//! is read once, and a scalar is typed as serde-saphyr types it for an
//! untyped target: null, boolean, integer, float or string.
//!
//! Whatever this reader does not type itself — anchors, aliases, tags,
//! merge keys, a parse error, a stream near serde-saphyr's
//! budget — makes it give up on the whole text ([`parse`] returns `None`),
//! and the caller parses it through serde-saphyr as before, so errors and
//! the rarer constructs keep serde-saphyr's meaning and messages. A unit
//! test compares both readers on every YAML construct it can think of.

use super::{Entries, Node, Text, Value, intern};
use serde_saphyr::granit_parser::{Event, Options, Parser, ScalarStyle};
use std::borrow::Cow;

/// Well inside serde-saphyr's default budget (1,000,000 events, 250,000
/// nodes, 1,024 documents, depth 64, 64 MiB of scalars): a stream past
/// these is left to serde-saphyr, which enforces the budget.
const MAX_EVENTS: usize = 500_000;
const MAX_NODES: usize = 125_000;
const MAX_DOCUMENTS: usize = 512;
const MAX_DEPTH: usize = 48;
const MAX_TEXT_BYTES: usize = 16 << 20;

/// The parser's options as serde-saphyr sets them by default, so that the
/// parser accepts and rejects what it would (its comment buffer limits
/// included).
fn options() -> Options {
    let mut options = Options::default();
    options.simple_key_max_lookahead = 1024;
    options.flow_nesting_limit = 255;
    options.block_nesting_limit = options.block_nesting_limit.max(65);
    options.emit_comments = true;
    options.max_buffered_comment_events = 32;
    options
}

/// An open list or mapping.
enum Open {
    Seq(Vec<Node>, Option<u32>),
    Map {
        entries: Entries,
        line: Option<u32>,
        /// The key whose value comes next, with its line.
        key: Option<(Text, Option<u32>)>,
    },
}

/// The documents of a YAML stream, or `None` when serde-saphyr is to read
/// it (see the module's documentation). Null documents are left out, as
/// serde-saphyr leaves them out of `Option` documents.
pub(super) fn parse(text: &str) -> Option<Vec<Node>> {
    let mut docs = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    let (mut events, mut nodes, mut bytes, mut documents) = (0usize, 0usize, 0usize, 0usize);
    for event in Parser::new_from_str_with_options(text, options()) {
        let (event, span) = event.ok()?;
        events += 1;
        if events > MAX_EVENTS {
            return None;
        }
        let line = u32::try_from(span.start.line())
            .ok()
            .filter(|line| *line > 0);
        let node = match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => continue,
            Event::Comment(comment, _) => {
                bytes += comment.len();
                if bytes > MAX_TEXT_BYTES {
                    return None;
                }
                continue;
            }
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > MAX_DOCUMENTS {
                    return None;
                }
                continue;
            }
            Event::Scalar(value, style, anchor, tag) => {
                if anchor != 0 || tag.is_some() {
                    return None;
                }
                bytes += value.len();
                if bytes > MAX_TEXT_BYTES {
                    return None;
                }
                if let Some(Open::Map {
                    key: key @ None, ..
                }) = open.last_mut()
                {
                    nodes += 1;
                    *key = Some((map_key(&value, style)?, line));
                    continue;
                }
                Node {
                    value: scalar(value, style)?,
                    line,
                }
            }
            Event::SequenceStart(_, anchor, ref tag) | Event::MappingStart(_, anchor, ref tag) => {
                if anchor != 0 || tag.is_some() || open.len() >= MAX_DEPTH {
                    return None;
                }
                // A list or mapping as a key is left to serde-saphyr.
                if let Some(Open::Map { key: None, .. }) = open.last() {
                    return None;
                }
                open.push(match event {
                    Event::SequenceStart(..) => Open::Seq(Vec::new(), line),
                    _ => Open::Map {
                        entries: Entries::default(),
                        line,
                        key: None,
                    },
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match open.pop()? {
                Open::Seq(mut items, line) => {
                    // Parsed documents live until the audit ends (see
                    // `NodeVisitor::visit_seq`).
                    items.shrink_to_fit();
                    Node {
                        value: Value::Seq(items),
                        line,
                    }
                }
                Open::Map {
                    entries,
                    line,
                    key: None,
                    ..
                } => {
                    let mut entries = entries.list;
                    entries.shrink_to_fit();
                    Node {
                        value: Value::Map(entries),
                        line,
                    }
                }
                Open::Map { .. } => return None,
            },
            // Aliases, anchors' names, unresolved aliases.
            _ => return None,
        };
        nodes += 1;
        if nodes > MAX_NODES {
            return None;
        }
        match open.last_mut() {
            None => {
                if node.value != Value::Null {
                    docs.push(node);
                }
            }
            Some(Open::Seq(items, _)) => items.push(node),
            Some(Open::Map { entries, key, .. }) => {
                let (key, key_line) = key.take()?;
                let mut value = node;
                // Findings point at the key (see `NodeVisitor::visit_map`).
                if key_line.is_some() {
                    value.line = key_line;
                }
                // Later keys win, as with serde-saphyr's `LastWins` (which
                // finds repeats by their source text, then `NodeVisitor` by
                // the text made of them: the later finds every repeat the
                // former does, so this alone keeps the same entries).
                entries.insert(key, value);
            }
        }
    }
    open.is_empty().then_some(docs)
}

/// A mapping's key as the text [`super::NodeVisitor`] makes of it, or
/// `None` for a merge key (`<<`), which serde-saphyr merges.
pub(super) fn map_key(source: &str, style: ScalarStyle) -> Option<Text> {
    if source == "<<" {
        return None;
    }
    Some(match scalar(Cow::Borrowed(source), style)? {
        Value::String(text) => text,
        Value::Null => intern("~"),
        Value::Bool(b) => intern(&b.to_string()),
        Value::Number(n) => intern(&super::format_number(n)),
        Value::Seq(_) | Value::Map(_) => return None,
    })
}

/// An untagged scalar typed as serde-saphyr types it for an untyped target
/// (YAML 1.2 booleans, leading-zero numbers as strings: the options of
/// `super::parse_yaml`); a numeral of another form than [`decimal`] reads
/// (hexadecimal, exponents, `.inf`, a date) is typed by serde-saphyr on its
/// own. `None` when serde-saphyr rejects it (`1e999`).
pub(super) fn scalar(value: Cow<'_, str>, style: ScalarStyle) -> Option<Value> {
    if style != ScalarStyle::Plain {
        return Some(Value::String(intern(&value)));
    }
    if matches!(&*value, "" | "~" | "null" | "Null" | "NULL") {
        return Some(Value::Null);
    }
    let trimmed = value.trim_matches([' ', '\t', '\r', '\n']);
    match trimmed {
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    if !may_be_number(trimmed) {
        return Some(Value::String(intern(&value)));
    }
    Some(match decimal(trimmed) {
        Some(Decimal::Integer(n) | Decimal::Float(n)) => Value::Number(n),
        Some(Decimal::Text) => Value::String(intern(&value)),
        None => {
            // Made of letters, digits and `+-._` only, it is one plain
            // scalar as a document of its own, unless it is a marker.
            if trimmed.starts_with("---") || trimmed.starts_with("...") {
                return None;
            }
            serde_saphyr::from_str_with_options::<Node>(trimmed, super::yaml_options())
                .ok()?
                .value
        }
    })
}

/// Whether a plain scalar may be typed as a number: whether it has the
/// shape of a YAML 1.2 `.inf` or `.nan`, of an integer with a radix prefix,
/// or of what Rust reads as a decimal `f64` or integer (digits, `.`, `_`,
/// `e` and signs, with a digit among them). `100m`, `256Mi`, `1.2.3-rc.1`
/// and `.metadata.name` are strings.
fn may_be_number(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let bytes = unsigned.as_bytes();
    match bytes {
        [b'.', rest @ ..]
            if rest.eq_ignore_ascii_case(b"inf") || rest.eq_ignore_ascii_case(b"nan") =>
        {
            true
        }
        [b'0', b'x' | b'X' | b'o' | b'O' | b'b' | b'B', ..] => true,
        [b'0'..=b'9' | b'.', ..] => {
            bytes.iter().any(u8::is_ascii_digit)
                && bytes.iter().all(|b| {
                    b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'e' | b'E' | b'+' | b'-')
                })
        }
        _ => false,
    }
}

enum Decimal {
    Integer(f64),
    Float(f64),
    /// A string: digits with a redundant leading zero (`0127`) or dotted
    /// digits that are no number (`1.18.4`).
    Text,
}

/// A numeral of the forms `-?digits` and `-?digits.digits(.digits)*`, or
/// `None` for any other form.
fn decimal(text: &str) -> Option<Decimal> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let mut parts = digits.split('.');
    let whole = parts.next()?;
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let fractions: Vec<&str> = parts.collect();
    if fractions
        .iter()
        .any(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    match fractions.len() {
        0 if whole.len() > 1 && whole.starts_with('0') => Some(Decimal::Text),
        // `-0` is the integer 0; i64 takes 18 digits whatever they are.
        0 if whole.len() <= 18 && !(whole == "0" && digits.len() < text.len()) => {
            let n: i64 = text.parse().ok()?;
            Some(Decimal::Integer(n as f64))
        }
        0 => None,
        1 => text
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(Decimal::Float),
        _ => Some(Decimal::Text),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Documents, parse_yaml_with_serde};
    use super::parse;

    /// What serde-saphyr reads from `text`, when this reader reads it at
    /// all: the same documents, or `None`.
    fn same(text: &str) -> bool {
        let Some(docs) = parse(text) else {
            return false;
        };
        let Documents {
            docs: expected,
            error,
        } = parse_yaml_with_serde(text);
        assert!(error.is_none(), "{text:?}: {error:?}");
        assert_eq!(docs, expected, "{text:?}");
        true
    }

    /// Both readers read these alike; the ones this reader leaves to
    /// serde-saphyr are the ones it should.
    #[test]
    fn constructs_read_alike() {
        // Past the size from which a mapping's keys are indexed, with
        // repeats, block and flow.
        let big = (0..80)
            .map(|i| format!("k{}: {i}\n", (i * 7) % 50))
            .collect::<String>()
            + &format!(
                "f: {{{}}}\nt: |\n  x\n",
                (0..40)
                    .map(|i| format!("k{}: {i}", i % 33))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        let read = [
            big.as_str(),
            "kind: Service\n---\nkind: Deployment\nspec:\n  replicas: 2\n",
            "",
            "---\n",
            "---\n---\na: 1\n...\n---\n~\n---\nnull\n",
            "just a string\n",
            "'quoted'\n",
            "\"\"\n",
            "{}\n",
            "[]\n",
            "# only a comment\n",
            "a: 1 # trailing\n# between\nb:\n  # inside\n  - x\n",
            "a: {b: [1, 2, {c: d}], e: }\nf: [ ]\n",
            "a:\n  b:\n    c:\n      - - x\n        - y\n      - z\n",
            "a: 1\nb: 2\na: 3\n",
            "1: a\n\"1\": b\n01: c\n1.0: d\n",
            "~: a\nnull: b\n\"~\": c\n\"\": d\n: e\n",
            "true: a\n\"true\": b\nTrue: c\nyes: d\non: e\n",
            "text: |\n  one\n  two\nfolded: >-\n  one\n  two\n\nkeep: |+\n  x\n\n",
            "plain: one\n  two\n  three\nq: 'it''s'\nd: \"tab\\tline\\n\\u00e9\"\n",
            "n: [0, -0, 7, -7, 007, -007, 1.5, -1.5, 00.5, 1.18.4, 01.2.3, 123456789012345678]\n",
            "n: [1234567890123456789, 99999999999999999999, -99999999999999999999]\n",
            "n: [100m, 256Mi, 8Gi, 5m0s, 1s, ., .., .metadata.name, 2.x.x, 1.0.0-rc.9]\n",
            "n: [1e3, 1E-3, 1.5e+2, 0x1F, 0o17, 0b101, 0xZZ, +5, +0, .5, 5., 1_000, 1__0]\n",
            "n: [2024-01-01, 2024-01-01T10:00:00Z, 10:30, 1-2, --, -.5, -.x, +., 12-debian-12-r50]\nm:\n  - -\n  - -1\n  - ---1\n",
            "n: [inf, -inf, nan, infinity, NaN, .infinity, .nano]\n",
            "\tkey: value\n",
            "b: [true, True, TRUE, tRUE, false, yes, no, on, off, y, n]\n",
            "z: [null, Null, NULL, nULL, ~, '~', '', \"null\"]\n",
            "{\"a\": {\"b\": [1, 2.5, true, null, \"x\"]}, \"c\": \"\"}\n",
            "a: 1\r\nb:\r\n  - c\r\n",
            "\u{feff}a: 1\n",
            "cl\u{e9}: valeur \u{e9}t\u{e9}\nkey with spaces: v\n",
            "? a\n: b\n? c\n",
            "- a\n- \n- - b\n-\n  c: d\n",
            "a:\n- b\n- c\nd: e\n",
            "on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n",
        ];
        let left = [
            "base: &b\n  x: 1\nsvc:\n  <<: *b\n",
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: !Ref b\n",
            "!!map {a: 1}\n",
            "<<: {a: 1}\n",
            "? [a, b]\n: c\n",
            "? {a: b}\n: c\n",
            "a: [1, 2\nb: {\n",
            "a: b: c\n",
            "n: 1e999\n",
            "n: .nan\n",
            "n: .inf\n",
        ];
        let mut bad = Vec::new();
        for text in read {
            match std::panic::catch_unwind(|| same(text)) {
                Ok(true) => {}
                Ok(false) => bad.push(format!(
                    "left {text:?} {:?}",
                    parse_yaml_with_serde(text).error
                )),
                Err(_) => bad.push(format!("differs {text:?}")),
            }
        }
        for text in left {
            if parse(text).is_some() {
                bad.push(format!("read {text:?}"));
            }
        }
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    /// Every file named in the list `READYCTL_YAML_PARITY` points at (one
    /// path a line) is read alike by both readers; run by hand over the
    /// measurement trees' YAML and JSON.
    #[test]
    #[ignore = "reads the files a list names"]
    fn files_read_alike() {
        let list = std::env::var("READYCTL_YAML_PARITY").expect("READYCTL_YAML_PARITY");
        let (mut read, mut left) = (0, 0);
        for path in std::fs::read_to_string(list).unwrap().lines() {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            match std::panic::catch_unwind(|| same(&text)) {
                Ok(true) => read += 1,
                Ok(false) => {
                    left += 1;
                    if std::env::var("SHOWLEFT").is_ok() {
                        eprintln!("left {path}");
                    }
                }
                Err(_) => panic!("{path}"),
            }
        }
        eprintln!("read alike: {read}, left to serde-saphyr: {left}");
    }
}
