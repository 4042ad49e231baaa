//! The `selfserve` binary: parses arguments, starts logging, runs a command, maps the result
//! to an exit code.

use std::process::ExitCode;

use clap::Parser;

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
