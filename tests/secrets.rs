//! The secrets checks on `fixtures/secrets-zoo`: every credential format the
//! packs name is found, the decoys are not, and no output format ever prints a
//! planted value.

use assert_cmd::Command;
use readyctl::model::Status;
use readyctl::rules::RuleSpec;
use readyctl::{AuditOptions, Catalog, Config, audit};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// `dir` audited with `catalog` and the default configuration.
fn builtin_audit(dir: &Path, catalog: &Catalog, name: &str) -> readyctl::report::Report {
    audit(
        dir,
        catalog,
        &Config::default(),
        &AuditOptions::new(name.to_string()),
    )
    .unwrap()
}

fn zoo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/secrets-zoo")
}

/// Every pattern name of a content rule, however deeply nested.
fn pattern_names(rule: &RuleSpec, into: &mut Vec<String>) {
    match rule {
        RuleSpec::ContentAbsent(spec) | RuleSpec::ContentMatch(spec) => {
            into.extend(spec.patterns.iter().map(|p| p.name.clone()));
        }
        RuleSpec::All(rules) | RuleSpec::Any(rules) => {
            rules.iter().for_each(|r| pattern_names(r, into));
        }
        RuleSpec::Not(rule) => pattern_names(rule, into),
        _ => {}
    }
}

#[test]
fn every_credential_format_is_found_and_no_decoy_is() {
    let catalog = Catalog::builtin().unwrap();
    let report = builtin_audit(&zoo(), &catalog, "secrets-zoo");
    let mut problems = Vec::new();
    let mut formats = 0;
    for check in catalog
        .checks()
        .iter()
        .filter(|c| c.id.starts_with("secrets."))
        // Searches git history, which the zoo (a plain folder) has none of;
        // tests/git.rs plants secrets in commits and finds them.
        .filter(|c| c.id != "secrets.history")
    {
        let result = report.checks.iter().find(|c| c.id == check.id).unwrap();
        if result.status != Status::Fail {
            problems.push(format!(
                "{}: expected fail, got {}",
                check.id, result.status
            ));
        }
        let mut names = Vec::new();
        pattern_names(&check.rule, &mut names);
        // A message is the pattern's name, then (for patterns that judge the
        // value) `: ` and why: the key and the kind of value.
        let found: BTreeSet<&str> = result
            .findings
            .iter()
            .filter_map(|f| {
                let message = f.message.trim_end_matches(" (value redacted)");
                names
                    .iter()
                    .map(String::as_str)
                    .find(|name| message == *name || message.starts_with(&format!("{name}: ")))
            })
            .collect();
        formats += names.len();
        for name in &names {
            if !found.contains(name.as_str()) {
                problems.push(format!(
                    "{}: nothing planted is found as `{name}`",
                    check.id
                ));
            }
        }
        for finding in &result.findings {
            if finding
                .path
                .as_deref()
                .is_some_and(|p| p.starts_with("decoys/"))
            {
                problems.push(format!(
                    "{}: decoy reported at {}:{}: {}",
                    check.id,
                    finding.path.as_deref().unwrap_or_default(),
                    finding.line.unwrap_or_default(),
                    finding.message
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
    assert!(formats >= 40, "only {formats} named credential formats");
}

/// The planted values: every long, random-looking token outside `decoys/`.
fn planted_values(dir: &Path, into: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "decoys" {
                planted_values(&path, into);
            }
            continue;
        }
        if name == "README.md" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let tokens = text.split(|c: char| !(c.is_ascii_alphanumeric() || "+/=_.~-".contains(c)));
        for token in tokens {
            // Long enough to be a credential and with a digit: not a word,
            // a path or a host name from the fixture's prose.
            let token = token.trim_matches(|c: char| ".-=".contains(c));
            if token.len() >= 16 && token.chars().any(|c| c.is_ascii_digit()) {
                into.insert(token.to_string());
            }
        }
    }
}

#[test]
fn no_output_format_prints_a_planted_value() {
    let mut planted = BTreeSet::new();
    planted_values(&zoo(), &mut planted);
    // Short planted values are listed whole.
    planted.extend(
        [
            "too-short-secret",
            "dev-secret-change-me",
            "keyboard cat",
            "local-jwt-key",
            "local-refresh",
            "django-insecure-7kq2-planted-for-the-zoo-x81",
            "zoo-demo",
            "gopher",
            "wh-4Kq9",
        ]
        .map(String::from),
    );
    assert!(
        planted.len() >= 40,
        "found only {} planted values",
        planted.len()
    );
    for format in [
        "table", "markdown", "json", "sarif", "junit", "github", "gitlab", "html",
    ] {
        // GitHub shows 10 annotations of each kind; the rest goes to the job
        // summary, which must not leak either.
        let summary = tempfile::NamedTempFile::new().unwrap();
        let output = Command::cargo_bin("readyctl")
            .unwrap()
            .env("GITHUB_STEP_SUMMARY", summary.path())
            .args(["audit", "--details", "--format", format])
            .arg(zoo())
            .env("SOURCE_DATE_EPOCH", "1767225600")
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let mut stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        if format == "html" {
            // Escaped markup hides a value from a plain search (`/` is
            // `&#x2f;`); search what a browser shows.
            stdout = scraper::Html::parse_document(&stdout)
                .root_element()
                .text()
                .collect();
        }
        let text = stdout
            + &String::from_utf8_lossy(&output.stderr)
            + &std::fs::read_to_string(summary.path()).unwrap();
        for value in &planted {
            assert!(
                !text.contains(value.as_str()),
                "--format {format} prints the planted value `{value}`"
            );
        }
        // What was found and where is still shown.
        for expected in [
            "AWS access key ID",
            "config/cloud.yaml",
            "GitHub personal access token",
            "src/tokens.py",
            "Stripe live secret key",
            "private key",
        ] {
            assert!(
                text.contains(expected),
                "--format {format} lacks `{expected}`"
            );
        }
        let located = match format {
            "json" => {
                text.contains("\"path\": \"config/cloud.yaml\"") && text.contains("\"line\": 3")
            }
            "sarif" => {
                text.contains("\"uri\": \"config/cloud.yaml\"") && text.contains("\"startLine\": 3")
            }
            "github" => {
                text.contains("file=config/cloud.yaml,line=3")
                    || text.contains("config/cloud.yaml:3")
            }
            "gitlab" => {
                text.contains("\"path\": \"config/cloud.yaml\"") && text.contains("\"begin\": 3")
            }
            _ => text.contains("config/cloud.yaml:3"),
        };
        assert!(located, "--format {format} does not give path and line");
    }
}

/// Real trees are full of non-ASCII text; word boundaries in the patterns are
/// ASCII (so the regex engine stays on its fast path): a credential among
/// non-ASCII text is found at its line, and so is one written right after a
/// non-ASCII letter, which is not a word character for an ASCII boundary.
#[test]
fn credentials_among_non_ascii_text_are_found_at_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let token = format!("ghp_{}", "a1B2c3D4e5".repeat(4).get(..36).unwrap());
    let text = format!(
        "// Überprüfung der Anmeldedaten — 認証情報の確認\n\
         let ключ = \"{token}\"; // токен\n\
         let glued = \"日本{token}\";\n"
    );
    std::fs::write(dir.path().join("auth.rs"), text).unwrap();
    let catalog = Catalog::builtin().unwrap();
    let report = builtin_audit(dir.path(), &catalog, "non-ascii");
    let lines: BTreeSet<(String, Option<usize>)> = report
        .checks
        .iter()
        .filter(|c| c.id.starts_with("secrets."))
        .flat_map(|c| &c.findings)
        .filter_map(|f| Some((f.path.clone()?, f.line)))
        .collect();
    for line in [2, 3] {
        assert!(
            lines.contains(&("auth.rs".to_string(), Some(line))),
            "line {line}: {lines:?}"
        );
    }
}

/// The generic high-entropy check defers to the specific formats: a value
/// they name is reported once, by them, and the generic check passes when it
/// found nothing else.
#[test]
fn generic_detector_does_not_repeat_specific_findings() {
    let catalog = Catalog::builtin().unwrap();
    let report = builtin_audit(&zoo(), &catalog, "secrets-zoo");
    let generic = report
        .checks
        .iter()
        .find(|c| c.id == "secrets.generic-high-entropy")
        .unwrap();
    assert_eq!(generic.status, Status::Fail);
    assert!(
        generic.message.contains("already reported by"),
        "{}",
        generic.message
    );
    let specific: BTreeSet<(&str, usize)> = report
        .checks
        .iter()
        .filter(|c| c.id.starts_with("secrets.") && c.id != generic.id)
        .flat_map(|c| &c.findings)
        .filter_map(|f| Some((f.path.as_deref()?, f.line?)))
        .collect();
    for finding in &generic.findings {
        let place = (finding.path.as_deref().unwrap(), finding.line.unwrap());
        assert!(!specific.contains(&place), "{place:?} reported twice");
    }
    assert!(
        !generic.findings.is_empty(),
        "values only it can name remain"
    );
    // `export NAME=value` indented under a blank line: the unquoted pattern
    // is searched only from its keywords' lines and the blank lines above
    // them, and still finds the assignment at its own line.
    assert!(
        generic
            .findings
            .iter()
            .any(|f| f.path.as_deref() == Some("deploy/release.sh")
                && f.line == Some(4)
                && f.message.contains("`RELEASE_API_TOKEN`")),
        "{:#?}",
        generic.findings
    );

    // Only a known format in the tree: the generic check has nothing left.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("settings.py"),
        "aws_secret_access_key = \"KRrYV3CJC+BZHhm5S6xxMYHxq2B5kRP0r6UV1cZB\"\n",
    )
    .unwrap();
    let report = builtin_audit(dir.path(), &catalog, "one-key");
    let status = |id: &str| {
        let check = report.checks.iter().find(|c| c.id == id).unwrap();
        (check.status, check.message.clone())
    };
    assert_eq!(status("secrets.cloud-keys").0, Status::Fail);
    let (generic, message) = status("secrets.generic-high-entropy");
    assert_eq!(generic, Status::Pass, "{message}");
    assert!(
        message.contains("all already reported by secrets.cloud-keys"),
        "{message}"
    );
}
