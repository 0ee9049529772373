//! Problems found in user-written files (check packs, `readyctl.toml`).
//!
//! Loading never stops at the first problem: every loader pushes into a
//! [`Diagnostics`] list so that one run shows the author everything to fix,
//! each with the file, line and column and what was expected.

use std::fmt;
use std::sync::Arc;

/// A 1-based position in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    pub fn new(line: usize, column: usize) -> Self {
        Position { line, column }
    }

    pub(crate) fn from_yaml(location: serde_saphyr::Location) -> Self {
        Position {
            line: location.line() as usize,
            column: location.column() as usize,
        }
    }

    /// Converts a byte offset in `text` to a line and (character) column.
    pub fn from_offset(text: &str, offset: usize) -> Self {
        let before = &text[..offset.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Position {
            line,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

/// Byte offsets to positions, for many lookups in one text: each is a
/// binary search and a count within one line, where
/// [`Position::from_offset`] scans the text from the start every time.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { text, starts }
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|start| *start <= offset);
        let start = self.starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(1, |before| before.chars().count() + 1);
        Position { line, column }
    }
}

/// A named source text, kept so diagnostics can quote the offending line.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name shown to the user: a path, or `builtin:<pack>` for embedded packs.
    pub name: String,
    pub text: Arc<str>,
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub file: Arc<SourceFile>,
    pub position: Position,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.name, self.position.line, self.position.column, self.message
        )
    }
}

/// Every problem found while loading; an `Err` of this type means exit code 2.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, file: &Arc<SourceFile>, position: Position, message: impl Into<String>) {
        self.0.push(Diagnostic {
            file: Arc::clone(file),
            position,
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// `Ok(())` when nothing was found, the whole list otherwise.
    pub fn into_result(mut self) -> Result<(), Diagnostics> {
        if self.0.is_empty() {
            Ok(())
        } else {
            self.0.sort_by(|a, b| {
                (a.file.name.as_str(), a.position).cmp(&(b.file.name.as_str(), b.position))
            });
            Err(self)
        }
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for diagnostic in &self.0 {
            writeln!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// serde-saphyr appends " at line L, column C" to its messages; we report the
/// position in our own format, so the suffix would only repeat it.
pub(crate) fn yaml_error_message(error: &serde_saphyr::Error) -> String {
    let rendered = error.render_with_options(serde_saphyr::render_options! {
        snippets: serde_saphyr::SnippetMode::Off,
    });
    match rendered.rfind(" at line ") {
        Some(cut) => rendered[..cut].to_string(),
        None => rendered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_line_and_column() {
        let text = "ab\ncdé\nf";
        assert_eq!(Position::from_offset(text, 0), Position::new(1, 1));
        assert_eq!(Position::from_offset(text, 4), Position::new(2, 2));
        assert_eq!(Position::from_offset(text, text.len()), Position::new(3, 2));
    }

    #[test]
    fn the_index_agrees_with_from_offset() {
        let text = "ab\ncdé\n\nf";
        let index = LineIndex::new(text);
        for offset in (0..=text.len()).filter(|o| text.is_char_boundary(*o)) {
            assert_eq!(index.position(offset), Position::from_offset(text, offset));
        }
    }

    #[test]
    fn yaml_messages_lose_the_repeated_position() {
        let error = serde_saphyr::from_str::<Vec<u8>>("[1, x]").unwrap_err();
        let message = yaml_error_message(&error);
        assert!(!message.contains("at line"), "{message}");
        assert!(!message.is_empty());
    }
}
