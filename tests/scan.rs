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

fn run(root: &Path, options: ScanOptions) -> readyctl::Report {
    let mut loader = PackLoader::new();
    loader.add_text(
        readyctl::check::PackSource {
            origin: Origin::User,
            name: "test.yaml".into(),
            path: None,
        },
        PACK,
    );
    let catalog = loader.finish().unwrap();
    let mut audit_options = AuditOptions::new("tree");
    audit_options.scan = options;
    audit(root, &catalog, &Config::default(), &audit_options).unwrap()
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
