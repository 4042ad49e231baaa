//! The sidebar: a tree built from the folder structure and document titles.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{DocId, Document};

/// One entry of the sidebar: a folder (with children) or a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavNode {
    /// Shown text.
    pub title: String,
    /// Link target; folders link to their `README`/`index` document when they have one.
    pub url: Option<String>,
    /// The document, for leaves and folders with an index page.
    pub id: Option<DocId>,
    /// Sub-entries, ordered by `order` then title.
    pub children: Vec<NavNode>,
    /// Sort key: the document's `order`, folders sort by their index page's.
    order: i64,
}

#[derive(Default)]
struct Folder<'a> {
    index: Option<&'a Arc<Document>>,
    docs: Vec<&'a Arc<Document>>,
    folders: BTreeMap<String, Folder<'a>>,
}

/// Builds the sidebar from documents' source paths.
pub fn build_nav<'a>(documents: impl IntoIterator<Item = &'a Arc<Document>>) -> Vec<NavNode> {
    let mut root = Folder::default();
    for doc in documents {
        let segments: Vec<&str> = doc.source_path.split('/').collect();
        let Some((file, dirs)) = segments.split_last() else {
            continue;
        };
        let mut folder = &mut root;
        for dir in dirs {
            folder = folder.folders.entry((*dir).to_owned()).or_default();
        }
        let stem = file.rsplit_once('.').map_or(*file, |(stem, _)| stem);
        if !dirs.is_empty() && (stem.eq_ignore_ascii_case("readme") || stem == "index") {
            folder.index = Some(doc);
        } else {
            folder.docs.push(doc);
        }
    }
    let mut nodes = children_of(&root);
    sort(&mut nodes);
    nodes
}

fn children_of(folder: &Folder<'_>) -> Vec<NavNode> {
    let mut nodes: Vec<NavNode> = folder
        .docs
        .iter()
        .map(|doc| NavNode {
            title: doc.title.clone(),
            url: Some(doc.url()),
            id: Some(doc.id.clone()),
            children: Vec::new(),
            order: doc.order.unwrap_or(i64::MAX / 2),
        })
        .collect();
    for (name, sub) in &folder.folders {
        let mut children = children_of(sub);
        sort(&mut children);
        nodes.push(NavNode {
            title: sub
                .index
                .map_or_else(|| folder_title(name), |d| d.title.clone()),
            url: sub.index.map(|d| d.url()),
            id: sub.index.map(|d| d.id.clone()),
            children,
            order: sub.index.and_then(|d| d.order).unwrap_or(i64::MAX / 2),
        });
    }
    nodes
}

fn sort(nodes: &mut [NavNode]) {
    nodes.sort_by(|a, b| {
        a.order
            .cmp(&b.order)
            .then_with(|| a.title.to_lowercase().cmp(&b.title.to_lowercase()))
    });
}

/// `ci-cd` → `Ci cd`, `postgres_ops` → `Postgres ops`: a readable fallback for folder names.
pub fn folder_title(name: &str) -> String {
    let spaced: String = name
        .chars()
        .map(|c| if c == '-' || c == '_' { ' ' } else { c })
        .collect();
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Detail, Kind};

    fn doc(path: &str, title: &str, order: Option<i64>) -> Arc<Document> {
        Arc::new(Document {
            id: DocId::from_relative_path(path).expect("valid id"),
            kind: Kind::Guide,
            source_path: path.into(),
            title: title.into(),
            summary: None,
            tags: vec![],
            owner: None,
            reviewed: None,
            resources: vec![],
            order,
            html: String::new(),
            toc: vec![],
            sections: vec![],
            detail: Detail::Guide,
            content_hash: String::new(),
        })
    }

    #[test]
    fn folders_nest_and_readme_becomes_the_folder_link() {
        let docs = [
            doc("guides/k8s/deploy.md", "Deploy", None),
            doc("guides/k8s/README.md", "Kubernetes", None),
            doc("guides/k8s/access.md", "Access", Some(1)),
            doc("guides/intro.md", "Intro", None),
        ];
        let nav = build_nav(docs.iter());
        assert_eq!(nav.len(), 1);
        let guides = &nav[0];
        assert_eq!(guides.title, "Guides");
        let k8s = guides
            .children
            .iter()
            .find(|n| n.title == "Kubernetes")
            .expect("k8s folder");
        assert_eq!(k8s.url.as_deref(), Some("/docs/guides/k8s/README"));
        let titles: Vec<&str> = k8s.children.iter().map(|n| n.title.as_str()).collect();
        assert_eq!(titles, ["Access", "Deploy"]);
    }
}
