//! The two qualification routes provisioning systems call (interfaces.md):
//! `GET /api/v1/learners/{name}/qualifications` and `GET /api/v1/qualified`. Access is checked
//! as on the profile pages (see [`crate::web::qualifications`]): anonymous → 401, someone
//! else's records → 403, then unknown names → 404.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

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

/// `GET /api/v1/learners/{name}/qualifications`: one decision per resource.
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
#[derive(Debug, Serialize)]
struct QualifiedJson<'a> {
    qualified: bool,
    status: Status,
    #[serde(with = "time::serde::rfc3339::option")]
    expires: Option<OffsetDateTime>,
    missing: &'a [DocId],
}

/// `GET /api/v1/qualified?learner=NAME&resource=ID`: the provisioning system's question.
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
