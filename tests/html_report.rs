//! `--format html`: a page that parses cleanly, needs nothing from the
//! network, puts the verdict first, and lists every check with filters. A
//! headless Chromium run (when Chromium is installed) checks that it renders.

mod common;

use common::{audit, audit_json, readyctl};
use scraper::{Html, Selector};

fn page(fixture: &str) -> String {
    let (_, out) = audit(fixture, &["--format", "html"]);
    out
}

fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    doc.select(&Selector::parse(css).unwrap()).collect()
}

/// The page's outline: section ids, headings, filters and how many checks of
/// each kind; what a reader sees, without the text that changes with packs.
fn outline(doc: &Html) -> String {
    let mut lines = Vec::new();
    for el in select(doc, "header, section, h2, select, figure > svg") {
        let v = el.value();
        let id = v.id().map(|i| format!("#{i}")).unwrap_or_default();
        let text = if v.name() == "h2" {
            format!(" {}", el.text().collect::<String>())
        } else {
            String::new()
        };
        lines.push(format!("{}{id}{text}", v.name()));
    }
    for kind in ["blocker", "to-do", ""] {
        let n = select(doc, &format!("article.check[data-kind=\"{kind}\"]")).len();
        lines.push(format!("checks of kind {kind:?}: {n}"));
    }
    lines.join("\n")
}

#[test]
fn html_parses_and_has_the_documented_structure() {
    let html = page("far-from-ready");
    let doc = Html::parse_document(&html);
    assert!(doc.errors.is_empty(), "HTML parse errors: {:?}", doc.errors);
    insta::assert_snapshot!(outline(&doc));

    // The verdict and the score are the first thing in the body.
    let first = select(&doc, "body > *")[0];
    assert_eq!(first.value().name(), "header");
    let text: String = first.text().collect();
    let (_, report) = audit_json("far-from-ready", &[]);
    let score = report["summary"]["score"].as_f64().unwrap().round();
    assert!(
        text.contains(&format!("{score}%")) && text.contains("NOT READY"),
        "{text}"
    );

    // Every check is there once, blockers first.
    let checks = report["checks"].as_array().unwrap();
    let articles = select(&doc, "article.check");
    assert_eq!(articles.len(), checks.len());
    let kinds: Vec<&str> = articles
        .iter()
        .map(|a| a.value().attr("data-kind").unwrap())
        .collect();
    let rank = |k: &&str| match *k {
        "blocker" => 0,
        "to-do" => 1,
        _ => 2,
    };
    assert!(kinds.windows(2).all(|w| rank(&w[0]) <= rank(&w[1])));
    assert_eq!(kinds[0], "blocker");

    // Findings keep their place; unmet checks carry a fix and a docs link.
    let aws = select(&doc, "article[id=\"check-secrets.cloud-keys\"]")[0];
    let aws_text: String = aws.text().collect();
    assert!(aws_text.contains("internal/config/config.go:14"));
    assert!(aws_text.contains("Fix:"));
    let links = aws
        .select(&Selector::parse("a").unwrap())
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect::<Vec<_>>();
    assert!(
        links[0].ends_with("docs/checks.md#secretscloud-keys"),
        "{links:?}"
    );
}

#[test]
fn html_is_self_contained() {
    let html = page("far-from-ready");
    let doc = Html::parse_document(&html);
    // Nothing is loaded: no external scripts, styles, images or fonts.
    assert!(select(&doc, "script[src], link, img, iframe, object, embed").is_empty());
    assert!(!html.contains("@import") && !html.contains("url("));
    // The chart is inline SVG with a bar per category.
    let svg = select(&doc, "figure svg");
    assert_eq!(svg.len(), 1);
    let categories = select(&doc, "#f-category option").len() - 1;
    assert!(select(&doc, "figure svg rect").len() >= categories);
    // Both colour schemes and print are styled.
    assert!(html.contains("prefers-color-scheme: dark"));
    assert!(html.contains("@media print"));
}

#[test]
fn html_escapes_what_the_repository_says() {
    // A repository's own check pack is hostile input too.
    let dir = tempfile::tempdir().unwrap();
    let checks = dir.path().join(".readyctl/checks");
    std::fs::create_dir_all(&checks).unwrap();
    std::fs::write(
        checks.join("evil.yaml"),
        r#"- id: custom.evil
  title: "<script>alert(1)</script>"
  category: security
  severity: high
  stage: beta
  description: d
  remediation: "<img src=x onerror=alert(2)>"
  effort: 1h
  references: ["javascript:alert(3)"]
  rule: { file_exists: { paths: ["nothing-here"] } }
"#,
    )
    .unwrap();
    let out = readyctl()
        .arg("audit")
        .arg(dir.path())
        .args(["--format", "html"])
        .output()
        .unwrap();
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.contains("custom.evil"), "the pack loaded: {html:.300}");
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("<img src=x"));
    assert!(!html.contains("javascript:alert"));
}

#[test]
fn output_extension_picks_html() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.html");
    readyctl()
        .args(["audit", "fixtures/close-to-ready", "-o"])
        .arg(&file)
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
}

/// Renders the page in headless Chromium and checks it drew something:
/// a screenshot of the expected size that is not blank. Runs only where
/// Chromium is installed (Debian: `apt-get install chromium`).
#[test]
fn html_renders_in_headless_chromium() {
    let chromium = std::path::Path::new("/usr/bin/chromium");
    if !chromium.exists() {
        eprintln!("skipped: /usr/bin/chromium not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.html");
    std::fs::write(&file, page("far-from-ready")).unwrap();
    let shot = dir.path().join("shot.png");
    let profile = dir.path().join("profile");
    let out = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--hide-scrollbars",
            // Console messages go to stderr, where the test looks for errors.
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1000,1400",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", file.display()))
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("Uncaught") && !stderr.contains(":ERROR:CONSOLE"),
        "console error: {stderr}"
    );
    let png = std::fs::read(&shot).expect("a screenshot");
    // A PNG header, and far more bytes than a blank page compresses to.
    assert_eq!(&png[1..4], b"PNG");
    assert!(png.len() > 40_000, "screenshot is {} bytes", png.len());
    if let Ok(keep) = std::env::var("READYCTL_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
}

#[test]
fn html_charts_the_change_since_the_compared_report() {
    let dir = tempfile::tempdir().unwrap();
    let previous = dir.path().join("previous.json");
    readyctl()
        .args(["audit", "fixtures/far-from-ready", "--exit-zero", "-o"])
        .arg(&previous)
        .assert()
        .success();
    let out = readyctl()
        .args([
            "audit",
            "fixtures/close-to-ready",
            "--format",
            "html",
            "--compare",
        ])
        .arg(&previous)
        .output()
        .unwrap();
    let html = String::from_utf8(out.stdout).unwrap();
    let doc = Html::parse_document(&html);
    let caption: String = select(&doc, "figure figcaption")[0].text().collect();
    let (_, before) = audit_json("far-from-ready", &[]);
    let (_, after) = audit_json("close-to-ready", &[]);
    let pct = |r: &serde_json::Value| r["summary"]["score"].as_f64().unwrap().round();
    let expected = format!("Overall: {}% → {}%", pct(&before), pct(&after));
    assert!(caption.contains(&expected), "{caption}");
    // A mark per category that had a score before, on top of the bars.
    let plain = page("close-to-ready");
    let bars = |h: &str| select(&Html::parse_document(h), "figure svg rect").len();
    assert!(bars(&html) > bars(&plain), "previous scores are marked");
}
