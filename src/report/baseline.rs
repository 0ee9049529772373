//! How the report relates to a baseline file (read and matched by
//! [`crate::baseline`]).

use serde::{Deserialize, Serialize};

/// How the current report relates to the baseline (`baseline` in the JSON).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BaselineSummary {
    /// The baseline file as given.
    pub file: String,
    /// Unmet checks recorded in the baseline with all their findings.
    pub baselined_checks: usize,
    pub baselined_findings: usize,
    /// Unmet checks not in the baseline, or with a finding that is not.
    pub new_checks: usize,
    pub new_findings: usize,
}
