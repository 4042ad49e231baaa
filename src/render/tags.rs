//! The tag index (every tag with its count) and one tag's documents.

use std::collections::BTreeMap;
use std::sync::Arc;

use maud::{Markup, html};

use crate::model::Document;

use super::layout::{self, Crumb, Page, PageContext};
use super::{kind_badge, plural, tag_url};

/// `/tags`: all tags, alphabetically, with how many documents carry each.
pub fn index(ctx: &PageContext<'_>, tags: &BTreeMap<&str, Vec<&Arc<Document>>>) -> Markup {
    let main = html! {
        h1 { "Tags" }
        @if tags.is_empty() {
            p { "No document has tags yet. Add " code { "tags: [a, b]" } " to a document's front matter." }
        } @else {
            ul class="tag-cloud" {
                @for (tag, docs) in tags {
                    li {
                        a class="tag" href=(tag_url(tag)) { (tag) }
                        " " span class="muted" { (docs.len()) }
                    }
                }
            }
        }
    };
    layout::render(
        ctx,
        Page {
            title: "Tags".into(),
            crumbs: vec![Crumb::link("Home", "/"), Crumb::text("Tags")],
            main,
            ..Page::default()
        },
    )
}

/// `/tags/{tag}`: the documents carrying one tag.
pub fn tag(ctx: &PageContext<'_>, tag: &str, docs: &[&Arc<Document>]) -> Markup {
    let main = html! {
        h1 { "Tagged " q { (tag) } }
        p class="muted" { (plural(docs.len(), "document", "documents")) }
        (doc_list(docs.iter().map(|d| d.as_ref())))
    };
    layout::render(
        ctx,
        Page {
            title: format!("Tagged {tag}"),
            crumbs: vec![
                Crumb::link("Home", "/"),
                Crumb::link("Tags", "/tags"),
                Crumb::text(tag),
            ],
            main,
            ..Page::default()
        },
    )
}

/// A list of documents with kind, title and summary.
pub fn doc_list<'a>(docs: impl Iterator<Item = &'a Document>) -> Markup {
    html! {
        ul class="doc-list" {
            @for doc in docs {
                li {
                    (kind_badge(doc.kind)) " "
                    a href=(doc.url()) { (doc.title) }
                    @if let Some(summary) = &doc.summary {
                        p class="doc-list-summary" { (summary) }
                    }
                }
            }
        }
    }
}
