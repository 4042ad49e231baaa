//! Writing the import: the MkDocs pages copied into a new content folder (front matter
//! added, the source never touched) with a `site.toml` whose `[[nav]]` is MkDocs' `nav:`.
//! Everything is built in a hidden folder beside the destination and renamed into place at
//! the end, so a failure leaves nothing half-written.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use super::{MkDocsConfig, NavItem, pages};

/// Why nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// PATH does not exist.
    #[error("{} does not exist; pass the MkDocs project folder (the one holding mkdocs.yml) or the mkdocs.yml file", .0.display())]
    Missing(PathBuf),
    /// The folder has no `mkdocs.yml`.
    #[error("{} holds no mkdocs.yml; pass the MkDocs project folder (the one holding mkdocs.yml) or the file itself", .0.display())]
    NoConfig(PathBuf),
    /// `mkdocs.yml` is not valid YAML (or not a MkDocs configuration).
    #[error("{}:{line}:{column}: {message}; fix it so `mkdocs build` would accept it, then import again", .path.display())]
    Yaml {
        /// The file.
        path: PathBuf,
        /// 1-based line (0 when unknown).
        line: u64,
        /// 1-based column (0 when unknown).
        column: u64,
        /// The sentence.
        message: String,
    },
    /// `docs_dir` names no folder.
    #[error("the docs_dir of {}, {}, is not a folder; set docs_dir in mkdocs.yml to the folder holding the Markdown pages", .config.display(), .docs.display())]
    NoDocs {
        /// `mkdocs.yml`.
        config: PathBuf,
        /// The resolved `docs_dir`.
        docs: PathBuf,
    },
    /// The destination already holds something.
    #[error("{} is not empty; pass a new or empty folder to --out (the import never writes over files)", .0.display())]
    OutNotEmpty(PathBuf),
    /// The destination lies inside the pages being copied.
    #[error("{} is inside the MkDocs docs folder {}; choose a folder outside it for --out", .out.display(), .docs.display())]
    OutInsideDocs {
        /// `--out`.
        out: PathBuf,
        /// `docs_dir`.
        docs: PathBuf,
    },
    /// Reading or writing failed.
    #[error("{}: {source}; check the path and its permissions (nothing was written to --out)", .path.display())]
    Io {
        /// Where.
        path: PathBuf,
        /// The system's reason.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ImportError + '_ {
    move |source| ImportError::Io {
        path: path.to_owned(),
        source,
    }
}

/// A nav entry not carried over, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// Its line in `mkdocs.yml` (0 when not found).
    pub line: usize,
    /// The path or address as written.
    pub target: String,
    /// Why.
    pub reason: &'static str,
}

/// What the import did and what it could not carry over.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// `mkdocs.yml` read.
    pub config_path: PathBuf,
    /// The folder written.
    pub out: PathBuf,
    /// Markdown pages copied.
    pub pages: usize,
    /// Other files copied (images, CSS…).
    pub other_files: usize,
    /// Pages given a `title:` front matter block.
    pub front_matter_added: usize,
    /// `[[nav]]` entries naming pages.
    pub nav_pages: usize,
    /// `[[nav]]` entries linking outside.
    pub nav_links: usize,
    /// Sections in the nav (distinct paths of titles).
    pub nav_sections: usize,
    /// Nav entries not carried over.
    pub left_out: Vec<LeftOut>,
    /// Pages no nav entry names (served and searchable, not in the sidebar).
    pub not_in_nav: usize,
    /// Hidden files and folders, and linked folders, not copied.
    pub skipped: Vec<String>,
    /// Settings with no counterpart, as `key: value` sentences.
    pub not_carried: Vec<String>,
}

/// Markdown extensions whose syntax selfserve renders (see the Authoring guide).
const SUPPORTED_EXTENSIONS: &[&str] = &[
    "admonition",
    "toc",
    "tables",
    "fenced_code",
    "footnotes",
    "codehilite",
    "meta",
    "sane_lists",
    "pymdownx.highlight",
    "pymdownx.superfences",
    "pymdownx.tasklist",
    "pymdownx.tilde",
    "markdown.extensions.admonition",
    "markdown.extensions.toc",
    "markdown.extensions.tables",
    "markdown.extensions.fenced_code",
    "markdown.extensions.footnotes",
    "markdown.extensions.codehilite",
    "markdown.extensions.meta",
];

/// Plugins whose effect selfserve has built in: its own search, and GitHub alerts
/// (`> [!NOTE]`), which `gh-admonitions` renders for MkDocs.
const BUILT_IN_PLUGINS: &[&str] = &["search", "gh-admonitions"];

/// Imports the MkDocs site at `path` (its folder or its `mkdocs.yml`) into the new folder
/// `out`.
pub fn import(path: &Path, out: &Path) -> Result<ImportReport, ImportError> {
    if !path.exists() {
        return Err(ImportError::Missing(path.to_owned()));
    }
    let config_path = if path.is_dir() {
        ["mkdocs.yml", "mkdocs.yaml"]
            .iter()
            .map(|name| path.join(name))
            .find(|p| p.is_file())
            .ok_or_else(|| ImportError::NoConfig(path.to_owned()))?
    } else {
        path.to_owned()
    };
    let text = fs::read_to_string(&config_path).map_err(io(&config_path))?;
    let config = MkDocsConfig::parse(&text).map_err(|p| ImportError::Yaml {
        path: config_path.clone(),
        line: p.line,
        column: p.column,
        message: p.message,
    })?;
    let project = config_path.parent().unwrap_or(Path::new("."));
    let docs = project.join(&config.docs_dir);
    if !docs.is_dir() {
        return Err(ImportError::NoDocs {
            config: config_path,
            docs,
        });
    }
    check_out(out, &docs)?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let staging = tempfile::Builder::new()
        .prefix(".selfserve-import-")
        .tempdir_in(&parent)
        .map_err(io(&parent))?;
    let mut report = ImportReport {
        config_path: config_path.clone(),
        out: out.to_owned(),
        ..ImportReport::default()
    };
    let mut copied = BTreeSet::new();
    copy_tree(&docs, staging.path(), "", 0, &mut copied, &mut report)?;
    let site_toml = site_toml(&config, &copied, &mut report);
    let toml_path = staging.path().join("site.toml");
    fs::write(&toml_path, site_toml).map_err(io(&toml_path))?;
    report.not_carried = not_carried(&config);
    // The staging folder becomes `out`; an empty `out` is removed first (rename will not
    // replace a folder on every system).
    if out.exists() {
        fs::remove_dir(out).map_err(io(out))?;
    }
    let staged = staging.keep();
    if let Err(source) = fs::rename(&staged, out) {
        let _ = fs::remove_dir_all(&staged);
        return Err(ImportError::Io {
            path: out.to_owned(),
            source,
        });
    }
    Ok(report)
}

fn check_out(out: &Path, docs: &Path) -> Result<(), ImportError> {
    if out.exists() {
        let empty = out.is_dir() && fs::read_dir(out).map_err(io(out))?.next().is_none();
        if !empty {
            return Err(ImportError::OutNotEmpty(out.to_owned()));
        }
    }
    let docs_real = fs::canonicalize(docs).map_err(io(docs))?;
    // `out` may not exist yet: judge by its parent.
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
    let parent_real = match parent {
        Some(p) => fs::canonicalize(p).map_err(io(p))?,
        None => std::env::current_dir().map_err(io(Path::new(".")))?,
    };
    if parent_real.starts_with(&docs_real) {
        return Err(ImportError::OutInsideDocs {
            out: out.to_owned(),
            docs: docs.to_owned(),
        });
    }
    Ok(())
}

/// Folders deeper than this are not copied (a guard against runaway trees).
const MAX_DEPTH: usize = 32;

fn copy_tree(
    from: &Path,
    to: &Path,
    prefix: &str,
    depth: usize,
    copied: &mut BTreeSet<String>,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let mut entries: Vec<_> = fs::read_dir(from)
        .map_err(io(from))?
        .collect::<Result<_, _>>()
        .map_err(io(from))?;
    entries.sort_by_key(fs::DirEntry::file_name);
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let source = entry.path();
        // MkDocs leaves dot files out too.
        if name.starts_with('.') {
            report.skipped.push(format!("{rel} (hidden)"));
            continue;
        }
        let linked = entry.file_type().map_err(io(&source))?.is_symlink();
        let meta = fs::metadata(&source).map_err(io(&source))?;
        let target = to.join(&name);
        if meta.is_dir() {
            if linked || depth >= MAX_DEPTH {
                report.skipped.push(format!(
                    "{rel}/ ({})",
                    if linked {
                        "a linked folder"
                    } else {
                        "too deep"
                    }
                ));
                continue;
            }
            fs::create_dir(&target).map_err(io(&target))?;
            copy_tree(&source, &target, &rel, depth + 1, copied, report)?;
        } else if name.to_ascii_lowercase().ends_with(".md") {
            let bytes = fs::read(&source).map_err(io(&source))?;
            let written = match std::str::from_utf8(&bytes) {
                Ok(text) => {
                    let stem = &name[..name.len() - 3];
                    let fallback = crate::model::folder_title(stem);
                    match pages::with_front_matter(text, &fallback) {
                        Some(with) => {
                            report.front_matter_added += 1;
                            with.into_bytes()
                        }
                        None => bytes,
                    }
                }
                // `check` names the file; copied as it is.
                Err(_) => bytes,
            };
            fs::write(&target, written).map_err(io(&target))?;
            report.pages += 1;
            copied.insert(rel);
        } else {
            fs::copy(&source, &target).map_err(io(&target))?;
            report.other_files += 1;
        }
    }
    Ok(())
}

/// `site.toml` for the imported site; records in `report` what the nav became.
fn site_toml(config: &MkDocsConfig, pages: &BTreeSet<String>, report: &mut ImportReport) -> String {
    let q = |s: &str| toml::Value::String(s.to_owned()).to_string();
    let mut out = String::from(
        "# Written by `selfserve import mkdocs` from mkdocs.yml; edit it freely.\n\
         # [[nav]] is the sidebar, in MkDocs' nav order (see the Authoring guide).\n\n",
    );
    if let Some(name) = &config.site_name {
        let _ = writeln!(out, "title = {}", q(name));
    }
    if let Some(description) = &config.site_description {
        let _ = writeln!(out, "description = {}", q(description));
    }
    if let Some(url) = &config.site_url {
        let _ = writeln!(out, "base_url = {}", q(url));
    }
    if let Some(edit) = config.edit_url() {
        let _ = writeln!(out, "edit_url = {}", q(&edit));
    }
    let mut named = BTreeSet::new();
    let mut sections = BTreeSet::new();
    for item in &config.nav {
        let Some(entry) = nav_entry(item, pages, report) else {
            continue;
        };
        for depth in 1..=item.section.len() {
            sections.insert(item.section[..depth].to_vec());
        }
        out.push_str("\n[[nav]]\n");
        if !item.section.is_empty() {
            let titles: Vec<String> = item.section.iter().map(|s| q(s)).collect();
            let _ = writeln!(out, "section = [{}]", titles.join(", "));
        }
        if let Some(title) = &item.title {
            let _ = writeln!(out, "title = {}", q(title));
        }
        match entry {
            Entry::Page(path) => {
                let _ = writeln!(out, "page = {}", q(&path));
                report.nav_pages += 1;
                named.insert(path);
            }
            Entry::Link(url) => {
                if item.title.is_none() {
                    let _ = writeln!(out, "title = {}", q(&url));
                }
                let _ = writeln!(out, "url = {}", q(&url));
                report.nav_links += 1;
            }
        }
    }
    report.nav_sections = sections.len();
    report.not_in_nav = if config.nav.is_empty() {
        0
    } else {
        pages.iter().filter(|p| !named.contains(*p)).count()
    };
    out
}

enum Entry {
    Page(String),
    Link(String),
}

fn nav_entry(item: &NavItem, pages: &BTreeSet<String>, report: &mut ImportReport) -> Option<Entry> {
    let mut left_out = |reason| {
        report.left_out.push(LeftOut {
            line: item.line,
            target: item.target.clone(),
            reason,
        });
        None
    };
    if item.is_link() {
        if item.target.starts_with("https://") || item.target.starts_with("http://") {
            return Some(Entry::Link(item.target.clone()));
        }
        return left_out("only http:// and https:// addresses can be sidebar links");
    }
    let path = item
        .target
        .trim()
        .trim_start_matches("./")
        .trim_start_matches('/');
    if !path.to_ascii_lowercase().ends_with(".md") {
        return left_out("not a Markdown page (MkDocs links it relative to the built site)");
    }
    if !pages.contains(path) {
        return left_out("no such file in docs_dir");
    }
    Some(Entry::Page(path.to_owned()))
}

fn not_carried(config: &MkDocsConfig) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(theme) = &config.theme {
        lines.push(format!(
            "theme: {theme} (selfserve has one look; custom_dir overrides and palettes are not used)"
        ));
    }
    let plugins: Vec<&str> = config
        .plugins
        .iter()
        .map(String::as_str)
        .filter(|p| !BUILT_IN_PLUGINS.contains(p))
        .collect();
    if !plugins.is_empty() {
        lines.push(format!("plugins: {}", plugins.join(", ")));
    }
    let unsupported: Vec<&str> = config
        .markdown_extensions
        .iter()
        .map(String::as_str)
        .filter(|e| !SUPPORTED_EXTENSIONS.contains(e) && *e != "attr_list")
        .collect();
    if !unsupported.is_empty() {
        lines.push(format!(
            "markdown_extensions: {} (their syntax shows as written)",
            unsupported.join(", ")
        ));
    }
    if config.markdown_extensions.iter().any(|e| e == "attr_list") {
        lines.push("attr_list: only heading ids `{#id}` are read".into());
    }
    if !config.other_keys.is_empty() {
        lines.push(format!("other settings: {}", config.other_keys.join(", ")));
    }
    lines
}
