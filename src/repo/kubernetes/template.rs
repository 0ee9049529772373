//! A static reader of Helm's Go templates: renders a chart's templates with
//! its own values, as `helm template` would with no overrides, as far as
//! that can be decided without running anything.
//!
//! The chart is untrusted input, so nothing is executed: there is no
//! template engine here, only a reader of the constructs charts use to
//! place values (`{{ .Values.x }}`, `default`, `toYaml | nindent`, `if`,
//! `with`, `range`) and a small set of pure string functions. Whatever
//! depends on the cluster (`.Capabilities`, `lookup`), on files, on named
//! templates that build structure (`include "common.tplvalues.render"`) or
//! on an unknown function cannot be decided: it renders as an *undecided
//! marker* (a scalar, or a mapping key where a block is expected) that the
//! rules turn into "cannot be judged statically" instead of pass or fail.
//! Output is bounded ([`MAX_OUTPUT`], [`MAX_RANGE`]).

use crate::document::{Node, Value, format_number};
use std::sync::Arc;

/// Rendered text larger than this is not read further.
const MAX_OUTPUT: usize = 1 << 20;
/// Items of one `range` rendered at most.
const MAX_RANGE: usize = 200;

/// The text every undecided marker starts with; the marker's number indexes
/// the reasons of the chart.
pub const MARKER: &str = "__readyctl_undecided_";

/// The reason number `text` (a scalar or key) marks, if it is a marker.
pub fn marker_index(text: &str) -> Option<usize> {
    text.strip_prefix(MARKER)?.strip_suffix("__")?.parse().ok()
}

/// A rendered template: its text, the template line each output line comes
/// from, and why parts of it could not be decided.
#[derive(Debug, Default)]
pub struct Rendered {
    pub text: String,
    /// `origins[i]` is the template line of output line `i + 1`.
    pub origins: Vec<usize>,
}

/// Renders `template` (the file `path`) with `root` (a mapping with
/// `Values`, `Chart`, `Release`) as `.` and `$`. Undecided reasons, each
/// naming `path`, are appended to `reasons`.
pub fn render(
    template: &str,
    path: &str,
    root: &Arc<Node>,
    reasons: &mut Vec<String>,
) -> Result<Rendered, String> {
    let pieces = lex(template)?;
    let mut at = 0;
    let trees = parse_block(&pieces, &mut at, false)?;
    let mut out = Writer {
        rendered: Rendered {
            text: String::new(),
            origins: vec![1],
        },
    };
    let mut cx = Cx {
        root,
        vars: vec![("$".to_string(), Val::Node(root.clone()))],
        reasons,
        path,
    };
    run(&trees, &Val::Node(root.clone()), &mut cx, &mut out)?;
    Ok(out.rendered)
}

// ---------------------------------------------------------------- lexing

#[derive(Debug)]
enum Piece {
    Text(String, usize),
    Action(String, usize),
}

fn lex(src: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut rest = src;
    let mut line = 1;
    let mut trim_next = false;
    while !rest.is_empty() {
        let Some(open) = rest.find("{{") else {
            let text = if trim_next { rest.trim_start() } else { rest };
            let skipped = rest.len() - text.len();
            let text_line = line + rest[..skipped].matches('\n').count();
            pieces.push(Piece::Text(text.to_string(), text_line));
            break;
        };
        let before = &rest[..open];
        let text = if trim_next {
            before.trim_start()
        } else {
            before
        };
        let text_line = line + before[..before.len() - text.len()].matches('\n').count();
        line += before.matches('\n').count();
        let mut body_start = open + 2;
        let trim_left = rest[body_start..].starts_with('-')
            && rest[body_start + 1..].starts_with(char::is_whitespace);
        if trim_left {
            body_start += 1;
        }
        let text = if trim_left { text.trim_end() } else { text };
        if !text.is_empty() {
            pieces.push(Piece::Text(text.to_string(), text_line));
        }
        let close = find_close(&rest[body_start..])
            .ok_or_else(|| format!("line {line}: unclosed `{{{{`"))?
            + body_start;
        let mut body = &rest[body_start..close];
        trim_next = body.ends_with('-') && body[..body.len() - 1].ends_with(char::is_whitespace);
        if trim_next {
            body = &body[..body.len() - 1];
        }
        let body = body.trim();
        if !(body.starts_with("/*") && body.ends_with("*/")) {
            pieces.push(Piece::Action(body.to_string(), line));
        }
        line += rest[open..close + 2].matches('\n').count();
        rest = &rest[close + 2..];
    }
    Ok(pieces)
}

/// Where the action's `}}` is, outside strings and comments.
fn find_close(body: &str) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut i = 0;
    if body.trim_start().starts_with("/*") {
        let end = body.find("*/")?;
        return body[end..].find("}}").map(|j| end + j);
    }
    while i + 1 < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'`' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'`' {
                    i += 1;
                }
            }
            b'}' if bytes[i + 1] == b'}' => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

// ---------------------------------------------------------------- parsing

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Field(Vec<String>),
    Var(String, Vec<String>),
    Ident(String),
    Str(String),
    Num(f64),
    LParen,
    RParen,
    Pipe,
    Declare,
    Comma,
}

fn tokens(body: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = body.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let word_end = |mut j: usize| {
        while j < chars.len() && (chars[j].is_alphanumeric() || "_.-".contains(chars[j])) {
            if chars[j] == '-' && !(j + 1 < chars.len() && chars[j + 1].is_alphanumeric()) {
                break;
            }
            j += 1;
        }
        j
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => {
                out.push(Tok::LParen);
                i += 1
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1;
                // `(…).field` is not read.
                if i < chars.len() && chars[i] == '.' {
                    return Err("field of a parenthesised value".into());
                }
            }
            '|' => {
                out.push(Tok::Pipe);
                i += 1
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1
            }
            ':' if chars.get(i + 1) == Some(&'=') => {
                out.push(Tok::Declare);
                i += 2
            }
            '=' => {
                out.push(Tok::Declare);
                i += 1
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        i += 1;
                        s.push(match chars[i] {
                            'n' => '\n',
                            't' => '\t',
                            other => other,
                        });
                    } else {
                        s.push(chars[i]);
                    }
                    i += 1;
                }
                i += 1;
                out.push(Tok::Str(s));
            }
            '`' => {
                let start = i + 1;
                i = start;
                while i < chars.len() && chars[i] != '`' {
                    i += 1;
                }
                out.push(Tok::Str(chars[start..i.min(chars.len())].iter().collect()));
                i += 1;
            }
            '.' => {
                let end = word_end(i + 1);
                let text: String = chars[i + 1..end].iter().collect();
                out.push(Tok::Field(fields(&text)));
                i = end;
            }
            '$' => {
                let mut end = i + 1;
                while end < chars.len() && (chars[end].is_alphanumeric() || chars[end] == '_') {
                    end += 1;
                }
                let name: String = chars[i..end].iter().collect();
                let tail_end = if end < chars.len() && chars[end] == '.' {
                    word_end(end + 1)
                } else {
                    end
                };
                let tail: String = chars[(end + 1).min(tail_end)..tail_end].iter().collect();
                out.push(Tok::Var(name, fields(&tail)));
                i = tail_end;
            }
            c if c.is_ascii_digit()
                || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) =>
            {
                let mut end = i + 1;
                while end < chars.len() && (chars[end].is_ascii_digit() || chars[end] == '.') {
                    end += 1;
                }
                let text: String = chars[i..end].iter().collect();
                out.push(Tok::Num(
                    text.parse().map_err(|_| format!("number `{text}`"))?,
                ));
                i = end;
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut end = i + 1;
                while end < chars.len() && (chars[end].is_alphanumeric() || chars[end] == '_') {
                    end += 1;
                }
                out.push(Tok::Ident(chars[i..end].iter().collect()));
                i = end;
            }
            other => return Err(format!("unexpected `{other}`")),
        }
    }
    Ok(out)
}

fn fields(text: &str) -> Vec<String> {
    text.split('.')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[derive(Debug, Clone)]
enum Arg {
    Field(Vec<String>),
    Var(String, Vec<String>),
    Lit(Val),
    Func(String),
    Sub(Box<Pipe>),
}

#[derive(Debug, Clone)]
struct Pipe {
    decl: Vec<String>,
    cmds: Vec<Vec<Arg>>,
    text: String,
}

fn parse_pipe(body: &str) -> Result<Pipe, String> {
    let toks = tokens(body)?;
    let mut at = 0;
    let mut pipe = pipe_of(&toks, &mut at)?;
    if at < toks.len() {
        return Err(format!("unexpected text in `{body}`"));
    }
    pipe.text = body.to_string();
    Ok(pipe)
}

fn pipe_of(toks: &[Tok], at: &mut usize) -> Result<Pipe, String> {
    let mut decl = Vec::new();
    // `$x :=`, `$i, $v :=`
    let mut look = *at;
    let mut names = Vec::new();
    while let Some(Tok::Var(name, tail)) = toks.get(look) {
        if !tail.is_empty() {
            break;
        }
        names.push(name.clone());
        look += 1;
        match toks.get(look) {
            Some(Tok::Comma) => look += 1,
            Some(Tok::Declare) => {
                decl = names.clone();
                *at = look + 1;
                break;
            }
            _ => break,
        }
    }
    let mut cmds = vec![Vec::new()];
    while let Some(tok) = toks.get(*at) {
        let arg = match tok {
            Tok::RParen => break,
            Tok::Pipe => {
                cmds.push(Vec::new());
                *at += 1;
                continue;
            }
            Tok::LParen => {
                *at += 1;
                let inner = pipe_of(toks, at)?;
                if toks.get(*at) != Some(&Tok::RParen) {
                    return Err("unclosed `(`".into());
                }
                Arg::Sub(Box::new(inner))
            }
            Tok::Field(f) => Arg::Field(f.clone()),
            Tok::Var(n, f) => Arg::Var(n.clone(), f.clone()),
            Tok::Str(s) => Arg::Lit(Val::Str(s.clone())),
            Tok::Num(n) => Arg::Lit(Val::Num(*n)),
            Tok::Ident(name) => match name.as_str() {
                "true" => Arg::Lit(Val::Bool(true)),
                "false" => Arg::Lit(Val::Bool(false)),
                "nil" => Arg::Lit(Val::Nil),
                _ => Arg::Func(name.clone()),
            },
            Tok::Comma | Tok::Declare => return Err("unexpected `,` or `:=`".into()),
        };
        cmds.last_mut().expect("one command").push(arg);
        *at += 1;
    }
    if cmds.iter().any(Vec::is_empty) {
        return Err("empty command".into());
    }
    Ok(Pipe {
        decl,
        cmds,
        text: String::new(),
    })
}

#[derive(Debug)]
enum Tree {
    Text(String, usize),
    Out(Pipe, usize),
    If(Vec<(Pipe, Vec<Tree>)>, Vec<Tree>, usize),
    With(Pipe, Vec<Tree>, Vec<Tree>, usize),
    Range(Pipe, Vec<Tree>, Vec<Tree>, usize),
}

/// What ended a block.
fn keyword(body: &str) -> (&str, &str) {
    let body = body.trim();
    let (word, rest) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
    (word, rest.trim())
}

fn parse_block(pieces: &[Piece], at: &mut usize, nested: bool) -> Result<Vec<Tree>, String> {
    let mut trees = Vec::new();
    while let Some(piece) = pieces.get(*at) {
        match piece {
            Piece::Text(text, line) => {
                trees.push(Tree::Text(text.clone(), *line));
                *at += 1;
            }
            Piece::Action(body, line) => {
                let (word, rest) = keyword(body);
                match word {
                    "end" | "else" if nested => return Ok(trees),
                    "end" | "else" => return Err(format!("line {line}: unexpected `{word}`")),
                    "if" | "with" | "range" => {
                        *at += 1;
                        let mut branches =
                            vec![(parse_pipe(rest)?, parse_block(pieces, at, true)?)];
                        let mut otherwise = Vec::new();
                        loop {
                            let Some(Piece::Action(end, _)) = pieces.get(*at) else {
                                return Err(format!("line {line}: `{word}` without `end`"));
                            };
                            let (w, r) = keyword(end);
                            *at += 1;
                            if w == "end" {
                                break;
                            }
                            // `else`, `else if …`, `else with …`
                            let (inner, cond) = keyword(r);
                            if w == "else" && (inner == "if" || inner == "with") && word != "range"
                            {
                                branches.push((parse_pipe(cond)?, parse_block(pieces, at, true)?));
                            } else {
                                otherwise = parse_block(pieces, at, true)?;
                            }
                        }
                        trees.push(match word {
                            "if" => Tree::If(branches, otherwise, *line),
                            "with" => {
                                let (pipe, body) = branches.remove(0);
                                // `with … else with …` reads as nested withs.
                                let mut otherwise = otherwise;
                                for (p, b) in branches.into_iter().rev() {
                                    otherwise = vec![Tree::With(p, b, otherwise, *line)];
                                }
                                Tree::With(pipe, body, otherwise, *line)
                            }
                            _ => {
                                let (pipe, body) = branches.remove(0);
                                Tree::Range(pipe, body, otherwise, *line)
                            }
                        });
                    }
                    "define" => {
                        // Named templates are not rendered here; skip the body.
                        *at += 1;
                        parse_block(pieces, at, true)?;
                        *at += 1;
                    }
                    "block" => {
                        *at += 1;
                        let body = parse_block(pieces, at, true)?;
                        *at += 1;
                        trees.extend(body);
                    }
                    "break" | "continue" => {
                        return Err(format!("line {line}: `{word}` is not read"));
                    }
                    _ => {
                        trees.push(Tree::Out(parse_pipe(body)?, *line));
                        *at += 1;
                    }
                }
            }
        }
    }
    if nested {
        return Err("a block without `end`".into());
    }
    Ok(trees)
}

// ---------------------------------------------------------------- values

#[derive(Debug, Clone)]
enum Val {
    Nil,
    Bool(bool),
    Num(f64),
    Str(String),
    /// A mapping or list from the values or the chart. Shared: the dot and
    /// `$` of every template are the chart's whole values tree, which was
    /// copied twice per template (and freed again), a twentieth of the
    /// audit of a repository of charts.
    Node(Arc<Node>),
    /// The output of a named template that only names or labels things:
    /// irrelevant to what rules read, rendered as a placeholder.
    Named(String),
    /// Cannot be decided statically: the index of the reason.
    Undecided(usize),
}

impl Val {
    /// The value of a [`Val::Node`].
    fn node_value(&self) -> Option<&Value> {
        match self {
            Val::Node(node) => Some(&node.value),
            _ => None,
        }
    }
}

fn from_node(node: &Node) -> Val {
    match &node.value {
        Value::Null => Val::Nil,
        Value::Bool(b) => Val::Bool(*b),
        Value::Number(n) => Val::Num(*n),
        Value::String(s) => Val::Str(s.to_string()),
        Value::Seq(_) | Value::Map(_) => Val::Node(Arc::new(node.clone())),
    }
}

fn truthy(val: &Val) -> Option<bool> {
    Some(match val {
        Val::Nil => false,
        Val::Bool(b) => *b,
        Val::Num(n) => *n != 0.0,
        Val::Str(s) => !s.is_empty(),
        Val::Node(node) => match &node.value {
            Value::Seq(items) => !items.is_empty(),
            Value::Map(entries) => !entries.is_empty(),
            _ => true,
        },
        Val::Named(_) => true,
        Val::Undecided(_) => return None,
    })
}

/// A value as a node, for `dict` and `list`.
fn node_of(val: &Val) -> Node {
    let value = match val {
        Val::Nil => Value::Null,
        Val::Bool(b) => Value::Bool(*b),
        Val::Num(n) => Value::Number(*n),
        Val::Node(node) => return Node::clone(node),
        other => Value::String(text_of(other).into()),
    };
    Node { value, line: None }
}

/// A value as template output (Go's `fmt` of a scalar).
fn text_of(val: &Val) -> String {
    match val {
        Val::Nil => String::new(),
        Val::Bool(b) => b.to_string(),
        Val::Num(n) => format_number(*n),
        Val::Str(s) => s.clone(),
        Val::Named(name) => format!(
            "readyctl-{}",
            name.replace(|c: char| !c.is_alphanumeric(), "-")
        ),
        Val::Undecided(i) => format!("{MARKER}{i}__"),
        Val::Node(node) => yaml(node, 0),
    }
}

/// A value as the block `toYaml` writes (no trailing newline).
fn yaml_of(val: &Val) -> String {
    match val {
        Val::Node(node) => yaml(node, 0),
        Val::Nil => "null".into(),
        Val::Str(s) => quote(s),
        Val::Named(name) => format!(
            "readyctl.include/{}: \"\"",
            name.replace(|c: char| !c.is_alphanumeric(), "-")
        ),
        Val::Undecided(i) => format!("{MARKER}{i}__: ~"),
        other => text_of(other),
    }
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Block YAML of a node, every line indented by `indent` spaces after the
/// first.
fn yaml(node: &Node, indent: usize) -> String {
    let pad = " ".repeat(indent);
    match &node.value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format_number(*n),
        Value::String(s) => quote(s),
        Value::Map(entries) if entries.is_empty() => "{}".into(),
        Value::Seq(items) if items.is_empty() => "[]".into(),
        Value::Map(entries) => entries
            .iter()
            .map(|(key, child)| match &child.value {
                Value::Map(e) if !e.is_empty() => {
                    format!("{}:\n{pad}  {}", quote(key), yaml(child, indent + 2))
                }
                Value::Seq(s) if !s.is_empty() => {
                    format!("{}:\n{pad}{}", quote(key), yaml(child, indent))
                }
                _ => format!("{}: {}", quote(key), yaml(child, indent + 2)),
            })
            .collect::<Vec<_>>()
            .join(&format!("\n{pad}")),
        Value::Seq(items) => items
            .iter()
            .map(|item| format!("- {}", yaml(item, indent + 2)))
            .collect::<Vec<_>>()
            .join(&format!("\n{pad}")),
    }
}

fn indent_text(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

// ---------------------------------------------------------------- running

struct Cx<'a> {
    root: &'a Arc<Node>,
    vars: Vec<(String, Val)>,
    reasons: &'a mut Vec<String>,
    path: &'a str,
}

impl Cx<'_> {
    fn undecided(&mut self, why: String) -> Val {
        Val::Undecided(self.reason(why))
    }

    /// The number of the reason `why`, added when new.
    fn reason(&mut self, why: String) -> usize {
        let why = format!("`{}`: {why}", self.path);
        match self.reasons.iter().position(|r| *r == why) {
            Some(i) => i,
            None => {
                self.reasons.push(why);
                self.reasons.len() - 1
            }
        }
    }
}

struct Writer {
    rendered: Rendered,
}

impl Writer {
    /// Appends `text`; `source` text advances the template line with its
    /// newlines, generated text keeps the action's line.
    fn push(&mut self, text: &str, line: usize, source: bool) -> Result<(), String> {
        let r = &mut self.rendered;
        if r.text.is_empty() || r.text.ends_with('\n') {
            *r.origins.last_mut().expect("one line") = line;
        }
        let mut current = line;
        for ch in text.chars() {
            r.text.push(ch);
            if ch == '\n' {
                if source {
                    current += 1;
                }
                r.origins.push(current);
            }
        }
        if r.text.len() > MAX_OUTPUT {
            return Err("rendered text too large".into());
        }
        Ok(())
    }

    /// Marks an undecided block: a marker key at the indentation of the
    /// block's first line (a list item when the block is one).
    fn mark_block(&mut self, body: &str, reason: usize, line: usize) -> Result<(), String> {
        let Some(first) = body.lines().find(|l| !l.trim().is_empty()) else {
            return Ok(());
        };
        let indent = &first[..first.len() - first.trim_start().len()];
        let dash = if first.trim_start().starts_with("- ") {
            "- "
        } else {
            ""
        };
        // The block's own newlines, around the marker instead of its lines.
        let at_line_start = self.rendered.text.is_empty() || self.rendered.text.ends_with('\n');
        let lead = if body.starts_with('\n') || !at_line_start {
            "\n"
        } else {
            ""
        };
        let tail = if body.ends_with('\n') { "\n" } else { "" };
        self.push(
            &format!("{lead}{indent}{dash}{MARKER}{reason}__: ~{tail}"),
            line,
            false,
        )
    }
}

fn run(trees: &[Tree], dot: &Val, cx: &mut Cx<'_>, out: &mut Writer) -> Result<(), String> {
    let vars = cx.vars.len();
    for tree in trees {
        match tree {
            Tree::Text(text, line) => out.push(text, *line, true)?,
            Tree::Out(pipe, line) => {
                let val = eval_pipe(pipe, dot, cx);
                if pipe.decl.is_empty() {
                    out.push(&text_of(&val), *line, false)?;
                }
            }
            Tree::If(branches, otherwise, line) => {
                let mut chosen = Some(otherwise);
                for (cond, body) in branches {
                    let value = eval_pipe(cond, dot, cx);
                    match truthy(&value) {
                        Some(true) => {
                            chosen = Some(body);
                            break;
                        }
                        Some(false) => {}
                        None => {
                            let reason = match value {
                                Val::Undecided(reason) => reason,
                                _ => cx.reason(format!("`{{{{ if {} }}}}`", cond.text)),
                            };
                            undecided_block(body, dot, cx, out, reason, *line)?;
                            chosen = None;
                            break;
                        }
                    }
                }
                if let Some(body) = chosen {
                    run(body, dot, cx, out)?;
                }
            }
            Tree::With(pipe, body, otherwise, line) => {
                let val = eval_pipe(pipe, dot, cx);
                match (truthy(&val), &val) {
                    (None, Val::Undecided(reason)) => {
                        undecided_block(body, &val, cx, out, *reason, *line)?
                    }
                    (Some(true), _) => run(body, &val, cx, out)?,
                    _ => run(otherwise, dot, cx, out)?,
                }
            }
            Tree::Range(pipe, body, otherwise, line) => {
                let val = eval_pipe(pipe, dot, cx);
                let items: Vec<(Val, Val)> = match (&val, val.node_value()) {
                    (_, Some(Value::Seq(items))) => items
                        .iter()
                        .enumerate()
                        .map(|(i, n)| (Val::Num(i as f64), from_node(n)))
                        .collect(),
                    (_, Some(Value::Map(entries))) => entries
                        .iter()
                        .map(|(k, n)| (Val::Str(k.to_string()), from_node(n)))
                        .collect(),
                    (Val::Num(n), _) => (0..(*n as usize).min(MAX_RANGE))
                        .map(|i| (Val::Num(i as f64), Val::Num(i as f64)))
                        .collect(),
                    (Val::Undecided(reason), _) => {
                        undecided_block(body, &val, cx, out, *reason, *line)?;
                        continue;
                    }
                    _ => Vec::new(),
                };
                if items.is_empty() {
                    run(otherwise, dot, cx, out)?;
                }
                for (key, item) in items.into_iter().take(MAX_RANGE) {
                    let mark = cx.vars.len();
                    match pipe.decl.as_slice() {
                        [v] => cx.vars.push((v.clone(), item.clone())),
                        [k, v] => {
                            cx.vars.push((k.clone(), key));
                            cx.vars.push((v.clone(), item.clone()));
                        }
                        _ => {}
                    }
                    run(body, &item, cx, out)?;
                    cx.vars.truncate(mark);
                }
            }
        }
    }
    cx.vars.truncate(vars);
    Ok(())
}

/// Renders a block whose condition cannot be decided, then writes only a
/// marker where it would be: what the block holds is unknown.
fn undecided_block(
    body: &[Tree],
    dot: &Val,
    cx: &mut Cx<'_>,
    out: &mut Writer,
    reason: usize,
    line: usize,
) -> Result<(), String> {
    let mut scratch = Writer {
        rendered: Rendered {
            text: String::new(),
            origins: vec![line],
        },
    };
    run(body, dot, cx, &mut scratch)?;
    out.mark_block(&scratch.rendered.text, reason, line)
}

fn eval_pipe(pipe: &Pipe, dot: &Val, cx: &mut Cx<'_>) -> Val {
    let mut val: Option<Val> = None;
    for cmd in &pipe.cmds {
        val = Some(eval_cmd(cmd, val, dot, cx, pipe));
    }
    let val = val.unwrap_or(Val::Nil);
    if let [name] = pipe.decl.as_slice() {
        match cx.vars.iter_mut().rev().find(|(n, _)| n == name) {
            Some(slot) if pipe.text.contains(&format!("{name} =")) => slot.1 = val.clone(),
            _ => cx.vars.push((name.clone(), val.clone())),
        }
    }
    val
}

/// `.a.b` of `val`. Walks references and copies only what it arrives at:
/// the dot is often the chart's whole values tree, read hundreds of times a
/// template. `Err` holds the expression a value stands for when the values
/// say it cannot be decided (`readyctl:undecided`).
fn field(val: &Val, path: &[String]) -> Result<Val, String> {
    match val {
        _ if path.is_empty() => Ok(val.clone()),
        Val::Node(node) => field_in(node, path),
        Val::Undecided(_) => Ok(val.clone()),
        _ => Ok(Val::Nil),
    }
}

fn field_in(mut node: &Node, path: &[String]) -> Result<Val, String> {
    for (index, key) in path.iter().enumerate() {
        let Some(next) = node.get(key) else {
            return Ok(Val::Nil);
        };
        match &next.value {
            Value::Seq(_) | Value::Map(_) => {
                if let Some(Value::String(special)) =
                    next.get("readyctl:undecided").map(|n| &n.value)
                {
                    return Err(special.to_string());
                }
                node = next;
            }
            // A scalar ends the walk: reading a field of it is nil.
            _ if index + 1 == path.len() => return Ok(from_node(next)),
            _ => return Ok(Val::Nil),
        }
    }
    Ok(from_node(node))
}

fn decided(found: Result<Val, String>, cx: &mut Cx<'_>) -> Val {
    found.unwrap_or_else(|special| cx.undecided(format!("`{special}`")))
}

fn eval_arg(arg: &Arg, dot: &Val, cx: &mut Cx<'_>) -> Val {
    match arg {
        Arg::Field(path) => decided(field(dot, path), cx),
        Arg::Var(name, path) => {
            let found = if name == "$" {
                Some(if path.is_empty() {
                    Ok(Val::Node(cx.root.clone()))
                } else {
                    field_in(cx.root, path)
                })
            } else {
                cx.vars
                    .iter()
                    .rev()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| field(v, path))
            };
            match found {
                Some(found) => decided(found, cx),
                None => cx.undecided(format!("variable `{name}`")),
            }
        }
        Arg::Lit(val) => val.clone(),
        Arg::Sub(pipe) => eval_pipe(pipe, dot, cx),
        Arg::Func(name) => call(name, &[], None, cx, ""),
    }
}

fn eval_cmd(cmd: &[Arg], piped: Option<Val>, dot: &Val, cx: &mut Cx<'_>, pipe: &Pipe) -> Val {
    let (first, rest) = cmd.split_first().expect("commands are not empty");
    let Arg::Func(name) = first else {
        return eval_arg(first, dot, cx);
    };
    // Named templates: only their name is read.
    if name == "include" || name == "template" {
        let Some(Arg::Lit(Val::Str(template))) = rest.first() else {
            return cx.undecided(format!("`{}`", pipe.text));
        };
        return named(template, cx);
    }
    let args: Vec<Val> = rest.iter().map(|a| eval_arg(a, dot, cx)).collect();
    call(name, &args, piped, cx, &pipe.text)
}

/// Named templates that only build names, labels and annotations: what
/// they render does not matter to any rule.
fn named(template: &str, cx: &mut Cx<'_>) -> Val {
    let last = template
        .rsplit('.')
        .next()
        .unwrap_or(template)
        .to_ascii_lowercase();
    let naming = [
        "name",
        "fullname",
        "chart",
        "labels",
        "selectorlabels",
        "annotations",
        "serviceaccountname",
        "namespace",
        "version",
        "matchlabels",
        "standard",
        "podlabels",
        "commonlabels",
    ];
    if naming.contains(&last.as_str()) || last.ends_with("name") || last.ends_with("labels") {
        Val::Named(template.to_string())
    } else {
        cx.undecided(format!("the named template `{template}`"))
    }
}

fn call(name: &str, args: &[Val], piped: Option<Val>, cx: &mut Cx<'_>, text: &str) -> Val {
    let mut args: Vec<Val> = args.to_vec();
    if let Some(p) = piped {
        args.push(p);
    }
    // Undecided in, undecided out (except where the value is not needed).
    // `nindent` and `toYaml` keep an undecided value a block, so the text
    // around it still reads as YAML.
    if !matches!(
        name,
        "default"
            | "coalesce"
            | "ternary"
            | "and"
            | "or"
            | "nindent"
            | "indent"
            | "toYaml"
            | "sha256sum"
            | "b64enc"
            | "dict"
            | "list"
    ) && let Some(u) = args.iter().find(|a| matches!(a, Val::Undecided(_)))
    {
        return u.clone();
    }
    let text_arg = |i: usize| args.get(i).map(text_of).unwrap_or_default();
    let num_arg = |i: usize| match args.get(i) {
        Some(Val::Num(n)) => *n as usize,
        Some(Val::Str(s)) => s.parse().unwrap_or(0),
        _ => 0,
    };
    let last = || args.last().cloned().unwrap_or(Val::Nil);
    match name {
        "default" => {
            let (fallback, value) = (args.first().cloned().unwrap_or(Val::Nil), last());
            if args.len() < 2 {
                return fallback;
            }
            match truthy(&value) {
                Some(true) => value,
                Some(false) => fallback,
                None => value,
            }
        }
        "coalesce" => {
            for a in &args {
                match truthy(a) {
                    Some(true) | None => return a.clone(),
                    Some(false) => {}
                }
            }
            Val::Nil
        }
        "ternary" if args.len() == 3 => match truthy(&args[2]) {
            Some(true) => args[0].clone(),
            Some(false) => args[1].clone(),
            None => args[2].clone(),
        },
        "and" => {
            for a in &args {
                match truthy(a) {
                    Some(false) => return a.clone(),
                    None => return a.clone(),
                    Some(true) => {}
                }
            }
            last()
        }
        "or" => {
            for a in &args {
                match truthy(a) {
                    Some(true) | None => return a.clone(),
                    Some(false) => {}
                }
            }
            last()
        }
        "not" => Val::Bool(!truthy(&last()).unwrap_or(false)),
        "empty" => Val::Bool(!truthy(&last()).unwrap_or(true)),
        "eq" | "ne" if args.len() >= 2 => {
            let same = args[1..].iter().any(|b| text_of(&args[0]) == text_of(b));
            Val::Bool(if name == "eq" { same } else { !same })
        }
        "quote" => Val::Str(
            args.iter()
                .map(|a| quote(&text_of(a)))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "squote" => Val::Str(format!("'{}'", text_arg(0))),
        "toYaml" | "toYamlPretty" => Val::Str(yaml_of(&last())),
        "toJson" | "toPrettyJson" | "toRawJson" => Val::Str(match last() {
            Val::Str(s) => quote(&s),
            other => text_of(&other),
        }),
        "nindent" => Val::Str(format!(
            "\n{}",
            indent_text(&block_text(&last()), num_arg(0))
        )),
        "indent" => Val::Str(indent_text(&block_text(&last()), num_arg(0))),
        "toString" | "toStrings" | "print" => Val::Str(args.iter().map(text_of).collect()),
        "int" | "int64" | "float64" | "atoi" => match last() {
            Val::Num(n) => Val::Num(n),
            other => text_of(&other)
                .parse()
                .map(Val::Num)
                .unwrap_or(Val::Num(0.0)),
        },
        "upper" => Val::Str(text_arg(0).to_uppercase()),
        "lower" => Val::Str(text_arg(0).to_lowercase()),
        "trim" => Val::Str(text_arg(0).trim().to_string()),
        "trimSuffix" => Val::Str(
            text_arg(1)
                .strip_suffix(&text_arg(0))
                .map(str::to_string)
                .unwrap_or_else(|| text_arg(1)),
        ),
        "trimPrefix" => Val::Str(
            text_arg(1)
                .strip_prefix(&text_arg(0))
                .map(str::to_string)
                .unwrap_or_else(|| text_arg(1)),
        ),
        "trunc" => Val::Str(text_arg(1).chars().take(num_arg(0)).collect()),
        "replace" => Val::Str(text_arg(2).replace(&text_arg(0), &text_arg(1))),
        "contains" => Val::Bool(text_arg(1).contains(&text_arg(0))),
        "hasPrefix" => Val::Bool(text_arg(1).starts_with(&text_arg(0))),
        "hasSuffix" => Val::Bool(text_arg(1).ends_with(&text_arg(0))),
        "printf" => {
            let mut out = String::new();
            let format = text_arg(0);
            let mut next = 1;
            let mut chars = format.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '%'
                    && let Some(verb) = chars.next()
                {
                    if verb == '%' {
                        out.push('%');
                    } else {
                        out.push_str(&text_arg(next));
                        next += 1;
                    }
                } else {
                    out.push(c);
                }
            }
            Val::Str(out)
        }
        "gt" | "lt" | "ge" | "le" if args.len() == 2 => {
            let number = |v: &Val| match v {
                Val::Num(n) => Some(*n),
                other => text_of(other).parse::<f64>().ok(),
            };
            match (number(&args[0]), number(&args[1])) {
                (Some(a), Some(b)) => Val::Bool(match name {
                    "gt" => a > b,
                    "lt" => a < b,
                    "ge" => a >= b,
                    _ => a <= b,
                }),
                _ => cx.undecided(format!("`{name}` of values that are not numbers")),
            }
        }
        "dict" => Val::Node(Arc::new(Node {
            value: Value::Map(
                args.chunks(2)
                    .map(|pair| {
                        let value = pair.get(1).map_or(
                            Node {
                                value: Value::Null,
                                line: None,
                            },
                            node_of,
                        );
                        (text_of(&pair[0]).into(), value)
                    })
                    .collect(),
            ),
            line: None,
        })),
        "list" => Val::Node(Arc::new(Node {
            value: Value::Seq(args.iter().map(node_of).collect()),
            line: None,
        })),
        "hasKey" if args.len() == 2 => match &args[0] {
            Val::Node(node) => Val::Bool(node.get(&text_arg(1)).is_some()),
            _ => Val::Bool(false),
        },
        "get" | "index" if args.len() >= 2 => {
            let mut v = args[0].clone();
            for key in &args[1..] {
                v = match &v {
                    Val::Node(node) => node.get(&text_of(key)).map_or(Val::Nil, from_node),
                    _ => Val::Nil,
                };
            }
            v
        }
        "required" => match truthy(&last()) {
            Some(true) => last(),
            _ => cx.undecided(format!("a value the chart requires at install (`{text}`)")),
        },
        "b64enc" | "sha256sum" | "randAlphaNum" | "randAlpha" | "uuidv4" | "now" | "date" => {
            Val::Str("readyctl-generated".into())
        }
        _ if text.is_empty() => {
            cx.undecided(format!("the function `{name}` (not read statically)"))
        }
        _ => cx.undecided(format!(
            "`{text}` (the function `{name}` is not read statically)"
        )),
    }
}

/// A value as the text `nindent`/`indent` shift: `toYaml` output, or a
/// placeholder for named templates and undecided values.
fn block_text(val: &Val) -> String {
    match val {
        Val::Named(_) | Val::Undecided(_) => yaml_of(val),
        other => text_of(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Documents, Format};

    fn root(values: &str) -> Node {
        let values = Documents::parse(Format::Yaml, values).docs.remove(0);
        Node {
            value: Value::Map(vec![
                ("Values".into(), values),
                (
                    "Chart".into(),
                    Documents::parse(Format::Yaml, "Name: app\nAppVersion: \"1.4.2\"\n")
                        .docs
                        .remove(0),
                ),
                (
                    "Capabilities".into(),
                    Documents::parse(Format::Yaml, "readyctl:undecided: .Capabilities\n")
                        .docs
                        .remove(0),
                ),
            ]),
            line: None,
        }
    }

    fn show(template: &str, values: &str) -> (String, Vec<String>) {
        let mut reasons = Vec::new();
        let out = render(template, "t.yaml", &Arc::new(root(values)), &mut reasons).unwrap();
        (out.text, reasons)
    }

    #[test]
    fn values_defaults_and_to_yaml_blocks() {
        let template = "image: \"{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}\"
resources:
  {{- toYaml .Values.resources | nindent 2 }}
{{- with .Values.securityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
";
        let (text, reasons) = show(
            template,
            "image: { repository: ghcr.io/x/app }\nresources: { limits: { memory: 1Gi } }\n",
        );
        assert_eq!(
            text,
            "image: \"ghcr.io/x/app:1.4.2\"\nresources:\n  \"limits\":\n    \"memory\": \"1Gi\"\n"
        );
        assert!(reasons.is_empty());
    }

    #[test]
    fn conditions_on_values_are_decided_and_others_are_marked() {
        let template = "a: 1
{{- if .Values.probes.enabled }}
livenessProbe: {}
{{- else }}
noProbe: true
{{- end }}
{{- if .Capabilities.APIVersions.Has \"policy/v1\" }}
pdb: yes
{{- end }}
";
        let (text, reasons) = show(template, "probes: { enabled: false }\n");
        assert_eq!(text, "a: 1\nnoProbe: true\n__readyctl_undecided_0__: ~\n");
        assert_eq!(reasons.len(), 1, "{reasons:?}");
        assert!(reasons[0].contains(".Capabilities"), "{reasons:?}");
    }

    #[test]
    fn named_templates_are_placeholders_or_undecided() {
        let template = "metadata:
  name: {{ include \"app.fullname\" . }}
  labels:
    {{- include \"app.labels\" . | nindent 4 }}
resources: {{- include \"common.tplvalues.render\" (dict \"value\" .Values.resources) | nindent 2 }}
";
        let (text, reasons) = show(template, "{}\n");
        let docs = Documents::parse(Format::Yaml, &text);
        assert!(docs.error.is_none(), "{text}");
        assert!(text.contains("name: readyctl-app-fullname"), "{text}");
        assert!(text.contains("__readyctl_undecided_0__"), "{text}");
        assert_eq!(
            reasons,
            ["`t.yaml`: the named template `common.tplvalues.render`"]
        );
    }

    #[test]
    fn ranges_comments_variables_and_line_origins() {
        let template = "{{/* a comment */}}
{{- $name := .Values.name -}}
env:
{{- range .Values.env }}
  - name: {{ .name }}
{{- end }}
owner: {{ $name }}
";
        let mut reasons = Vec::new();
        let out = render(
            template,
            "t.yaml",
            &Arc::new(root("name: x\nenv: [{ name: A }, { name: B }]\n")),
            &mut reasons,
        )
        .unwrap();
        assert_eq!(out.text, "env:\n  - name: A\n  - name: B\nowner: x\n");
        assert_eq!(out.origins[..4], [3, 5, 5, 7]);
    }
}
