//! The `readyctl` binary: argument parsing, printing and exit codes. All the
//! work is done by the `readyctl` library.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run()
}
