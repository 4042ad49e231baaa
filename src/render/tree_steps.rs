//! How a walk's steps are addressed and named: node ids escaped for query values, the URL of
//! each step (`/trees/ID?at=NODE&trail=START,…`) and of the diagram, and the label of the
//! answer between two steps. Shared by the tree page, its leaf forms and the help-request
//! list, below all three.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::model::{Tree, TreeNode};

/// Characters escaped in a node id inside a query value: everything but the unreserved ones,
/// so the `,` that separates trail steps can never come from an id.
const ID_IN_QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// One node id, escaped for a query value.
pub fn encode_id(id: &str) -> String {
    utf8_percent_encode(id, ID_IN_QUERY).to_string()
}

/// Node ids joined with `,`, each escaped: the `trail` parameter and the forms' `path` field.
pub fn encode_path<S: AsRef<str>>(ids: &[S]) -> String {
    ids.iter()
        .map(|id| encode_id(id.as_ref()))
        .collect::<Vec<_>>()
        .join(",")
}

/// The URL of the step reached by `path` (node ids from the start; the last is the step).
pub fn step_url<S: AsRef<str>>(tree_url: &str, path: &[S]) -> String {
    match path.split_last() {
        None => tree_url.to_owned(),
        Some((at, [])) => format!("{tree_url}?at={}", encode_id(at.as_ref())),
        Some((at, before)) => format!(
            "{tree_url}?at={}&trail={}",
            encode_id(at.as_ref()),
            encode_path(before)
        ),
    }
}

/// The diagram's URL.
pub fn diagram_url(tree_url: &str) -> String {
    format!("{tree_url}?view=diagram")
}

/// Per node (file order), the URL of the step a shortest walk reaches it by, `None` when no
/// walk reaches it.
pub fn shortest_step_urls(tree: &Tree, tree_url: &str) -> Vec<Option<String>> {
    tree.shortest_walks()
        .into_iter()
        .map(|walk| {
            walk.map(|indexes| {
                let ids: Vec<&str> = indexes
                    .iter()
                    .filter_map(|&i| tree.nodes.get(i).map(|n| n.id.as_str()))
                    .collect();
                step_url(tree_url, &ids)
            })
        })
        .collect()
}

/// The label of the choice that leads from `from` to `to` (the first, when several do).
pub fn answer_label<'t>(from: &'t TreeNode, to: &TreeNode) -> &'t str {
    from.choices
        .iter()
        .find(|c| c.to == to.id)
        .map_or("", |c| c.label.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_urls_escape_ids_and_separate_them_with_commas() {
        assert_eq!(step_url("/trees/t", &["start"]), "/trees/t?at=start");
        assert_eq!(
            step_url("/trees/t", &["start", "a,b", "x y"]),
            "/trees/t?at=x%20y&trail=start,a%2Cb"
        );
        let none: [&str; 0] = [];
        assert_eq!(step_url("/trees/t", &none), "/trees/t");
        assert_eq!(encode_path(&["a-b_c.d~e", "é"]), "a-b_c.d~e,%C3%A9");
    }
}
