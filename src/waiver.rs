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

use crate::diagnostic::{Diagnostics, Position, SourceFile};
use crate::model::Status;
use crate::report::{AppliedWaiver, CheckResult};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use jiff::civil::Date;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use toml::Spanned;

/// A waiver this close to its expiry (in days) is listed as a warning, so
/// that renewing or fixing it is planned rather than discovered in CI.
pub const EXPIRING_WITHIN_DAYS: i64 = 14;

/// One `[[waivers]]` entry of `readyctl.toml`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaiverConfig {
    /// The id of the check to waive (not a glob: a waiver is a decision
    /// about one requirement).
    #[schemars(with = "String")]
    pub check: Spanned<String>,
    /// Only findings under these globs are waived; the check still fails if
    /// others remain. Without `paths` the whole check is waived.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub paths: Vec<Spanned<String>>,
    /// Why the failure is acceptable for now.
    #[schemars(with = "String")]
    pub reason: Spanned<String>,
    /// Who answers for it.
    #[serde(default)]
    pub owner: Option<String>,
    /// `YYYY-MM-DD` (a string or a TOML date): the last day it applies.
    // TOML-aware editors (taplo) check a TOML date against a JSON-Schema
    // string with `format: date`, so the schema covers both spellings.
    #[schemars(with = "String", extend("format" = "date"))]
    pub expires: Spanned<toml::Value>,
}

impl WaiverConfig {
    /// The expiry date, or what is wrong with it.
    pub fn expiry(&self) -> Result<Date, String> {
        let expected = "expected a date such as \"2027-03-31\"";
        match self.expires.get_ref() {
            toml::Value::String(text) => text
                .parse::<Date>()
                .map_err(|err| format!("invalid date `{text}`: {err}; {expected}")),
            toml::Value::Datetime(datetime) => match (datetime.date, datetime.time) {
                (Some(date), None) => Date::new(date.year as i16, date.month as i8, date.day as i8)
                    .map_err(|err| format!("invalid date: {err}")),
                _ => Err(format!("`expires` takes a day, not a time; {expected}")),
            },
            _ => Err(expected.to_string()),
        }
    }

    fn globs(&self) -> Result<GlobSet, String> {
        let mut builder = GlobSetBuilder::new();
        for pattern in &self.paths {
            builder.add(path_glob(pattern.get_ref())?);
        }
        builder.build().map_err(|err| err.to_string())
    }

    /// Problems that need no loaded check to find: dates, globs, reasons.
    pub(crate) fn validate(&self, file: &Arc<SourceFile>, diagnostics: &mut Diagnostics) {
        let at = |span: std::ops::Range<usize>| Position::from_offset(&file.text, span.start);
        if let Err(message) = self.expiry() {
            diagnostics.push(file, at(self.expires.span()), message);
        }
        if self.reason.get_ref().trim().is_empty() {
            diagnostics.push(
                file,
                at(self.reason.span()),
                "a waiver needs a reason: say why the failure is acceptable for now",
            );
        }
        for pattern in &self.paths {
            if let Err(message) = path_glob(pattern.get_ref()) {
                diagnostics.push(file, at(pattern.span()), message);
            }
        }
    }
}

/// Paths globs behave as in check packs: `*` stays within a directory.
fn path_glob(pattern: &str) -> Result<globset::Glob, String> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|err| format!("invalid glob `{pattern}`: {}", err.kind()))
}

/// Waivers naming no loaded check, as errors with their position: a typo
/// in a waiver would otherwise let the failure it meant to accept fail CI,
/// or worse, hide that the intended check was renamed.
pub fn unknown_checks(
    waivers: &[WaiverConfig],
    file: &Arc<SourceFile>,
    known: &dyn Fn(&str) -> bool,
) -> Diagnostics {
    let mut diagnostics = Diagnostics::default();
    for waiver in waivers {
        let id = waiver.check.get_ref();
        if !known(id) {
            diagnostics.push(
                file,
                Position::from_offset(&file.text, waiver.check.span().start),
                format!("waiver for unknown check `{id}`: no loaded check has this id"),
            );
        }
    }
    diagnostics
}

/// What became of a waiver in this audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WaiverState {
    /// Applies, and does not expire soon.
    Active,
    /// Applies, but expires within [`EXPIRING_WITHIN_DAYS`].
    Expiring,
    /// Past its date: no longer applies.
    Expired,
    /// Matches nothing (the check passes, or has no finding under `paths`):
    /// it can be deleted.
    Stale,
}

impl WaiverState {
    pub fn id(self) -> &'static str {
        match self {
            WaiverState::Active => "active",
            WaiverState::Expiring => "expiring",
            WaiverState::Expired => "expired",
            WaiverState::Stale => "stale",
        }
    }
}

/// One waiver in the report (`waivers` in the JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WaiverReport {
    pub check: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// `YYYY-MM-DD`.
    pub expires: String,
    pub state: WaiverState,
    /// Days from the audit's date to the expiry (negative once expired).
    pub days_left: i64,
    /// Findings it accepted (0 when it waived a check without findings).
    pub findings_waived: usize,
}

impl WaiverReport {
    /// Expired, expiring or stale: something for the team to act on.
    pub fn needs_attention(&self) -> bool {
        self.state != WaiverState::Active
    }

    /// One line for the human formats' warning section.
    pub fn warning(&self) -> String {
        let scope = if self.paths.is_empty() {
            String::new()
        } else {
            format!(" (paths {})", self.paths.join(", "))
        };
        match self.state {
            WaiverState::Expired => format!(
                "waiver for {}{scope} expired on {}: it no longer applies",
                self.check, self.expires
            ),
            WaiverState::Expiring => format!(
                "waiver for {}{scope} expires on {} (in {} day(s)): fix the check or renew it",
                self.check, self.expires, self.days_left
            ),
            WaiverState::Stale => format!(
                "waiver for {}{scope} is stale: {} — delete it",
                self.check,
                if self.paths.is_empty() {
                    "the check does not fail"
                } else {
                    "no failing finding is under its paths"
                }
            ),
            WaiverState::Active => format!(
                "waiver for {}{scope} applies until {}",
                self.check, self.expires
            ),
        }
    }
}

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
