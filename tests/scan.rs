//! The scanner's contract on awkward trees: ignore rules are honoured, and
//! binary, oversized, unreadable and non-UTF-8 files are handled and counted
//! rather than crashing the audit or silently vanishing.

use readyctl::check::Origin;
use readyctl::pack::PackLoader;
use readyctl::scan::ScanOptions;
use readyctl::{AuditOptions, Config, audit};
use std::fs;
use std::path::Path;

const PACK: &str = r#"
- id: secrets.test-token
  title: No test tokens are committed
  category: secrets
  severity: critical
  stage: beta
  description: A token planted by this test in several kinds of file.
  remediation: Remove it from the repository.
  effort: 5m
  rule:
    content_absent:
      secret: true
      patterns: [{ name: test token, regex: 'TOKEN_[0-9]{6}' }]
- id: docs.marker
  title: A marker file exists somewhere
  category: documentation
  severity: low
  stage: beta
  description: Used to see which files the walk visits at all.
  remediation: Add one.
  effort: 5m
  rule:
    min_files: { paths: ["**/*.marker"], min: 1 }
"#;

/// The checks of one user pack given as text.
fn catalog_of(name: &str, pack: &str) -> readyctl::Catalog {
    let mut loader = PackLoader::new();
    loader.add_text(
        readyctl::check::PackSource {
            origin: Origin::User,
            name: name.into(),
            path: None,
        },
        pack,
    );
    loader.finish().unwrap()
}

fn run(root: &Path, options: ScanOptions) -> readyctl::Report {
    let catalog = catalog_of("test.yaml", PACK);
    let mut audit_options = AuditOptions::new("tree");
    audit_options.scan = options;
    audit(root, &catalog, &Config::default(), &audit_options).unwrap()
}

/// `root` audited with the checks of one user pack alone, defaults else.
fn audit_with_pack(root: &Path, name: &str, pack: &str) -> readyctl::Report {
    let catalog = catalog_of(name, pack);
    audit(
        root,
        &catalog,
        &Config::default(),
        &AuditOptions::new("tree"),
    )
    .unwrap()
}

fn findings(report: &readyctl::Report) -> Vec<String> {
    let check = report
        .checks
        .iter()
        .find(|c| c.id == "secrets.test-token")
        .unwrap();
    check
        .findings
        .iter()
        .map(|f| {
            format!(
                "{}:{}",
                f.path.clone().unwrap_or_default(),
                f.line.unwrap_or(0)
            )
        })
        .collect()
}

#[test]
fn ignored_binary_huge_and_non_utf8_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("node_modules/pkg")).unwrap();
    fs::create_dir_all(root.join("src")).unwrap();
    fs::create_dir_all(root.join(".git")).unwrap();
    fs::write(root.join(".gitignore"), "node_modules/\n").unwrap();
    fs::write(root.join(".ignore"), "generated.txt\n").unwrap();
    fs::write(root.join("node_modules/pkg/index.js"), "TOKEN_111111\n").unwrap();
    fs::write(root.join("generated.txt"), "TOKEN_222222\n").unwrap();
    fs::write(root.join(".git/config"), "TOKEN_333333\n").unwrap();
    fs::write(root.join("src/app.js"), "one\ntwo TOKEN_444444\n").unwrap();
    // Latin-1 text around a hit: searched as bytes, counted as non-UTF-8.
    fs::write(root.join("src/legacy.txt"), b"caf\xe9\nTOKEN_555555\n").unwrap();
    fs::write(root.join("src/image.png"), b"\x89PNG\x00\x00TOKEN_666666").unwrap();
    fs::write(
        root.join("src/huge.log"),
        format!("{}TOKEN_777777\n", "x".repeat(2048)),
    )
    .unwrap();
    fs::write(root.join("src/a.marker"), "").unwrap();

    let options = ScanOptions {
        max_file_size: 1024,
        ..ScanOptions::default()
    };
    let report = run(root, options);
    assert_eq!(findings(&report), vec!["src/app.js:2", "src/legacy.txt:2"]);
    let stats = &report.stats;
    assert_eq!(stats.skipped.binary, 1);
    assert_eq!(stats.skipped.too_large, 1);
    assert_eq!(stats.non_utf8, 1);
    assert_eq!(stats.files_skipped, 2);
    // .gitignore, .ignore and .git are honoured: they are not even walked.
    assert_eq!(stats.files_walked, 7, "{stats:?}");
}

#[test]
fn config_excludes_and_allow_comments() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("vendor")).unwrap();
    fs::write(root.join("vendor/lib.go"), "TOKEN_888888\n").unwrap();
    fs::write(
        root.join("main.go"),
        "// readyctl:allow test fixture\nx := \"TOKEN_999999\"\ny := \"TOKEN_000001\"\n",
    )
    .unwrap();
    let options = ScanOptions {
        exclude: vec!["vendor/".into()],
        ..ScanOptions::default()
    };
    let report = run(root, options);
    assert_eq!(findings(&report), vec!["main.go:3"]);
}

#[cfg(unix)]
#[test]
fn unreadable_files_are_counted_with_the_reason() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let secret = root.join("locked.txt");
    fs::write(&secret, "TOKEN_123123\n").unwrap();
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&secret).is_ok() {
        // Running as root: permissions do not stop reads, nothing to test.
        return;
    }
    let report = run(root, ScanOptions::default());
    assert_eq!(report.stats.skipped.unreadable, 1);
    assert!(report.stats.problems[0].contains("locked.txt"));
}

/// Patterns are compiled without Unicode for text that is all ASCII (the
/// same matches, compiled for less); a file or a line with non-ASCII text
/// is searched with the Unicode form, where `(?i)k` also matches the Kelvin
/// sign, `\s` a no-break space and `\w` a letter with an accent.
#[test]
fn unicode_classes_match_in_non_ascii_text_and_ascii_text_alike() {
    const UNICODE_PACK: &str = r#"
- id: secrets.unicode-shapes
  title: No planted shapes are committed
  category: secrets
  severity: critical
  stage: beta
  description: Shapes whose classes match non-ASCII characters.
  remediation: Remove them.
  effort: 5m
  rule:
    content_absent:
      patterns:
        - { name: folded, regex: '(?i)kelvin_[0-9]{3}' }
        - { name: spaced, regex: 'spacer\s=\s[0-9]{4}' }
        - { name: worded, regex: 'wordy_\w+_[0-9]{2}' }
"#;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // All ASCII: the ASCII forms find these.
    fs::write(
        root.join("ascii.txt"),
        "KELVIN_123\nspacer = 1234\nwordy_abc_12\n",
    )
    .unwrap();
    // Matches that hold non-ASCII characters, one a line (each pattern is
    // searched line by line), and an ASCII match on a line of its own.
    fs::write(
        root.join("unicode.txt"),
        "\u{212A}ELVIN_456\nspacer\u{a0}=\u{a0}5678\nwordy_\u{e9}t\u{e9}_34\nkelvin_789\n",
    )
    .unwrap();
    let report = audit_with_pack(root, "unicode.yaml", UNICODE_PACK);
    let check = report
        .checks
        .iter()
        .find(|c| c.id == "secrets.unicode-shapes")
        .unwrap();
    let mut found: Vec<String> = check
        .findings
        .iter()
        .map(|f| {
            format!(
                "{}:{}",
                f.path.clone().unwrap_or_default(),
                f.line.unwrap_or(0)
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            "ascii.txt:1",
            "ascii.txt:2",
            "ascii.txt:3",
            "unicode.txt:1",
            "unicode.txt:2",
            "unicode.txt:3",
            "unicode.txt:4"
        ]
    );
}

/// A document request with an `if_contains` regex keeps the text of the
/// files that match it only (the regex is compiled when the first such
/// file is read); a request without one keeps every text.
#[test]
fn documents_containing_keeps_only_matching_texts() {
    use readyctl::scan::{PlanBuilder, SelectorSpec, scan};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("a.txt"), "has the needle_42 in it\n").unwrap();
    fs::write(root.join("b.txt"), "nothing here\n").unwrap();
    let mut plan = PlanBuilder::new();
    let selector = plan.selector(SelectorSpec::from_strs(&["*.txt"], &[]));
    let containing = plan.documents_containing(selector, r"needle_\d+");
    let all = plan.documents(selector, true);
    let plan = plan.build().unwrap();
    let evidence = scan(root, &plan, &ScanOptions::default()).unwrap();
    let kept = |id| {
        let mut kept: Vec<(String, bool)> = evidence
            .documents(id)
            .files
            .iter()
            .map(|d| (d.path.clone(), d.text.is_some()))
            .collect();
        kept.sort();
        kept
    };
    assert_eq!(
        kept(containing),
        [("a.txt".to_string(), true), ("b.txt".to_string(), false)]
    );
    assert_eq!(
        kept(all),
        [("a.txt".to_string(), true), ("b.txt".to_string(), true)]
    );
}

/// A screened request asks its regex only of texts that hold a literal of
/// the screen: a text that matches the regex but holds none is not kept.
#[test]
fn documents_containing_screened_asks_only_texts_with_a_screen_literal() {
    use readyctl::scan::{PlanBuilder, SelectorSpec, scan};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("a.txt"), "has the needle_42 in it\n").unwrap();
    fs::write(root.join("b.txt"), "needle_7 with a screen literal\n").unwrap();
    fs::write(root.join("c.txt"), "with a screen literal only\n").unwrap();
    let mut plan = PlanBuilder::new();
    let selector = plan.selector(SelectorSpec::from_strs(&["*.txt"], &[]));
    let screened = plan.documents_containing_screened(selector, r"needle_\d+", &["with", "WITH"]);
    let plan = plan.build().unwrap();
    let evidence = scan(root, &plan, &ScanOptions::default()).unwrap();
    let mut kept: Vec<(String, bool)> = evidence
        .documents(screened)
        .files
        .iter()
        .map(|d| (d.path.clone(), d.text.is_some()))
        .collect();
    kept.sort();
    assert_eq!(
        kept,
        [
            ("a.txt".to_string(), false),
            ("b.txt".to_string(), true),
            ("c.txt".to_string(), false)
        ]
    );
}

/// A finding inside a Rust file's test module has the role "test", one
/// outside it the file's role, whether the hit's rule reads only production
/// code (its hits in tests are dropped) or test code too (its lines are
/// judged once the findings are known).
#[test]
fn findings_in_inline_rust_tests_have_the_test_role() {
    const INLINE_PACK: &str = r#"
- id: code.marker
  title: No markers are left
  category: code_quality
  severity: low
  stage: beta
  roles: [production, test]
  description: A marker planted by this test, in production and test code.
  remediation: Remove it.
  effort: 5m
  rule:
    content_absent:
      patterns: [{ name: marker, regex: 'MARK_[0-9]' }]
- id: code.production-marker
  title: No production markers are left
  category: code_quality
  severity: low
  stage: beta
  roles: [production]
  description: A marker planted by this test, that only production code may not hold.
  remediation: Remove it.
  effort: 5m
  rule:
    content_absent:
      patterns: [{ name: marker, regex: 'PROD_[0-9]' }]
"#;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("src")).unwrap();
    let text = "pub fn serve() { let _ = \"MARK_1\"; }\n\
         \n\
         #[cfg(test)]\n\
         mod tests {\n\
         \x20   #[test]\n\
         \x20   fn a() { let _ = \"MARK_2\"; }\n\
         }\n";
    fs::write(root.join("src/lib.rs"), text).unwrap();
    // The first rule's hits alone in a file, and the second's.
    fs::write(root.join("src/other.rs"), text.replace("MARK", "PROD")).unwrap();
    let report = audit_with_pack(root, "inline.yaml", INLINE_PACK);
    let located = |id: &str| -> Vec<String> {
        let check = report.checks.iter().find(|c| c.id == id).unwrap();
        check
            .findings
            .iter()
            .map(|f| {
                format!(
                    "{}:{} {:?}",
                    f.path.as_deref().unwrap_or(""),
                    f.line.unwrap_or(0),
                    f.role
                )
            })
            .collect()
    };
    assert_eq!(
        located("code.marker"),
        ["src/lib.rs:1 Some(Production)", "src/lib.rs:6 Some(Test)"]
    );
    assert_eq!(
        located("code.production-marker"),
        ["src/other.rs:1 Some(Production)"]
    );
}
