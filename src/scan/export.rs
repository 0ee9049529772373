//! Content patterns rewritten for other regex tools (`rg -f`), so benchmarks
//! can run them on the same work.
//!
//! ripgrep uses the same `regex` crate syntax in the same default (Unicode)
//! mode, so the patterns stay as written, with three changes that do not
//! alter what matches: each is wrapped in `(?:…)` so that inline flags such
//! as `(?i)` stay scoped to it when ripgrep joins the lines with `|`; named
//! groups become plain groups, since several patterns name a group `secret`
//! and one regex cannot repeat a name; and verbose `(?x)` patterns written
//! over several lines are printed on one.

use regex_syntax::ast::{Ast, GroupKind, parse::Parser, print::Printer};

/// `regex` as one line of an `rg -f` pattern file.
pub fn rg_pattern(regex: &str) -> String {
    let mut text = regex.to_string();
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
    fn verbose_patterns_on_one_line() {
        let line = rg_pattern("(?x)\n  foo  # a comment\n  | bar\\ baz\n");
        assert!(!line.contains('\n'), "{line}");
        let re = regex::Regex::new(&line).unwrap();
        assert!(re.is_match("foo") && re.is_match("bar baz") && !re.is_match("barbaz"));
    }
}
