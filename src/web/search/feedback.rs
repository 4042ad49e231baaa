//! Click feedback for admins: `GET /admin/search-feedback` (a page, linked from the admin
//! links in the header); the same as JSON, `GET /api/v1/insights/search-feedback`, is served
//! by [`crate::web::api`] from [`rows`].
//! Anonymous visitors are sent to sign in (the API answers 401), learners get 403.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::super::auth::RequireAdmin;
use super::super::error::blocking;
use super::super::{AppError, AppState};
use crate::model::Site;
use crate::render::search_feedback::{FeedbackPage, FeedbackRow, FeedbackRule};
use crate::search::Fusion;
use crate::store::QueryFeedback;
use crate::store::search_clicks::{HALF_LIFE_DAYS, MIN_SEARCHES};
use crate::web::context::{html, page_context};

/// Most queries listed, most searched first.
const LISTED: usize = 500;

/// Registers the admin page (its JSON is in [`crate::web::api`]).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/search-feedback", web::get().to(page));
}

/// Every query's feedback now, with titles from the current site.
pub(in crate::web) async fn rows(
    state: &AppState,
) -> Result<(FeedbackRule, Vec<FeedbackRow>), AppError> {
    let store = state.store.clone();
    let mut all = blocking(move || store.all_feedback(time::OffsetDateTime::now_utc())).await?;
    all.truncate(LISTED);
    let snapshot = state.snapshot.load_full();
    let rule = FeedbackRule {
        enabled: snapshot.site.config.search.click_feedback,
        half_life_days: HALF_LIFE_DAYS,
        min_searches: MIN_SEARCHES,
    };
    let rows = all
        .iter()
        .map(|q| row(&snapshot.site, q, rule.enabled))
        .collect();
    Ok((rule, rows))
}

/// `lift` is what search applies now: 1 when the query does not lift or the switch is off.
fn row(site: &Site, q: &QueryFeedback, enabled: bool) -> FeedbackRow {
    let weight = f64::from(Fusion::default().click_weight);
    let applies = enabled && q.lifting;
    FeedbackRow {
        query: q.query.clone(),
        searches: q.searches,
        lifting: q.lifting,
        pages: q
            .pages
            .iter()
            .map(|p| FeedbackPage {
                id: p.page.clone(),
                doc: site.get_str(&p.page).map(|d| (d.title.clone(), d.url())),
                weight: p.weight,
                share: p.share,
                lift: if applies { 1.0 + weight * p.share } else { 1.0 },
            })
            .collect(),
    }
}

/// `GET /admin/search-feedback`.
async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: RequireAdmin,
) -> Result<HttpResponse, AppError> {
    let (rule, rows) = rows(&state).await?;
    let snapshot = state.snapshot.load_full();
    let ctx = page_context(&req, &snapshot.site, "/admin/search-feedback");
    let mut response = html(crate::render::search_feedback::page(&ctx, rule, &rows));
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}
