//! Loads the shared corpora (`$SELFSERVE_CORPUS`, i.e. `../shared/corpus`) side by side as
//! one site, the way the relevance runner and the search bench both need them.

use std::path::{Path, PathBuf};

use selfserve::loader;
use selfserve::model::Site;

/// The corpora loaded together; document ids start with `gitlab-runbooks/` or `argocd-docs/`.
pub struct Corpus {
    /// The site built from both folders.
    pub site: Site,
    /// Keeps the folder of copies alive while the site is used.
    _root: tempfile::TempDir,
}

/// Where the corpus lives, from `SELFSERVE_CORPUS`; `None` when unset or empty.
pub fn corpus_dir() -> Option<PathBuf> {
    std::env::var_os("SELFSERVE_CORPUS")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Builds a content root holding copies of both corpora (about 10 MB) and loads it. Copies,
/// not symlinks: the loader never follows a link out of the content folder.
pub fn load(corpus: &Path) -> Result<Corpus, String> {
    let root = tempfile::tempdir().map_err(|e| format!("cannot create a temporary folder: {e}"))?;
    for name in ["gitlab-runbooks", "argocd-docs"] {
        let target = corpus.join(name);
        if !target.is_dir() {
            return Err(format!(
                "{} is not a folder; is SELFSERVE_CORPUS right?",
                target.display()
            ));
        }
        copy_tree(&target, &root.path().join(name))
            .map_err(|e| format!("cannot copy {}: {e}", target.display()))?;
    }
    let (site, _) = loader::load_site(root.path()).map_err(|e| e.to_string())?;
    Ok(Corpus { site, _root: root })
}

/// Copies the folders and regular files under `from` to `to` (links are skipped).
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}
