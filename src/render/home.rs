//! The home page: what the knowledge base is, a search box, and a card per section (guides by
//! folder, troubleshooting, training paths, resources) with counts.

use std::collections::BTreeMap;

use maud::{Markup, html};

use crate::model::{Document, Kind, Site, folder_title};

use super::layout::{self, Page, PageContext, search_form};
use super::plural;

/// How many documents a card lists before "and N more".
const CARD_ITEMS: usize = 5;

/// One card: a titled group of documents.
#[derive(Debug)]
pub struct Card<'a> {
    /// Heading text.
    pub title: String,
    /// Where the heading links (a folder's index page, or the first document).
    pub url: Option<String>,
    /// The documents, in sidebar order.
    pub docs: Vec<&'a Document>,
}

/// Renders the home page.
pub fn page(ctx: &PageContext<'_>, site: &Site) -> Markup {
    let guides = guide_cards(site);
    let trees: Vec<&Document> = sorted(site.of_kind(Kind::Troubleshooting).map(AsRef::as_ref));
    let paths: Vec<&Document> = sorted(site.of_kind(Kind::Path).map(AsRef::as_ref));
    let resources: Vec<&Document> = sorted(site.of_kind(Kind::Resource).map(AsRef::as_ref));
    let guide_count: usize = guides.iter().map(|c| c.docs.len()).sum();
    let errors = site.error_count();
    let main = html! {
        section class="hero" {
            h1 { (site.config.title) }
            p class="lead" { (site.config.description) }
            (search_form("", "home-search", "Search guides, troubleshooting and training"))
            p class="muted" {
                (plural(guide_count, "guide", "guides")) " · "
                (plural(trees.len(), "troubleshooting tree", "troubleshooting trees")) " · "
                (plural(paths.len(), "training path", "training paths")) " · "
                (plural(resources.len(), "resource", "resources"))
                @if errors > 0 {
                    " · " a href="/diagnostics" { (plural(errors, "content error", "content errors")) }
                }
            }
        }
        @if !guides.is_empty() {
            section aria-labelledby="home-guides" {
                h2 id="home-guides" { "Guides" }
                div class="cards" {
                    @for card in &guides {
                        (card_markup(card, "guide", "guides"))
                    }
                }
            }
        }
        @if !(trees.is_empty() && paths.is_empty() && resources.is_empty()) {
            section aria-labelledby="home-more" {
                h2 id="home-more" { "Fix, learn, get access" }
                div class="cards" {
                    @if !trees.is_empty() {
                        (card_markup(&Card { title: "Troubleshooting".into(), url: None, docs: trees }, "tree", "trees"))
                    }
                    @if !paths.is_empty() {
                        (card_markup(&Card { title: "Training paths".into(), url: None, docs: paths }, "path", "paths"))
                    }
                    @if !resources.is_empty() {
                        (card_markup(&Card { title: "Self-service resources".into(), url: None, docs: resources }, "resource", "resources"))
                    }
                }
            }
        }
    };
    layout::render(
        ctx,
        Page {
            title: site.config.title.clone(),
            description: Some(site.config.description.clone()),
            main,
            ..Page::default()
        },
    )
}

fn card_markup(card: &Card<'_>, one: &str, many: &str) -> Markup {
    let url = card
        .url
        .clone()
        .or_else(|| card.docs.first().map(|d| d.url()));
    html! {
        div class="card" {
            h3 class="card-title" {
                @match &url {
                    Some(url) => a href=(url) { (card.title) },
                    None => (card.title),
                }
            }
            p class="card-count" { (plural(card.docs.len(), one, many)) }
            ul class="card-list" {
                @for doc in card.docs.iter().take(CARD_ITEMS) {
                    li { a href=(doc.url()) { (doc.title) } }
                }
            }
            @if card.docs.len() > CARD_ITEMS {
                p class="card-more muted" { "and " (card.docs.len() - CARD_ITEMS) " more" }
            }
        }
    }
}

/// Guides grouped by their top folder (the folder under `guides/` when guides live there),
/// ordered like the sidebar: by the lowest `order` in the group, then by title.
pub fn guide_cards(site: &Site) -> Vec<Card<'_>> {
    let mut groups: BTreeMap<String, Vec<&Document>> = BTreeMap::new();
    for doc in site.of_kind(Kind::Guide) {
        groups
            .entry(group_folder(&doc.source_path))
            .or_default()
            .push(doc);
    }
    let mut cards: Vec<(i64, Card<'_>)> = groups
        .into_iter()
        .map(|(folder, docs)| {
            let index = ["README.md", "readme.md", "index.md"]
                .iter()
                .filter_map(|name| site.by_path.get(&format!("{folder}/{name}")))
                .find_map(|id| site.get(id));
            let name = folder.rsplit('/').next().unwrap_or(&folder);
            let title = match index {
                Some(index) => index.title.clone(),
                None if folder.is_empty() || folder == "guides" => "General".to_owned(),
                None => folder_title(name),
            };
            let docs = sorted(docs.into_iter());
            let rank = docs
                .iter()
                .filter_map(|d| d.order)
                .min()
                .unwrap_or(i64::MAX);
            (
                rank,
                Card {
                    title,
                    url: index.map(|d| d.url()),
                    docs,
                },
            )
        })
        .collect();
    cards.sort_by(|(ra, a), (rb, b)| {
        ra.cmp(rb)
            .then_with(|| a.title.to_lowercase().cmp(&b.title.to_lowercase()))
    });
    cards.into_iter().map(|(_, card)| card).collect()
}

/// `guides/kubernetes/deploy.md` → `guides/kubernetes`; `ops/x.md` → `ops`; `x.md` → ``.
fn group_folder(source_path: &str) -> String {
    let dirs: Vec<&str> = source_path.split('/').collect();
    let dirs = &dirs[..dirs.len().saturating_sub(1)];
    match dirs {
        ["guides", sub, ..] => format!("guides/{sub}"),
        [first, ..] => (*first).to_owned(),
        [] => String::new(),
    }
}

fn sorted<'a>(docs: impl Iterator<Item = &'a Document>) -> Vec<&'a Document> {
    let mut docs: Vec<&Document> = docs.collect();
    docs.sort_by(|a, b| {
        a.order
            .unwrap_or(i64::MAX)
            .cmp(&b.order.unwrap_or(i64::MAX))
            .then_with(|| a.title.to_lowercase().cmp(&b.title.to_lowercase()))
    });
    docs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guides_group_by_the_folder_under_guides() {
        assert_eq!(
            group_folder("guides/kubernetes/deploy.md"),
            "guides/kubernetes"
        );
        assert_eq!(
            group_folder("guides/kubernetes/x/deploy.md"),
            "guides/kubernetes"
        );
        assert_eq!(group_folder("guides/authoring.md"), "guides");
        assert_eq!(group_folder("runbooks/a/b.md"), "runbooks");
        assert_eq!(group_folder("README.md"), "");
    }
}
