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
            match previous.documents.get(&doc.id) {
                Some(old) if old.source_path == doc.source_path => {
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
        Site {
            config: self.config.clone(),
            documents,
            by_path: previous.by_path.clone(),
            assets: self.assets.clone(),
            diagnostics,
            nav,
            generation: previous.generation,
        }
    }

    /// A file's own diagnostics: those of its build, and of a broken save kept offline.
    fn push_file_diagnostics(&self, file: &FileState, out: &mut Vec<Diagnostic>) {
        push_broken_save(file, out);
        out.extend(file.built.diagnostics.iter().cloned());
    }

    fn apply_paths(&mut self, changed: &BTreeSet<String>) -> Changes {
        let mut changes = Changes::default();
        let mut to_build: Vec<SourceFile> = Vec::new();
        let mut removed_paths: BTreeSet<String> = BTreeSet::new();
        let mut lost_track = false;
        for rel_path in changed {
            if rel_path == "site.toml" {
                self.reload_config();
                changes.site_wide = true;
                continue;
            }
            self.problems.remove(rel_path);
            match source::read_entry(&self.root, rel_path) {
                Entry::Ignored => {}
                Entry::Missing => {
                    let known = self.paths_under(rel_path);
                    lost_track |= known.is_empty()
                        && !self.assets.contains(rel_path)
                        && may_be_content(rel_path);
                    removed_paths.extend(known);
                    if self.assets.remove(rel_path) {
                        changes.site_wide = true;
                    }
                    let prefix = format!("{rel_path}/");
                    self.assets.retain(|a| !a.starts_with(&prefix));
                    self.problems.retain(|p, _| !p.starts_with(&prefix));
                }
                Entry::Asset => {
                    // A file replacing a folder of the same name removes the folder's documents.
                    removed_paths.extend(self.paths_under(&format!("{rel_path}/")));
                    removed_paths.remove(rel_path);
                    if self.files.contains_key(rel_path) {
                        removed_paths.insert(rel_path.clone());
                    }
                    self.assets.insert(rel_path.clone());
                }
                Entry::Markdown(file) => {
                    removed_paths.extend(self.paths_under(&format!("{rel_path}/")));
                    self.assets.remove(rel_path);
                    to_build.push(file);
                }
                Entry::Folder(found) => {
                    let prefix = format!("{rel_path}/");
                    let present: HashSet<&str> =
                        found.markdown.iter().map(|f| f.rel_path.as_str()).collect();
                    removed_paths.extend(
                        self.paths_under(&prefix)
                            .into_iter()
                            .filter(|p| !present.contains(p.as_str())),
                    );
                    if self.files.contains_key(rel_path) {
                        removed_paths.insert(rel_path.clone());
                    }
                    self.assets.retain(|a| !a.starts_with(&prefix));
                    self.assets.extend(found.assets);
                    for problem in found.problems {
                        self.problems.insert(
                            problem.rel_path.clone(),
                            Diagnostic::error(&problem.rel_path, Position::START, problem.message),
                        );
                    }
                    to_build.extend(found.markdown);
                }
                Entry::Refused(problem) => {
                    // It now leads outside the content folder: left out, not kept.
                    removed_paths.extend(self.paths_under(rel_path));
                    if self.assets.remove(rel_path) {
                        changes.site_wide = true;
                    }
                    let prefix = format!("{rel_path}/");
                    self.assets.retain(|a| !a.starts_with(&prefix));
                    self.problems.retain(|p, _| !p.starts_with(&prefix));
                    self.problems.insert(
                        problem.rel_path.clone(),
                        Diagnostic::error(&problem.rel_path, Position::START, problem.message),
                    );
                }
                Entry::Problem(problem) => {
                    // Keep the last good version; surface the problem.
                    self.problems.insert(
                        problem.rel_path.clone(),
                        Diagnostic::error(&problem.rel_path, Position::START, problem.message),
                    );
                }
            }
        }

        if lost_track {
            // Content we never heard of vanished: the watcher's debouncer reports a file
            // renamed and then deleted only by its new name, so the old name's document
            // would stay served. Check every known file still exists (a stat each).
            let gone: Vec<String> = self
                .files
                .keys()
                .filter(|p| !to_build.iter().any(|f| &f.rel_path == *p))
                .filter(|p| !self.root.path().join(p.as_str()).exists())
                .cloned()
                .collect();
            removed_paths.extend(gone);
        }

        // Remove deleted files first, remembering URLs that changed.
        let mut url_changed: BTreeSet<String> = BTreeSet::new();
        for path in &removed_paths {
            if let Some(old) = self.files.remove(path) {
                self.urls.remove(path);
                url_changed.insert(path.clone());
                changes.removed.push(old.built.document.id.clone());
            }
        }

        // Re-read heads of changed files, skipping saves that changed nothing.
        let mut heads = Vec::new();
        for file in to_build {
            match loader::into_head(file) {
                Ok(head) => {
                    if self
                        .files
                        .get(&head.rel_path)
                        .is_some_and(|f| f.hash == head.content_hash && f.broken_save.is_none())
                    {
                        continue;
                    }
                    let old = self.files.get(&head.rel_path).map(|f| &f.built.document);
                    let moved = old.is_none_or(|d| d.id != head.id || d.kind != head.kind);
                    if moved {
                        url_changed.insert(head.rel_path.clone());
                        if let Some(old) = old {
                            changes.removed.push(old.id.clone());
                        }
                    }
                    heads.push(head);
                }
                Err(diag) => {
                    // Not UTF-8 and the like: keep the last good version if there is one.
                    self.problems.insert(diag.path.clone(), diag);
                }
            }
        }
        for head in &heads {
            self.urls.insert(head);
        }

        // Documents linking to a file whose URL changed are rendered again (their links).
        let rebuilt: HashSet<String> = heads.iter().map(|h| h.rel_path.clone()).collect();
        let backlinkers: Vec<String> = if url_changed.is_empty() {
            Vec::new()
        } else {
            self.files
                .iter()
                .filter(|(path, f)| {
                    !rebuilt.contains(*path)
                        && f.built
                            .links
                            .iter()
                            .any(|l| url_changed.contains(&l.target_path))
                })
                .map(|(path, _)| path.clone())
                .collect()
        };
        for path in backlinkers {
            if let Entry::Markdown(file) = source::read_entry(&self.root, &path)
                && let Ok(head) = loader::into_head(file)
            {
                heads.push(head);
            }
        }

        for head in heads {
            let rel_path = head.rel_path.clone();
            let hash = head.content_hash.clone();
            let built = loader::build_document(head, &self.urls);
            let has_errors = built.diagnostics.iter().any(Diagnostic::is_error);
            match self.files.get_mut(&rel_path) {
                Some(existing)
                    if has_errors
                        && !existing.built.diagnostics.iter().any(Diagnostic::is_error)
                        && existing.built.document.id == built.document.id =>
                {
                    existing.hash = hash;
                    existing.broken_save = Some(built.diagnostics);
                    changes.flagged.push(Arc::clone(&existing.built.document));
                }
                _ => {
                    changes.upserted.push(Arc::clone(&built.document));
                    self.files.insert(rel_path, FileState::served(built, hash));
                }
            }
        }
        if !url_changed.is_empty() {
            changes.site_wide = true;
        }
        changes
    }

    fn paths_under(&self, prefix_or_path: &str) -> Vec<String> {
        let folder = if prefix_or_path.ends_with('/') {
            prefix_or_path.to_owned()
        } else {
            format!("{prefix_or_path}/")
        };
        self.files
            .keys()
            .filter(|p| p.as_str() == prefix_or_path || p.starts_with(&folder))
            .cloned()
            .collect()
    }

    fn reload_config(&mut self) {
        self.config_diagnostics.clear();
        match source::read_site_toml(&self.root) {
            Ok(Some(bytes)) => {
                let config = loader::load_config(&bytes, &mut self.config_diagnostics);
                // A broken site.toml keeps the settings in force; the diagnostic says why.
                if !self.config_diagnostics.iter().any(Diagnostic::is_error) {
                    self.config = config;
                }
            }
            Ok(None) => self.config = SiteConfig::default(),
            Err(err) => self.config_diagnostics.push(Diagnostic::error(
                "site.toml",
                Position::START,
                format!("cannot read site.toml: {err}; the previous settings stay in force"),
            )),
        }
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

/// True for a path that could have been a document or a folder of them (not an editor's
/// backup or temp file such as `page.md~`, which the walk would not have listed anyway).
fn may_be_content(rel_path: &str) -> bool {
    let name = rel_path.rsplit('/').next().unwrap_or(rel_path);
    source::is_markdown(name) || !name.contains('.')
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
