//! Walks through a troubleshooting tree: checking that a path a reader (or an API client)
//! sends is one the tree allows, and the shortest path from the start to every node.
//!
//! The web layer never trusts a trail from a URL or a request body: it parses it into a
//! [`Walk`] first, so a view or the store only ever sees node ids that exist and follow each
//! other along choices.

use std::collections::VecDeque;
use std::fmt;

use super::{Outcome, Tree, TreeNode};

/// The longest walk accepted. Trees may have cycles ("start over" links), so walks are not
/// bounded by the tree's size; this keeps URLs, request bodies and stored trails small.
pub const MAX_WALK: usize = 200;

/// A path through a tree that starts at the start node and follows choices; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Walk<'t> {
    steps: Vec<&'t TreeNode>,
}

impl<'t> Walk<'t> {
    /// The nodes from the start to the current one.
    pub fn steps(&self) -> &[&'t TreeNode] {
        &self.steps
    }

    /// The node the walk is at.
    pub fn current(&self) -> &'t TreeNode {
        // `Tree::walk` refuses empty paths, so there is always a last step.
        self.steps[self.steps.len() - 1]
    }

    /// The nodes before the current one.
    pub fn before(&self) -> &[&'t TreeNode] {
        &self.steps[..self.steps.len() - 1]
    }

    /// The node ids, start first, as stored with an outcome.
    pub fn ids(&self) -> Vec<String> {
        self.steps.iter().map(|n| n.id.clone()).collect()
    }

    /// How the walk ends, when it is at a leaf.
    pub fn outcome(&self) -> Option<Outcome> {
        self.current().outcome
    }
}

/// Why a path is not a walk of the tree. Each message is a sentence for the reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalkError {
    /// The tree has no nodes (its file has errors).
    NoNodes,
    /// The path is empty.
    Empty,
    /// The path is longer than [`MAX_WALK`].
    TooLong,
    /// A step names no node of the tree.
    UnknownNode {
        /// The id as sent.
        id: String,
    },
    /// The path does not begin at the start node.
    NotAtStart {
        /// The first id sent.
        first: String,
        /// The tree's start node.
        start: String,
    },
    /// A step is not one of the choices of the step before it.
    NotAChoice {
        /// The earlier node.
        from: String,
        /// The id that followed it.
        to: String,
    },
}

impl fmt::Display for WalkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WalkError::NoNodes => f.write_str(
                "this troubleshooting tree has no steps yet; its authors need to fix its file",
            ),
            WalkError::Empty => f.write_str("the path is empty; it must begin at the start node"),
            WalkError::TooLong => write!(
                f,
                "the path is longer than {MAX_WALK} steps; start over from the beginning"
            ),
            WalkError::UnknownNode { id } => {
                write!(f, "this tree has no step with the id “{id}”")
            }
            WalkError::NotAtStart { first, start } => write!(
                f,
                "the path begins at “{first}”, but walks begin at the start step “{start}”"
            ),
            WalkError::NotAChoice { from, to } => write!(
                f,
                "“{to}” is not one of the answers to step “{from}”, so this is not a path through the tree"
            ),
        }
    }
}

impl std::error::Error for WalkError {}

impl Tree {
    /// Checks that `path` starts at the start node and that each step is a choice of the one
    /// before it, and returns the nodes it visits.
    pub fn walk<S: AsRef<str>>(&self, path: &[S]) -> Result<Walk<'_>, WalkError> {
        let start = self.nodes.first().ok_or(WalkError::NoNodes)?;
        if path.is_empty() {
            return Err(WalkError::Empty);
        }
        if path.len() > MAX_WALK {
            return Err(WalkError::TooLong);
        }
        let mut steps: Vec<&TreeNode> = Vec::with_capacity(path.len());
        for id in path {
            let id = id.as_ref();
            let node = self
                .node(id)
                .ok_or_else(|| WalkError::UnknownNode { id: shorten(id) })?;
            match steps.last() {
                None if node.id != start.id => {
                    return Err(WalkError::NotAtStart {
                        first: node.id.clone(),
                        start: start.id.clone(),
                    });
                }
                Some(prev) if !prev.choices.iter().any(|c| c.to == node.id) => {
                    return Err(WalkError::NotAChoice {
                        from: prev.id.clone(),
                        to: node.id.clone(),
                    });
                }
                _ => {}
            }
            steps.push(node);
        }
        Ok(Walk { steps })
    }

    /// For each node (in file order), the shortest walk from the start that reaches it, as
    /// node indexes, or `None` when no walk does. Ties go to the earlier choice, so the
    /// result is the same on every call.
    pub fn shortest_walks(&self) -> Vec<Option<Vec<usize>>> {
        let parents = self.bfs_parents();
        (0..self.nodes.len())
            .map(|i| {
                let mut path = vec![i];
                let mut at = i;
                loop {
                    match parents.get(at).copied().flatten() {
                        Some(Parent::Start) => break,
                        Some(Parent::Node(p)) => {
                            path.push(p);
                            at = p;
                        }
                        None => return None,
                    }
                }
                path.reverse();
                Some(path)
            })
            .collect()
    }

    /// Breadth-first depth of every node from the start (`None`: unreachable).
    pub fn depths(&self) -> Vec<Option<usize>> {
        self.shortest_walks()
            .into_iter()
            .map(|w| w.map(|w| w.len() - 1))
            .collect()
    }

    /// Node indexes a node's choices lead to, skipping choices to missing nodes.
    pub fn edges(&self, index: usize) -> Vec<usize> {
        self.nodes.get(index).map_or_else(Vec::new, |n| {
            n.choices
                .iter()
                .filter_map(|c| self.nodes.iter().position(|m| m.id == c.to))
                .collect()
        })
    }

    fn bfs_parents(&self) -> Vec<Option<Parent>> {
        let mut parents: Vec<Option<Parent>> = vec![None; self.nodes.len()];
        if parents.is_empty() {
            return parents;
        }
        parents[0] = Some(Parent::Start);
        let mut queue = VecDeque::from([0usize]);
        while let Some(n) = queue.pop_front() {
            for to in self.edges(n) {
                if let Some(slot) = parents.get_mut(to).filter(|p| p.is_none()) {
                    *slot = Some(Parent::Node(n));
                    queue.push_back(to);
                }
            }
        }
        parents
    }
}

/// How breadth-first search reached a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Parent {
    Start,
    Node(usize),
}

/// An id from a request, cut short for error messages (it may be anything a client sent).
fn shorten(id: &str) -> String {
    const MAX: usize = 60;
    if id.chars().count() <= MAX {
        id.to_owned()
    } else {
        let mut s: String = id.chars().take(MAX).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn node(id: &str, to: &[&str], outcome: Option<Outcome>) -> TreeNode {
        TreeNode::sample(id, &id.to_uppercase(), to, outcome)
    }

    /// start → {a, b}; a → {done, start}; b → {ask}; plus an unreachable `lost`.
    fn tree() -> Tree {
        Tree {
            intro_html: String::new(),
            nodes: vec![
                node("start", &["a", "b"], None),
                node("a", &["done", "start"], None),
                node("b", &["ask"], None),
                node("done", &[], Some(Outcome::Resolved)),
                node("ask", &[], Some(Outcome::Escalate)),
                node("lost", &[], Some(Outcome::Resolved)),
            ],
        }
    }

    #[test]
    fn a_real_walk_validates_and_knows_its_outcome() {
        let t = tree();
        let w = t.walk(&["start", "a", "start", "b", "ask"]).expect("valid");
        assert_eq!(w.current().id, "ask");
        assert_eq!(w.outcome(), Some(Outcome::Escalate));
        assert_eq!(w.before().len(), 4);
        assert_eq!(w.ids(), ["start", "a", "start", "b", "ask"]);
        assert_eq!(w.steps().len(), 5);
        assert!(t.walk(&["start"]).expect("start").outcome().is_none());
    }

    #[test]
    fn each_kind_of_bad_path_has_its_own_sentence() {
        let t = tree();
        let err = |p: &[&str]| t.walk(p).expect_err("invalid");
        assert_eq!(err(&[]), WalkError::Empty);
        assert_eq!(
            err(&["a", "done"]),
            WalkError::NotAtStart {
                first: "a".into(),
                start: "start".into()
            }
        );
        assert_eq!(
            err(&["start", "done"]),
            WalkError::NotAChoice {
                from: "start".into(),
                to: "done".into()
            }
        );
        assert_eq!(
            err(&["start", "nope"]),
            WalkError::UnknownNode { id: "nope".into() }
        );
        let long = vec!["start"; MAX_WALK + 1];
        assert_eq!(err(&long), WalkError::TooLong);
        assert_eq!(
            Tree::default().walk(&["start"]).expect_err("no nodes"),
            WalkError::NoNodes
        );
        assert!(
            err(&["start", "done"])
                .to_string()
                .contains("not one of the answers")
        );
        let huge = "x".repeat(1000);
        assert!(err(&[huge.as_str()]).to_string().len() < 200);
    }

    #[test]
    fn shortest_walks_and_depths_follow_breadth_first_order() {
        let t = tree();
        let walks = t.shortest_walks();
        assert_eq!(walks[0], Some(vec![0]));
        assert_eq!(walks[3], Some(vec![0, 1, 3]));
        assert_eq!(walks[4], Some(vec![0, 2, 4]));
        assert_eq!(walks[5], None, "unreachable");
        assert_eq!(
            t.depths(),
            [Some(0), Some(1), Some(1), Some(2), Some(2), None]
        );
        assert!(Tree::default().shortest_walks().is_empty());
    }

    proptest! {
        /// Whatever a client sends, validation answers without panicking.
        #[test]
        fn validation_never_panics(path in proptest::collection::vec("[a-z]{0,6}|start|a|b|done|ask", 0..12)) {
            let _ = tree().walk(&path);
        }

        /// Following choices (by index, wrapped around) from the start always gives a valid
        /// walk, and the walk ends where the choices led.
        #[test]
        fn every_generated_real_walk_validates(picks in proptest::collection::vec(0usize..8, 0..30)) {
            let t = tree();
            let mut path = vec!["start".to_owned()];
            for pick in picks {
                let Some(current) = path.last().and_then(|id| t.node(id)) else { break };
                if current.choices.is_empty() {
                    break;
                }
                let choice = &current.choices[pick % current.choices.len()];
                path.push(choice.to.clone());
            }
            let walk = t.walk(&path).expect("a real walk validates");
            prop_assert_eq!(walk.ids(), path);
        }
    }
}
