//! The only code that reads the content folder: walks it, reads Markdown files and
//! `site.toml`, lists assets, and reads an asset when the web layer serves one; and the one
//! code that writes it: a new page stub ([`stub_write`]).

pub mod root;
pub mod stub_write;
pub mod watch;

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use root::Mount;
pub use root::{ContentRoot, Place, ReadError, is_content_path};

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
    pub fn read_all(self, root: &ContentRoot) -> ContentFiles {
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

/// Reads one listed Markdown file, confined to the content folder.
pub fn read_markdown(root: &ContentRoot, rel_path: &str) -> Result<SourceFile, SourceProblem> {
    root.read(rel_path)
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
    /// The data folder is the content folder: the database would be served as an asset.
    #[error(
        "the data folder is the content folder {0}; pass a separate folder with --data, outside \
         the content folder"
    )]
    DataIsContent(PathBuf),
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
pub fn read_content(root: &ContentRoot) -> Result<ContentFiles, SourceError> {
    Ok(list_content(root)?.read_all(root))
}

/// Walks `root` without reading Markdown files. Per-file problems are collected, not fatal.
pub fn list_content(root: &ContentRoot) -> Result<ContentListing, SourceError> {
    let meta = fs::metadata(root.path()).map_err(|source| SourceError::Root {
        path: root.path().to_path_buf(),
        source,
    })?;
    if !meta.is_dir() {
        return Err(SourceError::NotAFolder(root.path().to_path_buf()));
    }
    let mut walker = Walker::new(root, &meta);
    walker.walk(root.path(), "", 0);
    let mut files = walker.files;
    // A refused `site.toml` link is reported once, by the walk.
    if !files.problems.iter().any(|p| p.rel_path == "site.toml") {
        match root.read("site.toml") {
            Ok(bytes) => files.site_toml = Some(bytes),
            Err(err) if err.is_not_found() => {}
            Err(err) => files.problems.push(SourceProblem {
                rel_path: "site.toml".into(),
                message: format!("cannot read site.toml: {err}"),
            }),
        }
    }
    files.assets.remove("site.toml");
    files.markdown.sort();
    Ok(files)
}

/// One walk: what it found, and the folders it has been in (symlink loops).
struct Walker<'a> {
    root: &'a ContentRoot,
    visited: HashSet<PathBuf>,
    /// The root's mount: folders on another one are mount points.
    mount: Mount,
    files: ContentListing,
}

impl<'a> Walker<'a> {
    fn new(root: &'a ContentRoot, root_meta: &fs::Metadata) -> Self {
        let mut visited = HashSet::new();
        visited.insert(root.canonical().to_path_buf());
        Self {
            root,
            visited,
            mount: Mount::of(root.canonical(), root_meta),
            files: ContentListing::default(),
        }
    }

    fn problem(&mut self, rel_path: String, message: String) {
        self.files
            .problems
            .push(SourceProblem { rel_path, message });
    }

    fn walk(&mut self, dir: &Path, rel_dir: &str, depth: usize) {
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(err) => {
                self.problem(
                    rel_dir.to_owned(),
                    format!("cannot read this folder: {err}"),
                );
                return;
            }
        };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                self.problem(
                    format!("{rel_dir}{}", entry.file_name().to_string_lossy()),
                    "the file name is not valid UTF-8; rename it".into(),
                );
                continue;
            };
            if is_ignored_name(&name) {
                continue;
            }
            let rel_path = format!("{rel_dir}{name}");
            if self.root.is_excluded(&rel_path) {
                continue;
            }
            let path = entry.path();
            let is_link = entry.file_type().is_ok_and(|t| t.is_symlink());
            // A symlink is followed only when its target resolves inside the content folder.
            if is_link && let Some(message) = link_problem(self.root, &path) {
                self.problem(rel_path, message);
                continue;
            }
            let meta = match fs::metadata(&path) {
                Ok(meta) => meta,
                Err(err) => {
                    self.problem(rel_path, format!("cannot read this entry: {err}"));
                    continue;
                }
            };
            if meta.is_dir() {
                self.folder(&path, rel_path, depth, &meta);
            } else if root::is_hard_linked(&meta) {
                self.problem(rel_path, ReadError::HardLink.to_string());
            } else if meta.is_file() {
                self.file(rel_path, &name, &meta);
            }
        }
    }

    fn folder(&mut self, path: &Path, rel_path: String, depth: usize, meta: &fs::Metadata) {
        if depth + 1 > MAX_DEPTH {
            let message =
                format!("folders nest deeper than {MAX_DEPTH} levels; this one is skipped");
            self.problem(rel_path, message);
            return;
        }
        if Mount::of(path, meta).differs(self.mount) {
            self.problem(rel_path, MOUNT_POINT.into());
            return;
        }
        let canonical = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        match self.root.place(&canonical) {
            Place::Inside => {}
            // The data folder reached some other way than its own name: never walked.
            Place::Excluded => return,
            Place::Outside => {
                self.problem(rel_path, MOUNT_POINT.into());
                return;
            }
        }
        if !self.visited.insert(canonical) {
            let message = "this folder was already read (a symlink loop?); it is skipped".into();
            self.problem(rel_path, message);
            return;
        }
        self.walk(path, &format!("{rel_path}/"), depth + 1);
    }

    fn file(&mut self, rel_path: String, name: &str, meta: &fs::Metadata) {
        if !is_markdown(name) {
            self.files.assets.insert(rel_path);
            return;
        }
        if meta.len() > MAX_FILE_BYTES {
            let message = format!(
                "the file is {} MB, over the {} MB limit; split it into smaller pages",
                meta.len() / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            );
            self.problem(rel_path, message);
            return;
        }
        self.files.markdown.push(rel_path);
    }
}

/// What the walk says about a folder on another mount.
const MOUNT_POINT: &str = "this folder is a mount point (another file system or a bind mount) \
     inside the content folder; nothing outside the content folder is read: copy the files into \
     the folder instead";

/// Why the symlink at `path` is not followed, or `None` when its target resolves inside the
/// content folder.
fn link_problem(root: &ContentRoot, path: &Path) -> Option<String> {
    let target = fs::read_link(path).map_or_else(|_| "?".into(), |t| t.display().to_string());
    match root.resolve(path) {
        Ok((_, Place::Inside)) => None,
        Ok((_, Place::Outside)) => Some(format!(
            "this is a symlink to `{target}`, outside the content folder; nothing outside the \
             content folder is read or served: put the file itself in the folder, or remove the \
             link"
        )),
        Ok((_, Place::Excluded)) => Some(format!(
            "this is a symlink into the data folder (`{target}`), which is never read or \
             served; remove the link"
        )),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Some(format!(
            "this is a symlink to `{target}`, which does not exist; fix the link or remove it"
        )),
        Err(err) => Some(format!(
            "cannot follow this symlink to `{target}` ({err}); fix the link or remove it"
        )),
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
    /// A name the walk leaves out (hidden, swap file, the data folder; `site.toml` is read
    /// separately), or a path under a link that is already reported.
    Ignored,
    /// It exists but cannot be read; the last good version may stay.
    Problem(SourceProblem),
    /// It leads outside the content folder (a symlink, a mount point) or nowhere (a dangling
    /// symlink): left out, whatever was there before.
    Refused(SourceProblem),
}

/// Reads what is at `rel_path` now. Callers pass content-relative paths derived from
/// watcher events, never request input.
pub fn read_entry(root: &ContentRoot, rel_path: &str) -> Entry {
    if !is_content_path(rel_path)
        || rel_path.split('/').any(is_ignored_name)
        || root.is_excluded(rel_path)
    {
        return Entry::Ignored;
    }
    let path = root.path().join(rel_path);
    // Under a folder link that is refused (and reported at its own path), or gone.
    if let Some(parent) = path.parent() {
        match root.resolve(parent) {
            Ok((_, Place::Inside)) => {}
            Ok(_) => return Entry::Ignored,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Entry::Missing,
            Err(_) => return Entry::Ignored,
        }
    }
    let refused = |message: String| {
        Entry::Refused(SourceProblem {
            rel_path: rel_path.to_owned(),
            message,
        })
    };
    match fs::symlink_metadata(&path) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Entry::Missing,
        Ok(meta) if meta.file_type().is_symlink() => {
            if let Some(message) = link_problem(root, &path) {
                return refused(message);
            }
        }
        _ => {}
    }
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
        let Ok(root_meta) = fs::metadata(root.canonical()) else {
            return Entry::Missing;
        };
        let mut walker = Walker::new(root, &root_meta);
        if Mount::of(&path, &meta).differs(walker.mount) {
            return refused(MOUNT_POINT.into());
        }
        let depth = rel_path.split('/').count();
        walker.walk(&path, &format!("{rel_path}/"), depth);
        let mut files = walker.files;
        files.markdown.sort();
        return Entry::Folder(files.read_all(root));
    }
    if root::is_hard_linked(&meta) {
        return refused(ReadError::HardLink.to_string());
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
    match root.read(rel_path) {
        Ok(bytes) => Entry::Markdown(SourceFile {
            rel_path: rel_path.to_owned(),
            bytes,
        }),
        Err(err) if err.is_not_found() => Entry::Missing,
        Err(err @ (ReadError::Outside | ReadError::DataFolder | ReadError::HardLink)) => {
            refused(format!("cannot read the file: {err}"))
        }
        Err(err) => Entry::Problem(SourceProblem {
            rel_path: rel_path.to_owned(),
            message: format!("cannot read the file: {err}"),
        }),
    }
}

/// Reads `site.toml` again; `None` when it is gone.
pub fn read_site_toml(root: &ContentRoot) -> Result<Option<Vec<u8>>, ReadError> {
    match root.read("site.toml") {
        Ok(bytes) => Ok(Some(bytes)),
        Err(err) if err.is_not_found() => Ok(None),
        Err(err) => Err(err),
    }
}

/// Reads one asset listed by the walk, checking again that it lies inside the content
/// folder: a listed file may have been replaced by a symlink since the walk.
pub fn read_asset(root: &ContentRoot, rel_path: &str) -> Result<Vec<u8>, ReadError> {
    root.read(rel_path)
}

#[cfg(test)]
mod tests;
