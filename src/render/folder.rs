//! The generated page of a folder that has no README or index page: its entries, so a
//! collapsed folder in the sidebar always links somewhere that lists what it holds.

use maud::{Markup, html};

use crate::model::{NavNode, Site, find_folder};

use super::layout::{self, Crumb, Page, PageContext};
use super::{kind_badge, plural};

/// `/docs/{folder}/`: sub-folders and documents, in sidebar order.
pub fn page(ctx: &PageContext<'_>, site: &Site, folder: &NavNode) -> Markup {
    let main = html! {
        h1 { (folder.title) }
        p class="muted" { (plural(folder.children.len(), "entry", "entries")) }
        ul class="doc-list folder-list" {
            @for entry in &folder.children {
                li { (entry_line(site, entry)) }
            }
        }
    };
    layout::render(
        ctx,
        Page {
            title: folder.title.clone(),
            crumbs: crumbs(site, folder),
            main,
            ..Page::default()
        },
    )
}

/// One entry: a folder with how much it holds, or a document with its kind and summary.
fn entry_line(site: &Site, entry: &NavNode) -> Markup {
    let doc = entry.id.as_ref().and_then(|id| site.get(id));
    html! {
        @if entry.is_folder() {
            span class="badge badge-folder" { "Folder" } " "
            (link(entry))
            " " span class="muted" { (plural(entry.entries() - 1, "entry", "entries")) }
        } @else if let Some(doc) = doc {
            (kind_badge(doc.kind)) " "
            (link(entry))
            @if let Some(summary) = &doc.summary {
                p class="doc-list-summary" { (summary) }
            }
        } @else {
            (link(entry))
        }
    }
}

fn link(entry: &NavNode) -> Markup {
    html! {
        @match &entry.url {
            Some(url) => a href=(url) { (entry.title) },
            None => span { (entry.title) },
        }
    }
}

/// Home, each enclosing folder (linked to its page), then this folder.
fn crumbs(site: &Site, folder: &NavNode) -> Vec<Crumb> {
    let mut crumbs = vec![Crumb::link("Home", "/")];
    let path = folder.folder.as_deref().unwrap_or_default();
    let mut end = 0;
    for segment in path.split('/') {
        end += segment.len();
        let prefix = path.get(..end).unwrap_or_default();
        end += 1;
        if prefix == path {
            break;
        }
        if let Some(parent) = find_folder(&site.nav, prefix) {
            crumbs.push(match &parent.url {
                Some(url) => Crumb::link(parent.title.clone(), url.clone()),
                None => Crumb::text(parent.title.clone()),
            });
        }
    }
    crumbs.push(Crumb::text(folder.title.clone()));
    crumbs
}
