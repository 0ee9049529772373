//! Making text from the audited repository safe to show on a terminal or in
//! a document.
//!
//! File names, file contents quoted in findings and fields of a report read
//! back from JSON are attacker-controlled. Printed raw, an `ESC[` sequence
//! recolours or rewrites the terminal, a newline forges a line of the report
//! (a fake `PASS`, a fake GitHub workflow command), and bidirectional
//! overrides make text read differently from what it is. Human formats pass
//! every such string through [`control`].

use std::borrow::Cow;

/// Characters that must never reach a terminal or a document as they are:
/// C0 and C1 controls, DEL, and the Unicode bidirectional overrides and
/// isolates ("Trojan Source").
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character written as a visible escape: `\n`,
/// `\r`, `\t`, else `\u{1b}`. Backslashes are left alone, so an escape
/// cannot be told from text that looks like one; what matters is that no
/// control character gets through.
///
/// Newlines that end the text are kept: YAML block scalars (a check's
/// remediation) end with one, and a newline with nothing after it cannot
/// forge a line.
pub fn control(text: &str) -> Cow<'_, str> {
    let body = text.trim_end_matches('\n');
    if !body.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in body.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push_str(&text[body.len()..]);
    Cow::Owned(out)
}

/// Markdown for a position inside a line (a table cell, a list item, a
/// paragraph): no control characters, no `|` to split a table cell, no
/// HTML, and no character at the start that would make the line a heading,
/// a quote, a list or a rule.
pub fn markdown_inline(text: &str) -> String {
    let text = control(text.trim_end());
    let mut out = String::with_capacity(text.len() + 4);
    for (i, c) in text.chars().enumerate() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '#' | '-' | '+' | '=' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(control("plain ünïcode"), "plain ünïcode");
        assert!(matches!(control("plain"), Cow::Borrowed(_)));
        assert_eq!(
            control("a\x1b[31mred\nPASS\r\t\u{7f}\u{202e}x"),
            "a\\u{1b}[31mred\\nPASS\\r\\t\\u{7f}\\u{202e}x"
        );
        assert_eq!(control("remediation.\n"), "remediation.\n");
        assert_eq!(control("a\nb\n\n"), "a\\nb\n\n");
    }

    #[test]
    fn markdown_cannot_break_a_table_or_start_a_block() {
        assert_eq!(markdown_inline("a | b"), "a \\| b");
        assert_eq!(markdown_inline("# title"), "\\# title");
        assert_eq!(markdown_inline("- item"), "\\- item");
        assert_eq!(markdown_inline("x\n# forged"), "x\\n# forged");
        assert_eq!(
            markdown_inline("<img src=x onerror=alert(1)>"),
            "&lt;img src=x onerror=alert(1)&gt;"
        );
    }
}
