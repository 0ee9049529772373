//! Commands that print something generated from readyctl's own definitions:
//! JSON Schemas (from the parsing types), shell completions and the man page
//! (from the clap command line), so none of them can fall out of date.

use super::args::{Cli, CompletionsArgs, ManArgs, SchemaArgs, SchemaKind};
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
    // The built-in check ids, offered where an id is expected. Only in the
    // script: parsing still accepts the ids of the user's own packs.
    // clap wants 'static names; this command prints and exits.
    let ids: Vec<&'static str> = readyctl::Catalog::builtin()
        .map(|catalog| {
            catalog
                .checks()
                .iter()
                .map(|c| &*Box::leak(c.id.clone().into_boxed_str()))
                .collect()
        })
        .unwrap_or_default();
    let ids = clap::builder::PossibleValuesParser::new(ids);
    let mut command = Cli::command().mut_subcommand("checks", |checks| {
        checks.mut_subcommand("explain", |explain| {
            explain.mut_arg("id", |id| id.value_parser(ids))
        })
    });
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "readyctl", &mut script);
    output::write(&String::from_utf8_lossy(&script), None)?;
    Ok(exit::OK)
}

pub fn man(args: ManArgs) -> Result<u8, Failure> {
    let mut command = Cli::command();
    command.build();
    if let Some(dir) = &args.out_dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
        clap_mangen::generate_to(command, dir)
            .map_err(|e| format!("cannot write man pages to `{}`: {e}", dir.display()))?;
        return Ok(exit::OK);
    }
    let page_of = match &args.command {
        None => command,
        Some(name) => {
            let Some(sub) = command.find_subcommand(name) else {
                let names: Vec<&str> = command.get_subcommands().map(|c| c.get_name()).collect();
                return Err(Failure::Message(format!(
                    "no subcommand `{name}`; one of {}",
                    names.join(", ")
                )));
            };
            sub.clone().display_name(format!("readyctl-{name}"))
        }
    };
    let mut page = Vec::new();
    clap_mangen::Man::new(page_of)
        .render(&mut page)
        .map_err(|e| Failure::Message(format!("cannot render the man page: {e}")))?;
    output::write(&String::from_utf8_lossy(&page), None)?;
    Ok(exit::OK)
}
