//! `readyctl audit`.

use super::args::{AuditArgs, FormatArg, PackArgs};
use super::progress::{self, Spinner, Verbosity};
use super::{Failure, diagnostics, exit, output};
use readyctl::baseline::Baseline;
use readyctl::check::Origin;
use readyctl::compare::load_report;
use readyctl::config::limits::{MAX_FILE_SIZE, MIN_FILE_SIZE};
use readyctl::config::{CONFIG_FILE, Config, ConfigError};
use readyctl::diagnostic::LineIndex;
use readyctl::escape;
use readyctl::live::config::parse_duration;
use readyctl::live::{LiveOptions, Target, load_ca_certs};
use readyctl::pack::PackLoader;
use readyctl::render::{Format, RenderOptions};
use readyctl::select::{self, Selection};
use readyctl::{AuditOptions, Catalog, Gate, LoadError};
use std::fmt::Write as _;
use std::path::Path;

/// Built-in packs, then the user's, then the repository's own.
pub fn load_catalog(packs: &PackArgs, repo: &Path) -> Result<Catalog, Failure> {
    let mut loader = PackLoader::new();
    loader.add_builtin();
    for dir in &packs.checks {
        loader.add_dir(dir, Origin::User);
    }
    if !packs.no_repo_checks {
        loader.add_repository(repo);
    }
    loader.finish().map_err(|error| match error {
        LoadError::Invalid(found) => {
            diagnostics::print(&found);
            Failure::Reported
        }
        other => Failure::from(other),
    })
}

/// The repository around `dir`: the nearest folder up with a `.git`.
fn repository_root(dir: &Path) -> Option<std::path::PathBuf> {
    let dir = std::path::absolute(dir).ok()?;
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// What to audit: PATH when given; else the repository the working directory
/// is in (as git, cargo and ruff find theirs), else the working directory.
fn audit_root(given: Option<&Path>, quiet: bool) -> std::path::PathBuf {
    if let Some(path) = given {
        return path.to_path_buf();
    }
    let here = Path::new(".");
    match repository_root(here) {
        Some(root) if std::path::absolute(here).ok().as_deref() != Some(root.as_path()) => {
            if !quiet {
                eprintln!(
                    "readyctl: auditing the repository at {} (give a path to audit only this folder)",
                    root.display()
                );
            }
            root
        }
        _ => here.to_path_buf(),
    }
}

/// readyctl.toml in the audited folder or the nearest one above it, up to
/// the repository root (a monorepo's config serves its subprojects).
fn find_config(path: &Path) -> std::path::PathBuf {
    let start = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    for dir in start.ancestors() {
        let candidate = dir.join(CONFIG_FILE);
        if candidate.is_file() {
            return candidate;
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    path.join(CONFIG_FILE)
}

/// `--only` (or else `[checks] only`) patterns that are invalid or match
/// no loaded check: errors, since the audit would run none of what was
/// asked for and could pass on that.
fn check_selection(only: &[String], config: &Config, catalog: &Catalog) -> Result<(), Failure> {
    let ids: Vec<&str> = catalog.checks().iter().map(|c| c.id.as_str()).collect();
    if only.is_empty() {
        let unmatched = config.unmatched_only(&ids);
        if !unmatched.is_empty() {
            diagnostics::print(&unmatched);
            return Err(Failure::Reported);
        }
        return Ok(());
    }
    let selection = Selection::new(only, select::Source::CommandLine).map_err(Failure::Message)?;
    let unmatched = selection.as_ref().map_or(Vec::new(), |s| s.unmatched(&ids));
    if unmatched.is_empty() {
        return Ok(());
    }
    let named: Vec<String> = unmatched
        .iter()
        .map(|pattern| {
            format!(
                "--only `{}` matches no loaded check{}",
                escape::control(pattern),
                super::suggest::hint(pattern, ids.iter().copied())
            )
        })
        .collect();
    Err(Failure::Message(format!(
        "{} (`readyctl checks list` lists them)",
        named.join("; ")
    )))
}

fn load_config(args: &AuditArgs) -> Result<Config, Failure> {
    let loaded = match &args.config {
        Some(path) => Config::load(path),
        None => {
            let found = find_config(&args.path);
            Config::load_from_repository(found.parent().unwrap_or(&args.path))
        }
    };
    loaded.map_err(|error| match error {
        ConfigError::Invalid(found) => {
            diagnostics::print(&found);
            Failure::Reported
        }
        other => Failure::from(other),
    })
}

/// The format: the flag, else what `--output`'s extension says, else table.
fn chosen_format(args: &AuditArgs) -> Format {
    if let Some(format) = args.format {
        return format.into();
    }
    let extension = args
        .output
        .as_deref()
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str());
    match extension {
        Some("md" | "markdown") => FormatArg::Markdown.into(),
        Some("json") => FormatArg::Json.into(),
        Some("sarif") => FormatArg::Sarif.into(),
        Some("xml") => FormatArg::Junit.into(),
        Some("html" | "htm") => FormatArg::Html.into(),
        _ => Format::Table,
    }
}

/// `--date`, else `SOURCE_DATE_EPOCH`, pins the report's date, so a
/// committed READINESS.md changes when the repository does, not every day.
fn now(date: Option<&str>) -> Result<jiff::Timestamp, Failure> {
    if let Some(date) = date {
        let day: jiff::civil::Date = date.parse().map_err(|e| {
            Failure::Message(format!(
                "--date takes a day as YYYY-MM-DD, not `{date}`: {e}"
            ))
        })?;
        return day
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .map_err(Failure::from);
    }
    Ok(std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(|secs| jiff::Timestamp::from_second(secs).ok())
        .unwrap_or_else(jiff::Timestamp::now))
}

/// `wrote READINESS.md — NOT READY (58%), gate failed`: a report that went to
/// a file still says how the run came out.
fn wrote_line(path: &Path, report: &readyctl::report::Report) -> String {
    format!(
        "wrote {} — {} ({}), gate {}",
        path.display(),
        report.summary.verdict.title(),
        readyctl::render::format_score(report.summary.score),
        if report.gate.passed {
            "passed"
        } else {
            "failed"
        }
    )
}

pub fn run(mut args: AuditArgs) -> Result<u8, Failure> {
    args.path = audit_root(args.given_path.as_deref(), args.outputs.quiet);
    if !args.path.is_dir() {
        return Err(Failure::Message(format!(
            "`{}` is not a directory that can be audited",
            args.path.display()
        )));
    }
    if let Some(score) = args.fail_under
        && !(0.0..=100.0).contains(&score)
    {
        return Err(Failure::Message(format!(
            "--fail-under takes a score from 0 to 100, not {score}"
        )));
    }
    if let Some(size) = args.max_file_size
        && !(MIN_FILE_SIZE..=MAX_FILE_SIZE).contains(&size)
    {
        return Err(Failure::Message(format!(
            "--max-file-size takes {MIN_FILE_SIZE} (1 KiB) to {MAX_FILE_SIZE} (1 GiB) bytes, not {size}"
        )));
    }
    // Before the scan: a typo in a report's directory should not cost a
    // whole audit to discover.
    for file in args
        .outputs
        .reports
        .iter()
        .map(|r| &r.file)
        .chain(args.output.as_ref())
    {
        output::check_writable(file)?;
    }
    let started = std::time::Instant::now();
    let verbosity = Verbosity::from_flags(args.outputs.quiet, args.outputs.verbose);
    let config = load_config(&args)?;
    // The scan's literal automaton is the largest part of the fixed cost and
    // needs no pack: it is built on its own core while the packs load. It
    // holds the literals of every built-in check; a selection of a few
    // checks builds the smaller one of its own patterns instead.
    let selection = if args.only.is_empty() {
        config.only_patterns()
    } else {
        args.only.clone()
    };
    if selection.is_empty() {
        readyctl::scan::prebuild_automaton();
    }
    let catalog = load_catalog(&args.packs, &args.path)?;
    let unknown_waivers = config.unknown_waiver_checks(&|id| catalog.get(id).is_some());
    if !unknown_waivers.is_empty() {
        diagnostics::print(&unknown_waivers);
        return Err(Failure::Reported);
    }
    check_selection(&args.only, &config, &catalog)?;
    if verbosity == Verbosity::Verbose {
        progress::print_packs(&catalog);
    }
    let unknown_ids = if verbosity == Verbosity::Quiet {
        Vec::new()
    } else {
        config.unknown_check_ids(&|id| catalog.get(id).is_some())
    };
    // The text the config was parsed from, indexed once: reading the file
    // again per warning made 100k unknown ids take most of a minute.
    if let Some(source) = config.source.as_ref().filter(|_| !unknown_ids.is_empty()) {
        let lines = LineIndex::new(&source.text);
        let name = escape::control(&source.name);
        let mut warnings = String::new();
        for (id, span) in unknown_ids {
            let at = lines.position(span.start);
            let _ = writeln!(
                warnings,
                "warning: {name}:{}:{}: no loaded check has the id `{}`{}",
                at.line,
                at.column,
                escape::control(id),
                super::suggest::hint(id, catalog.checks().iter().map(|c| c.id.as_str()))
            );
        }
        eprint!("{warnings}");
    }

    let mut options = AuditOptions::new(args.path.display().to_string());
    options.now = now(args.date.as_deref())?;
    options.in_ci = in_ci();
    options.in_commit_hook = in_commit_hook();
    options.only = args.only.clone();
    if args.git.search_history || args.git.since.is_some() || config.scan.history {
        options.history = Some(readyctl::repo::history::HistoryOptions {
            since: args
                .git
                .since
                .as_deref()
                .map(readyctl::repo::history::Since::parse),
            ..Default::default()
        });
    }
    options.scan.max_file_size = args
        .max_file_size
        .or(config.scan.max_file_size)
        .unwrap_or(options.scan.max_file_size);
    // Lists add up: the config's entries, then the command line's.
    let both = |configured: &[String], given: &[String]| [configured, given].concat();
    options.scan.exclude = both(&config.scan.exclude, &args.exclude);
    options.scan.include = both(&config.scan.include, &args.include);
    let flags = Gate {
        fail_under: args.fail_under,
        fail_on: args.fail_on.map(Into::into),
        stage: args.stage.map(Into::into),
        fail_on_regression: args.history.fail_on_regression,
    };
    let configured = Gate {
        fail_under: config.gate.fail_under,
        fail_on: config.gate.fail_on,
        stage: config.gate.stage,
        // Only when there is a previous report to compare with: a local run
        // without --compare must not fail for lack of one.
        fail_on_regression: config.gate.fail_on_regression && args.history.compare.is_some(),
    };
    options.gate = flags.or(configured);
    options.live = live_options(&args, &config)?;
    if let Some(path) = &args.history.baseline {
        options.baseline = Some(Baseline::load(path)?);
    }
    if let Some(path) = &args.history.baseline_if_exists
        && path.exists()
    {
        options.baseline = Some(Baseline::load(path)?);
    }
    if let Some(path) = &args.history.compare {
        options.previous = Some(Box::new(load_report(path).map_err(Failure::Message)?));
    }

    let walked = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    options.scan.progress = Some(walked.clone());
    let spinner = Spinner::start(verbosity, &options.display_path, walked);
    let report = readyctl::audit(&args.path, &catalog, &config, &options);
    spinner.finish();
    let report = report?;
    if let Some(path) = &args.history.write_baseline {
        let baseline = Baseline::from_report(&report);
        output::write(&baseline.to_json(), Some(path))?;
        if verbosity != Verbosity::Quiet {
            eprintln!(
                "wrote baseline {}: {} unmet check(s), {} finding(s)",
                path.display(),
                baseline.checks.len(),
                baseline.findings.len()
            );
        }
    }
    if verbosity == Verbosity::Verbose {
        progress::print_stats(&report, started.elapsed());
    }
    // Recording a baseline is the whole job: no report asked for, no gate.
    let only_baseline = args.history.write_baseline.is_some()
        && args.output.is_none()
        && args.format.is_none()
        && args.outputs.reports.is_empty();
    if only_baseline {
        return Ok(exit::OK);
    }
    // Everything at a terminal (or with --details); elsewhere — a file, a
    // pipe, a CI log — the compact report, which fits a screen.
    let compact = !args.outputs.details
        && (args.outputs.summary || args.output.is_some() || !output::stdout_is_terminal());
    let render_options = RenderOptions {
        color: args.output.is_none() && output::use_color(args.color),
        summary: args.outputs.summary,
        anchors: anchors(&args.path),
        width: output::width(),
        compact,
        verbose: verbosity == Verbosity::Verbose,
    };
    let format = chosen_format(&args);
    let text = readyctl::render::render(&report, format, render_options.clone());
    if format == Format::Github {
        job_summary(&report)?;
    }
    let silent = args.outputs.quiet_on_pass && report.gate.passed && args.output.is_none();
    if !silent {
        output::write(&text, args.output.as_deref())?;
        if let Some(path) = &args.output
            && verbosity != Verbosity::Quiet
        {
            eprintln!("{}", wrote_line(path, &report));
        }
    }
    // The extra reports: same scan, other formats; never coloured.
    for extra in &args.outputs.reports {
        let options = RenderOptions {
            color: false,
            ..render_options.clone()
        };
        let text = readyctl::render::render(&report, extra.format, options);
        output::write(&text, Some(&extra.file))?;
        if verbosity == Verbosity::Verbose {
            eprintln!("{}", wrote_line(&extra.file, &report));
        }
    }

    if report.gate.passed || args.exit_zero {
        Ok(exit::OK)
    } else {
        Ok(exit::GATE_FAILED)
    }
}

/// The root files repository-level SARIF results point at.
fn anchors(root: &Path) -> readyctl::render::Anchors {
    let first = |names: &[&str]| {
        names
            .iter()
            .find(|name| root.join(name).is_file())
            .map(|name| name.to_string())
    };
    let workflow = std::fs::read_dir(root.join(".github/workflows"))
        .ok()
        .and_then(|entries| {
            let mut names: Vec<String> = entries
                .filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.ends_with(".yml") || n.ends_with(".yaml"))
                .collect();
            names.sort();
            names.into_iter().next()
        })
        .map(|name| format!(".github/workflows/{name}"))
        .or_else(|| first(&[".gitlab-ci.yml"]));
    readyctl::render::Anchors {
        readme: first(&["README.md", "README", "README.rst", "readme.md"]),
        manifest: first(&[
            "go.mod",
            "package.json",
            "Cargo.toml",
            "pyproject.toml",
            "requirements.txt",
            "pom.xml",
            "build.gradle",
            "build.gradle.kts",
            "Gemfile",
            "composer.json",
        ]),
        dockerfile: first(&["Dockerfile", "Containerfile"]),
        workflow,
    }
}

/// In a GitHub Actions step, the markdown report goes to the job's summary
/// page (appended: other steps write there too), where nothing is capped.
fn job_summary(report: &readyctl::report::Report) -> Result<(), Failure> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let text = readyctl::render::render(report, Format::Markdown, RenderOptions::default());
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .map_err(|e| format!("cannot open GITHUB_STEP_SUMMARY: {e}"))?;
    std::io::Write::write_all(&mut file, text.as_bytes())
        .map_err(|e| format!("cannot write GITHUB_STEP_SUMMARY: {e}"))?;
    Ok(())
}

/// Targets and limits: flags over `[live]` in readyctl.toml over defaults.
fn live_options(args: &AuditArgs, config: &Config) -> Result<LiveOptions, Failure> {
    let flags = &args.live;
    let mut options = LiveOptions {
        offline: flags.offline,
        insecure: flags.insecure || config.live.insecure.unwrap_or(false),
        ..LiveOptions::default()
    };
    for url in &flags.urls {
        options
            .targets
            .push(Target::from_url(url).map_err(|e| Failure::Message(format!("--url {e}")))?);
    }
    for name in &flags.targets {
        let Some(target) = config.targets.get(name) else {
            let known: Vec<&str> = config.targets.keys().map(String::as_str).collect();
            return Err(Failure::Message(format!(
                "--target {name}: readyctl.toml has no [targets.{name}]{}",
                if known.is_empty() {
                    String::new()
                } else {
                    format!(" (known: {})", known.join(", "))
                }
            )));
        };
        options
            .targets
            .push(Target::from_config(name, target).map_err(Failure::Message)?);
    }
    let duration =
        |flag: &Option<String>, configured: &Option<toml::Spanned<String>>, name: &str| {
            let text = flag
                .clone()
                .or_else(|| configured.as_ref().map(|s| s.get_ref().clone()));
            text.map(|t| parse_duration(&t).map_err(|e| Failure::Message(format!("{name}: {e}"))))
                .transpose()
        };
    if let Some(timeout) = duration(&flags.timeout, &config.live.timeout, "timeout")? {
        options.timeout = timeout;
    }
    if let Some(deadline) = duration(&flags.deadline, &config.live.deadline, "deadline")? {
        options.deadline = deadline;
    }
    if let Some(n) = flags
        .connections_per_host
        .or(config.live.connections_per_host)
    {
        if n == 0 {
            return Err(Failure::Message(
                "connections per host must be at least 1".to_string(),
            ));
        }
        options.connections_per_host = n;
    }
    if let Some(bytes) = config.live.max_body_bytes {
        options.max_body_bytes = bytes;
    }
    let ca_cert = match (&flags.ca_cert, &config.live.ca_cert) {
        (Some(path), _) => Some(path.clone()),
        (None, Some(path)) => Some(config_dir(args).join(path)),
        (None, None) => None,
    };
    if let Some(path) = ca_cert {
        options.ca_certs = load_ca_certs(&path).map_err(Failure::Message)?;
    }
    Ok(options)
}

/// Paths in readyctl.toml are relative to the file.
fn config_dir(args: &AuditArgs) -> std::path::PathBuf {
    match &args.config {
        Some(path) => path.parent().map(Path::to_path_buf).unwrap_or_default(),
        None => find_config(&args.path)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| args.path.clone()),
    }
}

/// CI systems set `CI` (GitHub, GitLab, CircleCI, Travis, Buildkite, Drone,
/// Woodpecker, Bitbucket, Azure via `TF_BUILD`); `CI=false` says otherwise.
fn in_ci() -> bool {
    let set = |name: &str| {
        std::env::var(name)
            .ok()
            .is_some_and(|v| !v.is_empty() && !v.eq_ignore_ascii_case("false") && v != "0")
    };
    set("CI") || set("TF_BUILD")
}

/// pre-commit (and prek) set `PRE_COMMIT=1` for its hooks; git itself gives
/// hooks run by `git commit` (husky, lefthook, plain hooks) `GIT_INDEX_FILE`.
fn in_commit_hook() -> bool {
    ["PRE_COMMIT", "GIT_INDEX_FILE"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
}
