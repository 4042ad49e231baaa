//! The JSON API's document route and the health check (interfaces.md fixes their shape).

use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::{AppError, AppState};
use crate::model::{Document, Kind};
use crate::render::format_date;

/// Registers `/healthz` and `/api/v1/docs/{id}`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    // HEAD too: load balancers often probe with it (actix drops the body).
    cfg.route("/healthz", web::get().to(healthz))
        .route("/healthz", web::head().to(healthz))
        .route("/api/v1/docs/{id:.*}", web::get().to(doc));
}

/// 200 `ok` once the content is loaded (the server accepts no connection before it is) and
/// the database answers and takes writes; 503 with a sentence when it does not (a full disk
/// used to leave this at `ok` while every write failed). Plain text either way: monitors and
/// load balancers read it, not people.
async fn healthz(state: web::Data<super::AppState>) -> HttpResponse {
    use crate::store::StoreError;
    let store = state.store.clone();
    let sentence = match web::block(move || store.check_writable()).await {
        Ok(Ok(())) => {
            return HttpResponse::Ok()
                .content_type("text/plain; charset=utf-8")
                .body("ok");
        }
        Ok(Err(error)) => {
            let cause = std::error::Error::source(&error).map(ToString::to_string);
            tracing::error!(%error, ?cause, "health check failed");
            match error {
                StoreError::DiskFull(_) => {
                    "The server's disk is full, so nothing can be saved; free space on it or tell the platform team."
                }
                StoreError::DiskFailed(_) => {
                    "The server cannot write its database because of a disk error; see the server log."
                }
                _ => "The database does not answer; see the server log.",
            }
        }
        Err(error) => {
            tracing::error!(%error, "health check could not run");
            "The health check could not run; see the server log."
        }
    };
    HttpResponse::ServiceUnavailable()
        .insert_header((actix_web::http::header::RETRY_AFTER, "60"))
        .content_type("text/plain; charset=utf-8")
        .body(sentence)
}

/// `GET /api/v1/docs/{id}`.
#[derive(Debug, Serialize)]
pub struct DocJson<'a> {
    /// The document id.
    pub id: &'a str,
    /// Its title.
    pub title: &'a str,
    /// guide, troubleshooting, module, path or resource.
    pub kind: Kind,
    /// The page's URL on this site.
    pub url: String,
    /// Tags as written.
    pub tags: &'a [String],
    /// Who keeps it current.
    pub owner: Option<&'a str>,
    /// Last review as `YYYY-MM-DD`.
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

async fn doc(state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, AppError> {
    let snapshot = state.snapshot.load_full();
    let doc = snapshot
        .site
        .get_str(&id)
        .ok_or_else(|| AppError::unknown_document(&id))?;
    Ok(HttpResponse::Ok().json(DocJson::from(doc.as_ref())))
}
