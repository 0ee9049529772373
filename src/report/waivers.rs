//! What became of each waiver in an audit, as the report shows it.

use serde::{Deserialize, Serialize};

/// A waiver this close to its expiry (in days) is listed as a warning, so
/// that renewing or fixing it is planned rather than discovered in CI.
pub const EXPIRING_WITHIN_DAYS: i64 = 14;

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
