//! Role-aware grading: a secret in the project's shipping code or packaging
//! fails its check; the same value in a test, a fixture, an example, the
//! docs, a translation catalogue, local dev tooling, CI, vendored or
//! generated code does not. Test passwords, documentation examples and CI
//! service-container credentials are not what a reviewer signs as a leak, and
//! they buried the real findings at the top of every report.
//!
//! Non-production findings are still reported, as information with their
//! role: when they are all a check found, it passes and lists them; when
//! production findings fail the check, those come first, the others follow
//! (each marked with its role) and the message counts them by role.

use crate::model::{Category, Finding, Role, Status};
use crate::report::CheckResult;
use std::collections::BTreeMap;

/// Roles in which a finding of a graded check fails it.
pub const FAILING_ROLES: [Role; 2] = [Role::Production, Role::Packaging];

/// Whether findings of this category are graded by role.
pub fn graded(category: Category) -> bool {
    category == Category::Secrets
}

fn fails(finding: &Finding) -> bool {
    match (&finding.path, finding.role) {
        (Some(_), Some(role)) => FAILING_ROLES.contains(&role),
        // Unlocated notes ("and 4 more") and findings without a role stay
        // with whatever the located findings decide.
        _ => true,
    }
}

/// Grades every failing result of a graded category (see the module docs).
pub fn apply(results: &mut [CheckResult]) {
    for result in results
        .iter_mut()
        .filter(|r| graded(r.category) && r.status == Status::Fail)
    {
        let mut informational: BTreeMap<Role, usize> = BTreeMap::new();
        for finding in result.findings.iter().filter(|f| !fails(f)) {
            if let Some(role) = finding.role {
                *informational.entry(role).or_default() += 1;
            }
        }
        if informational.is_empty() {
            continue;
        }
        let counted: Vec<String> = informational
            .iter()
            .map(|(role, n)| format!("{} {n}", role.id()))
            .collect();
        let counted = counted.join(", ");
        let production = result
            .findings
            .iter()
            .filter(|f| f.path.is_some() && fails(f))
            .count();
        if production == 0 {
            result.status = Status::Pass;
            result.message = format!(
                "only in non-production files ({counted}): informational, not a production finding"
            );
            // A note about hits beyond the kept ones cannot say where they
            // are; the located ones speak for the check.
            result.findings.retain(|f| f.path.is_some());
        } else {
            // Production findings first; the others stay listed, each with
            // its role, so nothing found is hidden.
            result.findings.sort_by_key(|f| !fails(f));
            result.message = format!(
                "{}; also in non-production files ({counted}), informational",
                result.message
            );
        }
    }
}
