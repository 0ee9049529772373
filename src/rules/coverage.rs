//! `coverage`: committed coverage reports reach a minimum line coverage.
//!
//! The report files are kept whole by the scan and parsed here. Five formats
//! are read, recognised by their content rather than their name (CI tools
//! name them freely): lcov tracefiles, Go cover profiles, Cobertura, Clover
//! and JaCoCo XML.

use super::paths::{describe_globs, validate_globs};
use super::{Outcome, Spanned, Validator};
use crate::model::{Finding, Status};
use crate::scan::{DocumentsId, Evidence, PlanBuilder, SelectorSpec};
use quick_xml::events::{BytesStart, Event};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::HashMap;

/// ```yaml
/// coverage:
///   paths: ["**/lcov.info", "**/coverage.out", "**/coverage.xml", "**/jacoco*.xml"]
///   min: 70
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CoverageSpec {
    /// Globs of the coverage reports.
    #[schemars(with = "Vec<String>")]
    pub paths: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub exclude: Vec<Spanned<String>>,
    /// Minimum line coverage, in percent, that every report must reach.
    #[schemars(with = "f64")]
    pub min: Spanned<f64>,
    /// Also read coverage reports found by their content anywhere in the
    /// tree (the discovery tool reports use), whatever their name; files
    /// found this way that are not coverage reports are ignored.
    #[serde(default)]
    pub discover: bool,
}

impl CoverageSpec {
    pub fn validate(&self, v: &mut Validator<'_>) {
        validate_globs(v, &self.paths, &self.exclude);
        if self.paths.is_empty() {
            v.error(v.at, "a coverage rule needs `paths` naming the reports");
        }
        if !(0.0..=100.0).contains(&self.min.value) {
            v.error_at(&self.min, "`min` is a percentage between 0 and 100");
        }
    }

    pub fn plan(&self, plan: &mut PlanBuilder) -> Coverage {
        let selector = plan.selector(SelectorSpec::new(&self.paths, &self.exclude, false));
        let discovered = self.discover.then(|| {
            let candidates = plan.selector(SelectorSpec::from_strs(
                crate::tool_reports::COVERAGE_CANDIDATES,
                crate::tool_reports::NOT_CANDIDATES,
            ));
            plan.documents_containing(candidates, crate::tool_reports::COVERAGE_SIGNATURES)
        });
        Coverage {
            reports: plan.documents(selector, true),
            discovered,
            min: self.min.value,
            describe: describe_globs(&self.paths),
        }
    }
}

#[derive(Debug)]
pub struct Coverage {
    reports: DocumentsId,
    /// Candidates found by content (`discover`).
    discovered: Option<DocumentsId>,
    min: f64,
    describe: String,
}

impl Coverage {
    pub fn evaluate(&self, evidence: &Evidence) -> Outcome {
        let named = evidence.documents(self.reports);
        // Reports found by content join those matched by name, once each;
        // a candidate that does not parse as coverage is not a report.
        let extra: Vec<&crate::scan::Document> = self
            .discovered
            .map(|id| evidence.documents(id))
            .into_iter()
            .flat_map(|d| d.files.iter())
            .filter(|d| !named.files.iter().any(|n| n.path == d.path))
            .filter(|d| {
                d.text
                    .as_deref()
                    .is_some_and(|t| parse(t).is_ok_and(|r| r.total > 0))
            })
            .collect();
        let count = named.count + extra.len();
        let files: Vec<&crate::scan::Document> = named.files.iter().chain(extra).collect();
        let mut findings = Vec::new();
        let mut measured = Vec::new();
        let mut below = 0;
        for document in files {
            let Some(text) = &document.text else {
                findings.push(Finding::at(
                    document.path.clone(),
                    None,
                    "not read (binary, too large, unreadable or over the in-memory limit; see the scan problems)",
                ));
                continue;
            };
            match parse(text) {
                Ok(report) if report.total == 0 => findings.push(Finding::at(
                    document.path.clone(),
                    None,
                    format!("{} report that measures no lines", report.format.name()),
                )),
                Ok(report) => {
                    let percent = report.percent();
                    let verdict = if percent + f64::EPSILON < self.min {
                        below += 1;
                        "below"
                    } else {
                        "meets"
                    };
                    findings.push(Finding::at(
                        document.path.clone(),
                        None,
                        format!(
                            "{}: {} of {} {} covered ({}), {verdict} the {} minimum",
                            report.format.name(),
                            report.covered,
                            report.total,
                            report.format.unit(),
                            format_percent(percent),
                            format_percent(self.min),
                        ),
                    ));
                    measured.push(percent);
                }
                Err(reason) => findings.push(Finding::at(
                    document.path.clone(),
                    None,
                    format!("not a coverage report readyctl can read: {reason}"),
                )),
            }
        }
        if measured.is_empty() && count == 0 && self.discovered.is_some() {
            // The check's `when` saw something that looked like a report by
            // content, but nothing parsed as one: there is nothing to judge.
            return Outcome::skip(format!(
                "no coverage report found by name ({}) or by content",
                self.describe
            ));
        }
        if measured.is_empty() {
            let message = if count == 0 {
                format!("no coverage report matches {}", self.describe)
            } else {
                format!(
                    "none of the {} file(s) matching {} is a readable coverage report",
                    count, self.describe
                )
            };
            if count == 0 {
                return Outcome::nothing_to_judge(message);
            }
            let status = Status::Error;
            return Outcome {
                status,
                message,
                findings,
            };
        }
        let lowest = measured.iter().copied().fold(f64::INFINITY, f64::min);
        if below > 0 {
            Outcome::fail(
                format!(
                    "{below} of {} report(s) below {} (lowest {})",
                    measured.len(),
                    format_percent(self.min),
                    format_percent(lowest)
                ),
                findings,
            )
        } else {
            Outcome::pass(
                format!(
                    "{} report(s) at or above {} (lowest {})",
                    measured.len(),
                    format_percent(self.min),
                    format_percent(lowest)
                ),
                findings,
            )
        }
    }
}

fn format_percent(value: f64) -> String {
    let text = format!("{value:.1}");
    format!("{}%", text.strip_suffix(".0").unwrap_or(&text))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Lcov,
    GoProfile,
    Cobertura,
    Clover,
    Jacoco,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Lcov => "lcov",
            Format::GoProfile => "Go cover profile",
            Format::Cobertura => "Cobertura",
            Format::Clover => "Clover",
            Format::Jacoco => "JaCoCo",
        }
    }

    /// Go profiles and Clover count statements, not lines; the message says so.
    fn unit(self) -> &'static str {
        match self {
            Format::GoProfile | Format::Clover => "statements",
            _ => "lines",
        }
    }
}

/// Line coverage found in one report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Report {
    pub format: Format,
    pub covered: u64,
    pub total: u64,
}

impl Report {
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        self.covered as f64 * 100.0 / self.total as f64
    }
}

/// Recognises the format of a report from its content and parses it.
pub fn parse(text: &str) -> Result<Report, String> {
    let start = text.trim_start_matches('\u{feff}').trim_start();
    if start.starts_with("mode:") {
        return parse_go(start);
    }
    if start.starts_with('<') {
        return parse_xml(start);
    }
    if start
        .lines()
        .any(|line| line.starts_with("SF:") || line.starts_with("TN:"))
    {
        return parse_lcov(start);
    }
    Err("not lcov, a Go cover profile, Cobertura or JaCoCo XML".to_string())
}

/// lcov: per source file, `LF`/`LH` give lines found and hit; when a
/// generator omits them the `DA:<line>,<hits>` records are counted instead.
fn parse_lcov(text: &str) -> Result<Report, String> {
    let mut covered = 0;
    let mut total = 0;
    let mut record = LcovRecord::default();
    let mut records = 0;
    for line in text.lines().map(str::trim) {
        if let Some(value) = line.strip_prefix("LF:") {
            record.found = Some(number(value, "LF")?);
        } else if let Some(value) = line.strip_prefix("LH:") {
            record.hit = Some(number(value, "LH")?);
        } else if let Some(value) = line.strip_prefix("DA:") {
            let hits = value
                .split(',')
                .nth(1)
                .ok_or_else(|| format!("malformed `DA:{value}`"))?;
            record.da_found += 1;
            // Some generators write hit counts as floats or negative numbers
            // for unexecutable lines; anything above zero is covered.
            if hits.trim().parse::<f64>().is_ok_and(|h| h > 0.0) {
                record.da_hit += 1;
            }
        } else if line == "end_of_record" {
            let (hit, found) = record.totals();
            covered += hit;
            total += found;
            records += 1;
            record = LcovRecord::default();
        }
    }
    if records == 0 {
        return Err("lcov tracefile without any `end_of_record`".to_string());
    }
    Ok(Report {
        format: Format::Lcov,
        covered,
        total,
    })
}

#[derive(Default)]
struct LcovRecord {
    found: Option<u64>,
    hit: Option<u64>,
    da_found: u64,
    da_hit: u64,
}

impl LcovRecord {
    fn totals(&self) -> (u64, u64) {
        match (self.hit, self.found) {
            (Some(hit), Some(found)) => (hit, found),
            _ => (self.da_hit, self.da_found),
        }
    }
}

fn number(value: &str, field: &str) -> Result<u64, String> {
    value
        .trim()
        .parse()
        .map_err(|_| format!("`{field}:` is not a number: `{value}`"))
}

/// Go: `mode: set` then `file.go:12.34,15.2 3 1` (block, statements, hits).
/// The same block appears once per test binary when profiles are merged or
/// `-coverpkg` is used, so blocks are keyed and their hits combined.
fn parse_go(text: &str) -> Result<Report, String> {
    let mut blocks: HashMap<&str, (u64, bool)> = HashMap::new();
    for (index, line) in text.lines().enumerate().skip(1) {
        let line = line.trim();
        if line.is_empty() || line.starts_with("mode:") {
            continue;
        }
        let malformed = || format!("line {}: malformed profile line `{line}`", index + 1);
        let mut fields = line.rsplitn(3, ' ');
        let hits = fields.next().ok_or_else(malformed)?;
        let statements = fields.next().ok_or_else(malformed)?;
        let block = fields.next().ok_or_else(malformed)?;
        let statements: u64 = statements.parse().map_err(|_| malformed())?;
        let hits: u64 = hits.parse().map_err(|_| malformed())?;
        let entry = blocks.entry(block).or_insert((statements, false));
        entry.1 |= hits > 0;
    }
    let total = blocks.values().map(|(n, _)| n).sum();
    let covered = blocks
        .values()
        .filter(|(_, hit)| *hit)
        .map(|(n, _)| n)
        .sum();
    Ok(Report {
        format: Format::GoProfile,
        covered,
        total,
    })
}

/// Cobertura's root `<coverage>` carries `lines-covered`/`lines-valid` (or at
/// least `line-rate`); Clover's root `<coverage>` has none of them but a
/// `<project><metrics statements= coveredstatements=>`; JaCoCo's root
/// `<report>` has `<counter type="LINE">` children with the report's totals.
fn parse_xml(text: &str) -> Result<Report, String> {
    let mut reader = quick_xml::Reader::from_str(text);
    // Names of the open elements, outermost first.
    let mut open: Vec<String> = Vec::new();
    let mut root: Option<Format> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("invalid XML at byte {}: {e}", reader.error_position()))?;
        let (element, empty) = match &event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(_) => {
                open.pop();
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let name = element.local_name().as_ref().to_string();
        match (open.len(), root, name.as_str()) {
            (0, _, "coverage") => {
                if let Some(report) = cobertura(element)? {
                    return Ok(report);
                }
                root = Some(Format::Clover);
            }
            (0, _, "report") => root = Some(Format::Jacoco),
            (0, _, other) => {
                return Err(format!(
                    "XML root `<{other}>` is not Cobertura, Clover or JaCoCo"
                ));
            }
            (1, Some(Format::Jacoco), "counter")
                if attribute(element, "type").as_deref() == Some("LINE") =>
            {
                let missed = attribute_number(element, "missed")?;
                let covered = attribute_number(element, "covered")?;
                return Ok(Report {
                    format: Format::Jacoco,
                    covered,
                    total: covered + missed,
                });
            }
            (2, Some(Format::Clover), "metrics")
                if open.last().map(String::as_str) == Some("project") =>
            {
                let total = attribute_number(element, "statements")?;
                let covered = attribute_number(element, "coveredstatements")?;
                return Ok(Report {
                    format: Format::Clover,
                    covered,
                    total,
                });
            }
            _ => {}
        }
        if !empty {
            open.push(name);
        }
    }
    match root {
        Some(format) => Ok(Report {
            format,
            covered: 0,
            total: 0,
        }),
        None => Err("empty XML document".to_string()),
    }
}

/// The Cobertura reading of a root `<coverage>`, or `None` when it has none of
/// Cobertura's attributes (a Clover report).
fn cobertura(root: &BytesStart<'_>) -> Result<Option<Report>, String> {
    let covered = attribute(root, "lines-covered").and_then(|v| v.parse::<u64>().ok());
    let valid = attribute(root, "lines-valid").and_then(|v| v.parse::<u64>().ok());
    if let (Some(covered), Some(total)) = (covered, valid) {
        return Ok(Some(Report {
            format: Format::Cobertura,
            covered,
            total,
        }));
    }
    let Some(rate) = attribute(root, "line-rate") else {
        return Ok(None);
    };
    // Old coverage.py and some converters write only the rate; express it per
    // mille so the percentage survives without inventing line counts.
    let rate = rate
        .parse::<f64>()
        .ok()
        .filter(|r| (0.0..=1.0).contains(r))
        .ok_or_else(|| format!("Cobertura `line-rate` is not a rate: `{rate}`"))?;
    Ok(Some(Report {
        format: Format::Cobertura,
        covered: (rate * 1000.0).round() as u64,
        total: 1000,
    }))
}

fn attribute(element: &BytesStart<'_>, name: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| a.value.to_string())
}

fn attribute_number(element: &BytesStart<'_>, name: &str) -> Result<u64, String> {
    attribute(element, name)
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| format!("JaCoCo LINE counter without a numeric `{name}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lcov_uses_line_totals_or_counts_da_records() {
        let with_totals = "TN:\nSF:a.js\nDA:1,1\nLF:10\nLH:7\nend_of_record\nSF:b.js\nLF:10\nLH:1\nend_of_record\n";
        let report = parse(with_totals).unwrap();
        assert_eq!(
            (report.format, report.covered, report.total),
            (Format::Lcov, 8, 20)
        );
        let only_da = "SF:a.js\nDA:1,3\nDA:2,0\nDA:3,1\nDA:4,0\nend_of_record\n";
        assert_eq!(parse(only_da).unwrap().percent(), 50.0);
    }

    #[test]
    fn go_profiles_merge_repeated_blocks() {
        let profile = "mode: count\n\
            a.go:1.1,3.2 2 0\n\
            a.go:4.1,6.2 3 5\n\
            a.go:1.1,3.2 2 1\n\
            b.go:1.1,2.2 5 0\n";
        let report = parse(profile).unwrap();
        assert_eq!(report.format, Format::GoProfile);
        assert_eq!((report.covered, report.total), (5, 10));
        assert!(parse("mode: set\nnot a block\n").is_err());
    }

    #[test]
    fn cobertura_prefers_line_counts_then_rate() {
        let counts = r#"<?xml version="1.0" ?>
<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">
<coverage line-rate="0.5" lines-covered="3" lines-valid="4" version="7.4"><packages/></coverage>"#;
        let report = parse(counts).unwrap();
        assert_eq!(
            (report.format, report.covered, report.total),
            (Format::Cobertura, 3, 4)
        );
        let rate = r#"<coverage line-rate="0.615" branch-rate="0"></coverage>"#;
        assert!((parse(rate).unwrap().percent() - 61.5).abs() < 1e-9);
    }

    #[test]
    fn jacoco_reads_the_report_level_line_counter_only() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd">
<report name="svc">
  <package name="a">
    <counter type="LINE" missed="100" covered="0"/>
  </package>
  <counter type="INSTRUCTION" missed="5" covered="5"/>
  <counter type="LINE" missed="30" covered="90"/>
</report>"#;
        let report = parse(xml).unwrap();
        assert_eq!(
            (report.format, report.covered, report.total),
            (Format::Jacoco, 90, 120)
        );
    }

    #[test]
    fn clover_reads_the_project_metrics() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<coverage generated="1767225600" clover="3.2.0">
  <project timestamp="1767225600">
    <file name="a.php"><metrics statements="10" coveredstatements="1"/></file>
    <metrics files="1" loc="40" ncloc="30" statements="50" coveredstatements="45" elements="60" coveredelements="50"/>
  </project>
</coverage>"#;
        let report = parse(xml).unwrap();
        assert_eq!(
            (report.format, report.covered, report.total),
            (Format::Clover, 45, 50)
        );
    }

    #[test]
    fn other_files_are_not_reports() {
        assert!(parse("<project><modelVersion/></project>").is_err());
        assert!(parse("hello").is_err());
        assert!(parse("<coverage").is_err());
    }

    #[test]
    fn percentages_print_without_noise() {
        assert_eq!(format_percent(80.0), "80%");
        assert_eq!(format_percent(66.666), "66.7%");
    }
}
