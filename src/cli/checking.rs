//! `selfserve check`: which folder, then the report and the exit code (0 clean, 1 errors,
//! 2 when there is nothing to check).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::check::{self, CheckFormat};

/// The folder to check from `DIR` and `--content`, or the sentence when both are given.
fn folder_given(dir: Option<PathBuf>, content: Option<PathBuf>) -> Result<PathBuf, String> {
    match (dir, content) {
        (Some(dir), Some(content)) => Err(format!(
            "the content folder is given twice ({} and --content {}); give it once, as DIR or with --content",
            dir.display(),
            content.display()
        )),
        (Some(dir), None) | (None, Some(dir)) => Ok(dir),
        (None, None) => Ok(PathBuf::from("content")),
    }
}

/// Runs `check`; problems go to stdout, everything for people to stderr.
pub(super) fn run(
    dir: Option<PathBuf>,
    content: Option<PathBuf>,
    format: CheckFormat,
) -> anyhow::Result<ExitCode> {
    let mut stderr = std::io::stderr().lock();
    let given = match folder_given(dir, content) {
        Ok(given) => given,
        Err(sentence) => {
            writeln!(stderr, "error: {sentence}")?;
            return Ok(ExitCode::from(2));
        }
    };
    let folder = check::content_folder(&given);
    if folder.inside_repository {
        writeln!(
            stderr,
            "checking {} (it holds site.toml); paths below are relative to it",
            folder.path.display()
        )?;
    }
    match check::check(&folder.path) {
        Ok(report) => {
            let mut stdout = std::io::stdout().lock();
            check::write_report(&report, format, &mut stdout, &mut stderr)?;
            stdout.flush()?;
            Ok(if report.errors() > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Err(err) => {
            writeln!(stderr, "error: {err}")?;
            Ok(ExitCode::from(2))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_comes_from_dir_or_content_and_defaults_to_content() {
        let p = |s: &str| Some(PathBuf::from(s));
        assert_eq!(folder_given(p("a"), None), Ok(PathBuf::from("a")));
        assert_eq!(folder_given(None, p("b")), Ok(PathBuf::from("b")));
        assert_eq!(folder_given(None, None), Ok(PathBuf::from("content")));
        assert!(folder_given(p("a"), p("b")).is_err_and(|e| e.contains("give it once")));
    }
}
