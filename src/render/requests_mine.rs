//! The requester's side of help requests: "My help requests" (`/my/requests`, signed in) and
//! one request behind its private link (`/requests/private/{token}`, for whoever holds it),
//! each with its status, answers, note and the platform team's reply.

use maud::{Markup, html};

use super::layout::{self, Crumb, Page, PageContext};
use super::requests::{RequestRow, answers, note, request_head, rfc3339, short_time};

/// `/my/requests`: the signed-in person's requests, newest first.
pub fn my_page(ctx: &PageContext<'_>, rows: &[RequestRow<'_>]) -> Markup {
    let main = html! {
        h1 { "My help requests" }
        p class="lead" {
            "Help requests you sent from troubleshooting trees, newest first, with the platform team's replies."
        }
        @if rows.is_empty() {
            p class="requests-empty" {
                "You have not sent any help requests. When a troubleshooting tree ends in “ask the platform team”, the request you send shows up here."
            }
        } @else {
            ol class="requests-list" {
                @for row in rows {
                    li { (request_card(row)) }
                }
            }
        }
    };
    layout::render(
        ctx,
        Page {
            title: "My help requests".into(),
            crumbs: vec![Crumb::link("Home", "/"), Crumb::text("My help requests")],
            main,
            ..Page::default()
        },
    )
}

/// The page behind a private link: the request, and the link to keep. `just_sent` after the
/// help form's redirect.
pub fn private_page(
    ctx: &PageContext<'_>,
    row: &RequestRow<'_>,
    link: &str,
    just_sent: bool,
) -> Markup {
    let id = row.request.id.0;
    let main = html! {
        @if just_sent {
            div class="help-sent" role="status" {
                h1 class="help-sent-title" { "Help request #" (id) " sent" }
                p { "The platform team has your answers and your note." }
            }
        } @else {
            h1 { "Help request #" (id) }
        }
        div class="help-private-link" {
            p {
                "Keep this link to see the answer: "
                a href=(link) class="help-private-url" { (link) }
            }
            p class="muted" {
                "Anyone with the link can read this request and its reply, so share it only with people who may."
            }
        }
        (request_card(row))
    };
    layout::render(
        ctx,
        Page {
            title: format!("Help request #{id}"),
            crumbs: vec![
                Crumb::link("Home", "/"),
                Crumb::text(format!("Help request #{id}")),
            ],
            main,
            ..Page::default()
        },
    )
}

/// One request as its requester sees it (no contact, no account names).
fn request_card(row: &RequestRow<'_>) -> Markup {
    let r = row.request;
    html! {
        article class={ "request request-" (r.status.as_str()) } id={ "request-" (r.id.0) } {
            (request_head(row))
            p class="request-meta muted" {
                "Sent " time datetime=(rfc3339(r.created_at)) { (short_time(r.created_at)) }
            }
            (answers(row))
            (note(r))
            @match &r.reply {
                Some(reply) => div class="request-reply" {
                    p class="request-reply-head" {
                        "Reply from the platform team, "
                        time datetime=(rfc3339(reply.at)) { (short_time(reply.at)) }
                    }
                    blockquote class="request-reply-text" { (reply.text) }
                },
                None => p class="request-no-reply muted" { "No reply yet." },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{Answer, HelpRequest, OutcomeId, Reply, RequestId, RequestStatus};

    fn ctx() -> PageContext<'static> {
        PageContext::for_tests("/my/requests", None, time::macros::date!(2026 - 01 - 01))
    }

    fn request(reply: Option<Reply>) -> HelpRequest {
        let at = time::macros::datetime!(2026-01-02 10:00 UTC);
        HelpRequest {
            id: RequestId(4),
            outcome_id: OutcomeId(9),
            tree_id: "pods".into(),
            trail: vec!["start".into(), "ask".into()],
            note: Some("exit code <137>".into()),
            contact: Some("ada@example.com".into()),
            status: if reply.is_some() {
                RequestStatus::Answered
            } else {
                RequestStatus::Open
            },
            user_id: None,
            created_at: at,
            updated_at: at,
            answers: vec![Answer {
                question: "Restarting?".into(),
                answer: "Yes".into(),
            }],
            reply,
        }
    }

    fn row(r: &HelpRequest) -> RequestRow<'_> {
        RequestRow {
            request: r,
            tree: Some(("Pods".into(), "/trees/pods".into())),
            trail: vec!["Start".into(), "Ask us".into()],
            walk_url: None,
            user: Some("ada".into()),
            replied_by: Some("root".into()),
        }
    }

    #[test]
    fn the_requester_sees_answers_note_status_and_reply_but_no_contact() {
        let at = time::macros::datetime!(2026-01-03 09:30 UTC);
        let r = request(Some(Reply {
            text: "Raise the limit.".into(),
            by: None,
            at,
        }));
        let html = my_page(&ctx(), &[row(&r)]).into_string();
        assert!(
            html.contains("Restarting? → <strong>Yes</strong>"),
            "{html}"
        );
        assert!(html.contains("Ended at: Ask us"));
        assert!(html.contains("exit code &lt;137&gt;"));
        assert!(html.contains("request-status-answered"));
        assert!(html.contains("Reply from the platform team"));
        assert!(html.contains("Raise the limit."));
        assert!(!html.contains("ada@example.com") && !html.contains("<strong>root"));
        let open = request(None);
        let html = my_page(&ctx(), &[row(&open)]).into_string();
        assert!(html.contains("No reply yet."));
        let none = my_page(&ctx(), &[]).into_string();
        assert!(none.contains("You have not sent any help requests."));
    }

    #[test]
    fn the_private_page_shows_the_link_to_keep() {
        let r = request(None);
        let link = "http://kb.example/requests/private/abc";
        let sent = private_page(&ctx(), &row(&r), link, true).into_string();
        assert!(sent.contains("Help request #4 sent"));
        assert!(sent.contains("Keep this link to see the answer: "));
        assert!(sent.contains(&format!(r#"href="{link}""#)));
        let later = private_page(&ctx(), &row(&r), link, false).into_string();
        assert!(!later.contains("sent</h1>") && later.contains("Help request #4"));
    }
}
