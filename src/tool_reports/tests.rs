//! Test results: JUnit XML (any runner: surefire, pytest, jest-junit,
//! gotestsum, nextest…), `go test -json` and Visual Studio TRX.

use super::{Body, Detection, Family, malformed, parse_time, report};
use jiff::Timestamp;
use quick_xml::events::{BytesStart, Event};
use serde_json::Value;
use std::collections::BTreeMap;

/// Failed names kept for the report (the counts stay exact).
const NAMES_KEPT: usize = 10;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TestSummary {
    pub total: u64,
    pub failed: u64,
    pub errored: u64,
    pub skipped: u64,
    /// Some failed or errored tests, by name.
    pub failing: Vec<String>,
}

impl TestSummary {
    pub fn passed(&self) -> u64 {
        self.total
            .saturating_sub(self.failed + self.errored + self.skipped)
    }

    fn fail(&mut self, name: String, errored: bool) {
        if errored {
            self.errored += 1;
        } else {
            self.failed += 1;
        }
        if self.failing.len() < NAMES_KEPT {
            self.failing.push(name);
        }
    }
}

/// JUnit's root is `<testsuites>` or `<testsuite>`; TRX's is `<TestRun>`.
pub fn read_xml(text: &str) -> Detection {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut format: Option<&'static str> = None;
    let mut summary = TestSummary::default();
    let mut date: Option<Timestamp> = None;
    // The open <testcase>, and whether a failure/error/skip was seen in it.
    let mut case: Option<(String, Option<bool>, bool)> = None;
    let mut trx_counted = false;
    let mut depth = 0usize;
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(error) => {
                return match format {
                    Some(f) => malformed(
                        Family::TestResults,
                        f,
                        format!("invalid XML at byte {}: {error}", reader.error_position()),
                    ),
                    None => Detection::NotAReport,
                };
            }
        };
        let (element, empty) = match &event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                if e.local_name().as_ref() == "testcase"
                    && let Some(open) = case.take()
                {
                    close_case(&mut summary, open);
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let name = element.local_name();
        let name = name.as_ref();
        if depth == 0 {
            format = match name {
                "testsuites" | "testsuite" => Some("JUnit XML"),
                "TestRun" => Some("TRX"),
                _ => return Detection::NotAReport,
            };
        }
        match (format, name) {
            (Some("JUnit XML"), "testsuite") => {
                if let Some(ts) = attribute(element, "timestamp").and_then(|t| parse_time(&t)) {
                    date = Some(date.map_or(ts, |d: Timestamp| d.max(ts)));
                }
            }
            (Some("JUnit XML"), "testcase") => {
                summary.total += 1;
                let label = match (attribute(element, "classname"), attribute(element, "name")) {
                    (Some(class), Some(name)) if !class.is_empty() => format!("{class}.{name}"),
                    (_, Some(name)) => name,
                    _ => "(unnamed)".to_string(),
                };
                let open = (label, None, false);
                if empty {
                    close_case(&mut summary, open);
                } else {
                    case = Some(open);
                }
            }
            (Some("JUnit XML"), "failure" | "error" | "skipped") => {
                if let Some((_, outcome, skipped)) = case.as_mut() {
                    match name {
                        "skipped" => *skipped = true,
                        // An error outranks a failure in the same case.
                        "error" => *outcome = Some(true),
                        _ => *outcome = Some(outcome.unwrap_or(false)),
                    }
                }
            }
            (Some("TRX"), "Times") => {
                date = ["finish", "start", "creation"]
                    .iter()
                    .find_map(|k| attribute(element, k).and_then(|t| parse_time(&t)));
            }
            (Some("TRX"), "Counters") => {
                let count = |k: &str| {
                    attribute(element, k)
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .unwrap_or(0)
                };
                summary.total = count("total");
                summary.failed = count("failed") + count("timeout") + count("aborted");
                summary.errored = count("error");
                summary.skipped = count("notExecuted") + count("inconclusive");
                trx_counted = true;
            }
            (Some("TRX"), "UnitTestResult") => {
                let outcome = attribute(element, "outcome").unwrap_or_default();
                if matches!(outcome.as_str(), "Failed" | "Error" | "Timeout" | "Aborted")
                    && summary.failing.len() < NAMES_KEPT
                {
                    summary
                        .failing
                        .push(attribute(element, "testName").unwrap_or_default());
                }
            }
            _ => {}
        }
        if !empty {
            depth += 1;
        }
    }
    match format {
        Some("TRX") if !trx_counted => malformed(
            Family::TestResults,
            "TRX",
            "no `<ResultSummary><Counters>` element",
        ),
        Some(f) => report(f, date, Body::Tests(summary)),
        None => Detection::NotAReport,
    }
}

fn close_case(summary: &mut TestSummary, (name, outcome, skipped): (String, Option<bool>, bool)) {
    match outcome {
        Some(errored) => summary.fail(name, errored),
        None if skipped => summary.skipped += 1,
        None => {}
    }
}

fn attribute(element: &BytesStart<'_>, name: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| a.value.to_string())
}

/// `go test -json`: one event per line. A test's last `pass`/`fail`/`skip`
/// decides it; a package that fails without any failed test (a build
/// error, a panic in `TestMain`) counts as errored.
pub fn read_go_test(events: &[Value]) -> Detection {
    let mut tests: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut packages: BTreeMap<String, String> = BTreeMap::new();
    let mut date: Option<Timestamp> = None;
    for (index, event) in events.iter().enumerate() {
        let Some(action) = event["Action"].as_str() else {
            return malformed(
                Family::TestResults,
                "go test -json",
                format!("event {} has no `Action`", index + 1),
            );
        };
        if let Some(ts) = event["Time"].as_str().and_then(parse_time) {
            date = Some(date.map_or(ts, |d: Timestamp| d.max(ts)));
        }
        if !matches!(action, "pass" | "fail" | "skip") {
            continue;
        }
        let package = event["Package"].as_str().unwrap_or_default().to_string();
        match event["Test"].as_str() {
            Some(test) => {
                tests.insert((package, test.to_string()), action.to_string());
            }
            None => {
                packages.insert(package, action.to_string());
            }
        }
    }
    let mut summary = TestSummary::default();
    for ((package, test), action) in &tests {
        summary.total += 1;
        match action.as_str() {
            "fail" => summary.fail(format!("{package}.{test}"), false),
            "skip" => summary.skipped += 1,
            _ => {}
        }
    }
    for (package, action) in &packages {
        let failed_tests = tests.iter().any(|((p, _), a)| p == package && a == "fail");
        if action == "fail" && !failed_tests {
            summary.total += 1;
            summary.fail(format!("{package} (package failed)"), true);
        }
    }
    report("go test", date, Body::Tests(summary))
}

#[cfg(test)]
mod unit {
    use super::*;

    fn summary(detection: Detection) -> TestSummary {
        match detection {
            Detection::Report(report) => match report.body {
                Body::Tests(tests) => tests,
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn junit_counts_cases_not_suite_attributes() {
        let xml = r#"<?xml version="1.0"?>
<testsuites tests="99">
  <testsuite name="a" tests="3" timestamp="2026-11-30T10:00:00">
    <testcase classname="a.B" name="ok"/>
    <testcase classname="a.B" name="bad"><failure message="x">trace</failure></testcase>
    <testcase classname="a.B" name="later"><skipped/></testcase>
    <testcase classname="a.B" name="boom"><error message="y"/></testcase>
  </testsuite>
</testsuites>"#;
        let s = summary(read_xml(xml));
        assert_eq!((s.total, s.failed, s.errored, s.skipped), (4, 1, 1, 1));
        assert_eq!(s.failing, ["a.B.bad", "a.B.boom"]);
        assert_eq!(s.passed(), 1);
    }

    #[test]
    fn trx_reads_counters_and_failed_names() {
        let xml = r#"<TestRun id="1" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
  <Times creation="2026-11-30T10:00:00.0000000+00:00" finish="2026-11-30T10:01:00.0000000+00:00"/>
  <Results><UnitTestResult testName="Api.Fails" outcome="Failed"/></Results>
  <ResultSummary outcome="Failed"><Counters total="20" executed="20" passed="18" failed="2" error="0" timeout="0" aborted="0" inconclusive="0" notExecuted="0"/></ResultSummary>
</TestRun>"#;
        let s = summary(read_xml(xml));
        assert_eq!((s.total, s.failed), (20, 2));
        assert_eq!(s.failing, ["Api.Fails"]);
    }

    #[test]
    fn go_test_last_action_wins_and_build_failures_count() {
        let lines = [
            r#"{"Time":"2026-11-30T10:00:00Z","Action":"run","Package":"p","Test":"TestA"}"#,
            r#"{"Time":"2026-11-30T10:00:01Z","Action":"pass","Package":"p","Test":"TestA"}"#,
            r#"{"Time":"2026-11-30T10:00:01Z","Action":"fail","Package":"p","Test":"TestB"}"#,
            r#"{"Time":"2026-11-30T10:00:02Z","Action":"fail","Package":"p"}"#,
            r#"{"Time":"2026-11-30T10:00:02Z","Action":"fail","Package":"q"}"#,
        ];
        let events: Vec<Value> = lines
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let s = summary(read_go_test(&events));
        assert_eq!((s.total, s.failed, s.errored), (3, 1, 1));
    }

    #[test]
    fn broken_junit_is_malformed() {
        assert!(matches!(
            read_xml("<testsuite><testcase name=\"a\"></testsuite>"),
            Detection::Malformed { .. }
        ));
    }
}
