//! Command-line interface. One place decides the exit status:
//!
//! | code | meaning |
//! |------|---------|
//! | 0 | the gate passed (or the command succeeded) |
//! | 1 | the gate failed |
//! | 2 | usage error, invalid configuration or check pack, unreadable input |

mod args;
mod audit;
mod checks;
mod diagnostics;
mod diff;
mod facts;
mod generate;
mod init;
mod output;
mod progress;
mod suggest;
mod templates;

use clap::Parser;
use std::process::ExitCode;

pub use args::Cli;

/// Exit codes, documented in the README and `--help`.
pub mod exit {
    pub const OK: u8 = 0;
    pub const GATE_FAILED: u8 = 1;
    pub const ERROR: u8 = 2;
}

/// An error already explained to the user on stderr, or one to explain.
pub enum Failure {
    /// Printed already (e.g. diagnostics); just exit 2.
    Reported,
    Message(String),
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(error: E) -> Self {
        Failure::Message(error.to_string())
    }
}

pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap exits 0 for --help/--version and 2 for usage errors.
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() {
                exit::ERROR
            } else {
                exit::OK
            });
        }
    };
    let result = match cli.command {
        args::Command::Audit(args) => audit::run(*args),
        args::Command::Checks(args) => checks::run(args),
        args::Command::Diff(args) => diff::run(args),
        args::Command::Schema(args) => generate::schema(args),
        args::Command::Completions(args) => generate::completions(args),
        args::Command::Man(args) => generate::man(args),
        args::Command::Init(args) => init::run(args),
        args::Command::Facts(args) => facts::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(Failure::Reported) => ExitCode::from(exit::ERROR),
        Err(Failure::Message(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(exit::ERROR)
        }
    }
}
