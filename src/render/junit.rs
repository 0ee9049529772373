//! `--format junit`: JUnit XML, which every CI system can show as a test
//! report (GitLab's `artifacts:reports:junit`, Jenkins, Azure…). A category
//! is a test suite, a check a test case: failed checks are failures, checks
//! that could not be evaluated are errors, not-applicable and waived ones are
//! skipped.

use super::Renderer;
use super::text::location;
use crate::model::Status;
use crate::report::{CheckResult, Report};
use quick_junit::{NonSuccessKind, Report as JUnitReport, TestCase, TestCaseStatus, TestSuite};
use std::fmt::Write;

pub struct JUnit;

/// The body of a `<failure>` or `<error>`: the findings, then the fix.
fn details(check: &CheckResult) -> String {
    let mut out = String::new();
    for finding in &check.findings {
        match location(finding.path.as_deref(), finding.line) {
            Some(at) => {
                let _ = writeln!(out, "{at}: {}", finding.message);
            }
            None => {
                let _ = writeln!(out, "{}", finding.message);
            }
        }
    }
    let _ = write!(
        out,
        "Fix: {} (effort {}, {} stage)",
        check.remediation.trim(),
        check.effort,
        check.stage
    );
    out
}

fn status(check: &CheckResult) -> TestCaseStatus {
    let kind = match check.status {
        Status::Pass => return TestCaseStatus::success(),
        Status::Skip => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(check.message.as_str());
            return status;
        }
        // Accepted on the record (readyctl.toml [[waivers]]): not a failure.
        Status::Waived => {
            let mut status = TestCaseStatus::skipped();
            let note = check
                .waiver
                .as_ref()
                .map(super::text::waiver_note)
                .unwrap_or_default();
            status.set_message(format!("waived: {note}"));
            return status;
        }
        Status::Fail => NonSuccessKind::Failure,
        Status::Error => NonSuccessKind::Error,
    };
    let mut status = TestCaseStatus::non_success(kind);
    status
        .set_message(check.message.as_str())
        .set_type(check.severity.id())
        .set_description(details(check));
    status
}

fn test_case(check: &CheckResult) -> TestCase {
    // Live checks run once per target: the target keeps the names unique.
    let name = match &check.target {
        Some(target) => format!("{} ({target})", check.id),
        None => check.id.clone(),
    };
    let mut case = TestCase::new(name, status(check));
    case.set_classname(format!("readyctl.{}", check.category.id()));
    case.add_property(("title", check.title.as_str()));
    case.add_property(("severity", check.severity.id()));
    case.add_property(("stage", check.stage.id()));
    case
}

impl Renderer for JUnit {
    fn render(&self, report: &Report) -> String {
        let mut junit = JUnitReport::new(format!("readyctl: {}", report.target.name));
        for category in &report.categories {
            let cases: Vec<TestCase> = report
                .checks
                .iter()
                .filter(|c| c.category == category.id)
                .map(test_case)
                .collect();
            if cases.is_empty() {
                continue;
            }
            let mut suite = TestSuite::new(category.title.as_str());
            suite.add_test_cases(cases);
            junit.add_test_suite(suite);
        }
        let mut text = junit
            .to_string()
            .expect("a JUnit report of strings always serialises");
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text
    }
}
