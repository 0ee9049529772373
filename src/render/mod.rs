//! Output formats. Each format is one module behind [`Renderer`]; the engine
//! knows nothing about any of them.

pub mod diff;
mod json;
mod markdown;
mod table;
mod text;

use crate::report::Report;
use std::fmt;
use std::str::FromStr;

pub use text::format_score;

/// Turns a report into the text of one format.
pub trait Renderer {
    fn render(&self, report: &Report) -> String;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Markdown,
    Json,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Table, Format::Markdown, Format::Json];

    pub fn id(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Markdown => "markdown",
            Format::Json => "json",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.id() == text || (text == "md" && *f == Format::Markdown))
            .ok_or_else(|| {
                let known: Vec<&str> = Format::ALL.iter().map(|f| f.id()).collect();
                format!(
                    "unknown format `{text}`; expected one of {}",
                    known.join(", ")
                )
            })
    }
}

/// Options that only some formats use.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// ANSI colour (the table only; decided by the caller from the terminal
    /// and `NO_COLOR`).
    pub color: bool,
}

pub fn renderer(format: Format, options: RenderOptions) -> Box<dyn Renderer> {
    match format {
        Format::Table => Box::new(table::Table {
            color: options.color,
        }),
        Format::Markdown => Box::new(markdown::Markdown),
        Format::Json => Box::new(json::Json),
    }
}

pub fn render(report: &Report, format: Format, options: RenderOptions) -> String {
    renderer(format, options).render(report)
}
