//! `/insights/pages` (issue 16, item 3): "Was this helpful?" per page in the viewer's scope,
//! the worst-rated pages and the overdue reviews by owner, and votes per day;
//! `/insights/pages/{id}`: one page's rate, trend and comments, newest first, 50 to a page
//! (`?from=N` skips N). `?days=N` picks the period, `?format=csv` answers the page's table
//! as CSV. The JSON twin, `GET /api/v1/insights/pages`, is in `web::api::feedback`.

use actix_web::{HttpRequest, HttpResponse, web};
use time::OffsetDateTime;

use super::super::error::blocking;
use super::super::{AppError, AppState};
use super::{InsightsViewer, csv_response, period_and_params, private_html};
use crate::insights::Period;
use crate::insights::pages::{PageFigures, PagesReport, page_figures, report, sees, trend};
use crate::records::PageVotes;
use crate::render::format_date;
use crate::render::insights::pages::{self as view, COMMENTS_PER_PAGE, PageDetail};
use crate::web::context::page_context;

/// Registers the pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/insights/pages", web::get().to(pages_page))
        .route("/insights/pages/{id:.*}", web::get().to(page_page));
}

/// The report for `viewer` over `period`, read from the store off the async workers.
pub(in crate::web) async fn gather(
    state: &AppState,
    viewer: &InsightsViewer,
    period: Period,
) -> Result<PagesReport, AppError> {
    let now = OffsetDateTime::now_utc();
    let since = period.since(now);
    let store = state.store.clone();
    let (votes, days) = blocking(move || store.feedback_period(since)).await?;
    let snapshot = state.snapshot.load_full();
    Ok(report(
        &snapshot.site,
        &viewer.scope,
        period,
        now.date(),
        &votes,
        &days,
    ))
}

/// `GET /insights/pages`.
async fn pages_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: InsightsViewer,
) -> Result<HttpResponse, AppError> {
    let (period, params) = period_and_params(&req)?;
    let report = gather(&state, &viewer, period).await?;
    if params.get("format") == Some("csv") {
        return csv_response(
            &format!("page-feedback-{}-days", period.days()),
            &[
                "id",
                "title",
                "owner",
                "votes",
                "helpful",
                "helpful_rate",
                "comments",
                "last_vote",
            ],
            report.pages.iter().map(csv_row),
        );
    }
    let snapshot = state.snapshot.load_full();
    let ctx = page_context(&req, &snapshot.site, "/insights/pages");
    Ok(private_html(view::overview(&ctx, &report, &params)))
}

fn csv_row(p: &PageFigures) -> Vec<String> {
    vec![
        p.id.clone(),
        p.title.clone(),
        p.owner.clone().unwrap_or_default(),
        p.votes.to_string(),
        p.helpful.to_string(),
        p.helpful_rate
            .map(|r| format!("{r:.4}"))
            .unwrap_or_default(),
        p.comments.to_string(),
        p.last_at.map(|t| format_date(t.date())).unwrap_or_default(),
    ]
}

/// `GET /insights/pages/{id}`: a page the viewer may not see is a 404, as one with no votes
/// and no document is.
async fn page_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: InsightsViewer,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (period, params) = period_and_params(&req)?;
    let id = id.into_inner();
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    if !sees(site, &viewer.scope, &id) {
        return Err(AppError::NotFound(format!(
            "There is no page with the id “{id}” among the pages you answer for."
        )));
    }
    let from: u32 = match params.get("from") {
        None => 0,
        Some(text) => text.trim().parse().map_err(|_| {
            AppError::BadRequest(format!(
                "from must be a whole number of comments to skip, such as from=50; `{text}` is not."
            ))
        })?,
    };
    let csv = params.get("format") == Some("csv");
    let now = OffsetDateTime::now_utc();
    let since = period.since(now);
    let store = state.store.clone();
    let doc_id = id.clone();
    // The CSV holds every comment of the period; the page one screenful (and one more, to
    // know whether there is a next).
    let (offset, limit) = if csv {
        (0, u32::MAX)
    } else {
        (from, COMMENTS_PER_PAGE + 1)
    };
    let (votes, days, mut comments) = blocking(move || {
        let votes = store
            .feedback_by_page(since)?
            .into_iter()
            .find(|v| v.doc_id == doc_id);
        let days = store.feedback_by_day(since, Some(&doc_id))?;
        let comments = store.feedback_comments(&doc_id, since, offset, limit)?;
        Ok((votes, days, comments))
    })
    .await?;
    // A removed page keeps its votes on view; an id that is neither is a typo.
    if site.get_str(&id).is_none() && votes.is_none() {
        return Err(AppError::NotFound(format!(
            "There is no page with the id “{id}” on the site, nor votes for it in the last {} days; check the address, or choose a longer period with ?days=.",
            period.days()
        )));
    }
    if csv {
        return csv_response(
            &format!("page-feedback-comments-{}-days", period.days()),
            &["date", "helpful", "comment"],
            comments.iter().map(|c| {
                vec![
                    format_date(c.at.date()),
                    if c.helpful { "yes" } else { "no" }.to_owned(),
                    c.comment.clone(),
                ]
            }),
        );
    }
    let more = comments.len() > COMMENTS_PER_PAGE as usize;
    comments.truncate(COMMENTS_PER_PAGE as usize);
    let empty = PageVotes {
        doc_id: id.clone(),
        votes: 0,
        helpful: 0,
        comments: 0,
        last_at: now,
    };
    let mut figures = page_figures(site, &viewer.scope, votes.as_ref().unwrap_or(&empty))
        .ok_or_else(|| AppError::NotFound(format!("There is no page with the id “{id}”.")))?;
    if votes.is_none() {
        figures.last_at = None;
    }
    let today = now.date();
    let first = today
        .checked_sub(time::Duration::days(i64::from(period.days()) - 1))
        .unwrap_or(today);
    let detail = PageDetail {
        period,
        figures,
        trend: trend(&days, first, today, |_| true),
        comments,
        from,
        more,
    };
    let ctx = page_context(&req, site, "/insights/pages");
    Ok(private_html(view::detail(&ctx, &detail, &params)))
}
