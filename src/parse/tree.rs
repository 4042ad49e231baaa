//! Troubleshooting trees: `##` headings with explicit ids are nodes, the last list of links
//! to `#node` anchors holds the choices, `.resolved` / `.escalate` classes mark leaves.
//!
//! STUB: the interface is fixed; the implementation is being written.

use crate::model::Tree;

use super::diagnostic::Diagnostic;
use super::markdown::{LinkTargets, RenderInput, Rendered};

/// Parses a tree. `Rendered` covers the whole file (toc, sections, links, anchors) with
/// `html` set to the introduction only. Problems (missing targets, unreachable nodes,
/// leaves without outcome, duplicate ids, no nodes, ambiguous choice lists; cycles as
/// warnings) are returned as diagnostics.
pub fn parse_tree(input: RenderInput<'_>, targets: &dyn LinkTargets) -> (Tree, Rendered, Vec<Diagnostic>) {
    let rendered = super::markdown::render(input, targets);
    (Tree::default(), rendered, Vec::new())
}
