//! `/admin/webhooks`: the webhook delivery log for admins (recent messages, their attempts'
//! results, the next retry) and its "Redeliver" button. The JSON is in
//! `api/webhooks.rs`; the delivering is `crate::webhooks`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use time::OffsetDateTime;

use super::{AppError, AppState};
use crate::records::webhooks::{Delivery, DeliveryStatus};
use crate::render;
use crate::web::auth::{RequireAdmin, check_form_token};
use crate::web::context::{html, page_context};
use crate::web::error::blocking;

/// Messages a page or an API answer lists at most.
pub const LIST_LIMIT: u32 = 200;

/// Registers the page and its form.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/webhooks", web::get().to(page)).route(
        "/admin/webhooks/{id}/redeliver",
        web::post().to(redeliver_form),
    );
}

/// `?status=` as a filter; empty or absent means every status.
pub fn status_filter(raw: Option<&str>) -> Result<Option<DeliveryStatus>, AppError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => DeliveryStatus::parse(text).map(Some).ok_or_else(|| {
            AppError::BadRequest(format!(
                "“{text}” is not a delivery status; use pending, delivered or failed, or leave it out."
            ))
        }),
    }
}

/// The newest messages, at most [`LIST_LIMIT`].
pub async fn recent(
    state: &AppState,
    status: Option<DeliveryStatus>,
) -> Result<Vec<Delivery>, AppError> {
    let store = state.store.clone();
    blocking(move || store.webhook_deliveries(status, LIST_LIMIT)).await
}

/// Makes a message due now with a fresh retry schedule.
pub async fn redeliver(state: &AppState, id: String) -> Result<(), AppError> {
    let store = state.store.clone();
    blocking(move || store.redeliver_webhook(&id, OffsetDateTime::now_utc())).await
}

/// The page's query string.
#[derive(Debug, Deserialize)]
pub(super) struct LogQuery {
    status: Option<String>,
}

/// `GET /admin/webhooks`.
async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: RequireAdmin,
    query: web::Query<LogQuery>,
) -> Result<HttpResponse, AppError> {
    let status = status_filter(query.status.as_deref())?;
    let deliveries = recent(&state, status).await?;
    let snapshot = state.snapshot.load_full();
    let ctx = page_context(&req, &snapshot.site, "/admin/webhooks");
    Ok(html(render::webhooks::page(
        &ctx,
        state.store.webhooks_enabled(),
        status,
        &deliveries,
    )))
}

/// The Redeliver form's fields.
#[derive(Debug, Deserialize)]
pub(super) struct RedeliverForm {
    csrf: Option<String>,
}

/// `POST /admin/webhooks/{id}/redeliver`: due now, then back to the log.
async fn redeliver_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: RequireAdmin,
    id: web::Path<String>,
    form: web::Form<RedeliverForm>,
) -> Result<HttpResponse, AppError> {
    check_form_token(&req, form.csrf.as_deref())?;
    let id = id.into_inner();
    redeliver(&state, id.clone()).await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/admin/webhooks#{id}")))
        .finish())
}
