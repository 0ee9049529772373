//! Unmet checks as located messages: what the CI formats (SARIF, GitHub
//! workflow commands) attach to a file and line. Both use this one list so a
//! code-scanning alert and a pull-request annotation always say the same.

use crate::model::{Severity, Status};
use crate::report::{CheckResult, Report};

/// How loud an annotation is. CI systems have three levels; readyctl has five
/// severities, so the two lowest and the two highest share one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Note,
}

impl Level {
    pub fn of(severity: Severity) -> Level {
        match severity {
            Severity::Critical | Severity::High => Level::Error,
            Severity::Medium => Level::Warning,
            Severity::Low | Severity::Info => Level::Note,
        }
    }
}

/// One thing to show a reviewer: a finding of an unmet check, or the check
/// itself when it has nothing to point at ("no backup job").
#[derive(Debug, Clone)]
pub struct Annotation<'a> {
    pub check: &'a CheckResult,
    /// Relative to the audited root; `None` for a repository-level failure.
    pub path: Option<&'a str>,
    pub line: Option<usize>,
    /// The finding's text (secrets are already redacted by the rules), or
    /// the check's own message for a repository-level failure.
    pub message: String,
    /// Already recorded in the `--baseline` (a finding, or the whole check
    /// for a repository-level annotation).
    pub baselined: bool,
}

impl Annotation<'_> {
    pub fn level(&self) -> Level {
        Level::of(self.check.severity)
    }

    pub fn is_repository_level(&self) -> bool {
        self.path.is_none()
    }
}

/// Every failed or errored check as annotations, most severe first: one per
/// located finding; findings without a place ("and 12 more") are appended to
/// the last located one, or make up a single repository-level annotation
/// when nothing is located.
pub fn annotations(report: &Report) -> Vec<Annotation<'_>> {
    let mut out = Vec::new();
    for check in report.unmet() {
        // A waiver accepted those findings; annotating them would be noise.
        let open = || check.findings.iter().filter(|f| !f.waived);
        let mut located: Vec<Annotation<'_>> = open()
            .filter_map(|f| {
                f.path.as_deref().map(|path| Annotation {
                    check,
                    path: Some(path),
                    line: f.line,
                    message: f.message.clone(),
                    baselined: f.baselined,
                })
            })
            .collect();
        let notes: Vec<&str> = open()
            .filter(|f| f.path.is_none())
            .map(|f| f.message.as_str())
            .collect();
        match located.last_mut() {
            Some(last) => {
                for note in &notes {
                    last.message = format!("{}; {note}", last.message);
                }
            }
            None => {
                let mut message = repository_message(check);
                for note in &notes {
                    message = format!("{message}; {note}");
                }
                located.push(Annotation {
                    check,
                    path: None,
                    line: None,
                    message,
                    baselined: check.baselined,
                });
            }
        }
        out.extend(located);
    }
    out
}

fn repository_message(check: &CheckResult) -> String {
    let what = if check.status == Status::Error {
        format!("could not be checked: {}", check.message)
    } else {
        check.message.clone()
    };
    match &check.target {
        Some(target) => format!("{what} (live target {target})"),
        None => what,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_fold_into_three_levels() {
        assert_eq!(Level::of(Severity::Critical), Level::Error);
        assert_eq!(Level::of(Severity::High), Level::Error);
        assert_eq!(Level::of(Severity::Medium), Level::Warning);
        assert_eq!(Level::of(Severity::Low), Level::Note);
        assert_eq!(Level::of(Severity::Info), Level::Note);
    }
}
