//! Printing load problems so that they point into the user's file.

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Config};
use readyctl::diagnostic::{Diagnostics, Position};

/// Byte offset of a 1-based line and character column, clamped to the text.
fn offset(text: &str, position: Position) -> usize {
    let mut line_start = 0;
    for _ in 1..position.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let line = &text[line_start..];
    let within: usize = line
        .chars()
        .take(position.column.saturating_sub(1))
        .map(char::len_utf8)
        .sum();
    line_start + within
}

/// Prints every diagnostic with a quoted snippet, then a count.
pub fn print(diagnostics: &Diagnostics) {
    let mut files = SimpleFiles::new();
    let config = Config::default();
    for diagnostic in diagnostics.iter() {
        let text = diagnostic.file.text.to_string();
        let at = offset(&text, diagnostic.position);
        let end = text[at..]
            .char_indices()
            .nth(1)
            .map_or(text.len(), |(i, _)| at + i);
        let id = files.add(diagnostic.file.name.clone(), text);
        // The first line repeats file:line:col so that editors and CI logs
        // can jump to it without parsing the snippet.
        let report = Report::error()
            .with_message(diagnostic.to_string())
            .with_labels(vec![
                Label::primary(id, at..end).with_message(&diagnostic.message),
            ]);
        match term::emit_into_string(&config, &files, &report) {
            Ok(text) => eprint!("{text}"),
            Err(_) => eprintln!("error: {diagnostic}"),
        }
    }
    let count = diagnostics.len();
    eprintln!(
        "error: {count} problem{} in check packs or configuration",
        if count == 1 { "" } else { "s" }
    );
}
