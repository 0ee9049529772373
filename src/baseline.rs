//! Baselines: adopt readyctl on a repository that is not ready yet without
//! a red CI from day one. `--write-baseline FILE` records today's failures;
//! `--baseline FILE` then lets the gate fail only on what is new, while the
//! report still lists the old problems, marked as baselined.
//!
//! A finding is recorded by fingerprint: check id, target, path and a hash of
//! its (already redacted) message. Line numbers are left out so that editing
//! a file above a finding does not make it "new"; the hash keeps finding
//! text out of the file, which is meant to be committed.

use crate::report::{CheckResult, Report};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

pub use crate::report::baseline::BaselineSummary;

/// The version of the baseline file format this readyctl reads and writes.
pub const BASELINE_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Where it was read from, for the report; not part of the file.
    #[serde(skip)]
    pub file: String,
    pub version: u32,
    /// When it was recorded (RFC 3339), for people reading the file.
    pub generated_at: String,
    /// Unmet checks (failed or errored), by id and target.
    pub checks: Vec<CheckEntry>,
    /// Their findings, by fingerprint; duplicates are kept, so that a third
    /// copy of a finding recorded twice is new.
    pub findings: Vec<FindingEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckEntry {
    pub check: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingEntry {
    pub check: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// 16 hex digits: FNV-1a (64-bit) of the finding's message.
    pub fingerprint: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read baseline `{file}`: {reason}")]
    Read { file: String, reason: String },
    #[error("`{file}` is not a readyctl baseline: {reason}")]
    Invalid { file: String, reason: String },
    #[error(
        "baseline `{file}` has format version {found}; this readyctl reads version {BASELINE_VERSION} (write a new one with --write-baseline)"
    )]
    Version { file: String, found: u64 },
}

/// FNV-1a, 64-bit: tiny, and unlike `std`'s hasher its output is fixed
/// forever, which a committed file needs. Not a security boundary: the input
/// is already redacted text.
fn fnv1a(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.as_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

fn check_entry(check: &CheckResult) -> CheckEntry {
    CheckEntry {
        check: check.id.clone(),
        target: check.target.clone(),
    }
}

fn finding_entries(check: &CheckResult) -> impl Iterator<Item = (usize, FindingEntry)> + '_ {
    check
        .findings
        .iter()
        .enumerate()
        // A waived finding is accepted by the waiver, which has its own expiry.
        .filter(|(_, finding)| !finding.waived)
        .map(|(index, finding)| {
            (
                index,
                FindingEntry {
                    check: check.id.clone(),
                    target: check.target.clone(),
                    path: finding.path.clone(),
                    fingerprint: fnv1a(&finding.message),
                },
            )
        })
}

impl Baseline {
    /// Records every unmet check of `report` and its findings.
    pub fn from_report(report: &Report) -> Baseline {
        let unmet = report.checks.iter().filter(|c| c.is_unmet());
        let mut checks: Vec<CheckEntry> = unmet.clone().map(check_entry).collect();
        let mut findings: Vec<FindingEntry> = unmet
            .flat_map(|check| finding_entries(check).map(|(_, entry)| entry))
            .collect();
        checks.sort();
        findings.sort();
        Baseline {
            file: String::new(),
            version: BASELINE_VERSION,
            generated_at: report.generated_at.clone(),
            checks,
            findings,
        }
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("strings and numbers only");
        text.push('\n');
        text
    }

    /// Parses a baseline file; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Baseline, BaselineError> {
        let invalid = |reason: String| BaselineError::Invalid {
            file: file.to_string(),
            reason,
        };
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|err| invalid(err.to_string()))?;
        // The version first: a future format should get "upgrade", not a
        // confusing complaint about some field.
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(found) if found == u64::from(BASELINE_VERSION) => {}
            Some(found) => {
                return Err(BaselineError::Version {
                    file: file.to_string(),
                    found,
                });
            }
            None => return Err(invalid("no `version` number".to_string())),
        }
        let mut baseline: Baseline =
            serde_json::from_value(value).map_err(|err| invalid(err.to_string()))?;
        baseline.file = file.to_string();
        Ok(baseline)
    }

    pub fn load(path: &std::path::Path) -> Result<Baseline, BaselineError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|err| BaselineError::Read {
            file: file.clone(),
            reason: err.to_string(),
        })?;
        Baseline::parse(&file, &text)
    }

    /// Marks what the baseline already knows, on findings and unmet checks,
    /// and counts what is new.
    pub fn mark(&self, report: &mut Report) -> BaselineSummary {
        let known_checks: BTreeSet<&CheckEntry> = self.checks.iter().collect();
        let mut known_findings: HashMap<&FindingEntry, usize> = HashMap::new();
        for entry in &self.findings {
            *known_findings.entry(entry).or_default() += 1;
        }
        let mut summary = BaselineSummary {
            file: self.file.clone(),
            ..BaselineSummary::default()
        };
        for check in report.checks.iter_mut().filter(|c| c.is_unmet()) {
            let mut old: Vec<usize> = Vec::new();
            let mut new = 0;
            for (index, entry) in finding_entries(check) {
                match known_findings.get_mut(&entry) {
                    Some(count) if *count > 0 => {
                        *count -= 1;
                        old.push(index);
                    }
                    _ => new += 1,
                }
            }
            for index in &old {
                check.findings[*index].baselined = true;
            }
            summary.baselined_findings += old.len();
            summary.new_findings += new;
            check.baselined = new == 0 && known_checks.contains(&check_entry(check));
            if check.baselined {
                summary.baselined_checks += 1;
            } else {
                summary.new_checks += 1;
            }
        }
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable() {
        // Pinned: changing the hash would make every committed baseline stale.
        assert_eq!(fnv1a(""), "cbf29ce484222325");
        assert_eq!(fnv1a("a"), "af63dc4c8601ec8c");
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        let err = Baseline::parse("b.json", "{").unwrap_err().to_string();
        assert!(
            err.contains("b.json") && err.contains("not a readyctl baseline"),
            "{err}"
        );
        let err = Baseline::parse("b.json", r#"{"version": 9}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("version 9"), "{err}");
        let err = Baseline::parse("b.json", r#"{"version": 1, "checks": []}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing field"), "{err}");
    }
}
