//! The two qualification routes provisioning systems call (interfaces.md):
//! `GET /api/v1/learners/{name}/qualifications` and `GET /api/v1/qualified`. Access is checked
//! as on the profile pages (see [`crate::web::qualifications`]): anonymous → 401, someone
//! else's records → 403, then unknown names → 404.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::model::DocId;
use crate::qualify::matrix::{Catalog, decide_all};
use crate::qualify::{Status, decide};
use crate::web::auth::CurrentUser;
use crate::web::qualifications::{AsOfQuery, authorize, learner_history, moment, requirements};
use crate::web::{AppError, AppState};

/// Answers that depend on who asks must never be cached by a shared proxy.
fn private_json(value: &impl Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(value)
}

/// One learner's status for every resource.
#[utoipa::path(
    get,
    path = "/api/v1/learners/{name}/qualifications",
    tag = "qualifications",
    params(("name" = String, Path, description = "The learner's account name."), ("as_of" = Option<super::schemas::AsOf>, Query, description = "Judge at this moment instead of now: RFC 3339 or a date (`2026-10-01`).")),
    security(("bearer" = [])),
    extensions(("x-access" = json!(super::openapi::LEARNER))),
    responses(
        (status = 200, description = "One decision per resource.", body = Vec<super::schemas::Decision>),
        (status = 400, description = "`as_of` is not a date or time.", body = super::schemas::ErrorBody),
        (status = 403, description = "Only the learner and admins see these records.", body = super::schemas::ErrorBody),
        (status = 404, description = "No account has this name.", body = super::schemas::ErrorBody),
    )
)]
pub(super) async fn learner(
    state: web::Data<AppState>,
    user: CurrentUser,
    name: web::Path<String>,
    query: web::Query<AsOfQuery>,
) -> Result<HttpResponse, AppError> {
    authorize(user.0.as_ref(), &name)?;
    let at = moment(query.as_of.as_deref())?;
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let (_, history) = learner_history(&state.store, &name, at).await?;
    let decisions = decide_all(&Catalog::of(site), &history, at, site.config.expiring_days);
    Ok(private_json(&decisions))
}

/// `?learner=&resource=` of `/api/v1/qualified`; optional so that 401 comes before 400.
#[derive(Debug, Deserialize)]
pub(super) struct QualifiedQuery {
    learner: Option<String>,
    resource: Option<String>,
    as_of: Option<String>,
}

/// `GET /api/v1/qualified` answer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Qualified)]
struct QualifiedJson<'a> {
    /// Whether the learner may self-serve the resource now.
    qualified: bool,
    #[schema(value_type = super::schemas::StatusName)]
    status: Status,
    /// When the qualification lapses (or lapsed); `null` when missing or never lapsing.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    expires: Option<OffsetDateTime>,
    /// Modules to pass.
    #[schema(value_type = Vec<String>)]
    missing: &'a [DocId],
}

/// Whether a learner may self-serve a resource: the provisioning system's question.
#[utoipa::path(
    get,
    path = "/api/v1/qualified",
    tag = "qualifications",
    params(
        ("learner" = String, Query, description = "The learner's account name."),
        ("resource" = String, Query, description = "The resource's document id."),
        ("as_of" = Option<super::schemas::AsOf>, Query, description = "Judge at this moment instead of now: RFC 3339 or a date (`2026-10-01`)."),
    ),
    security(("bearer" = [])),
    extensions(("x-access" = json!(super::openapi::LEARNER))),
    responses(
        (status = 200, description = "The decision.", body = QualifiedJson),
        (status = 400, description = "`learner` or `resource` is missing, or `as_of` is not a date or time.", body = super::schemas::ErrorBody),
        (status = 403, description = "Only the learner's own token and admins may ask.", body = super::schemas::ErrorBody),
        (status = 404, description = "No account has this name, or no resource this id.", body = super::schemas::ErrorBody),
    )
)]
pub(super) async fn qualified(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<QualifiedQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let identity = user.0.as_ref().ok_or(AppError::Unauthorized)?;
    let (Some(learner), Some(resource)) = (query.learner, query.resource) else {
        return Err(AppError::BadRequest(
            "Ask with ?learner=NAME&resource=ID; both are required.".into(),
        ));
    };
    authorize(Some(identity), &learner)?;
    let at = moment(query.as_of.as_deref())?;
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let req = requirements(site, &resource)?;
    let (_, history) = learner_history(&state.store, &learner, at).await?;
    let d = decide(&req, &history, at, site.config.expiring_days);
    Ok(private_json(&QualifiedJson {
        qualified: d.qualified(),
        status: d.status,
        expires: d.expires,
        missing: &d.missing,
    }))
}
