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
        annotation.message,
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

impl Renderer for GitHub {
    fn render(&self, report: &Report) -> String {
        let mut out = String::new();
        for annotation in annotations(report) {
            let _ = writeln!(out, "{}", annotation_line(&annotation));
        }
        let _ = writeln!(out, "{}", summary_line(report));
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
