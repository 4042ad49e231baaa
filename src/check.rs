//! `selfserve check`: finds the content folder, validates it and prints every problem.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::loader;
use crate::model::diagnostic::Diagnostic;
use crate::source::{ContentRoot, SourceError};

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CheckFormat {
    /// One `PATH:LINE:COL: severity: message` line per problem.
    #[default]
    Text,
    /// A JSON array of `{path, line, column, severity, message}`.
    Json,
}

/// Why a folder could not be checked at all (exit 2: a CI job on a wrong path must fail).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The folder is missing, unreadable or a file.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The folder holds no Markdown file: almost always the wrong folder.
    #[error("no Markdown files under {} — is this the content folder? Pass the folder that holds site.toml and the Markdown files", .0.display())]
    NoMarkdown(PathBuf),
}

/// What a check found.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// Every problem, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// Markdown files found.
    pub files: usize,
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

    /// The one-line summary: `checked 42 files: 0 errors, 3 warnings`.
    pub fn summary(&self) -> String {
        format!(
            "checked {}: {}, {}",
            counted(self.files, "file", "files"),
            counted(self.errors(), "error", "errors"),
            counted(self.warnings(), "warning", "warnings"),
        )
    }
}

fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The content root `check` walks for a folder it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentFolder {
    /// The folder to check.
    pub path: PathBuf,
    /// True when `path` is the `content/` folder of the repository given, not the folder
    /// itself (worth saying: the paths printed are relative to it).
    pub inside_repository: bool,
}

/// A folder holding `site.toml` is the content root. A repository root whose
/// `content/site.toml` exists is not: walking it would check build output, test fixtures
/// and everything else, so its `content/` is. Anything else is taken as given.
pub fn content_folder(dir: &Path) -> ContentFolder {
    let nested = dir.join("content");
    let inside_repository = !dir.join("site.toml").is_file() && nested.join("site.toml").is_file();
    ContentFolder {
        path: if inside_repository {
            nested
        } else {
            dir.to_path_buf()
        },
        inside_repository,
    }
}

/// Checks a content folder; `Err` when it cannot be read or holds no Markdown file.
pub fn check(root: &Path) -> Result<CheckReport, CheckError> {
    // The walk is only a directory listing; it is repeated by the load rather than threaded
    // through it, so the load stays the one the server runs.
    let files = crate::source::list_content(&ContentRoot::new(root))?
        .markdown
        .len();
    if files == 0 {
        return Err(CheckError::NoMarkdown(root.to_path_buf()));
    }
    let (site, _) = loader::load_site(root)?;
    Ok(CheckReport {
        files,
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
    writeln!(summary, "{}", report.summary())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_with_site_toml_is_the_root() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join("site.toml"), "").expect("write");
        std::fs::create_dir(dir.path().join("content")).expect("mkdir");
        std::fs::write(dir.path().join("content/site.toml"), "").expect("write");
        let found = content_folder(dir.path());
        assert_eq!(found.path, dir.path());
        assert!(!found.inside_repository);
    }

    #[test]
    fn a_repository_root_means_its_content_folder() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::create_dir(dir.path().join("content")).expect("mkdir");
        std::fs::write(dir.path().join("content/site.toml"), "").expect("write");
        let found = content_folder(dir.path());
        assert_eq!(found.path, dir.path().join("content"));
        assert!(found.inside_repository);
    }

    #[test]
    fn any_other_folder_is_taken_as_given() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::create_dir(dir.path().join("content")).expect("mkdir");
        assert_eq!(content_folder(dir.path()).path, dir.path());
    }

    #[test]
    fn a_folder_without_markdown_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join("notes.txt"), "hi").expect("write");
        let err = check(dir.path()).expect_err("no markdown");
        assert!(matches!(err, CheckError::NoMarkdown(_)), "{err}");
        assert!(
            err.to_string().contains("is this the content folder?"),
            "{err}"
        );
    }

    #[test]
    fn the_summary_counts_files_errors_and_warnings() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join("a.md"), "---\ntitle: A\n---\n\nText.\n").expect("write");
        std::fs::write(dir.path().join("b.md"), "").expect("write");
        let report = check(dir.path()).expect("checked");
        assert_eq!(report.files, 2);
        assert_eq!(report.summary(), "checked 2 files: 0 errors, 1 warning");
    }
}
