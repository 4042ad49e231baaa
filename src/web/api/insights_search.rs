//! `GET /api/v1/insights/search?days=N`: the search insights as JSON (the page is
//! `/insights/search`, in [`crate::web::insights::search`], which computes both).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::insights::search::{day_label, rfc3339};
use crate::web::insights::search::report;
use crate::web::insights::{InsightsViewer, period_and_params};
use crate::web::{AppError, AppState};

#[derive(Serialize, ToSchema)]
#[schema(as = SearchInsights)]
struct ApiSearchInsights {
    top: Vec<ApiTop>,
    zero_results: Vec<ApiZero>,
    no_clicks: Vec<ApiNoClick>,
    period: ApiPeriod,
    totals: ApiTotals,
    per_day: Vec<ApiDay>,
    trend_unit: &'static str,
    trend_starts: Vec<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = TopQuery)]
struct ApiTop {
    query: String,
    count: u64,
    clicks: u64,
    queries: Vec<String>,
    trend: Vec<u64>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = ZeroResultQuery)]
struct ApiZero {
    query: String,
    count: u64,
    last_seen: Option<String>,
    queries: Vec<String>,
    trend: Vec<u64>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = NoClickQuery)]
struct ApiNoClick {
    query: String,
    count: u64,
    searches: u64,
    queries: Vec<String>,
    trend: Vec<u64>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = Period)]
struct ApiPeriod {
    days: u32,
    from: String,
    to: String,
}

#[derive(Serialize, ToSchema)]
#[schema(as = SearchTotals)]
struct ApiTotals {
    searches: u64,
    zero_results: u64,
    clicks: u64,
    no_clicks: u64,
    queries: u64,
    groups: u64,
}

#[derive(Serialize, ToSchema)]
#[schema(as = SearchDay)]
struct ApiDay {
    day: String,
    searches: u64,
    zero_results: u64,
    clicks: u64,
    no_clicks: u64,
}

/// The search insights: top queries, searches that found nothing, searches without a click.
///
/// `GET /api/v1/insights/search?days=N` (1..=366, default 28): `{"top": [{"query", "count",
/// "clicks", "queries", "trend"}], "zero_results": [{"query", "count", "last_seen", …}],
/// "no_clicks": [{"query", "count", "searches", …}], "period", "totals", "per_day",
/// "trend_unit", "trend_starts"}`. `query` is a group's most searched form, `queries` all
/// of its forms; `trend` counts what `count` counts, per `trend_unit` from each of
/// `trend_starts`. At most 100 groups per list.
#[utoipa::path(
    get,
    path = "/api/v1/insights/search",
    tag = "insights",
    params(("days" = Option<u32>, Query, minimum = 1, maximum = 366, description = "The period: the last N days with today (1 to 366)."),),
    security(("bearer" = [])),
    extensions(("x-access" = json!(super::openapi::OWNER))),
    responses(
        (status = 200, description = "The period's search figures.", body = ApiSearchInsights),
        (status = 400, description = "`days` is not a whole number from 1 to 366.", body = super::schemas::ErrorBody),
        (status = 403, description = "The account answers for no pages (or not for these).", body = super::schemas::ErrorBody),
    )
)]
pub(super) async fn search_insights(
    req: HttpRequest,
    state: web::Data<AppState>,
    _viewer: InsightsViewer,
) -> Result<HttpResponse, AppError> {
    let (period, _) = period_and_params(&req)?;
    let report = report(&state, period).await?;
    let t = report.totals;
    let body = ApiSearchInsights {
        top: report
            .top
            .iter()
            .map(|l| ApiTop {
                query: l.group.query.clone(),
                count: l.count,
                clicks: l.group.opened,
                queries: l.group.queries.clone(),
                trend: l.trend.clone(),
            })
            .collect(),
        zero_results: report
            .zero_results
            .iter()
            .map(|l| ApiZero {
                query: l.group.query.clone(),
                count: l.count,
                last_seen: l.group.last_zero_at.map(rfc3339),
                queries: l.group.queries.clone(),
                trend: l.trend.clone(),
            })
            .collect(),
        no_clicks: report
            .no_clicks
            .iter()
            .map(|l| ApiNoClick {
                query: l.group.query.clone(),
                count: l.count,
                searches: l.group.searches,
                queries: l.group.queries.clone(),
                trend: l.trend.clone(),
            })
            .collect(),
        period: ApiPeriod {
            days: period.days(),
            from: day_label(report.first_day),
            to: day_label(report.first_day + i64::from(period.days()) - 1),
        },
        totals: ApiTotals {
            searches: t.searches,
            zero_results: t.zero_results,
            clicks: t.opened,
            no_clicks: t.no_clicks,
            queries: t.queries,
            groups: t.groups,
        },
        per_day: report
            .days
            .iter()
            .map(|d| ApiDay {
                day: day_label(d.day),
                searches: d.searches,
                zero_results: d.zero_results,
                clicks: d.opened,
                no_clicks: d.no_clicks,
            })
            .collect(),
        trend_unit: report.buckets.unit(),
        trend_starts: report.buckets.starts().into_iter().map(day_label).collect(),
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(body))
}
