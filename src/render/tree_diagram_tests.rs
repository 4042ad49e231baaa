//! Tests of the tree diagram: layering, ordering, merged and back edges, wrapping, SVG.

use super::*;
use crate::model::{Outcome, TreeNode};
use crate::records::TreeStats;

fn node(id: &str, title: &str, to: &[&str], outcome: Option<Outcome>) -> TreeNode {
    TreeNode::sample(id, title, to, outcome)
}

/// start → a, b; a → done, start (back); b → done; `lost` unreachable.
fn tree() -> Tree {
    Tree {
        intro_html: String::new(),
        nodes: vec![
            node("start", "Is it on?", &["a", "b"], None),
            node("a", "A", &["done", "start", "done"], None),
            node("b", "B", &["done"], None),
            node("done", "Done", &[], Some(Outcome::Resolved)),
            node("lost", "Lost", &[], Some(Outcome::Escalate)),
        ],
    }
}

#[test]
fn layers_are_breadth_first_depths_and_unreachable_nodes_go_last() {
    let l = layout(&tree(), false);
    let layers: Vec<usize> = l.nodes.iter().map(|p| p.layer).collect();
    assert_eq!(layers, [0, 1, 1, 2, 3]);
    // Layers stack downwards and never overlap.
    for p in &l.nodes {
        for q in &l.nodes {
            if p.layer < q.layer {
                assert!(p.y + p.h < q.y, "{p:?} above {q:?}");
            }
            if p.layer == q.layer && p.node < q.node {
                assert!(p.x + BOX_W <= q.x || q.x + BOX_W <= p.x, "no overlap");
            }
        }
        assert!(p.x >= 0 && p.x + BOX_W <= l.width);
        assert!(p.y + p.h <= l.height);
    }
}

#[test]
fn parallel_choices_merge_and_upward_ones_route_up() {
    let l = layout(&tree(), false);
    let a_done = l.edges.iter().find(|e| (e.from, e.to) == (1, 3));
    assert_eq!(
        a_done.map(|e| e.labels.len()),
        Some(2),
        "two choices, one arrow"
    );
    let back: Vec<(usize, usize)> = l
        .edges
        .iter()
        .filter(|e| e.route == Route::Up)
        .map(|e| (e.from, e.to))
        .collect();
    assert_eq!(back, [(1, 0)]);
    assert_eq!(l.edges.len(), 5);
}

#[test]
fn children_sit_under_their_parents() {
    // start → x, y; x → x1; y → y1: x1 must be left of y1 like their parents.
    let t = Tree {
        intro_html: String::new(),
        nodes: vec![
            node("start", "S", &["x", "y"], None),
            node("y1", "Y1", &[], Some(Outcome::Resolved)),
            node("x1", "X1", &[], Some(Outcome::Resolved)),
            node("x", "X", &["x1"], None),
            node("y", "Y", &["y1"], None),
        ],
    };
    let l = layout(&t, false);
    assert!(l.nodes[3].x < l.nodes[4].x, "x left of y");
    assert!(
        l.nodes[2].x < l.nodes[1].x,
        "x1 left of y1 despite file order"
    );
}

#[test]
fn counts_make_boxes_taller_and_an_empty_tree_is_empty() {
    let plain = layout(&tree(), false);
    let counted = layout(&tree(), true);
    assert_eq!(counted.nodes[0].h, plain.nodes[0].h + LINE_H);
    let empty = layout(&Tree::default(), false);
    assert!(empty.nodes.is_empty() && empty.edges.is_empty());
}

#[test]
fn wrapping_breaks_at_words_cuts_long_words_and_ellipsises() {
    assert_eq!(wrap("one two three", 7, 4), ["one two", "three"]);
    assert_eq!(wrap("abcdefghij", 4, 4), ["abcd", "efgh", "ij"]);
    assert_eq!(wrap("a b c d e f", 2, 2), ["a", "b…"]);
    assert_eq!(wrap("aa bb cc dd", 5, 1), ["aa b…"]);
    assert_eq!(wrap("", 5, 2), [""]);
    assert_eq!(wrap("héllo wörld", 5, 2), ["héllo", "wörld"]);
}

#[test]
fn the_svg_links_every_reachable_node_and_shows_counts() {
    let t = tree();
    let l = layout(&t, true);
    let hrefs: Vec<Option<String>> = (0..t.nodes.len())
        .map(|i| (i < 4).then(|| format!("/step/{i}")))
        .collect();
    let mut stats = TreeStats::default();
    stats.nodes.insert(
        "done".into(),
        crate::records::NodeStats {
            passed_through: 7,
            stopped_at: 5,
        },
    );
    let html = svg(DiagramInput {
        tree: &t,
        layout: &l,
        hrefs: &hrefs,
        stats: Some(&stats),
        title: "T <diagram>",
    })
    .into_string();
    for id in ["start", "a", "b", "done", "lost"] {
        assert!(html.contains(&format!("data-node=\"{id}\"")), "{id}");
    }
    assert!(html.contains("href=\"/step/3\""));
    assert!(!html.contains("/step/4"));
    assert!(html.contains("7 through · 5 ended"));
    assert!(html.contains("tree-box-resolved") && html.contains("tree-edge-back"));
    assert!(html.contains("T &lt;diagram&gt;"), "escaped");
}

#[test]
fn a_choice_within_a_layer_routes_across_under_the_row() {
    // start → a, b; a → b (sideways).
    let t = Tree {
        intro_html: String::new(),
        nodes: vec![
            node("start", "S", &["a", "b"], None),
            node("a", "A", &["b"], None),
            node("b", "B", &[], Some(Outcome::Resolved)),
        ],
    };
    let l = layout(&t, false);
    let across = l
        .edges
        .iter()
        .find(|e| (e.from, e.to) == (1, 2))
        .expect("edge");
    assert_eq!(across.route, Route::Across);
    let bottom = l.nodes[1].y + l.nodes[1].h;
    assert!(
        across
            .points
            .iter()
            .skip(1)
            .take(2)
            .all(|&(_, y)| y > bottom)
    );
    assert_no_edge_crosses_a_box(&l);
}

/// Boxes and label texts inside the canvas, and no downward edge running through its own
/// label (the labels used to sit centred on their curve, and the canvas ended at the last
/// box, cutting off the labels right of it).
fn assert_inside_and_labels_beside_their_edges(l: &Layout) {
    for p in &l.nodes {
        assert!(p.x >= 0 && p.y >= 0, "{p:?}");
        assert!(
            p.x + BOX_W <= l.width && p.y + p.h <= l.height,
            "{p:?} outside {}×{}",
            l.width,
            l.height
        );
    }
    for e in &l.edges {
        let (left, top, right, bottom) = label_box(&e.label);
        assert!(left >= 0 && top >= 0, "label {:?} outside", e.label);
        assert!(
            right <= l.width && bottom <= l.height,
            "label {:?} outside {}×{}",
            e.label,
            l.width,
            l.height
        );
        if e.route == Route::Down {
            let (a, b) = (e.points[0], e.points[1]);
            for (x, y) in down_curve(a, b) {
                let inside = x >= left && x <= right && y >= top && y <= bottom;
                assert!(
                    !inside,
                    "edge {}→{} runs through its label at ({x},{y})",
                    e.from, e.to
                );
            }
        }
    }
}

#[test]
fn labels_sit_beside_their_edges_and_everything_fits() {
    // A fan-out whose rightmost child has a long answer, a straight edge and a back edge.
    let mut start = node(
        "start",
        "Which symptom do you see first?",
        &["a", "b", "c"],
        None,
    );
    for (choice, label) in start.choices.iter_mut().zip([
        "Only after the last deploy went out",
        "The pod restarts every few minutes",
        "It never starts at all, not even once",
    ]) {
        choice.label = label.to_owned();
    }
    let t = Tree {
        intro_html: String::new(),
        nodes: vec![
            start,
            node("a", "A", &["done"], None),
            node("b", "B", &["start"], None),
            node("c", "C", &[], Some(Outcome::Escalate)),
            node("done", "Done", &[], Some(Outcome::Resolved)),
        ],
    };
    for counts in [false, true] {
        assert_inside_and_labels_beside_their_edges(&layout(&t, counts));
    }
    assert_inside_and_labels_beside_their_edges(&layout(&tree(), false));
}

/// True when the axis-aligned segment `p`–`q` passes through the inside of the box.
fn crosses(p: (i32, i32), q: (i32, i32), b: &Placed) -> bool {
    let (x0, x1) = (p.0.min(q.0), p.0.max(q.0));
    let (y0, y1) = (p.1.min(q.1), p.1.max(q.1));
    x1 > b.x && x0 < b.x + BOX_W && y1 > b.y && y0 < b.y + b.h
}

fn assert_no_edge_crosses_a_box(l: &Layout) {
    for e in l.edges.iter().filter(|e| e.route != Route::Down) {
        for pair in e.points.windows(2) {
            for b in &l.nodes {
                assert!(
                    !crosses(pair[0], pair[1], b),
                    "edge {}→{} segment {:?} crosses box {}",
                    e.from,
                    e.to,
                    pair,
                    b.node
                );
            }
        }
    }
}

proptest::proptest! {
    /// Whatever the tree's shape (cycles, shared steps, self-loops, unreachable nodes), boxes
    /// never overlap, everything fits in the canvas, and no right-angled edge crosses a box.
    #[test]
    fn any_tree_lays_out_without_overlaps(
        choices in proptest::collection::vec(proptest::collection::vec(0usize..10, 0..4), 1..10)
    ) {
        let n = choices.len();
        let ids: Vec<String> = (0..n).map(|i| format!("n{i}")).collect();
        let nodes = choices
            .iter()
            .enumerate()
            .map(|(i, to)| {
                let to: Vec<&str> = to.iter().map(|t| ids[t % n].as_str()).collect();
                let outcome = to.is_empty().then_some(Outcome::Resolved);
                node(&ids[i], "A title long enough to wrap onto a second line", &to, outcome)
            })
            .collect();
        let t = Tree { intro_html: String::new(), nodes };
        let l = layout(&t, true);
        proptest::prop_assert_eq!(l.nodes.len(), n);
        for (i, p) in l.nodes.iter().enumerate() {
            proptest::prop_assert!(p.x >= 0 && p.x + BOX_W <= l.width && p.y >= 0 && p.y + p.h <= l.height);
            for q in &l.nodes[i + 1..] {
                let apart = p.x + BOX_W <= q.x || q.x + BOX_W <= p.x || p.y + p.h <= q.y || q.y + q.h <= p.y;
                proptest::prop_assert!(apart, "{:?} overlaps {:?}", p, q);
            }
        }
        for e in &l.edges {
            for &(x, y) in &e.points {
                proptest::prop_assert!(x >= 0 && x <= l.width && y >= 0 && y <= l.height);
            }
            proptest::prop_assert!(e.label.y <= l.height);
        }
        assert_no_edge_crosses_a_box(&l);
        assert_inside_and_labels_beside_their_edges(&l);
    }
}
