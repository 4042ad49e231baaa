//! The orchestrator of the content flow: source files → parsed documents → a [`Site`].
//!
//! Stages, each a plain function so live reload can rerun only what a change touches:
//! 1. [`read_head`] per file: UTF-8, line endings, front matter, id and kind.
//! 2. [`UrlMap`] over all heads: where each file is served (needed to rewrite links).
//! 3. [`build_document`] per file: Markdown, trees, quizzes, and the shared front matter
//!    checks; what each kind accepts and builds is one table and one function in [`kinds`].
//! 4. [`cross_check`] over all documents (and `duplicates`: ids shared by files), links, anchors, images, references.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use crate::config::SiteConfig;
use crate::model::diagnostic::{Diagnostic, LineIndex, Position};
use crate::model::{DocId, Document, Kind, Site, build_nav};
use crate::parse::markdown::{ImageRef, LinkRef, LinkTargets};
use crate::source::{self, ContentFiles, SourceError};

mod checks;
mod document;
mod duplicates;
mod head;
pub mod kinds;
mod stubs;

pub use checks::cross_check;
pub use document::{build_document, parse_date};
pub use head::{FileHead, into_head, read_head};
pub use stubs::{STUB_STATUS, StubMarker, stub_age_warning, today_utc};

/// Stage 3 result: a document plus what the cross-check needs.
#[derive(Debug, Clone)]
pub struct BuiltFile {
    /// The document.
    pub document: Arc<Document>,
    /// Ids `#anchor` links may target.
    pub anchors: BTreeSet<String>,
    /// Relative links to check.
    pub links: Vec<LinkRef>,
    /// Relative images to check.
    pub images: Vec<ImageRef>,
    /// Front matter references to check: (key, value, position).
    pub references: Vec<(&'static str, DocId, Position)>,
    /// The file's own problems.
    pub diagnostics: Vec<Diagnostic>,
    /// `status: stub`: a page that still needs writing (its age is judged at assembly).
    pub stub: Option<StubMarker>,
}

/// Reads and builds the whole site from a content folder.
pub fn load_site(root: &Path) -> Result<(Site, Vec<BuiltFile>), SourceError> {
    let root = &source::ContentRoot::new(root);
    let listing = source::list_content(root)?;
    let mut diagnostics = problem_diagnostics(&listing.problems);
    let config = match &listing.site_toml {
        Some(bytes) => load_config(bytes, &mut diagnostics),
        None => SiteConfig::default(),
    };
    let built = build_listed(root, listing.markdown);
    diagnostics.extend(built.problems);
    let site = assemble(config, built.files.iter(), listing.assets, diagnostics);
    Ok((site, built.files))
}

/// The documents of listed Markdown files, built one file at a time.
#[derive(Debug, Default)]
pub struct BuiltListing {
    /// One per file that could be read and decoded, in the listing's order.
    pub files: Vec<BuiltFile>,
    /// Where every one of them is served.
    pub urls: UrlMap,
    /// Files that could not be read or decoded.
    pub problems: Vec<Diagnostic>,
}

/// Builds the listed files in two passes, so the corpus is never in memory at once: the
/// first reads each file for its id and kind only (links are resolved against every URL);
/// the second reads it again, builds its document and drops its text. At 100× the corpora
/// (658 MB) holding every text while building cost ~0.9 GB of peak memory. A file edited
/// between the passes is built as the second read finds it; live reload, when on, reads it
/// again on its change event.
pub fn build_listed(root: &source::ContentRoot, markdown: Vec<String>) -> BuiltListing {
    let mut out = BuiltListing::default();
    let firsts = par_map(markdown, |rel_path| {
        source::read_markdown(root, &rel_path)
            .map_err(|p| Diagnostic::error(&p.rel_path, Position::START, p.message))
            .and_then(into_head)
            .map(|head| (head.rel_path, head.kind, head.id))
    });
    let mut readable = Vec::with_capacity(firsts.len());
    for first in firsts {
        match first {
            Ok((rel_path, kind, id)) => {
                out.urls.insert_parts(&rel_path, kind, &id);
                readable.push(rel_path);
            }
            Err(diag) => out.problems.push(diag),
        }
    }
    let urls = &out.urls;
    let built = par_map(readable, |rel_path| {
        source::read_markdown(root, &rel_path)
            .map_err(|p| Diagnostic::error(&p.rel_path, Position::START, p.message))
            .and_then(into_head)
            .map(|head| build_document(head, urls))
    });
    for result in built {
        match result {
            Ok(file) => out.files.push(file),
            Err(diag) => out.problems.push(diag),
        }
    }
    out
}

fn problem_diagnostics(problems: &[source::SourceProblem]) -> Vec<Diagnostic> {
    problems
        .iter()
        .map(|p| Diagnostic::error(&p.rel_path, Position::START, p.message.clone()))
        .collect()
}

/// Builds a site from files already read.
pub fn build_site(files: ContentFiles) -> (Site, Vec<BuiltFile>) {
    let mut diagnostics = problem_diagnostics(&files.problems);
    let config = match &files.site_toml {
        Some(bytes) => load_config(bytes, &mut diagnostics),
        None => SiteConfig::default(),
    };
    let mut heads = Vec::with_capacity(files.markdown.len());
    for result in par_map(files.markdown, into_head) {
        match result {
            Ok(head) => heads.push(head),
            Err(diag) => diagnostics.push(diag),
        }
    }
    let urls = UrlMap::new(&heads);
    let built: Vec<BuiltFile> = par_map(heads, |h| build_document(h, &urls));
    let site = assemble(config, built.iter(), files.assets, diagnostics);
    (site, built)
}

/// Stage 4 and assembly: builds the [`Site`] from built files, adding cross-file diagnostics;
/// stubs are judged against today's date ([`assemble_on`] takes it).
pub fn assemble<'a>(
    config: SiteConfig,
    built: impl Iterator<Item = &'a BuiltFile> + Clone,
    assets: BTreeSet<String>,
    diagnostics: Vec<Diagnostic>,
) -> Site {
    assemble_on(config, built, assets, diagnostics, today_utc())
}

/// [`assemble`] on the day `today`: a stub older than `[insights] stub_warn_days` is a warning.
pub fn assemble_on<'a>(
    config: SiteConfig,
    built: impl Iterator<Item = &'a BuiltFile> + Clone,
    assets: BTreeSet<String>,
    mut diagnostics: Vec<Diagnostic>,
    today: time::Date,
) -> Site {
    let mut documents: BTreeMap<DocId, Arc<Document>> = BTreeMap::new();
    let mut by_path = BTreeMap::new();
    let (left_out, duplicate_errors) = duplicates::duplicate_ids(built.clone());
    diagnostics.extend(duplicate_errors);
    let warn_days = config.insights.stub_warn_days;
    for file in built.clone() {
        diagnostics.extend(file.diagnostics.iter().cloned());
        diagnostics.extend(stub_age_warning(file, warn_days, today));
        let doc = &file.document;
        if left_out.contains(doc.source_path.as_str()) {
            continue;
        }
        by_path.insert(doc.source_path.clone(), doc.id.clone());
        documents.insert(doc.id.clone(), Arc::clone(doc));
    }
    let anchors = anchors_by_path(built.clone());
    for file in built {
        cross_check(file, &documents, &anchors, &assets, &mut diagnostics);
    }
    let (configured_nav, nav_problems) =
        crate::model::configured_sidebar(&config.nav, &documents, &by_path);
    diagnostics.extend(nav_problems);
    sort_diagnostics(&mut diagnostics);
    let nav = build_nav(documents.values());
    Site {
        config,
        documents,
        by_path,
        assets,
        diagnostics,
        nav,
        configured_nav,
        generation: 0,
    }
}

/// Each file's heading anchors by source path, for link checks.
pub fn anchors_by_path<'a>(
    built: impl Iterator<Item = &'a BuiltFile>,
) -> HashMap<&'a str, &'a BTreeSet<String>> {
    built
        .map(|f| (f.document.source_path.as_str(), &f.anchors))
        .collect()
}

/// Sorts diagnostics by path and position (the order `check` prints) and drops repeats.
pub fn sort_diagnostics(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (a.path.as_str(), a.line, a.column).cmp(&(b.path.as_str(), b.line, b.column))
    });
    diagnostics.dedup();
}

fn position_of_id(file: &BuiltFile) -> Position {
    // The loader does not keep the front matter; the id key is on one of the first lines,
    // and pointing at the file start is the honest fallback.
    file.references
        .iter()
        .find(|(key, _, _)| *key == "id")
        .map_or(Position::START, |(_, _, pos)| *pos)
}

/// Maps `items` on every core, keeping their order. Parsing and rendering are CPU-bound and
/// independent per file, so two cores halve a cold build.
pub fn par_map<T: Send, U: Send>(items: Vec<T>, f: impl Fn(T) -> U + Sync) -> Vec<U> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < 64 {
        return items.into_iter().map(f).collect();
    }
    let chunk_len = items.len().div_ceil(threads);
    let mut chunks: Vec<Vec<T>> = Vec::with_capacity(threads);
    let mut items = items.into_iter();
    loop {
        let chunk: Vec<T> = items.by_ref().take(chunk_len).collect();
        if chunk.is_empty() {
            break;
        }
        chunks.push(chunk);
    }
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| scope.spawn(move || chunk.into_iter().map(f).collect::<Vec<U>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(done) => done,
                // A panic in a worker is a bug; re-raise it where it can be seen.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// Parses `site.toml`, reporting problems against it and falling back to defaults.
pub fn load_config(bytes: &[u8], diagnostics: &mut Vec<Diagnostic>) -> SiteConfig {
    let Ok(text) = std::str::from_utf8(bytes) else {
        diagnostics.push(Diagnostic::error(
            "site.toml",
            Position::START,
            "site.toml is not UTF-8 text; save it as UTF-8",
        ));
        return SiteConfig::default();
    };
    match SiteConfig::parse(text) {
        Ok(config) => config,
        Err(err) => {
            let pos = LineIndex::new(text).position(err.offset);
            diagnostics.push(Diagnostic::error("site.toml", pos, err.message));
            SiteConfig::default()
        }
    }
}

/// Stage 2: where every file is served, keyed by content-relative path.
#[derive(Debug, Clone, Default)]
pub struct UrlMap {
    urls: HashMap<String, String>,
}

impl UrlMap {
    /// Maps every head's path to its document URL.
    pub fn new<'a>(heads: impl IntoIterator<Item = &'a FileHead>) -> Self {
        Self {
            urls: heads
                .into_iter()
                .map(|h| (h.rel_path.clone(), crate::model::doc_url(h.kind, &h.id)))
                .collect(),
        }
    }

    /// Adds or replaces one file's URL.
    pub fn insert(&mut self, head: &FileHead) {
        self.insert_parts(&head.rel_path, head.kind, &head.id);
    }

    /// Adds or replaces the URL of the file at `rel_path`, a document of `kind` with `id`.
    pub fn insert_parts(&mut self, rel_path: &str, kind: Kind, id: &DocId) {
        self.urls
            .insert(rel_path.to_owned(), crate::model::doc_url(kind, id));
    }

    /// Forgets one file.
    pub fn remove(&mut self, rel_path: &str) {
        self.urls.remove(rel_path);
    }
}

impl LinkTargets for UrlMap {
    fn doc_url(&self, rel_path: &str) -> Option<String> {
        self.urls.get(rel_path).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_files_are_built_with_links_resolved_and_vanished_files_reported() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        std::fs::write(root.join("a.md"), "# A\n\nSee [B](b.md).\n").expect("write");
        std::fs::write(root.join("b.md"), "---\nid: bee\n---\n# B\n").expect("write");
        std::fs::write(root.join("gone.md"), "# Gone\n").expect("write");
        std::fs::write(root.join("bin.md"), [0xff, 0xfe]).expect("write");
        let content = source::ContentRoot::new(root);
        let listing = source::list_content(&content).expect("lists");
        assert_eq!(listing.markdown, ["a.md", "b.md", "bin.md", "gone.md"]);
        // Deleted after the walk listed it, before it was read.
        std::fs::remove_file(root.join("gone.md")).expect("remove");

        let built = build_listed(&content, listing.markdown);
        let ids: Vec<&str> = built.files.iter().map(|f| f.document.id.as_str()).collect();
        assert_eq!(ids, ["a", "bee"]);
        assert_eq!(
            built.files[0].links[0].target_path, "b.md",
            "the link to b.md is known"
        );
        let html = built.files[0].document.body.html();
        assert!(html.contains(r#"href="/docs/bee""#), "{html}");
        let problems: Vec<(&str, bool)> = built
            .problems
            .iter()
            .map(|d| (d.path.as_str(), d.message.contains("cannot read")))
            .collect();
        assert_eq!(problems, [("bin.md", false), ("gone.md", true)]);
    }
}
