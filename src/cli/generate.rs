//! Commands that print something generated from readyctl's own definitions:
//! JSON Schemas (from the parsing types), shell completions and the man page
//! (from the clap command line), so none of them can fall out of date.

use super::args::{Cli, CompletionsArgs, SchemaArgs, SchemaKind};
use super::{Failure, exit, output};
use clap::CommandFactory;

pub fn schema(args: SchemaArgs) -> Result<u8, Failure> {
    let text = match args.which {
        SchemaKind::Checks => readyctl::schema::check_pack(),
        SchemaKind::Config => readyctl::schema::config(),
    };
    output::write(&text, None)?;
    Ok(exit::OK)
}

pub fn completions(args: CompletionsArgs) -> Result<u8, Failure> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "readyctl", &mut script);
    output::write(&String::from_utf8_lossy(&script), None)?;
    Ok(exit::OK)
}

pub fn man() -> Result<u8, Failure> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|e| Failure::Message(format!("cannot render the man page: {e}")))?;
    output::write(&String::from_utf8_lossy(&page), None)?;
    Ok(exit::OK)
}
