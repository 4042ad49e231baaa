//! Troubleshooting trees: `##` headings with explicit ids are nodes, the last list of links
//! to `#node` anchors holds the choices, `.resolved` / `.escalate` classes mark leaves.
//!
//! The file is rendered once by the Markdown pipeline; the rewritten events are then cut at
//! node headings, so a node's body gets exactly the treatment a guide would.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

use crate::model::{Choice, Outcome, Tree, TreeNode};

use super::links::{self, Dest};
use super::markdown;
use super::rendered::{
    HeadingMark, LinkTargets, OutEvent, Parsed, RenderInput, Rendered, normalize_ws,
};
use crate::model::diagnostic::{Diagnostic, LineIndex, Position};

/// Parses a tree. `Rendered` covers the whole file (toc, sections, links, anchors) with
/// `html` set to the introduction only. Problems (missing targets, unreachable nodes,
/// leaves without outcome, duplicate ids, no nodes, ambiguous choice lists; cycles as
/// warnings) are returned as diagnostics.
///
/// Rendering problems (a link above the content root, an unclosed `:::`) stay in
/// `Rendered::diagnostics`; the returned list holds the tree's own. Choice links are not in
/// `Rendered::links`: a choice to a missing node is reported here, once.
pub fn parse_tree(
    input: RenderInput<'_>,
    targets: &dyn LinkTargets,
) -> (Tree, Rendered, Vec<Diagnostic>) {
    let Parsed {
        events,
        headings,
        mut rendered,
    } = markdown::parse(input, targets);
    let path = input.source_path;
    let index = LineIndex::new(input.file_text);
    let mut diags = Vec::new();

    for h in headings.iter().filter(|h| h.level == 2 && !h.explicit) {
        diags.push(Diagnostic::warning(
            path,
            h.position,
            format!(
                "`## {}` has no explicit id, so it is not a node of this tree; add `{{#some-id}}` \
                 to make it one, or use `###` for a heading inside a node",
                h.title
            ),
        ));
    }
    let marks: Vec<&HeadingMark> = headings
        .iter()
        .filter(|h| h.level == 2 && h.explicit && h.top_level)
        .collect();
    let intro_end = marks.first().map_or(events.len(), |m| m.events.start);
    rendered.html = markdown::to_html(events.get(..intro_end).unwrap_or(&[]));
    let mut tree = Tree {
        intro_html: rendered.html.clone(),
        nodes: Vec::new(),
    };
    if marks.is_empty() {
        diags.push(Diagnostic::error(
            path,
            index.position(input.body_offset),
            "this troubleshooting tree has no nodes; start each step with a `##` heading that has \
             an explicit id, like `## Is the pod running? {#start}`",
        ));
        return (tree, rendered, diags);
    }

    let mut built: Vec<Built> = Vec::new();
    let mut first_line: HashMap<String, Position> = HashMap::new();
    for (i, mark) in marks.iter().enumerate() {
        let end = marks.get(i + 1).map_or(events.len(), |m| m.events.start);
        let body = events.get(mark.events.end..end).unwrap_or(&[]);
        if let Some(first) = first_line.get(&mark.id) {
            diags.push(Diagnostic::error(
                path,
                mark.position,
                format!(
                    "node id `{}` is already used on line {}; give each node its own id",
                    mark.id, first.line
                ),
            ));
            continue;
        }
        first_line.insert(mark.id.clone(), mark.position);
        let next_section = marks.get(i + 1).and_then(|m| m.section);
        built.push(build_node(
            mark,
            body,
            &rendered,
            next_section,
            &index,
            path,
            &mut diags,
        ));
    }

    graph::check_graph(&built, &index, path, &mut diags);

    // A set: a list of thousands of choices must not make this quadratic.
    let choice_positions: HashSet<Position> = built
        .iter()
        .flat_map(|b| b.choices.iter().map(|c| index.position(c.offset)))
        .collect();
    rendered
        .links
        .retain(|l| !choice_positions.contains(&l.position));
    tree.nodes = built.into_iter().map(|b| b.node).collect();
    (tree, rendered, diags)
}

/// A choice as found, with where its link starts.
struct Candidate {
    label: String,
    to: String,
    offset: usize,
}

/// A node and what the graph checks need.
struct Built {
    node: TreeNode,
    position: Position,
    choices: Vec<Candidate>,
}

fn build_node(
    mark: &HeadingMark,
    body: &[OutEvent],
    rendered: &Rendered,
    next_section: Option<usize>,
    index: &LineIndex<'_>,
    path: &str,
    diags: &mut Vec<Diagnostic>,
) -> Built {
    let list = last_top_level_list(body).map(|range| analyse_list(body, range));
    let (choices, html) = match list {
        Some(list) if !list.choices.is_empty() => {
            if let Some(bad) = &list.ambiguous {
                let what = match bad.links {
                    0 => "this item links to no node".to_owned(),
                    n => format!("this item links to {n} nodes"),
                };
                diags.push(Diagnostic::error(
                    path,
                    index.position(bad.offset),
                    format!(
                        "the last list of node `{}` mixes links to nodes with other items ({what}); \
                         make each item exactly one link to a `#node`, and move other items to \
                         an earlier list or a paragraph",
                        mark.id
                    ),
                ));
            }
            for choice in list.choices.iter().filter(|c| c.label.is_empty()) {
                diags.push(Diagnostic::warning(
                    path,
                    index.position(choice.offset),
                    format!(
                        "this choice of node `{}` has no text (markup such as images or HTML is \
                         not shown on a choice), so readers would see an empty button; write \
                         what the reader answers, e.g. `[Yes, it shows OOMKilled](#{})`",
                        mark.id, choice.to
                    ),
                ));
            }
            let kept: Vec<OutEvent> = body
                .iter()
                .enumerate()
                .filter(|(i, _)| !list.range.contains(i))
                .map(|(_, e)| e.clone())
                .collect();
            (list.choices, markdown::to_html(&kept))
        }
        _ => (Vec::new(), markdown::to_html(body)),
    };

    let has = |class: &str| mark.classes.iter().any(|c| c == class);
    if has("resolved") && has("escalate") {
        diags.push(Diagnostic::error(
            path,
            mark.position,
            format!(
                "node `{}` has both `.resolved` and `.escalate`; a leaf ends one way, so keep one",
                mark.id
            ),
        ));
    }
    let outcome = if mark.classes.iter().any(|c| c == "resolved") {
        Some(Outcome::Resolved)
    } else if mark.classes.iter().any(|c| c == "escalate") {
        Some(Outcome::Escalate)
    } else {
        None
    };
    match (choices.is_empty(), outcome) {
        (true, None) => diags.push(Diagnostic::error(
            path,
            mark.position,
            format!(
                "node `{id}` has no choices and no outcome; end it with a list of links to other \
                 nodes, or mark it as a leaf with `{{#{id} .resolved}}` or `{{#{id} .escalate}}`",
                id = mark.id
            ),
        )),
        (false, Some(outcome)) => diags.push(Diagnostic::error(
            path,
            mark.position,
            format!(
                "node `{}` has choices and also the `.{}` class; only a leaf (a node without \
                 choices) has an outcome, so remove the class or the choice list",
                mark.id,
                outcome.as_str()
            ),
        )),
        _ => {}
    }

    let text = match mark.section {
        Some(first) => {
            let last = next_section.unwrap_or(rendered.sections.len());
            let parts: Vec<&str> = rendered
                .sections
                .get(first..last.max(first))
                .unwrap_or(&[])
                .iter()
                .enumerate()
                .flat_map(|(i, s)| {
                    let heading = if i == 0 { "" } else { s.heading.as_str() };
                    [heading, s.text.as_str()]
                })
                .filter(|s| !s.is_empty())
                .collect();
            parts.join(" ")
        }
        None => String::new(),
    };

    let node = TreeNode {
        id: mark.id.clone(),
        title: mark.title.clone(),
        body_html: html,
        text,
        choices: choices
            .iter()
            .map(|c| Choice {
                label: c.label.clone(),
                to: c.to.clone(),
            })
            .collect(),
        outcome: if choices.is_empty() { outcome } else { None },
    };
    Built {
        node,
        position: mark.position,
        choices,
    }
}

/// The event range of the last list that is not nested in another block.
fn last_top_level_list(body: &[OutEvent]) -> Option<Range<usize>> {
    let mut depth = 0usize;
    let mut start = None;
    let mut last = None;
    for (i, (event, _)) in body.iter().enumerate() {
        match event {
            Event::Start(tag) => {
                if depth == 0 && matches!(tag, Tag::List(_)) {
                    start = Some(i);
                }
                depth += 1;
            }
            Event::End(end) => {
                depth = depth.saturating_sub(1);
                if depth == 0
                    && matches!(end, TagEnd::List(_))
                    && let Some(s) = start.take()
                {
                    last = Some(s..i + 1);
                }
            }
            _ => {}
        }
    }
    last
}

/// A candidate choice list.
struct ListInfo {
    range: Range<usize>,
    choices: Vec<Candidate>,
    /// The first item with no `#node` link, or more than one.
    ambiguous: Option<BadItem>,
}

/// A list item that is not exactly one link to a node.
struct BadItem {
    /// Where the item starts.
    offset: usize,
    /// How many `#node` links it has.
    links: usize,
}

fn analyse_list(body: &[OutEvent], range: Range<usize>) -> ListInfo {
    let events = body.get(range.clone()).unwrap_or(&[]);
    let mut choices = Vec::new();
    let mut ambiguous: Option<BadItem> = None;
    let mut item_offset = 0usize;
    // Per item: the anchor links in it, each with its label.
    let mut depth = 0usize;
    let mut item: Option<Vec<Candidate>> = None;
    let mut label: Option<Candidate> = None;
    for (event, at) in events {
        match event {
            Event::Start(tag) => {
                depth += 1;
                match tag {
                    Tag::Item if depth == 2 => {
                        item = Some(Vec::new());
                        item_offset = *at;
                    }
                    Tag::Link { dest_url, .. } if label.is_none() => {
                        if let Dest::Anchor(to) = links::classify(dest_url) {
                            label = Some(Candidate {
                                label: String::new(),
                                to,
                                offset: *at,
                            });
                        }
                    }
                    _ => {}
                }
            }
            Event::End(end) => {
                depth = depth.saturating_sub(1);
                match end {
                    TagEnd::Link => {
                        if let (Some(mut done), Some(links)) = (label.take(), item.as_mut()) {
                            done.label = normalize_ws(&done.label);
                            links.push(done);
                        }
                    }
                    TagEnd::Item if depth == 1 => {
                        let mut links = item.take().unwrap_or_default();
                        if links.len() != 1 && ambiguous.is_none() {
                            ambiguous = Some(BadItem {
                                offset: item_offset,
                                links: links.len(),
                            });
                        }
                        if !links.is_empty() {
                            choices.push(links.swap_remove(0));
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(l) = label.as_mut() {
                    l.label.push_str(t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(l) = label.as_mut() {
                    l.label.push(' ');
                }
            }
            _ => {}
        }
    }
    ListInfo {
        range,
        choices,
        ambiguous,
    }
}

#[path = "tree_graph.rs"]
mod graph;

#[cfg(test)]
#[path = "tree_tests.rs"]
mod tests;
