//! Draws a [`Layout`] as inline SVG. Colours and fonts come from the stylesheet (classes
//! only: the CSP forbids inline styles), so the diagram follows the light and dark themes.

use std::fmt::Write;

use maud::{Markup, html};

use super::{BOX_W, Edge, LABEL_LINE_H, LINE_H, Layout, PAD, Route};
use crate::model::{Outcome, Tree};
use crate::records::TreeStats;

/// Everything the SVG needs beyond the layout.
#[derive(Debug, Clone, Copy)]
pub struct DiagramInput<'a> {
    /// The tree.
    pub tree: &'a Tree,
    /// Its layout (from [`super::layout`]).
    pub layout: &'a Layout,
    /// Per node (file order), the URL of its step, when a walk reaches it.
    pub hrefs: &'a [Option<String>],
    /// Counts for admins.
    pub stats: Option<&'a TreeStats>,
    /// Accessible name of the figure.
    pub title: &'a str,
}

/// The SVG: edges first, so boxes and their links sit on top.
pub fn svg(input: DiagramInput<'_>) -> Markup {
    let DiagramInput {
        tree,
        layout,
        hrefs,
        stats,
        title,
    } = input;
    // A `group`, not an `img`: its boxes are links, and an image may hold nothing interactive.
    html! {
        svg xmlns="http://www.w3.org/2000/svg" class="tree-diagram-svg"
            viewBox={ "0 0 " (layout.width) " " (layout.height) }
            width=(layout.width) height=(layout.height)
            role="group" aria-labelledby="tree-diagram-title" {
            title id="tree-diagram-title" { (title) }
            defs {
                marker id="tree-arrow" viewBox="0 0 10 10" refX="9" refY="5"
                    markerWidth="7" markerHeight="7" orient="auto-start-reverse" {
                    path class="tree-arrow-head" d="M0,0 L10,5 L0,10 z" {}
                }
            }
            g class="tree-edges" {
                @for edge in &layout.edges {
                    (edge_markup(edge))
                }
            }
            g class="tree-boxes" {
                @for p in &layout.nodes {
                    @if let Some(node) = tree.nodes.get(p.node) {
                        @let class = match node.outcome {
                            Some(Outcome::Resolved) => "tree-box tree-box-resolved",
                            Some(Outcome::Escalate) => "tree-box tree-box-escalate",
                            None => "tree-box",
                        };
                        @let counts = stats.map(|s| s.nodes.get(&node.id).copied().unwrap_or_default());
                        @let inner = html! {
                            title {
                                (node.title)
                                @if let Some(o) = node.outcome { " (" (o.as_str()) ")" }
                            }
                            rect x=(p.x) y=(p.y) width=(BOX_W) height=(p.h) rx="8" {}
                            text class="tree-box-title" x=(p.x + PAD) y=(p.y + PAD + 13) {
                                @for (k, line) in p.lines.iter().enumerate() {
                                    tspan x=(p.x + PAD) dy=(if k == 0 { 0 } else { LINE_H }) { (line) }
                                }
                            }
                            @let after = p.y + PAD + 13 + i32::try_from(p.lines.len()).unwrap_or(1) * LINE_H;
                            text class="tree-box-id" x=(p.x + PAD) y=(after) { "#" (node.id) }
                            @if let Some(c) = counts {
                                text class="tree-box-counts" x=(p.x + PAD) y=(after + LINE_H) {
                                    (c.passed_through) " through · " (c.stopped_at) " ended"
                                }
                            }
                        };
                        @match hrefs.get(p.node).and_then(Option::as_deref) {
                            Some(href) => a class=(class) href=(href) id={ "diagram-" (node.id) } data-node=(node.id) { (inner) },
                            None => g class={ (class) " tree-box-unreachable" } id={ "diagram-" (node.id) } data-node=(node.id) { (inner) },
                        }
                    }
                }
            }
        }
    }
}

/// One arrow with its label.
fn edge_markup(edge: &Edge) -> Markup {
    let d = path_data(edge);
    let class = match edge.route {
        Route::Down => "tree-edge",
        Route::Up => "tree-edge tree-edge-back",
        Route::Across => "tree-edge tree-edge-across",
    };
    let label = &edge.label;
    html! {
        g class=(class) data-from=(edge.from) data-to=(edge.to) {
            title { (edge.labels.join(" / ")) }
            path d=(d) marker-end="url(#tree-arrow)" {}
            text class="tree-edge-label" x=(label.x) y=(label.y) text-anchor=(label.anchor) {
                @for (k, line) in label.lines.iter().enumerate() {
                    tspan x=(label.x) dy=(if k == 0 { 0 } else { LABEL_LINE_H }) { (line) }
                }
            }
        }
    }
}

/// The SVG path: a vertical S-curve for [`Route::Down`], straight segments otherwise.
fn path_data(edge: &Edge) -> String {
    let mut d = String::new();
    match (edge.route, edge.points.as_slice()) {
        (Route::Down, [(x1, y1), (x2, y2)]) => {
            let mid = (y1 + y2) / 2;
            let _ = write!(d, "M{x1},{y1} C{x1},{mid} {x2},{mid} {x2},{y2}");
        }
        (_, points) => {
            for (k, (x, y)) in points.iter().enumerate() {
                let _ = write!(d, "{}{x},{y}", if k == 0 { "M" } else { " L" });
            }
        }
    }
    d
}
