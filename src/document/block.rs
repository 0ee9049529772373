//! The plainest YAML read line by line, without the YAML parser: block
//! mappings and lists of one-line scalars, the shape of nearly every
//! Kubernetes manifest.
//!
//! The parser spends about 2,500 instructions on each event (a key, a
//! scalar, the start of a mapping), a hundred times what reading a line of
//! `image: nginx:1.27` takes here, and parsing manifests was a sixth of a
//! monorepo audit. This reader accepts only a subset of YAML it can read
//! exactly as [`super::events`] reads it (the same nodes, the same lines,
//! the scalars typed by the same function), and gives up on the whole text
//! ([`parse`] returns `None`) at anything else: a byte that is not
//! printable ASCII, a tab, flow collections other than one-line lists and
//! mappings of scalars (see [`flow_items`] and [`flow_entries`]), block
//! scalars, anchors, aliases, tags, multi-line scalars, escapes, directives,
//! `...`, keys it does not know to be plain, indentation it does not
//! expect, long runs of comments (the parser refuses some of those). The
//! caller then reads the text as before, so an error is always the
//! parser's. A unit test compares both readers on every construct here and
//! on the constructs next to them.

use super::events::{map_key, scalar};
use super::{Entries, Node, Text, Value};
use serde_saphyr::granit_parser::ScalarStyle;
use std::borrow::Cow;

/// Well inside the limits [`super::events`] hands over to serde-saphyr at.
const MAX_BYTES: usize = 4 << 20;
const MAX_NODES: usize = 60_000;
const MAX_DOCUMENTS: usize = 256;
const MAX_DEPTH: usize = 40;
/// YAML limits an implicit key to 1,024 characters, quotes included; the
/// keys of a `pnpm-lock.yaml` name a package with its peers (600 bytes).
const MAX_KEY_BYTES: usize = 1_000;
/// Comments in a row, with nothing else between them. The parser buffers
/// comments while it decides what an entry is and fails past a limit (32
/// with serde-saphyr's options); far below it, this reader needs no model
/// of when it buffers.
const MAX_COMMENT_RUN: usize = 12;

/// An open mapping or list, by the column its keys or dashes start at.
struct Frame {
    indent: usize,
    line: u32,
    kind: Kind,
}

enum Kind {
    /// `pending`: a key whose value is on the lines below (or null).
    Map {
        entries: Entries,
        pending: Option<(Text, u32)>,
    },
    Seq(Vec<Node>),
}

/// A value after `key:` or `- `.
enum Scalar<'a> {
    /// Nothing (or only a comment) on the line.
    Empty,
    Text(&'a str, ScalarStyle),
    /// What is between `[` and `]` on one line.
    Flow(&'a str),
    /// What is between `{` and `}` on one line (`{}` included).
    FlowMap(&'a str),
}

/// The documents of `text`, or `None` when the YAML parser is to read it
/// (see the module's documentation).
pub(super) fn parse(text: &str) -> Option<Vec<Node>> {
    if text.len() > MAX_BYTES
        || !text
            .bytes()
            .all(|b| (b' '..=b'~').contains(&b) || b == b'\n')
    {
        return None;
    }
    let mut reader = Reader {
        docs: Vec::new(),
        stack: Vec::new(),
        rooted: false,
        nodes: 0,
    };
    let mut documents = 0;
    let mut comments = 0;
    for (index, line) in text.split('\n').enumerate() {
        let number = u32::try_from(index + 1).ok()?;
        let indent = line.bytes().take_while(|b| *b == b' ').count();
        let rest = &line[indent..];
        if rest.is_empty() {
            continue;
        }
        if rest.starts_with('#') {
            comments += 1;
            if comments >= MAX_COMMENT_RUN {
                return None;
            }
            continue;
        }
        comments = 0;
        if indent == 0 && (rest.starts_with("---") || rest.starts_with("...")) {
            if rest != "---" {
                return None;
            }
            reader.end_document()?;
            documents += 1;
            if documents > MAX_DOCUMENTS {
                return None;
            }
            continue;
        }
        if rest.starts_with('%') {
            return None;
        }
        let commented = reader.line(line, indent, number)?;
        comments = usize::from(commented);
        if reader.nodes > MAX_NODES || reader.stack.len() > MAX_DEPTH {
            return None;
        }
    }
    reader.end_document()?;
    Some(reader.docs)
}

struct Reader {
    docs: Vec<Node>,
    stack: Vec<Frame>,
    /// The document's root has been opened.
    rooted: bool,
    nodes: usize,
}

impl Reader {
    fn end_document(&mut self) -> Option<()> {
        while !self.stack.is_empty() {
            self.close()?;
        }
        self.rooted = false;
        Some(())
    }

    /// Closes the innermost collection and hands it to its parent.
    fn close(&mut self) -> Option<()> {
        let frame = self.stack.pop()?;
        let value = match frame.kind {
            Kind::Map {
                mut entries,
                pending,
            } => {
                if let Some((key, line)) = pending {
                    entries.insert(key, Node::null_at(line));
                }
                let mut entries = entries.list;
                entries.shrink_to_fit();
                Value::Map(entries)
            }
            Kind::Seq(mut items) => {
                items.shrink_to_fit();
                Value::Seq(items)
            }
        };
        self.add(Node {
            value,
            line: Some(frame.line),
        })
    }

    /// Hands a finished node to the innermost collection: the value of its
    /// pending key, or its next item; a document's root with none open.
    fn add(&mut self, mut node: Node) -> Option<()> {
        self.nodes += 1;
        match self.stack.last_mut() {
            None => {
                self.docs.push(node);
                Some(())
            }
            Some(Frame {
                kind: Kind::Map { entries, pending },
                ..
            }) => {
                let (key, line) = pending.take()?;
                // Findings point at the key (see `events::parse`).
                node.line = Some(line);
                entries.insert(key, node);
                Some(())
            }
            Some(Frame {
                kind: Kind::Seq(items),
                ..
            }) => {
                items.push(node);
                Some(())
            }
        }
    }

    /// Reads one line of content at `indent`; whether it ended in a
    /// comment.
    fn line(&mut self, line: &str, indent: usize, number: u32) -> Option<bool> {
        let rest = &line[indent..];
        let dash = rest == "-" || rest.starts_with("- ");
        // Close what this line is outside of.
        loop {
            let Some(top) = self.stack.last() else {
                // A document's root starts at the first column, once.
                if indent != 0 || self.rooted {
                    return None;
                }
                self.rooted = true;
                break;
            };
            if indent < top.indent {
                self.close()?;
                continue;
            }
            match &top.kind {
                Kind::Map { pending, .. } => {
                    // Deeper, or a list at the key's column: the pending
                    // key's value; else the next key.
                    if (indent > top.indent || dash) && pending.is_none() {
                        return None;
                    }
                }
                Kind::Seq(_) if indent > top.indent => return None,
                Kind::Seq(_) if !dash => {
                    // A list at its key's column ends at the next key.
                    let parent_at = self.stack.len().checked_sub(2).map(|i| &self.stack[i]);
                    match parent_at {
                        Some(parent)
                            if parent.indent == indent
                                && matches!(parent.kind, Kind::Map { .. }) =>
                        {
                            self.close()?;
                            continue;
                        }
                        _ => return None,
                    }
                }
                Kind::Seq(_) => {}
            }
            break;
        }
        if dash {
            return self.item(line, indent, number);
        }
        let open_here = match self.stack.last() {
            Some(top) => top.indent < indent || matches!(top.kind, Kind::Seq(_)),
            None => true,
        };
        if open_here {
            self.open(
                indent,
                number,
                Kind::Map {
                    entries: Entries::default(),
                    pending: None,
                },
            )?;
        }
        self.entry(line, indent, number)
    }

    fn open(&mut self, indent: usize, line: u32, kind: Kind) -> Option<()> {
        self.stack.push(Frame { indent, line, kind });
        Some(())
    }

    /// `- value` or `- key: value` at `indent`.
    fn item(&mut self, line: &str, indent: usize, number: u32) -> Option<bool> {
        let is_open_list = self
            .stack
            .last()
            .is_some_and(|top| top.indent == indent && matches!(top.kind, Kind::Seq(_)));
        if !is_open_list {
            self.open(indent, number, Kind::Seq(Vec::new()))?;
        }
        let column = indent
            + 1
            + line[indent + 1..]
                .bytes()
                .take_while(|b| *b == b' ')
                .count();
        if let Some((key, style, after)) = key_at(line, column) {
            self.open(
                column,
                number,
                Kind::Map {
                    entries: Entries::default(),
                    pending: None,
                },
            )?;
            return self.value_of(line, key, style, after, number);
        }
        let (value, commented) = scalar_at(line, column)?;
        let node = match value {
            // A bare `-`: its item's line is the parser's to say.
            Scalar::Empty => return None,
            other => Node {
                value: typed(other, number)?,
                line: Some(number),
            },
        };
        self.add(node)?;
        Some(commented)
    }

    /// `key: value` at `indent`, in the mapping open there.
    fn entry(&mut self, line: &str, indent: usize, number: u32) -> Option<bool> {
        let (key, style, after) = key_at(line, indent)?;
        if let Some(Frame {
            kind: Kind::Map { entries, pending },
            ..
        }) = self.stack.last_mut()
            && let Some((key, line)) = pending.take()
        {
            entries.insert(key, Node::null_at(line));
            self.nodes += 1;
        }
        self.value_of(line, key, style, after, number)
    }

    /// The value after a key that ends at `after` (past its `:`), for the
    /// mapping on top.
    fn value_of(
        &mut self,
        line: &str,
        key: &str,
        style: ScalarStyle,
        after: usize,
        number: u32,
    ) -> Option<bool> {
        let key = map_key(key, style)?;
        self.nodes += 1;
        let (value, commented) = scalar_at(line, after)?;
        let Some(Frame {
            kind: Kind::Map { pending, .. },
            ..
        }) = self.stack.last_mut()
        else {
            return None;
        };
        *pending = Some((key, number));
        match value {
            Scalar::Empty => {}
            other => {
                let value = typed(other, number)?;
                self.add(Node {
                    value,
                    line: Some(number),
                })?;
            }
        }
        Some(commented)
    }
}

impl Node {
    fn null_at(line: u32) -> Node {
        Node {
            value: Value::Null,
            line: Some(line),
        }
    }
}

/// The value of a scalar, or of a one-line list, on line `line`.
fn typed(value: Scalar<'_>, line: u32) -> Option<Value> {
    match value {
        Scalar::Empty => Some(Value::Null),
        Scalar::Text(text, style) => scalar(Cow::Borrowed(text), style),
        Scalar::Flow(items) => flow_items(items, line).map(Value::Seq),
        Scalar::FlowMap(entries) => flow_entries(entries, line).map(Value::Map),
    }
}

/// The items of a one-line list (`[a, b.example.com, "c"]`): plain words
/// (letters, digits, `_`, `.`, `/`, not starting with `-`) or quoted text
/// without escapes or commas, separated by commas. Empty for `[]`.
fn flow_items(inside: &str, line: u32) -> Option<Vec<Node>> {
    if inside.trim_matches(' ').is_empty() {
        return Some(Vec::new());
    }
    inside
        .split(',')
        .map(|item| {
            let item = item.trim_matches(' ');
            let bytes = item.as_bytes();
            let (text, style) = match bytes.first()? {
                b'"' | b'\'' => whole_quoted(item)?,
                first
                    if (first.is_ascii_alphanumeric() || matches!(first, b'_' | b'.' | b'/'))
                        && bytes.iter().all(|b| {
                            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'/')
                        }) =>
                {
                    (item, ScalarStyle::Plain)
                }
                _ => return None,
            };
            Some(Node {
                value: scalar(Cow::Borrowed(text), style)?,
                line: Some(line),
            })
        })
        .collect()
}

/// The entries of a one-line mapping (`{integrity: sha512-…}`, `{node:
/// '>=18'}`, the shape of a `pnpm-lock.yaml`): `key: value` separated by
/// commas, each key as [`key_at`] reads it, each value quoted without
/// escapes or commas, or plain of letters, digits, spaces and `_./-+=^~<>|@()*`
/// that starts with a letter, a digit or `_./^~`. Empty for `{}`. Later
/// keys win, as in a block mapping.
fn flow_entries(inside: &str, line: u32) -> Option<Vec<(Text, Node)>> {
    let mut entries = Entries::default();
    if inside.trim_matches(' ').is_empty() {
        return Some(entries.list);
    }
    for entry in inside.split(',') {
        let entry = entry.trim_matches(' ');
        let (key, style, after) = key_at(entry, 0)?;
        let key = map_key(key, style)?;
        let value = entry.get(after..)?.trim_matches(' ');
        let bytes = value.as_bytes();
        let (text, style) = match bytes.first()? {
            b'"' | b'\'' => whole_quoted(value)?,
            first
                if (first.is_ascii_alphanumeric()
                    || matches!(first, b'_' | b'.' | b'/' | b'^' | b'~'))
                    && bytes.iter().all(|b| {
                        b.is_ascii_alphanumeric()
                            || matches!(
                                b,
                                b' ' | b'_'
                                    | b'.'
                                    | b'/'
                                    | b'-'
                                    | b'+'
                                    | b'='
                                    | b'^'
                                    | b'~'
                                    | b'<'
                                    | b'>'
                                    | b'|'
                                    | b'@'
                                    | b'('
                                    | b')'
                                    | b'*'
                            )
                    }) =>
            {
                (value, ScalarStyle::Plain)
            }
            _ => return None,
        };
        let node = Node {
            value: scalar(Cow::Borrowed(text), style)?,
            line: Some(line),
        };
        entries.insert(key, node);
    }
    Some(entries.list)
}

/// A key starting at `at`: plain (letters, digits, `_`, `.`, `-`, `/`, `$`,
/// `@`, `(`, `)`, `+`, `<`, `>`, `=`, starting with a letter, a digit, `_`, `.` or `$`: a
/// `pnpm-lock.yaml` names packages `ajv-formats@2.1.1(ajv@8.17.1)`) or quoted without escapes, then `:` and a space or
/// the end of the line. The key's source, its style and where its value
/// starts.
fn key_at(line: &str, at: usize) -> Option<(&str, ScalarStyle, usize)> {
    let bytes = line.as_bytes();
    let (key, style, end) = match *bytes.get(at)? {
        quote @ (b'"' | b'\'') => {
            let (content, end) = quoted(line, at)?;
            let style = if quote == b'"' {
                ScalarStyle::DoubleQuoted
            } else {
                ScalarStyle::SingleQuoted
            };
            (content, style, end)
        }
        first if first.is_ascii_alphanumeric() || matches!(first, b'_' | b'.' | b'$') => {
            let end = at
                + bytes[at..]
                    .iter()
                    .take_while(|b| {
                        b.is_ascii_alphanumeric()
                            || matches!(
                                b,
                                b'_' | b'.'
                                    | b'-'
                                    | b'/'
                                    | b'$'
                                    | b'@'
                                    | b'('
                                    | b')'
                                    | b'+'
                                    | b'<'
                                    | b'>'
                                    | b'='
                            )
                    })
                    .count();
            (&line[at..end], ScalarStyle::Plain, end)
        }
        _ => return None,
    };
    if end - at > MAX_KEY_BYTES || bytes.get(end) != Some(&b':') {
        return None;
    }
    if !matches!(bytes.get(end + 1), None | Some(b' ')) {
        return None;
    }
    Some((key, style, end + 1))
}

/// A flow item that is one quoted scalar and nothing else (see
/// [`quoted`]): its content and style.
fn whole_quoted(item: &str) -> Option<(&str, ScalarStyle)> {
    let (content, end) = quoted(item, 0)?;
    if end != item.len() {
        return None;
    }
    let style = match item.as_bytes()[0] {
        b'"' => ScalarStyle::DoubleQuoted,
        _ => ScalarStyle::SingleQuoted,
    };
    Some((content, style))
}

/// A quoted scalar starting at `at` and closed on the same line: its text
/// and the column after the closing quote. `None` for escapes (`\` in
/// double quotes, `''` in single ones, left to the parser).
fn quoted(line: &str, at: usize) -> Option<(&str, usize)> {
    let bytes = line.as_bytes();
    let quote = bytes[at];
    let close = at + 1 + bytes[at + 1..].iter().position(|b| *b == quote)?;
    let content = &line[at + 1..close];
    if quote == b'"' && content.contains('\\') {
        return None;
    }
    if quote == b'\'' && bytes.get(close + 1) == Some(&b'\'') {
        return None;
    }
    Some((content, close + 1))
}

/// The value starting at `at` (after `key:` or `- `, spaces included) up
/// to the end of the line, and whether a comment ends the line.
fn scalar_at(line: &str, at: usize) -> Option<(Scalar<'_>, bool)> {
    let bytes = line.as_bytes();
    let start = at
        + bytes[at.min(bytes.len())..]
            .iter()
            .take_while(|b| **b == b' ')
            .count();
    let Some(&first) = bytes.get(start) else {
        return Some((Scalar::Empty, false));
    };
    // A comment needs a space before it; `key:` and `-` are followed by one
    // or by the end of the line.
    if first == b'#' {
        return (start > at).then_some((Scalar::Empty, true));
    }
    match first {
        b'"' | b'\'' => {
            let (content, end) = quoted(line, start)?;
            let commented = rest_is_blank(line, end)?;
            let style = if first == b'"' {
                ScalarStyle::DoubleQuoted
            } else {
                ScalarStyle::SingleQuoted
            };
            Some((Scalar::Text(content, style), commented))
        }
        b'[' => {
            let close = start + line[start..].find(']')?;
            let commented = rest_is_blank(line, close + 1)?;
            Some((Scalar::Flow(&line[start + 1..close]), commented))
        }
        b'{' => {
            let close = start + line[start..].find('}')?;
            let commented = rest_is_blank(line, close + 1)?;
            Some((Scalar::FlowMap(&line[start + 1..close]), commented))
        }
        b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`' | b',' | b'?' | b':' | b']'
        | b'}' => None,
        b'-' if matches!(bytes.get(start + 1), None | Some(b' ' | b'-')) => None,
        _ => {
            let text = &line[start..];
            let (text, commented) = match text.find(" #") {
                Some(comment) => (&text[..comment], true),
                None => (text, false),
            };
            let text = text.trim_end_matches(' ');
            if text.contains(": ") || text.ends_with(':') {
                return None;
            }
            Some((Scalar::Text(text, ScalarStyle::Plain), commented))
        }
    }
}

/// Whether only spaces, or spaces and a comment, follow `at`: `Some(true)`
/// for a comment, `None` for anything else.
fn rest_is_blank(line: &str, at: usize) -> Option<bool> {
    let rest = line.get(at..)?;
    let trimmed = rest.trim_start_matches(' ');
    if trimmed.is_empty() {
        return Some(false);
    }
    (trimmed.starts_with('#') && trimmed.len() < rest.len()).then_some(true)
}

#[cfg(test)]
mod tests_support {
    /// Whether the line reader reads `text`; when it does, that it reads
    /// what the parser reads, and that the parser finds no error.
    pub(super) fn agrees(text: &str) -> bool {
        let Some(fast) = super::parse(text) else {
            return false;
        };
        let slow = super::super::parse_yaml_with_parser(text);
        assert!(slow.error.is_none(), "{text:?}: {:?}", slow.error);
        assert_eq!(format!("{fast:?}"), format!("{:?}", slow.docs), "{text:?}");
        true
    }

    /// Texts next to `text`: each line removed, indented by one or two
    /// spaces more, dedented by one, doubled, or with `: x`, ` #`, `-` or
    /// `:` appended; the first lines only for a long text.
    pub(super) fn mutations(text: &str) -> Vec<String> {
        let lines: Vec<&str> = text.split('\n').collect();
        let mut out = Vec::new();
        for i in 0..lines.len().min(40) {
            let edits: [Option<String>; 9] = [
                Some(String::new()),
                Some(format!(" {}", lines[i])),
                Some(format!("  {}", lines[i])),
                lines[i].strip_prefix(' ').map(str::to_string),
                Some(format!("{}\n{}", lines[i], lines[i])),
                Some(format!("{}: x", lines[i])),
                Some(format!("{} #", lines[i])),
                Some(format!("{}-", lines[i])),
                Some(format!("{}:", lines[i])),
            ];
            for edit in edits.into_iter().flatten() {
                let mut changed = lines.clone();
                changed[i] = &edit;
                out.push(changed.join("\n"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::{agrees, mutations};

    fn comments(n: usize, indent: &str) -> String {
        (0..n).map(|i| format!("{indent}# comment {i}\n")).collect()
    }

    /// YAML this reader reads: each must read as the parser reads it, and
    /// so must every text next to it (see [`mutations`]), which this reader
    /// reads or leaves to the parser.
    #[test]
    fn reads_what_the_parser_reads() {
        let eleven = comments(11, "");
        let eleven_in = comments(11, "  ");
        let texts = [
            "a: 1\nb: two\nc: 3.5\nd: true\ne: ~\nf: null\ng:\nh: 0127\ni: -4\nj: 1.2.3\n".to_string(),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  labels:\n    app.kubernetes.io/name: api\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: api\n          image: registry.example.com/api:1.2.3\n          args: [port, \"8080\", 'x']\n          ports:\n            - containerPort: 8080\n          env: []\n          resources: {}\n".to_string(),
            "list:\n- a\n- b: 1\n  c: 2\n-   d: 3\nafter: x\n".to_string(),
            "- a\n- b\n- c: [x.example.com, 'y', \"z\"]\n  d:\n  - 1\n  - 2\n".to_string(),
            "---\na: 1\n---\n---\nb: 2 # trailing\nc: \"q # not a comment\" # comment\nd: 'it is' \ne: x#y\n".to_string(),
            "\"quoted key\": 1\n'single': 2\n.hidden: 3\nkey_with-dash/and.dot: 4\n80: http\ntrue: yes\n$ref: ./a.yaml\n".to_string(),
            "a: 1\na: 2\nb:\nb:\n  c: 3\nurl: http://example.com:8080/path?q=1\nweird: a, b] c}\n".to_string(),
            "a:\n  b:\n    c:\n      d: deep\n  e: back\nf: top\n".to_string(),
            format!("{eleven}a: 1\n{eleven}b:\n{eleven_in}  c: 2\n{eleven}---\n{eleven}- x\n{eleven}- y\n"),
            "a: # nothing here\n  b: 1\nc: # null\nd: [ ]\n".to_string(),
            "packages:\n  '@angular/core@20.3.0':\n    resolution: {integrity: sha512-AbC+/x9==}\n    engines: {node: ^20.19.0 || >=22.12.0, npm: '>=6'}\n    cpu: [x64]\n  a@1.0.0(b@2.0.0):\n    resolution: { integrity: sha1-x , tarball: 'https://r.example.com/a.tgz' }\n    hasBin: true\n    engines: {node: ~1.2}\n".to_string(),
            format!("'{}': 1\n{}: [x]\n", "@a/b".repeat(249), "k".repeat(1_000)),
            // Past the size from which keys are indexed, with repeats.
            (0..80)
                .map(|i| format!("k{}: {i}\n", (i * 7) % 50))
                .collect::<String>(),
            format!(
                "a:\n{}b: {{{}}}\n",
                (0..40).map(|i| format!("  k{}:\n", i % 35)).collect::<String>(),
                (0..40).map(|i| format!("k{}: {i}", i % 33)).collect::<Vec<_>>().join(", ")
            ),
            "- {a: 1, b: two, a: 3}\n- {c: null, d: true, e: 0127, f: 1.5, g: x.y}\n- { }\n- {}\n---\nh: {i: x} # c\n".to_string(),
        ];
        for text in &texts {
            assert!(agrees(text), "not read: {text:?}");
            for variant in mutations(text) {
                agrees(&variant);
            }
        }
    }

    #[test]
    fn leaves_the_rest_to_the_parser() {
        let texts = [
            "a: |\n  text\n",
            "a: >-\n  folded\n",
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a:\tb\n",
            "a: b\r\n",
            "a: caf\u{e9}\n",
            "a: one\n  two\n",
            "a: \"esc\\n\"\n",
            "a: 'it''s'\n",
            "a: {b: {c: 1}}\n",
            "a: {b: 'x, y'}\n",
            "a: {b: 'x'y}\n",
            "a: {b}\n",
            "a: {b: }\n",
            "a: {b: 1,}\n",
            "a: {b: >=1}\n",
            "a: {b: -1}\n",
            "a: {b: x:y}\n",
            "a: {b: x #y}\n",
            "a: {b:1}\n",
            "a: {<<: 1}\n",
            "a: {b: 1\n",
            "a: {b: 1} c\n",
            "a: [b: 1]\n",
            "a: [\"x, y\"]\n",
            "? a\n: b\n",
            "<<: {a: 1}\n",
            "a:\n  b: 1\n c: 2\n",
            "a: 1\n  b: 2\n",
            "- a\nb: 1\n",
            "-\n  a: 1\n",
            "- - a\n",
            "a: b: c\n",
            "a: \"open\n  close\"\n",
            "%YAML 1.2\n---\na: 1\n",
            "--- a: 1\n",
            "a: 1\n...\n",
            "  a: 1\n",
            "just text\n",
        ];
        for text in texts {
            assert!(super::parse(text).is_none(), "read: {text:?}");
        }
        let twelve = format!("{}a: 1\n", comments(12, ""));
        assert!(super::parse(&twelve).is_none());
        // Past YAML's 1,024 characters for an implicit key.
        let long = format!("{}: 1\n", "k".repeat(1_030));
        assert!(super::parse(&long).is_none());
        assert!(super::super::parse_yaml_with_parser(&long).error.is_some());
    }

    /// Every YAML file under `READYCTL_YAML_CORPUS` (a folder of real
    /// repositories): `cargo test --lib block::tests::corpus -- --ignored
    /// --nocapture`.
    #[test]
    #[ignore]
    fn corpus() {
        let root = std::env::var("READYCTL_YAML_CORPUS").expect("READYCTL_YAML_CORPUS");
        let (mut read, mut all, mut bytes_read, mut bytes) = (0, 0, 0, 0);
        let mut stack = vec![std::path::PathBuf::from(root)];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                if kind.is_dir() {
                    stack.push(path);
                } else if kind.is_file()
                    && path.extension().is_some_and(|e| e == "yaml" || e == "yml")
                    && let Ok(text) = std::fs::read_to_string(&path)
                {
                    all += 1;
                    bytes += text.len();
                    let result = std::panic::catch_unwind(|| agrees(&text));
                    match result {
                        Ok(true) => {
                            read += 1;
                            bytes_read += text.len();
                            if text.len() < 20_000 {
                                for variant in mutations(&text) {
                                    if std::panic::catch_unwind(|| agrees(&variant)).is_err() {
                                        panic!("{}: {variant:?}", path.display());
                                    }
                                }
                            }
                        }
                        Ok(false) => {}
                        Err(_) => panic!("{}", path.display()),
                    }
                }
            }
        }
        println!("read {read} of {all} files, {bytes_read} of {bytes} bytes");
    }
}
