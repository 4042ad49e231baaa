//! `selfserve import`: bring a site written for another tool into a new content folder.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::mkdocs::{self, ImportReport};

/// Options of `import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Where the site comes from.
    #[command(subcommand)]
    pub command: ImportCommand,
}

/// The `import` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ImportCommand {
    /// Copy a MkDocs site (its docs_dir) into a new content folder, with a site.toml whose
    /// [[nav]] keeps mkdocs.yml's nav (order, titles, sections) and a `title:` front matter
    /// on each page that has none. The MkDocs folder is only read; OUT must be new or empty.
    Mkdocs {
        /// The MkDocs project folder (holding mkdocs.yml) or the mkdocs.yml file.
        path: PathBuf,
        /// The content folder to create.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

/// Runs `import`; the report goes to stderr, like `init`'s.
pub(super) fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        ImportCommand::Mkdocs { path, out } => {
            let report = mkdocs::import(&path, &out)?;
            let mut stderr = std::io::stderr().lock();
            write_report(&report, &mut stderr)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `1 page`, `2 pages`.
fn counted(n: usize, one: &str) -> String {
    format!("{n} {one}{}", if n == 1 { "" } else { "s" })
}

fn write_report(report: &ImportReport, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(
        out,
        "imported {} and {} from {} into {} ({} given a title: front matter)",
        counted(report.pages, "page"),
        counted(report.other_files, "other file"),
        report.config_path.display(),
        report.out.display(),
        report.front_matter_added,
    )?;
    writeln!(
        out,
        "nav: {}, {}, {} in site.toml's [[nav]]; {} not in the nav (served and searchable, not in the sidebar)",
        counted(report.nav_pages, "page"),
        counted(report.nav_links, "link"),
        counted(report.nav_sections, "section"),
        counted(report.not_in_nav, "page"),
    )?;
    for left in &report.left_out {
        writeln!(
            out,
            "{}:{}: nav entry `{}` left out: {}",
            report.config_path.display(),
            left.line,
            left.target,
            left.reason
        )?;
    }
    for skipped in &report.skipped {
        writeln!(out, "not copied: {skipped}")?;
    }
    for line in &report.not_carried {
        writeln!(out, "not carried over: {line}")?;
    }
    writeln!(
        out,
        "next: `selfserve check {}`, then `selfserve serve --content {}`",
        report.out.display(),
        report.out.display()
    )
}
