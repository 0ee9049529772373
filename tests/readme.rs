//! The README shows what readyctl prints, not what it printed once.
//!
//! The sample report under "A sample report" is the output of the command
//! it shows, run here the way a user runs it (not at a terminal, so the
//! compact report); only the date in its first line is pinned. When checks
//! change, `READYCTL_UPDATE_README=1 cargo test --test readme` rewrites the
//! block: read `git diff README.md` before committing it.
//!
//! The first screen's commands name things that must exist: the bundled
//! sample they audit and the toolchain version they promise.

use assert_cmd::Command;
use std::path::Path;

const SAMPLE_COMMAND: &str = "$ readyctl audit fixtures/close-to-ready";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).unwrap()
}

#[test]
fn the_sample_report_is_what_readyctl_prints() {
    let readme = readme();
    let command = readme
        .find(SAMPLE_COMMAND)
        .expect("the README shows the sample command");
    let start = command + readme[command..].find('\n').unwrap() + 1;
    let end = start + readme[start..].find("```").unwrap();
    let shown = &readme[start..end];

    let output = Command::cargo_bin("readyctl")
        .unwrap()
        .current_dir(root())
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .args(["audit", "fixtures/close-to-ready"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the gate passes on the sample: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = String::from_utf8(output.stdout).unwrap();

    if std::env::var_os("READYCTL_UPDATE_README").is_some() {
        let updated = format!("{}{printed}{}", &readme[..start], &readme[end..]);
        std::fs::write(root().join("README.md"), updated).unwrap();
        return;
    }
    let first_difference = shown
        .lines()
        .zip(printed.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| shown.lines().count().min(printed.lines().count()));
    assert!(
        shown == printed,
        "README's sample report is stale from its line {} on:\n  README:  {:?}\n  printed: {:?}\n\
         rerun with READYCTL_UPDATE_README=1 and read `git diff README.md`",
        first_difference + 1,
        shown.lines().nth(first_difference).unwrap_or_default(),
        printed.lines().nth(first_difference).unwrap_or_default(),
    );
}

#[test]
fn the_first_screen_commands_name_what_exists() {
    let readme = readme();
    let first_screen: String = readme.lines().take(70).collect::<Vec<_>>().join("\n");
    for command in [
        "cargo run --release -- audit fixtures/far-from-ready",
        "cargo test",
        "## What you get",
    ] {
        assert!(
            first_screen.contains(command),
            "the README's first screen shows `{command}`"
        );
    }
    assert!(root().join("fixtures/far-from-ready").is_dir());
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .expect("Cargo.toml declares rust-version")
        .trim_matches('"');
    assert!(
        first_screen.contains(&format!("a Rust toolchain, {version}")),
        "the README promises the toolchain Cargo.toml requires ({version})"
    );
}
