//! The platform team's list of help requests (admin-only): filter by status and tree, read the
//! answers and note that led to each request, reply (which marks it answered), and move it
//! open → answered → closed. The parts a requester sees too (answers, reply) are here as well,
//! for [`super::requests_mine`].

use maud::{Markup, html};

use crate::records::{HelpRequest, RequestStatus};

use super::tree_outcome::NOTE_MAX;

use super::layout::{self, Crumb, Page, PageContext, csrf_field};
use super::tree_steps::encode_id;

/// One request with what the page shows next to it, gathered by the handler.
#[derive(Debug, Clone)]
pub struct RequestRow<'a> {
    /// The stored request.
    pub request: &'a HelpRequest,
    /// The tree's title and URL, when the tree still exists.
    pub tree: Option<(String, String)>,
    /// Each trail step's title (its id when the tree no longer has it).
    pub trail: Vec<String>,
    /// The URL of the step where the walk ended, when it is still a walk of the tree.
    pub walk_url: Option<String>,
    /// The learner's account name, when the request was sent signed in.
    pub user: Option<String>,
    /// The account name of whoever replied, when known.
    pub replied_by: Option<String>,
}

/// The current filter, as the query string had it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFilter {
    /// `None`: every status.
    pub status: Option<RequestStatus>,
    /// `None`: every tree.
    pub tree: Option<String>,
}

impl RequestFilter {
    /// The list URL for this filter (where status forms return to).
    pub fn url(&self) -> String {
        let mut params = Vec::new();
        if let Some(s) = self.status {
            params.push(format!("status={}", s.as_str()));
        }
        if let Some(t) = &self.tree {
            params.push(format!("tree={}", encode_id(t)));
        }
        if params.is_empty() {
            "/requests".to_owned()
        } else {
            format!("/requests?{}", params.join("&"))
        }
    }
}

const STATUSES: [RequestStatus; 3] = [
    RequestStatus::Open,
    RequestStatus::Answered,
    RequestStatus::Closed,
];

/// The requests page. `trees` lists (id, title) for the tree filter.
pub fn page(
    ctx: &PageContext<'_>,
    rows: &[RequestRow<'_>],
    filter: &RequestFilter,
    trees: &[(String, String)],
) -> Markup {
    let main = html! {
        h1 { "Help requests" }
        p class="lead" {
            "Walks through troubleshooting trees that ended in “ask the platform team”, newest first."
        }
        form class="requests-filter" method="get" action="/requests" {
            label for="requests-status" { "Status" }
            select id="requests-status" name="status" {
                option value="" selected[filter.status.is_none()] { "Any" }
                @for s in STATUSES {
                    option value=(s.as_str()) selected[filter.status == Some(s)] { (s.as_str()) }
                }
            }
            label for="requests-tree" { "Tree" }
            select id="requests-tree" name="tree" {
                option value="" selected[filter.tree.is_none()] { "Any" }
                @for (id, title) in trees {
                    option value=(id) selected[filter.tree.as_deref() == Some(id.as_str())] { (title) }
                }
            }
            button type="submit" class="button" { "Filter" }
        }
        @if rows.is_empty() {
            p class="requests-empty" { "No help requests match." }
        } @else {
            p class="muted" { (super::plural(rows.len(), "request", "requests")) }
            ol class="requests-list" {
                @for row in rows {
                    (request_item(ctx, row, filter))
                }
            }
        }
    };
    layout::render(
        ctx,
        Page {
            title: "Help requests".into(),
            crumbs: vec![Crumb::link("Home", "/"), Crumb::text("Help requests")],
            main,
            ..Page::default()
        },
    )
}

fn request_item(ctx: &PageContext<'_>, row: &RequestRow<'_>, filter: &RequestFilter) -> Markup {
    let r = row.request;
    html! {
        li class={ "request request-" (r.status.as_str()) } id={ "request-" (r.id.0) } {
            (request_head(row))
            p class="request-meta muted" {
                "Sent " time datetime=(rfc3339(r.created_at)) { (short_time(r.created_at)) }
                @match &row.user {
                    Some(name) => { " by " strong { (name) } },
                    None => { " anonymously" },
                }
                @if let Some(contact) = &r.contact {
                    " · contact: " span class="request-contact" { (contact) }
                }
                @if r.updated_at != r.created_at {
                    " · updated " time datetime=(rfc3339(r.updated_at)) { (short_time(r.updated_at)) }
                }
            }
            (answers(row))
            @if let Some(url) = &row.walk_url {
                p { a href=(url) { "Open the step where the walk ended" } }
            }
            (note(r))
            @if let Some(reply) = &r.reply {
                div class="request-reply" {
                    p class="request-reply-head" {
                        "Reply"
                        @if let Some(name) = &row.replied_by { " by " strong { (name) } }
                        ", " time datetime=(rfc3339(reply.at)) { (short_time(reply.at)) }
                    }
                    blockquote class="request-reply-text" { (reply.text) }
                }
            }
            form class="request-reply-form" method="post" action={ "/requests/" (r.id.0) "/reply" } {
                (csrf_field(ctx))
                input type="hidden" name="return" value=(filter.url());
                label for={ "reply-" (r.id.0) } { "Reply" }
                textarea id={ "reply-" (r.id.0) } name="reply" rows="4" maxlength=(NOTE_MAX) required {
                    @if let Some(reply) = &r.reply { (reply.text) }
                }
                button type="submit" class="button" {
                    @if r.reply.is_some() { "Update the reply" } @else { "Send reply" }
                }
            }
            form class="request-actions" method="post" action={ "/requests/" (r.id.0) "/status" } {
                (csrf_field(ctx))
                input type="hidden" name="return" value=(filter.url());
                @for s in STATUSES {
                    @if s != r.status {
                        button type="submit" name="status" value=(s.as_str()) class="button button-secondary" {
                            (action_label(r.status, s))
                        }
                    }
                }
            }
        }
    }
}

/// The walk as questions and the answers chosen, then where it ended; requests from before
/// answers were kept show the steps' titles.
pub(super) fn answers(row: &RequestRow<'_>) -> Markup {
    let r = row.request;
    html! {
        @if r.answers.is_empty() {
            ol class="request-trail" aria-label="Walk" {
                @for title in &row.trail { li { (title) } }
            }
        } @else {
            div class="request-answers" {
                p class="request-answers-title" { "Answers" }
                ol {
                    @for a in &r.answers {
                        li { (a.question) " → " strong { (a.answer) } }
                    }
                    @if let Some(end) = row.trail.last() {
                        li class="request-answers-end" { "Ended at: " (end) }
                    }
                }
            }
        }
    }
}

/// The requester's note.
pub(super) fn note(r: &HelpRequest) -> Markup {
    html! {
        @match &r.note {
            Some(note) if !note.trim().is_empty() => blockquote class="request-note" { (note) },
            _ => p class="muted" { "No note." },
        }
    }
}

/// The status as a coloured label.
/// A request's heading: its number, the tree it came from, its status.
pub(super) fn request_head(row: &RequestRow<'_>) -> Markup {
    let r = row.request;
    html! {
        header class="request-head" {
            h2 { "#" (r.id.0) " · "
                @match &row.tree {
                    Some((title, url)) => a href=(url) { (title) },
                    None => code { (r.tree_id) },
                }
            }
            (status_badge(r.status))
        }
    }
}

pub(super) fn status_badge(status: RequestStatus) -> Markup {
    html! {
        span class={ "badge request-status request-status-" (status.as_str()) } { (status.as_str()) }
    }
}

/// The button text for moving a request from `from` to `to`.
fn action_label(from: RequestStatus, to: RequestStatus) -> &'static str {
    match (from, to) {
        (_, RequestStatus::Answered) => "Mark answered",
        (_, RequestStatus::Closed) => "Close",
        (_, RequestStatus::Open) => "Reopen",
    }
}

pub(super) fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub(super) fn short_time(t: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    t.format(format).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_urls_keep_status_and_escape_the_tree() {
        assert_eq!(RequestFilter::default().url(), "/requests");
        let f = RequestFilter {
            status: Some(RequestStatus::Open),
            tree: Some("troubleshooting/pod crash".into()),
        };
        assert_eq!(
            f.url(),
            "/requests?status=open&tree=troubleshooting%2Fpod%20crash"
        );
    }

    #[test]
    fn every_move_has_a_label() {
        assert_eq!(
            action_label(RequestStatus::Open, RequestStatus::Answered),
            "Mark answered"
        );
        assert_eq!(
            action_label(RequestStatus::Closed, RequestStatus::Open),
            "Reopen"
        );
    }
}
