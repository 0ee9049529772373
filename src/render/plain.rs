//! Rule messages for people. Rules describe what they searched with the
//! globs and patterns they used (`no file matching `**/*.js` (+22 more
//! patterns) contains: …`), which is exact but reads like the engine's
//! internals. The human formats show this shorter wording and keep the exact
//! one for `-v`, JSON and SARIF.

use regex::Regex;
use std::sync::LazyLock;

/// A run of backquoted globs after `match…`, optionally followed by
/// `(+N more patterns)`.
static GLOBS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(match(?:es|ing)?) `[^`]*`(?:, `[^`]*`)*(?: \(\+\d+ more patterns?\))?")
        .expect("valid")
});
static NOT_CONTAINED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^no file(?: matching GLOBS)? contains: (.+)$").expect("valid"));
static COUNTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(\d+) (occurrence|file|blocker|check|finding)\(s\)").expect("valid")
});

const MARK: &str = "GLOBS";

/// `message` without glob lists and `(s)` plurals.
pub fn message(raw: &str) -> String {
    let text = GLOBS.replace_all(raw, format!("$1 {MARK}").as_str());
    let text = text
        .split("; and ")
        .map(sentence)
        .collect::<Vec<_>>()
        .join("; and ");
    plurals(&text)
}

fn sentence(part: &str) -> String {
    if let Some(found) = NOT_CONTAINED.captures(part) {
        return format!("not found: {}", &found[1]);
    }
    match part {
        "no file matches GLOBS" => "none of the expected files exists".to_string(),
        other => other
            .replace("file(s) match GLOBS", "file(s) found")
            .replace("file(s) matching GLOBS", "file(s) of this kind")
            .replace("no file matches GLOBS", "none of the expected files exists")
            .replace(MARK, "the expected files"),
    }
}

/// `1 occurrence(s)` → `1 occurrence`, `7 occurrence(s)` → `7 occurrences`.
pub fn plurals(text: &str) -> String {
    COUNTED
        .replace_all(text, |found: &regex::Captures<'_>| {
            let n = &found[1];
            let noun = &found[2];
            if n == "1" {
                format!("{n} {noun}")
            } else {
                format!("{n} {noun}s")
            }
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searched_content_reads_as_not_found() {
        assert_eq!(
            message(
                "no file matching `**/*.js`, `**/*.mjs`, `**/*.cjs` (+22 more patterns) contains: rate-limiting library, nginx limit_req"
            ),
            "not found: rate-limiting library, nginx limit_req"
        );
        assert_eq!(
            message("no file contains: a backup tool"),
            "not found: a backup tool"
        );
    }

    #[test]
    fn both_halves_of_a_compound_message_are_rewritten() {
        assert_eq!(
            message(
                "no file matches `.github/dependabot.yml`, `renovate.json` (+6 more patterns); and no file matching `.github/workflows/*.yml` contains: dependency vulnerability scanner in CI"
            ),
            "none of the expected files exists; and not found: dependency vulnerability scanner in CI"
        );
    }

    #[test]
    fn counts_get_real_plurals() {
        assert_eq!(message("1 occurrence(s) found"), "1 occurrence found");
        assert_eq!(message("7 occurrence(s) found"), "7 occurrences found");
        assert_eq!(message("1 file(s) match `.env`, `**/.env`"), "1 file found");
        assert_eq!(
            message("none of the 2 file(s) matching `**/lcov.info` is a readable coverage report"),
            "none of the 2 files of this kind is a readable coverage report"
        );
    }

    #[test]
    fn other_messages_pass_through() {
        assert_eq!(message("found `Dockerfile`"), "found `Dockerfile`");
    }
}
