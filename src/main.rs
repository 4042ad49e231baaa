//! The `selfserve` binary: parses arguments, starts logging, runs a command, maps the result
//! to an exit code.

use std::process::ExitCode;

use clap::Parser;

/// The loader and the index build allocate and free gigabytes at 100× the corpus on several
/// threads; glibc's malloc kept ~20 % of it in per-thread arenas afterwards, mimalloc
/// returns it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = selfserve::cli::Cli::parse();
    selfserve::cli::init_logging();
    match selfserve::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(1)
        }
    }
}
