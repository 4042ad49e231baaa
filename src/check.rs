//! `selfserve check`: validates a content folder and prints every problem.

use std::io::Write;
use std::path::Path;

use crate::loader;
use crate::model::diagnostic::Diagnostic;

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CheckFormat {
    /// One `PATH:LINE:COL: severity: message` line per problem.
    #[default]
    Text,
    /// A JSON array of `{path, line, column, severity, message}`.
    Json,
}

/// What a check found.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// Every problem, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// Documents loaded.
    pub documents: usize,
}

impl CheckReport {
    /// Errors found.
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// Warnings found.
    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// Checks a folder; `Err` when the folder cannot be read at all.
pub fn check(root: &Path) -> Result<CheckReport, crate::source::SourceError> {
    let (site, _) = loader::load_site(root)?;
    Ok(CheckReport {
        documents: site.documents.len(),
        diagnostics: site.diagnostics,
    })
}

/// Writes the report; the summary line goes to `summary` (stderr) so stdout stays parseable.
pub fn write_report(
    report: &CheckReport,
    format: CheckFormat,
    out: &mut dyn Write,
    summary: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        CheckFormat::Text => {
            for d in &report.diagnostics {
                writeln!(out, "{d}")?;
            }
        }
        CheckFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &report.diagnostics)?;
            writeln!(out)?;
        }
    }
    writeln!(
        summary,
        "checked {} documents: {} errors, {} warnings",
        report.documents,
        report.errors(),
        report.warnings()
    )
}
