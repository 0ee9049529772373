//! The `readyctl` binary: argument parsing, printing and exit codes. All the
//! work is done by the `readyctl` library.

mod cli;

use std::process::ExitCode;

/// jemalloc instead of the C library's allocator: musl's (the Linux release
/// builds) serialises the walk's threads, and glibc's cost a tenth of a
/// small audit's instructions (Cargo.toml says where it is left out).
#[cfg(all(
    not(target_env = "msvc"),
    any(
        target_arch = "x86_64",
        all(target_arch = "aarch64", target_os = "macos")
    )
))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    cli::run()
}
