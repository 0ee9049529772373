//! The `[[waivers]]` entries of `readyctl.toml` as written, with the
//! problems that need no audit to find (dates, globs, reasons, unknown
//! check ids). Applying them to results is the judge's job
//! ([`crate::waiver`]).

use crate::diagnostic::{Diagnostics, Position, SourceFile};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use jiff::civil::Date;
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;
use toml::Spanned;

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

    pub(crate) fn globs(&self) -> Result<GlobSet, String> {
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
