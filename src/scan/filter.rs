//! Second-stage tests on a content hit, run where the matched bytes are still
//! in hand so that nothing downstream ever needs (or keeps) the text.
//!
//! A regex alone cannot tell a live AWS key ID from the documentation's
//! `AKIAIOSFODNN7EXAMPLE`, or a random API key from `my_secret_key_here`: the
//! filter looks at the *value* of a hit (the capture group named `secret`, or
//! the whole match) and drops it when it is a known example, too short or too
//! long, or not random enough to be a real credential.

use super::around::{flows_into, scope_spans, sql_takes_input};
use super::literal::{CodeLanguage, LazyTree, Token, token_at};
use super::url_value::{names_test_database, remote_password};
use super::weak::{WeakMode, judge, names_metadata, names_public_variable, names_user_input};
use regex::bytes::Regex;

/// The capture group whose text is the value a filter judges.
pub const SECRET_GROUP: &str = "secret";
/// The capture group whose text a collecting pattern records (e.g. the name
/// of an environment variable).
pub const KEY_GROUP: &str = "key";

/// Tests a hit's value must pass to count. An empty filter accepts everything.
#[derive(Debug, Default, Clone)]
pub struct HitFilter {
    /// Minimum Shannon entropy of the value, in bits per byte.
    pub min_entropy: Option<f64>,
    /// Minimum length of the value, in bytes.
    pub min_length: Option<usize>,
    /// Maximum length of the value, in bytes.
    pub max_length: Option<usize>,
    /// A value matching any of these is never a finding (known examples,
    /// placeholders, variable references).
    pub allow: Vec<LazyRegex>,
    /// The value must be a literal: a string literal in code, a scalar that
    /// is not an interpolation in configuration (see [`super::literal`]).
    pub literal: bool,
    /// The value must be one of these tokens (code outside strings and
    /// comments, a string with a substitution; see [`super::literal`]);
    /// empty: no test.
    pub token: Vec<Token>,
    /// The value must be weak (see [`super::weak`]); the finding says why.
    pub weak: Option<WeakMode>,
    /// The value is a connection URL that must carry a password for a
    /// remote host (see [`super::url_value`]).
    pub url: bool,
    /// The hit is a PEM header: with no key material after it, it is a
    /// placeholder or a mention (see [`placeholder_pem`]).
    pub pem_body: bool,
    /// The hit counts only when its line names no loopback host (see
    /// [`on_loopback`]).
    pub remote_only: bool,
    /// A hit whose surrounding code (the innermost function or object
    /// literal, with its name, and up to the function holding an object;
    /// see [`super::around::scope_spans`]) matches any of these is not a
    /// finding.
    pub allow_scope: Vec<LazyRegex>,
    /// The value is SQL text built from pieces; it counts only when a piece
    /// may carry input (see [`super::around::sql_takes_input`]).
    pub sql_input: bool,
    /// A hit whose computed value is handed, within the file, to a call
    /// matching any of these is not a finding (see
    /// [`super::around::flows_into`]).
    pub allow_flow: Vec<LazyRegex>,
}

/// A regex of a filter, compiled (as [`super::compile_regex`] does) the
/// first time a hit asks for it: most filters of an audit never see a hit,
/// and compiling their allow lists up front was a tenth of the fixed cost
/// of auditing an empty directory. A regex that does not compile matches
/// nothing (packs are validated when they load, so none is left).
#[derive(Debug, Clone)]
pub struct LazyRegex {
    source: String,
    compiled: std::sync::OnceLock<Option<Regex>>,
}

impl LazyRegex {
    pub fn new(source: &str) -> Self {
        LazyRegex {
            source: source.to_string(),
            compiled: std::sync::OnceLock::new(),
        }
    }

    pub fn is_match(&self, haystack: &[u8]) -> bool {
        self.get().is_some_and(|regex| regex.is_match(haystack))
    }

    /// The regex, compiled now if it was not; `None` if it does not compile.
    pub fn get(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| super::compile_regex(&self.source).ok())
            .as_ref()
    }
}

/// What the second stage concluded about a hit in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judged {
    /// Not a hit: an identifier, an interpolation, a strong value.
    Dropped,
    /// A hit, with what a reviewer needs to see why: the name the value is
    /// assigned to and what kind of value it is, never the value itself
    /// (unless it is a public well-known default).
    Kept(Option<String>),
    /// A hit whose value only tests use (the password of a test
    /// database's URL): graded as if its line were test code.
    Test(Option<String>),
}

impl HitFilter {
    pub fn is_empty(&self) -> bool {
        self.min_entropy.is_none()
            && self.min_length.is_none()
            && self.max_length.is_none()
            && self.allow.is_empty()
            && !self.literal
            && self.token.is_empty()
            && self.weak.is_none()
            && !self.url
            && !self.pem_body
            && !self.remote_only
            && self.allow_scope.is_empty()
            && !self.sql_input
            && self.allow_flow.is_empty()
    }

    /// Whether [`HitFilter::judge`] has anything to do.
    pub fn judges_in_context(&self) -> bool {
        self.literal
            || !self.token.is_empty()
            || self.weak.is_some()
            || self.url
            || self.pem_body
            || self.remote_only
            || !self.allow_scope.is_empty()
            || self.sql_input
            || !self.allow_flow.is_empty()
    }

    /// The tests that need the file around the value: is it a literal, and
    /// is it weak. `value` is the span of the value in `content`, `key` the
    /// name it is assigned to when the pattern captures one.
    pub fn judge(
        &self,
        path: &str,
        content: &[u8],
        value: (usize, usize),
        key: Option<&str>,
        tree: &mut LazyTree,
    ) -> Judged {
        // Each test either drops the hit or lets it through, whatever the
        // others said, so their order does not change the verdict. Those
        // that read the file's syntax tree go last: parsing a file costs
        // more than all the others together, and most hits they would see
        // are dropped for their value.
        let verdict = self.judge_text(path, content, value, key);
        if verdict == Judged::Dropped || self.drops_in_code(path, content, value, tree) {
            return Judged::Dropped;
        }
        verdict
    }

    /// The tests that read the file's syntax tree: whether they drop the
    /// hit.
    fn drops_in_code(
        &self,
        path: &str,
        content: &[u8],
        value: (usize, usize),
        tree: &mut LazyTree,
    ) -> bool {
        if self.literal && token_at(path, content, value.0, value.1, tree) != Token::Literal {
            return true;
        }
        if !self.token.is_empty()
            && !self
                .token
                .contains(&token_at(path, content, value.0, value.1, tree))
        {
            return true;
        }
        if self.sql_input && !sql_takes_input(path, content, value.0, value.1, tree) {
            return true;
        }
        if !self.allow_flow.is_empty() && flows_into(path, content, value, tree, &self.allow_flow) {
            return true;
        }
        !self.allow_scope.is_empty()
            && scope_spans(path, content, value.0, value.1, tree)
                .into_iter()
                .any(|(from, to)| {
                    self.allow_scope
                        .iter()
                        .any(|allow| allow.is_match(&content[from..to]))
                })
    }

    /// The tests of [`HitFilter::judge`] that read the value and the lines
    /// around it, not the file's syntax: the verdict if the others keep the
    /// hit.
    fn judge_text(
        &self,
        path: &str,
        content: &[u8],
        value: (usize, usize),
        key: Option<&str>,
    ) -> Judged {
        if key.is_some_and(|k| names_metadata(k) || names_user_input(k) || names_public_variable(k))
        {
            return Judged::Dropped;
        }
        if self.weak.is_some() && !ships(path, content, value) {
            return Judged::Dropped;
        }
        if self.pem_body && placeholder_pem(&content[value.1..]) {
            return Judged::Dropped;
        }
        if self.remote_only && on_loopback(content, value) {
            return Judged::Dropped;
        }
        let test_only = self.weak.is_some()
            && (names_test_database(&content[value.1..]) || in_test_block(content, value.0));
        let written = super::lossy::lossy(&content[value.0..value.1]);
        // `password: *default_pw`: the value is the anchor's.
        let text = match yaml_alias_target(path, content, &written) {
            Some(anchored) => std::borrow::Cow::Owned(anchored),
            None => written,
        };
        let host = if self.url {
            match remote_password(&text) {
                Ok(host) => Some(format!("inline password for host `{host}`")),
                Err(_) => return Judged::Dropped,
            }
        } else {
            None
        };
        if key.is_some_and(|k| {
            names_its_key(k, &text)
                || holds_a_variable_name(path, k, &text)
                || go_constant_naming_itself(path, content, value.0, k, &text)
        }) {
            return Judged::Dropped;
        }
        let weakness = match self.weak {
            Some(mode) => match judge(key, &text, mode) {
                Some(weakness) => Some(weakness.to_string()),
                None if key.is_some_and(names_password)
                    && same_as_user(content, value.0, &text)
                    && configures_a_deployment(path, content, value.0, key) =>
                {
                    Some("the same as the user name".to_string())
                }
                None => return Judged::Dropped,
            },
            // A literal that counts whatever its strength says only how
            // long it is.
            None if self.literal && key.is_some() => Some(format!(
                "hard-coded {}-character literal",
                text.chars().count()
            )),
            None => None,
        };
        let key = key.map(|k| format!("`{k}`"));
        let detail: Vec<String> = key.into_iter().chain(weakness).chain(host).collect();
        let detail = (!detail.is_empty()).then(|| detail.join(": "));
        if test_only {
            Judged::Test(detail)
        } else {
            Judged::Kept(detail)
        }
    }

    /// Whether `value` is a real hit.
    pub fn accepts(&self, value: &[u8]) -> bool {
        if self.min_length.is_some_and(|min| value.len() < min)
            || self.max_length.is_some_and(|max| value.len() > max)
        {
            return false;
        }
        if self
            .min_entropy
            .is_some_and(|min| shannon_entropy(value) < min)
        {
            return false;
        }
        !self.allow.iter().any(|allow| allow.is_match(value))
    }
}

/// Whether a weak value at `value` can be what a deployment runs with: not
/// when it is set in a Dockerfile build stage the final image does not
/// build on (a dummy `DATABASE_URL` for `prisma generate`), nor in a
/// compose file of local backing services only (see
/// [`super::marker::is_local_backing_stack`]).
fn ships(path: &str, content: &[u8], value: (usize, usize)) -> bool {
    if super::marker::is_local_backing_stack(path, &super::lossy::lossy(content)) {
        return false;
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    let dockerfile = name == "Dockerfile"
        || name.starts_with("Dockerfile.")
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile");
    if dockerfile {
        let line = 1 + memchr::memchr_iter(b'\n', &content[..value.0]).count();
        let text = super::lossy::lossy(content);
        return crate::dockerfile::Dockerfile::parse(&text).reaches_final_image(line);
    }
    true
}

/// Whether the line holding `value` names a loopback host: the
/// connection it configures never leaves the machine (or the pod).
fn on_loopback(content: &[u8], value: (usize, usize)) -> bool {
    let start = memchr::memrchr(b'\n', &content[..value.0]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &content[value.1..]).map_or(content.len(), |i| value.1 + i);
    let line = &content[start..end];
    [&b"localhost"[..], b"127.0.0.1", b"[::1]"]
        .iter()
        .any(|host| memchr::memmem::find(line, host).is_some())
}

/// Whether the text after a PEM header (`after`) holds no key material: no
/// run of 40 base64 characters within 2 KiB, or before the block's
/// `-----END` line when one comes sooner. Real keys have lines of 64 (or a
/// single line with `\n` escapes); `...`, `<your key>` or "Your private
/// key here" is what documentation and forms show in their place, and a
/// header alone is a mention (`strings.HasPrefix(key, "-----BEGIN RSA
/// PRIVATE KEY-----")`, "should start with -----BEGIN …").
fn placeholder_pem(after: &[u8]) -> bool {
    const REACH: usize = 2048;
    const RUN: usize = 40;
    let window = &after[..after.len().min(REACH)];
    let block = match memchr::memmem::find(window, b"-----END") {
        Some(end) => &window[..end],
        None => window,
    };
    let base64 = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=');
    !block.split(|b| !base64(b)).any(|run| run.len() >= RUN)
}

/// Whether, in code, the value is the name of an environment variable or
/// setting rather than a secret: an enum member or constant naming itself
/// (`JWT_SECRET = 'JWT_SECRET'`), or a constant named for a variable that
/// holds a variable's name (`SECRET_KEY_ENV_KEY = 'APP_SECRET_KEY'`,
/// `jwtSecretEnvVar`). Only upper-case snake names with an underscore, and
/// never a well-known placeholder (`CHANGE_ME`), which ships as written.
/// In configuration (`JWT_SECRET=JWT_SECRET` in an env file) the value is
/// what the service runs with, and stays.
fn holds_a_variable_name(path: &str, key: &str, value: &str) -> bool {
    let variable_name = value.contains('_')
        && value.starts_with(|c: char| c.is_ascii_uppercase())
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    variable_name
        && CodeLanguage::of(path).is_some()
        && (key == value || key_words(key).any(|w| matches!(w.as_str(), "env" | "var" | "envvar")))
        && judge(Some(key), value, WeakMode::WellKnown).is_none()
}

/// Whether the value is a Go constant's own name inside a `const ( … )`
/// block: `password = "password"` names the field of a Kubernetes Secret
/// or a form that holds the password, as Argo CD's `util/db` does, and
/// ent's generated `FieldPassword = "password"` names a database column. A
/// Go constant is never read from the environment, so it holds a name or a
/// default, and a default spelling the last words of its own name is a
/// name.
fn go_constant_naming_itself(
    path: &str,
    content: &[u8],
    at: usize,
    key: &str,
    value: &str,
) -> bool {
    if !path.ends_with(".go") || !ends_with_words_of(key, value) {
        return false;
    }
    // The innermost enclosing block opener or closer before the value,
    // line by line: `const (` opens one, a line starting with `)` ends it.
    for line in content[..at].rsplit(|b| *b == b'\n').skip(1) {
        let line = line.trim_ascii();
        if line.starts_with(b")") || line.ends_with(b"{") || line.starts_with(b"}") {
            return false;
        }
        if line.starts_with(b"const") && line.ends_with(b"(") {
            return true;
        }
    }
    false
}

/// Whether `key` is `value` itself, or `value`'s words after words that
/// say the constant holds a name (`FieldIsSuperuser` → `is_superuser`,
/// `ColumnPassword` → `password`). `DefaultPassword = "password"` holds a
/// password: `default` is not such a word.
fn ends_with_words_of(key: &str, value: &str) -> bool {
    const NAME_WORDS: &[&str] = &[
        "field",
        "column",
        "col",
        "key",
        "param",
        "attr",
        "attribute",
        "label",
        "name",
        "header",
        "form",
        "flag",
        "prop",
        "property",
    ];
    if key == value {
        return true;
    }
    let key: Vec<String> = key_words(key).collect();
    let value: Vec<String> = key_words(value).collect();
    !value.is_empty()
        && key.len() > value.len()
        && key.ends_with(&value)
        && key[..key.len() - value.len()]
            .iter()
            .all(|w| NAME_WORDS.contains(&w.as_str()))
}

/// The words of `SNAKE_CASE`, `kebab-case`, `dotted.names` and
/// `camelCase`, lower-cased.
fn key_words(key: &str) -> impl Iterator<Item = String> + '_ {
    key.split(['_', '-', '.']).flat_map(|part| {
        let mut words = Vec::new();
        let mut word = String::new();
        let mut previous = None;
        for c in part.chars() {
            if c.is_ascii_uppercase() && previous.is_some_and(|p: char| p.is_ascii_lowercase()) {
                words.push(std::mem::take(&mut word));
            }
            word.push(c.to_ascii_lowercase());
            previous = Some(c);
        }
        words.push(word);
        words.into_iter().filter(|w| !w.is_empty())
    })
}

/// Whether a value is its own key's name in another case: a label
/// (`"password": "Password"` in a translation file) or an enum constant
/// (`PASSWORD: "password"`). The same word in the same case
/// (`password: "password"`) is a default someone chose, and stays.
fn names_its_key(key: &str, value: &str) -> bool {
    let squash = |s: &str| -> String { s.chars().filter(|c| c.is_alphanumeric()).collect() };
    let (key, value) = (squash(key), squash(value));
    !value.is_empty() && key != value && key.eq_ignore_ascii_case(&value)
}

/// Shannon entropy of a byte string in bits per byte: about 3.0 for English
/// words, 4.0 for hex, 4.5 and up for random base64 of a few dozen bytes.
pub fn shannon_entropy(value: &[u8]) -> f64 {
    if value.is_empty() {
        return 0.0;
    }
    let mut counts = [0usize; 256];
    for byte in value {
        counts[*byte as usize] += 1;
    }
    let len = value.len() as f64;
    counts
        .iter()
        .filter(|c| **c > 0)
        .map(|c| {
            let p = *c as f64 / len;
            -p * p.log2()
        })
        .sum()
}

/// The scalar a YAML alias (`*default_pw`) stands for: the text after its
/// anchor (`default_pw: &default_pw changeme`) in the same file. `None`
/// for anything else, or an anchor on a mapping.
fn yaml_alias_target(path: &str, content: &[u8], written: &str) -> Option<String> {
    let name = written.strip_prefix('*')?;
    let yaml = path.ends_with(".yml") || path.ends_with(".yaml");
    if !yaml
        || name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
    {
        return None;
    }
    let anchor = format!("&{name}");
    super::lossy::lossy(content).lines().find_map(|line| {
        let at = line.find(&anchor)?;
        let rest = &line[at + anchor.len()..];
        // `&name` followed by a word character is another anchor.
        if rest.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '-') {
            return None;
        }
        let scalar = rest.split(" #").next()?.trim().trim_matches(['"', '\'']);
        (!scalar.is_empty()).then(|| scalar.to_string())
    })
}

/// Whether a key names a password (not a token or a key).
fn names_password(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    lower.contains("pass") || lower.contains("pwd")
}

/// The lines of the block the line at `at` is in, other than its own, at
/// its indentation: up to `reach` lines above and below, not past a line
/// indented less (the block's end). Blank and comment lines do not end it.
fn siblings(content: &[u8], at: usize, reach: usize) -> Vec<String> {
    let text = super::lossy::lossy(content);
    let line_no = text[..at.min(text.len())].matches('\n').count();
    let lines: Vec<&str> = text.lines().collect();
    let indent = |line: &str| line.len() - line.trim_start().len();
    let Some(own) = lines.get(line_no).map(|l| indent(l)) else {
        return Vec::new();
    };
    let inside = |l: &&&str| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || indent(l) >= own
    };
    let above = lines[..line_no].iter().rev().take(reach).take_while(inside);
    let below = lines[line_no + 1..].iter().take(reach).take_while(inside);
    above
        .chain(below)
        .filter(|l| indent(l) == own && !l.trim().starts_with('#'))
        .map(|l| l.to_string())
        .collect()
}

/// Whether a user name set beside the password (the same block: nearby
/// lines at its indentation) is the password itself: `username: reporter`
/// / `password: reporter`, `DB_USER=app` / `DB_PASSWORD=app`.
fn same_as_user(content: &[u8], at: usize, value: &str) -> bool {
    static USER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"(?i)^\s*(?:-\s*)?["']?[\w.-]*(?:user|username|user_name|login)["']?\s*[:=]\s*["']?([^"'\s,;#]+)["']?\s*(?:$|[,;#])"#)
            .expect("valid regex")
    });
    let value = value.trim();
    // A word: not a display mask (`username="******"`) or the `{` of
    // `"SMTP_PASSWORD": {` beside `"SMTP_USERNAME": {`.
    value.chars().any(char::is_alphanumeric)
        && siblings(content, at, 6).iter().any(|line| {
            USER.captures(line)
                .is_some_and(|c| c[1].eq_ignore_ascii_case(value))
        })
}

/// Whether a password equal to its user name is what a deployment of the
/// application runs with. A weak pair is a finding only there; these
/// files set passwords nothing deployed uses:
/// - a task runner's file (`Taskfile.yml`, a `Makefile`, a `justfile`):
///   the environment of tasks a developer runs from the checkout;
/// - a Compose file of backing services only (no service of the
///   project's own, see [`super::marker::backing_services_only`]): the
///   databases started beside a checkout, whichever ports they publish;
/// - a password for a database engine the same block does not select
///   (`POSTGRES_PASSWORD` beside `DB_ENGINE: sqlite`): never read.
fn configures_a_deployment(path: &str, content: &[u8], at: usize, key: Option<&str>) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let task_runner = name.starts_with("taskfile")
        || name == "makefile"
        || name == "justfile"
        || name.ends_with(".mk");
    if task_runner {
        return false;
    }
    if super::marker::backing_services_only(path, &super::lossy::lossy(content)).is_some() {
        return false;
    }
    !key.is_some_and(|key| selects_another_engine(content, at, key))
}

/// The database engine a name or a value speaks of.
fn engine(word: &str) -> Option<&'static str> {
    let lower = word.to_ascii_lowercase();
    [
        ("postgres", "postgres"),
        ("pg", "postgres"),
        ("mysql", "mysql"),
        ("mariadb", "mysql"),
        ("mongo", "mongo"),
        ("sqlite", "sqlite"),
        ("mssql", "mssql"),
        ("sqlserver", "mssql"),
    ]
    .into_iter()
    .find(|(prefix, _)| lower.starts_with(prefix))
    .map(|(_, engine)| engine)
}

/// Whether the block around a password for one engine (`POSTGRES_PASSWORD`)
/// selects another (`DB_ENGINE: sqlite`, `DB_CONNECTION=mysql`).
fn selects_another_engine(content: &[u8], at: usize, key: &str) -> bool {
    static SELECT: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"(?i)^\s*(?:-\s*)?["']?[\w.]*(?:DB|DATABASE)_?(?:ENGINE|TYPE|DRIVER|CONNECTION|DIALECT|BACKEND)["']?\s*[:=]\s*["']?(\w+)"#)
            .expect("valid regex")
    });
    let Some(own) = engine(key) else {
        return false;
    };
    siblings(content, at, 20).iter().any(|line| {
        SELECT
            .captures(line)
            .and_then(|c| engine(&c[1]))
            .is_some_and(|selected| selected != own)
    })
}

/// Whether the value at `at` sits in a block keyed for tests or CI, as its
/// indentation shows: the `'mysql-ci' => [` connection of a Laravel
/// `config/database.php`, the `test:` section of a Rails `database.yml`.
/// Only CI or the test suite selects such a block.
fn in_test_block(content: &[u8], at: usize) -> bool {
    static KEY: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"^["']?([\w.-]+)["']?\s*(?:=>|:|=)\s*(?:\[|\{|array\(|\z)"#)
            .expect("valid regex")
    });
    let line_start = memchr::memrchr(b'\n', &content[..at]).map_or(0, |i| i + 1);
    let indent = |line: &[u8]| {
        line.iter()
            .take_while(|b| **b == b' ' || **b == b'\t')
            .count()
    };
    let mut depth = indent(&content[line_start..at]);
    let before = super::lossy::lossy(&content[..line_start]);
    for line in before.lines().rev() {
        if depth == 0 {
            break;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with(['#', '/', '*']) {
            continue;
        }
        let own = indent(line.as_bytes());
        if own >= depth {
            continue;
        }
        depth = own;
        if let Some(key) = KEY.captures(trimmed) {
            let named_for_tests = key[1]
                .to_ascii_lowercase()
                .split(['-', '_', '.'])
                .any(|w| matches!(w, "test" | "tests" | "testing" | "ci" | "e2e"));
            if named_for_tests {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    #[test]
    fn key_words_split_every_case_style() {
        let words = |k: &str| key_words(k).collect::<Vec<_>>();
        assert_eq!(words("SECRET_KEY_ENV_KEY"), ["secret", "key", "env", "key"]);
        assert_eq!(words("jwtSecretEnvVar"), ["jwt", "secret", "env", "var"]);
        assert_eq!(words("app.secret-env"), ["app", "secret", "env"]);
    }

    #[test]
    fn variable_names_in_code_are_no_secrets() {
        // A constant holding a variable's name, an enum member naming itself.
        assert!(holds_a_variable_name(
            "src/a.ts",
            "SECRET_KEY_ENV_KEY",
            "APP_SECRET_KEY"
        ));
        assert!(holds_a_variable_name(
            "src/a.ts",
            "JWT_SECRET",
            "JWT_SECRET"
        ));
        // Not in configuration, not a lower-case value, not a key that
        // names no variable, not a placeholder that ships as written.
        assert!(!holds_a_variable_name(
            "app.env",
            "JWT_SECRET",
            "JWT_SECRET"
        ));
        assert!(!holds_a_variable_name(
            "src/a.ts",
            "SECRET_KEY_ENV",
            "app_secret"
        ));
        assert!(!holds_a_variable_name(
            "src/a.go",
            "SIGNING_SECRET",
            "APP_SECRET_KEY"
        ));
        assert!(!holds_a_variable_name(
            "src/a.py",
            "SECRET_ENV",
            "CHANGE_ME"
        ));
    }

    #[test]
    fn a_go_constant_naming_itself_is_a_name() {
        // Where the value `password` starts, inside its quotes.
        let value_at = |text: &[u8]| memchr::memmem::find(text, b"\"password\"").unwrap() + 1;
        let block = b"package db\n\nconst (\n\t// The key of the password in the secret\n\tpassword = \"password\"\n)\n";
        let at = value_at(block);
        assert!(go_constant_naming_itself(
            "util/db/repo.go",
            block,
            at,
            "password",
            "password"
        ));
        // Not outside a const block, not another value, not another language.
        let assigned = b"func f() {\n\tpassword = \"password\"\n}\n";
        let elsewhere = value_at(assigned);
        assert!(!go_constant_naming_itself(
            "a.go", assigned, elsewhere, "password", "password"
        ));
        assert!(!go_constant_naming_itself(
            "util/db/repo.go",
            block,
            at,
            "password",
            "hunter2"
        ));
        assert!(!go_constant_naming_itself(
            "repo.py", block, at, "password", "password"
        ));
        // ent's generated column names: the value is the name's last words.
        let ent = b"package user\n\nconst (\n\tFieldPassword = \"password\"\n)\n";
        let at = value_at(ent);
        assert!(go_constant_naming_itself(
            "ent/user/user.go",
            ent,
            at,
            "FieldPassword",
            "password"
        ));
        // A default named so holds a password, not a name.
        assert!(!go_constant_naming_itself(
            "ent/user/user.go",
            ent,
            at,
            "DefaultPassword",
            "password"
        ));
        // A value that is a word of the name but not its end is a value.
        assert!(!go_constant_naming_itself(
            "ent/user/user.go",
            ent,
            at,
            "PasswordDefault",
            "password"
        ));
    }

    #[test]
    fn a_connection_on_loopback_stays_on_the_machine() {
        let text = b"env:\n  - value: \"127.0.0.1:5432/app?sslmode=disable\"\n  - value: \"db.internal:5432/app?sslmode=disable\"\n";
        let first = memchr::memmem::find(text, b"sslmode").unwrap();
        let second = memchr::memmem::rfind(text, b"sslmode").unwrap();
        assert!(on_loopback(text, (first, first + 15)));
        assert!(!on_loopback(text, (second, second + 15)));
        assert!(on_loopback(
            b"postgres://localhost/app?sslmode=disable",
            (25, 40)
        ));
    }

    #[test]
    fn a_pem_block_with_no_key_material_is_a_placeholder() {
        assert!(placeholder_pem(b"\n...\n-----END RSA PRIVATE KEY-----"));
        assert!(placeholder_pem(
            b"\nYour private key here\n-----END PRIVATE KEY-----`"
        ));
        assert!(placeholder_pem(
            b"\n##   ...\n##   -----END RSA PRIVATE KEY-----"
        ));
        let body = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun";
        assert!(!placeholder_pem(
            format!("\n{body}\n-----END RSA PRIVATE KEY-----").as_bytes()
        ));
        // Escaped newlines in a string literal.
        assert!(!placeholder_pem(
            format!("\\n{body}\\n-----END RSA PRIVATE KEY-----").as_bytes()
        ));
        // No END in reach: a header alone is a mention, a key cut off
        // still counts.
        assert!(placeholder_pem(b"\", key)) {\n\treturn nil\n}\n"));
        assert!(!placeholder_pem(format!("\n{body}\n").as_bytes()));
    }

    use super::*;

    #[test]
    fn passwords_equal_to_the_user_count_where_a_deployment_reads_them() {
        let yml = "reporting:\n  username: reporter\n  password: reporter\nother:\n  user: x\n  password: reporter\n";
        let first = yml.find("password: reporter").unwrap() + 10;
        assert!(same_as_user(yml.as_bytes(), first, "reporter"));
        let second = yml.rfind("password: reporter").unwrap() + 10;
        assert!(
            !same_as_user(yml.as_bytes(), second, "reporter"),
            "another block's user"
        );
        let masked = "url(\n    username=\"******\",\n    password=\"******\",\n)\n";
        let at = masked.rfind("******").unwrap();
        assert!(!same_as_user(masked.as_bytes(), at, "******"));
        let env = "DB_HOST=db\nDB_USER=app\nDB_PASSWORD=app\n";
        let at = env.find("=app\n").unwrap() + 13;
        assert!(same_as_user(env.as_bytes(), at, "app"));
        assert!(configures_a_deployment(
            ".env",
            env.as_bytes(),
            at,
            Some("DB_PASSWORD")
        ));
        assert!(!configures_a_deployment(
            "Taskfile.yml",
            env.as_bytes(),
            at,
            Some("DB_PASSWORD")
        ));
        let sqlite = "    environment:\n      DB_ENGINE: sqlite # or postgres\n      # Postgres\n      POSTGRES_USER: app\n      POSTGRES_PASSWORD: app\n";
        let at = sqlite.find("POSTGRES_PASSWORD: app").unwrap() + 19;
        assert!(selects_another_engine(
            sqlite.as_bytes(),
            at,
            "POSTGRES_PASSWORD"
        ));
        assert!(!selects_another_engine(
            sqlite.as_bytes(),
            at,
            "SQLITE_PASSWORD"
        ));
        assert!(!selects_another_engine(
            sqlite.as_bytes(),
            at,
            "DB_PASSWORD"
        ));
        let postgres = sqlite.replace("sqlite", "postgres");
        assert!(!selects_another_engine(
            postgres.as_bytes(),
            at,
            "POSTGRES_PASSWORD"
        ));
    }

    #[test]
    fn aliases_resolve_to_their_anchored_scalar() {
        let yml = "shared: &shared_pw changeme\nprod:\n  password: *shared_pw\n";
        assert_eq!(
            yaml_alias_target("c.yml", yml.as_bytes(), "*shared_pw").as_deref(),
            Some("changeme")
        );
        assert_eq!(yaml_alias_target("c.yml", yml.as_bytes(), "*other"), None);
        assert_eq!(
            yaml_alias_target("c.env", yml.as_bytes(), "*shared_pw"),
            None
        );
    }

    #[test]
    fn blocks_keyed_for_tests_or_ci_are_found_by_indentation() {
        let php = "return [\n    'connections' => [\n        'mysql' => [\n            'password' => env('DB_PASSWORD', 'a'),\n        ],\n        'mysql-ci' => [\n            'host' => '127.0.0.1',\n            'password' => env('DB_PASSWORD', 'b'),\n        ],\n    ],\n];\n";
        assert!(!in_test_block(php.as_bytes(), php.find("'a'").unwrap()));
        assert!(in_test_block(php.as_bytes(), php.find("'b'").unwrap()));
        let yml = "default: &default\n  adapter: postgresql\n  password: a\ntest:\n  <<: *default\n  password: b\nproduction:\n  password: c\n";
        assert!(!in_test_block(yml.as_bytes(), yml.find(": a").unwrap() + 2));
        assert!(in_test_block(yml.as_bytes(), yml.find(": b").unwrap() + 2));
        assert!(!in_test_block(yml.as_bytes(), yml.find(": c").unwrap() + 2));
    }

    #[test]
    fn entropy_separates_random_keys_from_words() {
        assert_eq!(shannon_entropy(b""), 0.0);
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
        assert!(shannon_entropy(b"changeme") < 3.0);
        assert!(shannon_entropy(b"q8Zr2VxN4pLk7TbW1mYc9HsD3fGj6KuE") > 4.5);
    }

    #[test]
    fn filter_applies_every_test() {
        let filter = HitFilter {
            min_entropy: Some(3.5),
            min_length: Some(16),
            max_length: Some(40),
            allow: vec![LazyRegex::new("(?i)example")],
            ..HitFilter::default()
        };
        assert!(filter.accepts(b"q8Zr2VxN4pLk7TbW1mYc9HsD"));
        assert!(!filter.accepts(b"q8Zr2VxN4pLk"), "too short");
        assert!(!filter.accepts(&[b'q'; 41]), "too long");
        assert!(!filter.accepts(b"aaaaaaaaaaaaaaaaaaaaaaaa"), "not random");
        assert!(!filter.accepts(b"q8Zr2VxN4EXAMPLEpLk7TbW1"), "allowed");
        assert!(HitFilter::default().accepts(b""));
        assert!(HitFilter::default().is_empty());
    }

    #[test]
    fn token_filter_keeps_only_values_of_that_token() {
        let judge = |token: Token, path: &str, text: &str, value: &str| {
            let filter = HitFilter {
                token: vec![token],
                ..HitFilter::default()
            };
            let start = text.find(value).unwrap();
            let span = (start, start + value.len());
            filter.judge(path, text.as_bytes(), span, None, &mut LazyTree::default())
                != Judged::Dropped
        };
        let python = "try:\n    go()\nexcept:\n    pass\ndoc = \"except: in a string\"\n";
        assert!(judge(Token::Code, "app.py", python, "except"));
        let in_string = python.rfind("except").unwrap();
        let filter = HitFilter {
            token: vec![Token::Code],
            ..HitFilter::default()
        };
        let span = (in_string, in_string + 6);
        assert_eq!(
            filter.judge(
                "app.py",
                python.as_bytes(),
                span,
                None,
                &mut LazyTree::default()
            ),
            Judged::Dropped,
            "`except:` inside a string is not code"
        );
        let js = "db.query(`SELECT * FROM t WHERE id = ${id}`);\ndb.query(`SELECT 1`);\n";
        assert!(judge(
            Token::Interpolation,
            "db.js",
            js,
            "`SELECT * FROM t WHERE id = ${id}`"
        ));
        assert!(!judge(Token::Interpolation, "db.js", js, "`SELECT 1`"));
    }

    /// The tests that read the syntax tree run after those that read the
    /// value: a hit its value drops never costs a parse, and the verdict
    /// is the one every test together gives, whichever drops it.
    #[test]
    fn a_file_is_parsed_only_for_hits_their_value_keeps() {
        let filter = HitFilter {
            literal: true,
            weak: Some(WeakMode::WellKnown),
            ..HitFilter::default()
        };
        let python =
            "PASSWORD = \"changeme\"\nTOKEN = \"q8Zr2VxN4pLk7TbW1mYc\"\npassword = changeme\n";
        let judge = |value: &str, nth: usize, key: &str| {
            let start = python.match_indices(value).nth(nth).unwrap().0;
            let mut tree = LazyTree::default();
            let verdict = filter.judge(
                "app.py",
                python.as_bytes(),
                (start, start + value.len()),
                Some(key),
                &mut tree,
            );
            (verdict != Judged::Dropped, tree.parsed())
        };
        // A weak literal: kept, which takes the parse.
        assert_eq!(judge("changeme", 0, "PASSWORD"), (true, true));
        // A strong value: dropped for its value, never parsed.
        assert_eq!(judge("q8Zr2VxN4pLk7TbW1mYc", 0, "TOKEN"), (false, false));
        // A weak value that is a variable, not a literal: only the tree
        // drops it.
        assert_eq!(judge("changeme", 1, "password"), (false, true));
    }
}
