//! Qualification views: status badges, a learner's profile (each resource with status, expiry
//! and the next step) and the admin matrix (learners × resources).
//!
//! The matrix must stay usable at 500 learners × 30 resources, so its cells are as small as
//! HTML allows: a two-letter class for the colour, one character, and a short `title` holding
//! the expiry. Filtering and sorting happen on the server through the query string, so the
//! page needs no script.

use maud::{Markup, html};

use super::layout::{self, Crumb, Page, PageContext};
use super::{format_date, plural};
use crate::model::{Document, Site};
use crate::qualify::matrix::{Matrix, SortKey, View};
use crate::qualify::{Decision, Status};

/// What people read for a status.
pub fn status_label(status: Status) -> &'static str {
    match status {
        Status::Qualified => "Qualified",
        Status::Expiring => "Expiring soon",
        Status::Expired => "Expired",
        Status::Missing => "Not qualified",
    }
}

/// The CSS class of a status: short because the matrix repeats it thousands of times.
fn status_class(status: Status) -> &'static str {
    match status {
        Status::Qualified => "qy",
        Status::Expiring => "qe",
        Status::Expired => "qx",
        Status::Missing => "qm",
    }
}

/// The one character a matrix cell shows (colour is not the only signal).
fn status_mark(status: Status) -> &'static str {
    match status {
        Status::Qualified => "✓",
        Status::Expiring => "!",
        Status::Expired => "✗",
        Status::Missing => "·",
    }
}

/// A coloured label for a status.
pub fn status_badge(status: Status) -> Markup {
    html! { span class={ "badge q-badge " (status_class(status)) } { (status_label(status)) } }
}

/// The badge a search result shows next to a resource-related document (its status decided
/// by `qualify::matrix::document_status`).
pub fn search_badge(status: Status) -> Markup {
    let text = if status.is_qualified() {
        "You may self-serve this"
    } else {
        "Not qualified yet"
    };
    html! { span class={ "badge q-badge " (status_class(status)) } title=(status_label(status)) { (text) } }
}

/// "until 2026-12-01", "lapsed on 2026-01-02", or nothing.
fn expiry_text(d: &Decision) -> String {
    match (d.status, d.expires) {
        (Status::Expired, Some(e)) => format!("lapsed on {}", format_date(e.date())),
        (_, Some(e)) => format!("until {}", format_date(e.date())),
        (Status::Missing, None) => String::new(),
        (_, None) => "does not lapse".to_owned(),
    }
}

/// The next thing to do about one resource: request it, renew it, or the module to take.
pub fn next_step(site: &Site, resource: &Document, d: &Decision) -> Markup {
    let first = d.missing.first().and_then(|id| site.get(id));
    let more = d.missing.len().saturating_sub(1);
    html! {
        @match (d.status, first) {
            (Status::Qualified, _) => {
                @if let Some(link) = resource.resource().and_then(|r| r.self_serve.as_ref()) {
                    a href=(link) rel="noopener" { "Request it" }
                } @else {
                    a href=(resource.url()) { "How to request it" }
                }
            },
            (Status::Expiring, _) => {
                "Retake the modules before " (d.expires.map(|e| format_date(e.date())).unwrap_or_default())
                " to renew — " a href=(resource.url()) { "see which" }
            },
            (_, Some(module)) => {
                @if d.status == Status::Expired { "Retake " } @else { "Take " }
                a href=(module.url()) { (module.title) }
                @if more > 0 { " and " (plural(more, "more module", "more modules")) }
            },
            (_, None) => { a href=(resource.url()) { "See what it needs" } },
        }
    }
}

/// A learner's profile: one line per resource. `own` says whether the viewer is the learner.
pub fn profile(
    ctx: &PageContext<'_>,
    site: &Site,
    learner: &str,
    own: bool,
    decisions: &[Decision],
) -> Markup {
    let title = if own {
        "Your qualifications".to_owned()
    } else {
        format!("Qualifications of {learner}")
    };
    let main = html! {
        h1 { (title) }
        p class="lead" {
            @if own { "What you may self-serve, until when, and what to do next." }
            @else { "What " (learner) " may self-serve, until when, and what to do next." }
        }
        @if decisions.is_empty() {
            p { "This site defines no self-service resources yet." }
        } @else {
            table class="q-profile" {
                thead { tr { th scope="col" { "Resource" } th scope="col" { "Status" } th scope="col" { "Expires" } th scope="col" { "Next step" } } }
                tbody {
                    @for d in decisions {
                        @if let Some(doc) = site.get(&d.resource) {
                            tr {
                                th scope="row" { a href=(doc.url()) { (doc.title) } }
                                td { (status_badge(d.status)) }
                                td { (expiry_text(d)) }
                                td { (next_step(site, doc, d)) }
                            }
                        }
                    }
                }
            }
        }
        p {
            @if own { a href="/my/training" { "Your training progress" } }
            @else { a href={ "/learners/" (learner) "/training" } { "Training progress of " (learner) } }
            @if ctx.viewer.as_ref().is_some_and(|v| v.is_admin) {
                " · " a href="/admin/qualifications" { "All learners (qualification matrix)" }
            }
        }
    };
    layout::render(
        ctx,
        Page {
            title,
            crumbs: vec![Crumb::link("Home", "/"), Crumb::text("Qualifications")],
            main,
            ..Page::default()
        },
    )
}

/// The admin matrix page. `view` is what the query string asked for (to keep the form and
/// links consistent); `as_of` is the audit date when one was given.
pub fn matrix_page(
    ctx: &PageContext<'_>,
    site: &Site,
    m: &Matrix,
    view: &View,
    as_of: Option<&str>,
) -> Markup {
    let all_resources: Vec<&Document> = site
        .of_kind(crate::model::Kind::Resource)
        .map(AsRef::as_ref)
        .collect();
    let columns: Vec<Option<&Document>> = m
        .resources
        .iter()
        .map(|id| site.get(id).map(AsRef::as_ref))
        .collect();
    let query = |sort: SortKey, descending: bool| -> String {
        let mut q = vec![format!(
            "sort={}",
            if sort == SortKey::Qualified {
                "qualified"
            } else {
                "name"
            }
        )];
        if descending {
            q.push("order=desc".to_owned());
        }
        if let Some(r) = &view.resource {
            q.push(format!("resource={}", encode(r.as_str())));
        }
        if let Some(s) = view.status {
            q.push(format!("status={}", s.as_str()));
        }
        if let Some(a) = as_of {
            q.push(format!("as_of={}", encode(a)));
        }
        format!("?{}", q.join("&"))
    };
    // Clicking the current sort column flips its order; another column starts ascending
    // (names) or descending (counts: most qualified first is what people look for).
    let name_link = query(
        SortKey::Name,
        view.sort == SortKey::Name && !view.descending,
    );
    let count_link = query(
        SortKey::Qualified,
        !(view.sort == SortKey::Qualified && view.descending),
    );
    let download = |ext: &str| match as_of {
        Some(a) => format!("/admin/qualifications.{ext}?as_of={}", encode(a)),
        None => format!("/admin/qualifications.{ext}"),
    };
    let main = html! {
        h1 { "Qualification matrix" }
        p class="lead" {
            "Who may self-serve which resource "
            @if let Some(a) = as_of { "as of " (a) } @else { "now" }
            ": " (plural(m.rows.len(), "learner", "learners")) " × " (plural(m.resources.len(), "resource", "resources")) "."
        }
        form class="q-filters" method="get" action="/admin/qualifications" {
            label { "Resource " select name="resource" {
                option value="" { "All" }
                @for r in &all_resources {
                    option value=(r.id) selected[view.resource.as_ref() == Some(&r.id)] { (r.title) }
                }
            } }
            label { "Status " select name="status" {
                option value="" { "Any" }
                @for s in [Status::Qualified, Status::Expiring, Status::Expired, Status::Missing] {
                    option value=(s.as_str()) selected[view.status == Some(s)] { (status_label(s)) }
                }
            } }
            label { "Sort by " select name="sort" {
                option value="name" selected[view.sort == SortKey::Name] { "Name" }
                option value="qualified" selected[view.sort == SortKey::Qualified] { "Qualified count" }
            } }
            label { "Order " select name="order" {
                option value="asc" selected[!view.descending] { "Ascending" }
                option value="desc" selected[view.descending] { "Descending" }
            } }
            label { "As of " input type="date" name="as_of" value=[as_of]; }
            button class="button" type="submit" { "Apply" }
        }
        p class="q-downloads" {
            "Download: " a href=(download("csv")) download { "CSV" } " · " a href=(download("json")) download { "JSON" }
        }
        p class="q-legend" {
            @for (status, count) in m.counts() {
                span class={ "q-key " (status_class(status)) } { (status_mark(status)) } " " (status_label(status)) " (" (count) ") "
            }
        }
        @if m.rows.is_empty() {
            p { "No learner matches these filters." }
        } @else {
            // A focusable region: the matrix scrolls in its own box, keyboards included.
            div class="q-wrap" role="region" tabindex="0" aria-label="Qualification matrix" {
                table class="q-matrix" {
                    thead { tr {
                        th scope="col" { a href=(name_link) { "Learner" } }
                        th scope="col" { a href=(count_link) title="Resources the learner may self-serve now" { "#" } }
                        @for (id, doc) in m.resources.iter().zip(&columns) {
                            th scope="col" class="q-col" {
                                @match doc {
                                    Some(doc) => a href=(doc.url()) title=(doc.title) { span { (id) } },
                                    None => span { (id) },
                                }
                            }
                        }
                    } }
                    tbody {
                        @for row in &m.rows {
                            tr {
                                th scope="row" { a href={ "/learners/" (row.name) } { (row.name) } }
                                td { (row.qualified_count()) }
                                @for d in &row.decisions {
                                    td class=(status_class(d.status)) title=(cell_title(d)) { (status_mark(d.status)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    layout::render(
        ctx,
        Page {
            title: "Qualification matrix".into(),
            crumbs: vec![
                Crumb::link("Home", "/"),
                Crumb::text("Qualification matrix"),
            ],
            main,
            ..Page::default()
        },
    )
}

/// A cell's tooltip: short, since there are thousands of them.
fn cell_title(d: &Decision) -> String {
    match d.status {
        Status::Missing => format!("missing {}", d.missing.len()),
        _ => expiry_text(d),
    }
}

/// Percent-encodes a query value (ids may hold `/`; dates hold `:` and `+`).
fn encode(raw: &str) -> String {
    percent_encoding::utf8_percent_encode(raw, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[cfg(test)]
#[path = "qualifications_tests.rs"]
mod tests;
