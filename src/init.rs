//! `selfserve init DIR`: a new content repository with one example of each kind, CI jobs
//! running `selfserve check`, and a README. The examples pass `check` with no warnings, so
//! a team starts from a green build; the files are compiled in from `src/init/template/`.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Every file `init` writes: its path in the repository and its text.
pub const FILES: &[(&str, &str)] = &[
    ("site.toml", include_str!("init/template/site.toml")),
    ("README.md", include_str!("init/template/README.md")),
    (
        "guides/getting-started.md",
        include_str!("init/template/guides/getting-started.md"),
    ),
    (
        "troubleshooting/disk-full.md",
        include_str!("init/template/troubleshooting/disk-full.md"),
    ),
    (
        "training/modules/platform-basics.md",
        include_str!("init/template/training/modules/platform-basics.md"),
    ),
    (
        "training/paths/onboarding.md",
        include_str!("init/template/training/paths/onboarding.md"),
    ),
    (
        "resources/deploy-pipeline.md",
        include_str!("init/template/resources/deploy-pipeline.md"),
    ),
    (
        ".gitlab-ci.yml",
        include_str!("init/template/.gitlab-ci.yml"),
    ),
    (
        ".github/workflows/check.yml",
        include_str!("init/template/.github/workflows/check.yml"),
    ),
];

/// Why `init` wrote nothing (or stopped).
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// The folder already holds files; `init` never mixes its files with someone's work.
    #[error("{} is not empty; pass a new or empty folder (init never overwrites files)", .0.display())]
    NotEmpty(PathBuf),
    /// The path exists and is not a folder.
    #[error("{} is a file; pass a new or empty folder", .0.display())]
    NotAFolder(PathBuf),
    /// A folder or file could not be created.
    #[error("cannot create {}: {source}; check the path and its permissions", path.display())]
    Write {
        /// What could not be created.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
}

/// Writes [`FILES`] into `dir` (created when missing; it must be empty) and returns the
/// paths written. Files are created exclusively: a file that appeared meanwhile is an
/// error, never overwritten.
pub fn scaffold(dir: &Path) -> Result<Vec<PathBuf>, InitError> {
    let write_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| InitError::Write { path, source }
    };
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(InitError::NotEmpty(dir.to_path_buf()));
            }
        }
        Err(_) if dir.exists() => return Err(InitError::NotAFolder(dir.to_path_buf())),
        Err(_) => std::fs::create_dir_all(dir).map_err(write_error(dir))?,
    }
    let mut written = Vec::with_capacity(FILES.len());
    for (rel_path, text) in FILES {
        let path = dir.join(rel_path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(write_error(parent))?;
        }
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(write_error(&path))?;
        file.write_all(text.as_bytes())
            .map_err(write_error(&path))?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scaffold_passes_check_with_no_errors_and_no_warnings() {
        let dir = tempfile::tempdir().expect("dir");
        let repo = dir.path().join("kb");
        let written = scaffold(&repo).expect("scaffold");
        assert_eq!(written.len(), FILES.len());
        let report = crate::check::check(&repo).expect("checks");
        let problems: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
        assert!(problems.is_empty(), "{problems:#?}");
        assert_eq!(report.documents, 6, "one of each kind and the README");
        let kinds: std::collections::BTreeSet<String> = crate::loader::load_site(&repo)
            .expect("loads")
            .0
            .documents
            .values()
            .map(|d| format!("{:?}", d.kind))
            .collect();
        assert_eq!(kinds.len(), 5, "every kind: {kinds:?}");
    }

    #[test]
    fn a_non_empty_folder_is_refused_and_left_as_it_was() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join("notes.md"), "mine").expect("write");
        let err = scaffold(dir.path()).expect_err("refused");
        assert!(err.to_string().contains("is not empty"), "{err}");
        assert_eq!(std::fs::read_dir(dir.path()).expect("read").count(), 1);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("notes.md")).expect("read"),
            "mine"
        );
    }

    #[test]
    fn an_empty_folder_is_filled() {
        let dir = tempfile::tempdir().expect("dir");
        scaffold(dir.path()).expect("scaffold");
        assert!(dir.path().join(".github/workflows/check.yml").is_file());
    }
}
