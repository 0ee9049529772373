//! `--format html`: one self-contained page (no scripts, fonts or images
//! from the network) to open, share or print. The verdict and score come
//! first, then the category chart, the stages, the blockers and every check
//! with its findings and fix, with filters by category, severity and status.
//!
//! The page is a minijinja template (auto-escaped: everything in a report
//! comes from a hostile repository) over a small view of the report; the
//! chart is SVG drawn by plotters.

mod chart;

use super::Renderer;
use super::text::{format_score, location};
use crate::report::{CheckResult, Report};
use serde::Serialize;

const TEMPLATE: &str = include_str!("report.html.j2");
/// Where the built-in checks are documented.
const DOCS: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/checks.md");

pub struct Html;

#[derive(Serialize)]
struct Page<'a> {
    name: &'a str,
    path: &'a str,
    date: &'a str,
    version: &'a str,
    verdict: &'a str,
    verdict_id: &'a str,
    score: String,
    counts: String,
    gate_passed: bool,
    gate: String,
    chart: String,
    comparison: Option<String>,
    stages: Vec<Stage<'a>>,
    categories: Vec<&'a str>,
    blockers: usize,
    to_do: usize,
    checks: Vec<Check<'a>>,
}

#[derive(Serialize)]
struct Stage<'a> {
    title: &'a str,
    ready: bool,
    blockers: usize,
    to_do: usize,
    effort: &'a str,
}

#[derive(Serialize)]
struct Check<'a> {
    id: &'a str,
    title: &'a str,
    category: &'a str,
    severity: &'a str,
    status: &'a str,
    /// `blocker`, `to-do`, or empty for checks that are not unmet.
    kind: &'static str,
    stage: &'a str,
    effort: &'a str,
    message: String,
    fix: &'a str,
    docs: Option<String>,
    /// Only http(s) links: a repository's own pack could say `javascript:`.
    references: Vec<&'a str>,
    findings: Vec<Finding>,
}

#[derive(Serialize)]
struct Finding {
    place: Option<String>,
    message: String,
}

fn docs_link(check: &CheckResult) -> Option<String> {
    check.source.starts_with("builtin:").then(|| {
        let anchor: String = check
            .id
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        format!("{DOCS}#{anchor}")
    })
}

fn check_view(check: &CheckResult) -> Check<'_> {
    let kind = if super::text::is_blocker(check) {
        "blocker"
    } else if check.is_unmet() {
        "to-do"
    } else {
        ""
    };
    Check {
        id: &check.id,
        title: &check.title,
        category: check.category.title(),
        severity: check.severity.id(),
        status: check.status.id(),
        kind,
        stage: check.stage.id(),
        effort: &check.effort,
        message: super::plain::message(&check.message),
        fix: check.remediation.trim(),
        docs: docs_link(check),
        references: check
            .references
            .iter()
            .map(String::as_str)
            .filter(|r| r.starts_with("https://") || r.starts_with("http://"))
            .collect(),
        findings: check
            .findings
            .iter()
            .map(|f| Finding {
                place: location(f.path.as_deref(), f.line),
                message: format!("{}{}", f.message, super::text::finding_marks(f)),
            })
            .collect(),
    }
}

impl Renderer for Html {
    fn render(&self, report: &Report) -> String {
        // Blockers first, then what is to do, then everything else; most
        // severe first within each.
        let mut checks: Vec<&CheckResult> = report.checks.iter().collect();
        let rank = |c: &CheckResult| {
            if super::text::is_blocker(c) {
                0
            } else if c.is_unmet() {
                1
            } else {
                2
            }
        };
        checks.sort_by(|a, b| {
            rank(a)
                .cmp(&rank(b))
                .then(b.severity.cmp(&a.severity))
                .then(a.category.cmp(&b.category))
                .then(a.id.cmp(&b.id))
        });
        let previous: Vec<(String, Option<f64>)> = report
            .comparison
            .iter()
            .flat_map(|c| &c.categories)
            .map(|c| (c.title.clone(), c.change.before))
            .collect();
        let summary = &report.summary;
        let unmet = report.unmet();
        let blockers = unmet.iter().filter(|c| super::text::is_blocker(c)).count();
        let page = Page {
            name: &report.target.name,
            path: &report.target.path,
            date: report
                .generated_at
                .get(..10)
                .unwrap_or(&report.generated_at),
            version: &report.tool.version,
            verdict: summary.verdict.title(),
            verdict_id: summary.verdict.id(),
            score: format_score(summary.score),
            counts: super::text::check_counts(summary),
            gate_passed: report.gate.passed,
            gate: if report.gate.passed {
                report.gate.conditions.join("; ")
            } else {
                report.gate.reasons.join("; ")
            },
            chart: chart::categories(&report.categories, &previous),
            comparison: report
                .comparison
                .as_ref()
                .map(|c| super::text::comparison_lines(c).join(" · ")),
            stages: report
                .stages
                .iter()
                .map(|s| Stage {
                    title: &s.title,
                    ready: s.ready,
                    blockers: s.blockers,
                    to_do: s.to_do,
                    effort: &s.effort_left,
                })
                .collect(),
            categories: report.categories.iter().map(|c| c.title.as_str()).collect(),
            blockers,
            to_do: unmet.len() - blockers,
            checks: checks.into_iter().map(check_view).collect(),
        };
        let mut env = minijinja::Environment::new();
        // The file name's `.html` turns on HTML auto-escaping.
        env.add_template("report.html", TEMPLATE)
            .expect("the report template parses");
        let template = env.get_template("report.html").expect("added above");
        // The chart is our own markup; everything else is escaped.
        let context = minijinja::context! {
            page => page,
        };
        template
            .render(context)
            .expect("the view has every field the template uses")
    }
}
