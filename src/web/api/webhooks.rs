//! `/api/v1/webhooks/…`: the webhook delivery log as JSON and redelivery, for admins (the
//! page is `/admin/webhooks`, in [`crate::web::webhooks`]).

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::records::webhooks::{AttemptResult, Delivery, rfc3339};
use crate::web::auth::RequireAdmin;
use crate::web::error::blocking;
use crate::web::webhooks::{recent, redeliver as make_due, status_filter};
use crate::web::{AppError, AppState};

#[derive(Serialize, ToSchema)]
#[schema(as = WebhookLog)]
struct ApiLog {
    enabled: bool,
    deliveries: Vec<ApiDelivery>,
}

/// One message: `id` is its `webhook-id`, `payload` the body sent.
#[derive(Serialize, ToSchema)]
#[schema(as = WebhookDelivery)]
struct ApiDelivery {
    id: String,
    #[serde(rename = "type")]
    event: String,
    /// `pending`, `delivered` or `failed`.
    #[schema(value_type = String)]
    status: &'static str,
    created_at: String,
    attempts: u32,
    next_attempt_at: Option<String>,
    last_attempt: Option<ApiAttempt>,
    #[schema(value_type = Object)]
    payload: serde_json::Value,
    /// Every attempt, oldest first (only when one message is asked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    attempt_log: Option<Vec<ApiAttempt>>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = WebhookAttempt)]
struct ApiAttempt {
    at: String,
    http_status: Option<u16>,
    error: Option<String>,
    duration_ms: u64,
}

fn attempt(a: &AttemptResult) -> ApiAttempt {
    ApiAttempt {
        at: rfc3339(a.at),
        http_status: a.http_status,
        error: a.error.clone(),
        duration_ms: a.duration_ms,
    }
}

fn delivery(d: &Delivery, log: Option<&[AttemptResult]>) -> ApiDelivery {
    ApiDelivery {
        id: d.id.clone(),
        event: d.event.clone(),
        status: d.status.as_str(),
        created_at: rfc3339(d.created_at),
        attempts: d.attempts,
        next_attempt_at: d.next_attempt_at.map(rfc3339),
        last_attempt: d.last.as_ref().map(attempt),
        payload: serde_json::from_str(&d.payload).unwrap_or(serde_json::Value::Null),
        attempt_log: log.map(|l| l.iter().map(attempt).collect()),
    }
}

/// The answer to a redelivery.
#[derive(Serialize, ToSchema)]
#[schema(as = WebhookRedelivered)]
struct ApiRedelivered {
    id: String,
    /// Always `pending`: due again now.
    status: String,
}

/// The `status` filter of the log: a delivery status, or empty for every status.
pub(super) struct StatusFilter;

impl PartialSchema for StatusFilter {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(["", "pending", "delivered", "failed"]))
            .into()
    }
}

impl ToSchema for StatusFilter {}

/// `?status=`.
#[derive(Debug, Deserialize)]
pub(super) struct LogQuery {
    status: Option<String>,
}

/// `GET /api/v1/webhooks/deliveries`: `{"enabled", "deliveries": [{"id", "type", "status",
/// "created_at", "attempts", "next_attempt_at", "last_attempt": {"at", "http_status",
/// "error", "duration_ms"}, "payload"}]}`, newest first, at most 200.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks/deliveries",
    operation_id = "webhook_deliveries",
    tag = "webhooks",
    params(("status" = Option<StatusFilter>, Query, description = "Only messages of this status: `pending`, `delivered` or `failed`; empty for every status."),),
    security(("bearer" = [])),
    extensions(("x-access" = json!(super::openapi::ADMIN))),
    responses(
        (status = 200, description = "The newest 200 messages, newest first.", body = ApiLog),
        (status = 400, description = "`status` is not pending, delivered or failed.", body = super::schemas::ErrorBody),
        (status = 403, description = "Only admins see this.", body = super::schemas::ErrorBody),
    )
)]
pub(super) async fn deliveries(
    state: web::Data<AppState>,
    _admin: RequireAdmin,
    query: web::Query<LogQuery>,
) -> Result<HttpResponse, AppError> {
    let status = status_filter(query.status.as_deref())?;
    let list = recent(&state, status).await?;
    Ok(HttpResponse::Ok().json(ApiLog {
        enabled: state.store.webhooks_enabled(),
        deliveries: list.iter().map(|d| delivery(d, None)).collect(),
    }))
}

/// `GET /api/v1/webhooks/deliveries/{id}`: one message with `attempt_log`, every attempt.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks/deliveries/{id}",
    operation_id = "webhook_delivery",
    tag = "webhooks",
    params(("id" = String, Path, description = "The message id (`msg_…`, its `webhook-id`)."),),
    security(("bearer" = [])),
    extensions(("x-access" = json!(super::openapi::ADMIN))),
    responses(
        (status = 200, description = "The message and every attempt to deliver it.", body = ApiDelivery),
        (status = 403, description = "Only admins see this.", body = super::schemas::ErrorBody),
        (status = 404, description = "No message has this id.", body = super::schemas::ErrorBody),
    )
)]
pub(super) async fn one(
    state: web::Data<AppState>,
    _admin: RequireAdmin,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let store = state.store.clone();
    let wanted = id.clone();
    let found = blocking(move || store.webhook_delivery(&wanted)).await?;
    let (d, log) = found.ok_or_else(|| {
        AppError::NotFound(format!(
            "There is no webhook message “{id}”; list them at /api/v1/webhooks/deliveries."
        ))
    })?;
    Ok(HttpResponse::Ok().json(delivery(&d, Some(&log))))
}

/// `POST /api/v1/webhooks/deliveries/{id}/redeliver`: 202 `{"id", "status": "pending"}`; the
/// message is sent again within a second, with the same id and a fresh retry schedule.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks/deliveries/{id}/redeliver",
    operation_id = "redeliver_webhook",
    tag = "webhooks",
    params(("id" = String, Path, description = "The message id (`msg_…`, its `webhook-id`)."),),
    security(("bearer" = [])),
    extensions(("x-access" = json!(super::openapi::ADMIN))),
    responses(
        (status = 202, description = "Due again now, with the same id and a fresh retry schedule.", body = ApiRedelivered),
        (status = 403, description = "Only admins may do this.", body = super::schemas::ErrorBody),
        (status = 404, description = "No message has this id.", body = super::schemas::ErrorBody),
    )
)]
pub(super) async fn redeliver(
    state: web::Data<AppState>,
    _admin: RequireAdmin,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    make_due(&state, id.clone()).await?;
    Ok(HttpResponse::Accepted().json(ApiRedelivered {
        id,
        status: "pending".into(),
    }))
}
