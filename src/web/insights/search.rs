//! Search insights (issue 16, item 1): `GET /insights/search` (the page) and
//! `GET /insights/search.csv` (its three tables as one CSV: a `kind` column says `top`,
//! `zero_results` or `no_clicks`; the group's other forms are in `queries`, separated by
//! ` | `). `?days=N` picks the period. The JSON twin, `/api/v1/insights/search`, shares
//! [`report`]. Every viewer of the insights sees the same figures: queries belong to nobody.

use actix_web::{HttpRequest, HttpResponse, web};

use super::{InsightsViewer, csv_response, period_and_params, private_html};
use crate::insights::search::{self, LISTED, SearchReport, rfc3339};
use crate::insights::{Period, Scope, site_owners};
use crate::records::day_of;
use crate::render::insights::search::{self as view, SearchInsights};
use crate::web::context::page_context;
use crate::web::error::blocking;
use crate::web::{AppError, AppState};

/// Registers the page and its CSV.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/insights/search", web::get().to(page))
        .route("/insights/search.csv", web::get().to(csv));
}

/// The search insights over `period`, ending today: the log summed in the database, grouped
/// here, then the listed groups' rows for their trends — two reads on one blocking thread.
pub(crate) async fn report(state: &AppState, period: Period) -> Result<SearchReport, AppError> {
    let store = state.store.clone();
    blocking(move || {
        let today = day_of(time::OffsetDateTime::now_utc());
        let first_day = period.first_day(today);
        let log = store.search_period(first_day)?;
        let mut report = search::report(&log, period, today, LISTED);
        let rows = store.search_days_of(first_day, &report.listed_queries())?;
        report.add_trends(&rows);
        Ok(report)
    })
    .await
}

/// The owners a stub written by this viewer may name: any owner on the site for an admin,
/// the viewer's own owner names otherwise.
fn owner_choices(state: &AppState, scope: &Scope) -> Vec<String> {
    match scope.owner_choices() {
        Some(names) => names.to_vec(),
        None => site_owners(&state.snapshot.load_full().site),
    }
}

/// `GET /insights/search`.
async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: InsightsViewer,
) -> Result<HttpResponse, AppError> {
    let (period, params) = period_and_params(&req)?;
    let report = report(&state, period).await?;
    let owners = owner_choices(&state, &viewer.scope);
    let snapshot = state.snapshot.load_full();
    let gap_pages = search::gap_pages(&snapshot.site, &report.zero_results);
    let ctx = page_context(&req, &snapshot.site, "/insights/search");
    Ok(private_html(view::page(
        &ctx,
        &SearchInsights {
            report: &report,
            params: &params,
            is_admin: viewer.identity.is_admin(),
            owners: &owners,
            gap_pages: &gap_pages,
        },
    )))
}

/// `GET /insights/search.csv`: `kind,query,count,clicks,last_seen,queries`, the lists in
/// the page's order (top, zero results, no clicks). `count` is what the list counts
/// (searches, zero-result searches, searches without a click); `clicks` the group's
/// searches that opened a result; `last_seen` (RFC 3339) is for zero-result groups only.
async fn csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    _viewer: InsightsViewer,
) -> Result<HttpResponse, AppError> {
    let (period, _) = period_and_params(&req)?;
    let report = report(&state, period).await?;
    let lists = [
        ("top", &report.top),
        ("zero_results", &report.zero_results),
        ("no_clicks", &report.no_clicks),
    ];
    let rows = lists.into_iter().flat_map(|(kind, list)| {
        list.iter().map(move |l| {
            let last_seen = match kind {
                "zero_results" => l.group.last_zero_at.map(rfc3339).unwrap_or_default(),
                _ => String::new(),
            };
            vec![
                kind.to_owned(),
                l.group.query.clone(),
                l.count.to_string(),
                l.group.opened.to_string(),
                last_seen,
                l.group.queries.join(" | "),
            ]
        })
    });
    csv_response(
        &format!("search-insights-{}-days", period.days()),
        &["kind", "query", "count", "clicks", "last_seen", "queries"],
        rows,
    )
}
