//! The sidebar: a tree built from the folder structure and document titles.
//!
//! The tree is built once per snapshot; pages render only part of it (see
//! `render::layout`), so it also answers the two questions that partial rendering asks:
//! where the current page sits ([`branch_to`]) and what a folder holds ([`find_folder`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{DocId, Document, Kind, doc_url};

/// One entry of the sidebar: a folder (with children) or a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavNode {
    /// Shown text.
    pub title: String,
    /// Link target; folders link to their `README`/`index` document when they have one, else
    /// to their generated listing (`/docs/{folder}/`). `None` only for a folder whose path
    /// cannot be an address (it holds files whose paths are not valid ids).
    pub url: Option<String>,
    /// The document, for leaves and folders with an index page.
    pub id: Option<DocId>,
    /// Sub-entries, ordered by `order` then title.
    pub children: Vec<NavNode>,
    /// For folders, the folder's path under the content root (`guides/k8s`); `None` for
    /// documents.
    pub folder: Option<String>,
    /// Entries in this subtree, itself included: lets a page decide how much of the tree to
    /// show without walking it.
    pub(super) entries: usize,
    /// Sort key: the document's `order`, folders sort by their index page's.
    pub(super) order: i64,
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
    let mut nodes = children_of(&root, "");
    sort(&mut nodes);
    nodes
}

fn children_of(folder: &Folder<'_>, prefix: &str) -> Vec<NavNode> {
    let mut nodes: Vec<NavNode> = folder
        .docs
        .iter()
        .map(|doc| NavNode {
            title: doc.title.clone(),
            url: Some(doc.url()),
            id: Some(doc.id.clone()),
            children: Vec::new(),
            folder: None,
            entries: 1,
            order: doc.order.unwrap_or(i64::MAX / 2),
        })
        .collect();
    for (name, sub) in &folder.folders {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let mut children = children_of(sub, &path);
        sort(&mut children);
        nodes.push(NavNode {
            title: sub
                .index
                .map_or_else(|| folder_title(name), |d| d.title.clone()),
            url: sub.index.map(|d| d.url()).or_else(|| folder_url(&path)),
            id: sub.index.map(|d| d.id.clone()),
            entries: 1 + children.iter().map(NavNode::entries).sum::<usize>(),
            children,
            folder: Some(path),
            order: sub.index.and_then(|d| d.order).unwrap_or(i64::MAX / 2),
        });
    }
    nodes
}

impl NavNode {
    /// Entries in this subtree, itself included.
    pub fn entries(&self) -> usize {
        self.entries
    }

    /// Whether this is a folder (it may have no children when it holds only its index page).
    pub fn is_folder(&self) -> bool {
        self.folder.is_some()
    }
}

/// The generated listing page of a folder: `/docs/guides/k8s/`. The trailing slash keeps it
/// apart from a document whose id is the folder's path.
pub fn folder_url(path: &str) -> Option<String> {
    let id = DocId::parse(path).ok()?;
    let mut url = doc_url(Kind::Guide, &id);
    url.push('/');
    Some(url)
}

/// Entries in the whole tree.
pub fn nav_entries(nav: &[NavNode]) -> usize {
    nav.iter().map(NavNode::entries).sum()
}

/// The positions leading to the entry linking to `url`: `[2, 0]` is the first child of the
/// third top-level entry. Empty when no entry links there (the home page, tags, search).
///
/// Walks the tree once; a document's id need not follow its path, so the URL alone cannot
/// say where it sits.
pub fn branch_to(nav: &[NavNode], url: &str) -> Vec<usize> {
    fn walk(nodes: &[NavNode], url: &str, branch: &mut Vec<usize>) -> bool {
        for (i, node) in nodes.iter().enumerate() {
            branch.push(i);
            if node.url.as_deref() == Some(url) || walk(&node.children, url, branch) {
                return true;
            }
            branch.pop();
        }
        false
    }
    let mut branch = Vec::new();
    walk(nav, url, &mut branch);
    branch
}

/// The folder at `path` (`guides/k8s`, no slashes around it).
pub fn find_folder<'a>(nav: &'a [NavNode], path: &str) -> Option<&'a NavNode> {
    let mut nodes = nav;
    let mut found = None;
    let mut end = 0;
    for segment in path.split('/') {
        end += segment.len();
        let prefix = path.get(..end)?;
        let node = nodes.iter().find(|n| n.folder.as_deref() == Some(prefix))?;
        nodes = &node.children;
        found = Some(node);
        end += 1;
    }
    found
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
    use crate::model::Kind;

    fn doc(path: &str, title: &str, order: Option<i64>) -> Arc<Document> {
        let id = path.strip_suffix(".md").expect("a markdown path");
        Arc::new(Document {
            source_path: path.into(),
            title: title.into(),
            order,
            ..Document::sample(id, Kind::Guide)
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

    #[test]
    fn folders_without_an_index_link_their_listing_and_count_their_entries() {
        let docs = [
            doc("guides/k8s/deploy.md", "Deploy", None),
            doc("guides/k8s/access.md", "Access", None),
            doc("guides/intro.md", "Intro", None),
        ];
        let nav = build_nav(docs.iter());
        let guides = &nav[0];
        assert_eq!(guides.url.as_deref(), Some("/docs/guides/"));
        assert_eq!(guides.folder.as_deref(), Some("guides"));
        // guides, intro, k8s, access, deploy
        assert_eq!(nav_entries(&nav), 5);
        let k8s = find_folder(&nav, "guides/k8s").expect("k8s folder");
        assert_eq!(k8s.url.as_deref(), Some("/docs/guides/k8s/"));
        assert_eq!(k8s.entries(), 3);
        assert!(find_folder(&nav, "guides/k8").is_none());
        assert!(find_folder(&nav, "guides/k8s/deploy").is_none());
        assert!(find_folder(&nav, "../guides").is_none());
    }

    #[test]
    fn the_branch_leads_to_the_current_page() {
        let docs = [
            doc("a/x.md", "X", None),
            doc("b/c/y.md", "Y", None),
            doc("b/z.md", "Z", None),
        ];
        let nav = build_nav(docs.iter());
        // b sorts after a; inside b, the document z sorts after the folder c ("C" < "Z").
        assert_eq!(branch_to(&nav, "/docs/b/c/y"), [1, 0, 0]);
        assert_eq!(branch_to(&nav, "/docs/b/c/"), [1, 0]);
        assert!(branch_to(&nav, "/tags").is_empty());
    }
}
