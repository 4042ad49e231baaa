//! The admins' webhook delivery log: each recent message, where its delivery stands, the
//! last attempt's answer and the next retry, with a button to send it again.

use maud::{Markup, html};
use time::OffsetDateTime;

use super::layout::{self, Crumb, Page, PageContext, csrf_field};
use crate::records::webhooks::{Delivery, DeliveryStatus, rfc3339};

/// The "Webhooks" page.
pub fn page(
    ctx: &PageContext<'_>,
    enabled: bool,
    filter: Option<DeliveryStatus>,
    deliveries: &[Delivery],
) -> Markup {
    let when = |at: OffsetDateTime| rfc3339(at);
    let main = html! {
        h1 { "Webhooks" }
        @if enabled {
            p class="lead" {
                "Messages to the webhook receiver, newest first. A failed attempt is retried after 5 seconds, "
                "5 minutes, 30 minutes, 2, 5, 10 and 10 hours; then the message is marked failed. "
                "Redeliver sends one again now, with the same id."
            }
        } @else {
            p class="lead" {
                "Webhooks are off: set " code { "SELFSERVE_WEBHOOK_URL" } " and " code { "SELFSERVE_WEBHOOK_SECRET" }
                " (or " code { "webhook_url" } " and " code { "webhook_secret" } " in the server config file) and restart. "
                "Messages queued earlier are listed below."
            }
        }
        p {
            "Show: "
            a href="/admin/webhooks" aria-current=[filter.is_none().then_some("page")] { "all" }
            @for status in [DeliveryStatus::Pending, DeliveryStatus::Delivered, DeliveryStatus::Failed] {
                " · "
                a href={ "/admin/webhooks?status=" (status.as_str()) }
                    aria-current=[(filter == Some(status)).then_some("page")] { (status.as_str()) }
            }
            " · " a href="/api/v1/webhooks/deliveries" { "The same as JSON" }
        }
        @if deliveries.is_empty() {
            p class="muted" { "No webhook message yet." }
        } @else {
            table class="webhook-log" {
                thead { tr {
                    th scope="col" { "Event" }
                    th scope="col" { "Queued" }
                    th scope="col" { "Status" }
                    th scope="col" { "Attempts" }
                    th scope="col" { "Last answer" }
                    th scope="col" { "Next attempt" }
                    th scope="col" { span class="visually-hidden" { "Action" } }
                } }
                tbody {
                    @for d in deliveries {
                        tr id=(d.id) {
                            th scope="row" { (d.event) br; code { (d.id) } }
                            td { (when(d.created_at)) }
                            td { span class={ "badge " (badge(d.status)) } { (d.status.as_str()) } }
                            td { (d.attempts) }
                            td {
                                @match &d.last {
                                    Some(last) => {
                                        @match (last.http_status, &last.error) {
                                            (_, Some(error)) => { (error) },
                                            (Some(status), None) => { "HTTP " (status) },
                                            (None, None) => { "—" },
                                        }
                                        " (" (last.duration_ms) " ms, " (when(last.at)) ")"
                                    },
                                    None => { "—" },
                                }
                            }
                            td { @match d.next_attempt_at { Some(at) => { (when(at)) }, None => { "—" } } }
                            td {
                                form class="inline-form" method="post" action={ "/admin/webhooks/" (d.id) "/redeliver" } {
                                    (csrf_field(ctx))
                                    button type="submit" { "Redeliver" }
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
            title: "Webhooks".into(),
            crumbs: vec![Crumb::link("Home", "/"), Crumb::text("Webhooks")],
            main,
            ..Page::default()
        },
    )
}

/// The badge colour of a status: the ones the stylesheet has for "done" and "wrong".
fn badge(status: DeliveryStatus) -> &'static str {
    match status {
        DeliveryStatus::Pending => "badge-module",
        DeliveryStatus::Delivered => "badge-resolved",
        DeliveryStatus::Failed => "badge-error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::webhooks::AttemptResult;

    #[test]
    fn the_log_shows_each_message_its_last_answer_and_a_redeliver_form() {
        let at = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time");
        let ctx = PageContext::for_tests("/admin/webhooks", Some("tok"), at.date());
        let failed = Delivery {
            id: "msg_1".into(),
            event: "help_request.created".into(),
            payload: "{}".into(),
            created_at: at,
            status: DeliveryStatus::Failed,
            attempts: 8,
            next_attempt_at: None,
            last: Some(AttemptResult {
                at,
                http_status: Some(500),
                error: Some("the receiver answered HTTP 500".into()),
                duration_ms: 42,
            }),
        };
        let html = page(&ctx, true, Some(DeliveryStatus::Failed), &[failed]).into_string();
        for want in [
            "help_request.created",
            "msg_1",
            "badge badge-error",
            "the receiver answered HTTP 500 (42 ms, 2027-01-15T08:00:00Z)",
            r#"action="/admin/webhooks/msg_1/redeliver""#,
            r#"name="csrf" value="tok""#,
            r#"href="/admin/webhooks?status=failed" aria-current="page""#,
        ] {
            assert!(html.contains(want), "{want} in {html}");
        }
        let off = page(&ctx, false, None, &[]).into_string();
        assert!(off.contains("Webhooks are off") && off.contains("No webhook message yet"));
    }
}
