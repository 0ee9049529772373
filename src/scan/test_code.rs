//! Test code inside production files. Rust keeps unit tests next to the
//! code they test, in `#[cfg(test)]` modules and `#[test]` functions, so a
//! production path can hold test passwords, fake keys and throwaway
//! servers. A hit inside such an item is test code: a check that does not
//! read tests never sees it, and a secrets finding there is graded as one in
//! a test file.

use tree_sitter::Node;

/// Whether `content` may hold inline test items, before anything is parsed.
pub fn may_have_tests(path: &str, content: &[u8]) -> bool {
    path.ends_with(".rs")
        && (memchr::memmem::find(content, b"cfg(test").is_some()
            || memchr::memmem::find(content, b"test]").is_some()
            || memchr::memmem::find(content, b"test(").is_some())
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
    fn only_rust_files_mentioning_tests_are_parsed() {
        assert!(may_have_tests("src/a.rs", b"#[cfg(test)]\nmod tests {}"));
        assert!(!may_have_tests("src/a.rs", b"fn main() {}"));
        assert!(!may_have_tests("src/a.go", b"#[cfg(test)]"));
    }
}
