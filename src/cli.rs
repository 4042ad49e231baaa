//! Command-line interface (clap derive): the doc comments are the help text.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::check::{self, CheckFormat};
use crate::web::{self, ServeOptions};

/// A knowledge base and learning platform for platform-engineering teams.
#[derive(Debug, Parser)]
#[command(name = "selfserve", version, about)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the site (the default command).
    Serve(ServeArgs),
    /// Validate a content folder without serving it; exit 1 when it has errors.
    Check {
        /// The content folder.
        #[arg(default_value = "content")]
        dir: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
    },
}

/// Options of `serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// The content folder.
    #[arg(long, default_value = "content")]
    pub content: PathBuf,
    /// Where the database and other state live.
    #[arg(long, default_value = "data")]
    pub data: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Reload content when files change.
    #[arg(long)]
    pub watch: bool,
}

impl Default for ServeArgs {
    fn default() -> Self {
        Self {
            content: PathBuf::from("content"),
            data: PathBuf::from("data"),
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            watch: false,
        }
    }
}

/// Starts logging to stderr; `RUST_LOG` overrides the default `info` level.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Serve(args) => {
            web::serve(ServeOptions {
                content: args.content,
                data: args.data,
                addr: args.addr,
                watch: args.watch,
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { dir, format } => match check::check(&dir) {
            Ok(report) => {
                let stdout = std::io::stdout();
                let stderr = std::io::stderr();
                check::write_report(&report, format, &mut stdout.lock(), &mut stderr.lock())?;
                Ok(if report.errors() > 0 {
                    ExitCode::from(1)
                } else {
                    ExitCode::SUCCESS
                })
            }
            Err(err) => {
                let _ = writeln!(std::io::stderr(), "error: {err}");
                Ok(ExitCode::from(2))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
