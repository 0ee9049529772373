//! Printing load problems so that they point into the user's file.
//!
//! The file may be hostile (a repository's pack or readyctl.toml), so a code
//! frame shows the offending line and nothing else: the other lines of the
//! file are blanked before codespan sees it, a long line is cut, and control
//! characters are escaped.

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Config};
use readyctl::diagnostic::{Diagnostic, Diagnostics};
use readyctl::escape::control;
use std::collections::{BTreeMap, BTreeSet};

/// Characters of a line shown in a frame.
const LINE_LIMIT: usize = 240;

/// The shown form of one line: cut, escaped, and the byte offset in it of
/// each character position up to the cut.
fn shown_line(line: &str) -> (String, Vec<usize>) {
    let mut text = String::new();
    let mut offsets = Vec::new();
    for c in line.chars().take(LINE_LIMIT) {
        offsets.push(text.len());
        let mut buffer = [0; 4];
        text.push_str(&control(c.encode_utf8(&mut buffer)));
    }
    offsets.push(text.len());
    if line.chars().nth(LINE_LIMIT).is_some() {
        text.push('…');
    }
    (text, offsets)
}

/// The text codespan gets for one file: only the lines diagnostics point
/// at, the others empty so line numbers stay right.
struct Frame {
    text: String,
    /// Per line number: where it starts in `text` and its offsets.
    lines: BTreeMap<usize, (usize, Vec<usize>)>,
}

impl Frame {
    fn new(source: &str, wanted: &BTreeSet<usize>) -> Frame {
        let last = wanted.last().copied().unwrap_or(1);
        let mut text = String::new();
        let mut lines = BTreeMap::new();
        let mut source_lines = source.split('\n');
        for number in 1..=last {
            let line = source_lines.next().unwrap_or_default();
            if wanted.contains(&number) {
                let (shown, offsets) = shown_line(line.trim_end_matches('\r'));
                lines.insert(number, (text.len(), offsets));
                text.push_str(&shown);
            }
            text.push('\n');
        }
        Frame { text, lines }
    }

    /// The byte range to label for a 1-based line and character column.
    fn span(&self, line: usize, column: usize) -> std::ops::Range<usize> {
        let Some((start, offsets)) = self.lines.get(&line) else {
            return 0..0;
        };
        let index = column.saturating_sub(1).min(offsets.len() - 1);
        let at = start + offsets[index];
        let end = offsets.get(index + 1).map_or(at, |o| start + o);
        at..end
    }
}

/// Prints every diagnostic with a quoted snippet, then a count.
pub fn print(diagnostics: &Diagnostics) {
    let mut by_file: BTreeMap<&str, (&Diagnostic, BTreeSet<usize>)> = BTreeMap::new();
    for diagnostic in diagnostics.iter() {
        by_file
            .entry(diagnostic.file.name.as_str())
            .or_insert_with(|| (diagnostic, BTreeSet::new()))
            .1
            .insert(diagnostic.position.line);
    }
    let mut files = SimpleFiles::new();
    let mut frames = BTreeMap::new();
    for (name, (first, lines)) in &by_file {
        let frame = Frame::new(&first.file.text, lines);
        let id = files.add(control(name).into_owned(), frame.text.clone());
        frames.insert(*name, (id, frame));
    }
    let config = Config::default();
    for diagnostic in diagnostics.iter() {
        let (id, frame) = &frames[diagnostic.file.name.as_str()];
        let span = frame.span(diagnostic.position.line, diagnostic.position.column);
        // The first line repeats file:line:col so that editors and CI logs
        // can jump to it without parsing the snippet.
        let report = Report::error()
            .with_message(control(&diagnostic.to_string()))
            .with_labels(vec![
                Label::primary(*id, span).with_message(control(&diagnostic.message)),
            ]);
        match term::emit_into_string(&config, &files, &report) {
            Ok(text) => eprint!("{text}"),
            Err(_) => eprintln!("error: {}", control(&diagnostic.to_string())),
        }
    }
    let count = diagnostics.len();
    eprintln!(
        "error: {count} problem{} in check packs or configuration",
        if count == 1 { "" } else { "s" }
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_holds_only_the_lines_pointed_at() {
        let source = "SECRET=one\nbad: \x1b[31m\nSECRET=three\n";
        let frame = Frame::new(source, &BTreeSet::from([2]));
        assert_eq!(frame.text, "\nbad: \\u{1b}[31m\n");
        assert!(!frame.text.contains("SECRET"));
        // Column 6 is the escape character, shown as its escape.
        let span = frame.span(2, 6);
        assert_eq!(&frame.text[span], "\\u{1b}");
    }

    #[test]
    fn long_lines_are_cut() {
        let source = "x".repeat(10_000);
        let frame = Frame::new(&source, &BTreeSet::from([1]));
        assert!(frame.text.chars().count() < LINE_LIMIT + 4);
        let span = frame.span(1, 9_000);
        assert!(span.end <= frame.text.len());
    }
}
