//! Resources: what a team can self-serve once qualified. The page leads with what the viewer
//! can do about it — the `self_serve` link for the qualified, "what to complete first" for
//! everyone else — then how to qualify, and (for admins) who is qualified and who is lapsing.

use maud::{Markup, html};
use time::OffsetDateTime;

use crate::model::{Document, Site};
use crate::qualify::{Decision, Requirements, Status};

use super::document::{body_of, document_page};
use super::format_date;
use super::layout::PageContext;
use super::path::doc_links;
use super::plural;
use super::qualifications::status_badge;
use super::urls::sign_in_url;

/// Who holds a qualification for one resource, for admins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roster {
    /// Qualified and not lapsing soon: (learner, expiry if it lapses).
    pub qualified: Vec<(String, Option<OffsetDateTime>)>,
    /// Lapsing within the warning window, soonest first.
    pub expiring: Vec<(String, OffsetDateTime)>,
    /// How many learners' qualification has lapsed.
    pub expired: usize,
}

impl Roster {
    /// Builds the roster from (learner, decision) pairs for this resource.
    pub fn from_decisions<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a Decision)>) -> Self {
        let mut roster = Roster::default();
        for (name, d) in pairs {
            match (d.status, d.expires) {
                (Status::Qualified, expires) => roster.qualified.push((name.to_owned(), expires)),
                (Status::Expiring, Some(e)) => roster.expiring.push((name.to_owned(), e)),
                (Status::Expiring, None) => roster.qualified.push((name.to_owned(), None)),
                (Status::Expired, _) => roster.expired += 1,
                (Status::Missing, _) => {}
            }
        }
        roster
            .expiring
            .sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        roster
    }
}

/// What the page knows about the viewer and, for admins, everyone.
#[derive(Debug, Clone, Default)]
pub struct ResourceView {
    /// The viewer's decision; `None` for anonymous visitors.
    pub decision: Option<Decision>,
    /// Everyone's standing; only for admins.
    pub roster: Option<Roster>,
}

/// A resource page as anonymous visitors see it.
pub fn page(ctx: &PageContext<'_>, site: &Site, doc: &Document) -> Markup {
    page_for(ctx, site, doc, &ResourceView::default())
}

/// A resource page for the viewer described by `view`.
pub fn page_for(ctx: &PageContext<'_>, site: &Site, doc: &Document, view: &ResourceView) -> Markup {
    let def = doc.resource().cloned().unwrap_or_default();
    let req = Requirements::of(site, &doc.id);
    let paths = req.as_ref().map(|r| r.paths.clone()).unwrap_or_default();
    let about: Vec<&Document> = site
        .documents
        .values()
        .filter(|d| d.resources.contains(&doc.id))
        .map(AsRef::as_ref)
        .collect();
    let main = html! {
        (action(site, doc, view.decision.as_ref(), ctx.viewer.is_some()))
        (body_of(doc))
        section class="qualify" aria-labelledby="resource-qualify" {
            h2 id="resource-qualify" { "How to qualify" }
            @if paths.is_empty() {
                p { "No training is required for this resource." }
            } @else {
                p { "Finish every module of these training paths"
                    @if paths.len() > def.requires.len() { " (prerequisites first)" } ":" }
                (doc_links(site, &paths))
            }
            p {
                @match def.valid_for {
                    Some(valid) => { "A qualification lasts " (valid.days()) " days after your oldest module pass; retake the modules to renew it." },
                    None => "A qualification does not lapse.",
                }
            }
        }
        @if let Some(roster) = &view.roster {
            (roster_section(roster))
        }
        @if !about.is_empty() {
            section class="related" aria-labelledby="resource-docs" {
                h2 id="resource-docs" { "Documentation" }
                ul {
                    @for d in &about {
                        li { a href=(d.url()) { (d.title) } " " span class="muted" { "(" (d.kind) ")" } }
                    }
                }
            }
        }
    };
    document_page(ctx, site, doc, main, Vec::new())
}

/// The box at the top: the main action for the qualified, the modules to take for others.
fn action(site: &Site, doc: &Document, decision: Option<&Decision>, signed_in: bool) -> Markup {
    let link = doc.resource().and_then(|r| r.self_serve.clone());
    let request = |primary: bool| {
        html! {
            @if let Some(link) = &link {
                p { a class={ "button" @if !primary { " button-secondary" } } href=(link) rel="noopener" { "Request " (doc.title) } }
            }
        }
    };
    let until = |d: &Decision| d.expires.map(|e| format_date(e.date()));
    html! {
        @match decision {
            Some(d) if d.status.is_qualified() => {
                div class={ "notice q-action " @if d.status == Status::Expiring { "notice-warning" } @else { "notice-success" } } {
                    p class="notice-title" { (status_badge(d.status)) " You may self-serve this resource" }
                    p {
                        @match until(d) {
                            Some(date) => { "Your qualification is valid until " (date) "." }
                            None => "Your qualification does not lapse.",
                        }
                        @if d.status == Status::Expiring { " Retake its modules before then to renew it." }
                    }
                    (request(true))
                }
            },
            Some(d) => {
                div class="notice notice-warning q-action" {
                    p class="notice-title" { (status_badge(d.status)) " What to complete first" }
                    p {
                        @if d.status == Status::Expired {
                            "Your qualification lapsed"
                            @if let Some(date) = until(d) { " on " (date) }
                            ". Retake these modules to renew it:"
                        } @else {
                            "You can request this resource once you have passed "
                            (plural(d.missing.len(), "more module", "more modules")) ":"
                        }
                    }
                    (module_list(site, &d.missing))
                    (request(false))
                }
            },
            // No decision, no portal button: it would offer a request nobody has checked.
            None => {
                div class="notice q-action q-anonymous" {
                    p class="notice-title" { "Self-service" }
                    p {
                        @if signed_in { "Your training record could not be read; try again in a moment." }
                        @else {
                            a class="q-sign-in" href=(sign_in_url(&doc.url())) {
                                "Sign in to see whether you may request " (doc.title)
                            }
                            " and what to complete first."
                        }
                    }
                }
            },
        }
    }
}

/// Modules to take, linked, in the order the paths list them.
fn module_list(site: &Site, ids: &[crate::model::DocId]) -> Markup {
    html! {
        ol class="q-missing" {
            @for id in ids {
                li {
                    @match site.get(id) {
                        Some(m) => {
                            a href=(m.url()) { (m.title) }
                            @if let Some(minutes) = m.module().and_then(|m| m.minutes) {
                                " " span class="muted" { "(" (minutes) " min)" }
                            }
                        },
                        None => (id),
                    }
                }
            }
        }
    }
}

/// Admins: who may self-serve it now and who is about to lapse.
fn roster_section(roster: &Roster) -> Markup {
    html! {
        section class="q-roster" aria-labelledby="resource-roster" {
            h2 id="resource-roster" { "Who may self-serve it" }
            p {
                (plural(roster.qualified.len() + roster.expiring.len(), "learner is", "learners are")) " qualified"
                @if !roster.expiring.is_empty() { ", " (roster.expiring.len()) " of them lapsing soon" }
                @if roster.expired > 0 { "; " (plural(roster.expired, "qualification has", "qualifications have")) " lapsed" }
                ". " a href="/admin/qualifications" { "Qualification matrix" }
            }
            @if !roster.expiring.is_empty() {
                h3 { "Expiring soon" }
                ul class="q-people" {
                    @for (name, at) in &roster.expiring {
                        li { a href={ "/learners/" (name) } { (name) } " " span class="muted" { "until " (format_date(at.date())) } }
                    }
                }
            }
            @if !roster.qualified.is_empty() {
                details {
                    summary { "Qualified (" (roster.qualified.len()) ")" }
                    ul class="q-people" {
                        @for (name, at) in &roster.qualified {
                            li {
                                a href={ "/learners/" (name) } { (name) }
                                @if let Some(at) = at { " " span class="muted" { "until " (format_date(at.date())) } }
                            }
                        }
                    }
                }
            }
        }
    }
}
