//! `--format sarif`: SARIF 2.1.0, the format GitHub code scanning (and most
//! static-analysis dashboards) ingest. Every check is a rule; every finding
//! of a failed or errored check is a result pointing at its file and line.
//!
//! The document is built with the `serde-sarif` types, which are generated
//! from the official schema, so the shape cannot drift from the standard.

use super::Renderer;
use super::annotate::{Annotation, Level, annotations};
use crate::model::{Category, Severity};
use crate::report::{CheckResult, Report};
use serde_json::json;
use serde_sarif::sarif;
use std::collections::BTreeMap;

pub struct Sarif {
    /// Files at the audited root that repository-level results point at.
    pub anchors: super::Anchors,
}

/// GitHub's scale for `security-severity` (CVSS-like, 0.0–10.0): what makes
/// code scanning show critical/high/medium/low instead of a generic error.
fn security_severity(severity: Severity) -> Option<&'static str> {
    match severity {
        Severity::Critical => Some("9.5"),
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.5"),
        Severity::Low => Some("3.0"),
        Severity::Info => None,
    }
}

fn is_security(category: Category) -> bool {
    matches!(category, Category::Security | Category::Secrets)
}

/// Where results go that concern the repository as a whole.
const ROOT: &str = ".";
/// Tells readers (and GitHub) that URIs are relative to the checkout.
const SRCROOT: &str = "%SRCROOT%";
/// Versioned, so a change of the hashing can be announced by a new key
/// instead of silently re-opening every alert.
const FINGERPRINT_KEY: &str = "readyctl/v1";

fn level(level: Level) -> sarif::ResultLevel {
    match level {
        Level::Error => sarif::ResultLevel::Error,
        Level::Warning => sarif::ResultLevel::Warning,
        Level::Note => sarif::ResultLevel::Note,
    }
}

fn level_id(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "note",
    }
}

fn properties(pairs: BTreeMap<String, serde_json::Value>) -> sarif::PropertyBag {
    sarif::PropertyBag::builder()
        .additional_properties(pairs)
        .build()
}

fn rule(check: &CheckResult) -> sarif::ReportingDescriptor {
    let help = format!(
        "{}\n\nEffort: {} ({} stage).",
        check.remediation.trim(),
        check.effort,
        check.stage
    );
    let mut props = BTreeMap::new();
    props.insert("category".to_string(), json!(check.category.id()));
    props.insert("severity".to_string(), json!(check.severity.id()));
    props.insert("stage".to_string(), json!(check.stage.id()));
    props.insert("effort".to_string(), json!(check.effort));
    let mut tags = vec![
        "readyctl".to_string(),
        "production-readiness".to_string(),
        check.category.id().to_string(),
    ];
    if is_security(check.category)
        && let Some(score) = security_severity(check.severity)
    {
        props.insert("security-severity".to_string(), json!(score));
        // The security category already names itself; tags must be unique.
        if !tags.iter().any(|t| t == "security") {
            tags.push("security".to_string());
        }
    }
    let configuration = sarif::ReportingConfiguration::builder()
        .level(json!(level_id(Level::of(check.severity))))
        .build();
    let descriptor = sarif::ReportingDescriptor::builder()
        .id(check.id.clone())
        .name(check.title.clone())
        .short_description(&check.title)
        .full_description(&check.description.trim().to_string())
        .help(
            sarif::MultiformatMessageString::builder()
                .text(help.clone())
                .markdown(help)
                .build(),
        )
        .default_configuration(configuration)
        .properties(
            sarif::PropertyBag::builder()
                .tags(tags)
                .additional_properties(props)
                .build(),
        );
    match check.references.first() {
        Some(uri) => descriptor.help_uri(uri.clone()).build(),
        None => descriptor.build(),
    }
}

/// FNV-1a: tiny, and unlike `std`'s hasher guaranteed to give the same
/// value on every platform and Rust version, which fingerprints need.
fn fnv1a(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Identifies a finding across runs even when lines move: the check, the
/// file, the (redacted) message with digits dropped, and which occurrence of
/// that triple it is.
pub(super) fn fingerprint(annotation: &Annotation<'_>, occurrence: usize) -> String {
    let message: String = annotation
        .message
        .chars()
        .filter(|c| !c.is_ascii_digit())
        .collect();
    let key = format!(
        "{}\u{0}{}\u{0}{}\u{0}{occurrence}",
        annotation.check.id,
        annotation.path.unwrap_or(ROOT),
        message.trim()
    );
    format!("{:016x}", fnv1a(&key))
}

impl Sarif {
    fn location(&self, annotation: &Annotation<'_>) -> sarif::Location {
        // A repository-level result goes to the file that should change;
        // code scanning only shows results with a file and a region.
        let (uri, line) = match annotation.path {
            Some(path) => (path, annotation.line),
            None => match self.anchors.for_check(annotation.check) {
                Some(file) => (file, Some(1)),
                None => (ROOT, None),
            },
        };
        let artifact = sarif::ArtifactLocation::builder()
            .uri(uri)
            .uri_base_id(SRCROOT)
            .build();
        let physical = match line {
            Some(line) => sarif::PhysicalLocation::builder()
                .artifact_location(artifact)
                .region(sarif::Region::builder().start_line(line as i64).build())
                .build(),
            None => sarif::PhysicalLocation::builder()
                .artifact_location(artifact)
                .build(),
        };
        sarif::Location::builder()
            .physical_location(physical)
            .build()
    }

    fn result(
        &self,
        annotation: &Annotation<'_>,
        rule_index: usize,
        occurrence: usize,
        with_baseline: bool,
    ) -> sarif::Result {
        let check = annotation.check;
        let text = if annotation.is_repository_level() {
            format!(
                "{}: {} (repository-level: shown at the file to change)",
                check.title, annotation.message
            )
        } else {
            format!("{}: {}", check.title, annotation.message)
        };
        let mut props = BTreeMap::new();
        props.insert("status".to_string(), json!(check.status.id()));
        props.insert("severity".to_string(), json!(check.severity.id()));
        props.insert("stage".to_string(), json!(check.stage.id()));
        props.insert(
            "repositoryLevel".to_string(),
            json!(annotation.is_repository_level()),
        );
        if let Some(target) = &check.target {
            props.insert("target".to_string(), json!(target));
        }
        let mut fingerprints = BTreeMap::new();
        fingerprints.insert(
            FINGERPRINT_KEY.to_string(),
            fingerprint(annotation, occurrence),
        );
        // GitHub's own key, in its `hash:occurrence` shape: given, it is used
        // instead of a hash of the line's text, which for a repository-level
        // result (line 1 of a manifest) would change with unrelated edits.
        fingerprints.insert(
            "primaryLocationLineHash".to_string(),
            format!("{}:{occurrence}", fingerprint(annotation, 0)),
        );
        let mut result = sarif::Result::builder()
            .rule_id(check.id.clone())
            .rule_index(rule_index as i64)
            .level(level(annotation.level()))
            .message(&text)
            .locations(vec![self.location(annotation)])
            .partial_fingerprints(fingerprints)
            .properties(properties(props))
            .build();
        // Code scanning uses this to tell what a pull request introduced.
        if with_baseline {
            let state = if annotation.baselined {
                "unchanged"
            } else {
                "new"
            };
            result.baseline_state = Some(json!(state));
        }
        result
    }
}

impl Renderer for Sarif {
    fn render(&self, report: &Report) -> String {
        // Live checks appear once per target; a rule is declared once.
        let mut rule_ids: Vec<&str> = Vec::new();
        let mut rules = Vec::new();
        for check in &report.checks {
            if !rule_ids.contains(&check.id.as_str()) {
                rule_ids.push(&check.id);
                rules.push(rule(check));
            }
        }
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let results: Vec<sarif::Result> = annotations(report)
            .iter()
            .map(|annotation| {
                let index = rule_ids
                    .iter()
                    .position(|id| *id == annotation.check.id)
                    .expect("every unmet check is among the report's checks");
                let key = format!(
                    "{}\u{0}{}\u{0}{}",
                    annotation.check.id,
                    annotation.path.unwrap_or(ROOT),
                    annotation.message
                );
                let occurrence = seen.entry(key).or_insert(0);
                *occurrence += 1;
                self.result(annotation, index, *occurrence, report.baseline.is_some())
            })
            .collect();

        let driver = sarif::ToolComponent::builder()
            .name(report.tool.name.clone())
            .information_uri(env!("CARGO_PKG_HOMEPAGE"))
            .version(report.tool.version.clone())
            .semantic_version(report.tool.version.clone())
            .rules(rules)
            .build();
        let mut run_props = BTreeMap::new();
        run_props.insert("verdict".to_string(), json!(report.summary.verdict.id()));
        run_props.insert("score".to_string(), json!(report.summary.score));
        run_props.insert("gatePassed".to_string(), json!(report.gate.passed));
        let run = sarif::Run::builder()
            .tool(driver)
            .results(results)
            .properties(properties(run_props))
            .build();
        let log = sarif::Sarif::builder()
            .schema(sarif::SCHEMA_URL)
            .version(json!(sarif::Version::V2_1_0.to_string()))
            .runs(vec![run])
            .build();
        let mut text = serde_json::to_string_pretty(&log)
            .expect("a SARIF log contains only strings, numbers and lists");
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, Severity, Stage, Status};

    fn check() -> CheckResult {
        CheckResult {
            id: "secrets.cloud-keys".into(),
            title: "No cloud keys".into(),
            category: Category::Secrets,
            severity: Severity::Critical,
            stage: Stage::Beta,
            status: Status::Fail,
            skip_reason: None,
            message: "1 occurrence(s) found".into(),
            description: String::new(),
            remediation: String::new(),
            effort: "1h".into(),
            effort_minutes: 60,
            references: Vec::new(),
            findings: Vec::new(),
            source: "builtin:secrets.yaml".into(),
            target: None,
            waiver: None,
            baselined: false,
        }
    }

    fn at<'a>(check: &'a CheckResult, line: usize, message: &str) -> Annotation<'a> {
        Annotation {
            check,
            path: Some("src/config.go"),
            line: Some(line),
            message: message.to_string(),
            baselined: false,
        }
    }

    #[test]
    fn fingerprints_survive_moved_lines_but_tell_findings_apart() {
        let check = check();
        let key = "AWS access key ID (value redacted)";
        assert_eq!(
            fingerprint(&at(&check, 14, key), 1),
            fingerprint(&at(&check, 40, key), 1)
        );
        assert_ne!(
            fingerprint(&at(&check, 14, key), 1),
            fingerprint(&at(&check, 14, key), 2)
        );
        assert_ne!(
            fingerprint(&at(&check, 14, key), 1),
            fingerprint(&at(&check, 14, "private key (value redacted)"), 1)
        );
    }

    #[test]
    fn the_hash_is_fixed_across_platforms() {
        // FNV-1a test vectors.
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
    }
}
