//! The check reference (`docs/checks.md`): every check of a catalog, grouped
//! by category, generated from the packs so it cannot drift from them.
//! `readyctl checks docs` prints it; a test fails when the committed copy is
//! out of date.

use crate::check::Check;
use crate::model::Category;
use crate::pack::Catalog;
use std::fmt::Write;

/// The command that regenerates the committed reference.
pub const REGENERATE: &str = "cargo run -- checks docs > docs/checks.md";

/// Renders the reference page as Markdown.
pub fn checks_markdown(catalog: &Catalog) -> String {
    let mut out = String::new();
    let checks = catalog.checks();
    let _ = writeln!(out, "# Check reference\n");
    let _ = writeln!(
        out,
        "<!-- Generated from checks/*.yaml by `readyctl checks docs`; do not edit. \
         Regenerate with: {REGENERATE} -->\n"
    );
    let _ = writeln!(
        out,
        "{} built-in checks. `readyctl checks explain <id>` prints one of them; \
         docs/check-format.md describes how they are written.\n",
        checks.len()
    );
    let groups: Vec<(Category, Vec<&Check>)> = Category::ALL
        .into_iter()
        .map(|category| {
            let mut group: Vec<&Check> = checks.iter().filter(|c| c.category == category).collect();
            group.sort_by(|a, b| a.id.cmp(&b.id));
            (category, group)
        })
        .filter(|(_, group)| !group.is_empty())
        .collect();

    let _ = writeln!(out, "| Category | Checks |\n|---|---|");
    for (category, group) in &groups {
        let _ = writeln!(
            out,
            "| [{}](#{}) | {} |",
            category.title(),
            anchor(category.title()),
            group.len()
        );
    }
    for (category, group) in &groups {
        let _ = writeln!(out, "\n## {}\n", category.title());
        let _ = writeln!(
            out,
            "| Id | Title | Severity | Stage | Effort |\n|---|---|---|---|---|"
        );
        for check in group {
            let _ = writeln!(
                out,
                "| [`{}`](#{}) | {} | {} | {} | {} |",
                check.id,
                anchor(&check.id),
                escape_cell(&check.title),
                check.severity,
                check.stage,
                check.effort
            );
        }
        for check in group {
            describe(&mut out, check);
        }
    }
    out
}

fn describe(out: &mut String, check: &Check) {
    let _ = writeln!(out, "\n### {}\n", check.id);
    let _ = writeln!(out, "**{}**\n", check.title.trim());
    let _ = writeln!(
        out,
        "Severity: {} · Stage: {} · Effort: {}\n",
        check.severity, check.stage, check.effort
    );
    let _ = writeln!(out, "{}\n", one_paragraph(&check.description));
    let _ = writeln!(out, "**How to fix:** {}", one_paragraph(&check.remediation));
    let detects = check.rule.pattern_names();
    if !detects.is_empty() {
        let _ = writeln!(out, "\n**Detects:** {}.", detects.join(", "));
    }
    if !check.references.is_empty() {
        let _ = writeln!(out, "\n**References:**\n");
        for reference in &check.references {
            let _ = writeln!(out, "- <{reference}>");
        }
    }
}

/// YAML folded text keeps its line breaks in places; Markdown wants one line
/// per paragraph so the diff of a regenerated page shows real changes only.
fn one_paragraph(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// GitHub's heading anchors: lower case, spaces to dashes, punctuation other
/// than `-` and `_` dropped.
fn anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_follow_github() {
        assert_eq!(anchor("Secrets Management"), "secrets-management");
        assert_eq!(anchor("CI/CD"), "cicd");
        assert_eq!(anchor("secrets.private-key"), "secretsprivate-key");
    }

    #[test]
    fn reference_lists_every_builtin_check_once() {
        let catalog = Catalog::builtin().unwrap();
        let page = checks_markdown(&catalog);
        for check in catalog.checks() {
            assert_eq!(
                page.matches(&format!("\n### {}\n", check.id)).count(),
                1,
                "{}",
                check.id
            );
        }
        assert!(page.contains("**Detects:** private key, PuTTY private key"));
    }
}
