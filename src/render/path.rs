//! Training paths: why the path exists, its modules in order, what it requires and unlocks.

use maud::{Markup, html};

use crate::model::{DocId, Document, Kind, Site};

use super::document::{body_of, document_page};
use super::layout::PageContext;

/// A path page.
pub fn page(ctx: &PageContext<'_>, site: &Site, doc: &Document) -> Markup {
    let def = doc.path_def().cloned().unwrap_or_default();
    let total_minutes: u32 = def
        .modules
        .iter()
        .filter_map(|id| {
            site.get(id)
                .and_then(|m| m.module())
                .and_then(|m| m.minutes)
        })
        .sum();
    let unlocks: Vec<&Document> = site
        .of_kind(Kind::Resource)
        .filter(|r| {
            r.resource()
                .is_some_and(|def| def.requires.contains(&doc.id))
        })
        .map(AsRef::as_ref)
        .collect();
    let main = html! {
        (body_of(doc))
        @if !def.requires.is_empty() {
            section aria-labelledby="path-requires" {
                h2 id="path-requires" { "Finish first" }
                (doc_links(site, &def.requires))
            }
        }
        section aria-labelledby="path-modules" {
            h2 id="path-modules" { "Modules" }
            @if total_minutes > 0 {
                p class="muted" { "About " (total_minutes) " minutes in total." }
            }
            ol class="module-list" {
                @for id in &def.modules {
                    li {
                        @match site.get(id) {
                            Some(module) => {
                                a href=(module.url()) { (module.title) }
                                @if let Some(minutes) = module.module().and_then(|m| m.minutes) {
                                    " " span class="muted" { "(" (minutes) " min)" }
                                }
                                @if let Some(summary) = &module.summary {
                                    p class="module-summary" { (summary) }
                                }
                            }
                            None => { (id) " " span class="badge badge-missing" { "missing" } }
                        }
                    }
                }
            }
        }
        @if !unlocks.is_empty() {
            section class="related" aria-labelledby="path-unlocks" {
                h2 id="path-unlocks" { "Qualifies you for" }
                ul {
                    @for resource in &unlocks {
                        li { a href=(resource.url()) { (resource.title) } }
                    }
                }
            }
        }
    };
    document_page(ctx, site, doc, main, Vec::new())
}

/// A list of links to the documents named by `ids`, marking ids that name nothing.
pub fn doc_links(site: &Site, ids: &[DocId]) -> Markup {
    html! {
        ul {
            @for id in ids {
                li {
                    @match site.get(id) {
                        Some(target) => a href=(target.url()) { (target.title) },
                        None => { (id) " " span class="badge badge-missing" { "missing" } },
                    }
                }
            }
        }
    }
}
