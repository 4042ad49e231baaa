//! PLACEHOLDER for `/search` until the search issue lands its own `render/search.rs`: a search
//! form and plain title matches. Delete this file when the real search page is registered.

use maud::{Markup, html};

use crate::model::Document;

use super::layout::{self, Crumb, Page, PageContext, search_form};
use super::tags::doc_list;

/// The search page: the form, then documents whose title holds every word of `query`.
pub fn page(ctx: &PageContext<'_>, query: &str, hits: &[&Document]) -> Markup {
    let main = html! {
        h1 { "Search" }
        (search_form(query, "page-search", "Search the knowledge base"))
        @if !query.trim().is_empty() {
            @if hits.is_empty() {
                p { "No page title matches " q { (query) } "." }
            } @else {
                (doc_list(hits.iter().copied()))
            }
        }
    };
    layout::render(
        ctx,
        Page {
            title: "Search".into(),
            crumbs: vec![Crumb::link("Home", "/"), Crumb::text("Search")],
            main,
            ..Page::default()
        },
    )
}
