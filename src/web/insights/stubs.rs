//! Writing the missing page from a search gap (issue 16): `GET /insights/stubs/new` (the
//! form), `POST /insights/stubs` (writes it, then to the new page; or the Markdown to copy
//! when the content folder cannot be written here; 409 when it exists). [`create`] is the
//! work the API's `POST /api/v1/insights/stubs` shares.
//!
//! Who may: admins name any owner; an owner only one of the names their scope covers.

use std::time::Duration;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};

use super::{InsightsViewer, private_html};
use crate::insights::stub::{DEFAULT_FOLDER, Stub, StubRequest, make_stub, suggested_title};
use crate::insights::{Scope, site_owners};
use crate::model::Site;
use crate::render::insights::stub::{StubForm, copy_page, exists_page, form_page, written_page};
use crate::source::stub_write::{StubWriteError, write_new_file};
use crate::web::auth::check_form_token;
use crate::web::context::page_context;
use crate::web::query::{decode, pairs};
use crate::web::{AppError, AppState};

/// The largest form or JSON body a stub request may have: 20 queries of 200 characters,
/// a title and an owner fit several times over.
pub(crate) const BODY_LIMIT: usize = 32 * 1024;

/// How long the form's answer waits for the watcher to serve the new page before
/// redirecting to it anyway.
const LIVE_WAIT: Duration = Duration::from_secs(3);

/// Registers the form and its post.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/insights/stubs/new", web::get().to(new_form))
        .service(
            web::resource("/insights/stubs")
                .app_data(web::PayloadConfig::new(BODY_LIMIT))
                .route(web::post().to(post_form)),
        );
}

/// Why a stub was not made.
#[derive(Debug)]
pub(crate) enum CreateError {
    /// Bad input (400) or an owner this viewer may not name (403).
    Refused(AppError),
    /// The file or the id is taken (409); the page's address when it is on the site.
    Exists {
        /// A sentence.
        message: String,
        /// The page there, when served.
        url: Option<String>,
    },
    /// The content folder cannot be written here: the stub to copy instead.
    NotWritable {
        /// What it would have been.
        stub: Box<Stub>,
        /// Why not, as the file system said.
        reason: String,
    },
}

impl From<AppError> for CreateError {
    fn from(err: AppError) -> Self {
        CreateError::Refused(err)
    }
}

/// The owners this viewer may choose among: every owner on the site for an admin; for an
/// owner, the site's owners their scope covers (their own names when none is used yet).
pub(crate) fn owner_choices(site: &Site, scope: &Scope) -> Vec<String> {
    let on_site: Vec<String> = site_owners(site)
        .into_iter()
        .filter(|o| scope.covers(Some(o)))
        .collect();
    match scope.owner_choices() {
        Some(names) if on_site.is_empty() => names.to_vec(),
        _ => on_site,
    }
}

/// Checks, writes and answers the new stub; shared by the form and the API.
pub(crate) async fn create(
    state: &web::Data<AppState>,
    viewer: &InsightsViewer,
    request: StubRequest,
) -> Result<Stub, CreateError> {
    if let Some(names) = viewer.scope.owner_choices() {
        let owner = request.owner.trim();
        if !names.iter().any(|n| n.eq_ignore_ascii_case(owner)) {
            return Err(AppError::Forbidden(format!(
                "You may name as owner only {}: the names you answer for.",
                names.join(", ")
            ))
            .into());
        }
    }
    let today = time::OffsetDateTime::now_utc().date();
    let stub = make_stub(&request, DEFAULT_FOLDER, today)
        .map_err(|e| AppError::BadRequest(sentence(&e.to_string())))?;
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let taken = site
        .documents
        .get(&stub.id)
        .map(|d| d.source_path.clone())
        .or_else(|| {
            site.by_path
                .contains_key(&stub.rel_path)
                .then(|| stub.rel_path.clone())
        });
    if let Some(path) = taken {
        return Err(CreateError::Exists {
            message: format!(
                "A page with the id {} is already there ({path}); open it, or choose another title.",
                stub.id
            ),
            url: site.documents.get(&stub.id).map(|_| stub.url.clone()),
        });
    }
    let root = state.content_root.clone();
    let (rel_path, markdown) = (stub.rel_path.clone(), stub.markdown.clone());
    let written = web::block(move || write_new_file(&root, &rel_path, &markdown))
        .await
        .map_err(|e| AppError::Internal(format!("the stub write did not finish: {e}")))?;
    match written {
        Ok(()) => {
            tracing::info!(path = %stub.rel_path, owner = %stub.owner, "page stub written");
            Ok(stub)
        }
        Err(StubWriteError::Exists(path)) => Err(CreateError::Exists {
            message: format!(
                "{path} already exists in the content folder; open it, or choose another title."
            ),
            url: None,
        }),
        Err(StubWriteError::NotWritable(reason)) => Err(CreateError::NotWritable {
            stub: Box::new(stub),
            reason,
        }),
        Err(StubWriteError::BadPath(path)) => Err(AppError::BadRequest(format!(
            "{path} is not a place for a page; choose another title."
        ))
        .into()),
        Err(StubWriteError::Io(err)) => {
            Err(AppError::Internal(format!("writing a page stub: {err}")).into())
        }
    }
}

/// A message as a sentence: capital first letter, a full stop.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    out.extend(chars);
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// The `q` values and the other fields of a query string or form body.
struct Fields {
    queries: Vec<String>,
    title: Option<String>,
    owner: Option<String>,
    csrf: Option<String>,
}

fn fields(encoded: &str) -> Fields {
    let mut out = Fields {
        queries: Vec::new(),
        title: None,
        owner: None,
        csrf: None,
    };
    for (key, value) in pairs(encoded) {
        let value = decode(value);
        match decode(key).as_str() {
            // `queries` as the JSON names them, for scripts posting the form.
            "q" | "queries" => out.queries.push(value),
            "title" => out.title = Some(value),
            "owner" => out.owner = Some(value),
            "csrf" => out.csrf = Some(value),
            _ => {}
        }
    }
    out
}

/// `GET /insights/stubs/new?q=…&q=…&title=…`.
async fn new_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: InsightsViewer,
) -> Result<HttpResponse, AppError> {
    let given = fields(req.query_string());
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let title = given
        .title
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| suggested_title(&given.queries));
    let owners = owner_choices(site, &viewer.scope);
    let ctx = page_context(&req, site, "/insights/stubs/new");
    Ok(private_html(form_page(
        &ctx,
        &StubForm {
            queries: &given.queries,
            title: &title,
            owners: &owners,
            owner: given.owner.as_deref(),
            problem: None,
            live: state.watch,
        },
    )))
}

/// `POST /insights/stubs` (form fields `q`…, `title`, `owner`, `csrf`).
async fn post_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: InsightsViewer,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let given = fields(&String::from_utf8_lossy(&body));
    check_form_token(&req, given.csrf.as_deref())?;
    let request = StubRequest {
        queries: given.queries.clone(),
        title: given.title.clone(),
        owner: given.owner.clone().unwrap_or_default(),
    };
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let ctx = page_context(&req, site, "/insights/stubs");
    match create(&state, &viewer, request).await {
        Ok(stub) => {
            if state.watch {
                wait_until_served(&state, &stub).await;
                return Ok(HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, stub.url))
                    .finish());
            }
            let message = format!(
                "{} is written; the site shows it after the next reload of the content (the server does not watch the folder).",
                stub.rel_path
            );
            Ok(with_status(
                StatusCode::CREATED,
                written_page(&ctx, &message),
            ))
        }
        Err(CreateError::Refused(AppError::BadRequest(problem))) => {
            let owners = owner_choices(site, &viewer.scope);
            let title = given.title.unwrap_or_default();
            Ok(with_status(
                StatusCode::BAD_REQUEST,
                form_page(
                    &ctx,
                    &StubForm {
                        queries: &given.queries,
                        title: &title,
                        owners: &owners,
                        owner: given.owner.as_deref(),
                        problem: Some(&problem),
                        live: state.watch,
                    },
                ),
            ))
        }
        Err(CreateError::Refused(other)) => Err(other),
        Err(CreateError::Exists { message, url }) => Ok(with_status(
            StatusCode::CONFLICT,
            exists_page(&ctx, &message, url.as_deref()),
        )),
        Err(CreateError::NotWritable { stub, reason }) => Ok(with_status(
            StatusCode::OK,
            copy_page(&ctx, &stub.rel_path, &stub.markdown, &reason),
        )),
    }
}

fn with_status(status: StatusCode, markup: maud::Markup) -> HttpResponse {
    let mut response = private_html(markup);
    *response.status_mut() = status;
    response
}

/// Waits (briefly) until the watcher serves the new page, so the redirect lands on it.
async fn wait_until_served(state: &web::Data<AppState>, stub: &Stub) {
    let deadline = std::time::Instant::now() + LIVE_WAIT;
    while std::time::Instant::now() < deadline {
        if state.snapshot.load().site.documents.contains_key(&stub.id) {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}
