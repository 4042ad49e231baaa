//! The only code that reads the content folder: walks it, reads Markdown files and
//! `site.toml`, lists assets, and reads an asset when the web layer serves one.

pub mod watch;

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Files larger than this are reported instead of read (a runaway generated file must not
/// take the site down).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Folders nested deeper than this are reported and skipped.
pub const MAX_DEPTH: usize = 48;

/// Names left out everywhere: the licence and attribution files shipped beside imported docs.
const IGNORED_NAMES: &[&str] = &["ATTRIBUTION.md"];

/// One Markdown file as read from disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Path relative to the content root, `/`-separated.
    pub rel_path: String,
    /// The file's bytes (not yet known to be UTF-8).
    pub bytes: Vec<u8>,
}

/// A file or folder that could not be read; the walk goes on without it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceProblem {
    /// Path relative to the content root.
    pub rel_path: String,
    /// A sentence saying what happened.
    pub message: String,
}

/// Everything the walk found.
#[derive(Debug, Clone, Default)]
pub struct ContentFiles {
    /// Markdown files, sorted by path.
    pub markdown: Vec<SourceFile>,
    /// Other files (images and the like), by relative path.
    pub assets: BTreeSet<String>,
    /// The text of `site.toml`, when present (bytes, checked for UTF-8 by the loader).
    pub site_toml: Option<Vec<u8>>,
    /// Files and folders that could not be read.
    pub problems: Vec<SourceProblem>,
}

/// Everything the walk found, before any Markdown file is read. A cold load reads each file
/// when it parses it ([`read_markdown`]), so the whole corpus is never in memory at once.
#[derive(Debug, Clone, Default)]
pub struct ContentListing {
    /// Markdown files by relative path, sorted.
    pub markdown: Vec<String>,
    /// Other files (images and the like), by relative path.
    pub assets: BTreeSet<String>,
    /// The text of `site.toml`, when present (bytes, checked for UTF-8 by the loader).
    pub site_toml: Option<Vec<u8>>,
    /// Files and folders that could not be read.
    pub problems: Vec<SourceProblem>,
}

impl ContentListing {
    /// Reads every listed Markdown file (a problem for each that cannot be read).
    pub fn read_all(self, root: &Path) -> ContentFiles {
        let mut files = ContentFiles {
            markdown: Vec::with_capacity(self.markdown.len()),
            assets: self.assets,
            site_toml: self.site_toml,
            problems: self.problems,
        };
        for rel_path in self.markdown {
            match read_markdown(root, &rel_path) {
                Ok(file) => files.markdown.push(file),
                Err(problem) => files.problems.push(problem),
            }
        }
        files
    }
}

/// Reads one listed Markdown file.
pub fn read_markdown(root: &Path, rel_path: &str) -> Result<SourceFile, SourceProblem> {
    fs::read(root.join(rel_path))
        .map(|bytes| SourceFile {
            rel_path: rel_path.to_owned(),
            bytes,
        })
        .map_err(|err| SourceProblem {
            rel_path: rel_path.to_owned(),
            message: format!("cannot read the file: {err}"),
        })
}

/// Errors that stop the walk before it starts.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The content folder is missing or unreadable.
    #[error("cannot read the content folder {path}: {source}; check the path and its permissions")]
    Root {
        /// The folder given.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The content path is a file, not a folder.
    #[error("{0} is not a folder; pass the folder that holds the Markdown files")]
    NotAFolder(PathBuf),
}

/// True for Markdown file names.
pub fn is_markdown(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
}

/// True for names the walk leaves out (hidden, `_private`, editor swap files, attribution).
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('_')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
        || IGNORED_NAMES.contains(&name)
}

/// Walks `root` and reads every Markdown file. Per-file problems are collected, not fatal.
pub fn read_content(root: &Path) -> Result<ContentFiles, SourceError> {
    Ok(list_content(root)?.read_all(root))
}

/// Walks `root` without reading Markdown files. Per-file problems are collected, not fatal.
pub fn list_content(root: &Path) -> Result<ContentListing, SourceError> {
    let meta = fs::metadata(root).map_err(|source| SourceError::Root {
        path: root.to_path_buf(),
        source,
    })?;
    if !meta.is_dir() {
        return Err(SourceError::NotAFolder(root.to_path_buf()));
    }
    let mut files = ContentListing::default();
    let mut visited = HashSet::new();
    if let Ok(canonical) = fs::canonicalize(root) {
        visited.insert(canonical);
    }
    walk(root, "", 0, &mut visited, &mut files);
    match fs::read(root.join("site.toml")) {
        Ok(bytes) => files.site_toml = Some(bytes),
        Err(err) if err.kind() == io::ErrorKind::NotFound => {}
        Err(err) => files.problems.push(SourceProblem {
            rel_path: "site.toml".into(),
            message: format!("cannot read site.toml: {err}"),
        }),
    }
    files.assets.remove("site.toml");
    files.markdown.sort();
    Ok(files)
}

fn walk(
    dir: &Path,
    rel_dir: &str,
    depth: usize,
    visited: &mut HashSet<PathBuf>,
    files: &mut ContentListing,
) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            files.problems.push(SourceProblem {
                rel_path: rel_dir.to_owned(),
                message: format!("cannot read this folder: {err}"),
            });
            return;
        }
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            files.problems.push(SourceProblem {
                rel_path: format!("{rel_dir}{}", entry.file_name().to_string_lossy()),
                message: "the file name is not valid UTF-8; rename it".into(),
            });
            continue;
        };
        if is_ignored_name(&name) {
            continue;
        }
        let rel_path = format!("{rel_dir}{name}");
        let path = entry.path();
        // Follows symlinks, so a link to a file or folder inside the tree works.
        let meta = match fs::metadata(&path) {
            Ok(meta) => meta,
            Err(err) => {
                files.problems.push(SourceProblem {
                    rel_path,
                    message: format!("cannot read this entry (a broken symlink?): {err}"),
                });
                continue;
            }
        };
        if meta.is_dir() {
            if depth + 1 > MAX_DEPTH {
                files.problems.push(SourceProblem {
                    rel_path,
                    message: format!(
                        "folders nest deeper than {MAX_DEPTH} levels; this one is skipped"
                    ),
                });
                continue;
            }
            let canonical = fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if !visited.insert(canonical) {
                files.problems.push(SourceProblem {
                    rel_path,
                    message: "this folder was already read (a symlink loop?); it is skipped".into(),
                });
                continue;
            }
            walk(&path, &format!("{rel_path}/"), depth + 1, visited, files);
        } else if meta.is_file() {
            if !is_markdown(&name) {
                files.assets.insert(rel_path);
                continue;
            }
            if meta.len() > MAX_FILE_BYTES {
                files.problems.push(SourceProblem {
                    rel_path,
                    message: format!(
                        "the file is {} MB, over the {} MB limit; split it into smaller pages",
                        meta.len() / (1024 * 1024),
                        MAX_FILE_BYTES / (1024 * 1024)
                    ),
                });
                continue;
            }
            files.markdown.push(rel_path);
        }
    }
}

/// What one path under the content root is now, for live reload.
#[derive(Debug, Clone)]
pub enum Entry {
    /// A Markdown file, read.
    Markdown(SourceFile),
    /// A non-Markdown file.
    Asset,
    /// A folder, walked: everything under it.
    Folder(ContentFiles),
    /// Nothing is there (deleted or renamed away).
    Missing,
    /// A name the walk leaves out (hidden, swap file, `site.toml` is read separately).
    Ignored,
    /// It exists but cannot be read.
    Problem(SourceProblem),
}

/// Reads what is at `rel_path` now. Callers pass content-relative paths derived from
/// watcher events, never request input.
pub fn read_entry(root: &Path, rel_path: &str) -> Entry {
    if rel_path.is_empty()
        || rel_path
            .split('/')
            .any(|s| s.is_empty() || s == ".." || is_ignored_name(s))
    {
        return Entry::Ignored;
    }
    let path = root.join(rel_path);
    let meta = match fs::metadata(&path) {
        Ok(meta) => meta,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Entry::Missing,
        Err(err) => {
            return Entry::Problem(SourceProblem {
                rel_path: rel_path.to_owned(),
                message: format!("cannot read this entry: {err}"),
            });
        }
    };
    if meta.is_dir() {
        let mut files = ContentListing::default();
        let mut visited = HashSet::new();
        if let Ok(canonical) = fs::canonicalize(root) {
            visited.insert(canonical);
        }
        let depth = rel_path.split('/').count();
        walk(
            &path,
            &format!("{rel_path}/"),
            depth,
            &mut visited,
            &mut files,
        );
        files.markdown.sort();
        return Entry::Folder(files.read_all(root));
    }
    let name = rel_path.rsplit('/').next().unwrap_or(rel_path);
    if !is_markdown(name) {
        return Entry::Asset;
    }
    if meta.len() > MAX_FILE_BYTES {
        return Entry::Problem(SourceProblem {
            rel_path: rel_path.to_owned(),
            message: format!(
                "the file is over the {} MB limit; split it into smaller pages",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        });
    }
    match fs::read(&path) {
        Ok(bytes) => Entry::Markdown(SourceFile {
            rel_path: rel_path.to_owned(),
            bytes,
        }),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Entry::Missing,
        Err(err) => Entry::Problem(SourceProblem {
            rel_path: rel_path.to_owned(),
            message: format!("cannot read the file: {err}"),
        }),
    }
}

/// Reads `site.toml` again; `None` when it is gone.
pub fn read_site_toml(root: &Path) -> io::Result<Option<Vec<u8>>> {
    match fs::read(root.join("site.toml")) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err),
    }
}

/// Reads one asset listed by the walk. The caller passes only paths from
/// [`ContentFiles::assets`], so no request can name a file outside the content folder.
pub fn read_asset(root: &Path, rel_path: &str) -> io::Result<Vec<u8>> {
    if rel_path
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == ".." || s.contains('\\'))
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a content path",
        ));
    }
    fs::read(root.join(rel_path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_reads_markdown_lists_assets_and_skips_hidden() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        fs::create_dir_all(dir.path().join("guides/img"))?;
        fs::create_dir_all(dir.path().join(".git"))?;
        fs::write(dir.path().join("guides/a.md"), "# A")?;
        fs::write(dir.path().join("guides/_draft.md"), "# D")?;
        fs::write(dir.path().join("guides/img/x.svg"), "<svg/>")?;
        fs::write(dir.path().join(".git/HEAD"), "ref")?;
        fs::write(dir.path().join("site.toml"), "title = 'x'")?;
        let files = read_content(dir.path()).map_err(io::Error::other)?;
        let paths: Vec<&str> = files.markdown.iter().map(|f| f.rel_path.as_str()).collect();
        assert_eq!(paths, ["guides/a.md"]);
        assert!(files.assets.contains("guides/img/x.svg"));
        assert!(!files.assets.contains("site.toml"));
        assert!(files.site_toml.is_some());
        Ok(())
    }

    #[test]
    fn missing_root_is_an_error() {
        assert!(read_content(Path::new("/definitely/not/here")).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_reported_not_followed_forever() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        fs::create_dir_all(dir.path().join("a"))?;
        std::os::unix::fs::symlink(dir.path(), dir.path().join("a/loop"))?;
        let files = read_content(dir.path()).map_err(io::Error::other)?;
        assert!(
            files
                .problems
                .iter()
                .any(|p| p.message.contains("symlink loop"))
        );
        Ok(())
    }

    #[test]
    fn read_asset_refuses_traversal() {
        assert!(read_asset(Path::new("/tmp"), "../etc/passwd").is_err());
        assert!(read_asset(Path::new("/tmp"), "a//b").is_err());
    }
}
