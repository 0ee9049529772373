//! Test code inside production files. Rust keeps unit tests next to the
//! code they test, in `#[cfg(test)]` modules and `#[test]` functions, so a
//! production path can hold test passwords, fake keys and throwaway
//! servers. A hit inside such an item is test code: a check that does not
//! read tests never sees it, and a secrets finding there is graded as one in
//! a test file. Python's `pyproject.toml` does the same with its pytest
//! tables: `[tool.pytest_env]` sets the environment of test runs only.

use super::literal::{CodeLanguage, LazyTree};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tree_sitter::Node;

/// Bytes of file contents the walk keeps, all threads together, for hits
/// whose judgement waits (see [`Unjudged`]). A file beyond it is parsed
/// when it is searched, as every file was before.
pub(crate) const UNJUDGED_BYTES_LIMIT: usize = 8 << 20;

/// Hits in production Rust files that may hold test items, not yet judged
/// inside or outside one. For a hit whose rule reads test code too, the
/// judgement only decides the role its line has in the report ("test" for
/// a finding there), and most such hits never have a finding on their
/// line: a Rust crate's `#[cfg(test)]` is found by the rule asking whether
/// unit tests exist, and is the only hit in most of its files. Parsing the
/// file (a third of the audit of a Rust repository) waits until a finding
/// lands on one of its hits' lines ([`Unjudged::judge`]), with a copy of
/// the contents the hits were found in, so the answer is the one the walk
/// would have given.
#[derive(Debug, Default)]
pub(crate) struct Unjudged {
    /// Bytes left for contents, shared by the walk's threads; `None`: every
    /// hit is judged when found.
    pub(crate) room: Option<Arc<AtomicUsize>>,
    pub(crate) files: Vec<UnjudgedFile>,
}

pub(crate) struct UnjudgedFile {
    pub(crate) path: String,
    pub(crate) content: Box<[u8]>,
    /// Per hit: its line and the offset it is judged at.
    pub(crate) hits: Vec<(usize, usize)>,
}

impl std::fmt::Debug for UnjudgedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnjudgedFile")
            .field("path", &self.path)
            .field("hits", &self.hits.len())
            .finish_non_exhaustive()
    }
}

impl Unjudged {
    /// Takes `content`'s copy for `hits` if there is room left; `false`
    /// when they must be judged now.
    pub(crate) fn keep(&mut self, path: &str, content: &[u8], hits: Vec<(usize, usize)>) -> bool {
        let Some(room) = &self.room else {
            return false;
        };
        let taken = room.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
            left.checked_sub(content.len())
        });
        if taken.is_err() {
            return false;
        }
        self.files.push(UnjudgedFile {
            path: path.to_string(),
            content: content.into(),
            hits,
        });
        true
    }

    pub(crate) fn absorb(&mut self, other: Unjudged) {
        self.files.extend(other.files);
    }

    /// Judges the hits of the files that have one on a line of `wanted`
    /// (path, line), on `threads` threads: the lines of those inside a test
    /// item, as the walk would have recorded them. Every file is let go.
    pub(crate) fn judge(
        &mut self,
        wanted: &BTreeSet<(&str, usize)>,
        threads: usize,
    ) -> Vec<(String, usize)> {
        let files = std::mem::take(&mut self.files);
        let needed: Vec<&UnjudgedFile> = files
            .iter()
            .filter(|f| {
                f.hits
                    .iter()
                    .any(|(line, _)| wanted.contains(&(f.path.as_str(), *line)))
            })
            .collect();
        crate::parallel::in_parallel(&needed, threads, |file| {
            let ranges = rust_test_ranges_of(&file.content, &mut LazyTree::default());
            file.hits
                .iter()
                .filter(|(_, at)| ranges.iter().any(|(s, e)| (*s..*e).contains(at)))
                .map(|(line, _)| (file.path.clone(), *line))
                .collect::<Vec<_>>()
        })
        .into_iter()
        .flatten()
        .collect()
    }
}

/// The test items of a Rust file's `content`, parsed into `tree` (or read
/// from it when parsed already).
pub(crate) fn rust_test_ranges_of(content: &[u8], tree: &mut LazyTree) -> Vec<(usize, usize)> {
    tree.get(CodeLanguage::Rust, content)
        .map_or_else(Vec::new, |t| rust_test_ranges(t.root_node(), content))
}

/// Whether `content` may hold inline test items, before anything is parsed.
pub fn may_have_tests(path: &str, content: &[u8]) -> bool {
    path.ends_with(".rs")
        && (memchr::memmem::find(content, b"cfg(test").is_some()
            || memchr::memmem::find(content, b"test]").is_some()
            || memchr::memmem::find(content, b"test(").is_some())
}

/// Whether `content` is a `pyproject.toml` with pytest tables.
pub fn may_have_test_tables(path: &str, content: &[u8]) -> bool {
    (path == "pyproject.toml" || path.ends_with("/pyproject.toml"))
        && memchr::memmem::find(content, b"[tool.pytest").is_some()
}

/// The byte ranges of the pytest tables of a `pyproject.toml`
/// (`[tool.pytest_env]`, `[tool.pytest.ini_options]` and their subtables):
/// each from its header to the next table header. pytest and its plugins
/// read them when tests run; nothing else does.
pub fn pytest_table_ranges(content: &[u8]) -> Vec<(usize, usize)> {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut open: Option<usize> = None;
    let mut at = 0;
    for line in content.split_inclusive(|b| *b == b'\n') {
        let trimmed = line.trim_ascii_start();
        if trimmed.starts_with(b"[") {
            if let Some(start) = open.take() {
                ranges.push((start, at));
            }
            let name: Vec<u8> = trimmed
                .iter()
                .copied()
                .skip_while(|b| *b == b'[')
                .take_while(|b| *b != b']')
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            if name == b"tool.pytest_env"
                || name.starts_with(b"tool.pytest_env.")
                || name.starts_with(b"tool.pytest.")
            {
                open = Some(at);
            }
        }
        at += line.len();
    }
    if let Some(start) = open {
        ranges.push((start, content.len()));
    }
    ranges
}

/// The byte ranges of the test items of a parsed Rust file: each item
/// whose attributes say it is compiled for tests only (`#[cfg(test)]`,
/// `#[cfg(all(test, …))]`) or is a test (`#[test]`, `#[tokio::test]`),
/// attributes included. Nested items of a test item are not listed again.
pub fn rust_test_ranges(root: Node<'_>, content: &[u8]) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    collect(root, content, &mut ranges);
    ranges
}

fn collect(parent: Node<'_>, content: &[u8], ranges: &mut Vec<(usize, usize)>) {
    let mut cursor = parent.walk();
    let mut test_attribute_at = None;
    for child in parent.named_children(&mut cursor) {
        match child.kind() {
            "attribute_item" => {
                let text = &content[child.start_byte()..child.end_byte()];
                if is_test_attribute(text) && test_attribute_at.is_none() {
                    test_attribute_at = Some(child.start_byte());
                }
            }
            "line_comment" | "block_comment" => {}
            _ => {
                if let Some(start) = test_attribute_at.take() {
                    ranges.push((start, child.end_byte()));
                } else if child.kind() == "mod_item"
                    && let Some(body) = child.child_by_field_name("body")
                {
                    collect(body, content, ranges);
                }
            }
        }
    }
}

/// `#[cfg(test)]`, `#[cfg(all(test, unix))]`, `#[test]`, `#[tokio::test]`,
/// `#[tokio::test(flavor = "multi_thread")]`; not `#[cfg(not(test))]`.
fn is_test_attribute(text: &[u8]) -> bool {
    let text = String::from_utf8_lossy(text);
    let inner: String = text
        .trim_start_matches("#[")
        .trim_end_matches(']')
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let path = inner.split('(').next().unwrap_or_default();
    if path == "test" || path.ends_with("::test") {
        return true;
    }
    path == "cfg"
        && !inner.contains("not(test")
        && (inner == "cfg(test)" || inner.contains("(test,") || inner.contains(",test)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tree_sitter::Parser;

    fn test_items(source: &str) -> Vec<&str> {
        let mut parser = Parser::new();
        parser
            .set_language(&tree_sitter_rust::LANGUAGE.into())
            .unwrap();
        let tree = parser.parse(source, None).unwrap();
        rust_test_ranges(tree.root_node(), source.as_bytes())
            .into_iter()
            .map(|(s, e)| &source[s..e])
            .collect()
    }

    #[test]
    fn test_modules_and_functions_are_test_items() {
        let source = "fn serve() {}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn a() {}\n}\n";
        assert_eq!(
            test_items(source),
            ["#[cfg(test)]\nmod tests {\n    #[test]\n    fn a() {}\n}"]
        );
        let source = "mod inner {\n    pub fn f() {}\n    #[tokio::test(flavor = \"multi_thread\")]\n    async fn t() {}\n}\n";
        assert_eq!(
            test_items(source),
            ["#[tokio::test(flavor = \"multi_thread\")]\n    async fn t() {}"]
        );
        assert_eq!(
            test_items("#[cfg(all(test, unix))]\n#[allow(dead_code)]\nfn helper() {}\n"),
            ["#[cfg(all(test, unix))]\n#[allow(dead_code)]\nfn helper() {}"]
        );
    }

    #[test]
    fn production_items_are_not() {
        assert!(test_items("#[cfg(not(test))]\nfn real() {}\n").is_empty());
        assert!(test_items("#[derive(Debug)]\nstruct S;\nfn test() {}\n").is_empty());
        assert!(test_items("#[cfg(feature = \"testing\")]\nfn f() {}\n").is_empty());
    }

    #[test]
    fn pytest_tables_of_pyproject_are_test_configuration() {
        let text = "[project]\nname = \"app\"\n\n[tool.pytest_env]\nSECRET = \"x\"\n\n[tool.ruff]\nline-length = 88\n[ tool.pytest.ini_options ]\naddopts = \"-q\"\n";
        let ranges = pytest_table_ranges(text.as_bytes());
        let tables: Vec<&str> = ranges.iter().map(|(s, e)| &text[*s..*e]).collect();
        assert_eq!(
            tables,
            [
                "[tool.pytest_env]\nSECRET = \"x\"\n\n",
                "[ tool.pytest.ini_options ]\naddopts = \"-q\"\n"
            ]
        );
        assert!(may_have_test_tables(
            "backend/pyproject.toml",
            text.as_bytes()
        ));
        assert!(!may_have_test_tables("pyproject.toml", b"[tool.ruff]\n"));
        assert!(pytest_table_ranges(b"[tool.pytest_envs_other]\n").is_empty());
        assert!(pytest_table_ranges(b"[tool.pytestx]\n").is_empty());
    }

    #[test]
    fn only_rust_files_mentioning_tests_are_parsed() {
        assert!(may_have_tests("src/a.rs", b"#[cfg(test)]\nmod tests {}"));
        assert!(!may_have_tests("src/a.rs", b"fn main() {}"));
        assert!(!may_have_tests("src/a.go", b"#[cfg(test)]"));
    }
}
