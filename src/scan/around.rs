//! The code around a hit, read with the same tree-sitter grammars as
//! [`super::literal`]. Some findings are only findings in context: a
//! `Access-Control-Allow-Origin: *` set by a static file server's
//! `setHeaders` hook, or beside `Cache-Control: public`, is how public files
//! are served; SQL that pastes only a constant table name into the
//! statement (values bound as parameters) takes no input. A regex sees the
//! line; this module sees the function, the object and the expression.

use super::filter::LazyRegex;
use super::literal::{CodeLanguage, LazyTree};
use regex::Regex;
use std::sync::LazyLock;
use tree_sitter::Node;

/// Functions across the grammars: their body is where a header set in a
/// callback, or a statement built in a handler, belongs.
const FUNCTION_KINDS: &[&str] = &[
    "arrow_function",
    "function_expression",
    "function",
    "function_declaration",
    "generator_function",
    "generator_function_declaration",
    "method_definition",
    "function_definition",
    "lambda",
    "func_literal",
    "method_declaration",
    "constructor_declaration",
    "lambda_expression",
    "function_item",
    "closure_expression",
    "method",
    "singleton_method",
    "do_block",
];
/// Object and dictionary literals: a set of headers written as one value.
const OBJECT_KINDS: &[&str] = &["object", "dictionary", "hash", "composite_literal"];
/// What names a function or an object: `setHeaders: (res) => …`,
/// `const trackerHeaders = {…}`, `headers=dict(…)`.
const NAMING_KINDS: &[&str] = &[
    "pair",
    "keyed_element",
    "keyword_argument",
    "variable_declarator",
    "assignment_expression",
    "assignment",
    "short_var_declaration",
    "let_declaration",
];

/// Expressions a value passes through on its way to its name: the object
/// in `const demo = window.CONFIG.demo || { … }`, `({ … })`,
/// `{ … } as Account` or `{ … } satisfies Account` is still what `demo`
/// names, and Go's right-hand side (`account := User{ … }`) is a list.
const WRAPPER_KINDS: &[&str] = &[
    "expression_list",
    "binary_expression",
    "binary_operator",
    "boolean_operator",
    "parenthesized_expression",
    "as_expression",
    "satisfies_expression",
    "non_null_expression",
];

/// The spans of the code around `start..end`, innermost first: the
/// innermost function or object literal that holds it, with the key or
/// variable it is assigned to (through the expressions of
/// [`WRAPPER_KINDS`]); when that is an object literal, also what holds
/// the object, up to the first function (with its name: `func (a *app)
/// SetupDemo() {`). An object built inside a function is read by the
/// function's name when its own says nothing (`registration :=
/// UserRegistration{…}` in `SetupDemo`). Empty outside parsed code
/// (configuration files, languages without a grammar here) and at a
/// file's top level.
pub fn scope_spans(
    path: &str,
    content: &[u8],
    start: usize,
    end: usize,
    tree: &mut LazyTree,
) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let Some(language) = CodeLanguage::of(path) else {
        return spans;
    };
    let Some(tree) = tree.get(language, content) else {
        return spans;
    };
    let mut node = tree
        .root_node()
        .descendant_for_byte_range(start, end.max(start + 1) - 1);
    while let Some(mut scope) = node {
        loop {
            let kind = scope.kind();
            if scope.is_named() && (FUNCTION_KINDS.contains(&kind) || OBJECT_KINDS.contains(&kind))
            {
                break;
            }
            match scope.parent() {
                Some(parent) => scope = parent,
                None => return spans,
            }
        }
        let mut outer = scope;
        while let Some(parent) = outer.parent().filter(|p| WRAPPER_KINDS.contains(&p.kind())) {
            outer = parent;
        }
        let named = outer
            .parent()
            .filter(|p| NAMING_KINDS.contains(&p.kind()))
            .unwrap_or(scope);
        spans.push((named.start_byte(), named.end_byte()));
        if FUNCTION_KINDS.contains(&scope.kind()) {
            break;
        }
        node = named.parent();
    }
    spans
}

/// Nodes that bind a value to a name, with the field holding the name.
const BINDINGS: &[(&str, &str)] = &[
    ("variable_declarator", "name"),
    ("assignment_expression", "left"),
    ("assignment", "left"),
    ("short_var_declaration", "left"),
    ("let_declaration", "pattern"),
];
/// Calls, with the field naming what is called.
const CALLS: &[(&str, &str)] = &[
    ("call_expression", "function"),
    ("call", "function"),
    ("method_invocation", "name"),
    ("new_expression", "constructor"),
    ("object_creation_expression", "type"),
];

/// Whether the value computed at `start..end` reaches, within the file, a
/// call whose callee matches one of `sinks`: passed to it directly, or
/// through up to two names (a variable it is assigned to, a function that
/// returns it). `const getKey = (pw, salt) => pbkdf2Sync(pw, salt, …)`,
/// `const key = getKey(secret, salt)`, `createCipheriv(alg, key, iv)`: the
/// PBKDF2 output is an encryption key, not a stored password hash.
pub fn flows_into(
    path: &str,
    content: &[u8],
    (start, end): (usize, usize),
    tree: &mut LazyTree,
    sinks: &[LazyRegex],
) -> bool {
    let Some(language) = CodeLanguage::of(path) else {
        return false;
    };
    let Some(tree) = tree.get(language, content) else {
        return false;
    };
    let root = tree.root_node();
    let Some(node) = root.descendant_for_byte_range(start, end.max(start + 1) - 1) else {
        return false;
    };
    if reaches_sink(node, content, sinks) {
        return true;
    }
    let mut names: Vec<String> = bound_name(node, content).into_iter().collect();
    let mut seen = names.clone();
    for _ in 0..2 {
        let mut next = Vec::new();
        for name in &names {
            for occurrence in occurrences(root, content, name) {
                if reaches_sink(occurrence, content, sinks) {
                    return true;
                }
                if let Some(bound) = bound_name(occurrence, content)
                    && !seen.contains(&bound)
                {
                    seen.push(bound.clone());
                    next.push(bound);
                }
            }
        }
        names = next;
    }
    false
}

/// The name the value at `node` is bound to: the variable it is assigned
/// to, or the function it is the result of. Not past a statement that
/// binds nothing.
fn bound_name(node: Node<'_>, content: &[u8]) -> Option<String> {
    let mut current = node;
    loop {
        let parent = current.parent()?;
        let kind = parent.kind();
        if let Some((_, field)) = BINDINGS.iter().find(|(k, _)| *k == kind) {
            let target = parent.child_by_field_name(field)?;
            // The value, not the name being assigned.
            if target.id() == current.id() {
                return None;
            }
            return Some(text(target, content).to_string());
        }
        if FUNCTION_KINDS.contains(&kind) {
            if let Some(name) = parent.child_by_field_name("name") {
                return Some(text(name, content).to_string());
            }
            current = parent;
            continue;
        }
        if kind.ends_with("statement")
            && kind != "return_statement"
            && kind != "expression_statement"
        {
            return None;
        }
        if kind == "expression_statement" || kind == "program" || kind == "module" {
            return None;
        }
        current = parent;
    }
}

/// Identifiers spelled `name` in the file, outside the places they are
/// bound.
fn occurrences<'t>(root: Node<'t>, content: &[u8], name: &str) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    let mut cursor = root.walk();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.child_count() == 0 {
            if node.kind().ends_with("identifier") && text(node, content) == name {
                out.push(node);
            }
            continue;
        }
        stack.extend(node.children(&mut cursor));
    }
    out
}

/// Whether `node` sits in the arguments of a call to a sink.
fn reaches_sink(node: Node<'_>, content: &[u8], sinks: &[LazyRegex]) -> bool {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if let Some((_, field)) = CALLS.iter().find(|(k, _)| *k == parent.kind())
            && parent
                .child_by_field_name("arguments")
                .is_some_and(|args| args.id() == current.id())
            && let Some(callee) = parent.child_by_field_name(field)
        {
            let callee = &content[callee.start_byte()..callee.end_byte()];
            if sinks.iter().any(|sink| sink.is_match(callee)) {
                return true;
            }
        }
        if FUNCTION_KINDS.contains(&parent.kind()) {
            return false;
        }
        current = parent;
    }
    false
}

/// One piece pasted into SQL text: the text of the statement before it and
/// the expression pasted.
#[derive(Debug, PartialEq, Eq)]
struct Piece {
    before: String,
    expression: String,
}

/// An identifier position: a table or index name follows these words.
/// Identifiers cannot be bound as parameters, so pasting one is how
/// dynamic table names are written.
static IDENTIFIER_POSITION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(?:from|into|update|table|join|on|exists|truncate)\s*["`\[]?\s*$"#)
        .expect("valid regex")
});
/// Expressions the code owns: a constant (`DEFAULT_TABLE_NAME`,
/// `settings.TABLE`) or the object's own field (`this.workingTable`,
/// `self.table`, `@table`).
static OWNED_EXPRESSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?:this|self|cls)\.[A-Za-z_]\w*|@[A-Za-z_]\w*|(?:[A-Za-z_]\w*\.)*[A-Z][A-Z0-9_]+)$",
    )
    .expect("valid regex")
});

/// A Django model's own names (`self.model._meta.db_table`): the schema's,
/// never a request's, wherever they are pasted (`WHERE relname = '%s'`
/// compares a catalogue column with the table's own name).
static SCHEMA_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[A-Za-z_]\w*\.)*_meta\.(?:db_table|model_name|app_label|object_name|label_lower|label)$")
        .expect("valid regex")
});

/// Whether SQL text built at `start..end` (a template string, an f-string,
/// a string concatenated with `+`, a `fmt.Sprintf` format) may carry input:
/// some pasted piece is in a value position, or is an identifier that is
/// not a constant or the object's own field. Text the grammar does not
/// show as built from pieces is judged as the pattern found it (`true`).
pub fn sql_takes_input(
    path: &str,
    content: &[u8],
    start: usize,
    end: usize,
    tree: &mut LazyTree,
) -> bool {
    let Some(language) = CodeLanguage::of(path) else {
        return true;
    };
    let Some(tree) = tree.get(language, content) else {
        return true;
    };
    let Some(node) = tree
        .root_node()
        .descendant_for_byte_range(start, end.max(start + 1) - 1)
    else {
        return true;
    };
    let pieces = pieces(node, content);
    pieces.is_empty()
        || pieces.iter().any(|piece| {
            let expression = piece.expression.trim();
            !(IDENTIFIER_POSITION.is_match(&piece.before) && OWNED_EXPRESSION.is_match(expression)
                || SCHEMA_NAME.is_match(expression))
        })
}

fn text<'a>(node: Node<'_>, content: &'a [u8]) -> &'a str {
    std::str::from_utf8(&content[node.start_byte()..node.end_byte()]).unwrap_or("")
}

const STRING_KINDS: &[&str] = &[
    "template_string",
    "string",
    "string_literal",
    "interpreted_string_literal",
    "raw_string_literal",
];
const SUBSTITUTION_KINDS: &[&str] = &["template_substitution", "interpolation"];
const CONCATENATION_KINDS: &[&str] = &["binary_expression", "binary_operator", "binary"];

/// The pieces pasted into the string at `node`: its substitutions, or the
/// operands of the `+` chain it starts, or the arguments of the
/// `fmt.Sprintf` it formats.
fn pieces(node: Node<'_>, content: &[u8]) -> Vec<Piece> {
    let mut string = node;
    while !(string.is_named() && STRING_KINDS.contains(&string.kind())) {
        match string.parent() {
            Some(parent) => string = parent,
            None => return Vec::new(),
        }
    }
    let substituted = substitutions(string, content);
    if !substituted.is_empty() {
        return substituted;
    }
    if let Some(chain) = concatenation(string) {
        return concatenated(chain, content);
    }
    if let Some(pieces) = percent_arguments(string, content) {
        return pieces;
    }
    sprintf_arguments(string, content)
}

/// Python's `"… WHERE relname = '%s'" % value` (or `% (a, b)`): each verb
/// with its operand. A mapping (`%(name)s`) is one piece with nothing
/// before it, so only its expression can clear it.
fn percent_arguments(string: Node<'_>, content: &[u8]) -> Option<Vec<Piece>> {
    let operation = string.parent().filter(|p| p.kind() == "binary_operator")?;
    let is_percent = operation
        .child_by_field_name("operator")
        .is_some_and(|op| op.kind() == "%");
    let left = operation.child_by_field_name("left")?;
    let right = operation.child_by_field_name("right")?;
    if !is_percent || left.id() != string.id() {
        return None;
    }
    let format = text(string, content);
    if format.contains("%(") {
        return Some(vec![Piece {
            before: String::new(),
            expression: text(right, content).to_string(),
        }]);
    }
    let values = if right.kind() == "tuple" {
        let mut cursor = right.walk();
        right.named_children(&mut cursor).collect()
    } else {
        vec![right]
    };
    Some(paired_verbs(format, values, content))
}

/// `${x}` in a template string, `{x}` in an f-string, `#{x}` in Ruby.
fn substitutions(string: Node<'_>, content: &[u8]) -> Vec<Piece> {
    let mut cursor = string.walk();
    let mut out = Vec::new();
    let mut from = string.start_byte();
    for child in string.named_children(&mut cursor) {
        if !SUBSTITUTION_KINDS.contains(&child.kind()) {
            continue;
        }
        let before = String::from_utf8_lossy(&content[from..child.start_byte()]).into_owned();
        let inner = text(child, content)
            .trim_start_matches(['$', '#'])
            .trim_start_matches('{')
            .trim_end_matches('}');
        // `{x!r}`, `{x:>10}`: the expression is before the conversion.
        let expression = inner.split(['!', ':']).next().unwrap_or(inner).to_string();
        out.push(Piece { before, expression });
        from = child.end_byte();
    }
    out
}

/// The top of the `+` chain the string is an operand of.
fn concatenation(string: Node<'_>) -> Option<Node<'_>> {
    let mut top = None;
    let mut node = string;
    while let Some(parent) = node.parent() {
        let plus = CONCATENATION_KINDS.contains(&parent.kind())
            && parent
                .child_by_field_name("operator")
                .is_some_and(|op| op.kind() == "+");
        if !plus {
            break;
        }
        top = Some(parent);
        node = parent;
    }
    top
}

fn concatenated(chain: Node<'_>, content: &[u8]) -> Vec<Piece> {
    let mut operands = Vec::new();
    flatten(chain, &mut operands);
    let mut out = Vec::new();
    let mut before = String::new();
    for operand in operands {
        if STRING_KINDS.contains(&operand.kind()) {
            let quoted = text(operand, content);
            before.push_str(quoted.trim_matches(['"', '\'', '`']));
        } else {
            out.push(Piece {
                before: before.clone(),
                expression: text(operand, content).to_string(),
            });
        }
    }
    out
}

fn flatten<'t>(node: Node<'t>, into: &mut Vec<Node<'t>>) {
    let plus = CONCATENATION_KINDS.contains(&node.kind())
        && node
            .child_by_field_name("operator")
            .is_some_and(|op| op.kind() == "+");
    if !plus {
        into.push(node);
        return;
    }
    for field in ["left", "right"] {
        if let Some(side) = node.child_by_field_name(field) {
            flatten(side, into);
        }
    }
}

/// `fmt.Sprintf("… FROM %s WHERE …", table)`: each verb with its argument.
fn sprintf_arguments(format: Node<'_>, content: &[u8]) -> Vec<Piece> {
    let Some(arguments) = format.parent().filter(|p| p.kind() == "argument_list") else {
        return Vec::new();
    };
    let is_sprintf = arguments
        .parent()
        .and_then(|call| call.child_by_field_name("function"))
        .is_some_and(|f| text(f, content).ends_with("Sprintf"));
    if !is_sprintf {
        return Vec::new();
    }
    let mut cursor = arguments.walk();
    let values: Vec<Node<'_>> = arguments
        .named_children(&mut cursor)
        .skip_while(|a| a.id() != format.id())
        .skip(1)
        .collect();
    paired_verbs(text(format, content), values, content)
}

/// Each `%` verb of a format string with the value it takes, and the text
/// before it; `%%` is a literal percent sign.
fn paired_verbs(format_text: &str, values: Vec<Node<'_>>, content: &[u8]) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = format_text;
    let mut before = String::new();
    let mut values = values.into_iter();
    while let Some(at) = rest.find('%') {
        before.push_str(&rest[..at]);
        let verb = rest[at + 1..].chars().next();
        rest = &rest[at + 1 + verb.map_or(0, char::len_utf8)..];
        match verb {
            Some('%') | None => before.push('%'),
            Some(_) => {
                let Some(value) = values.next() else { break };
                out.push(Piece {
                    before: before.clone(),
                    expression: text(value, content).to_string(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes<'a>(path: &str, text: &'a str, at: &str) -> Vec<&'a str> {
        let start = text.find(at).expect("in text");
        scope_spans(
            path,
            text.as_bytes(),
            start,
            start + at.len(),
            &mut LazyTree::default(),
        )
        .into_iter()
        .map(|(s, e)| &text[s..e])
        .collect()
    }

    fn scope<'a>(path: &str, text: &'a str, at: &str) -> Option<&'a str> {
        scopes(path, text, at).first().copied()
    }

    fn takes_input(path: &str, text: &str, at: &str) -> bool {
        let start = text.find(at).expect("in text");
        sql_takes_input(
            path,
            text.as_bytes(),
            start,
            start + at.len(),
            &mut LazyTree::default(),
        )
    }

    #[test]
    fn the_scope_is_the_innermost_function_or_object_with_its_name() {
        let js = "send(ctx, p, {\n  maxAge: 1,\n  setHeaders: (res) => {\n    res.setHeader('Access-Control-Allow-Origin', '*');\n  },\n});\n";
        let found = scope("a.ts", js, "'*'").unwrap();
        assert!(found.starts_with("setHeaders: (res) =>"), "{found}");
        let headers = "const trackerHeaders = {\n  'Access-Control-Allow-Origin': '*',\n  'Cache-Control': 'public, max-age=86400',\n};\n";
        let found = scope("a.ts", headers, "'*'").unwrap();
        assert!(found.starts_with("trackerHeaders = {"), "{found}");
        let py = "def view(request):\n    response = HttpResponse()\n    response['Access-Control-Allow-Origin'] = '*'\n    return response\n";
        assert!(scope("a.py", py, "'*'").unwrap().starts_with("def view"));
        assert_eq!(scope("a.ts", "setHeader('A', '*');\n", "'*'"), None);
        let fallback = "const demoAccount = window.KOEL.demo_account || {\n  email: 'a@b.c',\n  password: 'demo',\n} as Account\n";
        let found = scope("a.ts", fallback, "'demo'").unwrap();
        assert!(found.starts_with("demoAccount = window"), "{found}");
        let vue = "<template>\n  <Form :initial=\"demoAccount\" />\n</template>\n<script setup lang=\"ts\">\nconst demoAccount = window.KOEL.demo_account || {\n  password: 'demo',\n}\n</script>\n";
        let found = scope("Login.vue", vue, "'demo'").unwrap();
        assert!(found.starts_with("demoAccount = window"), "{found}");
        assert!(found.ends_with('}'), "{found}");
        assert_eq!(scope("Login.vue", vue, "demoAccount\""), None);
        let py = "demo_credentials = (\n    {'password': 'demo'}\n)\n";
        assert!(
            scope("a.py", py, "'demo'")
                .unwrap()
                .starts_with("demo_credentials =")
        );
        assert_eq!(scope("nginx.conf", "add_header A '*';\n", "'*'"), None);
    }

    #[test]
    fn an_object_is_also_read_by_the_function_that_builds_it() {
        let go = "package a\n\nfunc (a *app) SetupDemo() {\n\tctx := 1\n\tregistration := UserRegistration{\n\t\tPassword: \"demo\",\n\t}\n\t_ = ctx\n}\n";
        let found = scopes("a.go", go, "\"demo\"");
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].starts_with("registration := UserRegistration{"),
            "{found:?}"
        );
        assert!(
            found[1].starts_with("func (a *app) SetupDemo() {"),
            "{found:?}"
        );
        // An object in an object in a function: each, then the function.
        let ts = "function seedDemo() {\n  return { user: { password: 'demo' } };\n}\n";
        let found = scopes("a.ts", ts, "'demo'");
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].starts_with("user: {"), "{found:?}");
        assert!(found[2].starts_with("function seedDemo()"), "{found:?}");
        // A function is as far as it goes.
        let py = "def setup_demo():\n    def inner():\n        return {'password': 'demo'}\n";
        let found = scopes("a.py", py, "'demo'");
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[1].starts_with("def inner()"), "{found:?}");
    }

    #[test]
    fn a_derived_key_handed_to_a_cipher_flows_into_it() {
        let sinks = [LazyRegex::new("(?i)cipher")];
        let flows = |path: &str, text: &str, at: &str| {
            let start = text.find(at).expect("in text");
            flows_into(
                path,
                text.as_bytes(),
                (start, start + at.len()),
                &mut LazyTree::default(),
                &sinks,
            )
        };
        let ts = "const getKey = (password: string, salt: Buffer) =>\n  crypto.pbkdf2Sync(password, salt, 10000, 32, 'sha512');\n\nexport function encrypt(value: string, secret: string) {\n  const salt = crypto.randomBytes(64);\n  const key = getKey(secret, salt);\n  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);\n  return cipher.update(value);\n}\n";
        assert!(flows("crypto.ts", ts, "pbkdf2Sync(password, salt, 10000,"));
        let stored = "export function hashPassword(password: string) {\n  const salt = crypto.randomBytes(16);\n  const hash = crypto.pbkdf2Sync(password, salt, 10000, 64, 'sha512');\n  return db.users.update({ hash });\n}\n";
        assert!(!flows(
            "users.ts",
            stored,
            "pbkdf2Sync(password, salt, 10000,"
        ));
        let py = "def key_for(secret, salt):\n    return hashlib.pbkdf2_hmac('sha256', secret, salt, 1000)\n\ndef seal(data, secret):\n    k = key_for(secret, b'x')\n    return AESGCM(k).encrypt(nonce, data, None)\n";
        let sinks_py = [LazyRegex::new("AESGCM")];
        let start = py
            .find("pbkdf2_hmac('sha256', secret, salt, 1000)")
            .unwrap();
        assert!(flows_into(
            "k.py",
            py.as_bytes(),
            (start, start + 40),
            &mut LazyTree::default(),
            &sinks_py
        ));
    }

    #[test]
    fn constants_and_own_fields_pasted_as_table_names_take_no_input() {
        let ts = "class T {\n  async run(ids: string[]) {\n    await sequelize.query(`UPDATE ${this.workingTable} SET done = TRUE WHERE id = ANY(:ids)`, { replacements: { ids } });\n  }\n}\n";
        assert!(!takes_input("t.ts", ts, "`UPDATE"));
        let py = "def drop(conn, ids):\n    conn.executemany(\"DELETE FROM \" + DEFAULT_TABLE_NAME + \" WHERE id = ?\", ids)\n";
        assert!(!takes_input("v.py", py, "\"DELETE FROM \""));
        let go = "func f(db *sql.DB) {\n\tdb.Query(fmt.Sprintf(\"SELECT id FROM %s WHERE x = $1\", usersTable), 1)\n}\n";
        assert!(
            takes_input("a.go", go, "\"SELECT"),
            "a lower-case name may be anything"
        );
        let go = "func f(db *sql.DB) {\n\tdb.Query(fmt.Sprintf(\"SELECT id FROM %s WHERE x = $1\", UsersTable), 1)\n}\n";
        assert!(
            takes_input("a.go", go, "\"SELECT"),
            "UsersTable is no SCREAMING constant"
        );
        let go = "func f(db *sql.DB) {\n\tdb.Query(fmt.Sprintf(\"SELECT id FROM %s WHERE x = $1\", USERS), 1)\n}\n";
        assert!(!takes_input("a.go", go, "\"SELECT"));
    }

    #[test]
    fn values_and_parameters_pasted_anywhere_take_input() {
        let ts = "async function f(id: string) {\n  await db.query(`SELECT * FROM users WHERE id = ${id}`);\n}\n";
        assert!(takes_input("a.ts", ts, "`SELECT"));
        let ts =
            "async function f(table: string) {\n  await db.query(`SELECT * FROM ${table}`);\n}\n";
        assert!(
            takes_input("a.ts", ts, "`SELECT"),
            "a parameter as table name"
        );
        let ts = "async function f() {\n  await db.query(`SELECT * FROM ${this.t} WHERE id = ${this.id}`);\n}\n";
        assert!(
            takes_input("a.ts", ts, "`SELECT"),
            "a field in a value position"
        );
        let py = "def f(cur, name):\n    cur.execute(f\"SELECT * FROM {TABLE} WHERE name = '{name}'\")\n";
        assert!(takes_input("a.py", py, "f\"SELECT"));
        let py = "def f(cur):\n    cur.execute(f\"SELECT * FROM {TABLE} WHERE name = %s\", (n,))\n";
        assert!(!takes_input("a.py", py, "f\"SELECT"));
        let rb = "def f(name)\n  conn.execute(\"SELECT * FROM t WHERE name = '#{name}'\")\nend\n";
        assert!(takes_input("a.rb", rb, "\"SELECT"));
        let py = "def f(cur, name):\n    cur.execute(\"SELECT * FROM users WHERE name = '\" + name + \"'\")\n";
        assert!(takes_input("a.py", py, "\"SELECT"));
        let py =
            "def f(cur, name):\n    cur.execute(\"SELECT * FROM t WHERE name = '%s'\" % name)\n";
        assert!(takes_input("a.py", py, "\"SELECT"), "% with a value");
        let py =
            "def f(cur, n):\n    cur.execute(\"SELECT * FROM %s WHERE n = %s\" % (TABLE, n))\n";
        assert!(
            takes_input("a.py", py, "\"SELECT"),
            "the second verb's value"
        );
        let py =
            "def f(cur, n):\n    cur.execute(\"SELECT * FROM t WHERE n = %(n)s\" % {'n': n})\n";
        assert!(takes_input("a.py", py, "\"SELECT"), "a mapping");
    }

    #[test]
    fn python_percent_formatting_with_owned_names_takes_no_input() {
        let py = "def f(cur):\n    cur.execute(\"DELETE FROM %s WHERE done\" % DEFAULT_TABLE)\n";
        assert!(!takes_input("a.py", py, "\"DELETE"));
        let py = "def f(cur):\n    cur.execute(\"SELECT 1 FROM %s JOIN %s ON true\" % (A_TABLE, self.table))\n";
        assert!(!takes_input("a.py", py, "\"SELECT"));
        // wger's approximate count: the model's own table name, compared
        // with a catalogue column.
        let py = "def count(self):\n    cursor.execute(\n        \"SELECT reltuples FROM pg_class WHERE relname = '%s';\" % self.model._meta.db_table\n    )\n";
        assert!(!takes_input("m.py", py, "\"SELECT"));
        let py = "def f(self, cursor):\n    cursor.execute(\"SELECT 1 WHERE x = '%s'\" % self.model._meta.db_table_of(x))\n";
        assert!(takes_input("m.py", py, "\"SELECT"), "a call is no name");
    }
}
