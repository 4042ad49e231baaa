//! Resources: what a team can self-serve once qualified, which paths qualify, for how long,
//! where to request it, and the documents about it.

use maud::{Markup, html};

use crate::model::{Document, Site};

use super::document::{body_of, document_page};
use super::layout::PageContext;
use super::path::doc_links;

/// A resource page.
pub fn page(ctx: &PageContext<'_>, site: &Site, doc: &Document) -> Markup {
    let def = doc.resource().cloned().unwrap_or_default();
    let about: Vec<&Document> = site
        .documents
        .values()
        .filter(|d| d.resources.contains(&doc.id))
        .map(AsRef::as_ref)
        .collect();
    let main = html! {
        (body_of(doc))
        section class="qualify" aria-labelledby="resource-qualify" {
            h2 id="resource-qualify" { "How to qualify" }
            @if def.requires.is_empty() {
                p { "No training is required for this resource." }
            } @else {
                p { "Finish every module of these training paths:" }
                (doc_links(site, &def.requires))
            }
            p {
                @match def.valid_for {
                    Some(valid) => { "A qualification lasts " (valid.days()) " days after your oldest module pass; retake the modules to renew it." },
                    None => "A qualification does not lapse.",
                }
            }
            @if let Some(link) = &def.self_serve {
                p { a class="button" href=(link) rel="noopener" { "Request " (doc.title) } }
            }
        }
        @if !about.is_empty() {
            section class="related" aria-labelledby="resource-docs" {
                h2 id="resource-docs" { "Documentation" }
                ul {
                    @for d in &about {
                        li { a href=(d.url()) { (d.title) } " " span class="muted" { "(" (d.kind) ")" } }
                    }
                }
            }
        }
    };
    document_page(ctx, site, doc, main, Vec::new())
}
