//! The weekly digest per owner (issue 16, item 6): `GET /insights/digest[?owner=X][&week=YYYY-Www]`
//! as a page; its JSON feed, `GET /api/v1/insights/digest`, is served by [`crate::web::api`]
//! from [`resolve`] and [`gather`].
//!
//! An owner sees the digests of the `owner:` values they answer for, an admin any owner's;
//! without `owner=` the first of those (by name) is shown, without `week=` the last whole
//! week (Monday to Sunday, UTC), the one a Monday-morning mail job wants.

use actix_web::{HttpRequest, HttpResponse, web};
use time::{Date, Duration};

use super::super::error::blocking;
use super::super::{AppError, AppState};
use super::{InsightsViewer, csv_response, private_html};
use crate::insights::digest::{
    Digest, DigestInput, PageRef, PageVotes, SearchGap, Week, assemble, overdue_reviews,
};
use crate::insights::site_owners;
use crate::model::Site;
use crate::records::QueryTotals;
use crate::render::insights::digest::DigestView;
use crate::render::insights::table::QueryParams;
use crate::web::context::page_context;

/// Registers the page.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/insights/digest", web::get().to(page))
        .route("/insights/digest.csv", web::get().to(csv));
}

/// Which digest a request asks for, and which owners its viewer may choose from.
pub(in crate::web) struct DigestRequest {
    /// The owner, as the site writes it; `None` when the viewer may choose none (a site
    /// whose pages name no owner).
    pub owner: Option<String>,
    /// The week.
    pub week: Week,
    /// The owners this viewer may pick, by name.
    pub choices: Vec<String>,
}

/// Reads `owner=` and `week=`: an owner no page names is a 404, one the viewer does not
/// answer for a 403, a malformed week a 400.
pub(in crate::web) fn resolve(
    site: &Site,
    viewer: &InsightsViewer,
    params: &QueryParams,
    today: Date,
) -> Result<DigestRequest, AppError> {
    let week = match params.get("week").filter(|w| !w.trim().is_empty()) {
        Some(text) => Week::parse(text).map_err(AppError::BadRequest)?,
        None => Week::containing(today).previous(),
    };
    let owners = site_owners(site);
    let choices: Vec<String> = owners
        .iter()
        .filter(|o| viewer.scope.covers(Some(o.as_str())))
        .cloned()
        .collect();
    let owner = match params.get("owner").map(str::trim).filter(|o| !o.is_empty()) {
        None => choices.first().cloned(),
        Some(asked) => {
            let Some(found) = owners.iter().find(|o| o.eq_ignore_ascii_case(asked)) else {
                return Err(AppError::NotFound(format!(
                    "No page names `owner: {asked}`; choose one of: {}.",
                    if owners.is_empty() {
                        "(none yet)".to_owned()
                    } else {
                        owners.join(", ")
                    }
                )));
            };
            if !viewer.scope.covers(Some(found)) {
                return Err(AppError::Forbidden(format!(
                    "You do not answer for `{found}`; a digest is for its owners and for admins."
                )));
            }
            Some(found.clone())
        }
    };
    Ok(DigestRequest {
        owner,
        week,
        choices,
    })
}

fn epoch_day(date: Date) -> i64 {
    (date - Date::from_ordinal_date(1970, 1).unwrap_or(Date::MIN)).whole_days()
}

/// Gathers one owner's digest for one week from the store and the site.
pub(in crate::web) async fn gather(
    state: &AppState,
    site: &Site,
    owner: &str,
    week: Week,
    today: Date,
) -> Result<Digest, AppError> {
    let (first_day, last_day) = (epoch_day(week.from()), epoch_day(week.to()));
    let store = state.store.clone();
    let searches = blocking(move || {
        // The log is summed per query from the week's Monday on; days after its Sunday are
        // taken off per day, for the few queries that found nothing.
        let period = store.search_period(first_day)?;
        let zero: Vec<String> = period
            .queries
            .into_iter()
            .filter(|q| q.zero_results > 0)
            .map(|q| q.query)
            .collect();
        store.search_days_of(first_day, &zero)
    })
    .await?;
    // The week's totals per query, grouped as the search insights group them (stems, typos).
    let mut totals: Vec<QueryTotals> = Vec::new();
    for row in searches.into_iter().filter(|r| r.figures.day <= last_day) {
        let f = row.figures;
        match totals.iter_mut().find(|t| t.query == row.query) {
            Some(t) => {
                t.searches += f.searches;
                t.zero_results += f.zero_results;
                t.opened += f.opened;
                t.no_clicks += f.no_clicks;
            }
            None => totals.push(QueryTotals {
                query: row.query,
                searches: f.searches,
                zero_results: f.zero_results,
                opened: f.opened,
                no_clicks: f.no_clicks,
                last_at: 0,
                last_zero_at: None,
            }),
        }
    }
    totals.retain(|t| t.zero_results > 0);
    let gaps: Vec<SearchGap> = crate::insights::search::group(&totals)
        .into_iter()
        .map(|g| SearchGap {
            query: g.query,
            queries: g.queries,
            count: g.zero_results,
        })
        .collect();

    let owns = |o: Option<&str>| o.is_some_and(|o| o.eq_ignore_ascii_case(owner));
    let store = state.store.clone();
    let since = time::OffsetDateTime::from_unix_timestamp(first_day * 86_400)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let days = blocking(move || store.feedback_by_day(since, None)).await?;
    let mut votes: Vec<PageVotes> = Vec::new();
    for day in days.into_iter().filter(|d| d.day <= last_day) {
        let Some(doc) = site
            .get_str(&day.doc_id)
            .filter(|d| owns(d.owner.as_deref()))
        else {
            continue;
        };
        let not_helpful = day.votes.saturating_sub(day.helpful);
        match votes.iter_mut().find(|v| v.page.id == day.doc_id) {
            Some(v) => {
                v.helpful += day.helpful;
                v.not_helpful += not_helpful;
            }
            None => votes.push(PageVotes {
                page: PageRef::of(doc),
                helpful: day.helpful,
                not_helpful,
            }),
        }
    }

    // A past week's reviews are judged at its end; the current week's today.
    let as_of = today.min(week.to().saturating_add(Duration::days(1)));
    Ok(assemble(DigestInput {
        owner: owner.to_owned(),
        week,
        searches: gaps,
        stubs: crate::insights::digest::stubs_of(site, owns),
        votes,
        overdue: overdue_reviews(site, owns, as_of),
    }))
}

/// The digest a request names (`owner=`, `week=`), gathered: what the JSON feed and the CSV
/// answer. A site whose pages name no owner has none (404).
pub(in crate::web) async fn requested_digest(
    req: &HttpRequest,
    state: &AppState,
    viewer: &InsightsViewer,
) -> Result<Digest, AppError> {
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let params = QueryParams::parse(req.query_string());
    let today = time::OffsetDateTime::now_utc().date();
    let request = resolve(site, viewer, &params, today)?;
    let Some(owner) = request.owner else {
        return Err(AppError::NotFound(
            "No page names an owner yet (the `owner:` in a page's front matter), so there is no digest."
                .into(),
        ));
    };
    gather(state, site, &owner, request.week, today).await
}

/// `GET /insights/digest`.
async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: InsightsViewer,
) -> Result<HttpResponse, AppError> {
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let params = QueryParams::parse(req.query_string());
    let today = time::OffsetDateTime::now_utc().date();
    let request = resolve(site, &viewer, &params, today)?;
    let digest = match &request.owner {
        Some(owner) => Some(gather(&state, site, owner, request.week, today).await?),
        None => None,
    };
    let ctx = page_context(&req, site, "/insights/digest");
    let view = DigestView {
        digest: digest.as_ref(),
        week: request.week,
        this_week: Week::containing(today),
        choices: &request.choices,
        owner: request.owner.as_deref(),
        is_admin: viewer.identity.is_admin(),
    };
    Ok(private_html(crate::render::insights::digest::page(
        &ctx, &view,
    )))
}

/// `GET /insights/digest.csv`: the same rows as the page, one per item.
async fn csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: InsightsViewer,
) -> Result<HttpResponse, AppError> {
    let digest = requested_digest(&req, &state, &viewer).await?;
    csv_response(
        &format!(
            "digest-{}-{}",
            crate::insights::digest::file_safe(&digest.owner),
            digest.week
        ),
        &crate::render::insights::digest::CSV_HEADER,
        crate::render::insights::digest::csv_rows(&digest),
    )
}
