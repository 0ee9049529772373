//! Second-stage tests on a content hit, run where the matched bytes are still
//! in hand so that nothing downstream ever needs (or keeps) the text.
//!
//! A regex alone cannot tell a live AWS key ID from the documentation's
//! `AKIAIOSFODNN7EXAMPLE`, or a random API key from `my_secret_key_here`: the
//! filter looks at the *value* of a hit (the capture group named `secret`, or
//! the whole match) and drops it when it is a known example, too short or too
//! long, or not random enough to be a real credential.

use super::around::{flows_into, scope_span, sql_takes_input};
use super::literal::{LazyTree, Token, token_at};
use super::url_value::{names_test_database, remote_password};
use super::weak::{WeakMode, judge, names_metadata, names_user_input};
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
    pub allow: Vec<Regex>,
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
    /// A hit whose surrounding code (the innermost function or object
    /// literal, with its name; see [`super::around`]) matches any of these
    /// is not a finding.
    pub allow_scope: Vec<Regex>,
    /// The value is SQL text built from pieces; it counts only when a piece
    /// may carry input (see [`super::around::sql_takes_input`]).
    pub sql_input: bool,
    /// A hit whose computed value is handed, within the file, to a call
    /// matching any of these is not a finding (see
    /// [`super::around::flows_into`]).
    pub allow_flow: Vec<Regex>,
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
        if self.literal && token_at(path, content, value.0, value.1, tree) != Token::Literal {
            return Judged::Dropped;
        }
        if !self.token.is_empty()
            && !self
                .token
                .contains(&token_at(path, content, value.0, value.1, tree))
        {
            return Judged::Dropped;
        }
        if key.is_some_and(|k| names_metadata(k) || names_user_input(k)) {
            return Judged::Dropped;
        }
        if self.sql_input && !sql_takes_input(path, content, value.0, value.1, tree) {
            return Judged::Dropped;
        }
        if !self.allow_flow.is_empty() && flows_into(path, content, value, tree, &self.allow_flow) {
            return Judged::Dropped;
        }
        if !self.allow_scope.is_empty()
            && let Some((from, to)) = scope_span(path, content, value.0, value.1, tree)
            && self
                .allow_scope
                .iter()
                .any(|allow| allow.is_match(&content[from..to]))
        {
            return Judged::Dropped;
        }
        if self.weak.is_some() && !ships(path, content, value) {
            return Judged::Dropped;
        }
        let test_only = self.weak.is_some()
            && (names_test_database(&content[value.1..]) || in_test_block(content, value.0));
        let text = String::from_utf8_lossy(&content[value.0..value.1]);
        let host = if self.url {
            match remote_password(&text) {
                Ok(host) => Some(format!("inline password for host `{host}`")),
                Err(_) => return Judged::Dropped,
            }
        } else {
            None
        };
        if key.is_some_and(|k| names_its_key(k, &text)) {
            return Judged::Dropped;
        }
        let weakness = match self.weak {
            Some(mode) => match judge(key, &text, mode) {
                Some(weakness) => Some(weakness.to_string()),
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
    if super::marker::is_local_backing_stack(path, &String::from_utf8_lossy(content)) {
        return false;
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    let dockerfile = name == "Dockerfile"
        || name.starts_with("Dockerfile.")
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile");
    if dockerfile {
        let line = 1 + memchr::memchr_iter(b'\n', &content[..value.0]).count();
        let text = String::from_utf8_lossy(content);
        return crate::dockerfile::Dockerfile::parse(&text).reaches_final_image(line);
    }
    true
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
    let before = String::from_utf8_lossy(&content[..line_start]);
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
    use super::*;

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
            allow: vec![Regex::new("(?i)example").unwrap()],
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
}
