//! A generic detector defers to the specific ones.
//!
//! `secrets.generic-high-entropy` flags any random-looking value assigned to
//! a secret-like name, so an AWS key in `aws_secret_key = "AKIA…"` was
//! reported twice: once as an AWS key, once as a high-entropy value. A check
//! that declares `defers_to` drops each finding at a place (target, file and
//! line) that one of the named checks also reports, and passes when nothing
//! else is left. The named checks keep their findings; the score loses the
//! duplicate failure.

use crate::report::CheckResult;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Whether `id` is named by one of `patterns`: an exact id, or `prefix.*` for
/// every id under `prefix.`.
pub fn names(patterns: &[String], id: &str) -> bool {
    patterns
        .iter()
        .any(|pattern| match pattern.strip_suffix('*') {
            Some(prefix) => id.starts_with(prefix),
            None => pattern == id,
        })
}

/// Whether `pattern` is a valid `defers_to` entry (see [`names`]).
pub use crate::pack::is_valid_defers_pattern as is_valid_pattern;

/// Drops, from every result whose check defers (`defers_to` maps check ids
/// to their patterns), the findings another named check reports at the same
/// place.
pub fn apply(results: &mut [CheckResult], defers_to: &HashMap<&str, &[String]>) {
    for index in 0..results.len() {
        let Some(patterns) = defers_to.get(results[index].id.as_str()) else {
            continue;
        };
        let this = &results[index];
        // Places reported by the checks deferred to, and who reports them.
        let mut places: HashMap<(&str, usize), &str> = HashMap::new();
        for other in results.iter() {
            if other.id == this.id || other.target != this.target || !names(patterns, &other.id) {
                continue;
            }
            for finding in &other.findings {
                if let (Some(path), Some(line)) = (&finding.path, finding.line) {
                    places.entry((path.as_str(), line)).or_insert(&other.id);
                }
            }
        }
        let mut by: BTreeSet<String> = BTreeSet::new();
        let mut dropped = HashSet::new();
        for (at, finding) in this.findings.iter().enumerate() {
            if let (Some(path), Some(line)) = (&finding.path, finding.line)
                && let Some(owner) = places.get(&(path.as_str(), line))
            {
                by.insert((*owner).to_string());
                dropped.insert(at);
            }
        }
        if dropped.is_empty() {
            continue;
        }
        let result = &mut results[index];
        let mut at = 0;
        result.findings.retain(|_| {
            at += 1;
            !dropped.contains(&(at - 1))
        });
        let by = by.into_iter().collect::<Vec<_>>().join(", ");
        // A finding without a place ("and 12 more") means hits were not all
        // kept, so the check cannot know they were all reported elsewhere.
        if result.findings.is_empty() {
            result.status = crate::model::Status::Pass;
            result.message = format!(
                "{} occurrence(s), all already reported by {by}",
                dropped.len()
            );
        } else {
            result.message = format!(
                "{} ({} already reported by {by}, not repeated here)",
                result.message,
                dropped.len()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_name_ids_and_families() {
        let patterns = ["secrets.*".to_string(), "security.headers".to_string()];
        assert!(names(&patterns, "secrets.cloud-keys"));
        assert!(names(&patterns, "security.headers"));
        assert!(!names(&patterns, "security.headers-extra"));
        assert!(!names(&patterns, "secretsx.cloud"));
        assert!(is_valid_pattern("secrets.*"));
        assert!(is_valid_pattern("secrets.cloud-keys"));
        assert!(!is_valid_pattern("secrets"));
        assert!(!is_valid_pattern("Secrets.*"));
        assert!(!is_valid_pattern("*"));
    }
}
