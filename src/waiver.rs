//! Waivers: a team's written-down, expiring decision to accept a failing
//! check, or some of its findings, for now.
//!
//! ```toml
//! [[waivers]]
//! check = "backups.schedule"
//! paths = ["legacy/**"]            # optional: only findings under these globs
//! reason = "Managed snapshots cover this until the migration"
//! owner = "platform-team"          # optional
//! expires = "2027-03-31"           # the last day the waiver applies
//! ```
//!
//! Every waiver must say why and until when, so that accepted risks are
//! reviewed rather than forgotten: an expired waiver stops applying, one about
//! to expire is flagged, and one that no longer matches anything is reported
//! as stale so it can be deleted.

use crate::model::Status;
use crate::report::{AppliedWaiver, CheckResult};
use jiff::civil::Date;

pub use crate::config::waivers::{WaiverConfig, unknown_checks};
pub use crate::report::waivers::{EXPIRING_WITHIN_DAYS, WaiverReport, WaiverState};

/// Applies `waivers` to the results as of `today`, in order, and says what
/// became of each. A check fully covered becomes [`Status::Waived`]; with
/// `paths`, covered findings are marked `waived` and the check keeps
/// failing while any other finding remains.
pub fn apply(
    checks: &mut [CheckResult],
    waivers: &[WaiverConfig],
    today: Date,
) -> Vec<WaiverReport> {
    waivers
        .iter()
        .filter_map(|waiver| apply_one(checks, waiver, today))
        .collect()
}

/// `None` only for a waiver that failed validation, which cannot get here.
fn apply_one(
    checks: &mut [CheckResult],
    waiver: &WaiverConfig,
    today: Date,
) -> Option<WaiverReport> {
    let expires = waiver.expiry().ok()?;
    let globs = waiver.globs().ok()?;
    let days_left = today
        .until(expires)
        .map_or(0, |span| i64::from(span.get_days()));
    let mut report = WaiverReport {
        check: waiver.check.get_ref().clone(),
        paths: waiver.paths.iter().map(|p| p.get_ref().clone()).collect(),
        reason: waiver.reason.get_ref().trim().to_string(),
        owner: waiver.owner.clone(),
        expires: expires.to_string(),
        state: WaiverState::Expired,
        days_left,
        findings_waived: 0,
    };
    if days_left < 0 {
        return Some(report);
    }
    let applied = AppliedWaiver {
        reason: report.reason.clone(),
        owner: report.owner.clone(),
        expires: report.expires.clone(),
    };
    let mut matched = false;
    // Live checks have one result per target: the waiver covers each.
    for check in checks
        .iter_mut()
        .filter(|c| c.id == report.check && c.is_unmet())
    {
        let mut covered = 0;
        for finding in check.findings.iter_mut().filter(|f| !f.waived) {
            let under_paths = waiver.paths.is_empty()
                || finding.path.as_deref().is_some_and(|p| globs.is_match(p));
            if under_paths {
                finding.waived = true;
                covered += 1;
            }
        }
        // Without paths the waiver is about the check, findings or not.
        if covered == 0 && !waiver.paths.is_empty() {
            continue;
        }
        matched = true;
        report.findings_waived += covered;
        check.waiver = Some(applied.clone());
        if check.findings.iter().all(|f| f.waived) {
            check.status = Status::Waived;
        }
    }
    report.state = if !matched {
        WaiverState::Stale
    } else if days_left <= EXPIRING_WITHIN_DAYS {
        WaiverState::Expiring
    } else {
        WaiverState::Active
    };
    Some(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, ConfigError};
    use crate::model::{Category, Finding, Severity, Stage};

    fn result(id: &str, status: Status, findings: &[&str]) -> CheckResult {
        CheckResult {
            id: id.to_string(),
            title: String::new(),
            category: Category::Backups,
            severity: Severity::High,
            stage: Stage::Beta,
            status,
            skip_reason: None,
            message: String::new(),
            description: String::new(),
            remediation: String::new(),
            effort: "1h".to_string(),
            effort_minutes: 60,
            references: Vec::new(),
            findings: findings
                .iter()
                .map(|p| Finding::at(*p, Some(1), "hit"))
                .collect(),
            source: "test".to_string(),
            target: None,
            waiver: None,
            baselined: false,
        }
    }

    fn waivers(text: &str) -> Config {
        Config::parse("readyctl.toml", text).unwrap()
    }

    fn day(text: &str) -> Date {
        text.parse().unwrap()
    }

    const WAIVER: &str =
        "[[waivers]]\ncheck = \"a.b\"\nreason = \"later\"\nexpires = \"2026-06-30\"\n";

    #[test]
    fn a_waiver_accepts_a_failing_check_until_its_date() {
        let config = waivers(WAIVER);
        let mut checks = vec![result("a.b", Status::Fail, &["x"])];
        let report = apply(&mut checks, &config.waivers, day("2026-01-01"));
        assert_eq!(checks[0].status, Status::Waived);
        assert!(checks[0].findings[0].waived);
        assert_eq!(report[0].state, WaiverState::Active);
        assert_eq!(report[0].days_left, 180);
    }

    #[test]
    fn the_last_day_still_applies_and_the_next_does_not() {
        let config = waivers(WAIVER);
        let mut checks = vec![result("a.b", Status::Fail, &[])];
        let report = apply(&mut checks, &config.waivers, day("2026-06-30"));
        assert_eq!(
            (checks[0].status, report[0].state),
            (Status::Waived, WaiverState::Expiring)
        );
        let mut checks = vec![result("a.b", Status::Fail, &[])];
        let report = apply(&mut checks, &config.waivers, day("2026-07-01"));
        assert_eq!(
            (checks[0].status, report[0].state),
            (Status::Fail, WaiverState::Expired)
        );
    }

    #[test]
    fn paths_waive_only_the_findings_under_them() {
        let config = waivers(
            "[[waivers]]\ncheck = \"a.b\"\npaths = [\"legacy/**\"]\nreason = \"r\"\nexpires = 2026-12-31\n",
        );
        let mut checks = vec![result("a.b", Status::Fail, &["legacy/x/y.go", "src/z.go"])];
        let report = apply(&mut checks, &config.waivers, day("2026-01-01"));
        assert_eq!(checks[0].status, Status::Fail);
        assert!(checks[0].findings[0].waived && !checks[0].findings[1].waived);
        assert_eq!(report[0].findings_waived, 1);

        let mut checks = vec![result("a.b", Status::Fail, &["legacy/x/y.go"])];
        apply(&mut checks, &config.waivers, day("2026-01-01"));
        assert_eq!(checks[0].status, Status::Waived);

        let mut checks = vec![result("a.b", Status::Fail, &["src/z.go"])];
        let report = apply(&mut checks, &config.waivers, day("2026-01-01"));
        assert_eq!(report[0].state, WaiverState::Stale);
    }

    #[test]
    fn a_waiver_for_a_passing_check_is_stale() {
        let config = waivers(WAIVER);
        let mut checks = vec![result("a.b", Status::Pass, &[])];
        let report = apply(&mut checks, &config.waivers, day("2026-01-01"));
        assert_eq!(report[0].state, WaiverState::Stale);
        assert_eq!(checks[0].status, Status::Pass);
    }

    #[test]
    fn bad_waivers_are_config_errors_with_positions() {
        let text = "[[waivers]]\ncheck = \"a.b\"\nreason = \" \"\nexpires = \"next year\"\npaths = [\"[\"]\n";
        let Err(ConfigError::Invalid(found)) = Config::parse("readyctl.toml", text) else {
            panic!("expected diagnostics");
        };
        let found: Vec<String> = found.iter().map(|d| d.to_string()).collect();
        assert!(
            found.iter().any(|e| e.starts_with("readyctl.toml:3:10:")),
            "{found:?}"
        );
        assert!(
            found.iter().any(|e| e.starts_with("readyctl.toml:4:11:")),
            "{found:?}"
        );
        assert!(
            found.iter().any(|e| e.starts_with("readyctl.toml:5:10:")),
            "{found:?}"
        );
        let missing = Config::parse(
            "readyctl.toml",
            "[[waivers]]\ncheck = \"a.b\"\nexpires = \"2027-01-01\"\n",
        );
        assert!(format!("{:?}", missing.err()).contains("reason"));
    }
}
