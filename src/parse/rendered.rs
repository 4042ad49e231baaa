//! The values the Markdown passes hand each other: the body to render, the rewritten
//! events, the headings as rendered and everything rendering yields. Below `markdown`,
//! `writer`, `headings`, `links`, `depth` and `tree`, so each of them imports it and none
//! imports the pipeline that calls it.

use std::collections::BTreeSet;
use std::ops::Range;

use pulldown_cmark::Event;

use crate::model::diagnostic::{Diagnostic, Position};
use crate::model::{Section, TocEntry};

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

/// One rewritten event and the byte offset in the file it came from.
pub type OutEvent = (Event<'static>, usize);

/// A heading as rendered, for the tree parser.
#[derive(Debug, Clone)]
pub struct HeadingMark {
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
pub struct Parsed {
    /// The rewritten events.
    pub events: Vec<OutEvent>,
    /// Every heading, in order.
    pub headings: Vec<HeadingMark>,
    /// Everything but `html`.
    pub rendered: Rendered,
}

/// Collapses whitespace runs into single spaces.
pub fn normalize_ws(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
