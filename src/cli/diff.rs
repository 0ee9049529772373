//! `readyctl diff OLD.json NEW.json`: a report of what changed. Always exits
//! 0 when both reports could be read; gating on changes is `audit --compare`'s job.

use super::args::{DiffArgs, DiffFormatArg};
use super::{Failure, exit, output};
use readyctl::compare::load_report;
use readyctl::escape;
use readyctl::redact::{Redactor, rewrite_strings};
use readyctl::render::diff::{DiffFormat, render_diff};

pub fn run(args: DiffArgs) -> Result<u8, Failure> {
    let old = load_report(&args.old).map_err(Failure::Message)?;
    let new = load_report(&args.new).map_err(Failure::Message)?;
    let format = match args.format {
        DiffFormatArg::Table => DiffFormat::Table,
        DiffFormatArg::Markdown => DiffFormat::Markdown,
        DiffFormatArg::Json => DiffFormat::Json,
    };
    // Both reports are files someone handed over: mask secret shapes
    // older versions may have written, and escape what would drive the
    // terminal (ids and messages of a tampered report).
    let redactor = Redactor::default().with_builtin_patterns();
    let mut diff = redactor.apply(&readyctl::diff::diff(&old, &new));
    if format != DiffFormat::Json {
        diff = rewrite_strings(&diff, escape::control);
    }
    let text = render_diff(&diff, format);
    output::write(&text, None)?;
    Ok(exit::OK)
}
