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

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser};

use super::admonition;
use super::depth;
use super::headings;
use super::rendered::{OutEvent, Parsed};
use super::sanitize;
use super::writer::Writer;
use crate::model::TocEntry;
use crate::model::diagnostic::{Diagnostic, LineIndex};

// The pipeline's input and output types are defined below it, in `rendered`.
pub use super::rendered::{ImageRef, LinkRef, LinkTargets, QuizBlock, RenderInput, Rendered};

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

/// Writes and sanitises HTML for rewritten events.
pub(super) fn to_html(events: &[OutEvent]) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.iter().map(|(e, _)| e.clone()));
    sanitize::clean(&html)
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
