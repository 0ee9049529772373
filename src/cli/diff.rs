//! `readyctl diff OLD.json NEW.json`: a report of what changed. Always exits
//! 0 when both reports could be read; gating on changes is `audit --compare`'s job.

use super::args::{DiffArgs, DiffFormatArg};
use super::{Failure, exit, output};
use readyctl::compare::load_report;
use readyctl::render::diff::{DiffFormat, render_diff};

pub fn run(args: DiffArgs) -> Result<u8, Failure> {
    let old = load_report(&args.old).map_err(Failure::Message)?;
    let new = load_report(&args.new).map_err(Failure::Message)?;
    let format = match args.format {
        DiffFormatArg::Table => DiffFormat::Table,
        DiffFormatArg::Markdown => DiffFormat::Markdown,
        DiffFormatArg::Json => DiffFormat::Json,
    };
    let text = render_diff(&readyctl::diff::diff(&old, &new), format);
    output::write(&text, None)?;
    Ok(exit::OK)
}
