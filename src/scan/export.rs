//! Content patterns rewritten for other regex tools (`rg -f`), so benchmarks
//! can run them on the same work.
//!
//! ripgrep uses the same `regex` crate syntax in the same default (Unicode)
//! mode, so the patterns are exported as the scanner compiles them (word
//! boundaries made ASCII, see `boundary.rs`), with three changes that do not
//! alter what matches: each is wrapped in `(?:…)` so that inline flags such
//! as `(?i)` stay scoped to it when ripgrep joins the lines with `|`; named
//! groups become plain groups, since several patterns name a group `secret`
//! and one regex cannot repeat a name; and verbose `(?x)` patterns written
//! over several lines are printed on one.
//!
//! A few patterns span lines (a backup command within 30 lines of a cron
//! schedule, a fenced code block under a heading). ripgrep refuses those
//! unless `-U` puts it in multi-line mode, and `-U` makes it search every
//! file as one buffer, which on real source trees is minutes instead of
//! seconds, so the export can be split (`--only line` / `--only multiline`)
//! and the two halves run as ripgrep runs best.

use regex_syntax::ast::{Ast, GroupKind, parse::Parser, print::Printer};
use regex_syntax::hir::{Class, Hir, HirKind};

/// `regex` as one line of an `rg -f` pattern file.
pub fn rg_pattern(regex: &str) -> String {
    let mut text = super::ascii_word_boundaries(regex).into_owned();
    if text.contains('\n')
        && let Ok(ast) = Parser::new().parse(&text)
    {
        let mut printed = String::new();
        if Printer::new().print(&ast, &mut printed).is_ok() {
            text = printed;
        }
    }
    if let Ok(ast) = Parser::new().parse(&text) {
        let mut names = Vec::new();
        named_groups(&ast, &mut names);
        // Replace from the end so earlier offsets stay valid.
        names.sort_by(|a, b| b.cmp(a));
        for (start, end) in names {
            text.replace_range(start..end, "(");
        }
    }
    format!("(?:{text})")
}

/// Whether `regex` can only match across a line break: it contains a
/// literal newline. That is ripgrep's own test for refusing a pattern
/// without `-U`; a newline that only appears in a class (`\s`, `[^x]`) is
/// dropped by ripgrep in line mode, as the scanner never needs it there.
pub fn spans_lines(regex: &str) -> bool {
    regex_syntax::Parser::new()
        .parse(regex)
        .is_ok_and(|hir| has_newline_literal(&hir))
}

fn has_newline_literal(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Literal(literal) => literal.0.contains(&b'\n'),
        // A class of just the newline (`[\n]`) is a literal by another name.
        HirKind::Class(Class::Unicode(class)) => {
            class.ranges().len() == 1
                && class.ranges()[0].start() == '\n'
                && class.ranges()[0].end() == '\n'
        }
        HirKind::Class(Class::Bytes(class)) => {
            class.ranges().len() == 1
                && class.ranges()[0].start() == b'\n'
                && class.ranges()[0].end() == b'\n'
        }
        HirKind::Repetition(rep) => has_newline_literal(&rep.sub),
        HirKind::Capture(capture) => has_newline_literal(&capture.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().any(has_newline_literal),
        HirKind::Empty | HirKind::Look(_) => false,
    }
}

/// Byte ranges of the `(?P<name>` / `(?<name>` openers in `ast`.
fn named_groups(ast: &Ast, into: &mut Vec<(usize, usize)>) {
    match ast {
        Ast::Group(group) => {
            if let GroupKind::CaptureName { name, .. } = &group.kind {
                into.push((group.span.start.offset, name.span.end.offset + 1));
            }
            named_groups(&group.ast, into);
        }
        Ast::Concat(concat) => concat.asts.iter().for_each(|a| named_groups(a, into)),
        Ast::Alternation(alt) => alt.asts.iter().for_each(|a| named_groups(a, into)),
        Ast::Repetition(rep) => named_groups(&rep.ast, into),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoped_flags_and_plain_groups() {
        assert_eq!(
            rg_pattern(r"(?i)key\s*=\s*(?P<secret>\w+)"),
            r"(?:(?i)key\s*=\s*(\w+))"
        );
        assert_eq!(rg_pattern(r"a(?<k>b)c"), r"(?:a(b)c)");
    }

    #[test]
    fn multi_line_patterns_are_told_apart() {
        assert!(spans_lines(r"cron:[^\n]*\n(?:[^\n]*\n){0,30}?backup"));
        assert!(spans_lines(r"(?m)^```[a-z]*\n"));
        // Classes that merely include the newline do not make a pattern
        // multi-line: ripgrep runs them line by line.
        assert!(!spans_lines(r"key\s*=\s*[^\n]*secret"));
        assert!(!spans_lines(r"(?i)\bpassword\s*[:=]"));
    }

    #[test]
    fn verbose_patterns_on_one_line() {
        let line = rg_pattern("(?x)\n  foo  # a comment\n  | bar\\ baz\n");
        assert!(!line.contains('\n'), "{line}");
        let re = regex::Regex::new(&line).unwrap();
        assert!(re.is_match("foo") && re.is_match("bar baz") && !re.is_match("barbaz"));
    }
}
