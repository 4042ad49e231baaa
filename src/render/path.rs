//! Training paths: why the path exists, its modules in order (with the signed-in learner's
//! state of each and a progress bar), what it requires and what it unlocks (once complete:
//! which resources the learner may now request).

use maud::{Markup, html};

use crate::model::{DocId, Document, Kind, Site};
use crate::progress::{ModuleState, PathProgress};

use super::document::{body_of, document_page};
use super::layout::PageContext;

/// A path page for an anonymous reader.
pub fn page(ctx: &PageContext<'_>, site: &Site, doc: &Document) -> Markup {
    page_with(ctx, site, doc, None)
}

/// A path page; `progress` is the signed-in learner's standing on it.
pub fn page_with(
    ctx: &PageContext<'_>,
    site: &Site,
    doc: &Document,
    progress: Option<&PathProgress<'_>>,
) -> Markup {
    let def = doc.path_def().cloned().unwrap_or_default();
    let total_minutes: u32 = def
        .modules
        .iter()
        .filter_map(|id| {
            site.get(id)
                .and_then(|m| m.module())
                .and_then(|m| m.minutes)
        })
        .sum();
    let unlocks: Vec<&Document> = site
        .of_kind(Kind::Resource)
        .filter(|r| {
            r.resource()
                .is_some_and(|def| def.requires.contains(&doc.id))
        })
        .map(AsRef::as_ref)
        .collect();
    let main = html! {
        @if let Some(progress) = progress {
            (progress_bar(progress))
            (openings(progress))
            @if !progress.unmet.is_empty() {
                div class="notice notice-warning" role="note" {
                    p class="notice-title" { "Prerequisites not met" }
                    p { "Finish these paths before this one:" }
                    (doc_links(site, &progress.unmet.iter().map(|id| (*id).clone()).collect::<Vec<_>>()))
                }
            }
        }
        (body_of(doc))
        @if !def.requires.is_empty() {
            section aria-labelledby="path-requires" {
                h2 id="path-requires" { "Finish first" }
                (doc_links(site, &def.requires))
            }
        }
        section aria-labelledby="path-modules" {
            h2 id="path-modules" { "Modules" }
            @if total_minutes > 0 {
                p class="muted" { "About " (total_minutes) " minutes in total." }
            }
            ol class="module-list" {
                @for (i, id) in def.modules.iter().enumerate() {
                    @let state = progress.and_then(|p| p.modules.get(i)).map(|m| m.state);
                    li class={ "module-item" @if let Some(s) = state { " state-" (s.slug()) } } {
                        @match site.get(id) {
                            Some(module) => {
                                a href=(module.url()) { (module.title) }
                                @if let Some(minutes) = module.module().and_then(|m| m.minutes) {
                                    " " span class="muted" { "(" (minutes) " min)" }
                                }
                                @if let Some(state) = state {
                                    " " (state_badge(state))
                                }
                                @if let Some(summary) = &module.summary {
                                    p class="module-summary" { (summary) }
                                }
                            }
                            None => { (id) " " span class="badge badge-missing" { "missing" } }
                        }
                    }
                }
            }
        }
        (super::related_links("path-unlocks", "Qualifies you for", &unlocks))
    };
    document_page(ctx, site, doc, main, Vec::new())
}

/// A labelled `<progress>` bar (no inline style: the CSP forbids it) and its words.
pub fn progress_bar(progress: &PathProgress<'_>) -> Markup {
    let id = format!("progress-{}", progress.path.id.as_str().replace('/', "-"));
    html! {
        div class="path-progress" {
            label for=(id) {
                @if progress.complete() {
                    "Complete: all " (progress.total) " modules passed."
                } @else {
                    (progress.passed) " of " (progress.total) " modules passed"
                }
            }
            progress id=(id) max=(progress.total.max(1)) value=(progress.passed) {
                (progress.percent()) "%"
            }
        }
    }
}

/// For a completed path, the resources it counts towards: "You can now request X" when
/// nothing else is required, else what X still needs. Nothing for an incomplete path.
pub fn openings(progress: &PathProgress<'_>) -> Markup {
    html! {
        @if progress.complete() && !progress.opens.is_empty() {
            div class="notice notice-success path-opens" role="note" {
                p class="notice-title" { "Now open to you" }
                ul class="path-opens-list" {
                    @for opening in &progress.opens {
                        li class={ "path-opening" @if opening.ready() { " opening-ready" } } {
                            @if opening.ready() {
                                "You can now request "
                                a href=(opening.resource.url()) { (opening.resource.title) } "."
                            } @else {
                                a href=(opening.resource.url()) { (opening.resource.title) }
                                " also needs "
                                @for (k, path) in opening.waiting_on.iter().enumerate() {
                                    @if k > 0 { ", " }
                                    a href=(path.url()) { (path.title) }
                                }
                                "."
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A module state as a badge.
pub fn state_badge(state: ModuleState) -> Markup {
    html! { span class={ "badge state-badge state-" (state.slug()) } { (state.label()) } }
}

/// A list of links to the documents named by `ids`, marking ids that name nothing.
pub fn doc_links(site: &Site, ids: &[DocId]) -> Markup {
    html! {
        ul {
            @for id in ids {
                li {
                    @match site.get(id) {
                        Some(target) => a href=(target.url()) { (target.title) },
                        None => { (id) " " span class="badge badge-missing" { "missing" } },
                    }
                }
            }
        }
    }
}
