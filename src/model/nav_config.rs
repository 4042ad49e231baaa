//! The sidebar written by hand in `site.toml` (`[[nav]]`), as an imported MkDocs site keeps
//! its own: entries in the order written, grouped in the sections they name. The folder tree
//! (`nav.rs`) stays behind folder listings and the sitemap; only the sidebar changes.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::diagnostic::{Diagnostic, Position};
use super::{DocId, Document, NavNode};
use crate::config_nav::{NavEntry, NavTarget};

enum Item {
    /// A page or link; `index` marks an `index.md` / `README.md`, which becomes its
    /// section's own page when it comes first.
    Leaf {
        node: NavNode,
        index: bool,
    },
    Section {
        title: String,
        items: Vec<Item>,
    },
}

/// The sidebar `[[nav]]` describes, and an error for each entry naming no page. `None` when
/// `site.toml` has no `[[nav]]`: the sidebar then follows the folders.
pub fn configured_sidebar(
    entries: &[NavEntry],
    documents: &BTreeMap<DocId, Arc<Document>>,
    by_path: &BTreeMap<String, DocId>,
) -> (Option<Vec<NavNode>>, Vec<Diagnostic>) {
    if entries.is_empty() {
        return (None, Vec::new());
    }
    let mut top: Vec<Item> = Vec::new();
    let mut problems = Vec::new();
    for entry in entries {
        let node = match &entry.target {
            NavTarget::Page(path) => {
                let Some(doc) = by_path.get(path).and_then(|id| documents.get(id)) else {
                    problems.push(Diagnostic::error(
                        "site.toml",
                        Position::new(entry.line, entry.column),
                        format!(
                            "the [[nav]] entry names `{path}`, which is not a page in the content folder; correct the path (relative to the folder holding site.toml) or remove the entry"
                        ),
                    ));
                    continue;
                };
                let stem = path.rsplit('/').next().unwrap_or(path);
                let index = stem.eq_ignore_ascii_case("readme.md") || stem == "index.md";
                let node = leaf(
                    entry.title.clone().unwrap_or_else(|| doc.title.clone()),
                    doc.url(),
                    Some(doc.id.clone()),
                );
                Item::Leaf { node, index }
            }
            NavTarget::Link(url) => Item::Leaf {
                node: leaf(entry.title.clone().unwrap_or_default(), url.clone(), None),
                index: false,
            },
        };
        section_items(&mut top, &entry.section).push(node);
    }
    (Some(finish(top)), problems)
}

fn leaf(title: String, url: String, id: Option<DocId>) -> NavNode {
    NavNode {
        title,
        url: Some(url),
        id,
        children: Vec::new(),
        folder: None,
        entries: 1,
        order: 0,
    }
}

/// The items of the section at `path` under `items`, made on first mention (a later section
/// of the same title under the same parent joins it).
fn section_items<'a>(items: &'a mut Vec<Item>, path: &[String]) -> &'a mut Vec<Item> {
    let Some((first, rest)) = path.split_first() else {
        return items;
    };
    let found = items
        .iter()
        .position(|i| matches!(i, Item::Section { title, .. } if title == first));
    let at = found.unwrap_or_else(|| {
        items.push(Item::Section {
            title: first.clone(),
            items: Vec::new(),
        });
        items.len() - 1
    });
    match &mut items[at] {
        Item::Section { items, .. } => section_items(items, rest),
        // `at` found or made a section.
        Item::Leaf { .. } => unreachable!("a section was found or pushed at this index"),
    }
}

fn finish(items: Vec<Item>) -> Vec<NavNode> {
    items
        .into_iter()
        .map(|item| match item {
            Item::Leaf { node, .. } => node,
            Item::Section { title, mut items } => {
                let page = match items.first() {
                    Some(Item::Leaf { index: true, .. }) => match items.remove(0) {
                        Item::Leaf { node, .. } => Some(node),
                        Item::Section { .. } => None,
                    },
                    _ => None,
                };
                let children = finish(items);
                NavNode {
                    title,
                    url: page.as_ref().and_then(|p| p.url.clone()),
                    id: page.and_then(|p| p.id),
                    entries: 1 + children.iter().map(NavNode::entries).sum::<usize>(),
                    children,
                    folder: None,
                    order: 0,
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SiteConfig;
    use crate::model::{Kind, branch_to, nav_entries};

    fn site(paths: &[(&str, &str)]) -> (BTreeMap<DocId, Arc<Document>>, BTreeMap<String, DocId>) {
        let mut documents = BTreeMap::new();
        let mut by_path = BTreeMap::new();
        for (path, title) in paths {
            let id = path.strip_suffix(".md").expect("markdown");
            let doc = Arc::new(Document {
                source_path: (*path).into(),
                title: (*title).into(),
                ..Document::sample(id, Kind::Guide)
            });
            by_path.insert((*path).to_owned(), doc.id.clone());
            documents.insert(doc.id.clone(), doc);
        }
        (documents, by_path)
    }

    const TOML: &str = r#"
[[nav]]
title = "Overview"
page = "index.md"

[[nav]]
section = ["Ops"]
page = "ops/index.md"

[[nav]]
section = ["Ops", "Security"]
page = "ops/tls.md"

[[nav]]
section = ["Ops", "Security"]
page = "snyk/index.md"

[[nav]]
section = ["Ops"]
page = "ops/gone.md"

[[nav]]
section = ["Ops"]
title = "Backups"
page = "ops/backup.md"

[[nav]]
title = "Releases"
url = "https://example.com/releases"
"#;

    #[test]
    fn sections_follow_the_entries_and_an_index_page_becomes_the_section_link() {
        let config = SiteConfig::parse(TOML).expect("valid");
        let (documents, by_path) = site(&[
            ("index.md", "Argo"),
            ("ops/index.md", "Operations"),
            ("ops/tls.md", "TLS"),
            ("ops/backup.md", "Disaster recovery"),
            ("snyk/index.md", "Snyk scans"),
            ("unlisted.md", "Not in the nav"),
        ]);
        let (nav, problems) = configured_sidebar(&config.nav, &documents, &by_path);
        let nav = nav.expect("a configured sidebar");
        let titles: Vec<&str> = nav.iter().map(|n| n.title.as_str()).collect();
        assert_eq!(titles, ["Overview", "Ops", "Releases"]);
        let ops = &nav[1];
        assert_eq!(ops.url.as_deref(), Some("/docs/ops/index"));
        let ops_titles: Vec<&str> = ops.children.iter().map(|n| n.title.as_str()).collect();
        assert_eq!(ops_titles, ["Security", "Backups"]);
        // A section whose first entry is not an index page has no page of its own, but the
        // index page of another folder inside it stays an entry.
        let security = &ops.children[0];
        assert_eq!(security.url, None);
        assert_eq!(security.children.len(), 2);
        assert_eq!(nav[2].url.as_deref(), Some("https://example.com/releases"));
        // Overview, Ops, Security, TLS, Snyk, Backups, Releases.
        assert_eq!(nav_entries(&nav), 7);
        assert_eq!(branch_to(&nav, "/docs/snyk/index"), [1, 0, 1]);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "site.toml");
        assert_eq!(problems[0].line, 20);
        assert!(
            problems[0].message.contains("ops/gone.md"),
            "{:?}",
            problems[0]
        );
    }

    #[test]
    fn no_entries_means_the_folder_sidebar() {
        let (documents, by_path) = site(&[("index.md", "Home")]);
        let (nav, problems) = configured_sidebar(&[], &documents, &by_path);
        assert!(nav.is_none() && problems.is_empty());
    }
}
