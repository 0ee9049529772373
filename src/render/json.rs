//! `--format json`: the report's serde form, pretty-printed. The shape is
//! documented in `docs/json-report.md`.

use super::Renderer;
use crate::report::Report;

pub struct Json;

impl Renderer for Json {
    fn render(&self, report: &Report) -> String {
        let mut text = serde_json::to_string_pretty(report)
            .expect("a report contains only strings, numbers and lists");
        text.push('\n');
        text
    }
}
