//! Placeholders the application refuses: values its own production code
//! compares a setting with and then stops (`if value == "changethis":
//! raise ValueError(...)`, `if SECRET_KEY == "change-me": raise
//! ImproperlyConfigured`). A template that ships such a placeholder
//! (`SECRET_KEY=changethis` in the committed `.env`) fails closed: the
//! service does not start with it, so it is no default production runs
//! with. Rules that judge default secrets read this fact to tell them apart.
//!
//! Only equality counts: `!=` followed by a `raise` means the value is
//! required (a hard-coded secret), not refused.

use crate::scan::{Evidence, PatternId, PatternOptions, PlanBuilder, SelectorSpec, fingerprint};
use std::collections::BTreeMap;

/// The project's own code, in the languages whose comparisons the pattern
/// reads.
const CODE: &[&str] = &["**/*.{py,js,mjs,cjs,ts,go,rb,rs,java,kt,php,cs,ex,exs,scala}"];

/// A string literal compared for equality, and within the next ten lines
/// the code stops: raises, throws, panics or exits.
const REFUSAL: &str = r#"===?[ \t]*["'](?P<key>[^"'\n]{4,64})["'](?:[^\n]*\n){0,10}?[^\n]*?\b(?:raise|throw|panic!?|log\.Fatal\w*|sys\.exit|process\.exit|os\.Exit|abort)\b"#;

/// The values the application refuses, by fingerprint, with where.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefusedPlaceholders {
    refused: BTreeMap<u64, String>,
}

impl RefusedPlaceholders {
    /// From the refused values and where each is refused (`path:line`).
    pub fn from_values<'a>(values: impl IntoIterator<Item = (&'a str, String)>) -> Self {
        RefusedPlaceholders {
            refused: values
                .into_iter()
                .map(|(value, at)| (fingerprint(value.as_bytes()), at))
                .collect(),
        }
    }

    /// Where the application refuses the value with this fingerprint.
    pub fn refused_at(&self, fingerprint: u64) -> Option<&str> {
        self.refused.get(&fingerprint).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.refused.is_empty()
    }
}

/// Planned search of the production code for refusals.
#[derive(Debug)]
pub struct RefusedPlan {
    pattern: PatternId,
}

impl RefusedPlan {
    /// Plans the search; the caller sets the roles (production code only:
    /// a test that refuses a value says nothing about the service).
    pub fn plan(plan: &mut PlanBuilder) -> RefusedPlan {
        let selector = plan.selector(SelectorSpec::from_strs(CODE, &[]));
        let options = PatternOptions {
            collect: true,
            ..PatternOptions::new("repo.refused-placeholders")
        };
        RefusedPlan {
            pattern: plan.pattern(selector, REFUSAL, options),
        }
    }

    pub fn build(&self, evidence: &Evidence) -> RefusedPlaceholders {
        RefusedPlaceholders::from_values(
            evidence
                .pattern(self.pattern)
                .captures
                .iter()
                .map(|(value, hit)| (value.as_str(), format!("{}:{}", hit.path, hit.line))),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(code: &str) -> Vec<String> {
        let regex = regex::Regex::new(REFUSAL).unwrap();
        regex
            .captures_iter(code)
            .map(|c| c["key"].to_string())
            .collect()
    }

    #[test]
    fn a_value_compared_and_then_refused() {
        let python = "def check(name, value):\n    if value == \"changethis\":\n        message = (\n            f'{name} is changethis'\n        )\n        if env == \"local\":\n            warn(message)\n        else:\n            raise ValueError(message)\n";
        assert_eq!(refused(python), ["changethis"]);
        let django = "if not KEY or KEY == \"change-me\":  # pragma: no cover\n    raise ImproperlyConfigured(\"set it\")\n";
        assert_eq!(refused(django), ["change-me"]);
        let js = "if (secret === 'replace-me') throw new Error('set SESSION_SECRET');\n";
        assert_eq!(refused(js), ["replace-me"]);
    }

    #[test]
    fn a_required_value_or_a_comparison_that_goes_on_is_not_refused() {
        // `!=` then raise: the value is required, not refused.
        assert!(refused("if token != \"s3cr3t-token\":\n    raise Unauthorized()\n").is_empty());
        // Compared, but nothing stops.
        assert!(refused("if mode == \"debug\":\n    level = 10\n").is_empty());
        let far = format!(
            "if k == \"changeme\":\n{}    raise E()\n",
            "    x = 1\n".repeat(11)
        );
        assert!(refused(&far).is_empty());
    }

    #[test]
    fn lookup_by_fingerprint() {
        let facts =
            RefusedPlaceholders::from_values([("changethis", "app/config.py:69".to_string())]);
        assert_eq!(
            facts.refused_at(fingerprint(b"changethis")),
            Some("app/config.py:69")
        );
        assert_eq!(facts.refused_at(fingerprint(b"changeme")), None);
    }
}
