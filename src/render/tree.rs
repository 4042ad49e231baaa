//! Troubleshooting trees as readers walk them, one question per page.
//!
//! Every step is a real URL, `/trees/ID?at=NODE&trail=START,…` (the answers before it), so the
//! browser's Back button, bookmarks and shared links all work without JavaScript. The tree's own
//! page (`/trees/ID`) shows the introduction and the start question, then every step as a
//! section whose `id` is the node id: that is where a search hit (`/trees/ID#node`) lands, and
//! each section links into the walk at that step. The leaf forms live in [`super::tree_outcome`],
//! the diagram in [`super::tree_diagram`].

use maud::{Markup, html};

use crate::model::{Document, Outcome, Site, Tree, TreeNode, Walk};

use super::TrustedHtml;
use super::document::{body_of, crumbs_for, document_page};
use super::layout::{self, Crumb, Page, PageContext};
use super::tree_outcome::{self, LeafState};
use super::tree_steps::{answer_label, diagram_url, shortest_step_urls, step_url};

/// The tree's page: introduction, the start question to begin the walk, then every step for
/// reference (and for search hits to land on).
pub fn page(ctx: &PageContext<'_>, site: &Site, doc: &Document) -> Markup {
    let empty = Tree::default();
    let tree = doc.tree().unwrap_or(&empty);
    let url = doc.url();
    let walk_urls = shortest_step_urls(tree, &url);
    let main = html! {
        (body_of(doc))
        @if let Some(start) = tree.nodes.first() {
            section class="tree-step tree-step-start" aria-labelledby="tree-step-kicker tree-step-title" {
                p id="tree-step-kicker" class="tree-step-kicker" { "Start here" }
                h2 id="tree-step-title" class="tree-step-title" { (start.title) }
                div class="doc-body" { (TrustedHtml(&start.body_html)) }
                @if start.choices.is_empty() {
                    p { a class="button" href=(step_url(&url, &[&start.id])) { "Continue" } }
                } @else {
                    (choice_buttons(&url, &[start.id.as_str()], start))
                }
            }
            p class="tree-tools" {
                a href=(diagram_url(&url)) { "See the whole tree as a diagram" }
            }
            section class="tree-reference" aria-labelledby="tree-all-steps" {
                h2 id="tree-all-steps" { "All steps" }
                p class="muted" {
                    "Every question and answer of this tree, for reading ahead or landing from search. "
                    "“Continue from here” picks up the walk at that step."
                }
                div class="tree-nodes" {
                    @for (node, walk_url) in tree.nodes.iter().zip(&walk_urls) {
                        (reference_node(node, walk_url.as_deref()))
                    }
                }
            }
        }
    };
    document_page(ctx, site, doc, main, Vec::new())
}

/// One step in the reference list; its `id` is the node id, so `#node` links land on it.
fn reference_node(node: &TreeNode, walk_url: Option<&str>) -> Markup {
    html! {
        section class={ "tree-node" @if let Some(o) = node.outcome { " tree-leaf tree-" (o.as_str()) } }
            id=(node.id) aria-labelledby={ "node-title-" (node.id) } {
            h3 id={ "node-title-" (node.id) } {
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
            @if let Some(href) = walk_url {
                p class="tree-continue" { a href=(href) { "Continue from here" } }
            }
        }
    }
}

/// The choices of the node at the end of `path`, as large buttons to the next steps.
fn choice_buttons(tree_url: &str, path: &[&str], node: &TreeNode) -> Markup {
    html! {
        ul class="tree-choices tree-choices-large" aria-label="Answers" {
            @for choice in &node.choices {
                @let next: Vec<&str> = path.iter().copied().chain([choice.to.as_str()]).collect();
                li { a class="tree-choice" href=(step_url(tree_url, &next)) { (choice.label) } }
            }
        }
    }
}

/// One step of a walk: the trail so far, the question and its body, the answers, and on a
/// leaf the outcome with its form.
pub fn step_page(
    ctx: &PageContext<'_>,
    site: &Site,
    doc: &Document,
    walk: &Walk<'_>,
    leaf: LeafState,
) -> Markup {
    let url = doc.url();
    let node = walk.current();
    let ids: Vec<&str> = walk.steps().iter().map(|n| n.id.as_str()).collect();
    let main = html! {
        article class="doc doc-troubleshooting tree-walk" {
            header class="doc-header" {
                p class="doc-kind" {
                    a href=(url) { (doc.title) }
                    " · step " (walk.steps().len())
                }
                h1 class="tree-step-title" {
                    (node.title)
                    @if let Some(outcome) = node.outcome { " " (outcome_badge(outcome)) }
                }
            }
            @if walk.steps().len() > 1 {
                (trail(&url, walk))
            }
            div class="doc-body tree-step-body" { (TrustedHtml(&node.body_html)) }
            @if !node.choices.is_empty() {
                (choice_buttons(&url, &ids, node))
            }
            @if let Some(outcome) = node.outcome {
                (tree_outcome::leaf(ctx, &url, walk, outcome, &leaf))
                (super::feedback::form(&doc.id, &step_url(&url, &ids)))
            }
            nav class="tree-walk-nav" aria-label="Walk" {
                a class="tree-start-over" href=(step_url(&url, &ids[..1])) { "Start over" }
                a href=(url) { "All steps" }
                a href=(diagram_url(&url)) { "Diagram" }
            }
        }
    };
    let mut crumbs = crumbs_for(site, doc);
    crumbs.pop();
    crumbs.push(Crumb::link(doc.title.clone(), url.clone()));
    crumbs.push(Crumb::text(node.title.clone()));
    layout::render(
        ctx,
        Page {
            title: format!("{} · {}", node.title, doc.title),
            description: doc.summary.clone(),
            crumbs,
            main,
            aside: None,
            scripts: Vec::new(),
        },
    )
}

/// "Your answers so far": each earlier question with the answer given, linking back to it.
fn trail(tree_url: &str, walk: &Walk<'_>) -> Markup {
    let steps = walk.steps();
    let ids: Vec<&str> = steps.iter().map(|n| n.id.as_str()).collect();
    html! {
        nav class="tree-trail" aria-labelledby="tree-trail-title" {
            h2 id="tree-trail-title" class="tree-trail-title" { "Your answers so far" }
            ol {
                @for (i, pair) in steps.windows(2).enumerate() {
                    li {
                        a href=(step_url(tree_url, &ids[..=i])) { (pair[0].title) }
                        " "
                        span class="tree-trail-answer" { "→ " (answer_label(pair[0], pair[1])) }
                    }
                }
            }
        }
    }
}

/// A page for a step link that is not a walk of the tree (edited by hand, or the tree changed
/// since it was shared), served with status 400.
pub fn bad_walk_page(ctx: &PageContext<'_>, site: &Site, doc: &Document, message: &str) -> Markup {
    let url = doc.url();
    let main = html! {
        section class="error-page" {
            p class="error-status" { "400" }
            h1 { "This step does not exist" }
            p class="lead" { "This link is not a path through “" (doc.title) "”: " (message) "." }
            p { "The tree may have changed since the link was made." }
            p { a class="button" href=(url) { "Start from the first question" } }
        }
    };
    let mut crumbs = crumbs_for(site, doc);
    crumbs.pop();
    crumbs.push(Crumb::link(doc.title.clone(), url));
    layout::render(
        ctx,
        Page {
            title: format!("Bad step · {}", doc.title),
            crumbs,
            main,
            ..Page::default()
        },
    )
}

/// The whole tree as a diagram, with walk counts for admins.
pub fn diagram_page(
    ctx: &PageContext<'_>,
    site: &Site,
    doc: &Document,
    svg: Markup,
    totals: Option<(u64, u64, u64)>,
) -> Markup {
    let url = doc.url();
    let main = html! {
        article class="doc doc-troubleshooting tree-diagram-page" {
            header class="doc-header" {
                p class="doc-kind" { a href=(url) { (doc.title) } }
                h1 { "Diagram of “" (doc.title) "”" }
                p class="doc-summary" {
                    "Each box is a step; select one to walk the tree from there. Arrows are answers; "
                    "dashed arrows lead back to an earlier step."
                }
            }
            @if let Some((walks, resolved, escalated)) = totals {
                dl class="tree-totals" aria-label="Recorded walks" {
                    div { dt { "Walks" } dd { (walks) } }
                    div { dt { "Resolved" } dd { (resolved) } }
                    div { dt { "Escalated" } dd { (escalated) } }
                }
                p class="muted" {
                    "In each box: walks that passed through the step, and walks that ended there. "
                    "Counts cover every version of the tree. "
                    a href=(requests_url(doc)) { "Help requests from this tree" }
                }
            }
            ul class="tree-legend" aria-label="Legend" {
                li { span class="tree-legend-swatch" {} "question" }
                li { span class="tree-legend-swatch tree-legend-resolved" {} "resolved" }
                li { span class="tree-legend-swatch tree-legend-escalate" {} "escalate to the platform team" }
            }
            div class="tree-diagram" { (svg) }
        }
    };
    let mut crumbs = crumbs_for(site, doc);
    crumbs.pop();
    crumbs.push(Crumb::link(doc.title.clone(), url));
    crumbs.push(Crumb::text("Diagram"));
    layout::render(
        ctx,
        Page {
            title: format!("Diagram · {}", doc.title),
            description: doc.summary.clone(),
            crumbs,
            main,
            aside: None,
            scripts: Vec::new(),
        },
    )
}

/// The admin list of help requests, filtered to this tree.
fn requests_url(doc: &Document) -> String {
    super::requests::RequestFilter {
        status: None,
        tree: Some(doc.id.as_str().to_owned()),
    }
    .url()
}

/// The coloured label of a leaf's outcome.
pub fn outcome_badge(outcome: Outcome) -> Markup {
    match outcome {
        Outcome::Resolved => html! { span class="badge badge-resolved" { "Resolved" } },
        Outcome::Escalate => html! { span class="badge badge-escalate" { "Escalate" } },
    }
}
