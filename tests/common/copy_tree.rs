//! Copies a folder tree (folders and regular files; links are skipped): the corpus tests and
//! benches copy the real corpora into a temporary content folder, since the loader never
//! follows a symlink out of the content folder.

use std::path::Path;

/// Copies the folders and regular files under `from` to `to`.
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
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
