//! `--format github`: GitHub Actions workflow commands. Printed in a job's
//! log, each line becomes an annotation on the pull request's diff (or on the
//! run, for repository-level failures), without any upload step.

use super::Renderer;
use super::annotate::{Annotation, Level, annotations};
use super::text::format_score;
use crate::report::Report;
use std::fmt::Write;

pub struct GitHub;

/// The message part: GitHub reads `%`, CR and LF as encoding, not text.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: also `:` and `,`, which end a value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn command(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "notice",
    }
}

fn annotation_line(annotation: &Annotation<'_>) -> String {
    let check = annotation.check;
    let mut properties = Vec::new();
    if let Some(path) = annotation.path {
        properties.push(format!("file={}", escape_property(path)));
        if let Some(line) = annotation.line {
            properties.push(format!("line={line}"));
        }
    }
    properties.push(format!(
        "title={}",
        escape_property(&format!("readyctl {} ({})", check.id, check.severity))
    ));
    let place = if annotation.is_repository_level() {
        " [repository-level]"
    } else {
        ""
    };
    let message = format!(
        "{}: {}{place}\nFix: {} (effort {}, {} stage)",
        check.title,
        super::plain::message(&annotation.message),
        check.remediation.trim(),
        check.effort,
        check.stage
    );
    format!(
        "::{} {}::{}",
        command(annotation.level()),
        properties.join(","),
        escape_data(&message)
    )
}

fn summary_line(report: &Report) -> String {
    let summary = &report.summary;
    let gate = if report.gate.passed {
        "gate passed".to_string()
    } else {
        format!("gate failed: {}", report.gate.reasons.join("; "))
    };
    let message = format!(
        "{} (score {}, {}); {gate}",
        summary.verdict.title(),
        format_score(summary.score),
        super::text::check_counts(summary),
    );
    format!(
        "::notice title={}::{}",
        escape_property(&format!("readyctl: {}", report.target.name)),
        escape_data(&message)
    )
}

/// Annotations GitHub shows per kind (error, warning, notice) and step; the
/// rest are dropped without a word, so we drop them ourselves and say so.
/// <https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands>
pub const PER_KIND: usize = 10;

impl Renderer for GitHub {
    /// The summary first (it is the one line everyone reads, and GitHub
    /// counts it as a notice), then the most severe annotations, at most
    /// [`PER_KIND`] of each kind, then a line for what was left out.
    fn render(&self, report: &Report) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{}", summary_line(report));
        // The summary is a notice too.
        let mut shown = [0usize, 0, 1];
        let mut left_out = [0usize, 0, 0];
        // `annotations` is most severe first already.
        for annotation in annotations(report) {
            let kind = match annotation.level() {
                Level::Error => 0,
                Level::Warning => 1,
                Level::Note => 2,
            };
            if shown[kind] < PER_KIND {
                shown[kind] += 1;
                let _ = writeln!(out, "{}", annotation_line(&annotation));
            } else {
                left_out[kind] += 1;
            }
        }
        let dropped: usize = left_out.iter().sum();
        if dropped > 0 {
            // Plain log text, not an annotation: the notice quota is spent.
            let _ = writeln!(
                out,
                "readyctl: {dropped} more annotation(s) left out ({} error, {} warning, {} notice; GitHub shows {PER_KIND} of each kind per step); the job summary and `--format markdown` list every one.",
                left_out[0], left_out[1], left_out[2]
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escapes_percent_and_line_breaks() {
        assert_eq!(escape_data("100%\r\nok"), "100%25%0D%0Aok");
    }

    #[test]
    fn properties_also_escape_separators() {
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A".to_string());
    }
}
