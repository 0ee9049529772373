//! Fitting text into a terminal: wrapping at words, shortening paths in the
//! middle (where the least telling part of a path is), measuring in columns
//! rather than bytes so that `✗` and `…` count once.

use unicode_width::UnicodeWidthStr;

/// Columns when nothing says otherwise (not a terminal, no `COLUMNS`).
pub const DEFAULT_WIDTH: usize = 80;
/// Below this, layouts stop making sense; we lay out for this and let the
/// terminal wrap.
const MIN_WIDTH: usize = 40;

/// The width to lay out for: `0` (unset) means [`DEFAULT_WIDTH`].
pub fn effective(width: usize) -> usize {
    match width {
        0 => DEFAULT_WIDTH,
        w => w.max(MIN_WIDTH),
    }
}

/// Display columns of `text` (no ANSI escapes expected).
pub fn columns(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` wrapped at words to `width`, the first line after `first`
/// (already written, `first_width` columns wide) and the others indented by
/// `indent` spaces. Returns the lines without the prefix on the first.
pub fn wrap_after(text: &str, first_width: usize, indent: usize, width: usize) -> Vec<String> {
    let pad = " ".repeat(first_width);
    let rest = " ".repeat(indent);
    let options = textwrap::Options::new(width.max(first_width + 10))
        .initial_indent(&pad)
        .subsequent_indent(&rest)
        .break_words(true)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    let mut lines: Vec<String> = textwrap::wrap(text, options)
        .into_iter()
        .map(|line| line.into_owned())
        .collect();
    if let Some(first) = lines.first_mut() {
        *first = first[pad.len()..].to_string();
    }
    lines
}

/// `text` wrapped at words to `width`, every line indented by `indent`.
pub fn wrap_indented(text: &str, indent: usize, width: usize) -> Vec<String> {
    let pad = " ".repeat(indent);
    let options = textwrap::Options::new(width.max(indent + 10))
        .initial_indent(&pad)
        .subsequent_indent(&pad)
        .break_words(true)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    textwrap::wrap(text, options)
        .into_iter()
        .map(|line| line.into_owned())
        .collect()
}

/// `text` cut to `max` columns with `…` at the end.
pub fn truncate_end(text: &str, max: usize) -> String {
    if columns(text) <= max {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// A path cut to `max` columns in the middle: `src/…/handlers/auth.go`
/// keeps where it starts and the file name, which say the most.
pub fn truncate_middle(path: &str, max: usize) -> String {
    if columns(path) <= max || max < 5 {
        return path.to_string();
    }
    let chars: Vec<char> = path.chars().collect();
    // Keep a little more of the end: the file name is what people look for.
    let keep = max - 1;
    let tail = keep - keep / 3;
    let head = keep - tail;
    let start: String = chars[..head].iter().collect();
    let end: String = chars[chars.len() - tail..].iter().collect();
    format!("{start}…{end}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_words_and_indents() {
        let lines = wrap_indented("alpha beta gamma delta", 2, 14);
        assert_eq!(lines, ["  alpha beta", "  gamma delta"]);
    }

    #[test]
    fn wrap_after_a_prefix_leaves_room_for_it() {
        let lines = wrap_after("one two three four", 6, 2, 16);
        assert_eq!(lines, ["one two", "  three four"]);
        assert!(lines.iter().all(|l| columns(l) <= 16));
    }

    #[test]
    fn paths_lose_their_middle() {
        let path = "internal/handlers/authentication/middleware/session.go";
        let short = truncate_middle(path, 30);
        assert_eq!(columns(&short), 30);
        assert!(short.ends_with("middleware/session.go") || short.ends_with("session.go"));
        assert!(short.starts_with("internal"));
        assert_eq!(truncate_middle("a/b.go", 30), "a/b.go");
    }

    #[test]
    fn end_truncation_counts_columns() {
        assert_eq!(truncate_end("abcdef", 4), "abc…");
        assert_eq!(truncate_end("abc", 4), "abc");
    }

    #[test]
    fn zero_width_means_the_default() {
        assert_eq!(effective(0), 80);
        assert_eq!(effective(10), 40);
        assert_eq!(effective(160), 160);
    }
}
