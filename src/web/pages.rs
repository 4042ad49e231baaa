//! HTML pages: home, one route per document kind, tags, diagnostics, and the 404 fallback.
//! Each handler loads one snapshot, looks its document up and calls a pure view in `render`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::Markup;
use serde::Deserialize;

use super::context::page_context;
use super::{AppError, AppState};
use crate::model::{Document, Kind, Site};
use crate::render;

/// Registers the HTML routes. Register areas with sub-paths under these prefixes before it.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .route(
            "/docs/{id:.*}",
            web::get().to(|r, s, i| document(r, s, i, Kind::Guide)),
        )
        .route(
            "/trees/{id:.*}",
            web::get().to(|r, s, i| document(r, s, i, Kind::Troubleshooting)),
        )
        .route(
            "/modules/{id:.*}",
            web::get().to(|r, s, i| document(r, s, i, Kind::Module)),
        )
        .route(
            "/paths/{id:.*}",
            web::get().to(|r, s, i| document(r, s, i, Kind::Path)),
        )
        .route(
            "/resources/{id:.*}",
            web::get().to(|r, s, i| document(r, s, i, Kind::Resource)),
        )
        .route("/tags", web::get().to(tags))
        .route("/tags/{tag}", web::get().to(tag))
        .route("/diagnostics", web::get().to(diagnostics));
}

/// PLACEHOLDER: `/search` until the search area registers its own page (then delete this
/// registration, its handler and `render::search_placeholder`).
pub fn search_placeholder(cfg: &mut web::ServiceConfig) {
    cfg.route("/search", web::get().to(search));
}

/// A 200 HTML response.
pub fn html(markup: Markup) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}

/// The default service: no route matched.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound(
        "There is no page at this address.".into(),
    ))
}

async fn home(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let snapshot = state.snapshot.load_full();
    let ctx = page_context(&req, &snapshot.site, "/");
    html(render::home::page(&ctx, &snapshot.site))
}

/// Any document page. A document of another kind redirects to its own URL, and a folder
/// address redirects to the folder's README or index page, so guessed URLs still land.
pub(crate) async fn document(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    kind: Kind,
) -> Result<HttpResponse, AppError> {
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let id = id.into_inner();
    if id.is_empty() {
        // `/docs/` and friends: the home page lists every section.
        return Ok(HttpResponse::Found()
            .insert_header((header::LOCATION, "/"))
            .finish());
    }
    let Some(doc) = lookup(site, &id) else {
        return Err(AppError::unknown_document(&id));
    };
    if doc.kind != kind || doc.id.as_str() != id {
        return Ok(HttpResponse::Found()
            .insert_header((header::LOCATION, doc.url()))
            .finish());
    }
    let ctx = page_context(&req, site, doc.url());
    let markup = match doc.detail {
        crate::model::Detail::Guide => render::document::guide(&ctx, site, doc),
        crate::model::Detail::Tree(_) => render::tree::page(&ctx, site, doc),
        crate::model::Detail::Module(_) => render::module::page(&ctx, site, doc),
        crate::model::Detail::Path(_) => render::path::page(&ctx, site, doc),
        crate::model::Detail::Resource(_) => render::resource::page(&ctx, site, doc),
    };
    Ok(html(markup))
}

/// The document with this id, or the index page of the folder it names.
fn lookup<'a>(site: &'a Site, id: &str) -> Option<&'a Document> {
    if let Some(doc) = site.get_str(id) {
        return Some(doc);
    }
    let folder = id.trim_end_matches('/');
    if folder.is_empty() {
        return None;
    }
    ["README", "readme", "index"]
        .iter()
        .find_map(|name| site.get_str(&format!("{folder}/{name}")))
        .map(AsRef::as_ref)
}

async fn tags(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let snapshot = state.snapshot.load_full();
    let ctx = page_context(&req, &snapshot.site, "/tags");
    html(render::tags::index(&ctx, &snapshot.site.tags()))
}

async fn tag(
    req: HttpRequest,
    state: web::Data<AppState>,
    tag: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let tag = tag.into_inner();
    let all = site.tags();
    let docs = all
        .get(tag.as_str())
        .ok_or_else(|| AppError::NotFound(format!("No document is tagged “{tag}”.")))?;
    let ctx = page_context(&req, site, render::tag_url(&tag));
    Ok(html(render::tags::tag(&ctx, &tag, docs)))
}

async fn diagnostics(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let snapshot = state.snapshot.load_full();
    let ctx = page_context(&req, &snapshot.site, "/diagnostics");
    html(render::diagnostics::page(&ctx, &snapshot.site))
}

/// `?q=` of the search page.
#[derive(Debug, Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// PLACEHOLDER search: titles holding every word of the query.
async fn search(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> HttpResponse {
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let q: String = query.into_inner().q.chars().take(200).collect();
    let words: Vec<String> = q.split_whitespace().map(str::to_lowercase).collect();
    let hits: Vec<&Document> = if words.is_empty() {
        Vec::new()
    } else {
        site.documents
            .values()
            .filter(|d| {
                let title = d.title.to_lowercase();
                words.iter().all(|w| title.contains(w.as_str()))
            })
            .map(AsRef::as_ref)
            .take(50)
            .collect()
    };
    let mut ctx = page_context(&req, site, "/search");
    ctx.query = q.clone();
    html(render::search_placeholder::page(&ctx, &q, &hits))
}
