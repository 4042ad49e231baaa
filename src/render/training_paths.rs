//! Every training path on one page (`/training`, the header's "Training" link): what each
//! path covers, how long it takes, what it requires and which resources it qualifies for,
//! with the signed-in learner's progress. The home page's "Learn" section lists the same
//! entries.

use maud::{Markup, html};

use crate::model::{Document, Kind, Site};
use crate::progress::PathProgress;

use super::layout::{self, Crumb, Page, PageContext};
use super::path::{openings, progress_bar};
use super::plural;

/// The address of the page listing every training path.
pub const URL: &str = "/training";

/// The site's paths in sidebar order (`order`, then title).
pub fn paths_of(site: &Site) -> Vec<&Document> {
    super::home::sorted(site.of_kind(Kind::Path).map(AsRef::as_ref))
}

/// The resources a path's completion counts towards (those listing it, directly or as a
/// prerequisite of a path they list).
pub fn qualifies_for<'s>(site: &'s Site, path: &Document) -> Vec<&'s Document> {
    site.of_kind(Kind::Resource)
        .filter(|r| {
            crate::qualify::Requirements::of(site, &r.id)
                .is_some_and(|req| req.paths.contains(&path.id))
        })
        .map(AsRef::as_ref)
        .collect()
}

/// One path as a list entry: title, summary, size, what it qualifies for, and the viewer's
/// progress when there is a viewer.
pub fn entry(site: &Site, path: &Document, progress: Option<&PathProgress<'_>>) -> Markup {
    let def = path.path_def().cloned().unwrap_or_default();
    let modules: Vec<&Document> = def
        .modules
        .iter()
        .filter_map(|id| site.get(id).map(AsRef::as_ref))
        .collect();
    let minutes: u32 = modules
        .iter()
        .filter_map(|m| m.module().and_then(|m| m.minutes))
        .sum();
    let resources = qualifies_for(site, path);
    let state = progress.map(|p| {
        if p.complete() {
            "path-complete"
        } else if p.started() {
            "path-started"
        } else {
            "path-new"
        }
    });
    html! {
        li class={ "path-entry" @if let Some(state) = state { " " (state) } } {
            h2 class="path-entry-title" { a href=(path.url()) { (path.title) } }
            @if let Some(summary) = &path.summary {
                p class="path-entry-summary" { (summary) }
            }
            p class="path-entry-facts muted" {
                (plural(modules.len(), "module", "modules"))
                @if minutes > 0 { " · about " (minutes) " minutes" }
                @if !def.requires.is_empty() {
                    " · finish first: "
                    @for (k, id) in def.requires.iter().enumerate() {
                        @if k > 0 { ", " }
                        @match site.get(id) {
                            Some(d) => a href=(d.url()) { (d.title) },
                            None => (id),
                        }
                    }
                }
            }
            @if let Some(progress) = progress {
                @if progress.started() || progress.complete() {
                    (progress_bar(progress))
                }
                (openings(progress))
            }
            @if !resources.is_empty() && !progress.is_some_and(PathProgress::complete) {
                p class="path-entry-qualifies" {
                    "Qualifies you for "
                    @for (k, r) in resources.iter().enumerate() {
                        @if k > 0 { ", " }
                        a href=(r.url()) { (r.title) }
                    }
                    "."
                }
            }
        }
    }
}

/// The `/training` page. `progress` holds the signed-in learner's standing on every path
/// (empty for anonymous readers, whose page is the same for everyone and cached).
pub fn index(ctx: &PageContext<'_>, site: &Site, progress: &[PathProgress<'_>]) -> Markup {
    let paths = paths_of(site);
    let of = |doc: &Document| progress.iter().find(|p| p.path.id == doc.id);
    let main = html! {
        h1 { "Training paths" }
        p class="lead" {
            "Each path is a short series of modules; finishing one qualifies you for the resources it names."
            @if ctx.viewer.is_some() {
                " " a href="/my/training" { "My training" } " shows the paths you started."
            }
        }
        @if paths.is_empty() {
            p { "This site has no training paths yet." }
        } @else {
            ul class="path-index" {
                @for path in &paths {
                    (entry(site, path, of(path)))
                }
            }
        }
    };
    layout::render(
        ctx,
        Page {
            title: "Training paths".into(),
            description: Some(
                "Every training path of this site and what each qualifies for.".into(),
            ),
            crumbs: vec![Crumb::link("Home", "/"), Crumb::text("Training paths")],
            main,
            ..Page::default()
        },
    )
}
