//! `GET /api/v1/docs/{id}`: one document, rendered, as interfaces.md fixes its shape.

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::model::{Document, Kind};
use crate::render::format_date;
use crate::web::{AppError, AppState};

/// `GET /api/v1/docs/{id}`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Document)]
pub struct DocJson<'a> {
    /// The document id.
    pub id: &'a str,
    /// Its title.
    pub title: &'a str,
    /// guide, troubleshooting, module, path or resource.
    #[schema(value_type = super::schemas::KindName)]
    pub kind: Kind,
    /// The page's URL on this site.
    pub url: String,
    /// Tags as written.
    pub tags: &'a [String],
    /// Who keeps it current.
    pub owner: Option<&'a str>,
    /// Last review as `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub reviewed: Option<String>,
    /// The rendered, sanitised body.
    pub html: String,
}

impl<'a> From<&'a Document> for DocJson<'a> {
    fn from(doc: &'a Document) -> Self {
        Self {
            id: doc.id.as_str(),
            title: &doc.title,
            kind: doc.kind,
            url: doc.url(),
            tags: &doc.tags,
            owner: doc.owner.as_deref(),
            reviewed: doc.reviewed.map(format_date),
            html: doc.body.html(),
        }
    }
}

/// One document, rendered.
#[utoipa::path(
    get,
    path = "/api/v1/docs/{id}",
    tag = "content",
    params(("id" = String, Path, description = "The document id; a `/` in it is part of the path.")),
    security((), ("bearer" = [])),
    extensions(("x-access" = json!(super::openapi::ANYONE))),
    responses(
        (status = 200, description = "The document.", body = DocJson),
        (status = 404, description = "No document has this id.", body = super::schemas::ErrorBody),
    )
)]
pub(super) async fn doc(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let snapshot = state.snapshot.load_full();
    let doc = snapshot
        .site
        .get_str(&id)
        .ok_or_else(|| AppError::unknown_document(&id))?;
    Ok(HttpResponse::Ok().json(DocJson::from(doc.as_ref())))
}
