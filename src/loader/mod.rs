//! The orchestrator of the content flow: source files → parsed documents → a [`Site`].
//!
//! Stages, each a plain function so live reload can rerun only what a change touches:
//! 1. [`read_head`] per file: UTF-8, line endings, front matter, id and kind.
//! 2. [`UrlMap`] over all heads: where each file is served (needed to rewrite links).
//! 3. [`build_document`] per file: Markdown, trees, quizzes, kind-specific front matter.
//! 4. [`cross_check`] over all documents: duplicate ids, links, anchors, images, references.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use crate::config::SiteConfig;
use crate::model::{
    Body, Detail, DocId, Document, Kind, Module, PathDef, ResourceDef, Site, ValidFor, build_nav,
};
use crate::model::diagnostic::{Diagnostic, LineIndex, Position};
use crate::parse::front_matter::OneOrMany;
use crate::parse::markdown::{self, ImageRef, LinkRef, LinkTargets, RenderInput};
use crate::parse::{quiz, tree};
use crate::source::{self, ContentFiles, SourceError};

mod checks;
mod head;

pub use checks::cross_check;
use checks::locate_value;
pub use head::{FileHead, into_head, read_head};

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

/// Stage 4 and assembly: builds the [`Site`] from built files, adding cross-file diagnostics.
pub fn assemble<'a>(
    config: SiteConfig,
    built: impl Iterator<Item = &'a BuiltFile> + Clone,
    assets: BTreeSet<String>,
    mut diagnostics: Vec<Diagnostic>,
) -> Site {
    let mut documents: BTreeMap<DocId, Arc<Document>> = BTreeMap::new();
    let mut by_path = BTreeMap::new();
    for file in built.clone() {
        diagnostics.extend(file.diagnostics.iter().cloned());
        let doc = &file.document;
        if let Some(first) = documents.get(&doc.id) {
            let pos = position_of_id(file);
            diagnostics.push(Diagnostic::error(
                &doc.source_path,
                pos,
                format!(
                    "the id `{}` is already used by {}; give this document another `id:` or rename the file",
                    doc.id, first.source_path
                ),
            ));
            continue;
        }
        by_path.insert(doc.source_path.clone(), doc.id.clone());
        documents.insert(doc.id.clone(), Arc::clone(doc));
    }
    let anchors = anchors_by_path(built.clone());
    for file in built {
        cross_check(file, &documents, &anchors, &assets, &mut diagnostics);
    }
    sort_diagnostics(&mut diagnostics);
    let nav = build_nav(documents.values());
    Site {
        config,
        documents,
        by_path,
        assets,
        diagnostics,
        nav,
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

/// Stage 3: renders the body and reads the kind-specific front matter.
pub fn build_document(head: FileHead, urls: &UrlMap) -> BuiltFile {
    let FileHead {
        rel_path,
        text,
        front,
        body_offset,
        id,
        kind,
        content_hash,
        mut diagnostics,
    } = head;
    let path = rel_path.as_str();
    let input = RenderInput {
        source_path: path,
        file_text: &text,
        body_offset,
        extract_quizzes: kind == Kind::Module,
    };
    let (rendered, tree) = if kind == Kind::Troubleshooting {
        let (tree, rendered, tree_diags) = tree::parse_tree(input, urls);
        diagnostics.extend(tree_diags);
        (rendered, Some(tree))
    } else {
        (markdown::render(input, urls), None)
    };
    diagnostics.extend(rendered.diagnostics.iter().cloned());
    let raw = &front.raw;
    let mut references = Vec::new();
    if raw.id.is_some() {
        references.push(("id", id.clone(), front.position_of("id")));
    }

    let title = match raw
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(title) => title.to_owned(),
        None => {
            let fallback = rendered
                .first_h1
                .clone()
                .unwrap_or_else(|| file_title(path));
            // A broken front matter block or an empty file is reported already; a second
            // warning about the title would only repeat it.
            if front.parsed && !text.trim().is_empty() {
                diagnostics.push(Diagnostic::warning(
                path,
                Position::START,
                format!("no `title:` in front matter; using \"{fallback}\" (add a title so search results and navigation read well)"),
                ));
            }
            fallback
        }
    };
    let reviewed = raw.reviewed.as_deref().and_then(|raw_date| {
        parse_date(raw_date)
            .map_err(|message| {
                diagnostics.push(Diagnostic::error(
                    path,
                    front.position_of("reviewed"),
                    message,
                ));
            })
            .ok()
    });
    let mut id_list =
        |key: &'static str, values: &Option<OneOrMany>, diagnostics: &mut Vec<Diagnostic>| {
            let mut ids = Vec::new();
            for value in values.clone().map(OneOrMany::into_vec).unwrap_or_default() {
                let pos = locate_value(&text, front.position_of(key), &value);
                match DocId::parse(&value) {
                    Ok(id) => {
                        references.push((key, id.clone(), pos));
                        ids.push(id);
                    }
                    Err(message) => diagnostics.push(Diagnostic::error(path, pos, message)),
                }
            }
            ids
        };
    let resources = id_list("resources", &raw.resources, &mut diagnostics);
    let modules = id_list("modules", &raw.modules, &mut diagnostics);
    let requires = id_list("requires", &raw.requires, &mut diagnostics);

    let misplaced: &[(&str, bool, &str)] = &[
        (
            "version",
            raw.version.is_some() && kind != Kind::Module,
            "modules",
        ),
        (
            "pass",
            raw.pass.is_some() && kind != Kind::Module,
            "modules",
        ),
        (
            "minutes",
            raw.minutes.is_some() && kind != Kind::Module,
            "modules",
        ),
        (
            "review",
            raw.review.is_some() && kind != Kind::Module,
            "modules",
        ),
        (
            "draw",
            raw.draw.is_some() && kind != Kind::Module,
            "modules",
        ),
        (
            "shuffle",
            raw.shuffle.is_some() && kind != Kind::Module,
            "modules",
        ),
        (
            "attempts",
            raw.attempts.is_some() && kind != Kind::Module,
            "modules",
        ),
        (
            "modules",
            raw.modules.is_some() && kind != Kind::Path,
            "paths",
        ),
        (
            "requires",
            raw.requires.is_some() && !matches!(kind, Kind::Path | Kind::Resource),
            "paths and resources",
        ),
        (
            "valid_for",
            raw.valid_for.is_some() && kind != Kind::Resource,
            "resources",
        ),
        (
            "self_serve",
            raw.self_serve.is_some() && kind != Kind::Resource,
            "resources",
        ),
    ];
    for (key, is_misplaced, applies_to) in misplaced {
        if *is_misplaced {
            diagnostics.push(Diagnostic::warning(
                path,
                front.position_of(key),
                format!("`{key}` only applies to {applies_to}; this document is a {kind}, so it is ignored"),
            ));
        }
    }

    let detail = match kind {
        Kind::Guide => Detail::Guide,
        Kind::Troubleshooting => Detail::Tree(tree.unwrap_or_default()),
        Kind::Module => {
            let pass = raw.pass.unwrap_or(80);
            if pass > 100 {
                diagnostics.push(Diagnostic::error(
                    path,
                    front.position_of("pass"),
                    format!("`pass: {pass}` is a percentage and must be between 0 and 100"),
                ));
            }
            if raw.version == Some(0) {
                diagnostics.push(Diagnostic::error(
                    path,
                    front.position_of("version"),
                    "`version` starts at 1; raise it when earlier passes should stop counting",
                ));
            }
            let mut questions = Vec::new();
            for block in &rendered.quizzes {
                let (qs, quiz_diags) = quiz::parse_quiz(path, &text, block);
                questions.extend(qs);
                diagnostics.extend(quiz_diags);
            }
            let settings = crate::parse::module_settings::module_settings(
                path,
                &text,
                &front,
                &questions,
                &rendered.anchors,
                &mut diagnostics,
            );
            Detail::Module(Module {
                version: raw.version.unwrap_or(1).max(1),
                pass_percent: u8::try_from(pass.min(100)).unwrap_or(100),
                minutes: raw.minutes,
                questions,
                settings,
            })
        }
        Kind::Path => {
            if modules.is_empty() {
                diagnostics.push(Diagnostic::error(
                    path,
                    front.position_of("modules"),
                    "a path needs `modules: [...]` listing its module ids in order",
                ));
            }
            Detail::Path(PathDef { modules, requires })
        }
        Kind::Resource => {
            let valid_for = raw.valid_for.as_deref().and_then(|v| {
                ValidFor::parse(v)
                    .map_err(|message| {
                        diagnostics.push(Diagnostic::error(
                            path,
                            front.position_of("valid_for"),
                            message,
                        ));
                    })
                    .ok()
            });
            let self_serve = raw.self_serve.as_deref().and_then(|link| {
                if is_safe_link(link) {
                    Some(link.to_owned())
                } else {
                    diagnostics.push(Diagnostic::error(
                        path,
                        front.position_of("self_serve"),
                        format!("`self_serve: {link}` must be an http(s) URL or a site path starting with `/`"),
                    ));
                    None
                }
            });
            if requires.is_empty() {
                diagnostics.push(Diagnostic::warning(
                    path,
                    front.position_of("requires"),
                    "this resource requires no training path, so every signed-in learner is qualified; add `requires: [path-id]`",
                ));
            }
            Detail::Resource(ResourceDef {
                requires,
                valid_for,
                self_serve,
            })
        }
    };

    let mut tags: Vec<String> = raw
        .tags
        .clone()
        .map(OneOrMany::into_vec)
        .unwrap_or_default()
        .into_iter()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    tags.dedup();
    let phrases = |list: &Option<OneOrMany>| -> Vec<String> {
        let mut out: Vec<String> = list
            .clone()
            .map(OneOrMany::into_vec)
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|p| !p.is_empty())
            .collect();
        out.dedup();
        out
    };
    let document = Document {
        id,
        kind,
        source_path: rel_path.clone(),
        title,
        summary: raw
            .summary
            .clone()
            .or_else(|| raw.description.clone())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty()),
        tags,
        aliases: phrases(&raw.aliases),
        symptoms: phrases(&raw.symptoms),
        owner: raw.owner.clone(),
        reviewed,
        resources,
        order: raw.order,
        body: Body::new(&rendered.html, rendered.sections),
        detail,
        content_hash,
    };
    BuiltFile {
        document: Arc::new(document),
        anchors: rendered.anchors,
        links: rendered.links,
        images: rendered.images,
        references,
        diagnostics,
    }
}

/// `YYYY-MM-DD`, or an RFC 3339 date-time whose date is taken.
pub fn parse_date(raw: &str) -> Result<time::Date, String> {
    let raw = raw.trim();
    let date_part = raw.get(..10).unwrap_or(raw);
    time::Date::parse(
        date_part,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| {
        format!("`reviewed: {raw}` is not a date; write it as YYYY-MM-DD, such as 2026-10-01")
    })
}

fn is_safe_link(link: &str) -> bool {
    let lower = link.trim().to_ascii_lowercase();
    lower.starts_with("https://")
        || lower.starts_with("http://")
        || (lower.starts_with('/') && !lower.starts_with("//"))
}

/// A readable title from a file name: `deploy-to-prod.md` → `Deploy to prod`.
fn file_title(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    crate::model::folder_title(stem)
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
