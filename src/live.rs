//! Incremental content state for live reload: applies a batch of changed paths to the last
//! build, re-parsing only what changed (plus the documents whose links point at a file whose
//! URL changed), and keeps the last good version of a document whose new save is broken.
//! [`LiveState`] (in `live_watcher.rs`) is the watcher thread that feeds it and swaps in the
//! next snapshot.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use std::sync::Arc;

use crate::config::SiteConfig;
use crate::loader::{self, BuiltFile, UrlMap};
use crate::model::diagnostic::{Diagnostic, Position};
use crate::model::{DocId, Document, Site};
use crate::source::{self, ContentFiles, Entry, SourceError, SourceFile};

#[path = "live_apply.rs"]
mod apply;
#[path = "live_watcher.rs"]
mod watcher;
pub use watcher::{LiveState, spawn_watcher};

/// One Markdown file's state.
#[derive(Debug, Clone)]
struct FileState {
    /// What is served: the newest version without file-level errors, or the first version.
    built: BuiltFile,
    /// Hash of the bytes last read, to skip saves that changed nothing.
    hash: String,
    /// Diagnostics of a newer save that was kept offline because it is broken.
    broken_save: Option<Vec<Diagnostic>>,
}

impl FileState {
    /// A file served as built from bytes hashing to `hash`, with no broken save held back.
    fn served(built: BuiltFile, hash: String) -> Self {
        Self {
            built,
            hash,
            broken_save: None,
        }
    }
}

/// What an update changed, for the search index and open pages.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// Documents added or re-rendered.
    pub upserted: Vec<Arc<Document>>,
    /// Ids no longer served.
    pub removed: Vec<DocId>,
    /// Documents still served as they were, whose diagnostics changed (a broken save).
    pub flagged: Vec<Arc<Document>>,
    /// True when navigation or settings changed, so every page may look different.
    pub site_wide: bool,
    /// Paths whose read problem (unreadable, not UTF-8, vanished mid-read) appeared, changed
    /// or cleared: their diagnostics change although no document did.
    pub problem_paths: BTreeSet<String>,
}

impl Changes {
    /// True when nothing visible changed.
    pub fn is_empty(&self) -> bool {
        self.upserted.is_empty()
            && self.removed.is_empty()
            && self.flagged.is_empty()
            && self.problem_paths.is_empty()
            && !self.site_wide
    }
}

/// The content folder as last built.
#[derive(Debug, Clone)]
pub struct ContentState {
    root: source::ContentRoot,
    config: SiteConfig,
    config_diagnostics: Vec<Diagnostic>,
    problems: BTreeMap<String, Diagnostic>,
    files: BTreeMap<String, FileState>,
    assets: BTreeSet<String>,
    urls: UrlMap,
}

impl ContentState {
    /// Reads and builds everything, one file at a time (see [`loader::build_listed`]).
    pub fn load(root: &Path) -> Result<Self, SourceError> {
        Self::load_root(source::ContentRoot::new(root))
    }

    /// Like [`Self::load`], over a root that may exclude folders (the data folder).
    pub fn load_root(root: source::ContentRoot) -> Result<Self, SourceError> {
        let root = &root;
        let listing = source::list_content(root)?;
        let mut state = Self::empty(
            root,
            listing.site_toml.as_deref(),
            listing.assets,
            &listing.problems,
        );
        let built = loader::build_listed(root, listing.markdown);
        state.urls = built.urls;
        state.add_problems(built.problems);
        state.add_built(built.files);
        Ok(state)
    }

    /// Builds from files already read.
    pub fn from_files(root: &Path, files: ContentFiles) -> Self {
        let mut state = Self::empty(
            &source::ContentRoot::new(root),
            files.site_toml.as_deref(),
            files.assets,
            &files.problems,
        );
        let mut heads = Vec::with_capacity(files.markdown.len());
        let mut problems = Vec::new();
        for result in loader::par_map(files.markdown, loader::into_head) {
            match result {
                Ok(head) => heads.push(head),
                Err(diag) => problems.push(diag),
            }
        }
        state.add_problems(problems);
        state.urls = UrlMap::new(heads.iter());
        let urls = &state.urls;
        let built = loader::par_map(heads, |head| loader::build_document(head, urls));
        state.add_built(built);
        state
    }

    /// The state before any Markdown file is added.
    fn empty(
        root: &source::ContentRoot,
        site_toml: Option<&[u8]>,
        assets: BTreeSet<String>,
        problems: &[source::SourceProblem],
    ) -> Self {
        let mut config_diagnostics = Vec::new();
        let config = site_toml.map_or_else(SiteConfig::default, |bytes| {
            loader::load_config(bytes, &mut config_diagnostics)
        });
        let problems = problems
            .iter()
            .map(|p| {
                (
                    p.rel_path.clone(),
                    Diagnostic::error(&p.rel_path, Position::START, p.message.clone()),
                )
            })
            .collect();
        Self {
            root: root.clone(),
            config,
            config_diagnostics,
            problems,
            files: BTreeMap::new(),
            assets,
            urls: UrlMap::default(),
        }
    }

    fn add_problems(&mut self, problems: Vec<Diagnostic>) {
        for diag in problems {
            self.problems.insert(diag.path.clone(), diag);
        }
    }

    fn add_built(&mut self, built: Vec<BuiltFile>) {
        for built in built {
            let rel_path = built.document.source_path.clone();
            let hash = built.document.content_hash.clone();
            self.files.insert(rel_path, FileState::served(built, hash));
        }
    }

    /// The content root.
    pub fn root(&self) -> &source::ContentRoot {
        &self.root
    }

    /// Assembles the site: cross-file checks, navigation, diagnostics.
    pub fn site(&self) -> Site {
        let mut diagnostics: Vec<Diagnostic> = self.config_diagnostics.clone();
        diagnostics.extend(self.problems.values().cloned());
        for file in self.files.values() {
            push_broken_save(file, &mut diagnostics);
        }
        // `assemble` adds each build's own diagnostics.
        loader::assemble(
            self.config.clone(),
            self.files.values().map(|f| &f.built),
            self.assets.clone(),
            diagnostics,
        )
    }

    /// Applies changed paths (content-relative; files or folders, created, modified or
    /// deleted) and reports what changed.
    pub fn apply(&mut self, changed: &BTreeSet<String>) -> Changes {
        let problems_before = self.problems.clone();
        let assets_before = self.assets.len();
        let mut changes = self.apply_paths(changed);
        changes.problem_paths = differing_keys(&problems_before, &self.problems);
        if self.assets.len() != assets_before {
            // Pages showing an image that appeared or vanished change, and so do their
            // diagnostics: check every page again.
            changes.site_wide = true;
        }
        changes
    }

    /// Assembles the site after `changes`, reusing `previous` (the site before them) where
    /// they cannot have changed it: only the changed documents and the documents linking to
    /// them are checked again, and the navigation is kept when no title or order changed.
    /// Falls back to [`Self::site`] when documents appeared, vanished or moved.
    pub fn site_after(&self, previous: &Site, changes: &Changes) -> Site {
        if changes.site_wide || !changes.removed.is_empty() {
            return self.site();
        }
        let mut documents = previous.documents.clone();
        let mut same_nav = true;
        for doc in &changes.upserted {
            // A served document sharing its id with another file keeps that error only
            // when every file is assembled again.
            let shares_id = self.files.values().any(|f| {
                f.built.document.id == doc.id && f.built.document.source_path != doc.source_path
            });
            match previous.documents.get(&doc.id) {
                Some(old) if old.source_path == doc.source_path && !shares_id => {
                    same_nav &= old.title == doc.title && old.order == doc.order;
                    documents.insert(doc.id.clone(), Arc::clone(doc));
                }
                // New, moved or a duplicate id: the whole picture may differ.
                _ => return self.site(),
            }
        }
        let affected: BTreeSet<&str> = changes
            .upserted
            .iter()
            .chain(&changes.flagged)
            .map(|d| d.source_path.as_str())
            .chain(changes.problem_paths.iter().map(String::as_str))
            .collect();
        // Links into a changed document may point at a heading it no longer has.
        let mut recheck = affected.clone();
        for (path, file) in &self.files {
            if file
                .built
                .links
                .iter()
                .any(|l| affected.contains(l.target_path.as_str()))
            {
                recheck.insert(path.as_str());
            }
        }
        let mut diagnostics: Vec<Diagnostic> = previous
            .diagnostics
            .iter()
            .filter(|d| !recheck.contains(d.path.as_str()))
            .cloned()
            .collect();
        let anchors = loader::anchors_by_path(self.files.values().map(|f| &f.built));
        for path in recheck {
            if let Some(problem) = self.problems.get(path) {
                diagnostics.push(problem.clone());
            }
            if let Some(file) = self.files.get(path) {
                self.push_file_diagnostics(file, &mut diagnostics);
                diagnostics.extend(loader::stub_age_warning(
                    &file.built,
                    self.config.insights.stub_warn_days,
                    loader::today_utc(),
                ));
                loader::cross_check(
                    &file.built,
                    &documents,
                    &anchors,
                    &self.assets,
                    &mut diagnostics,
                );
            }
        }
        loader::sort_diagnostics(&mut diagnostics);
        let nav = if same_nav {
            previous.nav.clone()
        } else {
            crate::model::build_nav(documents.values())
        };
        // The same pages under the same paths: `[[nav]]` names no other page than before, so
        // its diagnostics (kept with site.toml's) stand; only titles may have changed.
        let configured_nav = if same_nav {
            previous.configured_nav.clone()
        } else {
            crate::model::configured_sidebar(&self.config.nav, &documents, &previous.by_path).0
        };
        Site {
            config: self.config.clone(),
            documents,
            by_path: previous.by_path.clone(),
            assets: self.assets.clone(),
            diagnostics,
            nav,
            configured_nav,
            generation: previous.generation,
        }
    }

    /// A file's own diagnostics: those of its build, and of a broken save kept offline.
    fn push_file_diagnostics(&self, file: &FileState, out: &mut Vec<Diagnostic>) {
        push_broken_save(file, out);
        out.extend(file.built.diagnostics.iter().cloned());
    }
}

/// The diagnostics of a newer save kept offline because it is broken, if there is one.
fn push_broken_save(file: &FileState, out: &mut Vec<Diagnostic>) {
    if let Some(broken) = &file.broken_save {
        out.push(Diagnostic::warning(
            &file.built.document.source_path,
            Position::START,
            "the latest save has errors, so the last good version is still served",
        ));
        out.extend(broken.iter().cloned());
    }
}

/// Keys whose values differ between two maps (present in one only, or different).
fn differing_keys<V: PartialEq>(
    a: &BTreeMap<String, V>,
    b: &BTreeMap<String, V>,
) -> BTreeSet<String> {
    a.keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect()
}

#[cfg(test)]
#[path = "live_tests.rs"]
mod tests;
