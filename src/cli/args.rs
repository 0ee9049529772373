//! Every flag, in one place: help, man page and completions come from here.

use clap::{Args, Parser, Subcommand, ValueEnum};
use readyctl::model::{Severity, Stage};
use readyctl::render::Format;
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Exit codes:
  0  the gate passed
  1  the gate failed (by default: verdict not_ready; see `readyctl audit --help`)
  2  usage error, invalid readyctl.toml or check pack, unreadable path

Environment:
  READYCTL_CONFIG      path of the config file (instead of readyctl.toml found
                       from <PATH> up to the repository root)
  READYCTL_FORMAT, READYCTL_FAIL_UNDER, READYCTL_FAIL_ON, READYCTL_STAGE,
  READYCTL_COLOR, READYCTL_DATE
                       defaults for the `audit` flags of the same name
  NO_COLOR             disables colour
  CLICOLOR_FORCE, FORCE_COLOR
                       colour even when not writing to a terminal
  COLUMNS              width of the table (else the terminal's, else 80)";

#[derive(Debug, Parser)]
#[command(
    name = "readyctl",
    version,
    about = "Audit a repository for production readiness: scored report, verdict, CI gate.",
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit a repository and print a scored readiness report.
    Audit(Box<AuditArgs>),
    /// List or explain the loaded checks.
    #[command(subcommand)]
    Checks(ChecksCommand),
    /// What changed between two JSON reports: verdict, scores, checks, findings.
    Diff(DiffArgs),
    /// Print the JSON Schema of check packs or of readyctl.toml (for editors).
    Schema(SchemaArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the man page (roff), generated from this command line; or
    /// write one page per subcommand into a directory.
    Man(ManArgs),
    /// Write a commented readyctl.toml (and a CI job) for a repository.
    Init(InitArgs),
    /// Show the repository model: file roles, projects, and which
    /// Dockerfiles and Compose files are judged as production, and why.
    Facts(FactsArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Table,
    Markdown,
    Json,
    Sarif,
    Junit,
    Github,
    /// GitLab Code Quality JSON (artifacts:reports:codequality).
    Gitlab,
    /// A self-contained HTML page with charts (no network needed).
    Html,
}

impl From<FormatArg> for Format {
    fn from(arg: FormatArg) -> Format {
        match arg {
            FormatArg::Table => Format::Table,
            FormatArg::Markdown => Format::Markdown,
            FormatArg::Json => Format::Json,
            FormatArg::Sarif => Format::Sarif,
            FormatArg::Junit => Format::Junit,
            FormatArg::Github => Format::Github,
            FormatArg::Gitlab => Format::Gitlab,
            FormatArg::Html => Format::Html,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SeverityArg {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl From<SeverityArg> for Severity {
    fn from(arg: SeverityArg) -> Severity {
        match arg {
            SeverityArg::Critical => Severity::Critical,
            SeverityArg::High => Severity::High,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::Low => Severity::Low,
            SeverityArg::Info => Severity::Info,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum StageArg {
    Beta,
    Production,
}

impl From<StageArg> for Stage {
    fn from(arg: StageArg) -> Stage {
        match arg {
            StageArg::Beta => Stage::Beta,
            StageArg::Production => Stage::Production,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum ColorArg {
    /// Colour when writing the table to a terminal and NO_COLOR is unset.
    #[default]
    Auto,
    Always,
    Never,
}

/// Where checks come from, shared by `audit` and `checks`.
#[derive(Debug, Args, Clone)]
pub struct PackArgs {
    /// Load extra check packs (*.yaml) from DIR; repeatable.
    #[arg(long = "checks", value_name = "DIR")]
    pub checks: Vec<PathBuf>,
    /// Ignore packs in the audited repository's .readyctl/checks/.
    #[arg(long)]
    pub no_repo_checks: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Gate (exit code 1):
  With none of --fail-under, --fail-on or --stage (nor [gate] in readyctl.toml),
  the gate fails when the verdict is not_ready. Once any of them is set, exactly
  the conditions given apply. Failed and errored checks both count as unmet.
  --fail-on-regression is such a condition too. Waived checks are not unmet.
  With --baseline, the default condition is \"nothing fails beyond the
  baseline\", and --fail-on and --stage ignore baselined checks (docs/waivers.md).

Verdict:
  not_ready           a critical check is unmet, or the score is under 70
  ready_with_caveats  the score is under 90, or a high check is unmet
  ready               otherwise")]
pub struct AuditArgs {
    /// Repository to audit [default: the repository around the current
    /// directory, else the current directory].
    #[arg(value_name = "PATH", id = "path")]
    pub given_path: Option<PathBuf>,
    /// The folder audited: PATH, or the enclosing repository's root.
    #[arg(skip)]
    pub path: PathBuf,
    /// Output format [default: inferred from --output's extension, else table].
    #[arg(long, short = 'f', value_enum, env = "READYCTL_FORMAT")]
    pub format: Option<FormatArg>,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub packs: PackArgs,
    /// Config file [default: readyctl.toml in PATH or the nearest folder
    /// above it, up to the repository root].
    #[arg(long, value_name = "FILE", env = "READYCTL_CONFIG")]
    pub config: Option<PathBuf>,
    /// Run only the checks with this id or matching this glob (e.g.
    /// `secrets.*`); repeatable. The others are reported as skipped, not
    /// selected, and cost nothing. Replaces `[checks] only` in
    /// readyctl.toml; a pattern that matches no check is an error.
    #[arg(long, value_name = "GLOB")]
    pub only: Vec<String>,
    /// Fail the gate when the overall score is below SCORE (0-100).
    #[arg(long, value_name = "SCORE", env = "READYCTL_FAIL_UNDER")]
    pub fail_under: Option<f64>,
    /// Fail the gate when a check of at least this severity is unmet.
    #[arg(long, value_enum, value_name = "SEVERITY", env = "READYCTL_FAIL_ON")]
    pub fail_on: Option<SeverityArg>,
    /// Fail the gate when this stage is not ready.
    #[arg(long, value_enum, env = "READYCTL_STAGE")]
    pub stage: Option<StageArg>,
    /// Do not read files larger than this many bytes [default: 1048576].
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,
    /// Leave paths matching this gitignore-style pattern out; repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Also read this file or directory (relative to the audited folder)
    /// although .gitignore hides it, e.g. a coverage report CI generated;
    /// repeatable.
    #[arg(long, value_name = "PATH")]
    pub include: Vec<String>,
    /// When to use colour in the table.
    #[arg(long, value_enum, default_value_t, env = "READYCTL_COLOR")]
    pub color: ColorArg,
    /// Always exit 0 unless readyctl itself failed (report only).
    #[arg(long)]
    pub exit_zero: bool,
    /// Date the report this day (YYYY-MM-DD) instead of today; the
    /// SOURCE_DATE_EPOCH variable does the same with seconds.
    #[arg(long, value_name = "YYYY-MM-DD", env = "READYCTL_DATE")]
    pub date: Option<String>,
    #[command(flatten)]
    pub live: Box<LiveArgs>,
    #[command(flatten)]
    pub history: Box<HistoryArgs>,
    #[command(flatten)]
    pub git: GitArgs,
    #[command(flatten)]
    pub outputs: OutputArgs,
}

/// Git history (see the `secrets.history` check).
#[derive(Debug, Args)]
#[command(next_help_heading = "Git history")]
pub struct GitArgs {
    /// Also search every blob of the git history (every ref) for the
    /// credentials the secrets checks look for; `[scan] history = true`
    /// in readyctl.toml does the same.
    #[arg(long = "history")]
    pub search_history: bool,
    /// Search only history after this revision (tag, branch, commit) or
    /// date (YYYY-MM-DD or RFC 3339); implies --history.
    #[arg(long, value_name = "REV|DATE")]
    pub since: Option<String>,
}

/// Living with a repository that is not ready yet: known failures and
/// score trends (see docs/waivers.md).
#[derive(Debug, Args)]
#[command(next_help_heading = "Baselines and ratchet")]
pub struct HistoryArgs {
    /// Record the current failures and findings in FILE (a baseline).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Gate only on failures and findings not recorded in this baseline.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline_if_exists")]
    pub baseline: Option<PathBuf>,
    /// Like --baseline, but a missing FILE is not an error: the gate then
    /// applies to everything (for hooks shared before a baseline exists).
    #[arg(long, value_name = "FILE")]
    pub baseline_if_exists: Option<PathBuf>,
    /// Show score changes since this previous `--format json` report.
    #[arg(long, value_name = "PREVIOUS.json")]
    pub compare: Option<PathBuf>,
    /// Fail the gate when the overall or a category score dropped since --compare's report.
    #[arg(long, requires = "compare")]
    pub fail_on_regression: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DiffFormatArg {
    Table,
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier report (`readyctl audit --format json`).
    pub old: PathBuf,
    /// The later report.
    pub new: PathBuf,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    pub format: DiffFormatArg,
}

/// More reports from the same scan, and how chatty the run is.
#[derive(Debug, Args)]
#[command(next_help_heading = "Reports and progress")]
pub struct OutputArgs {
    /// Also write the report in FORMAT to FILE, e.g. sarif=readyctl.sarif;
    /// repeatable. One scan feeds every report.
    #[arg(long = "report", value_name = "FORMAT=FILE", value_parser = parse_report)]
    pub reports: Vec<ReportSpec>,
    /// Only the verdict, category table and blockers, one line each (the
    /// table's default when not writing to a terminal; a PR comment in
    /// markdown).
    #[arg(long, conflicts_with = "details")]
    pub summary: bool,
    /// Table: every unmet check with its findings and fix, also when not
    /// writing to a terminal.
    #[arg(long)]
    pub details: bool,
    /// Print only the report and errors: no progress, no warnings.
    #[arg(long, short = 'q', conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print the report only when the gate fails (pre-commit hooks): a
    /// passing run prints nothing. Files from --report/-o are still written.
    #[arg(long)]
    pub quiet_on_pass: bool,
    /// Print scan statistics, timings and loaded packs on stderr.
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

/// One `--report FORMAT=FILE`.
#[derive(Debug, Clone)]
pub struct ReportSpec {
    pub format: Format,
    pub file: PathBuf,
}

fn parse_report(text: &str) -> Result<ReportSpec, String> {
    let (format, file) = text
        .split_once('=')
        .ok_or_else(|| format!("expected FORMAT=FILE (e.g. sarif=readyctl.sarif), got `{text}`"))?;
    if file.is_empty() {
        return Err(format!("no file after `{format}=`"));
    }
    Ok(ReportSpec {
        format: format.parse()?,
        file: PathBuf::from(file),
    })
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which file format to describe.
    #[arg(value_enum)]
    pub which: SchemaKind,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SchemaKind {
    /// A check pack (checks/*.yaml, .readyctl/checks/*.yaml).
    Checks,
    /// readyctl.toml.
    Config,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The subcommand's page (e.g. `audit`, `checks`) instead of readyctl(1).
    pub command: Option<String>,
    /// Write readyctl.1 and a page per subcommand (readyctl-audit.1, …) here.
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub out_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Repository to set up.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Also write a CI job [default: detected from .github/ or .gitlab-ci.yml].
    #[arg(long, value_enum)]
    pub ci: Option<CiArg>,
    /// Replace files that already exist.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct FactsArgs {
    /// Repository to describe.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// readyctl.toml to read `[roles]` and `[scan]` from [default: PATH/readyctl.toml].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum CiArg {
    Github,
    Gitlab,
}

/// Live endpoint checks: which running services to probe, and how.
#[derive(Debug, Args)]
#[command(next_help_heading = "Live endpoint checks")]
pub struct LiveArgs {
    /// Probe this running service (http:// or https://); repeatable.
    #[arg(long = "url", value_name = "URL")]
    pub urls: Vec<String>,
    /// Probe the service defined as [targets.NAME] in readyctl.toml; repeatable.
    #[arg(long = "target", value_name = "NAME")]
    pub targets: Vec<String>,
    /// Do not contact any service: every live check is skipped.
    #[arg(long)]
    pub offline: bool,
    /// Accept TLS certificates that do not verify (expiry is still checked).
    #[arg(long)]
    pub insecure: bool,
    /// Also trust the CA certificates in this PEM file.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// Per-request timeout, e.g. 5s or 500ms [default: 10s].
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    /// Deadline for all probes together [default: 60s].
    #[arg(long, value_name = "DURATION")]
    pub deadline: Option<String>,
    /// Concurrent connections per host [default: 4].
    #[arg(long, value_name = "N")]
    pub connections_per_host: Option<usize>,
}

#[derive(Debug, Subcommand)]
pub enum ChecksCommand {
    /// Table of every loaded check: id, category, severity, stage, source.
    List(ListArgs),
    /// Everything about one check: what, why, how to fix, effort, references.
    Explain(ExplainArgs),
    /// The Markdown reference of every built-in check, grouped by category
    /// (this is how docs/checks.md is generated).
    Docs,
    /// Every content regex the loaded checks search for, one per line (for
    /// `rg -f`), or with check ids as JSON.
    Patterns(PatternsArgs),
    /// How the score, the verdict and the coverage of the judgement are
    /// computed (`summary.score_method` in JSON reports).
    Scoring,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub packs: PackArgs,
    /// Repository whose .readyctl/checks/ to include.
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Every column (category, effort, source), however wide.
    #[arg(long)]
    pub wide: bool,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The check id, e.g. secrets.private-key.
    pub id: String,
    #[command(flatten)]
    pub packs: PackArgs,
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
}

#[derive(Debug, Args)]
pub struct PatternsArgs {
    #[command(flatten)]
    pub packs: PackArgs,
    /// Repository whose .readyctl/checks/ to include.
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    /// `text`: one regex per line, as `rg -f` reads them; `json`: a list of
    /// {check, regex, literals}.
    #[arg(long, short = 'f', value_enum, default_value_t = PatternsFormat::Text)]
    pub format: PatternsFormat,
    /// Only the patterns ripgrep runs line by line (`line`), or only those
    /// that match across lines and need `rg -U` (`multiline`).
    #[arg(long, value_enum)]
    pub only: Option<PatternLines>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum PatternLines {
    Line,
    Multiline,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum PatternsFormat {
    #[default]
    Text,
    Json,
}
