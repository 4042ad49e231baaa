//! Troubleshooting trees, rendered plainly: the introduction, then every node with its body and
//! its choices as in-page links. The trees issue turns this into a step-by-step walk.

use maud::{Markup, html};

use crate::model::{Document, Outcome, Site, Tree};

use super::TrustedHtml;
use super::document::{body_of, document_page};
use super::layout::PageContext;

/// A tree page; a document whose tree failed to parse shows its introduction only.
pub fn page(ctx: &PageContext<'_>, site: &Site, doc: &Document) -> Markup {
    let empty = Tree::default();
    let tree = doc.tree().unwrap_or(&empty);
    let main = html! {
        (body_of(doc))
        @if let Some(start) = tree.start() {
            p class="tree-start" { a class="button" href={ "#" (start) } { "Start troubleshooting" } }
        }
        div class="tree-nodes" {
            @for node in &tree.nodes {
                section class={ "tree-node" @if let Some(o) = node.outcome { " tree-leaf tree-" (o.as_str()) } }
                    aria-labelledby=(node.id) {
                    h2 id=(node.id) {
                        (node.title)
                        @if let Some(outcome) = node.outcome {
                            " " (outcome_badge(outcome))
                        }
                    }
                    div class="doc-body" { (TrustedHtml(&node.body_html)) }
                    @if !node.choices.is_empty() {
                        ul class="tree-choices" {
                            @for choice in &node.choices {
                                li { a href={ "#" (choice.to) } { (choice.label) } }
                            }
                        }
                    }
                    @if node.outcome == Some(Outcome::Escalate) {
                        p class="tree-escalate-hint" {
                            "This is where the platform team takes over. Note which answers brought you here when you ask for help."
                        }
                    }
                }
            }
        }
    };
    document_page(ctx, site, doc, main, Vec::new())
}

fn outcome_badge(outcome: Outcome) -> Markup {
    match outcome {
        Outcome::Resolved => html! { span class="badge badge-resolved" { "Resolved" } },
        Outcome::Escalate => html! { span class="badge badge-escalate" { "Escalate" } },
    }
}
