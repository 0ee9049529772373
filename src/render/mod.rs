//! Output formats. Each format is one module behind [`Renderer`]; the engine
//! knows nothing about any of them.

mod annotate;
pub mod diff;
mod github;
mod gitlab;
mod html;
mod json;
mod junit;
mod layout;
mod markdown;
mod plain;
mod sarif;
mod table;
mod text;

use crate::report::Report;
use std::fmt;
use std::str::FromStr;

pub use layout::DEFAULT_WIDTH;
pub use text::{format_score, stack_lines};

/// Turns a report into the text of one format.
pub trait Renderer {
    fn render(&self, report: &Report) -> String;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Markdown,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other static-analysis UIs.
    Sarif,
    /// JUnit XML, for CI test-report views (GitLab, Jenkins…).
    Junit,
    /// GitHub Actions workflow commands: annotations in the job log.
    Github,
    /// GitLab Code Quality JSON, for the merge-request widget.
    Gitlab,
    /// One self-contained HTML page with charts, to open, share or print.
    Html,
}

impl Format {
    pub const ALL: [Format; 8] = [
        Format::Table,
        Format::Markdown,
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::Github,
        Format::Gitlab,
        Format::Html,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Markdown => "markdown",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Github => "github",
            Format::Gitlab => "gitlab",
            Format::Html => "html",
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
/// The files a repository-level result is about, when the repository has
/// them: found by the caller (the renderers never read the disk).
#[derive(Debug, Clone, Default)]
pub struct Anchors {
    pub readme: Option<String>,
    /// `go.mod`, `package.json`, `Cargo.toml`, `pyproject.toml`…
    pub manifest: Option<String>,
    pub dockerfile: Option<String>,
    /// The first CI workflow file.
    pub workflow: Option<String>,
}

impl Anchors {
    /// The file that should change for `check` to pass: the workflow for CI
    /// and scanning checks, the Dockerfile for container checks, the
    /// manifest for dependency and code checks, the README for the rest.
    pub fn for_check(&self, check: &crate::report::CheckResult) -> Option<&str> {
        use crate::model::Category;
        let id = check.id.as_str();
        let ordered: [&Option<String>; 3] = if id.contains("docker") || id.contains("container") {
            [&self.dockerfile, &self.manifest, &self.readme]
        } else if check.category == Category::Ci || id.contains("ci-") || id.contains("scanning") {
            [&self.workflow, &self.manifest, &self.readme]
        } else if matches!(
            check.category,
            Category::Documentation | Category::Backups | Category::Monitoring
        ) {
            [&self.readme, &self.manifest, &None]
        } else {
            [&self.manifest, &self.readme, &None]
        };
        ordered.into_iter().find_map(|file| file.as_deref())
    }
}

#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// ANSI colour (the table only; decided by the caller from the terminal
    /// and `NO_COLOR`).
    pub color: bool,
    /// Markdown only: the verdict, the category table and the blockers, short
    /// enough for a pull-request comment.
    pub summary: bool,
    /// SARIF only: files at the audited root that repository-level results
    /// point at (code scanning wants a file; otherwise `.`).
    pub anchors: Anchors,
    /// Table only: columns to fit (0: 80).
    pub width: usize,
    /// Table only: the compact report (verdict, categories, one line per
    /// blocker) instead of every check, finding and fix.
    pub compact: bool,
    /// Human formats: rule messages as written, with their globs and patterns.
    pub verbose: bool,
}

pub fn renderer(format: Format, options: RenderOptions) -> Box<dyn Renderer> {
    match format {
        Format::Table => Box::new(table::Table {
            color: options.color,
            width: options.width,
            compact: options.compact,
            verbose: options.verbose,
        }),
        Format::Markdown => Box::new(markdown::Markdown {
            summary: options.summary,
        }),
        Format::Json => Box::new(json::Json),
        Format::Sarif => Box::new(sarif::Sarif {
            anchors: options.anchors,
        }),
        Format::Junit => Box::new(junit::JUnit),
        Format::Github => Box::new(github::GitHub),
        Format::Gitlab => Box::new(gitlab::GitLab {
            anchors: options.anchors,
        }),
        Format::Html => Box::new(html::Html),
    }
}

/// Renders `report`. Every format but the machine-read ones (JSON, SARIF,
/// whose encoders escape) sees the report with control characters escaped
/// in every string: file names and quoted lines come from the audited
/// repository and must not drive the terminal or forge lines.
pub fn render(report: &Report, format: Format, options: RenderOptions) -> String {
    match format {
        Format::Json | Format::Sarif => renderer(format, options).render(report),
        _ => {
            let safe = crate::redact::rewrite_strings(report, crate::escape::control);
            renderer(format, options).render(&safe)
        }
    }
}
