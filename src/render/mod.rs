//! Views: pure functions from model values to maud `Markup`, one file per page kind.
//!
//! Nothing here knows actix or reads files: a handler in [`crate::web`] gathers the values
//! (a [`layout::PageContext`] plus model data) and calls one of these functions. maud escapes
//! every value it interpolates; the one exception is [`TrustedHtml`], the single way
//! pre-rendered HTML (already sanitised by [`crate::parse`]) enters a template.

pub mod account;
pub mod api_reference;
pub mod diagnostics;
pub mod document;
pub mod errors;
pub mod feedback;
pub mod folder;
pub mod home;
pub mod insights;
pub mod layout;
pub mod module;
pub mod path;
pub mod qualifications;
pub mod quiz_results;
pub mod requests;
pub mod requests_mine;
pub mod resource;
pub mod search;
pub mod search_feedback;
pub mod tags;
pub mod training;
pub mod training_paths;
pub mod tree;
pub mod tree_diagram;
pub mod tree_outcome;
pub mod tree_steps;
pub mod urls;
pub mod webhooks;

use maud::{Markup, Render, html};

use crate::model::{Document, Kind, Site};

pub use layout::{Crumb, Page, PageContext, Viewer};

/// A document's page as anyone may see it, without a learner's record (the web layer's
/// handlers of each kind add that): the view of its kind.
pub fn document_page(ctx: &PageContext<'_>, site: &Site, doc: &Document) -> Markup {
    match doc.kind {
        Kind::Guide => document::guide(ctx, site, doc),
        Kind::Troubleshooting => tree::page(ctx, site, doc),
        Kind::Module => module::page(ctx, site, doc),
        Kind::Path => path::page(ctx, site, doc),
        Kind::Resource => resource::page(ctx, site, doc),
    }
}

/// HTML produced by the Markdown renderer, which sanitises it with `ammonia` (or, for quiz
/// text, escapes all but a few fixed tags) before it is stored in the model. This is the only
/// place in the crate where a string is written into a page without escaping: wrap nothing
/// else in it.
#[derive(Debug, Clone, Copy)]
pub struct TrustedHtml<'a>(pub &'a str);

impl Render for TrustedHtml<'_> {
    /// Code blocks are highlighted here, on the way out (see `parse::code_block`).
    fn render_to(&self, buffer: &mut String) {
        crate::parse::highlight_rendered(self.0, buffer);
    }
}

/// A small coloured label naming a document's kind.
pub fn kind_badge(kind: Kind) -> Markup {
    html! { span class={ "badge badge-" (kind.as_str()) } { (kind.label()) } }
}

/// `2026-10-01`: the one date format pages show (unambiguous in every locale).
pub fn format_date(date: time::Date) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    date.format(format).unwrap_or_default()
}

/// The URL of a tag's page, percent-encoded so any tag text is a safe path segment.
pub fn tag_url(tag: &str) -> String {
    format!(
        "/tags/{}",
        percent_encoding::utf8_percent_encode(tag, percent_encoding::NON_ALPHANUMERIC)
    )
}

/// "1 guide", "3 guides": counts in sentences.
pub fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

/// A "related documents" section: a heading and a list of links (paths of a module, resources
/// a path qualifies for, …).
pub fn related_links(
    section_id: &str,
    heading: &str,
    docs: &[&crate::model::Document],
) -> maud::Markup {
    maud::html! {
        @if !docs.is_empty() {
            section class="related" aria-labelledby=(section_id) {
                h2 id=(section_id) { (heading) }
                ul {
                    @for doc in docs {
                        li { a href=(doc.url()) { (doc.title) } }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_html_is_not_escaped_but_other_values_are() {
        let markup = html! { (TrustedHtml("<b>x</b>")) ("<b>y</b>") };
        assert_eq!(markup.into_string(), "<b>x</b>&lt;b&gt;y&lt;/b&gt;");
    }

    #[test]
    fn tag_urls_escape_everything_but_letters_and_digits() {
        assert_eq!(tag_url("ci/cd & more"), "/tags/ci%2Fcd%20%26%20more");
    }
}
