//! Word boundaries in check patterns are ASCII word boundaries.
//!
//! The `regex` crate's fast engine (a lazy DFA) cannot evaluate a Unicode
//! `\b` once it has seen a non-ASCII byte; it hands the search to the much
//! slower PikeVM instead. Real source trees are full of non-ASCII text
//! (comments, test data, translations), and on one such tree (the cargo
//! registry sources) that fallback was over a third of an audit's time.
//! ASCII boundaries (`[0-9A-Za-z_]` as the word characters, what secret
//! scanners and most languages' identifiers use) keep every search in the
//! DFA. `\w`, `\s`, `(?i)` and the rest stay Unicode.

use regex_syntax::ast::{self, AssertionKind, Ast, Visitor, parse::Parser};
use std::borrow::Cow;

/// `regex` with each word-boundary assertion (`\b`, `\B`, `\b{start}`,
/// `\<`, ...) wrapped in `(?-u:…)`. Patterns that do not parse are returned
/// unchanged, for the regex compiler to report.
pub fn ascii_word_boundaries(regex: &str) -> Cow<'_, str> {
    let Ok(parsed) = Parser::new().parse(regex) else {
        return Cow::Borrowed(regex);
    };
    let Ok(spans) = ast::visit(&parsed, Boundaries::default());
    if spans.is_empty() {
        return Cow::Borrowed(regex);
    }
    let mut text = regex.to_string();
    // Replace from the end so earlier offsets stay valid.
    for (start, end) in spans.into_iter().rev() {
        let assertion = &regex[start..end];
        text.replace_range(start..end, &format!("(?-u:{assertion})"));
    }
    Cow::Owned(text)
}

/// Collects the byte spans of word-boundary assertions, in pattern order.
#[derive(Default)]
struct Boundaries(Vec<(usize, usize)>);

impl Visitor for Boundaries {
    type Output = Vec<(usize, usize)>;
    type Err = std::convert::Infallible;

    fn finish(self) -> Result<Self::Output, Self::Err> {
        let mut spans = self.0;
        spans.sort_unstable();
        Ok(spans)
    }

    fn visit_pre(&mut self, ast: &Ast) -> Result<(), Self::Err> {
        if let Ast::Assertion(assertion) = ast {
            let word = !matches!(
                assertion.kind,
                AssertionKind::StartLine
                    | AssertionKind::EndLine
                    | AssertionKind::StartText
                    | AssertionKind::EndText
            );
            if word {
                self.0
                    .push((assertion.span.start.offset, assertion.span.end.offset));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::bytes::Regex;

    #[test]
    fn boundaries_become_ascii() {
        assert_eq!(
            ascii_word_boundaries(r"\bghp_[A-Za-z0-9]{36}\b"),
            r"(?-u:\b)ghp_[A-Za-z0-9]{36}(?-u:\b)"
        );
        assert_eq!(
            ascii_word_boundaries(r"a\Bb\b{start}c"),
            r"a(?-u:\B)b(?-u:\b{start})c"
        );
        // Line and text anchors are not word boundaries.
        assert_eq!(ascii_word_boundaries(r"(?m)^key$"), r"(?m)^key$");
        assert!(matches!(ascii_word_boundaries("a[b"), Cow::Borrowed(_)));
    }

    #[test]
    fn same_matches_on_ascii_text_and_no_unicode_fallback() {
        let unicode = Regex::new(r"(?i)\bsecret\b\s*=\s*\w+").unwrap();
        let ascii = Regex::new(&ascii_word_boundaries(unicode.as_str())).unwrap();
        for text in [
            &b"SECRET = abc"[..],
            b"my_secret = x",
            b"xsecret=1",
            b"secret=\xff",
        ] {
            assert_eq!(
                unicode.find(text).map(|m| m.range()),
                ascii.find(text).map(|m| m.range()),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
        // Where they differ is a non-ASCII letter next to the token: for
        // ASCII boundaries `é` is not a word character.
        assert!(!unicode.is_match("ésecret = 1".as_bytes()));
        assert!(ascii.is_match("ésecret = 1".as_bytes()));
    }
}
