//! Markdown → sanitised HTML, table of contents, searchable sections and the links to check.
//!
//! One pipeline for every body, orchestrated by [`parse`]:
//!
//! 1. the `admonition` pre-pass turns MkDocs and Docusaurus blocks and `[[_TOC_]]` into
//!    marker lines, keeping a source map back to the author's text;
//! 2. pulldown-cmark parses with [`options`];
//! 3. a first pass (`headings`) settles heading anchors and the table of contents;
//! 4. a second pass (`writer`) rewrites the events (headings, callouts, code, links,
//!    footnotes, quiz fences, the inline TOC) while collecting sections and references;
//! 5. `sanitize` cleans the HTML.
//!
//! Positions always point into the author's file, through the source map.

use std::collections::BTreeSet;
use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser};

use crate::model::{Section, TocEntry};

use super::admonition;
use super::depth;
use super::diagnostic::{Diagnostic, LineIndex, Position};
use super::headings;
use super::sanitize;
use super::writer::Writer;

/// What the renderer needs to know about the rest of the site.
pub trait LinkTargets {
    /// The site URL of the Markdown file at `rel_path` (content-relative, `/`-separated,
    /// already normalised: no `.`/`..`), or `None` when there is no such document.
    fn doc_url(&self, rel_path: &str) -> Option<String>;
    /// The URL an asset (a non-Markdown file) at `rel_path` is served from.
    fn asset_url(&self, rel_path: &str) -> String {
        format!("/assets/{rel_path}")
    }
}

/// One Markdown body to render.
#[derive(Debug, Clone, Copy)]
pub struct RenderInput<'a> {
    /// The file's content-relative path, for resolving relative links and for diagnostics.
    pub source_path: &'a str,
    /// The whole file's text (CRLF already turned into LF), for positions.
    pub file_text: &'a str,
    /// Byte offset of the body in `file_text`.
    pub body_offset: usize,
    /// When true, ```` ```quiz ```` fences are taken out of the HTML and returned as quiz blocks.
    pub extract_quizzes: bool,
}

impl RenderInput<'_> {
    /// The Markdown body.
    pub fn body(&self) -> &str {
        self.file_text.get(self.body_offset..).unwrap_or("")
    }
}

/// A relative link to another document (or an anchor in this one) that the loader checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    /// The target file's content-relative path (this file's own path for `#anchor` links).
    pub target_path: String,
    /// The anchor after `#`, if any.
    pub anchor: Option<String>,
    /// Where the link starts in the file.
    pub position: Position,
}

/// A relative image reference that the loader checks against the assets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// The image's content-relative path.
    pub target_path: String,
    /// Where the image starts in the file.
    pub position: Position,
}

/// The YAML text of one ```` ```quiz ```` fence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuizBlock {
    /// The fence's content.
    pub yaml: String,
    /// Byte offset of that content in the file text.
    pub offset: usize,
}

/// Everything rendering one body yields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// Sanitised HTML.
    pub html: String,
    /// Headings of level 2 and 3 (and 4), for the page's table of contents.
    pub toc: Vec<TocEntry>,
    /// The text of the first level-1 heading (title fallback).
    pub first_h1: Option<String>,
    /// Text per heading, for search.
    pub sections: Vec<Section>,
    /// Every id an `#anchor` link may target in this document.
    pub anchors: BTreeSet<String>,
    /// Relative links to check.
    pub links: Vec<LinkRef>,
    /// Relative images to check.
    pub images: Vec<ImageRef>,
    /// Quiz fences (only when `extract_quizzes`).
    pub quizzes: Vec<QuizBlock>,
    /// Problems found while rendering (e.g. a malformed admonition).
    pub diagnostics: Vec<Diagnostic>,
}

/// The one place pulldown-cmark's options are chosen: GFM tables, footnotes,
/// strikethrough, task lists, heading attributes (`{#id .class}`) and alerts
/// (`> [!NOTE]`). Smart punctuation stays off so commands are shown as typed; metadata
/// blocks stay off because front matter is split off before rendering.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

/// Renders one body.
pub fn render(input: RenderInput<'_>, targets: &dyn LinkTargets) -> Rendered {
    let parsed = parse(input, targets);
    let mut rendered = parsed.rendered;
    rendered.html = to_html(&parsed.events);
    rendered
}

/// One rewritten event and the byte offset in the file it came from.
pub(super) type OutEvent = (Event<'static>, usize);

/// A heading as rendered, for the tree parser.
#[derive(Debug, Clone)]
pub(super) struct HeadingMark {
    /// 1 to 6.
    pub level: u8,
    /// The anchor it got.
    pub id: String,
    /// True when the author wrote `{#id}`.
    pub explicit: bool,
    /// `.class` attributes as written.
    pub classes: Vec<String>,
    /// Plain text.
    pub title: String,
    /// Where the heading starts in the file.
    pub position: Position,
    /// Not inside a list, quote or footnote.
    pub top_level: bool,
    /// The output events that render it.
    pub events: Range<usize>,
    /// Its index in `Rendered::sections` (levels 1 to 4).
    pub section: Option<usize>,
}

/// A body parsed and rewritten, before HTML is written.
#[derive(Debug)]
pub(super) struct Parsed {
    /// The rewritten events.
    pub events: Vec<OutEvent>,
    /// Every heading, in order.
    pub headings: Vec<HeadingMark>,
    /// Everything but `html`.
    pub rendered: Rendered,
}

/// Writes and sanitises HTML for rewritten events.
pub(super) fn to_html(events: &[OutEvent]) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.iter().map(|(e, _)| e.clone()));
    sanitize::clean(&html)
}

/// Collapses whitespace runs into single spaces.
pub(super) fn normalize_ws(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parses and rewrites a body; [`render`] and the tree parser share it.
pub(super) fn parse(input: RenderInput<'_>, targets: &dyn LinkTargets) -> Parsed {
    let prepared = admonition::prepare(input.body());
    let raw: Vec<(Event<'_>, Range<usize>)> = Parser::new_ext(&prepared.text, options())
        .into_offset_iter()
        .collect();

    // First pass: every heading's anchor must be known before the inline TOC is written.
    let mut rendered = Rendered::default();
    let infos = headings::scan(&raw, &mut rendered.anchors);
    let ids = headings::assign_ids(&infos);
    rendered.anchors.extend(ids.iter().cloned());
    rendered.first_h1 = infos.iter().find(|i| i.level == 1).map(|i| i.title.clone());
    rendered.toc = infos
        .iter()
        .zip(&ids)
        .filter(|(info, _)| (2..=4).contains(&info.level))
        .map(|(info, id)| TocEntry {
            level: info.level,
            anchor: id.clone(),
            title: info.title.clone(),
        })
        .collect();
    let index = LineIndex::new(input.file_text);
    for &opener in &prepared.unclosed {
        rendered.diagnostics.push(Diagnostic::warning(
            input.source_path,
            index.position(input.body_offset + opener),
            "this `:::` block is never closed; add a line with only `:::` where it ends",
        ));
    }

    // Second pass: rewrite the events and collect sections and references.
    let mut writer = Writer::new(input, targets, &prepared, index, &infos, &ids, rendered);
    for (event, range) in raw {
        writer.event(event, range);
    }
    let mut parsed = writer.finish();
    if let Some(at) = depth::limit(&mut parsed.events) {
        parsed.rendered.diagnostics.push(Diagnostic::warning(
            input.source_path,
            LineIndex::new(input.file_text).position(at),
            format!(
                "blocks or HTML tags nest more than {} levels deep here; deeper quotes and lists \
                 are flattened and deeper HTML is shown as text, so nest less",
                depth::MAX_DEPTH
            ),
        ));
    }
    parsed
}

#[cfg(test)]
#[path = "markdown_tests.rs"]
mod tests;
