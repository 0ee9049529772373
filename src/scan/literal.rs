//! Is a hit's value a *literal*? A default or weak secret is a value someone
//! wrote down: in code a string literal, in a configuration file a scalar that
//! is not an interpolation. `password: password` (a key set from a variable),
//! `secret: Secret` (a Rust type), `${DB_PASSWORD}`, `{{ .Values.pw }}` and a
//! commented-out line are not.
//!
//! Code is parsed with tree-sitter, the grammars semgrep and editors use, so
//! "inside a string" is decided by the language's own grammar and never by a
//! guess about where quotes start. Parsing happens only for files in which a
//! pattern that asks for it has already matched (see `walk::locate`), once
//! per file however many hits it has.
//!
//! Vue and Svelte single-file components hold code in `<script>` blocks
//! between markup: only those blocks are parsed (as TypeScript, a superset
//! of the JavaScript they may be written in), in place, so that byte
//! offsets and lines stay the file's own.

use tree_sitter::{Language, Node, Parser, Point, Range, Tree};

/// The languages readyctl parses, chosen by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeLanguage {
    Go,
    Python,
    JavaScript,
    TypeScript,
    Tsx,
    Rust,
    Java,
    Ruby,
    /// A Vue or Svelte single-file component: its `<script>` blocks.
    Component,
}

impl CodeLanguage {
    pub fn of(path: &str) -> Option<Self> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let ext = name.rsplit_once('.').map(|(_, e)| e)?;
        Some(match ext {
            "go" => CodeLanguage::Go,
            "py" | "pyi" => CodeLanguage::Python,
            "js" | "mjs" | "cjs" | "jsx" => CodeLanguage::JavaScript,
            "ts" | "mts" | "cts" => CodeLanguage::TypeScript,
            "tsx" => CodeLanguage::Tsx,
            "rs" => CodeLanguage::Rust,
            "java" => CodeLanguage::Java,
            "rb" | "rake" => CodeLanguage::Ruby,
            "vue" | "svelte" => CodeLanguage::Component,
            _ => return None,
        })
    }

    fn grammar(self) -> Language {
        match self {
            CodeLanguage::Go => tree_sitter_go::LANGUAGE.into(),
            CodeLanguage::Python => tree_sitter_python::LANGUAGE.into(),
            CodeLanguage::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            CodeLanguage::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            CodeLanguage::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            CodeLanguage::Rust => tree_sitter_rust::LANGUAGE.into(),
            CodeLanguage::Java => tree_sitter_java::LANGUAGE.into(),
            CodeLanguage::Ruby => tree_sitter_ruby::LANGUAGE.into(),
            CodeLanguage::Component => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
        }
    }
}

/// The byte ranges of the code inside a component's `<script …>` blocks
/// (from after the opening tag to the closing tag), in file order, with
/// whether any block says it holds JSX (`lang="tsx"`, `lang="jsx"`).
pub(crate) fn script_blocks(content: &[u8]) -> (Vec<(usize, usize)>, bool) {
    let mut blocks = Vec::new();
    let mut jsx = false;
    let mut at = 0;
    while let Some(open) = find_ascii_ci(&content[at..], b"<script").map(|i| at + i) {
        let after_name = open + b"<script".len();
        // `<scripts>` or `<script-x>` is another tag.
        if !content
            .get(after_name)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'>')
        {
            at = after_name;
            continue;
        }
        let Some(tag_end) = memchr::memchr(b'>', &content[after_name..]).map(|i| after_name + i)
        else {
            break;
        };
        let tag = content[after_name..tag_end].to_ascii_lowercase();
        jsx |= [&b"\"tsx\""[..], b"'tsx'", b"\"jsx\"", b"'jsx'"]
            .iter()
            .any(|lang| memchr::memmem::find(&tag, lang).is_some());
        let body = tag_end + 1;
        let close =
            find_ascii_ci(&content[body..], b"</script").map_or(content.len(), |i| body + i);
        if close > body {
            blocks.push((body, close));
        }
        at = close;
        if at >= content.len() {
            break;
        }
    }
    (blocks, jsx)
}

fn find_ascii_ci(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// The tree-sitter range of `content[start..end]`, with its points.
fn range_of(content: &[u8], (start, end): (usize, usize)) -> Range {
    let point = |at: usize| {
        let row = memchr::memchr_iter(b'\n', &content[..at]).count();
        let line_start = memchr::memrchr(b'\n', &content[..at]).map_or(0, |i| i + 1);
        Point::new(row, at - line_start)
    };
    Range {
        start_byte: start,
        end_byte: end,
        start_point: point(start),
        end_point: point(end),
    }
}

/// What the text at a hit's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    /// A string literal in code, or a plain scalar in a configuration file.
    Literal,
    /// An identifier, type, field name, number or any other code token.
    Code,
    /// `${VAR}`, `{{ .Values.x }}`, `%(x)s`, `$VAR`, a template substitution.
    Interpolation,
    /// Inside a comment (or a commented-out configuration line).
    Comment,
}

/// One file's syntax tree, parsed on first use and reused for every later
/// hit in the same file.
#[derive(Default)]
pub struct LazyTree {
    state: Option<Option<Tree>>,
}

impl LazyTree {
    /// Whether the file was parsed already (or found impossible to parse).
    pub(crate) fn parsed(&self) -> bool {
        self.state.is_some()
    }

    pub(crate) fn get(&mut self, language: CodeLanguage, content: &[u8]) -> Option<&Tree> {
        self.state
            .get_or_insert_with(|| {
                let mut parser = Parser::new();
                if language == CodeLanguage::Component {
                    let (blocks, jsx) = script_blocks(content);
                    if blocks.is_empty() {
                        return None;
                    }
                    let grammar: Language = if jsx {
                        tree_sitter_typescript::LANGUAGE_TSX.into()
                    } else {
                        language.grammar()
                    };
                    parser.set_language(&grammar).ok()?;
                    let ranges: Vec<Range> = blocks.iter().map(|b| range_of(content, *b)).collect();
                    parser.set_included_ranges(&ranges).ok()?;
                } else {
                    parser.set_language(&language.grammar()).ok()?;
                }
                parser.parse(content, None)
            })
            .as_ref()
    }
}

/// What kind of token holds `content[start..end]` in the file at `path`.
pub fn token_at(
    path: &str,
    content: &[u8],
    start: usize,
    end: usize,
    tree: &mut LazyTree,
) -> Token {
    if is_interpolation(&content[start..end]) {
        return Token::Interpolation;
    }
    match CodeLanguage::of(path) {
        // Markup around a component's scripts reads as before: a scalar.
        Some(CodeLanguage::Component)
            if !script_blocks(content)
                .0
                .iter()
                .any(|(s, e)| (*s..*e).contains(&start)) =>
        {
            config_token(path, content, start)
        }
        Some(language) => match tree.get(language, content) {
            Some(tree) => code_token(tree.root_node(), start, end),
            None => quoted_on_line(content, start, end),
        },
        None if is_other_code(path) => quoted_on_line(content, start, end),
        None => config_token(path, content, start),
    }
}

/// Code in languages without a grammar here.
fn is_other_code(path: &str) -> bool {
    let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    matches!(
        ext,
        "kt" | "kts" | "php" | "cs" | "scala" | "groovy" | "swift" | "dart" | "ex" | "exs"
    )
}

/// String-holding node kinds across the grammars above.
const STRING_KINDS: &[&str] = &[
    "interpreted_string_literal",
    "raw_string_literal",
    "string",
    "string_literal",
    "template_string",
    "concatenated_string",
    "chained_string",
    "heredoc_body",
    "bare_string",
];
/// Node kinds that put code back inside a string.
const SUBSTITUTION_KINDS: &[&str] = &[
    "template_substitution",
    "interpolation",
    "string_interpolation",
];

fn code_token(root: Node<'_>, start: usize, end: usize) -> Token {
    let Some(mut node) = root.descendant_for_byte_range(start, end.max(start + 1) - 1) else {
        return Token::Code;
    };
    loop {
        let kind = node.kind();
        if kind.contains("comment") {
            return Token::Comment;
        }
        // Named nodes only: TypeScript's `string` type keyword is an
        // anonymous node of kind "string" (`jwtSecret: string;`).
        if node.is_named() && SUBSTITUTION_KINDS.contains(&kind) {
            return Token::Interpolation;
        }
        if node.is_named() && STRING_KINDS.contains(&kind) {
            return if has_substitution_within(node, start, end) {
                Token::Interpolation
            } else {
                Token::Literal
            };
        }
        match node.parent() {
            Some(parent) => node = parent,
            None => return Token::Code,
        }
    }
}

/// Whether a substitution (`${x}` in a template string, `{x}` in an
/// f-string) overlaps the value: then the value is partly computed.
fn has_substitution_within(node: Node<'_>, start: usize, end: usize) -> bool {
    let mut cursor = node.walk();
    node.children(&mut cursor).any(|child| {
        SUBSTITUTION_KINDS.contains(&child.kind())
            && child.start_byte() < end
            && child.end_byte() > start
    })
}

/// Interpolation syntaxes of shells, compose, Helm/Go templates, Jinja,
/// Python's ConfigParser, Spring and Ruby: never a value someone chose.
pub fn is_interpolation(value: &[u8]) -> bool {
    let value = value.trim_ascii();
    value.starts_with(b"${")
        || value.starts_with(b"{{")
        || value.starts_with(b"%(")
        || value.starts_with(b"#{")
        || value.starts_with(b"<%")
        || (value.first() == Some(&b'$')
            && value
                .get(1)
                .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_'))
}

/// Configuration formats: every scalar is a literal unless the line is a
/// comment.
fn config_token(path: &str, content: &[u8], start: usize) -> Token {
    let line_start = memchr::memrchr(b'\n', &content[..start]).map_or(0, |i| i + 1);
    let before = content[line_start..start].trim_ascii_start();
    let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let comment = before.starts_with(b"#")
        || before.starts_with(b"//")
        || (before.starts_with(b";") && matches!(ext, "ini" | "cfg" | "conf"))
        || before.starts_with(b"<!--");
    if comment {
        Token::Comment
    } else {
        Token::Literal
    }
}

/// For code in languages without a grammar here (PHP, Kotlin, C#): the value
/// is a literal when an odd number of quotes of one kind precede it on its
/// line.
fn quoted_on_line(content: &[u8], start: usize, end: usize) -> Token {
    let line_start = memchr::memrchr(b'\n', &content[..start]).map_or(0, |i| i + 1);
    let before = &content[line_start..start];
    let odd = |q: u8| before.iter().filter(|b| **b == q).count() % 2 == 1;
    let after = content.get(end).copied();
    if [b'"', b'\'', b'`']
        .iter()
        .any(|q| odd(*q) && after == Some(*q))
        || odd(b'"')
        || odd(b'\'')
    {
        Token::Literal
    } else {
        Token::Code
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(path: &str, text: &str, value: &str) -> Token {
        token_nth(path, text, value, 0)
    }

    /// The token at the `nth` occurrence of `value` in `text`.
    fn token_nth(path: &str, text: &str, value: &str, nth: usize) -> Token {
        let start = text.match_indices(value).nth(nth).expect("value in text").0;
        token_at(
            path,
            text.as_bytes(),
            start,
            start + value.len(),
            &mut LazyTree::default(),
        )
    }

    #[test]
    fn identifiers_types_and_fields_are_not_literals() {
        assert_eq!(
            token("a.go", "x := T{\n\tsecret: secret,\n}\n", "secret,"),
            Token::Code
        );
        assert_eq!(
            token_nth("a.go", "x := T{\n\tsecret: secret,\n}\n", "secret", 1),
            Token::Code
        );
        assert_eq!(
            token("a.rs", "struct S { secret: Secret }", "Secret"),
            Token::Code
        );
        assert_eq!(
            token("a.ts", "const o = { password: password };", "password }"),
            Token::Code
        );
        assert_eq!(
            token_nth("a.py", "def f(password=password): pass", "password", 1),
            Token::Code
        );
        assert_eq!(
            token(
                "a.ts",
                "class U {\n  @Encrypted\n  jwtSecret: string;\n}\n",
                "string;"
            ),
            Token::Code,
            "the `string` type keyword is no string literal"
        );
    }

    #[test]
    fn string_literals_are_literals_in_every_language() {
        assert_eq!(
            token("a.go", "var p = \"hunter2\"", "hunter2"),
            Token::Literal
        );
        assert_eq!(
            token(
                "a.go",
                "type C struct { P string `conf:\"default:postgres\"` }",
                "postgres"
            ),
            Token::Literal
        );
        assert_eq!(
            token("a.py", "P = os.getenv('P', 'hunter2')", "hunter2"),
            Token::Literal
        );
        assert_eq!(
            token("a.js", "const s = process.env.S || 'hunter2';", "hunter2"),
            Token::Literal
        );
        assert_eq!(
            token("a.ts", "const s = process.env.S ?? `hunter2`;", "hunter2"),
            Token::Literal
        );
        assert_eq!(
            token("a.tsx", "const s = <A p=\"hunter2\" />;", "hunter2"),
            Token::Literal
        );
        assert_eq!(
            token(
                "a.rs",
                "let s = env::var(\"S\").unwrap_or(\"hunter2\".into());",
                "hunter2"
            ),
            Token::Literal
        );
        assert_eq!(
            token(
                "A.java",
                "@Value(\"${db.pw:hunter2}\") String pw;",
                "hunter2"
            ),
            Token::Literal
        );
        assert_eq!(
            token("a.rb", "pw = ENV.fetch('PW', 'hunter2')", "hunter2"),
            Token::Literal
        );
    }

    #[test]
    fn comments_and_substitutions_are_not_literals() {
        assert_eq!(
            token("a.js", "// const s = 'hunter2';\n", "hunter2"),
            Token::Comment
        );
        assert_eq!(
            token("a.py", "# P = 'hunter2'\n", "hunter2"),
            Token::Comment
        );
        assert_eq!(
            token("a.js", "const s = `${secret}`;", "secret"),
            Token::Interpolation
        );
        assert_eq!(
            token("a.py", "s = f'{secret}'", "secret"),
            Token::Interpolation
        );
        assert_eq!(
            token("a.rb", "s = \"#{secret}\"", "secret"),
            Token::Interpolation
        );
    }

    #[test]
    fn config_scalars_are_literals_unless_interpolated_or_commented() {
        assert_eq!(
            token("c.yml", "password: hunter2\n", "hunter2"),
            Token::Literal
        );
        assert_eq!(
            token("c.yml", "  # password: hunter2\n", "hunter2"),
            Token::Comment
        );
        assert_eq!(
            token("c.yml", "password: ${DB_PASSWORD}\n", "${DB_PASSWORD}"),
            Token::Interpolation
        );
        assert_eq!(
            token("c.yml", "password: {{ .Values.pw }}\n", "{{ .Values.pw }}"),
            Token::Interpolation
        );
        assert_eq!(
            token("c.ini", "password = %(pw)s\n", "%(pw)s"),
            Token::Interpolation
        );
        assert_eq!(
            token(".env", "PASSWORD=$OTHER\n", "$OTHER"),
            Token::Interpolation
        );
    }

    #[test]
    fn component_scripts_are_parsed_in_place() {
        let vue = "<template>\n  <input placeholder=\"hunter2\" />\n</template>\n\n<script lang=\"ts\" setup>\nconst account = { password: 'hunter2' }\nconst form = { password: password }\n</script>\n<style>\n.a { color: red }\n</style>\n";
        assert_eq!(token_nth("C.vue", vue, "hunter2", 1), Token::Literal);
        assert_eq!(
            token_nth("C.vue", vue, "password", 2),
            Token::Code,
            "an identifier in the script"
        );
        assert_eq!(
            token("C.vue", vue, "hunter2"),
            Token::Literal,
            "markup reads as before"
        );
        let svelte = "<script context=\"module\">\n  export const x = 1;\n</script>\n<script>\n  // let pw = 'hunter2';\n  let pw = secret;\n</script>\n<p>{pw}</p>\n";
        assert_eq!(token("C.svelte", svelte, "hunter2"), Token::Comment);
        assert_eq!(token("C.svelte", svelte, "secret"), Token::Code);
        let (blocks, jsx) = script_blocks(svelte.as_bytes());
        assert_eq!(blocks.len(), 2);
        assert!(!jsx);
        assert_eq!(
            &svelte[blocks[1].0..blocks[1].1],
            "\n  // let pw = 'hunter2';\n  let pw = secret;\n"
        );
        assert!(script_blocks(b"<script lang='tsx'>let a = <b/></script>").1);
        assert!(script_blocks(b"<template><p/></template>").0.is_empty());
    }

    #[test]
    fn languages_without_a_grammar_fall_back_to_quotes_on_the_line() {
        assert_eq!(
            token("a.kt", "val pw = \"hunter2\"", "hunter2"),
            Token::Literal
        );
        assert_eq!(token("a.kt", "val pw = password", "password"), Token::Code);
    }
}
