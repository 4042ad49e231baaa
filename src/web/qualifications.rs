//! Qualifications over HTTP: the learner profile, the admin matrix with its downloads, and
//! the resource page (which needs the viewer's training record, so it is served here rather
//! than by `pages`; its address is routed in [`super::kinds`]). The two API routes
//! provisioning systems call are in [`super::api`] and share the access checks here.
//!
//! Access, in the order it is checked: anonymous → 401 (pages redirect to sign-in); a learner
//! asking about anyone else → 403, whether or not that name exists, so names cannot be probed;
//! then unknown learner or resource → 404. Admins may ask about anyone.
//!
//! Every route accepts `as_of` (a date or RFC 3339 time) to answer for a past moment; see
//! [`crate::export::parse_as_of`].

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, guard, web};
use serde::Deserialize;
use time::OffsetDateTime;

use super::auth::{CurrentUser, Identity, RequireAdmin, RequireUser};
use super::context::{html, page_context};
use super::error::blocking;
use super::{AppError, AppState};
use crate::export::{self, Format};
use crate::model::{DocId, Document, Kind, Site};
use crate::qualify::matrix::{Catalog, Matrix, SortKey, View, decide_all, matrix};
use crate::qualify::{History, Requirements, Status, decide};
use crate::render::{self, resource::ResourceView, resource::Roster};
use crate::store::{Store, User, UserName};

/// Registers the profile and matrix routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/my/qualifications", web::get().to(my_page))
        .route("/learners/{name}", web::get().to(learner_page))
        .route("/admin/qualifications", web::get().to(matrix_page))
        .route(
            "/admin/qualifications.csv",
            web::get().to(|r, s, q| download(r, s, q, Format::Csv)),
        )
        .route(
            "/admin/qualifications.json",
            web::get().to(|r, s, q| download(r, s, q, Format::Json)),
        );
}

/// `?as_of=` alone.
#[derive(Debug, Default, Deserialize)]
pub(super) struct AsOfQuery {
    pub(super) as_of: Option<String>,
}

/// The moment to judge at: `as_of` when given (400 when it is not a date), now otherwise.
pub(super) fn moment(as_of: Option<&str>) -> Result<OffsetDateTime, AppError> {
    match as_of.map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => export::parse_as_of(raw).map_err(AppError::BadRequest),
        None => Ok(OffsetDateTime::now_utc()),
    }
}

/// 401 for anonymous requests, 403 when the identity may not see `name`'s records.
pub(super) fn authorize<'a>(
    identity: Option<&'a Identity>,
    name: &str,
) -> Result<&'a Identity, AppError> {
    let identity = identity.ok_or(AppError::Unauthorized)?;
    let allowed = match UserName::parse(name) {
        Ok(parsed) => identity.may_see(&parsed),
        Err(_) => identity.is_admin(),
    };
    if allowed {
        Ok(identity)
    } else {
        Err(AppError::Forbidden(
            "You may see only your own qualifications.".into(),
        ))
    }
}

/// The learner's account and passes, or 404.
pub(super) async fn learner_history(
    store: &Store,
    name: &str,
    at: OffsetDateTime,
) -> Result<(User, History), AppError> {
    let unknown = || AppError::NotFound(format!("There is no learner named “{name}”."));
    let parsed = UserName::parse(name).map_err(|_| unknown())?;
    let store = store.clone();
    let (user, passes) = blocking(move || {
        let Some(user) = store.find_user(&parsed)? else {
            return Ok(None);
        };
        let passes = store.passes_for_user(user.id)?;
        Ok(Some((user, passes)))
    })
    .await?
    .ok_or_else(unknown)?;
    Ok((user, History::new(&passes, Some(at))))
}

/// The signed-in viewer's training history, for views that show "may you self-serve this"
/// (search results: pass it to [`render::qualifications::qualification_badge`]). `None` for
/// anonymous requests or when the store cannot be read (a badge is not worth an error page).
pub async fn viewer_history(state: &AppState, req: &HttpRequest) -> Option<History> {
    let identity = Identity::of(req)?;
    let store = state.store.clone();
    let user_id = identity.user.id;
    let passes = blocking(move || store.passes_for_user(user_id))
        .await
        .ok()?;
    Some(History::new(&passes, None))
}

/// A resource's requirements, or 404.
pub(super) fn requirements(site: &Site, id: &str) -> Result<Requirements, AppError> {
    DocId::parse(id)
        .ok()
        .and_then(|id| Requirements::of(site, &id))
        .ok_or_else(|| AppError::NotFound(format!("There is no resource with the id “{id}”.")))
}

/// `/my/qualifications`: the signed-in learner's own profile.
async fn my_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: RequireUser,
    query: web::Query<AsOfQuery>,
) -> Result<HttpResponse, AppError> {
    let name = user.0.user.name.to_string();
    profile(&req, &state, &name, true, query.as_of.as_deref()).await
}

/// `/learners/{name}`: a learner's profile, for the learner and admins.
async fn learner_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: RequireUser,
    name: web::Path<String>,
    query: web::Query<AsOfQuery>,
) -> Result<HttpResponse, AppError> {
    let identity = authorize(Some(&user.0), &name)?;
    let own = identity.user.name.as_str().eq_ignore_ascii_case(&name);
    profile(&req, &state, &name, own, query.as_of.as_deref()).await
}

async fn profile(
    req: &HttpRequest,
    state: &AppState,
    name: &str,
    own: bool,
    as_of: Option<&str>,
) -> Result<HttpResponse, AppError> {
    let at = moment(as_of)?;
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let (user, history) = learner_history(&state.store, name, at).await?;
    let decisions = decide_all(&Catalog::of(site), &history, at, site.config.expiring_days);
    let url = if own {
        "/my/qualifications".to_owned()
    } else {
        format!("/learners/{}", user.name)
    };
    let ctx = page_context(req, site, url);
    Ok(html(render::qualifications::profile(
        &ctx,
        site,
        user.name.as_str(),
        own,
        &decisions,
    )))
}

/// The matrix page's query string. Every field is text so that an empty form field (the
/// form sends `resource=` for "All") means "no filter" instead of a 400.
#[derive(Debug, Default, Deserialize)]
struct MatrixQuery {
    resource: Option<String>,
    status: Option<String>,
    sort: Option<String>,
    order: Option<String>,
    as_of: Option<String>,
}

/// A query value that was given and is not blank.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl MatrixQuery {
    /// The filters and order asked for; 400 with a sentence for values that mean nothing.
    fn view(&self, site: &Site) -> Result<View, AppError> {
        let resource = match given(&self.resource) {
            Some(raw) => Some(requirements(site, raw)?.resource),
            None => None,
        };
        let status = match given(&self.status) {
            Some(raw) => Some(parse_status(raw)?),
            None => None,
        };
        let sort = match given(&self.sort) {
            None | Some("name") => SortKey::Name,
            Some("qualified") => SortKey::Qualified,
            Some(other) => {
                return Err(AppError::BadRequest(format!(
                    "Sort by “name” or “qualified”, not “{other}”."
                )));
            }
        };
        let descending = match given(&self.order) {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return Err(AppError::BadRequest(format!(
                    "The order is “asc” or “desc”, not “{other}”."
                )));
            }
        };
        Ok(View {
            resource,
            status,
            sort,
            descending,
        })
    }
}

fn parse_status(raw: &str) -> Result<Status, AppError> {
    [
        Status::Qualified,
        Status::Expiring,
        Status::Expired,
        Status::Missing,
    ]
    .into_iter()
    .find(|s| s.as_str() == raw)
    .ok_or_else(|| {
        AppError::BadRequest(format!(
            "The status is one of qualified, expiring, expired or missing, not “{raw}”."
        ))
    })
}

/// Everyone × every resource at `at`, filtered and sorted by `view`.
async fn full_matrix(
    state: &AppState,
    site: &Site,
    at: OffsetDateTime,
    view: &View,
) -> Result<Matrix, AppError> {
    let store = state.store.clone();
    let (users, passes) = blocking(move || Ok((store.list_users()?, store.all_passes()?))).await?;
    let catalog = Catalog::of(site);
    Ok(matrix(&catalog, &users, &passes, at, site.config.expiring_days).view(view))
}

/// `/admin/qualifications`: the matrix page.
async fn matrix_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: RequireAdmin,
    query: web::Query<MatrixQuery>,
) -> Result<HttpResponse, AppError> {
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let view = query.view(site)?;
    let as_of = given(&query.as_of);
    let at = moment(as_of)?;
    let m = full_matrix(&state, site, at, &view).await?;
    let ctx = page_context(&req, site, "/admin/qualifications");
    Ok(html(render::qualifications::matrix_page(
        &ctx, site, &m, &view, as_of,
    )))
}

/// `/admin/qualifications.csv` and `.json`: the export, with the page's filters.
async fn download(
    state: web::Data<AppState>,
    _admin: RequireAdmin,
    query: web::Query<MatrixQuery>,
    format: Format,
) -> Result<HttpResponse, AppError> {
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let view = query.view(site)?;
    let at = moment(query.as_of.as_deref())?;
    let m = full_matrix(&state, site, at, &view).await?;
    let mut body = Vec::new();
    export::write(&m, format, &mut body).map_err(|e| AppError::Internal(e.to_string()))?;
    let filename = format!(
        "qualifications-{}.{}",
        render::format_date(at.date()),
        format.extension()
    );
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(body))
}

/// Guard: the path names a resource by its exact id. Anything else under `/resources/`
/// (another kind, a folder, an unknown id) falls through to `pages::document` (see
/// [`super::kinds`]), which redirects or 404s.
pub(super) fn names_a_resource(ctx: &guard::GuardContext<'_>) -> bool {
    let Some(state) = ctx.app_data::<web::Data<AppState>>() else {
        return false;
    };
    let path = ctx.head().uri.path();
    let Some(raw) = path.strip_prefix("/resources/") else {
        return false;
    };
    let id = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
    let snapshot = state.snapshot.load();
    snapshot
        .site
        .get_str(&id)
        .is_some_and(|d| d.kind == Kind::Resource && d.id.as_str() == id)
}

/// A resource page with the viewer's standing, and for admins who holds it.
pub(super) async fn resource_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let snapshot = state.snapshot.load_full();
    let site = &snapshot.site;
    let doc: &Document = site
        .get_str(&id)
        .filter(|d| d.kind == Kind::Resource)
        .ok_or_else(|| AppError::unknown_document(&id))?;
    let req_def = requirements(site, doc.id.as_str())?;
    let now = OffsetDateTime::now_utc();
    let days = site.config.expiring_days;
    let mut view = ResourceView::default();
    if let Some(identity) = &user.0 {
        let store = state.store.clone();
        let user_id = identity.user.id;
        let is_admin = identity.is_admin();
        let modules: Vec<String> = req_def.modules.iter().map(|(m, _)| m.to_string()).collect();
        let (own, everyone) = blocking(move || {
            let own = store.passes_for_user(user_id)?;
            let everyone = if is_admin {
                let ids: Vec<&str> = modules.iter().map(String::as_str).collect();
                Some((store.list_users()?, store.passes_for_modules(&ids)?))
            } else {
                None
            };
            Ok((own, everyone))
        })
        .await?;
        let history = History::new(&own, None);
        view.decision = Some(decide(&req_def, &history, now, days));
        if let Some((users, passes)) = everyone {
            let catalog = Catalog::from_requirements(vec![req_def.clone()]);
            let m = matrix(&catalog, &users, &passes, now, days);
            let pairs = m
                .rows
                .iter()
                .filter_map(|r| r.decisions.first().map(|d| (r.name.as_str(), d)));
            view.roster = Some(Roster::from_decisions(pairs));
        }
    }
    let ctx = page_context(&req, site, doc.url());
    Ok(html(render::resource::page_for(&ctx, site, doc, &view)))
}

/// Decisions are serialised as the API documents them; this keeps the shape checked here.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::qualify::Decision;

    #[test]
    fn a_decision_serialises_as_interfaces_md_says() {
        let d = Decision {
            resource: DocId::parse("prod-postgres").expect("id"),
            status: Status::Expiring,
            expires: Some(time::macros::datetime!(2026-12-26 10:00 UTC)),
            missing: Vec::new(),
        };
        assert_eq!(
            serde_json::to_value(&d).expect("json"),
            serde_json::json!({"resource": "prod-postgres", "status": "expiring",
                               "expires": "2026-12-26T10:00:00Z", "missing": []})
        );
    }

    #[test]
    fn statuses_parse_from_their_api_names_only() {
        assert_eq!(parse_status("expired").ok(), Some(Status::Expired));
        assert!(parse_status("Expired").is_err());
    }
}
