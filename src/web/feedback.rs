//! "Was this helpful?" over HTTP (issue 16): what the HTML form and the JSON API share — which
//! pages take votes, the per-client rate limit, and storing a vote — and the form's handler,
//! `POST /docs/{id}/feedback` (routed in [`super::kinds`]; the API is in [`super::api`]).
//!
//! Votes are anonymous: nothing about the voter is stored, signed in or not. That is also why
//! the form carries no CSRF token: guide pages are served to anonymous readers from the page
//! cache, which must hold nothing per visitor, and a forged vote could do nothing a vote sent
//! straight from anywhere cannot. Other sites' browser posts are still refused by the
//! authentication middleware (`Sec-Fetch-Site` / `Origin`), and every vote takes a slot of the
//! client address's rate limit, shared by the form and the API and by every replica.
//!
//! The form answers 303 back to the page it was on, at `#feedback-thanks`: a thank-you the
//! page holds hidden and the stylesheet shows when it is the URL's target, so the cached
//! page needs no per-request part and the flow works without JavaScript.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use serde::Deserialize;
use time::OffsetDateTime;

use super::auth::RequestMeta;
use super::error::blocking;
use super::trees::limit::retry_after_secs;
use super::{AppError, AppState};
use crate::model::{Document, Kind, Site};
use crate::store::page_feedback::{FeedbackId, NewFeedback};
use crate::store::{RateSlot, SearchLogLimits};

/// Largest form or JSON body accepted: a full comment, every character percent-encoded
/// from four UTF-8 bytes, and room for the other fields.
pub const BODY_LIMIT: usize = 32 * 1024;

/// Votes allowed per client address per [`WINDOW`]: more than a reader gives while reading,
/// few enough that a script cannot swing a page's rate or fill the table.
pub const VOTES_PER_WINDOW: u32 = 10;

/// The rate limit's window.
pub const WINDOW: Duration = Duration::from_secs(600);

/// The page with this id, when it takes votes (guides and troubleshooting trees); otherwise
/// a 404 that says so.
pub fn votable<'s>(site: &'s Site, id: &str) -> Result<&'s Arc<Document>, AppError> {
    site.get_str(id)
        .filter(|d| matches!(d.kind, Kind::Guide | Kind::Troubleshooting))
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "There is no guide or troubleshooting tree with the id “{id}”, so there is nothing to send feedback on."
            ))
        })
}

/// Takes a slot of the client's vote limit; an error with a sentence and `Retry-After` when
/// the client is over it. Requests without a client address (a Unix socket in front) are
/// not counted.
pub async fn take_vote_slot(req: &HttpRequest, state: &AppState) -> Result<(), AppError> {
    let client: Option<IpAddr> = req
        .extensions()
        .get::<RequestMeta>()
        .and_then(|m| m.client_ip)
        .or_else(|| req.peer_addr().map(|a| a.ip()));
    let Some(client) = client else {
        return Ok(());
    };
    let store = state.store.clone();
    let key = format!("feedback:{client}");
    let slot = blocking(move || {
        store.take_rate_slot(&key, VOTES_PER_WINDOW, WINDOW, OffsetDateTime::now_utc())
    })
    .await?;
    match slot {
        RateSlot::Taken => Ok(()),
        RateSlot::Full { retry_after } => {
            let seconds = retry_after_secs(retry_after);
            let minutes = seconds.div_ceil(60);
            Err(AppError::WaitBeforeRetry(
                format!(
                    "This address has sent {VOTES_PER_WINDOW} answers in the last {} minutes, the most the site takes; wait {minutes} minute{} and send it again.",
                    WINDOW.as_secs() / 60,
                    if minutes == 1 { "" } else { "s" },
                ),
                seconds,
            ))
        }
    }
}

/// A vote on `doc` (the caller found it with [`votable`]), checked before it takes a slot
/// of the rate limit: a 400 with a sentence for a comment that is too long.
pub fn new_vote(
    doc: &Document,
    helpful: bool,
    comment: Option<&str>,
) -> Result<NewFeedback, AppError> {
    NewFeedback::new(doc.id.as_str(), helpful, comment).map_err(AppError::BadRequest)
}

/// Stores a vote; its id. The table is pruned to the search log's bounds from the current
/// `site.toml`.
pub async fn record_vote(state: &AppState, vote: NewFeedback) -> Result<FeedbackId, AppError> {
    let bounds = state.snapshot.load().site.config.search_log;
    let limits = SearchLogLimits {
        retention_days: bounds.retention_days,
        max_rows: bounds.max_rows,
    };
    let store = state.store.clone();
    blocking(move || store.insert_feedback(&vote, limits)).await
}

/// The form's fields, all optional so each mistake gets its own sentence.
#[derive(Debug, Deserialize)]
pub(super) struct FeedbackForm {
    helpful: Option<String>,
    comment: Option<String>,
    back: Option<String>,
}

/// `POST /docs/{id}/feedback`: stores the vote, then 303 to the page it came from.
pub(super) async fn post_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<FeedbackForm>,
) -> Result<HttpResponse, AppError> {
    let snapshot = state.snapshot.load_full();
    let doc = votable(&snapshot.site, &id)?;
    let helpful = match form.helpful.as_deref() {
        Some("yes") => true,
        Some("no") => false,
        _ => {
            return Err(AppError::BadRequest(
                "Choose Yes or No to say whether the page helped.".into(),
            ));
        }
    };
    let vote = new_vote(doc, helpful, form.comment.as_deref())?;
    take_vote_slot(&req, &state).await?;
    record_vote(&state, vote).await?;
    let back = back_to(doc, form.back.as_deref());
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("{back}#feedback-thanks")))
        .finish())
}

/// Where the form sends the reader back to: the page itself, or one of its own addresses
/// (a tree's step, `?at=…&trail=…`), never anywhere else.
fn back_to(doc: &Document, asked: Option<&str>) -> String {
    let url = doc.url();
    match asked {
        Some(back)
            if back
                .strip_prefix(url.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('?'))
                && !back.contains(['#', '\r', '\n', '\\']) =>
        {
            back.to_owned()
        }
        _ => url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_way_back_stays_on_the_page() {
        let mut doc = Document::sample("troubleshooting/pod-crash", Kind::Troubleshooting);
        doc.kind = Kind::Troubleshooting;
        let url = doc.url();
        assert_eq!(back_to(&doc, None), url);
        let step = format!("{url}?at=oom&trail=start,oom");
        assert_eq!(back_to(&doc, Some(&step)), step);
        for bad in [
            "https://evil.example/",
            "//evil.example",
            &format!("{url}-other"),
            &format!("{url}?a=1#x"),
            &format!("{url}?a=\r\nSet-Cookie: x"),
        ] {
            assert_eq!(back_to(&doc, Some(bad)), url, "{bad}");
        }
    }
}
