//! Loads the shared corpora (`$SELFSERVE_CORPUS`, i.e. `../shared/corpus`) side by side as
//! one site, the way the relevance runner and the search bench both need them.

#[path = "../common/copy_tree.rs"]
mod copy_tree;
use copy_tree::copy_tree;

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
