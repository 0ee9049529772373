//! `--format gitlab`: GitLab Code Quality JSON, the artefact
//! (`artifacts:reports:codequality`) the merge-request widget and the
//! pipeline's Code Quality tab read. One issue per annotation, like SARIF.
//! <https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format>

use super::Renderer;
use super::annotate::annotations;
use crate::model::Severity;
use crate::report::Report;
use serde::Serialize;
use std::collections::BTreeMap;

pub struct GitLab {
    pub anchors: super::Anchors,
}

#[derive(Serialize)]
struct Issue {
    description: String,
    check_name: String,
    fingerprint: String,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
}

/// GitLab has five levels too; they line up one to one.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "blocker",
        Severity::High => "critical",
        Severity::Medium => "major",
        Severity::Low => "minor",
        Severity::Info => "info",
    }
}

impl Renderer for GitLab {
    fn render(&self, report: &Report) -> String {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let issues: Vec<Issue> = annotations(report)
            .iter()
            .map(|annotation| {
                let check = annotation.check;
                // GitLab needs a path; a repository-level issue goes to the
                // file that should change, as in SARIF.
                let (path, line) = match annotation.path {
                    Some(path) => (path.to_string(), annotation.line.unwrap_or(1)),
                    None => (self.anchors.for_check(check).unwrap_or(".").to_string(), 1),
                };
                let key = format!("{}\u{0}{path}\u{0}{}", check.id, annotation.message);
                let occurrence = seen.entry(key).or_insert(0);
                *occurrence += 1;
                Issue {
                    description: format!(
                        "{}: {} — fix: {} (effort {})",
                        check.title,
                        annotation.message,
                        check.remediation.trim(),
                        check.effort
                    ),
                    check_name: format!("readyctl/{}", check.id),
                    fingerprint: super::sarif::fingerprint(annotation, *occurrence),
                    severity: severity(check.severity),
                    location: Location {
                        path,
                        lines: Lines { begin: line },
                    },
                }
            })
            .collect();
        let mut text =
            serde_json::to_string_pretty(&issues).expect("issues are strings and numbers");
        text.push('\n');
        text
    }
}
