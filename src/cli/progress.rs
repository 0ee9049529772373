//! What a run says on stderr besides errors: a spinner while a scan runs
//! (only on a terminal, so CI logs and pipes stay clean), and with
//! `--verbose` the statistics that explain a slow or surprising audit.

use indicatif::{ProgressBar, ProgressStyle};
use readyctl::{Catalog, Report};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How much to say on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

impl Verbosity {
    pub fn from_flags(quiet: bool, verbose: bool) -> Verbosity {
        match (quiet, verbose) {
            (true, _) => Verbosity::Quiet,
            (false, true) => Verbosity::Verbose,
            (false, false) => Verbosity::Normal,
        }
    }
}

/// A spinner counting walked files; inert when stderr is not a terminal.
pub struct Spinner {
    bar: Option<ProgressBar>,
}

impl Spinner {
    /// `files` is the counter the scan increments.
    pub fn start(verbosity: Verbosity, path: &str, files: Arc<AtomicU64>) -> Spinner {
        if verbosity == Verbosity::Quiet || !std::io::stderr().is_terminal() {
            return Spinner { bar: None };
        }
        let style = ProgressStyle::with_template("{spinner} auditing {msg}: {files} files walked")
            .expect("the template is valid")
            .with_key(
                "files",
                move |_: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
                    let _ = write!(out, "{}", files.load(Ordering::Relaxed));
                },
            );
        let bar = ProgressBar::new_spinner()
            .with_style(style)
            .with_message(path.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        Spinner { bar: Some(bar) }
    }

    /// Clears the line, so the report starts on a clean terminal.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

/// `--verbose`: where the checks came from.
pub fn print_packs(catalog: &Catalog) {
    let mut per_pack: BTreeMap<&str, usize> = BTreeMap::new();
    for check in catalog.checks() {
        *per_pack.entry(check.source.name.as_str()).or_default() += 1;
    }
    eprintln!(
        "readyctl: {} checks from {} packs",
        catalog.checks().len(),
        per_pack.len()
    );
    for (pack, count) in per_pack {
        eprintln!("  {pack}: {count} checks");
    }
}

/// `--verbose`: what the scan did and how long it took.
pub fn print_stats(report: &Report, elapsed: Duration) {
    let stats = &report.stats;
    eprintln!(
        "readyctl: walked {} files, read {} ({} bytes), skipped {} (binary {}, too large {}, unreadable {}), {} not UTF-8",
        stats.files_walked,
        stats.files_scanned,
        stats.bytes_scanned,
        stats.files_skipped,
        stats.skipped.binary,
        stats.skipped.too_large,
        stats.skipped.unreadable,
        stats.non_utf8,
    );
    eprintln!(
        "readyctl: scan {} ms, whole audit {} ms",
        stats.duration_ms,
        elapsed.as_millis()
    );
    for target in &report.targets {
        eprintln!(
            "readyctl: target {}: {} probes in {} ms",
            target.name,
            target.probes.len(),
            target.duration_ms
        );
    }
    for problem in &stats.problems {
        eprintln!("readyctl: {problem}");
    }
}
