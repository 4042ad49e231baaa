//! The graph checks of a troubleshooting tree, once its nodes are built: choices to missing
//! nodes and unreachable nodes (errors), nodes no walk can end from and cycles (warnings).

use std::collections::{HashMap, VecDeque};

use super::{Built, Candidate};
use crate::model::diagnostic::{Diagnostic, LineIndex};

/// Missing targets, unreachable nodes (errors) and cycles (warnings).
pub(super) fn check_graph(
    nodes: &[Built],
    index: &LineIndex<'_>,
    path: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let by_id: HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, b)| (b.node.id.as_str(), i))
        .collect();
    for b in nodes {
        for c in &b.choices {
            if !by_id.contains_key(c.to.as_str()) {
                diags.push(Diagnostic::error(
                    path,
                    index.position(c.offset),
                    format!(
                        "choice `{}` points at `#{}`, but no node has that id; add a `## … {{#{}}}` \
                         node or fix the link",
                        c.label, c.to, c.to
                    ),
                ));
            }
        }
    }
    // Per node, the choices whose target exists and that target's index.
    let resolved: Vec<Vec<(&Candidate, usize)>> = nodes
        .iter()
        .map(|b| {
            b.choices
                .iter()
                .filter_map(|c| by_id.get(c.to.as_str()).map(|&to| (c, to)))
                .collect()
        })
        .collect();
    let edges: Vec<Vec<usize>> = resolved
        .iter()
        .map(|out| out.iter().map(|&(_, to)| to).collect())
        .collect();

    let mut reached = vec![false; nodes.len()];
    let mut queue = VecDeque::from([0usize]);
    if let Some(r) = reached.get_mut(0) {
        *r = true;
    }
    while let Some(n) = queue.pop_front() {
        for &to in edges.get(n).map_or(&[][..], Vec::as_slice) {
            if let Some(r) = reached.get_mut(to).filter(|r| !**r) {
                *r = true;
                queue.push_back(to);
            }
        }
    }
    let start = nodes.first().map_or("", |b| b.node.id.as_str());
    for (b, reached) in nodes.iter().zip(&reached) {
        if !reached {
            diags.push(Diagnostic::error(
                path,
                b.position,
                format!(
                    "node `{}` cannot be reached from the start node `{start}`; link to it from a \
                     choice list or remove it",
                    b.node.id
                ),
            ));
        }
    }

    check_endings(nodes, &edges, &reached, path, diags);

    // Iterative depth-first search from the start: an edge to a node still on the stack
    // closes a cycle.
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        Open,
        Done,
    }
    let mut state = vec![State::New; nodes.len()];
    let mut stack: Vec<(usize, usize)> = vec![(0, 0)];
    if let Some(s) = state.get_mut(0) {
        *s = State::Open;
    }
    while let Some(&mut (n, ref mut next)) = stack.last_mut() {
        let Some(&to) = edges.get(n).and_then(|e| e.get(*next)) else {
            if let Some(s) = state.get_mut(n) {
                *s = State::Done;
            }
            stack.pop();
            continue;
        };
        let choice = *next;
        *next += 1;
        match state.get(to) {
            Some(State::New) => {
                if let Some(s) = state.get_mut(to) {
                    *s = State::Open;
                }
                stack.push((to, 0));
            }
            Some(State::Open) => {
                let Some(&(c, _)) = resolved.get(n).and_then(|out| out.get(choice)) else {
                    continue;
                };
                diags.push(Diagnostic::warning(
                    path,
                    index.position(c.offset),
                    format!(
                        "choice `{}` leads back to `#{}`, an earlier step, so the tree has a cycle; \
                         that is fine for a \"start over\" link, but make sure every path can end",
                        c.label, c.to
                    ),
                ));
            }
            _ => {}
        }
    }
}

/// Warns about reachable nodes from which no walk ends: every answer leads back into a loop,
/// so a reader can go round forever. (A choice to a missing node is already an error, so a
/// node with one is not reported again.)
fn check_endings(
    nodes: &[Built],
    edges: &[Vec<usize>],
    reached: &[bool],
    path: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let complete: Vec<bool> = nodes
        .iter()
        .zip(edges)
        .map(|(b, e)| b.choices.len() == e.len())
        .collect();
    // Backwards from the leaves: a node can end when one of its choices leads to one that can.
    // A worklist over reversed edges visits each edge once (a long chain must stay linear).
    let mut can_end: Vec<bool> = nodes
        .iter()
        .zip(&complete)
        .map(|(b, complete)| b.choices.is_empty() || !complete)
        .collect();
    let mut into: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (from, out) in edges.iter().enumerate() {
        for &to in out {
            if let Some(list) = into.get_mut(to) {
                list.push(from);
            }
        }
    }
    let mut work: Vec<usize> = (0..nodes.len()).filter(|&i| can_end[i]).collect();
    while let Some(n) = work.pop() {
        for &from in into.get(n).map_or(&[][..], Vec::as_slice) {
            if let Some(flag) = can_end.get_mut(from).filter(|f| !**f) {
                *flag = true;
                work.push(from);
            }
        }
    }
    for ((b, &reached), &can_end) in nodes.iter().zip(reached).zip(&can_end) {
        if reached && !can_end {
            diags.push(Diagnostic::warning(
                path,
                b.position,
                format!(
                    "no walk from node `{}` reaches an outcome: every answer leads back into a \
                     loop, so readers can never finish; add a choice that leads to a `.resolved` \
                     or `.escalate` step",
                    b.node.id
                ),
            ));
        }
    }
}
