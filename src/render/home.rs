//! The home page, organised around what people come to do: **Fix something** (a search box
//! and the troubleshooting trees), **Learn** (training paths, with the viewer's progress when
//! signed in), **Get access** (self-service resources and the paths that qualify for each),
//! then the guides by folder.
//!
//! Anonymous readers all get the same page (it is cached per snapshot); a signed-in viewer's
//! page adds their progress and statuses through [`HomeLearner`].

use std::collections::{BTreeMap, HashMap};

use maud::{Markup, html};

use crate::model::{Document, Kind, Site, folder_title};
use crate::progress::PathProgress;
use crate::qualify::{Requirements, Status};

use super::layout::{self, Page, PageContext, search_form};
use super::plural;
use super::qualifications::status_badge;
use super::training_paths;

/// How many documents a card lists before "and N more".
const CARD_ITEMS: usize = 5;

/// How many trees "Fix something" lists before linking to the rest.
const TREE_ITEMS: usize = 8;

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

/// What the home page shows a signed-in viewer beyond the anonymous page.
#[derive(Debug, Clone, Copy)]
pub struct HomeLearner<'a> {
    /// Their standing on every path.
    pub paths: &'a [PathProgress<'a>],
    /// Their status for each resource, by resource id.
    pub statuses: &'a HashMap<String, Status>,
}

/// Renders the home page for anonymous readers (the same for everyone).
pub fn page(ctx: &PageContext<'_>, site: &Site) -> Markup {
    page_for(ctx, site, None)
}

/// Renders the home page; `learner` adds a signed-in viewer's progress and statuses.
pub fn page_for(ctx: &PageContext<'_>, site: &Site, learner: Option<&HomeLearner<'_>>) -> Markup {
    let guides = guide_cards(site);
    let trees: Vec<&Document> = sorted(site.of_kind(Kind::Troubleshooting).map(AsRef::as_ref));
    let paths = training_paths::paths_of(site);
    let resources: Vec<&Document> = sorted(site.of_kind(Kind::Resource).map(AsRef::as_ref));
    let guide_count: usize = guides.iter().map(|c| c.docs.len()).sum();
    let errors = site.error_count();
    let progress_of =
        |doc: &Document| learner.and_then(|l| l.paths.iter().find(|p| p.path.id == doc.id));
    let main = html! {
        section class="hero" {
            h1 { (site.config.title) }
            p class="lead" { (site.config.description) }
        }
        div class="home-tasks" {
            section class="home-task home-fix" id="fix" aria-labelledby="home-fix" {
                h2 id="home-fix" { "Fix something" }
                p class="home-task-lead" { "Describe the problem or paste the error message." }
                (search_form("", "home-search", "Search guides, troubleshooting and training"))
                @if !trees.is_empty() {
                    h3 class="home-subhead" { "Troubleshooting" }
                    (tree_list(trees.iter().take(TREE_ITEMS)))
                    @if trees.len() > TREE_ITEMS {
                        details class="home-more" {
                            summary { (plural(trees.len() - TREE_ITEMS, "more troubleshooting tree", "more troubleshooting trees")) }
                            (tree_list(trees.iter().skip(TREE_ITEMS)))
                        }
                    }
                }
            }
            @if !paths.is_empty() {
                section class="home-task home-learn" id="learn" aria-labelledby="home-learn" {
                    h2 id="home-learn" { "Learn" }
                    p class="home-task-lead" {
                        "Short training paths; finishing one qualifies you for self-service resources."
                    }
                    ul class="path-index home-paths" {
                        @for path in &paths {
                            (training_paths::entry(site, path, progress_of(path)))
                        }
                    }
                    p class="home-more" {
                        a href=(training_paths::URL) { "All training paths" }
                        @if learner.is_some() { " · " a href="/my/training" { "My training" } }
                    }
                }
            }
            @if !resources.is_empty() {
                section class="home-task home-access" id="access" aria-labelledby="home-access" {
                    h2 id="home-access" { "Get access" }
                    p class="home-task-lead" { "Resources you can request yourself once you are qualified." }
                    ul class="home-resources" {
                        @for resource in &resources {
                            (resource_entry(site, resource, learner))
                        }
                    }
                }
            }
        }
        @if !guides.is_empty() {
            section class="home-guides" aria-labelledby="home-guides" {
                h2 id="home-guides" { "Guides" }
                div class="cards" {
                    @for card in &guides {
                        (card_markup(card, "guide", "guides"))
                    }
                }
            }
        }
        p class="home-counts muted" {
            (plural(guide_count, "guide", "guides")) " · "
            (plural(trees.len(), "troubleshooting tree", "troubleshooting trees")) " · "
            (plural(paths.len(), "training path", "training paths")) " · "
            (plural(resources.len(), "resource", "resources"))
            @if errors > 0 {
                " · " a href="/diagnostics" { (plural(errors, "content error", "content errors")) }
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

/// Troubleshooting trees, each with its summary.
fn tree_list<'a>(trees: impl Iterator<Item = &'a &'a Document>) -> Markup {
    html! {
        ul class="home-trees" {
            @for tree in trees {
                li {
                    a href=(tree.url()) { (tree.title) }
                    @if let Some(summary) = &tree.summary {
                        span class="home-item-summary" { (summary) }
                    }
                }
            }
        }
    }
}

/// One resource under "Get access": its name, what qualifies for it, and the viewer's status.
fn resource_entry(site: &Site, resource: &Document, learner: Option<&HomeLearner<'_>>) -> Markup {
    let paths = Requirements::of(site, &resource.id)
        .map(|r| r.paths)
        .unwrap_or_default();
    let status = learner.and_then(|l| l.statuses.get(resource.id.as_str()).copied());
    html! {
        li class="home-resource" {
            a class="home-resource-title" href=(resource.url()) { (resource.title) }
            @if let Some(status) = status { " " (status_badge(status)) }
            @if let Some(summary) = &resource.summary {
                span class="home-item-summary" { (summary) }
            }
            span class="home-resource-needs" {
                @if paths.is_empty() {
                    "No training needed."
                } @else {
                    "Needs: "
                    @for (k, id) in paths.iter().enumerate() {
                        @if k > 0 { ", " }
                        @match site.get(id) {
                            Some(d) => a href=(d.url()) { (d.title) },
                            None => (id),
                        }
                    }
                }
            }
        }
    }
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

/// Documents in listing order: their `order` first (unordered last), then title.
pub(super) fn sorted<'a>(docs: impl Iterator<Item = &'a Document>) -> Vec<&'a Document> {
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
