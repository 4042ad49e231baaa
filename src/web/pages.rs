//! HTML pages: home, the list of training paths, any document (routed from `kinds`), folder listings, tags, diagnostics,
//! and the 404 fallback. Each handler loads one snapshot, looks its document up and calls a
//! pure view in `render`.
//!
//! Pages that are the same for every anonymous reader (home, guides, folder listings, tags,
//! diagnostics) go through [`cached`]: rendered once per snapshot and day, then served from
//! the snapshot's [`PageCache`](crate::page_cache::PageCache), by [`serve_cached`] before
//! authentication and routing when the request carries no credentials. Both answer with the
//! coding the reader accepts (compressed once per page and coding, kept beside the page), a
//! strong ETag and `Cache-Control: no-cache`, and 304 to an `If-None-Match` naming the ETag.

use std::sync::Arc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::Markup;
use time::Date;

use super::auth::SESSION_COOKIE;
use super::context::{TEXT_HTML, found, html, page_context};
use super::http_cache::{self, REVALIDATE, Representation};
use super::{AppError, AppState, standing};
use crate::compression::{self, Coding};
use crate::model::{Document, Kind, Site, find_folder};
use crate::page_cache::{CachedPage, PageCache};
use crate::progress::Record;
use crate::render::{self, PageContext};
use crate::snapshot::Snapshot;

/// Registers the home page, tags and diagnostics (document addresses are in [`super::kinds`]).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        // `render::training_paths::URL`, written out so the route table test sees it.
        .route("/training", web::get().to(training_paths))
        .route("/tags", web::get().to(tags))
        .route("/tags/{tag}", web::get().to(tag))
        .route("/diagnostics", web::get().to(diagnostics));
}

/// A 200 HTML response for the page at canonical URL `key`, from the snapshot's cache when
/// the reader is anonymous. `view` must depend only on the site, `ctx` minus the viewer and
/// CSRF token (anonymous pages never show them), and the day: handlers pass the canonical
/// URL rather than the request's, so `?anything` cannot fill the cache with copies. `view`
/// runs only on a miss, so work done inside it (and its 404s) is skipped on a hit.
///
/// `Cache-Control` is left to [`serve_cached`], outside authentication: a miss may leave
/// with the anonymous CSRF cookie, and then authentication marks it `private, no-store`.
fn cached(
    req: &HttpRequest,
    snapshot: &Snapshot,
    ctx: &PageContext<'_>,
    key: &str,
    view: impl FnOnce() -> Result<Markup, AppError>,
) -> Result<HttpResponse, AppError> {
    if ctx.viewer.is_some() {
        // Their name, their sign-out form: rendered for them alone, never kept.
        return Ok(html(view()?));
    }
    let page = match snapshot.pages.get(ctx.today, key) {
        Some(page) => page,
        None => {
            let page = CachedPage::new(Bytes::from(view()?.into_string()), TEXT_HTML);
            snapshot
                .pages
                .insert(ctx.today, key.to_owned(), page.clone());
            page
        }
    };
    let kept = Kept {
        cache: &snapshot.pages,
        day: ctx.today,
        key,
    };
    Ok(page_response(req.headers(), &kept, page, None))
}

/// Middleware, between the error pages and authentication: answers an anonymous `GET` for a
/// page already in the snapshot's cache without authenticating, routing or rendering it
/// (those cost more than the rest of the request together).
///
/// Safe because an entry exists only after the whole stack (authentication, access rules,
/// routing, a handler in this module) served that canonical URL to an anonymous reader, in
/// this snapshot and on this day. Requests carrying any credential, and sites that require
/// sign-in, go the whole way. Answers keep the headers the outer middleware adds (CSP and
/// friends); they lack only the anonymous CSRF cookie, which the pages with forms hand out.
///
/// Cached pages answered further in (a miss, rendered and kept) get their `Cache-Control`
/// here too, unless authentication already marked them personal.
pub async fn serve_cached(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Some(answer) = cached_for_anonymous(&req) {
        return Ok(req.into_response(answer));
    }
    let mut res = next.call(req).await?.map_into_boxed_body();
    let headers = res.headers_mut();
    // Every other answer with an ETag (files) sets its own Cache-Control.
    if headers.contains_key(header::ETAG) && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
    }
    Ok(res)
}

fn cached_for_anonymous(req: &ServiceRequest) -> Option<HttpResponse> {
    if req.method() != Method::GET {
        return None;
    }
    let state = req.app_data::<web::Data<AppState>>()?;
    let snapshot = state.snapshot.load();
    let auth = &snapshot.site.config.auth;
    let headers = req.headers();
    let credentials = headers.contains_key(header::AUTHORIZATION)
        || auth
            .proxy_header
            .as_deref()
            .is_some_and(|name| headers.contains_key(name))
        || req.cookie(SESSION_COOKIE).is_some();
    if auth.require_sign_in || credentials {
        return None;
    }
    let today = time::OffsetDateTime::now_utc().date();
    let key = req.path();
    let page = snapshot.pages.get(today, key)?;
    let kept = Kept {
        cache: &snapshot.pages,
        day: today,
        key,
    };
    Some(page_response(req.headers(), &kept, page, Some(REVALIDATE)))
}

/// Where a cached page is kept, so a coding made for this request is kept beside it.
struct Kept<'a> {
    cache: &'a PageCache,
    day: Date,
    key: &'a str,
}

/// The 200 (or 304) for `page` in the coding the request accepts. A coding not made yet for
/// this page is made now, once: it is kept in the cache for every later reader.
fn page_response(
    request: &HeaderMap,
    kept: &Kept<'_>,
    page: CachedPage,
    cache_control: Option<&'static str>,
) -> HttpResponse {
    let mut coding = http_cache::negotiate(request);
    let body = if http_cache::client_has(request, &coding.entity_tag(&page.hash)) {
        // A 304: no body is sent, so none is made.
        Bytes::new()
    } else if let Some(body) = page.encoded(coding) {
        body.clone()
    } else if let Some(body) = compression::compress(coding, &page.body) {
        kept.cache
            .add_encoded(kept.day, kept.key, &page.hash, coding, body.clone());
        body
    } else {
        coding = Coding::Identity;
        page.body.clone()
    };
    Representation {
        body,
        coding,
        etag: &coding.entity_tag(&page.hash),
        content_type: page.content_type,
        cache_control,
        negotiated: true,
    }
    .respond(request)
}

/// The default service: no route matched.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound(
        "There is no page at this address.".into(),
    ))
}

async fn home(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let ctx = page_context(&req, site, "/");
    let Some(attempts) = standing::viewer_attempts(&req, &state).await else {
        return cached(&req, &snapshot, &ctx, "/", || {
            Ok(render::home::page(&ctx, site))
        });
    };
    let record = Record::new(&attempts);
    let paths = standing::path_progress(site, &record);
    let statuses = standing::resource_statuses(site, &attempts);
    let learner = render::home::HomeLearner {
        paths: &paths,
        statuses: &statuses,
    };
    Ok(html(render::home::page_for(&ctx, site, Some(&learner))))
}

/// `/training`: every training path, with the signed-in viewer's progress.
async fn training_paths(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let url = render::training_paths::URL;
    let ctx = page_context(&req, site, url);
    let Some(attempts) = standing::viewer_attempts(&req, &state).await else {
        return cached(&req, &snapshot, &ctx, url, || {
            Ok(render::training_paths::index(&ctx, site, &[]))
        });
    };
    let paths = standing::path_progress(site, &Record::new(&attempts));
    Ok(html(render::training_paths::index(&ctx, site, &paths)))
}

/// What a document address `/{kind}/{id}` names.
pub(crate) enum Address<'s> {
    /// The document of that kind with exactly that id.
    Document(&'s Arc<Document>),
    /// A page at another URL: the home page for an empty id (`/docs/` and friends: it lists
    /// every section), else a document of another kind or a folder's README or index page.
    Elsewhere(String),
    /// No document and no folder index page.
    Missing,
}

/// Resolves the address of a document of `kind` with `id`, as every kind's handler does.
pub(crate) fn resolve<'s>(site: &'s Site, id: &str, kind: Kind) -> Address<'s> {
    if id.is_empty() {
        // `/paths/` lists every path; the other kinds' folders are on the home page.
        let landing = if kind == Kind::Path {
            render::training_paths::URL
        } else {
            "/"
        };
        return Address::Elsewhere(landing.to_owned());
    }
    match site.get_or_folder_index(id) {
        Some(doc) if doc.kind == kind && doc.id.as_str() == id => Address::Document(doc),
        Some(doc) => Address::Elsewhere(doc.url()),
        None => Address::Missing,
    }
}

/// Any document page. A document of another kind redirects to its own URL, and a folder
/// address redirects to the folder's README or index page, or shows the folder's generated
/// listing when it has neither, so guessed URLs still land.
pub(crate) async fn document(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    kind: Kind,
) -> Result<HttpResponse, AppError> {
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let id = id.into_inner();
    let doc = match resolve(site, &id, kind) {
        Address::Document(doc) => doc,
        Address::Elsewhere(url) => return Ok(found(&url)),
        Address::Missing => return folder(&req, &snapshot, &id, kind),
    };
    let url = doc.url();
    let ctx = page_context(&req, site, url.as_str());
    // Guides are the same for every anonymous reader. The other kinds have their own
    // handlers (progress, quiz and outcome forms with CSRF tokens) and reach this one only as
    // a fallback, so they are never cached here.
    if doc.kind == Kind::Guide {
        return cached(&req, &snapshot, &ctx, &url, || {
            Ok(crate::render::document_page(&ctx, site, doc))
        });
    }
    Ok(html(crate::render::document_page(&ctx, site, doc)))
}

/// The generated listing of a folder with no README or index page (`/docs/{folder}/`), which
/// collapsed folders in the sidebar link to. Other prefixes and the address without its
/// trailing slash redirect there, so relative links on the page resolve inside the folder.
fn folder(
    req: &HttpRequest,
    snapshot: &Snapshot,
    id: &str,
    kind: Kind,
) -> Result<HttpResponse, AppError> {
    let site = &snapshot.site;
    let path = id.strip_suffix('/').unwrap_or(id);
    let Some((folder, url)) =
        find_folder(&site.nav, path).and_then(|f| Some((f, f.url.as_deref()?)))
    else {
        return Err(AppError::unknown_document(id));
    };
    // An index page with an id of its own is the folder's page. The trailing slash is checked
    // on the decoded `id`: `url` is percent-encoded.
    if folder.id.is_some() || kind != Kind::Guide || !id.ends_with('/') {
        return Ok(found(url));
    }
    let ctx = page_context(req, site, url);
    cached(req, snapshot, &ctx, url, || {
        Ok(render::folder::page(&ctx, site, folder))
    })
}

async fn tags(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let snapshot = state.snapshot.load_full();
    let ctx = page_context(&req, &snapshot.site, "/tags");
    cached(&req, &snapshot, &ctx, "/tags", || {
        Ok(render::tags::index(&ctx, &snapshot.site.tags()))
    })
}

async fn tag(
    req: HttpRequest,
    state: web::Data<AppState>,
    tag: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let tag = tag.into_inner();
    let url = render::tag_url(&tag);
    let ctx = page_context(&req, site, url.as_str());
    cached(&req, &snapshot, &ctx, &url, || {
        // Collecting every tag walks every document: done on a miss only.
        let all = site.tags();
        let docs = all
            .get(tag.as_str())
            .ok_or_else(|| AppError::NotFound(format!("No document is tagged “{tag}”.")))?;
        Ok(render::tags::tag(&ctx, &tag, docs))
    })
}

async fn diagnostics(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let snapshot = state.snapshot.load_full();
    let ctx = page_context(&req, &snapshot.site, "/diagnostics");
    cached(&req, &snapshot, &ctx, "/diagnostics", || {
        Ok(render::diagnostics::page(&ctx, &snapshot.site))
    })
}
