//! The diagram of a whole troubleshooting tree: a layered layout computed here (no client-side
//! graph library, no CDN) and drawn as inline SVG.
//!
//! Layout: each node's layer is its breadth-first depth from the start, so a reader's first
//! answers are at the top. Within a layer, nodes sit in the order of the mean position of the
//! nodes above that lead to them (one barycentre pass, enough to untangle the fan-outs trees
//! have), ties kept in discovery order. Unreachable nodes (a file with errors) get a last layer.
//!
//! Edges: a choice to the next layer is a curved arrow, its label beside the curve on the side
//! it bends towards (never on the line) and staggered on two rows so the labels of neighbouring
//! answers do not overlap. The canvas is as wide as the boxes and the label texts need. Choices back up ("start over") and sideways
//! (two questions sharing a step) are dashed, drawn at right angles through the gaps between
//! rows and, going up, in a lane of their own right of every box, so they never cross a box.
//! The SVG itself is drawn by [`svg`].

use std::collections::BTreeMap;

use crate::model::Tree;

#[path = "tree_diagram_svg.rs"]
mod draw;

pub use draw::{DiagramInput, svg};

/// Width of a node box.
pub const BOX_W: i32 = 184;
const H_GAP: i32 = 36;
/// Room between rows: a sideways edge's U near the top, two staggered rows of labels below.
const V_GAP: i32 = 120;
const MARGIN: i32 = 16;
/// Above the first row, room for an upward edge's last turn into the start node.
const TOP: i32 = 30;
const PAD: i32 = 10;
const LINE_H: i32 = 17;
/// Line height of edge labels (11px text).
const LABEL_LINE_H: i32 = 13;
/// Characters of a title per line inside a box (13px system font).
const TITLE_CHARS: usize = 23;
const TITLE_LINES: usize = 4;
/// Characters of an edge label per line; two lines at most.
const LABEL_CHARS: usize = 20;
/// Widest character of an edge label (11px text), for the label's extent.
const LABEL_CHAR_W: i32 = 7;
/// Height of an edge label's text above its baseline.
const LABEL_ASCENT: i32 = 10;
/// Gap between a downward edge and its label.
const LABEL_OFFSET: i32 = 6;
/// Distance between the vertical lanes of upward edges.
const LANE_GAP: i32 = 12;
/// Room reserved right of the lanes for upward edges' labels.
const UP_LABEL_W: i32 = 130;

/// A node's place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    /// Index into `Tree::nodes`.
    pub node: usize,
    /// Layer (breadth-first depth; unreachable nodes get one past the deepest).
    pub layer: usize,
    /// Top-left corner.
    pub x: i32,
    /// Top-left corner.
    pub y: i32,
    /// Box height (the width is [`BOX_W`]).
    pub h: i32,
    /// The title, wrapped.
    pub lines: Vec<String>,
}

/// How an edge runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// To the next layer: a curve from the bottom of one box to the top of the other.
    Down,
    /// To the same or an earlier layer (a cycle): down into the gap, right to a lane, up,
    /// and into the top of the target.
    Up,
    /// To another node of the same layer: a U through the gap under the row.
    Across,
}

/// Where an edge's label goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Anchor point of the first line's baseline.
    pub x: i32,
    /// Anchor point of the first line's baseline.
    pub y: i32,
    /// `start`, `middle` or `end` (SVG `text-anchor`).
    pub anchor: &'static str,
    /// The wrapped text.
    pub lines: Vec<String>,
}

/// One arrow: every choice from one node to another, merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// Index into `Tree::nodes`.
    pub from: usize,
    /// Index into `Tree::nodes`.
    pub to: usize,
    /// The choice labels, in order (two choices may lead to the same node).
    pub labels: Vec<String>,
    /// How it runs.
    pub route: Route,
    /// For [`Route::Down`] the two ends (drawn as a curve); otherwise the corners of the
    /// right-angled path, ends included.
    pub points: Vec<(i32, i32)>,
    /// The label.
    pub label: Label,
}

/// The computed diagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// One entry per node, in `Tree::nodes` order.
    pub nodes: Vec<Placed>,
    /// Arrows, in file order of their first choice.
    pub edges: Vec<Edge>,
    /// Total width.
    pub width: i32,
    /// Total height.
    pub height: i32,
}

/// Lays a tree out. `counts` reserves a line in each box for per-node counts.
pub fn layout(tree: &Tree, counts: bool) -> Layout {
    let n = tree.nodes.len();
    let depths = tree.depths();
    let deepest = depths.iter().flatten().copied().max().unwrap_or(0);
    let layer_of: Vec<usize> = depths.iter().map(|d| d.unwrap_or(deepest + 1)).collect();
    let layer_count = layer_of.iter().copied().max().map_or(0, |m| m + 1);
    let out: Vec<Vec<usize>> = (0..n).map(|i| tree.edges(i)).collect();

    // Order layers top-down; `pos[i]` is node i's index within its layer once placed.
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); layer_count];
    let mut pos = vec![0usize; n];
    for (l, layer) in layers.iter_mut().enumerate() {
        let mut members: Vec<(f64, usize)> = (0..n)
            .filter(|&i| layer_of[i] == l)
            .map(|i| {
                let above: Vec<usize> = (0..n)
                    .filter(|&p| l > 0 && layer_of[p] == l - 1 && out[p].contains(&i))
                    .map(|p| pos[p])
                    .collect();
                let bary = if above.is_empty() {
                    f64::MAX
                } else {
                    above.iter().sum::<usize>() as f64 / above.len() as f64
                };
                (bary, i)
            })
            .collect();
        // Stable sort: equal barycentres keep file order.
        members.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (k, &(_, i)) in members.iter().enumerate() {
            pos[i] = k;
        }
        *layer = members.into_iter().map(|(_, i)| i).collect();
    }

    let extra = i32::from(counts);
    let wrapped: Vec<Vec<String>> = tree
        .nodes
        .iter()
        .map(|node| wrap(&node.title, TITLE_CHARS, TITLE_LINES))
        .collect();
    let box_h = |i: usize| {
        // Title lines, plus the `#id` line, plus the counts line.
        let lines = i32::try_from(wrapped[i].len()).unwrap_or(1) + 1 + extra;
        2 * PAD + lines * LINE_H
    };
    let widest = layers.iter().map(Vec::len).max().unwrap_or(0);
    let inner_w = (i32::try_from(widest).unwrap_or(0) * (BOX_W + H_GAP) - H_GAP).max(0);
    let mut placed: Vec<Option<Placed>> = vec![None; n];
    let mut rows: Vec<(i32, i32)> = Vec::with_capacity(layer_count);
    let mut y = TOP;
    for (l, layer) in layers.iter().enumerate() {
        let row_w = i32::try_from(layer.len()).unwrap_or(0) * (BOX_W + H_GAP) - H_GAP;
        let left = MARGIN + (inner_w - row_w) / 2;
        let row_h = layer.iter().map(|&i| box_h(i)).max().unwrap_or(0);
        for (k, &i) in layer.iter().enumerate() {
            placed[i] = Some(Placed {
                node: i,
                layer: l,
                x: left + i32::try_from(k).unwrap_or(0) * (BOX_W + H_GAP),
                y,
                h: box_h(i),
                lines: wrapped[i].clone(),
            });
        }
        rows.push((y, y + row_h));
        y += row_h + V_GAP;
    }
    let nodes: Vec<Placed> = placed.into_iter().flatten().collect();
    let lanes_from = MARGIN + inner_w + 16;
    let geometry = Geometry {
        nodes: &nodes,
        rows: &rows,
        pos: &pos,
        lanes_from,
    };
    let mut edges = route_edges(tree, &geometry);
    let mut nodes = nodes;
    // A label left of a curve into the leftmost column may start left of the canvas: move
    // everything right by as much.
    let leftmost = edges
        .iter()
        .map(|e| label_box(&e.label).0)
        .min()
        .unwrap_or(MARGIN);
    let shift = (MARGIN - leftmost).max(0);
    if shift > 0 {
        for p in &mut nodes {
            p.x += shift;
        }
        for e in &mut edges {
            e.label.x += shift;
            for point in &mut e.points {
                point.0 += shift;
            }
        }
    }
    let lanes = edges.iter().filter(|e| e.route == Route::Up).count();
    let lanes = i32::try_from(lanes).unwrap_or(0);
    let lanes_end = shift
        + if lanes == 0 {
            2 * MARGIN + inner_w
        } else {
            lanes_from + lanes * LANE_GAP + UP_LABEL_W + MARGIN
        };
    // Every box and every label inside the canvas, however long the labels right of the
    // rightmost boxes run.
    let rightmost = edges
        .iter()
        .map(|e| label_box(&e.label).2)
        .chain(nodes.iter().map(|p| p.x + BOX_W))
        .max()
        .unwrap_or(0);
    let width = lanes_end.max(rightmost + MARGIN);
    let lowest_label = edges
        .iter()
        .map(|e| e.label.y + LABEL_LINE_H * i32::try_from(e.label.lines.len()).unwrap_or(1))
        .max()
        .unwrap_or(0);
    let height = rows.last().map_or(2 * MARGIN, |&(_, bottom)| {
        // Edges leaving the last row dip below it.
        (bottom + 48).max(lowest_label + MARGIN)
    });
    Layout {
        nodes,
        edges,
        width,
        height,
    }
}

/// What edge routing needs to know about the placed boxes.
struct Geometry<'a> {
    /// Placed nodes, in `Tree::nodes` order.
    nodes: &'a [Placed],
    /// Top and bottom of each row.
    rows: &'a [(i32, i32)],
    /// Each node's index within its layer.
    pos: &'a [usize],
    /// The x of the first lane for upward edges.
    lanes_from: i32,
}

/// Merges the choices between each pair of nodes into one edge and routes it.
fn route_edges(tree: &Tree, g: &Geometry<'_>) -> Vec<Edge> {
    let mut merged: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut pairs: Vec<(usize, usize, Vec<String>)> = Vec::new();
    for (from, node) in tree.nodes.iter().enumerate() {
        for choice in &node.choices {
            let Some(to) = tree.nodes.iter().position(|m| m.id == choice.to) else {
                continue;
            };
            match merged.get(&(from, to)) {
                Some(&e) => pairs[e].2.push(choice.label.clone()),
                None => {
                    merged.insert((from, to), pairs.len());
                    pairs.push((from, to, vec![choice.label.clone()]));
                }
            }
        }
    }
    let (mut lane, mut across) = (0i32, 0i32);
    let mut edges: Vec<Edge> = Vec::new();
    for (from, to, labels) in pairs {
        let (Some(a), Some(b)) = (g.nodes.get(from), g.nodes.get(to)) else {
            continue;
        };
        let lines = label_lines(&labels);
        let (a_bottom, b_top) = (a.y + a.h, b.y);
        let row_bottom = |p: &Placed| g.rows.get(p.layer).map_or(p.y + p.h, |r| r.1);
        let (route, points, label) = if b.layer == a.layer + 1 {
            let (x1, x2) = (a.x + BOX_W / 2, b.x + BOX_W / 2);
            let mid = (a_bottom + b_top) / 2;
            // Neighbouring targets alternate label rows, so neighbouring labels never meet.
            let y = if g.pos.get(to).copied().unwrap_or(0) % 2 == 0 {
                mid - 10
            } else {
                mid + 22
            };
            // Beside the curve, not on it, on the side it bends towards (so a fan-out's
            // labels sit outside its fan): clear of wherever the curve runs across the
            // label's height.
            let height = LABEL_LINE_H * i32::try_from(lines.len()).unwrap_or(1);
            let (top, bottom) = (y - LABEL_ASCENT, y + height - LABEL_ASCENT);
            let across: Vec<i32> = down_curve((x1, a_bottom), (x2, b_top))
                .filter(|&(_, cy)| cy >= top - 2 && cy <= bottom + 2)
                .map(|(cx, _)| cx)
                .collect();
            let middle = (x1 + x2) / 2;
            let label = if x2 < x1 {
                Label {
                    x: across.iter().copied().min().unwrap_or(middle) - LABEL_OFFSET,
                    y,
                    anchor: "end",
                    lines,
                }
            } else {
                Label {
                    x: across.iter().copied().max().unwrap_or(middle) + LABEL_OFFSET,
                    y,
                    anchor: "start",
                    lines,
                }
            };
            (Route::Down, vec![(x1, a_bottom), (x2, b_top)], label)
        } else if b.layer == a.layer && from != to {
            // Gap layout under a row: sideways dips (+8…+18, label below them), then upward
            // runs (+34…+40), then the two rows of downward labels (from about +40).
            let dip = row_bottom(a) + 8 + 5 * (across % 3);
            across += 1;
            let (sx, tx) = if b.x > a.x {
                (a.x + BOX_W * 3 / 4, b.x + BOX_W / 4)
            } else {
                (a.x + BOX_W / 4, b.x + BOX_W * 3 / 4)
            };
            let label = Label {
                x: (sx + tx) / 2,
                y: dip + 11,
                anchor: "middle",
                lines: lines.into_iter().take(1).collect(),
            };
            let points = vec![(sx, a_bottom), (sx, dip), (tx, dip), (tx, b.y + b.h)];
            (Route::Across, points, label)
        } else {
            let x_lane = g.lanes_from + lane * LANE_GAP;
            let stagger = 3 * (lane % 3);
            lane += 1;
            let below = row_bottom(a) + 34 + stagger;
            let above = b.y - 10 - stagger;
            let (sx, tx) = (a.x + BOX_W * 7 / 8, b.x + BOX_W * 7 / 8);
            let points = vec![
                (sx, a_bottom),
                (sx, below),
                (x_lane, below),
                (x_lane, above),
                (tx, above),
                (tx, b_top),
            ];
            let label = Label {
                x: 0, // placed once every lane is known, below
                y: (below + above) / 2,
                anchor: "start",
                lines,
            };
            (Route::Up, points, label)
        };
        edges.push(Edge {
            from,
            to,
            labels,
            route,
            points,
            label,
        });
    }
    place_up_labels(&mut edges, g.lanes_from + lane * LANE_GAP + 4);
    edges
}

/// Points along a [`Route::Down`] edge as drawn (`M a C a.x,mid b.x,mid b`), 33 samples.
pub fn down_curve(a: (i32, i32), b: (i32, i32)) -> impl Iterator<Item = (i32, i32)> {
    let mid = f64::from(a.1 + b.1) / 2.0;
    let (ax, ay, bx, by) = (
        f64::from(a.0),
        f64::from(a.1),
        f64::from(b.0),
        f64::from(b.1),
    );
    (0..=32).map(move |k| {
        let t = f64::from(k) / 32.0;
        let u = 1.0 - t;
        let x = u * u * u * ax + 3.0 * u * u * t * ax + 3.0 * u * t * t * bx + t * t * t * bx;
        let y = u * u * u * ay + 3.0 * u * u * t * mid + 3.0 * u * t * t * mid + t * t * t * by;
        (x.round() as i32, y.round() as i32)
    })
}

/// The box an edge label's text covers, estimated from its characters: (left, top, right,
/// bottom).
pub fn label_box(label: &Label) -> (i32, i32, i32, i32) {
    let chars = label
        .lines
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    let width = i32::try_from(chars).unwrap_or(0) * LABEL_CHAR_W;
    let height = LABEL_LINE_H * i32::try_from(label.lines.len()).unwrap_or(1);
    let left = match label.anchor {
        "middle" => label.x - width / 2,
        "end" => label.x - width,
        _ => label.x,
    };
    let top = label.y - LABEL_ASCENT;
    (left, top, left + width, top + height)
}

/// Upward edges' labels go in one column right of the lanes, pushed apart vertically.
fn place_up_labels(edges: &mut [Edge], x: i32) {
    let mut up: Vec<&mut Edge> = edges.iter_mut().filter(|e| e.route == Route::Up).collect();
    up.sort_by_key(|e| e.label.y);
    let mut free_from = i32::MIN;
    for e in up {
        let height = LABEL_LINE_H * i32::try_from(e.label.lines.len()).unwrap_or(1);
        e.label.x = x;
        e.label.y = e.label.y.max(free_from);
        free_from = e.label.y + height + 4;
    }
}

/// The first label, wrapped to two lines; the second line says how many more choices the
/// edge stands for.
fn label_lines(labels: &[String]) -> Vec<String> {
    let mut lines = wrap(labels.first().map_or("", String::as_str), LABEL_CHARS, 2);
    if labels.len() > 1 {
        let more = format!("(+{} more)", labels.len() - 1);
        if lines.len() < 2 {
            lines.push(more);
        } else if let Some(last) = lines.last_mut() {
            *last = more;
        }
    }
    lines
}

/// Word-wraps `text` into at most `max_lines` lines of `width` characters; a word longer than
/// a line is cut, and text that does not fit ends in `…`.
pub fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let width = width.max(2);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut words: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
    words.reverse();
    while let Some(word) = words.pop() {
        let line_len = line.chars().count();
        let word_len = word.chars().count();
        let needed = if line.is_empty() {
            word_len
        } else {
            line_len + 1 + word_len
        };
        if needed <= width {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
        } else if line.is_empty() {
            // A word longer than a whole line: cut it, keep the rest for the next line.
            line = word.chars().take(width).collect();
            words.push(word.chars().skip(width).collect());
        } else {
            lines.push(std::mem::take(&mut line));
            words.push(word);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            let mut cut: String = last.chars().take(width - 1).collect();
            cut.push('…');
            *last = cut;
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

#[cfg(test)]
#[path = "tree_diagram_tests.rs"]
mod tests;
